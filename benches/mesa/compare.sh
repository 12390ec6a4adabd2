#!/usr/bin/env bash
# Epstein vs Mesa, side by side: make the Mesa venv if need be, then run compare.py with
# it. Usage: benches/mesa/compare.sh [LINKAGE_BINARY] [compare.py options]; prints one
# JSON line (`linkage bench --mesa` runs this and reads that line).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${1:-$here/../../target/release/linkage}"
shift || true
py="$("$here/venv.sh")"
exec "$py" "$here/compare.py" "$bin" "$@"
