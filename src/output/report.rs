//! `linkage report`: one self-contained HTML page (inline SVG, no script, no font or
//! anything else from the network) that explains a run's comparison in charts and in
//! sentences a teacher can read aloud, plus the charts as files in `plots/`.
//!
//! Everything is computed from the run folder's own files (`ticks.csv`, `summary.csv`,
//! `params.toml`), so a report can be made again at any time.

use crate::scenario::Scenario;
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Labels in the report's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    En,
    Zh,
}

fn regime_label(lang: Lang, r: &str) -> String {
    match (lang, r) {
        (Lang::Zh, "fragmented") => "碎片化 fragmented".into(),
        (Lang::Zh, "integrated") => "整体性治理 integrated".into(),
        (Lang::Zh, "linkage") => "联动治理 linkage".into(),
        _ => r.to_string(),
    }
}

fn metric_label(lang: Lang, m: &str) -> &'static str {
    match (lang, m) {
        (Lang::En, "service_rate") => "service rate (resolved / closed, 7-day window)",
        (Lang::En, "trust") => "mean trust in government (0-1)",
        (Lang::En, "happiness") => "sense of happiness (0-1)",
        (Lang::En, "protesters") => "residents protesting",
        (Lang::Zh, "service_rate") => "服务率 service rate (7日窗口)",
        (Lang::Zh, "trust") => "政府信任 trust (0-1)",
        (Lang::Zh, "happiness") => "幸福感 happiness (0-1)",
        (Lang::Zh, "protesters") => "参与抗议人数 protesters",
        _ => "",
    }
}

/// A run folder, read back.
pub struct RunData {
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

pub fn read(dir: &Path) -> Result<RunData, String> {
    let scenario = Scenario::load(dir.join("params.toml").to_str().unwrap_or_default())
        .map_err(|e| format!("{}: {e}", dir.join("params.toml").display()))?;
    let ticks = dir.join("ticks.csv");
    let mut r = csv::Reader::from_path(&ticks).map_err(|e| format!("{}: {e}", ticks.display()))?;
    let header: Vec<String> = r
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(String::from)
        .collect();
    let col = |n: &str| header.iter().position(|h| h == n);
    let (Some(c_regime), Some(c_unit), Some(c_tick)) = (col("regime"), col("unit"), col("tick"))
    else {
        return Err(format!(
            "{} lacks tick, regime or unit columns; is this a linkage run folder?",
            ticks.display()
        ));
    };
    let wanted = ["service_rate", "trust", "happiness", "protesters"];
    let mut city: BTreeMap<String, BTreeMap<String, Vec<f64>>> = BTreeMap::new();
    let mut last_tick: BTreeMap<String, (usize, Vec<(String, f64)>)> = BTreeMap::new();
    let c_trust = col("trust");
    for rec in r.records() {
        let rec = rec.map_err(|e| format!("{}: {e}", ticks.display()))?;
        let regime = rec[c_regime].to_string();
        let t: usize = rec[c_tick].parse().unwrap_or(0);
        if &rec[c_unit] == "city" {
            let m = city.entry(regime).or_default();
            for w in wanted {
                if let Some(i) = col(w) {
                    m.entry(w.to_string())
                        .or_default()
                        .push(rec[i].parse().unwrap_or(f64::NAN));
                }
            }
        } else if let Some(i) = c_trust {
            let e = last_tick.entry(regime).or_insert((t, Vec::new()));
            if t > e.0 {
                *e = (t, Vec::new());
            }
            if t == e.0 {
                e.1.push((rec[c_unit].to_string(), rec[i].parse().unwrap_or(f64::NAN)));
            }
        }
    }
    let s = dir.join("summary.csv");
    let mut r = csv::Reader::from_path(&s).map_err(|e| format!("{}: {e}", s.display()))?;
    let h: Vec<String> = r
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(String::from)
        .collect();
    let mut summary = BTreeMap::new();
    for rec in r.records().flatten() {
        let row: BTreeMap<String, String> = h
            .iter()
            .cloned()
            .zip(rec.iter().map(String::from))
            .collect();
        summary.insert(row.get("regime").cloned().unwrap_or_default(), row);
    }
    let mut townships: BTreeMap<String, BTreeMap<String, Vec<f64>>> = BTreeMap::new();
    if let Ok(mut r) = csv::Reader::from_path(dir.join("territory.csv")) {
        for rec in r.records().flatten() {
            if let (Some(reg), Some(county), Some(trust)) = (
                rec.get(0),
                rec.get(1),
                rec.get(5).and_then(|v| v.parse().ok()),
            ) {
                townships
                    .entry(reg.to_string())
                    .or_default()
                    .entry(county.to_string())
                    .or_default()
                    .push(trust);
            }
        }
    }
    Ok(RunData {
        scenario,
        city,
        county_trust: last_tick.into_iter().map(|(k, v)| (k, v.1)).collect(),
        summary,
        townships,
    })
}

const SHADE: RGBColor = RGBColor(120, 120, 120);
const COLOURS: [RGBColor; 6] = [
    RGBColor(213, 94, 0),
    RGBColor(0, 114, 178),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
];

type Area<'a, DB> = DrawingArea<DB, plotters::coord::Shift>;

fn e<E: std::fmt::Display>(x: E) -> String {
    x.to_string()
}

/// One metric, every regime over time, with the shock windows shaded.
/// The corner of a chart where the legend hides the fewest data points: each corner box
/// spans 40% of the width and 35% of the height; ties go to lower left, lower right,
/// upper left, upper right in that order.
fn legend_corner(
    points: impl Iterator<Item = (f64, f64)>,
    x: (f64, f64),
    y: (f64, f64),
) -> SeriesLabelPosition {
    let mut count = [0usize; 4];
    for (px, py) in points.filter(|p| p.0.is_finite() && p.1.is_finite()) {
        let fx = (px - x.0) / (x.1 - x.0).max(1e-12);
        let fy = (py - y.0) / (y.1 - y.0).max(1e-12);
        let (left, right) = (fx <= 0.4, fx >= 0.6);
        let (low, high) = (fy <= 0.35, fy >= 0.65);
        count[0] += (left && low) as usize;
        count[1] += (right && low) as usize;
        count[2] += (left && high) as usize;
        count[3] += (right && high) as usize;
    }
    let best = (0..4).min_by_key(|&k| count[k]).unwrap_or(0);
    [
        SeriesLabelPosition::LowerLeft,
        SeriesLabelPosition::LowerRight,
        SeriesLabelPosition::UpperLeft,
        SeriesLabelPosition::UpperRight,
    ][best]
        .clone()
}

/// `v` clipped to [0, 1]; NaN stays NaN.
fn clip_unit(v: f64) -> f64 {
    if v.is_nan() { v } else { v.clamp(0.0, 1.0) }
}

/// The legend entry of a shaded shock window `[a, b)`.
fn window_label(lang: Lang, name: &str, a: u32, b: u32) -> String {
    match lang {
        Lang::En => format!("{name} (days {a}-{})", b - 1),
        Lang::Zh => format!("{name}（第{a}-{}天）", b - 1),
    }
}

/// The frame both time charts share: a day axis of `days` and a value axis fitted to
/// `values` with 5% room, titled, labelled, and the shock windows `[a, b)` shaded grey
/// with a legend entry each.
#[allow(clippy::type_complexity)]
fn time_frame<'a, DB: DrawingBackend>(
    root: &'a Area<DB>,
    title: &str,
    metric: &str,
    lang: Lang,
    days: f64,
    values: impl Iterator<Item = f64>,
    shocks: &[(String, u32, u32)],
) -> Result<
    ChartContext<
        'a,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    String,
>
where
    DB::ErrorType: 'static,
{
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    let (lo, hi) = if lo.is_finite() {
        (lo - 0.05 * (hi - lo + 1e-9), hi + 0.05 * (hi - lo + 1e-9))
    } else {
        (0.0, 1.0)
    };
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d(0f64..days, lo..hi)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(if lang == Lang::Zh { "天 day" } else { "day" })
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc(metric)
        .draw()
        .map_err(e)?;
    for (name, a, b) in shocks {
        chart
            .draw_series([Rectangle::new(
                [(*a as f64, lo), (*b as f64, hi)],
                SHADE.mix(0.15).filled(),
            )])
            .map_err(e)?
            .label(window_label(lang, name, *a, *b))
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 20, y + 5)], SHADE.mix(0.3).filled())
            });
    }
    Ok(chart)
}

fn time_chart<DB: DrawingBackend>(
    root: Area<DB>,
    d: &RunData,
    metric: &str,
    lang: Lang,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(e)?;
    let series: Vec<(&String, &Vec<f64>)> = d
        .city
        .iter()
        .filter_map(|(r, m)| m.get(metric).map(|v| (r, v)))
        .collect();
    let n = series.iter().map(|s| s.1.len()).max().unwrap_or(1) as f64;
    let shocks: Vec<(String, u32, u32)> = d
        .scenario
        .shocks
        .iter()
        .map(|s| {
            let (a, b) = s.window();
            (s.name().to_string(), a, b)
        })
        .collect();
    let mut chart = time_frame(
        &root,
        metric_label(lang, metric),
        metric,
        lang,
        n,
        series.iter().flat_map(|s| s.1.iter().copied()),
        &shocks,
    )?;
    let (lo, hi) = (chart.y_range().start, chart.y_range().end);
    for (k, (regime, v)) in series.iter().enumerate() {
        let c = COLOURS[k % COLOURS.len()];
        chart
            .draw_series(LineSeries::new(
                v.iter()
                    .enumerate()
                    .filter(|(_, y)| y.is_finite())
                    .map(|(t, &y)| (t as f64, y)),
                c.stroke_width(2),
            ))
            .map_err(e)?
            .label(regime_label(lang, regime))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(legend_corner(
            series
                .iter()
                .flat_map(|(_, v)| v.iter().enumerate().map(|(t, &y)| (t as f64, y))),
            (0.0, n),
            (lo, hi),
        ))
        .draw()
        .map_err(e)?;
    root.present().map_err(e)
}

/// The resilience triangle of each regime for one headline metric: the metric against its
/// baseline from the shock on, the loss area filled, annotated with the three figures.
fn triangle_chart<DB: DrawingBackend>(
    root: Area<DB>,
    d: &RunData,
    metric: &str,
    lang: Lang,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(e)?;
    let title = match lang {
        Lang::En => format!("resilience triangle: {metric} against its pre-shock baseline"),
        Lang::Zh => format!("韧性三角 resilience triangle: {metric}"),
    };
    let root = root.titled(&title, ("sans-serif", 18)).map_err(e)?;
    let regimes: Vec<&String> = d.city.keys().collect();
    let panels = root.split_evenly((1, regimes.len().max(1)));
    let start = d.scenario.shock_start().unwrap_or(0) as usize;
    for (k, (panel, regime)) in panels.iter().zip(&regimes).enumerate() {
        let row = d.summary.get(*regime);
        let base = row.and_then(|r| num(r, &format!("{metric}_baseline")));
        let v = d.city[*regime].get(metric).cloned().unwrap_or_default();
        let Some(base) = base else {
            panel
                .draw(&Text::new(
                    format!("{}: no shock, no triangle", regime_label(lang, regime)),
                    (10, 20),
                    ("sans-serif", 14),
                ))
                .map_err(e)?;
            continue;
        };
        let after: Vec<(f64, f64)> = v
            .iter()
            .enumerate()
            .skip(start)
            .filter(|(_, y)| y.is_finite())
            .map(|(t, &y)| ((t - start) as f64, y / base * 100.0))
            .collect();
        let lo = after.iter().map(|p| p.1).fold(100.0f64, f64::min).min(95.0) - 2.0;
        let mut chart = ChartBuilder::on(panel)
            .caption(regime_label(lang, regime), ("sans-serif", 15))
            .margin(8)
            .x_label_area_size(30)
            .y_label_area_size(45)
            .build_cartesian_2d(0f64..after.len().max(1) as f64, lo..103f64)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc("days since the shock")
            .y_desc("% of baseline")
            .draw()
            .map_err(e)?;
        let c = COLOURS[k % COLOURS.len()];
        chart
            .draw_series(
                AreaSeries::new(
                    after.iter().map(|&(x, y)| (x, y.min(100.0))),
                    100.0,
                    c.mix(0.3),
                )
                .border_style(c),
            )
            .map_err(e)?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, 95.0), (after.len() as f64, 95.0)],
                BLACK.mix(0.5),
            ))
            .map_err(e)?;
        let fall = row
            .and_then(|r| num(r, &format!("{metric}_fall_pct")))
            .unwrap_or(f64::NAN);
        let rec = row
            .and_then(|r| r.get(&format!("{metric}_recovery_days")).cloned())
            .unwrap_or_default();
        let loss = row
            .and_then(|r| num(r, &format!("{metric}_loss_area")))
            .unwrap_or(f64::NAN);
        let rec = if rec.is_empty() {
            "not recovered".to_string()
        } else {
            format!("{rec} d")
        };
        for (i, t) in [
            format!("fall {fall:.1}%"),
            format!("recovery {rec}"),
            format!("loss {loss:.0} %·d"),
        ]
        .iter()
        .enumerate()
        {
            panel
                .draw(&Text::new(
                    t.clone(),
                    (60, 40 + 16 * i as i32),
                    ("sans-serif", 13),
                ))
                .map_err(e)?;
        }
    }
    root.present().map_err(e)
}

/// Counties coloured by trust on the last day, one panel per regime (city → counties).
fn territory_chart<DB: DrawingBackend>(
    root: Area<DB>,
    d: &RunData,
    lang: Lang,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let regimes: Vec<&String> = d.county_trust.keys().collect();
    root.fill(&WHITE).map_err(e)?;
    let title = if lang == Lang::Zh {
        "市域 → 县区 → 乡镇街道：期末信任 trust on the last day"
    } else {
        "city → counties → townships (squares): trust on the last day"
    };
    let root = root.titled(title, ("sans-serif", 18)).map_err(e)?;
    let panels = root.split_evenly((1, regimes.len().max(1)));
    let all: Vec<f64> = d
        .county_trust
        .values()
        .flatten()
        .map(|x| x.1)
        .filter(|v| v.is_finite())
        .collect();
    let (lo, hi) = all
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    for (panel, regime) in panels.iter().zip(&regimes) {
        panel
            .draw(&Text::new(
                regime_label(lang, regime),
                (10, 5),
                ("sans-serif", 15),
            ))
            .map_err(e)?;
        panel
            .draw(&Rectangle::new(
                [(10, 28), (260, 48)],
                RGBColor(60, 60, 60).filled(),
            ))
            .map_err(e)?;
        panel
            .draw(&Text::new(
                if lang == Lang::Zh { "市 city" } else { "city" },
                (16, 32),
                ("sans-serif", 13).into_font().color(&WHITE),
            ))
            .map_err(e)?;
        for (i, (county, trust)) in d.county_trust[*regime].iter().enumerate() {
            let y = 60 + 60 * i as i32;
            let colour = shade(*trust, lo, hi);
            panel
                .draw(&PathElement::new(
                    vec![(30, 48), (30, y + 12), (40, y + 12)],
                    BLACK,
                ))
                .map_err(e)?;
            panel
                .draw(&Rectangle::new([(40, y), (260, y + 24)], colour.filled()))
                .map_err(e)?;
            panel
                .draw(&Text::new(
                    format!("{county}: {trust:.3}"),
                    (46, y + 5),
                    ("sans-serif", 13).into_font().color(&WHITE),
                ))
                .map_err(e)?;
            // Its townships, one square each, below the county (territory.csv).
            if let Some(towns) = d.townships.get(*regime).and_then(|m| m.get(county)) {
                for (j, t) in towns.iter().take(24).enumerate() {
                    let x = 44 + 9 * j as i32;
                    let c = shade(*t, lo, hi);
                    panel
                        .draw(&Rectangle::new([(x, y + 27), (x + 7, y + 34)], c.filled()))
                        .map_err(e)?;
                }
                if towns.len() > 24 {
                    panel
                        .draw(&Text::new(
                            format!("+{}", towns.len() - 24),
                            (44 + 9 * 24, y + 25),
                            ("sans-serif", 10),
                        ))
                        .map_err(e)?;
                }
            }
        }
    }
    root.present().map_err(e)
}

/// Draw a chart twice, as SVG (returned, and written to plots/NAME.svg) and as
/// plots/NAME.png, each through a temporary file and a rename.
macro_rules! render {
    ($plots:expr, $name:expr, $size:expr, |$root:ident| $body:expr) => {{
        let mut svg = String::new();
        {
            let $root = SVGBackend::with_string(&mut svg, $size).into_drawing_area();
            $body?;
        }
        let png = $plots.join(format!("{}.png", $name));
        let tmp = $plots.join(format!(".{}.tmp.png", $name));
        {
            let $root = BitMapBackend::new(&tmp, $size).into_drawing_area();
            $body?;
        }
        std::fs::rename(&tmp, &png).map_err(|err| format!("{}: {err}", png.display()))?;
        write_atomic(&$plots.join(format!("{}.svg", $name)), &svg)?;
        svg
    }};
}

fn num(row: &BTreeMap<String, String>, k: &str) -> Option<f64> {
    row.get(k).and_then(|v| v.parse().ok())
}

/// Sentences stating the comparison in numbers.
pub fn sentences(d: &RunData, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    let ticks = d.scenario.run.ticks;
    let shock = d.scenario.shocks.first().map(|s| s.name()).unwrap_or("");
    let by = |k: &str| -> Vec<(String, f64)> {
        let mut v: Vec<(String, f64)> = d
            .summary
            .iter()
            .filter_map(|(r, row)| num(row, k).map(|x| (r.clone(), x)))
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
        v
    };
    let rate = by("resolution_rate");
    if let (Some(best), Some(worst)) = (rate.first(), rate.last()) {
        out.push(match lang {
            Lang::En => format!(
                "Over {ticks} days {} resolved {:.1}% of residents' issues and {} {:.1}%.",
                best.0,
                best.1 * 100.0,
                worst.0,
                worst.1 * 100.0
            ),
            Lang::Zh => format!(
                "{ticks}天里，{}解决了{:.1}%的居民诉求，{}为{:.1}%。",
                regime_label(lang, &best.0),
                best.1 * 100.0,
                regime_label(lang, &worst.0),
                worst.1 * 100.0
            ),
        });
    }
    for metric in ["service_rate", "happiness"] {
        let mut parts = Vec::new();
        let mut not = Vec::new();
        for (regime, row) in &d.summary {
            match (
                row.get(&format!("{metric}_recovery_days"))
                    .map(|s| s.as_str()),
                num(row, &format!("{metric}_fall_pct")),
            ) {
                (Some(""), Some(_)) => not.push(regime.clone()),
                (Some(days), Some(fall)) => parts.push((regime.clone(), days.to_string(), fall)),
                _ => {}
            }
        }
        if parts.is_empty() && not.is_empty() {
            continue;
        }
        if parts.is_empty() {
            continue;
        }
        let what = if metric == "service_rate" {
            "service"
        } else {
            "happiness"
        };
        let listed: Vec<String> = parts
            .iter()
            .map(|(r, days, fall)| format!("{r} in {days} days (deepest fall {fall:.1}%)"))
            .collect();
        let mut s = match lang {
            Lang::En => format!(
                "After the {shock}, {what} recovered to within 5% of its level before: {}.",
                listed.join(", ")
            ),
            Lang::Zh => format!(
                "{shock}之后，{}恢复到冲击前水平的5%以内：{}。",
                if metric == "service_rate" {
                    "服务"
                } else {
                    "幸福感"
                },
                parts
                    .iter()
                    .map(|(r, days, fall)| format!(
                        "{}用了{days}天（最深下降{fall:.1}%）",
                        regime_label(lang, r)
                    ))
                    .collect::<Vec<_>>()
                    .join("，")
            ),
        };
        if !not.is_empty() {
            s.push_str(&match lang {
                Lang::En => format!(" {} had not recovered by day {ticks}.", not.join(" and ")),
                Lang::Zh => format!(
                    "{}到第{ticks}天仍未恢复。",
                    not.iter()
                        .map(|r| regime_label(lang, r))
                        .collect::<Vec<_>>()
                        .join("和")
                ),
            });
        }
        out.push(s);
    }
    let inc = by("incidents");
    if let (Some(most), Some(least)) = (inc.first(), inc.last()) {
        out.push(match lang {
            Lang::En => format!(
                "{} saw {} collective incidents, {} {}.",
                most.0, most.1, least.0, least.1
            ),
            Lang::Zh => format!(
                "{}发生{}起群体性事件，{}为{}起。",
                regime_label(lang, &most.0),
                most.1,
                regime_label(lang, &least.0),
                least.1
            ),
        });
    }
    out
}

/// Write `report.html` and `plots/*.{svg,png}` into the run folder. Returns the chart
/// names.
pub fn write(dir: &Path, lang: Lang) -> Result<Vec<String>, String> {
    super::fonts::ensure();
    let d = read(dir)?;
    let plots = dir.join("plots");
    std::fs::create_dir_all(&plots).map_err(|err| format!("{}: {err}", plots.display()))?;
    let mut body = String::new();
    let said = sentences(&d, lang);
    let _ = writeln!(
        body,
        "<h1>{}</h1><p class=\"lead\">{}</p><ul class=\"say\">",
        esc(&d.scenario.name),
        esc(&d.scenario.description)
    );
    for s in &said {
        let _ = writeln!(body, "<li>{}</li>", esc(s));
    }
    body.push_str("</ul>\n");
    let mut names = Vec::new();
    for metric in ["service_rate", "trust", "happiness", "protesters"] {
        let svg = render!(plots, metric, (860, 360), |root| time_chart(
            root, &d, metric, lang
        ));
        let _ = writeln!(body, "<figure>{svg}</figure>");
        names.push(metric.to_string());
    }
    if !d.scenario.shocks.is_empty() {
        for metric in ["service_rate", "happiness"] {
            let name = format!("resilience_{metric}");
            let svg = render!(plots, name, (860, 300), |root| triangle_chart(
                root, &d, metric, lang
            ));
            let _ = writeln!(body, "<figure>{svg}</figure>");
            names.push(name);
        }
    }
    let height = 90 + 60 * d.county_trust.values().map(|v| v.len()).max().unwrap_or(1) as u32;
    let svg = render!(plots, "territory", (860, height), |root| territory_chart(
        root, &d, lang
    ));
    let _ = writeln!(body, "<figure>{svg}</figure>");
    names.push("territory".into());
    let html = page(
        lang,
        &d.scenario.name,
        "body{max-width:900px}figure{margin:1.5em 0}.say li{font-size:1.15em;margin:.4em 0}",
        &body,
    )?;
    write_atomic(&dir.join("report.html"), &html)?;
    Ok(names)
}

/// The whole page: `body` under a title, with the embedded font's subset for exactly the
/// characters the page uses as an `@font-face` data URI, set first for the text and for
/// the SVG charts' labels (whose `font-family` attribute a CSS rule overrides). So Chinese
/// labels render on a machine without a CJK font, and the page fetches nothing.
fn page(lang: Lang, title: &str, style: &str, body: &str) -> Result<String, String> {
    let title = esc(title);
    let face = super::fonts::face_css(&format!("{title}{body}"))?;
    let family = super::fonts::WEB_FAMILY;
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{title}</title><style>{face}\nbody,svg text{{font-family:\"{family}\",sans-serif}}body{{margin:2em auto;color:#222}}{style}</style></head><body>\n{body}</body></html>\n",
        if lang == Lang::Zh { "zh" } else { "en" },
    ))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn write_atomic(path: &Path, text: &str) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// A sweep folder, read back: the experiment and the per-cell summary.
struct SweepData {
    experiment: crate::experiment::spec::Experiment,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl SweepData {
    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    fn value(&self, row: &[String], name: &str) -> Option<f64> {
        self.col(name)
            .and_then(|i| row.get(i))
            .and_then(|v| v.parse().ok())
    }

    /// The smallest and largest value of a column over all cells.
    fn range(&self, name: &str) -> (f64, f64) {
        self.rows
            .iter()
            .filter_map(|r| self.value(r, name))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            })
    }
}

fn read_sweep(dir: &Path) -> Result<SweepData, String> {
    let exp = dir.join("experiment.toml");
    let text = std::fs::read_to_string(&exp).map_err(|err| format!("{}: {err}", exp.display()))?;
    let experiment = toml::from_str(&text).map_err(|err| format!("{}: {err}", exp.display()))?;
    let s = dir.join("summary.csv");
    let mut r = csv::Reader::from_path(&s).map_err(|err| format!("{}: {err}", s.display()))?;
    let header = r.headers().map_err(e)?.iter().map(String::from).collect();
    let rows = r
        .records()
        .flatten()
        .map(|rec| rec.iter().map(String::from).collect())
        .collect();
    Ok(SweepData {
        experiment,
        header,
        rows,
    })
}

/// The cell whose centre is at `v` (k + 0.5), if any.
fn centre(v: f64) -> Option<usize> {
    ((v - v.floor() - 0.5).abs() < 1e-6 && v >= 0.0).then_some(v.floor() as usize)
}

/// Background colour for a value in [lo, hi]: red (worse) to green (better).
fn shade(v: f64, lo: f64, hi: f64) -> RGBColor {
    let f = if hi > lo {
        ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
    } else {
        0.5
    };
    RGBColor(
        (215.0 - 170.0 * f) as u8,
        (70.0 + 110.0 * f) as u8,
        (50.0 + 60.0 * f) as u8,
    )
}

/// Heat map of `metric` over the first two factors, one panel per regime.
fn heat_chart<DB: DrawingBackend>(root: Area<DB>, d: &SweepData, metric: &str) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(e)?;
    let (fx, fy) = (&d.experiment.factors[0].path, &d.experiment.factors[1].path);
    let root = root
        .titled(
            &format!("{metric} (mean) over {fx} × {fy}"),
            ("sans-serif", 17),
        )
        .map_err(e)?;
    let regimes: Vec<String> = {
        let mut v: Vec<String> = d
            .rows
            .iter()
            .filter_map(|r| d.col("regime").map(|i| r[i].clone()))
            .collect();
        v.dedup();
        v.sort();
        v.dedup();
        v
    };
    let xs: Vec<f64> = {
        let mut v = d.experiment.factors[0].values.clone();
        v.sort_by(f64::total_cmp);
        v.dedup();
        v
    };
    let ys: Vec<f64> = {
        let mut v = d.experiment.factors[1].values.clone();
        v.sort_by(f64::total_cmp);
        v.dedup();
        v
    };
    let (lo, hi) = d.range(&format!("{metric}_mean"));
    for (panel, regime) in root
        .split_evenly((1, regimes.len().max(1)))
        .iter()
        .zip(&regimes)
    {
        let mut chart = ChartBuilder::on(panel)
            .caption(regime, ("sans-serif", 15))
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size(44)
            .build_cartesian_2d(0f64..xs.len() as f64, 0f64..ys.len() as f64)
            .map_err(e)?;
        chart
            .configure_mesh()
            .disable_mesh()
            // Labels every half cell; only the cell centres (x.5) are named.
            .x_labels(2 * xs.len() + 1)
            .y_labels(2 * ys.len() + 1)
            .x_label_formatter(&|v| {
                centre(*v)
                    .and_then(|i| xs.get(i))
                    .map_or(String::new(), |x| format!("{x}"))
            })
            .y_label_formatter(&|v| {
                centre(*v)
                    .and_then(|i| ys.get(i))
                    .map_or(String::new(), |y| format!("{y}"))
            })
            .x_desc(fx.as_str())
            .y_desc(fy.as_str())
            .draw()
            .map_err(e)?;
        for row in d
            .rows
            .iter()
            .filter(|r| d.col("regime").is_some_and(|i| &r[i] == regime))
        {
            let (Some(x), Some(y), Some(v)) = (
                d.value(row, fx),
                d.value(row, fy),
                d.value(row, &format!("{metric}_mean")),
            ) else {
                continue;
            };
            let (Some(i), Some(j)) = (
                xs.iter().position(|&a| a == x),
                ys.iter().position(|&b| b == y),
            ) else {
                continue;
            };
            let (i, j) = (i as f64, j as f64);
            chart
                .draw_series([Rectangle::new(
                    [(i, j), (i + 1.0, j + 1.0)],
                    shade(v, lo, hi).filled(),
                )])
                .map_err(e)?;
            chart
                .draw_series([Text::new(
                    format!("{v:.3}"),
                    (i + 0.15, j + 0.6),
                    ("sans-serif", 12).into_font().color(&WHITE),
                )])
                .map_err(e)?;
        }
    }
    root.present().map_err(e)
}

/// Tornado chart of a one-at-a-time design: for each factor, the lowest and highest mean
/// of `metric` over its values, against the base point (first regime).
fn tornado_chart<DB: DrawingBackend>(
    root: Area<DB>,
    d: &SweepData,
    metric: &str,
    regime: &str,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(e)?;
    let mine: Vec<&Vec<String>> = d
        .rows
        .iter()
        .filter(|r| d.col("regime").is_some_and(|i| r[i] == regime))
        .collect();
    let Some(base_row) = mine.first() else {
        return Ok(());
    };
    let base = d
        .value(base_row, &format!("{metric}_mean"))
        .unwrap_or(f64::NAN);
    let mut bars: Vec<(String, f64, f64)> = Vec::new();
    for f in &d.experiment.factors {
        let b = d.value(base_row, &f.path);
        let vals: Vec<f64> = mine
            .iter()
            .filter(|r| d.value(r, &f.path) != b)
            .filter_map(|r| d.value(r, &format!("{metric}_mean")))
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
    let m = bars
        .iter()
        .map(|b| b.1.abs().max(b.2.abs()))
        .fold(1e-6, f64::max)
        * 1.1;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{regime}: change of {metric} (mean) when one factor moves (base {base:.3})"),
            ("sans-serif", 16),
        )
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(150)
        .build_cartesian_2d(-m..m, 0f64..bars.len() as f64)
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(2 * bars.len() + 1)
        .y_label_formatter(&|v| {
            centre(*v)
                .and_then(|i| bars.get(bars.len().checked_sub(1 + i)?))
                .map_or(String::new(), |b| b.0.clone())
        })
        .x_desc(format!("change of {metric}"))
        .draw()
        .map_err(e)?;
    for (k, (_, lo, hi)) in bars.iter().enumerate() {
        let y = (bars.len() - 1 - k) as f64;
        chart
            .draw_series([Rectangle::new(
                [(*lo, y + 0.15), (0.0, y + 0.85)],
                COLOURS[0].filled(),
            )])
            .map_err(e)?;
        chart
            .draw_series([Rectangle::new(
                [(0.0, y + 0.15), (*hi, y + 0.85)],
                COLOURS[2].filled(),
            )])
            .map_err(e)?;
    }
    root.present().map_err(e)
}

/// One tick of a cell's headline metric over its runs (`series-summary.csv`).
#[derive(Clone, Copy, Debug)]
struct Point {
    tick: usize,
    n: u64,
    mean: f64,
    sd: f64,
    lo: f64,
    hi: f64,
}

/// A scenario and the cells drawn for it, one per regime.
type ScenarioSeries = (String, Vec<Drawn>);

/// The cell drawn for one scenario × regime, and its metrics over time.
struct Drawn {
    regime: String,
    cell: String,
    /// `factor = value` of the cell's design point.
    point: Vec<String>,
    /// metric → points in tick order.
    metrics: BTreeMap<String, Vec<Point>>,
}

/// The time series of a sweep to draw: per scenario (in summary order), per regime (in
/// name order), the cell at the first design point of that scenario × regime (the cell
/// with the lowest number: for `oat` the base point, every factor at the scenario's own
/// value; for `grid` every factor at its first value; for `lhs` the first sample; without
/// factors, the scenario × regime itself). `None` when the folder has no
/// `series-summary.csv` (a sweep of an older linkage). Streams the file and keeps only
/// the drawn cells, so memory follows the cells drawn, not the cells swept.
fn read_series(dir: &Path, d: &SweepData) -> Result<Option<Vec<ScenarioSeries>>, String> {
    let path = dir.join(crate::experiment::sweep::SERIES_SUMMARY);
    if !path.exists() {
        return Ok(None);
    }
    let (Some(cc), Some(cs), Some(cr)) = (d.col("cell"), d.col("scenario"), d.col("regime")) else {
        return Ok(None);
    };
    // scenario → regime → lowest cell.
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
    let wanted: BTreeMap<u64, (usize, String)> = chosen
        .iter()
        .enumerate()
        .flat_map(|(i, (_, regs))| regs.iter().map(move |(r, &c)| (c, (i, r.clone()))))
        .collect();
    let mut out: Vec<ScenarioSeries> = chosen
        .iter()
        .map(|(scen, _)| (scen.clone(), Vec::new()))
        .collect();
    let mut r =
        csv::Reader::from_path(&path).map_err(|err| format!("{}: {err}", path.display()))?;
    let header: Vec<String> = r.headers().map_err(e)?.iter().map(String::from).collect();
    let col = |n: &str| header.iter().position(|h| h == n);
    let (Some(h_cell), Some(h_tick)) = (col("cell"), col("tick")) else {
        return Err(format!("{} lacks cell and tick columns", path.display()));
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
    for rec in r.records() {
        let rec = rec.map_err(|err| format!("{}: {err}", path.display()))?;
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
        for m in crate::output::metrics::HEADLINE {
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

/// The shock windows of a swept scenario, `(name, first day, day after the last)`: those
/// of the scenario as loaded by its name, less any that end after the sweep's `ticks`.
/// Empty if the scenario cannot be loaded from here (a path relative to the experiment).
fn sweep_shocks(name: &str, ticks: Option<u32>) -> Vec<(String, u32, u32)> {
    let Ok(s) = Scenario::load(name) else {
        return Vec::new();
    };
    let ticks = ticks.unwrap_or(s.run.ticks);
    s.shocks
        .iter()
        .map(|x| (x.name().to_string(), x.window().0, x.window().1))
        .filter(|x| x.2 <= ticks)
        .collect()
}

/// One headline metric of one scenario over time: each regime's mean over its runs as a
/// line, with the 95% confidence band shaded where the cell has two or more runs, and the
/// shock windows shaded grey as in run reports.
fn band_chart<DB: DrawingBackend>(
    root: Area<DB>,
    title: &str,
    drawn: &[Drawn],
    metric: &str,
    shocks: &[(String, u32, u32)],
    lang: Lang,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(e)?;
    let pts = |d: &Drawn| d.metrics.get(metric).cloned().unwrap_or_default();
    let n = drawn
        .iter()
        .flat_map(|d| pts(d).into_iter().map(|p| p.tick + 1))
        .max()
        .unwrap_or(1) as f64;
    let mut chart = time_frame(
        &root,
        title,
        metric,
        lang,
        n,
        drawn
            .iter()
            .flat_map(&pts)
            .flat_map(|p| [p.mean, p.lo, p.hi]),
        shocks,
    )?;
    let (lo, hi) = (chart.y_range().start, chart.y_range().end);
    for (k, d) in drawn.iter().enumerate() {
        let c = COLOURS[k % COLOURS.len()];
        let p = pts(d);
        // The band: one polygon per stretch of ticks whose interval is defined.
        for stretch in p
            .split(|q| !(q.lo.is_finite() && q.hi.is_finite()))
            .filter(|s| s.len() >= 2)
        {
            let outline: Vec<(f64, f64)> = stretch
                .iter()
                .map(|q| (q.tick as f64, q.hi))
                .chain(stretch.iter().rev().map(|q| (q.tick as f64, q.lo)))
                .collect();
            chart
                .draw_series([Polygon::new(outline, c.mix(0.2).filled())])
                .map_err(e)?;
        }
        let with_band = p.iter().any(|q| q.n >= 2);
        chart
            .draw_series(LineSeries::new(
                p.iter()
                    .filter(|q| q.mean.is_finite())
                    .map(|q| (q.tick as f64, q.mean)),
                c.stroke_width(2),
            ))
            .map_err(e)?
            .label(format!(
                "{}{}",
                regime_label(lang, &d.regime),
                if with_band { " (mean, 95% CI)" } else { "" }
            ))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(legend_corner(
            drawn.iter().flat_map(pts).flat_map(|q| {
                [
                    (q.tick as f64, q.lo),
                    (q.tick as f64, q.mean),
                    (q.tick as f64, q.hi),
                ]
            }),
            (0.0, n),
            (lo, hi),
        ))
        .draw()
        .map_err(e)?;
    root.present().map_err(e)
}

/// The chart in words: on the last day every regime has a value, each regime's mean (with
/// its 95% interval), and the gap between the best and the worst with the 95% interval of
/// that difference (Welch), or a note that one run per regime gives no interval.
fn band_sentence(drawn: &[Drawn], metric: &str, lang: Lang) -> String {
    let pts: Vec<(&Drawn, Vec<Point>)> = drawn
        .iter()
        .map(|d| (d, d.metrics.get(metric).cloned().unwrap_or_default()))
        .collect();
    let last = pts
        .iter()
        .map(|(_, p)| {
            p.iter()
                .filter(|q| q.mean.is_finite())
                .map(|q| q.tick)
                .collect::<std::collections::BTreeSet<_>>()
        })
        .reduce(|a, b| a.intersection(&b).copied().collect())
        .and_then(|t| t.last().copied());
    let Some(t) = last else {
        return String::new();
    };
    let mut at: Vec<(&str, Point)> = pts
        .iter()
        .filter_map(|(d, p)| Some((d.regime.as_str(), *p.iter().find(|q| q.tick == t)?)))
        .collect();
    at.sort_by(|a, b| b.1.mean.total_cmp(&a.1.mean));
    let values: Vec<String> = at
        .iter()
        .map(|(r, q)| {
            let ci = if q.lo.is_finite() {
                match lang {
                    Lang::En => format!(" (95% CI {:.3} to {:.3})", q.lo, q.hi),
                    Lang::Zh => format!("（95%置信区间 {:.3} 至 {:.3}）", q.lo, q.hi),
                }
            } else {
                String::new()
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
    if let (Some(best), Some(worst)) = (at.first(), at.last())
        && at.len() >= 2
    {
        let gap = best.1.mean - worst.1.mean;
        let (a, b) = (best.1, worst.1);
        let ci = if a.n >= 2 && b.n >= 2 && a.sd.is_finite() && b.sd.is_finite() {
            let (va, vb) = (a.sd * a.sd / a.n as f64, b.sd * b.sd / b.n as f64);
            let se = (va + vb).sqrt();
            let half = if se > 0.0 {
                let df =
                    (va + vb).powi(2) / (va * va / (a.n - 1) as f64 + vb * vb / (b.n - 1) as f64);
                crate::experiment::stats::t975(df.floor().max(1.0) as u64) * se
            } else {
                0.0
            };
            Some((gap - half, gap + half))
        } else {
            None
        };
        s.push_str(&match (lang, ci) {
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
                "{}比{}高{gap:.3}（差值的95%置信区间 {l:.3} 至 {h:.3}；{}）。",
                regime_label(lang, best.0),
                regime_label(lang, worst.0),
                if l > 0.0 {
                    "区间不含0"
                } else {
                    "区间含0，这些模拟分不出高下"
                }
            ),
            (Lang::Zh, None) => format!(
                "{}比{}高{gap:.3}（每种体制只有一次模拟，没有置信区间）。",
                regime_label(lang, best.0),
                regime_label(lang, worst.0)
            ),
        });
    }
    s
}

/// A file-name-safe form of a scenario name or path.
fn slug(name: &str) -> String {
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

/// `report.html` and `plots/` for a sweep folder.
pub fn write_sweep(dir: &Path, lang: Lang) -> Result<Vec<String>, String> {
    super::fonts::ensure();
    let d = read_sweep(dir)?;
    let plots = dir.join("plots");
    std::fs::create_dir_all(&plots).map_err(|err| format!("{}: {err}", plots.display()))?;
    let metric = if d.col("resolution_rate_mean").is_some() {
        "resolution_rate"
    } else {
        d.header
            .iter()
            .find_map(|h| h.strip_suffix("_mean"))
            .unwrap_or("")
    };
    let mut body = format!(
        "<h1>{}</h1><p class=\"lead\">{}</p>\n",
        esc(&d.experiment.name),
        esc(&d.experiment.description)
    );
    let mut names = Vec::new();
    // Regime × scenario table, coloured by the mean of the headline metric.
    let (Some(ci), Some(cr)) = (d.col("scenario"), d.col("regime")) else {
        return Err("summary.csv lacks scenario and regime columns".into());
    };
    let mut scen: Vec<String> = d.rows.iter().map(|r| r[ci].clone()).collect();
    scen.dedup();
    let mut regs: Vec<String> = d.rows.iter().map(|r| r[cr].clone()).collect();
    regs.sort();
    regs.dedup();
    let (lo, hi) = d.range(&format!("{metric}_mean"));
    let mut said = Vec::new();
    let _ = write!(
        body,
        "<h2>{metric}: regime × scenario (mean over replicates and settings)</h2><table><tr><th></th>"
    );
    for r in &regs {
        let _ = write!(body, "<th>{}</th>", esc(&regime_label(lang, r)));
    }
    body.push_str("</tr>\n");
    for s in &scen {
        let _ = write!(body, "<tr><th>{}</th>", esc(s));
        let mut best: Option<(String, f64)> = None;
        for r in &regs {
            let cell: Vec<f64> = d
                .rows
                .iter()
                .filter(|x| &x[ci] == s && &x[cr] == r)
                .filter_map(|x| d.value(x, &format!("{metric}_mean")))
                .collect();
            if cell.is_empty() {
                body.push_str("<td>-</td>");
                continue;
            }
            let v = cell.iter().sum::<f64>() / cell.len() as f64;
            if best.as_ref().is_none_or(|b| v > b.1) {
                best = Some((r.clone(), v));
            }
            let c = shade(v, lo, hi);
            let _ = write!(
                body,
                "<td style=\"background:rgb({},{},{});color:#fff\">{v:.3}</td>",
                c.0, c.1, c.2
            );
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
    }
    body.push_str("</table>\n<ul class=\"say\">");
    for s in &said {
        let _ = write!(body, "<li>{}</li>", esc(s));
    }
    body.push_str("</ul>\n");
    if let Some(series) = read_series(dir, &d)? {
        let _ = writeln!(
            body,
            "<h2>{}</h2>",
            match lang {
                Lang::En =>
                    "Over time: each regime's mean over its runs, with its 95% confidence band",
                Lang::Zh => "随时间变化：各体制的均值及其95%置信带 over time",
            }
        );
        for (scenario, drawn) in &series {
            let shocks = sweep_shocks(scenario, d.experiment.ticks);
            let point = drawn
                .iter()
                .filter(|x| !x.point.is_empty())
                .map(|x| format!("{} (cell {}): {}", x.regime, x.cell, x.point.join(", ")))
                .collect::<Vec<_>>();
            for metric in crate::output::metrics::HEADLINE {
                let name = format!("series_{}_{metric}", slug(scenario));
                let title = format!("{} - {scenario}", metric_label(lang, metric));
                let svg = render!(plots, name, (860, 360), |root| band_chart(
                    root, &title, drawn, metric, &shocks, lang
                ));
                let mut caption = band_sentence(drawn, metric, lang);
                if !point.is_empty() {
                    let _ = write!(caption, " [{}]", point.join("; "));
                }
                let _ = writeln!(
                    body,
                    "<figure>{svg}<figcaption>{}</figcaption></figure>",
                    esc(&caption)
                );
                names.push(name);
            }
        }
    }
    use crate::experiment::spec::Design;
    if d.experiment.factors.len() >= 2 && matches!(d.experiment.design, Design::Grid {}) {
        let svg = render!(plots, "heatmap", (900, 380), |root| heat_chart(
            root, &d, metric
        ));
        let _ = writeln!(
            body,
            "<figure>{svg}<figcaption>{}</figcaption></figure>",
            esc(&heat_sentence(&d, metric))
        );
        names.push("heatmap".to_string());
    }
    if matches!(d.experiment.design, Design::Oat {}) && !d.experiment.factors.is_empty() {
        for r in &regs {
            let name = format!("tornado_{r}");
            let svg = render!(
                plots,
                name,
                (900, 120 + 40 * d.experiment.factors.len() as u32),
                |root| tornado_chart(root, &d, metric, r)
            );
            let _ = writeln!(
                body,
                "<figure>{svg}<figcaption>{}</figcaption></figure>",
                esc(&tornado_sentence(&d, metric, r))
            );
            names.push(name);
        }
    }
    let html = page(
        lang,
        &d.experiment.name,
        "body{max-width:960px}td,th{padding:.3em .6em;text-align:right}.say li{font-size:1.1em}",
        &body,
    )?;
    write_atomic(&dir.join("report.html"), &html)?;
    Ok(names)
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
            h.2, h.3, h.0, h.1, l.2, l.3, l.0, l.1
        ),
        _ => String::new(),
    }
}

/// The tornado in words: which factor moves the metric most, and by how much.
fn tornado_sentence(d: &SweepData, metric: &str, regime: &str) -> String {
    let mine: Vec<&Vec<String>> = d
        .rows
        .iter()
        .filter(|r| d.col("regime").is_some_and(|i| r[i] == regime))
        .collect();
    let Some(base_row) = mine.first() else {
        return String::new();
    };
    let Some(base) = d.value(base_row, &format!("{metric}_mean")) else {
        return String::new();
    };
    let mut best: Option<(String, f64, f64)> = None;
    for f in &d.experiment.factors {
        let b = d.value(base_row, &f.path);
        for r in mine.iter().filter(|r| d.value(r, &f.path) != b) {
            if let (Some(v), Some(x)) = (d.value(r, &format!("{metric}_mean")), d.value(r, &f.path))
                && best
                    .as_ref()
                    .is_none_or(|bb| (v - base).abs() > (bb.1 - base).abs())
            {
                best = Some((format!("{} = {x}", f.path), v, x));
            }
        }
    }
    match best {
        Some((setting, v, _)) => format!(
            "For {regime}, setting {setting} moves {metric} most: from {base:.3} to {v:.3} ({:+.1} points).",
            (v - base) * 100.0
        ),
        None => String::new(),
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

    #[test]
    fn legend_goes_where_the_data_is_not() {
        // A rising line fills lower left and upper right: the legend goes lower right.
        let rising = (0..100).map(|t| (t as f64, t as f64));
        let at = legend_corner(rising, (0.0, 100.0), (0.0, 100.0));
        assert!(matches!(at, SeriesLabelPosition::LowerRight), "{at:?}");
        // A line along the bottom leaves the upper corners; upper left comes first.
        let low = (0..100).map(|t| (t as f64, 5.0));
        let at = legend_corner(low, (0.0, 100.0), (0.0, 100.0));
        assert!(matches!(at, SeriesLabelPosition::UpperLeft), "{at:?}");
        // A line along the top keeps the default, lower left.
        let high = (0..100).map(|t| (t as f64, 95.0));
        let at = legend_corner(high, (0.0, 100.0), (0.0, 100.0));
        assert!(matches!(at, SeriesLabelPosition::LowerLeft), "{at:?}");
    }
}
