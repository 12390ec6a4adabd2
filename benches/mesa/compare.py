"""Epstein's civil violence model, Run 2 parameters (40x40 torus, legitimacy 0.82, cop
density 0.04, citizen density 0.7, vision 7, max jail 30), 1,000 ticks: Mesa's own example
against linkage, side by side in one run. Prints one JSON line.

Each model runs in a process of its own, timed from outside (process wall time: start-up,
imports and building included), and reports the time of its steps alone (in-process).
Agent-steps are agents x ticks for both (Mesa steps every agent every tick, jailed ones
included). linkage runs with Mesa's choices (`--mesa`: round-even, von Neumann vision,
jail in place, act then move, placement site by site), so both do the same work, and with
its own defaults (cross vision, floor) for the record; each linkage figure is the fastest
of --linkage-runs, Mesa's is one run (a minute or so).

Usage: python compare.py LINKAGE_BINARY [--ticks N] [--seed S] [--linkage-runs K]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RUN2 = ["--legitimacy", "0.82", "--cop-density", "0.04", "--citizen-density", "0.7",
        "--vision", "7", "--max-jail", "30"]


def mesa(ticks, seed):
    cmd = [sys.executable, os.path.join(HERE, "mesa_epstein.py"), "--no-series",
           "--ticks", str(ticks), "--seed", str(seed)] + RUN2
    started = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - started
    r = json.loads(out)
    steps = r["agents"] * ticks
    return {
        "mesa_version": r["mesa_version"],
        "python": r["python"],
        "agents": r["agents"],
        "process_seconds": wall,
        "step_seconds": r["step_seconds"],
        "agent_steps_per_second_process": steps / wall,
        "agent_steps_per_second_stepping": steps / r["step_seconds"],
    }


LINE = re.compile(r"(\d+) ticks of (\d+) agents in ([0-9.]+) s: [0-9.]+ million agent-steps")


def linkage(binary, ticks, seed, choices, runs):
    cmd = [binary, "epstein", "--ticks", str(ticks), "--seed", str(seed)] + RUN2 + choices
    best = None
    for _ in range(runs):
        started = time.perf_counter()
        p = subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - started
        m = LINE.search(p.stderr)
        if not m:
            raise SystemExit(f"unexpected output from {' '.join(cmd)}: {p.stderr!r}")
        agents = int(m.group(2))
        step_seconds = float(m.group(3))
        rate = agents * ticks / step_seconds
        r = {
            "choices": " ".join(choices) or "defaults",
            "agents": agents,
            "process_seconds": wall,
            "step_seconds": step_seconds,
            "agent_steps_per_second_process": agents * ticks / wall,
            "agent_steps_per_second_stepping": rate,
        }
        if best is None or r["process_seconds"] < best["process_seconds"]:
            best = r
    return best


def main():
    a = argparse.ArgumentParser(description=__doc__)
    a.add_argument("linkage")
    a.add_argument("--ticks", type=int, default=1000)
    a.add_argument("--seed", type=int, default=1)
    a.add_argument("--linkage-runs", type=int, default=5)
    o = a.parse_args()
    like = linkage(o.linkage, o.ticks, o.seed, ["--mesa"], o.linkage_runs)
    own = linkage(o.linkage, o.ticks, o.seed, [], o.linkage_runs)
    m = mesa(o.ticks, o.seed)
    key = "agent_steps_per_second_"
    print(json.dumps({
        "ticks": o.ticks,
        "seed": o.seed,
        "mesa": m,
        "linkage_mesa_choices": like,
        "linkage_defaults": own,
        "ratio_process": like[key + "process"] / m[key + "process"],
        "ratio_stepping": like[key + "stepping"] / m[key + "stepping"],
    }))


if __name__ == "__main__":
    main()
