"""The central number the hub gave a deviation is shown beside the station's own number in QA's
review (the view-model, no Qt), once the station has recorded it."""

from __future__ import annotations

from ebr.database import open_database
from ebr.hub.deviations import CentralNumber
from ebr.sync import central_numbers
from station.ui.viewmodels.review import ReviewVM

from .test_review import EXCEPTIONS, record_of
from .test_review import reviewed_template as reviewed_template  # the fixtures
from .test_review import station_db as station_db


def test_the_review_shows_the_central_number_beside_the_local_one(station_db: str) -> None:
    before = ReviewVM.from_record(record_of(station_db, EXCEPTIONS))
    deviation = next(e for e in before.exceptions if e.kind == "deviation")
    assert "Central number" not in dict(deviation.context)

    record = record_of(station_db, EXCEPTIONS)
    uid = record.deviations[0].uid
    database = open_database(station_db)
    try:
        with database.unit_of_work() as uow:
            # As a push's answer leaves it, once its signature and its deviation were checked.
            central_numbers.store(uow, [CentralNumber("chain", 1, uid, "DEV-2026-000123", "k" * 16, "s")])
            uow.commit()
    finally:
        database.dispose()

    after = ReviewVM.from_record(record_of(station_db, EXCEPTIONS))
    shown = next(e for e in after.exceptions if e.kind == "deviation")
    local = record.deviations[0].number
    assert shown.title.startswith(f"{local} · DEV-2026-000123 · ")
    assert dict(shown.context)["Central number"] == "DEV-2026-000123"
