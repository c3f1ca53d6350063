"""The Debian package plant IT installs: built by packaging/build-deb.sh once per session, its
contents, permissions, maintainer scripts and systemd units checked; then, as root on a
throwaway machine (CI sets MES_PACKAGE_INSTALL=1), installed with dpkg, run from the installed
files, upgraded over an older build with a record in place, and removed with the record kept."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
OLDER = "0.0.1"
STORE = Path("/var/lib/mes-station/station.db")
BACKUPS = Path("/var/backups/mes-station")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb: Debian only"),
]


def build(version: str, dist: Path, sources: Path = ROOT) -> Path:
    env = {
        **os.environ,
        "MES_PACKAGE_VERSION": version,
        "MES_PACKAGE_DIST": str(dist),
        "PYTHON": sys.executable,
    }
    done = subprocess.run(
        ["bash", str(sources / "packaging" / "build-deb.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    deb = Path(done.stdout.strip().splitlines()[-1])
    assert deb == dist / f"mes-station_{version}_amd64.deb"
    return deb


#: The migration that gave every store its chain identity for the hub: the older build is made
#: from the sources of the commit before it, so the upgrade below crosses a real schema change.
CHAIN_IDENTITY = "ebr/migrations/versions/0004_chain_identity_and_sync.py"


def older_sources(folder: Path) -> Path:
    """This repository's sources as they were just before ``CHAIN_IDENTITY`` came (``git
    archive`` of that commit: the checkout itself is not touched)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("the upgrade test builds an older commit: it needs git and this repository's history")
    found = run(
        "git",
        "-C",
        str(ROOT),
        "log",
        "-1",
        "--format=%H",
        "--diff-filter=A",
        "--",
        CHAIN_IDENTITY,
        check=False,
    )
    commit = found.stdout.strip()
    if found.returncode != 0 or not commit:
        pytest.skip(f"no history of {CHAIN_IDENTITY} here (a shallow clone?)")
    tree = folder / "src"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", f"{commit}^"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    migrations = sorted(p.name for p in (tree / "ebr/migrations/versions").glob("0*.py"))
    assert migrations and all(name < "0004" for name in migrations), migrations
    return tree


@pytest.fixture(scope="session")
def debs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    dist = tmp_path_factory.mktemp("dist")
    return {VERSION: build(VERSION, dist)}


def run(*argv: str, check: bool = True, **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, **kwargs)  # type: ignore[call-overload]
    if check:
        assert done.returncode == 0, (
            f"{argv}: {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    return done


def contents(deb: Path) -> dict[str, tuple[str, str, str]]:
    """path -> (mode, owner, link target)."""
    listing = {}
    for line in run("dpkg-deb", "-c", str(deb)).stdout.splitlines():
        parts = line.split(None, 5)
        mode, owner, name = parts[0], parts[1], parts[5]
        target = ""
        if " -> " in name:
            name, target = name.split(" -> ", 1)
        listing[name.removeprefix(".")] = (mode, owner, target)
    return listing


def test_contents_and_permissions(debs: dict[str, Path]) -> None:
    listing = contents(debs[VERSION])
    assert listing["/usr/bin/mes-station"] == (
        "lrwxrwxrwx",
        "root/root",
        "/opt/mes-station/venv/bin/mes-station",
    )
    assert listing["/etc/mes-station/station.toml"][0] == "-rw-r-----"  # may name key files
    for unit in ("mes-station-kiosk.service", "mes-station-sync.service", "mes-station-backup.service",
                 "mes-station-backup.timer", "mes-station-simulate@.service"):  # fmt: skip
        assert listing[f"/lib/systemd/system/{unit}"][:2] == ("-rw-r--r--", "root/root")
    assert "/lib/udev/rules.d/70-mes-station.rules" in listing
    # backup.schedule into the backup timer, at boot and at each daemon-reload
    assert listing["/lib/systemd/system-generators/mes-station-backup-schedule"][:2] == (
        "-rwxr-xr-x",
        "root/root",
    )
    assert all(owner == "root/root" for _, owner, _ in listing.values())
    writable = [p for p, (mode, _, _) in listing.items() if mode[8] == "w" and not mode.startswith("l")]
    assert not writable, "nothing world-writable"
    wheels = sorted(p for p in listing if p.startswith("/opt/mes-station/wheels/") and p.endswith(".whl"))
    assert f"/opt/mes-station/wheels/mes_station-{VERSION}-py3-none-any.whl" in wheels
    # every dependency is in the package, pinned: no index is needed at install
    pins = subprocess.run(
        ["dpkg-deb", "--fsys-tarfile", str(debs[VERSION])], capture_output=True, check=True
    ).stdout
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(pins)) as tar:
        member = tar.extractfile("./opt/mes-station/requirements.txt")
        assert member is not None
        requirements = member.read().decode().split()
    assert len(requirements) == len(wheels)
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[^=\s]+", line) for line in requirements)
    names = {line.split("==")[0].lower().replace("_", "-") for line in requirements}
    assert {"mes-station", "sqlalchemy", "pyside6-essentials", "psycopg-binary"} <= names


def test_control_and_maintainer_scripts(debs: dict[str, Path], tmp_path: Path) -> None:
    deb = str(debs[VERSION])
    fields = {
        name: run("dpkg-deb", "-f", deb, name).stdout.strip()
        for name in ("Package", "Version", "Architecture", "Depends")
    }
    assert (fields["Package"], fields["Version"], fields["Architecture"]) == ("mes-station", VERSION, "amd64")
    for needed in (
        "python3-venv",
        "cage",
        "adduser",
        f"python3 (>= {sys.version_info[0]}.{sys.version_info[1]})",
    ):
        assert needed in fields["Depends"]
    control = tmp_path / "control"
    run("dpkg-deb", "-e", deb, str(control))
    assert (control / "conffiles").read_text().split() == [
        "/etc/mes-station/station.toml",
        "/etc/pam.d/mes-station-kiosk",
    ]
    for script in ("preinst", "postinst", "prerm", "postrm"):
        path = control / script
        assert path.stat().st_mode & 0o777 == 0o755
        assert path.read_text().startswith("#!/bin/sh\n")
        run("sh", "-n", str(path))  # POSIX sh syntax
    postinst = (control / "postinst").read_text()
    assert "--no-index" in postinst and "db upgrade" in postinst
    assert "db backup" in (control / "preinst").read_text()
    removals = [
        line.strip() for line in (control / "postrm").read_text().splitlines() if re.search(r"\brm\b", line)
    ]
    assert removals == ["rm -rf /opt/mes-station/venv"]  # the program only: the record stays


def test_units_pass_systemd_analyze_verify(debs: dict[str, Path], tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    tree = tmp_path / "tree"
    run("dpkg-deb", "-x", str(debs[VERSION]), str(tree))
    units = tmp_path / "units"
    units.mkdir()
    # Before install, /usr/bin/mes-station is not there: the units are checked with the same
    # program from this checkout (the installed units are checked as they are, below).
    program = str(Path(sys.executable).with_name("mes-station"))
    for unit in (tree / "lib/systemd/system").iterdir():
        text = unit.read_text()
        if not Path("/usr/bin/mes-station").exists():
            text = text.replace("/usr/bin/mes-station", program)
        (units / unit.name).write_text(text)
    names = [str(units / u) for u in ("mes-station-kiosk.service", "mes-station-sync.service",
             "mes-station-backup.service", "mes-station-backup.timer")]  # fmt: skip
    names.append(str(units / "mes-station-simulate@scale.service"))
    shutil.copy(units / "mes-station-simulate@.service", units / "mes-station-simulate@scale.service")
    done = run("systemd-analyze", "verify", *names, check=False)
    problems = [line for line in (done.stderr + done.stdout).splitlines() if "mes-station" in line]
    assert done.returncode == 0 and not problems, done.stderr


# ------------------------------------------------------------------ installed, as root


def _may_install() -> str | None:
    if os.geteuid() != 0:
        return "installing needs root (CI runs as root on a throwaway machine)"
    if os.environ.get("MES_PACKAGE_INSTALL") != "1":
        return "installs system-wide: only where MES_PACKAGE_INSTALL=1 (.ci/run)"
    if run("dpkg-query", "-W", "mes-station", check=False).returncode == 0 or STORE.parent.exists():
        return "a mes-station is installed on this machine already: not touching it"
    return None


@pytest.fixture
def machine(
    debs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Path]]:
    reason = _may_install()
    if reason:
        pytest.skip(reason)
    for name in [n for n in os.environ if n.startswith("MES_")]:  # as plant IT runs it: the file decides
        monkeypatch.delenv(name)
    folder = tmp_path_factory.mktemp("older")
    older = build(OLDER, folder, older_sources(folder))
    try:
        yield {OLDER: older, VERSION: debs[VERSION]}
    finally:
        run("dpkg", "--purge", "mes-station", check=False)
        for folder in (
            "/var/lib/mes-station",
            "/var/backups/mes-station",
            "/var/log/mes-station",
            "/opt/mes-station",
        ):
            shutil.rmtree(folder, ignore_errors=True)


def as_station(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run("runuser", "-u", "mes-station", "--", "env", "HOME=/var/lib/mes-station", *argv, check=check)


def test_install_run_upgrade_remove(machine: dict[str, Path]) -> None:
    # install the older build: user, folders, environment, an empty store at the schema
    run("dpkg", "-i", str(machine[OLDER]))
    assert run("/usr/bin/mes-station", "--version").stdout.strip() == f"mes-station {OLDER}"
    assert run("getent", "passwd", "mes-station").stdout.split(":")[5] == "/var/lib/mes-station"
    for folder in ("/var/lib/mes-station", "/var/log/mes-station", "/var/backups/mes-station"):
        info = os.stat(folder)
        assert oct(info.st_mode & 0o777) == "0o750", folder
        assert run("stat", "-c", "%U:%G", folder).stdout.strip() == "mes-station:mes-station"
    assert STORE.is_file() and STORE.stat().st_mode & 0o007 == 0
    # the kiosk starts at boot, the backup runs daily
    assert Path("/etc/systemd/system/graphical.target.wants/mes-station-kiosk.service").is_symlink()
    assert Path("/etc/systemd/system/timers.target.wants/mes-station-backup.timer").is_symlink()
    # the installed program runs: the health check, and the demo batch headless into the store
    doctor = run("/usr/bin/mes-station", "doctor", check=False)
    assert doctor.returncode == 0, doctor.stdout
    assert "database      ok    /var/lib/mes-station/station.db" in doctor.stdout
    as_station("/usr/bin/mes-station", "demo", "--headless", "--db", f"sqlite:///{STORE}")
    with sqlite3.connect(STORE) as con:
        events = con.execute("SELECT last_seq FROM chain_head").fetchone()[0]
    assert events > 50

    with sqlite3.connect(STORE) as con:  # the older schema: no chain identity yet
        old_revision = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        assert "chain_identity" not in {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    assert old_revision < "0004"

    # the newer build over it: backed up first (by the older software), migrated, still intact
    upgrade = run("dpkg", "-i", str(machine[VERSION]))
    assert f"backing the record up before the upgrade from {OLDER}" in upgrade.stderr
    assert run("/usr/bin/mes-station", "--version").stdout.strip() == f"mes-station {VERSION}"
    (manifest_file,) = (BACKUPS / "before-upgrade").glob("*.manifest.json")
    manifest = json.loads(manifest_file.read_text())
    assert manifest["chain_last_seq"] == events and manifest["taken_by_software"] == f"mes-station {OLDER}"
    assert manifest["schema_revision"] == old_revision
    assert "is at the current schema" in upgrade.stdout
    with sqlite3.connect(STORE) as con:  # migrated across the change: the store has its chain id
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] >= "0004"
        (chain,) = con.execute("SELECT chain_id FROM chain_identity").fetchone()
        assert len(chain) == 36
    assert run("/usr/bin/mes-station", "ebr", "verify").stdout.startswith(
        f"the whole audit trail: intact ({events}"
    )
    # the backup restores into a new store, for the demo's administrator (password on stdin)
    backup_db = manifest_file.with_name(manifest["file"])
    check = Path("/tmp/mes-restore-check.db")
    restored = run("/usr/bin/mes-station", "db", "restore", str(backup_db), "--db", f"sqlite:///{check}",
                   "--user", "adm.kim", input="Adm1n-Kim-2026.26\n")  # fmt: skip
    assert "restored from" in restored.stdout and "by adm.kim" in restored.stdout
    check.unlink()

    # the kiosk unit's command, from the installed files, under cage on a headless output: it
    # draws the login screen (the screenshot is kept for a person to look at)
    from tests.packaging.kiosk import missing_tools, screenshot

    if missing_tools():
        print(f"kiosk under cage not tried: {', '.join(missing_tools())} not installed")
    else:
        shot = Path(os.environ.get("MES_SCREENSHOT_DIR") or "/tmp/mes-screenshots") / "kiosk-under-cage.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        seconds, png = screenshot("mes-station", "/var/lib/mes-station", shot)
        from PySide6.QtGui import QImage

        image = QImage.fromData(png, "PNG")
        assert image.pixelColor(4, 4).name() == "#0f1e33"  # the station's header, top left
        print(
            f"kiosk under cage: first frame after {seconds:.1f} s, {image.width()}x{image.height()}, {shot}"
        )

    # the installed generator turns backup.schedule into the timer's drop-in
    generated = Path("/tmp/mes-generator-check")
    shutil.rmtree(generated, ignore_errors=True)
    run("/lib/systemd/system-generators/mes-station-backup-schedule", str(generated), "/tmp", "/tmp")
    assert (
        "OnCalendar=daily" in (generated / "mes-station-backup.timer.d/50-backup-schedule.conf").read_text()
    )
    shutil.rmtree(generated)

    # the installed units, as they are
    if shutil.which("systemd-analyze"):
        units = [f"/lib/systemd/system/{u}" for u in ("mes-station-kiosk.service", "mes-station-backup.service",
                 "mes-station-backup.timer", "mes-station-sync.service")]  # fmt: skip
        run("systemd-analyze", "verify", *units)

    # a store written by newer software is refused, not opened
    with sqlite3.connect(STORE) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    refused = as_station("/usr/bin/mes-station", "db", "upgrade", check=False)
    assert refused.returncode == 2 and "is newer than this software" in refused.stderr

    # removed: the program goes, the record and its backups stay
    run("dpkg", "-r", "mes-station")
    assert not Path("/usr/bin/mes-station").exists() and not Path("/opt/mes-station/venv").exists()
    assert STORE.is_file() and backup_db.is_file()
    assert Path("/etc/mes-station/station.toml").is_file()
    run("dpkg", "--purge", "mes-station")
    assert not Path("/etc/systemd/system/graphical.target.wants/mes-station-kiosk.service").exists()
    assert STORE.is_file()  # even a purge leaves the record
