"""Helpers shared by the hardware tests (a module name of its own, unlike ``conftest``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

# transport options that keep the tests fast: short read polls, quick reconnection
FAST: dict[str, Any] = {"poll_interval": 0.02, "backoff_initial": 0.02, "backoff_max": 0.1}


def wait_for(condition: Callable[[], object], timeout: float = 3.0, interval: float = 0.01) -> bool:
    """Poll ``condition`` until it is true or ``timeout`` passed; its last value as a bool."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())
