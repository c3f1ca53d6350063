"""Writing an export or a label file so that it is whole or absent, and durable once written.

The bytes go to a temporary file beside the target, which is synced and then renamed over
the target: a reader never sees half a file, and after a power cut the target is either the
old file or the new one. A target that exists but is not a regular file (a directory, a
device, a pipe) is refused rather than replaced by the rename.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path


class NotARegularFile(OSError):
    """The target exists and is something other than a regular file."""


def write_file(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` (see the module). Raises OSError, with the reason in
    ``strerror``, when it cannot."""
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        pass
    else:
        if not stat.S_ISREG(mode):
            raise NotARegularFile(0, "not a regular file: an export is written to a file", str(target))
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with open(tmp, "xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _sync_directory(target.parent)


def _sync_directory(folder: Path) -> None:
    """Make the rename itself durable (POSIX); where a directory cannot be opened, skip it."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
