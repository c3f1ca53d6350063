"""`mes-station demo`: a seeded demo database and simulated devices, ready to run a batch.

The demo data lives in resources/demo (master data, the PARA500 recipe, a demo batch
script). The database is a fresh SQLite file each time unless --db names a new one, so the demo
always starts from the same known state; a store that holds data already is never seeded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs

from ebr.database import Database
from station.engine import api
from station.errors import CommandError

DEMO_QA_USER = "qa.dubois"
DEMO_IMPORTER = "adm.kim"


def demo_file(name: str) -> Path:
    return Path(str(resources.files("resources") / "demo" / name))


def _set_up_passwords(db: Database) -> dict[str, str]:
    """Every demo user replaces the imported initial password (oq-setup.yaml), through the
    engine as at the touchscreen; returns the new password of each user."""
    from station.engine.engine import Engine
    from station.engine.runner import run_script
    from station.engine.script import load_script

    script = load_script(demo_file("oq-setup.yaml"))
    engine = Engine(db)
    if run_script(engine, script, out=io.StringIO()) != 0:
        raise CommandError("the demo's users could not set their passwords (oq-setup.yaml)")
    return {
        step.action.user: step.action.new_password
        for step in script.steps
        if isinstance(step.action, api.ChangePassword)
    }


def seed_demo(db: Database) -> None:
    """A new store only: the bootstrap import of the master data, every user's own password,
    the recipe imported by the admin and approved by QA (two different people)."""
    from ebr import users
    from ebr.masterdata import BOOTSTRAP, import_master_data
    from ebr.recipe_store import approve_recipe, import_recipe
    from recipes.loader import parse_recipe

    with db.unit_of_work(read_only=True) as uow:
        if uow.users() or uow.batches():
            raise CommandError(
                f"{db.shown_url} already holds data: the demo seeds only a new store "
                "(leave out --db for a fresh one)",
                2,
            )
    with db.unit_of_work() as uow:
        import_master_data(uow, demo_file("site.yaml"), BOOTSTRAP)
        uow.commit()
    passwords = _set_up_passwords(db)
    text = demo_file("para500-granulation.yaml").read_text(encoding="utf-8")
    recipe = parse_recipe(text, "para500-granulation.yaml")
    with db.unit_of_work() as uow:
        admin = users.authenticate_actor(
            uow, DEMO_IMPORTER, passwords[DEMO_IMPORTER], roles=("admin",), what="import recipes"
        )
        import_recipe(uow, recipe, text, admin.id)
        uow.commit()
    with db.unit_of_work() as uow:
        approve_recipe(uow, recipe.code, recipe.version, DEMO_QA_USER, passwords[DEMO_QA_USER])
        uow.commit()


def demo_scales() -> dict[str, dict[str, Any]]:
    """One simulated scale per scale of the demo's master data (its equipment id), reporting
    that equipment's serial number, capacity, readability and unit: the scale the station
    reads at a weigh step is the one whose label was scanned."""
    from recipes.safe_yaml import load_yaml

    site = load_yaml(
        demo_file("site.yaml").read_text(encoding="utf-8"), what="master data", max_bytes=1 << 20
    )
    scales: dict[str, dict[str, Any]] = {}
    for item in site.get("equipment") or []:
        scale = item.get("scale")
        if scale and item.get("serial_number"):
            scales[str(item["id"])] = {
                "capacity": str(scale["capacity"]),
                "readability": str(scale["readability"]),
                "unit": str(scale["unit"]),
                "serial_number": str(item["serial_number"]),
            }
    return scales


def _demo_url(args: argparse.Namespace) -> str:
    if args.db:
        return str(args.db)
    folder = Path(platformdirs.user_data_dir("mes-station")) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return f"sqlite:///{folder / f'demo-{stamp}.db'}"


def run_demo(args: argparse.Namespace) -> int:
    from station.composition import build_engine, open_store

    url = _demo_url(args)
    db = open_store(url, create=True)
    seed_demo(db)
    print(f"demo database: {url}", flush=True)
    if args.headless:
        from station.engine.runner import run_script
        from station.engine.script import load_script

        script = load_script(demo_file("demo-batch.yaml"))
        engine = build_engine(db=db)
        try:
            code = run_script(engine, script)
        finally:
            engine.close()  # the log is folded into the file: the file alone is the record
        print(f"batch record in {url}: `mes-station ebr verify {script.batch_id} --db {url}`", flush=True)
        return code
    from station.config import load_config
    from station.linepc.startup import remember

    remember(load_config(None), url)  # the demo store, for the admin's health screen
    try:
        from station.ui.app import run_gui
    except ImportError as exc:
        raise CommandError(
            f"the touchscreen app cannot start here: {exc}; try `mes-station demo --headless`"
        ) from None
    return run_gui(
        lambda: build_engine(db=db),
        kiosk=False,
        scale_link=None,
        scale_protocol="mt-sics",
        scanner_link=None,
        simulator=True,
        idle_logout_s=600,
        language=args.language,
        simulated_scales=demo_scales(),
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run_demo(argparse.Namespace(db=None, headless=True, language="en")))
