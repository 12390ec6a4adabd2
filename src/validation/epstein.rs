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

use crate::base::rng::{Purpose, Stream, stream};

/// How C/A enters the arrest estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    Literal,
    Floor,
    Round,
}

/// The shape of vision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// The torus and its agents during a run. Every random draw comes from a stream keyed by
/// (seed, agent or a fixed key, tick), so the order of the steps below is the model.
struct Torus<'p> {
    p: &'p Params,
    /// The agent on each site, or `EMPTY`.
    grid: Vec<u32>,
    agents: Vec<Agent>,
    /// The sites in vision of every site, `k` a site (the torus wraps).
    vision: Vec<u32>,
    k: usize,
    legitimacy: f64,
    /// This tick's activation order, and a scratch list of sites or agents.
    order: Vec<u32>,
    seen: Vec<u32>,
}

/// Run the model and return the counts after each tick.
pub fn run(p: &Params) -> Vec<Counts> {
    let mut torus = Torus::new(p);
    (0..p.ticks).map(|t| torus.tick(t)).collect()
}

impl<'p> Torus<'p> {
    /// Citizens then cops on distinct random sites (a shuffled list of sites), each
    /// citizen's hardship and risk aversion drawn from its own stream.
    fn new(p: &'p Params) -> Torus<'p> {
        let n_sites = p.width * p.height;
        let n_cit = (p.citizen_density * n_sites as f64).round() as usize;
        let n_cop = (p.cop_density * n_sites as f64).round() as usize;
        let mut grid = vec![EMPTY; n_sites];
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
        Torus {
            p,
            order: Vec::with_capacity(agents.len()),
            grid,
            agents,
            vision,
            k,
            legitimacy: p.legitimacy,
            seen: Vec::new(),
        }
    }

    /// The sites in vision of `pos`.
    fn in_view(vision: &[u32], k: usize, pos: u32) -> &[u32] {
        &vision[pos as usize * k..pos as usize * k + k]
    }

    /// One tick: the schedule, jail terms, then every free agent in a random order.
    fn tick(&mut self, t: u32) -> Counts {
        let tick = t as u64;
        self.apply_schedule(t);
        self.serve_jail_terms(tick);
        self.order.clear();
        self.order
            .extend((0..self.agents.len() as u32).filter(|&i| {
                self.agents[i as usize].jail.is_none() && !self.agents[i as usize].removed
            }));
        shuffle(&mut self.order, self.p.seed, u64::MAX, tick);
        let order = std::mem::take(&mut self.order);
        for &i in &order {
            let i = i as usize;
            if self.agents[i].jail.is_some() {
                continue; // arrested earlier this tick
            }
            let mut s = stream(self.p.seed, Purpose::Validation, i as u64, tick * 4);
            self.move_in_view(i, &mut s);
            if self.agents[i].cop {
                self.arrest(i, &mut s);
            } else {
                self.decide(i);
            }
        }
        self.order = order;
        self.counts()
    }

    /// Legitimacy drops and cop removals (Epstein's Runs 3-5).
    fn apply_schedule(&mut self, t: u32) {
        let tick = t as u64;
        match self.p.schedule {
            Schedule::SuddenDrop { at, to } if t == at => self.legitimacy = to,
            Schedule::GradualDrop { at, to, step } if t >= at => {
                self.legitimacy = (self.legitimacy - step).max(to)
            }
            Schedule::RemoveCops { at, every }
                if t >= at && (t - at).is_multiple_of(every.max(1)) =>
            {
                let free: Vec<usize> = (0..self.agents.len())
                    .filter(|&i| self.agents[i].cop && !self.agents[i].removed)
                    .collect();
                if !free.is_empty() {
                    let i = free[stream(self.p.seed, Purpose::Validation, u64::MAX - 2, tick)
                        .below(free.len())];
                    self.agents[i].removed = true;
                    self.grid[self.agents[i].pos as usize] = EMPTY;
                }
            }
            _ => {}
        }
    }

    /// Jail terms run down; released citizens go to a random empty site.
    fn serve_jail_terms(&mut self, tick: u64) {
        #[allow(clippy::needless_range_loop)] // `i` keys the agent's random stream too
        for i in 0..self.agents.len() {
            let Some(left) = self.agents[i].jail else {
                continue;
            };
            if left == u32::MAX {
                continue;
            }
            if left > 0 {
                self.agents[i].jail = Some(left - 1);
                continue;
            }
            let empty: Vec<u32> = (0..self.grid.len() as u32)
                .filter(|&c| self.grid[c as usize] == EMPTY)
                .collect();
            if let Some(&c) = empty.get(
                stream(self.p.seed, Purpose::Validation, i as u64, tick * 4 + 3)
                    .below(empty.len().max(1)),
            ) {
                let a = &mut self.agents[i];
                a.jail = None;
                a.active = false;
                a.pos = c;
                self.grid[c as usize] = i as u32;
            }
        }
    }

    /// Agent `i` moves to a random empty site in vision, if there is one.
    fn move_in_view(&mut self, i: usize, s: &mut Stream) {
        self.seen.clear();
        let grid = &self.grid;
        self.seen.extend(
            Self::in_view(&self.vision, self.k, self.agents[i].pos)
                .iter()
                .copied()
                .filter(|&c| grid[c as usize] == EMPTY),
        );
        if !self.seen.is_empty() {
            let c = self.seen[s.below(self.seen.len())];
            self.grid[self.agents[i].pos as usize] = EMPTY;
            self.agents[i].pos = c;
            self.grid[c as usize] = i as u32;
        }
    }

    /// Cop `i` arrests one random active citizen in vision, for a random term.
    fn arrest(&mut self, i: usize, s: &mut Stream) {
        self.seen.clear();
        for &c in Self::in_view(&self.vision, self.k, self.agents[i].pos) {
            let o = self.grid[c as usize];
            if o != EMPTY && !self.agents[o as usize].cop && self.agents[o as usize].active {
                self.seen.push(o);
            }
        }
        if !self.seen.is_empty() {
            let j = self.seen[s.below(self.seen.len())] as usize;
            let term = match self.p.max_jail {
                None => u32::MAX,
                Some(m) => s.below(m.max(1) as usize) as u32,
            };
            self.agents[j].jail = Some(term);
            self.agents[j].active = false;
            self.grid[self.agents[j].pos as usize] = EMPTY;
        }
    }

    /// Citizen `i` turns active when grievance less risk exceeds the threshold:
    /// G − R·P > T, with P = 1 − exp(−k·f(C/A)) over the cops and actives in vision.
    fn decide(&mut self, i: usize) {
        let (mut cops, mut actives) = (0u32, 1u32);
        for &c in Self::in_view(&self.vision, self.k, self.agents[i].pos) {
            let o = self.grid[c as usize];
            if o != EMPTY {
                let a = &self.agents[o as usize];
                if a.cop {
                    cops += 1;
                } else if a.active {
                    actives += 1;
                }
            }
        }
        let ratio = cops as f64 / actives as f64;
        let f = match self.p.rule {
            Rule::Literal => ratio,
            Rule::Floor => ratio.floor(),
            Rule::Round => ratio.round(),
        };
        let risk = 1.0 - (-self.p.k * f).exp();
        let grievance = self.agents[i].hardship * (1.0 - self.legitimacy);
        self.agents[i].active = grievance - self.agents[i].risk * risk > self.p.threshold;
    }

    /// Citizens quiet, active and jailed.
    fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for a in self.agents.iter().filter(|a| !a.cop) {
            if a.jail.is_some() {
                c.jailed += 1;
            } else if a.active {
                c.active += 1;
            } else {
                c.quiet += 1;
            }
        }
        c
    }
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
