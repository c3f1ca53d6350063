"""Command-line parts of the hardware package.

``register(subparsers)`` adds to the station's CLI::

    devices simulate scale   --protocol mt-sics|sbi --link PATH|tcp://127.0.0.1:PORT [...]
    devices simulate scanner [--protocol serial] --link PATH|tcp://127.0.0.1:PORT [...]
    devices simulate printer [--link tcp://127.0.0.1:9100] --out DIR   (a ZPL label printer)
    devices ports            serial ports with USB vendor/product id and serial number (JSON)
    scan decode DATA         what the station reads in a scan, as JSON

Each subcommand sets ``func(args) -> exit code``. ``main(argv)`` runs them on their own
(``python -m hardware.cli ...``). Errors are one line on stderr: exit 2 for bad usage,
1 for an unreadable scan or a simulator that cannot start.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from types import FrameType
from typing import Any, NoReturn

from hardware.barcodes.separators import unescape_separators
from hardware.discovery import list_serial_ports
from hardware.simulators.console import SimulatorConsole
from hardware.simulators.device import SimulatedDevice
from hardware.simulators.endpoint import EndpointError
from hardware.simulators.scale import SCALE_PROTOCOLS, ScaleSimulator
from hardware.simulators.scanner import ScannerSimulator

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def _one_line_errors(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Usage errors as one line on stderr and exit 2, without the usage block."""

    def error(message: str) -> NoReturn:
        # The same shape as every other mes-station error: "mes-station: scan decode: ...".
        program, _, command = parser.prog.partition(" ")
        sys.stderr.write(f"{program}: {command + ': ' if command else ''}{message}\n")
        sys.exit(EXIT_USAGE)

    parser.error = error  # type: ignore[method-assign]
    return parser


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value.is_finite() or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number: {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text!r}")
    return value


def register(subparsers: Any) -> None:
    """Add ``devices ...`` and ``scan ...`` to an argparse subparsers object."""
    devices = _one_line_errors(subparsers.add_parser("devices", help="serial devices: simulators, ports"))
    device_commands = devices.add_subparsers(dest="devices_command", metavar="COMMAND", required=True)

    simulate = _one_line_errors(
        device_commands.add_parser("simulate", help="a simulated scale or scanner on a pty or TCP port")
    )
    kinds = simulate.add_subparsers(dest="simulate_kind", metavar="DEVICE", required=True)

    scale = _one_line_errors(kinds.add_parser("scale", help="a simulated MT-SICS or SBI balance"))
    scale.add_argument("--protocol", choices=SCALE_PROTOCOLS, default="mt-sics")
    _link_argument(scale)
    scale.add_argument("--capacity", type=_decimal, default=Decimal("150"), help="default 150")
    scale.add_argument("--readability", type=_decimal, default=Decimal("0.01"), help="default 0.01")
    scale.add_argument("--unit", default="kg", choices=("g", "kg", "mg", "lb"), help="default kg")
    scale.add_argument("--serial-number", default="SIM0001", help="what I4 / ESC x2_ report")
    scale.add_argument("--format", type=int, choices=(16, 22), default=22, help="SBI output format")
    scale.add_argument("--autoprint", action="store_true", help="SBI: print continuously by itself")
    scale.add_argument("--interval", type=_seconds, default=0.1, help="seconds between SIR / autoprint lines")
    scale.add_argument("--settle-time", type=_seconds, default=0.8, help="seconds a new load stays dynamic")
    scale.add_argument("--baud", type=_positive_int, default=None, help="pace the output at this baud rate")
    _console_argument(scale)
    scale.set_defaults(func=_simulate_scale)

    scanner = _one_line_errors(kinds.add_parser("scanner", help="a simulated serial barcode scanner"))
    scanner.add_argument("--protocol", choices=("serial",), default="serial")
    _link_argument(scanner)
    scanner.add_argument("--terminator", choices=("cr", "lf", "crlf"), default="cr")
    scanner.add_argument("--prefix", default="", help="text sent before each scan")
    scanner.add_argument("--suffix", default="", help="text sent after each scan, before the terminator")
    scanner.add_argument("--baud", type=_positive_int, default=None, help="pace the output at this baud rate")
    _console_argument(scanner)
    scanner.set_defaults(func=_simulate_scanner)

    printer = _one_line_errors(
        kinds.add_parser("printer", help="a simulated ZPL label printer on a TCP port (labels to PNG)")
    )
    printer.add_argument("--link", default="tcp://127.0.0.1:9100", help="tcp://HOST:PORT (default port 9100)")
    printer.add_argument(
        "--out", required=True, help="folder for the printed labels (PNG and the ZPL received)"
    )
    printer.set_defaults(func=_simulate_printer)

    ports = _one_line_errors(device_commands.add_parser("ports", help="list serial ports (JSON)"))
    ports.set_defaults(func=_list_ports)

    scan = _one_line_errors(subparsers.add_parser("scan", help="barcode scans"))
    scan_commands = scan.add_subparsers(dest="scan_command", metavar="COMMAND", required=True)
    decode = _one_line_errors(
        scan_commands.add_parser("decode", help="what the station reads in a scan: GS1 fields or a plain id")
    )
    decode.add_argument("data", metavar="DATA", help="the scan; the GS separator as the byte, \\x1d or <GS>")
    decode.set_defaults(func=_decode)


def _link_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--link",
        default=None,
        help="PATH: symlink to the pty created (default: a temporary one); or tcp://127.0.0.1:PORT",
    )


def _console_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-console",
        action="store_true",
        help="no console on stdin: run until interrupted (SIGINT/SIGTERM); so does a console whose input ends",
    )


# ---------------------------------------------------------------------- handlers


def _decode(args: argparse.Namespace) -> int:
    from hardware.barcodes.decoder import Unreadable, decode_scan, to_json  # biip: only when decoding

    scan = decode_scan(unescape_separators(args.data))
    if isinstance(scan, Unreadable):
        sys.stderr.write(f"unreadable barcode: {scan.reason} (data: {scan.raw!r})\n")
        return EXIT_FAILED
    sys.stdout.write(json.dumps(to_json(scan), indent=2) + "\n")
    return EXIT_OK


def _list_ports(args: argparse.Namespace) -> int:
    sys.stdout.write(json.dumps([port.to_json() for port in list_serial_ports()], indent=2) + "\n")
    return EXIT_OK


def _simulate_scale(args: argparse.Namespace) -> int:
    try:
        device: SimulatedDevice = ScaleSimulator(
            args.protocol,
            capacity=args.capacity,
            readability=args.readability,
            unit=args.unit,
            serial_number=args.serial_number,
            link=args.link,
            settle_time=args.settle_time,
            stream_interval=args.interval,
            output_format=args.format,
            autoprint=args.autoprint,
            baudrate=args.baud,
        )
    except (ValueError, EndpointError) as exc:
        sys.stderr.write(f"devices simulate scale: error: {exc}\n")
        return EXIT_USAGE
    return _run_simulator(device, f"simulated {args.protocol} scale", args.no_console)


def _simulate_scanner(args: argparse.Namespace) -> int:
    try:
        device: SimulatedDevice = ScannerSimulator(
            args.link,
            terminator=args.terminator,
            prefix=unescape_separators(args.prefix),
            suffix=unescape_separators(args.suffix),
            baudrate=args.baud,
        )
    except (ValueError, EndpointError) as exc:
        sys.stderr.write(f"devices simulate scanner: error: {exc}\n")
        return EXIT_USAGE
    return _run_simulator(device, "simulated scanner", args.no_console)


def _simulate_printer(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hardware.printers.zebra import PrinterError, printer_address
    from hardware.simulators.printer import LabelPrinterSimulator

    try:
        host, port = printer_address(args.link)
    except PrinterError as exc:
        sys.stderr.write(f"devices simulate printer: error: {exc}\n")
        return EXIT_USAGE
    try:
        printer = LabelPrinterSimulator(Path(args.out), host=host, port=port)
    except OSError as exc:
        sys.stderr.write(f"simulated label printer: cannot start on {host}:{port}: {exc.strerror or exc}\n")
        return EXIT_FAILED
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    with printer:
        sys.stdout.write(f"simulated label printer on {printer.address}, labels to {args.out}\n")
        sys.stdout.flush()
        shown = 0
        while not stop.wait(0.2):
            for png in printer.printed[shown:]:
                sys.stdout.write(f"printed {png}\n")
                sys.stdout.flush()
            shown = len(printer.printed)
    return EXIT_OK


def _run_simulator(device: SimulatedDevice, what: str, no_console: bool) -> int:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()
        raise KeyboardInterrupt

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, on_signal) if main_thread else None
    try:
        try:
            address = device.start()
        except (EndpointError, OSError) as exc:
            sys.stderr.write(f"{what}: cannot start: {exc}\n")
            return EXIT_FAILED
        behind = f" (-> {device.device})" if device.device else ""
        sys.stdout.write(f"{what} on {address}{behind}\n")
        sys.stdout.flush()
        on_terminal = sys.stdin is not None and sys.stdin.isatty()
        input_ended = True
        if not no_console and sys.stdin is not None:
            prompt = "> " if on_terminal else ""
            input_ended = SimulatorConsole(device, sys.stdin, sys.stdout, prompt=prompt).run()
        # Ctrl-D at a terminal ends it; a closed pipe or /dev/null (a service, a script's
        # background job) does not: the device keeps answering until SIGTERM or SIGINT.
        if input_ended and not on_terminal:
            while not stop.wait(3600):
                pass
    except KeyboardInterrupt:
        pass
    finally:
        device.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return EXIT_OK


# ---------------------------------------------------------------------- stand-alone


def build_parser() -> argparse.ArgumentParser:
    parser = _one_line_errors(
        argparse.ArgumentParser(prog="mes-station", description="station hardware commands")
    )
    register(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
