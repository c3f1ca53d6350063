"""Code 128 and GS1-128 symbols as bar/space module strings (python-barcode's encoder),
drawn as vector rectangles (no raster image, no Pillow)."""

from __future__ import annotations

from typing import Any

import barcode
from reportlab.platypus import Flowable

GS = "\x1d"  # what a scanner sends for FNC1 inside a GS1 element string
_FNC1 = "\xf1"  # how python-barcode's gs1_128 takes FNC1 in its input


def code128_modules(data: str) -> str:
    """The module string (1 = bar, 0 = space, quiet zones excluded) of a Code 128 symbol."""
    symbol: Any = barcode.get("code128", data)
    modules: str = symbol.build()[0]
    return modules


def gs1_128_modules(element_string: str) -> str:
    """The module string of a GS1-128 symbol (leading FNC1 added) for an element string whose
    variable-length fields are ended by GS."""
    for char in element_string:
        if char != GS and not (32 <= ord(char) < 127):
            raise ValueError(f"character {char!r} cannot be encoded in GS1-128")
    symbol: Any = barcode.get("gs1_128", element_string.replace(GS, _FNC1))
    modules: str = symbol.build()[0]
    return modules


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
