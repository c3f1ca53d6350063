#!/usr/bin/env bash
# One entry point for a fresh Debian machine with Python 3.11+:
#   bash packaging/dev.sh demo   set up .venv and open the station demo (simulated scale and scanner)
#   bash packaging/dev.sh test   set up .venv and run lint, layer contracts, type checks and the test suite
# Extra arguments after "test" go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-}"; shift || true

# Debian packages: Qt's runtime libraries (offscreen and X11), PostgreSQL for the store's
# tests on a server database, poppler for rendering exported PDFs. Installed only when missing.
apt_pkgs=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libglib2.0-0 libdbus-1-3
          libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
          libxcb-render-util0 libxcb-image0 fonts-dejavu-core)
# The line PC package's tests: dpkg installs it (its Depends: python3-venv, adduser, cage and
# Qt's Wayland libraries), systemd-analyze checks its units, Chromium loads the hub's QA pages,
# git gives the older sources the upgrade test builds from, and the kiosk's command runs under
# cage (which needs Xwayland) on a headless output, grim taking its screenshot.
[ "$what" = test ] && apt_pkgs+=(postgresql poppler-utils python3-venv adduser cage systemd chromium
                                  libwayland-client0 libwayland-egl1 libwayland-cursor0 git
                                  xwayland grim)
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${apt_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Installing Debian packages: ${missing[*]}" >&2
  $sudo apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || \
    echo "warning: could not install ${missing[*]}; continuing" >&2
fi

py="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  if ! "$py" -m venv .venv 2>/dev/null; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get install -y -qq python3-venv >/dev/null
    rm -rf .venv; "$py" -m venv .venv
  fi
fi
# Reinstall only when pyproject.toml changed since the last install.
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e '.[dev]'
  rm -f .venv/.installed-*; touch "$stamp"
fi

case "$what" in
  demo)
    exec .venv/bin/mes-station demo "$@"
    ;;
  test)
    export QT_QPA_PLATFORM=offscreen
    # One command per line: under `set -e` a failure inside an `a && b` list would not stop the run.
    echo "== ruff"
    .venv/bin/ruff check .
    .venv/bin/ruff format --check .
    echo "== import contracts"
    .venv/bin/lint-imports
    echo "== mypy (strict on recipes, gating, ebr)"
    .venv/bin/mypy
    echo "== pytest"
    exec .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "usage: bash packaging/dev.sh demo|test [args]" >&2; exit 2 ;;
esac
