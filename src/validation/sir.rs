//! SIR/SEIR with the epidemic shock's own infection rule ([`next_health`]) on an
//! Erdős–Rényi graph and well mixed, against the final-size equations.

use crate::base::rng::{Purpose, stream};
use crate::model::residents::{EXPOSED, INFECTED, RECOVERED, SUSCEPTIBLE, Ties};
use crate::model::shocks::{EpidemicNow, next_health};

/// An Erdős–Rényi graph G(n, m) with m = z·n/2 distinct edges, as compressed rows.
pub fn erdos_renyi(n: usize, z: f64, seed: u64) -> Ties {
    let m = (z * n as f64 / 2.0).round() as usize;
    let mut edges: Vec<(u32, u32)> = Vec::with_capacity(2 * m);
    let mut s = stream(seed, Purpose::Validation, u64::MAX - 10, 0);
    let mut seen = std::collections::HashSet::with_capacity(m);
    while seen.len() < m {
        let a = s.below(n) as u32;
        let b = s.below(n) as u32;
        if a != b && seen.insert((a.min(b), a.max(b))) {
            edges.push((a, b));
            edges.push((b, a));
        }
    }
    edges.sort_unstable();
    let mut offsets = vec![0u32; n + 1];
    for &(a, _) in &edges {
        offsets[a as usize + 1] += 1;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let strong = (0..n)
        .map(|i| (offsets[i + 1] - offsets[i]).min(255) as u8)
        .collect();
    Ties {
        offsets,
        targets: edges.into_iter().map(|e| e.1).collect(),
        strong,
    }
}

/// The per-day transmission β that gives transmissibility `t` (the chance an infectious
/// person infects a given contact before recovering) with daily recovery chance γ, for
/// the engine's rule: an infectious person stays D ~ Geometric(γ) days, so
/// T = 1 − E[(1−β)^D] = 1 − γ(1−β) / (1 − (1−γ)(1−β)).
pub fn beta_for(t: f64, gamma: f64) -> f64 {
    1.0 - (1.0 - t) / (gamma + (1.0 - t) * (1.0 - gamma))
}

/// Final share ever infected on `ties` from `seeds` random initial cases.
pub fn final_size(ties: &Ties, ep: &EpidemicNow, seeds: usize, seed: u64) -> f64 {
    let n = ties.offsets.len() - 1;
    let mut health = vec![SUSCEPTIBLE; n];
    let mut s = stream(seed, Purpose::Validation, u64::MAX - 11, 0);
    for _ in 0..seeds {
        health[s.below(n)] = INFECTED;
    }
    let mut next = health.clone();
    for t in 0..100_000u64 {
        if !health.iter().any(|&h| h == INFECTED || h == EXPOSED) {
            break;
        }
        for i in 0..n {
            let (nb, _) = ties.of(i);
            let w = nb
                .iter()
                .filter(|&&j| health[j as usize] == INFECTED)
                .count() as f32;
            let u = stream(seed, Purpose::Validation, i as u64, t).unit() as f32;
            next[i] = next_health(health[i], w, ep, u);
        }
        std::mem::swap(&mut health, &mut next);
    }
    health.iter().filter(|&&h| h == RECOVERED).count() as f64 / n as f64
}

/// Final share ever infected, well mixed: every infectious person is a contact of weight 1
/// of everyone, with per-contact β = R0·γ/n.
pub fn final_size_mixed(n: usize, r0: f64, gamma: f64, seeds: usize, seed: u64) -> f64 {
    let ep = EpidemicNow {
        transmission: (r0 * gamma / n as f64) as f32,
        p_onset: 1.0,
        p_recover: gamma as f32,
        sick_rates: [0.0; 8],
        staff_sickness: 0.0,
        control: crate::model::shocks::Control::NONE,
    };
    let mut health = vec![SUSCEPTIBLE; n];
    for h in health.iter_mut().take(seeds) {
        *h = INFECTED;
    }
    for t in 0..100_000u64 {
        let infectious = health.iter().filter(|&&h| h == INFECTED).count();
        if infectious == 0 && !health.contains(&EXPOSED) {
            break;
        }
        for (i, h) in health.iter_mut().enumerate() {
            let u = stream(seed, Purpose::Validation, i as u64, t).unit() as f32;
            *h = next_health(*h, infectious as f32, &ep, u);
        }
    }
    health.iter().filter(|&&h| h == RECOVERED).count() as f64 / n as f64
}

/// The positive root of S = 1 − exp(−c·S) (final size for c = z·T or R0), by iteration.
pub fn final_size_equation(c: f64) -> f64 {
    let mut s = 1.0;
    for _ in 0..10_000 {
        s = 1.0 - (-c * s).exp();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_size_equation_known_value() {
        assert!((final_size_equation(2.0) - 0.7968).abs() < 1e-3);
        assert!(final_size_equation(0.8) < 1e-6);
    }

    #[test]
    fn beta_gives_the_asked_transmissibility() {
        let (t, g) = (0.5, 0.2);
        let b = beta_for(t, g);
        let back = 1.0 - g * (1.0 - b) / (1.0 - (1.0 - g) * (1.0 - b));
        assert!((back - t).abs() < 1e-12);
    }
}
