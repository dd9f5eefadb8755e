"""Run callables at the same moment in threads, each on its own database
connection, and collect what each returned or raised."""
from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection

postgres_only = pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs real row locks: PostgreSQL")


def race(*functions, timeout: float = 30) -> list:
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait(timeout)
            results[index] = ("ok", function())
        except BaseException as error:  # noqa: BLE001 - reported to the test
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results
