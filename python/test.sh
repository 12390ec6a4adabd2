#!/usr/bin/env bash
# The Python package's tests: build the abi3 wheel with maturin, install it with its
# test and example needs into a virtual environment (target/python-venv, or
# $LINKAGE_VENV), and run pytest, which compares the package with the `linkage`
# program (target/release/linkage: built here if missing). Needs python3 with venv and
# pip; the package registries must be reachable (maturin, pyarrow, pandas, pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${LINKAGE_VENV:-target/python-venv}
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q "maturin>=1.8,<2"
cargo build --release --bin linkage
rm -rf target/wheels
"$venv/bin/maturin" build --release --manifest-path python/Cargo.toml --out target/wheels
wheel=$(ls target/wheels/linkage-*.whl)
"$venv/bin/python" -m pip uninstall -q -y linkage 2>/dev/null || true
"$venv/bin/python" -m pip install -q "$wheel[test,examples]"
# From the tests' folder, so that `import linkage` is the installed wheel, not the
# source folder python/linkage (which lacks the compiled extension).
cd python/tests
"../../$venv/bin/python" -m pytest -q "$@"
