"""The station's one configuration file: ``/etc/mes-station/station.toml`` (or ``--config FILE``,
or ``MES_STATION_CONFIG``), validated like a recipe: every problem as ``FILE:LINE: key: message``.

Each effective value remembers where it came from (the file and line, an environment variable, or
the built-in default), so ``mes-station config check`` can show plant IT why the station does
what it does. Environment variables win over the file: tests and a developer's shell set them.
"""

from __future__ import annotations

import os
import re
import tomllib
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from station.linepc.schedule import backup_schedule

SYSTEM_FILE = Path("/etc/mes-station/station.toml")
CONFIG_ENV = "MES_STATION_CONFIG"

LANGUAGES = ("en", "de")
SCALE_PROTOCOLS = ("mt-sics", "sbi")
PARITIES = ("none", "even", "odd")
BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)

MAX_CONFIG_BYTES = 1 << 20


class ConfigInvalid(Exception):
    """The file is unreadable or holds bad values; ``problems`` are the located lines."""

    def __init__(self, problems: list[str], *, unreadable: bool = False) -> None:
        super().__init__(problems[0] if problems else "invalid configuration")
        self.problems = problems
        self.unreadable = unreadable


# ------------------------------------------------------------------ value checks
# Each check takes the TOML value and returns it (normalised) or raises ValueError(message).


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty text")
    return value.strip()


def _station_id(value: Any) -> str:
    text = _text(value)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}", text):
        raise ValueError(f"{text!r} is not a station id (letters, digits, '.', '_', '-'; at most 40)")
    return text


def _timezone(value: Any) -> str:
    text = _text(value)
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{text!r} is not an IANA time zone (e.g. Europe/Berlin)") from None
    return text


def _choice(*allowed: Any) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in allowed or isinstance(value, bool):
            raise ValueError(f"{value!r} is not one of {', '.join(str(a) for a in allowed)}")
        return value

    return check


def _int_range(low: int, high: int, unit: str = "") -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"must be a whole number{unit}, not {value!r}")
        if not low <= value <= high:
            raise ValueError(f"{value} is out of range ({low} to {high}{unit})")
        return value

    return check


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {value!r}")
    return value


def _database_url(value: Any) -> str:
    text = _text(value)
    if not re.match(r"(sqlite|postgresql)(\+\w+)?://", text):
        raise ValueError(f"{text!r} is not a database URL (sqlite:////var/lib/... or postgresql://...)")
    return text


def _port(value: Any) -> str:
    text = _text(value)
    if not (text.startswith(("/dev/", "usb:", "socket://", "rfc2217://", "loop://")) or text.startswith("/")):
        raise ValueError(f"{text!r} is not a port: a path (/dev/mes-scale) or usb:SERIALNUMBER")
    return text


def _printer(value: Any) -> str:
    text = _text(value)
    if not (re.fullmatch(r"tcp://[^/:]+:\d{1,5}", text) or text.endswith(".pdf")):
        raise ValueError(f"{text!r} is not a printer: tcp://HOST:PORT or FILE.pdf")
    return text


def _url(value: Any) -> str:
    text = _text(value)
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", text):
        raise ValueError(f"{text!r} is not an http(s) URL")
    return text


def _absolute_path(value: Any) -> str:
    text = _text(value)
    if not text.startswith("/"):
        raise ValueError(f"{text!r} is not an absolute path")
    return text


@dataclass(frozen=True)
class Key:
    name: str  # dotted: "station.id"
    check: Callable[[Any], Any]
    default: Any
    env: str | None = None
    help: str = ""


KEYS: tuple[Key, ...] = (
    Key("station.id", _station_id, "STATION-01", "MES_STATION_ID", "the station's name in the record"),
    Key("station.site", _text, "SITE", None, "the plant"),
    Key("station.timezone", _timezone, "Europe/Berlin", "MES_SITE_TZ", "IANA zone for shown times"),
    Key("station.language", _choice(*LANGUAGES), "en", None, "touchscreen language"),
    Key("station.idle_logout", _int_range(30, 86400, " seconds"), 300, None, "seconds until logout"),
    Key("station.kiosk", _boolean, True, None, "full screen, no frame"),
    Key("database.url", _database_url, None, "MES_STATION_DB", "the record store (SQLAlchemy URL)"),
    Key("devices.scale.port", _port, None, "MES_SCALE_PORT", "/dev/mes-scale-SERIAL or usb:SERIAL"),
    Key("devices.scale.protocol", _choice(*SCALE_PROTOCOLS), "mt-sics", None, "mt-sics or sbi"),
    # None: the protocol's own (MT-SICS 9600 8N1, SBI 1200 7O1; a scanner 9600)
    Key("devices.scale.baud", _choice(*BAUDS), None, None, "serial speed"),
    Key("devices.scale.parity", _choice(*PARITIES), None, None, "none, even or odd"),
    Key("devices.scale.equipment", _text, None, None, "its equipment id in master data"),
    Key("devices.scale.serial_number", _text, None, None, "what the scale reports as its serial"),
    Key("devices.scanner.port", _port, None, "MES_SCANNER_PORT", "/dev/mes-scanner-SERIAL or usb:SERIAL"),
    Key("devices.scanner.baud", _choice(*BAUDS), None, None, "serial speed"),
    Key("devices.scanner.equipment", _text, None, None, "its equipment id in master data"),
    Key("devices.printer.address", _printer, None, None, "tcp://HOST:9100 or FILE.pdf"),
    Key("hub.url", _url, None, "MES_HUB_URL", "the central hub (sync)"),
    Key("hub.certificate", _absolute_path, None, None, "the station's TLS certificate"),
    Key("hub.key", _absolute_path, None, None, "its private key"),
    Key("hub.ca", _absolute_path, None, None, "the CA that signed the hub's certificate"),
    Key("hub.receipt_key", _absolute_path, None, "MES_HUB_RECEIPT_KEY", "the hub's pinned receipt key (PEM)"),
    Key("backup.folder", _absolute_path, "/var/backups/mes-station", "MES_BACKUP_DIR", "where backups go"),
    Key("backup.keep", _int_range(1, 3650), 14, None, "how many backups the timer keeps"),
    Key("backup.schedule", backup_schedule, "daily", None, "when the timer backs up (Mon..Fri 02:30)"),
)
_BY_NAME = {key.name: key for key in KEYS}
_TABLES = {name.rsplit(".", 1)[0] for name in _BY_NAME} | {"devices"}


@dataclass(frozen=True)
class Value:
    value: Any
    source: str  # "FILE:LINE", "env MES_X" or "default"


@dataclass
class Config:
    path: str | None  # the file read, None when there was none
    values: dict[str, Value] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.values[name].value

    def explicit(self, name: str) -> Any:
        """The value only when the file or the environment set it (None for a default)."""
        found = self.values[name]
        return None if found.source == "default" else found.value

    def lines(self) -> Iterator[str]:
        """``key = value   # source`` for ``config check``."""
        width = max(len(name) for name in self.values)
        for name, found in self.values.items():
            shown = "(not set)" if found.value is None else _toml_value(found.value)
            yield f"{name.ljust(width)} = {shown.ljust(34)} # {found.source}"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


# ------------------------------------------------------------------ reading


def _key_lines(text: str) -> dict[str, int]:
    """Dotted key -> line, for the plain TOML a configuration file is written in ([table] headers
    and ``key = value`` lines). Keys the scan cannot place get the table's line."""
    lines: dict[str, int] = {}
    table = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = re.fullmatch(r"\[\s*([A-Za-z0-9_.\s-]+?)\s*\]\s*(#.*)?", line)
        if header:
            table = re.sub(r"\s*\.\s*", ".", header.group(1))
            lines.setdefault(table, number)
            continue
        assignment = re.match(r"([A-Za-z0-9_.\"-]+)\s*=", line)
        if assignment:
            key = assignment.group(1).replace('"', "")
            lines.setdefault(f"{table}.{key}" if table else key, number)
    return lines


def _flatten(data: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            if name not in _TABLES:
                yield name, value  # reported as unknown below
            else:
                yield from _flatten(value, name + ".")
        else:
            yield name, value


def config_path(explicit: str | None = None) -> Path | None:
    """The file to read: ``--config``, else MES_STATION_CONFIG (empty: none), else the system file
    when it exists."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get(CONFIG_ENV)
    if from_env is not None:
        return Path(from_env) if from_env.strip() else None
    return SYSTEM_FILE if SYSTEM_FILE.exists() else None


def load_config(explicit: str | None = None) -> Config:
    """The effective configuration. Raises ConfigInvalid with every problem, each located."""
    path = config_path(explicit)
    data: dict[str, Any] = {}
    where: dict[str, int] = {}
    shown = str(path) if path else None
    if path is not None:
        try:
            size = path.stat().st_size
            if size > MAX_CONFIG_BYTES:  # refused unread: a station's settings are a few KB
                raise ConfigInvalid(
                    [
                        f"{path}:1: the file is {size:,} bytes: a configuration file may have at most {MAX_CONFIG_BYTES:,}"
                    ],
                    unreadable=True,
                )
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigInvalid([f"{path}: no such file"], unreadable=True) from None
        except IsADirectoryError:
            raise ConfigInvalid([f"{path}: is a directory, not a file"], unreadable=True) from None
        except UnicodeDecodeError:
            raise ConfigInvalid([f"{path}: not UTF-8 text"], unreadable=True) from None
        except OSError as exc:
            raise ConfigInvalid([f"{path}: cannot read: {exc.strerror or exc}"], unreadable=True) from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            message = str(exc)
            found = re.search(r"\(at line (\d+), column \d+\)", message)
            line = found.group(1) if found else "1"
            reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message) or "not valid TOML"
            reason = reason.replace("(at end of document)", "at the end of the file")
            raise ConfigInvalid([f"{path}:{line}: not valid TOML: {reason}"], unreadable=True) from None
        where = _key_lines(text)

    problems: list[str] = []
    given: dict[str, tuple[Any, str]] = {}
    for name, value in _flatten(data):
        line = where.get(name) or where.get(name.rsplit(".", 1)[0]) or 1
        location = f"{shown}:{line}"
        if name not in _BY_NAME:
            known = sorted(k for k in _BY_NAME if k.rsplit(".", 1)[0] == name.rsplit(".", 1)[0])
            hint = f" (known here: {', '.join(k.rsplit('.', 1)[1] for k in known)})" if known else ""
            problems.append(f"{location}: {name}: unknown key{hint}")
            continue
        try:
            given[name] = (_BY_NAME[name].check(value), location)
        except ValueError as exc:
            problems.append(f"{location}: {name}: {exc}")

    config = Config(path=shown)
    for key in KEYS:
        from_env = os.environ.get(key.env, "").strip() if key.env else ""
        if key.env and from_env:
            try:
                config.values[key.name] = Value(key.check(_env_value(key, from_env)), f"env {key.env}")
            except ValueError as exc:
                problems.append(f"environment {key.env}: {key.name}: {exc}")
        elif key.name in given:
            value, location = given[key.name]
            config.values[key.name] = Value(value, location)
        else:
            config.values[key.name] = Value(key.default, "default")
    if not problems:  # a value refused above would only echo here as a missing one
        problems += _cross_checks(config)
    if problems:
        raise ConfigInvalid(problems)
    return config


def _env_value(key: Key, text: str) -> Any:
    if key.default is not None and isinstance(key.default, int) and not isinstance(key.default, bool):
        try:
            return int(text)
        except ValueError:
            return text
    return text


PYSERIAL_PARITY = {"none": "N", "even": "E", "odd": "O"}


def serial_options(config: Config, device: str) -> dict[str, Any]:
    """The serial settings the file gives a device (``scale``, ``scanner``), as pyserial names
    them; what it leaves out stays the protocol's own."""
    options: dict[str, Any] = {}
    baud = config.explicit(f"devices.{device}.baud")
    if baud is not None:
        options["baudrate"] = int(baud)
    if f"devices.{device}.parity" in config.values:
        parity = config.explicit(f"devices.{device}.parity")
        if parity is not None:
            options["parity"] = PYSERIAL_PARITY[str(parity)]
    return options


def _cross_checks(config: Config) -> list[str]:
    """What single values cannot say: a device needs a port to be worth naming, TLS needs all three."""
    problems: list[str] = []
    for device in ("scale", "scanner"):
        equipment = config.values[f"devices.{device}.equipment"]
        if equipment.value is not None and config.values[f"devices.{device}.port"].value is None:
            problems.append(f"{equipment.source}: devices.{device}: an equipment id without a port")
    tls = [config.values[f"hub.{part}"] for part in ("certificate", "key", "ca")]
    given = [v for v in tls if v.value is not None]
    if given and len(given) != len(tls):
        problems.append(f"{given[0].source}: hub: certificate, key and ca go together (mutual TLS)")
    return problems
