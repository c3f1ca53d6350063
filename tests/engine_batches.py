"""Batches recorded by the real engine, for every test and benchmark that reads a record back.

A station database holds what the station wrote and nothing else, so the tests of what is read
out of it (the exports, the verifier, the screens) build their batches the way a line does:
the reference master data and recipe imported and approved, then actions dispatched to the
real engine (``station.engine.engine.Engine``, as ``mes-station run`` and the touchscreen do),
QA reviews and dispense labels through ``station.exports``. Nothing here writes an event or a
row of its own.

* :func:`build_template` — a SQLite file with tests/data's site.yaml and PARA500-GRAN v3
  imported and approved (argon2 made light), copied per test by :func:`copy_of`;
* :func:`happy_path`, :func:`refusals_then_complete`, :func:`exceptions_batch`,
  :func:`synthetic_batch` — the actions of a batch (with the outcome each must have);
* :func:`dispatch` / :func:`drive` / :func:`run_headless` — hand them to the engine;
* :func:`review`, :func:`print_labels` — QA's e-signed review and dispense labels.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from recipes.loader import decimal_yaml
from station.engine import api

if TYPE_CHECKING:
    from ebr.database import Database

DATA = Path(__file__).resolve().parent / "data"
SITE = DATA / "masterdata" / "site.yaml"
RECIPE = DATA / "recipes" / "para500-granulation.yaml"
HAPPY = DATA / "scripts" / "para500-happy-path.yaml"
REFUSALS = DATA / "scripts" / "para500-refusals.yaml"

#: What the scanner sends for the lot labels of site.yaml (AIM identifier ]C1 = GS1-128).
LOTS = {
    "P24-0817": "]C101040123450001081730083110P24-0817",  # paracetamol, released
    "P24-0502": "]C101040123450001081730053110P24-0502",  # paracetamol, quarantined
    "M24-1130": "]C1010401234500020710M24-1130\x1d17301130",  # cellulose, released
    "K24-0220": "]C101040123450003061730022810K24-0220",  # povidone, released
    "K23-0901": "]C101040123450003061730093010K23-0901",  # povidone, retest due 2026-09-01
    "C25-0103": "]C101040123450005041730013110C25-0103",  # croscarmellose, released
}

#: The imported initial passwords (site.yaml), by user id; the users set their own at first login.
_USERS = decimal_yaml().load(SITE.read_text(encoding="utf-8"))["users"]
INITIAL_PASSWORDS: dict[str, str] = {str(u["id"]): str(u["initial_password"]) for u in _USERS}
BADGES: dict[str, str] = {str(u["id"]): str(u["badge"]) for u in _USERS}
OQ_SETUP = DATA / "scripts" / "oq-setup.yaml"
#: Who keeps the imported initial password in the templates (the forced change is tested with
#: them); everyone else has set their own, as oq-setup.yaml does on a new store.
STILL_INITIAL = frozenset({"op.okafor"})
#: The password each user logs in and signs with in the templates.
PASSWORDS: dict[str, str] = {
    user: initial if user in STILL_INITIAL else f"{initial}.26" for user, initial in INITIAL_PASSWORDS.items()
}


def set_up_site(db: Database, site: Path = SITE) -> None:
    """A new store as a site sets one up: the bootstrap import of the master data, then every
    user (but ``STILL_INITIAL``) replaces the imported initial password, through the store's
    own functions, as oq-setup.yaml does through the engine."""
    from ebr import users
    from ebr.masterdata import BOOTSTRAP, import_master_data

    with db.unit_of_work() as uow:
        import_master_data(uow, site, BOOTSTRAP)
        uow.commit()
    for user, password in PASSWORDS.items():
        if user in STILL_INITIAL:
            continue
        with db.unit_of_work() as uow:
            assert users.set_password(uow, user, INITIAL_PASSWORDS[user], password).ok
            uow.commit()


#: An action and the outcome it must have ("done", "refused", "deviation").
Expected = tuple[api.Action, str]


@contextmanager
def cheap_argon2() -> Iterator[None]:
    """argon2id with light parameters while passwords are hashed: every stored hash names its
    own parameters, so the checks at login and signature are light too. Production cost is
    tested in tests/ebr/test_users.py."""
    from argon2 import PasswordHasher

    import ebr.users

    production = ebr.users._hasher
    ebr.users._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    try:
        yield
    finally:
        ebr.users._hasher = production


def build_template(path: Path, *, light_hashing: bool = True) -> Path:
    """site.yaml imported by the admin, PARA500-GRAN v3 imported by the admin and approved by
    qa.dubois: what a station holds before its first batch. Built once per test session.
    ``light_hashing``: False for the production argon2 cost (a benchmark of logins)."""
    from station.composition import open_store

    db = open_store(f"sqlite:///{path}", create=True)
    try:
        if light_hashing:
            with cheap_argon2():
                set_up_site(db)
        else:
            set_up_site(db)
    finally:
        db.dispose()
    add_recipe(f"sqlite:///{path}", RECIPE.read_text(encoding="utf-8"))
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file before copying
    return path


def add_recipe(url: str, text: str) -> tuple[str, int]:
    """A master recipe imported by adm.kim and approved by qa.dubois (e-signed)."""
    from ebr.recipe_store import approve_recipe, import_recipe
    from recipes.loader import parse_recipe
    from station.composition import open_store

    recipe = parse_recipe(text, "recipe.yaml")
    db = open_store(url)
    try:
        with db.unit_of_work() as uow:
            import_recipe(uow, recipe, text, "adm.kim")
            uow.commit()
        with db.unit_of_work() as uow:
            approve_recipe(uow, recipe.code, recipe.version, "qa.dubois", PASSWORDS["qa.dubois"])
            uow.commit()
    finally:
        db.dispose()
    return recipe.code, recipe.version


def copy_of(template: Path, folder: Path, name: str = "station.db") -> str:
    """A fresh copy of the template: a real SQLite file of the test's own."""
    path = folder / name
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


# ---------------------------------------------------------------- handing actions to the engine


def dispatch(url: str, actions: Iterable[api.Action]) -> list[api.Outcome]:
    """Send actions to the real engine headless (as `mes-station run` does); none may fail."""
    from station.composition import build_engine

    engine = build_engine(url)
    outcomes = []
    try:
        for action in actions:
            outcome = engine.dispatch(action)
            assert outcome.status != "error", f"{action}: {outcome.message}"
            outcomes.append(outcome)
    finally:
        engine.close()
    return outcomes


def drive(url: str, steps: Iterable[Expected]) -> None:
    """Send actions to the real engine; each must have the outcome given with it."""
    from station.composition import build_engine

    engine = build_engine(url)
    try:
        for action, wanted in steps:
            outcome = engine.dispatch(action)
            assert outcome.status == wanted, f"{action}: {outcome.status}: {outcome.message}"
    finally:
        engine.close()


def run_headless(url: str, script: Path) -> int:
    """A batch script run as `mes-station run` runs it (0: every action as the script expects)."""
    from station.composition import build_engine
    from station.engine.runner import run_script
    from station.engine.script import load_script

    engine = build_engine(url)
    try:
        return run_script(engine, load_script(script), out=io.StringIO(), err=io.StringIO())
    finally:
        engine.close()


def review(url: str, batch_id: str, *, approve: bool, user: str = "qa.berg", comment: str) -> None:
    """QA's review of a completed batch, e-signed with the reviewer's initial password."""
    from station import exports
    from station.composition import open_store

    db = open_store(url)
    try:
        exports.review_batch(
            db, batch_id, approve=approve, user=user, password=PASSWORDS[user], comment=comment
        )
    finally:
        db.dispose()


def print_labels(url: str, batch_id: str, step: str, folder: Path, copies: int = 2) -> list[Path]:
    """The dispense label of the weighing at ``step`` printed, then reprinted ``copies - 1`` times."""
    from station import exports
    from station.composition import open_store

    db = open_store(url)
    try:
        return [
            exports.print_dispense_label(db, batch_id, step, user="op.alvarez", folder=folder)
            for _ in range(copies)
        ]
    finally:
        db.dispose()


# ---------------------------------------------------------------- the batches


def _script(path: Path, batch_id: str) -> list[api.Action]:
    """A script's actions, the batch renamed, without its logout."""
    from station.engine.script import load_script

    actions: list[api.Action] = []
    for step in load_script(path).steps:
        action = step.action
        if isinstance(action, api.Logout):
            continue
        if isinstance(action, api.StartBatch):
            action = api.StartBatch(
                batch_id, action.recipe_code, action.recipe_version, action.size, action.unit
            )
        actions.append(action)
    return actions


#: The serial number each scale of site.yaml reports, for weighings read from a scale.
SCALE_SERIALS = {"OP20.S20": "B150-4471920", "OP20.S30": "B150-4471920", "OP20.S50": "C006-0918233",
                 "OP20.S60": "C006-0918233"}  # fmt: skip


def from_the_scale(action: api.Action) -> api.Action:
    """A script's typed weighing as the touchscreen sends the same reading from the bound scale
    (source and serial number): no weight typed in by hand, so no exception."""
    if not isinstance(action, api.Weigh) or action.step not in SCALE_SERIALS:
        return action
    return dataclasses.replace(action, source="scale", device_serial=SCALE_SERIALS[action.step])


def happy_path(until: str | None = None, *, batch_id: str = "B-2611-001") -> list[api.Action]:
    """The happy-path script's actions up to (not including) the first one at step ``until``,
    then a logout: the batch as an earlier shift left it. Its weighings are read from the scales
    (``from_the_scale``), as at the touchscreen: a batch without any exception."""
    actions = []
    for action in _script(HAPPY, batch_id):
        if until is not None and getattr(action, "step", None) == until:
            break
        actions.append(from_the_scale(action))
    return [*actions, api.Logout()]


def refusals_then_complete(batch_id: str = "B-2611-002") -> list[api.Action]:
    """The refusals script to the weighing out of tolerance, which sv.haddad overrides; then the
    rest of the batch as in the happy path, with the impeller speed entered outside its limits
    (a deviation that sv.haddad acknowledges: sv.nowak, logged in, entered it), completed: a
    record with real exceptions."""
    actions: list[api.Action] = []
    for action in _script(REFUSALS, batch_id):
        if isinstance(action, api.Weigh) and action.gross == Decimal("61.21"):
            action = api.Override(
                "OP20.S20",
                "sv.haddad",
                PASSWORDS["sv.haddad"],
                "Within the site's process capability",
            )
        actions.append(action)
    rest = happy_path()
    start = next(i for i, a in enumerate(rest) if getattr(a, "step", None) == "OP20.S30")
    for action in rest[start:-1]:
        if isinstance(action, api.Enter) and action.step == "OP30.S30":
            actions.append(api.Enter("OP30.S30", Decimal(170)))
            actions.append(
                api.Override(
                    "OP30.S30",
                    "sv.haddad",
                    PASSWORDS["sv.haddad"],
                    "Speed corrected to 150 rpm at once",
                )
            )
            continue
        actions.append(action)
    return [*actions, api.Logout()]


def _login(user: str) -> api.Login:
    return api.Login(user=user, password=PASSWORDS[user])


def _signer(user: str) -> tuple[str, str]:
    return user, PASSWORDS[user]


def exceptions_batch(batch_id: str = "B-2611-003") -> list[Expected]:
    """PARA500-GRAN with every kind of exception, completed: a hold and resume, a check answered
    NO (a deviation sv.haddad acknowledges), a signature refused to its performer, a scale
    refused for its calibration, a quarantined lot refused, a lot due for retest overridden,
    a weighing out of tolerance overridden (after a wrong password), a manual deviation, a
    lot of the wrong material refused, a measurement out of limits acknowledged, a completion
    refused while a deviation was open. Labels and the QA review come after it
    (:func:`print_labels`, :func:`review`)."""
    haddad = _signer("sv.haddad")
    weigh = api.Weigh
    return [
        (_login("op.alvarez"), "done"),
        (api.StartBatch(batch_id, "PARA500-GRAN", 3, Decimal(120), "kg"), "done"),
        (api.Hold("granulator alarm"), "done"),
        (api.Resume("alarm cleared"), "done"),
        (api.Confirm("OP10.S10"), "done"),
        (api.Answer("OP10.S20", False), "deviation"),
        (api.Decide("OP10.S20", *haddad, "continue", "Label re-checked: clean"), "done"),
        (api.Sign("OP10.S30", *_signer("op.alvarez")), "refused"),
        (api.Sign("OP10.S30", *_signer("sv.nowak")), "done"),
        (api.Scan("OP20.S10", "SCL-150-02"), "refused"),
        (api.Scan("OP20.S10", "SCL-150-01"), "done"),
        (api.Scan("OP20.S20", LOTS["P24-0502"]), "refused"),
        (api.Scan("OP20.S20", LOTS["P24-0817"]), "done"),
        (weigh("OP20.S20", gross=Decimal("61.85"), tare=Decimal("1.25")), "refused"),
        (api.Override("OP20.S20", "sv.haddad", "wrong-password", "x"), "refused"),
        (api.Override("OP20.S20", *haddad, "Within assay correction"), "deviation"),
        (api.RaiseDeviation("spill", "Powder spilled at bay 1", "OP20.S30"), "done"),
        (api.Scan("OP20.S30", LOTS["M24-1130"]), "done"),
        (
            weigh(
                "OP20.S30", Decimal("49.10"), Decimal("1.25"), device_serial="B150-4471920", source="scale"
            ),
            "done",
        ),
        (api.Override("OP20.S30", *haddad, "Spill cleaned, no impact"), "done"),
        (api.Scan("OP20.S40", "SCL-006-01"), "done"),
        (api.Scan("OP20.S50", LOTS["K23-0901"]), "refused"),
        (api.Override("OP20.S50", *haddad, "QC retest passed (LIMS sample 26-11873)"), "deviation"),
        (weigh("OP20.S50", gross=Decimal("3.9310"), tare=Decimal("0.3120")), "done"),
        (api.Scan("OP20.S60", "K24-0220"), "refused"),
        (api.Scan("OP20.S60", LOTS["C25-0103"]), "done"),
        (weigh("OP20.S60", gross=Decimal("2.7295"), tare=Decimal("0.3120")), "done"),
        (api.Sign("OP20.S70", *haddad), "done"),
        (api.Scan("OP30.S10", "GRN-01"), "done"),
        (api.Confirm("OP30.S20"), "done"),
        (api.Enter("OP30.S30", Decimal(171)), "deviation"),
        (api.Complete(), "refused"),
        (api.Override("OP30.S30", *haddad, "Tachometer re-read; no impact"), "done"),
        (api.Enter("OP30.S40", Decimal("5.0")), "done"),
        (api.Enter("OP30.S50", Decimal("1.84")), "done"),
        (api.Sign("OP30.S60", *_signer("op.alvarez")), "done"),
        (api.Complete(), "done"),
        (api.Logout(), "done"),
    ]


# ---------------------------------------------------------------- a batch of any size

_KINDS = ("instruction", "check", "equipment", "weigh", "weigh", "measure", "signature")
_MATERIALS = (
    ("RM-0101", "P24-0817"),
    ("RM-0202", "M24-1130"),
    ("RM-0303", "K24-0220"),
    ("RM-0505", "C25-0103"),
)  # material, a released lot of it


def _step_id(i: int) -> str:
    """The id of the ``i``-th step (from 0) of a synthetic recipe: 25 steps to an operation."""
    return f"OP{i // 25 + 1:03d}.S{i % 25 + 1:02d}"


def synthetic_recipe(n_steps: int, code: str = "SYNTH") -> str:
    """A valid master recipe of ``n_steps`` steps in operations of 25, the kinds in turn (an
    equipment step binds the floor scale before every two weighings), on the reference site's
    materials, equipment and training."""
    lines = [
        "recipe:",
        f"  code: {code}",
        "  version: 1",
        f"  title: Synthetic batch of {n_steps} steps",
        "  product: {code: SYNTH-GRANULE, name: Synthetic granulate}",
        "  batch_size: {quantity: 120, unit: kg}",
        "  training: [SOP-GRAN-012]",
        "operations:",
    ]
    for i in range(n_steps):
        if i % 25 == 0:
            op = _step_id(i).split(".")[0]
            lines += [f"  - id: {op}", f"    title: Operation {op}", "    steps:"]
        kind = _KINDS[i % len(_KINDS)]
        lines += [f"      - id: {_step_id(i)}", f"        kind: {kind}"]
        if kind == "instruction":
            lines += [
                f"        text: Perform task {i} as the SOP describes; check equipment, room and materials.",
                "        confirm: Done",
            ]
        elif kind == "check":
            lines += [f"        question: Is condition {i} met?", "        expect: yes"]
        elif kind == "equipment":
            lines += [
                "        bind: floor_scale",
                "        class: FLOOR-SCALE-150KG",
                "        requires: [in_service, calibrated, clean, daily_check]",
            ]
        elif kind == "weigh":
            material = _MATERIALS[i % len(_MATERIALS)][0]
            lines += [
                f"        material: {material}",
                "        quantity: {value: 60.0, unit: kg}",
                "        tolerance: {minus_pct: 0.5, plus_pct: 0.5}",
                "        scale: floor_scale",
            ]
        elif kind == "measure":
            lines += [
                f"        name: Parameter {i}",
                "        unit: rpm",
                "        limits: {low: 140, high: 160}",
            ]
        else:
            lines += [f"        meaning: Step group {i} verified", "        role: supervisor"]
    return "\n".join(lines) + "\n"


def synthetic_batch(
    n_steps: int, n_events: int, batch_id: str = "B-2699-999", code: str = "SYNTH"
) -> list[Expected]:
    """Every step of :func:`synthetic_recipe` done by op.alvarez (signatures by sv.nowak): at
    every fifth step a weigh, equipment or signature step first refused (a quarantined lot, a
    scale due for calibration, a wrong password), at every 40th a weighing out of tolerance
    weighed again, at every 50th a value out of limits acknowledged by sv.haddad (each where
    the step is of that kind); the batch held and resumed between the steps until its stream
    holds about ``n_events`` events."""
    base = 2 + sum(_events_of(i) for i in range(n_steps))  # batch.started, batch.completed
    pairs = max(0, n_events - base) // 2  # a hold and a resume: two events
    steps: list[Expected] = [
        (_login("op.alvarez"), "done"),
        (api.StartBatch(batch_id, code, 1, Decimal(120), "kg"), "done"),
    ]
    for i in range(n_steps):
        for _ in range(pairs * (i + 1) // n_steps - pairs * i // n_steps):
            steps += [(api.Hold("line stop"), "done"), (api.Resume("line running"), "done")]
        steps += _step_actions(i)
    return [*steps, (api.Complete(), "done"), (api.Logout(), "done")]


def _events_of(i: int) -> int:
    """How many events the actions of step ``i`` write (see ``_step_actions``)."""
    kind = _KINDS[i % len(_KINDS)]
    refused = 1 if i % 5 == 0 and kind in ("weigh", "equipment", "signature") else 0
    if kind == "weigh":
        return refused + 2 + (1 if i % 40 == 3 else 0)
    if kind == "measure":
        return 1 + (4 if i % 50 == 5 else 0)  # the deviation, the override, its signature, closure
    if kind == "signature":
        return refused + 2  # the step and its signature
    return refused + 1


def _step_actions(i: int) -> list[Expected]:
    step, kind = _step_id(i), _KINDS[i % len(_KINDS)]
    refuse = i % 5 == 0
    if kind == "instruction":
        return [(api.Confirm(step), "done")]
    if kind == "check":
        return [(api.Answer(step, True), "done")]
    if kind == "equipment":
        tried = [(api.Scan(step, "SCL-150-02"), "refused")] if refuse else []
        return [*tried, (api.Scan(step, "SCL-150-01"), "done")]
    if kind == "weigh":
        lot = _MATERIALS[i % len(_MATERIALS)][1]
        tried = [(api.Scan(step, LOTS["P24-0502"]), "refused")] if refuse else []
        out: list[Expected] = [*tried, (api.Scan(step, LOTS[lot]), "done")]
        if i % 40 == 3:
            out.append((api.Weigh(step, gross=Decimal("62.95"), tare=Decimal("1.25")), "refused"))
        return [*out, (api.Weigh(step, gross=Decimal("61.27"), tare=Decimal("1.25")), "done")]
    if kind == "measure":
        if i % 50 == 5:
            return [
                (api.Enter(step, Decimal(171)), "deviation"),
                (api.Override(step, *_signer("sv.haddad"), "Tachometer re-read; no impact"), "done"),
            ]
        return [(api.Enter(step, Decimal(150)), "done")]
    tried = [(api.Sign(step, "sv.nowak", "wrong-password"), "refused")] if refuse else []
    return [*tried, (api.Sign(step, *_signer("sv.nowak")), "done")]
