//! Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC; ABC population
//! Monte Carlo of Beaumont, Cornuet, Marin & Robert 2009, with the tolerance schedule
//! chosen adaptively as a quantile of the last generation's distances, Del Moral, Doucet
//! & Jasra 2012, Drovandi & Pettitt 2011).
//!
//! The prior is uniform over each parameter's range. Generation 0 draws `particles`
//! parameter sets from the prior and keeps them all (tolerance ∞). Generation t sets its
//! tolerance ε_t to the `quantile` of generation t − 1's distances, then proposes: a
//! particle of t − 1 drawn by weight, moved by a Gaussian kernel whose variance per
//! parameter is twice the weighted variance of generation t − 1 (Beaumont et al. 2009),
//! redrawn until it lies in the prior's support; it is simulated and accepted when its
//! distance is at most ε_t, until `particles` are accepted. An accepted θ weighs
//!
//!   w_t(θ) ∝ π(θ) / Σ_j w_{t−1,j} K(θ | θ_{t−1,j}),
//!
//! the prior π being constant on its support. It stops after `generations`, when a
//! generation's acceptance rate falls below `min_acceptance`, when ε_t ≤ `tolerance`, or
//! when the budget of simulations is spent (the last batch is cut to what the budget
//! allows; a generation it cannot finish is dropped: the last complete one is the
//! answer).
//!
//! Determinism: candidate c of generation t draws from its own stream (seed, t, c) and
//! gets its simulation seed from it; candidates are simulated in parallel in batches whose
//! size depends only on earlier results, and accepted in candidate order, so the answer
//! is the same whatever the thread count.

use crate::base::rng::{Purpose, Stream, stream};
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

/// The settings of one ABC-SMC.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub particles: usize,
    pub generations: usize,
    pub quantile: f64,
    pub min_acceptance: f64,
    pub tolerance: f64,
    /// Most simulations (evaluations × `runs_per_eval`) in all.
    pub budget: u64,
    pub seed: u64,
}

/// What one evaluation of a parameter set gives: its distance to the observations
/// (`INFINITY` when undefined) and what it predicted (kept with the particle).
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub distance: f64,
    pub outputs: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Particle {
    pub theta: Vec<f64>,
    pub weight: f64,
    pub distance: f64,
    pub outputs: Vec<f64>,
}

/// One complete generation.
#[derive(Clone, Debug, PartialEq)]
pub struct Generation {
    /// Its tolerance (∞ for generation 0).
    pub epsilon: f64,
    pub particles: Vec<Particle>,
    /// Candidates simulated until the last particle was accepted.
    pub candidates: u64,
    /// Candidates simulated in all (the last batch's surplus included).
    pub simulated: u64,
}

impl Generation {
    pub fn acceptance(&self) -> f64 {
        self.particles.len() as f64 / self.candidates.max(1) as f64
    }

    /// Effective sample size, 1 / Σ w².
    pub fn ess(&self) -> f64 {
        1.0 / self
            .particles
            .iter()
            .map(|p| p.weight * p.weight)
            .sum::<f64>()
    }
}

/// Why the sequence stopped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stop {
    /// It ran every generation asked for.
    Generations,
    /// The last generation's acceptance rate fell below `min_acceptance`.
    Acceptance(f64),
    /// The tolerance reached `tolerance`.
    Tolerance,
    /// The next batch would have passed the budget; `dropped` candidates of an
    /// unfinished generation were simulated and left out.
    Budget { dropped: u64 },
}

pub struct Outcome {
    pub generations: Vec<Generation>,
    /// Simulations run in all (evaluations × runs per evaluation).
    pub runs: u64,
    pub stop: Stop,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AbcError {
    #[error(
        "a budget of {budget} runs does not cover the first generation ({particles} particles × {per} runs each = {need}); raise budget or lower particles"
    )]
    Budget {
        budget: u64,
        particles: usize,
        per: u64,
        need: u64,
    },
    #[error(
        "no particle of the first generation gave every target a value (each metric was undefined, e.g. no issue reached a county office); widen the runs (residents, ticks) or change the targets"
    )]
    Undefined,
}

/// Weighted `q`-quantile (the smallest value whose cumulative weight reaches q).
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut pairs: Vec<(f64, f64)> = values
        .iter()
        .copied()
        .zip(weights.iter().copied())
        .filter(|(v, _)| v.is_finite())
        .collect();
    if pairs.is_empty() {
        return f64::NAN;
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let mut acc = 0.0;
    for &(v, w) in &pairs {
        acc += w;
        if acc >= q * total - 1e-12 {
            return v;
        }
    }
    pairs.last().map_or(f64::NAN, |p| p.0)
}

/// Weighted mean and variance of parameter `j`.
pub fn weighted_moments(particles: &[Particle], j: usize) -> (f64, f64) {
    let total: f64 = particles.iter().map(|p| p.weight).sum();
    let mean = particles.iter().map(|p| p.weight * p.theta[j]).sum::<f64>() / total;
    let var = particles
        .iter()
        .map(|p| p.weight * (p.theta[j] - mean).powi(2))
        .sum::<f64>()
        / total;
    (mean, var)
}

fn gaussian(s: &mut Stream) -> f64 {
    StandardNormal.sample(s.rng())
}

/// Candidate `c` of generation `t`: its parameters and its simulation seed.
fn propose(
    seed: u64,
    t: usize,
    c: u64,
    ranges: &[(f64, f64)],
    previous: Option<(&[Particle], &[f64], &[f64])>,
) -> (Vec<f64>, u64) {
    let mut s = stream(seed, Purpose::Calibrate, t as u64, c);
    let theta = match previous {
        None => ranges
            .iter()
            .map(|&(lo, hi)| lo + (hi - lo) * s.unit())
            .collect(),
        Some((particles, cumulative, sigma)) => loop {
            let u = s.unit() * cumulative.last().copied().unwrap_or(1.0);
            let i = cumulative
                .partition_point(|&w| w < u)
                .min(particles.len() - 1);
            let moved: Vec<f64> = particles[i]
                .theta
                .iter()
                .zip(sigma)
                .map(|(&x, &sd)| x + sd * gaussian(&mut s))
                .collect();
            if moved
                .iter()
                .zip(ranges)
                .all(|(&x, &(lo, hi))| x >= lo && x <= hi)
            {
                break moved;
            }
        },
    };
    (theta, s.word() & i64::MAX as u64)
}

/// The weights of a new generation's particles against the previous one's (kernel
/// standard deviations `sigma`), normalised.
fn importance_weights(new: &mut [Particle], previous: &[Particle], sigma: &[f64]) {
    let raw: Vec<f64> = new
        .par_iter()
        .map(|p| {
            let mix: f64 = previous
                .iter()
                .map(|q| {
                    let z2: f64 = p
                        .theta
                        .iter()
                        .zip(&q.theta)
                        .zip(sigma)
                        .map(|((a, b), sd)| ((a - b) / sd).powi(2))
                        .sum();
                    q.weight * (-0.5 * z2).exp()
                })
                .sum();
            if mix > 0.0 { 1.0 / mix } else { 0.0 }
        })
        .collect();
    let total: f64 = raw.iter().sum();
    for (p, w) in new.iter_mut().zip(raw) {
        p.weight = if total > 0.0 {
            w / total
        } else {
            1.0 / previous.len() as f64
        };
    }
}

/// Run ABC-SMC over the uniform prior on `ranges`. `eval(θ, seed)` simulates a
/// parameter set (`runs_per_eval` simulations); `on_eval` is called after each
/// evaluation and `on_generation` after each complete generation (progress).
pub fn abc_smc<F>(
    ranges: &[(f64, f64)],
    s: &Settings,
    runs_per_eval: u64,
    eval: F,
    on_eval: &(dyn Fn() + Sync),
    on_generation: &mut dyn FnMut(usize, &Generation),
) -> Result<Outcome, AbcError>
where
    F: Fn(&[f64], u64) -> Evaluation + Sync,
{
    let n = s.particles;
    let need = n as u64 * runs_per_eval;
    if s.budget < need {
        return Err(AbcError::Budget {
            budget: s.budget,
            particles: n,
            per: runs_per_eval,
            need,
        });
    }
    let simulate =
        |t: usize, from: u64, count: u64, prev: Option<(&[Particle], &[f64], &[f64])>| {
            (from..from + count)
                .into_par_iter()
                .map(|c| {
                    let (theta, seed) = propose(s.seed, t, c, ranges, prev);
                    let e = eval(&theta, seed);
                    on_eval();
                    (theta, e)
                })
                .collect::<Vec<_>>()
        };
    // Generation 0 keeps every draw of the prior, but one whose distance is undefined
    // (a metric without a value) weighs nothing: it cannot be an ancestor.
    let mut first: Vec<Particle> = simulate(0, 0, n as u64, None)
        .into_iter()
        .map(|(theta, e)| Particle {
            theta,
            weight: if e.distance.is_finite() { 1.0 } else { 0.0 },
            distance: e.distance,
            outputs: e.outputs,
        })
        .collect();
    let defined: f64 = first.iter().map(|p| p.weight).sum();
    if defined == 0.0 {
        return Err(AbcError::Undefined);
    }
    for p in &mut first {
        p.weight /= defined;
    }
    let mut runs = need;
    let mut generations = vec![Generation {
        epsilon: f64::INFINITY,
        particles: first,
        candidates: n as u64,
        simulated: n as u64,
    }];
    on_generation(0, &generations[0]);
    let mut rate = s.quantile;
    let stop = loop {
        let t = generations.len();
        if t >= s.generations {
            break Stop::Generations;
        }
        let prev = &generations[t - 1];
        let distances: Vec<f64> = prev.particles.iter().map(|p| p.distance).collect();
        let flat = vec![1.0; distances.len()];
        let epsilon = weighted_quantile(&distances, &flat, s.quantile);
        let dims = ranges.len();
        let sigma: Vec<f64> = (0..dims)
            .map(|j| {
                let (_, var) = weighted_moments(&prev.particles, j);
                let width = ranges[j].1 - ranges[j].0;
                (2.0 * var).sqrt().max(1e-6 * width)
            })
            .collect();
        let mut cumulative = Vec::with_capacity(prev.particles.len());
        let mut acc = 0.0;
        for p in &prev.particles {
            acc += p.weight;
            cumulative.push(acc);
        }
        let previous = Some((
            prev.particles.as_slice(),
            cumulative.as_slice(),
            sigma.as_slice(),
        ));
        let mut accepted: Vec<Particle> = Vec::with_capacity(n);
        let (mut candidates, mut simulated) = (0u64, 0u64);
        let mut over_budget = false;
        while accepted.len() < n {
            let missing = (n - accepted.len()) as f64;
            let batch = ((missing / rate.max(0.01) * 1.1).ceil() as u64).clamp(1, 4 * n as u64);
            let affordable = (s.budget - runs) / runs_per_eval;
            if affordable == 0 {
                over_budget = true;
                break;
            }
            let batch = batch.min(affordable);
            let results = simulate(t, simulated, batch, previous);
            simulated += batch;
            runs += batch * runs_per_eval;
            for (theta, e) in results {
                if accepted.len() == n {
                    break;
                }
                candidates += 1;
                if e.distance.is_finite() && e.distance <= epsilon {
                    accepted.push(Particle {
                        theta,
                        weight: 0.0,
                        distance: e.distance,
                        outputs: e.outputs,
                    });
                }
            }
            rate = accepted.len().max(1) as f64 / candidates as f64;
        }
        if over_budget {
            break Stop::Budget { dropped: simulated };
        }
        importance_weights(&mut accepted, &prev.particles, &sigma);
        let g = Generation {
            epsilon,
            particles: accepted,
            candidates,
            simulated,
        };
        on_generation(t, &g);
        let acceptance = g.acceptance();
        generations.push(g);
        if acceptance < s.min_acceptance {
            break Stop::Acceptance(acceptance);
        }
        if epsilon <= s.tolerance {
            break Stop::Tolerance;
        }
    };
    Ok(Outcome {
        generations,
        runs,
        stop,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// y ~ N(θ, 1/√m) (the mean of m unit normals); the distance is |ȳ − y_obs|. With a
    /// flat prior the exact posterior is N(y_obs, 1/√m) (wide prior, no truncation).
    fn normal_mean(m: usize, observed: f64) -> impl Fn(&[f64], u64) -> Evaluation + Sync {
        move |theta: &[f64], seed: u64| {
            let mut s = stream(seed, Purpose::Calibrate, 0, 0);
            let mean = (0..m).map(|_| theta[0] + gaussian(&mut s)).sum::<f64>() / m as f64;
            Evaluation {
                distance: (mean - observed).abs(),
                outputs: vec![mean],
            }
        }
    }

    fn settings() -> Settings {
        Settings {
            particles: 400,
            generations: 8,
            quantile: 0.5,
            min_acceptance: 0.02,
            tolerance: 0.0,
            budget: 1_000_000,
            seed: 11,
        }
    }

    fn run(s: &Settings, eval: impl Fn(&[f64], u64) -> Evaluation + Sync) -> Outcome {
        abc_smc(&[(-10.0, 10.0)], s, 1, eval, &|| {}, &mut |_, _| {}).unwrap()
    }

    #[test]
    fn the_posterior_of_a_normal_mean_is_found() {
        // m = 25: posterior N(1.7, 0.2). ABC with ε → small approaches it; after 8
        // generations ε is about 0.02 (a tenth of the posterior sd).
        let out = run(&settings(), normal_mean(25, 1.7));
        let last = out.generations.last().unwrap();
        let (mean, var) = weighted_moments(&last.particles, 0);
        assert!((mean - 1.7).abs() < 0.05, "posterior mean {mean}");
        let sd = var.sqrt();
        assert!((sd - 0.2).abs() < 0.04, "posterior sd {sd} (exact 0.2)");
        let w: f64 = last.particles.iter().map(|p| p.weight).sum();
        assert!((w - 1.0).abs() < 1e-9);
        // Tolerances fall generation by generation and every particle is within its own.
        for pair in out.generations.windows(2) {
            assert!(pair[1].epsilon < pair[0].epsilon);
            assert!(
                pair[1]
                    .particles
                    .iter()
                    .all(|p| p.distance <= pair[1].epsilon)
            );
        }
        assert_eq!(out.stop, Stop::Generations);
        assert_eq!(out.generations.len(), 8);
    }

    #[test]
    fn the_same_answer_whatever_the_thread_count() {
        let s = Settings {
            particles: 100,
            generations: 4,
            ..settings()
        };
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let a = one.install(|| run(&s, normal_mean(10, -3.0)));
        let b = two.install(|| run(&s, normal_mean(10, -3.0)));
        assert_eq!(a.generations, b.generations);
        assert_eq!(a.runs, b.runs);
    }

    #[test]
    fn the_budget_keeps_the_last_complete_generation() {
        let s = Settings {
            particles: 50,
            budget: 180,
            ..settings()
        };
        let out = run(&s, normal_mean(10, 0.0));
        assert!(matches!(out.stop, Stop::Budget { .. }), "{:?}", out.stop);
        assert!(out.runs <= 180, "{} runs", out.runs);
        assert!(out.generations.iter().all(|g| g.particles.len() == 50));
        let too_small = abc_smc(
            &[(0.0, 1.0)],
            &Settings { budget: 49, ..s },
            1,
            normal_mean(10, 0.0),
            &|| {},
            &mut |_, _| {},
        );
        assert!(matches!(too_small, Err(AbcError::Budget { need: 50, .. })));
    }

    #[test]
    fn a_low_acceptance_or_a_reached_tolerance_stops_it() {
        let out = run(
            &Settings {
                min_acceptance: 0.3,
                ..settings()
            },
            normal_mean(25, 1.0),
        );
        assert!(
            matches!(out.stop, Stop::Acceptance(a) if a < 0.3),
            "{:?}",
            out.stop
        );
        let out = run(
            &Settings {
                tolerance: 1.0,
                ..settings()
            },
            normal_mean(25, 1.0),
        );
        assert_eq!(out.stop, Stop::Tolerance);
        assert!(out.generations.last().unwrap().epsilon <= 1.0);
    }

    #[test]
    fn proposals_stay_in_the_prior() {
        let out = abc_smc(
            &[(0.0, 1.0), (5.0, 6.0)],
            &Settings {
                particles: 100,
                generations: 4,
                ..settings()
            },
            1,
            // The best fit is at the corner (1, 5): proposals press against the edges.
            |t: &[f64], _| Evaluation {
                distance: (1.0 - t[0]) + (t[1] - 5.0),
                outputs: vec![],
            },
            &|| {},
            &mut |_, _| {},
        )
        .unwrap();
        for g in &out.generations {
            for p in &g.particles {
                assert!((0.0..=1.0).contains(&p.theta[0]) && (5.0..=6.0).contains(&p.theta[1]));
            }
        }
        let last = out.generations.last().unwrap();
        assert!(weighted_moments(&last.particles, 0).0 > 0.8);
    }

    #[test]
    fn weighted_quantiles() {
        let v = [3.0, 1.0, 2.0, f64::INFINITY];
        let w = [1.0, 1.0, 2.0, 0.0];
        assert_eq!(weighted_quantile(&v, &w, 0.25), 1.0);
        assert_eq!(weighted_quantile(&v, &w, 0.5), 2.0);
        assert_eq!(weighted_quantile(&v, &w, 0.75), 2.0);
        assert_eq!(weighted_quantile(&v, &w, 1.0), 3.0);
        assert!(weighted_quantile(&[f64::NAN], &[1.0], 0.5).is_nan());
    }
}
