"""Mesa's own Epstein civil violence example (mesa.examples.advanced.epstein_civil_violence,
Mesa 3.3), run as shipped with the parameters given, printing one JSON line: the agents,
the time to import and build, the time of the steps alone, and the counts after every
step.

The model is Mesa's code unchanged (its data collector included, as a user runs it);
only the parameters are ours: a 40x40 torus, and the Run 2 values of Epstein (2002)
unless told otherwise.
"""

import argparse
import json
import sys
import time


def run(seed, ticks, legitimacy, cop_density, citizen_density, vision, max_jail):
    started = time.perf_counter()
    import mesa
    from mesa.examples.advanced.epstein_civil_violence.model import EpsteinCivilViolence

    imported = time.perf_counter()
    model = EpsteinCivilViolence(
        width=40,
        height=40,
        citizen_density=citizen_density,
        cop_density=cop_density,
        citizen_vision=vision,
        cop_vision=vision,
        legitimacy=legitimacy,
        max_jail_term=max_jail,
        max_iters=ticks,
        seed=seed,
    )
    built = time.perf_counter()
    series = []
    for _ in range(ticks):
        model.step()
        series.append([model.QUIET, model.ACTIVE, model.ARRESTED])
    stepped = time.perf_counter()
    return {
        "mesa_version": mesa.__version__,
        "python": sys.version.split()[0],
        "seed": seed,
        "ticks": ticks,
        "agents": len(model.agents),
        "import_seconds": imported - started,
        "build_seconds": built - imported,
        "step_seconds": stepped - built,
        # quiet, active, jailed after each step
        "series": series,
    }


def main():
    a = argparse.ArgumentParser(description=__doc__)
    a.add_argument("--seed", type=int, default=1)
    a.add_argument("--ticks", type=int, default=1000)
    a.add_argument("--legitimacy", type=float, default=0.82)
    a.add_argument("--cop-density", type=float, default=0.04)
    a.add_argument("--citizen-density", type=float, default=0.7)
    a.add_argument("--vision", type=int, default=7)
    a.add_argument("--max-jail", type=int, default=30)
    a.add_argument("--no-series", action="store_true", help="leave the counts out")
    o = a.parse_args()
    r = run(o.seed, o.ticks, o.legitimacy, o.cop_density, o.citizen_density, o.vision, o.max_jail)
    if o.no_series:
        del r["series"]
    print(json.dumps(r))


if __name__ == "__main__":
    main()
