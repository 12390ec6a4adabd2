//! What the page draws from a run as it goes: each day's chart points (the city row of
//! the day's tick metrics, and two hotline shares over the same rolling window), and at
//! the end one sentence a chart, computed from those numbers.

use super::catalog::CHARTS;
use crate::output::metrics::TICK_METRICS;
use ndarray::ArrayView1;

fn column(name: &str) -> usize {
    TICK_METRICS
        .iter()
        .position(|m| m.name == name)
        .unwrap_or_else(|| panic!("no tick metric {name}"))
}

/// The chart points of one regime, day by day.
pub struct Series {
    window: usize,
    /// Each day's resolved, reported, satisfied and callbacks (city), for the windowed
    /// shares.
    raw: Vec<[f64; 4]>,
    /// Each day's points, in the order of [`CHARTS`].
    pub days: Vec<[f64; CHARTS.len()]>,
    cols: Cols,
}

struct Cols {
    service: usize,
    trust: usize,
    happiness: usize,
    protesters: usize,
    cost: usize,
    raw: [usize; 4],
}

impl Series {
    pub fn new(window: u32) -> Series {
        Series {
            window: window.max(1) as usize,
            raw: Vec::new(),
            days: Vec::new(),
            cols: Cols {
                service: column("service_rate"),
                trust: column("trust"),
                happiness: column("happiness"),
                protesters: column("protesters"),
                cost: column("staff_hours"),
                raw: [
                    column("resolved"),
                    column("reported"),
                    column("satisfied"),
                    column("callbacks"),
                ],
            },
        }
    }

    /// Add the next day from the city's row of the day's tick metrics; its points.
    pub fn push(&mut self, city: ArrayView1<'_, f64>) -> [f64; CHARTS.len()] {
        let c = &self.cols;
        self.raw.push(c.raw.map(|k| city[k]));
        let from = self.raw.len().saturating_sub(self.window);
        let mut sums = [0.0; 4];
        for r in &self.raw[from..] {
            for k in 0..4 {
                sums[k] += r[k];
            }
        }
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        let p = [
            city[c.service],
            ratio(sums[0], sums[1]),
            ratio(sums[2], sums[3]),
            city[c.trust],
            city[c.happiness],
            city[c.protesters],
            city[c.cost],
        ];
        self.days.push(p);
        p
    }
}

/// The points as JSON (NaN, a day with nothing to share, as null).
pub fn points_json(p: &[f64; CHARTS.len()]) -> serde_json::Value {
    let m: serde_json::Map<String, serde_json::Value> = CHARTS
        .iter()
        .zip(p)
        .map(|(c, &v)| {
            let v = if v.is_finite() {
                serde_json::json!(v)
            } else {
                serde_json::Value::Null
            };
            (c.id.to_string(), v)
        })
        .collect();
    serde_json::Value::Object(m)
}

/// The shock the sentences name: its label and window `[start, end)`.
pub struct ShockSpan {
    pub en: &'static str,
    pub zh: &'static str,
    pub start: u32,
    pub end: u32,
}

fn show(chart: &str, v: f64) -> String {
    match chart {
        "protesters" | "cost" => {
            if v.abs() >= 100.0 {
                crate::output::table::thousands(v.round())
            } else {
                format!("{v:.1}")
            }
        }
        _ => format!("{v:.2}"),
    }
}

/// One sentence a chart in English and in Chinese, from each regime's points:
/// each regime's mean over the run, highest first, and, when there is a shock, the
/// worst point during it (the lowest for shares, the highest for protesters and cost).
pub fn sentences(
    regimes: &[(String, &Series)],
    shock: Option<&ShockSpan>,
) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    for (k, chart) in CHARTS.iter().enumerate() {
        let higher_is_worse = matches!(chart.id, "protesters" | "cost");
        let mut means: Vec<(String, f64)> = regimes
            .iter()
            .filter_map(|(name, s)| {
                let vals: Vec<f64> = s
                    .days
                    .iter()
                    .map(|d| d[k])
                    .filter(|v| v.is_finite())
                    .collect();
                (!vals.is_empty())
                    .then(|| (name.clone(), vals.iter().sum::<f64>() / vals.len() as f64))
            })
            .collect();
        if means.is_empty() {
            continue;
        }
        means.sort_by(|a, b| b.1.total_cmp(&a.1));
        let days = regimes.first().map_or(0, |(_, s)| s.days.len());
        let list = |sep: &str| {
            means
                .iter()
                .map(|(n, v)| format!("{n} {}", show(chart.id, *v)))
                .collect::<Vec<_>>()
                .join(sep)
        };
        let mut en = format!("{}: mean over the {days} days {}", chart.en, list(", "));
        let mut zh = format!("{}：{days} 天平均 {}", chart.zh, list("，"));
        if means.len() >= 2
            && show(chart.id, means[0].1 - means[means.len() - 1].1) == show(chart.id, 0.0)
        {
            en.push_str(" (level at this precision)");
            zh.push_str("（在此精度下持平）");
        } else if means.len() >= 2 {
            let gap = means[0].1 - means[means.len() - 1].1;
            en.push_str(&format!(
                " ({} above {} by {})",
                means[0].0,
                means[means.len() - 1].0,
                show(chart.id, gap)
            ));
            zh.push_str(&format!(
                "（{} 比 {} 高 {}）",
                means[0].0,
                means[means.len() - 1].0,
                show(chart.id, gap)
            ));
        }
        if let Some(sh) = shock {
            let worst = regimes
                .iter()
                .flat_map(|(name, s)| {
                    s.days
                        .iter()
                        .enumerate()
                        .skip(sh.start as usize)
                        .take((sh.end - sh.start) as usize)
                        .filter(|(_, d)| d[k].is_finite())
                        .map(move |(t, d)| (name, t, d[k]))
                })
                .reduce(|a, b| {
                    let better = if higher_is_worse {
                        b.2 > a.2
                    } else {
                        b.2 < a.2
                    };
                    if better { b } else { a }
                });
            if let Some((name, t, v)) = worst {
                let (w_en, w_zh) = if higher_is_worse {
                    ("highest", "最高")
                } else {
                    ("lowest", "最低")
                };
                en.push_str(&format!(
                    "; during the {} (days {}-{}) the {w_en} point was {name}'s {} on day {t}",
                    sh.en,
                    sh.start,
                    sh.end - 1,
                    show(chart.id, v)
                ));
                zh.push_str(&format!(
                    "；{}期间（第 {}-{} 天）{w_zh}点是 {name} 第 {t} 天的 {}",
                    sh.zh,
                    sh.start,
                    sh.end - 1,
                    show(chart.id, v)
                ));
            }
        }
        en.push('.');
        zh.push('。');
        out.push((chart.id, en, zh));
    }
    out
}

/// Sentences of every form, in both languages, under every kind of shock: the text the
/// `done` event can carry besides names and numbers, for the page's font cut.
pub fn sample_text() -> String {
    let mut a = Series::new(7);
    let mut b = Series::new(7);
    let high = vec![1.0; TICK_METRICS.len()];
    let low = vec![0.5; TICK_METRICS.len()];
    for _ in 0..3 {
        a.push(ndarray::ArrayView1::from(&high));
        b.push(ndarray::ArrayView1::from(&low));
    }
    let mut out = String::new();
    for kind in super::catalog::shock_kinds() {
        let (en, zh) = super::catalog::shock_label(kind);
        let span = ShockSpan {
            en,
            zh,
            start: 0,
            end: 2,
        };
        for pair in [[&a, &b], [&a, &a]] {
            let named = [("a".to_string(), pair[0]), ("b".to_string(), pair[1])];
            for (_, en, zh) in sentences(&named, Some(&span)) {
                out.push_str(&en);
                out.push_str(&zh);
            }
        }
    }
    for (_, en, zh) in sentences(&[("a".into(), &a)], None) {
        out.push_str(&en);
        out.push_str(&zh);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: &[f64]) -> Series {
        let mut s = Series::new(7);
        for &v in values {
            let mut row = vec![0.0; TICK_METRICS.len()];
            row[column("service_rate")] = v;
            row[column("resolved")] = v * 10.0;
            row[column("reported")] = 10.0;
            s.push(ndarray::ArrayView1::from(&row));
        }
        s
    }

    #[test]
    fn the_sample_text_has_every_word_of_the_chinese_sentences() {
        let t = sample_text();
        for c in "天平均比高期间第最低最高点是的在此精度下持平".chars() {
            assert!(t.contains(c), "{c}");
        }
    }

    #[test]
    fn the_solution_share_is_taken_over_the_window() {
        let s = series(&[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(s.days[0][1], 1.0);
        assert!((s.days[6][1] - 1.0 / 7.0).abs() < 1e-12);
        assert_eq!(s.days[7][1], 0.0, "day 0 has left the 7-day window");
        assert!(s.days[0][2].is_nan(), "no callbacks: no share");
    }

    #[test]
    fn sentences_rank_the_regimes_and_find_the_shocks_worst_point() {
        let a = series(&[0.9, 0.9, 0.8, 0.9]);
        let b = series(&[0.7, 0.5, 0.6, 0.7]);
        let shock = ShockSpan {
            en: "flood",
            zh: "洪涝",
            start: 1,
            end: 3,
        };
        let s = sentences(&[("a".into(), &a), ("b".into(), &b)], Some(&shock));
        let (id, en, zh) = &s[0];
        assert_eq!(*id, "service");
        assert!(
            en.contains("mean over the 4 days a 0.88, b 0.62 (a above b by 0.25)"),
            "{en}"
        );
        assert!(
            en.contains("the lowest point was b's 0.50 on day 1"),
            "{en}"
        );
        assert!(zh.contains("洪涝期间"), "{zh}");
    }
}
