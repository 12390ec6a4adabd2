//! Regimes compared with their uncertainty: each regime's mean of a metric over its
//! replicates with its 95% t-interval, and for each pair of regimes the 95% interval
//! (Welch) of their difference, said in words: which is above by how much, or that the
//! two "cannot be told apart" when the interval includes 0. One place for the table and
//! the sentences that `linkage run --replicates` prints and writes into its report, and
//! that a sweep's report gives per scenario.
//!
//! Invariant: a sentence claims a difference only when the interval of that difference
//! excludes 0; with fewer than two replicates it says there is no interval.

use super::lang::{Lang, metric_label, regime_label};
use super::page::esc;
use crate::experiment::stats::Running;
use crate::output::metrics::{HOTLINE, label};
use std::fmt::Write as _;

/// The metrics compared: the hotline's grades, then trust and happiness on the last day
/// and collective action three ways (onsets alone flatter many short incidents).
pub const METRICS: [&str; 11] = [
    HOTLINE[0],
    HOTLINE[1],
    HOTLINE[2],
    HOTLINE[3],
    HOTLINE[4],
    HOTLINE[5],
    "trust_end",
    "happiness_end",
    "incidents",
    "incident_days",
    "protester_days",
];

/// One metric's values per regime (in regime order), each over its replicates.
#[derive(Clone, Debug)]
pub struct Spread {
    pub metric: String,
    pub regimes: Vec<(String, Running)>,
}

/// A value of `metric` as the tables write it: a bounded metric (a share) to three
/// decimals, anything else to two, or whole from 100 on.
pub fn show(metric: &str, v: f64) -> String {
    if !v.is_finite() {
        "-".into()
    } else if label(metric).and_then(|l| l.range).is_some() {
        format!("{v:.3}")
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// `a` to `b` as a range: "0.503–0.521", or "-1.48 to 3.48" when a bound is negative.
pub fn range(metric: &str, a: f64, b: f64) -> String {
    if a < 0.0 || b < 0.0 {
        format!("{} to {}", show(metric, a), show(metric, b))
    } else {
        format!("{}–{}", show(metric, a), show(metric, b))
    }
}

/// A regime's mean with its 95% interval, "0.512 (0.503–0.521)"; the mean alone below
/// two values. A bounded metric's interval is shown clipped to its range (a t-interval
/// near an end of a share can cross it; the files keep the values as computed).
pub fn with_interval(metric: &str, r: &Running) -> String {
    match interval(metric, r) {
        Some(i) => format!("{} ({i})", show(metric, r.mean())),
        None => show(metric, r.mean()),
    }
}

/// The 95% interval of a regime's mean as [`range`] writes it, clipped to a bounded
/// metric's range; `None` below two values.
pub fn interval(metric: &str, r: &Running) -> Option<String> {
    bounds(metric, r).map(|(lo, hi)| range(metric, lo, hi))
}

/// The 95% interval of a regime's mean, clipped to a bounded metric's range; `None`
/// below two values.
pub fn bounds(metric: &str, r: &Running) -> Option<(f64, f64)> {
    let (lo, hi) = r.ci95();
    if !(lo.is_finite() && hi.is_finite()) {
        return None;
    }
    Some(match label(metric).and_then(|l| l.range) {
        Some((a, b)) => (lo.clamp(a, b), hi.clamp(a, b)),
        None => (lo, hi),
    })
}

/// Two regimes on one metric: the one with the higher mean first.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    pub high: String,
    pub low: String,
    /// The higher mean minus the lower (≥ 0).
    pub gap: f64,
    /// The 95% interval (Welch) of `gap`; `None` below two replicates on either side.
    pub interval: Option<(f64, f64)>,
}

impl Pair {
    /// Whether the interval of the difference excludes 0 (`None`: no interval).
    pub fn told_apart(&self) -> Option<bool> {
        self.interval.map(|(l, h)| l > 0.0 || h < 0.0)
    }
}

/// Every pair of the spread's regimes once, in regime order, the higher mean first
/// (a tie keeps regime order). Regimes without a value are left out.
pub fn pairs(s: &Spread) -> Vec<Pair> {
    let known: Vec<&(String, Running)> = s
        .regimes
        .iter()
        .filter(|(_, r)| r.mean().is_finite())
        .collect();
    let mut out = Vec::new();
    for (i, a) in known.iter().enumerate() {
        for b in &known[i + 1..] {
            let (hi, lo) = if b.1.mean() > a.1.mean() {
                (b, a)
            } else {
                (a, b)
            };
            out.push(Pair {
                high: hi.0.clone(),
                low: lo.0.clone(),
                gap: hi.1.mean() - lo.1.mean(),
                interval: hi.1.welch95(&lo.1),
            });
        }
    }
    out
}

/// The spread in words, one sentence: per pair, which regime is above and by how much
/// with the 95% interval of the difference, or that the two cannot be told apart.
/// `None` with fewer than two regimes valued.
pub fn sentence(s: &Spread, lang: Lang) -> Option<String> {
    let m = s.metric.as_str();
    let parts: Vec<String> = pairs(s)
        .iter()
        .map(|p| {
            let (a, b) = (regime_label(lang, &p.high), regime_label(lang, &p.low));
            let gap = show(m, p.gap);
            if p.interval == Some((0.0, 0.0)) {
                // Both never varied, and alike: nothing to estimate.
                return match lang {
                    Lang::En => format!("{a} and {b} cannot be told apart (equal in every replicate)"),
                    Lang::Zh => format!("{a}与{b}分不出高下（每次重复都相等）"),
                };
            }
            match (lang, p.interval, p.told_apart()) {
                (Lang::En, Some((l, h)), Some(true)) => format!(
                    "{a} is above {b} by {gap} (95% CI of the difference {} to {})",
                    show(m, l),
                    show(m, h)
                ),
                (Lang::En, Some((l, h)), _) => format!(
                    "{a} and {b} cannot be told apart (difference {gap}, 95% CI {} to {}, which includes 0)",
                    show(m, l),
                    show(m, h)
                ),
                (Lang::En, None, _) => {
                    format!("{a} is above {b} by {gap} (one replicate, so no interval)")
                }
                (Lang::Zh, Some((l, h)), Some(true)) => format!(
                    "{a}比{b}高{gap}（差值的95%置信区间 {} 至 {}）",
                    show(m, l),
                    show(m, h)
                ),
                (Lang::Zh, Some((l, h)), _) => format!(
                    "{a}与{b}分不出高下（差值{gap}，95%置信区间 {} 至 {}，含0）",
                    show(m, l),
                    show(m, h)
                ),
                (Lang::Zh, None, _) => format!("{a}比{b}高{gap}（只有一次重复，没有置信区间）"),
            }
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    Some(match lang {
        Lang::En => format!("{m}: {}.", parts.join("; ")),
        Lang::Zh => format!("{m}：{}。", parts.join("；")),
    })
}

/// Of several metrics' spreads, the pairs that cannot be told apart, in one sentence
/// opened by `lead` ("Under S, "): "fragmented and integrated on closure_rate; …", or
/// that every pair is told apart on every metric. `None` when no pair has an interval.
pub fn apart_sentence(lead: &str, spreads: &[Spread], lang: Lang) -> Option<String> {
    let mut with_interval = 0;
    let mut alike = Vec::new();
    for s in spreads {
        for p in pairs(s) {
            match p.told_apart() {
                Some(true) => with_interval += 1,
                Some(false) => {
                    with_interval += 1;
                    let (a, b) = (regime_label(lang, &p.high), regime_label(lang, &p.low));
                    alike.push(match lang {
                        Lang::En => format!("{a} and {b} on {}", s.metric),
                        Lang::Zh => format!("{a}与{b}的{}", s.metric),
                    });
                }
                None => {}
            }
        }
    }
    if with_interval == 0 {
        return None;
    }
    Some(match (lang, alike.is_empty()) {
        (Lang::En, true) => format!(
            "{lead}every pair of regimes is told apart on every metric shown (each 95% interval of a difference excludes 0)."
        ),
        (Lang::En, false) => format!(
            "{lead}these cannot be told apart (the 95% interval of the difference includes 0): {}.",
            alike.join("; ")
        ),
        (Lang::Zh, true) => {
            format!("{lead}各体制两两之间在所列各指标上都分得出高下（差值的95%置信区间都不含0）。")
        }
        (Lang::Zh, false) => format!(
            "{lead}以下分不出高下（差值的95%置信区间含0）：{}。",
            alike.join("；")
        ),
    })
}

/// The regimes of a list of spreads, in order of first appearance.
fn regimes_of(spreads: &[Spread]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in spreads {
        for (r, _) in &s.regimes {
            if !out.contains(r) {
                out.push(r.clone());
            }
        }
    }
    out
}

/// A regime's cell of one spread.
fn cell_of(s: &Spread, regime: &str) -> String {
    s.regimes
        .iter()
        .find(|(r, _)| r == regime)
        .filter(|(_, x)| x.n > 0)
        .map_or("-".to_string(), |(_, x)| with_interval(&s.metric, x))
}

/// The comparison as an HTML section: a heading, a table with a row per metric and a
/// column per regime (mean and 95% interval), and a sentence per metric.
pub fn section(title: &str, spreads: &[Spread], lang: Lang) -> String {
    let regimes = regimes_of(spreads);
    let mut body = format!("<h2>{}</h2><table><tr><th></th>", esc(title));
    for r in &regimes {
        let _ = write!(body, "<th>{}</th>", esc(&regime_label(lang, r)));
    }
    body.push_str("</tr>\n");
    for s in spreads {
        let _ = write!(
            body,
            "<tr><th>{}</th>",
            esc(&metric_label(lang, &s.metric, None))
        );
        for r in &regimes {
            let _ = write!(body, "<td>{}</td>", esc(&cell_of(s, r)));
        }
        body.push_str("</tr>\n");
    }
    body.push_str("</table>\n<ul class=\"say\">");
    for s in spreads.iter().filter_map(|s| sentence(s, lang)) {
        let _ = write!(body, "<li>{}</li>", esc(&s));
    }
    body.push_str("</ul>\n");
    body
}

/// The comparison as text for stdout: a row per metric, a column per regime, then a
/// sentence per metric.
pub fn text(spreads: &[Spread]) -> String {
    let regimes = regimes_of(spreads);
    let mut rows: Vec<Vec<String>> = vec![
        std::iter::once("metric".to_string())
            .chain(regimes.iter().cloned())
            .collect(),
    ];
    for s in spreads {
        rows.push(
            std::iter::once(s.metric.clone())
                .chain(regimes.iter().map(|r| cell_of(s, r)))
                .collect(),
        );
    }
    let header: Vec<&str> = rows[0].iter().map(String::as_str).collect();
    let mut out = crate::output::table::render(&header, &rows[1..]);
    for s in spreads.iter().filter_map(|s| sentence(s, Lang::En)) {
        let _ = writeln!(out, "{s}");
    }
    out
}

/// The spreads of `metrics` from rows of a table with a `regime` column (one row per
/// regime × replicate, as `replicates.csv`): regimes in order of first appearance, an
/// empty or unreadable value left out. A metric no row has a value of is left out.
pub fn from_rows(header: &[String], rows: &[Vec<String>], metrics: &[&str]) -> Vec<Spread> {
    let Some(cr) = header.iter().position(|h| h == "regime") else {
        return Vec::new();
    };
    let mut regimes: Vec<String> = Vec::new();
    for row in rows {
        if let Some(r) = row.get(cr)
            && !regimes.contains(r)
        {
            regimes.push(r.clone());
        }
    }
    metrics
        .iter()
        .filter_map(|&m| {
            let c = header.iter().position(|h| h == m)?;
            let spread = Spread {
                metric: m.to_string(),
                regimes: regimes
                    .iter()
                    .map(|g| {
                        let mut acc = Running::default();
                        for row in rows.iter().filter(|row| row.get(cr) == Some(g)) {
                            if let Some(v) = row.get(c).and_then(|v| v.parse::<f64>().ok())
                                && v.is_finite()
                            {
                                acc.push(v);
                            }
                        }
                        (g.clone(), acc)
                    })
                    .collect(),
            };
            spread
                .regimes
                .iter()
                .any(|(_, r)| r.n > 0)
                .then_some(spread)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spread(values: &[(&str, &[f64])]) -> Spread {
        Spread {
            metric: "solution_rate".into(),
            regimes: values
                .iter()
                .map(|(r, xs)| {
                    let mut acc = Running::default();
                    xs.iter().for_each(|&x| acc.push(x));
                    (r.to_string(), acc)
                })
                .collect(),
        }
    }

    #[test]
    fn a_gap_is_claimed_only_when_its_interval_excludes_zero() {
        let s = spread(&[
            ("fragmented", &[0.50, 0.51, 0.52]),
            ("integrated", &[0.60, 0.61, 0.62]),
            ("linkage", &[0.59, 0.63, 0.61]),
        ]);
        let said = sentence(&s, Lang::En).unwrap();
        assert!(
            said.contains("integrated is above fragmented by 0.100 (95% CI of the difference"),
            "{said}"
        );
        assert!(
            said.contains("linkage and integrated cannot be told apart (difference 0.000")
                || said.contains("integrated and linkage cannot be told apart (difference 0.000"),
            "{said}"
        );
        let p = pairs(&s);
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].told_apart(), Some(true));
        let zh = sentence(&s, Lang::Zh).unwrap();
        assert!(zh.contains("分不出高下") && zh.contains("含0"), "{zh}");
        let note = apart_sentence("Under x, ", std::slice::from_ref(&s), Lang::En).unwrap();
        assert!(note.contains("cannot be told apart") && note.contains("on solution_rate"));
        // One replicate: no interval, said so, and no claim either way.
        let one = spread(&[("fragmented", &[0.5]), ("linkage", &[0.6])]);
        assert!(
            sentence(&one, Lang::En)
                .unwrap()
                .contains("one replicate, so no interval")
        );
        assert_eq!(apart_sentence("", &[one], Lang::En), None);
    }

    #[test]
    fn a_mean_is_written_inside_its_interval() {
        let s = spread(&[("a", &[0.2, 0.4])]);
        // Clipped to the share's range [0, 1].
        assert_eq!(
            with_interval("solution_rate", &s.regimes[0].1),
            "0.300 (0.000–1.000)"
        );
        assert_eq!(range("protester_days", -1.484, 3.48), "-1.48 to 3.48");
        assert_eq!(show("protester_days", 1234.4), "1234");
        assert_eq!(show("trips_per_solved", 1.234), "1.23");
        let rows = vec![
            vec!["b".to_string(), "1".into(), "0.5".into()],
            vec!["a".to_string(), "1".into(), "".into()],
            vec!["b".to_string(), "2".into(), "0.7".into()],
        ];
        let header = ["regime", "replicate", "solution_rate"].map(String::from);
        let s = from_rows(&header, &rows, &["solution_rate", "trust_end"]);
        assert_eq!(s.len(), 1, "a metric without a column is left out");
        assert_eq!(s[0].regimes[0].0, "b");
        assert_eq!(s[0].regimes[0].1.n, 2);
        assert_eq!(s[0].regimes[1].1.n, 0, "an empty value is left out");
        assert!(text(&s).contains("0.600 ("));
    }
}
