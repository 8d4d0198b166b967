#!/usr/bin/env bash
# Set-up and the two everyday jobs, on a fresh Debian/Ubuntu machine with Python 3.11+.
#   bash scripts/dev.sh demo   create .venv, install, analyse the bundled demo session (offline)
#   bash scripts/dev.sh test   install what the tests need, then ruff, mypy and the test suite
# Extra arguments after `test` go to pytest.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV=.venv
TEST_DEBS=(espeak-ng sox ffmpeg pulseaudio pulseaudio-utils libportaudio2 libasound2-plugins xvfb xauth
           libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libnss3 libasound2 libxcomposite1
           libxdamage1 libxrandr2 libxtst6 libxi6 libxkbfile1 libfontconfig1 libdbus-1-3
           libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
           libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 chromium)

say() { printf '%s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1; then sudo "$@";
  else say "need root to run: $*"; return 1; fi
}

pick_python() {
  for py in python3.13 python3.12 python3.11 python3; do
    if command -v "$py" >/dev/null 2>&1 &&
       "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  say "Python 3.11 or newer is needed (apt-get install python3)"; return 1
}

ensure_venv() {
  if [ -x "$VENV/bin/python" ]; then return 0; fi
  local py; py=$(pick_python)
  if ! "$py" -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    say "python venv module missing; installing python3-venv"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    "$py" -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install -q --upgrade pip
}

install_debs() {
  local missing=()
  for deb in "$@"; do
    dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "ok installed" || missing+=("$deb")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

case "${1:-}" in
  demo)
    ensure_venv
    "$VENV/bin/python" -m pip install -q -e .
    exec "$VENV/bin/session-copilot" demo
    ;;
  test)
    shift
    install_debs "${TEST_DEBS[@]}"
    ensure_venv
    "$VENV/bin/python" -m pip install -q -e '.[test]'
    "$VENV/bin/ruff" check copilot tests scripts
    "$VENV/bin/ruff" format --check copilot
    "$VENV/bin/mypy" copilot
    set +e
    "$VENV/bin/python" -m pytest -ra "$@"
    code=$?
    set -e
    if [ "$code" = 5 ]; then say "no tests were collected"; fi
    exit "$code"
    ;;
  debs)
    install_debs "${TEST_DEBS[@]}"
    ;;
  *)
    say "usage: bash scripts/dev.sh demo|test [pytest args]|debs"
    exit 2
    ;;
esac
