//! Granovetter (1978), "Threshold models of collective behavior", AJS 83(6): each person
//! joins a riot once the number already rioting reaches their threshold. The equilibrium
//! is found by iterating r ← #{i : θ_i ≤ r} from r = 0.

use crate::base::rng::{Purpose, stream};
use rand_distr::{Distribution, Normal};

/// Equilibrium number of rioters for integer thresholds.
pub fn equilibrium(thresholds: &[u32]) -> usize {
    let mut r = 0usize;
    loop {
        let next = thresholds.iter().filter(|&&t| t as usize <= r).count();
        if next == r {
            return r;
        }
        r = next;
    }
}

/// Mean equilibrium over `samples` crowds of `n` with thresholds ~ N(mean, σ), rounded
/// and floored at 0.
pub fn mean_equilibrium(n: usize, mean: f64, sigma: f64, samples: u64, seed: u64) -> f64 {
    let mut total = 0usize;
    for k in 0..samples {
        let mut s = stream(seed, Purpose::Validation, k, (sigma * 1000.0) as u64);
        let d = Normal::new(mean, sigma.max(1e-9)).expect("σ ≥ 0");
        let th: Vec<u32> = (0..n)
            .map(|_| d.sample(s.rng()).round().max(0.0) as u32)
            .collect();
        total += equilibrium(&th);
    }
    total as f64 / samples as f64
}

/// Granovetter's own analysis: with a normal threshold distribution F, the rioting share
/// follows r ← n·F(r); the equilibrium is the lowest fixed point reached from r = 0. It
/// jumps from a handful to nearly everyone at a critical σ. Returns that σ (to `step`).
pub fn critical_sigma_analytic(n: f64, mean: f64, step: f64) -> f64 {
    let cdf = |x: f64, sigma: f64| {
        0.5 * (1.0 + libm::erf((x - mean) / (sigma * std::f64::consts::SQRT_2)))
    };
    let mut sigma = step;
    while sigma < 4.0 * mean {
        let mut r = 0.0;
        for _ in 0..100_000 {
            let next = n * cdf(r, sigma);
            if (next - r).abs() < 1e-9 {
                break;
            }
            r = next;
        }
        if r > n / 2.0 {
            return sigma;
        }
        sigma += step;
    }
    f64::NAN
}

/// The σ (to `step`) at which the mean equilibrium first exceeds half the crowd.
pub fn critical_sigma(n: usize, mean: f64, samples: u64, seed: u64, step: f64) -> f64 {
    let mut sigma = step;
    while sigma < 4.0 * mean {
        if mean_equilibrium(n, mean, sigma, samples, seed) > n as f64 / 2.0 {
            return sigma;
        }
        sigma += step;
    }
    f64::NAN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_thresholds_riot_and_one_change_stops_it() {
        let mut th: Vec<u32> = (0..100).collect();
        assert_eq!(equilibrium(&th), 100);
        th[1] = 2;
        assert_eq!(equilibrium(&th), 1);
    }
}
