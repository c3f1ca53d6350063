"""Suite-wide settings. Qt runs offscreen everywhere; packages keep their fixtures in their own folders."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test reads the configuration of the machine it runs on (/etc/mes-station/station.toml).
os.environ.setdefault("MES_STATION_CONFIG", "")

import threading
import time

import pytest

CHECKPOINTER = "ebr-wal-checkpoint"  # ebr.database.WalCheckpointer's thread


@pytest.fixture(autouse=True)
def _no_wal_checkpointer_left_running():
    """An engine or store a test opened is closed by the test: a checkpointer thread left
    running keeps calling into SQLite, and a process that forks meanwhile may hang."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 2.0
    while True:
        left = [
            t for t in threading.enumerate() if t.name == CHECKPOINTER and t not in before and t.is_alive()
        ]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not left, "a WAL checkpointer was left running: close the engine (engine.close()) or db.dispose()"
