"""An instruction image is part of the approved recipe: pinned by its SHA-256 in the recipe's
content (and hash), checked at import, kept with the version, shown from the store."""

from __future__ import annotations

import hashlib
import io
import sqlite3
from decimal import Decimal
from pathlib import Path

from PIL import Image

from station.composition import build_engine, open_store
from station.engine import api
from tests.station.conftest import RECIPE, as_user, run_cli

CONFIRM = "        confirm: The room is clear of the previous batch\n"


def _png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 32), colour).save(out, format="PNG")
    return out.getvalue()


def _recipe(folder: Path, version: int, image: str | None, digest: str | None) -> Path:
    text = RECIPE.read_text(encoding="utf-8").replace("version: 3", f"version: {version}")
    assert CONFIRM in text
    extra = (f"        image: {image}\n" if image else "") + (
        f"        image_sha256: {digest}\n" if digest else ""
    )
    path = folder / f"v{version}.yaml"
    path.write_text(text.replace(CONFIRM, CONFIRM + extra, 1), encoding="utf-8")
    return path


def test_an_image_is_pinned_checked_kept_and_shown_from_the_store(approved_db: str, tmp_path: Path) -> None:
    picture = _png("green")
    (tmp_path / "clean-label.png").write_bytes(picture)
    digest = hashlib.sha256(picture).hexdigest()
    admin = as_user("adm.kim", tmp_path)
    unpinned = run_cli(
        "recipe", "import", _recipe(tmp_path, 4, "clean-label.png", None), "--db", approved_db, *admin
    )
    assert unpinned.returncode == 1 and "image_sha256" in unpinned.stderr
    wrong = run_cli(
        "recipe", "import", _recipe(tmp_path, 5, "clean-label.png", "ab" * 32), "--db", approved_db, *admin
    )
    assert wrong.returncode == 1 and f"its SHA-256 is {digest}" in wrong.stderr
    pinned = _recipe(tmp_path, 6, "clean-label.png", digest)
    assert run_cli("recipe", "import", pinned, "--db", approved_db, *admin).returncode == 0
    qa = as_user("qa.dubois", tmp_path)
    assert run_cli("recipe", "approve", "PARA500-GRAN", "6", "--db", approved_db, *qa).returncode == 0
    with sqlite3.connect(approved_db.removeprefix("sqlite:///")) as con:
        (v3, v6) = [
            h
            for (h,) in con.execute(
                "SELECT content_hash FROM recipes WHERE version IN (3, 6) ORDER BY version"
            )
        ]
    assert v3 != v6  # the image is in the recipe's hash
    # The file beside the recipe changes after approval: the station shows what was approved.
    (tmp_path / "clean-label.png").write_bytes(_png("red"))
    engine = build_engine(db=open_store(approved_db))
    try:
        engine.dispatch(api.Login(user="op.alvarez", password="Granul8-Alvarez.26"))
        started = engine.dispatch(api.StartBatch("B-IMG", "PARA500-GRAN", 6, Decimal(120), "kg"))
        assert started.status == "done", started.message
        assert started.state is not None and started.state.batch is not None
        detail = started.state.batch.steps[0].detail
        assert isinstance(detail, api.InstructionDetail) and detail.image is not None
        assert Path(detail.image).read_bytes() == picture
    finally:
        engine.close()
