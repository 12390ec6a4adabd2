"""The examples in examples/ run (small) and say what they should."""

import importlib.util
import os
import subprocess
import sys

import pytest

from conftest import ROOT


def needs(module):
    if importlib.util.find_spec(module) is None:
        message = f"the examples need {module}: pip install './python[examples]'"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def example(name, *args, cwd):
    p = subprocess.run([sys.executable, str(ROOT / "examples" / name), *map(str, args)],
                       capture_output=True, text=True, cwd=cwd)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_compare_regimes(tmp_path):
    needs("matplotlib")
    out = example("compare_regimes.py", "--residents", 1000, "--ticks", 160, "--out",
                  tmp_path / "c.png", cwd=tmp_path)
    for regime in ["fragmented", "integrated", "linkage"]:
        assert f"\n{regime} " in out, out
    assert "solved %" in out and "trust_fall_pct" in out
    assert (tmp_path / "c.png").stat().st_size > 10_000


def test_sweep_regression(tmp_path):
    needs("statsmodels")
    out = example("sweep_regression.py", "--ticks", 30, "--out", tmp_path / "lhs", cwd=tmp_path)
    assert "solution_rate on the nine mechanism settings (80 runs)" in out, out
    for mechanism in ["information_sharing", "vertical", "coordination_cost"]:
        assert mechanism in out
    # Read back from the folder, without running.
    again = example("sweep_regression.py", "--folder", tmp_path / "lhs", "--outcome",
                    "trust_end", cwd=tmp_path)
    assert "trust_end on the nine mechanism settings (80 runs)" in again
