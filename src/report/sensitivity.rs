//! The sensitivity section of a sweep's report, when the folder has `indices.csv`
//! (`linkage analyze`): per scenario, regime and metric, a horizontal bar chart of the
//! factors' indices (Sobol: first-order S1 and total ST side by side; Morris: μ* and σ),
//! each index's bootstrap 95% interval as a whisker, the factors sorted by the main
//! index (S1 or μ*), largest at the top; under it the findings in the words
//! `linkage analyze` prints.
//!
//! Which metrics are drawn: every metric of the experiment's `metrics` when it names
//! them; otherwise (a sweep recording every metric) those of [`super::compare::METRICS`],
//! and the page says how many more `indices.csv` holds.

use super::charts::{self, IndexBars, render};
use super::lang::{Lang, metric_label, regime_label};
use super::page::esc;
use super::sweep::{SweepData, slug};
use super::{Charts, ReportError, cell_number, open_csv};
use crate::experiment::analyze::{self, INDICES, IndexRow};
use crate::experiment::sensitivity::Estimate;
use plotters::prelude::*;
use std::fmt::Write as _;
use std::path::Path;

/// The file `linkage analyze` writes into a sweep folder.
pub const INDICES_FILE: &str = "indices.csv";

/// `indices.csv` read back, each error naming the file: its rows as `analyze` made them.
pub fn read(path: &Path) -> Result<Vec<IndexRow>, ReportError> {
    let mut file = open_csv(path.to_path_buf())?;
    let header = file.header()?;
    let want = [
        "scenario", "regime", "factor", "metric", "index", "estimate", "low", "high",
    ];
    let cols = file.columns(&header, &want)?;
    let records: Vec<csv::StringRecord> = file.records().collect::<Result<_, _>>()?;
    let mut rows = Vec::with_capacity(records.len());
    for rec in &records {
        let text = |k: usize| rec.get(cols[k]).unwrap_or("").to_string();
        let name = text(4);
        let Some(index) = INDICES.iter().find(|i| **i == name) else {
            let line = rec.position().map_or(0, |p| p.line());
            return Err(file.problem(format!(
                "line {line}, column index: '{name}' is not one of {}",
                INDICES.join(", ")
            )));
        };
        let (value, low, high) = (
            cell_number(&file, rec, cols[5], "estimate")?,
            cell_number(&file, rec, cols[6], "low")?,
            cell_number(&file, rec, cols[7], "high")?,
        );
        rows.push(IndexRow {
            scenario: text(0),
            regime: text(1),
            factor: text(2),
            metric: text(3),
            index,
            interval: low.is_finite() && high.is_finite(),
            estimate: Estimate {
                value,
                low: if low.is_finite() { low } else { value },
                high: if high.is_finite() { high } else { value },
            },
        });
    }
    Ok(rows)
}

/// One block's bars, sorted by the main index, largest first.
fn bars(design: &str, rows: &[IndexRow], block: (&str, &str, &str)) -> Vec<IndexBars> {
    let (main, other) = if design == "sobol" {
        ("first", "total")
    } else {
        ("mu_star", "sigma")
    };
    let mut out: Vec<IndexBars> = analyze::of_index(rows, block, main)
        .filter_map(|m| {
            let o = analyze::of_index(rows, block, other).find(|o| o.factor == m.factor)?;
            Some(IndexBars {
                factor: m.factor.trim_start_matches("mechanism.").to_string(),
                main: m.estimate,
                main_interval: m.interval,
                other: o.estimate,
                other_interval: o.interval,
            })
        })
        .collect();
    out.sort_by(|a, b| b.main.value.total_cmp(&a.main.value));
    out
}

/// A block's findings in the page's language (the words of `linkage analyze` in English).
fn words(design: &str, rows: &[IndexRow], block: (&str, &str, &str), lang: Lang) -> Vec<String> {
    if lang == Lang::En {
        return analyze::block_words(design, rows, block, true);
    }
    let pct = |v: f64| format!("{:.0}%", 100.0 * v);
    bars(design, rows, block)
        .iter()
        .map(|b| {
            if design == "sobol" {
                format!(
                    "{}单独解释{}的方差的{}（{}–{}）；连同交互作用{}（{}–{}）",
                    b.factor,
                    block.2,
                    pct(b.main.value),
                    pct(b.main.low),
                    pct(b.main.high),
                    pct(b.other.value),
                    pct(b.other.low),
                    pct(b.other.high)
                )
            } else {
                format!(
                    "{}：μ* {:.4}（{:.4}–{:.4}），σ {:.4}",
                    b.factor, b.main.value, b.main.low, b.main.high, b.other.value
                )
            }
        })
        .collect()
}

/// The section, or nothing when the folder has no `indices.csv` or the sweep is not a
/// morris or sobol design.
pub fn section(
    dir: &Path,
    d: &SweepData,
    plots: &Path,
    lang: Lang,
    names: &mut Charts,
) -> Result<String, ReportError> {
    let path = dir.join(INDICES_FILE);
    let design = d.experiment.design.kind();
    if !path.exists() || !matches!(design, "morris" | "sobol") {
        return Ok(String::new());
    }
    let rows = read(&path)?;
    let all = analyze::blocks(&rows);
    let chosen = !d.experiment.metrics.is_empty();
    let drawn: Vec<(&str, &str, &str)> = all
        .iter()
        .copied()
        .filter(|b| chosen || super::compare::METRICS.contains(&b.2))
        .collect();
    let (main, other, interval) = match (design, lang) {
        ("sobol", Lang::En) => ("first-order S1", "total ST", "95% bootstrap interval"),
        ("sobol", Lang::Zh) => ("一阶指数 S1", "总效应指数 ST", "95%自助法区间"),
        (_, Lang::En) => (
            "μ* (mean |elementary effect|)",
            "σ",
            "95% bootstrap interval",
        ),
        (_, Lang::Zh) => ("μ*（基本效应绝对值的均值）", "σ", "95%自助法区间"),
    };
    let mut body = match lang {
        Lang::En => format!(
            "<h2>Sensitivity: which factor moves each metric ({design})</h2><p>From <code>indices.csv</code> (<code>linkage analyze</code>): per metric, each factor's {} and {}, the whiskers their 95% bootstrap intervals, the factors sorted by {}, largest at the top.</p>\n",
            esc(main),
            esc(other),
            esc(main)
        ),
        Lang::Zh => format!(
            "<h2>敏感性 sensitivity：哪个因素影响各指标（{design}）</h2><p>取自 <code>indices.csv</code>（<code>linkage analyze</code>）：每个指标下各因素的{}与{}，须线为95%自助法区间，因素按{}从大到小排列。</p>\n",
            esc(main),
            esc(other),
            esc(main)
        ),
    };
    for block in &drawn {
        let b = bars(design, &rows, *block);
        if b.is_empty() {
            continue;
        }
        let (s, g, m) = *block;
        let name = format!("indices_{}_{}_{}", slug(s), slug(g), slug(m));
        let title = format!(
            "{} - {s}, {}",
            metric_label(lang, m, None),
            regime_label(lang, g)
        );
        let size = (900, 110 + 56 * b.len() as u32);
        let svg = render!(plots, name, size, |root| charts::indices_chart(
            root,
            &title,
            (main, other),
            &b,
            interval
        ));
        let said = words(design, &rows, *block, lang);
        let _ = write!(body, "<figure>{svg}<figcaption><ul class=\"say\">");
        let stop = if lang == Lang::Zh { "。" } else { "." };
        for line in &said {
            let _ = write!(body, "<li>{}{stop}</li>", esc(line));
        }
        body.push_str("</ul></figcaption></figure>\n");
        names.push(name);
    }
    let left = all.len() - drawn.len();
    if left > 0 {
        let _ = writeln!(
            body,
            "<p>{}</p>",
            match lang {
                Lang::En => format!(
                    "indices.csv has the indices of {left} more metric blocks, not drawn here (name the metrics in the experiment's metrics to draw them)."
                ),
                Lang::Zh => format!(
                    "indices.csv 另有 {left} 组指标的指数，此处未画出（在实验的 metrics 中列出即可画出）。"
                ),
            }
        );
    }
    Ok(body)
}
