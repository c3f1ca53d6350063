"""What nobody expected still ends in one line; its traceback goes where the service's logs go."""

from __future__ import annotations

from pathlib import Path

import pytest

from station.failures import describe


def test_the_traceback_goes_to_the_configured_log_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MES_LOG_DIR", str(tmp_path))
    try:
        raise RuntimeError("a surprise")
    except RuntimeError as exc:
        code, message = describe(exc)
    assert code == 1 and "\n" not in message
    log = (tmp_path / "errors.log").read_text()
    assert "Traceback" in log and "RuntimeError: a surprise" in log
