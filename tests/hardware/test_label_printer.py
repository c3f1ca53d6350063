"""ZPL to a label printer on TCP port 9100, against the printer simulator: what arrives is
printed to a PNG whose bars are the symbol that was sent."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import barcode
import pytest
from PIL import Image

from hardware.printers import PrinterError, print_zpl
from hardware.printers.zpl_render import GS, render, symbol_text
from hardware.simulators.printer import LabelPrinterSimulator

ELEMENTS = f"0104012345000108310200600210P24-0817{GS}91B-2611-001"
JOB = (
    "^XA^CI28^PW1181^LL591^LH0,0\n"
    "^FO30,30^GB1121,77,77^FS\n"
    "^FO48,48^FR^A0N,40,40^FH^FDDISPENSED FOR BATCH B-2611-001^FS\n"
    "^FO30,130^A0N,40,40^FH^FDRM-0101  Paracetamol _5E caret^FS\n"
    "^BY2^FO100,300^BCN,150,N,N,N,A^FD>;>8010401234500010831020060021 0P24-0817>891B-2611-001^FS\n"
    "^XZ\n"
).replace("21 0P24", "210P24")


@pytest.fixture
def printer(tmp_path: Path) -> LabelPrinterSimulator:
    with LabelPrinterSimulator(tmp_path / "printed", port=0) as simulator:
        yield simulator


def _bars(png: Path, y: int, x0: int, module: int, count: int) -> str:
    image = Image.open(png).convert("1")
    return "".join(
        "1" if image.getpixel((x0 + i * module + module // 2, y)) == 0 else "0" for i in range(count)
    )


def test_a_label_sent_is_printed_with_its_text_and_symbol(printer: LabelPrinterSimulator) -> None:
    print_zpl(printer.address, JOB.encode())
    [png] = printer.wait_for(1)
    label = render(JOB)
    assert "RM-0101  Paracetamol ^ caret" in label.texts  # ^FH: the caret is text, not a command
    assert label.symbols == [ELEMENTS] and label.ignored == []
    expected: str = barcode.get("gs1_128", ELEMENTS.replace(GS, "\xf1")).build()[0]
    assert _bars(png, 300 + 75, 100, 2, len(expected)) == expected
    assert png.with_suffix(".zpl").read_text(encoding="utf-8").startswith("^XA")


def test_the_symbol_data_is_read_as_zpl_writes_it() -> None:
    assert symbol_text(">;>80104012345000108>810LOT>891B") == (f"0104012345000108{GS}10LOT{GS}91B", True)
    assert symbol_text(">:ABC>0123") == ("ABC>123", False)


def test_garbage_is_not_printed_and_the_printer_goes_on(printer: LabelPrinterSimulator) -> None:
    with socket.create_connection((printer.host, printer.port)) as s:
        s.sendall(bytes(range(256)) * 10)
    deadline = time.monotonic() + 5
    while not printer.refused and time.monotonic() < deadline:
        time.sleep(0.02)
    assert printer.refused == ["no ^XA ... ^XZ label in what was sent"]
    print_zpl(printer.address, JOB.encode())
    assert len(printer.wait_for(1)) == 1


def test_a_printer_that_is_off_is_a_clear_error_not_a_hang(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    started = time.monotonic()
    with pytest.raises(PrinterError, match=rf"printer 127.0.0.1:{port} cannot be reached"):
        print_zpl(f"tcp://127.0.0.1:{port}", JOB.encode(), timeout=2)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    ("address", "job", "message"),
    [
        ("tcp://127.0.0.1:9100", b"hello", "not a ZPL label"),
        ("lpt1", JOB.encode(), "not a printer address"),
        ("tcp://127.0.0.1:99999", JOB.encode(), "port is not a number"),
    ],
)
def test_bad_requests_are_refused_before_anything_is_sent(address: str, job: bytes, message: str) -> None:
    with pytest.raises(PrinterError, match=message):
        print_zpl(address, job)


def test_the_simulator_runs_as_a_command_until_it_is_stopped(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "hardware.cli", "devices", "simulate", "printer"]
    process = subprocess.Popen(
        [*command, "--link", f"tcp://127.0.0.1:{port}", "--out", str(tmp_path)],
        stdin=subprocess.DEVNULL,  # as under systemd: no console
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith(f"simulated label printer on tcp://127.0.0.1:{port}")
        print_zpl(f"tcp://127.0.0.1:{port}", JOB.encode())
        assert process.stdout.readline().strip().endswith("label-0001.png")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
