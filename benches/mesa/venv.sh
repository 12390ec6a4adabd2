#!/usr/bin/env bash
# Make (once) the virtual environment with Mesa 3.3 that the Epstein comparison and the
# docking use, and print its python. The venv is cached under target/mesa-venv (or
# $MESA_VENV), so re-runs take no time; delete it to reinstall.
#
# Mesa's examples package imports every example on import, and one of them needs
# networkx, so networkx is installed too.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${MESA_VENV:-$here/../../target/mesa-venv}"
py="$venv/bin/python"
if ! "$py" -c 'import mesa, networkx, sys; sys.exit(not mesa.__version__.startswith("3.3"))' 2>/dev/null; then
    echo "installing Mesa 3.3 into $venv ..." >&2
    python3 -m venv "$venv" >&2
    "$py" -m pip install --quiet --disable-pip-version-check 'mesa==3.3.*' networkx >&2
fi
echo "$py"
