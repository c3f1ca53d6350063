"""Importing site master data (users, documents, training, materials, lots, equipment).

The file format is ``tests/data/masterdata/site.yaml``: one YAML mapping with the lists
``documents``, ``users``, ``training``, ``materials``, ``lots`` and ``equipment`` (each
optional). It is validated whole before anything is written: pydantic models with
``extra="forbid"`` for shape and types, then the cross-checks (duplicates, references,
GTIN check digits, retest after expiry); every problem is reported as
``FILE:LINE: field: message`` in one :class:`MasterDataInvalid`.

Import is idempotent: an entity that is already stored with the same values writes
nothing. A new entity writes ``master.<kind>.added``; a changed one (a lot released, a
calibration renewed) is updated in place and writes ``master.<kind>.changed`` with
the old and the new value of each changed field. The reason of every event names the
file and its SHA-256. Initial passwords are stored only as argon2id hashes, with
``must_change_password`` set; re-importing a user never touches their password.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from sqlalchemy import select

from ebr import events as ev
from ebr.audit import SITE_STREAM
from ebr.errors import StoreError
from ebr.master_seal import KINDS, seal_of
from ebr.models import Document, Material, User
from ebr.uow import UnitOfWork
from ebr.users import hash_password
from recipes.locate import PathElement, format_path, path_line
from recipes.problems import Problem

ROLES = ("operator", "supervisor", "qa", "admin")


class MasterDataInvalid(StoreError):
    """The master-data file cannot be imported; ``problems`` lists every problem, in file order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class ImportReport:
    added: int
    changed: int
    unchanged: int
    sha256: str = ""

    @property
    def events(self) -> int:
        return self.added + self.changed


# ------------------------------------------------------------------ the file format


def _text(value: Any) -> Any:
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("must not be empty")
        return str(value)
    if value is None or isinstance(value, bool | int | float | dt.date):
        raise ValueError(f"must be text, not {type(value).__name__}")
    return value


def _whole(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number")
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("must be a number")
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _date_only(value: Any) -> Any:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValueError("must be a date (YYYY-MM-DD)")
    return value


Text = Annotated[str, BeforeValidator(_text)]
Whole = Annotated[int, BeforeValidator(_whole), Field(ge=1)]
Number = Annotated[Decimal, BeforeValidator(_number), Field(gt=0)]
Day = Annotated[dt.date, BeforeValidator(_date_only)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DocumentIn(_Strict):
    code: Text
    revision: Whole
    title: Text


class UserIn(_Strict):
    id: Text
    name: Text
    roles: Annotated[list[Literal["operator", "supervisor", "qa", "admin"]], Field(min_length=1)]
    badge: Text | None = None
    initial_password: Text | None = None


class TrainingIn(_Strict):
    user: Text
    document: Text
    revision: Whole
    trained_on: Day
    expires: Day | None = None


class MaterialIn(_Strict):
    code: Text
    name: Text
    gtin: Annotated[str, BeforeValidator(_text), Field(pattern=r"^[0-9]{8}$|^[0-9]{12,14}$")] | None = None


class LotIn(_Strict):
    material: Text
    lot: Text
    status: Literal["released", "quarantined", "rejected"]
    expiry: Day
    retest: Day | None = None


class ScaleIn(_Strict):
    capacity: Number
    readability: Number
    min_weight: Number | None = None  # USP <41> minimum net weight, in the scale's unit
    unit: Literal["kg", "g", "mg"]


class EquipmentIn(_Strict):
    id: Text
    equipment_class: Text = Field(alias="class")
    name: Text
    serial_number: Text | None = None  # as the device reports it (MT-SICS I4, SBI)
    status: Literal["in_service", "out_of_service"]
    calibrated_until: Day | None = None
    clean_until: AwareDatetime | None = None
    daily_check_until: AwareDatetime | None = None
    scale: ScaleIn | None = None


class SiteFile(_Strict):
    documents: list[DocumentIn] = []
    users: list[UserIn] = []
    training: list[TrainingIn] = []
    materials: list[MaterialIn] = []
    lots: list[LotIn] = []
    equipment: list[EquipmentIn] = []


# ------------------------------------------------------------------ reading and checking


def _plain(node: Any) -> Any:
    """ruamel's round-trip objects as plain Python values (dict, list, str, int, date ...)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, dt.datetime):
        return dt.datetime(
            node.year,
            node.month,
            node.day,
            node.hour,
            node.minute,
            node.second,
            node.microsecond,
            node.tzinfo,
        )
    return node


def gtin_valid(gtin: str) -> bool:
    """The GS1 check digit of a GTIN-8/12/13/14 is right."""
    digits = [int(c) for c in gtin]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def parse_site_file(text: str, filename: str, known: _Known | None = None) -> SiteFile:
    """Validate a master-data file; MasterDataInvalid with every located problem."""
    yaml = YAML(typ="rt")
    try:
        document = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise MasterDataInvalid(
            [Problem(filename, line, "document", f"not valid YAML: {exc.problem}")]
        ) from None
    except YAMLError as exc:
        raise MasterDataInvalid([Problem(filename, 1, "document", f"not valid YAML: {exc}")]) from None
    except (
        ValueError,
        TypeError,
        AttributeError,
        KeyError,
        IndexError,
        AssertionError,
        RecursionError,
    ) as exc:
        # ruamel raises a few plain exceptions (even an internal assertion) on very broken input.
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise MasterDataInvalid([Problem(filename, 1, "document", f"not valid YAML: {reason}")]) from None
    if document is None:
        raise MasterDataInvalid([Problem(filename, 1, "document", "the file is empty")])
    if not isinstance(document, dict):
        raise MasterDataInvalid(
            [Problem(filename, 1, "document", "must be a mapping of lists (documents, users ...)")]
        )

    def problem(path: Sequence[PathElement], message: str) -> Problem:
        return Problem(filename, path_line(document, path), format_path(path), message)

    try:
        site = SiteFile.model_validate(_plain(document))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            path = tuple(e for e in error["loc"] if isinstance(e, str | int))
            if (path and path[-1] == "class") or "equipment_class" in path:
                path = tuple("class" if e == "equipment_class" else e for e in path)
            path = _drop_union_tags(path)
            problems.append(problem(path, _message(error["msg"])))
        raise MasterDataInvalid(problems) from None
    problems = _crosscheck(site, known or _Known(), problem)
    if problems:
        raise MasterDataInvalid(problems)
    return site


def _drop_union_tags(path: tuple[PathElement, ...]) -> tuple[PathElement, ...]:
    # pydantic puts the union member into the location (e.g. "function-before[...]", "str")
    return tuple(e for e in path if not (isinstance(e, str) and ("[" in e or e in ("str", "list", "date"))))


def _message(text: str) -> str:
    return text[len("Value error, ") :] if text.startswith("Value error, ") else text


@dataclass(frozen=True)
class _Known:
    """What the store already holds, for references the file does not resolve itself."""

    users: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()
    materials: frozenset[str] = frozenset()


def _crosscheck(
    site: SiteFile, known: _Known, problem: Callable[[Sequence[PathElement], str], Problem]
) -> list[Problem]:
    problems: list[Problem] = []

    def unique(section: str, items: Sequence[Any], key: Callable[[Any], Any], field: str, what: str) -> None:
        seen: dict[Any, int] = {}
        for index, item in enumerate(items):
            value = key(item)
            if value is None:
                continue
            if value in seen:
                problems.append(
                    problem((section, index, field), f"{what} {value} already at {section}[{seen[value]}]")
                )
            else:
                seen[value] = index

    unique("documents", site.documents, lambda d: d.code, "code", "document")
    unique("users", site.users, lambda u: u.id, "id", "user")
    unique("users", site.users, lambda u: u.badge, "badge", "badge")
    unique("training", site.training, lambda t: (t.user, t.document, t.revision), "revision", "training")
    unique("materials", site.materials, lambda m: m.code, "code", "material")
    unique("materials", site.materials, lambda m: m.gtin, "gtin", "GTIN")
    unique("lots", site.lots, lambda lot: (lot.material, lot.lot), "lot", "lot")
    unique("equipment", site.equipment, lambda e: e.id, "id", "equipment")
    users = known.users | {u.id for u in site.users}
    documents = known.documents | {d.code for d in site.documents}
    materials = known.materials | {m.code for m in site.materials}
    for index, user in enumerate(site.users):
        if len(set(user.roles)) != len(user.roles):
            problems.append(problem(("users", index, "roles"), "a role is listed twice"))
    for index, training in enumerate(site.training):
        if training.user not in users:
            problems.append(problem(("training", index, "user"), f"unknown user {training.user}"))
        if training.document not in documents:
            problems.append(problem(("training", index, "document"), f"unknown document {training.document}"))
        if training.expires is not None and training.expires < training.trained_on:
            problems.append(problem(("training", index, "expires"), "expires before the training took place"))
    for index, material in enumerate(site.materials):
        if material.gtin is not None and not gtin_valid(material.gtin):
            problems.append(
                problem(("materials", index, "gtin"), f"GTIN {material.gtin} has a wrong check digit")
            )
    for index, lot in enumerate(site.lots):
        if lot.material not in materials:
            problems.append(problem(("lots", index, "material"), f"unknown material {lot.material}"))
        if lot.retest is not None and lot.retest > lot.expiry:
            problems.append(problem(("lots", index, "retest"), "the retest date is after the expiry date"))
    for index, equipment in enumerate(site.equipment):
        scale = equipment.scale
        if scale is not None and scale.readability >= scale.capacity:
            problems.append(
                problem(("equipment", index, "scale", "readability"), "must be below the capacity")
            )
        if scale is not None and scale.min_weight is not None:
            if not scale.readability <= scale.min_weight < scale.capacity:
                problems.append(
                    problem(
                        ("equipment", index, "scale", "min_weight"),
                        "must be at least the readability and below the capacity",
                    )
                )
    return problems


# ------------------------------------------------------------------ writing


def _values(kind: str, item: Any) -> dict[str, Any]:
    """The stored columns of one entity of the file (without the user's password)."""
    if kind == "document":
        return {"code": item.code, "revision": item.revision, "title": item.title}
    if kind == "user":
        return {"id": item.id, "name": item.name, "roles": sorted(item.roles), "badge": item.badge}
    if kind == "training":
        return {
            "user_id": item.user,
            "document_code": item.document,
            "revision": item.revision,
            "trained_on": item.trained_on,
            "expires": item.expires,
        }
    if kind == "material":
        gtin = None if item.gtin is None else item.gtin.zfill(14)
        return {"code": item.code, "name": item.name, "gtin": gtin}
    if kind == "lot":
        return {
            "material_code": item.material,
            "lot": item.lot,
            "status": item.status,
            "expiry": item.expiry,
            "retest": item.retest,
        }
    scale = item.scale
    return {
        "id": item.id,
        "equipment_class": item.equipment_class,
        "name": item.name,
        "status": item.status,
        "calibrated_until": item.calibrated_until,
        "clean_until": None if item.clean_until is None else item.clean_until.astimezone(dt.UTC),
        "daily_check_until": None
        if item.daily_check_until is None
        else item.daily_check_until.astimezone(dt.UTC),
        "scale_capacity": scale.capacity if scale else None,
        "scale_readability": scale.readability if scale else None,
        "scale_unit": scale.unit if scale else None,
        # Columns added later are written only when the file gives them: a file without them
        # (written before they existed) imports as it always has.
        **({"serial_number": item.serial_number} if item.serial_number is not None else {}),
        **({"scale_min_weight": scale.min_weight} if scale and scale.min_weight is not None else {}),
    }


#: Each kind of master data (``ebr.master_seal.KINDS``: table and key) with its section of the file.
_SECTIONS = {"document": "documents", "user": "users", "training": "training", "material": "materials",
             "lot": "lots", "equipment": "equipment"}  # fmt: skip


def _same(old: Any, new: Any) -> bool:
    return bool(old == new)


def import_master_data(uow: UnitOfWork, path: str | Path, user_id: str | None) -> ImportReport:
    """Import a master-data file into the store (see the module docstring). The caller commits."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MasterDataInvalid(
            [Problem(str(path), 1, "document", f"cannot read the file: {exc.strerror}")]
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise MasterDataInvalid([Problem(str(path), 1, "document", "not UTF-8 text")]) from None
    digest = hashlib.sha256(data).hexdigest()
    session = uow.session
    known = _Known(
        users=frozenset(session.scalars(select(User.id))),
        documents=frozenset(session.scalars(select(Document.code))),
        materials=frozenset(session.scalars(select(Material.code))),
    )
    site = parse_site_file(text, str(path), known)
    reason = f"master data import {path.name} sha256:{digest}"
    added = changed = unchanged = 0
    for master in KINDS:
        kind, model, key, table = master.name, master.model, master.key, master.table
        for item in getattr(site, _SECTIONS[kind]):
            values = _values(kind, item)
            entity_id = master.entity_of(values)
            row = session.scalars(select(model).where(*(table.c[k] == values[k] for k in key))).one_or_none()
            if row is None:
                row = model(**values)
                if kind == "user":
                    password = item.initial_password
                    row.password_hash = hash_password(password) if password else None  # type: ignore[attr-defined]
                    row.must_change_password = True  # type: ignore[attr-defined]
                    row.failed_attempts, row.locked, row.active = 0, False, True  # type: ignore[attr-defined]
                session.add(row)
                session.flush()
                seal = seal_of(row, uow.connection.dialect)
                added_event = ev.MasterDataChanged(
                    kind=kind, entity=entity_id, change="added", after=values, note=reason, seal=seal
                )
                uow.write(added_event, stream=SITE_STREAM, user_id=user_id)
                added += 1
                continue
            old = {k: getattr(row, k) for k in values if not _same(getattr(row, k), values[k])}
            if not old:
                unchanged += 1
                continue
            new = {k: values[k] for k in old}
            for k, v in new.items():
                setattr(row, k, v)
            session.flush()
            seal = seal_of(row, uow.connection.dialect)
            changed_event = ev.MasterDataChanged(
                kind=kind, entity=entity_id, change="changed", before=old, after=new, note=reason, seal=seal
            )
            uow.write(changed_event, stream=SITE_STREAM, user_id=user_id)
            changed += 1
    return ImportReport(added, changed, unchanged, digest)
