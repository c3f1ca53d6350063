"""Label printers on the network: ZPL II to TCP port 9100 (the common Zebra path)."""

from hardware.printers.zebra import PrinterError, print_zpl

__all__ = ["PrinterError", "print_zpl"]
