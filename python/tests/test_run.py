"""linkage.run against the command line: the same settings give the same numbers, the
overrides apply, and bad input raises with the command line's message."""

import re

import pytest

import linkage
from conftest import assert_tables_close

# 160 days: the flood (days 120-149) is in the run, so its override counts.
SMALL = dict(scenario="xcity-flood", seed=7, residents=600, ticks=160, warmup=10)
SET = {"regimes.linkage.social": 0.5, "shocks[0].intensity": 0.5}


def cli_args(out, scenario, seed, residents, ticks, warmup, overrides=None, fmt="csv"):
    args = ["run", "--scenario", scenario, "--seed", seed, "--residents", residents,
            "--ticks", ticks, "--warmup", warmup, "--out", out, "--quiet", "--format", fmt]
    for path, value in (overrides or {}).items():
        args += ["--set", f"{path}={value}"]
    return args


def test_a_run_equals_the_command_lines_csv(cli, tmp_path):
    r = linkage.run(**SMALL, overrides=SET, progress=False)
    cli(*cli_args(tmp_path / "cli", **SMALL, overrides=SET))
    from_cli = linkage.read_run(tmp_path / "cli")
    assert r.regimes == ["fragmented", "integrated", "linkage"]
    for name in linkage.RUN_TABLES:
        assert_tables_close(r.table(name), from_cli.table(name), name)
    assert r.ticks.num_rows == 160 * 3 * 7  # days × regimes × (6 counties and the city)
    assert "\nintensity = 0.5\n" in r.params
    # The same scenario as run, to the byte: linkage run --scenario params.toml repeats it.
    assert r.params == from_cli.params
    assert r.params.startswith("# linkage ")
    assert (r.scenario, r.seed) == ("xcity-flood", 7)
    assert (from_cli.scenario, from_cli.seed) == ("xcity-flood", 7)


def test_tables_have_the_parquet_files_types():
    r = linkage.run(**SMALL, progress=False)
    schemas = linkage._schemas()
    for name in linkage.RUN_TABLES:
        assert r.table(name).schema.equals(schemas[name]), name
    assert str(r.ticks.schema.field("tick").type) == "int64"
    assert str(r.summary.schema.field("regime").type) == "string"
    df = r.to_pandas()
    assert list(df["regime"]) == ["fragmented", "integrated", "linkage"]
    assert len(r.to_pandas("ticks")) == r.ticks.num_rows


def test_overrides_apply():
    base = linkage.run(**SMALL, regimes="linkage", progress=False)
    more = linkage.run(**SMALL, regimes=["linkage"], overrides={"regimes.linkage.social": 1.0,
                                                               "run.residents": 900.4},
                       progress=False)
    # The setting is in the scenario as run ...
    social = re.findall(r"(?ms)^\[regimes\.linkage\].*?^social = ([0-9.]+)$", more.params)
    assert social == ["1.0"], more.params
    # ... applied before `residents`, which wins; a whole-number field is rounded.
    assert "residents = 600" in more.params
    assert more.summary.column("residents").to_pylist() == [600]
    # ... and it changes what happens.
    assert not base.ticks.equals(more.ticks)
    assert base.summary.column("regime").to_pylist() == ["linkage"]


def test_the_same_seed_gives_the_same_tables_whatever_the_threads():
    a = linkage.run(**SMALL, threads=1, progress=False)
    b = linkage.run(**SMALL, threads=2, progress=False)
    for name in linkage.RUN_TABLES:
        assert a.table(name).equals(b.table(name)), name


def cli_message(stderr: str) -> str:
    """The message of the command line's error line, without `error: ` and clap's
    `invalid value ... for '--x <X>': ` prefix."""
    line = next(l for l in stderr.splitlines() if l.startswith("error: "))
    line = line[len("error: "):]
    m = re.match(r"invalid value '.*?' for '--[a-z-]+ <[A-Z=_]+>': (.*?)(?: \(see .*\))?$", line)
    return m.group(1) if m else line


@pytest.mark.parametrize(
    "kwargs, args",
    [
        (dict(seed=-1), ["--seed", "-1"]),
        (dict(residents=50), ["--residents", "50"]),
        (dict(ticks=0), ["--ticks", "0"]),
        (dict(warmup=4000), ["--warmup", "4000"]),
        (dict(threads=0), ["--threads", "0"]),
        (dict(regimes="nope"), ["--regime", "nope"]),
        (dict(regimes=""), ["--regime", ""]),
        (dict(scenario="no-such-scenario"), ["--scenario", "no-such-scenario"]),
        (dict(overrides={"regimes.linkage.socail": 0.5}), ["--set", "regimes.linkage.socail=0.5"]),
        (dict(overrides={"regimes.linkage.social": 7}), ["--set", "regimes.linkage.social=7"]),
        (dict(overrides={"regimes.linkage.social": "lots"}), ["--set", "regimes.linkage.social=lots"]),
        (dict(overrides={"shocks[0].intensity": 1.2}), ["--set", "shocks[0].intensity=1.2"]),
        (dict(overrides={"run.seed": 1e30}), ["--set", "run.seed=1e30"]),
    ],
)
def test_bad_input_raises_with_the_command_lines_message(cli, tmp_path, kwargs, args):
    p = cli("run", "--quiet", "--out", tmp_path / "x", *args, check=False)
    assert p.returncode == 2, p.stderr
    expected = cli_message(p.stderr)
    with pytest.raises(linkage.LinkageError) as e:
        linkage.run(**kwargs, progress=False)
    assert str(e.value).endswith(expected), (str(e.value), expected)
    assert isinstance(e.value, ValueError)
    assert not (tmp_path / "x").exists()


def test_progress_counts_every_day():
    seen = []
    linkage.run(**SMALL, regimes="linkage", twin=False, progress=lambda d, t: seen.append((d, t)))
    assert seen, "the progress function was called"
    assert seen[-1] == (170, 170)  # warm-up and days of the one regime
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))
