"""Sizes that follow the window: type readable at arm's length, touch targets of at least 15 mm."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QWidget

STYLE_FILE = Path(__file__).resolve().parents[2] / "resources" / "styles" / "station.qss"
MIN_TARGET_MM = 15.0
REFERENCE_HEIGHT = 768


@dataclass(frozen=True)
class Metrics:
    font: int
    small: int
    big: int
    title: int
    huge: int
    target: int  # the smallest touch target, px
    spacing: int

    @classmethod
    def for_size(cls, width: int, height: int, px_per_mm: float) -> Metrics:
        unit = max(0.8, min(width / 1024, height / REFERENCE_HEIGHT))
        target = max(round(MIN_TARGET_MM * px_per_mm), round(60 * unit))
        font = round(19 * unit)
        return cls(
            font=font,
            small=round(16 * unit),
            big=round(24 * unit),
            title=round(30 * unit),
            huge=round(44 * unit),
            target=target,
            spacing=round(10 * unit),
        )

    def key(self) -> tuple[int, int]:
        return self.font, self.target


def px_per_mm(widget: QWidget | None = None) -> float:
    screen = widget.screen() if widget is not None else QApplication.primaryScreen()
    if screen is None:
        return 96 / 25.4
    dpi = screen.physicalDotsPerInch()
    # Screens that report nonsense (0, or a logical 72/96 for a 15" panel) still get a sane size.
    if not 60 <= dpi <= 400:
        dpi = 96
    return dpi / 25.4


_template: str | None = None


def stylesheet(m: Metrics) -> str:
    global _template
    if _template is None:
        _template = STYLE_FILE.read_text(encoding="utf-8") if STYLE_FILE.exists() else ""
    return (
        _template.replace("@FONT@", str(m.font))
        .replace("@SMALL@", str(m.small))
        .replace("@BIG@", str(m.big))
        .replace("@TITLE@", str(m.title))
        .replace("@HUGE@", str(m.huge))
        .replace("@TARGET2@", str(round(m.target * 1.4)))
        .replace("@TARGET@", str(m.target))
        .replace("@SCROLL@", str(max(24, m.target // 2)))
    )


def repolish(widget: QWidget) -> None:
    """Apply the style sheet again after a property the sheet selects on (``level``, ``role``)
    changed. The StyleChange event makes the widget take the rule's padding too, not only its
    colours (without it a label turned red kept the padding of its first look)."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    QApplication.sendEvent(widget, QEvent(QEvent.Type.StyleChange))
