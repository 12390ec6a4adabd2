//! Shapley attribution of the difference between two regimes to their mechanisms
//! (`linkage attribute`).
//!
//! With k chosen mechanisms, a **hybrid** regime sets each of them to its value in
//! `from` or in `to` (the others stay at `from`'s): 2^k hybrids, run as one sweep with a
//! full grid over `mechanism.<name>` = [from, to] under regime `from`, with common random
//! numbers, so a replicate's hybrids differ only by their mechanisms. For a metric M and
//! a coalition S of mechanisms (those at `to`), v(S) = M(S) − M(∅). The Shapley value of
//! mechanism i is
//!
//!   φ_i = Σ_{S ⊆ N∖{i}} |S|! (k − |S| − 1)! / k! · (v(S ∪ {i}) − v(S)),
//!
//! computed exactly over the 2^k hybrids, per replicate; the values sum to v(N), the
//! whole difference (efficiency), up to rounding, which the output states. Pairwise
//! interactions are the Shapley interaction index (Grabisch 1997)
//!
//!   I_ij = Σ_{S ⊆ N∖{i,j}} |S|! (k − |S| − 2)! / (k − 1)! · (v(S∪{i,j}) − v(S∪{i}) − v(S∪{j}) + v(S)).
//!
//! A value's interval is the 95% t-interval of its mean over the replicates.

use super::spec::{Design, Experiment, Factor};
use super::stats::Running;

/// Mechanisms an attribution can take at once (2^12 = 4,096 hybrids).
pub const MAX_MECHANISMS: usize = 12;

/// A chosen mechanism and its values in `from` and `to`.
#[derive(Clone, Debug, PartialEq)]
pub struct Switch {
    pub name: String,
    pub from: f64,
    pub to: f64,
}

/// The experiment of an attribution: regime `from` of `scenario`, a full grid over the
/// switches' [from, to] values, common random numbers. The grid's points are in the
/// order of the switches, the last varying fastest, so point p sets switch i to `to`
/// when bit (k − 1 − i) of p is set.
#[allow(clippy::too_many_arguments)]
pub fn experiment(
    scenario: &str,
    from: &str,
    to: &str,
    switches: &[Switch],
    metrics: Vec<String>,
    replicates: u32,
    residents: Option<u64>,
    ticks: Option<u32>,
    seed: u64,
    twin: bool,
) -> Experiment {
    Experiment {
        name: format!("attribution-{from}-{to}"),
        description: format!(
            "Shapley attribution of {to} over {from} to {} mechanisms",
            switches.len()
        ),
        seed,
        scenarios: vec![scenario.to_string()],
        regimes: vec![from.to_string()],
        replicates,
        ticks,
        residents,
        metrics,
        design: Design::Grid {},
        factors: switches
            .iter()
            .map(|s| Factor {
                path: format!("mechanism.{}", s.name),
                values: vec![s.from, s.to],
                range: None,
            })
            .collect(),
        twin,
        common_random_numbers: Some(true),
    }
}

/// The `from` and `to` regimes of an attribution's experiment (as [`experiment`] made
/// it: `from` its one regime, `to` named in its description); `None` for another
/// experiment.
pub fn regimes_of(e: &Experiment) -> Option<(String, String)> {
    let [from] = &e.regimes[..] else {
        return None;
    };
    let rest = e.description.strip_prefix("Shapley attribution of ")?;
    let tail = format!(" over {from} to {} mechanisms", e.factors.len());
    let to = rest.strip_suffix(&tail)?;
    Some((from.clone(), to.to_string()))
}

/// The coalition (bit i: switch i at `to`) of grid point `p` of k switches.
pub fn coalition_of_point(p: usize, k: usize) -> usize {
    (0..k).fold(0, |c, i| c | (((p >> (k - 1 - i)) & 1) << i))
}

fn factorials(n: usize) -> Vec<f64> {
    let mut f = vec![1.0; n + 1];
    for i in 1..=n {
        f[i] = f[i - 1] * i as f64;
    }
    f
}

/// Exact Shapley values of the game `v` over k players (`v[S]`, S a bit set; v[0] is
/// the baseline and need not be 0).
pub fn shapley(v: &[f64], k: usize) -> Vec<f64> {
    assert_eq!(v.len(), 1 << k, "a value for every coalition");
    let f = factorials(k);
    (0..k)
        .map(|i| {
            let bit = 1 << i;
            (0..1usize << k)
                .filter(|s| s & bit == 0)
                .map(|s| {
                    let size = s.count_ones() as usize;
                    f[size] * f[k - size - 1] / f[k] * (v[s | bit] - v[s])
                })
                .sum()
        })
        .collect()
}

/// The Shapley interaction index of every pair (i < j).
pub fn interactions(v: &[f64], k: usize) -> Vec<(usize, usize, f64)> {
    let f = factorials(k);
    let mut out = Vec::new();
    for i in 0..k {
        for j in i + 1..k {
            let (bi, bj) = (1 << i, 1 << j);
            let x: f64 = (0..1usize << k)
                .filter(|s| s & (bi | bj) == 0)
                .map(|s| {
                    let size = s.count_ones() as usize;
                    f[size] * f[k - size - 2] / f[k - 1]
                        * (v[s | bi | bj] - v[s | bi] - v[s | bj] + v[s])
                })
                .sum();
            out.push((i, j, x));
        }
    }
    out
}

/// A mean over replicates with its 95% t-interval (none with one replicate).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Mean {
    pub mean: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// The mean of `xs` and its 95% t-interval ([`Running`]).
pub fn mean_interval(xs: &[f64]) -> Mean {
    let mut r = Running::default();
    for &x in xs {
        r.push(x);
    }
    let (low, high) = r.ci95();
    Mean {
        mean: r.mean(),
        low: low.is_finite().then_some(low),
        high: high.is_finite().then_some(high),
    }
}

/// One metric's attribution.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribution {
    pub metric: String,
    /// M(∅): the metric under `from` (mean over replicates).
    pub from_value: Mean,
    /// M(N) − M(∅): the whole difference.
    pub total: Mean,
    /// φ_i per switch.
    pub shares: Vec<Mean>,
    /// The largest pairwise interactions, by absolute mean.
    pub pairs: Vec<(usize, usize, Mean)>,
    /// |Σ φ − total| of the means: rounding only.
    pub residual: f64,
}

/// The attribution of one metric from its values `y[replicate][point]` over the grid's
/// points of k switches; `pairs` largest interactions kept.
pub fn attribute(metric: &str, y: &[Vec<f64>], k: usize, pairs: usize) -> Attribution {
    let mut phis: Vec<Vec<f64>> = vec![Vec::new(); k];
    let mut totals = Vec::new();
    let mut bases = Vec::new();
    let mut inter: Vec<Vec<f64>> = Vec::new();
    let mut inter_ids = Vec::new();
    for rep in y {
        let mut v = vec![0.0; 1 << k];
        for (p, &m) in rep.iter().enumerate() {
            v[coalition_of_point(p, k)] = m;
        }
        let phi = shapley(&v, k);
        for (i, x) in phi.into_iter().enumerate() {
            phis[i].push(x);
        }
        totals.push(v[(1 << k) - 1] - v[0]);
        bases.push(v[0]);
        if k >= 2 {
            let it = interactions(&v, k);
            if inter.is_empty() {
                inter = vec![Vec::new(); it.len()];
                inter_ids = it.iter().map(|&(i, j, _)| (i, j)).collect();
            }
            for (slot, (_, _, x)) in inter.iter_mut().zip(it) {
                slot.push(x);
            }
        }
    }
    let shares: Vec<Mean> = phis.iter().map(|p| mean_interval(p)).collect();
    let total = mean_interval(&totals);
    let residual = (shares.iter().map(|s| s.mean).sum::<f64>() - total.mean).abs();
    let mut all_pairs: Vec<(usize, usize, Mean)> = inter_ids
        .into_iter()
        .zip(&inter)
        .map(|((i, j), xs)| (i, j, mean_interval(xs)))
        .collect();
    all_pairs.sort_by(|a, b| b.2.mean.abs().total_cmp(&a.2.mean.abs()));
    all_pairs.truncate(pairs);
    Attribution {
        metric: metric.to_string(),
        from_value: mean_interval(&bases),
        total,
        shares,
        pairs: all_pairs,
        residual,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An additive game: each player's value is its own contribution, no interactions.
    #[test]
    fn an_additive_game_gives_each_player_its_own_contribution() {
        let w = [1.0, -2.0, 0.5];
        let v: Vec<f64> = (0..8usize)
            .map(|s| {
                10.0 + (0..3)
                    .filter(|i| s >> i & 1 == 1)
                    .map(|i| w[i])
                    .sum::<f64>()
            })
            .collect();
        let phi = shapley(&v, 3);
        for (p, x) in phi.iter().zip(w) {
            assert!((p - x).abs() < 1e-12);
        }
        assert!(interactions(&v, 3).iter().all(|(_, _, x)| x.abs() < 1e-12));
    }

    /// Pure complements (the value appears only with both): each gets half, and the
    /// pair's interaction index is the whole value; efficiency holds.
    #[test]
    fn complements_split_their_value_and_interact() {
        let v = vec![0.0, 0.0, 0.0, 6.0];
        let phi = shapley(&v, 2);
        assert_eq!(phi, vec![3.0, 3.0]);
        assert_eq!(interactions(&v, 2), vec![(0, 1, 6.0)]);
        // A glove game of 4 players (0 and 1 are left gloves, 2 and 3 right): a pair is
        // worth 1. Known values: 1/2 each... and they sum to v(N) = 2.
        let k = 4;
        let v: Vec<f64> = (0..16usize)
            .map(|s| {
                let l = (s & 1) + (s >> 1 & 1);
                let r = (s >> 2 & 1) + (s >> 3 & 1);
                l.min(r) as f64
            })
            .collect();
        let phi = shapley(&v, k);
        assert!((phi.iter().sum::<f64>() - 2.0).abs() < 1e-12);
        for p in phi {
            assert!((p - 0.5).abs() < 1e-12);
        }
    }

    /// Random games: efficiency (Σ φ = v(N) − v(∅)) to rounding, at k up to 12.
    #[test]
    fn the_values_sum_to_the_whole_difference() {
        for k in [1, 3, 7, 12] {
            let mut s =
                crate::base::rng::stream(9, crate::base::rng::Purpose::Bootstrap, k as u64, 0);
            let v: Vec<f64> = (0..1usize << k).map(|_| s.unit() * 10.0 - 5.0).collect();
            let phi = shapley(&v, k);
            let gap = v[(1 << k) - 1] - v[0];
            assert!((phi.iter().sum::<f64>() - gap).abs() < 1e-9, "k = {k}");
        }
    }

    #[test]
    fn the_regimes_are_read_back_from_the_experiment() {
        let sw = [Switch {
            name: "social".into(),
            from: 0.15,
            to: 0.8,
        }];
        let e = experiment(
            "xcity-flood",
            "my-mix",
            "link-age",
            &sw,
            vec![],
            2,
            None,
            None,
            1,
            false,
        );
        assert_eq!(
            regimes_of(&e),
            Some(("my-mix".to_string(), "link-age".to_string()))
        );
        let mut other = e.clone();
        other.description = "a sweep".into();
        assert_eq!(regimes_of(&other), None);
    }

    /// Grid point p sets switch i to `to` when bit (k − 1 − i) of p is set (the grid's
    /// last factor varies fastest).
    #[test]
    fn grid_points_map_to_coalitions() {
        assert_eq!(coalition_of_point(0, 3), 0);
        assert_eq!(coalition_of_point(1, 3), 0b100);
        assert_eq!(coalition_of_point(4, 3), 0b001);
        assert_eq!(coalition_of_point(7, 3), 0b111);
        let a = attribute(
            "m",
            &[vec![0.0, 1.0, 2.0, 3.0], vec![0.0, 1.0, 2.0, 3.5]],
            2,
            1,
        );
        // Switch 0 is the slow factor (+2), switch 1 the fast one (+1); the second
        // replicate adds an interaction of 0.5.
        assert!((a.shares[0].mean - 2.125).abs() < 1e-12);
        assert!((a.shares[1].mean - 1.125).abs() < 1e-12);
        assert!((a.total.mean - 3.25).abs() < 1e-12);
        assert!(a.residual < 1e-12);
        assert!((a.pairs[0].2.mean - 0.25).abs() < 1e-12);
        assert!(a.shares[0].low.unwrap() < 2.125 && a.shares[0].high.unwrap() > 2.125);
    }
}
