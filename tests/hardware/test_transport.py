"""The transport on real ptys and pyserial URLs: opening, timeouts, tracing, losing the device."""

from __future__ import annotations

import logging
import os
import threading
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial

from hardware.transport import LinkClosed, LinkLost, LinkStatus, SerialSettings, Transport, pyserial_url


@pytest.fixture
def pty() -> Iterator[tuple[int, str]]:
    master, slave = os.openpty()
    tty.setraw(slave)
    yield master, os.ttyname(slave)
    for fd in (master, slave):
        try:
            os.close(fd)
        except OSError:
            pass


def test_loop_url_read_write_and_timeout() -> None:
    with Transport.open_link("loop://", poll_interval=0.01) as transport:
        assert transport.status is LinkStatus.CONNECTED
        transport.write(b"S\r\n")
        assert transport.read(0.5) == b"S\r\n"
        started = time.monotonic()
        assert transport.read(0.1) == b""
        assert 0.08 <= time.monotonic() - started < 0.5
    assert str(transport.status) == "closed"
    with pytest.raises(LinkClosed):
        transport.read()


def test_path_of_a_pty(pty: tuple[int, str]) -> None:
    master, path = pty
    with Transport.open_link(path, SerialSettings(baudrate=9600)) as transport:
        os.write(master, b'I4 A "1"\r\n')
        data = b""
        while not data.endswith(b"\r\n"):
            data += transport.read(0.5)
        assert data == b'I4 A "1"\r\n'
        transport.write(b"I4\r\n")
        assert os.read(master, 100) == b"I4\r\n"


def test_an_open_serial_object(pty: tuple[int, str]) -> None:
    master, path = pty
    port = serial.Serial(path, 9600, timeout=None)
    with Transport.open_link(port, poll_interval=0.02) as transport:
        assert port.timeout == 0.02  # bounded, so that a reader can be stopped
        os.write(master, b"x")
        assert transport.read(0.5) == b"x"
    assert not port.is_open


def test_spy_url_traces_traffic(pty: tuple[int, str], tmp_path: Path) -> None:
    master, path = pty
    trace = tmp_path / "trace.txt"
    with Transport.open_link(f"spy://{path}?file={trace}", poll_interval=0.01) as transport:
        transport.write(b"SI\r\n")
        assert os.read(master, 100) == b"SI\r\n"
        os.write(master, b"S S 1.00 g\r\n")
        data = b""
        while not data.endswith(b"\n"):
            data += transport.read(0.5)
    text = trace.read_text()
    assert "TX" in text and "53 49 0D 0A" in text  # b"SI\r\n" went out
    assert "RX" in text and "67 0D 0A" in text  # b"... g\r\n" came in


def test_debug_log_of_traffic(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="hardware.transport"):
        with Transport.open_link("loop://", poll_interval=0.01, name="scale-1") as transport:
            transport.write(b"T\r\n")
            transport.read(0.5)
    messages = [record.getMessage() for record in caplog.records]
    assert "scale-1 -> b'T\\r\\n'" in messages
    assert "scale-1 <- b'T\\r\\n'" in messages


def test_the_device_going_away_and_coming_back(pty: tuple[int, str], tmp_path: Path) -> None:
    master, path = pty
    link = str(tmp_path / "ttyUSB0")
    os.symlink(path, link)
    try:
        transport = Transport.open_link(link, poll_interval=0.01, backoff_initial=0.01, backoff_max=0.05)
        os.close(master)  # the adapter is pulled out
        with pytest.raises(LinkLost):
            for _ in range(10):
                transport.read(0.05)
        assert transport.status is LinkStatus.DISCONNECTED
        with pytest.raises(LinkLost):
            transport.write(b"S\r\n")
        os.unlink(link)
        with pytest.raises(LinkLost):
            transport.reopen()
        new_master, new_slave = os.openpty()  # it comes back under another name
        tty.setraw(new_slave)
        os.symlink(os.ttyname(new_slave), link)
        stop = threading.Event()
        assert transport.wait_reconnect(stop)
        assert str(transport.status) == "connected"
        os.write(new_master, b"ok")
        assert transport.read(0.5) == b"ok"
        transport.close()
        os.close(new_master)
        os.close(new_slave)
    finally:
        if os.path.islink(link):
            os.unlink(link)


def test_wait_reconnect_stops_when_asked() -> None:
    transport = Transport("/nonexistent/port", backoff_initial=0.01, backoff_max=0.02)
    with pytest.raises(LinkLost):
        transport.open()
    stop = threading.Event()
    threading.Timer(0.1, stop.set).start()
    started = time.monotonic()
    assert transport.wait_reconnect(stop) is False
    assert time.monotonic() - started < 1


def test_settings() -> None:
    assert str(SerialSettings()) == "9600 8N1"
    assert str(SerialSettings(1200, 7, "O", 1)) == "1200 7O1"
    assert SerialSettings().with_changes(parity="E", baudrate=None) == SerialSettings(parity="E")
    for bad in ({"baudrate": 0}, {"bytesize": 9}, {"parity": "X"}, {"stopbits": 3}):
        with pytest.raises(ValueError):
            SerialSettings(**bad)


def test_link_forms() -> None:
    assert pyserial_url("tcp://127.0.0.1:4001") == "socket://127.0.0.1:4001"
    assert pyserial_url("/dev/ttyUSB0") == "/dev/ttyUSB0"
    with pytest.raises(ValueError):
        Transport("")
