"""The QA review's work on the engine thread: each function is posted as a ``call`` request
(``EngineClient.request("call", fn)``) and runs there with the engine; never on the GUI thread.

Qt-free: it reads through ``station.exports`` and the record store, as the command line does.
``engine`` is the station's engine (``station.engine.engine.Engine``), as the worker holds it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ebr.lifecycle import BatchStatus
from gating.wording import Wording
from station.errors import CommandError

from .viewmodels.reasons import said
from .viewmodels.review import ReviewVM
from .viewmodels.review_queue import QueueItem


def review_queue(engine: Any) -> tuple[list[QueueItem], str]:
    """The completed batches at this station, each with its review when there is one; and the
    site's time zone, in which the screens show the times."""
    from station.composition import DEFAULT_SITE_TZ

    completed = [b for b in engine.batches() if b.status == BatchStatus.COMPLETED]
    with engine.db.unit_of_work(read_only=True) as uow:
        reviews = {r.event.batch_id: r for r in uow.reviews()}
        names = {person.id: person.name for person in uow.users()}
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
                decision=r.event.verdict if r else None,
                reviewer=names.get(r.user_id or "", r.user_id or "") if r else "",
                reviewed_at=r.at or "" if r else "",
            )
        )
    return items, DEFAULT_SITE_TZ


def open_review(batch_id: str) -> Callable[[Any], ReviewVM]:
    """The batch record (audit chain checked first) shaped for the review screen."""

    def run(engine: Any) -> ReviewVM:
        from station.exports import load_record

        return ReviewVM.from_record(load_record(engine.db, batch_id))

    return run


def sign_review(batch_id: str, request: dict[str, Any]) -> Callable[[Any], ReviewVM | Refused]:
    """Sign the verdict under the station's gate policy; the answer is the reloaded review, or
    the refusal's plain message."""

    def run(engine: Any) -> ReviewVM | Refused:
        from station.exports import ReviewRefused, load_record, review_batch

        try:
            review_batch(engine.db, batch_id, policy=engine.settings.policy, **request)
        except ReviewRefused as exc:
            return Refused(str(exc), exc.code, exc.wording)
        except CommandError as exc:  # no such batch: said as it is
            return Refused(str(exc), "")
        return ReviewVM.from_record(load_record(engine.db, batch_id))

    return run


class Refused:
    """The review service said no: its message (in the station's language where the service
    gave its template), and the reason code."""

    def __init__(self, message: str, code: str, wording: Wording | None = None) -> None:
        self.message = said(wording, message)
        self.code = code
