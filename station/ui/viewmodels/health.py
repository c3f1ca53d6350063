"""The administrator's health screen, without Qt: the checks as lines and a verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class HealthVM:
    lines: list[str] = field(default_factory=list)
    summary: str = ""

    def checking(self) -> None:
        self.lines, self.summary = [], "checking ..."

    def show(self, checks: Sequence[Any]) -> None:
        """``checks``: station.linepc.doctor.Check (name, status, detail)."""
        self.lines = [f"{c.name}: {c.status} - {c.detail}" for c in checks]
        failed = [c.name for c in checks if c.status == "FAIL"]
        self.summary = f"FAILED: {', '.join(failed)}" if failed else "healthy"

    def failed(self, error: str) -> None:
        self.lines, self.summary = [], f"the checks could not run: {error}"
