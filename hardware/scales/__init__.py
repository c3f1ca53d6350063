"""Scales: one interface, one driver per protocol, and ``open_scale`` for the application.

scale = open_scale("mt-sics", "/dev/ttyUSB0")          # or "usb:A1B2C3", "socket://host:4001"
scale.tare()
reading = scale.read_stable(timeout=10)                 # WeightReading, stable and confirmed
handle = scale.stream(on_event)                         # live readings from the reader thread
...
handle.close(); scale.close()
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import serial

from hardware.line_device import ReplyTimeout
from hardware.scales.mt_sics import MtSicsScale
from hardware.scales.reading import (
    ScaleCondition,
    ScaleError,
    ScaleEvent,
    ScaleState,
    WeightReading,
)
from hardware.scales.sartorius_sbi import SbiScale
from hardware.scales.scale import Scale, StreamHandle
from hardware.scales.stability import StableWeightDetector
from hardware.scales.units import convert
from hardware.transport import LinkLost, LinkStatus, SerialSettings, Transport

__all__ = [
    "PROTOCOLS",
    "LinkStatus",
    "MtSicsScale",
    "SbiScale",
    "Scale",
    "ScaleCondition",
    "ScaleError",
    "ScaleEvent",
    "ScaleState",
    "SerialSettings",
    "StableWeightDetector",
    "StreamHandle",
    "WeightReading",
    "convert",
    "open_scale",
]

PROTOCOLS: dict[str, type[MtSicsScale] | type[SbiScale]] = {
    "mt-sics": MtSicsScale,
    "sbi": SbiScale,
}

_SERIAL_OPTIONS = ("baudrate", "bytesize", "parity", "stopbits", "xonxoff", "rtscts", "dsrdtr")
_TRANSPORT_OPTIONS = ("poll_interval", "write_timeout", "backoff_initial", "backoff_max", "name")


def protocol_class(protocol: str) -> type[MtSicsScale] | type[SbiScale]:
    key = protocol.strip().lower().replace("_", "-")
    key = {"mtsics": "mt-sics", "sics": "mt-sics", "sartorius": "sbi"}.get(key, key)
    try:
        return PROTOCOLS[key]
    except KeyError:
        raise ValueError(f"unknown scale protocol {protocol!r} (known: {', '.join(PROTOCOLS)})") from None


def open_scale(
    protocol: str,
    link: str | serial.SerialBase | Transport,
    *,
    start: bool = True,
    identify: bool = True,
    **options: Any,
) -> MtSicsScale | SbiScale:
    """Open the scale at ``link``, start its background reader and ask its serial number.

    ``protocol``: ``mt-sics`` or ``sbi``. ``link``: a port path, ``usb:SERIAL``, a pyserial
    URL, ``tcp://host:port``, an open ``serial.Serial`` or a ``Transport``. Options:

    - serial line: ``baudrate``, ``bytesize``, ``parity``, ``stopbits``, ``xonxoff``,
      ``rtscts``, ``dsrdtr`` (defaults: the protocol's — MT-SICS 9600 8N1, SBI 1200 7O1);
    - transport: ``poll_interval``, ``write_timeout``, ``backoff_initial``, ``backoff_max``;
    - scale: ``readability``, ``confirmations``, ``command_timeout``, ``serial_number``,
      ``request_interval`` (between repeated requests: SBI stream polling, retries), and
      for SBI ``autoprint``, ``unit``, ``tare_command``, ``query_identity``.

    Raises ``ScaleError`` (state ``disconnected``) when the link cannot be opened, or
    ``timeout`` when nothing answers the identification.
    """
    cls = protocol_class(protocol)
    serial_options = {key: options.pop(key) for key in _SERIAL_OPTIONS if key in options}
    transport_options = {key: options.pop(key) for key in _TRANSPORT_OPTIONS if key in options}
    if "readability" in options and options["readability"] is not None:
        options["readability"] = Decimal(str(options["readability"]))
    if isinstance(link, Transport):
        transport = link
        if serial_options or transport_options:
            raise ValueError("serial and transport options go to the Transport, not to open_scale")
    else:
        settings = cls.DEFAULT_SETTINGS.with_changes(**serial_options)
        transport = Transport(link, settings, **transport_options)
    try:
        transport.open()
    except LinkLost as exc:
        raise ScaleError(ScaleState.DISCONNECTED, f"cannot open the scale: {exc}") from exc
    try:
        scale = cls(transport, **options)
    except (TypeError, ValueError) as exc:
        transport.close()
        raise ValueError(f"{protocol} scale: {exc}") from exc
    if start:
        scale.start()
    if identify:
        try:
            scale.identify()
        except (LinkLost, ReplyTimeout, ScaleError) as exc:
            scale.close()
            if isinstance(exc, ScaleError):
                raise
            state = ScaleState.TIMEOUT if isinstance(exc, ReplyTimeout) else ScaleState.DISCONNECTED
            raise ScaleError(state, f"the scale at {transport.name} does not identify itself: {exc}") from exc
    return scale
