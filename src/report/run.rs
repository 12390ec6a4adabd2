//! The report of a run folder: the folder read back, the comparison in sentences, and
//! the page with its charts (each metric over time, the resilience triangles, the
//! territory coloured by trust).

use super::charts::{self, Window, num, render, tolerance_pct};
use super::lang::{Lang, regime_label, residents};
use super::page::{esc, page};
use super::{Charts, ReportError, cell_number, open_csv};
use crate::output::metrics::HEADLINE;
use crate::scenario::Scenario;
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// The city-wide series drawn over time: the headline metrics, then protest.
pub const OVER_TIME: [&str; 4] = [HEADLINE[0], HEADLINE[1], HEADLINE[2], "protesters"];
/// The headline metrics whose resilience triangle is drawn and said.
pub const TRIANGLES: [&str; 2] = [HEADLINE[0], HEADLINE[2]];

/// A run folder, read back.
pub struct RunData {
    /// The scenario as run (`params.toml`).
    pub scenario: Scenario,
    /// regime → metric → city-wide series.
    pub city: BTreeMap<String, BTreeMap<String, Vec<f64>>>,
    /// regime → county → trust on the last day.
    pub county_trust: BTreeMap<String, Vec<(String, f64)>>,
    /// regime → summary column → value.
    pub summary: BTreeMap<String, BTreeMap<String, String>>,
    /// regime → county → trust of each township on the last day (territory.csv).
    pub townships: BTreeMap<String, BTreeMap<String, Vec<f64>>>,
}

impl RunData {
    /// The shock windows of the scenario as run.
    pub fn shocks(&self) -> Vec<Window> {
        shock_windows(&self.scenario)
    }

    /// Residents simulated (`summary.csv`; the scenario's figure if it lacks the column).
    pub fn residents(&self) -> u64 {
        self.summary
            .values()
            .find_map(|row| row.get("residents")?.parse().ok())
            .unwrap_or(self.scenario.run.residents)
    }
}

/// The shock windows of a scenario: `(name, first day, day after the last)`.
pub fn shock_windows(s: &Scenario) -> Vec<Window> {
    s.shocks
        .iter()
        .map(|x| {
            let (a, b) = x.window();
            (x.name().to_string(), a, b)
        })
        .collect()
}

/// Read a run folder back.
pub fn read(dir: &Path) -> Result<RunData, ReportError> {
    let params = dir.join("params.toml");
    let scenario =
        Scenario::load(&params.to_string_lossy()).map_err(|source| ReportError::Scenario {
            path: params.clone(),
            source,
        })?;
    let (city, county_trust) = read_ticks(dir)?;
    Ok(RunData {
        scenario,
        city,
        county_trust,
        summary: read_summary(dir)?,
        townships: read_territory(dir)?,
    })
}

type City = BTreeMap<String, BTreeMap<String, Vec<f64>>>;
type Counties = BTreeMap<String, Vec<(String, f64)>>;

/// `ticks.csv`: the city's series of each drawn metric, and each county's trust on the
/// last day.
fn read_ticks(dir: &Path) -> Result<(City, Counties), ReportError> {
    let mut file = open_csv(dir.join("ticks.csv"))?;
    let header = file.header()?;
    let col = |n: &str| header.iter().position(|h| h == n);
    let (Some(c_regime), Some(c_unit), Some(c_tick)) = (col("regime"), col("unit"), col("tick"))
    else {
        return Err(
            file.problem("lacks tick, regime or unit columns; is this a linkage run folder?")
        );
    };
    let wanted: Vec<(&str, usize)> = OVER_TIME
        .iter()
        .filter_map(|&m| Some((m, col(m)?)))
        .collect();
    let c_trust = col("trust");
    let mut city: City = BTreeMap::new();
    let mut last_tick: BTreeMap<String, (usize, Vec<(String, f64)>)> = BTreeMap::new();
    let records: Vec<csv::StringRecord> = file.records().collect::<Result<_, _>>()?;
    for rec in &records {
        let regime = rec[c_regime].to_string();
        if &rec[c_unit] == "city" {
            let m = city.entry(regime).or_default();
            for &(w, i) in &wanted {
                let v = cell_number(&file, rec, i, w)?;
                m.entry(w.to_string()).or_default().push(v);
            }
        } else if let Some(i) = c_trust {
            let t = cell_number(&file, rec, c_tick, "tick")?;
            let t = if t.is_finite() { t as usize } else { 0 };
            let v = cell_number(&file, rec, i, "trust")?;
            let e = last_tick.entry(regime).or_insert((t, Vec::new()));
            if t > e.0 {
                *e = (t, Vec::new());
            }
            if t == e.0 {
                e.1.push((rec[c_unit].to_string(), v));
            }
        }
    }
    let counties = last_tick.into_iter().map(|(k, v)| (k, v.1)).collect();
    Ok((city, counties))
}

/// `summary.csv`: regime → column → cell.
fn read_summary(dir: &Path) -> Result<BTreeMap<String, BTreeMap<String, String>>, ReportError> {
    let mut file = open_csv(dir.join("summary.csv"))?;
    let header = file.header()?;
    if !header.iter().any(|h| h == "regime") {
        return Err(file.problem("lacks a regime column; is this a linkage run folder?"));
    }
    let mut summary = BTreeMap::new();
    for rec in file.records() {
        let row: BTreeMap<String, String> = header
            .iter()
            .cloned()
            .zip(rec?.iter().map(String::from))
            .collect();
        summary.insert(row.get("regime").cloned().unwrap_or_default(), row);
    }
    Ok(summary)
}

/// `territory.csv` (absent in folders of older versions: then empty): regime → county →
/// each township's trust on the last day.
fn read_territory(dir: &Path) -> Result<BTreeMap<String, BTreeMap<String, Vec<f64>>>, ReportError> {
    let mut townships: BTreeMap<String, BTreeMap<String, Vec<f64>>> = BTreeMap::new();
    let path = dir.join("territory.csv");
    if !super::has_table(&path) {
        return Ok(townships);
    }
    let mut file = open_csv(path)?;
    let header = file.header()?;
    let col = |n: &str| header.iter().position(|h| h == n);
    let (Some(c_regime), Some(c_county), Some(c_trust)) =
        (col("regime"), col("county"), col("trust"))
    else {
        return Err(file.problem("lacks regime, county or trust columns"));
    };
    let records: Vec<csv::StringRecord> = file.records().collect::<Result<_, _>>()?;
    for rec in &records {
        let trust = cell_number(&file, rec, c_trust, "trust")?;
        townships
            .entry(rec[c_regime].to_string())
            .or_default()
            .entry(rec[c_county].to_string())
            .or_default()
            .push(trust);
    }
    Ok(townships)
}

/// Sentences stating the comparison in numbers.
pub fn sentences(d: &RunData, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(ranked_sentence(d, lang, "solution_rate"));
    for metric in TRIANGLES {
        out.extend(recovery_sentence(d, lang, metric));
    }
    out.extend(incidents_sentence(d, lang));
    out.extend(answers_sentence(d, lang));
    out.extend(hotline_sentence(d, lang));
    out
}

/// The hotline's grades per regime (MODEL.md §9): response, closure, solution and
/// satisfaction rates, trips per solved issue and petitions, in regime order.
fn hotline_sentence(d: &RunData, lang: Lang) -> Option<String> {
    let pct = |row: &BTreeMap<String, String>, c: &str| {
        num(row, c).map_or("-".to_string(), |x| format!("{:.1}%", x * 100.0))
    };
    let parts: Vec<String> = d
        .summary
        .iter()
        .filter(|(_, row)| num(row, "solution_rate").is_some())
        .map(|(r, row)| {
            let trips = num(row, "trips_per_solved").map_or("-".into(), |x| format!("{x:.2}"));
            let petitions = num(row, "petitions").map_or("-".into(), |x| format!("{x:.0}"));
            match lang {
                Lang::En => format!(
                    "{r} responded to {}, closed {}, solved {} (satisfied at callback {}), {} trips per solved issue, {} petitions",
                    pct(row, "response_rate"),
                    pct(row, "closure_rate"),
                    pct(row, "solution_rate"),
                    pct(row, "satisfaction_rate"),
                    trips,
                    petitions
                ),
                Lang::Zh => format!(
                    "{}响应率{}、办结率{}、解决率{}（回访满意率{}），每解决一件跑动{}次，越级上访{}件",
                    regime_label(lang, r),
                    pct(row, "response_rate"),
                    pct(row, "closure_rate"),
                    pct(row, "solution_rate"),
                    pct(row, "satisfaction_rate"),
                    trips,
                    petitions
                ),
            }
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    Some(match lang {
        Lang::En => format!(
            "As a hotline grades them (of the issues reported): {}.",
            parts.join("; ")
        ),
        Lang::Zh => format!("按热线口径（以受理诉求计）：{}。", parts.join("；")),
    })
}

/// The regimes by a summary column, highest first.
fn ranked(d: &RunData, column: &str) -> Vec<(String, f64)> {
    let mut v: Vec<(String, f64)> = d
        .summary
        .iter()
        .filter_map(|(r, row)| num(row, column).map(|x| (r.clone(), x)))
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v
}

/// The best and the worst regime by a rate column (the solution rate).
fn ranked_sentence(d: &RunData, lang: Lang, column: &str) -> Option<String> {
    let ticks = d.scenario.run.ticks;
    let v = ranked(d, column);
    let (hi, lo) = (v.first()?, v.last()?);
    let (a, b) = (regime_label(lang, &hi.0), regime_label(lang, &lo.0));
    Some(match lang {
        Lang::En => format!(
            "Over {ticks} days {} solved {:.1}% of the issues residents reported and {} {:.1}%.",
            hi.0,
            hi.1 * 100.0,
            lo.0,
            lo.1 * 100.0
        ),
        Lang::Zh => format!(
            "{ticks}天里，{a}解决了{:.1}%的居民诉求，{b}为{:.1}%。",
            hi.1 * 100.0,
            lo.1 * 100.0
        ),
    })
}

/// Collective action per regime, three ways: incidents started, incident-days and
/// protester-days, heaviest (most incident-days) first. Onsets alone would flatter a
/// regime with many short incidents, or hide one with a few long ones.
fn incidents_sentence(d: &RunData, lang: Lang) -> Option<String> {
    let mut rows: Vec<(String, f64, Option<f64>, Option<f64>)> = d
        .summary
        .iter()
        .filter_map(|(r, row)| {
            Some((
                r.clone(),
                num(row, "incidents")?,
                num(row, "incident_days"),
                num(row, "protester_days"),
            ))
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    rows.sort_by(|a, b| {
        let key = |x: &(String, f64, Option<f64>, Option<f64>)| x.2.unwrap_or(x.1);
        key(b).total_cmp(&key(a)).then(a.0.cmp(&b.0))
    });
    let count = |v: Option<f64>| v.map_or("-".to_string(), crate::output::table::thousands);
    let parts: Vec<String> = rows
        .iter()
        .map(|(r, onsets, days, people)| match lang {
            Lang::En => format!(
                "{r} {} started, {} incident-days, {} protester-days",
                count(Some(*onsets)),
                count(*days),
                count(*people)
            ),
            Lang::Zh => format!(
                "{}发生{}起，事件持续{}个社区日，抗议{}人日",
                regime_label(lang, r),
                count(Some(*onsets)),
                count(*days),
                count(*people)
            ),
        })
        .collect();
    Some(match lang {
        Lang::En => format!("Collective incidents: {}.", parts.join("; ")),
        Lang::Zh => format!("群体性事件：{}。", parts.join("；")),
    })
}

/// Incidents as events per regime (issue 13): how many in each police band, their
/// median and longest duration, and how many the government mediated, conceded to,
/// policed and escalated. `None` for a run folder without these columns or incidents.
fn answers_sentence(d: &RunData, lang: Lang) -> Option<String> {
    const BANDS: [&str; 4] = [
        "incidents_5_30",
        "incidents_30_300",
        "incidents_300_1000",
        "incidents_over_1000",
    ];
    const ANSWERS: [&str; 4] = [
        "incidents_mediated",
        "incidents_conceded",
        "incidents_policed",
        "incidents_escalated",
    ];
    let mut parts = Vec::new();
    for (r, row) in &d.summary {
        let bands: Option<Vec<f64>> = BANDS.iter().map(|b| num(row, b)).collect();
        let answers: Option<Vec<f64>> = ANSWERS.iter().map(|a| num(row, a)).collect();
        let (Some(bands), Some(answers)) = (bands, answers) else {
            continue;
        };
        if bands.iter().sum::<f64>() == 0.0 {
            continue;
        }
        let median = num(row, "incident_days_median").unwrap_or(0.0);
        let longest = num(row, "incident_days_longest").unwrap_or(0.0);
        let b: Vec<String> = bands.iter().map(|x| format!("{x:.0}")).collect();
        let a: Vec<String> = answers.iter().map(|x| format!("{x:.0}")).collect();
        parts.push(match lang {
            Lang::En => format!(
                "{r} {}, median {median:.0} d, longest {longest:.0} d, {} mediated, {} conceded to, {} policed, {} escalated",
                b.join(" / "),
                a[0],
                a[1],
                a[2],
                a[3]
            ),
            Lang::Zh => format!(
                "{}{}，中位{median:.0}天，最长{longest:.0}天，调处{}起，让步{}起，维稳{}起，上报领导小组{}起",
                regime_label(lang, r),
                b.join(" / "),
                a[0],
                a[1],
                a[2],
                a[3]
            ),
        });
    }
    if parts.is_empty() {
        return None;
    }
    Some(match lang {
        Lang::En => format!(
            "Incidents by police band (5-30 / 30-300 / 300-1,000 / over 1,000 people) and the answers they got: {}.",
            parts.join("; ")
        ),
        Lang::Zh => format!(
            "事件按规模（5-30 / 30-300 / 300-1000 / 1000人以上）及其处置：{}。",
            parts.join("；")
        ),
    })
}

/// How each regime's `metric` recovered from the first shock (within the resilience
/// tolerance of its level before), and which had not recovered by the end.
fn recovery_sentence(d: &RunData, lang: Lang, metric: &str) -> Option<String> {
    let ticks = d.scenario.run.ticks;
    let shock = d.scenario.shocks.first().map(|s| s.name()).unwrap_or("");
    let mut parts = Vec::new();
    let mut not = Vec::new();
    for (regime, row) in &d.summary {
        let days = row
            .get(&format!("{metric}_recovery_days"))
            .map(|s| s.as_str());
        let loss = num(row, &format!("{metric}_loss_area")).unwrap_or(f64::NAN);
        match (days, num(row, &format!("{metric}_fall_pct"))) {
            (Some(""), Some(_)) => not.push(regime.clone()),
            (Some(days), Some(fall)) => parts.push((regime.clone(), days.to_string(), fall, loss)),
            _ => {}
        }
    }
    if parts.is_empty() {
        return None;
    }
    let tol = tolerance_pct();
    let mut s = match lang {
        Lang::En => {
            let what = if metric == "service_rate" {
                "service"
            } else {
                metric
            };
            let listed: Vec<String> = parts
                .iter()
                .map(|(r, days, fall, loss)| {
                    format!("{r} in {days} days (deepest fall {fall:.1}%, loss {loss:.0} %·d)")
                })
                .collect();
            format!(
                "After the {shock}, {what} recovered to within {tol}% of its level before: {}.",
                listed.join(", ")
            )
        }
        Lang::Zh => {
            let what = if metric == "service_rate" {
                "服务"
            } else {
                "幸福感"
            };
            let listed: Vec<String> = parts
                .iter()
                .map(|(r, days, fall, loss)| {
                    format!(
                        "{}用了{days}天（最深下降{fall:.1}%，损失面积{loss:.0} %·天）",
                        regime_label(lang, r)
                    )
                })
                .collect();
            format!(
                "{shock}之后，{what}恢复到冲击前水平的{tol}%以内：{}。",
                listed.join("，")
            )
        }
    };
    if !not.is_empty() {
        s.push_str(&match lang {
            Lang::En => format!(" {} had not recovered by day {ticks}.", not.join(" and ")),
            Lang::Zh => {
                let names: Vec<String> = not.iter().map(|r| regime_label(lang, r)).collect();
                format!("{}到第{ticks}天仍未恢复。", names.join("和"))
            }
        });
    }
    Some(s)
}

/// With `replicates.csv` (`linkage run --replicates`), each regime's headline metrics
/// over the replicates with their 95% intervals, and which regimes cannot be told apart
/// (see [`super::compare`]); empty without it.
fn replicates_section(dir: &Path, lang: Lang) -> Result<String, ReportError> {
    let path = dir.join(crate::output::files::REPLICATES);
    if !super::has_table(&path) {
        return Ok(String::new());
    }
    let mut file = open_csv(path)?;
    let header = file.header()?;
    let Some(c_rep) = header.iter().position(|h| h == "replicate") else {
        return Err(file.problem("lacks a replicate column"));
    };
    if !header.iter().any(|h| h == "regime") {
        return Err(file.problem("lacks a regime column"));
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    for rec in file.records() {
        rows.push(rec?.iter().map(String::from).collect());
    }
    let mut replicates: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.get(c_rep).map(String::as_str))
        .collect();
    replicates.sort();
    replicates.dedup();
    let spreads = super::compare::from_rows(&header, &rows, &super::compare::METRICS);
    let title = match lang {
        Lang::En => format!(
            "Over {} replicates: each regime's mean with its 95% interval",
            replicates.len()
        ),
        Lang::Zh => format!("{}次重复：各体制的均值及其95%置信区间", replicates.len()),
    };
    Ok(super::compare::section(&title, &spreads, lang))
}

/// The run as it was: its real size (not the scenario description's), days, seed and
/// shock windows.
fn facts(d: &RunData, lang: Lang) -> String {
    let r = &d.scenario.run;
    let n = residents(d.residents());
    let shocks: Vec<String> = d
        .shocks()
        .iter()
        .map(|(name, a, b)| super::lang::window_label(lang, name, *a, *b))
        .collect();
    match lang {
        Lang::En => format!(
            "{n} residents, {} days, seed {}; {}.",
            r.ticks,
            r.seed,
            if shocks.is_empty() {
                "no shock".to_string()
            } else {
                format!("shocks: {}", shocks.join(", "))
            }
        ),
        Lang::Zh => format!(
            "{n}名居民，{}天，随机种子{}；{}。",
            r.ticks,
            r.seed,
            if shocks.is_empty() {
                "无冲击".to_string()
            } else {
                format!("冲击：{}", shocks.join("，"))
            }
        ),
    }
}

/// Write `report.html` and `plots/*.{svg,png}` into the run folder. Returns the chart
/// names.
pub fn write(dir: &Path, lang: Lang) -> Result<Charts, ReportError> {
    crate::base::fonts::ensure();
    let d = read(dir)?;
    let plots = super::plots(dir)?;
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<h1>{}</h1><p class=\"lead\">{}</p><ul class=\"say\">",
        esc(&d.scenario.name),
        esc(&facts(&d, lang))
    );
    for s in sentences(&d, lang) {
        let _ = writeln!(body, "<li>{}</li>", esc(&s));
    }
    body.push_str("</ul>\n");
    let replicates = replicates_section(dir, lang)?;
    body.push_str(&replicates);
    let mut names = Vec::new();
    for metric in OVER_TIME {
        let svg = render!(plots, metric, (860, 360), |root| charts::time_chart(
            root, &d, metric, lang
        ));
        let _ = writeln!(body, "<figure>{svg}</figure>");
        names.push(metric.to_string());
    }
    if !d.scenario.shocks.is_empty() {
        for metric in TRIANGLES {
            let name = format!("resilience_{metric}");
            let svg = render!(plots, name, (860, 300), |root| charts::triangle_chart(
                root, &d, metric, lang
            ));
            let _ = writeln!(body, "<figure>{svg}</figure>");
            names.push(name);
        }
    }
    let counties = d.county_trust.values().map(|v| v.len()).max().unwrap_or(1) as u32;
    let height = 90 + 60 * counties + charts::BAR_HEIGHT;
    let svg = render!(plots, "territory", (860, height), |root| {
        charts::territory_chart(root, &d, lang)
    });
    let _ = writeln!(body, "<figure>{svg}</figure>");
    names.push("territory".into());
    // The replicates' table is set like a sweep report's; a page without one keeps its
    // bytes.
    let style = format!(
        "body{{max-width:900px}}figure{{margin:1.5em 0}}.say li{{font-size:1.15em;margin:.4em 0}}{}",
        if replicates.is_empty() {
            ""
        } else {
            "td,th{padding:.3em .6em;text-align:right}"
        }
    );
    let html = page(lang, &d.scenario.name, &style, &body)?;
    super::write_page(dir, &html)?;
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::metrics::TICK_METRICS;

    #[test]
    fn the_drawn_metrics_are_in_the_metric_table() {
        for m in OVER_TIME {
            assert!(TICK_METRICS.iter().any(|t| t.name == m), "{m}");
            assert!(
                crate::output::metrics::label(m).is_some(),
                "{m} has a label"
            );
        }
    }
}
