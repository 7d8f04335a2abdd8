"""``xaso audit verify``: check the audit trail's hash chain."""
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from xaso.core.audit import verify_chain
from xaso.core.models import AuditRecord


class Command(BaseCommand):
    help = "Audit trail tools. 'verify' walks the hash chain and reports the first altered or removed record."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify}")
        verify = sub.add_parser("verify", help="Verify the hash chain of the audit trail (exit code 1 if broken).")
        verify.add_argument("--chunk-size", type=int, default=2000, help="Records fetched per database round trip.")
        verify.add_argument(
            "--expect-head",
            default="",
            help="Hash of the last record noted earlier (e.g. from a previous run): also detects removal of the newest records.",
        )
        verify.add_argument("--no-progress", action="store_true", help="Do not show a progress bar.")

    def handle(self, *args, subcommand=None, **options):
        if subcommand == "verify":
            return self.verify(**options)
        raise CommandError(f"unknown subcommand {subcommand!r}")

    def verify(self, chunk_size, expect_head, no_progress, **options):
        total = AuditRecord.objects.count()
        bar = tqdm(total=total, unit="rec", desc="verify", disable=no_progress or total < chunk_size, file=sys.stderr)
        try:
            result = verify_chain(progress=bar.update, chunk_size=chunk_size)
        finally:
            bar.close()
        if result.problem is not None:
            p = result.problem
            at = timezone.localtime(p.at).strftime("%Y-%m-%d %H:%M:%S %Z") if p.at else "?"
            self.stderr.write(f"BROKEN at record #{p.record_id} ({at}): {p.message}")
            self.stderr.write(f"{result.count} records before it verified.")
            sys.exit(1)
        if expect_head:
            seen = AuditRecord.objects.filter(hash=expect_head).values_list("id", flat=True).first()
            if seen is None:
                self.stderr.write(f"BROKEN: the expected head record {expect_head[:12]}… is no longer in the trail: records were removed.")
                sys.exit(1)
        self.stdout.write(f"OK: {result.count} records verified; head hash {result.head_hash}")
