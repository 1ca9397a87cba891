#!/usr/bin/env bash
# The light install, checked end to end: a fresh venv, `pip install .` with no extras, no
# TensorFlow in it, then `lprkit predict IMAGE --json -` and `lprkit.read(IMAGE)` on a real
# photo ($LPRKIT_DATA_HOME/openalpr_eu/, else a synthetic scene the light install draws itself).
# Run by .ci/run after `make test`; a developer can run it alone:  bash scripts/check_light_install.sh
# LIGHT_VENV=DIR keeps the venv there (default: a temporary folder, removed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"
PYTHON="${PYTHON:-python3}"
START=$(date +%s)
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
VENV="${LIGHT_VENV:-$WORK/venv}"

say() { echo "light install: $*"; }
fail() { echo "light install: FAILED: $*" >&2; exit 1; }

"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
# a copy of the tracked tree, so the build leaves no build/ or egg-info in the checkout
git -C "$REPO" ls-files -z | (cd "$REPO" && xargs -0 tar -cf -) | (mkdir -p "$WORK/src" && tar -xf - -C "$WORK/src")
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "$WORK/src"
say "installed in $(( $(date +%s) - START )) s: $("$VENV/bin/python" -m pip list --format=freeze 2>/dev/null | grep -ciE '^[a-z]') packages"

cd "$WORK"  # away from the checkout: the installed package is what gets imported
for heavy in tensorflow keras; do
  if "$VENV/bin/python" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('$heavy') is None)"; then
    fail "$heavy is importable after a plain 'pip install .'"
  fi
done
say "tensorflow and keras are not installed"

IMAGE=""
if [ -n "${LPRKIT_DATA_HOME:-}" ] && [ -d "$LPRKIT_DATA_HOME/openalpr_eu" ]; then
  IMAGE="$(find "$LPRKIT_DATA_HOME/openalpr_eu" -maxdepth 1 -iname '*.jpg' | sort | head -n 1)"
fi
if [ -z "$IMAGE" ]; then
  IMAGE="$WORK/scene.png"
  "$VENV/bin/python" - "$IMAGE" <<'EOF'
import sys
from PIL import Image
from lprkit.export.parity import synthetic_scenes
images, _ = synthetic_scenes(1, "europe", seed=5)
Image.fromarray(images[0]).save(sys.argv[1])
EOF
  say "no openalpr_eu photos: reading a synthetic scene"
fi
say "reading $IMAGE"

"$VENV/bin/lprkit" predict "$IMAGE" --recognizer crnn-latin --out "$WORK/out" --json - > "$WORK/reads.jsonl"
"$VENV/bin/python" - "$WORK/reads.jsonl" <<'EOF'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
record = json.loads(lines[-1])
assert record["schema"].startswith("lprkit.reads/"), record
assert record["plates"], f"no plates found in {record['file']}"
print("light install: predict --json -:", [(p["text"], round(p["confidence"], 2)) for p in record["plates"]])
EOF

"$VENV/bin/python" - "$IMAGE" <<'EOF'
import sys
import lprkit
plates = lprkit.read(sys.argv[1], region="latin")
print("light install: lprkit.read:", plates)
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"tensorflow", "keras"})
assert not heavy, f"lprkit.read imported {heavy}"
assert plates, "lprkit.read found no plate"
EOF
say "ok in $(( $(date +%s) - START )) s"
