"""The para500 batch driven through the screens (shared by the screen, refusal and end-to-end tests)."""

from __future__ import annotations

from collections.abc import Callable

from .driver import Driver

LOT_PARACETAMOL = "]C101040123450001081730083110P24-0817"
LOT_PARACETAMOL_QUARANTINED = "]C101040123450001081730053110P24-0502"
LOT_MCC = "]C1010401234500020710M24-1130\x1d17301130"
LOT_POVIDONE = "]C101040123450003061730022810K24-0220"
LOT_CROSCARMELLOSE = "]C101040123450005041730013110C25-0103"


def weigh(
    d: Driver, put: Callable[[str], None], tare_button: Callable[[], None], tare: str, gross: str
) -> None:
    """Put the container on, TARE, fill to the gross weight, ACCEPT once it is enabled."""
    put(tare)
    d.qtbot.waitUntil(lambda: d.find("weigh_tare").isEnabled(), timeout=10000)
    tare_button()
    put(gross)
    d.qtbot.waitUntil(lambda: d.find("weigh_accept").isEnabled(), timeout=10000)
    d.click("weigh_accept")


def sign(d: Driver, user: str, password: str) -> None:
    d.fill("signature_user", user)
    d.fill("signature_password", password)
    d.click("signature_sign")


def measure(d: Driver, value: str) -> None:
    d.numpad(value)
    d.click("measure_record")
