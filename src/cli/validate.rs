//! `linkage validate` and `linkage epstein`: the validation suite's parts and charts,
//! and Epstein's model on its own with every switch as an option. The model's switches
//! are library enums; their command-line spellings ([`RuleArg`], [`NeighbourhoodArg`])
//! live here and convert.

use super::Failure;
use crate::validation::ValidationError;
use crate::validation::checks::{self, Check, PARTS, Size};
use crate::validation::epstein::{self, Jail, Neighbourhood, Order, Params, Placement, Rule};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

pub fn validate(
    part: Option<&str>,
    quick: bool,
    charts: Option<&std::path::Path>,
) -> Result<(), Failure> {
    let parts: Vec<&str> = match part {
        None => PARTS.to_vec(),
        Some(p) if PARTS.contains(&p) => vec![p],
        Some(p) => return Err(Failure::input(ValidationError::UnknownPart(p.to_string()))),
    };
    let size = if quick { Size::Quick } else { Size::Full };
    if let Some(dir) = charts {
        draw_charts(dir)?;
    }
    let mut all: Vec<Check> = Vec::new();
    for p in parts {
        let started = Instant::now();
        eprintln!("validating {p} ...");
        let checks = checks::run_part(p, size).map_err(Failure::input)?;
        for c in &checks {
            println!(
                "{} {:<11} {}",
                if c.pass { "PASS" } else { "FAIL" },
                c.part,
                c.name
            );
            println!(
                "     target: {}  ours: {}  tolerance: {}",
                c.target, c.ours, c.tolerance
            );
        }
        eprintln!("  {p}: {:.1} s", started.elapsed().as_secs_f64());
        all.extend(checks);
    }
    let failed = all.iter().filter(|c| !c.pass).count();
    println!("\n{} passed, {} failed", all.len() - failed, failed);
    if failed > 0 {
        return Err(Failure {
            code: 1,
            message: format!("{failed} validation check(s) failed"),
        });
    }
    Ok(())
}

/// The validation charts (SVG) into `dir`, created if need be.
fn draw_charts(dir: &std::path::Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::input(format!("cannot draw charts in {}: {e}", dir.display())))?;
    crate::validation::charts::epstein_run2(&dir.join("epstein-run2.svg"))
        .map_err(Failure::input)?;
    crate::validation::charts::epidemic_final_size(&dir.join("epidemic-final-size.svg"))
        .map_err(Failure::input)?;
    eprintln!("charts written to {}", dir.display());
    Ok(())
}

/// `--rule`: how C/A enters the arrest estimate ([`Rule`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RuleArg {
    /// C/A as printed in the paper.
    Literal,
    /// ⌊C/A⌋ (NetLogo's Rebellion).
    Floor,
    /// round(C/A), halves away from zero.
    Round,
    /// round(C/A), halves to even (Python's round in Mesa's example model).
    RoundEven,
}

impl From<RuleArg> for Rule {
    fn from(r: RuleArg) -> Rule {
        match r {
            RuleArg::Literal => Rule::Literal,
            RuleArg::Floor => Rule::Floor,
            RuleArg::Round => Rule::Round,
            RuleArg::RoundEven => Rule::RoundEven,
        }
    }
}

/// `--neighbourhood`: the shape of vision ([`Neighbourhood`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum NeighbourhoodArg {
    /// The four lateral directions up to v (the paper's wording).
    Cross,
    /// Von Neumann radius v (Mesa's grids).
    Diamond,
    /// Euclidean radius v (NetLogo's in-radius).
    Disc,
}

impl From<NeighbourhoodArg> for Neighbourhood {
    fn from(n: NeighbourhoodArg) -> Neighbourhood {
        match n {
            NeighbourhoodArg::Cross => Neighbourhood::Cross,
            NeighbourhoodArg::Diamond => Neighbourhood::Diamond,
            NeighbourhoodArg::Disc => Neighbourhood::Disc,
        }
    }
}

/// `--jail`: where jailed citizens are ([`Jail`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum JailArg {
    /// Off the board, released to a random empty site (Epstein, NetLogo).
    OffBoard,
    /// On their site, a turn in jail a tick (Mesa's example).
    InPlace,
}

/// `--order`: move before or after acting ([`Order`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OrderArg {
    /// Move, then decide or arrest (Epstein, NetLogo).
    MoveFirst,
    /// Decide or arrest, then move (Mesa's example).
    ActFirst,
}

/// `--placement`: how agents are placed at the start ([`Placement`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PlacementArg {
    /// round(density × sites) of each on distinct random sites.
    Exact,
    /// Each site drawn in turn with the densities as probabilities (Mesa's example).
    PerSite,
}

#[derive(clap::Args, Debug, Clone)]
pub struct EpsteinArgs {
    /// Legitimacy L in [0,1].
    #[arg(long, default_value_t = 0.82, value_parser = unit)]
    pub legitimacy: f64,
    /// Share of sites with a cop, in [0,1].
    #[arg(long, default_value_t = 0.04, value_parser = unit)]
    pub cop_density: f64,
    /// Share of sites with a citizen, in [0,1] (cops + citizens ≤ 1).
    #[arg(long, default_value_t = 0.7, value_parser = unit)]
    pub citizen_density: f64,
    /// Vision v in sites (1 to 20).
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u16).range(1..=20))]
    pub vision: u16,
    /// Maximum jail term in ticks, or "inf".
    #[arg(long, default_value = "30", value_parser = jail)]
    pub max_jail: JailTerm,
    /// Activation threshold T in [0,1].
    #[arg(long, default_value_t = 0.1, value_parser = unit)]
    pub threshold: f64,
    /// How C/A enters the arrest estimate.
    #[arg(long, value_enum, default_value = "floor")]
    pub rule: RuleArg,
    /// Shape of vision.
    #[arg(long, value_enum, default_value = "cross")]
    pub neighbourhood: NeighbourhoodArg,
    /// Where jailed citizens are.
    #[arg(long, value_enum, default_value = "off-board")]
    pub jail: JailArg,
    /// Whether an agent moves before or after it acts.
    #[arg(long, value_enum, default_value = "move-first")]
    pub order: OrderArg,
    /// How agents are placed at the start.
    #[arg(long, value_enum, default_value = "exact")]
    pub placement: PlacementArg,
    /// All of Mesa's choices (its example model, Mesa 3.3): --rule round-even
    /// --neighbourhood diamond --jail in-place --order act-first --placement per-site.
    #[arg(long, conflicts_with_all = ["rule", "neighbourhood", "jail", "order", "placement"])]
    pub mesa: bool,
    /// Ticks to run (1 to 1000000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub ticks: u32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write tick,quiet,active,jailed to this file (default: standard output).
    #[arg(long)]
    pub csv: Option<PathBuf>,
}

fn unit(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err("must be a number from 0 to 1".into()),
    }
}

/// A jail term: ticks, or `None` for infinite.
#[derive(Clone, Copy, Debug)]
pub struct JailTerm(pub Option<u32>);

fn jail(s: &str) -> Result<JailTerm, String> {
    if s.trim().eq_ignore_ascii_case("inf") {
        return Ok(JailTerm(None));
    }
    s.trim()
        .parse::<u32>()
        .map(|v| JailTerm(Some(v)))
        .map_err(|_| "must be a whole number ≥ 0 or 'inf'".into())
}

pub fn epstein(a: &EpsteinArgs) -> Result<(), Failure> {
    if a.cop_density + a.citizen_density > 1.0 {
        return Err(Failure::input(format!(
            "cop density {} plus citizen density {} exceed 1; allowed: a sum ≤ 1",
            a.cop_density, a.citizen_density
        )));
    }
    let mut p = Params::epstein(a.vision as usize, a.legitimacy, a.max_jail.0, a.cop_density);
    p.citizen_density = a.citizen_density;
    p.threshold = a.threshold;
    p.rule = a.rule.into();
    p.neighbourhood = a.neighbourhood.into();
    p.jail = match a.jail {
        JailArg::OffBoard => Jail::OffBoard,
        JailArg::InPlace => Jail::InPlace,
    };
    p.order = match a.order {
        OrderArg::MoveFirst => Order::MoveThenAct,
        OrderArg::ActFirst => Order::ActThenMove,
    };
    p.placement = match a.placement {
        PlacementArg::Exact => Placement::Exact,
        PlacementArg::PerSite => Placement::PerSite,
    };
    if a.mesa {
        p = p.with_mesa_choices();
    }
    p.ticks = a.ticks;
    p.seed = a.seed;
    let started = Instant::now();
    let (series, agents) = epstein::run_counted(&p);
    let seconds = started.elapsed().as_secs_f64();
    let mut text = String::from("tick,quiet,active,jailed\n");
    for (t, c) in series.iter().enumerate() {
        text.push_str(&format!("{t},{},{},{}\n", c.quiet, c.active, c.jailed));
    }
    match &a.csv {
        Some(path) => {
            crate::base::fs::write_atomic(path, &text)
                .map_err(|e| Failure::input(format!("cannot write {}: {e}", path.display())))?;
        }
        None => {
            let _ = std::io::stdout().write_all(text.as_bytes());
        }
    }
    eprintln!(
        "{} ticks of {agents} agents in {:.6} s: {:.1} million agent-steps per second",
        p.ticks,
        seconds,
        agents as f64 * p.ticks as f64 / seconds / 1e6
    );
    Ok(())
}
