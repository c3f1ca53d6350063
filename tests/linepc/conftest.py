"""The line PC's tests read no configuration but their own: no /etc/mes-station/station.toml of
the machine running them, no MES_* variable of the developer's shell."""

from __future__ import annotations

import pytest

_OVERRIDES = ("MES_STATION_ID", "MES_SITE_TZ", "MES_STATION_DB", "MES_SCALE_PORT", "MES_SCANNER_PORT",
              "MES_HUB_URL", "MES_BACKUP_DIR")  # fmt: skip


@pytest.fixture(autouse=True)
def _own_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MES_STATION_CONFIG", "")
    for name in _OVERRIDES:
        monkeypatch.delenv(name, raising=False)
