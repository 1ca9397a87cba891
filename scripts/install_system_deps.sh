#!/usr/bin/env bash
# Install the Debian/Ubuntu packages named in binder/apt.txt (the one list of system
# dependencies), if they are missing and we may: as root, or with password-less sudo.
# Otherwise print the exact command and carry on (tests needing them will say what is missing).
set -euo pipefail
list="${1:-binder/apt.txt}"
mapfile -t packages < <(grep -v '^\s*#' "$list" | tr -s ' \t' '\n' | sed '/^$/d')

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian/Ubuntu system; install these yourself: ${packages[*]}"
  echo "  (macOS: brew install tesseract tesseract-lang; and a Korean font such as Nanum Gothic)"
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system-deps: all present (${packages[*]})"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "system-deps: missing ${missing[*]}; install them with:"
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  exit 0
fi
echo "system-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
