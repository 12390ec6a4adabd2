//! The report of a calibration folder (`linkage calibrate`): each target observed against
//! predicted (in units of its uncertainty), each parameter's posterior marginal over its
//! prior range, and the tolerance generation by generation, each with its sentence. It
//! reads the folder's own files (`calibration.toml`, `posterior.csv`, `generations.csv`,
//! `fit.csv`), so it can be made again at any time.

use super::charts::{COLOURS, DrawError, e, legend_at, render};
use super::lang::Lang;
use super::page::{esc, page};
use super::{Charts, ReportError, cell_number, open_csv};
use crate::experiment::calibrate::Calibration;
use plotters::prelude::*;
use std::fmt::Write as _;
use std::path::Path;

/// A CSV file of the folder as a header and rows of numbers (text columns as NaN) and
/// the text of every cell.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<f64>>,
    text: Vec<Vec<String>>,
}

impl Table {
    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    fn column(&self, name: &str) -> Vec<f64> {
        self.col(name)
            .map(|i| self.rows.iter().map(|r| r[i]).collect())
            .unwrap_or_default()
    }
}

fn read_table(dir: &Path, name: &str, text_columns: &[&str]) -> Result<Table, ReportError> {
    let mut f = open_csv(dir.join(name))?;
    let header = f.header()?;
    let mut rows = Vec::new();
    let mut text = Vec::new();
    let recs: Vec<csv::StringRecord> = f.records().collect::<Result<_, _>>()?;
    for rec in recs {
        let mut r = Vec::with_capacity(header.len());
        for (i, h) in header.iter().enumerate() {
            r.push(if text_columns.contains(&h.as_str()) {
                f64::NAN
            } else {
                cell_number(&f, &rec, i, h)?
            });
        }
        rows.push(r);
        text.push(rec.iter().map(String::from).collect());
    }
    Ok(Table { header, rows, text })
}

/// Weighted histogram of `xs` over `[lo, hi]` in `bins` bins, as densities.
fn histogram(xs: &[f64], ws: &[f64], lo: f64, hi: f64, bins: usize) -> Vec<f64> {
    let mut h = vec![0.0; bins];
    let total: f64 = ws.iter().sum();
    let width = (hi - lo) / bins as f64;
    for (&x, &w) in xs.iter().zip(ws) {
        let b = (((x - lo) / width) as usize).min(bins - 1);
        h[b] += w;
    }
    h.iter().map(|v| v / total.max(1e-300) / width).collect()
}

fn marginal_chart<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    path: &str,
    range: (f64, f64),
    xs: &[f64],
    ws: &[f64],
    mean: f64,
) -> Result<(), DrawError>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(e)?;
    let bins = 20;
    let h = histogram(xs, ws, range.0, range.1, bins);
    let prior = 1.0 / (range.1 - range.0);
    let top = h.iter().copied().fold(prior, f64::max) * 1.15;
    let mut chart = ChartBuilder::on(&root)
        .caption(path, ("sans-serif", 15))
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(range.0..range.1, 0.0..top)
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .y_desc("density")
        .draw()
        .map_err(e)?;
    let width = (range.1 - range.0) / bins as f64;
    chart
        .draw_series(h.iter().enumerate().map(|(b, &v)| {
            let x0 = range.0 + b as f64 * width;
            Rectangle::new([(x0, 0.0), (x0 + width, v)], COLOURS[1].mix(0.7).filled())
        }))
        .map_err(e)?
        .label("posterior (last generation)")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], COLOURS[1].filled()));
    chart
        .draw_series(LineSeries::new(
            [(range.0, prior), (range.1, prior)],
            BLACK.stroke_width(1),
        ))
        .map_err(e)?
        .label("prior")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK));
    chart
        .draw_series(LineSeries::new(
            [(mean, 0.0), (mean, top)],
            COLOURS[0].stroke_width(2),
        ))
        .map_err(e)?
        .label("posterior mean")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], COLOURS[0].stroke_width(2)));
    legend_at(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present().map_err(e)
}

/// Each target: predicted minus observed in units of its uncertainty, the 95% interval
/// as a bar and the mean as a dot; the observation's ±1 and ±2 bands shaded.
fn fit_chart<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    rows: &[(String, f64, f64, f64)],
) -> Result<(), DrawError>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(e)?;
    let m = rows
        .iter()
        .flat_map(|r| [r.1.abs(), r.2.abs(), r.3.abs()])
        .filter(|v| v.is_finite())
        .fold(3.0, f64::max)
        * 1.1;
    let n = rows.len() as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "predicted − observed, in uncertainties (σ) of the observation",
            ("sans-serif", 15),
        )
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(190)
        .build_cartesian_2d(-m..m, 0.0..n)
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(2 * rows.len() + 1)
        .y_label_formatter(&|v| {
            let i = (v - 0.5).round();
            if (v - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < rows.len() {
                rows[rows.len() - 1 - i as usize].0.clone()
            } else {
                String::new()
            }
        })
        .x_desc("(predicted − observed) / σ")
        .draw()
        .map_err(e)?;
    chart
        .draw_series([
            Rectangle::new(
                [(-2.0, 0.0), (2.0, n)],
                RGBColor(120, 120, 120).mix(0.12).filled(),
            ),
            Rectangle::new(
                [(-1.0, 0.0), (1.0, n)],
                RGBColor(120, 120, 120).mix(0.2).filled(),
            ),
        ])
        .map_err(e)?;
    for (k, (_, mean, low, high)) in rows.iter().enumerate() {
        let y = (rows.len() - 1 - k) as f64 + 0.5;
        if low.is_finite() && high.is_finite() {
            chart
                .draw_series([Rectangle::new(
                    [(*low, y - 0.12), (*high, y + 0.12)],
                    COLOURS[1].filled(),
                )])
                .map_err(e)?;
        }
        if mean.is_finite() {
            chart
                .draw_series([Circle::new((*mean, y), 5, COLOURS[0].filled())])
                .map_err(e)?;
        }
    }
    root.present().map_err(e)
}

fn epsilon_chart<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    eps: &[(f64, f64)],
) -> Result<(), DrawError>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(e)?;
    let top = eps.iter().map(|p| p.1).fold(1e-9, f64::max) * 1.1;
    let last = eps.last().map_or(1.0, |p| p.0).max(1.0);
    let mut chart = ChartBuilder::on(&root)
        .caption("tolerance ε by generation", ("sans-serif", 15))
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..last, 0.0..top)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("generation")
        .y_desc("ε (distance)")
        .draw()
        .map_err(e)?;
    chart
        .draw_series(LineSeries::new(
            eps.iter().copied(),
            COLOURS[1].stroke_width(2),
        ))
        .map_err(e)?;
    chart
        .draw_series(eps.iter().map(|&p| Circle::new(p, 4, COLOURS[1].filled())))
        .map_err(e)?;
    root.present().map_err(e)
}

/// Write `report.html` and `plots/` for a calibration folder.
pub fn write(dir: &Path, lang: Lang) -> Result<Charts, ReportError> {
    crate::base::fonts::ensure();
    let path = dir.join("calibration.toml");
    let text = crate::base::input::read_text(&path, "calibration file")?;
    let c: Calibration = toml::from_str(&text).map_err(|err| ReportError::Content {
        path: path.clone(),
        problem: err.message().trim().to_string(),
    })?;
    let posterior = read_table(dir, "posterior.csv", &[])?;
    let generations = read_table(dir, "generations.csv", &[])?;
    let fit = read_table(
        dir,
        "fit.csv",
        &[
            "target",
            "scenario",
            "regime",
            "metric",
            "within_2sd",
            "source",
        ],
    )?;
    let plots = super::plots(dir)?;
    let mut names = Vec::new();
    let zh = lang == Lang::Zh;
    let mut body = format!(
        "<h1>{}</h1><p class=\"lead\">{}</p>\n",
        esc(&c.name),
        esc(&c.description)
    );
    let eps: Vec<(f64, f64)> = generations
        .column("epsilon")
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .map(|(g, &v)| (g as f64, v))
        .collect();
    let n_gen = generations.rows.len();
    let _ = writeln!(
        body,
        "<p>{}</p>",
        esc(&if zh {
            format!(
                "ABC-SMC（近似贝叶斯计算，序贯蒙特卡洛）：{} 代，每代 {} 个粒子；最后一代容差 {:.3}。",
                n_gen,
                posterior.rows.len(),
                eps.last().map_or(f64::NAN, |p| p.1)
            )
        } else {
            format!(
                "ABC-SMC (approximate Bayesian computation by sequential Monte Carlo): {} generations of {} particles; the last generation's tolerance is {:.3} (the distance is the root mean square of (predicted − observed) / uncertainty over the targets).",
                n_gen,
                posterior.rows.len(),
                eps.last().map_or(f64::NAN, |p| p.1)
            )
        })
    );
    // The fit.
    let col = |name: &str| fit.col(name).unwrap_or(usize::MAX);
    let (obs, unc, mean, low, high) = (
        col("observed"),
        col("uncertainty"),
        col("predicted"),
        col("low"),
        col("high"),
    );
    let get = |r: &Vec<f64>, i: usize| r.get(i).copied().unwrap_or(f64::NAN);
    let rows: Vec<(String, f64, f64, f64)> = fit
        .rows
        .iter()
        .zip(&fit.text)
        .map(|(r, t)| {
            let z = |v: f64| (v - get(r, obs)) / get(r, unc);
            (
                t.first().cloned().unwrap_or_default(),
                z(get(r, mean)),
                z(get(r, low)),
                z(get(r, high)),
            )
        })
        .collect();
    let _ = writeln!(
        body,
        "<h2>{}</h2>",
        if zh {
            "拟合：观测值与预测值"
        } else {
            "The fit: observed against predicted"
        }
    );
    let size = (900, 90 + 46 * rows.len() as u32);
    let svg = render!(plots, "calibration_fit", size, |root| fit_chart(
        root, &rows
    ));
    names.push("calibration_fit".to_string());
    let mut said = Vec::new();
    for (r, t) in fit.rows.iter().zip(&fit.text) {
        let source = t.get(11).filter(|s| !s.is_empty());
        said.push(format!(
            "{}: observed {:.3} ± {:.3}{}; the last generation predicts {:.3} (95% {:.3}–{:.3}), {}.",
            t.first().cloned().unwrap_or_default(),
            get(r, obs),
            get(r, unc),
            source.map_or(String::new(), |s| format!(" ({s})")),
            get(r, mean),
            get(r, low),
            get(r, high),
            if (get(r, mean) - get(r, obs)).abs() <= 2.0 * get(r, unc) {
                "within two uncertainties"
            } else {
                "more than two uncertainties off: the model cannot reach it with these parameters"
            }
        ));
    }
    let _ = writeln!(
        body,
        "<figure>{svg}<figcaption>{}</figcaption></figure>\n<ul class=\"say\">{}</ul>",
        esc(
            "Dots: the predicted mean; bars: the 95% interval over the last generation; grey: the observation's ±1σ and ±2σ."
        ),
        said.iter()
            .map(|s| format!("<li>{}</li>", esc(s)))
            .collect::<String>()
    );
    // The marginals.
    let _ = writeln!(
        body,
        "<h2>{}</h2>",
        if zh {
            "参数的后验分布"
        } else {
            "The parameters: posterior against prior"
        }
    );
    let weights = posterior.column("weight");
    for (j, p) in c.parameters.iter().enumerate() {
        let xs = posterior.column(&p.path);
        let total: f64 = weights.iter().sum();
        let m = xs.iter().zip(&weights).map(|(x, w)| x * w).sum::<f64>() / total;
        let q = |f: f64| crate::experiment::calibrate::abc::weighted_quantile(&xs, &weights, f);
        let (lo, hi) = (q(0.025), q(0.975));
        let name = format!("calibration_marginal_{j}");
        let svg = render!(plots, name, (440, 300), |root| marginal_chart(
            root,
            &p.path,
            p.bounds(),
            &xs,
            &weights,
            m
        ));
        names.push(name);
        let (low, high) = p.bounds();
        let share = (hi - lo) / (high - low);
        let sentence = format!(
            "{}: mean {:.4}, 95% of the posterior in {:.4}–{:.4}, {:.0}% of its prior range {}–{}{}",
            p.path,
            m,
            lo,
            hi,
            100.0 * share,
            low,
            high,
            if share > 0.8 {
                ": the targets hardly constrain it"
            } else {
                ""
            }
        );
        let _ = writeln!(
            body,
            "<figure class=\"half\">{svg}<figcaption>{}</figcaption></figure>",
            esc(&sentence)
        );
    }
    let svg = render!(plots, "calibration_tolerance", (600, 280), |root| {
        epsilon_chart(root, &eps)
    });
    names.push("calibration_tolerance".to_string());
    let _ = writeln!(
        body,
        "<h2>{}</h2><figure>{svg}</figure>",
        if zh {
            "各代容差"
        } else {
            "Tolerance by generation"
        }
    );
    let html = page(
        lang,
        &c.name,
        "body{max-width:960px}figure.half{display:inline-block;width:440px;margin:0 .5em}.say li{font-size:1.05em}",
        &body,
    )?;
    super::write_page(dir, &html)?;
    Ok(names)
}
