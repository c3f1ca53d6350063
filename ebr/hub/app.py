"""The hub's HTTP API (Starlette; ``docs/sync-protocol.md``); the QA pages are ``ebr.hub.pages``.

Every refusal is a status code and a one-line JSON ``{"error": ...}``, logged as one line;
input never makes a 500. With mutual TLS the station is the common name of its client
certificate (``ebr.hub.serve`` puts it in the request's state), and a station may push only
its own chain; without TLS (``--insecure``, a demo) the body's ``station_id`` is taken.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ebr.database import Database
from ebr.errors import StoreError
from ebr.hub import pages
from ebr.hub.master import deltas_after
from ebr.hub.store import Refused, ingest
from ebr.sync.protocol import MAX_BODY, RunInvalid, parse_run
from ebr.sync_models import HubChain

log = logging.getLogger("ebr.hub")
OPENAPI = Path(__file__).with_name("openapi.json")


@dataclass
class HubSettings:
    db: Database
    key: Ed25519PrivateKey
    insecure: bool = False
    revoked: frozenset[str] = field(default_factory=frozenset)  # certificate serials (hex) or common names


def _error(status: int, message: str) -> JSONResponse:
    log.warning("%d %s", status, message)
    return JSONResponse({"error": message}, status_code=status)


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise Refused(413, f"body larger than {MAX_BODY} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise Refused(413, f"body larger than {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _station(request: Request, settings: HubSettings, claimed: str) -> str:
    peer = getattr(request.state, "tls_peer", None)
    if peer is None:
        if settings.insecure:
            return claimed
        raise Refused(401, "no client certificate")
    common_name, serial = peer
    if common_name in settings.revoked or serial in settings.revoked:
        raise Refused(403, f"certificate of {common_name} (serial {serial}) is revoked")
    if claimed != common_name:
        raise Refused(403, f"station {common_name} may push only its own chain, not one of {claimed}")
    return str(common_name)


async def push(request: Request) -> Response:
    settings: HubSettings = request.app.state.settings
    try:
        raw = await _body(request)
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise Refused(400, "body is not JSON") from None
        try:
            run = parse_run(body)
        except RunInvalid as exc:
            raise Refused(422, str(exc)) from None
        if run.chain_id != request.path_params["chain_id"]:
            raise Refused(422, "chain_id in the body is not the chain of the URL")
        station = _station(request, settings, run.station_id)
        given, numbers = await run_in_threadpool(ingest, settings.db, run, station, settings.key)
    except Refused as exc:
        return _error(exc.status, exc.message)
    except StoreError as exc:
        return _error(503, f"store unavailable: {exc}")
    answer: dict[str, Any] = {"receipts": [r.as_json() for r in given]}
    if numbers:
        answer["deviation_numbers"] = [n.as_json() for n in numbers]
    return JSONResponse(answer)


async def master_deltas(request: Request) -> Response:
    """The signed master-data deltas after ``?after=N``, as stored (``ebr.hub.master``). Any
    station with a certificate of the site may pull them; revoked ones may not."""
    settings: HubSettings = request.app.state.settings
    given = request.query_params.get("after", "0")
    if not given.isdigit() or len(given) > 18:
        return _error(400, "after: not a version number")
    try:
        peer = getattr(request.state, "tls_peer", None)
        if peer is None and not settings.insecure:
            raise Refused(401, "no client certificate")
        if peer is not None and (peer[0] in settings.revoked or peer[1] in settings.revoked):
            raise Refused(403, f"certificate of {peer[0]} (serial {peer[1]}) is revoked")
        found = await run_in_threadpool(deltas_after, settings.db, int(given))
    except Refused as exc:
        return _error(exc.status, exc.message)
    except StoreError as exc:
        return _error(503, f"store unavailable: {exc}")
    return JSONResponse({"deltas": found})


def _head(db: Database, chain_id: str) -> dict[str, Any] | None:
    with db.unit_of_work(read_only=True) as uow:
        row = uow.connection.execute(
            select(HubChain.station_id, HubChain.head_seq, HubChain.head_hash).where(
                HubChain.chain_id == chain_id
            )
        ).first()
    if row is None:
        return None
    return {"chain_id": chain_id, "station_id": row[0], "seq": row[1], "hash": row[2]}


async def head(request: Request) -> Response:
    settings: HubSettings = request.app.state.settings
    try:
        found = await run_in_threadpool(_head, settings.db, request.path_params["chain_id"])
    except StoreError as exc:
        return _error(503, f"store unavailable: {exc}")
    if found is None:
        return _error(404, f"unknown chain {request.path_params['chain_id'][:40]}")
    return JSONResponse(found)


async def openapi(request: Request) -> Response:
    return Response(OPENAPI.read_bytes(), media_type="application/json")


async def not_found(request: Request, exc: Exception) -> Response:
    return _error(404, f"no such resource: {request.method} {request.url.path[:80]}")


async def not_allowed(request: Request, exc: Exception) -> Response:
    return _error(405, f"method {request.method} not allowed on {request.url.path[:80]}")


def make_app(settings: HubSettings) -> Starlette:
    app = Starlette(
        routes=[
            *pages.ROUTES,  # the read-only pages for QA
            Route("/openapi.json", openapi),
            Route("/v1/chains/{chain_id}/events", push, methods=["POST"]),
            Route("/v1/chains/{chain_id}/head", head),
            Route("/v1/master/deltas", master_deltas),
        ],
        exception_handlers={404: not_found, 405: not_allowed},
    )
    app.state.settings = settings
    return app
