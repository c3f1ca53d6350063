"""The recipe file format as pydantic models: shape, types and single-field rules.

These models mirror the YAML document key for key, so a pydantic error location
is also a path in the file (``loader`` turns it into a line number). Every
scalar goes through a plain validator of our own: the messages are written for
the recipe author, and nothing is coerced behind their back (a quoted "60" is
not a number, ``true`` is not text).

Rules that need more than one field or the whole recipe (duplicate ids,
equipment bindings, signature independence, low <= high) are in
``recipes.crosschecks``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator

from recipes.ids import id_problem
from recipes.model import REQUIREMENTS, ROLES
from recipes.units import MASS_UNITS, is_mass_unit


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be text, not {_describe(value)}")
    if not value.strip():
        raise ValueError("must not be empty")
    return str(value)  # a plain str, not ruamel's scalar-string subclass


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a whole number, not {_describe(value)}")
    return int(value)


#: The largest version a recipe may carry: versions are counted one by one, and every store
#: (SQLite, PostgreSQL) keeps them as 32-bit integers.
MAX_VERSION = 999_999


def _positive_whole(value: Any) -> int:
    number = _whole(value)
    if number < 1:
        raise ValueError(f"must be 1 or more, not {number}")
    return number


def _version(value: Any) -> int:
    number = _positive_whole(value)
    if number > MAX_VERSION:
        raise ValueError(f"must be at most {MAX_VERSION:,}, not {number:.3g}")
    return number


def _decimals(value: Any) -> int:
    number = _whole(value)
    if not 0 <= number <= 12:
        raise ValueError(f"must be between 0 and 12, not {number}")
    return number


def _number(value: Any) -> Decimal:
    # bool is an int; ruamel's anchored booleans are ints too (the loader refuses anchors).
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        raise ValueError(f"must be a number, not {_describe(value)}")
    number = Decimal(value) if isinstance(value, int | Decimal) else Decimal(repr(float(value)))
    if not number.is_finite():
        raise ValueError("must be a finite number")
    return number


def _positive(value: Any) -> Decimal:
    number = _number(value)
    if number <= 0:
        raise ValueError(f"must be greater than zero, not {number}")
    return number


def _percent(value: Any) -> Decimal:
    number = _number(value)
    if number < 0:
        raise ValueError("must not be negative")
    if number > 100:
        raise ValueError(f"must not exceed 100, not {number}")
    return number


def _mass_unit(value: Any) -> str:
    unit = _text(value)
    if not is_mass_unit(unit):
        raise ValueError(f"{unit!r} is not a mass unit (use {', '.join(MASS_UNITS)})")
    return unit


def _yes_no(value: Any) -> bool:
    # YAML 1.2 reads `yes`/`no` as text; the reference recipes use them, so accept both spellings.
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("yes", "true"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("no", "false"):
        return False
    raise ValueError(f"must be yes or no, not {_describe(value)}")


def _requirement(value: Any) -> str:
    text = _text(value)
    if text not in REQUIREMENTS:
        raise ValueError(f"unknown requirement {text!r} (expected one of: {', '.join(REQUIREMENTS)})")
    return text


def _role(value: Any) -> str:
    text = _text(value)
    if text not in ROLES:
        raise ValueError(f"unknown role {text!r} (expected one of: {', '.join(ROLES)})")
    return text


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, str):
        return f"text {value[:40]!r}"
    if isinstance(value, int | float | Decimal):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _identifier(value: Any) -> str:
    text = _text(value)
    problem = id_problem(text, "the id")
    if problem is not None:
        raise ValueError(problem)
    return text


Text = Annotated[str, PlainValidator(_text)]
Identifier = Annotated[str, PlainValidator(_identifier)]
OptionalText = Annotated[str | None, PlainValidator(_optional_text)]
PositiveWhole = Annotated[int, PlainValidator(_positive_whole)]
Version = Annotated[int, PlainValidator(_version)]
Decimals = Annotated[int | None, PlainValidator(lambda v: None if v is None else _decimals(v))]
Number = Annotated[Decimal | None, PlainValidator(lambda v: None if v is None else _number(v))]
Positive = Annotated[Decimal, PlainValidator(_positive)]
Percent = Annotated[Decimal, PlainValidator(_percent)]
MassUnit = Annotated[str, PlainValidator(_mass_unit)]
YesNo = Annotated[bool, PlainValidator(_yes_no)]
Requirement = Annotated[str, PlainValidator(_requirement)]
Role = Annotated[str, PlainValidator(_role)]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProductDoc(_Doc):
    code: Identifier
    name: Text


class BatchSizeDoc(_Doc):
    quantity: Positive
    unit: MassUnit


class HeaderDoc(_Doc):
    code: Identifier
    version: Version
    title: Text
    product: ProductDoc
    batch_size: BatchSizeDoc
    training: list[Text] = []


class InstructionDoc(_Doc):
    id: Identifier
    kind: Literal["instruction"]
    text: Text
    confirm: Text
    image: OptionalText = None
    # The SHA-256 of the image file: it puts the image's content into the recipe's hash.
    image_sha256: OptionalText = None


class CheckDoc(_Doc):
    id: Identifier
    kind: Literal["check"]
    question: Text
    expect: YesNo
    on_failure: Literal["deviation", "block"] = "deviation"


class LimitsDoc(_Doc):
    low: Number = None
    high: Number = None


class MeasureDoc(_Doc):
    id: Identifier
    kind: Literal["measure"]
    name: Text
    unit: Text
    limits: LimitsDoc | None = None
    decimals: Decimals = None


class EquipmentDoc(_Doc):
    id: Identifier
    kind: Literal["equipment"]
    bind: Text
    class_: Text = Field(alias="class")
    requires: list[Requirement] = []


class MassDoc(_Doc):
    value: Positive
    unit: MassUnit


class ToleranceDoc(_Doc):
    minus_pct: Percent
    plus_pct: Percent


class WeighDoc(_Doc):
    id: Identifier
    kind: Literal["weigh"]
    material: Text
    quantity: MassDoc
    tolerance: ToleranceDoc
    scale: Text
    label: OptionalText = None


class SignatureDoc(_Doc):
    id: Identifier
    kind: Literal["signature"]
    meaning: Text
    role: Role
    independent_of: list[Text] = []


StepDoc = Annotated[
    InstructionDoc | CheckDoc | MeasureDoc | EquipmentDoc | WeighDoc | SignatureDoc,
    Field(discriminator="kind"),
]


class OperationDoc(_Doc):
    id: Identifier
    title: Text
    training: list[Text] = []
    steps: Annotated[list[StepDoc], Field(min_length=1)]


class RecipeDoc(_Doc):
    recipe: HeaderDoc
    operations: Annotated[list[OperationDoc], Field(min_length=1)]
