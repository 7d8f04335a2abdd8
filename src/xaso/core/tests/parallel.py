"""Running a function in parallel threads, each with its own database connection, started
together (a barrier): the concurrency tests of every app use it (PostgreSQL)."""
import threading
import traceback

from django.db import connections


def run_parallel(n, fn):
    """``fn(i)`` for i in 0..n-1 in n threads at once; (results, errors). Each error carries
    its traceback text in ``.tb``."""
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker(i):
        try:
            barrier.wait()
            results.append(fn(i))
        except Exception as exc:  # noqa: BLE001
            exc.tb = traceback.format_exc()
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors
