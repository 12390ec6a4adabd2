//! Epstein (2002), "Modeling civil violence: an agent-based computational approach",
//! PNAS 99 suppl. 3, Model I, as its own model on a torus.
//!
//! Citizens have hardship H ~ U(0,1) and risk aversion R ~ U(0,1); grievance is
//! G = H(1 − L); the estimated arrest probability is P = 1 − exp(−k·f(C/A)), with C the cops
//! and A the active citizens in vision, A counting the citizen itself; a citizen is active
//! when G − R·P > T. Cops arrest one random active citizen in vision; the jail term is
//! uniform in 0..J_max (J_max = ∞: never released). Agents are activated in a random order
//! each tick (random asynchronous activation); each first moves to a random empty site in
//! vision, then acts. Released citizens return to a random empty site.
//!
//! Two points on which published implementations differ are switches:
//! - [`Rule`]: `literal` uses C/A as printed in the paper; `floor` uses ⌊C/A⌋ (NetLogo's
//!   Rebellion: `floor (c / (a + 1))` with a the actives other than the citizen); `round`
//!   uses round(C/A) (Mesa's example model).
//! - [`Neighbourhood`]: `cross` is the four lateral directions up to v (the paper's
//!   wording); `diamond` is von Neumann radius v (Mesa's grids with `moore=False`); `disc`
//!   is Euclidean radius v (NetLogo's `in-radius`).

use crate::base::rng::{Purpose, stream};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Rule {
    Literal,
    Floor,
    Round,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Neighbourhood {
    Cross,
    Diamond,
    Disc,
}

/// A change over time of legitimacy or cops (Epstein's Runs 3-5).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Schedule {
    Constant,
    /// Legitimacy falls to `to` at tick `at` in one step.
    SuddenDrop {
        at: u32,
        to: f64,
    },
    /// Legitimacy falls by `step` a tick from tick `at` until it reaches `to`.
    GradualDrop {
        at: u32,
        to: f64,
        step: f64,
    },
    /// From tick `at`, one cop (chosen at random) is removed every `every` ticks.
    RemoveCops {
        at: u32,
        every: u32,
    },
}

#[derive(Clone, Debug)]
pub struct Params {
    pub width: usize,
    pub height: usize,
    pub citizen_density: f64,
    pub cop_density: f64,
    pub vision: usize,
    pub legitimacy: f64,
    /// `None` is an infinite jail term.
    pub max_jail: Option<u32>,
    pub threshold: f64,
    pub k: f64,
    pub rule: Rule,
    pub neighbourhood: Neighbourhood,
    pub ticks: u32,
    pub seed: u64,
    pub schedule: Schedule,
}

impl Params {
    /// Epstein's Table 2 settings shared by the runs: 40×40, density 0.7, k = 2.3, T = 0.1.
    pub fn epstein(
        vision: usize,
        legitimacy: f64,
        max_jail: Option<u32>,
        cop_density: f64,
    ) -> Params {
        Params {
            width: 40,
            height: 40,
            citizen_density: 0.7,
            cop_density,
            vision,
            legitimacy,
            max_jail,
            threshold: 0.1,
            k: 2.3,
            rule: Rule::Floor,
            neighbourhood: Neighbourhood::Cross,
            ticks: 1000,
            seed: 1,
            schedule: Schedule::Constant,
        }
    }
}

/// One tick's counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Counts {
    pub quiet: u32,
    pub active: u32,
    pub jailed: u32,
}

const EMPTY: u32 = u32::MAX;

struct Agent {
    cop: bool,
    pos: u32,
    hardship: f64,
    risk: f64,
    active: bool,
    /// Ticks left in jail; `Some(u32::MAX)` forever; `None` free.
    jail: Option<u32>,
    removed: bool,
}

/// Run the model and return the counts after each tick.
pub fn run(p: &Params) -> Vec<Counts> {
    let n_sites = p.width * p.height;
    let n_cit = (p.citizen_density * n_sites as f64).round() as usize;
    let n_cop = (p.cop_density * n_sites as f64).round() as usize;
    let mut grid = vec![EMPTY; n_sites];
    // Place agents on distinct random sites (a shuffled list of sites).
    let mut sites: Vec<u32> = (0..n_sites as u32).collect();
    shuffle(&mut sites, p.seed, u64::MAX - 1, 0);
    let mut agents: Vec<Agent> = Vec::with_capacity(n_cit + n_cop);
    for (i, &site) in sites.iter().take((n_cit + n_cop).min(n_sites)).enumerate() {
        let mut s = stream(p.seed, Purpose::Validation, i as u64, u64::MAX);
        let cop = i >= n_cit;
        agents.push(Agent {
            cop,
            pos: site,
            hardship: s.unit(),
            risk: s.unit(),
            active: false,
            jail: None,
            removed: false,
        });
        grid[site as usize] = i as u32;
    }
    let offsets = neighbourhood(p.neighbourhood, p.vision as i64);
    let mut legitimacy = p.legitimacy;
    let mut order: Vec<u32> = Vec::with_capacity(agents.len());
    let mut seen: Vec<u32> = Vec::new();
    let mut out = Vec::with_capacity(p.ticks as usize);
    // The sites in vision of every site, precomputed (the torus wraps).
    let k = offsets.len();
    let mut vision: Vec<u32> = Vec::with_capacity(n_sites * k);
    for site in 0..n_sites {
        let (x, y) = ((site % p.width) as i64, (site / p.width) as i64);
        for &(dx, dy) in &offsets {
            let nx = (x + dx).rem_euclid(p.width as i64) as usize;
            let ny = (y + dy).rem_euclid(p.height as i64) as usize;
            vision.push((ny * p.width + nx) as u32);
        }
    }
    let in_view = |pos: u32| &vision[pos as usize * k..pos as usize * k + k];
    for t in 0..p.ticks {
        let tick = t as u64;
        match p.schedule {
            Schedule::SuddenDrop { at, to } if t == at => legitimacy = to,
            Schedule::GradualDrop { at, to, step } if t >= at => {
                legitimacy = (legitimacy - step).max(to)
            }
            Schedule::RemoveCops { at, every } if t >= at && (t - at) % every.max(1) == 0 => {
                let free: Vec<usize> = (0..agents.len())
                    .filter(|&i| agents[i].cop && !agents[i].removed)
                    .collect();
                if !free.is_empty() {
                    let i = free
                        [stream(p.seed, Purpose::Validation, u64::MAX - 2, tick).below(free.len())];
                    agents[i].removed = true;
                    grid[agents[i].pos as usize] = EMPTY;
                }
            }
            _ => {}
        }
        // Jail terms run down; released citizens go to a random empty site.
        #[allow(clippy::needless_range_loop)] // `i` keys the agent's random stream too
        for i in 0..agents.len() {
            if let Some(left) = agents[i].jail {
                if left == u32::MAX {
                    continue;
                }
                if left == 0 {
                    let empty: Vec<u32> = (0..n_sites as u32)
                        .filter(|&c| grid[c as usize] == EMPTY)
                        .collect();
                    if let Some(&c) = empty.get(
                        stream(p.seed, Purpose::Validation, i as u64, tick * 4 + 3)
                            .below(empty.len().max(1)),
                    ) {
                        agents[i].jail = None;
                        agents[i].active = false;
                        agents[i].pos = c;
                        grid[c as usize] = i as u32;
                    }
                } else {
                    agents[i].jail = Some(left - 1);
                }
            }
        }
        order.clear();
        order.extend(
            (0..agents.len() as u32)
                .filter(|&i| agents[i as usize].jail.is_none() && !agents[i as usize].removed),
        );
        shuffle(&mut order, p.seed, u64::MAX, tick);
        for &i in &order {
            let i = i as usize;
            if agents[i].jail.is_some() {
                continue; // arrested earlier this tick
            }
            let mut s = stream(p.seed, Purpose::Validation, i as u64, tick * 4);
            // Move to a random empty site in vision.
            seen.clear();
            seen.extend(
                in_view(agents[i].pos)
                    .iter()
                    .copied()
                    .filter(|&c| grid[c as usize] == EMPTY),
            );
            if !seen.is_empty() {
                let c = seen[s.below(seen.len())];
                grid[agents[i].pos as usize] = EMPTY;
                agents[i].pos = c;
                grid[c as usize] = i as u32;
            }
            // Act.
            let pos = agents[i].pos;
            if agents[i].cop {
                seen.clear();
                for &c in in_view(pos) {
                    let o = grid[c as usize];
                    if o != EMPTY && !agents[o as usize].cop && agents[o as usize].active {
                        seen.push(o);
                    }
                }
                if !seen.is_empty() {
                    let j = seen[s.below(seen.len())] as usize;
                    let term = match p.max_jail {
                        None => u32::MAX,
                        Some(m) => s.below(m.max(1) as usize) as u32,
                    };
                    agents[j].jail = Some(term);
                    agents[j].active = false;
                    grid[agents[j].pos as usize] = EMPTY;
                }
            } else {
                let (mut cops, mut actives) = (0u32, 1u32);
                for &c in in_view(pos) {
                    let o = grid[c as usize];
                    if o != EMPTY {
                        let a = &agents[o as usize];
                        if a.cop {
                            cops += 1;
                        } else if a.active {
                            actives += 1;
                        }
                    }
                }
                let ratio = cops as f64 / actives as f64;
                let f = match p.rule {
                    Rule::Literal => ratio,
                    Rule::Floor => ratio.floor(),
                    Rule::Round => ratio.round(),
                };
                let risk = 1.0 - (-p.k * f).exp();
                let grievance = agents[i].hardship * (1.0 - legitimacy);
                agents[i].active = grievance - agents[i].risk * risk > p.threshold;
            }
        }
        let mut c = Counts::default();
        for a in agents.iter().filter(|a| !a.cop) {
            if a.jail.is_some() {
                c.jailed += 1;
            } else if a.active {
                c.active += 1;
            } else {
                c.quiet += 1;
            }
        }
        out.push(c);
    }
    out
}

/// Site offsets within vision `v`, excluding the centre.
fn neighbourhood(kind: Neighbourhood, v: i64) -> Vec<(i64, i64)> {
    let mut o = Vec::new();
    for dy in -v..=v {
        for dx in -v..=v {
            if (dx, dy) == (0, 0) {
                continue;
            }
            let inside = match kind {
                Neighbourhood::Cross => dx == 0 || dy == 0,
                Neighbourhood::Diamond => dx.abs() + dy.abs() <= v,
                Neighbourhood::Disc => dx * dx + dy * dy <= v * v,
            };
            if inside {
                o.push((dx, dy));
            }
        }
    }
    o
}

/// Fisher–Yates shuffle from the stream keyed by (seed, Validation, key, tick).
fn shuffle(v: &mut [u32], seed: u64, key: u64, tick: u64) {
    let mut s = stream(seed, Purpose::Validation, key, tick);
    for i in (1..v.len()).rev() {
        let j = s.below(i + 1);
        v.swap(i, j);
    }
}

/// Outbursts: maximal runs of ticks with more than `level` actives.
pub fn outbursts(series: &[Counts], level: u32) -> usize {
    let mut n = 0;
    let mut inside = false;
    for c in series {
        if c.active > level && !inside {
            n += 1;
            inside = true;
        } else if c.active <= level {
            inside = false;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbourhood_sizes() {
        assert_eq!(neighbourhood(Neighbourhood::Cross, 7).len(), 28);
        assert_eq!(neighbourhood(Neighbourhood::Diamond, 2).len(), 12);
        assert_eq!(neighbourhood(Neighbourhood::Disc, 1).len(), 4);
    }

    #[test]
    fn agents_are_conserved() {
        let mut p = Params::epstein(7, 0.82, Some(30), 0.04);
        p.ticks = 100;
        for c in run(&p) {
            assert_eq!(c.quiet + c.active + c.jailed, 1120);
        }
    }
}
