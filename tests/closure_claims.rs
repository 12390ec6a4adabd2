//! Issue 14, points 2 and 4: a factory closure's claims at lay-off go through each
//! regime's issue flow, the laid off turn against a government that leaves them
//! unanswered and protest with their co-workers; a fiscal cut refuses assistance, and
//! the refused are hurt.

mod common;

use common::{preset, run, shipped};
use linkage::engine::run::RegimeRun;
use linkage::engine::tally::Tally;
use linkage::model::shocks::Shock;
use linkage::scenario::Scenario;

/// The factory closure at 10,000 residents to day 220 (the window is days 120–209).
fn closure() -> Scenario {
    let mut s = shipped("xcity-factory-closure", 10_000);
    s.run.ticks = 220;
    s
}

fn sum(r: &RegimeRun, f: impl Fn(&Tally) -> u64) -> u64 {
    r.history.iter().map(|h| f(h.last().unwrap())).sum()
}

/// Laid-off protester-days over the run.
fn laid_off_protest(r: &RegimeRun) -> u64 {
    sum(r, |t| t.closure.protesters)
}

/// Share of the claims that ended which were answered.
fn answered(r: &RegimeRun) -> f64 {
    let yes = sum(r, |t| t.closure.claims_answered) as f64;
    yes / (yes + sum(r, |t| t.closure.claims_unanswered) as f64)
}

#[test]
fn the_laid_off_file_claims_at_lay_off_and_trust_falls_while_they_wait() {
    let r = run(&closure(), preset("fragmented"));
    let laid_off = r.history[121].last().unwrap().closure.laid_off as f64;
    assert!(laid_off > 100.0, "{laid_off} laid off");
    let filed = sum(&r, |t| t.closure.claims_filed) as f64;
    assert!(
        filed > 1.5 * laid_off,
        "{filed} claims by {laid_off} laid off"
    );
    let trust = |t: usize| {
        let c = &r.history[t].last().unwrap().closure;
        c.trust / c.laid_off as f64
    };
    assert!(
        trust(200) < trust(121) - 0.1,
        "trust of the laid off {:.3} -> {:.3}",
        trust(121),
        trust(200)
    );
}

#[test]
fn the_laid_off_protest_more_where_claims_go_unanswered() {
    let s = closure();
    let frag = run(&s, preset("fragmented"));
    let link = run(&s, preset("linkage"));
    assert!(
        answered(&link) > answered(&frag) + 0.05,
        "linkage answers more claims: {:.2} vs {:.2}",
        answered(&link),
        answered(&frag)
    );
    assert!(
        laid_off_protest(&frag) > 2 * laid_off_protest(&link),
        "laid-off protester-days: fragmented {} vs linkage {}",
        laid_off_protest(&frag),
        laid_off_protest(&link)
    );
}

#[test]
fn staff_who_answer_the_claims_keep_the_laid_off_off_the_street() {
    let staffed = |factor: f64| {
        let mut s = closure();
        let g = &mut s.government;
        for x in [
            &mut g.grid_staff_urban,
            &mut g.grid_staff_rural,
            &mut g.community_staff_urban,
            &mut g.community_staff_rural,
            &mut g.township_staff_per_1000_urban,
            &mut g.township_staff_per_1000_rural,
            &mut g.county_staff_per_1000,
            &mut g.county_dept_staff_per_1000,
            &mut g.city_centre_staff_per_1000,
            &mut g.city_dept_staff_per_1000,
        ] {
            *x *= factor;
        }
        s.validate().unwrap();
        run(&s, preset("fragmented"))
    };
    let (ample, half) = (staffed(3.0), staffed(0.5));
    assert!(
        answered(&ample) > answered(&half) + 0.1,
        "claims answered: ample {:.2} vs half {:.2}",
        answered(&ample),
        answered(&half)
    );
    assert!(
        4 * laid_off_protest(&ample) < laid_off_protest(&half),
        "laid-off protester-days: ample {} vs half {}",
        laid_off_protest(&ample),
        laid_off_protest(&half)
    );
}

#[test]
fn co_workers_draw_each_other_into_protest() {
    let alone = {
        let mut s = closure();
        for shock in &mut s.shocks {
            if let Shock::Closure(c) = shock {
                c.coworker_pull = 0.0;
            }
        }
        run(&s, preset("fragmented"))
    };
    let together = run(&closure(), preset("fragmented"));
    assert!(
        2 * laid_off_protest(&together) > 3 * laid_off_protest(&alone),
        "with co-workers {} vs alone {}",
        laid_off_protest(&together),
        laid_off_protest(&alone)
    );
}

/// The fiscal cut at 10,000 residents to day 320 (the window is days 120–299).
fn fiscal_cut() -> Scenario {
    let mut s = shipped("xcity-fiscal-cut", 10_000);
    s.run.ticks = 320;
    s
}

#[test]
fn a_fiscal_cut_refuses_assistance_and_the_refused_are_hurt() {
    let cut = fiscal_cut();
    let mut calm = cut.clone();
    calm.shocks.clear();
    let mut unhurt = cut.clone();
    unhurt.behaviour.refused_hardship = 0.0;
    let m = preset("linkage");
    let (a, b, c) = (run(&cut, m), run(&calm, m), run(&unhurt, m));
    let refused = |r: &RegimeRun| sum(r, |t| t.assistance_refused);
    assert!(
        refused(&a) > 10 && refused(&a) > 5 * refused(&b),
        "refused: cut {} vs no cut {}",
        refused(&a),
        refused(&b)
    );
    // The hardship of the claimants whose assistance issue ended (paid or not).
    let claimants = |r: &RegimeRun| {
        let a = 3; // Category::SocialAssistance
        let days = &r.history[200..320];
        let city = |h: &Vec<Tally>| h.last().unwrap().clone();
        let h: f64 = days.iter().map(|h| city(h).assistance_hardship).sum();
        let n: u32 = days
            .iter()
            .map(|h| city(h).category_resolved[a] + city(h).category_expired[a])
            .sum();
        h / n as f64
    };
    assert!(
        claimants(&a) > claimants(&b) + 0.01,
        "the cut's claimants are worse off: {:.3} vs {:.3} without the cut",
        claimants(&a),
        claimants(&b)
    );
    assert!(
        claimants(&a) > claimants(&c) + 0.005,
        "refusal hurts: {:.3} vs {:.3} when the refused are not hurt",
        claimants(&a),
        claimants(&c)
    );
}

#[test]
fn pooling_budgets_refuses_fewer_under_a_fiscal_cut() {
    // Pooling tops county budgets up from the city reserve where assistance waits:
    // the same regime without it refuses more.
    let s = fiscal_cut();
    let pooled = preset("linkage");
    let mut alone = pooled;
    alone.pooling = 0.0;
    let refused = |m| sum(&run(&s, m), |t| t.assistance_refused);
    let (with, without) = (refused(pooled), refused(alone));
    assert!(with < without, "refused: pooled {with} vs not {without}");
}
