"""Scale a master recipe to a batch size: the control recipe's targets and tolerance bounds.

Quantities scale linearly: target = quantity x batch size / recipe batch size,
with the batch size first converted to the recipe's batch-size unit (a 120 kg
recipe can run as a 60000 g batch). Each target stays in its step's own unit.

Rounding: none on purpose. Targets and bounds are exact Decimals (computed in
the 50-digit context of ``recipes.units``); a quotient is rounded there only when
it does not terminate (a 100 kg batch of a 120 kg recipe scales by 0.8333...),
50 significant digits being far below any balance's readability. Rounding for
display belongs to the screen and the printed label; the tolerance check
compares the net weight against the unrounded ``low`` and ``high``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from recipes.hashing import content_hash
from recipes.model import MasterRecipe, Quantity, WeighStep
from recipes.units import CONTEXT, UnitError, convert, is_mass_unit

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class WeighTarget:
    """What a weigh step asks for in this batch: target and inclusive absolute bounds,
    all in the unit the step is written in."""

    step_id: str
    material: str
    target: Quantity
    low: Decimal
    high: Decimal

    @property
    def unit(self) -> str:
        return self.target.unit


@dataclass(frozen=True)
class ControlRecipe:
    master: MasterRecipe
    content_hash: str  # of the master recipe, as recorded with the batch
    batch_size: Quantity
    factor: Decimal  # batch size / master batch size
    weighings: tuple[WeighTarget, ...]

    def weighing(self, step_id: str) -> WeighTarget:
        for weighing in self.weighings:
            if weighing.step_id == step_id:
                return weighing
        raise KeyError(f"{step_id!r} is not a weigh step of {self.master.code} v{self.master.version}")


def scale_recipe(recipe: MasterRecipe, size: Quantity) -> ControlRecipe:
    """The control recipe for a batch of ``size``. Raises ``UnitError`` for a batch size that is
    not a mass and ``ValueError`` for one that is not positive."""
    if not is_mass_unit(size.unit):
        raise UnitError(f"batch size unit {size.unit!r} is not a mass unit")
    if not size.value.is_finite() or size.value <= 0:
        raise ValueError(f"batch size must be greater than zero, not {size.value}")
    master_size = recipe.batch_size
    size_in_master_unit = convert(size.value, size.unit, master_size.unit)
    weighings = tuple(
        _weigh_target(step, size_in_master_unit, master_size.value)
        for _, step in recipe.steps()
        if isinstance(step, WeighStep)
    )
    return ControlRecipe(
        master=recipe,
        content_hash=content_hash(recipe),
        batch_size=size,
        factor=CONTEXT.divide(size_in_master_unit, master_size.value),
        weighings=weighings,
    )


def _weigh_target(step: WeighStep, size: Decimal, master_size: Decimal) -> WeighTarget:
    # Multiply before dividing: one rounding at most, and none when the result terminates.
    target = CONTEXT.divide(CONTEXT.multiply(step.quantity.value, size), master_size)
    low = CONTEXT.multiply(target, CONTEXT.subtract(1, CONTEXT.divide(step.minus_pct, HUNDRED)))
    high = CONTEXT.multiply(target, CONTEXT.add(1, CONTEXT.divide(step.plus_pct, HUNDRED)))
    return WeighTarget(step.id, step.material, Quantity(target, step.quantity.unit), low, high)
