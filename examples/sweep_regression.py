"""A sweep read into pandas and a regression of an outcome on the mechanisms: which of
the nine mechanism settings move the solution rate, and by how much, when all of them
vary together (a Latin hypercube, experiments/mechanisms-lhs.toml: 80 runs of 5,000
residents × 365 days on the flood under the linkage preset).

    pip install ./python statsmodels
    python examples/sweep_regression.py                       # about a minute on 2 cores
    python examples/sweep_regression.py --outcome trust_end
    python examples/sweep_regression.py --folder runs/mechanisms-lhs   # a sweep already run

The sweep resumes: run it again and the runs already in the folder are not run again.
Paste it into a notebook cell by cell (the `# %%` marks) to see the progress bar there.
"""

# %%
import argparse
import pathlib

import pandas as pd
import statsmodels.formula.api as smf

import linkage

REPO = pathlib.Path(__file__).resolve().parents[1]
parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--experiment", default=str(REPO / "experiments" / "mechanisms-lhs.toml"))
parser.add_argument("--out", default="runs/mechanisms-lhs", help="the sweep's folder")
parser.add_argument("--folder", default=None, help="read this finished sweep instead of running")
parser.add_argument("--outcome", default="solution_rate")
parser.add_argument("--ticks", type=int, default=None, help="days per run (default: 365)")
args, _ = parser.parse_known_args()  # (a notebook passes arguments of its own)

# %% Run the sweep (or read one the command line ran: `linkage sweep FILE --out DIR`).
if args.folder:
    sweep = linkage.read_sweep(args.folder)
else:
    sweep = linkage.sweep(args.experiment, out=args.out, ticks=args.ticks)
runs = sweep.to_pandas("runs")  # one row a run: its factor values and its metrics

# %% Ordinary least squares of the outcome on the mechanisms, each scaled to [0, 1] so
# that a coefficient is the change from the lowest to the highest setting.
factors = [c for c in runs.columns if c.startswith("mechanism.")]
x = runs[factors].rename(columns=lambda c: c.removeprefix("mechanism."))
x = (x - x.min()) / (x.max() - x.min())
data = x.assign(outcome=runs[args.outcome])
fit = smf.ols("outcome ~ " + " + ".join(x.columns), data=data).fit()
table = pd.DataFrame(
    {
        "effect": fit.params.drop("Intercept"),
        "ci_low": fit.conf_int()[0].drop("Intercept"),
        "ci_high": fit.conf_int()[1].drop("Intercept"),
        "p": fit.pvalues.drop("Intercept"),
    }
).sort_values("effect", key=abs, ascending=False)
print(f"{args.outcome} on the nine mechanism settings ({len(runs)} runs), "
      f"R² = {fit.rsquared:.2f}; effect = change from the lowest to the highest setting:\n")
print(table.round(4).to_string())
