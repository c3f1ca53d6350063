"""The master recipe as the station holds it: typed, immutable, Decimal numbers.

ISA-88 shaped: a recipe is one procedure made of operations; an operation
holds steps (phases). A step is one of six kinds, each its own class with a
``kind`` class attribute that matches the ``kind:`` of the YAML file.

Instances come from ``recipes.loader`` (which validates everything first), so
the model itself does not re-check its invariants.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Literal

from recipes.units import convert

#: What an equipment step can require of the equipment scanned for it.
REQUIREMENTS: tuple[str, ...] = ("in_service", "calibrated", "clean", "daily_check")

#: The roles a signature step may ask for (the roles of the site master data).
ROLES: tuple[str, ...] = ("operator", "supervisor", "qa", "admin")

StepKind = Literal["instruction", "check", "measure", "equipment", "weigh", "signature"]
STEP_KINDS: tuple[StepKind, ...] = ("instruction", "check", "measure", "equipment", "weigh", "signature")


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    unit: str

    def to(self, unit: str) -> Quantity:
        """The same mass in another mass unit (exact, see ``recipes.units``)."""
        return Quantity(convert(self.value, self.unit, unit), unit)

    def __str__(self) -> str:
        return f"{self.value} {self.unit}"


@dataclass(frozen=True)
class InstructionStep:
    kind: ClassVar[Literal["instruction"]] = "instruction"
    id: str
    text: str
    confirm: str  # the statement the operator confirms, e.g. "Materials charged"
    image: str | None = None  # a file beside the recipe, shown with the instruction
    # Its SHA-256 (64 hex digits): the image's content is part of the recipe's content and hash.
    image_sha256: str | None = field(default=None, metadata={"hash_default": False})


@dataclass(frozen=True)
class CheckStep:
    kind: ClassVar[Literal["check"]] = "check"
    id: str
    question: str
    expect: bool  # the answer that lets the batch go on; the other one opens a deviation
    # "block": the other answer also stops the batch at this step until a supervisor (not the
    # person who answered) decides how it goes on. Left out of the content hash while it is
    # the default, so recipes written before it existed keep their hash.
    on_failure: Literal["deviation", "block"] = field(default="deviation", metadata={"hash_default": False})


@dataclass(frozen=True)
class MeasureStep:
    kind: ClassVar[Literal["measure"]] = "measure"
    id: str
    name: str
    unit: str  # any unit of measure (rpm, min, %): not necessarily a mass
    low: Decimal | None = None
    high: Decimal | None = None
    decimals: int | None = None


@dataclass(frozen=True)
class EquipmentStep:
    kind: ClassVar[Literal["equipment"]] = "equipment"
    id: str
    bind: str  # the name later steps use for the equipment scanned here
    equipment_class: str
    requires: tuple[str, ...] = ()  # values from REQUIREMENTS


@dataclass(frozen=True)
class WeighStep:
    kind: ClassVar[Literal["weigh"]] = "weigh"
    id: str
    material: str
    quantity: Quantity  # per the master recipe's batch size; see recipes.scaling
    minus_pct: Decimal
    plus_pct: Decimal
    scale: str  # a binding name made by an earlier EquipmentStep
    label: str | None = None


@dataclass(frozen=True)
class SignatureStep:
    kind: ClassVar[Literal["signature"]] = "signature"
    id: str
    meaning: str
    role: str
    independent_of: tuple[str, ...] = ()  # earlier steps whose performers may not sign


Step = InstructionStep | CheckStep | MeasureStep | EquipmentStep | WeighStep | SignatureStep


@dataclass(frozen=True)
class Operation:
    id: str
    title: str
    training: tuple[str, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class MasterRecipe:
    code: str
    version: int
    title: str
    product_code: str
    product_name: str
    batch_size: Quantity
    training: tuple[str, ...]
    operations: tuple[Operation, ...]

    def steps(self) -> Iterator[tuple[Operation, Step]]:
        """Every step with its operation, in execution order."""
        for operation in self.operations:
            for step in operation.steps:
                yield operation, step

    def step(self, step_id: str) -> Step:
        return self._locate(step_id)[1]

    def operation_of(self, step_id: str) -> Operation:
        return self._locate(step_id)[0]

    def step_ids(self) -> tuple[str, ...]:
        return tuple(step.id for _, step in self.steps())

    def required_training(self, step_id: str) -> tuple[str, ...]:
        """SOP codes a performer of the step must be trained on: recipe-level first, then
        the operation's, each code once."""
        operation = self.operation_of(step_id)
        return tuple(dict.fromkeys((*self.training, *operation.training)))

    def binding(self, step_id: str, name: str) -> EquipmentStep:
        """The equipment step that binds ``name`` for ``step_id``: the nearest one before it
        (a later equipment step may re-bind a name, e.g. a second granulator)."""
        found: EquipmentStep | None = None
        for _, step in self.steps():
            if step.id == step_id:
                break
            if isinstance(step, EquipmentStep) and step.bind == name:
                found = step
        if found is None:
            raise KeyError(f"no equipment step binds {name!r} before {step_id}")
        return found

    def scale_binding(self, step_id: str) -> EquipmentStep:
        """The equipment step whose scale the weigh step ``step_id`` uses."""
        step = self.step(step_id)
        if not isinstance(step, WeighStep):
            raise KeyError(f"{step_id} is a {step.kind} step, not a weigh step")
        return self.binding(step_id, step.scale)

    def _locate(self, step_id: str) -> tuple[Operation, Step]:
        for operation, step in self.steps():
            if step.id == step_id:
                return operation, step
        raise KeyError(f"recipe {self.code} v{self.version} has no step {step_id!r}")
