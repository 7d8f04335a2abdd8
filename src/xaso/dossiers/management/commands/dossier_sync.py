"""``xaso dossier_sync``: push pending dossier updates to the national public service portal
through the configured adapter (XASO_PORTAL_SYNC_ADAPTER). Run it every few minutes."""
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Send pending dossier sync jobs to the national portal (retries with back-off)."

    def handle(self, *args, **options):
        from xaso.dossiers.portal_sync import push_pending

        result = push_pending()
        if result["skipped"]:
            self.stdout.write("National portal sync is not configured (XASO_PORTAL_SYNC_ADAPTER); jobs stay queued.")
        else:
            self.stdout.write(f"Sent: {result['sent']}, failed: {result['failed']}")
