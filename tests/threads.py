"""Running functions in threads that start together, for concurrency tests on PostgreSQL."""

import threading

from django.db import connections


def run_at_once(functions) -> list:
    """Start all functions together (behind a barrier), each thread with its own database
    connection, and collect each one's result or exception."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def runner(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
