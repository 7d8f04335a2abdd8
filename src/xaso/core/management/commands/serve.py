"""``xaso serve``: the production web server.

Collects the static files (whitenoise serves them from ``STATIC_ROOT`` with far-future cache
headers, pre-compressed with gzip/brotli), then runs gunicorn in this process with the Django
WSGI application. Not ``runserver``: several worker processes, request timeouts, an access log
on standard output.

Signals: Ctrl-C or SIGTERM stops gracefully (requests in progress are finished, up to
``--graceful-timeout`` seconds); a second Ctrl-C stops at once. SIGHUP restarts the workers.
"""
import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections


def default_workers() -> int:
    """``WEB_CONCURRENCY`` if set (the usual convention of hosting platforms), else
    2 × CPUs + 1 (gunicorn's recommendation for sync workers), capped at 9."""
    from_env = os.environ.get("WEB_CONCURRENCY", "").strip()
    if from_env:
        try:
            return max(1, int(from_env))
        except ValueError:
            raise CommandError(f"WEB_CONCURRENCY must be a whole number, not {from_env!r}.") from None
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(2 * cpus + 1, 9)


def _worker_graceful_on_interrupt(worker):
    """gunicorn hook: a terminal's Ctrl-C reaches the workers too (same process group).
    gunicorn makes SIGINT kill a worker at once; here it only asks the worker to finish the
    request in progress. The master then stops the workers gracefully."""
    signal.signal(signal.SIGINT, worker.handle_exit)


def build_application(options):
    """A gunicorn application running Django's WSGI handler with ``options``."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.arbiter import Arbiter

    class GracefulArbiter(Arbiter):
        # gunicorn's master treats SIGINT as "quit now"; make the first Ctrl-C a graceful stop
        # like SIGTERM. While stopping, a second SIGINT still forces a quick shutdown
        # (gunicorn's stop loop watches for it).
        def handle_int(self):
            self.log.info("Interrupted: finishing requests in progress (Ctrl-C again to stop now)")
            raise StopIteration

    class XasoApplication(BaseApplication):
        def __init__(self, gunicorn_options):
            self.gunicorn_options = gunicorn_options
            super().__init__()

        def load_config(self):
            for key, value in self.gunicorn_options.items():
                self.cfg.set(key, value)

        def load(self):
            from django.core.wsgi import get_wsgi_application

            return get_wsgi_application()

        def run(self):
            try:
                GracefulArbiter(self).run()
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc

    return XasoApplication(options)


PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int):
    """``preexec_fn`` of the background processes: they must not outlive ``xaso serve``,
    however it ends (even ``kill -9``, when it cannot stop them itself). On Linux the kernel
    sends them SIGTERM when their parent dies (``prctl(PR_SET_PDEATHSIG)``); if the parent
    is already gone when the child starts, the child exits at once. Elsewhere, the watchdog
    of ``xaso.cli`` (``XASO_PARENT_PID``) does it within a few seconds."""

    def preexec():
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):
            pass
        if os.getppid() != parent_pid:
            os._exit(0)

    return preexec


def start_background(command: str) -> subprocess.Popen:
    """``xaso <command>`` as a child that exits when this process dies (``die_with_parent``)."""
    env = {**os.environ, "XASO_PARENT_PID": str(os.getpid())}
    return subprocess.Popen([sys.executable, "-m", "xaso.cli", command], env=env, preexec_fn=die_with_parent(os.getpid()))


def _stop(process, timeout=15):
    """Stop a background process (worker, scheduler): it finishes the job in hand on SIGTERM."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Command(BaseCommand):
    help = "Serve xaso in production: collect static files, then run gunicorn (Ctrl-C stops gracefully)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("XASO_HOST", "127.0.0.1"), help="Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface).")
        parser.add_argument("--port", type=int, default=int(os.environ.get("XASO_PORT", "8000")), help="Port to listen on (default 8000).")
        parser.add_argument("--workers", type=int, default=None, help="Worker processes (default: WEB_CONCURRENCY, else 2 × CPUs + 1, at most 9).")
        parser.add_argument("--threads", type=int, default=1, help="Threads per worker (default 1).")
        parser.add_argument("--timeout", type=int, default=60, help="Seconds a request may run before its worker is restarted (default 60).")
        parser.add_argument("--graceful-timeout", type=int, default=30, help="Seconds to finish requests in progress when stopping (default 30).")
        parser.add_argument("--no-collectstatic", action="store_true", help="Do not run collectstatic first (static files were collected at deployment).")
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also run the background worker (`xaso db_worker`: SMS/e-mail outbox, tasks) and the scheduler of "
            "periodic jobs (`xaso scheduler`: daily alerts, reminders, portal sync) beside the server, stopped with it. "
            "For a single machine or the demo; in production run them as their own services.",
        )

    def handle(self, *args, **options):
        if options["port"] < 1 or options["port"] > 65535:
            raise CommandError("--port must be between 1 and 65535.")
        workers = options["workers"] if options["workers"] is not None else default_workers()
        if workers < 1 or options["threads"] < 1:
            raise CommandError("--workers and --threads must be at least 1.")

        if not options["no_collectstatic"]:
            self.stdout.write("Collecting static files…")
            call_command("collectstatic", interactive=False, verbosity=0)
        self._warn_unapplied_migrations()
        self._warn_shared_state(workers)
        # The workers are forked from this process: never hand them an open connection.
        connections.close_all()

        bind = f"[{options['host']}]:{options['port']}" if ":" in options["host"] else f"{options['host']}:{options['port']}"
        from xaso.core.site import served_url

        # Links in SMS and QR codes point here when XASO_PUBLIC_BASE_URL is not set (this
        # process, its gunicorn workers and the background worker inherit it).
        os.environ["XASO_SERVED_URL"] = served_url(options["host"], options["port"])
        if not getattr(settings, "XASO_PUBLIC_BASE_URL", ""):
            self.stderr.write(
                self.style.WARNING(
                    f"XASO_PUBLIC_BASE_URL is not set: SMS and QR codes will link to {os.environ['XASO_SERVED_URL']}. "
                    "Set it to the site's public address."
                )
            )
        background = []
        if options["with_worker"]:
            self.stdout.write("Starting the background worker (xaso db_worker) and the scheduler (xaso scheduler)…")
            background = [start_background(command) for command in ("db_worker", "scheduler")]
        self.stdout.write(f"Serving xaso on http://{bind} with {workers} worker(s); Ctrl-C to stop.")
        self.stdout.flush()
        try:
            self._run_gunicorn(bind, workers, options)
        finally:
            for process in background:
                _stop(process)

    def _run_gunicorn(self, bind, workers, options):
        build_application(
            {
                "bind": [bind],
                "workers": workers,
                "threads": options["threads"],
                "worker_class": "gthread" if options["threads"] > 1 else "sync",
                "timeout": options["timeout"],
                "graceful_timeout": options["graceful_timeout"],
                "keepalive": 5,
                # Recycle workers now and then so a slow leak cannot grow without bound.
                "max_requests": 2000,
                "max_requests_jitter": 200,
                "preload_app": True,
                "accesslog": "-",
                "errorlog": "-",
                "loglevel": os.environ.get("LOG_LEVEL", "info").lower(),
                "proc_name": "xaso",
                # Managed through signals (systemd, Ctrl-C); no control socket in $HOME.
                "control_socket_disable": True,
                "post_worker_init": _worker_graceful_on_interrupt,
            }
        ).run()

    def _warn_unapplied_migrations(self):
        from django.db.migrations.executor import MigrationExecutor

        try:
            executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as exc:  # the database may be unreachable: say so, gunicorn still starts
            self.stderr.write(self.style.WARNING(f"Could not check migrations: {exc}"))
            return
        if plan:
            self.stderr.write(
                self.style.WARNING(f"{len(plan)} migration(s) not applied; run `xaso migrate` before serving.")
            )

    def _warn_shared_state(self, workers):
        backend = settings.CACHES["default"]["BACKEND"]
        if workers > 1 and backend.endswith("LocMemCache"):
            self.stderr.write(
                self.style.WARNING(
                    "CACHE_URL is a per-process memory cache: with several workers, rate limits are "
                    "counted per worker. Set CACHE_URL=dbcache://xaso_cache (run `xaso createcachetable`) "
                    "or a Redis URL."
                )
            )
