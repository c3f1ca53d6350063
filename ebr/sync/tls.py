"""What the station can tell about a TLS link to the hub before and after trying it.

Under TLS 1.3 a hub that refuses the station's certificate only closes the connection: the
station sees no reason. So the station checks its own certificate's dates before it connects
(an expired certificate is then one clear line, not a dropped connection), and an unreachable
hub's message says what a closed connection or a protocol mismatch may mean.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509

from ebr import clock


def own_certificate_problem(path: Path, now: dt.datetime | None = None) -> str | None:
    """None when the station's certificate is within its dates; else one line saying why not."""
    try:
        certificate = x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as exc:
        return f"{path}: not a readable PEM certificate: {exc}"
    moment = now or clock.utc_now()
    if certificate.not_valid_after_utc < moment:
        return f"{path}: the station's certificate expired on {certificate.not_valid_after_utc:%Y-%m-%d %H:%M} UTC"
    if certificate.not_valid_before_utc > moment:
        return f"{path}: the station's certificate is valid only from {certificate.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"
    return None


def unreachable_hint(url: str, error: Exception) -> str:
    """What a failed connection to ``url`` may mean, as a clause to add to the message ('' if
    nothing more can be said)."""
    said = str(error)
    if url.startswith("https://") and ("WRONG_VERSION_NUMBER" in said or "record layer" in said):
        return " (no TLS at that address: a hub started --insecure speaks plain HTTP, a demo only)"
    if "disconnected" in said or "reset" in said.lower():
        if url.startswith("https://"):
            return " (the hub closed the connection: it went down, or it does not accept this station's certificate)"
        return " (the hub closed the connection: it went down, or it speaks mutual TLS and was not started --insecure)"
    return ""
