"""The last line of defence of the command line: any unexpected exception becomes one line.

The full traceback goes to a log file in the user's log directory (``MES_LOG_DIR`` when set:
the line PC's services write to /var/log/mes-station) so that support can read it, while the
operator or the script sees a single sentence and an exit code.
"""

from __future__ import annotations

import datetime as dt
import os
import traceback
from pathlib import Path

import platformdirs


def _log_traceback(exc: BaseException) -> Path | None:
    try:
        folder = Path(os.environ.get("MES_LOG_DIR") or platformdirs.user_log_dir("mes-station"))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "errors.log"
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {dt.datetime.now(dt.UTC).isoformat()}\n")
            fh.write("".join(traceback.format_exception(exc)))
        return path
    except OSError:
        return None


def describe(exc: BaseException) -> tuple[int, str]:
    """Exit code and one line for an exception nobody expected."""
    from ebr.errors import StoreDamaged

    if isinstance(exc, StoreDamaged):  # an integrity failure, said as it is
        return 3, str(exc)
    where = _log_traceback(exc)
    text = str(exc).splitlines()[0] if str(exc) else ""
    message = f"internal error: {type(exc).__name__}" + (f": {text}" if text else "")
    if where is not None:
        message += f" (details in {where})"
    return 1, message
