"""The station's touchscreen front end (PySide6).

Only the modules of this package import Qt; ``station.ui.viewmodels`` is plain
Python and holds every decision the screens show, so it is tested without Qt.

PySide6 6.12 on CPython before 3.12 hands out ``None``, ``True`` and ``False``
without taking a reference (those objects are immortal from 3.12 on). Every Qt call
that returns one of them, and every bool signal, then lowers its reference count
until the interpreter aborts ("deallocating None") after some hundred thousand
calls - hours into a shift. ``_immortalise_singletons`` gives them a reference count
that cannot run out, which is what 3.12 does. It does not import Qt.
"""

from __future__ import annotations

import sys


def _immortalise_singletons() -> None:
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    import ctypes

    for obj in (None, True, False, Ellipsis, NotImplemented):
        refcount = ctypes.c_ssize_t.from_address(id(obj))
        if refcount.value < 1 << 40:
            refcount.value += 1 << 40


_immortalise_singletons()
