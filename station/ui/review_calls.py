"""The QA review's work on the engine thread: each function is posted as a ``call`` request
(``EngineClient.request("call", fn)``) and runs there with the engine; never on the GUI thread.

Qt-free: it reads through ``station.exports`` and the record store, as the command line does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from station.errors import CommandError

from .viewmodels.reasons import said
from .viewmodels.review import QueueItem, ReviewVM


def review_queue(engine: Any) -> tuple[list[QueueItem], str]:
    """The completed batches at this station, each with its review when there is one; and the
    site's time zone, in which the screens show the times."""
    from sqlalchemy import select

    from ebr.models import Review, User

    completed = [b for b in engine.batches() if b.status == "completed"]
    with engine.db.unit_of_work(read_only=True) as uow:
        rows = uow.session.execute(
            select(Review.batch_id, Review.outcome, Review.reviewed_at, User.name).join(
                User, User.id == Review.reviewer
            )
        ).all()
    reviews = {r.batch_id: r for r in rows}
    items = []
    for b in completed:
        r = reviews.get(b.batch_id)
        items.append(
            QueueItem(
                batch_id=b.batch_id,
                product_name=b.product_name,
                recipe_code=b.recipe_code,
                recipe_version=b.recipe_version,
                started_at=b.started_at,
                decision=r.outcome if r else None,
                reviewer=r.name if r else "",
                reviewed_at=r.reviewed_at.isoformat() if r else "",
            )
        )
    from station.composition import DEFAULT_SITE_TZ

    return items, DEFAULT_SITE_TZ


def open_review(batch_id: str) -> Callable[[Any], ReviewVM]:
    """The batch record (audit chain checked first) shaped for the review screen."""

    def run(engine: Any) -> ReviewVM:
        from station.exports import load_record

        return ReviewVM.from_record(load_record(engine.db, batch_id))

    return run


def sign_review(batch_id: str, request: dict[str, Any]) -> Callable[[Any], object]:
    """Sign the verdict; the answer is the reloaded review, or the refusal's plain message."""

    def run(engine: Any) -> object:
        from station.exports import load_record, review_batch

        try:
            review_batch(engine.db, batch_id, **request)
        except CommandError as exc:
            return Refused(str(exc), getattr(exc, "code", ""), getattr(exc, "wording", None))
        return ReviewVM.from_record(load_record(engine.db, batch_id))

    return run


class Refused:
    """The review service said no: its message (in the station's language where the service
    gave its template), and the reason code."""

    def __init__(self, message: str, code: str, wording: Any = None) -> None:
        self.message = said(wording, message)
        self.code = code
