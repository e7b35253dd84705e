"""Run calls at the same moment in threads, as concurrent requests would, for the race tests."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def release_together(*calls: Callable[[], Any], timeout: float = 60) -> list[Any]:
    """
    Run every call in its own thread, all released at once by a barrier; return their outcomes in order.

    An outcome is what the call returned, or the exception it raised; None if its thread
    did not finish within `timeout` seconds. Each thread closes its own database connection.
    """
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - handed to the test as the call's outcome
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
