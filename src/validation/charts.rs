//! Charts of the validation models (SVG, drawn with plotters; text is measured with the
//! embedded font, `base::fonts`).

use super::ValidationError;
use super::epstein::{self, Neighbourhood, Params, Rule};
use super::sir;
use plotters::prelude::*;
use std::path::Path;

type Res = Result<(), ValidationError>;

/// A drawing error of the chart at `path`.
fn err<E: std::fmt::Display>(path: &Path) -> impl Fn(E) -> ValidationError + '_ {
    move |e| ValidationError::Chart {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Epstein Run 2 (seed 1): active citizens over time with the floor and literal rules.
pub fn epstein_run2(path: &Path) -> Res {
    let err = err(path);
    crate::base::fonts::ensure();
    let series = |rule: Rule| {
        let mut p = Params::epstein(7, 0.82, Some(30), 0.04);
        p.rule = rule;
        p.neighbourhood = Neighbourhood::Disc;
        p.ticks = 500;
        epstein::run(&p)
    };
    let (floor, literal) = (series(Rule::Floor), series(Rule::Literal));
    let top = floor
        .iter()
        .chain(&literal)
        .map(|c| c.active)
        .max()
        .unwrap_or(1) as f64
        * 1.1;
    let root = SVGBackend::new(path, (900, 420)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Epstein Model I, Run 2 (L = 0.82, J = 30, cops 0.04, vision 7, disc)",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(0f64..500f64, 0f64..top)
        .map_err(&err)?;
    chart
        .configure_mesh()
        .x_desc("tick")
        .y_desc("active citizens")
        .draw()
        .map_err(&err)?;
    for (data, colour, label) in [
        (&floor, RED, "floor(C/A): punctuated outbursts"),
        (&literal, BLUE, "C/A as printed: no outburst"),
    ] {
        chart
            .draw_series(LineSeries::new(
                data.iter()
                    .enumerate()
                    .map(|(t, c)| (t as f64, c.active as f64)),
                colour,
            ))
            .map_err(&err)?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour));
    }
    chart
        .draw_series(LineSeries::new(
            [(0.0, 50.0), (500.0, 50.0)],
            BLACK.mix(0.4),
        ))
        .map_err(&err)?
        .label("outburst level (50)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.mix(0.4)));
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(&err)?;
    root.present().map_err(&err)
}

/// Final size on an Erdős–Rényi graph (z = 4) against zT: simulation and theory.
pub fn epidemic_final_size(path: &Path) -> Res {
    let err = err(path);
    crate::base::fonts::ensure();
    let graph = sir::erdos_renyi(10_000, 4.0, 7);
    let gamma = 0.2;
    let points: Vec<(f64, f64)> = (1..=9)
        .map(|k| {
            let t = k as f64 * 0.1;
            let ep = crate::model::shocks::EpidemicNow {
                transmission: sir::beta_for(t, gamma) as f32,
                p_onset: 0.5,
                p_recover: gamma as f32,
                sick_rates: [0.0; 8],
                staff_sickness: 0.0,
                control: crate::model::shocks::Control::NONE,
            };
            (4.0 * t, sir::final_size(&graph, &ep, 20, 500 + k))
        })
        .collect();
    let root = SVGBackend::new(path, (900, 420)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "SEIR final size on Erdős–Rényi, z = 4 (the epidemic shock's own rule)",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(0f64..3.8f64, 0f64..1f64)
        .map_err(&err)?;
    chart
        .configure_mesh()
        .x_desc("zT (mean degree × transmissibility)")
        .y_desc("share ever infected")
        .draw()
        .map_err(&err)?;
    chart
        .draw_series(LineSeries::new(
            (0..=380)
                .map(|i| i as f64 / 100.0)
                .map(|c| (c, sir::final_size_equation(c))),
            BLUE,
        ))
        .map_err(&err)?
        .label("theory: S = 1 − exp(−zTS)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE));
    chart
        .draw_series(
            points
                .iter()
                .map(|&(x, y)| Circle::new((x, y), 5, RED.filled())),
        )
        .map_err(&err)?
        .label("simulation, n = 10,000, 20 seeds")
        .legend(|(x, y)| Circle::new((x + 10, y), 5, RED.filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(&err)?;
    root.present().map_err(&err)
}
