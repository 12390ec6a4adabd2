//! Issue 13 on whole runs: collective action as it happens. Only adults protest; fatigue
//! ends a protest nobody answers; every answer's cost is paid; each answer (escalation
//! included) has a setting where it is the wrong one (the settings of `linkage validate
//! incidents`, built by `validation::incidents::wrong_answer`); `incidents.csv` agrees
//! with the summary.

mod common;

use linkage::engine::run::{RegimeRun, run_regime};
use linkage::model::collective::Response;
use linkage::model::mechanisms::Mechanisms;
use linkage::model::residents::{PROTESTING, YOUTH};
use linkage::scenario::Scenario;
use linkage::validation::incidents::{
    dispute, protester_days, riot, solution_rate, used, wrong_answer,
};

fn run(s: &Scenario, regime: &str) -> RegimeRun {
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
        .install(|| run_regime(s, regime, Mechanisms::preset(regime).unwrap(), |_| {}))
}

#[test]
fn only_adults_protest() {
    let s = dispute(20_000, |_| {});
    let m = Mechanisms::preset("fragmented").unwrap();
    let (mut youth, mut adults) = (0u64, 0u64);
    run_regime(&s, "fragmented", m, |w| {
        if w.warming_up() {
            return;
        }
        let r = w.residents();
        for (v, t) in r.visible.iter().zip(&r.traits) {
            let age = t.age;
            if v.activity == PROTESTING {
                if age == YOUTH {
                    youth += 1;
                } else {
                    adults += 1;
                }
            }
        }
    });
    assert!(adults > 0, "nobody protested");
    assert_eq!(youth, 0, "{youth} youth-days of protest");
}

#[test]
fn fatigue_ends_a_protest_nobody_answers() {
    // Nobody answers (every incident is tolerated, no routine mediators): after the
    // requisition, grievance fades slowly, and fatigue ends the protest well before.
    let unanswered = |fatigue: f64| {
        let s = dispute(20_000, |k| {
            k.tolerate_size = 1_000_000;
            k.presence_scale = 0.0;
            k.fatigue_per_day = fatigue;
        });
        let end = s.shocks[0].window().1 as usize;
        let r = run(&s, "fragmented");
        let daily: Vec<u64> = r
            .history
            .iter()
            .map(|h| h.last().unwrap().protesters)
            .collect();
        let peak = *daily.iter().max().unwrap();
        let later = daily[end + 30..end + 60].iter().sum::<u64>() / 30;
        (peak, later)
    };
    let default = linkage::scenario::builtin::xcity_baseline()
        .collective
        .fatigue_per_day;
    let (peak, later) = unanswered(default);
    let (peak_fresh, later_fresh) = unanswered(0.0);
    assert!(peak > 0 && peak_fresh > 0);
    assert!(
        later * 10 < peak,
        "with fatigue: peak {peak}, a month after {later}"
    );
    assert!(
        later * 2 < later_fresh.max(1),
        "a month after: with fatigue {later}, without {later_fresh} (peak {peak_fresh})"
    );
}

#[test]
fn every_answer_costs_what_it_does() {
    let s = dispute(20_000, |k| k.escalate_size = 30);
    let r = run(&s, "integrated");
    let budget: f64 = r
        .history
        .iter()
        .map(|h| h.last().unwrap().budget_spent)
        .sum();
    let conceded: f64 = r.incidents.iter().map(|i| i.budget).sum();
    assert!(
        conceded > 0.0 && conceded <= budget,
        "{conceded} of {budget}"
    );
    for i in &r.incidents {
        let esc = i.responses[Response::Escalate as usize];
        let police = i.responses[Response::Police as usize];
        if esc > 0 {
            assert!(i.staff_hours >= s.collective.escalate_hours, "{i:?}");
        }
        if police > 0 {
            assert!(i.staff_hours > 0.0, "{i:?}");
        }
        if i.responses[Response::Concede as usize] > 0 {
            assert!(i.budget > 0.0, "{i:?}");
        }
    }
    let riot_s = riot(dispute(20_000, |_| {}));
    let l = run(&riot_s, "linkage");
    assert!(used(&l, Response::Mediate) > 0);
    let mediated: f64 = l
        .incidents
        .iter()
        .filter(|i| i.responses[Response::Mediate as usize] > 0)
        .map(|i| i.staff_hours)
        .sum();
    assert!(mediated > 0.0);
}

/// The two runs of the setting where `answer` is the wrong one (20,000 residents):
/// the answer given, then withheld.
fn wrong(answer: Response) -> (RegimeRun, RegimeRun) {
    let w = wrong_answer(answer, 20_000);
    (run(&w.given, w.regime), run(&w.withheld, w.regime))
}

#[test]
fn policing_backfires_where_it_deters_little_and_angers_much() {
    let (policed, tolerated) = wrong(Response::Police);
    assert!(used(&policed, Response::Police) > 0);
    assert_eq!(used(&tolerated, Response::Police), 0);
    let (p, t) = (protester_days(&policed), protester_days(&tolerated));
    assert!(p > t, "policed {p}, tolerated {t}");
}

#[test]
fn tolerating_is_wrong_where_policing_deters_and_costs_little_trust() {
    let (tolerated, policed) = wrong(Response::Tolerate);
    assert_eq!(used(&tolerated, Response::Police), 0);
    assert!(used(&policed, Response::Police) > 0);
    let (p, t) = (protester_days(&policed), protester_days(&tolerated));
    assert!(p < t, "policed {p}, tolerated {t}");
}

#[test]
fn a_token_concession_invites_more_demands_than_it_settles() {
    let (conceded, refused) = wrong(Response::Concede);
    assert!(used(&conceded, Response::Concede) > 0);
    assert_eq!(used(&refused, Response::Concede), 0);
    let (c, r) = (protester_days(&conceded), protester_days(&refused));
    assert!(c > r, "conceded {c}, refused {r}");
}

#[test]
fn mediation_is_too_slow_for_a_riot() {
    let (m, p) = wrong(Response::Mediate);
    assert!(used(&m, Response::Mediate) > 0);
    assert!(used(&p, Response::Police) > 0 && used(&p, Response::Mediate) == 0);
    let (md, pd) = (protester_days(&m), protester_days(&p));
    assert!(md > pd, "mediated {md}, policed {pd}");
}

#[test]
fn incidents_csv_agrees_with_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    common::succeeds(common::linkage().args([
        "run",
        "--scenario",
        "xcity-land-dispute",
        "--residents",
        "10000",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]));
    let mut summary = csv::Reader::from_path(out.join("summary.csv")).unwrap();
    let head = summary.headers().unwrap().clone();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let mut incidents = csv::Reader::from_path(out.join("incidents.csv")).unwrap();
    let ihead = incidents.headers().unwrap().clone();
    let icol = |name: &str| ihead.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = incidents.records().map(|r| r.unwrap()).collect();
    for s in summary.records() {
        let s = s.unwrap();
        let regime = &s[col("regime")];
        let mine: Vec<&csv::StringRecord> = rows
            .iter()
            .filter(|r| &r[icol("regime")] == regime)
            .collect();
        let n: u64 = s[col("incidents")].parse().unwrap();
        assert_eq!(mine.len() as u64, n, "{regime}");
        let bands: u64 = [
            "incidents_5_30",
            "incidents_30_300",
            "incidents_300_1000",
            "incidents_over_1000",
        ]
        .iter()
        .map(|b| s[col(b)].parse::<u64>().unwrap())
        .sum();
        assert_eq!(bands, n, "{regime}");
        let days: u64 = mine
            .iter()
            .map(|r| r[icol("protester_days")].parse::<u64>().unwrap())
            .sum();
        let total: u64 = s[col("protester_days")].parse().unwrap();
        assert!(days <= total, "{regime}: {days} > {total}");
        let peak_ok = mine
            .iter()
            .all(|r| r[icol("peak")].parse::<u32>().unwrap() >= 5);
        assert!(peak_ok, "{regime}: an incident under 5 people");
    }
}

#[test]
fn escalation_is_wrong_where_the_leading_group_is_the_centre_s_dispatch() {
    // Integrated routes most issues through the city centre; a leading group that sits
    // on every incident of 30 or more for 200 staff-hours a day takes those hours from
    // the dispatch queue: the service falls far more than protest does.
    let (escalated, kept) = wrong(Response::Escalate);
    assert!(used(&escalated, Response::Escalate) > 0);
    assert_eq!(used(&kept, Response::Escalate), 0);
    let (e, k) = (solution_rate(&escalated), solution_rate(&kept));
    assert!(e + 0.1 < k, "solution rate escalated {e:.3}, kept {k:.3}");
}
