"""The README's regime comparison from Python: run the default scenario (a flood in the
rural counties of X City) under the three regimes, print the comparison `linkage run`
prints as a pandas DataFrame, and plot the city's daily service rate and trust.

    pip install ./python matplotlib
    python examples/compare_regimes.py                 # 100,000 residents, 365 days
    python examples/compare_regimes.py --residents 20000 --out compare.png

Run it as a script or paste it into a notebook cell by cell (the `# %%` marks).
"""

# %%
import argparse

import linkage

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--scenario", default="xcity-flood")
parser.add_argument("--residents", type=int, default=None, help="default: the scenario's")
parser.add_argument("--ticks", type=int, default=None, help="days; default: the scenario's")
parser.add_argument("--seed", type=int, default=None)
parser.add_argument("--out", default="compare_regimes.png", help="the chart's file")
args, _ = parser.parse_known_args()  # (a notebook passes arguments of its own)

# %% Run: the same settings as `linkage run --scenario xcity-flood`, the same numbers.
run = linkage.run(args.scenario, residents=args.residents, ticks=args.ticks, seed=args.seed)
summary = run.to_pandas()  # one row a regime

# %% The comparison, in the printed table's units.
comparison = (
    summary.set_index("regime")
    .assign(
        **{
            "solved %": lambda d: 100 * d.solution_rate,
            "median d": lambda d: d.resolution_days_median,
            "p90 d": lambda d: d.resolution_days_p90,
            "trust end": lambda d: d.trust_end,
            "U-R gap pp": lambda d: 100 * d.urban_rural_gap,
            "incidents": lambda d: d.incidents,
            "incident-d": lambda d: d.incident_days,
            "protester-d": lambda d: d.protester_days,
            "staff-h": lambda d: d.staff_hours,
            "coord %": lambda d: 100 * d.coordination_hours / d.staff_hours,
        }
    )
    .loc[:, ["solved %", "median d", "p90 d", "trust end", "U-R gap pp", "incidents",
             "incident-d", "protester-d", "staff-h", "coord %"]]
)
print(comparison.round(2).to_string())

# %% Resilience: how far each headline metric fell during the shock, and how fast it
# came back.
resilience = summary.set_index("regime")[
    ["service_rate_fall_pct", "service_rate_recovery_days", "trust_fall_pct",
     "trust_recovery_days"]
]
print()
print(resilience.round(2).to_string())

# %% The city's days, one line a regime (saved to a file; a notebook shows it too).
import matplotlib.pyplot as plt  # noqa: E402

days = run.to_pandas("ticks").query("unit == 'city'")
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharex=True)
for regime, d in days.groupby("regime"):
    axes[0].plot(d.tick, 100 * d.service_rate, label=regime)
    axes[1].plot(d.tick, d.trust, label=regime)
axes[0].set(title="service rate (%)", xlabel="day")
axes[1].set(title="trust in government", xlabel="day")
axes[0].legend()
fig.suptitle(f"{run.scenario}: {int(summary.residents[0]):,} residents, seed {run.seed}")
fig.tight_layout()
fig.savefig(args.out, dpi=120)
print(f"\nwrote {args.out}")
