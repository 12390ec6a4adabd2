//! Face validity of the shocks (issue 14): each shipped shock scenario under the three
//! regimes, against what is known of its kind, one check per kind. The ranges and their
//! sources are in docs/validation.md; where a source gives only a direction, the range's
//! size is marked as an assumption there.
//!
//! Each scenario runs with its no-shock twin (`run_paired`), so a fall is the shock's
//! alone.

use super::checks::{Check, Size};
use crate::engine::run::{RegimeRun, run_paired, run_regime};
use crate::engine::tally::Tally;
use crate::model::issues::Category;
use crate::model::mechanisms::{Mechanisms, PRESET_NAMES};
use crate::model::residents::SUSCEPTIBLE;
use crate::model::territory::Territory;
use crate::scenario::Scenario;
use rayon::prelude::*;

/// The part's checks, one per shock kind.
pub fn checks(size: Size) -> Vec<Check> {
    vec![
        flood(size),
        epidemic(size),
        closure(size),
        land_dispute(size),
        rumour(size),
        fiscal_cut(size),
    ]
}

/// One regime's run of a shock scenario with its no-shock twin.
struct Paired {
    regime: &'static str,
    run: RegimeRun,
    twin: RegimeRun,
}

/// A shipped scenario at `size` (its own at `Full`, 10,000 residents at `Quick`).
fn sized(name: &str, size: Size) -> Scenario {
    let mut s = Scenario::load(name).expect("a shipped scenario loads");
    if size == Size::Quick {
        s.run.residents = 10_000;
    }
    s
}

/// The scenario under each preset, with twins, in parallel.
fn runs(s: &Scenario) -> Vec<Paired> {
    PRESET_NAMES
        .par_iter()
        .map(|&regime| {
            let m = Mechanisms::preset(regime).expect("preset");
            let (run, twin) = run_paired(s, regime, m, true, |_| {});
            Paired {
                regime,
                run,
                twin: twin.expect("a shock scenario has a twin"),
            }
        })
        .collect()
}

fn city(r: &RegimeRun, t: usize) -> &Tally {
    r.history[t].last().expect("the city row")
}

/// A city figure per resident on day `t`.
fn per_resident(r: &RegimeRun, t: usize, f: fn(&Tally) -> f64) -> f64 {
    let c = city(r, t);
    f(c) / c.residents.max(1) as f64
}

fn check(name: &str, target: &str, ours: String, tolerance: &str, pass: bool) -> Check {
    Check {
        part: "shocks",
        name: name.to_string(),
        target: target.to_string(),
        ours,
        tolerance: tolerance.to_string(),
        pass,
    }
}

/// Each regime's figure, as "fragmented 1.2%, integrated …".
fn listed(runs: &[Paired], figures: &[f64], pct: bool) -> String {
    runs.iter()
        .zip(figures)
        .map(|(p, x)| {
            if pct {
                format!("{} {:.1}%", p.regime, x * 100.0)
            } else {
                format!("{} {x:.3}", p.regime)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn start_of(s: &Scenario) -> usize {
    s.shock_start().unwrap_or(0) as usize
}

/// The flood: the deepest fall of the city's happiness below its twin's.
fn flood(size: Size) -> Check {
    let s = sized("xcity-flood", size);
    let runs = runs(&s);
    let falls: Vec<f64> = runs
        .iter()
        .map(|p| {
            (start_of(&s)..p.run.history.len())
                .map(|t| {
                    let (a, b) = (
                        per_resident(&p.run, t, |c| c.happiness),
                        per_resident(&p.twin, t, |c| c.happiness),
                    );
                    (b - a) / b
                })
                .fold(0.0, f64::max)
        })
        .collect();
    check(
        "flood: the city's happiness, deepest fall below the twin",
        "a flood lowers life satisfaction in the hit region by a few percent (Luechinger & Raschky 2009)",
        listed(&runs, &falls, true),
        "1-10% in every regime",
        falls.iter().all(|&f| (0.01..=0.10).contains(&f)),
    )
}

/// The epidemic: the share ever infected by the end of the run.
fn epidemic(size: Size) -> Check {
    let s = sized("xcity-epidemic", size);
    let runs = runs(&s);
    let sizes: Vec<f64> = runs
        .iter()
        .map(|p| {
            let last = p.run.history.len() - 1;
            1.0 - per_resident(&p.run, last, |c| c.health[SUSCEPTIBLE as usize] as f64)
        })
        .collect();
    let most = sizes.iter().copied().fold(0.0, f64::max);
    let least = sizes.iter().copied().fold(1.0, f64::min);
    check(
        "epidemic: final size (share ever infected)",
        "between strict control (most Chinese cities in 2020 well under 1% infected; Wuhan, the worst hit, 6.9% seropositive: He et al. 2021) and controls lifted (Beijing, 76% in five weeks: Leung et al. 2023)",
        listed(&runs, &sizes, true),
        "≤ 90% in every regime; the least controlled ≥ 30%; the regimes differ by at least 1.5x",
        (0.3..=0.9).contains(&most) && most >= 1.5 * least,
    )
}

/// The factory closure: the peak share of the laid off who protest on one day.
fn closure(size: Size) -> Check {
    let s = sized("xcity-factory-closure", size);
    let runs = runs(&s);
    let peaks: Vec<f64> = runs
        .iter()
        .map(|p| {
            (0..p.run.history.len())
                .map(|t| {
                    let c = &city(&p.run, t).closure;
                    c.protesters as f64 / c.laid_off.max(1) as f64
                })
                .fold(0.0, f64::max)
        })
        .collect();
    let worst = peaks.iter().copied().fold(0.0, f64::max);
    check(
        "factory closure: laid-off workers protesting, peak share",
        "labour disputes are a leading source of collective action; those who protest are a minority of the laid off (Tong & Lei 2013; China Labour Bulletin strike map)",
        listed(&runs, &peaks, true),
        "worst regime 2-50%",
        (0.02..=0.5).contains(&worst),
    )
}

/// The land dispute: the largest incident in the requisitioned township against its
/// residents.
fn land_dispute(size: Size) -> Check {
    let s = sized("xcity-land-dispute", size);
    let territory = Territory::build(&s.territory, s.run.residents);
    let hits = s.shocks[0].target().communities(&territory);
    let c = hits.iter().position(|&h| h).unwrap_or(0);
    let town = territory.communities[c].township.index();
    let residents = territory.townships[town].residents.len().max(1) as f64;
    let runs = runs(&s);
    let peaks: Vec<f64> = runs
        .iter()
        .map(|p| {
            (p.run.incidents.iter())
                .filter(|i| i.township as usize == town)
                .map(|i| i.peak)
                .max()
                .unwrap_or(0) as f64
                / residents
        })
        .collect();
    let worst = peaks.iter().copied().fold(0.0, f64::max);
    check(
        "land dispute: the largest incident in the township, share of its residents",
        "land requisition is a leading cause of rural mass incidents, mobilising from dozens to most of a village (Tong & Lei 2010; Wukan 2011)",
        listed(&runs, &peaks, true),
        "worst regime 2-50%",
        (0.02..=0.5).contains(&worst),
    )
}

/// The rumour: the peak share of believers, its day, and its fading.
fn rumour(size: Size) -> Check {
    let s = sized("xcity-rumour", size);
    let start = start_of(&s);
    let runs = runs(&s);
    let mut pass = true;
    let mut parts = Vec::new();
    let mut worst = 0.0f64;
    for p in &runs {
        let share = |t: usize| per_resident(&p.run, t, |c| c.believers as f64);
        let (day, peak) = (start..p.run.history.len())
            .map(|t| (t, share(t)))
            .fold((start, 0.0), |a, b| if b.1 > a.1 { b } else { a });
        let later = share((start + 30).min(p.run.history.len() - 1));
        worst = worst.max(peak);
        pass &= peak <= 0.37 && day - start <= 25 && later < peak / 2.0;
        parts.push(format!(
            "{} {:.1}% on day +{}, {:.1}% on day +30",
            p.regime,
            peak * 100.0,
            day - start,
            later * 100.0
        ));
    }
    check(
        "rumour: believers, peak share and fading",
        "8-37% of adults find a given falsehood credible (Roozenbeek et al. 2020); half of debunked rumours fade within 25 days (Tencent 较真 rumours, BMC Public Health 2024)",
        parts.join("; "),
        "peak ≤ 37% in every regime and ≥ 5% in the worst; peak within 25 days; below half the peak by day +30",
        pass && worst >= 0.05,
    )
}

/// The fiscal cut: the share of assistance claims refused for want of budget, from the
/// cut's start to 30 days after its end; and, in the regime that refuses most, whether
/// the refusals hurt: its claimants' hardship against the same run with refusals that do
/// not hurt (`behaviour.refused_hardship` 0).
fn fiscal_cut(size: Size) -> Check {
    let s = sized("xcity-fiscal-cut", size);
    let (start, end) = s.shocks[0].window();
    let runs = runs(&s);
    let k = Category::SocialAssistance as usize;
    let days = |r: &RegimeRun| start as usize..((end + 30) as usize).min(r.history.len());
    let refused: Vec<f64> = runs
        .iter()
        .map(|p| {
            let (mut no, mut ended) = (0u64, 0u64);
            for t in days(&p.run) {
                let c = city(&p.run, t);
                no += c.assistance_refused;
                ended += (c.category_resolved[k] + c.category_expired[k]) as u64;
            }
            no as f64 / ended.max(1) as f64
        })
        .collect();
    let hardship = |r: &RegimeRun| {
        let (mut h, mut n) = (0.0, 0u64);
        for t in days(r) {
            let c = city(r, t);
            h += c.assistance_hardship;
            n += (c.category_resolved[k] + c.category_expired[k]) as u64;
        }
        h / n.max(1) as f64
    };
    let (worst, share) = runs
        .iter()
        .zip(&refused)
        .max_by(|a, b| a.1.total_cmp(b.1))
        .expect("three regimes");
    let mut painless = s.clone();
    painless.behaviour.refused_hardship = 0.0;
    let m = Mechanisms::preset(worst.regime).expect("preset");
    let without = hardship(&run_regime(&painless, worst.regime, m, |_| {}));
    let with = hardship(&worst.run);
    check(
        "fiscal cut: assistance claims refused for want of budget, and the refused hurt",
        "cuts to assistance budgets turn claimants away (dibao retrenchment after 2013: Solinger 2017); the share is an assumption",
        format!(
            "{}; {}'s claimants' mean hardship {with:.4}, {without:.4} were refusals painless",
            listed(&runs, &refused, true),
            worst.regime
        ),
        "most refusing regime 1-50%; its claimants' hardship above the painless run's",
        (0.01..=0.5).contains(share) && with > without,
    )
}
