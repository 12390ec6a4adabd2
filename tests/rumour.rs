//! The rumour (issue 14): a bounded receptive share, spread that fades with novelty
//! (not at the end of the window), debunking by grid workers, organisations and trusted
//! ties, and believers that change smoothly with information sharing.

use linkage::engine::run::run_regime;
use linkage::model::mechanisms::Mechanisms;
use linkage::model::shocks::{Rumour, Shock};
use linkage::scenario::{Scenario, builtin};

const RESIDENTS: u64 = 10_000;
const START: usize = 120;

/// `xcity-rumour` at 10,000 residents over `ticks` days, its rumour changed by `f`.
fn scenario(ticks: u32, f: impl Fn(&mut Rumour)) -> Scenario {
    let mut s = builtin::get("xcity-rumour").unwrap();
    s.run.residents = RESIDENTS;
    s.run.ticks = ticks;
    for shock in &mut s.shocks {
        if let Shock::Rumour(r) = shock {
            f(r);
        }
    }
    s.validate().unwrap();
    s
}

/// Believers each day under `mech`.
fn believers(s: &Scenario, mech: Mechanisms) -> Vec<f64> {
    let r = run_regime(s, "x", mech, |_| {});
    r.history
        .iter()
        .map(|h| h.last().unwrap().believers as f64)
        .collect()
}

fn preset(name: &str) -> Mechanisms {
    Mechanisms::preset(name).unwrap()
}

fn sharing(info: f64) -> Mechanisms {
    Mechanisms {
        information_sharing: info,
        ..preset("fragmented")
    }
}

/// The peak and its day.
fn peak(v: &[f64]) -> (usize, f64) {
    v.iter()
        .copied()
        .enumerate()
        .fold((0, 0.0), |b, (t, x)| if x > b.1 { (t, x) } else { b })
}

#[test]
fn believers_stay_below_the_receptive_share() {
    // No platform at all, so the rumour goes as far as it can.
    let bounded = scenario(170, |r| r.receptive_distrust = 0.0);
    let (_, p) = peak(&believers(&bounded, sharing(0.0)));
    let share = p / RESIDENTS as f64;
    assert!(share < 0.3, "peak {share:.3} above the receptive share 0.3");
    assert!(share > 0.05, "the rumour spreads at all: {share:.3}");
    // The bound is what holds it: with everyone receptive, far more believe.
    let everyone = scenario(170, |r| {
        r.receptive_distrust = 0.0;
        r.receptive_share = 1.0;
    });
    let (_, q) = peak(&believers(&everyone, sharing(0.0)));
    assert!(q > 2.0 * p, "everyone receptive {q} vs 30% receptive {p}");
}

#[test]
fn the_rumour_fades_with_its_novelty_before_the_window_ends() {
    // A 90-day window: the spread must die out by itself long before it closes.
    let s = scenario(240, |r| r.duration = 90);
    let b = believers(&s, preset("fragmented"));
    let (t, p) = peak(&b);
    assert!(p > 0.05 * RESIDENTS as f64, "the rumour spreads: peak {p}");
    assert!(t < START + 30, "the peak comes within a month: day {t}");
    let late = b[START + 60];
    assert!(
        late < 0.1 * p,
        "two months on, with the window still open, believers have fallen: {late} vs peak {p}"
    );
    // Novelty is what holds the spread back: a rumour that stays news goes further.
    let fresh = scenario(240, |r| {
        r.duration = 90;
        r.novelty_days = 3650.0;
    });
    let (_, q) = peak(&believers(&fresh, preset("fragmented")));
    assert!(q > 1.3 * p, "a fresh rumour {q} vs a fading one {p}");
}

#[test]
fn more_information_sharing_means_fewer_believers_smoothly() {
    let s = scenario(170, |_| {});
    let peaks: Vec<f64> = [0.0, 0.25, 0.5, 0.75, 1.0]
        .iter()
        .map(|&i| peak(&believers(&s, sharing(i))).1)
        .collect();
    eprintln!("peaks by information sharing 0, 0.25, …, 1: {peaks:?}");
    for w in peaks.windows(2) {
        assert!(w[1] < w[0], "more sharing, fewer believers: {peaks:?}");
        assert!(
            w[0] < 3.0 * w[1],
            "no knife edge (a jump over 3×): {peaks:?}"
        );
    }
    assert!(
        peaks[0] > 3.0 * peaks[4],
        "information sharing matters: {peaks:?}"
    );
}

#[test]
fn grid_workers_organisations_and_trusted_ties_debunk() {
    let days = |f: &dyn Fn(&mut Rumour)| -> f64 {
        let s = scenario(200, f);
        believers(&s, preset("linkage")).iter().sum()
    };
    let all = days(&|_| {});
    let no_grid = days(&|r| r.debunk_grid = 0.0);
    let no_orgs = days(&|r| r.debunk_orgs = 0.0);
    let no_ties = days(&|r| r.debunk_ties = 0.0);
    eprintln!("believer-days: all {all}, no grid {no_grid}, no orgs {no_orgs}, no ties {no_ties}");
    assert!(
        no_grid > 1.2 * all,
        "grid workers debunk: {no_grid} vs {all}"
    );
    assert!(
        no_orgs > 1.05 * all,
        "organisations debunk: {no_orgs} vs {all}"
    );
    assert!(
        no_ties > 1.05 * all,
        "trusted ties debunk: {no_ties} vs {all}"
    );
}
