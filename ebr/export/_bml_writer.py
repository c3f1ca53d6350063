"""Writing BatchML: a small streaming XML writer, value and time formats, and the B2MML building
blocks (entries, values, attributes) every part of the document uses."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from ebr import events as ev
from ebr.chain import utc_iso

NS = "http://www.mesa.org/xml/B2MML"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_DIR = Path(__file__).parent / "schemas" / "b2mml"
SCHEMA_FILE = SCHEMA_DIR / "BatchML-BatchProductionRecord.xsd"

_STATUS = {"in_progress": "Running", "on_hold": "Held", "completed": "Complete"}
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))

# The (EventType, EventSubType) of ISA-88.04 of an action at a step, by its event's class; a
# refused action is a message.
_EVENT_KIND: dict[type[ev.AuditedEvent], tuple[str, str]] = {
    ev.StepConfirmed: ("Procedural Execution", "Prompt Response"),
    ev.CheckAnswered: ("Procedural Execution", "Prompt Response"),
    ev.MeasurementRecorded: ("Procedural Execution", "Process Data"),
    ev.EquipmentBound: ("Equipment", "Allocation"),
    ev.LotIdentified: ("Material", "Allocation"),
    ev.WeighingAccepted: ("Material", "Consume"),
    ev.StepSigned: ("Operator", "Security"),
    ev.OverrideSigned: ("Operator", "Security"),
    ev.ActionRefused: ("Message", "Message"),
}


class _Writer:
    """Writes indented XML text directly: several times faster than building an lxml tree,
    and the result is validated against the schema anyway."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.depth = 0

    def start(self, tag: str, **attrs: str) -> None:
        self.parts.append(f"{'  ' * self.depth}<{tag}{_attrs(attrs)}>\n")
        self.depth += 1

    def end(self, tag: str) -> None:
        self.depth -= 1
        self.parts.append(f"{'  ' * self.depth}</{tag}>\n")

    @contextmanager
    def node(self, tag: str, **attrs: str) -> Iterator[None]:
        self.start(tag, **attrs)
        yield
        self.end(tag)

    def leaf(self, tag: str, text: str | None, **attrs: str) -> None:
        """An element with text; None writes it as xsi:nil."""
        pad = "  " * self.depth
        if text is None:
            self.parts.append(f'{pad}<{tag}{_attrs(attrs)} xsi:nil="true"/>\n')
        else:
            self.parts.append(f"{pad}<{tag}{_attrs(attrs)}>{_text(text)}</{tag}>\n")

    def text(self) -> str:
        return "".join(self.parts)


def _attrs(attrs: Mapping[str, str]) -> str:
    if not attrs:
        return ""
    return "".join(f' {k}="{_text(v).replace(chr(34), "&quot;")}"' for k, v in attrs.items())


def _text(text: str) -> str:
    """Escaped XML 1.0 text; control characters other than tab and newline are written as \\uXXXX."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() or c in "\t\n" else f"\\u{ord(c):04x}" for c in text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _time(moment: dt.datetime | dt.date | None) -> str:
    if isinstance(moment, dt.datetime):
        return utc_iso(moment)
    if isinstance(moment, dt.date):
        return f"{moment.isoformat()}T00:00:00Z"
    raise ValueError("no time")


def _num(value: Decimal) -> str:
    return format(value, "f")


def _json(value: Any) -> str:
    return value if isinstance(value, str) else str(_JSON.encode(value))


def _entry(
    w: _Writer,
    entry_id: str,
    object_type: str,
    when: dt.datetime | str | None = None,
    *,
    reference: str | None = None,
    descriptions: tuple[str, ...] = (),
) -> None:
    """The BatchProductionRecordEntryType group every record object starts with."""
    w.leaf("EntryID", entry_id)
    w.leaf("ObjectType", object_type)
    if when is not None:
        w.leaf("TimeStamp", when if isinstance(when, str) else _time(when))
    if reference is not None:
        w.leaf("ExternalReference", reference)
    for text in descriptions:
        if text:
            w.leaf("Description", text)


def _value(
    w: _Writer, tag: str, value: str | None, data_type: str = "string", unit: str | None = None
) -> None:
    """A ValueType element (ValueString, DataType, UnitOfMeasure); a None value is xsi:nil."""
    with w.node(tag):
        w.leaf("ValueString", value)
        w.leaf("DataType", data_type)
        if unit:
            w.leaf("UnitOfMeasure", unit)


def _batch_value(w: _Writer, tag: str, value: str, data_type: str = "string", unit: str = "") -> None:
    """A BatchValueType element (all four parts required)."""
    with w.node(tag):
        w.leaf("ValueString", value)
        w.leaf("DataInterpretation", "Constant")
        w.leaf("DataType", data_type)
        w.leaf("UnitOfMeasure", unit)


def _attribute(w: _Writer, name: str, value: str | None) -> None:
    with w.node("UserAttribute"):
        w.leaf("AttributeID", name)
        _value(w, "Value", value)
