"""Home: the batches at this station and starting a batch from an approved recipe."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from station.engine.api import BatchSummary, OpenBatch, Outcome, RecipeSummary, StartBatch

from .keyboard import TextBuffer
from .reasons import explain
from .text import fmt, to_decimal, translate

BATCH_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{1,39}$")
STATUS_ORDER = ("in_progress", "on_hold", "completed")


def status_label(status: str) -> str:
    return {
        "in_progress": translate("Home", "In progress"),
        "on_hold": translate("Home", "On hold"),
        "completed": translate("Home", "Completed"),
    }.get(status, status)


@dataclass
class HomeVM:
    batches: list[BatchSummary] = field(default_factory=list)
    recipes: list[RecipeSummary] = field(default_factory=list)
    selected_recipe: int | None = None
    batch_id: TextBuffer = field(default_factory=lambda: TextBuffer(max_length=40))
    size: TextBuffer = field(default_factory=lambda: TextBuffer(max_length=12, numeric=True, max_decimals=3))
    message: str = ""
    focus: str = "batch_id"

    def set_lists(self, batches: list[BatchSummary], recipes: list[RecipeSummary]) -> None:
        self.batches = sorted(
            batches,
            key=lambda b: (STATUS_ORDER.index(b.status) if b.status in STATUS_ORDER else 9, b.started_at),
        )
        self.recipes = [r for r in recipes if r.status == "approved"]
        if self.selected_recipe is not None and self.selected_recipe >= len(self.recipes):
            self.selected_recipe = None
        if self.selected_recipe is None and self.recipes:
            self.select_recipe(0)

    def grouped(self) -> list[tuple[str, list[BatchSummary]]]:
        return [(s, [b for b in self.batches if b.status == s]) for s in STATUS_ORDER]

    def select_recipe(self, index: int) -> None:
        self.selected_recipe = index
        recipe = self.recipes[index]
        self.size.set(fmt(recipe.batch_size))

    @property
    def recipe(self) -> RecipeSummary | None:
        return None if self.selected_recipe is None else self.recipes[self.selected_recipe]

    @property
    def problem(self) -> str:
        if self.recipe is None:
            return translate("Home", "No approved recipe on this station.")
        bid = self.batch_id.text.strip()
        if not bid:
            return translate("Home", "Enter the batch id.")
        if not BATCH_ID_PATTERN.match(bid):
            return translate("Home", "Batch id: 2 to 40 letters, digits, '-', '.', '/' or '_'.")
        if any(b.batch_id == bid for b in self.batches):
            return translate("Home", "Batch %1 already exists.").replace("%1", bid)
        size = to_decimal(self.size.text)
        if size is None or size <= 0:
            return translate("Home", "Enter a batch size above zero.")
        return ""

    @property
    def can_start(self) -> bool:
        return not self.problem

    def start_action(self) -> StartBatch:
        recipe = self.recipe
        assert recipe is not None
        size = to_decimal(self.size.text) or Decimal(0)
        return StartBatch(
            batch_id=self.batch_id.text.strip(),
            recipe_code=recipe.code,
            recipe_version=recipe.version,
            size=size,
            unit=recipe.unit,
        )

    def open_action(self, batch_id: str) -> OpenBatch:
        return OpenBatch(batch_id=batch_id)

    def apply(self, outcome: Outcome) -> None:
        if outcome.status == "done":
            self.batch_id.set("")
            self.message = ""
        else:
            self.message = explain(outcome)

    @staticmethod
    def describe(b: BatchSummary) -> str:
        step = b.current_step or translate("Home", "all steps done")
        text = f"{b.batch_id} · {b.product_name} · {b.recipe_code} v{b.recipe_version} · {step}"
        if b.open_deviations:
            text += " · " + translate("Home", "open deviations: %1").replace("%1", str(b.open_deviations))
        return text
