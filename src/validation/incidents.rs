//! Face validity of collective action (issue 13): what is known of mass incidents in
//! China, checked on the shipped shock scenarios. Most incidents are small (the police
//! bands: Tong & Lei 2010; Göbel 2021), a land dispute mobilises at most half of the
//! township's adults, the best-handled regime brings it back under a tenth of its peak
//! within 30 days of the requisition's end, and the regimes differ (protester-days of the
//! best at most half the worst's).

use super::checks::{Check, Size};
use crate::engine::run::run_regime;
use crate::model::mechanisms::{Mechanisms, PRESET_NAMES};
use crate::model::residents::{ADULT, ELDERLY, PROTESTING};
use crate::scenario::Scenario;
use rayon::prelude::*;

/// The shipped scenarios with a shock, whose incidents are counted by band.
pub const SHOCK_SCENARIOS: [&str; 7] = [
    "xcity-flood",
    "xcity-epidemic",
    "xcity-factory-closure",
    "xcity-land-dispute",
    "xcity-rumour",
    "xcity-fiscal-cut",
    "xcity-compound",
];

/// Residents of a scenario at `size` (its own at `Full`).
fn sized(name: &str, size: Size) -> Scenario {
    let mut s = Scenario::load(name).expect("a shipped scenario loads");
    if size == Size::Quick {
        s.run.residents = 5000;
    }
    s
}

fn check(name: &str, target: &str, ours: String, tolerance: &str, pass: bool) -> Check {
    Check {
        part: "incidents",
        name: name.to_string(),
        target: target.to_string(),
        ours,
        tolerance: tolerance.to_string(),
        pass,
    }
}

/// The part's checks.
pub fn checks(size: Size) -> Vec<Check> {
    let mut out = vec![band_checks(size)];
    out.extend(land_dispute_checks(size));
    out
}

/// Incidents by band over every shock scenario and regime.
fn band_checks(size: Size) -> Check {
    let jobs: Vec<(&str, &str)> = SHOCK_SCENARIOS
        .iter()
        .flat_map(|s| PRESET_NAMES.iter().map(move |r| (*s, *r)))
        .collect();
    let bands: Vec<[u64; 4]> = jobs
        .par_iter()
        .map(|(scenario, regime)| {
            let s = sized(scenario, size);
            let m = Mechanisms::preset(regime).expect("preset");
            let run = run_regime(&s, regime, m, |_| {});
            let mut b = [0u64; 4];
            for i in &run.incidents {
                b[crate::model::collective::band(i.peak)] += 1;
            }
            b
        })
        .collect();
    let mut total = [0u64; 4];
    for b in &bands {
        for (t, x) in total.iter_mut().zip(b) {
            *t += x;
        }
    }
    let n: u64 = total.iter().sum();
    let small = (total[0] + total[1]) as f64 / n.max(1) as f64;
    let large = total[3] as f64 / n.max(1) as f64;
    check(
        "shock scenarios × regimes: incidents by police band",
        "most in 5-300, over 1,000 a minority (Tong & Lei 2010; Göbel 2021)",
        format!(
            "{n} incidents: {} / {} / {} / {} (5-30 / 30-300 / 300-1000 / >1000); {:.0}% under 300, {:.0}% over 1,000",
            total[0],
            total[1],
            total[2],
            total[3],
            small * 100.0,
            large * 100.0
        ),
        "> 50% under 300; < 50% over 1,000",
        n > 0 && small > 0.5 && large < 0.5,
    )
}

/// One regime's land dispute, seen from the requisitioned township: its adults, its
/// protesters each day, and the city's protester-days.
struct Dispute {
    regime: &'static str,
    adults: u64,
    daily: Vec<u64>,
    protester_days: u64,
}

fn land_dispute(size: Size, regime: &'static str) -> Dispute {
    let s = sized("xcity-land-dispute", size);
    let m = Mechanisms::preset(regime).expect("preset");
    let mut target: Option<std::ops::Range<usize>> = None;
    let mut adults = 0u64;
    let mut daily = Vec::with_capacity(s.run.ticks as usize);
    let run = run_regime(&s, regime, m, |w| {
        let r = w.residents();
        let range = target.get_or_insert_with(|| {
            // The township the requisition targets (its first hit community's).
            let shock = &w.scenario().shocks[0];
            let hits = shock.target().communities(w.territory());
            let c = hits.iter().position(|&h| h).unwrap_or(0);
            let t = &w.territory().townships[w.territory().communities[c].township.index()];
            let range = t.residents.start as usize..t.residents.end as usize;
            adults = r.age[range.clone()]
                .iter()
                .filter(|&&a| a == ADULT || a == ELDERLY)
                .count() as u64;
            range
        });
        let n = r.visible[range.clone()]
            .iter()
            .filter(|v| v.activity == PROTESTING)
            .count();
        daily.push(n as u64);
    });
    let protester_days = run
        .history
        .iter()
        .map(|h| h.last().map_or(0, |t| t.protesters))
        .sum();
    Dispute {
        regime,
        adults,
        daily,
        protester_days,
    }
}

/// The land dispute's checks: the peak against the township's adults, the best
/// regime's return, and best against worst.
fn land_dispute_checks(size: Size) -> Vec<Check> {
    let s = sized("xcity-land-dispute", size);
    let end = s.shocks.first().map_or(0, |k| k.window().1) as usize;
    let runs: Vec<Dispute> = PRESET_NAMES
        .par_iter()
        .map(|r| land_dispute(size, r))
        .collect();
    let mut out = Vec::new();
    let peaks: Vec<u64> = runs
        .iter()
        .map(|d| d.daily.iter().copied().max().unwrap_or(0))
        .collect();
    let adults = runs[0].adults;
    let worst_peak = peaks.iter().copied().max().unwrap_or(0);
    out.push(check(
        "land dispute: peak protesters in the township",
        "at most half its adults",
        format!(
            "{} of {adults} adults ({})",
            worst_peak,
            runs.iter()
                .zip(&peaks)
                .map(|(d, p)| format!("{} {p}", d.regime))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "≤ 50%",
        worst_peak * 2 <= adults,
    ));
    let best = runs
        .iter()
        .zip(&peaks)
        .min_by_key(|(d, _)| d.protester_days)
        .expect("three regimes");
    let worst = runs
        .iter()
        .max_by_key(|d| d.protester_days)
        .expect("three regimes");
    let at = (end + 30).min(best.0.daily.len().saturating_sub(1));
    let after = best.0.daily.get(at).copied().unwrap_or(0);
    out.push(check(
        "land dispute: the best regime's protest 30 days after the requisition ends",
        "under a tenth of its peak",
        format!("{}: {after} on day {at}, peak {}", best.0.regime, best.1),
        "< 10% of peak",
        after * 10 < (*best.1).max(1),
    ));
    out.push(check(
        "land dispute: protester-days, best regime against worst",
        "the regimes differ: best at most half the worst",
        format!(
            "{} {} vs {} {}",
            best.0.regime, best.0.protester_days, worst.regime, worst.protester_days
        ),
        "≤ 50%",
        best.0.protester_days * 2 <= worst.protester_days,
    ));
    out
}
