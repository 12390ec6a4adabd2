//! The report of a sweep folder: the folder read back (the experiment, the per-cell
//! summary, the drawn cells' series and each scenario as run), the comparison in
//! sentences, and the page: a regime × scenario table, each headline metric over time per
//! scenario with its confidence bands, a heat map (grid designs) and tornado charts
//! (one-at-a-time designs).
//!
//! Shock windows and the rolling window come from the scenario as the sweep ran it,
//! `scenario-<k>.toml` for the k-th entry of the experiment's `scenarios` (k from 0);
//! a folder of an older version without those files falls back to loading the scenario
//! by its name with the experiment's `ticks` and `residents` applied.

use super::charts::{self, Scale, Window, render};
use super::compare::{self, Spread};
use super::lang::{Lang, metric_label, regime_label};
use super::page::{cell, cell_noted, esc, page, scale_legend};
use super::run::shock_windows;
use super::{Charts, ReportError, open_csv};
use crate::base::num::given;
use crate::experiment::spec::{Design, Experiment};
use crate::experiment::stats::Running;
use crate::output::metrics::{HEADLINE, HOTLINE, label};
use crate::scenario::Scenario;
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// A sweep folder, read back: the experiment, the per-cell summary, and each scenario as
/// run (in the order of the experiment's `scenarios`; `None` where it cannot be known).
pub struct SweepData {
    pub experiment: Experiment,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub scenarios: Vec<Option<Scenario>>,
}

impl SweepData {
    pub fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    pub fn value(&self, row: &[String], name: &str) -> Option<f64> {
        self.col(name)
            .and_then(|i| row.get(i))
            .and_then(|v| v.parse().ok())
    }

    /// The colour scale of `metric`'s cell means (see [`Scale::for_metric`]).
    pub fn scale(&self, metric: &str) -> Scale {
        let mean = format!("{metric}_mean");
        Scale::for_metric(
            metric,
            self.rows.iter().filter_map(|r| self.value(r, &mean)),
        )
    }

    /// The regimes of the summary, in name order.
    pub fn regimes(&self) -> Vec<String> {
        let Some(cr) = self.col("regime") else {
            return Vec::new();
        };
        let mut v: Vec<String> = self.rows.iter().map(|r| r[cr].clone()).collect();
        v.sort();
        v.dedup();
        v
    }

    /// The rows of one regime.
    fn of_regime<'a>(&'a self, regime: &'a str) -> impl Iterator<Item = &'a Vec<String>> + 'a {
        let cr = self.col("regime");
        self.rows
            .iter()
            .filter(move |r| cr.is_some_and(|i| r[i] == regime))
    }

    /// `(first factor, second factor, mean of metric)` of each of `regime`'s cells.
    pub fn grid_cells(&self, regime: &str, metric: &str) -> Vec<(f64, f64, f64)> {
        let (fx, fy) = (
            &self.experiment.factors[0].path,
            &self.experiment.factors[1].path,
        );
        let mean = format!("{metric}_mean");
        self.of_regime(regime)
            .filter_map(|row| {
                Some((
                    self.value(row, fx)?,
                    self.value(row, fy)?,
                    self.value(row, &mean)?,
                ))
            })
            .collect()
    }

    /// A one-at-a-time design's bars for `regime`: the mean of `metric` at the base point
    /// (the regime's first cell) and, for each factor (widest first), its name and the
    /// lowest and highest change from the base over its values. `None` without cells.
    pub fn tornado(&self, metric: &str, regime: &str) -> Option<(f64, Vec<Bar>)> {
        let mean = format!("{metric}_mean");
        let mine: Vec<&Vec<String>> = self.of_regime(regime).collect();
        let base_row = mine.first()?;
        let base = self.value(base_row, &mean).unwrap_or(f64::NAN);
        let mut bars: Vec<Bar> = Vec::new();
        for f in &self.experiment.factors {
            let b = self.value(base_row, &f.path);
            let vals: Vec<f64> = mine
                .iter()
                .filter(|r| self.value(r, &f.path) != b)
                .filter_map(|r| self.value(r, &mean))
                .collect();
            let lo = vals.iter().copied().fold(base, f64::min);
            let hi = vals.iter().copied().fold(base, f64::max);
            bars.push((
                f.path.trim_start_matches("mechanism.").to_string(),
                lo - base,
                hi - base,
            ));
        }
        bars.sort_by(|a, b| (b.2 - b.1).total_cmp(&(a.2 - a.1)));
        Some((base, bars))
    }

    /// The scenario as run for a name of the experiment's `scenarios`.
    fn scenario(&self, name: &str) -> Option<&Scenario> {
        let k = self.experiment.scenarios.iter().position(|s| s == name)?;
        self.scenarios.get(k)?.as_ref()
    }
}

/// A tornado bar: the factor, and the lowest and highest change from the base point.
pub type Bar = (String, f64, f64);

/// A sweep folder's `experiment.toml`, read back.
pub fn read_experiment(dir: &Path) -> Result<Experiment, ReportError> {
    let path = dir.join("experiment.toml");
    let text = crate::base::input::read_text(&path, "experiment file")?;
    toml::from_str(&text).map_err(|err| ReportError::Content {
        path: path.clone(),
        problem: one_line(&err.to_string()),
    })
}

/// Read a sweep folder back.
pub fn read(dir: &Path) -> Result<SweepData, ReportError> {
    let experiment = read_experiment(dir)?;
    let mut file = open_csv(dir.join(crate::experiment::sweep::SUMMARY))?;
    let header = file.header()?;
    let rows = file
        .records()
        .map(|rec| rec.map(|rec| rec.iter().map(String::from).collect()))
        .collect::<Result<_, _>>()?;
    let scenarios = (0..experiment.scenarios.len())
        .map(|k| scenario_as_run(dir, &experiment, k))
        .collect::<Result<_, _>>()?;
    Ok(SweepData {
        experiment,
        header,
        rows,
        scenarios,
    })
}

/// The k-th scenario of the experiment as the sweep ran it: `scenario-<k>.toml` when the
/// folder has it (an error naming the file if it does not load); otherwise (a folder of
/// an older version) the scenario loaded by its name with the experiment's `ticks` and
/// `residents` applied, or `None` if it cannot be loaded from here (a path relative to
/// the experiment file).
pub fn scenario_as_run(
    dir: &Path,
    e: &Experiment,
    k: usize,
) -> Result<Option<Scenario>, ReportError> {
    let path = dir.join(crate::experiment::sweep::scenario_file(k));
    if path.exists() {
        return Scenario::load(&path.to_string_lossy())
            .map(Some)
            .map_err(|source| ReportError::Scenario { path, source });
    }
    let Some(Ok(s)) = e.scenarios.get(k).map(|name| Scenario::load(name)) else {
        return Ok(None);
    };
    Ok(Some(e.as_run(s)))
}

/// Per scenario, the spreads of the regimes over replicates ([`replicate_spreads`]).
pub type Spreads = BTreeMap<String, Vec<Spread>>;

/// Per scenario, each regime's spread over its replicates of each of `metrics`, read from
/// `runs.csv`: replicate r's value is the mean, over the regime's settings (its cells in
/// that scenario), of run (cell, r), so the interval is that of the mean over the settings
/// as the tables show it. Streams the file: memory follows scenarios × regimes ×
/// replicates. Empty without `runs.csv` or its columns (the tables then show means
/// alone). A run's empty value is left out.
pub fn replicate_spreads(
    dir: &Path,
    d: &SweepData,
    metrics: &[&str],
) -> Result<Spreads, ReportError> {
    let path = dir.join(crate::experiment::sweep::RUNS);
    if !super::has_table(&path) {
        return Ok(Spreads::new());
    }
    let mut file = open_csv(path)?;
    let header = file.header()?;
    let col = |n: &str| header.iter().position(|h| h == n);
    let (Some(cs), Some(cr), Some(cp)) = (col("scenario"), col("regime"), col("replicate")) else {
        return Ok(Spreads::new());
    };
    let cols: Vec<(&str, usize)> = metrics.iter().filter_map(|&m| Some((m, col(m)?))).collect();
    type Sums = Vec<(f64, u64)>;
    let mut acc: BTreeMap<(String, String), BTreeMap<u64, Sums>> = BTreeMap::new();
    for rec in file.records() {
        let rec = rec?;
        let Some(rep) = rec.get(cp).and_then(|r| r.parse::<u64>().ok()) else {
            continue;
        };
        let key = (
            rec.get(cs).unwrap_or("").to_string(),
            rec.get(cr).unwrap_or("").to_string(),
        );
        let sums = acc
            .entry(key)
            .or_default()
            .entry(rep)
            .or_insert_with(|| vec![(0.0, 0); cols.len()]);
        for (slot, &(_, i)) in sums.iter_mut().zip(&cols) {
            if let Some(v) = rec.get(i).and_then(|v| v.parse::<f64>().ok())
                && v.is_finite()
            {
                slot.0 += v;
                slot.1 += 1;
            }
        }
    }
    let mut out = Spreads::new();
    let regimes = d.regimes();
    for (k, &(m, _)) in cols.iter().enumerate() {
        let mut scenarios: Vec<&String> = acc.keys().map(|(s, _)| s).collect();
        scenarios.dedup();
        for s in scenarios {
            let spread = Spread {
                metric: m.to_string(),
                regimes: regimes
                    .iter()
                    .filter_map(|r| {
                        let reps = acc.get(&(s.clone(), r.clone()))?;
                        let mut run = Running::default();
                        for sums in reps.values() {
                            if sums[k].1 > 0 {
                                run.push(sums[k].0 / sums[k].1 as f64);
                            }
                        }
                        Some((r.clone(), run))
                    })
                    .collect(),
            };
            out.entry(s.clone()).or_default().push(spread);
        }
    }
    Ok(out)
}

/// The spread of `metric` under scenario `s`, if read.
fn spread_of<'a>(spreads: &'a Spreads, s: &str, metric: &str) -> Option<&'a Spread> {
    spreads.get(s)?.iter().find(|x| x.metric == metric)
}

/// A regime's replicates of a spread, when it has two or more (so an interval).
fn replicates_of<'a>(spread: Option<&'a Spread>, regime: &str) -> Option<&'a Running> {
    spread?
        .regimes
        .iter()
        .find(|(r, x)| r == regime && x.n >= 2)
        .map(|(_, x)| x)
}

/// One tick of a cell's headline metric over its runs (`series-summary.csv`).
#[derive(Clone, Copy, Debug)]
pub struct Point {
    pub tick: usize,
    pub n: u64,
    pub mean: f64,
    pub sd: f64,
    pub lo: f64,
    pub hi: f64,
}

/// A scenario and the cells drawn for it, one per regime.
type ScenarioSeries = (String, Vec<Drawn>);

/// The cell drawn for one scenario × regime, and its metrics over time.
pub struct Drawn {
    pub regime: String,
    pub cell: String,
    /// `factor = value` of the cell's design point.
    pub point: Vec<String>,
    /// metric → points in tick order.
    pub metrics: BTreeMap<String, Vec<Point>>,
}

/// `v` clipped to [0, 1]; NaN stays NaN.
fn clip_unit(v: f64) -> f64 {
    if v.is_nan() { v } else { v.clamp(0.0, 1.0) }
}

/// The cells to draw: per scenario (in summary order), regime → the cell with the lowest
/// number of that scenario × regime.
fn chosen_cells(d: &SweepData) -> Vec<(String, BTreeMap<String, u64>)> {
    let (Some(cc), Some(cs), Some(cr)) = (d.col("cell"), d.col("scenario"), d.col("regime")) else {
        return Vec::new();
    };
    let mut chosen: Vec<(String, BTreeMap<String, u64>)> = Vec::new();
    for row in &d.rows {
        let Ok(cell) = row[cc].parse::<u64>() else {
            continue;
        };
        let i = match chosen.iter().position(|c| c.0 == row[cs]) {
            Some(i) => i,
            None => {
                chosen.push((row[cs].clone(), BTreeMap::new()));
                chosen.len() - 1
            }
        };
        let e = chosen[i].1.entry(row[cr].clone()).or_insert(cell);
        *e = (*e).min(cell);
    }
    chosen
}

/// The time series of a sweep to draw: per scenario (in summary order), per regime (in
/// name order), the cell at the first design point of that scenario × regime (the cell
/// with the lowest number: for `oat` the base point, every factor at the scenario's own
/// value; for `grid` every factor at its first value; for `lhs` the first sample; without
/// factors, the scenario × regime itself). `None` when the folder has no
/// `series-summary.csv` (a sweep of an older linkage). Streams the file and keeps only
/// the drawn cells, so memory follows the cells drawn, not the cells swept.
fn read_series(dir: &Path, d: &SweepData) -> Result<Option<Vec<ScenarioSeries>>, ReportError> {
    let path = dir.join(crate::experiment::sweep::SERIES_SUMMARY);
    let chosen = chosen_cells(d);
    if !super::has_table(&path) || chosen.is_empty() {
        return Ok(None);
    }
    let wanted: BTreeMap<u64, (usize, String)> = chosen
        .iter()
        .enumerate()
        .flat_map(|(i, (_, regs))| regs.iter().map(move |(r, &c)| (c, (i, r.clone()))))
        .collect();
    let mut out: Vec<ScenarioSeries> = chosen
        .iter()
        .map(|(scen, _)| (scen.clone(), Vec::new()))
        .collect();
    let mut file = open_csv(path)?;
    let header = file.header()?;
    let col = |n: &str| header.iter().position(|h| h == n);
    let (Some(h_cell), Some(h_tick)) = (col("cell"), col("tick")) else {
        return Err(file.problem("lacks cell and tick columns"));
    };
    let factors: Vec<(String, usize)> = d
        .experiment
        .factors
        .iter()
        .filter_map(|f| Some((f.path.clone(), col(&f.path)?)))
        .collect();
    let num = |rec: &csv::StringRecord, i: Option<usize>| -> f64 {
        i.and_then(|i| rec.get(i))
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    for rec in file.records() {
        let rec = rec?;
        let Some(cell) = rec.get(h_cell).and_then(|c| c.parse::<u64>().ok()) else {
            continue;
        };
        let Some((scen, regime)) = wanted.get(&cell) else {
            continue;
        };
        let list = &mut out[*scen].1;
        if list.last().is_none_or(|x| x.cell != cell.to_string()) {
            list.push(Drawn {
                regime: regime.clone(),
                cell: cell.to_string(),
                point: factors
                    .iter()
                    .map(|(f, i)| format!("{f} = {}", rec.get(*i).unwrap_or("")))
                    .collect(),
                metrics: BTreeMap::new(),
            });
        }
        let drawn = list.last_mut().expect("pushed above");
        let tick = rec.get(h_tick).and_then(|t| t.parse().ok()).unwrap_or(0);
        for m in HEADLINE {
            drawn.metrics.entry(m.to_string()).or_default().push(Point {
                tick,
                n: num(&rec, col(&format!("{m}_n"))) as u64,
                mean: num(&rec, col(&format!("{m}_mean"))),
                sd: num(&rec, col(&format!("{m}_sd"))),
                // The headline metrics are shares in [0, 1]; a t-interval near an end
                // can cross it, so the drawing and the sentence show it clipped (the
                // CSV keeps it as computed). An undefined bound stays undefined.
                lo: clip_unit(num(&rec, col(&format!("{m}_ci95_low")))),
                hi: clip_unit(num(&rec, col(&format!("{m}_ci95_high")))),
            });
        }
    }
    for (_, list) in &mut out {
        list.sort_by(|a, b| a.regime.cmp(&b.regime));
    }
    Ok(Some(out))
}

/// The last day on which every drawn regime has a value of `metric`, and each regime's
/// point that day, best first.
fn last_common_day<'a>(drawn: &'a [Drawn], metric: &str) -> Option<(usize, Vec<(&'a str, Point)>)> {
    let pts: Vec<(&Drawn, Vec<Point>)> = drawn
        .iter()
        .map(|d| (d, d.metrics.get(metric).cloned().unwrap_or_default()))
        .collect();
    let t = pts
        .iter()
        .map(|(_, p)| {
            p.iter()
                .filter(|q| q.mean.is_finite())
                .map(|q| q.tick)
                .collect::<std::collections::BTreeSet<_>>()
        })
        .reduce(|a, b| a.intersection(&b).copied().collect())
        .and_then(|t| t.last().copied())?;
    let mut at: Vec<(&str, Point)> = pts
        .iter()
        .filter_map(|(d, p)| Some((d.regime.as_str(), *p.iter().find(|q| q.tick == t)?)))
        .collect();
    at.sort_by(|a, b| b.1.mean.total_cmp(&a.1.mean));
    Some((t, at))
}

/// The 95% interval (Welch) of the difference of two cells' means; `None` unless each
/// has two or more runs.
fn gap_interval(a: Point, b: Point) -> Option<(f64, f64)> {
    use crate::experiment::stats::Running;
    Running::from_moments(a.n, a.mean, a.sd).welch95(&Running::from_moments(b.n, b.mean, b.sd))
}

/// The chart in words: on the last day every regime has a value, each regime's mean (with
/// its 95% interval), and the gap between the best and the worst with the 95% interval of
/// that difference (Welch), or a note that one run per regime gives no interval.
fn band_sentence(drawn: &[Drawn], metric: &str, lang: Lang) -> String {
    let Some((t, at)) = last_common_day(drawn, metric) else {
        return String::new();
    };
    let values: Vec<String> = at
        .iter()
        .map(|(r, q)| {
            let ci = match (q.lo.is_finite(), lang) {
                (false, _) => String::new(),
                (true, Lang::En) => format!(" (95% CI {:.3} to {:.3})", q.lo, q.hi),
                (true, Lang::Zh) => format!("（95%置信区间 {:.3} 至 {:.3}）", q.lo, q.hi),
            };
            match lang {
                Lang::En => format!("{:.3} under {r}{ci}", q.mean),
                Lang::Zh => format!("{} {:.3}{ci}", regime_label(lang, r), q.mean),
            }
        })
        .collect();
    let mut s = match lang {
        Lang::En => format!("On day {t}, {metric} was {}.", values.join(", ")),
        Lang::Zh => format!("第{t}天，{metric}：{}。", values.join("，")),
    };
    let (Some(best), Some(worst)) = (at.first(), at.last()) else {
        return s;
    };
    if at.len() < 2 {
        return s;
    }
    let gap = best.1.mean - worst.1.mean;
    let (b, w) = (regime_label(lang, best.0), regime_label(lang, worst.0));
    s.push_str(&match (lang, gap_interval(best.1, worst.1)) {
        (Lang::En, Some((l, h))) => format!(
            " {} was ahead of {} by {gap:.3} (95% CI of the gap {l:.3} to {h:.3}; {}).",
            best.0,
            worst.0,
            if l > 0.0 {
                "the interval excludes 0"
            } else {
                "the interval includes 0, so these runs do not tell them apart"
            }
        ),
        (Lang::En, None) => format!(
            " {} was ahead of {} by {gap:.3} (one run per regime, so no interval).",
            best.0, worst.0
        ),
        (Lang::Zh, Some((l, h))) => format!(
            "{b}比{w}高{gap:.3}（差值的95%置信区间 {l:.3} 至 {h:.3}；{}）。",
            if l > 0.0 {
                "区间不含0"
            } else {
                "区间含0，这些模拟分不出高下"
            }
        ),
        (Lang::Zh, None) => {
            format!("{b}比{w}高{gap:.3}（每种体制只有一次模拟，没有置信区间）。")
        }
    });
    s
}

/// The heat map in words: where the metric is highest and lowest.
fn heat_sentence(d: &SweepData, metric: &str) -> String {
    let (fx, fy) = (&d.experiment.factors[0].path, &d.experiment.factors[1].path);
    let mut cells: Vec<(f64, f64, f64, String)> = d
        .rows
        .iter()
        .filter_map(|r| {
            Some((
                d.value(r, fx)?,
                d.value(r, fy)?,
                d.value(r, &format!("{metric}_mean"))?,
                r[d.col("regime")?].clone(),
            ))
        })
        .collect();
    cells.sort_by(|a, b| b.2.total_cmp(&a.2));
    match (cells.first(), cells.last()) {
        (Some(h), Some(l)) => format!(
            "{metric} is highest ({:.3}) for {} at {fx} = {}, {fy} = {}, and lowest ({:.3}) for {} at {fx} = {}, {fy} = {}.",
            h.2,
            h.3,
            given(h.0),
            given(h.1),
            l.2,
            l.3,
            given(l.0),
            given(l.1)
        ),
        _ => String::new(),
    }
}

/// The tornado in words: which factor moves the metric most, and by how much.
fn tornado_sentence(d: &SweepData, metric: &str, regime: &str) -> String {
    let mean = format!("{metric}_mean");
    let mine: Vec<&Vec<String>> = d.of_regime(regime).collect();
    let Some(base_row) = mine.first() else {
        return String::new();
    };
    let Some(base) = d.value(base_row, &mean) else {
        return String::new();
    };
    let mut best: Option<(String, f64)> = None;
    for f in &d.experiment.factors {
        let b = d.value(base_row, &f.path);
        for r in mine.iter().filter(|r| d.value(r, &f.path) != b) {
            if let (Some(v), Some(x)) = (d.value(r, &mean), d.value(r, &f.path))
                && best
                    .as_ref()
                    .is_none_or(|bb| (v - base).abs() > (bb.1 - base).abs())
            {
                best = Some((format!("{} = {}", f.path, given(x)), v));
            }
        }
    }
    match best {
        Some((setting, v)) => format!(
            "For {regime}, setting {setting} moves {metric} most: from {base:.3} to {v:.3} ({:+.1} points).",
            (v - base) * 100.0
        ),
        None => String::new(),
    }
}

/// A file-name-safe form of a scenario name or path (or any name).
pub(super) fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The summary's headline column: `solution_rate` when swept, else the first metric.
fn headline(d: &SweepData) -> String {
    if d.col("solution_rate_mean").is_some() {
        return "solution_rate".into();
    }
    d.header
        .iter()
        .find_map(|h| h.strip_suffix("_mean"))
        .unwrap_or("")
        .to_string()
}

/// The regime × scenario table coloured by the mean of `metric` on its fixed scale (with
/// the 95% interval over replicates under it where a regime has two or more), the
/// scale's legend, and per scenario a sentence naming the best regime and one saying,
/// pair by pair, which regime is above or that the two cannot be told apart.
fn regime_table(
    dir: &Path,
    d: &SweepData,
    metric: &str,
    spreads: &Spreads,
    lang: Lang,
) -> Result<String, ReportError> {
    let (Some(ci), Some(cr)) = (d.col("scenario"), d.col("regime")) else {
        return Err(ReportError::Content {
            path: dir.join(crate::experiment::sweep::SUMMARY),
            problem: "lacks scenario and regime columns".into(),
        });
    };
    let mut scen: Vec<String> = d.rows.iter().map(|r| r[ci].clone()).collect();
    scen.dedup();
    let regs = d.regimes();
    let scale = d.scale(metric);
    let mut said = Vec::new();
    let intervals = scen.iter().any(|s| {
        regs.iter()
            .any(|r| replicates_of(spread_of(spreads, s, metric), r).is_some())
    });
    let mut body = format!(
        "<h2>{metric}: regime × scenario (mean over replicates and settings{})</h2><table><tr><th></th>",
        if intervals {
            match lang {
                Lang::En => "; under it, its 95% interval over the replicates",
                Lang::Zh => "；其下为各重复的95%置信区间",
            }
        } else {
            ""
        }
    );
    for r in &regs {
        let _ = write!(body, "<th>{}</th>", esc(&regime_label(lang, r)));
    }
    body.push_str("</tr>\n");
    for s in &scen {
        let _ = write!(body, "<tr><th>{}</th>", esc(s));
        let mut best: Option<(String, f64)> = None;
        for r in &regs {
            let values: Vec<f64> = d
                .rows
                .iter()
                .filter(|x| &x[ci] == s && &x[cr] == r)
                .filter_map(|x| d.value(x, &format!("{metric}_mean")))
                .collect();
            if values.is_empty() {
                body.push_str("<td>-</td>");
                continue;
            }
            let v = values.iter().sum::<f64>() / values.len() as f64;
            if best.as_ref().is_none_or(|b| v > b.1) {
                best = Some((r.clone(), v));
            }
            let spread = spread_of(spreads, s, metric);
            match replicates_of(spread, r).and_then(|x| compare::interval(metric, x)) {
                Some(i) => body.push_str(&cell_noted(&scale, v, &i)),
                None => body.push_str(&cell(&scale, v)),
            }
        }
        body.push_str("</tr>\n");
        if let Some((r, v)) = best {
            said.push(match lang {
                Lang::En => format!("Under {s}, {r} did best on {metric}: {v:.3}."),
                Lang::Zh => format!(
                    "在{s}下，{}的{metric}最好：{v:.3}。",
                    regime_label(lang, &r)
                ),
            });
        }
        if let Some(x) = spread_of(spreads, s, metric)
            && x.regimes.iter().filter(|(_, r)| r.n >= 2).count() >= 2
            && let Some(sentence) = compare::sentence(x, lang)
        {
            said.push(match lang {
                Lang::En => format!("Under {s}, {sentence}"),
                Lang::Zh => format!("在{s}下，{sentence}"),
            });
        }
    }
    body.push_str("</table>\n");
    body.push_str(&scale_legend(
        &scale,
        &format!("{} (mean)", metric_label(lang, metric, None)),
    ));
    body.push_str("<ul class=\"say\">");
    for s in &said {
        let _ = write!(body, "<li>{}</li>", esc(s));
    }
    body.push_str("</ul>\n");
    Ok(body)
}

/// The columns of the collective-action table: onsets, incident-days, protester-days.
const COLLECTIVE: [&str; 3] = ["incidents", "incident_days", "protester_days"];

/// Per scenario, per regime, the means of a list of metrics (see [`means_by_scenario`]).
type CellMeans = Vec<(String, Vec<(String, Vec<Option<f64>>)>)>;

/// Means over replicates and settings, per scenario (in summary order) and regime (in
/// name order), of each of `metrics` (`None` where the summary has no value); a regime
/// with none of them is left out of its scenario.
fn means_by_scenario(d: &SweepData, metrics: &[&str]) -> CellMeans {
    let (Some(ci), Some(cr)) = (d.col("scenario"), d.col("regime")) else {
        return Vec::new();
    };
    let mut scen: Vec<String> = d.rows.iter().map(|r| r[ci].clone()).collect();
    scen.dedup();
    let regimes = d.regimes();
    scen.into_iter()
        .map(|s| {
            let rows = regimes
                .iter()
                .map(|r| {
                    let means = metrics
                        .iter()
                        .map(|m| {
                            let v: Vec<f64> = d
                                .rows
                                .iter()
                                .filter(|x| x[ci] == s && &x[cr] == r)
                                .filter_map(|x| d.value(x, &format!("{m}_mean")))
                                .collect();
                            (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
                        })
                        .collect::<Vec<_>>();
                    (r.clone(), means)
                })
                .filter(|(_, means)| means.iter().any(Option::is_some))
                .collect();
            (s, rows)
        })
        .collect()
}

/// The metrics of `wanted` the summary has (their `_mean` column).
fn recorded<'a>(d: &SweepData, wanted: &[&'a str]) -> Vec<&'a str> {
    wanted
        .iter()
        .copied()
        .filter(|m| d.col(&format!("{m}_mean")).is_some())
        .collect()
}

/// A table of `means` under the heading `title`: a row per scenario × regime, a column
/// per metric, each value spelled by `show(metric, value)` with its 95% interval over the
/// replicates where the regime has two or more (`spreads`); then the sentences `said`,
/// and per scenario the pairs of regimes that cannot be told apart.
fn means_table(
    title: &str,
    shown: &[&str],
    means: &CellMeans,
    spreads: &Spreads,
    lang: Lang,
    show: fn(&str, f64) -> String,
    said: &[String],
) -> String {
    let mut body = format!("<h2>{title}</h2>");
    let any_interval = means.iter().any(|(s, rows)| {
        rows.iter().any(|(r, _)| {
            shown
                .iter()
                .any(|m| replicates_of(spread_of(spreads, s, m), r).is_some())
        })
    });
    if any_interval {
        body.push_str(match lang {
            Lang::En => "<p>In brackets, each mean's 95% interval over the replicates (the mean over the settings, replicate by replicate).</p>",
            Lang::Zh => "<p>括号内为各均值在各重复间的95%置信区间（逐次重复取各设置的均值）。</p>",
        });
    }
    body.push_str("<table><tr><th></th><th></th>");
    for m in shown {
        let _ = write!(body, "<th>{}</th>", esc(&metric_label(lang, m, None)));
    }
    body.push_str("</tr>\n");
    for (s, rows) in means {
        for (r, values) in rows {
            let _ = write!(
                body,
                "<tr><th>{}</th><th>{}</th>",
                esc(s),
                esc(&regime_label(lang, r))
            );
            for (m, v) in shown.iter().zip(values) {
                let bounds =
                    replicates_of(spread_of(spreads, s, m), r).and_then(|x| compare::bounds(m, x));
                match (v, bounds) {
                    (Some(v), Some((lo, hi))) => {
                        let (a, b) = (show(m, lo), show(m, hi));
                        let range = if lo < 0.0 || hi < 0.0 {
                            format!("{a} to {b}")
                        } else {
                            format!("{a}–{b}")
                        };
                        let _ = write!(body, "<td>{} ({})</td>", show(m, *v), esc(&range));
                    }
                    (Some(v), None) => {
                        let _ = write!(body, "<td>{}</td>", show(m, *v));
                    }
                    (None, _) => body.push_str("<td>-</td>"),
                }
            }
            body.push_str("</tr>\n");
        }
    }
    body.push_str("</table>\n<ul class=\"say\">");
    let apart = means.iter().filter_map(|(s, _)| {
        let mine: Vec<Spread> = shown
            .iter()
            .filter_map(|m| spread_of(spreads, s, m).cloned())
            .collect();
        let lead = match lang {
            Lang::En => format!("Under {s}, "),
            Lang::Zh => format!("在{s}下，"),
        };
        compare::apart_sentence(&lead, &mine, lang)
    });
    for s in said.iter().cloned().chain(apart) {
        let _ = write!(body, "<li>{}</li>", esc(&s));
    }
    body.push_str("</ul>\n");
    body
}

/// The regime of one scenario's rows with the best mean of `shown[k]` (highest, or lowest
/// when `low` is true), and that mean.
fn best_of(rows: &[(String, Vec<Option<f64>>)], k: usize, low: bool) -> Option<(&str, f64)> {
    rows.iter()
        .filter_map(|(r, v)| Some((r.as_str(), v.get(k).copied().flatten()?)))
        .reduce(|a, b| {
            let better = if low { b.1 < a.1 } else { b.1 > a.1 };
            if better { b } else { a }
        })
}

/// Collective action per scenario and regime, three ways (mean over replicates and
/// settings), with a sentence per scenario naming the regime with the fewest
/// incident-days; empty when the sweep recorded none of the three. Onsets alone would
/// flatter a regime whose incidents are many but short.
fn collective_section(d: &SweepData, spreads: &Spreads, lang: Lang) -> String {
    let shown = recorded(d, &COLLECTIVE);
    if shown.is_empty() {
        return String::new();
    }
    let means = means_by_scenario(d, &shown);
    let said: Vec<String> = match shown.iter().position(|m| *m == "incident_days") {
        Some(k) => means
            .iter()
            .filter_map(|(s, rows)| {
                let (r, v) = best_of(rows, k, true)?;
                Some(match lang {
                    Lang::En => format!("Under {s}, {r} had the fewest incident-days: {v:.1}."),
                    Lang::Zh => format!(
                        "在{s}下，{}的群体性事件持续天数最少：{v:.1}。",
                        regime_label(lang, r)
                    ),
                })
            })
            .collect(),
        None => Vec::new(),
    };
    let title = match lang {
        Lang::En => "Collective incidents (mean over replicates and settings)",
        Lang::Zh => "群体性事件 collective incidents（各重复与设置的均值）",
    };
    means_table(
        title,
        &shown,
        &means,
        spreads,
        lang,
        |_, v| format!("{v:.1}"),
        &said,
    )
}

/// The hotline's grades per scenario and regime (`output::metrics::HOTLINE`, mean over
/// replicates and settings): response, closure, solution and satisfaction rates, trips
/// and staff-hours per solved issue; with a sentence per scenario naming the regime that
/// solved the most of the reported issues and the one whose solutions cost the fewest
/// staff-hours. Empty when the sweep recorded none of them.
fn hotline_section(d: &SweepData, spreads: &Spreads, lang: Lang) -> String {
    let shown = recorded(d, &HOTLINE);
    if shown.is_empty() {
        return String::new();
    }
    let means = means_by_scenario(d, &shown);
    let at = |m: &str| shown.iter().position(|x| *x == m);
    let mut said = Vec::new();
    for (s, rows) in &means {
        if let Some((r, v)) = at("solution_rate").and_then(|k| best_of(rows, k, false)) {
            said.push(match lang {
                Lang::En => {
                    format!("Under {s}, {r} solved the most of the issues reported: {v:.3}.")
                }
                Lang::Zh => format!("在{s}下，{}的解决率最高：{v:.3}。", regime_label(lang, r)),
            });
        }
        if let Some((r, v)) = at("staff_hours_per_solved").and_then(|k| best_of(rows, k, true)) {
            said.push(match lang {
                Lang::En => format!(
                    "Under {s}, {r} solved at the fewest staff-hours per solved issue: {v:.2}."
                ),
                Lang::Zh => format!(
                    "在{s}下，{}每解决一件所用工时最少：{v:.2}。",
                    regime_label(lang, r)
                ),
            });
        }
    }
    let title = match lang {
        Lang::En => "Hotline grades, of the issues reported (mean over replicates and settings)",
        Lang::Zh => "热线口径 hotline grades，以受理诉求计（各重复与设置的均值）",
    };
    // Rates on their 0-1 scale, as the column's label says, like the rest of the page.
    let show = |m: &str, v: f64| match label(m).and_then(|l| l.range) {
        Some(_) => format!("{v:.3}"),
        None => format!("{v:.2}"),
    };
    means_table(title, &shown, &means, spreads, lang, show, &said)
}

/// One figure: the chart's SVG over its caption.
fn figure(svg: &str, caption: &str) -> String {
    format!(
        "<figure>{svg}<figcaption>{}</figcaption></figure>\n",
        esc(caption)
    )
}

/// For each scenario, each headline metric over time with its bands (and the scenario's
/// shock windows as run), each with its sentence; empty without `series-summary.csv`.
fn series_section(
    dir: &Path,
    d: &SweepData,
    plots: &Path,
    lang: Lang,
    names: &mut Charts,
) -> Result<String, ReportError> {
    let Some(series) = read_series(dir, d)? else {
        return Ok(String::new());
    };
    let mut body = format!(
        "<h2>{}</h2>\n",
        match lang {
            Lang::En => "Over time: each regime's mean over its runs, with its 95% confidence band",
            Lang::Zh => "随时间变化：各体制的均值及其95%置信带 over time",
        }
    );
    for (scenario, drawn) in &series {
        let as_run = d.scenario(scenario);
        let shocks: Vec<Window> = as_run.map(shock_windows).unwrap_or_default();
        let window = as_run.map(|s| s.run.window);
        let point = drawn
            .iter()
            .filter(|x| !x.point.is_empty())
            .map(|x| format!("{} (cell {}): {}", x.regime, x.cell, x.point.join(", ")))
            .collect::<Vec<_>>();
        for metric in HEADLINE {
            let name = format!("series_{}_{metric}", slug(scenario));
            let title = format!("{} - {scenario}", metric_label(lang, metric, window));
            let svg = render!(plots, name, (860, 360), |root| charts::band_chart(
                root, &title, drawn, metric, &shocks, lang
            ));
            let mut caption = band_sentence(drawn, metric, lang);
            if !point.is_empty() {
                let _ = write!(caption, " [{}]", point.join("; "));
            }
            body.push_str(&figure(&svg, &caption));
            names.push(name);
        }
    }
    Ok(body)
}

/// The heat map of a grid design over two or more factors, and the tornado charts of a
/// one-at-a-time design, each with its sentence.
fn design_section(
    d: &SweepData,
    plots: &Path,
    metric: &str,
    lang: Lang,
    names: &mut Charts,
) -> Result<String, ReportError> {
    let mut body = String::new();
    let factors = d.experiment.factors.len();
    if factors >= 2 && matches!(d.experiment.design, Design::Grid {}) {
        let svg = render!(plots, "heatmap", (900, 380 + charts::BAR_HEIGHT), |root| {
            charts::heat_chart(root, d, metric, lang)
        });
        body.push_str(&figure(&svg, &heat_sentence(d, metric)));
        names.push("heatmap".to_string());
    }
    if matches!(d.experiment.design, Design::Oat {}) && factors > 0 {
        for r in &d.regimes() {
            let name = format!("tornado_{r}");
            let size = (900, 120 + 40 * factors as u32);
            let svg = render!(plots, name, size, |root| charts::tornado_chart(
                root, d, metric, r
            ));
            body.push_str(&figure(&svg, &tornado_sentence(d, metric, r)));
            names.push(name);
        }
    }
    Ok(body)
}

/// Write `report.html` and `plots/` for a sweep folder. Returns the chart names.
pub fn write(dir: &Path, lang: Lang) -> Result<Charts, ReportError> {
    crate::base::fonts::ensure();
    let d = read(dir)?;
    let plots = super::plots(dir)?;
    let metric = headline(&d);
    let mut names = Vec::new();
    let mut body = format!(
        "<h1>{}</h1><p class=\"lead\">{}</p>\n",
        esc(&d.experiment.name),
        esc(&d.experiment.description)
    );
    let mut compared: Vec<&str> = vec![metric.as_str()];
    compared.extend(HOTLINE);
    compared.extend(COLLECTIVE);
    let mut seen = Vec::new();
    compared.retain(|m| {
        !seen.contains(m) && {
            seen.push(*m);
            true
        }
    });
    let spreads = replicate_spreads(dir, &d, &compared)?;
    body.push_str(&regime_table(dir, &d, &metric, &spreads, lang)?);
    body.push_str(&hotline_section(&d, &spreads, lang));
    body.push_str(&collective_section(&d, &spreads, lang));
    body.push_str(&series_section(dir, &d, &plots, lang, &mut names)?);
    body.push_str(&design_section(&d, &plots, &metric, lang, &mut names)?);
    body.push_str(&super::sensitivity::section(
        dir, &d, &plots, lang, &mut names,
    )?);
    let html = page(
        lang,
        &d.experiment.name,
        "body{max-width:960px}td,th{padding:.3em .6em;text-align:right}.say li{font-size:1.1em}",
        &body,
    )?;
    super::write_page(dir, &html)?;
    Ok(names)
}

/// A multi-line parser message on one line: its first line (the position) and its last
/// (the cause), without the quoted source between them.
fn one_line(message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    match (lines.first(), lines.last()) {
        (Some(first), Some(last)) if lines.len() > 1 => format!("{first}: {last}"),
        (Some(first), _) => first.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_are_clipped_to_the_unit_range_and_undefined_stays_undefined() {
        assert_eq!(clip_unit(1.007), 1.0);
        assert_eq!(clip_unit(-0.01), 0.0);
        assert_eq!(clip_unit(0.5), 0.5);
        assert!(clip_unit(f64::NAN).is_nan());
    }
}
