//! Epstein's civil violence model in `linkage bench`: linkage's own agent-steps a second,
//! always (in this process, well under a second), and with `--mesa` the side-by-side run
//! against Mesa's own example and its target (issue 15: at least 300× Mesa).
//!
//! The side-by-side run is `benches/mesa/compare.sh`: it makes (once, cached under
//! target/mesa-venv) a virtual environment with Mesa 3.3, runs Mesa's example and
//! `linkage epstein --mesa` (Mesa's choices, so both do the same work) with Epstein's Run 2
//! parameters for 1,000 ticks, each in a process of its own, and prints one JSON line with
//! the process wall times and the stepping times of both. The parameters here are the
//! script's, so the two figures below are for the same runs.

use super::Record;
use super::targets::Target;
use crate::cli::Failure;
use crate::validation::epstein::{self, Params};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Ticks of every Epstein measurement (Run 2's length in the comparison).
const TICKS: u32 = 1000;

/// The comparison's target: linkage's agent-steps a second over Mesa's.
const TARGET_RATIO: f64 = 300.0;

/// One model's stepping speed, in this process.
#[derive(Clone, Debug, Serialize)]
pub struct EpsteinRate {
    pub agents: usize,
    pub seconds: f64,
    pub agent_steps_per_second: f64,
}

/// Run 2 × 1,000 ticks with linkage's defaults and with Mesa's choices.
#[derive(Clone, Debug, Serialize)]
pub struct EpsteinSpeed {
    pub ticks: u32,
    pub defaults: EpsteinRate,
    pub mesa_choices: EpsteinRate,
}

/// Run 2's parameters (Epstein 2002, Table 2): 40×40, legitimacy 0.82, cop density 0.04,
/// citizen density 0.7, vision 7, max jail 30.
fn run2() -> Params {
    let mut p = Params::epstein(7, 0.82, Some(30), 0.04);
    p.ticks = TICKS;
    p
}

/// The fastest of `rounds` runs of `p`.
fn rate(p: &Params, rounds: u32) -> EpsteinRate {
    let mut best: Option<EpsteinRate> = None;
    for _ in 0..rounds.max(1) {
        let started = Instant::now();
        let (series, agents) = epstein::run_counted(p);
        let seconds = started.elapsed().as_secs_f64();
        std::hint::black_box(series);
        if best.as_ref().is_none_or(|b| seconds < b.seconds) {
            best = Some(EpsteinRate {
                agents,
                seconds,
                agent_steps_per_second: agents as f64 * p.ticks as f64 / seconds,
            });
        }
    }
    best.expect("at least one round")
}

/// linkage's Epstein speed, fastest of `rounds` (a tenth of a second each).
pub(super) fn epstein_speed(rounds: u32) -> EpsteinSpeed {
    EpsteinSpeed {
        ticks: TICKS,
        defaults: rate(&run2(), rounds),
        mesa_choices: rate(&run2().with_mesa_choices(), rounds),
    }
}

/// One side of the comparison, as `compare.py` prints it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Side {
    pub agents: u64,
    /// Wall time of the whole process: start-up, imports, building and steps.
    pub process_seconds: f64,
    /// The steps alone, timed inside the process.
    pub step_seconds: f64,
    pub agent_steps_per_second_process: f64,
    pub agent_steps_per_second_stepping: f64,
    #[serde(default)]
    pub mesa_version: Option<String>,
    #[serde(default)]
    pub choices: Option<String>,
}

/// What `benches/mesa/compare.sh` prints.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MesaComparison {
    pub ticks: u32,
    pub seed: u64,
    pub mesa: Side,
    pub linkage_mesa_choices: Side,
    pub linkage_defaults: Side,
    /// linkage (Mesa's choices) over Mesa, agent-steps a second by process wall time.
    pub ratio_process: f64,
    /// The same by stepping time.
    pub ratio_stepping: f64,
}

/// The comparison scripts: `$LINKAGE_MESA_DIR`, or benches/mesa of the source tree this
/// binary was built from.
pub(super) fn script_dir() -> PathBuf {
    std::env::var_os("LINKAGE_MESA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/mesa"))
}

/// Run `compare.sh` with this binary and read its JSON line. Its standard error (the
/// venv's installation, if any) passes through.
pub(super) fn compare(dir: &Path) -> Result<MesaComparison, Failure> {
    let script = dir.join("compare.sh");
    if !script.is_file() {
        return Err(Failure::input(format!(
            "no Mesa comparison script at {}; set LINKAGE_MESA_DIR to the benches/mesa folder of linkage's sources",
            script.display()
        )));
    }
    let exe = std::env::current_exe()
        .map_err(|e| Failure::environment(format!("cannot find this program's path: {e}")))?;
    let out = Command::new("bash")
        .arg(&script)
        .arg(&exe)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Failure::environment(format!("cannot run {}: {e}", script.display())))?;
    if !out.status.success() {
        return Err(Failure::environment(format!(
            "{} failed ({}); Mesa's comparison needs python3 with venv and the package registry",
            script.display(),
            out.status
        )));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or("");
    serde_json::from_str(line).map_err(|e| {
        Failure::environment(format!(
            "{} printed no comparison ({e}): {line}",
            script.display()
        ))
    })
}

/// The target row of the comparison, if it was run.
pub(super) fn targets(rec: &Record) -> Vec<Target> {
    let Some(m) = &rec.mesa else {
        return Vec::new();
    };
    vec![Target::new(
        format!(
            "Epstein vs Mesa {}: agent-steps/s, Run 2 × {} ticks, process wall",
            m.mesa.mesa_version.as_deref().unwrap_or("?"),
            m.ticks
        ),
        &format!("≥ {TARGET_RATIO:.0}×"),
        format!("{:.0}×", m.ratio_process),
        m.ratio_process >= TARGET_RATIO,
    )]
}

/// The table's lines on Epstein's model.
pub(super) fn lines(rec: &Record) -> String {
    let mut s = String::new();
    if let Some(e) = &rec.epstein {
        s.push_str(&format!(
            "\nEpstein Run 2 × {} ticks in this process: {:.1} M agent-steps/s with linkage's defaults ({} agents, {:.3} s), {:.1} M with Mesa's choices ({} agents, {:.3} s)\n",
            e.ticks,
            e.defaults.agent_steps_per_second / 1e6,
            e.defaults.agents,
            e.defaults.seconds,
            e.mesa_choices.agent_steps_per_second / 1e6,
            e.mesa_choices.agents,
            e.mesa_choices.seconds,
        ));
    }
    if let Some(m) = &rec.mesa {
        let row = |name: &str, x: &Side| {
            format!(
                "  {name:<24} {:>6} agents  process {:>8.3} s  {:>12.0} agent-steps/s   stepping {:>8.3} s  {:>12.0} agent-steps/s\n",
                x.agents,
                x.process_seconds,
                x.agent_steps_per_second_process,
                x.step_seconds,
                x.agent_steps_per_second_stepping
            )
        };
        s.push_str(&format!(
            "side by side, seed {}, {} ticks:\n",
            m.seed, m.ticks
        ));
        s.push_str(&row(
            &format!("Mesa {}", m.mesa.mesa_version.as_deref().unwrap_or("?")),
            &m.mesa,
        ));
        s.push_str(&row("linkage, Mesa's choices", &m.linkage_mesa_choices));
        s.push_str(&row("linkage, defaults", &m.linkage_defaults));
        s.push_str(&format!(
            "  linkage (Mesa's choices) over Mesa: {:.0}× by process wall time, {:.0}× by stepping time\n",
            m.ratio_process, m.ratio_stepping
        ));
    }
    s
}
