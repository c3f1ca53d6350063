"""A small in-memory engine that speaks the contract of ``station.engine.api``.

The UI tests use it where they test the screens rather than the engine: it walks the
para500 recipe from tests/data with the master data of site.yaml and makes the refusals
that the refusal script expects. The end-to-end tests use the real engine.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import yaml

from station.engine import api

DATA = Path(__file__).resolve().parents[1] / "data"

EQUIPMENT_CODES = {
    "in_service": "equipment_out_of_service",
    "calibrated": "equipment_calibration_due",
    "clean": "equipment_not_clean",
    "daily_check": "equipment_daily_check_due",
}
OVERRIDABLE = {"equipment_calibration_due", "equipment_daily_check_due", "training_expired", "lot_retest_due"}


def _refusal(code: str, sentence: str, what_next: str = "") -> api.RefusalView:
    return api.RefusalView(code=code, sentence=sentence, overridable=code in OVERRIDABLE, what_next=what_next)


def _gs1(code: str) -> dict[str, str]:
    if code.startswith("]"):
        code = code[3:]
    fields: dict[str, str] = {}
    i = 0
    fixed = {"01": 14, "17": 6}
    while i < len(code):
        ai = code[i : i + 2]
        i += 2
        if ai in fixed:
            fields[ai] = code[i : i + fixed[ai]]
            i += fixed[ai]
        else:
            end = code.find("\x1d", i)
            end = len(code) if end < 0 else end
            fields[ai] = code[i:end]
            i = end + 1
    return fields


class FakeEngine:
    def __init__(self, *, delay_s: float = 0.0, must_change: tuple[str, ...] = ()) -> None:
        site = yaml.safe_load((DATA / "masterdata" / "site.yaml").read_text())
        self.recipe = yaml.safe_load((DATA / "recipes" / "para500-granulation.yaml").read_text())
        self.users = {u["id"]: dict(u) for u in site["users"]}
        self.passwords = {u["id"]: u["initial_password"] for u in site["users"]}
        self.must_change = set(must_change)
        self.failures: dict[str, int] = {}
        self.materials = {m["code"]: m for m in site["materials"]}
        self.lots = {lot["lot"]: lot for lot in site["lots"]}
        self.equipment = {e["id"]: e for e in site["equipment"]}
        self.delay_s = delay_s
        self.user: str | None = None
        self.batches_: dict[str, dict] = {}
        self.current: str | None = None
        self.log: list[object] = []
        self.lock = threading.Lock()
        self.thread_ids: set[int] = set()

    # ---------------------------------------------------------------- queries

    def recipes(self) -> list[api.RecipeSummary]:
        r = self.recipe["recipe"]
        return [
            api.RecipeSummary(
                code=r["code"],
                version=r["version"],
                title=r["title"],
                product_name=r["product"]["name"],
                batch_size=Decimal(str(r["batch_size"]["quantity"])),
                unit=r["batch_size"]["unit"],
                status="approved",
            )
        ]

    def batches(self) -> list[api.BatchSummary]:
        out = []
        for b in self.batches_.values():
            view = self._batch_view(b)
            out.append(
                api.BatchSummary(
                    batch_id=view.batch_id,
                    recipe_code=view.recipe_code,
                    recipe_version=view.recipe_version,
                    product_name=view.product_name,
                    status=view.status,
                    current_step=view.current_step,
                    started_at=b["started_at"],
                    open_deviations=len(view.open_deviations),
                )
            )
        return out

    def state(self) -> api.StationState:
        user = None
        if self.user:
            u = self.users[self.user]
            user = api.UserView(
                id=u["id"],
                name=u["name"],
                roles=tuple(u["roles"]),
                must_change_password=self.user in self.must_change,
            )
        batch = self._batch_view(self.batches_[self.current]) if self.current and self.user else None
        allowed: tuple[str, ...] = ()
        if self.user:
            allowed = (
                "logout",
                "start",
                "open",
                "deviation",
                "hold",
                "resume",
                "confirm",
                "answer",
                "enter",
                "scan",
            )
            allowed += ("weigh", "sign", "override", "complete")
        return api.StationState(user=user, batch=batch, allowed=allowed)

    # ---------------------------------------------------------------- batch model

    def _steps(self) -> list[dict]:
        steps = []
        for op in self.recipe["operations"]:
            for i, s in enumerate(op["steps"], 1):
                steps.append({"op": op, "index": i, "n": len(op["steps"]), "spec": s})
        return steps

    def _new_batch(self, batch_id: str, size: Decimal) -> dict:
        return {
            "id": batch_id,
            "size": size,
            "status": "in_progress",
            "done": {},
            "bound": {},
            "lots": {},
            "deviations": [],
            "started_at": dt.datetime.now(dt.UTC).isoformat(),
            "last_refused": {},
        }

    def _current_step(self, b: dict) -> str | None:
        for s in self._steps():
            if s["spec"]["id"] not in b["done"]:
                return s["spec"]["id"]
        return None

    def _detail(self, b: dict, spec: dict) -> dict[str, object]:
        kind = spec["kind"]
        if kind == "instruction":
            return {"text": spec["text"], "confirm": spec.get("confirm", "")}
        if kind == "check":
            return {"question": spec["question"], "expect": spec.get("expect", True)}
        if kind == "measure":
            return {
                "name": spec["name"],
                "unit": spec["unit"],
                "limits": spec["limits"],
                "decimals": spec.get("decimals"),
            }
        if kind == "equipment":
            eid = b["bound"].get(spec["bind"])
            eq = dict(self.equipment[eid]) if eid else None
            return {
                "bind": spec["bind"],
                "class": spec["class"],
                "requires": spec["requires"],
                "bound_equipment": eq,
            }
        if kind == "weigh":
            q = Decimal(str(spec["quantity"]["value"])) * b["size"] / Decimal(120)
            tol = spec["tolerance"]
            low = q * (1 - Decimal(str(tol["minus_pct"])) / 100)
            high = q * (1 + Decimal(str(tol["plus_pct"])) / 100)
            return {
                "material": spec["material"],
                "material_name": self.materials[spec["material"]]["name"],
                "target": q,
                "unit": spec["quantity"]["unit"],
                "low": low,
                "high": high,
                "scale": spec["scale"],
                "lot": b["lots"].get(spec["id"]),
            }
        if kind == "signature":
            signed = b["done"].get(spec["id"])
            return {
                "meaning": spec["meaning"],
                "role": spec["role"],
                "independent_of": spec.get("independent_of", []),
                "signed_by": signed,
            }
        return {}

    def _batch_view(self, b: dict) -> api.BatchView:
        r = self.recipe["recipe"]
        current = self._current_step(b)
        steps = tuple(
            api.StepView(
                id=s["spec"]["id"],
                kind=s["spec"]["kind"],
                operation_id=s["op"]["id"],
                operation_title=s["op"]["title"],
                index_in_operation=s["index"],
                steps_in_operation=s["n"],
                status="done"
                if s["spec"]["id"] in b["done"]
                else ("active" if s["spec"]["id"] == current else "pending"),
                detail=self._detail(b, s["spec"]),
            )
            for s in self._steps()
        )
        status = b["status"]
        return api.BatchView(
            batch_id=b["id"],
            recipe_code=r["code"],
            recipe_version=r["version"],
            recipe_title=r["title"],
            product_code=r["product"]["code"],
            product_name=r["product"]["name"],
            size=b["size"],
            unit=r["batch_size"]["unit"],
            status=status,
            steps=steps,
            current_step=current,
            open_deviations=tuple(d for d in b["deviations"] if not d.closed),
        )

    # ---------------------------------------------------------------- dispatch

    def dispatch(self, action: api.Action) -> api.Outcome:
        self.thread_ids.add(threading.get_ident())
        if self.delay_s:
            time.sleep(self.delay_s)
        with self.lock:
            self.log.append(action)
            outcome = self._dispatch(action)
            return replace(outcome, state=self.state())

    def _ok(self, message: str = "Done.") -> api.Outcome:
        return api.Outcome(status="done", message=message)

    def _no(self, code: str, sentence: str, what_next: str = "") -> api.Outcome:
        return api.Outcome(
            status="refused", message=sentence, refusals=(_refusal(code, sentence, what_next),)
        )

    def _dispatch(self, a: api.Action) -> api.Outcome:
        if isinstance(a, api.Login):
            uid = a.user
            if a.badge:
                uid = next((u for u, d in self.users.items() if d["badge"] == a.badge), None)
            if uid and self.failures.get(uid, 0) >= 3:
                return self._no("account_locked", f"The account {uid} is locked after 3 failed logins.")
            if uid not in self.users or self.passwords[uid] != a.password:
                if uid:
                    self.failures[uid] = self.failures.get(uid, 0) + 1
                return self._no("login_invalid", "User id, badge or password is wrong.")
            self.failures[uid] = 0
            self.user = uid
            return self._ok(f"Welcome, {self.users[uid]['name']}.")
        if isinstance(a, api.Logout):
            self.user = None
            return self._ok("Logged out.")
        if self.user is None:
            return api.Outcome(status="error", message="Nobody is logged in.")
        if isinstance(a, api.ChangePassword):
            if self.passwords[a.user] != a.old_password:
                return self._no("login_invalid", "The current password is wrong.")
            self.passwords[a.user] = a.new_password
            self.must_change.discard(a.user)
            return self._ok("Password changed.")
        if isinstance(a, api.StartBatch):
            if a.batch_id in self.batches_:
                return api.Outcome(status="error", message=f"Batch {a.batch_id} already exists.")
            self.batches_[a.batch_id] = self._new_batch(a.batch_id, a.size)
            self.current = a.batch_id
            return self._ok(f"Batch {a.batch_id} started.")
        if isinstance(a, api.OpenBatch):
            self.current = a.batch_id
            return self._ok()
        b = self.batches_[self.current] if self.current else None
        if b is None:
            return api.Outcome(status="error", message="No batch is open.")
        if isinstance(a, api.RaiseDeviation):
            b["deviations"].append(self._deviation(a.category, a.text, a.step))
            return self._ok("Deviation raised.")
        if isinstance(a, api.Hold):
            b["status"] = "on_hold"
            return self._ok("Batch on hold.")
        if isinstance(a, api.Resume):
            b["status"] = "in_progress"
            return self._ok("Batch resumed.")
        if isinstance(a, api.Complete):
            if self._current_step(b) is not None:
                return self._no("sequence", "Not every step is done yet.")
            b["status"] = "completed"
            return self._ok("Batch completed.")
        if b["status"] != "in_progress":
            return self._no("sequence", "The batch is on hold.")
        step = getattr(a, "step", None)
        if step != self._current_step(b) and not isinstance(a, api.Override):
            return self._no("sequence", f"Step {step} is not the current step.")
        spec = next(s["spec"] for s in self._steps() if s["spec"]["id"] == step)
        if isinstance(a, (api.Confirm, api.Answer)):
            b["done"][step] = True
            return self._ok()
        if isinstance(a, api.Enter):
            b["done"][step] = True
            lim = spec["limits"]
            if not Decimal(str(lim["low"])) <= a.value <= Decimal(str(lim["high"])):
                b["deviations"].append(
                    self._deviation("process", f"{spec['name']}: {a.value} outside limits", step)
                )
                return api.Outcome(
                    status="deviation",
                    message=f"{a.value} {spec['unit']} is outside {lim['low']}–{lim['high']}: recorded, deviation opened.",
                    refusals=(_refusal("value_out_of_limits", f"{spec['name']} is outside its limits."),),
                )
            return self._ok()
        if isinstance(a, api.Scan) and spec["kind"] == "equipment":
            eq = self.equipment.get(a.code)
            if eq is None:
                return self._no("equipment_unknown", f"Equipment {a.code} is not known.")
            if eq["class"] != spec["class"]:
                return self._no(
                    "equipment_wrong_class", f"{a.code} is a {eq['class']}, not a {spec['class']}."
                )
            today = dt.date.today().isoformat()
            failed = []
            if "in_service" in spec["requires"] and eq["status"] != "in_service":
                failed.append(_refusal("equipment_out_of_service", f"{a.code} is out of service."))
            if "calibrated" in spec["requires"] and str(eq["calibrated_until"]) < today:
                failed.append(_refusal("equipment_calibration_due", f"The calibration of {a.code} expired."))
            if "clean" in spec["requires"] and str(eq["clean_until"])[:10] < today:
                failed.append(_refusal("equipment_not_clean", f"{a.code} is not clean."))
            if a.code == "SCL-150-02":  # the refusal script's scale: calibration due
                failed = [
                    _refusal(
                        "equipment_calibration_due",
                        f"The calibration of {a.code} is due ({eq['calibrated_until']}).",
                        "Use another scale or ask a supervisor.",
                    )
                ]
            if failed:
                b["last_refused"][step] = ("bind", spec["bind"], a.code)
                return api.Outcome(status="refused", message=failed[0].sentence, refusals=tuple(failed))
            b["bound"][spec["bind"]] = a.code
            b["done"][step] = True
            return self._ok(f"{a.code} bound as {spec['bind']}.")
        if isinstance(a, api.Scan) and spec["kind"] == "weigh":
            fields = _gs1(a.code)
            lot = self.lots.get(fields.get("10", a.code))
            if lot is None:
                return self._no("lot_unknown", f"Lot {fields.get('10', a.code)} is not known.")
            if lot["material"] != spec["material"]:
                return self._no("lot_wrong_material", f"Lot {lot['lot']} is not {spec['material']}.")
            if lot["status"] != "released":
                name = self.materials[lot["material"]]["name"]
                return self._no(
                    f"lot_{lot['status']}",
                    f"Lot {lot['lot']} of {name} is {lot['status'].upper()}: it may not be used.",
                    "Take a released lot; tell the warehouse.",
                )
            b["lots"][step] = lot["lot"]
            return self._ok(f"Lot {lot['lot']} accepted.")
        if isinstance(a, api.Weigh):
            if not b["lots"].get(step):
                return self._no("sequence", "Scan the lot first.")
            d = self._detail(b, spec)
            net = a.gross - a.tare
            if a.unit and a.unit != d["unit"]:
                net = net * {"kg": 1000, "g": Decimal("0.001")}.get(a.unit, 1) if d["unit"] == "g" else net
            if not d["low"] <= net <= d["high"]:  # type: ignore[operator]
                return self._no(
                    "weight_out_of_tolerance",
                    f"Net {net} {d['unit']} is outside {d['low']:.2f}–{d['high']:.2f}.",
                )
            b["done"][step] = True
            return self._ok()
        if isinstance(a, api.Sign):
            u = self.users.get(a.user)
            if u is None or self.passwords[a.user] != a.password:
                return self._no("signature_invalid", "The signature is not valid: user id or password wrong.")
            if spec["role"] not in u["roles"]:
                return self._no("role_required", f"This signature needs a {spec['role']}.")
            if spec.get("independent_of") and a.user == self._performer(b, spec):
                return self._no(
                    "independent_signer_required", f"{u['name']} performed the steps this signature verifies."
                )
            b["done"][step] = {
                "user": a.user,
                "name": u["name"],
                "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            }
            return self._ok("Signed.")
        if isinstance(a, api.Override):
            u = self.users.get(a.user)
            if u is None or self.passwords[a.user] != a.password or "supervisor" not in u["roles"]:
                return self._no("signature_invalid", "The supervisor signature is not valid.")
            pending = b["last_refused"].pop(a.step, None)
            if pending and pending[0] == "bind":
                b["bound"][pending[1]] = pending[2]
                b["done"][a.step] = True
            b["deviations"].append(self._deviation("override", a.reason, a.step))
            return api.Outcome(
                status="deviation", message="Overridden by a supervisor; a deviation is opened."
            )
        return api.Outcome(status="error", message=f"{type(a).__name__} is not supported here.")

    def _performer(self, b: dict, spec: dict) -> str | None:
        return self.user

    def _deviation(self, category: str, text: str, step: str | None) -> api.DeviationView:
        n = sum(len(x["deviations"]) for x in self.batches_.values()) + 1
        return api.DeviationView(
            uid=f"DEV-{n:04d}",
            step=step,
            category=category,
            text=text,
            opened_by=self.user or "",
            opened_at=dt.datetime.now(dt.UTC).isoformat(),
        )
