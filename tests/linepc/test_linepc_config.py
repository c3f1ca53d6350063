"""The configuration file: every key's bad values give FILE:LINE: key: message; the environment
overrides the file; `config check` shows each value's source; a bad file stops `gui` with exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from station.cli import main
from station.config import KEYS, ConfigInvalid, load_config

GOOD = """\
# a line PC in hall 3
[station]
id = "LINE3-DISP"
site = "Lyon"
timezone = "Europe/Paris"
language = "de"
idle_logout = 600
kiosk = true

[database]
url = "sqlite:////var/lib/mes-station/station.db"

[devices.scale]
port = "usb:A10K3ZQ1"
protocol = "sbi"
baud = 1200
parity = "odd"
equipment = "SCL-150-01"
serial_number = "B123456789"

[devices.scanner]
port = "/dev/mes-scanner-S42"
baud = 9600
equipment = "SCN-01"

[devices.printer]
address = "tcp://10.1.3.20:9100"

[hub]
url = "https://hub.plant.example:8443"
certificate = "/etc/mes-station/tls/station.crt"
key = "/etc/mes-station/tls/station.key"
ca = "/etc/mes-station/tls/ca.crt"
receipt_key = "/etc/mes-station/tls/hub-receipts.pub"

[backup]
folder = "/var/backups/mes-station"
keep = 30
schedule = "Mon..Fri 02:30"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "station.toml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(needle))


def test_a_full_file_is_read_with_each_value_located(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    config = load_config(str(path))
    assert config.get("station.id") == "LINE3-DISP"
    assert config.get("devices.scale.baud") == 1200
    assert config.values["devices.scale.parity"].source == f"{path}:{line_of(GOOD, 'parity')}"
    assert config.values["backup.keep"].source == f"{path}:{line_of(GOOD, 'keep')}"
    # every key the station knows is in the reference file above
    assert {key.name for key in KEYS} == set(config.values)
    assert all(v.source != "default" for v in config.values.values())


# (key line as written, the bad value, a word of the message)
BAD_VALUES = [
    ("id", '"LINE 3"', "not a station id"),
    ("id", "3", "non-empty text"),
    ("site", '""', "non-empty text"),
    ("timezone", '"Mars/Olympus"', "not an IANA time zone"),
    ("language", '"fr"', "not one of en, de"),
    ("idle_logout", "5", "out of range"),
    ("idle_logout", '"300"', "whole number"),
    ("kiosk", '"yes"', "true or false"),
    ("url", '"mysql://x"', "not a database URL"),
    ("port", '"COM3"', "not a port"),
    ("protocol", '"hx711"', "not one of mt-sics, sbi"),
    ("baud", "9601", "not one of"),
    ("parity", '"mark"', "not one of none, even, odd"),
    ("equipment", "[]", "non-empty text"),
    ("address", '"lpt1"', "not a printer"),
    ("certificate", '"station.crt"', "not an absolute path"),
    ("folder", '"backups"', "not an absolute path"),
    ("keep", "0", "out of range"),
    ("schedule", '"2:30"', "is not a schedule: hourly, daily, weekly, or HH:MM"),
    ("schedule", '"24:00"', "is not a schedule"),
    ("schedule", '"Mo 02:30"', "is not a schedule"),
    ("schedule", '"Fri..Mon 02:30"', "'Fri..Mon': the days run the wrong way (Mon..Fri)"),
    ("schedule", '"*-*-* 02:30; rm -rf /"', "is not a schedule"),
    ("schedule", "230", "non-empty text"),
]


@pytest.mark.parametrize(("key", "value", "message"), BAD_VALUES, ids=[f"{k}={v}" for k, v, _ in BAD_VALUES])
def test_every_bad_value_is_located(tmp_path: Path, key: str, value: str, message: str) -> None:
    number = line_of(GOOD, f"{key} =")
    lines = GOOD.splitlines()
    lines[number - 1] = f"{key} = {value}"
    text = "\n".join(lines) + "\n"
    path = write(tmp_path, text)
    with pytest.raises(ConfigInvalid) as caught:
        load_config(str(path))
    assert len(caught.value.problems) == 1, caught.value.problems
    problem = caught.value.problems[0]
    assert problem.startswith(f"{path}:{number}: "), problem
    assert message in problem


def test_unknown_keys_and_tables_are_named(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("kiosk = true", "kisok = true") + "\n[devices.balance]\nport = 1\n")
    with pytest.raises(ConfigInvalid) as caught:
        load_config(str(path))
    problems = caught.value.problems
    assert f"{path}:{line_of(GOOD, 'kiosk')}: station.kisok: unknown key (known here: " in problems[0]
    assert "devices.balance: unknown key" in problems[1]


def test_tls_files_go_together_and_equipment_needs_a_port(tmp_path: Path) -> None:
    text = GOOD.replace('key = "/etc/mes-station/tls/station.key"\n', "").replace(
        'port = "usb:A10K3ZQ1"\n', ""
    )
    path = write(tmp_path, text)
    with pytest.raises(ConfigInvalid) as caught:
        load_config(str(path))
    joined = "\n".join(caught.value.problems)
    assert "devices.scale: an equipment id without a port" in joined
    assert "hub: certificate, key and ca go together" in joined


def test_toml_syntax_errors_are_located(tmp_path: Path) -> None:
    path = write(tmp_path, '[station]\nid = "A"\nlanguage = en\n')
    with pytest.raises(ConfigInvalid) as caught:
        load_config(str(path))
    assert caught.value.unreadable
    assert caught.value.problems[0].startswith(f"{path}:3: not valid TOML: ")


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, GOOD)
    monkeypatch.setenv("MES_STATION_ID", "TEST-7")
    monkeypatch.setenv("MES_SITE_TZ", "UTC")
    monkeypatch.setenv("MES_STATION_DB", f"sqlite:///{tmp_path / 'x.db'}")
    config = load_config(str(path))
    assert config.values["station.id"].value == "TEST-7"
    assert config.values["station.id"].source == "env MES_STATION_ID"
    assert config.get("station.timezone") == "UTC"
    assert config.get("database.url").endswith("x.db")
    monkeypatch.setenv("MES_SITE_TZ", "Nowhere/Town")
    with pytest.raises(ConfigInvalid) as caught:
        load_config(str(path))
    assert caught.value.problems == [
        "environment MES_SITE_TZ: station.timezone: 'Nowhere/Town' is not an IANA time zone (e.g. Europe/Berlin)"
    ]


def test_config_check_prints_values_and_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, GOOD)
    assert main(["config", "check", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"# configuration: {path}" in out
    assert 'station.language            = "de"' in out
    assert f"# {path}:{line_of(GOOD, 'language')}" in out
    # the option before the command works too
    assert main(["--config", str(path), "config", "check"]) == 0


def test_config_check_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", "--config", str(tmp_path / "missing.toml")]) == 2
    assert capsys.readouterr().err.strip() == f"{tmp_path / 'missing.toml'}: no such file"
    bad = write(tmp_path, GOOD.replace('language = "de"', 'language = "xx"'))
    assert main(["config", "check", "--config", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"{bad}:{line_of(GOOD, 'language')}: station.language: 'xx' is not one of en, de"
    assert "Traceback" not in err


def test_a_bad_file_stops_the_station_with_its_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, GOOD.replace("idle_logout = 600", "idle_logout = -1"))
    assert main(["--config", str(bad), "gui"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        f"mes-station: {bad}:{line_of(GOOD, 'idle_logout')}: station.idle_logout: -1 is out of range "
        "(30 to 86400 seconds)"
    )


def test_version_is_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"mes-station {version('mes-station')}"


def test_serial_settings_are_the_files_or_the_protocols(tmp_path: Path) -> None:
    from station.config import serial_options

    config = load_config(str(write(tmp_path, GOOD)))
    assert serial_options(config, "scale") == {"baudrate": 1200, "parity": "O"}
    assert serial_options(config, "scanner") == {"baudrate": 9600}
    bare = load_config(
        str(write(tmp_path, '[devices.scale]\nport = "/dev/mes-serial-A1"\nprotocol = "sbi"\n'))
    )
    assert serial_options(bare, "scale") == {}  # SBI's own 1200 7O1, not a default of ours
