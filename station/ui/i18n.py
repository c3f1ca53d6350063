"""Translations with Qt's own tooling.

English is the source language: station_en.ts only gives the English plural forms
("1 minute", "5 minutes"). The sources are ``resources/i18n/station_<lang>.ts`` (kept
up to date with ``pyside6-lupdate``; run ``python -m station.ui.i18n update``). The compiled
``.qm`` files are not kept in the repository: they are built with
``pyside6-lrelease`` at start when missing or older than their ``.ts``, next to
the source when that folder is writable, else in the user's cache folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from .viewmodels import text as vmtext

I18N_DIR = Path(__file__).resolve().parents[2] / "resources" / "i18n"
LANGUAGES = ("en", "de")
CONTEXT_SOURCES = ("station/ui",)


def _tool(name: str) -> str | None:
    local = Path(sys.executable).with_name(name)
    if local.exists():
        return str(local)
    return shutil.which(name)


def _cache_dir() -> Path:
    try:
        from platformdirs import user_cache_dir

        return Path(user_cache_dir("mes-station")) / "i18n"
    except ImportError:  # pragma: no cover
        return Path.home() / ".cache" / "mes-station" / "i18n"


def qm_path(language: str, *, compile_missing: bool = True) -> Path | None:
    """The compiled translation for a language, compiled first when missing or stale."""
    ts = I18N_DIR / f"station_{language}.ts"
    if not ts.exists():
        return None
    candidates = [I18N_DIR / f"station_{language}.qm", _cache_dir() / f"station_{language}.qm"]
    for qm in candidates:
        if qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime:
            return qm
    if not compile_missing:
        return None
    lrelease = _tool("pyside6-lrelease") or _tool("lrelease")
    if lrelease is None:
        return None
    for qm in candidates:
        try:
            qm.parent.mkdir(parents=True, exist_ok=True)
            if not os.access(qm.parent, os.W_OK):
                continue
            subprocess.run(
                [lrelease, "-silent", str(ts), "-qm", str(qm)],
                check=True,
                capture_output=True,
                timeout=30,
            )
            if qm.exists():
                return qm
        except (OSError, subprocess.SubprocessError):
            continue
    return None


class Translations:
    """Installs the translator for the chosen language and switches it at run time."""

    def __init__(self) -> None:
        self._translator: QTranslator | None = None
        self.language = "en"
        vmtext.install(QCoreApplication.translate)

    def close(self) -> None:
        """Remove this station's translator from the application."""
        app = QCoreApplication.instance()
        if self._translator is not None and app is not None:
            app.removeTranslator(self._translator)
        self._translator = None

    def switch(self, language: str) -> bool:
        app = QCoreApplication.instance()
        if self._translator is not None and app is not None:
            app.removeTranslator(self._translator)
            self._translator = None
        self.language = language if language in LANGUAGES else "en"
        QLocale.setDefault(QLocale(self.language))
        qm = qm_path(self.language)
        if qm is None:
            return self.language == "en"  # the sources are English; only the plural forms are missing
        translator = QTranslator()
        if not translator.load(str(qm)):
            return self.language == "en"
        if app is not None:
            app.installTranslator(translator)
        self._translator = translator
        return True


def update_sources() -> int:
    """Re-extract the strings into the .ts files (translations already made are kept)."""
    root = Path(__file__).resolve().parents[2]
    lupdate = _tool("pyside6-lupdate") or _tool("lupdate")
    if lupdate is None:
        print("pyside6-lupdate not found", file=sys.stderr)
        return 2
    files = sorted(str(p) for p in (root / "station" / "ui").rglob("*.py"))
    for lang in LANGUAGES:
        ts = I18N_DIR / f"station_{lang}.ts"
        subprocess.run(
            [lupdate, "-no-obsolete", "-locations", "none", "-target-language", lang, *files, "-ts", str(ts)],
            check=True,
        )
    return 0


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:] == ["update"]:
        raise SystemExit(update_sources())
    print("usage: python -m station.ui.i18n update", file=sys.stderr)
    raise SystemExit(2)
