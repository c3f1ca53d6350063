"""Running the hub: uvicorn with mutual TLS (the station's client certificate required and
checked against the site CA), or plain HTTP only when started ``insecure`` for a demo.

uvicorn gives an application no view of the peer's certificate, so the hub's connection
protocol reads it when the connection is made and hands its common name and serial to each
request's state (``request.state.tls_peer``).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from ebr.hub.app import HubSettings, make_app


class _PeerProtocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        peer = None
        ssl_object = transport.get_extra_info("ssl_object")
        cert = ssl_object.getpeercert() if ssl_object is not None else None
        if cert:
            names = dict(item for part in cert.get("subject", ()) for item in part)
            peer = (str(names.get("commonName", "")), str(cert.get("serialNumber", "")).lower())
        # The state dict is copied into each request's scope: a copy per connection.
        self.app_state = {**self.app_state, "tls_peer": peer}


@dataclass(frozen=True)
class Tls:
    certificate: Path
    key: Path
    ca: Path


def serve(settings: HubSettings, host: str, port: int, tls: Tls | None) -> None:
    """Serve until stopped (SIGINT/SIGTERM). ``tls`` None only with ``settings.insecure``."""
    if tls is None and not settings.insecure:
        raise ValueError("the hub serves plain HTTP only when started insecure")
    options: dict[str, Any] = {}
    if tls is not None:
        options = {
            "ssl_certfile": str(tls.certificate),
            "ssl_keyfile": str(tls.key),
            "ssl_ca_certs": str(tls.ca),
            "ssl_cert_reqs": ssl.CERT_REQUIRED,
        }
    logging.getLogger("ebr.hub").setLevel(logging.INFO)
    config = uvicorn.Config(
        make_app(settings),
        host=host,
        port=port,
        http=_PeerProtocol,
        access_log=False,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=5,
        **options,
    )
    uvicorn.Server(config).run()
