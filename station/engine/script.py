"""Batch scripts (`mes-station run`): the YAML a validation engineer writes as an OQ script.

A script names the batch to start and the operator actions in order; an `expect` entry
asserts the outcome of the action just before it. Loading checks the whole file first and
reports every problem as FILE:LINE: message, so a script never fails half-way for a typo.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from recipes.safe_yaml import YamlRefused, load_yaml
from station.engine import api

OUTCOMES = ("done", "refused", "deviation")

# action -> (required keys, optional keys)
_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "login": ({"password"}, {"user", "badge"}),
    "logout": (set(), set()),
    "start": (set(), set()),
    "confirm": ({"step"}, set()),
    "answer": ({"step", "value"}, set()),
    "enter": ({"step", "value"}, set()),
    "scan": ({"step", "code"}, set()),
    "weigh": ({"step", "gross"}, {"tare", "unit", "device_serial", "manual", "reason", "note", "witness"}),
    "sign": ({"step", "user", "password"}, set()),
    "override": ({"step", "user", "password", "reason"}, set()),
    "decide": ({"step", "user", "password", "decision", "reason"}, set()),
    "deviation": ({"category", "text"}, {"step"}),
    "hold": (set(), {"reason"}),
    "resume": (set(), {"reason"}),
    "complete": (set(), set()),
    "change_password": ({"user", "old", "new"}, set()),
    "expect": ({"outcome"}, {"reason"}),
}

#: What a script without ``batch:`` may hold: setting up the users of a new store (oq-setup).
WITHOUT_BATCH = frozenset({"change_password", "login", "logout", "expect"})


class ScriptInvalid(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Expectation:
    outcome: str
    reason: str | None


@dataclass(frozen=True)
class ScriptStep:
    line: int  # 1-based line of the action in the file
    name: str  # "confirm", "scan", ...
    action: api.Action
    expect: Expectation | None  # the `expect` entry that follows it, if any
    expect_line: int | None = None

    def describe(self) -> str:
        step = getattr(self.action, "step", None)
        return f"{self.name} {step}" if step else self.name


@dataclass(frozen=True)
class BatchScript:
    path: str
    batch_id: str | None  # None: a script of session actions alone (no batch)
    recipe_code: str | None
    recipe_version: int | None
    size: Decimal | None
    unit: str | None
    steps: tuple[ScriptStep, ...]
    digest: str = ""  # SHA-256 of the file's text (first 16 hex digits): names the script's requests


def _line(node: Any, key: Any = None) -> int:
    try:
        if key is not None and isinstance(node, CommentedMap):
            return int(node.lc.key(key)[0]) + 1
        if isinstance(node, (CommentedMap, CommentedSeq)):
            return int(node.lc.line) + 1
    except (AttributeError, KeyError, TypeError):
        pass
    return 1


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("a number is needed, not yes/no")
    if isinstance(value, float):  # never: the loader reads floats as Decimal from their text
        raise ValueError(f"{value!r} is not an exact number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return number


def _yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("yes", "y", "true"):
        return True
    if text in ("no", "n", "false"):
        return False
    raise ValueError(f"{value!r} is not yes or no")


def _build(name: str, body: dict[str, Any], header: dict[str, Any]) -> api.Action:
    def s(key: str) -> str:  # a short accessor keeps the table below readable
        return str(body[key])

    if name == "login":
        if not body.get("user") and not body.get("badge"):
            raise ValueError("login needs `user` or `badge`")
        return api.Login(
            password=s("password"),
            user=str(body["user"]) if body.get("user") else None,
            badge=str(body["badge"]) if body.get("badge") else None,
        )
    if name == "logout":
        return api.Logout()
    if name == "decide":
        decision = s("decision")
        if decision not in api.DECISIONS:
            raise ValueError(f"decision: one of {', '.join(api.DECISIONS)}, not {decision!r}")
        return api.Decide(s("step"), s("user"), s("password"), decision, s("reason"))  # type: ignore[arg-type]
    if name == "change_password":
        return api.ChangePassword(user=s("user"), old_password=s("old"), new_password=s("new"))
    if name == "start":
        return api.StartBatch(
            batch_id=header["id"],
            recipe_code=header["recipe"],
            recipe_version=header["version"],
            size=header["size"],
            unit=header["unit"],
        )
    if name == "confirm":
        return api.Confirm(step=s("step"))
    if name == "answer":
        return api.Answer(step=s("step"), value=_yes_no(body["value"]))
    if name == "enter":
        return api.Enter(step=s("step"), value=_decimal(body["value"]))
    if name == "scan":
        return api.Scan(step=s("step"), code=s("code"))
    if name == "weigh":
        return _weigh(body)
    if name == "sign":
        return api.Sign(step=s("step"), user=s("user"), password=s("password"))
    if name == "override":
        if not str(body["reason"]).strip():
            raise ValueError("an override needs a reason")
        return api.Override(step=s("step"), user=s("user"), password=s("password"), reason=s("reason"))
    if name == "deviation":
        return api.RaiseDeviation(
            category=s("category"), text=s("text"), step=str(body["step"]) if body.get("step") else None
        )
    if name == "hold":
        return api.Hold(reason=str(body.get("reason", "")))
    if name == "resume":
        return api.Resume(reason=str(body.get("reason", "")))
    if name == "complete":
        return api.Complete()
    raise ValueError(f"unknown action {name!r}")


def _weigh(body: dict[str, Any]) -> api.Weigh:
    """A weighing as the script gives it: typed in the script (``source`` script); read from a
    scale that reported ``device_serial``; or entered by hand (``manual: yes``) with its
    ``reason``, ``note`` and ``witness: {user, password}`` (the engine refuses one without)."""
    weigh = api.Weigh(
        step=str(body["step"]),
        gross=_decimal(body["gross"]),
        tare=_decimal(body.get("tare", 0)),
        unit=str(body["unit"]) if body.get("unit") else None,
    )
    manual = _yes_no(body["manual"]) if "manual" in body else False
    if not manual:
        extra = sorted({"reason", "note", "witness"} & set(body))
        if extra:
            raise ValueError(f"{', '.join(extra)}: only for a weight entered by hand (manual: yes)")
        if "device_serial" in body:
            return dataclasses.replace(weigh, source="scale", device_serial=str(body["device_serial"]))
        return weigh
    if "device_serial" in body:
        raise ValueError("device_serial: a weight entered by hand was read from no scale")
    reason = str(body.get("reason", ""))
    if reason and reason not in api.MANUAL_REASONS:
        raise ValueError(f"reason: one of {', '.join(api.MANUAL_REASONS)}, not {reason!r}")
    witness = body.get("witness")
    if witness is not None and (
        not isinstance(witness, dict) or set(map(str, witness)) != {"user", "password"}
    ):
        raise ValueError("witness: {user, password} of the second person who signs")
    return dataclasses.replace(
        weigh,
        source="manual",
        reason=reason,
        note=str(body.get("note", "")),
        witness=api.Witness(str(witness["user"]), str(witness["password"])) if witness else None,
    )


def _header(doc: Any, path: str, problems: list[str]) -> dict[str, Any]:
    batch = doc.get("batch") if isinstance(doc, dict) else None
    if not isinstance(batch, dict):
        problems.append(f"{path}:{_line(doc)}: batch: missing (id, recipe, version, size)")
        return {}
    where = f"{path}:{_line(doc, 'batch')}"
    header: dict[str, Any] = {}
    for key in ("id", "recipe", "version", "size"):
        if key not in batch:
            problems.append(f"{where}: batch.{key}: missing")
    unknown = set(batch) - {"id", "recipe", "version", "size"}
    for key in sorted(map(str, unknown)):
        problems.append(f"{where}: batch.{key}: unknown field")
    if "id" in batch:
        header["id"] = str(batch["id"]).strip()
        if not header["id"]:
            problems.append(f"{where}: batch.id: empty")
    if "recipe" in batch:
        header["recipe"] = str(batch["recipe"])
    if "version" in batch:
        if isinstance(batch["version"], int) and not isinstance(batch["version"], bool):
            header["version"] = batch["version"]
        else:
            problems.append(f"{where}: batch.version: must be a whole number")
    size = batch.get("size")
    if size is not None:
        if not isinstance(size, dict) or "quantity" not in size or "unit" not in size:
            problems.append(f"{where}: batch.size: needs quantity and unit")
        else:
            try:
                header["size"] = _decimal(size["quantity"])
                if header["size"] <= 0:
                    problems.append(f"{where}: batch.size.quantity: must be positive")
            except ValueError as exc:
                problems.append(f"{where}: batch.size.quantity: {exc}")
            header["unit"] = str(size["unit"])
    return header


#: A validation script of some thousand actions is a few hundred kilobytes.
MAX_SCRIPT_BYTES = 4 << 20


def parse_script(text: str, path: str) -> BatchScript:
    problems: list[str] = []
    try:
        # The station's one safe reader: size limited, no anchors or aliases (an alias bomb in a
        # script is refused before it expands), nesting limited, exact decimals.
        doc = load_yaml(text, what="a batch script", max_bytes=MAX_SCRIPT_BYTES)
    except YamlRefused as refused:
        raise ScriptInvalid([f"{path}:{line}: {message}" for line, message in refused.problems]) from None
    if not isinstance(doc, dict):
        raise ScriptInvalid([f"{path}:1: a batch script is a mapping with `batch` and `actions`"])
    for key in doc:
        if key not in ("batch", "actions"):
            problems.append(f"{path}:{_line(doc, key)}: {key}: unknown field")
    has_batch = "batch" in doc
    header = _header(doc, path, problems) if has_batch else {}
    actions = doc.get("actions")
    if not isinstance(actions, list) or not actions:
        problems.append(
            f"{path}:{_line(doc, 'actions') if 'actions' in doc else 1}: actions: a list is needed"
        )
        raise ScriptInvalid(problems)

    steps: list[ScriptStep] = []
    for index, entry in enumerate(actions):
        line = _line(actions[index]) if isinstance(entry, (dict, list)) else _entry_line(actions, index)
        if not isinstance(entry, dict) or len(entry) != 1:
            problems.append(
                f"{path}:{line}: actions[{index}]: one action per entry, like `- confirm: {{step: X}}`"
            )
            continue
        ((name, body),) = entry.items()
        name = str(name)
        if body is None:
            body = {}
        if name not in _FIELDS:
            problems.append(f"{path}:{line}: actions[{index}]: unknown action {name!r}")
            continue
        if not has_batch and name not in WITHOUT_BATCH:
            problems.append(
                f"{path}:{line}: {name}: needs a batch (a script without `batch:` holds only "
                "change_password, login and logout)"
            )
            continue
        if not isinstance(body, dict):
            problems.append(f"{path}:{line}: {name}: fields are a mapping, like {{step: X}}")
            continue
        required, optional = _FIELDS[name]
        bad = False
        for key in sorted(required - set(map(str, body))):
            problems.append(f"{path}:{line}: {name}.{key}: missing")
            bad = True
        for key in sorted(set(map(str, body)) - required - optional):
            problems.append(f"{path}:{line}: {name}.{key}: unknown field")
            bad = True
        if bad:
            continue
        if name == "expect":
            outcome = str(body["outcome"])
            if outcome not in OUTCOMES:
                problems.append(f"{path}:{line}: expect.outcome: one of {', '.join(OUTCOMES)}")
                continue
            if not steps or steps[-1].expect is not None:
                problems.append(f"{path}:{line}: expect: follows no action")
                continue
            prev = steps[-1]
            reason = str(body["reason"]) if body.get("reason") else None
            steps[-1] = ScriptStep(prev.line, prev.name, prev.action, Expectation(outcome, reason), line)
            continue
        if name == "start" and not {"id", "recipe", "version", "size"} <= set(header):
            continue  # the header problem is reported already
        try:
            action = _build(name, dict(body), header)
        except (ValueError, KeyError) as exc:
            problems.append(f"{path}:{line}: {name}: {exc}")
            continue
        steps.append(ScriptStep(line, name, action, None))
    if problems:
        raise ScriptInvalid(problems)
    return BatchScript(
        path=path,
        batch_id=header.get("id"),
        recipe_code=header.get("recipe"),
        recipe_version=header.get("version"),
        size=header.get("size"),
        unit=header.get("unit"),
        steps=tuple(steps),
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
    )


def _entry_line(seq: Any, index: int) -> int:
    try:
        return int(seq.lc.item(index)[0]) + 1
    except (AttributeError, KeyError, TypeError, IndexError):
        return 1


def load_script(path: str | Path) -> BatchScript:
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_SCRIPT_BYTES:  # refused unread
            raise ScriptInvalid(
                [f"{p}:1: the file is {size:,} bytes: a batch script may have at most {MAX_SCRIPT_BYTES:,}"]
            )
        raw = p.read_bytes()
    except OSError as exc:
        raise ScriptInvalid([f"{p}: cannot read: {exc.strerror or exc}"]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScriptInvalid([f"{p}:{line}: not UTF-8 text"]) from None
    return parse_script(text, str(p))
