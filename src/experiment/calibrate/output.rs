//! What a calibration writes (as text; the command writes the files into one folder,
//! all at once): `particles.csv` (every generation's accepted particles),
//! `posterior.csv` (the last generation's: the accepted parameter sets),
//! `generations.csv` (each tolerance, acceptance rate, effective sample size and the
//! parameters' weighted means), `fit.csv` (each target observed against predicted) and
//! `best.toml` (the fitted scenario, runnable).

use super::Prepared;
use super::abc::{Outcome, Particle, Stop, weighted_moments, weighted_quantile};
use crate::base::num::decimal;

/// One target observed against what the last generation predicts: the weighted mean and
/// 95% interval (2.5% and 97.5% weighted quantiles) over its particles, and the best
/// particle's prediction.
#[derive(Clone, Debug)]
pub struct FitRow {
    pub label: String,
    pub scenario: String,
    pub regime: String,
    pub metric: String,
    pub observed: f64,
    pub uncertainty: f64,
    pub mean: f64,
    pub low: f64,
    pub high: f64,
    pub best: f64,
    pub source: String,
}

impl FitRow {
    /// Whether the observation lies within two uncertainties of the predicted mean.
    pub fn within(&self) -> bool {
        (self.mean - self.observed).abs() <= 2.0 * self.uncertainty
    }
}

/// A parameter's posterior: weighted mean, sd and 95% interval, and its best value.
#[derive(Clone, Debug)]
pub struct Marginal {
    pub path: String,
    pub range: (f64, f64),
    pub mean: f64,
    pub sd: f64,
    pub low: f64,
    pub high: f64,
    pub best: f64,
}

fn weights(ps: &[Particle]) -> Vec<f64> {
    ps.iter().map(|p| p.weight).collect()
}

pub fn fit(p: &Prepared, o: &Outcome, best: &Particle) -> Vec<FitRow> {
    let last = &o.generations.last().expect("a generation").particles;
    let w = weights(last);
    let c = &p.calibration;
    p.target_labels()
        .into_iter()
        .zip(&c.targets)
        .enumerate()
        .map(|(k, (label, t))| {
            let ys: Vec<f64> = last.iter().map(|q| q.outputs[k]).collect();
            let (mean, total) = ys
                .iter()
                .zip(&w)
                .filter(|(y, _)| y.is_finite())
                .fold((0.0, 0.0), |(s, n), (y, w)| (s + y * w, n + w));
            FitRow {
                label,
                scenario: t.scenario.clone().unwrap_or_else(|| c.scenario.clone()),
                regime: t.regime.clone().unwrap_or_else(|| c.regime.clone()),
                metric: t.metric.clone(),
                observed: t.observed,
                uncertainty: t.uncertainty,
                mean: if total > 0.0 { mean / total } else { f64::NAN },
                low: weighted_quantile(&ys, &w, 0.025),
                high: weighted_quantile(&ys, &w, 0.975),
                best: best.outputs[k],
                source: t.source.clone(),
            }
        })
        .collect()
}

pub fn marginals(p: &Prepared, o: &Outcome, best: &Particle) -> Vec<Marginal> {
    let last = &o.generations.last().expect("a generation").particles;
    let w = weights(last);
    p.calibration
        .parameters
        .iter()
        .enumerate()
        .map(|(j, par)| {
            let (mean, var) = weighted_moments(last, j);
            let xs: Vec<f64> = last.iter().map(|q| q.theta[j]).collect();
            Marginal {
                path: par.path.clone(),
                range: par.bounds(),
                mean,
                sd: var.sqrt(),
                low: weighted_quantile(&xs, &w, 0.025),
                high: weighted_quantile(&xs, &w, 0.975),
                best: best.theta[j],
            }
        })
        .collect()
}

fn line(cells: &[String]) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(cells).expect("in memory");
    String::from_utf8(w.into_inner().expect("in memory")).expect("utf-8")
}

fn particle_header(p: &Prepared) -> Vec<String> {
    let mut h: Vec<String> = ["generation", "particle", "weight", "distance"]
        .map(String::from)
        .to_vec();
    h.extend(p.calibration.parameters.iter().map(|q| q.path.clone()));
    h.extend(p.target_labels());
    h
}

fn particle_rows(out: &mut String, generation: usize, ps: &[Particle]) {
    for (i, q) in ps.iter().enumerate() {
        let mut r = vec![
            generation.to_string(),
            i.to_string(),
            decimal(q.weight),
            decimal(q.distance),
        ];
        r.extend(q.theta.iter().map(|&v| decimal(v)));
        r.extend(q.outputs.iter().map(|&v| decimal(v)));
        out.push_str(&line(&r));
    }
}

/// `particles.csv`: every generation's particles.
pub fn particles_csv(p: &Prepared, o: &Outcome) -> String {
    let mut s = line(&particle_header(p));
    for (g, generation) in o.generations.iter().enumerate() {
        particle_rows(&mut s, g, &generation.particles);
    }
    s
}

/// `posterior.csv`: the last generation's particles, the accepted parameter sets.
pub fn posterior_csv(p: &Prepared, o: &Outcome) -> String {
    let mut s = line(&particle_header(p));
    let g = o.generations.len() - 1;
    particle_rows(&mut s, g, &o.generations[g].particles);
    s
}

/// `generations.csv`: one row per generation.
pub fn generations_csv(p: &Prepared, o: &Outcome) -> String {
    let mut h: Vec<String> = [
        "generation",
        "epsilon",
        "particles",
        "candidates",
        "simulated",
        "acceptance",
        "ess",
    ]
    .map(String::from)
    .to_vec();
    for q in &p.calibration.parameters {
        h.push(format!("{}_mean", q.path));
        h.push(format!("{}_sd", q.path));
    }
    let mut s = line(&h);
    for (g, generation) in o.generations.iter().enumerate() {
        let mut r = vec![
            g.to_string(),
            decimal(generation.epsilon),
            generation.particles.len().to_string(),
            generation.candidates.to_string(),
            generation.simulated.to_string(),
            decimal(generation.acceptance()),
            decimal(generation.ess()),
        ];
        for j in 0..p.calibration.parameters.len() {
            let (m, v) = weighted_moments(&generation.particles, j);
            r.push(decimal(m));
            r.push(decimal(v.sqrt()));
        }
        s.push_str(&line(&r));
    }
    s
}

pub const FIT_HEADER: [&str; 12] = [
    "target",
    "scenario",
    "regime",
    "metric",
    "observed",
    "uncertainty",
    "predicted",
    "low",
    "high",
    "best",
    "within_2sd",
    "source",
];

/// `fit.csv`: each target observed against predicted.
pub fn fit_csv(rows: &[FitRow]) -> String {
    let mut s = line(&FIT_HEADER.map(String::from));
    for f in rows {
        s.push_str(&line(&[
            f.label.clone(),
            f.scenario.clone(),
            f.regime.clone(),
            f.metric.clone(),
            decimal(f.observed),
            decimal(f.uncertainty),
            decimal(f.mean),
            decimal(f.low),
            decimal(f.high),
            decimal(f.best),
            if f.within() { "yes" } else { "no" }.to_string(),
            f.source.clone(),
        ]));
    }
    s
}

/// Why it stopped, in words.
pub fn stop_words(o: &Outcome) -> String {
    match o.stop {
        Stop::Generations => match o.generations.len() {
            1 => "ran its one generation".to_string(),
            n => format!("ran its {n} generations"),
        },
        Stop::Acceptance(a) => format!(
            "stopped after generation {} as its acceptance rate fell to {:.1}%",
            o.generations.len() - 1,
            a * 100.0
        ),
        Stop::Tolerance => "reached the tolerance asked for".to_string(),
        Stop::Budget { dropped } => format!(
            "stopped at the budget ({dropped} candidates of an unfinished generation left out)"
        ),
    }
}

/// `best.toml`: the fitted scenario with a header saying how it was fitted.
pub fn best_toml(
    p: &Prepared,
    o: &Outcome,
    best: &Particle,
    rows: &[FitRow],
) -> Result<String, String> {
    let c = &p.calibration;
    let values: Vec<String> = c
        .parameters
        .iter()
        .zip(&best.theta)
        .map(|(q, v)| format!("{} = {}", q.path, decimal(*v)))
        .collect();
    let s = p.fitted(&best.theta, &values.join(", "))?;
    let mut head = format!(
        "# {}: written by `linkage calibrate` ({}, ABC-SMC, {} runs; it {}).\n# The particle of the last generation nearest the targets (distance {:.3}):\n",
        s.name,
        c.name,
        o.runs,
        stop_words(o),
        best.distance
    );
    for v in &values {
        head.push_str(&format!("#   {v}\n"));
    }
    head.push_str("# Targets, observed / predicted by the last generation (mean, 95% interval) / by this particle:\n");
    for f in rows {
        head.push_str(&format!(
            "#   {}: {} ± {} / {} ({}–{}) / {}\n",
            f.label,
            decimal(f.observed),
            decimal(f.uncertainty),
            decimal(f.mean),
            decimal(f.low),
            decimal(f.high),
            decimal(f.best)
        ));
    }
    Ok(head + &s.to_toml())
}
