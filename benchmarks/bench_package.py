"""Package benchmark: the Debian package's size, its install time, and the cold start from the
installed package to the login screen next to the cold start from this checkout, in one run.

    python benchmarks/bench_package.py             # build and measure the package
    sudo python benchmarks/bench_package.py --install   # also install it (a throwaway machine:
                                                       # it is purged at the end)

The cold starts (median of --runs, default 5) alternate between the two, so a busy machine
weighs on both alike; each is bench_ui's: a fresh process until the login screen is painted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_ui import COLD_START  # noqa: E402

INSTALLED_PYTHON = "/opt/mes-station/venv/bin/python"


def cold_start(python: str, source: str, url: str, cwd: str) -> float:
    out = subprocess.run(
        [python, "-c", COLD_START, repr(time.time()), source, url],
        capture_output=True, text=True, check=True, cwd=cwd,
        env={**os.environ, "MES_STATION_CONFIG": "", "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--install", action="store_true", help="install it (root; purged afterwards)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="mes-bench-package-"))
    os.chmod(work, 0o755)
    try:
        started = time.perf_counter()
        built = subprocess.run(
            ["bash", str(ROOT / "packaging" / "build-deb.sh")],
            env={**os.environ, "MES_PACKAGE_DIST": str(work), "PYTHON": sys.executable},
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        deb = Path(built.stdout.strip().splitlines()[-1])
        print(f"build {time.perf_counter() - started:.1f} s (wheels from pip's cache)")
        print(f"package {deb.name}: {deb.stat().st_size / 1e6:.1f} MB")
        if not args.install:
            return 0
        if (
            os.geteuid() != 0
            or subprocess.run(["dpkg-query", "-W", "mes-station"], capture_output=True).returncode == 0
        ):
            print("not installing: needs root and a machine without mes-station or its data", file=sys.stderr)
            args.install = False  # and nothing to clean up
            return 1
        started = time.perf_counter()
        subprocess.run(["dpkg", "-i", str(deb)], check=True, capture_output=True,
                       env={k: v for k, v in os.environ.items() if not k.startswith("MES_")})  # fmt: skip
        print(
            f"install (dpkg -i: environment from the wheels, store made) {time.perf_counter() - started:.1f} s"
        )
        from tests.engine_batches import build_template

        template = build_template(work / "template.db")
        os.chmod(template, 0o644)
        url = f"sqlite:///{template}"
        installed, checkout = [], []
        for _ in range(args.runs):
            installed.append(cold_start(INSTALLED_PYTHON, "/nonexistent", url, "/tmp"))
            checkout.append(cold_start(sys.executable, str(ROOT), url, str(ROOT)))
        print(f"load average {os.getloadavg()[0]:.2f}")
        print(f"cold start to the login screen, median of {args.runs}: installed package "
              f"{statistics.median(installed):.2f} s, checkout {statistics.median(checkout):.2f} s")  # fmt: skip
    finally:
        if args.install and Path(INSTALLED_PYTHON).exists():
            subprocess.run(["dpkg", "--purge", "mes-station"], capture_output=True)
            for folder in (
                "/var/lib/mes-station",
                "/var/backups/mes-station",
                "/var/log/mes-station",
                "/opt/mes-station",
            ):
                shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
