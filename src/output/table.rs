//! The comparison table printed at the end of a run.

use super::metrics::Summary;
use std::fmt::Write;

fn pct(v: f64) -> String {
    if v.is_finite() {
        format!("{:.1}%", v * 100.0)
    } else {
        "-".into()
    }
}

fn num(v: f64, digits: usize) -> String {
    if v.is_finite() {
        format!("{v:.digits$}")
    } else {
        "-".into()
    }
}

/// A whole number with thousands separators: 1234567 → "1,234,567".
pub(crate) fn thousands(v: f64) -> String {
    let s = format!("{:.0}", v.max(0.0));
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A plain-text table: the header, a rule of dashes, the rows; the first column to the
/// left, the others to the right, columns two spaces apart.
pub(crate) fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>, out: &mut String| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&width)
            .enumerate()
            .map(|(i, (c, &w))| {
                if i == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}", padded.join("  ").trim_end());
    };
    line(header.iter().map(|s| s.to_string()).collect(), &mut out);
    line(width.iter().map(|&w| "-".repeat(w)).collect(), &mut out);
    for r in rows {
        line(r.clone(), &mut out);
    }
    out
}

/// The comparison table: one row per regime, then the resilience of each headline metric.
/// Collective action is shown three ways (onsets, incident-days, protester-days): onsets
/// alone flatter a regime whose incidents are many but short.
pub fn comparison(summaries: &[Summary]) -> String {
    let header = [
        "regime",
        "solved",
        "median d",
        "p90 d",
        "trust end",
        "U-R gap",
        "incidents",
        "incident-d",
        "protester-d",
        "staff-h",
        "coord %",
    ];
    let rows: Vec<Vec<String>> = summaries
        .iter()
        .map(|s| {
            vec![
                s.regime.clone(),
                pct(s.solution_rate),
                num(s.resolution_days_median, 0),
                num(s.resolution_days_p90, 0),
                num(s.trust_end, 3),
                num(s.urban_rural_gap * 100.0, 1) + " pp",
                s.incidents.to_string(),
                thousands(s.incident_days as f64),
                thousands(s.protester_days as f64),
                thousands(s.staff_hours),
                pct(s.coordination_hours / s.staff_hours),
            ]
        })
        .collect();
    let mut out = render(&header, &rows);
    out.push('\n');
    out.push_str(&hotline(summaries));
    out.push('\n');
    out.push_str(&incidents(summaries));
    if summaries
        .iter()
        .any(|s| s.resilience.iter().any(|(_, r)| r.is_some()))
    {
        out.push('\n');
        let mut header = vec!["resilience".to_string()];
        for (m, _) in &summaries[0].resilience {
            header.push(format!("{m}: fall"));
            header.push("recovery".into());
            header.push("loss".into());
        }
        let rows: Vec<Vec<String>> = summaries
            .iter()
            .map(|s| {
                let mut row = vec![s.regime.clone()];
                for (_, r) in &s.resilience {
                    match r {
                        Some(r) => {
                            row.push(format!("{:.1}%", r.deepest_fall_pct));
                            row.push(
                                r.recovery_days
                                    .map_or("not recovered".into(), |d| format!("{d} d")),
                            );
                            row.push(format!("{:.0} %·d", r.loss_area + 0.0));
                        }
                        None => row.extend(["-".to_string(), "-".to_string(), "-".to_string()]),
                    }
                }
                row
            })
            .collect();
        let h: Vec<&str> = header.iter().map(|s| s.as_str()).collect();
        out.push_str(&render(&h, &rows));
    }
    out
}

/// Incidents as events (issue 13): how many by police band of their peak, how long
/// they lasted, what protest cost the protesters, and how many got each answer.
fn incidents(summaries: &[Summary]) -> String {
    let header = [
        "incidents",
        "5-30",
        "30-300",
        "300-1000",
        ">1000",
        "median d",
        "longest d",
        "protest cost",
        "mediated",
        "conceded",
        "policed",
        "escalated",
        "answer h",
        "answer budget",
    ];
    let rows: Vec<Vec<String>> = summaries
        .iter()
        .map(|s| {
            let mut row = vec![s.regime.clone()];
            row.extend(s.incident_bands.iter().map(|b| b.to_string()));
            row.push(num(s.incident_days_median, 1));
            row.push(s.incident_days_longest.to_string());
            row.push(num(s.protest_cost, 0));
            row.extend(s.incident_answers[1..].iter().map(|b| b.to_string()));
            row.push(thousands(s.answer_staff_hours));
            row.push(thousands(s.answer_budget));
            row
        })
        .collect();
    render(&header, &rows)
}

/// The hotline's grades (MODEL.md §9): rates over reported issues, latent ones apart.
fn hotline(summaries: &[Summary]) -> String {
    let header = [
        "hotline",
        "response",
        "closure",
        "solution",
        "satisfied",
        "reopened",
        "latent",
        "bounces",
        "trips/solved",
        "h/solved",
        "petitions",
    ];
    let rows: Vec<Vec<String>> = summaries
        .iter()
        .map(|s| {
            vec![
                s.regime.clone(),
                pct(s.response_rate),
                pct(s.closure_rate),
                pct(s.solution_rate),
                pct(s.satisfaction_rate),
                s.reopened.to_string(),
                s.latent.to_string(),
                s.bounces.to_string(),
                num(s.trips_per_solved, 2),
                num(s.staff_hours_per_solved, 1),
                s.petitions.to_string(),
            ]
        })
        .collect();
    render(&header, &rows)
}
