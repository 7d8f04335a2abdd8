"""The ``xaso`` console script: any Django management command, plus the product's own
commands (``demo``, ``serve``, ``apitoken``, ``audit``, ``catalog`` …) which are ordinary
management commands of the apps."""
import os
import sys


def _watch_parent(parent_pid: int, interval: float = 2.0) -> None:
    """A process started by ``xaso serve --with-worker`` (``XASO_PARENT_PID``) stops (SIGTERM
    to itself: the job in hand is finished) once its parent is gone, where the kernel does
    not do it (``serve.die_with_parent``)."""
    import signal
    import threading
    import time

    def watch():
        while True:
            if os.getppid() != parent_pid:
                os.kill(os.getpid(), signal.SIGTERM)
                return
            time.sleep(interval)

    threading.Thread(target=watch, name="xaso-parent-watch", daemon=True).start()


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xaso.settings")
    parent = os.environ.pop("XASO_PARENT_PID", "")
    if parent.isdigit():
        _watch_parent(int(parent))
    from django.core.management import execute_from_command_line

    execute_from_command_line(["xaso", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
