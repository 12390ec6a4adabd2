"""Folders the command line wrote, read back: Parquet with pyarrow equals the CSV, and
read_run gives the same tables whichever format the folder holds."""

import pyarrow.parquet as pq
import pytest

import linkage
from conftest import assert_tables_close

ARGS = ["--scenario", "xcity-factory-closure", "--seed", "11", "--residents", "1000",
        "--ticks", "250", "--warmup", "20", "--quiet"]


@pytest.fixture(scope="module")
def both(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("both")
    cli("run", *ARGS, "--format", "both", "--out", out)
    return out


def test_the_command_lines_parquet_read_with_pyarrow_equals_its_csv(both):
    schemas = linkage._schemas()
    for name in linkage.RUN_TABLES:
        from_parquet = pq.read_table(both / f"{name}.parquet")
        meta = from_parquet.schema.metadata
        assert meta[b"linkage.params"].decode() == (both / "params.toml").read_text()
        assert meta[b"linkage.version"].decode() == linkage.__version__
        from_csv = linkage._read_csv(both / f"{name}.csv", schemas[name])
        assert_tables_close(from_parquet.replace_schema_metadata(None), from_csv, name)
        assert pq.ParquetFile(both / f"{name}.parquet").metadata.created_by == \
            f"linkage {linkage.__version__}"


def test_read_run_gives_the_same_tables_from_csv_and_from_parquet(cli, tmp_path, both):
    cli("run", *ARGS, "--format", "csv", "--out", tmp_path / "csv")
    cli("run", *ARGS, "--format", "parquet", "--out", tmp_path / "parquet")
    a = linkage.read_run(tmp_path / "csv")
    b = linkage.read_run(tmp_path / "parquet")
    assert not list((tmp_path / "parquet").glob("*.csv"))
    for name in linkage.RUN_TABLES:
        assert_tables_close(a.table(name), b.table(name), name)
        assert a.table(name).schema.equals(b.table(name).schema), name
    assert a.params == b.params
    assert a.incidents.num_rows > 0, "the factory closure's protests are read too"
    assert f"from {tmp_path / 'csv'}" in repr(a)


def test_read_run_refuses_what_is_not_a_run_folder(tmp_path):
    with pytest.raises(linkage.LinkageError, match="is not a folder"):
        linkage.read_run(tmp_path / "missing")
    with pytest.raises(linkage.LinkageError, match="is not a run folder"):
        linkage.read_run(tmp_path)


def test_a_damaged_file_raises_naming_it(cli, tmp_path, both):
    import shutil
    for name, damage in [("ticks.parquet", b"PAR1 not really"), ("summary.csv", b"\xff\xfe\x00")]:
        folder = tmp_path / name
        shutil.copytree(both, folder)
        if name.endswith(".csv"):
            (folder / "summary.parquet").unlink()
        (folder / name).write_bytes(damage)
        with pytest.raises(linkage.LinkageError, match=f"{name}: cannot be read"):
            linkage.read_run(folder)
