//! The validation suite: each check states the published target, our figure, the
//! tolerance, and whether it passes.

use super::epstein::{self, Counts, Neighbourhood, Params, Rule, Schedule};
use super::{ValidationError, granovetter, sir};
use crate::engine::run::run_regime;
use crate::model::mechanisms::{Mechanisms, PRESET_NAMES};
use crate::output::metrics::{HEADLINE, tick_metric, tick_table};
use crate::scenario::builtin;
use rayon::prelude::*;

/// How much work: `Full` for `linkage validate`, `Quick` for `cargo test`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    Full,
    Quick,
}

#[derive(Clone, Debug)]
pub struct Check {
    pub part: &'static str,
    pub name: String,
    pub target: String,
    pub ours: String,
    pub tolerance: String,
    pub pass: bool,
}

/// The parts of the suite, in order.
pub const PARTS: [&str; 6] = [
    "epstein",
    "epidemic",
    "granovetter",
    "drift",
    "incidents",
    "shocks",
];

/// Run one part.
pub fn run_part(part: &str, size: Size) -> Result<Vec<Check>, ValidationError> {
    Ok(match part {
        "epstein" => epstein_checks(size),
        "epidemic" => epidemic_checks(size),
        "granovetter" => granovetter_checks(size),
        "drift" => drift_checks(size),
        "incidents" => super::incidents::checks(size),
        "shocks" => super::shocks::checks(size),
        _ => return Err(ValidationError::UnknownPart(part.to_string())),
    })
}

fn check(
    part: &'static str,
    name: &str,
    target: String,
    ours: String,
    tolerance: String,
    pass: bool,
) -> Check {
    Check {
        part,
        name: name.to_string(),
        target,
        ours,
        tolerance,
        pass,
    }
}

fn peak(series: &[Counts], from: usize) -> u32 {
    series[from.min(series.len())..]
        .iter()
        .map(|c| c.active)
        .max()
        .unwrap_or(0)
}

/// Epstein's Table 2 runs over many seeds, with NetLogo's choices (⌊C/A⌋, disc vision)
/// unless a check says otherwise.
fn epstein_checks(size: Size) -> Vec<Check> {
    let seeds: Vec<u64> = (1..=if size == Size::Full { 20 } else { 4 }).collect();
    let mut out = run2_checks(&seeds, size);
    out.push(legitimacy_drop_check(&seeds));
    out.push(cop_removal_check(&seeds));
    out
}

/// "k/n seeds".
fn share(k: usize, n: usize) -> String {
    format!("{k}/{n} seeds")
}

/// Run 2: punctuated equilibrium with floor, none with the literal rule.
fn run2_checks(seeds: &[u64], size: Size) -> Vec<Check> {
    let n = seeds.len();
    let run2 = |rule: Rule| -> Vec<Vec<Counts>> {
        seeds
            .par_iter()
            .map(|&seed| {
                let mut p = Params::epstein(7, 0.82, Some(30), 0.04);
                p.rule = rule;
                p.neighbourhood = Neighbourhood::Disc;
                p.seed = seed;
                p.ticks = if size == Size::Full { 500 } else { 300 };
                epstein::run(&p)
            })
            .collect()
    };
    let floor = run2(Rule::Floor);
    let recurring = floor
        .iter()
        .filter(|r| epstein::outbursts(&r[50..], 50) >= 2)
        .count();
    let mean_outbursts = floor
        .iter()
        .map(|r| epstein::outbursts(&r[50..], 50))
        .sum::<usize>() as f64
        / n as f64;
    let mut out = vec![check(
        "epstein",
        "Run 2, floor: outbursts (>50 active) recur",
        "punctuated equilibrium in most seeds".into(),
        format!(
            "{} with ≥ 2 outbursts after tick 50 (mean {mean_outbursts:.1})",
            share(recurring, n)
        ),
        "≥ 75% of seeds".into(),
        recurring * 4 >= n * 3,
    )];
    let literal = run2(Rule::Literal);
    let calm = literal
        .iter()
        .filter(|r| epstein::outbursts(&r[50..], 50) == 0)
        .count();
    let max_literal = literal.iter().map(|r| peak(r, 50)).max().unwrap_or(0);
    out.push(check(
        "epstein",
        "Run 2, literal: no outburst",
        "no outburst".into(),
        format!(
            "{} without one after tick 50 (largest peak {max_literal})",
            share(calm, n)
        ),
        "≥ 75% of seeds".into(),
        calm * 4 >= n * 3,
    ));
    out
}

/// Runs 3 and 4: a sudden legitimacy drop gives a larger peak than the same drop in steps.
fn legitimacy_drop_check(seeds: &[u64]) -> Check {
    let n = seeds.len();
    let pairs: Vec<(u32, u32)> = seeds
        .par_iter()
        .map(|&seed| {
            let mut a = Params::epstein(7, 0.9, None, 0.074);
            a.neighbourhood = Neighbourhood::Disc;
            a.seed = seed;
            a.ticks = 200;
            a.schedule = Schedule::SuddenDrop { at: 77, to: 0.7 };
            let mut b = a.clone();
            b.schedule = Schedule::GradualDrop {
                at: 77,
                to: 0.7,
                step: 0.01,
            };
            (peak(&epstein::run(&a), 77), peak(&epstein::run(&b), 77))
        })
        .collect();
    let larger = pairs.iter().filter(|(a, b)| a > b).count();
    let mean =
        |f: fn(&(u32, u32)) -> u32| pairs.iter().map(|p| f(p) as f64).sum::<f64>() / n as f64;
    check(
        "epstein",
        "Runs 3-4: sudden drop beats gradual drop",
        "larger peak of actives after a sudden drop, in most seeds".into(),
        format!(
            "{} (mean peaks {:.0} vs {:.0})",
            share(larger, n),
            mean(|p| p.0),
            mean(|p| p.1)
        ),
        "> 50% of seeds".into(),
        larger * 2 > n,
    )
}

/// Run 5: removing cops gradually tips society into rebellion.
fn cop_removal_check(seeds: &[u64]) -> Check {
    let n = seeds.len();
    let run5: Vec<(u32, u32)> = seeds
        .par_iter()
        .map(|&seed| {
            let mut p = Params::epstein(7, 0.8, None, 0.074);
            p.neighbourhood = Neighbourhood::Disc;
            p.seed = seed;
            p.ticks = 400;
            let control = peak(&epstein::run(&p), 20);
            p.schedule = Schedule::RemoveCops { at: 50, every: 2 };
            (control, peak(&epstein::run(&p), 20))
        })
        .collect();
    let tipped = run5
        .iter()
        .filter(|(c, r)| *r >= 100 && *r >= 5 * (*c).max(1))
        .count();
    check(
        "epstein",
        "Run 5: cops removed gradually -> rebellion",
        "society tips into rebellion".into(),
        format!(
            "{} with a peak ≥ 100 active and ≥ 5× the peak with all cops (mean peaks {:.0} vs {:.0})",
            share(tipped, n),
            run5.iter().map(|p| p.1 as f64).sum::<f64>() / n as f64,
            run5.iter().map(|p| p.0 as f64).sum::<f64>() / n as f64
        ),
        "> 50% of seeds".into(),
        tipped * 2 > n,
    )
}

fn epidemic_checks(size: Size) -> Vec<Check> {
    let full = size == Size::Full;
    let (n, runs, tol) = if full {
        (20_000, 6u64, 0.02)
    } else {
        (6_000, 2, 0.03)
    };
    let gamma = 0.2;
    let ep = |t: f64| crate::model::shocks::EpidemicNow {
        transmission: sir::beta_for(t, gamma) as f32,
        p_onset: 0.5,
        p_recover: gamma as f32,
        sick_rates: [0.0; 8],
        staff_sickness: 0.0,
        control: crate::model::shocks::Control::NONE,
    };
    let mut out = Vec::new();
    let graph = sir::erdos_renyi(n, 4.0, 7);
    let sizes: Vec<f64> = (0..runs)
        .into_par_iter()
        .map(|k| sir::final_size(&graph, &ep(0.5), 20, 100 + k))
        .collect();
    let large: Vec<f64> = sizes.iter().copied().filter(|&s| s > 0.1).collect();
    let ours = large.iter().sum::<f64>() / large.len().max(1) as f64;
    let target = sir::final_size_equation(4.0 * 0.5);
    out.push(check(
        "epidemic",
        "SEIR on Erdős–Rényi, z = 4, T = 0.5",
        format!("final size {target:.3} (S = 1 − exp(−zTS))"),
        format!(
            "{ours:.3} (mean of {} large outbreaks of {runs}, n = {n})",
            large.len()
        ),
        format!("± {:.0} pp", tol * 100.0),
        !large.is_empty() && (ours - target).abs() <= tol,
    ));
    let small: Vec<f64> = (0..runs)
        .into_par_iter()
        .map(|k| sir::final_size(&graph, &ep(0.2), 20, 200 + k))
        .collect();
    let largest = small.iter().copied().fold(0.0, f64::max);
    out.push(check(
        "epidemic",
        "below threshold, z = 4, T = 0.2 < 1/z",
        "no large outbreak".into(),
        format!("largest final size {:.3} in {runs} runs", largest),
        "< 0.05".into(),
        largest < 0.05,
    ));
    let (nm, gm) = if full { (10_000, 0.1) } else { (3_000, 0.1) };
    let mixed: Vec<f64> = (0..runs.min(4))
        .into_par_iter()
        .map(|k| sir::final_size_mixed(nm, 2.0, gm, 10, 300 + k))
        .collect();
    let large: Vec<f64> = mixed.iter().copied().filter(|&s| s > 0.1).collect();
    let ours = large.iter().sum::<f64>() / large.len().max(1) as f64;
    let target = sir::final_size_equation(2.0);
    out.push(check(
        "epidemic",
        "well mixed, R0 = 2 (Kermack–McKendrick)",
        format!("final size {target:.3}"),
        format!(
            "{ours:.3} (mean of {} large outbreaks, n = {nm})",
            large.len()
        ),
        format!("± {:.0} pp", tol * 100.0),
        !large.is_empty() && (ours - target).abs() <= tol,
    ));
    out
}

fn granovetter_checks(size: Size) -> Vec<Check> {
    let mut uniform: Vec<u32> = (0..100).collect();
    let all = granovetter::equilibrium(&uniform);
    uniform[1] = 2;
    let one = granovetter::equilibrium(&uniform);
    let samples = if size == Size::Full { 400 } else { 60 };
    let analytic = granovetter::critical_sigma_analytic(100.0, 25.0, 0.01);
    let low = granovetter::mean_equilibrium(100, 25.0, 10.0, samples, 11);
    let high = granovetter::mean_equilibrium(100, 25.0, 14.0, samples, 11);
    let simulated = granovetter::critical_sigma(100, 25.0, samples, 11, 0.25);
    vec![
        check(
            "granovetter",
            "thresholds 0..99",
            "100 riot".into(),
            format!("{all} riot"),
            "exact".into(),
            all == 100,
        ),
        check(
            "granovetter",
            "threshold-1 person moved to 2",
            "1 riots".into(),
            format!("{one} riot"),
            "exact".into(),
            one == 1,
        ),
        check(
            "granovetter",
            "normal thresholds, mean 25: the equilibrium jumps",
            "jump near σ ≈ 12.2".into(),
            format!(
                "r = n·F(r) jumps at σ = {analytic:.2}; simulated crowds ({samples} of 100 per σ): mean {low:.1} riot at σ = 10, {high:.1} at σ = 14, half the crowd first at σ = {simulated:.2}"
            ),
            "analytic ± 0.5; simulated < 10 at σ = 10 and > 50 at σ = 14".into(),
            (analytic - 12.2).abs() <= 0.5 && low < 10.0 && high > 50.0,
        ),
    ]
}

/// Ten years of the default scenario without its shock, after its warm-up (`run.warmup`):
/// each headline metric's mean over the first year is within 2% of its mean over the
/// last five, so the run starts stationary (no drift in the first year, the one reports
/// read) and stays so.
fn drift_checks(size: Size) -> Vec<Check> {
    let mut s = builtin::xcity_baseline();
    s.run.ticks = 3650;
    if size == Size::Quick {
        s.run.residents = 6000;
    }
    let year = 365;
    let last = s.run.ticks as usize / 2;
    let mut out = Vec::new();
    for name in PRESET_NAMES {
        let run = run_regime(&s, name, Mechanisms::preset(name).expect("preset"), |_| {});
        let table = tick_table(&run.history, s.run.window as usize);
        let city = table.shape()[1] - 1;
        for m in HEADLINE {
            let col = tick_metric(m);
            let mean = |a: usize, b: usize| {
                let v: Vec<f64> = (a..b)
                    .map(|t| table[[t, city, col]])
                    .filter(|v| v.is_finite())
                    .collect();
                v.iter().sum::<f64>() / v.len().max(1) as f64
            };
            let (first, second) = (mean(0, year), mean(last, s.run.ticks as usize));
            let change = (second - first) / first;
            out.push(check(
                "drift",
                &format!("{name}: {m}, year 1 vs years 6-10"),
                "stationary".into(),
                format!("{first:.4} -> {second:.4} ({:+.2}%)", change * 100.0),
                "± 2%".into(),
                change.abs() <= 0.02,
            ));
        }
    }
    out
}
