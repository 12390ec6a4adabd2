#!/usr/bin/env bash
# The Python package's tests: build the abi3 wheel the way `pip install ./python` does
# (pip's build of python/, maturin as the backend), install it with its test and example
# needs into a virtual environment (target/python-venv, or $LINKAGE_VENV), and run
# pytest, which compares the package with the `linkage` program: target/release/linkage,
# or $LINKAGE_BIN (built here when missing; after changing the sources, run
# `cargo build --release` first). Needs python3 with venv and pip; the package
# registries must be reachable (maturin, pyarrow, pandas, pytest, matplotlib,
# statsmodels).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${LINKAGE_VENV:-target/python-venv}
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
venv=$(cd "$venv" && pwd)
"$venv/bin/python" -m pip install -q --upgrade pip
if [ -z "${LINKAGE_BIN:-}" ] && [ ! -x target/release/linkage ]; then
    cargo build --release --bin linkage
fi
rm -rf target/wheels
"$venv/bin/python" -m pip wheel --no-deps --wheel-dir target/wheels ./python
wheel=$(ls target/wheels/linkage-*.whl)
"$venv/bin/python" -m pip uninstall -q -y linkage 2>/dev/null || true
"$venv/bin/python" -m pip install -q "$wheel[test,examples]"
# From the tests' folder, so that `import linkage` is the installed wheel, not the
# source folder python/linkage (which lacks the compiled extension).
cd python/tests
"$venv/bin/python" -m pytest -q "$@"
