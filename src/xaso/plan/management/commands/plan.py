"""``xaso plan``: import, export and report on the reform plan.

    xaso plan import PATH [--commune CODE]      (.md plan document, .csv or .xlsx table)
    xaso plan export PLAN_ID PATH               (.csv or .xlsx, same columns as the import)
    xaso plan report PERIOD [--plan ID] [--out DIR]   (DOCX report + XLSX annex, PERIOD = 2026-Q1 | 2026-H1 | 2026)
    xaso plan remind [--date YYYY-MM-DD]        (daily run: report reminders and overdue lists)
"""
import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from xaso.core.models import Unit

from ... import parsing, services
from ...models import Plan


def find_commune(code):
    communes = Unit.objects.filter(kind__in=Unit.LOCAL_GOVERNMENTS)
    if code:
        unit = communes.filter(code=code).first()
        if unit is None:
            raise CommandError(_("There is no commune or ward with code “%(code)s”.") % {"code": code})
        return unit
    if communes.count() == 1:
        return communes.get()
    raise CommandError(_("There are several communes (or none): give --commune CODE."))


class Command(BaseCommand):
    help = "Import, export and report on the administrative reform plan."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a plan (.md, .csv, .xlsx).")
        imp.add_argument("path")
        imp.add_argument("--commune", default="")
        exp = sub.add_parser("export", help="Export a plan's tasks (.csv or .xlsx).")
        exp.add_argument("plan_id", type=int)
        exp.add_argument("path")
        rep = sub.add_parser("report", help="Generate the periodic report (DOCX + XLSX annex).")
        rep.add_argument("period")
        rep.add_argument("--plan", type=int)
        rep.add_argument("--out", default=".")
        rem = sub.add_parser("remind", help="Queue report reminders and overdue notices (run daily).")
        rem.add_argument("--date", default="")

    def handle(self, *args, **options):
        getattr(self, "do_" + options["action"])(options)

    def do_import(self, options):
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(_("File %(path)s not found.") % {"path": path})
        commune = find_commune(options["commune"])
        data = path.read_bytes()
        try:
            parsed = parsing.parse_file(path.name, data)
        except parsing.PlanFormatError as exc:
            raise CommandError(services.format_error_message(exc)) from exc
        with tqdm(total=len(parsed.tasks), desc=_("Tasks"), unit="", file=self.stderr._out) as bar:
            try:
                summary = services.import_plan(parsed, commune, source_name=path.name, progress=bar.update)
            except services.PlanError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(
            _(
                "%(plan)s (%(commune)s): %(areas)s areas, %(tasks)s tasks, %(milestones)s milestones, "
                "%(flags)s milestones whose date a person must set, %(periods)s reporting periods; %(changes)s changes."
            )
            % {
                "plan": summary.plan,
                "commune": commune,
                "areas": summary.areas,
                "tasks": summary.tasks,
                "milestones": summary.milestones,
                "flags": summary.flags,
                "periods": summary.periods,
                "changes": summary.changes,
            }
        )
        if summary.unmapped:
            self.stdout.write(self.style.WARNING(_("Unit names that match no unit (the text is kept):")))
            for name, numbers in sorted(summary.unmapped.items()):
                self.stdout.write(_("  - %(name)s: tasks %(numbers)s") % {"name": name, "numbers": ", ".join(map(str, numbers))})

    def do_export(self, options):
        plan = Plan.objects.filter(pk=options["plan_id"]).first()
        if plan is None:
            raise CommandError(_("No such plan."))
        rows = services.export_rows(plan)
        path = Path(options["path"])
        if path.suffix.lower() == ".xlsx":
            from openpyxl import Workbook

            from xaso.core.spreadsheets import append_row

            workbook = Workbook()
            sheet = workbook.active
            sheet.title = "Nhiệm vụ"
            for row in rows:
                append_row(sheet, row)  # text stays text, never a formula
            workbook.save(path)
        elif path.suffix.lower() == ".csv":
            with path.open("w", newline="", encoding="utf-8-sig") as handle:
                from xaso.core.spreadsheets import csv_row

                csv.writer(handle).writerows(csv_row(row) for row in rows)
        else:
            raise CommandError(_("Export to .csv or .xlsx only."))
        self.stdout.write(_("Exported %(n)s tasks to %(path)s.") % {"n": plan.tasks.count(), "path": path})

    def do_report(self, options):
        from ... import reports, selectors

        plan = Plan.objects.filter(pk=options["plan"]).first() if options["plan"] else Plan.objects.first()
        if plan is None:
            raise CommandError(_("No plan has been imported yet."))
        period = selectors.period_by_code(plan, options["period"])
        if period is None:
            raise CommandError(_("No reporting period “%(code)s” (e.g. 2026-Q1, 2026-H1, 2026).") % {"code": options["period"]})
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        with tqdm(total=100, desc=_("Report"), unit="%", file=self.stderr._out) as bar:
            docx = reports.build_docx(period, progress=bar.update)
            annex = reports.build_annex(period)
        docx_path = out / f"bao-cao-cchc-{period.code}.docx"
        annex_path = out / f"phu-luc-cchc-{period.code}.xlsx"
        docx_path.write_bytes(docx)
        annex_path.write_bytes(annex)
        self.stdout.write(f"{docx_path}\n{annex_path}")

    def do_remind(self, options):
        from datetime import date

        from ... import reminders

        today = date.fromisoformat(options["date"]) if options["date"] else None
        counts = reminders.run_daily(today)
        self.stdout.write(_("Reminders queued: %(before)s before the deadline, %(after)s overdue; overdue lists sent: %(digest)s.") % counts)
