"""The hardware commands: ``scan decode``, ``devices simulate scale|scanner``, ``devices ports``."""

from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hardware_testing import FAST, wait_for

from hardware import cli
from hardware.barcodes.decoder import Gs1Item, Scan
from hardware.scales import open_scale
from hardware.scanners import open_scanner

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = cli.main(argv)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "data",
    [
        "]C1010401234500020710M24-1130\x1d17301130",
        "]C1010401234500020710M24-1130\\x1d17301130",
        "]C1010401234500020710M24-1130<GS>17301130",
    ],
    ids=["raw byte", "escaped", "<GS>"],
)
def test_scan_decode_gs_forms(data: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["scan", "decode", data], capsys)
    assert (code, err) == (0, "")
    decoded = json.loads(out)
    assert decoded["kind"] == "gs1"
    assert (decoded["gtin"], decoded["lot"], decoded["expiry"]) == (
        "04012345000207",
        "M24-1130",
        "2030-11-30",
    )
    assert decoded["raw"] == "]C1010401234500020710M24-1130\x1d17301130"


def test_scan_decode_plain_id(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["scan", "decode", "SCL-150-01"], capsys)
    assert code == 0 and json.loads(out) == {
        "kind": "plain",
        "raw": "SCL-150-01",
        "symbology": None,
        "value": "SCL-150-01",
    }


def test_scan_decode_unreadable_exits_1_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["scan", "decode", "]C101040123450001091730083110P24-0817"], capsys)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("unreadable barcode: ") and "check digit" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["scan", "decode"],
        ["scan"],
        ["devices"],
        ["devices", "simulate"],
        ["devices", "simulate", "scale", "--protocol", "modbus"],
        ["devices", "simulate", "scale", "--capacity", "-3"],
        ["devices", "simulate", "scanner", "--terminator", "tab"],
    ],
)
def test_bad_usage_exits_2_with_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"mes-station: {argv[0]}")  # the program named once, then the command


def test_a_link_that_cannot_be_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        ["devices", "simulate", "scale", "--link", str(tmp_path / "no" / "such" / "dir")], capsys
    )
    assert code == 2 and err.count("\n") == 1 and "does not exist" in err
    code, _, err = run(["devices", "simulate", "scale", "--link", "tcp://127.0.0.1"], capsys)
    assert code == 2 and "tcp://HOST:PORT" in err


def test_register_into_the_station_parser() -> None:
    parser = argparse.ArgumentParser(prog="mes-station")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run")  # the station's own commands live beside them
    cli.register(sub)
    args = parser.parse_args(["scan", "decode", "GRN-01"])
    assert args.func is not None and args.data == "GRN-01"
    args = parser.parse_args(
        ["devices", "simulate", "scale", "--protocol", "sbi", "--link", "/tmp/x", "--format", "16"]
    )
    assert (args.protocol, args.link, args.format) == ("sbi", "/tmp/x", 16)
    args = parser.parse_args(
        ["devices", "simulate", "scanner", "--protocol", "serial", "--terminator", "crlf"]
    )
    assert args.terminator == "crlf"


def test_devices_ports(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["devices", "ports"], capsys)
    assert code == 0 and isinstance(json.loads(out), list)


def test_a_port_says_what_to_write_in_the_configuration() -> None:
    from hardware.discovery import PortInfo

    adapter = PortInfo("/dev/ttyUSB0", "FT232R", "USB VID:PID=0403:6001 SER=A10K3ZQ1", 0x0403, 0x6001,
                       "A10K3ZQ1", "FTDI", "FT232R USB UART", "1-1.2")  # fmt: skip
    assert adapter.to_json()["config_ports"] == ["usb:A10K3ZQ1", "/dev/mes-serial-A10K3ZQ1"]
    onboard = PortInfo("/dev/ttyS0", "ttyS0", "n/a", None, None, None, None, None, None)
    assert onboard.to_json()["config_ports"] == ["/dev/ttyS0"]


@pytest.fixture
def spawn() -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=5)


def start(processes: list[subprocess.Popen[str]], *argv: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "hardware.cli", *argv],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env,
    )  # fmt: skip
    processes.append(process)
    assert process.stdout is not None
    first = process.stdout.readline()
    return process, first


def say(process: subprocess.Popen[str], command: str) -> str:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(command + "\n")
    process.stdin.flush()
    return process.stdout.readline().strip()


def test_simulate_scale_by_hand(tmp_path: Path, spawn: list[subprocess.Popen[str]]) -> None:
    link = tmp_path / "scale"
    process, first = start(spawn, "devices", "simulate", "scale", "--protocol", "mt-sics", "--link", str(link),
                           "--settle-time", "0.2", "--serial-number", "CLI42")  # fmt: skip
    assert first.startswith(f"simulated mt-sics scale on {link} (-> /dev/pts/")
    assert link.is_symlink()
    scale = open_scale("mt-sics", str(link), **FAST)
    try:
        assert scale.serial_number == "CLI42"
        assert say(process, "put 61.27 kg") == "on the pan: 61.27 kg"
        assert scale.read_stable(timeout=3).value == Decimal("61.27")
        assert say(process, "unplug") == "unplugged"
        assert wait_for(lambda: scale.status == "disconnected")
        assert not link.exists()
        assert say(process, "replug") == f"plugged in at {link}"
        assert wait_for(lambda: scale.status == "connected")
        assert say(process, "put 2 lb") == "on the pan: 2 lb"
        assert scale.read_stable(timeout=3).value == Decimal("0.91")
        assert say(process, "frobnicate").startswith("error: unknown command")
    finally:
        scale.close()
    assert process.stdin is not None
    process.stdin.write("quit\n")
    process.stdin.flush()
    assert process.wait(timeout=5) == 0


def test_simulate_sbi_scale_outlives_its_input(tmp_path: Path, spawn: list[subprocess.Popen[str]]) -> None:
    """A simulator under systemd or in a script's background has no console: the end of its
    input does not end it; SIGTERM does."""
    link = tmp_path / "sbi"
    process, first = start(spawn, "devices", "simulate", "scale", "--protocol", "sbi", "--link", str(link),
                           "--capacity", "6", "--readability", "0.001", "--settle-time", "0.1")  # fmt: skip
    assert first.startswith("simulated sbi scale on")
    scale = open_scale("sbi", str(link), **FAST)
    try:
        say(process, "put 3.931")
        assert scale.read_stable(timeout=3).value == Decimal("3.931")
        assert process.stdin is not None
        process.stdin.close()
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=1)
        assert scale.read_stable(timeout=3).value == Decimal("3.931")  # still answering
    finally:
        scale.close()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=5) == 0
    assert not link.exists()


def test_simulate_scanner_over_tcp(spawn: list[subprocess.Popen[str]]) -> None:
    process, first = start(spawn, "devices", "simulate", "scanner", "--link", "tcp://127.0.0.1:0")
    assert first.startswith("simulated scanner on socket://127.0.0.1:")
    address = first.split(" on ", 1)[1].strip()
    scans: queue.Queue[Scan] = queue.Queue()
    scanner = open_scanner(address, callback=scans.put, **FAST)
    try:
        assert say(process, "scan ]C1010401234500020710M24-1130<GS>17301130") == "scanned"
        scan = scans.get(timeout=3)
        assert isinstance(scan, Gs1Item) and (scan.lot, str(scan.expiry)) == ("M24-1130", "2030-11-30")
    finally:
        scanner.close()
    say(process, "quit")
    assert process.wait(timeout=5) == 0


def test_simulator_without_console_stops_on_sigterm(
    tmp_path: Path, spawn: list[subprocess.Popen[str]]
) -> None:
    link = tmp_path / "scale"
    process, first = start(spawn, "devices", "simulate", "scale", "--link", str(link), "--no-console")
    assert first.startswith("simulated mt-sics scale on")
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=5) == 0
    assert not link.exists()
