"""Docking (Axtell, Axelrod, Epstein and Cohen 1996): Mesa's Epstein example against
linkage's Epstein model with Mesa's choices (`linkage epstein --mesa`), Run 2 parameters,
over several seeds each. Prints a Markdown table of mean actives, mean jailed, outbursts
per 1,000 ticks and peak actives (mean and standard deviation over seeds, each model's
seeds its own), and the ratio of the means.

Figures are taken after a burn-in of 50 ticks; an outburst is a maximal run of ticks with
more than 50 active citizens (as in `linkage validate epstein`).

Usage: python dock.py LINKAGE_BINARY [--seeds 10] [--ticks 1000] [--jobs 2]
"""

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
from multiprocessing import Pool

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mesa_epstein  # noqa: E402

BURN_IN = 50
LEVEL = 50
RUN2 = dict(legitimacy=0.82, cop_density=0.04, citizen_density=0.7, vision=7, max_jail=30)


def figures(series, ticks):
    """series: (quiet, active, jailed) after each tick."""
    tail = series[BURN_IN:]
    active = [r[1] for r in tail]
    jailed = [r[2] for r in tail]
    outbursts, inside = 0, False
    for a in active:
        if a > LEVEL and not inside:
            outbursts, inside = outbursts + 1, True
        elif a <= LEVEL:
            inside = False
    return {
        "mean actives": statistics.fmean(active),
        "mean jailed": statistics.fmean(jailed),
        "outbursts per 1,000 ticks": outbursts * 1000 / len(tail),
        "peak actives": max(active),
    }


def mesa_run(args):
    seed, ticks = args
    r = mesa_epstein.run(seed, ticks, **RUN2)
    return figures(r["series"], ticks)


def linkage_run(binary, seed, ticks):
    cmd = [binary, "epstein", "--mesa", "--seed", str(seed), "--ticks", str(ticks),
           "--legitimacy", "0.82", "--cop-density", "0.04", "--citizen-density", "0.7",
           "--vision", "7", "--max-jail", "30"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    series = [(int(r["quiet"]), int(r["active"]), int(r["jailed"])) for r in rows]
    return figures(series, ticks)


def summary(runs, key):
    xs = [r[key] for r in runs]
    return statistics.fmean(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0)


def main():
    a = argparse.ArgumentParser(description=__doc__)
    a.add_argument("linkage")
    a.add_argument("--seeds", type=int, default=10)
    a.add_argument("--ticks", type=int, default=1000)
    a.add_argument("--jobs", type=int, default=2)
    o = a.parse_args()
    seeds = list(range(1, o.seeds + 1))
    ours = [linkage_run(o.linkage, s, o.ticks) for s in seeds]
    with Pool(o.jobs) as pool:
        theirs = pool.map(mesa_run, [(s, o.ticks) for s in seeds])
    print(f"Run 2, {o.ticks} ticks, seeds 1-{o.seeds} each, figures after tick {BURN_IN}; "
          f"mean ± sd over seeds\n")
    print("| figure | Mesa 3.3 example | linkage --mesa | linkage / Mesa |")
    print("| --- | ---: | ---: | ---: |")
    for key in ours[0]:
        (mm, ms), (lm, ls) = summary(theirs, key), summary(ours, key)
        ratio = lm / mm if mm else float("nan")
        print(f"| {key} | {mm:.1f} ± {ms:.1f} | {lm:.1f} ± {ls:.1f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
