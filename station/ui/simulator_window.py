"""A small window for the demo: weights on the simulated scale, codes from the simulated scanner.

The devices are the hardware package's simulators on pseudo-terminals; the station reads
them through its ordinary drivers, exactly as it reads a real scale and scanner. The preset
buttons come from the demo batch script (its lot labels, equipment ids and weights).
"""

from __future__ import annotations

import concurrent.futures
import logging
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

log = logging.getLogger(__name__)

DEMO_SCRIPT = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo-batch.yaml"


def presets_from_script(path: Path = DEMO_SCRIPT) -> tuple[list[tuple[str, str]], list[str]]:
    """(label, code) for every scan in the script, badges of its logins first; and the weights."""
    scans: list[tuple[str, str]] = []
    weights: list[str] = []
    if not path.exists():
        return scans, weights
    try:
        from ruamel.yaml import YAML

        doc = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except Exception as exc:  # a demo without presets still works
        log.warning("cannot read the demo script %s: %s", path, exc)
        return scans, weights
    for entry in (doc or {}).get("actions", []) or []:
        if not isinstance(entry, dict):
            continue
        for verb, body in entry.items():
            if not isinstance(body, dict):
                continue
            if verb == "login" and body.get("badge"):
                scans.append((f"Badge {body['badge']}", str(body["badge"])))
            elif verb == "scan" and body.get("code"):
                code = str(body["code"])
                lot = code.rsplit("10", 1)[-1] if code.startswith("]C1") else code
                label = code if not code.startswith("]C1") else f"Lot {_lot_of(code) or lot}"
                if (label, code) not in scans:
                    scans.append((label, code))
            elif verb == "weigh":
                for key in ("tare", "gross"):
                    if body.get(key) is not None:
                        w = str(body[key])
                        if w not in weights:
                            weights.append(w)
    return scans, weights


def _lot_of(code: str) -> str | None:
    try:
        from hardware.barcodes.decoder import decode_scan

        return getattr(decode_scan(code), "lot", None)
    except Exception:
        return None


class ShownScale:
    """The simulated scale of the equipment the station shows now (one per equipment id): the
    simulator window's weights go onto the scale the weigh step reads."""

    def __init__(self, scales: dict[str, Any], devices: Any) -> None:
        self.scales = scales
        self.devices = devices

    @property
    def current(self) -> Any:
        active = getattr(self.devices, "active", None)
        return self.scales.get(active) if active in self.scales else next(iter(self.scales.values()))

    def __getattr__(self, name: str) -> Any:  # put, remove, unplug, replug, cell, ...
        return getattr(self.current, name)


class SimulatorWindow(QWidget):
    """Put / remove weights, unplug / replug the scale, scan the demo's codes."""

    def __init__(self, scale: Any = None, scanner: Any = None, script: Path = DEMO_SCRIPT) -> None:
        super().__init__()
        self.setObjectName("simulator")
        self.setWindowTitle(self.tr("Device simulator"))
        self.scale = scale
        self.scanner = scanner
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="simulator")
        scans, weights = presets_from_script(script)
        lay = QVBoxLayout(self)
        lay.addWidget(self._title(self.tr("Scale")))
        grid = QGridLayout()
        self.weight = QLineEdit()
        self.weight.setObjectName("sim_weight")
        self.weight.setPlaceholderText(self.tr("gross weight, kg"))
        self.weight.returnPressed.connect(self._put_typed)
        grid.addWidget(self.weight, 0, 0, 1, 2)
        grid.addWidget(self._button(self.tr("PUT"), "sim_put", self._put_typed), 0, 2)
        grid.addWidget(self._button(self.tr("REMOVE"), "sim_remove", lambda: self._run("remove")), 0, 3)
        grid.addWidget(self._button(self.tr("UNPLUG"), "sim_unplug", lambda: self._run("unplug")), 1, 2)
        grid.addWidget(self._button(self.tr("REPLUG"), "sim_replug", lambda: self._run("replug")), 1, 3)
        for i, w in enumerate(weights):
            grid.addWidget(
                self._button(f"{w} kg", f"sim_w_{w}", lambda _=False, w=w: self.put(w)), 2 + i // 4, i % 4
            )
        lay.addLayout(grid)
        lay.addWidget(self._title(self.tr("Scanner")))
        sgrid = QGridLayout()
        for i, (label, code) in enumerate(scans):
            sgrid.addWidget(
                self._button(label, f"sim_scan_{i}", lambda _=False, c=code: self.scan(c)), i // 3, i % 3
            )
        lay.addLayout(sgrid)
        self.status = QLabel("")
        self.status.setObjectName("sim_status")
        lay.addWidget(self.status)
        lay.addStretch(1)
        self.setEnabled(scale is not None or scanner is not None)

    def _title(self, text: str) -> QLabel:
        lab = QLabel(text)
        f = lab.font()
        f.setBold(True)
        lab.setFont(f)
        return lab

    def _button(self, text: str, name: str, slot: Any) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.clicked.connect(slot)
        return b

    def _put_typed(self) -> None:
        self.put(self.weight.text())

    def put(self, weight: str) -> None:
        try:
            value = Decimal(weight.replace(",", ".").strip())
        except InvalidOperation:
            self.status.setText(self.tr("Not a weight: %1").replace("%1", weight))
            return
        self._run("put", value)

    def scan(self, code: str) -> None:
        if self.scanner is not None:
            self._pool.submit(self.scanner.scan, code)
            self.status.setText(self.tr("Scanned %1").replace("%1", code.replace("\x1d", "<GS>")))

    def _run(self, what: str, *args: Any) -> None:
        if self.scale is None:
            return
        self._pool.submit(getattr(self.scale, what), *args)
        serial = getattr(self.scale, "serial_number", "")
        self.status.setText(" ".join([what, *map(str, args), f"(S/N {serial})" if serial else ""]).strip())

    def close(self) -> bool:  # the station closes it with everything else
        self._pool.shutdown(wait=True)
        return super().close()
