"""``xaso notifications send [--loop] [--batch N]`` delivers due messages;
``xaso notifications sandbox-gateway --port P`` runs a local SMS gateway for development."""
import logging
import signal
import sys
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections, connections

from xaso.notifications import sandbox, selectors, services

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Notification outbox: send due messages, or run a local sandbox SMS gateway."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{send,status,sandbox-gateway}")
        send = sub.add_parser("send", help="Send due messages (once, or continuously with --loop).")
        send.add_argument("--batch", type=int, default=50, help="Messages claimed per round (default 50).")
        send.add_argument("--loop", action="store_true", help="Keep running, polling for due messages.")
        send.add_argument("--interval", type=float, default=5.0, help="Seconds between polls with --loop (default 5).")
        status = sub.add_parser("status", help="Show the outbox: messages per status, oldest due message (exit 2 if it waits too long).")
        status.add_argument("--max-wait", type=int, default=900, help="Seconds a due message may wait before the check fails (default 900).")
        gw = sub.add_parser("sandbox-gateway", help="Run a local SMS gateway that accepts and logs messages (loopback only).")
        gw.add_argument("--host", default="127.0.0.1", help="Loopback address to listen on (default 127.0.0.1).")
        gw.add_argument("--port", type=int, default=8025, help="Port (default 8025).")
        gw.add_argument("--token", default="", help="Bearer token to require (default: accept any).")
        gw.add_argument("--mode", choices=sandbox.MODES, default="accept", help="accept, unavailable (503) or reject (400).")

    def handle(self, *args, subcommand=None, **options):
        if subcommand == "send":
            return self.send(options["batch"], options["loop"], options["interval"])
        if subcommand == "status":
            return self.status(options["max_wait"])
        if subcommand == "sandbox-gateway":
            return self.gateway(options["host"], options["port"], options["token"], options["mode"])
        raise CommandError(f"unknown subcommand {subcommand!r}")

    def send(self, batch, loop, interval):
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        worker_id = services.new_worker_id()
        stopping = []
        if loop and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *a: stopping.append(True))
        while True:
            if loop:
                close_old_connections()
                try:
                    stats = services.send_due(batch=batch, worker_id=worker_id, max_batches=1)
                except DatabaseError as exc:
                    # The database restarted or is unreachable: wait and try again.
                    logger.error("notification worker: database error: %s", exc)
                    connections.close_all()
                    time.sleep(interval)
                    if stopping:
                        return
                    continue
            else:
                stats = services.send_due(batch=batch, worker_id=worker_id)
            if stats.claimed or not loop:
                self.stdout.write(
                    f"claimed {stats.claimed}, sent {stats.sent}, failed {stats.failed}, dead {stats.dead}"
                    + (f", lost claims {stats.lost_claims}" if stats.lost_claims else "")
                )
            if not loop or stopping:
                return
            if not stats.claimed:
                # sleep in small steps so a stop signal is honoured quickly
                deadline = time.monotonic() + interval
                while time.monotonic() < deadline and not stopping:
                    time.sleep(min(0.2, interval))
            if stopping:
                return

    def status(self, max_wait):
        health = selectors.queue_health()
        self.stdout.write(", ".join(f"{status} {n}" for status, n in health.by_status.items()))
        self.stdout.write(f"dead in the last 24 h: {health.dead_last_day}")
        age = health.oldest_due_age_seconds
        if health.oldest_due_at is None:
            self.stdout.write("no message is waiting")
            return
        self.stdout.write(f"oldest due message waits for {age:.0f} s")
        if age > max_wait:
            self.stderr.write(f"the oldest due message has waited more than {max_wait} s: is a worker running?")
            sys.exit(2)

    def gateway(self, host, port, token, mode):
        try:
            gw = sandbox.SandboxGateway(host, port, token=token, mode=mode, log=lambda line: self.stdout.write(line))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Sandbox SMS gateway on {gw.url} (mode {mode}); set XASO_SMS_GATEWAY_URL={gw.url}. Ctrl-C to stop.")
        try:
            gw.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            gw.server.server_close()
