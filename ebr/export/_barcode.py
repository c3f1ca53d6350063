"""Code 128 and GS1-128 symbols as bar/space module strings, drawn as vector rectangles.

* Plain Code 128 (the batch id on the record's first page): python-barcode's encoder
  (``barcode.get("code128", data).build()``).
* GS1-128 (dispense labels): codewords from :func:`gs1_128_codewords` below, turned into bars
  with python-barcode's Code 128 pattern table. python-barcode 0.16's own ``gs1_128`` cannot
  encode an FNC1 separator while in code set B (a lot ending in a letter) and drops a digit
  when an odd digit run precedes the separator, so the codeword choice is made here.
"""

from __future__ import annotations

from typing import Any

import barcode
from barcode.charsets import code128 as patterns
from reportlab.platypus import Flowable

GS = "\x1d"  # what a scanner sends for FNC1 inside a GS1 element string
_START_B, _START_C, _TO_B, _TO_C, _FNC1 = 104, 105, 100, 99, 102
_STOP = "1100011101011"


def code128_modules(data: str) -> str:
    """The module string (1 = bar, 0 = space, quiet zones excluded) of a Code 128 symbol."""
    symbol: Any = barcode.get("code128", data)
    modules: str = symbol.build()[0]
    return modules


def gs1_128_codewords(element_string: str) -> list[int]:
    """Codewords (start, FNC1, data, checksum) of a GS1-128 symbol for an element string whose
    variable-length fields are ended by GS (``\\x1d``). Uses code sets C and B."""
    data = element_string
    for char in data:
        if char != GS and not (32 <= ord(char) < 127):
            raise ValueError(f"character {char!r} cannot be encoded in GS1-128")
    words: list[int] = []
    i = 0
    code_set = "C" if _digit_run(data, 0) >= 2 else "B"
    words.append(_START_C if code_set == "C" else _START_B)
    words.append(_FNC1)
    while i < len(data):
        char = data[i]
        if char == GS:
            words.append(_FNC1)
            i += 1
            continue
        run = _digit_run(data, i)
        if code_set == "C":
            if run >= 2:
                words.append(int(data[i : i + 2]))
                i += 2
                continue
            words.append(_TO_B)
            code_set = "B"
            continue
        # code set B: switch to C for a run of at least 4 digits (an even part of it)
        if run >= 4:
            if run % 2 == 1:
                words.append(ord(char) - 32)
                i += 1
            words.append(_TO_C)
            code_set = "C"
            continue
        words.append(ord(char) - 32)
        i += 1
    checksum = words[0] + sum(position * word for position, word in enumerate(words[1:], start=1))
    words.append(checksum % 103)
    return words


def gs1_128_modules(element_string: str) -> str:
    return "".join(patterns.CODES[w] for w in gs1_128_codewords(element_string)) + _STOP


def _digit_run(data: str, start: int) -> int:
    n = 0
    while start + n < len(data) and data[start + n].isdigit():
        n += 1
    return n


def draw_modules(canv: Any, x: float, y: float, modules: str, module_width: float, height: float) -> None:
    """Draw the bars of a module string with their lower left corner at (x, y)."""
    path = canv.beginPath()
    i = 0
    while i < len(modules):
        if modules[i] == "1":
            j = i
            while j < len(modules) and modules[j] == "1":
                j += 1
            path.rect(x + i * module_width, y, (j - i) * module_width, height)
            i = j
        else:
            i += 1
    canv.saveState()
    canv.setFillColorRGB(0, 0, 0)
    canv.drawPath(path, stroke=0, fill=1)
    canv.restoreState()


class BarcodeFlowable(Flowable):  # type: ignore[misc]
    """A Code 128 symbol with its quiet zones (10 modules each side)."""

    def __init__(self, modules: str, module_width: float, height: float) -> None:
        super().__init__()
        self.modules = modules
        self.module_width = module_width
        self.bar_height = height
        self.width = (len(modules) + 20) * module_width
        self.height = height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        draw_modules(self.canv, 10 * self.module_width, 0, self.modules, self.module_width, self.bar_height)
