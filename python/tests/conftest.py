"""Shared fixtures: the command-line program the package is compared with, and a
comparison of two Arrow tables at the CSV files' precision."""

import os
import pathlib
import subprocess

import pyarrow as pa
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli():
    """A function running the `linkage` program (LINKAGE_BIN, else the repository's
    target/release/linkage: `cargo build --release` makes it), returning the process."""
    path = pathlib.Path(os.environ.get("LINKAGE_BIN", ROOT / "target" / "release" / "linkage"))
    if not path.is_file():
        message = f"{path} is missing: run `cargo build --release` first (or set LINKAGE_BIN)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    def run(*args, check=True):
        p = subprocess.run([str(path), *map(str, args)], capture_output=True, text=True)
        if check and p.returncode != 0:
            raise AssertionError(f"linkage {' '.join(map(str, args))} failed: {p.stderr}")
        return p

    return run


def assert_tables_close(a: pa.Table, b: pa.Table, what: str = "") -> None:
    """Equal column names and types, equal text and counts, equal nulls, and measured
    values within the CSV files' six decimals."""
    assert a.column_names == b.column_names, what
    assert [f.type for f in a.schema] == [f.type for f in b.schema], what
    assert a.num_rows == b.num_rows, what
    for name in a.column_names:
        x, y = a.column(name).to_pylist(), b.column(name).to_pylist()
        if pa.types.is_floating(a.schema.field(name).type):
            for i, (u, v) in enumerate(zip(x, y)):
                assert (u is None) == (v is None), f"{what} {name}[{i}]: {u} vs {v}"
                if u is not None:
                    assert abs(u - v) <= 5e-7 + 1e-12 * abs(u), f"{what} {name}[{i}]: {u} vs {v}"
        else:
            assert x == y, f"{what} {name}"
