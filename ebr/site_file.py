"""The master-data file: its format, read and checked on its own (no database).

The format is ``tests/data/masterdata/site.yaml``: one YAML mapping with the lists
``documents``, ``users``, ``training``, ``materials``, ``lots`` and ``equipment`` (each
optional), and the mapping ``password_policy`` (optional: the defaults apply without it).
It is read by ``recipes.safe_yaml`` (size limited, no anchors or aliases, exact decimals)
and validated whole: pydantic models with ``extra="forbid"`` for shape and types, then the
cross-checks (duplicates, references, GTIN check digits, retest after expiry, a
scale's limits); every problem is reported as ``FILE:LINE: field: message`` in one
:class:`MasterDataInvalid`.

All of it, and the hashing of new users' initial passwords, happens before an import takes
the database's write lock (``ebr.masterdata``): a large or hostile file keeps no station
waiting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from ebr.errors import StoreError
from recipes.ids import id_problem, shown
from recipes.locate import PathElement, format_path, path_line
from recipes.problems import Problem
from recipes.safe_yaml import YamlRefused, load_yaml

ROLES = ("operator", "supervisor", "qa", "admin")
#: A site of 10,000 users, 50,000 training records and 100,000 lots is some 12 MB of YAML.
MAX_SITE_FILE_BYTES = 32 << 20


class MasterDataInvalid(StoreError):
    """The master-data file cannot be imported; ``problems`` lists every problem, in file order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def _text(value: Any) -> Any:
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("must not be empty")
        return str(value)
    if value is None or isinstance(value, bool | int | float | dt.date):
        raise ValueError(f"must be text, not {type(value).__name__}")
    return value


#: A name or title is read on a screen and printed in the record: one line of sensible length.
MAX_NAME_LENGTH = 200
#: GS1 General Specifications, AI (10) batch/lot: up to 20 characters of the "CSET 82" set.
GS1_CSET82 = frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
MAX_LOT_LENGTH = 20


def _identifier(value: Any) -> Any:
    """A code that names a thing (user, document, material, equipment): the pattern recipe and
    batch ids follow, so no zero-width, right-to-left or look-alike letter hides in it."""
    value = _text(value)
    problem = id_problem(value, "the id") if isinstance(value, str) else None
    if problem is not None:
        raise ValueError(problem)
    return value


def _lot_number(value: Any) -> Any:
    """A lot number as a GS1-128 label carries it in AI (10), so a scan can match it."""
    value = _text(value)
    if isinstance(value, str):
        if len(value) > MAX_LOT_LENGTH:
            raise ValueError(
                f"a lot number has at most {MAX_LOT_LENGTH} characters (GS1 AI 10), not {len(value):,}"
            )
        odd = next((c for c in value if c not in GS1_CSET82), None)
        if odd is not None:
            raise ValueError(
                f"the lot number {shown(value)} holds U+{ord(odd):04X}: GS1 AI (10) allows no such character"
            )
    return value


def _name(value: Any) -> Any:
    value = _text(value)
    if isinstance(value, str):
        if len(value) > MAX_NAME_LENGTH:
            raise ValueError(f"has {len(value):,} characters: at most {MAX_NAME_LENGTH}")
        if any(unicodedata.category(c) in ("Cc", "Cf") for c in value):
            raise ValueError(f"{shown(value)} holds a control or invisible character")
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


Text = Annotated[str, BeforeValidator(_name)]
Id = Annotated[str, BeforeValidator(_identifier)]
LotNumber = Annotated[str, BeforeValidator(_lot_number)]
Whole = Annotated[int, BeforeValidator(_whole), Field(ge=1)]
Number = Annotated[Decimal, BeforeValidator(_number), Field(gt=0)]
Day = Annotated[dt.date, BeforeValidator(_date_only)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DocumentIn(_Strict):
    code: Id
    revision: Whole
    title: Text


class UserIn(_Strict):
    id: Id
    name: Text
    roles: Annotated[list[Literal["operator", "supervisor", "qa", "admin"]], Field(min_length=1)]
    badge: Text | None = None
    initial_password: Text | None = None


class TrainingIn(_Strict):
    user: Id
    document: Id
    revision: Whole
    trained_on: Day
    expires: Day | None = None


class MaterialIn(_Strict):
    code: Id
    name: Text
    gtin: Annotated[str, BeforeValidator(_text), Field(pattern=r"^[0-9]{8}$|^[0-9]{12,14}$")] | None = None


class LotIn(_Strict):
    material: Id
    lot: LotNumber
    status: Literal["released", "quarantined", "rejected"]
    expiry: Day
    retest: Day | None = None


class ScaleIn(_Strict):
    capacity: Number
    readability: Number
    min_weight: Number | None = None  # USP <41> minimum net weight, in the scale's unit
    unit: Literal["kg", "g", "mg"]


class EquipmentIn(_Strict):
    id: Id
    equipment_class: Id = Field(alias="class")
    name: Text
    serial_number: Text | None = None  # as the device reports it (MT-SICS I4, SBI)
    status: Literal["in_service", "out_of_service"]
    calibrated_until: Day | None = None
    clean_until: AwareDatetime | None = None
    daily_check_until: AwareDatetime | None = None
    scale: ScaleIn | None = None


class PasswordPolicyIn(_Strict):
    """The site's password policy (``ebr.password_policy``): stricter than the defaults, never
    weaker; ``max_age_days`` left out keeps passwords from ageing."""

    min_length: Annotated[int, BeforeValidator(_whole), Field(ge=8, le=128)] = 8
    character_classes: Annotated[int, BeforeValidator(_whole), Field(ge=3, le=4)] = 3
    history: Annotated[int, BeforeValidator(_whole), Field(ge=5, le=50)] = 5
    max_age_days: Annotated[int, BeforeValidator(_whole), Field(ge=1, le=3650)] | None = None


class SiteFile(_Strict):
    password_policy: PasswordPolicyIn | None = None
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


def parse_site_file(text: str, filename: str, known: Known | None = None) -> SiteFile:
    """Validate a master-data file; MasterDataInvalid with every located problem."""
    return _parsed(text, filename).checked(known or Known())


@dataclass(frozen=True)
class SiteFileRead:
    """A master-data file read and validated on its own: what an import writes, its SHA-256,
    and the document (to locate the problems of the checks against the store)."""

    path: Path
    sha256: str
    site: SiteFile
    document: Any = field(repr=False)
    #: argon2id hashes of initial passwords, by user id, made before the import's write lock
    password_hashes: dict[str, str] = field(default_factory=dict, repr=False)

    def problem(self, path: Sequence[PathElement], message: str) -> Problem:
        return Problem(str(self.path), path_line(self.document, path), format_path(path), message)

    def checked(self, known: Known) -> SiteFile:
        """The site, its references checked against what the store already holds as well."""
        problems = _crosscheck(self.site, known, self.problem)
        if problems:
            raise MasterDataInvalid(problems)
        return self.site


def read_site_file(path: str | Path) -> SiteFileRead:
    """Read and validate a master-data file (every check that needs no database)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_SITE_FILE_BYTES:
            message = (
                f"the file is {size:,} bytes: a master-data file may have at most {MAX_SITE_FILE_BYTES:,}"
            )
            raise MasterDataInvalid([Problem(str(path), 1, "document", message)])
        data = path.read_bytes()
    except OSError as exc:
        raise MasterDataInvalid(
            [Problem(str(path), 1, "document", f"cannot read the file: {exc.strerror or exc}")]
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise MasterDataInvalid([Problem(str(path), line, "document", "not UTF-8 text")]) from None
    read = _parsed(text, str(path))
    return SiteFileRead(path, hashlib.sha256(data).hexdigest(), read.site, read.document)


def read_site_text(text: str, filename: str) -> SiteFileRead:
    """Read and validate master data given as text (a hub's delta), as ``read_site_file`` does
    a file; ``filename`` names it in problems."""
    read = _parsed(text, filename)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return SiteFileRead(Path(filename), digest, read.site, read.document)


def _parsed(text: str, filename: str) -> SiteFileRead:
    try:
        document = load_yaml(text, what="a master-data file", max_bytes=MAX_SITE_FILE_BYTES)
    except YamlRefused as refused:
        raise MasterDataInvalid(
            [Problem(filename, line, "document", m) for line, m in refused.problems]
        ) from None
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
    return SiteFileRead(Path(filename), "", site, document)


def _drop_union_tags(path: tuple[PathElement, ...]) -> tuple[PathElement, ...]:
    # pydantic puts the union member into the location (e.g. "function-before[...]", "str")
    return tuple(e for e in path if not (isinstance(e, str) and ("[" in e or e in ("str", "list", "date"))))


def _message(text: str) -> str:
    return text[len("Value error, ") :] if text.startswith("Value error, ") else text


@dataclass(frozen=True)
class Known:
    """What the store already holds, for references the file does not resolve itself."""

    users: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()
    materials: frozenset[str] = frozenset()


def _crosscheck(
    site: SiteFile, known: Known, problem: Callable[[Sequence[PathElement], str], Problem]
) -> list[Problem]:
    """The checks across entries (cheap: done when the import knows what the store holds, so
    that every problem is reported at once)."""
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
