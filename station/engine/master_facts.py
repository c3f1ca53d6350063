"""The master data the gates read on every step, kept while the site stream says it holds.

Master data (documents, training, materials, lots, equipment) changes only by an import, and
every import change is a ``master.*`` event in the site stream. So while the site stream's
head has not moved, or has moved only by logins, logouts and user events (every shift
change), what was read before is what the database holds: the gates judge a step from
memory, and read the store again only after an import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from ebr import events as ev
from ebr.audit import SITE_STREAM
from ebr.uow import UnitOfWork
from gating import facts as gf

K = TypeVar("K")
V = TypeVar("V")

#: More site events than this since the last look: drop everything rather than read them all.
MAX_SITE_EVENTS_SCANNED = 200
#: Facts of one kind kept at most (a long session on a big site starts again past it).
MAX_KEPT = 10_000


class MasterFacts:
    """Documents, training records, materials, lots and equipment as the store last gave
    them, and the site stream's head they are valid at.

    ``checked`` tells whether the head was looked at in the current action: one indexed query
    per action at most, and none when the open batch's quiet chain head already proved that
    nobody has written anything (``trust_head``)."""

    def __init__(self) -> None:
        self._head = -1
        self._checked = False
        #: An account may have been deactivated, locked or reset since the session's user was
        #: last looked at: the next action reads the user again (``Context.check_session``).
        self.accounts_moved = False
        self._documents: dict[str, gf.Document | None] = {}
        self._training: dict[str, tuple[gf.TrainingRecord, ...]] = {}
        self._materials: dict[str, gf.Material | None] = {}
        self._by_gtin: dict[str, gf.Material | None] = {}
        self._lots: dict[tuple[str, str], gf.Lot | None] = {}
        self._lots_by_id: dict[str, tuple[gf.Lot, ...]] = {}
        self._equipment: dict[str, gf.Equipment | None] = {}

    # ------------------------------------------------------------ is what we hold current?
    def new_action(self) -> None:
        self._checked = False

    @property
    def checked(self) -> bool:
        """The site head was looked at (or proved unmoved) in this action."""
        return self._checked

    def trust_head(self) -> None:
        """The chain head is where this station's last commit left it: the site stream cannot
        have moved since the head was last adopted."""
        self._checked = True

    def current(self, uow: UnitOfWork) -> None:
        """Make sure what is held is what the database holds: look at the site head once in
        this action."""
        if not self._checked:
            self.adopt_head(uow, uow.stream_heads(SITE_STREAM)[SITE_STREAM])

    def adopt_head(self, uow: UnitOfWork, head: int) -> None:
        """The site stream's head is ``head`` now: forget everything if master data changed
        since the head last adopted (or if too much happened to tell cheaply)."""
        if head != self._head:
            moved = head - self._head
            actions = (
                uow.actions_since(SITE_STREAM, self._head, moved)
                if 0 < moved <= MAX_SITE_EVENTS_SCANNED
                else None
            )
            if self._head < 0 or actions is None or any(map(ev.changes_master_data, actions)):
                self.forget()
            if self._head >= 0 and (actions is None or any(map(ev.ends_sessions, actions))):
                self.accounts_moved = True
            self._head = head
        self._checked = True

    def forget(self) -> None:
        for table in (
            self._documents,
            self._training,
            self._materials,
            self._by_gtin,
            self._lots,
            self._lots_by_id,
            self._equipment,
        ):
            table.clear()

    # ------------------------------------------------------------ the facts
    def documents(self, uow: UnitOfWork, codes: Iterable[str]) -> dict[str, gf.Document]:
        """The current revision of each of these documents the store knows."""
        found: dict[str, gf.Document] = {}
        for code in codes:
            document = self.document(uow, code)
            if document is not None:
                found[code] = document
        return found

    def document(self, uow: UnitOfWork, code: str) -> gf.Document | None:
        return self._kept(uow, self._documents, code, lambda: uow.document(code))

    def training(self, uow: UnitOfWork, user_id: str) -> tuple[gf.TrainingRecord, ...]:
        return self._kept(uow, self._training, user_id, lambda: uow.training_of(user_id))

    def material(self, uow: UnitOfWork, code: str) -> gf.Material | None:
        return self._kept(uow, self._materials, code, lambda: uow.material(code))

    def material_by_gtin(self, uow: UnitOfWork, gtin: str) -> gf.Material | None:
        return self._kept(uow, self._by_gtin, gtin, lambda: uow.material_by_gtin(gtin))

    def lot(self, uow: UnitOfWork, material: str, lot: str) -> gf.Lot | None:
        return self._kept(uow, self._lots, (material, lot), lambda: uow.lot(material, lot))

    def lots_by_id(self, uow: UnitOfWork, lot: str) -> tuple[gf.Lot, ...]:
        return self._kept(uow, self._lots_by_id, lot, lambda: uow.lots_by_id(lot))

    def equipment(self, uow: UnitOfWork, equipment_id: str) -> gf.Equipment | None:
        return self._kept(uow, self._equipment, equipment_id, lambda: uow.equipment(equipment_id))

    def _kept(self, uow: UnitOfWork, table: dict[K, V], key: K, load: Callable[[], V]) -> V:
        self.current(uow)
        if key not in table:
            if len(table) >= MAX_KEPT:
                table.clear()
            table[key] = load()
        return table[key]
