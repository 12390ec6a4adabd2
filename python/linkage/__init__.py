"""linkage from Python: run the governance simulator and get its tables as Arrow tables
and pandas DataFrames.

    >>> import linkage
    >>> r = linkage.run("xcity-flood", residents=2_000, ticks=120)
    >>> r.to_pandas()          # the regime comparison (summary), one row a regime

``run`` runs a scenario's regimes side by side as ``linkage run`` does (same seed, same
numbers); ``sweep`` runs an experiment file as ``linkage sweep`` does; ``read_run`` and
``read_sweep`` read folders the command line wrote, CSV or Parquet. Bad input raises
``LinkageError`` (a ``ValueError``) with the command line's message. A run releases the
GIL while it runs and stops on Ctrl-C (``KeyboardInterrupt``).
"""

from __future__ import annotations

import contextlib
import csv
import os
import pathlib
import re
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Sequence, Union

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import _linkage
from ._linkage import LinkageError, __version__, program

__all__ = [
    "run",
    "sweep",
    "read_run",
    "read_sweep",
    "scenarios",
    "Run",
    "Sweep",
    "LinkageError",
    "__version__",
    "program",
]

#: The scenario ``run`` uses when none is named (the command line's default).
DEFAULT_SCENARIO = "xcity-flood"

#: The tables of a run, in the order ``linkage run`` writes them.
RUN_TABLES = ("ticks", "summary", "territory", "incidents")

PathLike = Union[str, "os.PathLike[str]"]


def scenarios() -> list:
    """The built-in scenarios' names (``linkage scenarios`` describes them)."""
    return list(_linkage.scenarios())


class Run:
    """The tables of one run, each a ``pyarrow.Table``.

    - ``ticks``: one row a day × regime × unit (each county, then ``city``), every daily
      metric (``ticks.csv``);
    - ``summary``: one row a regime, the comparison ``linkage run`` prints
      (``summary.csv``);
    - ``territory``: one row a township at the end (``territory.csv``);
    - ``incidents``: one row a protest incident (``incidents.csv``);
    - ``params``: the text of ``params.toml`` (program, revision, the scenario as run):
      ``linkage run --scenario params.toml`` repeats the run.
    """

    def __init__(
        self,
        ticks: pa.Table,
        summary: pa.Table,
        territory: pa.Table,
        incidents: pa.Table,
        params: str,
        source: Optional[str] = None,
        scenario: Optional[str] = None,
        seed: Optional[int] = None,
    ):
        self.ticks = ticks
        self.summary = summary
        self.territory = territory
        self.incidents = incidents
        self.params = params
        #: Where the run came from: a folder, or None for a run made here.
        self.source = source
        # Read from params.toml when not given: its first `name` and `seed` are the
        # scenario's and the run's.
        if scenario is None:
            found = re.search(r'(?m)^name = "(.*)"$', params)
            scenario = found.group(1) if found else None
        if seed is None:
            found = re.search(r"(?m)^seed = (\d+)$", params)
            seed = int(found.group(1)) if found else None
        #: The scenario's name (None when a folder has no params.toml).
        self.scenario = scenario
        #: The run's seed (None when a folder has no params.toml).
        self.seed = seed

    @property
    def regimes(self) -> list:
        """The regimes run, in the summary's order."""
        return self.summary.column("regime").to_pylist()

    def table(self, name: str) -> pa.Table:
        """The table called ``name`` (one of ``RUN_TABLES``)."""
        if name not in RUN_TABLES:
            raise LinkageError(
                f"table: '{name}' is not a table of a run; allowed: {', '.join(RUN_TABLES)}"
            )
        return getattr(self, name)

    def to_pandas(self, table: str = "summary"):
        """A table as a pandas DataFrame: by default the summary, one row a regime
        (the comparison); ``to_pandas("ticks")`` for the daily series."""
        return self.table(table).to_pandas()

    def __repr__(self) -> str:
        days = 0
        if self.ticks.num_rows:
            days = int(pc.max(self.ticks.column("tick")).as_py()) + 1
        where = f" from {self.source}" if self.source else ""
        return (
            f"<linkage.Run{where}: {self.scenario}, seed {self.seed}; "
            f"{', '.join(self.regimes)}; {days} days; "
            f"tables ticks ({self.ticks.num_rows} rows), summary, territory, incidents>"
        )


class _Bar:
    """A progress bar (tqdm's, in a notebook its widget) fed ``(done, total)``."""

    def __init__(self, unit: str, description: str, show: bool):
        self.bar = None
        self.unit = unit
        self.description = description
        self.show = show

    def __call__(self, done: int, total: int) -> None:
        if not self.show:
            return
        if self.bar is None:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, unit=self.unit, desc=self.description)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@contextlib.contextmanager
def _progress(progress: Union[bool, Callable[[int, int], Any]], unit: str, description: str):
    """What to pass as ``progress``: the caller's function, or a bar closed at the end."""
    if callable(progress):
        yield progress
        return
    bar = _Bar(unit, description, bool(progress))
    try:
        yield bar
    finally:
        bar.close()


def _regimes(regimes: Union[None, str, Iterable[str]]) -> Optional[list]:
    if regimes is None:
        return None
    if isinstance(regimes, str):
        # As `--regime a,b`: an empty name is refused, not taken for "all".
        return regimes.split(",")
    return [str(r) for r in regimes]


def run(
    scenario: PathLike = DEFAULT_SCENARIO,
    regimes: Union[None, str, Sequence[str]] = None,
    seed: Optional[int] = None,
    residents: Optional[int] = None,
    ticks: Optional[int] = None,
    overrides: Optional[Mapping[str, float]] = None,
    *,
    warmup: Optional[int] = None,
    twin: bool = True,
    threads: Optional[int] = None,
    progress: Union[bool, Callable[[int, int], Any]] = True,
) -> Run:
    """Run a scenario's regimes side by side, as ``linkage run`` does.

    - ``scenario``: a built-in name (``scenarios()``) or a scenario file's path, e.g. a
      run folder's ``params.toml``;
    - ``regimes``: names (a list, or one text with commas); default: all the scenario's;
    - ``seed``, ``residents``, ``ticks`` (days), ``warmup``: as ``--seed``,
      ``--residents``, ``--ticks``, ``--warmup``; default: the scenario's;
    - ``overrides``: ``{path: number}``, any numeric parameter by its path, e.g.
      ``{"regimes.linkage.social": 0.5, "shocks[0].intensity": 0.5}`` (``--set``),
      applied first, as if the file were edited; ``linkage params`` lists the paths;
    - ``twin``: run each regime's no-shock twin to measure resilience against
      (``--no-twin`` is ``twin=False``);
    - ``threads``: worker threads (default: all cores; results do not depend on it);
    - ``progress``: a progress bar over the days (True), none (False), or a function
      called with ``(days done, days in all)``.

    The same settings give the same numbers as ``linkage run``'s files. Bad input
    raises ``LinkageError`` with the command line's message; Ctrl-C stops the run
    (``KeyboardInterrupt``).
    """
    with _progress(progress, "day", "linkage run") as bar:
        out = _linkage.run(
            os.fspath(scenario),
            regimes=_regimes(regimes),
            seed=seed,
            residents=residents,
            ticks=ticks,
            warmup=warmup,
            overrides=dict(overrides) if overrides is not None else None,
            twin=twin,
            threads=threads,
            progress=bar,
        )
    # Each table arrives over the Arrow C stream interface: its buffers are the ones
    # built in Rust, not copies.
    tables = {name: out[name].read_all() for name in RUN_TABLES}
    return Run(params=out["params"], scenario=out["scenario"], seed=out["seed"], **tables)


def _schemas() -> Dict[str, pa.Schema]:
    return dict(_linkage.schemas())


def _read_csv(path: pathlib.Path, schema: Optional[pa.Schema]) -> pa.Table:
    """A CSV file the command line wrote, typed as its Parquet twin is when ``schema``
    is given (an empty cell of a number column is null; text stays text)."""
    if schema is None:
        return pacsv.read_csv(path)
    options = pacsv.ConvertOptions(
        column_types={f.name: f.type for f in schema},
        strings_can_be_null=False,
    )
    table = pacsv.read_csv(path, convert_options=options)
    if table.column_names != schema.names:
        return table
    return pa.Table.from_arrays(table.columns, schema=schema)


def _read_table(
    folder: pathlib.Path, name: str, schema: Callable[[list], Optional[pa.Schema]],
    required: bool = True,
) -> Optional[pa.Table]:
    """``name``.parquet if the folder has it (exact), else ``name``.csv typed by
    ``schema(header)``; a file that cannot be read raises ``LinkageError`` naming it."""
    pq_path = folder / f"{name}.parquet"
    csv_path = folder / f"{name}.csv"
    try:
        if pq_path.is_file():
            return pq.read_table(pq_path).replace_schema_metadata(None)
        if csv_path.is_file():
            with open(csv_path, newline="", encoding="utf-8") as f:
                header = next(csv.reader(f), [])
            return _read_csv(csv_path, schema(header))
    except (pa.ArrowException, UnicodeDecodeError, csv.Error) as e:
        path = pq_path if pq_path.is_file() else csv_path
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise LinkageError(f"{path}: cannot be read: {first}") from e
    if required:
        raise LinkageError(f"{folder}: has neither {name}.csv nor {name}.parquet")
    return None


def _folder(path: PathLike, what: str, marker: str) -> pathlib.Path:
    folder = pathlib.Path(os.fspath(path))
    if not folder.is_dir():
        raise LinkageError(f"{folder}: is not a folder; give the {what} folder")
    if not any((folder / f"{marker}.{ext}").is_file() for ext in ("csv", "parquet")):
        raise LinkageError(
            f"{folder}: is not a {what} folder (it has neither {marker}.csv nor {marker}.parquet)"
        )
    return folder


def read_run(path: PathLike) -> Run:
    """Read a folder written by ``linkage run`` (CSV, Parquet or both; Parquet is read
    when there). A CSV folder is typed as its Parquet twin: counts as int64, measured
    values as float64 (an empty cell is null), names as text."""
    folder = _folder(path, "run", "ticks")
    schemas = _schemas()
    tables = {
        name: _read_table(folder, name, lambda _header, n=name: schemas[n])
        for name in RUN_TABLES
    }
    params_path = folder / "params.toml"
    params = params_path.read_text(encoding="utf-8") if params_path.is_file() else ""
    return Run(params=params, source=str(folder), **tables)


class Sweep:
    """The tables of a sweep folder, each a ``pyarrow.Table`` (None when the folder
    lacks it), typed as its Parquet files are whichever format the folder holds:

    - ``runs``: one row a run: its id, cell, replicate, seed, scenario, regime, factor
      settings and every recorded metric (``runs.csv``);
    - ``summary``: one row a cell: n, then each metric's mean, sd and 95% interval
      (``summary.csv``);
    - ``series``: one row a run and day, the city's headline metrics (``series.csv``);
    - ``series_summary``: the series over each cell's replicates
      (``series-summary.csv``);
    - ``experiment``: the text of ``experiment.toml`` (program, revision, the
      experiment).
    """

    TABLES = ("runs", "summary", "series", "series_summary")

    def __init__(self, folder: pathlib.Path):
        self.source = str(folder)
        self.runs = _read_sweep_table(folder, "runs", required=True)
        self.summary = _read_sweep_table(folder, "summary")
        self.series = _read_sweep_table(folder, "series")
        self.series_summary = _read_sweep_table(folder, "series-summary")
        #: Whether the sweep finished: its summary is there. An unfinished folder's
        #: ``runs`` are those done so far, in the order they finished.
        self.complete = self.summary is not None
        exp = folder / "experiment.toml"
        self.experiment = exp.read_text(encoding="utf-8") if exp.is_file() else ""

    def table(self, name: str) -> pa.Table:
        """The table called ``name`` (one of ``Sweep.TABLES``)."""
        if name not in self.TABLES:
            raise LinkageError(
                f"table: '{name}' is not a table of a sweep; allowed: {', '.join(self.TABLES)}"
            )
        t = getattr(self, name)
        if t is None:
            raise LinkageError(f"{self.source}: has no {name.replace('_', '-')} table")
        return t

    def to_pandas(self, table: str = "runs"):
        """A table as a pandas DataFrame: by default ``runs``, one row a run."""
        return self.table(table).to_pandas()

    def __repr__(self) -> str:
        state = "" if self.complete else ", unfinished (no summary yet)"
        return f"<linkage.Sweep from {self.source}: {self.runs.num_rows} runs{state}>"


_KIND_TYPES = {"text": pa.string(), "count": pa.int64(), "value": pa.float64()}


def _sweep_schema(name: str, header: list) -> pa.Schema:
    kinds = _linkage.sweep_kinds(f"{name}.csv", header)
    return pa.schema(
        [pa.field(h, _KIND_TYPES[k], nullable=(k != "text")) for h, k in zip(header, kinds)]
    )


def _read_sweep_table(folder: pathlib.Path, name: str, required: bool = False):
    """A sweep table, from its Parquet file when there, else from its CSV file typed as
    the Parquet file would be."""
    return _read_table(folder, name, lambda header: _sweep_schema(name, header), required)


def read_sweep(path: PathLike) -> Sweep:
    """Read a folder written by ``linkage sweep`` (or ``linkage merge``), CSV or
    Parquet (Parquet is read when there)."""
    return Sweep(_folder(path, "sweep", "runs"))


def sweep(
    experiment: PathLike,
    out: Optional[PathLike] = None,
    *,
    replicates: Optional[int] = None,
    ticks: Optional[int] = None,
    scale: Optional[str] = None,
    threads: Optional[int] = None,
    shard: Optional[str] = None,
    restart: bool = False,
    format: str = "csv",
    progress: Union[bool, Callable[[int, int], Any]] = True,
) -> Sweep:
    """Run an experiment file as ``linkage sweep`` does and return its folder read back.

    - ``experiment``: the experiment file (TOML; docs/experiments.md);
    - ``out``: the folder (default ``runs/<experiment name>``); what it already holds of
      this sweep is resumed, not run again;
    - ``replicates``, ``ticks``, ``scale`` (``"small"``, ``"default"``, ``"full"``),
      ``threads``, ``shard`` (``"K/N"``), ``restart``: as the command line's options;
    - ``format``: ``"csv"``, ``"parquet"`` or ``"both"``: the files the finished folder
      holds;
    - ``progress``: a progress bar over the runs (True), none (False), or a function
      called with ``(runs done, runs in all)``.

    The folder's files are those ``linkage sweep`` writes, byte for byte. Ctrl-C stops
    the sweep after the runs going on (``KeyboardInterrupt``); the same call resumes it.
    """
    with _progress(progress, "run", "linkage sweep") as bar:
        folder = _linkage.sweep(
            os.fspath(experiment),
            out=os.fspath(out) if out is not None else None,
            replicates=replicates,
            ticks=ticks,
            scale=scale,
            threads=threads,
            shard=shard,
            restart=restart,
            format=format,
            progress=bar,
        )
    return read_sweep(folder)
