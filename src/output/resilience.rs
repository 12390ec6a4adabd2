//! Resilience of a metric against its pre-shock baseline (Bruneau et al. 2003's
//! resilience triangle), for metrics where higher is better.

/// Tolerance band for "recovered": within 5% of baseline (the one place this number is
/// set; code that states the band reads it from here).
pub const TOLERANCE: f64 = 0.05;
/// Ticks a metric must stay inside the band to count as recovered (filters daily noise).
pub const HOLD: usize = 7;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Resilience {
    /// Mean of the metric from the end of burn-in to the shock's start.
    pub baseline: f64,
    /// Largest relative fall below baseline after the shock starts, in percent (≥ 0).
    pub deepest_fall_pct: f64,
    /// Ticks from the shock's start until the metric is back within [`TOLERANCE`] of
    /// baseline (and stays there for [`HOLD`] ticks or until the run ends); `None` if it
    /// never recovers.
    pub recovery_days: Option<u32>,
    /// Sum over ticks from the shock's start to recovery (or the end) of the relative
    /// shortfall below baseline, in percent·days: the area of the resilience triangle.
    pub loss_area: f64,
}

/// Resilience of `series` (one value per tick, NaN where undefined) for a shock starting
/// at `shock_start`, with baseline from `burn_in` to `shock_start`. `None` when there is no
/// baseline (no tick before the shock after burn-in, or a zero baseline).
pub fn resilience(series: &[f64], burn_in: usize, shock_start: usize) -> Option<Resilience> {
    let start = shock_start.min(series.len());
    let base: Vec<f64> = series[burn_in.min(start)..start]
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    if base.is_empty() {
        return None;
    }
    let baseline = base.iter().sum::<f64>() / base.len() as f64;
    if baseline <= 0.0 {
        return None;
    }
    let fall = |v: f64| {
        if v.is_finite() {
            ((baseline - v) / baseline).max(0.0)
        } else {
            0.0
        }
    };
    let after = &series[start..];
    let (trough, deepest) = after
        .iter()
        .enumerate()
        .map(|(i, &v)| (i, fall(v)))
        .fold((0, 0.0f64), |best, x| if x.1 > best.1 { x } else { best });
    let within = |v: f64| !v.is_finite() || v >= baseline * (1.0 - TOLERANCE);
    let recovery = if deepest <= TOLERANCE {
        Some(0)
    } else {
        (trough..after.len())
            .find(|&i| {
                after[i..(i + HOLD).min(after.len())]
                    .iter()
                    .all(|&v| within(v))
            })
            .map(|i| i as u32)
    };
    let end = recovery.map_or(after.len(), |r| r as usize);
    let loss_area = after[..end].iter().map(|&v| fall(v)).sum::<f64>() * 100.0;
    Some(Resilience {
        baseline,
        deepest_fall_pct: deepest * 100.0,
        recovery_days: recovery,
        loss_area,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triangle_of_a_v_shaped_dip() {
        // Baseline 1.0 for 10 ticks, falls to 0.5 at the shock, recovers linearly in 5.
        let mut s = vec![1.0; 10];
        s.extend([
            0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
        ]);
        let r = resilience(&s, 0, 10).unwrap();
        assert!((r.baseline - 1.0).abs() < 1e-12);
        assert!((r.deepest_fall_pct - 50.0).abs() < 1e-9);
        assert_eq!(r.recovery_days, Some(5));
        assert!((r.loss_area - (50.0 + 40.0 + 30.0 + 20.0 + 10.0)).abs() < 1e-9);
    }

    #[test]
    fn never_recovering_counts_loss_to_the_end() {
        let mut s = vec![1.0; 5];
        s.extend([0.5; 5]);
        let r = resilience(&s, 0, 5).unwrap();
        assert_eq!(r.recovery_days, None);
        assert!((r.loss_area - 250.0).abs() < 1e-9);
    }

    #[test]
    fn no_baseline_no_figures() {
        assert!(resilience(&[1.0, 1.0], 0, 0).is_none());
    }
}
