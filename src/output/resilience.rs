//! Resilience of a metric (Bruneau et al. 2003's resilience triangle), for metrics where
//! higher is better: against its no-shock twin run day by day ([`against_twin`]), or,
//! without a twin, against its pre-shock baseline ([`resilience`]).

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
    let baseline = pre_shock_mean(series, burn_in, shock_start)?;
    let start = shock_start.min(series.len());
    Some(triangle(&series[start..], |_| baseline, baseline))
}

/// Resilience of `series` against its no-shock `twin` (the same scenario and seed without
/// the shocks, so that the gap is the shock's alone): the fall on each day is the
/// relative shortfall below the twin's value that day, recovery is a return to within
/// [`TOLERANCE`] of the twin, and the loss area sums the daily shortfalls. A metric that
/// drifts on its own (trust rising through the year) is thus not read as recovering, nor
/// a harm that outlasts the shock as none. `baseline` is the pre-shock mean, as for
/// [`resilience`]. `None` as there.
pub fn against_twin(
    series: &[f64],
    twin: &[f64],
    burn_in: usize,
    shock_start: usize,
) -> Option<Resilience> {
    let baseline = pre_shock_mean(series, burn_in, shock_start)?;
    let start = shock_start.min(series.len());
    let len = series.len().min(twin.len()).max(start);
    let reference = |i: usize| twin.get(start + i).copied().unwrap_or(f64::NAN);
    Some(triangle(&series[start..len], reference, baseline))
}

/// Mean of the finite values of `series` from `burn_in` to `shock_start`; `None` when
/// there are none or the mean is not positive.
fn pre_shock_mean(series: &[f64], burn_in: usize, shock_start: usize) -> Option<f64> {
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
    (baseline > 0.0).then_some(baseline)
}

/// The resilience triangle of `after` (the series from the shock's start) against the
/// value it should have had on each day, `reference(i)` (a day whose value or reference
/// is undefined or not positive counts as no fall).
fn triangle(after: &[f64], reference: impl Fn(usize) -> f64, baseline: f64) -> Resilience {
    let fall = |i: usize| {
        let (v, r) = (after[i], reference(i));
        if v.is_finite() && r.is_finite() && r > 0.0 {
            ((r - v) / r).max(0.0)
        } else {
            0.0
        }
    };
    // The first tick of the deepest fall (ties keep the earliest).
    let (trough, deepest) = (0..after.len())
        .map(|i| (i, fall(i)))
        .fold((0, 0.0f64), |best, x| if x.1 > best.1 { x } else { best });
    let within = |i: usize| fall(i) <= TOLERANCE;
    let recovery = if after.is_empty() {
        Some(0)
    } else {
        (trough..after.len())
            .find(|&i| (i..(i + HOLD).min(after.len())).all(within))
            .map(|i| i as u32)
    };
    let end = recovery.map_or(after.len(), |r| (r as usize + 1).min(after.len()));
    let loss_area = (0..end).map(fall).sum::<f64>() * 100.0;
    Resilience {
        baseline,
        deepest_fall_pct: deepest * 100.0,
        recovery_days: recovery,
        loss_area,
    }
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
    fn against_a_flat_twin_it_is_the_pre_shock_triangle() {
        let mut s = vec![1.0; 10];
        s.extend([0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0]);
        let twin = vec![1.0; s.len()];
        assert_eq!(against_twin(&s, &twin, 0, 10), resilience(&s, 0, 10));
    }

    #[test]
    fn a_twin_that_drifts_up_shows_the_harm_a_baseline_hides() {
        // The no-shock twin rises 1% a day after the shock; the shocked run stays flat at
        // the baseline: against the baseline nothing fell, against the twin it fell and
        // never recovered.
        let mut s = vec![1.0; 10];
        s.extend([1.0; 10]);
        let mut twin = vec![1.0; 10];
        twin.extend((1..=10).map(|i| 1.0 + 0.01 * i as f64));
        let flat = resilience(&s, 0, 10).unwrap();
        assert_eq!(flat.deepest_fall_pct, 0.0);
        assert_eq!(flat.loss_area, 0.0);
        let r = against_twin(&s, &twin, 0, 10).unwrap();
        assert!((r.deepest_fall_pct - 100.0 * 0.1 / 1.1).abs() < 1e-9);
        assert_eq!(r.recovery_days, None);
        assert!(r.loss_area > 0.0);
        assert_eq!(r.baseline, 1.0);
    }

    #[test]
    fn recovery_against_the_twin_is_a_return_to_within_the_band_of_it() {
        // The shocked run dips 20% below a twin that falls on its own; it is back within
        // 5% of the twin on day 3 and stays.
        let mut s = vec![1.0; 5];
        s.extend([
            0.72, 0.8, 0.85, 0.86, 0.86, 0.87, 0.86, 0.86, 0.86, 0.86, 0.86,
        ]);
        let mut twin = vec![1.0; 5];
        twin.extend([0.9; 11]);
        let r = against_twin(&s, &twin, 0, 5).unwrap();
        assert!((r.deepest_fall_pct - 20.0).abs() < 1e-9);
        assert_eq!(r.recovery_days, Some(3));
        // The same run against its own pre-shock baseline never recovers.
        assert_eq!(resilience(&s, 0, 5).unwrap().recovery_days, None);
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
