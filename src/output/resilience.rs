//! Resilience of a metric against its pre-shock baseline (Bruneau et al. 2003's
//! resilience triangle), for metrics where higher is better.

/// Tolerance band for "recovered": within 5% of baseline (the one place this number is
/// set; code that states the band reads it from here). It defines only when a metric
/// counts as recovered: the fall and the loss area are measured for any fall, however
/// small, so that a regime whose dips stay inside the band is not scored as unhurt.
pub const TOLERANCE: f64 = 0.05;
/// Ticks a metric must stay inside the band to count as recovered (filters daily noise).
pub const HOLD: usize = 7;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Resilience {
    /// Mean of the metric from the end of burn-in to the shock's start.
    pub baseline: f64,
    /// Largest relative fall below baseline after the shock starts, in percent (≥ 0).
    pub deepest_fall_pct: f64,
    /// Ticks from the shock's start to the first tick at or after the trough (the
    /// deepest fall) at which the metric is within [`TOLERANCE`] of baseline and stays
    /// there for [`HOLD`] ticks or until the run ends; `None` if it never recovers. A dip
    /// that never leaves the band recovers at its trough, so its recovery time is the
    /// time to the trough, not 0.
    pub recovery_days: Option<u32>,
    /// Sum over ticks from the shock's start through the recovery tick (or to the end) of
    /// the relative shortfall below baseline, in percent·days: the area of the
    /// resilience triangle. Positive for any fall, however small.
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
    // The first tick of the deepest fall (ties keep the earliest).
    let (trough, deepest) = after
        .iter()
        .enumerate()
        .map(|(i, &v)| (i, fall(v)))
        .fold((0, 0.0f64), |best, x| if x.1 > best.1 { x } else { best });
    let within = |v: f64| !v.is_finite() || v >= baseline * (1.0 - TOLERANCE);
    let recovery = if after.is_empty() {
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
    let end = recovery.map_or(after.len(), |r| (r as usize + 1).min(after.len()));
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
    fn a_dip_inside_the_band_still_has_a_loss_area_and_a_recovery_time() {
        // A 3% dip (inside the 5% band) over three ticks, two ticks after the shock.
        let mut s = vec![1.0; 10];
        s.extend([
            1.0, 0.99, 0.97, 0.98, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
        ]);
        let r = resilience(&s, 0, 10).unwrap();
        assert!((r.deepest_fall_pct - 3.0).abs() < 1e-9);
        // Recovered at the trough (day 2): it never left the band.
        assert_eq!(r.recovery_days, Some(2));
        // The shortfall from the shock's start through the trough: 0 + 1 + 3.
        assert!(r.loss_area > 0.0);
        assert!((r.loss_area - 4.0).abs() < 1e-9, "{}", r.loss_area);
    }

    #[test]
    fn a_flat_series_has_no_fall_and_no_loss() {
        let s = vec![1.0; 20];
        let r = resilience(&s, 0, 10).unwrap();
        assert_eq!(r.deepest_fall_pct, 0.0);
        assert_eq!(r.recovery_days, Some(0));
        assert_eq!(r.loss_area, 0.0);
    }

    #[test]
    fn a_dip_that_stays_below_the_band_for_less_than_hold_ticks_is_not_yet_recovered() {
        // Back inside the band at day 3, out again at day 5: recovery waits for a tick
        // that holds for HOLD ticks.
        let mut s = vec![1.0; 10];
        s.extend([
            0.8, 0.9, 0.93, 0.96, 0.97, 0.9, 0.96, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
        ]);
        let r = resilience(&s, 0, 10).unwrap();
        assert_eq!(r.recovery_days, Some(6));
        let expected = 20.0 + 10.0 + 7.0 + 4.0 + 3.0 + 10.0 + 4.0;
        assert!((r.loss_area - expected).abs() < 1e-9, "{}", r.loss_area);
    }

    #[test]
    fn no_baseline_no_figures() {
        assert!(resilience(&[1.0, 1.0], 0, 0).is_none());
    }
}
