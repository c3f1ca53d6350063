"""Fixtures of the export tests: hand-built batch records with valid audit chains."""

from __future__ import annotations

import datetime as dt

import pytest

from ebr.export.record import BatchRecord
from tests.export import export_samples

PRINTED_AT = dt.datetime(2026, 11, 6, 9, 15, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def happy() -> BatchRecord:
    return export_samples.happy_path()


@pytest.fixture(scope="session")
def refusals() -> BatchRecord:
    return export_samples.refusals()


@pytest.fixture(scope="session")
def exceptional() -> BatchRecord:
    return export_samples.exceptions_batch()


@pytest.fixture(scope="session", params=["happy", "refusals", "exceptional"])
def any_record(request: pytest.FixtureRequest) -> BatchRecord:
    record: BatchRecord = request.getfixturevalue(request.param)
    return record
