"""The ``xaso`` console script: any Django management command, plus the product's own
commands (``demo``, ``serve``, ``apitoken``, ``audit``, ``catalog`` …) which are ordinary
management commands of the apps."""
import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xaso.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["xaso", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
