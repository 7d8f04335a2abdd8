"""``xaso signing``: the digital-signature certificate of the issued PDF forms.

``xaso signing dev-cert`` creates the self-signed sandbox certificate under
``<XASO_VAR_DIR>/signing/`` (kept when it exists and is usable; ``--force`` renews it). It has
no legal value: for development, the demo and the tests only.

``xaso signing check`` shows the configured signer and its certificate and signs a one-page
test PDF with it: run it after installing the unit's real certificate."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xaso.core import signing


class Command(BaseCommand):
    help = "Digital signatures of the issued PDF forms: create the sandbox certificate (dev-cert) or check the configured signer (check)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        dev = sub.add_parser("dev-cert", help="Create the self-signed sandbox certificate (no legal value) under XASO_VAR_DIR/signing/.")
        dev.add_argument("--force", action="store_true", help="Replace the existing sandbox certificate.")
        dev.add_argument("--dir", help="Folder to write to (default: XASO_VAR_DIR/signing).")
        sub.add_parser("check", help="Show the configured signer's certificate and sign a test PDF.")

    def handle(self, *args, **options):
        if options["action"] == "dev-cert":
            path = signing.ensure_sandbox_certificate(options["dir"], force=options["force"])
            self.stdout.write(f"Sandbox certificate: {path} (no password)")
            self.stdout.write(f"Its certificate, to trust it in a PDF reader on a test machine: {path.with_name('sandbox-cert.pem')}")
            self.stdout.write(self.style.WARNING("Self-signed, NOT valid for real documents. Use XASO_SIGNING_BACKEND=sandbox for development and the demo only."))
            return
        self._check()

    def _check(self):
        from weasyprint import HTML

        self.stdout.write(f"XASO_SIGNING_BACKEND = {settings.XASO_SIGNING_BACKEND}")
        try:
            signer = signing.get_signer()
            if not signer.enabled:
                self.stdout.write("Signing is off: PDF forms are issued unsigned.")
                return
            cert = signer.certificate()
            if cert is not None:
                self.stdout.write(f"Subject: {cert.subject.rfc4514_string()}")
                self.stdout.write(f"Issuer:  {cert.issuer.rfc4514_string()}")
                self.stdout.write(f"Valid:   {cert.not_valid_before_utc:%Y-%m-%d} to {cert.not_valid_after_utc:%Y-%m-%d}")
            pdf = HTML(string="<p>xaso: kiểm tra chữ ký số</p>").write_pdf()
            signed = signer.sign(pdf, reason="Kiểm tra cấu hình chữ ký số", location="xaso")
        except signing.SigningError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"A test PDF was signed ({len(signed)} bytes)."))
