//! Issue 13 on whole runs: collective action as it happens. Only adults protest; fatigue
//! ends a protest nobody answers; every answer's cost is paid; each answer (escalation
//! included) has a setting where it is the wrong one; `incidents.csv` agrees with the
//! summary.

mod common;

use linkage::engine::run::{RegimeRun, run_regime};
use linkage::model::collective::{CollectiveSpec, Response};
use linkage::model::mechanisms::Mechanisms;
use linkage::model::residents::{PROTESTING, YOUTH};
use linkage::model::shocks::Shock;
use linkage::scenario::Scenario;

/// The land dispute at `residents`, its collective rules changed by `f`.
fn dispute(residents: u64, f: impl FnOnce(&mut CollectiveSpec)) -> Scenario {
    let mut s = Scenario::load("xcity-land-dispute").unwrap();
    s.run.residents = residents;
    f(&mut s.collective);
    s.validate().unwrap();
    s
}

/// A riot: the requisition's push on hardship and trust two and a half times as hard.
fn riot(s: &mut Scenario) {
    if let Shock::LandDispute(d) = &mut s.shocks[0] {
        d.hardship_per_day = 0.03;
        d.trust_loss_per_day = 0.03;
    }
    s.validate().unwrap();
}

fn run(s: &Scenario, regime: &str) -> RegimeRun {
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
        .install(|| run_regime(s, regime, Mechanisms::preset(regime).unwrap(), |_| {}))
}

fn protester_days(r: &RegimeRun) -> u64 {
    r.history.iter().map(|h| h.last().unwrap().protesters).sum()
}

fn used(r: &RegimeRun, a: Response) -> u32 {
    r.incidents.iter().map(|i| i.responses[a as usize]).sum()
}

#[test]
fn only_adults_protest() {
    let s = dispute(20_000, |_| {});
    let m = Mechanisms::preset("fragmented").unwrap();
    let (mut youth, mut adults) = (0u64, 0u64);
    run_regime(&s, "fragmented", m, |w| {
        let r = w.residents();
        for (v, &age) in r.visible.iter().zip(&r.age) {
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
    let mut riot_s = dispute(20_000, |_| {});
    riot(&mut riot_s);
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

#[test]
fn policing_backfires_where_it_deters_little_and_angers_much() {
    let weak = |k: &mut CollectiveSpec| {
        k.police_risk = 0.2;
        k.police_backlash = 0.05;
    };
    let policed = run(&dispute(20_000, weak), "fragmented");
    let tolerated = run(
        &dispute(20_000, |k| {
            weak(k);
            k.police_after_days = 365.0;
        }),
        "fragmented",
    );
    assert!(used(&policed, Response::Police) > 0);
    assert_eq!(used(&tolerated, Response::Police), 0);
    let (p, t) = (protester_days(&policed), protester_days(&tolerated));
    assert!(p > t, "policed {p}, tolerated {t}");
}

#[test]
fn tolerating_is_wrong_where_policing_deters_and_costs_little_trust() {
    let policed = run(&dispute(20_000, |k| k.police_risk = 0.8), "fragmented");
    let tolerated = run(
        &dispute(20_000, |k| {
            k.police_risk = 0.8;
            k.police_after_days = 365.0;
        }),
        "fragmented",
    );
    let (p, t) = (protester_days(&policed), protester_days(&tolerated));
    assert!(p < t, "policed {p}, tolerated {t}");
}

#[test]
fn a_token_concession_invites_more_demands_than_it_settles() {
    let token = |k: &mut CollectiveSpec| {
        k.escalate_size = 30;
        k.concession_relief = 0.002;
        k.concession_invites = 0.3;
    };
    let conceded = run(&dispute(20_000, token), "integrated");
    let refused = run(
        &dispute(20_000, |k| {
            token(k);
            k.concession_per_protester = 1e6;
        }),
        "integrated",
    );
    assert!(used(&conceded, Response::Concede) > 0);
    assert_eq!(used(&refused, Response::Concede), 0);
    let (c, r) = (protester_days(&conceded), protester_days(&refused));
    assert!(c > r, "conceded {c}, refused {r}");
}

#[test]
fn mediation_is_too_slow_for_a_riot() {
    let mut mediated = dispute(20_000, |k| k.police_after_days = 0.0);
    riot(&mut mediated);
    let mut policed = dispute(20_000, |k| {
        k.police_after_days = 0.0;
        k.joint_min = 1.0;
    });
    riot(&mut policed);
    let (m, p) = (run(&mediated, "linkage"), run(&policed, "linkage"));
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
    let costly = |k: &mut CollectiveSpec| {
        k.escalate_size = 30;
        k.escalate_hours = 200.0;
    };
    let escalated = run(&dispute(20_000, costly), "integrated");
    let kept = run(
        &dispute(20_000, |k| {
            costly(k);
            k.escalate_min = 1.0;
        }),
        "integrated",
    );
    assert!(used(&escalated, Response::Escalate) > 0);
    assert_eq!(used(&kept, Response::Escalate), 0);
    let solved = |r: &RegimeRun| {
        let t = |f: fn(&linkage::engine::tally::Tally) -> u64| -> f64 {
            r.history.iter().map(|h| f(h.last().unwrap()) as f64).sum()
        };
        t(|x| x.resolved) / t(|x| x.hotline.reported)
    };
    let (e, k) = (solved(&escalated), solved(&kept));
    assert!(e + 0.1 < k, "solution rate escalated {e:.3}, kept {k:.3}");
}
