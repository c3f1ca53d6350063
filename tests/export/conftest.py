"""Fixtures of the export tests: batches the real engine recorded, read back as the exports read
them (``station.exports.load_record``: the audit chain verified, then the loader).

One station database per session holds

* B-2611-001: the happy-path script, weighed on the scales, approved by QA (qa.dubois), its first dispense label
  printed and reprinted;
* B-2611-002: the refusals script (still in progress);
* B-2611-003: ``engine_batches.exceptions_batch`` (every kind of exception), its first label
  printed and reprinted, a review refused (not QA) and then rejected by qa.berg;
* B-2611-005: the happy path to the second weighing, then held;

and another a synthetic batch of 70 steps and about 900 events, for the size tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ebr.database import Database
from ebr.export.record import BatchRecord
from station import exports
from station.composition import open_store
from station.engine import api
from tests import engine_batches as eb

PRINTED_AT = dt.datetime(2026, 11, 6, 9, 15, tzinfo=dt.UTC)
HAPPY_COMMENT = "Reviewed by exception: no exceptions. Released for compression."
REJECTED_COMMENT = "Spill deviation needs a CAPA before release."


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return eb.build_template(tmp_path_factory.mktemp("template") / "approved.db")


@pytest.fixture(scope="session")
def labels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the label printer was given."""
    return tmp_path_factory.mktemp("labels")


@pytest.fixture(scope="session")
def station(template: Path, labels: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The store the session's batches were recorded in (its URL)."""
    url = eb.copy_of(template, tmp_path_factory.mktemp("station"))
    # The happy path as the touchscreen runs it: every weight read from the bound scale.
    eb.drive(url, [(action, "done") for action in eb.happy_path()])
    eb.review(url, "B-2611-001", approve=True, user="qa.dubois", comment=HAPPY_COMMENT)
    eb.print_labels(url, "B-2611-001", "OP20.S20", labels)
    assert eb.run_headless(url, eb.REFUSALS) == 0
    eb.drive(url, eb.exceptions_batch("B-2611-003"))
    eb.print_labels(url, "B-2611-003", "OP20.S20", labels)
    with pytest.raises(exports.ReviewRefused):
        eb.review(url, "B-2611-003", approve=False, user="op.alvarez", comment="not QA")
    eb.review(url, "B-2611-003", approve=False, user="qa.berg", comment=REJECTED_COMMENT)
    held = eb.happy_path("OP20.S30", batch_id="B-2611-005")[:-1]
    eb.dispatch(url, [*held, api.Hold("scale alarm"), api.Logout()])
    return url


@pytest.fixture
def store(station: str) -> Iterator[Database]:
    """The session's store, opened for one test."""
    db = open_store(station)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def load(station: str) -> Callable[[str], BatchRecord]:
    def read(batch_id: str) -> BatchRecord:
        db = open_store(station)
        try:
            return exports.load_record(db, batch_id)
        finally:
            db.dispose()

    return read


@pytest.fixture(scope="session")
def happy(load: Callable[[str], BatchRecord]) -> BatchRecord:
    return load("B-2611-001")


@pytest.fixture(scope="session")
def refusals(load: Callable[[str], BatchRecord]) -> BatchRecord:
    return load("B-2611-002")


@pytest.fixture(scope="session")
def exceptional(load: Callable[[str], BatchRecord]) -> BatchRecord:
    return load("B-2611-003")


@pytest.fixture(scope="session")
def held(load: Callable[[str], BatchRecord]) -> BatchRecord:
    return load("B-2611-005")


@pytest.fixture(scope="session", params=["happy", "refusals", "exceptional", "held"])
def any_record(request: pytest.FixtureRequest) -> BatchRecord:
    record: BatchRecord = request.getfixturevalue(request.param)
    return record


@pytest.fixture(scope="session")
def large(template: Path, tmp_path_factory: pytest.TempPathFactory) -> BatchRecord:
    """A synthetic batch of 70 steps and about 900 events, recorded by the engine."""
    url = eb.copy_of(template, tmp_path_factory.mktemp("large"))
    eb.add_recipe(url, eb.synthetic_recipe(70))
    eb.drive(url, eb.synthetic_batch(70, 900))
    db = open_store(url)
    try:
        return exports.load_record(db, "B-2699-999")
    finally:
        db.dispose()
