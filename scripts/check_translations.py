#!/usr/bin/env python3
"""CI check: every user-facing string has a Vietnamese translation.

For each app under src/xaso/ this refreshes the app's own catalogue
(``locale/vi/LC_MESSAGES/django.po``) with ``django-admin makemessages -l vi`` run in the
app directory, then checks it with ``msgfmt --statistics -c``. It fails, naming the app,
when a catalogue has untranslated or fuzzy messages or format errors, and when an app has
translatable strings but no catalogue at all.

The refreshed catalogues stay in the working tree (commit them with the translations).
``--dry-run`` works on temporary copies and leaves the working tree alone.

Usage: python scripts/check_translations.py [--dry-run] [app ...]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APPS_DIR = REPO / "src" / "xaso"
CATALOGUE = Path("locale") / "vi" / "LC_MESSAGES" / "django.po"
# makemessages walks the current directory; an app never holds these, but be explicit.
IGNORED = ["--ignore=.venv", "--ignore=node_modules"]
STATS = re.compile(r"(\d+) (translated message|fuzzy translation|untranslated message)")


@dataclass
class Result:
    app: str
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems and not self.fuzzy and not self.untranslated


def django_admin():
    candidate = Path(sys.executable).with_name("django-admin")
    return str(candidate) if candidate.exists() else "django-admin"


def apps(selected):
    found = sorted(p.parent for p in APPS_DIR.glob("*/apps.py"))
    if selected:
        found = [p for p in found if p.name in selected]
        missing = set(selected) - {p.name for p in found}
        if missing:
            sys.exit(f"Unknown app(s): {', '.join(sorted(missing))}")
    return found


def makemessages(app_dir):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "xaso.settings"}
    result = subprocess.run(
        [django_admin(), "makemessages", "-l", "vi", "--no-obsolete", "-v0", *IGNORED],
        cwd=app_dir,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError((result.stderr or result.stdout).strip())


def msgfmt_statistics(po_file):
    """(translated, fuzzy, untranslated, errors) of a catalogue."""
    result = subprocess.run(
        ["msgfmt", "--statistics", "-c", "-o", os.devnull, str(po_file)], capture_output=True, text=True
    )
    counts = {"translated message": 0, "fuzzy translation": 0, "untranslated message": 0}
    for number, kind in STATS.findall(result.stderr):
        counts[kind] = int(number)
    errors = [
        line
        for line in result.stderr.splitlines()
        # makemessages' placeholder header fields are harmless.
        if line.strip() and "initial default value" not in line and not STATS.search(line)
    ]
    if result.returncode == 0:
        errors = []
    return counts["translated message"], counts["fuzzy translation"], counts["untranslated message"], errors


def has_strings(app_dir):
    """Whether an app without a catalogue has translatable strings: makemessages on a copy."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / app_dir.name
        shutil.copytree(app_dir, copy, ignore=shutil.ignore_patterns("__pycache__", "locale", "*.pyc"))
        (copy / "locale").mkdir()
        makemessages(copy)
        po_file = copy / CATALOGUE
        if not po_file.exists():
            return 0
        translated, fuzzy, untranslated, _ = msgfmt_statistics(po_file)
        return translated + fuzzy + untranslated


def check(app_dir, dry_run):
    result = Result(app_dir.name)
    po_file = app_dir / CATALOGUE
    if not po_file.exists():
        count = has_strings(app_dir)
        if count:
            result.untranslated = count
            result.problems.append(f"{count} translatable string(s) but no catalogue {po_file.relative_to(REPO)}")
        return result
    work_dir = app_dir
    tmp = None
    if dry_run:
        tmp = tempfile.TemporaryDirectory()
        work_dir = Path(tmp.name) / app_dir.name
        shutil.copytree(app_dir, work_dir, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"))
    try:
        makemessages(work_dir)  # leaves an up-to-date catalogue untouched (Django ≥ 4.1)
        translated, fuzzy, untranslated, errors = msgfmt_statistics(work_dir / CATALOGUE)
    finally:
        if tmp is not None:
            tmp.cleanup()
    result.translated, result.fuzzy, result.untranslated = translated, fuzzy, untranslated
    result.problems.extend(errors)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("apps", nargs="*", help="only these apps (default: every app under src/xaso)")
    parser.add_argument("--dry-run", action="store_true", help="refresh copies of the catalogues, not the working tree")
    options = parser.parse_args(argv)
    if shutil.which("msgfmt") is None:
        sys.exit("msgfmt not found: install gettext (`make system-packages`).")
    # Let `import xaso.settings` work without an installed package too.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")]))

    failures = []
    for app_dir in apps(options.apps):
        try:
            result = check(app_dir, options.dry_run)
        except RuntimeError as exc:
            failures.append(app_dir.name)
            print(f"FAIL {app_dir.name}: makemessages failed: {exc}")
            continue
        total = result.translated + result.fuzzy + result.untranslated
        if result.ok:
            if total:
                print(f"ok   {result.app}: {result.translated} messages translated")
            else:
                print(f"ok   {result.app}: no translatable strings")
            continue
        failures.append(result.app)
        details = []
        if result.untranslated:
            details.append(f"{result.untranslated} untranslated")
        if result.fuzzy:
            details.append(f"{result.fuzzy} fuzzy")
        print(f"FAIL {result.app}: {', '.join(details) or 'errors'} of {total} messages")
        for problem in result.problems:
            print(f"       {problem}")
    if failures:
        print(
            f"\nTranslations incomplete in: {', '.join(failures)}. Fill every msgstr in "
            "src/xaso/<app>/locale/vi/LC_MESSAGES/django.po (no fuzzy entries), then "
            "`xaso compilemessages --ignore=.venv --ignore=node_modules`."
        )
        return 1
    print("\nEvery catalogue is complete.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
