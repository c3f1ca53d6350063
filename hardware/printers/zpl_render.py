"""A small ZPL II renderer: what a label printer would print, as a PNG.

It reads the part of ZPL II that label formats like the station's use: the label size (``^PW``,
``^LL``, ``^LH``), field origins (``^FO``, ``^FT``), the scalable font (``^A0``, ``^A@``, ``^CF``),
field data with hex escapes (``^FH``, ``^FD`` ... ``^FS``), reversed fields (``^FR``), boxes
(``^GB``), and Code 128 / GS1-128 symbols (``^BY``, ``^BC`` with ZPL's invocation codes: ``>;``
start in subset C, ``>8`` FNC1 ...), drawn bar for bar from python-barcode's encoder. Commands
it does not know are listed in ``Rendered.ignored``, never guessed at: a test or a person
looking at the PNG knows what the picture leaves out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import barcode
from PIL import Image, ImageDraw, ImageFont

GS = "\x1d"
_FNC1 = "\xf1"  # python-barcode's FNC1 in gs1_128 input
_FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
)
_IGNORED_QUIETLY = {"XA", "XZ", "CI", "FS", "PQ", "MM", "MN", "MT", "LS", "PR", "JM"}


@dataclass
class Rendered:
    """One label: the picture, the texts printed, the symbols' element strings (GS = FNC1)."""

    image: Image.Image
    texts: list[str] = field(default_factory=list)
    symbols: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def save(self, path: Path) -> None:
        self.image.save(path, format="PNG")


def split_jobs(data: bytes) -> list[str]:
    """The labels (``^XA`` ... ``^XZ``) in what a printer received, in order."""
    text = data.decode("utf-8", errors="replace")
    return re.findall(r"\^XA.*?\^XZ", text, flags=re.DOTALL)


def _font(height: int) -> Any:
    for path in _FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, max(6, height))
    return ImageFont.load_default()


def _unescape(data: str, escape: str | None) -> str:
    """``^FH`` field data: each escape character and two hex digits is that byte (UTF-8 text)."""
    if escape is None:
        return data
    out = bytearray()
    i = 0
    while i < len(data):
        hex_pair = data[i + 1 : i + 3]
        if data[i] == escape and len(hex_pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in hex_pair):
            out.append(int(hex_pair, 16))
            i += 3
            continue
        out += data[i].encode("utf-8")
        i += 1
    return out.decode("utf-8", errors="replace")


def symbol_text(data: str) -> tuple[str, bool]:
    """A ``^BC`` field's data as the symbol carries it: (text with FNC1 as GS, is GS1-128)."""
    out: list[str] = []
    gs1 = False
    i = 0
    while i < len(data):
        if data[i] == ">" and i + 1 < len(data):
            code = data[i + 1]
            i += 2
            if code == "8":
                if not out and not gs1:
                    gs1 = True  # FNC1 first: a GS1-128 symbol
                else:
                    out.append(GS)
            elif code == "<":
                out.append("<")
            elif code == "0":
                out.append(">")
            # start codes and subset changes (>; >: >9 >5 >6 >7 ...) change no data
            continue
        out.append(data[i])
        i += 1
    return "".join(out).rstrip(GS), gs1


def _modules(text: str, gs1: bool) -> str:
    symbol: Any = barcode.get("gs1_128", text.replace(GS, _FNC1)) if gs1 else barcode.get("code128", text)
    modules: str = symbol.build()[0]
    return modules


def _numbers(params: str, count: int, default: int) -> list[int]:
    """The first ``count`` comma-separated parameters as whole numbers (``default`` where a
    parameter is empty or not a number: a printer ignores what it cannot read)."""
    values = params.split(",")
    out = []
    for index in range(count):
        text = values[index].strip() if index < len(values) else ""
        out.append(int(text) if text.isdigit() and len(text) < 6 else default)
    return out


def render(job: str) -> Rendered:
    """One label's ZPL (``^XA`` ... ``^XZ``) as a white-on-black-ink picture at printer dots."""
    commands = re.findall(r"[\^~]([A-Z@][A-Z0-9@]?)([^\^~]*)", job, flags=re.DOTALL)
    width = height = 0
    for code, params in commands:
        if code == "PW":
            width = _numbers(params, 1, 0)[0]
        elif code == "LL":
            height = _numbers(params, 1, 0)[0]
    # A printer's head is some inches wide: a size past 20 in at 300 dpi is no label.
    image = Image.new("1", (min(max(width, 100), 6000), min(max(height, 100), 6000)), 1)
    draw = ImageDraw.Draw(image)
    out = Rendered(image)
    home = (0, 0)
    origin = (0, 0)
    font_height, module, escape = 30, 2, None
    reverse = False
    pending_barcode: list[str] | None = None
    for code, raw in commands:
        params = raw.strip("\r\n")
        if code == "LH":
            home = (_numbers(params, 2, 0)[0], _numbers(params, 2, 0)[1])
        elif code in ("FO", "FT"):
            x, y = _numbers(params, 2, 0)
            origin = (home[0] + x, home[1] + y)
        elif code in ("A0", "A@", "CF"):
            font_height = _numbers(params, 2, font_height)[1] or font_height
        elif code == "BY":
            module = max(1, _numbers(params, 1, module)[0])
        elif code == "FH":
            escape = params[:1] or "_"
        elif code == "FR":
            reverse = True
        elif code == "BC":
            pending_barcode = params.split(",")
        elif code == "GB":
            w, h, thickness = (max(1, v) for v in _numbers(params, 3, 1))
            x0, y0 = origin
            if thickness >= min(w, h):
                draw.rectangle([x0, y0, x0 + w - 1, y0 + h - 1], fill=0)
            else:
                for t in range(thickness):
                    draw.rectangle([x0 + t, y0 + t, x0 + w - 1 - t, y0 + h - 1 - t], outline=0)
        elif code == "FD":
            data = _unescape(params, escape)
            if pending_barcode is not None:
                text, gs1 = symbol_text(data)
                bar_height = (
                    int(pending_barcode[1]) if len(pending_barcode) > 1 and pending_barcode[1] else 100
                )
                x = origin[0]
                for bit in _modules(text, gs1):
                    if bit == "1":
                        draw.rectangle([x, origin[1], x + module - 1, origin[1] + bar_height - 1], fill=0)
                    x += module
                out.symbols.append(text)
            else:
                ink = 1 if reverse else 0
                draw.text(origin, data, font=_font(font_height), fill=ink)
                out.texts.append(data)
            pending_barcode, escape, reverse = None, None, False
        elif code not in _IGNORED_QUIETLY and code not in ("PW", "LL"):
            out.ignored.append(f"^{code}{params}")
    return out
