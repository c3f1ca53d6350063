"""The kiosk unit's own command, run from the installed package under Debian's ``cage`` on a
headless wlroots output, as the unit runs it (its user, its ``QT_QPA_PLATFORM``), and a
screenshot of what it shows taken with ``grim``. Used by the install test (root, CI only)."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path

UNIT = Path(__file__).resolve().parents[2] / "packaging" / "systemd" / "mes-station-kiosk.service"
TOOLS = ("cage", "grim", "Xwayland")  # cage 0.1.4 will not start without Xwayland


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def unit_command() -> tuple[list[str], dict[str, str]]:
    """ExecStart= and Environment= of the kiosk unit, as systemd would split them."""
    argv: list[str] = []
    env: dict[str, str] = {}
    for line in UNIT.read_text().splitlines():
        if line.startswith("ExecStart="):
            argv = shlex.split(line.removeprefix("ExecStart="))
        elif line.startswith("Environment="):
            for item in shlex.split(line.removeprefix("Environment=")):
                name, _, value = item.partition("=")
                env[name] = value
    assert argv[:2] == ["/usr/bin/cage", "--"], argv
    return argv, env


def _uniform(png: bytes) -> bool:
    """True for an empty frame (every pixel alike): the compositor up, the station not yet drawn."""
    from PySide6.QtGui import QImage

    image = QImage.fromData(png, "PNG")
    if image.isNull():
        return True
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 23)}
    return len(colours) < 3


def grab(user: str, runtime: Path) -> bytes | None:
    shot = subprocess.run(
        ["runuser", "-u", user, "--", "env", f"XDG_RUNTIME_DIR={runtime}", "WAYLAND_DISPLAY=wayland-0", "grim", "-"],
        capture_output=True, timeout=30,
    )  # fmt: skip
    return shot.stdout if shot.returncode == 0 else None


def screenshot(user: str, home: str, out: Path, timeout_s: float = 90) -> tuple[float, bytes]:
    """Start the unit's command as ``user`` under headless cage; the seconds until its first drawn
    frame, and that frame (PNG, also written to ``out``); the station must still run 5 s later.
    The compositor and the station are stopped before returning.

    Only the first frame: Debian 12's cage 0.1.4 on wlroots' headless backend presents a
    client's first buffer and no later one (measured with a bare Qt label changing colour every
    second, on Wayland and through Xwayland alike), so the window's later full-screen size and
    its updates cannot be seen here; on a line PC's display they are the compositor's usual work."""
    argv, unit_env = unit_command()
    x11 = Path("/tmp/.X11-unix")  # Xwayland's sockets: as systemd-tmpfiles makes it at boot
    if not x11.exists():
        x11.mkdir()
        x11.chmod(0o1777)
    runtime = Path("/tmp/mes-kiosk-runtime")
    shutil.rmtree(runtime, ignore_errors=True)
    runtime.mkdir(mode=0o700)
    shutil.chown(runtime, user, user)
    env = {
        **unit_env,
        "HOME": home,
        "XDG_RUNTIME_DIR": str(runtime),
        "WLR_BACKENDS": "headless",  # no display, no GPU: wlroots' own output in memory
        "WLR_RENDERER": "pixman",
        "WLR_LIBINPUT_NO_DEVICES": "1",
        "MES_LOG_DIR": "/var/log/mes-station",
    }
    assignments = [f"{name}={value}" for name, value in env.items()]
    start = time.monotonic()
    kiosk = subprocess.Popen(
        ["runuser", "-u", user, "--", "env", *assignments, *argv],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = start + timeout_s
        while time.monotonic() < deadline:
            if kiosk.poll() is not None:
                output = kiosk.stdout.read().decode(errors="replace") if kiosk.stdout else ""
                raise AssertionError(f"the kiosk ended ({kiosk.returncode}):\n{output[-3000:]}")
            if (runtime / "wayland-0").exists():
                shot = grab(user, runtime)
                if shot is not None and not _uniform(shot):
                    elapsed = time.monotonic() - start
                    out.write_bytes(shot)
                    time.sleep(5)  # and the station keeps running under the compositor
                    assert kiosk.poll() is None, f"the kiosk ended ({kiosk.returncode}) after its first frame"
                    return elapsed, shot
            time.sleep(0.5)
        raise AssertionError(f"no frame drawn by the kiosk within {timeout_s:.0f} s")
    finally:
        os.killpg(kiosk.pid, signal.SIGTERM)
        try:
            kiosk.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(kiosk.pid, signal.SIGKILL)
            kiosk.wait()
        if kiosk.stdout:
            kiosk.stdout.close()
        shutil.rmtree(runtime, ignore_errors=True)
