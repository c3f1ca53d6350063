"""The README's first command rests on this: the demo seeds its own database from resources/."""

from __future__ import annotations

from pathlib import Path

from tests.station.conftest import run_cli


def test_headless_demo_runs_the_demo_batch_on_a_fresh_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = run_cli("demo", "--headless", "--db", url, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "batch B-2611-001: completed" in result.stdout
    assert url in result.stdout
    assert not (tmp_path / "demo.db-wal").exists(), "the demo closes its store: the file alone is the record"
    verified = run_cli("ebr", "verify", "B-2611-001", "--db", url)
    assert verified.returncode == 0, verified.stderr
