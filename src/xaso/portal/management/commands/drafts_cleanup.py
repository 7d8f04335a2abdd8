"""``xaso drafts_cleanup``: remove online-submission drafts (and their files) not submitted
and untouched for ``XASO_DRAFT_KEEP_DAYS`` days. Run daily by ``xaso scheduler``."""
from django.core.management.base import BaseCommand

from xaso.portal.services import clean_old_drafts


class Command(BaseCommand):
    help = "Remove online-submission drafts untouched for XASO_DRAFT_KEEP_DAYS days."

    def handle(self, *args, **options):
        count = clean_old_drafts()
        self.stdout.write(f"{count} old draft(s) removed")
