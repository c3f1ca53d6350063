"""The hub's read-only pages for QA: server-rendered HTML, no script, printable.

* ``/``: the stations (chain, last receipt, lag, whether the hub's copy of the chain verifies)
  and every batch the hub holds (station, recipe, status, exceptions, review verdict);
* ``/batch?chain=C&id=B``: one batch, with its exceptions, deviations and reviews, and its
  PDF, JSON and BatchML export (``/export?chain=C&id=B&format=pdf|json|batchml``) made by the
  station's own export code from the hub's copy of the events (``ebr.hub.replica``);
* ``/deviations``: every deviation across stations, by its local number.

Everything a station wrote (batch ids, comments, deviation texts) is escaped: it renders as text.
Batches are addressed by query parameters, so any batch id (slashes, spaces, markup) has a URL.
"""

from __future__ import annotations

import datetime as dt
import html
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ebr import clock
from ebr.chain import utc_iso
from ebr.database import Database
from ebr.errors import NotFound, StoreError
from ebr.export.loader import load_batch_record
from ebr.export.record import BatchRecord, find_exceptions
from ebr.hub.deviations import formatted
from ebr.hub.replica import ChainCopy, rebuild, verify_chain
from ebr.sync import receipts
from ebr.sync_models import HubChain, HubDeviationNumber, HubEvent

#: The hub knows no site's time zone: its pages and exports show UTC.
HUB_TIMEZONE = "UTC"


@dataclass(frozen=True)
class Station:
    station_id: str
    chain_id: str
    head_seq: int
    last_receipt: str | None
    problem: str | None  # None: the hub's copy of the chain verifies

    def lag(self, now: dt.datetime) -> str:
        if self.last_receipt is None:
            return "never"
        seconds = max(0, int((now - dt.datetime.fromisoformat(self.last_receipt)).total_seconds()))
        hours, rest = divmod(seconds, 3600)
        return f"{hours} h {rest // 60:02d} min" if hours else f"{rest // 60} min {rest % 60:02d} s"


class _Copies:
    """The rebuilt copy of each chain, kept while its head does not move (a push moves it; the
    next page then rebuilds). Derived data only: any hub process may serve any page. The
    verdict on a chain is not kept: each page re-verifies what the hub holds now, so a copy
    edited behind the hub's back shows at the next look."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._copies: dict[str, ChainCopy] = {}

    def copy(self, db: Database, chain_id: str, head_seq: int) -> ChainCopy:
        with self._lock:
            held = self._copies.get(chain_id)
            if held is None or held.head_seq != head_seq:
                # The old copy is not disposed: a reader may still hold it; it goes with the last.
                held = self._copies[chain_id] = rebuild(db, chain_id)
            return held


COPIES = _Copies()


def _stations(db: Database, chain_id: str | None = None) -> list[Station]:
    """Every station (or the one of ``chain_id``), each chain verified as the hub holds it now."""
    query = (
        select(HubChain.station_id, HubChain.chain_id, HubChain.head_seq, func.max(HubEvent.received_at))
        .join(HubEvent, HubEvent.chain_id == HubChain.chain_id, isouter=True)
        .group_by(HubChain.station_id, HubChain.chain_id, HubChain.head_seq)
        .order_by(HubChain.station_id, HubChain.chain_id)
    )
    if chain_id is not None:
        query = query.where(HubChain.chain_id == chain_id)
    with db.unit_of_work(read_only=True) as uow:
        rows = list(uow.connection.execute(query))
    return [
        Station(str(s), str(c), int(h), None if r is None else str(r), verify_chain(db, str(c)))
        for s, c, h, r in rows
    ]


def _central_numbers(db: Database, chain_id: str) -> dict[str, str]:
    """The central number the hub gave each deviation of a chain, by the deviation's uid."""
    with db.unit_of_work(read_only=True) as uow:
        rows = uow.session.execute(
            select(HubDeviationNumber.deviation_uid, HubDeviationNumber.year, HubDeviationNumber.id).where(
                HubDeviationNumber.chain_id == chain_id
            )
        )
        return {str(uid): formatted(int(year), int(n)) for uid, year, n in rows}


def _numbered(record: BatchRecord, central: dict[str, str]) -> BatchRecord:
    """The record with the hub's central numbers beside the station's own, as the station shows."""
    if not any(d.uid in central for d in record.deviations):
        return record
    return replace(
        record,
        deviations=tuple(
            replace(d, central_number=central.get(d.uid, d.central_number)) for d in record.deviations
        ),
    )


def _records(db: Database, station: Station) -> list[BatchRecord]:
    copy = COPIES.copy(db, station.chain_id, station.head_seq)
    central = _central_numbers(db, station.chain_id)
    with copy.lock, copy.session() as session:
        return [
            _numbered(
                load_batch_record(
                    session, b, chain_verified=station.problem is None, site_timezone=HUB_TIMEZONE
                ),
                central,
            )
            for b in copy.batches
        ]


def _record(db: Database, chain_id: str, batch_id: str) -> tuple[Station, BatchRecord] | None:
    station = next(iter(_stations(db, chain_id)), None)
    if station is None:
        return None
    copy = COPIES.copy(db, chain_id, station.head_seq)
    with copy.lock, copy.session() as session:
        try:
            record = load_batch_record(
                session, batch_id, chain_verified=station.problem is None, site_timezone=HUB_TIMEZONE
            )
        except NotFound:
            return None
    return station, _numbered(record, _central_numbers(db, chain_id))


# ---------------------------------------------------------------- HTML

_STYLE = (
    "body{font-family:'DejaVu Sans',sans-serif;margin:1.5em;color:#111}"
    "table{border-collapse:collapse;margin-bottom:1.5em}"
    "td,th{padding:.3em .7em;text-align:left;border-bottom:1px solid #ccc;vertical-align:top}"
    "th{background:#ddd}.bad{color:#a00;font-weight:bold}.ok{color:#060}"
    "nav a{margin-right:1.2em}code{font-size:.85em}"
    "@media print{nav{display:none}a{color:#111;text-decoration:none}}"
)


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
        "<nav><a href='/'>Stations and batches</a><a href='/deviations'>Deviations</a></nav>"
        f"<h1>{_e(title)}</h1>{body}</body></html>",
        status_code=status,
    )


def _table(table_id: str, headers: Sequence[str], rows: Iterable[Sequence[str]], empty: str) -> str:
    """A table whose cells are HTML already escaped by the caller."""
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    if not body:
        return f"<p id='{table_id}'>{_e(empty)}</p>"
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    return f"<table id='{table_id}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _batch_link(chain_id: str, batch_id: str) -> str:
    return f"<a class='batch' href='/batch?{_e(urlencode({'chain': chain_id, 'id': batch_id}))}'>{_e(batch_id)}</a>"


def _verdict(record: BatchRecord) -> str:
    return record.reviews[-1].decision if record.reviews else "not reviewed"


def _verified(station: Station) -> str:
    if station.problem is None:
        return "<span class='ok'>yes</span>"
    return f"<span class='bad'>NO</span>: {_e(station.problem)}"


def _overview(db: Database) -> str:
    now = clock.utc_now()
    stations = _stations(db)
    station_rows = [
        (_e(s.station_id), f"<code>{_e(s.chain_id)}</code>", str(s.head_seq), _e(s.last_receipt or "never"),
         _e(s.lag(now)), _verified(s))
        for s in stations
    ]  # fmt: skip
    batch_rows = []
    for station in stations:
        for record in _records(db, station):
            h = record.header
            batch_rows.append(
                (_batch_link(station.chain_id, h.batch_id), _e(station.station_id),
                 _e(f"{h.recipe_code} v{h.recipe_version}"), _e(h.status),
                 str(find_exceptions(record).count), _e(_verdict(record)))
            )  # fmt: skip
    return (
        f"<p>As of {_e(utc_iso(now))} (UTC).</p><h2>Stations</h2>"
        + _table("stations", ("Station", "Chain", "Events", "Last receipt (UTC)", "Lag", "Chain verified"),
                 station_rows, "No station has pushed yet.")
        + f"<h2>Batches</h2><p id='count'>{len(batch_rows)} batches</p>"
        + _table("batches", ("Batch", "Station", "Recipe", "Status", "Exceptions", "Review"),
                 batch_rows, "No batch yet.")
    )  # fmt: skip


def _deviation_rows(station: Station, record: BatchRecord) -> list[tuple[str, ...]]:
    return [
        (_e(d.number),
         f"<span class='central'>{_e(d.central_number or '—')}</span>",
         _e(station.station_id), _batch_link(station.chain_id, record.batch_id), _e(d.step_id or ""),
         _e(d.category), _e(d.text), _e(record.name_of(d.opened_by)), _e(utc_iso(d.opened_at)),
         _e("closed: " + (d.closure_reason or "") if d.is_closed else "open"))
        for d in record.deviations
    ]  # fmt: skip


_DEVIATION_HEADERS = ("Local number", "Central number", "Station", "Batch", "Step", "Category", "Text",
                      "Opened by", "Opened (UTC)", "State")  # fmt: skip


def _deviations(db: Database) -> str:
    rows = [row for s in _stations(db) for r in _records(db, s) for row in _deviation_rows(s, r)]
    return _table("deviations", _DEVIATION_HEADERS, rows, "No deviation recorded.")


def _batch(station: Station, record: BatchRecord) -> str:
    h, found = record.header, find_exceptions(record)
    query = {"chain": station.chain_id, "id": record.batch_id}
    exports = " ".join(
        f"<a class='export' href='/export?{_e(urlencode({**query, 'format': fmt}))}'>{label}</a>"
        for fmt, label in (("pdf", "PDF"), ("json", "JSON"), ("batchml", "BatchML"))
    )
    facts = [
        ("Batch", _e(h.batch_id)), ("Station", _e(station.station_id)),
        ("Product", _e(f"{h.product_code} {h.product_name}")),
        ("Recipe", _e(f"{h.recipe_code} v{h.recipe_version} {h.recipe_title}")),
        ("Size", _e(f"{h.batch_size} {h.batch_unit}")), ("Status", _e(h.status)),
        ("Started", _e(f"{utc_iso(h.started_at)} by {record.name_of(h.started_by)}")),
        ("Completed", _e(utc_iso(h.completed_at) if h.completed_at else "not completed")),
        ("Chain verified at the hub", _verified(station)), ("Exceptions", str(found.count)),
        ("Review", _e(_verdict(record))), ("Exports", exports),
    ]  # fmt: skip
    refusals = [
        (
            _e(r.step_id or ""),
            _e(r.reason_code),
            _e(r.sentence),
            _e(record.name_of(r.user_id)),
            _e(utc_iso(r.at)),
        )
        for r in record.refusals
    ]
    reviews = [
        (
            _e(r.decision),
            _e(record.name_of(r.reviewer)),
            _e(utc_iso(r.at)),
            f"<span class='comment'>{_e(r.comment)}</span>",
        )
        for r in record.reviews
    ]
    return (
        "<table id='facts'><tbody>"
        + "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in facts)
        + "</tbody></table><h2>Deviations</h2>"
        + _table("deviations", _DEVIATION_HEADERS, _deviation_rows(station, record), "No deviation.")
        + "<h2>Refusals</h2>"
        + _table("refusals", ("Step", "Reason", "Sentence", "By", "At (UTC)"), refusals, "No refusal.")
        + "<h2>Reviews</h2>"
        + _table("reviews", ("Verdict", "Reviewer", "At (UTC)", "Comment"), reviews, "Not reviewed.")
    )  # fmt: skip


def _export(db: Database, key: Ed25519PrivateKey, chain_id: str, batch_id: str, fmt: str,
            viewer: str) -> bytes | None:  # fmt: skip
    found = _record(db, chain_id, batch_id)
    if found is None:
        return None
    _, record = found
    if record.events:  # the hub's own receipt for the batch's last event: what it holds
        last = record.events[-1]
        with db.unit_of_work(read_only=True) as uow:
            received_at = uow.connection.execute(
                select(HubEvent.received_at).where(HubEvent.chain_id == chain_id, HubEvent.seq == last["seq"])
            ).scalar_one()
        signed = receipts.sign(key, chain_id, int(last["seq"]), str(last["hash"]), str(received_at))
        record = _with_receipt(record, signed.as_json())
    if fmt == "json":
        from ebr.export.json_export import export_json

        return export_json(record)
    if fmt == "pdf":
        from ebr.export.pdf_export import export_pdf

        return export_pdf(record, viewer, clock.utc_now())
    from ebr.export.batchml import export_batchml

    return export_batchml(record)


def _with_receipt(record: BatchRecord, receipt: dict[str, object]) -> BatchRecord:
    import dataclasses

    return dataclasses.replace(record, hub_receipt=receipt)


# ---------------------------------------------------------------- routes

_MEDIA = {"pdf": ("application/pdf", "pdf"), "json": ("application/json", "json"),
          "batchml": ("application/xml", "xml")}  # fmt: skip


def _viewer(request: Request) -> str:
    peer = getattr(request.state, "tls_peer", None)
    return f"{peer[0]} (at the hub)" if peer else "the hub (insecure demo)"


async def overview(request: Request) -> Response:
    return await _render(request, "MES hub: stations and batches", _overview)


async def deviations(request: Request) -> Response:
    return await _render(request, "MES hub: deviations", _deviations)


async def _render(request: Request, title: str, make: Callable[[Database], str]) -> Response:
    db: Database = request.app.state.settings.db
    try:
        body = await run_in_threadpool(make, db)
    except StoreError as exc:
        return _page("Hub store unavailable", f"<p>{_e(exc)}</p>", 503)
    return _page(title, body)


def _wanted(request: Request) -> tuple[str, str] | None:
    chain_id, batch_id = request.query_params.get("chain"), request.query_params.get("id")
    if not chain_id or not batch_id or len(chain_id) > 36 or len(batch_id) > 64:
        return None
    return chain_id, batch_id


async def batch(request: Request) -> Response:
    wanted = _wanted(request)
    if wanted is None:
        return _page("Bad request", "<p>A batch is named by ?chain=CHAIN&amp;id=BATCH.</p>", 400)
    db: Database = request.app.state.settings.db
    try:
        found = await run_in_threadpool(_record, db, *wanted)
    except StoreError as exc:
        return _page("Hub store unavailable", f"<p>{_e(exc)}</p>", 503)
    if found is None:
        return _page("No such batch", f"<p>The hub holds no batch {_e(wanted[1])} on that chain.</p>", 404)
    station, record = found
    return _page(f"Batch {record.batch_id}", _batch(station, record))


async def export(request: Request) -> Response:
    wanted, fmt = _wanted(request), request.query_params.get("format", "")
    if wanted is None or fmt not in _MEDIA:
        return _page(
            "Bad request", "<p>An export is named by ?chain=C&amp;id=B&amp;format=pdf|json|batchml.</p>", 400
        )
    settings = request.app.state.settings
    try:
        data = await run_in_threadpool(_export, settings.db, settings.key, *wanted, fmt, _viewer(request))
    except StoreError as exc:
        return _page("Hub store unavailable", f"<p>{_e(exc)}</p>", 503)
    if data is None:
        return _page("No such batch", f"<p>The hub holds no batch {_e(wanted[1])} on that chain.</p>", 404)
    media, suffix = _MEDIA[fmt]
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in wanted[1])
    return Response(data, media_type=media,
                    headers={"content-disposition": f'inline; filename="{name}.{suffix}"'})  # fmt: skip


ROUTES = [
    Route("/", overview),
    Route("/batch", batch),
    Route("/export", export),
    Route("/deviations", deviations),
]
