#!/usr/bin/env bash
# Builds the Debian package plant IT installs on a line PC:
#   bash packaging/build-deb.sh            -> dist/mes-station_VERSION_amd64.deb
# It carries the project's wheel and every dependency as pinned wheels (/opt/mes-station/wheels);
# its postinst makes /opt/mes-station/venv from them with --no-index: no internet at install.
# PYTHON: the interpreter whose wheels to collect (default python3; its X.Y must be the line
# PC's). MES_PACKAGE_VERSION: build under another version (the tests build an older one).
set -euo pipefail
cd "$(dirname "$0")/.."
py="${PYTHON:-python3}"
project_version=$("$py" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
version="${MES_PACKAGE_VERSION:-$project_version}"
pyver=$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
pynext=$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1] + 1}")')
out="${MES_PACKAGE_DIST:-dist}"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The sources, under the package's version: the wheel's metadata is what --version, the About
# line and every export report.
src="$work/src"
mkdir -p "$src"
cp -r pyproject.toml README.md station gating recipes hardware ebr resources "$src/"
find "$src" -name __pycache__ -prune -exec rm -rf {} +
sed -i "s/^version = \".*\"/version = \"$version\"/" "$src/pyproject.toml"

root="$work/root"
opt="$root/opt/mes-station"
mkdir -p "$opt/wheels"
echo "collecting wheels for Python $pyver" >&2
"$py" -m pip wheel -q --wheel-dir "$opt/wheels" "$src[postgres]" >&2
# The pins: exactly the wheels shipped, name==version each.
"$py" - "$opt/wheels" > "$opt/requirements.txt" <<'PY'
import pathlib, sys
for wheel in sorted(pathlib.Path(sys.argv[1]).glob("*.whl")):
    name, ver = wheel.name.split("-")[:2]
    print(f"{name.replace('_', '-')}=={ver}")
PY
echo "$version" > "$opt/VERSION"

install -d -m 0755 "$root/usr/bin" "$root/lib/systemd/system" "$root/lib/udev/rules.d" \
  "$root/etc/mes-station" "$root/etc/pam.d" "$root/usr/share/doc/mes-station" "$root/DEBIAN"
ln -s /opt/mes-station/venv/bin/mes-station "$root/usr/bin/mes-station"
install -m 0644 packaging/systemd/*.service packaging/systemd/*.timer "$root/lib/systemd/system/"
install -d -m 0755 "$root/lib/systemd/system-generators"
install -m 0755 packaging/systemd/mes-station-backup-schedule "$root/lib/systemd/system-generators/"
install -m 0644 packaging/udev/70-mes-station.rules "$root/lib/udev/rules.d/"
install -m 0640 packaging/debian/station.toml "$root/etc/mes-station/station.toml"
install -m 0644 packaging/debian/pam-kiosk "$root/etc/pam.d/mes-station-kiosk"
install -m 0644 README.md "$root/usr/share/doc/mes-station/README.md"
install -m 0644 docs/line-pc.md "$root/usr/share/doc/mes-station/line-pc.md"
for script in preinst postinst prerm postrm; do
  install -m 0755 "packaging/debian/$script" "$root/DEBIAN/$script"
done
printf '/etc/mes-station/station.toml\n/etc/pam.d/mes-station-kiosk\n' > "$root/DEBIAN/conffiles"
size_kb=$(du -sk "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@PYVER@/$pyver/" -e "s/@PYNEXT@/$pynext/" -e "s/@SIZE@/$size_kb/" \
  packaging/debian/control > "$root/DEBIAN/control"

deb="$out/mes-station_${version}_amd64.deb"
# Wheels are zip files already: light gzip keeps the build quick and the package no larger.
dpkg-deb --root-owner-group -Zgzip -z1 --build "$root" "$deb" >&2
echo "$deb"
