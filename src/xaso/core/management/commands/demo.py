"""``xaso demo``: create or migrate the database and load the Ngọc Liên demo data.

Idempotent: every app's demo loader checks what exists before creating anything, so a
second run changes nothing. Each installed xaso app may provide ``<app>/demo.py`` with
``load(stdout)``; they run in dependency order (organisation first)."""
import importlib

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from xaso.core import signing
from xaso.core.request_context import Actor, acting_as

# Apps whose demo data others build on come first; any other app follows in
# INSTALLED_APPS order.
ORDER = ["core", "catalog", "plan", "indicators", "dossiers"]


def demo_modules():
    configs = [c for c in apps.get_app_configs() if c.name.startswith("xaso.")]
    configs.sort(key=lambda c: ORDER.index(c.label) if c.label in ORDER else len(ORDER))
    for config in configs:
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        yield config.label, module


class Command(BaseCommand):
    help = "Create or migrate the database and load the Ngọc Liên demo data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--no-migrate", action="store_true", help="Do not run migrations first.")

    def handle(self, *args, **options):
        if not options["no_migrate"]:
            self.stdout.write("Migrating the database…")
            call_command("migrate", interactive=False, verbosity=0)
        if str(settings.XASO_SIGNING_BACKEND).strip().lower() == "sandbox":
            # The demo's PDF forms are signed with the sandbox certificate (no legal value).
            path = signing.ensure_sandbox_certificate()
            self.stdout.write(f"Sandbox signing certificate: {path}")
        with acting_as(Actor(username="demo", source="command")):
            for label, module in demo_modules():
                self.stdout.write(self.style.MIGRATE_HEADING(f"Demo data: {label}"))
                with transaction.atomic():
                    module.load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo ready. Serve it with `xaso serve` and open http://127.0.0.1:8000"))
