"""`mes-station demo`: a seeded demo database and simulated devices, ready to run a batch.

The demo data lives in resources/demo (master data, the PARA500 recipe, a demo batch
script). The database is a fresh SQLite file each time unless --db names one, so the demo
always starts from the same known state.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from importlib import resources
from pathlib import Path

import platformdirs

from ebr.database import Database
from station.errors import CommandError

DEMO_QA_USER = "qa.dubois"
DEMO_QA_PASSWORD = "Rev1ew-Dubois"
DEMO_IMPORTER = "adm.kim"


def demo_file(name: str) -> Path:
    return Path(str(resources.files("resources") / "demo" / name))


def seed_demo(db: Database) -> None:
    """Master data, the recipe imported by the admin and approved by QA (two different people)."""
    from ebr.masterdata import import_master_data
    from ebr.recipe_store import approve_recipe, import_recipe
    from recipes.loader import parse_recipe

    with db.unit_of_work() as uow:
        import_master_data(uow, demo_file("site.yaml"), DEMO_IMPORTER)
        uow.commit()
    text = demo_file("para500-granulation.yaml").read_text(encoding="utf-8")
    recipe = parse_recipe(text, "para500-granulation.yaml")
    with db.unit_of_work() as uow:
        stored = import_recipe(uow, recipe, text, DEMO_IMPORTER).recipe
        uow.commit()
    if stored.status != "approved":
        with db.unit_of_work() as uow:
            approve_recipe(uow, recipe.code, recipe.version, DEMO_QA_USER, DEMO_QA_PASSWORD)
            uow.commit()


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
    db = open_store(url)
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
    try:
        from station.ui.app import run_gui
    except ImportError as exc:
        raise CommandError(
            f"the touchscreen app cannot start here: {exc}; try `mes-station demo --headless`"
        ) from None
    return run_gui(
        lambda: build_engine(db=db, interactive=True),
        kiosk=False,
        scale_link=None,
        scale_protocol="mt-sics",
        scanner_link=None,
        simulator=True,
        idle_logout_s=600,
        language=args.language,
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run_demo(argparse.Namespace(db=None, headless=True, language="en")))
