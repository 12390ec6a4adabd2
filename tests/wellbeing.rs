//! Damage enters well-being (issue 14): a flood lowers happiness through the damage it
//! does, not only through the protest and lost service around it.

use linkage::engine::run::run_regime;
use linkage::model::mechanisms::Mechanisms;
use linkage::model::shocks::Shock;
use linkage::scenario::{Scenario, builtin};

/// `xcity-flood` at 10,000 residents to day 160, with capacity loss `loss`.
fn flood(loss: f64) -> Scenario {
    let mut s = builtin::get("xcity-flood").unwrap();
    s.run.residents = 10_000;
    s.run.ticks = 160;
    for shock in &mut s.shocks {
        if let Shock::Flood(f) = shock {
            f.capacity_loss = loss;
        }
    }
    s.validate().unwrap();
    s
}

/// Mean happiness each day under the linkage regime.
fn happiness(s: &Scenario) -> Vec<f64> {
    let r = run_regime(s, "linkage", Mechanisms::preset("linkage").unwrap(), |_| {});
    r.history
        .iter()
        .map(|h| {
            let t = h.last().unwrap();
            t.happiness / t.residents as f64
        })
        .collect()
}

/// The largest relative fall of `shock` below `twin` during the flood (days 120-149).
fn fall(shock: &[f64], twin: &[f64]) -> f64 {
    (120..150)
        .map(|t| (twin[t] - shock[t]) / twin[t])
        .fold(0.0, f64::max)
}

#[test]
fn a_flood_lowers_happiness_by_its_damage_even_without_capacity_loss() {
    let mut calm = flood(0.4);
    calm.shocks.clear();
    let twin = happiness(&calm);
    let with_loss = fall(&happiness(&flood(0.4)), &twin);
    let without_loss = fall(&happiness(&flood(0.0)), &twin);
    eprintln!(
        "happiness fall against the twin: {with_loss:.4} with capacity loss, {without_loss:.4} without"
    );
    assert!(
        without_loss > 0.03,
        "the flood's damage lowers happiness by itself: {without_loss:.4}"
    );
    assert!(
        without_loss > 0.6 * with_loss,
        "most of the fall is the damage, not the lost capacity: {without_loss:.4} vs {with_loss:.4}"
    );
    // Without the damage term, the fall is far smaller: the term is what does it.
    let mut undamaged = flood(0.0);
    undamaged.behaviour.security_damage = 0.0;
    let no_damage = fall(&happiness(&undamaged), &twin);
    assert!(
        no_damage < 0.5 * without_loss,
        "damage is what lowers it: {no_damage:.4} vs {without_loss:.4}"
    );
}
