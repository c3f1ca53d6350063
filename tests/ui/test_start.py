"""The start: what the login screen needs to appear, and where a station state leads.

The record store, the exports and the scan decoder load on the engine thread once the login
screen is up (``MainWindow._start_engine_after_first_frame``); importing the window must not pull
them onto the GUI thread. ``benchmarks/bench_ui.py --cold-start`` measures the time itself.
"""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from station.engine.api import BatchView, StationState, UserView
from station.ui.viewmodels.session import destination

ROOT = Path(__file__).resolve().parents[2]

#: Modules the first window must not wait for: the record store and its migrations, the engine,
#: the exports (PDF, BatchML), the batch record's model, the serial stacks and the GS1 tables,
#: the recipe model and its schemas.
NOT_AT_START = (
    "sqlalchemy",
    "alembic",
    "ebr.models",
    "ebr.events",
    "station.composition",
    "station.engine.engine",
    "station.exports",
    "reportlab",
    "lxml",
    "serial",
    "biip",
    "hardware",
    "station.ui.viewmodels.review",
    "pydantic",  # the recipe model's, under the gating rules (gating.weighing, gating.rules)
    "recipes",
)


def test_the_window_imports_nothing_slow() -> None:
    code = (
        "import sys, station.ui.app, station.ui.main_window\n"
        f"slow = sorted(m for m in sys.modules if m.split('.')[0] in {NOT_AT_START!r} or m in {NOT_AT_START!r})\n"
        "assert not slow, slow\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)


def user(*roles: str, must_change_password: bool = False) -> UserView:
    return UserView(id="u", name="U", roles=roles, must_change_password=must_change_password)


BATCH = BatchView(
    batch_id="B-1",
    recipe_code="R",
    recipe_version=1,
    recipe_title="T",
    product_code="P",
    product_name="P",
    size=Decimal(1),
    unit="kg",
    status="in_progress",
    steps=(),
    current_step=None,
)


@pytest.mark.parametrize(
    ("state", "where"),
    [
        (StationState(user=None, batch=None, allowed=()), "login"),
        (StationState(user=user("operator", must_change_password=True), batch=BATCH, allowed=()), "password"),
        (StationState(user=user("operator"), batch=None, allowed=()), "home"),
        (StationState(user=user("operator"), batch=BATCH, allowed=()), "runner"),
        # QA reviews completed batches; it does not execute one, even when one is open.
        (StationState(user=user("qa"), batch=BATCH, allowed=()), "reviews"),
        (StationState(user=user("qa"), batch=None, allowed=()), "reviews"),
    ],
)
def test_where_a_state_leads(state: StationState, where: str) -> None:
    assert destination(state) == where
