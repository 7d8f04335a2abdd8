"""A local SMS gateway for development and tests, speaking the protocol of
``HTTPSMSBackend`` (see docs/notifications.md). It listens on the loopback interface only,
logs every message and keeps them in memory; it can simulate an outage or refusals."""
from __future__ import annotations

import ipaddress
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PATH = "/v1/messages"
MODES = ("accept", "unavailable", "reject")
_E164 = re.compile(r"\+[1-9]\d{7,14}")
_SENDER = re.compile(r"[A-Za-z0-9 ._-]{1,11}")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Handler(BaseHTTPRequestHandler):
    server_version = "xaso-sandbox-gateway/1"
    gateway: "SandboxGateway"

    def log_message(self, format, *args):  # requests are logged by the gateway itself
        pass

    def _reply(self, status: int, payload: dict, headers: dict | None = None):
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path != PATH:
            return self._reply(404, {"error": "not_found"})
        if not self.gateway.authorised(self.headers.get("Authorization", "")):
            return self._reply(401, {"error": "unauthorized"})
        with self.gateway.lock:
            return self._reply(200, {"messages": list(self.gateway.messages)})

    def do_POST(self):
        gw = self.gateway
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(min(length, 1 << 20))
        with gw.lock:
            gw.requests += 1
        if self.path != PATH:
            return self._reply(404, {"error": "not_found"})
        if gw.mode == "unavailable":
            return self._reply(503, {"error": "unavailable"}, {"Retry-After": "30"})
        if not gw.authorised(self.headers.get("Authorization", "")):
            return self._reply(401, {"error": "unauthorized"})
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self._reply(400, {"error": "invalid_json"})
        if not isinstance(data, dict):
            return self._reply(400, {"error": "invalid_json"})
        errors = {}
        if not isinstance(data.get("to"), str) or not _E164.fullmatch(data["to"]):
            errors["to"] = "E.164 number required"
        if not isinstance(data.get("text"), str) or not 1 <= len(data["text"]) <= 1600:
            errors["text"] = "1 to 1600 characters"
        if not isinstance(data.get("sender"), str) or not _SENDER.fullmatch(data["sender"]):
            errors["sender"] = "1 to 11 letters or digits"
        if not isinstance(data.get("client_ref"), str) or not 1 <= len(data["client_ref"]) <= 64:
            errors["client_ref"] = "1 to 64 characters"
        if errors:
            return self._reply(422, {"error": "invalid_request", "fields": errors})
        if gw.mode == "reject":
            return self._reply(400, {"error": "rejected", "detail": "recipient refused by the simulated operator"})
        key = self.headers.get("Idempotency-Key") or data["client_ref"]
        with gw.lock:
            if key in gw.by_key:
                return self._reply(200, {"id": gw.by_key[key], "status": "accepted", "duplicate": True})
            provider_id = f"sbx-{len(gw.messages) + 1:06d}"
            gw.by_key[key] = provider_id
            entry = {"id": provider_id, **{k: data[k] for k in ("to", "text", "sender", "client_ref")}}
            gw.messages.append(entry)
        gw.log(f"SMS {provider_id} to {entry['to']} from {entry['sender']} [{entry['client_ref']}]: {entry['text']}")
        return self._reply(202, {"id": provider_id, "status": "accepted"})


class SandboxGateway:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, token: str = "", mode: str = "accept", log=None):
        if not is_loopback(host):
            raise ValueError("the sandbox gateway listens on the loopback interface only")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.token = token
        self.mode = mode
        self.messages: list[dict] = []
        self.by_key: dict[str, str] = {}
        self.requests = 0
        self.lock = threading.Lock()
        self._log = log
        handler = type("Handler", (_Handler,), {"gateway": self})
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}{PATH}"

    def authorised(self, header: str) -> bool:
        return not self.token or header == f"Bearer {self.token}"

    def log(self, line: str):
        if self._log:
            self._log(line)

    def start(self) -> "SandboxGateway":
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), name="sandbox-gateway", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self.server.serve_forever()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
