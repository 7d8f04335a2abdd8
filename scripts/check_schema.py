#!/usr/bin/env python3
"""CI check: the committed OpenAPI schema (docs/openapi.yaml) matches the code.

Generates the schema with ``xaso spectacular --validate`` into a temporary
file and compares it with the committed one. On a difference it prints which operations and
components changed plus the start of the diff, and fails: run ``make schema`` and commit
docs/openapi.yaml.

The schema is generated for PostgreSQL, the production database: limits of integer fields
come from the database backend (SQLite allows 64-bit values everywhere). Only the backend's
rules are used; no connection is made. It is written in English, the language of the source
strings, so that it does not depend on which catalogues are compiled (the live schema at
/api/v1/schema/ follows the request's language).

Usage: python scripts/check_schema.py           # check
       python scripts/check_schema.py --write   # regenerate docs/openapi.yaml (`make schema`)
"""
import difflib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "docs" / "openapi.yaml"
MAX_DIFF_LINES = 80
# Never connected to (port 1): it only selects PostgreSQL's field limits.
SCHEMA_DATABASE_URL = "postgres://openapi@127.0.0.1:1/openapi"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def xaso():
    candidate = Path(sys.executable).with_name("xaso")
    return str(candidate) if candidate.exists() else "xaso"


def generate(target):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "xaso.settings", "DATABASE_URL": SCHEMA_DATABASE_URL}
    result = subprocess.run(
        [xaso(), "spectacular", "--lang", "en", "--validate", "--file", str(target)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.stderr.strip():
        # drf-spectacular's warnings (inference it could not make) are worth reading.
        print(result.stderr.strip(), file=sys.stderr)
    if result.returncode != 0:
        sys.exit(f"FAIL: the schema could not be generated or is invalid (exit {result.returncode}).")


def operations(schema):
    ops = {}
    for path, item in (schema or {}).get("paths", {}).items():
        for method, operation in (item or {}).items():
            if method in HTTP_METHODS:
                ops[f"{method.upper()} {path}"] = operation
    return ops


def summarise(old, new):
    """Lines naming the operations and components added, removed or changed."""
    lines = []
    for label, before, after in (
        ("operation", operations(old), operations(new)),
        ("component", (old or {}).get("components", {}).get("schemas", {}), (new or {}).get("components", {}).get("schemas", {})),
    ):
        for name in sorted(after.keys() - before.keys()):
            lines.append(f"  + {label} {name}")
        for name in sorted(before.keys() - after.keys()):
            lines.append(f"  - {label} {name}")
        for name in sorted(before.keys() & after.keys()):
            if before[name] != after[name]:
                lines.append(f"  ~ {label} {name}")
    if (old or {}).get("info") != (new or {}).get("info"):
        lines.append("  ~ info")
    return lines


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--write"]:
        generate(COMMITTED)
        print(f"wrote {COMMITTED.relative_to(REPO)}")
        return 0
    if argv:
        sys.exit(__doc__)
    if not COMMITTED.exists():
        print(f"FAIL: {COMMITTED.relative_to(REPO)} is missing. Run `make schema` and commit it.")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        generated_file = Path(tmp) / "openapi.yaml"
        generate(generated_file)
        generated = generated_file.read_text(encoding="utf-8")
    committed = COMMITTED.read_text(encoding="utf-8")
    if generated == committed:
        print(f"ok   {COMMITTED.relative_to(REPO)} matches the code.")
        return 0

    print(f"FAIL: {COMMITTED.relative_to(REPO)} is out of date with the code.")
    try:
        changes = summarise(yaml.safe_load(committed), yaml.safe_load(generated))
    except yaml.YAMLError as exc:
        changes = [f"  (the committed file is not valid YAML: {exc})"]
    if changes:
        print(f"{len(changes)} change(s), committed → code:")
        print("\n".join(changes))
    diff = list(
        difflib.unified_diff(
            committed.splitlines(), generated.splitlines(), "docs/openapi.yaml (committed)", "generated from the code", lineterm=""
        )
    )
    added = sum(1 for line in diff if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in diff if line.startswith("-") and not line.startswith("---"))
    print(f"\nDiff: {added} line(s) added, {removed} removed.")
    print("\n".join(diff[:MAX_DIFF_LINES]))
    if len(diff) > MAX_DIFF_LINES:
        print(f"… {len(diff) - MAX_DIFF_LINES} more diff lines.")
    print("\nRun `make schema` and commit docs/openapi.yaml.")
    return 1


if __name__ == "__main__":
    sys.exit(main())
