"""docs/configuration.md documents every environment variable the settings read."""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENV_READ = re.compile(r"""\benv(?:\.(?:str|bool|int|float|list|json|db|cache|email_url|url|path|dict|tuple))?\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_every_environment_variable_of_the_settings_is_documented():
    names = set(ENV_READ.findall((REPO / "src" / "xaso" / "settings.py").read_text()))
    assert {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"} <= names  # the pattern finds them
    docs = (REPO / "docs" / "configuration.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)`", docs, flags=re.M))
    documented |= {n for pair in re.findall(r"^\| `([A-Z0-9_]+)`, `([A-Z0-9_]+)`", docs, flags=re.M) for n in pair}
    missing = sorted(names - documented)
    assert not missing, f"add these to the tables of docs/configuration.md: {', '.join(missing)}"
