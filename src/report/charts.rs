//! The report's charts. Each is a function generic over the plotters backend, drawn once
//! as SVG (inlined in the page) and once as PNG by [`render!`].
//!
//! Invariants: every colour means something the chart says in a legend. Lines and areas
//! take a regime's colour from [`COLOURS`] and are named in a legend; shock windows are
//! the grey [`SHADE`], each named in the legend; a value coloured on a [`Scale`] (the
//! territory, the heat map, the sweep's table) is drawn with that scale's colour bar, and
//! the scale spans a fixed range: a bounded metric's own range from the metric table
//! (trust on [0, 1]), else 0 to a round number above the largest value. So a small gap
//! is a small step in colour, never red against green.

use super::lang::{Lang, metric_label, regime_label, window_label};
use super::run::RunData;
use super::sweep::{Drawn, SweepData};
use crate::base::num::given;
use crate::experiment::sensitivity::Estimate;
use crate::output::resilience::TOLERANCE;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::collections::BTreeMap;

/// A drawing failed (plotters' message).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DrawError(String);

pub(super) fn e<E: std::fmt::Display>(x: E) -> DrawError {
    DrawError(x.to_string())
}

type Drawing = Result<(), DrawError>;
type Area<DB> = DrawingArea<DB, Shift>;
type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The grey of shock windows.
pub const SHADE: RGBColor = RGBColor(120, 120, 120);
/// The regimes' colours, in regime order (Okabe–Ito, told apart with colour blindness).
pub const COLOURS: [RGBColor; 6] = [
    RGBColor(213, 94, 0),
    RGBColor(0, 114, 178),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
];

/// Height in pixels of a colour bar drawn under a chart.
pub const BAR_HEIGHT: u32 = 62;

/// Draw a chart twice, as SVG (returned, and written to plots/NAME.svg) and as
/// plots/NAME.png, each through a temporary file and a rename. Evaluates to the SVG
/// text; a failure returns a [`super::ReportError`] naming the chart or the file.
macro_rules! render {
    ($plots:expr, $name:expr, $size:expr, |$root:ident| $body:expr) => {{
        let name: &str = &$name;
        let chart = |source| super::ReportError::Chart {
            name: name.to_string(),
            source,
        };
        let mut svg = String::new();
        {
            let $root = SVGBackend::with_string(&mut svg, $size).into_drawing_area();
            $body.map_err(chart)?;
        }
        let png = $plots.join(format!("{name}.png"));
        // The encoder takes the format from the extension, so the temporary ends in .png.
        let tmp = crate::base::fs::AtomicPath::new(&png);
        {
            let $root = BitMapBackend::new(tmp.path(), $size).into_drawing_area();
            $body.map_err(chart)?;
        }
        tmp.commit().map_err(|source| super::ReportError::Write {
            path: png.clone(),
            source,
        })?;
        let file = $plots.join(format!("{name}.svg"));
        crate::base::fs::write_atomic(&file, &svg)
            .map_err(|source| super::ReportError::Write { path: file, source })?;
        svg
    }};
}
pub(super) use render;

/// A colour scale over a fixed range `[lo, hi]`, sequential (viridis: dark violet, blue,
/// teal, green, yellow; told apart with colour blindness and in grey).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
}

/// Viridis at 0, ¼, ½, ¾ and 1.
const VIRIDIS: [(f64, f64, f64); 5] = [
    (68.0, 1.0, 84.0),
    (59.0, 82.0, 139.0),
    (33.0, 145.0, 140.0),
    (94.0, 201.0, 98.0),
    (253.0, 231.0, 37.0),
];

/// The smallest of 1, 2, 5 × a power of ten that is at least `x` (> 0); 1 for `x` ≤ 0.
pub fn round_up(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 || x.is_infinite() {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|&v| v >= x * (1.0 - 1e-12))
        .unwrap_or(10.0 * p)
}

impl Scale {
    /// The scale of metric `name`: its range from the metric table when it has one, else
    /// from 0 to [`round_up`] of the largest of `values` (and as far below 0, rounded the
    /// same way, when a value is negative).
    pub fn for_metric(name: &str, values: impl Iterator<Item = f64>) -> Scale {
        if let Some((lo, hi)) = crate::output::metrics::label(name).and_then(|l| l.range) {
            return Scale { lo, hi };
        }
        let (min, max) = values
            .filter(|v| v.is_finite())
            .fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
        Scale {
            lo: if min < 0.0 { -round_up(-min) } else { 0.0 },
            hi: round_up(max),
        }
    }

    /// The colour of `v`; values outside the range take the colour of its nearer end.
    pub fn colour(&self, v: f64) -> RGBColor {
        let f = if v.is_finite() && self.hi > self.lo {
            ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0)
        } else {
            0.5
        };
        let x = f * (VIRIDIS.len() - 1) as f64;
        let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
        let t = x - i as f64;
        let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
        let mix = |p: f64, q: f64| (p + (q - p) * t).round() as u8;
        RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// Text colour readable on `c`: near-black on light colours, white on dark ones.
    pub fn ink(c: RGBColor) -> RGBColor {
        let luma = 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
        if luma > 140.0 {
            RGBColor(20, 20, 20)
        } else {
            WHITE
        }
    }

    /// Five labelled points: the ends, the middle and the quarters.
    pub fn ticks(&self) -> [f64; 5] {
        let step = (self.hi - self.lo) / 4.0;
        [0.0, 1.0, 2.0, 3.0, 4.0].map(|k| self.lo + k * step)
    }

    /// A tick value as the legend writes it (no trailing zeros).
    pub fn tick_text(v: f64) -> String {
        let s = format!("{v:.3}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" { "0".into() } else { s.into() }
    }
}

/// The colour bar of `scale` across `area` (which should be [`BAR_HEIGHT`] high): the
/// title, the bar from the low end (left) to the high end, and the ticks' values.
pub fn colour_bar<DB: DrawingBackend>(area: &Area<DB>, scale: &Scale, title: &str) -> Drawing
where
    DB::ErrorType: 'static,
{
    let (w, _) = area.dim_in_pixel();
    let (x0, x1) = (60i32, (w as i32 - 60).max(160));
    area.draw(&Text::new(title.to_string(), (x0, 4), ("sans-serif", 13)))
        .map_err(e)?;
    let steps = 120;
    for k in 0..steps {
        let a = x0 + (x1 - x0) * k / steps;
        let b = x0 + (x1 - x0) * (k + 1) / steps;
        let v = scale.lo + (scale.hi - scale.lo) * (k as f64 + 0.5) / steps as f64;
        area.draw(&Rectangle::new(
            [(a, 22), (b, 38)],
            scale.colour(v).filled(),
        ))
        .map_err(e)?;
    }
    area.draw(&Rectangle::new([(x0, 22), (x1, 38)], BLACK.mix(0.6)))
        .map_err(e)?;
    for (k, v) in scale.ticks().into_iter().enumerate() {
        let x = x0 + (x1 - x0) * k as i32 / 4;
        area.draw(&PathElement::new(vec![(x, 38), (x, 42)], BLACK))
            .map_err(e)?;
        area.draw(&Text::new(
            Scale::tick_text(v),
            (x - 8, 44),
            ("sans-serif", 12),
        ))
        .map_err(e)?;
    }
    Ok(())
}

/// The corner of a chart where the legend hides the fewest data points: each corner box
/// spans 40% of the width and 35% of the height; ties go to lower left, lower right,
/// upper left, upper right in that order.
pub fn legend_corner(
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

/// A shock window to shade: its name, first day and the day after its last.
pub type Window = (String, u32, u32);

/// The frame both time charts share: a day axis of `days` and a value axis fitted to
/// `values` with 5% room, titled, labelled, and the shock windows `[a, b)` shaded grey
/// with a legend entry each.
fn time_frame<'a, DB: DrawingBackend>(
    root: &'a Area<DB>,
    title: &str,
    metric: &str,
    lang: Lang,
    days: f64,
    values: impl Iterator<Item = f64>,
    shocks: &[Window],
) -> Result<Chart<'a, DB>, DrawError>
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
        .x_desc(lang.day_axis())
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

/// The legend box of a chart, placed where it hides the fewest of `points`.
fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    points: impl Iterator<Item = (f64, f64)>,
    days: f64,
) -> Drawing
where
    DB::ErrorType: 'static,
{
    let (lo, hi) = (chart.y_range().start, chart.y_range().end);
    legend_at(chart, legend_corner(points, (0.0, days), (lo, hi)))
}

/// The legend box of a chart, at `position`.
pub(super) fn legend_at<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    position: SeriesLabelPosition,
) -> Drawing
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(position)
        .draw()
        .map_err(e)
}

/// One metric of a run, every regime over time, with the shock windows shaded.
pub fn time_chart<DB: DrawingBackend>(
    root: Area<DB>,
    d: &RunData,
    metric: &str,
    lang: Lang,
) -> Drawing
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
    let mut chart = time_frame(
        &root,
        &metric_label(lang, metric, Some(d.scenario.run.window)),
        metric,
        lang,
        n,
        series.iter().flat_map(|s| s.1.iter().copied()),
        &d.shocks(),
    )?;
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
    let points = series
        .iter()
        .flat_map(|(_, v)| v.iter().enumerate().map(|(t, &y)| (t as f64, y)));
    legend(&mut chart, points, n)?;
    root.present().map_err(e)
}

/// The resilience triangle of each regime for one headline metric: the metric against its
/// baseline from the shock on, the loss area filled, the band of "recovered" marked, and
/// the three figures written in.
pub fn triangle_chart<DB: DrawingBackend>(
    root: Area<DB>,
    d: &RunData,
    metric: &str,
    lang: Lang,
) -> Drawing
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
    for (k, (panel, regime)) in panels.iter().zip(&regimes).enumerate() {
        triangle_panel(panel, d, metric, regime, COLOURS[k % COLOURS.len()], lang)?;
    }
    root.present().map_err(e)
}

/// One regime's panel of [`triangle_chart`].
fn triangle_panel<DB: DrawingBackend>(
    panel: &Area<DB>,
    d: &RunData,
    metric: &str,
    regime: &str,
    c: RGBColor,
    lang: Lang,
) -> Drawing
where
    DB::ErrorType: 'static,
{
    let start = d.scenario.shock_start().unwrap_or(0) as usize;
    let row = d.summary.get(regime);
    let Some(base) = row.and_then(|r| num(r, &format!("{metric}_baseline"))) else {
        return panel
            .draw(&Text::new(
                format!("{}: no shock, no triangle", regime_label(lang, regime)),
                (10, 20),
                ("sans-serif", 14),
            ))
            .map_err(e);
    };
    let v = d.city[regime].get(metric).cloned().unwrap_or_default();
    let after: Vec<(f64, f64)> = v
        .iter()
        .enumerate()
        .skip(start)
        .filter(|(_, y)| y.is_finite())
        .map(|(t, &y)| ((t - start) as f64, y / base * 100.0))
        .collect();
    let band = 100.0 * (1.0 - TOLERANCE);
    let lo = after.iter().map(|p| p.1).fold(100.0f64, f64::min).min(band) - 2.0;
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
    let width = after.len() as f64;
    chart
        .draw_series(LineSeries::new(
            [(0.0, band), (width, band)],
            BLACK.mix(0.5),
        ))
        .map_err(e)?;
    chart
        .draw_series([Text::new(
            format!("recovered: within {}%", tolerance_pct()),
            (width * 0.45, band),
            ("sans-serif", 11),
        )])
        .map_err(e)?;
    let cell = |s: &str| row.and_then(|r| r.get(&format!("{metric}_{s}")).cloned());
    let fall = row.and_then(|r| num(r, &format!("{metric}_fall_pct")));
    let loss = row.and_then(|r| num(r, &format!("{metric}_loss_area")));
    let rec = match cell("recovery_days").unwrap_or_default() {
        r if r.is_empty() => "not recovered".to_string(),
        r => format!("{r} d"),
    };
    let lines = [
        format!("fall {:.1}%", fall.unwrap_or(f64::NAN)),
        format!("recovery {rec}"),
        format!("loss {:.0} %·d", loss.unwrap_or(f64::NAN)),
    ];
    for (i, t) in lines.into_iter().enumerate() {
        panel
            .draw(&Text::new(t, (60, 40 + 16 * i as i32), ("sans-serif", 13)))
            .map_err(e)?;
    }
    Ok(())
}

/// The resilience tolerance in percent, as the report writes it (5 for 0.05).
pub fn tolerance_pct() -> String {
    Scale::tick_text(TOLERANCE * 100.0)
}

/// A number of a summary row.
pub fn num(row: &BTreeMap<String, String>, k: &str) -> Option<f64> {
    row.get(k).and_then(|v| v.parse().ok())
}

/// Counties, and their townships as squares, coloured by trust on the last day, one
/// panel per regime (city → counties → townships), over the colour bar of trust's range.
pub fn territory_chart<DB: DrawingBackend>(root: Area<DB>, d: &RunData, lang: Lang) -> Drawing
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(e)?;
    let title = if lang == Lang::Zh {
        "市域 → 县区 → 乡镇街道：期末信任 trust on the last day"
    } else {
        "city → counties → townships (squares): trust on the last day"
    };
    let root = root.titled(title, ("sans-serif", 18)).map_err(e)?;
    let (_, h) = root.dim_in_pixel();
    let (top, bar) = root.split_vertically(h.saturating_sub(BAR_HEIGHT));
    let scale = Scale::for_metric("trust", std::iter::empty());
    let regimes: Vec<&String> = d.county_trust.keys().collect();
    for (panel, regime) in top
        .split_evenly((1, regimes.len().max(1)))
        .iter()
        .zip(&regimes)
    {
        territory_panel(panel, d, regime, &scale, lang)?;
    }
    colour_bar(&bar, &scale, &metric_label(lang, "trust", None))?;
    root.present().map_err(e)
}

/// One regime's panel of [`territory_chart`].
fn territory_panel<DB: DrawingBackend>(
    panel: &Area<DB>,
    d: &RunData,
    regime: &str,
    scale: &Scale,
    lang: Lang,
) -> Drawing
where
    DB::ErrorType: 'static,
{
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
    let city = if lang == Lang::Zh { "市 city" } else { "city" };
    panel
        .draw(&Text::new(
            city,
            (16, 32),
            ("sans-serif", 13).into_font().color(&WHITE),
        ))
        .map_err(e)?;
    for (i, (county, trust)) in d.county_trust[regime].iter().enumerate() {
        let y = 60 + 60 * i as i32;
        let colour = scale.colour(*trust);
        panel
            .draw(&PathElement::new(
                vec![(30, 48), (30, y + 12), (40, y + 12)],
                BLACK,
            ))
            .map_err(e)?;
        panel
            .draw(&Rectangle::new([(40, y), (260, y + 24)], colour.filled()))
            .map_err(e)?;
        let ink = Scale::ink(colour);
        panel
            .draw(&Text::new(
                format!("{county}: {trust:.3}"),
                (46, y + 5),
                ("sans-serif", 13).into_font().color(&ink),
            ))
            .map_err(e)?;
        // Its townships, one square each, below the county (territory.csv).
        let Some(towns) = d.townships.get(regime).and_then(|m| m.get(county)) else {
            continue;
        };
        for (j, t) in towns.iter().take(24).enumerate() {
            let x = 44 + 9 * j as i32;
            panel
                .draw(&Rectangle::new(
                    [(x, y + 27), (x + 7, y + 34)],
                    scale.colour(*t).filled(),
                ))
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
    Ok(())
}

/// The cell whose centre is at `v` (k + 0.5), if any.
fn centre(v: f64) -> Option<usize> {
    ((v - v.floor() - 0.5).abs() < 1e-6 && v >= 0.0).then_some(v.floor() as usize)
}

/// The distinct values of a factor, in increasing order.
fn levels(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v.dedup();
    v
}

/// Heat map of `metric` over the first two factors, one panel per regime, over the
/// colour bar of the metric's scale.
pub fn heat_chart<DB: DrawingBackend>(
    root: Area<DB>,
    d: &SweepData,
    metric: &str,
    lang: Lang,
) -> Drawing
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
    let (_, h) = root.dim_in_pixel();
    let (top, bar) = root.split_vertically(h.saturating_sub(BAR_HEIGHT));
    let scale = d.scale(metric);
    let (xs, ys) = (
        levels(&d.experiment.factors[0].values),
        levels(&d.experiment.factors[1].values),
    );
    let regimes = d.regimes();
    for (panel, regime) in top
        .split_evenly((1, regimes.len().max(1)))
        .iter()
        .zip(&regimes)
    {
        let mut chart = ChartBuilder::on(panel)
            .caption(regime_label(lang, regime), ("sans-serif", 15))
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
                    .map_or(String::new(), |&x| given(x))
            })
            .y_label_formatter(&|v| {
                centre(*v)
                    .and_then(|i| ys.get(i))
                    .map_or(String::new(), |&y| given(y))
            })
            .x_desc(fx.as_str())
            .y_desc(fy.as_str())
            .draw()
            .map_err(e)?;
        for (x, y, v) in d.grid_cells(regime, metric) {
            let (Some(i), Some(j)) = (
                xs.iter().position(|&a| a == x),
                ys.iter().position(|&b| b == y),
            ) else {
                continue;
            };
            let (i, j) = (i as f64, j as f64);
            let c = scale.colour(v);
            chart
                .draw_series([Rectangle::new([(i, j), (i + 1.0, j + 1.0)], c.filled())])
                .map_err(e)?;
            chart
                .draw_series([Text::new(
                    format!("{v:.3}"),
                    (i + 0.15, j + 0.6),
                    ("sans-serif", 12).into_font().color(&Scale::ink(c)),
                )])
                .map_err(e)?;
        }
    }
    let title = format!("{} (mean)", metric_label(lang, metric, None));
    colour_bar(&bar, &scale, &title)?;
    root.present().map_err(e)
}

/// Tornado chart of a one-at-a-time design: for each factor, the lowest and highest mean
/// of `metric` over its values, against the base point (first regime); below the base in
/// the first regime colour, above it in the third, as the legend says.
pub fn tornado_chart<DB: DrawingBackend>(
    root: Area<DB>,
    d: &SweepData,
    metric: &str,
    regime: &str,
) -> Drawing
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(e)?;
    let Some((base, bars)) = d.tornado(metric, regime) else {
        return Ok(());
    };
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
    let (down, up) = (COLOURS[0], COLOURS[2]);
    for (k, (_, lo, hi)) in bars.iter().enumerate() {
        let y = (bars.len() - 1 - k) as f64;
        let low = chart
            .draw_series([Rectangle::new(
                [(*lo, y + 0.15), (0.0, y + 0.85)],
                down.filled(),
            )])
            .map_err(e)?;
        if k == 0 {
            low.label("lower than at the base point")
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], down.filled()));
        }
        let high = chart
            .draw_series([Rectangle::new(
                [(0.0, y + 0.15), (*hi, y + 0.85)],
                up.filled(),
            )])
            .map_err(e)?;
        if k == 0 {
            high.label("higher than at the base point")
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], up.filled()));
        }
    }
    legend_at(&mut chart, SeriesLabelPosition::LowerRight)?;
    root.present().map_err(e)
}

/// A factor's two bars in a sensitivity chart: the main index (Sobol's first-order S1,
/// Morris's μ*) and the other (total ST, σ), each with whether it has an interval.
pub struct IndexBars {
    pub factor: String,
    pub main: Estimate,
    pub main_interval: bool,
    pub other: Estimate,
    pub other_interval: bool,
}

/// The colours of a sensitivity chart's main and other index.
pub const MAIN_INDEX: RGBColor = COLOURS[1];
pub const OTHER_INDEX: RGBColor = COLOURS[4];

/// A whisker from `lo` to `hi` at height `y`, with end caps `cap` high.
fn whisker(lo: f64, hi: f64, y: f64, cap: f64) -> [PathElement<(f64, f64)>; 3] {
    let ink = BLACK.stroke_width(1);
    [
        PathElement::new(vec![(lo, y), (hi, y)], ink),
        PathElement::new(vec![(lo, y - cap), (lo, y + cap)], ink),
        PathElement::new(vec![(hi, y - cap), (hi, y + cap)], ink),
    ]
}

/// The x range of a horizontal bar chart over `values`, 0 included, with `room` of the
/// span added on the right (for labels) and 5% on the left.
fn bar_range(values: impl Iterator<Item = f64>, room: f64) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let span = (hi - lo).max(1e-9);
    (lo - 0.05 * span * (lo < 0.0) as u8 as f64, hi + room * span)
}

/// The sensitivity of one metric: per factor (in the order given, the first at the
/// top), a bar of the main index and one of the other side by side, each with its 95%
/// bootstrap interval as a whisker where it has one. `names` label the two indices.
pub fn indices_chart<DB: DrawingBackend>(
    root: Area<DB>,
    title: &str,
    names: (&str, &str),
    bars: &[IndexBars],
    interval: &str,
) -> Drawing
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(e)?;
    let k = bars.len();
    let (lo, hi) = bar_range(
        bars.iter().flat_map(|b| {
            [b.main.value, b.other.value]
                .into_iter()
                .chain(
                    b.main_interval
                        .then_some([b.main.low, b.main.high])
                        .into_iter()
                        .flatten(),
                )
                .chain(
                    b.other_interval
                        .then_some([b.other.low, b.other.high])
                        .into_iter()
                        .flatten(),
                )
        }),
        0.05,
    );
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(190)
        .build_cartesian_2d(lo..hi, 0f64..k as f64)
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(2 * k + 1)
        .y_label_formatter(&|v| {
            centre(*v)
                .and_then(|i| bars.get(k.checked_sub(1 + i)?))
                .map_or(String::new(), |b| b.factor.clone())
        })
        .draw()
        .map_err(e)?;
    // Where the legend hides the fewest bar ends and whisker ends.
    let ends: Vec<(f64, f64)> = bars
        .iter()
        .enumerate()
        .flat_map(|(i, b)| {
            let y = (k - 1 - i) as f64;
            [
                (b.main.value, y + 0.7),
                (b.main.high, y + 0.7),
                (b.other.value, y + 0.3),
                (b.other.high, y + 0.3),
            ]
        })
        .collect();
    let corner = legend_corner(ends.into_iter(), (lo, hi), (0.0, k as f64));
    let mut whiskers_named = false;
    for (i, b) in bars.iter().enumerate() {
        let y = (k - 1 - i) as f64;
        for (est, has, colour, name, (y0, y1)) in [
            (
                b.main,
                b.main_interval,
                MAIN_INDEX,
                names.0,
                (y + 0.5, y + 0.88),
            ),
            (
                b.other,
                b.other_interval,
                OTHER_INDEX,
                names.1,
                (y + 0.12, y + 0.5),
            ),
        ] {
            let bar = chart
                .draw_series([Rectangle::new(
                    [(0.0, y0), (est.value, y1)],
                    colour.filled(),
                )])
                .map_err(e)?;
            if i == 0 {
                bar.label(name).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 20, y + 5)], colour.filled())
                });
            }
            if has && est.low.is_finite() && est.high.is_finite() {
                let w = chart
                    .draw_series(whisker(est.low, est.high, (y0 + y1) / 2.0, 0.1))
                    .map_err(e)?;
                if !whiskers_named {
                    whiskers_named = true;
                    w.label(interval).legend(|(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(1))
                    });
                }
            }
        }
    }
    legend_at(&mut chart, corner)?;
    root.present().map_err(e)
}

/// One step of a waterfall: a mechanism's Shapley value and its 95% interval.
pub struct Step {
    pub label: String,
    pub value: f64,
    pub interval: Option<(f64, f64)>,
}

/// The colours of a waterfall's steps up and down, and of its two ends.
pub const STEP_UP: RGBColor = COLOURS[2];
pub const STEP_DOWN: RGBColor = COLOURS[0];

/// A waterfall, top to bottom: the `start` level, one step per mechanism (from the sum so
/// far, green up and red down, its 95% interval as a whisker about the step's end, its
/// value written beside it), and the `end` level, where the steps arrive. The levels are
/// grey bars from the axis' base: 0 when the range holds it, else its left end.
pub fn waterfall_chart<DB: DrawingBackend>(
    root: Area<DB>,
    title: &str,
    start: (&str, f64),
    steps: &[Step],
    end: &str,
    names: [&str; 3],
) -> Drawing
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(e)?;
    let n = steps.len() + 2;
    let mut at = start.1;
    let mut points = vec![at];
    for s in steps {
        if let Some((l, h)) = s.interval {
            points.extend([at + l, at + h]);
        }
        at += s.value;
        points.push(at);
    }
    let finish = at;
    let (min, max) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let span = (max - min).max(1e-9 * max.abs().max(1.0));
    let (lo, hi) = if min > 0.0 && min - 0.3 * span > 0.0 {
        (min - 0.3 * span, max + 0.3 * span)
    } else {
        (min.min(0.0) - 0.05 * span, max.max(0.0) + 0.3 * span)
    };
    let base = if lo <= 0.0 && hi >= 0.0 { 0.0 } else { lo };
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(190)
        .build_cartesian_2d(lo..hi, 0f64..n as f64)
        .map_err(e)?;
    let label_of = |i: usize| match i {
        0 => start.0.to_string(),
        i if i == n - 1 => end.to_string(),
        i => steps[i - 1].label.clone(),
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(2 * n + 1)
        .y_label_formatter(&|v| {
            centre(*v)
                .and_then(|i| n.checked_sub(1 + i))
                .map_or(String::new(), label_of)
        })
        .draw()
        .map_err(e)?;
    let row = |i: usize| (n - 1 - i) as f64;
    let digits = |v: f64| {
        if span < 0.1 {
            format!("{v:+.4}")
        } else {
            format!("{v:+.3}")
        }
    };
    for (i, level) in [(0, start.1), (n - 1, finish)] {
        let y = row(i);
        chart
            .draw_series([Rectangle::new(
                [(base, y + 0.2), (level, y + 0.8)],
                SHADE.mix(0.5).filled(),
            )])
            .map_err(e)?;
        chart
            .draw_series([Text::new(
                digits(level).trim_start_matches('+').to_string(),
                (level.max(base) + 0.02 * span, y + 0.62),
                ("sans-serif", 12),
            )])
            .map_err(e)?;
    }
    let (mut up_named, mut down_named, mut whisker_named) = (false, false, false);
    let mut at = start.1;
    for (k, s) in steps.iter().enumerate() {
        let y = row(k + 1);
        let up = s.value >= 0.0;
        let colour = if up { STEP_UP } else { STEP_DOWN };
        let bar = chart
            .draw_series([Rectangle::new(
                [(at, y + 0.2), (at + s.value, y + 0.8)],
                colour.filled(),
            )])
            .map_err(e)?;
        let named = if up { &mut up_named } else { &mut down_named };
        if !*named {
            *named = true;
            bar.label(if up { names[0] } else { names[1] })
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 20, y + 5)], colour.filled())
                });
        }
        let mut right = at.max(at + s.value);
        if let Some((l, h)) = s.interval {
            let w = chart
                .draw_series(whisker(at + l, at + h, y + 0.5, 0.12))
                .map_err(e)?;
            right = right.max(at + h);
            if !whisker_named {
                whisker_named = true;
                w.label(names[2]).legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(1))
                });
            }
        }
        chart
            .draw_series([Text::new(
                digits(s.value),
                (right + 0.02 * span, y + 0.62),
                ("sans-serif", 12),
            )])
            .map_err(e)?;
        at += s.value;
    }
    legend_at(&mut chart, SeriesLabelPosition::LowerRight)?;
    root.present().map_err(e)
}

/// One headline metric of one scenario over time: each regime's mean over its runs as a
/// line, with the 95% confidence band shaded where the cell has two or more runs, and the
/// shock windows shaded grey as in run reports.
pub fn band_chart<DB: DrawingBackend>(
    root: Area<DB>,
    title: &str,
    drawn: &[Drawn],
    metric: &str,
    shocks: &[Window],
    lang: Lang,
) -> Drawing
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
    let points = drawn.iter().flat_map(pts).flat_map(|q| {
        let t = q.tick as f64;
        [(t, q.lo), (t, q.mean), (t, q.hi)]
    });
    legend(&mut chart, points, n)?;
    root.present().map_err(e)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// The picture the issue found: trust 0.79 and 0.83 looked red and green. On the
    /// fixed [0, 1] scale they are neighbours: no channel differs by more than an eighth
    /// (32 of 255; the old scale put 170 between them).
    #[test]
    fn a_small_gap_in_trust_is_a_small_step_in_colour() {
        let s = Scale::for_metric("trust", [0.79, 0.83].into_iter());
        assert_eq!(s, Scale { lo: 0.0, hi: 1.0 });
        let (a, b) = (s.colour(0.79), s.colour(0.83));
        for (x, y) in [(a.0, b.0), (a.1, b.1), (a.2, b.2)] {
            assert!((x as i32 - y as i32).abs() <= 32, "{a:?} vs {b:?}");
        }
        assert_eq!(s.colour(0.0), RGBColor(68, 1, 84));
        assert_eq!(s.colour(1.0), RGBColor(253, 231, 37));
        assert_eq!(s.colour(2.0), s.colour(1.0), "clipped to the range");
    }

    #[test]
    fn unbounded_metrics_scale_from_zero_to_a_round_number() {
        let s = Scale::for_metric("incidents", [3.0, 41.0].into_iter());
        assert_eq!(s, Scale { lo: 0.0, hi: 50.0 });
        let s = Scale::for_metric("gap", [-0.03, 0.12].into_iter());
        assert_eq!(s, Scale { lo: -0.05, hi: 0.2 });
        assert_eq!(round_up(1.0), 1.0);
        assert_eq!(round_up(0.0), 1.0);
        assert_eq!(round_up(101.0), 200.0);
        assert_eq!(Scale::tick_text(0.25), "0.25");
        assert_eq!(Scale::tick_text(1.0), "1");
    }
}
