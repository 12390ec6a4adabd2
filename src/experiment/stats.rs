//! Per-cell statistics of a sweep, computed by streaming `runs.csv` (memory follows the
//! number of cells, not runs): n, mean, sample standard deviation and the 95% confidence
//! interval of the mean (Student's t).

use std::collections::BTreeMap;

/// Welford's running mean and variance.
#[derive(Clone, Copy, Debug, Default)]
pub struct Running {
    pub n: u64,
    mean: f64,
    m2: f64,
}

impl Running {
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }

    /// Sample standard deviation (n − 1); NaN below two values.
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            f64::NAN
        } else {
            (self.m2 / (self.n - 1) as f64).sqrt()
        }
    }

    /// The accumulator of `n` values with this mean and sample standard deviation (as a
    /// summary row gives them), so that rows read back compare like values pushed.
    pub fn from_moments(n: u64, mean: f64, sd: f64) -> Running {
        let m2 = if n >= 2 {
            sd * sd * (n - 1) as f64
        } else {
            0.0
        };
        Running { n, mean, m2 }
    }

    /// The 95% interval (Welch) of `self.mean() − other.mean()`; `None` unless each has
    /// two or more values. Two samples that never vary give the difference itself.
    pub fn welch95(&self, other: &Running) -> Option<(f64, f64)> {
        let (a, b) = (self, other);
        if !(a.n >= 2 && b.n >= 2 && a.sd().is_finite() && b.sd().is_finite()) {
            return None;
        }
        let gap = a.mean() - b.mean();
        let (va, vb) = (
            a.m2 / (a.n - 1) as f64 / a.n as f64,
            b.m2 / (b.n - 1) as f64 / b.n as f64,
        );
        let se = (va + vb).sqrt();
        let half = if se > 0.0 {
            let df = (va + vb).powi(2) / (va * va / (a.n - 1) as f64 + vb * vb / (b.n - 1) as f64);
            t975(df.floor().max(1.0) as u64) * se
        } else {
            0.0
        };
        Some((gap - half, gap + half))
    }

    /// 95% confidence interval of the mean: mean ± t(0.975, n−1)·sd/√n.
    pub fn ci95(&self) -> (f64, f64) {
        if self.n < 2 {
            return (f64::NAN, f64::NAN);
        }
        let h = t975(self.n - 1) * self.sd() / (self.n as f64).sqrt();
        (self.mean - h, self.mean + h)
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom (table to 30, then the
/// normal approximation with a 1/df correction).
pub fn t975(df: u64) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => T[df as usize - 1],
        _ => 1.959964 + 2.4 / df as f64,
    }
}

/// Summary rows from `runs.csv` rows (header first). Columns of runs.csv: run, cell,
/// replicate, seed, scenario, regime, the factors, then the metrics (`first_metric` is the
/// index of the first metric column).
pub fn summarise(
    header: &[String],
    rows: impl Iterator<Item = Vec<String>>,
    first_metric: usize,
) -> (Vec<String>, Vec<Vec<String>>) {
    let metrics = &header[first_metric..];
    let mut cells: BTreeMap<u64, (Vec<String>, Vec<Running>)> = BTreeMap::new();
    for row in rows {
        let cell: u64 = row[1].parse().unwrap_or(u64::MAX);
        let entry = cells.entry(cell).or_insert_with(|| {
            (
                row[4..first_metric].to_vec(),
                vec![Running::default(); metrics.len()],
            )
        });
        for (acc, v) in entry.1.iter_mut().zip(&row[first_metric..]) {
            if let Ok(x) = v.parse::<f64>()
                && x.is_finite()
            {
                acc.push(x);
            }
        }
    }
    let mut out_header = vec!["cell".to_string()];
    out_header.extend(header[4..first_metric].iter().cloned());
    out_header.push("n".into());
    for m in metrics {
        for s in ["mean", "sd", "ci95_low", "ci95_high"] {
            out_header.push(format!("{m}_{s}"));
        }
    }
    let f = crate::base::num::decimal;
    let rows = cells
        .into_iter()
        .map(|(cell, (labels, accs))| {
            let mut r = vec![cell.to_string()];
            r.extend(labels);
            r.push(accs.iter().map(|a| a.n).max().unwrap_or(0).to_string());
            for a in &accs {
                let (lo, hi) = a.ci95();
                r.extend([f(a.mean()), f(a.sd()), f(lo), f(hi)]);
            }
            r
        })
        .collect();
    (out_header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_match_a_hand_computed_example() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample sd = sqrt(32/7) = 2.13809,
        // CI = 5 ± 2.365 · 2.13809 / sqrt(8) = 5 ± 1.78777.
        let mut r = Running::default();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            r.push(x);
        }
        assert_eq!(r.n, 8);
        assert!((r.mean() - 5.0).abs() < 1e-12);
        assert!((r.sd() - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        let (lo, hi) = r.ci95();
        assert!(
            (lo - (5.0 - 1.787_77)).abs() < 1e-4 && (hi - (5.0 + 1.787_77)).abs() < 1e-4,
            "{lo} {hi}"
        );
    }

    /// Welch's interval by hand: 1, 2, 3 against 2, 4, 6, 8: means 2 and 5, variances of
    /// the means 1/3 and 5/3, df = 2² / ((1/3)²/2 + (5/3)²/3) = 4.08 → 4, so the
    /// half-width is 2.776 · √2. The same from the rows' moments; none from one value.
    #[test]
    fn welch_interval_matches_a_hand_computed_example() {
        let (mut a, mut b) = (Running::default(), Running::default());
        [1.0, 2.0, 3.0].into_iter().for_each(|x| a.push(x));
        [2.0, 4.0, 6.0, 8.0].into_iter().for_each(|x| b.push(x));
        let (lo, hi) = a.welch95(&b).unwrap();
        let half = 2.776 * 2f64.sqrt();
        assert!((lo - (-3.0 - half)).abs() < 1e-9 && (hi - (-3.0 + half)).abs() < 1e-9);
        let back = Running::from_moments(4, b.mean(), b.sd());
        let (l2, h2) = a.welch95(&back).unwrap();
        assert!((l2 - lo).abs() < 1e-12 && (h2 - hi).abs() < 1e-12);
        let mut one = Running::default();
        one.push(1.0);
        assert_eq!(a.welch95(&one), None);
        // Equal samples that never vary: the difference exactly, 0 to 0.
        let same = Running::from_moments(3, 0.5, 0.0);
        assert_eq!(same.welch95(&same), Some((0.0, 0.0)));
    }

    #[test]
    fn summary_groups_by_cell_and_skips_empty_cells() {
        let header: Vec<String> = [
            "run",
            "cell",
            "replicate",
            "seed",
            "scenario",
            "regime",
            "x",
            "m",
        ]
        .map(String::from)
        .to_vec();
        let rows = vec![
            ["0", "0", "0", "1", "s", "linkage", "0.1", "1.0"],
            ["1", "0", "1", "2", "s", "linkage", "0.1", "3.0"],
            ["2", "1", "0", "3", "s", "linkage", "0.2", ""],
        ]
        .into_iter()
        .map(|r| r.map(String::from).to_vec());
        let (h, out) = summarise(&header, rows, 7);
        assert_eq!(
            h,
            [
                "cell",
                "scenario",
                "regime",
                "x",
                "n",
                "m_mean",
                "m_sd",
                "m_ci95_low",
                "m_ci95_high"
            ]
        );
        assert_eq!(out[0][..6], ["0", "s", "linkage", "0.1", "2", "2.000000"]);
        assert_eq!(out[1][4], "0");
        assert_eq!(out[1][5], "");
    }
}
