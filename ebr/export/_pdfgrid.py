"""Fast text and tables for the PDF exports.

reportlab's own text path costs tens of microseconds per line in pure Python, too slow for
an audit trail of thousands of events. Here text in the standard fonts (Helvetica, Courier;
WinAnsi / cp1252) is measured with per-character width tables and written as PDF text
operators directly; a line with a character outside cp1252 falls back to reportlab's
``drawString`` with a Unicode TrueType font, so nothing is ever dropped or replaced.

:class:`Grid` is a table flowable: fixed relative column widths, wrapped cells, a header row
repeated on every page; a row is cut at a page break only when it is taller than a page.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.lib.colors import Color, HexColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable

REGULAR, BOLD, MONO = "Helvetica", "Helvetica-Bold", "Courier"
UNICODE, UNICODE_BOLD = "MesUnicode", "MesUnicode-Bold"

_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/Library/Fonts",
    "C:/Windows/Fonts",
)


@lru_cache(maxsize=1)
def unicode_fonts() -> tuple[str, str]:
    """Register the Unicode fallback font (DejaVu Sans where installed, else reportlab's Vera,
    which ships with reportlab) and return its regular and bold names."""
    candidates: list[tuple[Path, Path]] = []
    extra = os.environ.get("MES_PDF_FONT_DIR")
    for folder in ([extra] if extra else []) + list(_FONT_DIRS):
        candidates.append((Path(folder) / "DejaVuSans.ttf", Path(folder) / "DejaVuSans-Bold.ttf"))
    import reportlab

    rl_fonts = Path(reportlab.__file__).parent / "fonts"
    candidates.append((rl_fonts / "Vera.ttf", rl_fonts / "VeraBd.ttf"))
    for regular, bold in candidates:
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont(UNICODE, str(regular)))
            pdfmetrics.registerFont(TTFont(UNICODE_BOLD, str(bold)))
            return UNICODE, UNICODE_BOLD
    return REGULAR, BOLD  # pragma: no cover - reportlab always ships Vera


@lru_cache(maxsize=8)
def _widths(font: str) -> dict[str, float]:
    """Width (in 1/1000 em) of each cp1252 character in a standard font."""
    table: dict[str, float] = {}
    for code in range(32, 256):
        try:
            char = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            continue
        table[char] = pdfmetrics.stringWidth(char, font, 1000)
    return table


def _escape_table() -> list[str]:
    table = []
    for code in range(256):
        if code in (0x28, 0x29, 0x5C):
            table.append("\\" + chr(code))
        elif 32 <= code < 127:
            table.append(chr(code))
        else:
            table.append(f"\\{code:03o}")
    return table


_ESCAPE = _escape_table()


def is_plain(text: str) -> bool:
    """True when the text can be drawn in a standard font (cp1252 without control characters)."""
    if text.isascii():
        return text.isprintable()
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return text.isprintable()


def text_width(text: str, font: str, size: float) -> float:
    if is_plain(text):
        table = _widths(font)
        return sum(map(table.__getitem__, text)) * size / 1000.0
    return float(pdfmetrics.stringWidth(text, _fallback(font), size))


def _fallback(font: str) -> str:
    regular, bold = unicode_fonts()
    return bold if font == BOLD else regular


_WORDS: dict[tuple[str, float], dict[str, float]] = {}


def _measure(plain: bool, font: str, size: float) -> Any:
    if plain:
        table = _widths(font)
        scale = size / 1000.0
        cache = _WORDS.setdefault((font, size), {})
        if len(cache) > 50_000:
            cache.clear()

        def width(s: str) -> float:
            found = cache.get(s)
            if found is None:
                found = sum(map(table.__getitem__, s)) * scale
                if len(s) <= _CACHED_UP_TO:  # words repeat; a long text is measured once
                    cache[s] = found
            return found

        return width
    fallback = _fallback(font)
    return lambda s: pdfmetrics.stringWidth(s, fallback, size)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap; words longer than the width (hashes, ids) are broken by characters.
    A paragraph with a character outside cp1252 is measured in the Unicode font it is drawn in."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph:
            lines.append("")
            continue
        if len(paragraph) * size * (0.6 if font == MONO else 1.0) <= width:
            lines.append(paragraph)  # no character is wider than 1 em (0.6 em in Courier)
            continue
        plain = is_plain(paragraph)
        if font == MONO and plain and " " not in paragraph:  # fixed pitch: 0.6 em per character
            per_line = max(1, int(width / (0.6 * size)))
            lines.extend(paragraph[i : i + per_line] for i in range(0, len(paragraph), per_line))
            continue
        measure = _measure(plain, font, size)
        if measure(paragraph) <= width:
            lines.append(paragraph)
            continue
        space = measure(" ")
        current, current_w = "", 0.0
        for word in paragraph.split(" "):
            w = measure(word)
            if w > width:
                if current:
                    lines.append(current)
                pieces = _break_word(word, measure, width)
                lines.extend(pieces[:-1])
                current = pieces[-1]
                current_w = measure(current)
                continue
            if not current:
                current, current_w = word, w
            elif current_w + space + w <= width:
                current, current_w = f"{current} {word}", current_w + space + w
            else:
                lines.append(current)
                current, current_w = word, w
        lines.append(current)
    return lines


_SOFT_BREAKS = frozenset("_-/.:,")
#: Strings up to this length keep their measured width (words and short cells repeat).
_CACHED_UP_TO = 64


def _break_word(word: str, measure: Any, width: float) -> list[str]:
    """Break a word wider than the cell: after a "_", "-", "/", ".", ":" or "," where one falls in
    the last two thirds of the line, else by characters (hashes, uids). Linear in the word's
    length: each character is measured once, and no piece is measured again, so a pasted
    megabyte without a space prints in a second, not in hours."""
    edges = [0.0]  # edges[i]: the width of word[:i]
    for char in word:
        edges.append(edges[-1] + measure(char))
    pieces: list[str] = []
    start, end = 0, len(word)
    while edges[end] - edges[start] > width:
        fit = start + 1  # at least one character a line, however narrow the cell
        while fit < end and edges[fit + 1] - edges[start] <= width:
            fit += 1
        cut = fit
        for i in range(fit, start + (fit - start) // 3, -1):
            if word[i - 1] in _SOFT_BREAKS:
                cut = i
                break
        pieces.append(word[start:cut])
        start = cut
    pieces.append(word[start:])
    return pieces


_RGB: dict[tuple[float, float, float], str] = {}


def _rgb(color: Color) -> str:
    key = (color.red, color.green, color.blue)
    text = _RGB.get(key)
    if text is None:
        text = _RGB[key] = f"{color.red:.3f} {color.green:.3f} {color.blue:.3f}"
    return text


class TextOps:
    """Collects PDF operators for plain text (one text object for consecutive lines, font and
    colour set only when they change) and hands Unicode lines to reportlab."""

    def __init__(self, canv: Any) -> None:
        self.canv = canv
        self.ops: list[str] = ["q"]
        self._names: dict[str, str] = {}
        self._in_text = False
        self._font: tuple[str, float] | None = None
        self._color: str | None = None

    def _name(self, font: str) -> str:
        name = self._names.get(font)
        if name is None:
            name = self.canv._doc.getInternalFontName(font)
            self._names[font] = name
        return name

    def text(self, x: float, y: float, line: str, font: str, size: float, color: Color) -> None:
        if not line:
            return
        if is_plain(line):
            if line.isascii():
                escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            else:
                escaped = "".join(map(_ESCAPE.__getitem__, line.encode("cp1252")))
            ops = self.ops
            if not self._in_text:
                ops.append("BT")
                self._in_text = True
                self._font = self._color = None
            if self._font != (font, size):
                ops.append(f"{self._name(font)} {size:g} Tf")
                self._font = (font, size)
            rgb = _rgb(color)
            if self._color != rgb:
                ops.append(f"{rgb} rg")
                self._color = rgb
            ops.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm ({escaped}) Tj")
            return
        self.flush()
        self.canv.saveState()
        self.canv.setFillColor(color)
        self.canv.setFont(_fallback(font), size)
        self.canv.drawString(x, y, line)
        self.canv.restoreState()

    def lines(
        self, x: float, y: float, lines: Sequence[str], font: str, size: float, color: Color, leading: float
    ) -> None:
        """Lines of one cell from the baseline (x, y) down, ``leading`` apart: one text
        positioning and the ``'`` (next line and show) operator per line."""
        if not any(lines):
            return
        if not is_plain("".join(lines)):
            for line in lines:
                self.text(x, y, line, font, size, color)
                y -= leading
            return
        ops = self.ops
        if not self._in_text:
            ops.append("BT")
            self._in_text = True
            self._font = self._color = None
        if self._font != (font, size):
            ops.append(f"{self._name(font)} {size:g} Tf")
            self._font = (font, size)
        rgb = _rgb(color)
        if self._color != rgb:
            ops.append(f"{rgb} rg")
            self._color = rgb
        shown = []
        for index, line in enumerate(lines):
            if line.isascii():
                if "(" in line or ")" in line or "\\" in line:
                    line = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            else:
                line = "".join(map(_ESCAPE.__getitem__, line.encode("cp1252")))
            shown.append(f"({line}) Tj" if index == 0 else f"({line}) '")
        ops.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm {leading:.2f} TL " + " ".join(shown))

    def _end_text(self) -> None:
        if self._in_text:
            self.ops.append("ET")
            self._in_text = False

    def rect(self, x: float, y: float, w: float, h: float, fill: Color) -> None:
        self._end_text()
        self.ops.append(f"{_rgb(fill)} rg {x:.2f} {y:.2f} {w:.2f} {h:.2f} re f")

    def line(self, x1: float, y1: float, x2: float, y2: float, color: Color, width: float = 0.4) -> None:
        self._end_text()
        self.ops.append(f"{_rgb(color)} RG {width:g} w {x1:.2f} {y1:.2f} m {x2:.2f} {y2:.2f} l S")

    def flush(self) -> None:
        self._end_text()
        if len(self.ops) > 1:
            self.ops.append("Q")
            self.canv._code.append("\n".join(self.ops))
        self.ops = ["q"]


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Cell:
    text: str
    bold: bool = False
    mono: bool = False
    color: Color | None = None
    fill: Color | None = None
    size: float | None = None


CellLike = Cell | str | None

INK = HexColor("#111111")
MUTED = HexColor("#555555")
HEAD_FILL = HexColor("#1F3A5F")
HEAD_INK = HexColor("#FFFFFF")
ZEBRA = HexColor("#F1F4F8")
RULE = HexColor("#B7C0CC")
_PLAIN = Cell("")
_HEAD = Cell("", bold=True, color=HEAD_INK)


@dataclass
class _Laid:
    lines: list[list[str]]  # per cell
    cells: list[Cell]
    height: float
    group: int = 0


class Grid(Flowable):  # type: ignore[misc]
    """A table of wrapped text. ``widths`` are relative; ``header`` is repeated on every page."""

    def __init__(
        self,
        widths: Sequence[float],
        rows: Sequence[Sequence[CellLike]],
        *,
        header: Sequence[str] | None = None,
        size: float = 7.6,
        zebra: bool = True,
        label_column: bool = False,
        groups: Sequence[int] | None = None,
        _laid: list[_Laid] | None = None,
        _width: float | None = None,
    ) -> None:
        super().__init__()
        self.weights = list(widths)
        self.rows = rows
        self.header = list(header) if header else None
        self.size = size
        self.leading = size * 1.22
        self.pad = 2.4
        self.zebra = zebra
        self.label_column = label_column
        #: a group number per row: zebra stripes and full rules go by group (rows of one step)
        self.groups = list(groups) if groups is not None else None
        self._laid = _laid
        self._laid_width = _width
        self._head: _Laid | None = None
        self._total: float | None = None

    # ------------------------------------------------------------ layout
    def _columns(self, width: float) -> list[float]:
        total = sum(self.weights)
        return [width * w / total for w in self.weights]

    def _lay_row(self, cells: Sequence[CellLike], cols: list[float], *, head: bool = False) -> _Laid:
        norm: list[Cell] = []
        lines: list[list[str]] = []
        for i, raw in enumerate(cells):
            if isinstance(raw, Cell):
                cell, text = raw, raw.text
            else:
                cell, text = _PLAIN, "" if raw is None else str(raw)
            if head:
                cell = _HEAD
            elif self.label_column and i == 0 and not cell.bold:
                cell = Cell("", bold=True, color=cell.color or MUTED, fill=cell.fill)
            norm.append(cell)
            font = MONO if cell.mono else BOLD if cell.bold else REGULAR
            lines.append(wrap(text, font, cell.size or self.size, cols[i] - 2 * self.pad))
        count = max((len(c) for c in lines), default=1)
        return _Laid(lines, norm, count * self.leading + 2 * self.pad)

    def _layout(self, width: float) -> None:
        if self._laid is not None and self._laid_width is not None and abs(self._laid_width - width) < 0.01:
            return
        cols = self._columns(width)
        self._laid = [self._lay_row(r, cols) for r in self.rows]
        for index, laid in enumerate(self._laid):
            laid.group = self.groups[index] if self.groups is not None else index
        self._laid_width = width

    def _header(self, width: float) -> _Laid | None:
        if self.header is None:
            return None
        if self._head is None:
            self._head = self._lay_row(self.header, self._columns(width), head=True)
        return self._head

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._layout(availWidth)
        assert self._laid is not None
        head = self._header(availWidth)
        self.width = availWidth
        if self._total is None:
            self._total = sum(r.height for r in self._laid)
        self.height = (head.height if head else 0.0) + self._total
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self._layout(availWidth)
        assert self._laid is not None
        head = self._header(availWidth)
        room = availHeight - (head.height if head else 0.0)
        used, count = 0.0, 0
        for laid in self._laid:
            if used + laid.height > room:
                break
            used += laid.height
            count += 1
        if count == 0:
            # A row is split only where it must be: at the top of a page, too tall for it.
            # Anywhere else it goes whole to the next page (a hash is never cut in two there).
            frame = getattr(self, "_frame", None)
            if frame is not None and not getattr(frame, "_atTop", True):
                return []
            first = self._laid[0]
            fit = int((room - 2 * self.pad) // self.leading)
            if fit < 2:
                return []
            top = _Laid(
                [c[:fit] for c in first.lines], first.cells, fit * self.leading + 2 * self.pad, first.group
            )
            rest_lines = [c[fit:] for c in first.lines]
            rest = _Laid(
                rest_lines,
                first.cells,
                max(1, max(len(c) for c in rest_lines)) * self.leading + 2 * self.pad,
                first.group,
            )
            return [self._part([top]), self._part([rest, *self._laid[1:]])]
        if count == len(self._laid):
            return [self]
        rest = self._part(self._laid[count:])
        if self._total is not None:
            rest._total = self._total - used
        return [self._part(self._laid[:count], used), rest]

    def _part(self, laid: list[_Laid], total: float | None = None) -> Grid:
        part = Grid(
            self.weights,
            [],
            header=self.header,
            size=self.size,
            zebra=self.zebra,
            label_column=self.label_column,
            _laid=laid,
            _width=self._laid_width,
        )
        part._head = self._head
        part._total = total
        return part

    # ------------------------------------------------------------ drawing
    def draw(self) -> None:
        assert self._laid is not None
        ops = TextOps(self.canv)
        cols = self._columns(self.width)
        y = self.height
        head = self._header(self.width)
        if head is not None:
            ops.rect(0, y - head.height, self.width, head.height, HEAD_FILL)
            self._draw_row(ops, head, cols, y)
            y -= head.height
        stripe, previous = False, None
        for index, laid in enumerate(self._laid):
            if index > 0 and laid.group != previous:
                stripe = not stripe
            if self.zebra and stripe:
                ops.rect(0, y - laid.height, self.width, laid.height, ZEBRA)
            x = 0.0
            for cell, w in zip(laid.cells, cols, strict=False):
                if cell.fill is not None:
                    ops.rect(x, y - laid.height, w, laid.height, cell.fill)
                x += w
            self._draw_row(ops, laid, cols, y)
            y -= laid.height
            following = self._laid[index + 1].group if index + 1 < len(self._laid) else None
            if following != laid.group:
                ops.line(0, y, self.width, y, RULE, 0.3)
            previous = laid.group
        ops.line(0, self.height, self.width, self.height, RULE, 0.5)
        ops.line(0, 0, self.width, 0, RULE, 0.5)
        ops.flush()

    def _draw_row(self, ops: TextOps, laid: _Laid, cols: list[float], top: float) -> None:
        x = 0.0
        for cell, lines, w in zip(laid.cells, laid.lines, cols, strict=False):
            size = cell.size or self.size
            if lines:
                font = MONO if cell.mono else BOLD if cell.bold else REGULAR
                ops.lines(
                    x + self.pad, top - self.pad - size, lines, font, size, cell.color or INK, self.leading
                )
            x += w
