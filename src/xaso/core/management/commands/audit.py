"""``xaso audit verify``: check the audit trail's hash chain and its signed checkpoints;
``xaso audit anchor``: append a signed checkpoint of the chain's head (docs/audit.md)."""
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from xaso.core.audit import verify_chain
from xaso.core.models import AuditRecord


class Command(BaseCommand):
    help = "Audit trail tools. 'verify' walks the hash chain and the signed checkpoints and reports the first altered or removed record; 'anchor' writes a signed checkpoint."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,anchor}")
        sub.add_parser("anchor", help="Append a signed checkpoint of the chain's head to XASO_AUDIT_CHECKPOINTS (the scheduler does it every 5 minutes).")
        verify = sub.add_parser("verify", help="Verify the hash chain of the audit trail (exit code 1 if broken).")
        verify.add_argument("--chunk-size", type=int, default=2000, help="Records fetched per database round trip.")
        verify.add_argument(
            "--expect-head",
            default="",
            help="Hash of the last record noted earlier (e.g. from a previous run): also detects removal of the newest records.",
        )
        verify.add_argument("--no-progress", action="store_true", help="Do not show a progress bar.")
        verify.add_argument("--checkpoints", default="", help="Checkpoint file to check (default: XASO_AUDIT_CHECKPOINTS).")

    def handle(self, *args, subcommand=None, **options):
        if subcommand == "verify":
            return self.verify(**options)
        if subcommand == "anchor":
            return self.anchor()
        raise CommandError(f"unknown subcommand {subcommand!r}")

    def anchor(self):
        from xaso.core.audit_anchor import AnchorError, anchor

        try:
            entry = anchor()
        except AnchorError as exc:
            raise CommandError(str(exc)) from None
        if entry is None:
            self.stdout.write("No new records since the last checkpoint.")
        else:
            self.stdout.write(f"Checkpoint #{entry['seq']}: record #{entry['record_id']}, {entry['count']} records, head hash {entry['head_hash']}")

    def verify(self, chunk_size, expect_head, no_progress, checkpoints="", **options):
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
        from pathlib import Path

        from xaso.core.audit_anchor import AnchorError, checkpoints_path, verify_checkpoints

        path = Path(checkpoints) if checkpoints else checkpoints_path()
        try:
            anchored = verify_checkpoints(path)
        except AnchorError as exc:
            raise CommandError(str(exc)) from None
        if not anchored.ok:
            for problem in anchored.problems:
                self.stderr.write(f"BROKEN: {problem}")
            self.stderr.write(f"{anchored.checked} checkpoints before it verified ({path}).")
            sys.exit(1)
        self.stdout.write(f"OK: {result.count} records verified; head hash {result.head_hash}")
        if anchored.newest is None:
            self.stdout.write(f"No signed checkpoint yet ({path}): run `xaso audit anchor` (the scheduler does it every 5 minutes).")
        else:
            newest = anchored.newest
            after = AuditRecord.objects.filter(pk__gt=newest["record_id"]).count()
            self.stdout.write(
                f"OK: {anchored.checked} signed checkpoints verified; the newest (#{newest['seq']}, {newest['at']}) covers record #{newest['record_id']}; "
                f"{after} records since, not yet anchored."
            )
