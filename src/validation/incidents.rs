//! Face validity of collective action (issue 13): what is known of mass incidents in
//! China, checked on the shipped shock scenarios. Most incidents are small (the police
//! bands: Tong & Lei 2010; Göbel 2021), a land dispute mobilises at most half of the
//! township's adults, the best-handled regime brings it back under a tenth of its peak
//! within 30 days of the requisition's end, and the regimes differ (protester-days of the
//! best at most half the worst's), and each answer has a setting where it is the wrong
//! one ([`wrong_answer`], also run by `tests/incidents.rs`).

use super::checks::{Check, Size};
use crate::engine::run::{RegimeRun, run_regime};
use crate::model::collective::{CollectiveSpec, Response};
use crate::model::mechanisms::{Mechanisms, PRESET_NAMES};
use crate::model::residents::{ADULT, ELDERLY, PROTESTING};
use crate::model::shocks::Shock;
use crate::scenario::Scenario;
use rayon::prelude::*;

/// The shipped scenarios with a shock at city scale (at most 100,000 residents, so not
/// `full-city`), whose incidents are counted by band, in the built-ins' order.
pub fn shock_scenarios() -> Vec<&'static str> {
    crate::scenario::builtin::NAMES
        .into_iter()
        .filter(|name| {
            let s = crate::scenario::builtin::get(name).expect("a built-in scenario loads");
            !s.shocks.is_empty() && s.run.residents <= 100_000
        })
        .collect()
}

/// Residents of a scenario at `size` (its own at `Full`).
fn sized(name: &str, size: Size) -> Scenario {
    let mut s = Scenario::load(name).expect("a shipped scenario loads");
    if size == Size::Quick {
        s.run.residents = 10_000;
    }
    s
}

/// The land dispute at `size`: its own in full, 20,000 residents in quick (as the
/// wrong-answer settings). At 10,000 the requisitioned township has a few hundred
/// residents and the city's protester-days turn on a handful of them: best against
/// worst passed or failed by seed (of six seeds, two failed; at 20,000 the five seeds
/// tried all passed, best at most 0.34 of the worst).
fn dispute_sized(size: Size) -> Scenario {
    let mut s = sized("xcity-land-dispute", size);
    if size == Size::Quick {
        s.run.residents = wrong_answer_residents(size);
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
    out.extend(wrong_answer_checks(size));
    out
}

/// Incidents by band over every shock scenario and regime.
fn band_checks(size: Size) -> Check {
    let jobs: Vec<(&str, &str)> = shock_scenarios()
        .into_iter()
        .flat_map(|s| PRESET_NAMES.iter().map(move |r| (s, *r)))
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
    let s = dispute_sized(size);
    let m = Mechanisms::preset(regime).expect("preset");
    let mut target: Option<std::ops::Range<usize>> = None;
    let mut adults = 0u64;
    let mut daily = Vec::with_capacity(s.run.ticks as usize);
    let run = run_regime(&s, regime, m, |w| {
        if w.warming_up() {
            return;
        }
        let r = w.residents();
        let range = target.get_or_insert_with(|| {
            // The township the requisition targets (its first hit community's).
            let shock = &w.scenario().shocks[0];
            let hits = shock.target().communities(w.territory());
            let c = hits.iter().position(|&h| h).unwrap_or(0);
            let t = &w.territory().townships[w.territory().communities[c].township.index()];
            let range = t.residents.start as usize..t.residents.end as usize;
            adults = r.traits[range.clone()]
                .iter()
                .filter(|t| t.age == ADULT || t.age == ELDERLY)
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
    let s = dispute_sized(size);
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

/// A setting where `answer` is the wrong one: the land dispute twice under `regime`, once
/// where the regime gives the answer (`given`) and once where the same rules withhold it
/// (`withheld`: for tolerating, the one that polices instead).
pub struct WrongAnswer {
    pub answer: Response,
    pub regime: &'static str,
    pub given: Scenario,
    pub withheld: Scenario,
}

/// The land dispute at `residents`, its collective rules changed by `f`.
pub fn dispute(residents: u64, f: impl FnOnce(&mut CollectiveSpec)) -> Scenario {
    let mut s = Scenario::load("xcity-land-dispute").expect("a shipped scenario loads");
    s.run.residents = residents;
    f(&mut s.collective);
    s.validate().expect("the wrong-answer settings are valid");
    s
}

/// A riot: the requisition's push on hardship and trust two and a half times as hard.
pub fn riot(mut s: Scenario) -> Scenario {
    if let Shock::LandDispute(d) = &mut s.shocks[0] {
        d.hardship_per_day = 0.03;
        d.trust_loss_per_day = 0.03;
    }
    s.validate().expect("the riot setting is valid");
    s
}

/// The setting where `answer` is the wrong one, at `residents`:
/// - police: policing deters little and angers much (`police_risk` 0.2,
///   `police_backlash` 0.05), fragmented; withheld by never policing.
/// - tolerate: policing deters and costs little trust (`police_risk` 0.8), fragmented;
///   given by never policing, withheld by the default week of tolerance.
/// - concede: a token concession (`concession_relief` 0.002) that invites demands
///   (`concession_invites` 0.3), integrated escalating from 30 protesters; withheld by
///   a price no budget pays.
/// - mediate: a riot (the requisition's push 2.5 times as hard), linkage policing from
///   the first day; withheld by a joint table nobody reaches (`joint_min` 1).
/// - escalate: the leading group sits 200 staff-hours a day on every incident of 30 or
///   more, taken from integrated's dispatch; withheld by `escalate_min` 1.
pub fn wrong_answer(answer: Response, residents: u64) -> WrongAnswer {
    let d = |f: fn(&mut CollectiveSpec)| dispute(residents, f);
    let (regime, given, withheld) = match answer {
        Response::Police => (
            "fragmented",
            d(|k| {
                k.police_risk = 0.2;
                k.police_backlash = 0.05;
            }),
            d(|k| {
                k.police_risk = 0.2;
                k.police_backlash = 0.05;
                k.police_after_days = 365.0;
            }),
        ),
        Response::Tolerate => (
            "fragmented",
            d(|k| {
                k.police_risk = 0.8;
                k.police_after_days = 365.0;
            }),
            d(|k| k.police_risk = 0.8),
        ),
        Response::Concede => (
            "integrated",
            d(|k| {
                k.escalate_size = 30;
                k.concession_relief = 0.002;
                k.concession_invites = 0.3;
            }),
            d(|k| {
                k.escalate_size = 30;
                k.concession_relief = 0.002;
                k.concession_invites = 0.3;
                k.concession_per_protester = 1e6;
            }),
        ),
        Response::Mediate => (
            "linkage",
            riot(d(|k| k.police_after_days = 0.0)),
            riot(d(|k| {
                k.police_after_days = 0.0;
                k.joint_min = 1.0;
            })),
        ),
        Response::Escalate => (
            "integrated",
            d(|k| {
                k.escalate_size = 30;
                k.escalate_hours = 200.0;
            }),
            d(|k| {
                k.escalate_size = 30;
                k.escalate_hours = 200.0;
                k.escalate_min = 1.0;
            }),
        ),
    };
    WrongAnswer {
        answer,
        regime,
        given,
        withheld,
    }
}

/// The city's protester-days over a run.
pub fn protester_days(r: &RegimeRun) -> u64 {
    r.history
        .iter()
        .map(|h| h.last().map_or(0, |t| t.protesters))
        .sum()
}

/// Times the run's incidents got `answer`.
pub fn used(r: &RegimeRun, answer: Response) -> u32 {
    r.incidents
        .iter()
        .map(|i| i.responses[answer as usize])
        .sum()
}

/// The city's solution rate over a run: issues resolved per issue reported.
pub fn solution_rate(r: &RegimeRun) -> f64 {
    let (mut resolved, mut reported) = (0u64, 0u64);
    for h in &r.history {
        if let Some(t) = h.last() {
            resolved += t.resolved;
            reported += t.hotline.reported;
        }
    }
    resolved as f64 / reported.max(1) as f64
}

/// Residents of the wrong-answer settings: the scenario's own in full, in quick the
/// size `tests/incidents.rs` runs them at.
fn wrong_answer_residents(size: Size) -> u64 {
    match size {
        Size::Full => sized("xcity-land-dispute", size).run.residents,
        Size::Quick => 20_000,
    }
}

/// The answers in the order of their checks (issue 13's).
pub const WRONG_ANSWERS: [Response; 5] = [
    Response::Police,
    Response::Tolerate,
    Response::Concede,
    Response::Mediate,
    Response::Escalate,
];

/// One check per answer: in its setting, giving it does worse than withholding it.
fn wrong_answer_checks(size: Size) -> Vec<Check> {
    let residents = wrong_answer_residents(size);
    let settings: Vec<WrongAnswer> = WRONG_ANSWERS
        .iter()
        .map(|&a| wrong_answer(a, residents))
        .collect();
    let jobs: Vec<(&Scenario, &str)> = settings
        .iter()
        .flat_map(|w| [(&w.given, w.regime), (&w.withheld, w.regime)])
        .collect();
    let runs: Vec<RegimeRun> = jobs
        .par_iter()
        .map(|(s, regime)| {
            let m = Mechanisms::preset(regime).expect("preset");
            run_regime(s, regime, m, |_| {})
        })
        .collect();
    settings
        .iter()
        .zip(runs.chunks(2))
        .map(|(w, pair)| wrong_answer_check(w, &pair[0], &pair[1], residents))
        .collect()
}

/// The check of one setting, from its two runs.
fn wrong_answer_check(w: &WrongAnswer, given: &RegimeRun, kept: &RegimeRun, n: u64) -> Check {
    let (g, k) = (protester_days(given), protester_days(kept));
    let at = format!("{n} residents, {}", w.regime);
    let ratio = g as f64 / k.max(1) as f64;
    // Tolerating is "given" where policing is never used; the others where they are.
    let shown = if w.answer == Response::Tolerate {
        Response::Police
    } else {
        w.answer
    };
    let (ug, uk) = (used(given, shown), used(kept, shown));
    let tag = |u: u32| format!("{} {}×", shown.name(), u);
    let answered = if w.answer == Response::Tolerate {
        ug == 0 && uk > 0
    } else {
        ug > 0 && uk == 0
    };
    match w.answer {
        Response::Police => check(
            "wrong answer: policing backfires where it deters little and angers much",
            "protester-days policed > tolerated (police_risk 0.2, police_backlash 0.05)",
            format!(
                "{at}: policed {g} ({}), tolerated {k} ({}): ratio {ratio:.2}",
                tag(ug),
                tag(uk)
            ),
            "policed / tolerated > 1",
            answered && g > k,
        ),
        Response::Tolerate => check(
            "wrong answer: tolerating where policing deters and costs little trust",
            "protester-days tolerated > policed (police_risk 0.8)",
            format!(
                "{at}: tolerated {g} ({}), policed {k} ({}): ratio {ratio:.2}",
                tag(ug),
                tag(uk)
            ),
            "tolerated / policed > 1",
            answered && g > k,
        ),
        Response::Concede => check(
            "wrong answer: a token concession invites more demands than it settles",
            "protester-days conceded > refused (concession_relief 0.002, invites 0.3)",
            format!(
                "{at}: conceded {g} ({}), refused {k} ({}): ratio {ratio:.2}",
                tag(ug),
                tag(uk)
            ),
            "conceded / refused > 1",
            answered && g > k,
        ),
        Response::Mediate => check(
            "wrong answer: mediation is too slow for a riot",
            "protester-days mediated > policed (the requisition's push 2.5 times as hard)",
            format!(
                "{at}: mediated {g} ({}), policed {k} ({}, police {}×): ratio {ratio:.2}",
                tag(ug),
                tag(uk),
                used(kept, Response::Police)
            ),
            "mediated / policed > 1",
            answered && used(kept, Response::Police) > 0 && g > k,
        ),
        Response::Escalate => {
            let (rg, rk) = (solution_rate(given), solution_rate(kept));
            check(
                "wrong answer: escalation where the leading group is the centre's dispatch",
                "the solution rate falls by over 10 pp when escalating (200 staff-hours a day per incident)",
                format!(
                    "{at}: escalated {:.1}% ({}, protester-days {g}), kept {:.1}% ({}, {k})",
                    rg * 100.0,
                    tag(ug),
                    rk * 100.0,
                    tag(uk)
                ),
                "> 10 pp",
                answered && rg + 0.1 < rk,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shock_scenarios_are_the_seven_city_scale_built_ins_with_a_shock() {
        assert_eq!(
            shock_scenarios(),
            [
                "xcity-flood",
                "xcity-epidemic",
                "xcity-factory-closure",
                "xcity-land-dispute",
                "xcity-rumour",
                "xcity-fiscal-cut",
                "xcity-compound",
            ]
        );
    }
}
