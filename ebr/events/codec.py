"""How a typed audit event maps to the columns of ``audit_events`` and to its typed record.

Every audit action of the record is a frozen dataclass (``ebr.events.batch`` and
``ebr.events.site``). Each field says where it is stored (``Place``):

* ``PAYLOAD`` (the default): a key of the event's ``new_value`` JSON, named as the field or
  as ``key=``; ``omit_none`` leaves the key out when the value is None (older events never
  had it);
* ``OLD``: a key of ``old_value`` (master data and user events keep the value before);
* ``REASON`` / ``ENTITY_ID`` / ``ENTITY_TYPE``: those columns of the event;
* ``FLAT``: a mapping whose keys stand at the top of ``new_value`` beside the other keys
  (what a refused action had in hand when it was refused);
* ``RECORD``: not in the event at all, only in the typed record row the event vouches for
  (the control-recipe snapshot of a batch, the hash a signature signs). Read back from an
  event, such a field is None: the row holds it.

Values are written as JSON's own types: ``Decimal`` as its text, dates and times in ISO 8601,
nested dataclasses as objects, tuples as arrays; reading converts back by the field's type.
Encoding is exactly what the engine wrote before the classes existed, key for key, so a
database written then decodes to the same events and its hashes still verify.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar, Literal, TypeVar, Union

from ebr.models import Base

Outcome = Literal["accepted", "refused", "deviation"]


class Place(Enum):
    PAYLOAD = "payload"
    OLD = "old"
    REASON = "reason"
    ENTITY_ID = "entity_id"
    ENTITY_TYPE = "entity_type"
    FLAT = "flat"
    RECORD = "record"


def stored(
    place: Place = Place.PAYLOAD, *, key: str | None = None, omit_none: bool = False
) -> dict[str, Any]:
    """Field metadata: where the field is stored (see the module's docstring)."""
    return {"place": place, "key": key, "omit_none": omit_none}


def at(place: Place, default: Any = None, **kw: Any) -> Any:
    """A field stored at ``place`` (with a default)."""
    return dataclasses.field(default=default, metadata=stored(place, **kw))


def key(name: str, default: Any = dataclasses.MISSING, *, omit_none: bool = False) -> Any:
    """A payload field stored under another key (``class``, a Python keyword)."""
    return dataclasses.field(default=default, metadata=stored(Place.PAYLOAD, key=name, omit_none=omit_none))


def optional(default: Any = None) -> Any:
    """A payload field left out of the JSON while None (events older than the field lack it)."""
    return dataclasses.field(default=default, metadata=stored(Place.PAYLOAD, omit_none=True))


@dataclasses.dataclass(frozen=True)
class Stored:
    """One audit event's columns, as ``audit_events`` holds them (values parsed from JSON)."""

    action: str
    outcome: str
    entity_type: str
    entity_id: str | None
    old_value: Any
    new_value: Any
    reason: str | None


class UnknownAction(ValueError):
    """An action name the vocabulary has no class for."""


@dataclasses.dataclass(frozen=True)
class AuditedEvent:
    """The base of every typed audit event. Subclasses set the class attributes."""

    #: The stored action name (for a family, the default member; see ``action``).
    ACTION: ClassVar[str] = ""
    #: Further stored names this class reads (and writes, by ``action``).
    ALSO: ClassVar[tuple[str, ...]] = ()
    ENTITY: ClassVar[str] = "step"
    OUTCOME: ClassVar[Outcome] = "accepted"
    #: The typed record row this event vouches for (None: the event stands alone).
    RECORD: ClassVar[type[Base] | None] = None

    # --------------------------------------------------------------- what is stored
    @property
    def action(self) -> str:
        return self.ACTION

    @property
    def outcome(self) -> Outcome:
        return self.OUTCOME

    @property
    def entity_type(self) -> str:
        return _place_value(self, Place.ENTITY_TYPE) or self.ENTITY

    @property
    def entity_id(self) -> str | None:
        found = _place_value(self, Place.ENTITY_ID)
        if found is not None:
            return str(found)
        step = getattr(self, "step", None)
        return None if step is None else str(step)

    @property
    def reason(self) -> str | None:
        found = _place_value(self, Place.REASON)
        return None if found is None else str(found)

    def new_value(self) -> dict[str, Any] | None:
        return _encode(self, Place.PAYLOAD)

    def old_value(self) -> dict[str, Any] | None:
        return _encode(self, Place.OLD)

    def row(self, *, stream: str, user_id: str | None, now: dt.datetime) -> Base | None:
        """The typed record row this event vouches for, or None (``RECORD`` is None)."""
        return None

    def stored(self) -> Stored:
        return Stored(
            self.action,
            self.outcome,
            self.entity_type,
            self.entity_id,
            self.old_value(),
            self.new_value(),
            self.reason,
        )

    # --------------------------------------------------------------- reading back
    @classmethod
    def actions(cls) -> tuple[str, ...]:
        return (cls.ACTION, *cls.ALSO)

    @classmethod
    def decode(cls: type[E], event: Stored) -> E:
        """The event as stored, back as this class. Keys the class does not know are ignored
        (a newer writer's additions); a missing key reads as the field's default."""
        new = event.new_value if isinstance(event.new_value, Mapping) else {}
        old = event.old_value if isinstance(event.old_value, Mapping) else {}
        hints = _hints(cls)
        values: dict[str, Any] = {}
        known_keys: set[str] = set()
        flat: str | None = None
        for f in dataclasses.fields(cls):
            place, name = _place(f), _key(f)
            if place is Place.PAYLOAD:
                known_keys.add(name)
                if name in new:
                    values[f.name] = _from_json(new[name], hints[f.name])
            elif place is Place.OLD:
                if name in old:
                    values[f.name] = _from_json(old[name], hints[f.name])
            elif place is Place.REASON:
                values[f.name] = event.reason
            elif place is Place.ENTITY_ID:
                values[f.name] = event.entity_id
            elif place is Place.ENTITY_TYPE:
                values[f.name] = event.entity_type
            elif place is Place.FLAT:
                flat = f.name
        if flat is not None:
            values[flat] = {k: v for k, v in new.items() if k not in known_keys}
        values.update(cls._decode_extra(event))
        return cls(**values)

    @classmethod
    def _decode_extra(cls, event: Stored) -> dict[str, Any]:
        """Field values a subclass reads from the stored event itself (its action name)."""
        return {}


E = TypeVar("E", bound=AuditedEvent)


# ------------------------------------------------------------------ the codec


def _place(f: dataclasses.Field[Any]) -> Place:
    return f.metadata.get("place", Place.PAYLOAD)  # type: ignore[no-any-return]


def _key(f: dataclasses.Field[Any]) -> str:
    return f.metadata.get("key") or f.name


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """The field types of a class, resolved once (the annotations are text here)."""
    found = _HINTS.get(cls)
    if found is None:
        found = _HINTS[cls] = typing.get_type_hints(cls)
    return found


def _place_value(event: AuditedEvent, place: Place) -> Any:
    for f in dataclasses.fields(event):
        if _place(f) is place:
            return getattr(event, f.name)
    return None


def _encode(event: AuditedEvent, place: Place) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    any_field = False
    for f in dataclasses.fields(event):
        where = _place(f)
        value = getattr(event, f.name)
        if where is Place.FLAT and place is Place.PAYLOAD:
            any_field = True
            out.update({k: to_json(v) for k, v in value.items()})
            continue
        if where is not place:
            continue
        any_field = True
        if value is None and f.metadata.get("omit_none"):
            continue
        out[_key(f)] = to_json(value)
    return out if any_field and out else None


def to_json(value: Any) -> Any:
    """A value as JSON's own types, the way the record has always written it."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            _key(f): to_json(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not (getattr(value, f.name) is None and f.metadata.get("omit_none"))
        }
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, float):
        return value
    raise TypeError(f"cannot write {type(value).__name__} into an audit event")


def _from_json(value: Any, hint: Any) -> Any:
    """``value`` read from JSON, converted to the type ``hint`` (best effort: a value that does
    not fit is kept as it is, so an odd old event still replays)."""
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return _from_json(value, args[0]) if len(args) == 1 else value
    if origin is Literal:
        return value
    if hint is Any:
        return value
    if hint is Decimal:
        try:
            return Decimal(str(value))
        except ArithmeticError:
            return value
    if hint is dt.date:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
    if hint is dt.datetime:
        return dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if hint in (str, int, bool):
        return value
    if origin is tuple and isinstance(value, list):
        inner = typing.get_args(hint)[0]
        return tuple(_from_json(v, inner) for v in value)
    if origin in (dict, Mapping) or hint in (dict, Mapping):
        return dict(value) if isinstance(value, Mapping) else value
    if isinstance(hint, type) and dataclasses.is_dataclass(hint) and isinstance(value, Mapping):
        hints = _hints(hint)
        fields = {
            f.name: _from_json(value[_key(f)], hints[f.name])
            for f in dataclasses.fields(hint)
            if _key(f) in value
        }
        return hint(**fields)
    return value
