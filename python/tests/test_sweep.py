"""linkage.sweep and read_sweep against the command line: the same folder byte for
byte, Parquet and CSV folders read alike, resumed after Ctrl-C, bad input raised with
the command line's message."""

import re
import signal
import subprocess
import sys
import textwrap

import pyarrow.parquet as pq
import pytest

import linkage
from conftest import assert_tables_close

EXPERIMENT = """\
name = "py-small"
seed = 5
scenarios = ["xcity-flood"]
regimes = ["fragmented", "linkage"]
replicates = 2
residents = 300
ticks = 30

[[factors]]
path = "mechanism.social"
values = [0.2, 0.8]
"""

FILES = ["runs.csv", "summary.csv", "series.csv", "series-summary.csv"]
TABLES = [("runs", "runs"), ("summary", "summary"), ("series", "series"),
          ("series_summary", "series-summary")]


@pytest.fixture
def experiment(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(EXPERIMENT)
    return path


def test_a_sweep_writes_the_command_lines_bytes(cli, tmp_path, experiment):
    seen = []
    s = linkage.sweep(experiment, out=tmp_path / "py", progress=lambda d, t: seen.append((d, t)))
    cli("sweep", experiment, "--out", tmp_path / "cli", "--quiet")
    for f in FILES:
        assert (tmp_path / "py" / f).read_bytes() == (tmp_path / "cli" / f).read_bytes(), f
    assert s.runs.num_rows == 8 and s.complete
    assert seen[-1] == (8, 8)
    df = s.to_pandas()
    assert sorted(df["regime"].unique()) == ["fragmented", "linkage"]
    assert sorted(df["mechanism.social"].unique()) == [0.2, 0.8]
    assert s.experiment.startswith("# linkage ")
    # Again: everything is already there, nothing runs.
    again = []
    linkage.sweep(experiment, out=tmp_path / "py", progress=lambda d, t: again.append(d))
    assert again and min(again) == 8


def test_a_parquet_sweep_reads_as_its_csv_twin(cli, tmp_path, experiment):
    csv_sweep = linkage.sweep(experiment, out=tmp_path / "csv", progress=False)
    parquet_sweep = linkage.sweep(experiment, out=tmp_path / "pq", format="parquet",
                                  progress=False)
    assert not list((tmp_path / "pq").glob("*.csv"))
    for attr, name in TABLES:
        a, b = csv_sweep.table(attr), parquet_sweep.table(attr)
        assert a.schema.equals(b.schema), name
        assert_tables_close(a, b, name)
    # The command line's Parquet, read with pyarrow, equals its CSV typed alike.
    cli("sweep", experiment, "--out", tmp_path / "both", "--format", "both", "--quiet")
    for attr, name in TABLES:
        from_parquet = pq.read_table(tmp_path / "both" / f"{name}.parquet")
        assert b"linkage.params" in from_parquet.schema.metadata
        from_csv = linkage._read_sweep_table(tmp_path / "csv", name)
        assert_tables_close(from_parquet.replace_schema_metadata(None), from_csv, name)
    assert str(csv_sweep.runs.schema.field("seed").type) == "int64"
    assert str(csv_sweep.runs.schema.field("solution_rate").type) == "double"


def cli_message(stderr):
    line = next(l for l in stderr.splitlines() if l.startswith("error: "))[len("error: "):]
    if line.startswith("invalid value"):
        line = line.split("': ", 1)[1]
    return re.sub(r" \(see 'linkage [a-z]+ --help'\)$", "", line)


@pytest.mark.parametrize(
    "kwargs, args",
    [
        (dict(replicates=0), ["--replicates", "0"]),
        (dict(ticks=40000), ["--ticks", "40000"]),
        (dict(shard="3/2"), ["--shard", "3/2"]),
    ],
)
def test_bad_options_raise_with_the_command_lines_message(cli, tmp_path, experiment, kwargs,
                                                          args):
    p = cli("sweep", experiment, "--out", tmp_path / "x", "--quiet", *args, check=False)
    assert p.returncode == 2, p.stderr
    with pytest.raises(linkage.LinkageError) as e:
        linkage.sweep(experiment, out=tmp_path / "y", progress=False, **kwargs)
    assert str(e.value).endswith(cli_message(p.stderr)), (str(e.value), p.stderr)


def test_a_bad_experiment_raises_with_the_command_lines_message(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(EXPERIMENT.replace('"mechanism.social"', '"mechanism.socail"'))
    for path in [bad, tmp_path / "missing.toml"]:
        p = cli("sweep", path, "--out", tmp_path / "x", "--quiet", check=False)
        assert p.returncode == 2
        with pytest.raises(linkage.LinkageError) as e:
            linkage.sweep(path, out=tmp_path / "y", progress=False)
        assert str(e.value) == p.stderr.strip().removeprefix("error: ").replace("\nerror: ", "\n")
    with pytest.raises(linkage.LinkageError, match="format='xlsx': allowed: csv, parquet, both"):
        linkage.sweep(bad, format="xlsx")
    with pytest.raises(linkage.LinkageError, match="is not a sweep folder"):
        linkage.read_sweep(tmp_path)


def test_ctrl_c_stops_a_sweep_and_the_same_call_resumes_it(cli, tmp_path):
    exp = tmp_path / "longer.toml"
    exp.write_text(EXPERIMENT.replace("residents = 300", "residents = 3000")
                   .replace("ticks = 30", "ticks = 365").replace("replicates = 2",
                                                                 "replicates = 6"))
    out = tmp_path / "stopped"
    code = textwrap.dedent(
        f"""
        import sys, linkage
        def progress(done, total):
            print(done, flush=True)
        try:
            linkage.sweep({str(exp)!r}, out={str(out)!r}, progress=progress)
        except KeyboardInterrupt as e:
            print("interrupted:", e, flush=True)
            sys.exit(7)
        """
    )
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                         cwd=tmp_path)
    try:
        for line in p.stdout:
            if line.strip().isdigit() and int(line) >= 2:
                p.send_signal(signal.SIGINT)
                break
        rest, _ = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 7, rest
    assert "interrupted" in rest and "the same call resumes it" in rest, rest
    partial = linkage.read_sweep(out)
    assert not partial.complete and partial.summary is None and "unfinished" in repr(partial)
    done = (out / "runs.csv").read_text().count("\n") - 1
    assert 2 <= done < 24, done
    assert not (out / "summary.csv").exists(), "an unfinished sweep has no summary"
    seen = []
    linkage.sweep(exp, out=out, progress=lambda d, t: seen.append(d))
    # Counted from the runs already done (a report before the folder is open says 0).
    assert [d for d in seen if d > 0][0] >= done, "the runs already done are not run again"
    assert seen[-1] == 24
    cli("sweep", exp, "--out", tmp_path / "whole", "--quiet")
    for f in FILES:
        assert (out / f).read_bytes() == (tmp_path / "whole" / f).read_bytes(), f
