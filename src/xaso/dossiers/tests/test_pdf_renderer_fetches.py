"""The PDF renderer reads no file of the server and nothing from the network.

The attack: a commune administrator (not a superuser) uploaded an HTML receipt template with
``<a rel="attachment" href="file:///…/secret_key">``; every receipt PDF then carried the
server's secret key and ``/etc/passwd`` as attachments, sent to citizens; an ``<img>`` made
the renderer fetch from the network. Now WeasyPrint gets a URL fetcher that serves only the
project's fonts and static files, and the PDF's attachments are stripped."""
import http.server
import io
import subprocess
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xaso.core.models import User
from xaso.dossiers import documents, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def listener():
    """A local HTTP server that counts the requests it gets (the renderer must send none)."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], hits
    server.shutdown()


def _embedded_files(pdf: bytes) -> list[str]:
    """Names of the files embedded in ``pdf`` (document-level and annotation attachments)."""
    from pyhanko.pdf_utils.generic import DictionaryObject
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf))
    found = []
    names = reader.root.get("/Names")
    if names is not None and "/EmbeddedFiles" in names:
        found.append("document attachment")
    pages = reader.root["/Pages"]
    stack = [pages]
    while stack:
        node = stack.pop()
        if node.get("/Type") == "/Pages":
            stack.extend(kid.get_object() for kid in node["/Kids"])
            continue
        for annot in node.get("/Annots", []) or []:
            annot = annot.get_object()
            if isinstance(annot, DictionaryObject) and annot.get("/Subtype") == "/FileAttachment":
                found.append("annotation attachment")
    return found


def test_an_uploaded_template_cannot_read_server_files_or_the_network(world, make_intake, tmp_path, listener):
    port, hits = listener
    secret = tmp_path / "secret_key"
    secret.write_text("TOP-SECRET-KEY-0123456789")
    template = f"""<html><head>
<link rel="attachment" href="file://{secret}" title="khoa">
<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">
<link rel="stylesheet" href="file:///etc/passwd">
<style>@import url("http://127.0.0.1:{port}/import.css"); body {{ background: url("http://127.0.0.1:{port}/bg.png"); }}</style>
</head><body>
<p>Giấy tiếp nhận {{{{ code }}}}</p>
<a rel="attachment" href="file:///etc/passwd">mật khẩu</a>
<a rel="attachment" href="file://{secret}" download="secret_key">khóa</a>
<img src="http://127.0.0.1:{port}/logo.png" alt="">
<img src="file:///etc/passwd" alt="">
<object data="file://{secret}"></object>
</body></html>"""
    admin = User.objects.create_superuser(username="root", password="x" * 12, kind=User.Kind.OFFICIAL)
    services.upload_form_template(admin, kind="receipt", fmt="html", file=SimpleUploadedFile("receipt.html", template.encode()), local_government=world.commune)
    d = make_intake()
    pdf = documents.render_pdf(d.documents.get(kind="receipt"))
    assert hits == []  # no request reached the network
    assert _embedded_files(pdf) == []
    # Nothing of the secret anywhere in the file (streams included, once decompressed).
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "TOP-SECRET" not in out and "root:" not in out
    assert d.code in out  # the form itself was rendered


def test_the_built_in_forms_still_get_their_fonts_and_qr_code(world, make_intake):
    # The fonts (file: URLs of XASO_FONT_DIR) and the QR code (a data: URL) are allowed.
    import logging

    d = make_intake()
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        pdf = documents.render_pdf(d.documents.get(kind="receipt"))
    finally:
        logger.removeHandler(handler)
    assert not [r for r in records if r.levelno >= logging.ERROR], [r.getMessage() for r in records]
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True).stdout.decode()
    assert "Liberation-Serif" in fonts or "LiberationSerif" in fonts


def test_a_template_may_show_a_static_image_of_the_site(world, make_intake, listener, settings):
    # {% static %} paths resolve on the public address; the fetcher serves them from the
    # static files on disk, never over the network.
    port, hits = listener
    settings.XASO_PUBLIC_BASE_URL = f"http://127.0.0.1:{port}"
    admin = User.objects.create_superuser(username="root", password="x" * 12, kind=User.Kind.OFFICIAL)
    template = '{% load static %}<html><body><p>{{ code }}</p><link rel="stylesheet" href="{% static \'xaso/xaso.css\' %}"></body></html>'
    services.upload_form_template(admin, kind="receipt", fmt="html", file=SimpleUploadedFile("receipt.html", template.encode()))
    d = make_intake()
    documents.render_pdf(d.documents.get(kind="receipt"))
    assert hits == []
    assert documents.form_url_fetcher().fetch(f"http://127.0.0.1:{port}/static/xaso/xaso.css").read().startswith(b"/*")
