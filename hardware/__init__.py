"""Serial devices of the station: scales, barcode scanners, their simulators.

Layers, bottom up:

- ``transport``: one pyserial port (path, URL or open ``serial.Serial``) with read timeouts,
  debug traffic logging and reconnection after the device went away;
- ``framing`` and ``line_device``: lines out of a byte stream, request/reply exchanges and a
  background reader that survives unplugging;
- drivers: ``scales.mt_sics``, ``scales.sartorius_sbi``, ``scanners.serial_scanner``;
- ``barcodes.decoder``: what a scan means (GS1 item, plain identifier or unreadable);
- ``simulators``: devices on a pseudo-terminal or TCP that behave like the real ones.

This package imports no other package of the project and no Qt.
"""
