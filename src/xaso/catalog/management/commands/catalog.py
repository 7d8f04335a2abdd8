"""``xaso catalog import FILE [--dry-run]`` and ``xaso catalog export FILE.xlsx``."""
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from xaso.catalog.importer import error_text, export_file, import_file


class Command(BaseCommand):
    help = "Import or export the procedure catalogue (CSV/XLSX). See docs/catalog.md."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a CSV or XLSX file (all or nothing).")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="Check and report without writing anything.")
        exp = sub.add_parser("export", help="Write every current version to an XLSX file.")
        exp.add_argument("file")

    def _progress(self, iterable, **kwargs):
        return tqdm(iterable, file=self.stderr._out, leave=False, disable=None, **kwargs)

    def handle(self, *args, **options):
        if options["action"] == "export":
            count = export_file(options["file"], progress=self._progress)
            self.stdout.write(self.style.SUCCESS(_("Exported %(count)s procedures to %(file)s.") % {"count": count, "file": options["file"]}))
            return
        report = import_file(options["file"], dry_run=options["dry_run"], progress=self._progress)
        labels = {
            "created": _("created"), "new_version": _("new version"), "updated": _("updated"),
            "unchanged": _("unchanged"), "error": _("error"),
        }
        for row in report.rows:
            line = _("Row %(row)s %(code)s: %(status)s") % {"row": row.line, "code": row.code or "-", "status": labels[row.status]}
            if row.detail:
                line += f" ({row.detail})"
            self.stdout.write(line)
        summary = _("%(created)s created, %(new)s new versions, %(updated)s updated, %(unchanged)s unchanged, %(errors)s errors.") % {
            "created": report.count("created"), "new": report.count("new_version"), "updated": report.count("updated"),
            "unchanged": report.count("unchanged"), "errors": len(report.errors),
        }
        self.stdout.write(summary)
        if report.errors:
            for error in report.errors:
                self.stderr.write(error_text(error))
            raise CommandError(_("The file has errors: nothing was written."))
        if options["dry_run"]:
            self.stdout.write(self.style.WARNING(_("Dry run: nothing was written.")))
        else:
            self.stdout.write(self.style.SUCCESS(_("Import finished.")))
