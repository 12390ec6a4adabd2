//! The report of an attribution folder (`linkage attribute`; it has `attribution.csv`
//! beside the hybrids' sweep): per metric, a waterfall from the `from` regime's value,
//! one step per mechanism (its Shapley value, green up or red down, its 95% interval over
//! the replicates as a whisker) to the value with the chosen mechanisms at `to`'s
//! values; the sentence that the values sum to the difference; and the largest pairwise
//! interactions in a table.

use super::charts::{self, Step, render};
use super::lang::{Lang, metric_label};
use super::page::{esc, page};
use super::{Charts, ReportError, cell_number, open_csv};
use crate::experiment::attribution::regimes_of;
use plotters::prelude::*;
use std::fmt::Write as _;
use std::path::Path;

/// The file `linkage attribute` writes into its folder.
pub const ATTRIBUTION: &str = "attribution.csv";

/// A value of `attribution.csv`: its mean over replicates and 95% interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub mean: f64,
    pub interval: Option<(f64, f64)>,
}

/// One metric's attribution, read back.
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    pub name: String,
    /// The metric under `from`.
    pub from: Value,
    /// Each mechanism's Shapley value, in the file's order.
    pub shares: Vec<(String, Value)>,
    /// The whole difference.
    pub total: Value,
    /// The largest pairwise interactions, `a × b`.
    pub pairs: Vec<(String, Value)>,
}

/// `attribution.csv` read back, a [`Metric`] per metric in the file's order; every error
/// names the file.
pub fn read(path: &Path) -> Result<Vec<Metric>, ReportError> {
    let mut file = open_csv(path.to_path_buf())?;
    let header = file.header()?;
    let want = ["metric", "part", "kind", "value", "low", "high"];
    let cols = file.columns(&header, &want)?;
    let records: Vec<csv::StringRecord> = file.records().collect::<Result<_, _>>()?;
    let mut out: Vec<Metric> = Vec::new();
    for rec in &records {
        let text = |k: usize| rec.get(cols[k]).unwrap_or("").to_string();
        let (metric, part, kind) = (text(0), text(1), text(2));
        let mean = cell_number(&file, rec, cols[3], "value")?;
        let (low, high) = (
            cell_number(&file, rec, cols[4], "low")?,
            cell_number(&file, rec, cols[5], "high")?,
        );
        let value = Value {
            mean,
            interval: (low.is_finite() && high.is_finite()).then_some((low, high)),
        };
        if out.last().is_none_or(|m| m.name != metric) {
            out.push(Metric {
                name: metric.clone(),
                from: Value {
                    mean: f64::NAN,
                    interval: None,
                },
                shares: Vec::new(),
                total: Value {
                    mean: f64::NAN,
                    interval: None,
                },
                pairs: Vec::new(),
            });
        }
        let m = out.last_mut().expect("pushed above");
        match kind.as_str() {
            "baseline" => m.from = value,
            "shapley" => m.shares.push((part, value)),
            "difference" => m.total = value,
            "interaction" => m.pairs.push((part, value)),
            other => {
                let line = rec.position().map_or(0, |p| p.line());
                return Err(file.problem(format!(
                    "line {line}, column kind: '{other}' is not baseline, shapley, difference or interaction"
                )));
            }
        }
    }
    if let Some(m) = out
        .iter()
        .find(|m| !m.from.mean.is_finite() || !m.total.mean.is_finite() || m.shares.is_empty())
    {
        return Err(file.problem(format!(
            "{}: lacks its baseline, its difference or its Shapley values",
            m.name
        )));
    }
    Ok(out)
}

/// A value of `metric` with sign, four decimals for shares of a small range.
fn signed(v: f64) -> String {
    format!("{v:+.4}")
}

/// A value with its interval: "+0.0412 (95% CI +0.0300 to +0.0520)".
fn with_interval(v: &Value, lang: Lang) -> String {
    match (v.interval, lang) {
        (Some((l, h)), Lang::En) => {
            format!("{} (95% CI {} to {})", signed(v.mean), signed(l), signed(h))
        }
        (Some((l, h)), Lang::Zh) => {
            format!(
                "{}（95%置信区间 {} 至 {}）",
                signed(v.mean),
                signed(l),
                signed(h)
            )
        }
        (None, _) => signed(v.mean),
    }
}

/// The waterfall in words: the values sum to the difference, and the largest step.
pub fn sentences(m: &Metric, from: &str, to: &str, lang: Lang) -> Vec<String> {
    let k = m.shares.len();
    let sum: f64 = m.shares.iter().map(|(_, v)| v.mean).sum();
    let end = m.from.mean + m.total.mean;
    let mut out = vec![match lang {
        Lang::En => format!(
            "The {k} Shapley values sum to {}, the difference {} from {from} ({:.4}) to {from} with {} at {to}'s values ({end:.4}): each mechanism's share of the difference, the shares adding up to it exactly.",
            signed(sum),
            with_interval(&m.total, lang),
            m.from.mean,
            if k == 1 {
                "this mechanism".to_string()
            } else {
                format!("these {k} mechanisms")
            }
        ),
        Lang::Zh => format!(
            "{k}个 Shapley 值之和为{}，即从{from}（{:.4}）到把这些机制设为{to}的取值（{end:.4}）的差值{}：各机制在差值中的份额，相加恰为差值。",
            signed(sum),
            m.from.mean,
            with_interval(&m.total, lang)
        ),
    }];
    if let Some((name, v)) = m
        .shares
        .iter()
        .max_by(|a, b| a.1.mean.abs().total_cmp(&b.1.mean.abs()))
    {
        out.push(match lang {
            Lang::En => format!("The largest share is {name}'s: {}.", with_interval(v, lang)),
            Lang::Zh => format!("份额最大的是{name}：{}。", with_interval(v, lang)),
        });
    }
    out
}

/// The largest pairwise interactions as a table; empty without any.
fn pairs_table(m: &Metric, lang: Lang) -> String {
    if m.pairs.is_empty() {
        return String::new();
    }
    let mut body = format!(
        "<table><tr><th>{}</th><th>{}</th></tr>\n",
        match lang {
            Lang::En => "largest pairwise interactions",
            Lang::Zh => "最大的两两交互作用",
        },
        match lang {
            Lang::En => "Shapley interaction index (95% CI)",
            Lang::Zh => "Shapley 交互指数（95%置信区间）",
        }
    );
    for (pair, v) in &m.pairs {
        let _ = writeln!(
            body,
            "<tr><th>{}</th><td>{}</td></tr>",
            esc(pair),
            esc(&with_interval(v, lang))
        );
    }
    body.push_str("</table>\n");
    body
}

/// Write `report.html` and `plots/` for an attribution folder. Returns the chart names.
pub fn write(dir: &Path, lang: Lang) -> Result<Charts, ReportError> {
    crate::base::fonts::ensure();
    let e = super::sweep::read_experiment(dir)?;
    let (from, to) = regimes_of(&e).ok_or_else(|| ReportError::Content {
        path: dir.join("experiment.toml"),
        problem: "is not the experiment of an attribution (`linkage attribute`); its report is the sweep's, without attribution.csv".into(),
    })?;
    let metrics = read(&dir.join(ATTRIBUTION))?;
    let plots = super::plots(dir)?;
    let scenario = e.scenarios.first().cloned().unwrap_or_default();
    let k = e.factors.len();
    // An edited experiment.toml could name more factors than a shift can count.
    let hybrids = 1u64
        .checked_shl(k as u32)
        .map_or("many".to_string(), |n| n.to_string());
    let title = match lang {
        Lang::En => format!("Attribution: {to} over {from}"),
        Lang::Zh => format!("归因 attribution：{to}相对{from}"),
    };
    let lead = match lang {
        Lang::En => format!(
            "{scenario}: {k} mechanisms switched between {from} and {to}, every hybrid (2^{k} = {}) run {} times with common random numbers; each metric's difference split into exact Shapley values, with 95% intervals over the replicates. In each waterfall the grey bars are the two levels (the axis need not start at 0) and the coloured bars the steps between them.",
            hybrids, e.replicates
        ),
        Lang::Zh => format!(
            "{scenario}：在{from}与{to}之间切换{k}个机制，全部 2^{k} = {} 个混合体制各运行{}次（共同随机数）；每个指标的差值分解为精确的 Shapley 值，附各重复间的95%置信区间。瀑布图中灰色为两端的水平（横轴未必从0开始），彩色为其间各步。",
            hybrids, e.replicates
        ),
    };
    let mut body = format!(
        "<h1>{}</h1><p class=\"lead\">{}</p>\n",
        esc(&title),
        esc(&lead)
    );
    let mut names = Vec::new();
    let end = match lang {
        Lang::En => format!("{from}, {k} at {to}'s"),
        Lang::Zh => format!("{from}，{k}个取{to}值"),
    };
    for m in &metrics {
        let mut steps: Vec<Step> = m
            .shares
            .iter()
            .map(|(name, v)| Step {
                label: name.clone(),
                value: v.mean,
                interval: v.interval,
            })
            .collect();
        steps.sort_by(|a, b| b.value.abs().total_cmp(&a.value.abs()));
        let label = metric_label(lang, &m.name, None);
        let legend = match lang {
            Lang::En => [
                format!("raises {}", m.name),
                format!("lowers {}", m.name),
                "95% interval over the replicates".to_string(),
            ],
            Lang::Zh => [
                format!("提高{}", m.name),
                format!("降低{}", m.name),
                "各重复间的95%置信区间".to_string(),
            ],
        };
        let name = format!("waterfall_{}", super::sweep::slug(&m.name));
        let size = (900, 110 + 44 * (steps.len() as u32 + 2));
        let svg = render!(plots, name, size, |root| charts::waterfall_chart(
            root,
            &label,
            (&from, m.from.mean),
            &steps,
            &end,
            [&legend[0], &legend[1], &legend[2]],
        ));
        let _ = write!(
            body,
            "<h2>{}</h2><figure>{svg}<figcaption><ul class=\"say\">",
            esc(&label)
        );
        for s in sentences(m, &from, &to, lang) {
            let _ = write!(body, "<li>{}</li>", esc(&s));
        }
        body.push_str("</ul></figcaption></figure>\n");
        body.push_str(&pairs_table(m, lang));
        names.push(name);
    }
    let html = page(
        lang,
        &title,
        "body{max-width:960px}td,th{padding:.3em .6em;text-align:right}.say li{font-size:1.1em}",
        &body,
    )?;
    super::write_page(dir, &html)?;
    Ok(names)
}
