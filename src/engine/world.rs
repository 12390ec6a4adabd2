//! The state of one run (one scenario under one regime) and the phases of a tick.
//!
//! Tick phases, in order:
//! 1. shocks set this tick's per-community effects;
//! 2. residents update in parallel (`residents_phase`);
//! 3. incidents start or end where a community's protesters pass the threshold;
//! 4. intake: new issues enter the store, reported ones are routed, the rest wait;
//! 5. grid patrols find unreported issues;
//! 6. organisations activate or lapse;
//! 7. office capacity is set (staff, shocks, overhead, volunteers, organisations) and
//!    moved by pooling, spatial linkage and the leading group;
//! 8. offices work their queues in office order: work, escalate, refer, resolve, expire;
//! 9. tallies are taken and next tick's mediation views computed.

use super::residents_phase::{self, Chunk, ChunkMut, ChunkOut, Shared};
use crate::base::rng::{Purpose, stream};
use super::tally::Tally;
use crate::model::government::{CITY, Dept, OfficeKind, Offices};
use crate::model::issues::{Category, Issue, IssueStore, NONE, Phase, departments};
use crate::model::mechanisms::Mechanisms;
use crate::model::organisations::{OrgKind, Organisations};
use crate::model::residents::{Residents, Visible};
use crate::model::shocks::{ActiveShock, Pressures};
use crate::model::territory::{Level, Territory};
use crate::model::unit;
use crate::scenario::Scenario;

/// Which mechanism sets the share of a capacity transfer.
#[derive(Clone, Copy, Debug)]
enum Lever {
    Pooling,
    Spatial,
    LeadingGroup,
}

/// Spare capacity that may move from `donors` to `receivers` each tick.
struct Transfer {
    donors: Vec<u32>,
    receivers: Vec<u32>,
    by: Lever,
}

/// Cumulative issue counts of one unit, for the conservation check.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    pub created: u64,
    pub resolved: u64,
    pub expired: u64,
}

pub struct World {
    pub scenario: Scenario,
    pub mech: Mechanisms,
    pub seed: u64,
    pub territory: Territory,
    pub residents: Residents,
    pub offices: Offices,
    pub orgs: Organisations,
    pub issues: IssueStore,
    /// Unreported issues per grid.
    pub unreported: Vec<Vec<u32>>,
    pub tick: u32,
    /// Cumulative counts per township.
    pub ledger: Vec<Ledger>,
    /// Whether the leading group is active.
    pub leading_group: bool,
    shocks: Vec<ActiveShock>,
    chunks: Vec<Chunk>,
    chunk_out: Vec<ChunkOut>,
    pressures: Pressures,
    /// Share of each county's residents infectious last tick (sick staff).
    county_infectious: Vec<f32>,
    /// The next tick's `residents.visible` (double buffer).
    visible_next: Vec<Visible>,
    grid_community: Vec<u32>,
    comm_active: Vec<u32>,
    comm_incident: Vec<bool>,
    comm_p_mediate: Vec<f32>,
    comm_mean_link: Vec<f32>,
    comm_channel: Vec<f32>,
    comm_orgs_active_hours: Vec<f32>,
    comm_org_mediators: Vec<f32>,
    grid_mediators: Vec<f32>,
    grid_volunteers: Vec<u32>,
    budget: Vec<f64>,
    city_reserve: f64,
    serial: u64,
    /// Offices that pool capacity with each other (same level and department kind).
    /// Every capacity transfer the mechanisms allow, laid out once.
    transfers: Vec<Transfer>,
    demand: Vec<f64>,
    scratch: Vec<u32>,
    tallies: Vec<Tally>,
}

impl World {
    /// Build the world of `scenario` under the regime `mech`.
    pub fn new(scenario: &Scenario, mech: Mechanisms) -> World {
        let seed = scenario.run.seed;
        let territory = Territory::build(&scenario.territory, scenario.run.residents);
        let residents = Residents::build(&territory, &scenario.population, seed);
        let offices = Offices::build(&territory, &scenario.government);
        let shocks = scenario
            .shocks
            .iter()
            .map(|s| ActiveShock::new(s.clone(), &territory))
            .collect();

        // Organisations: a deterministic number per community, linked by regime.
        let os = &scenario.organisations;
        let mut orgs = Organisations {
            kind: Vec::new(),
            community: Vec::new(),
            linked: Vec::new(),
            active: Vec::new(),
            propensity: Vec::new(),
        };
        for (c, comm) in territory.communities.iter().enumerate() {
            let mean = if comm.urban {
                os.per_community_urban
            } else {
                os.per_community_rural
            };
            let mut s = stream(seed, Purpose::Organisation, c as u64, 0);
            let n = mean.floor() as usize + s.chance(mean.fract()) as usize;
            for _ in 0..n {
                let id = orgs.kind.len();
                orgs.kind.push(OrgKind::ALL[s.below(OrgKind::ALL.len())]);
                orgs.community.push(c as u32);
                orgs.propensity.push((0.5 + s.unit()) as f32);
                orgs.linked
                    .push(stream(seed, Purpose::OrgLink, id as u64, 0).chance(mech.social));
                orgs.active.push(false);
            }
        }

        // Chunks: whole communities, never across a county, about 4,096 residents each.
        const CHUNK: usize = 4096;
        let mut chunks: Vec<Chunk> = Vec::new();
        for (c, comm) in territory.communities.iter().enumerate() {
            let extend = chunks.last().is_some_and(|ch| {
                ch.county == comm.county && ch.residents.len() + comm.residents.len() <= CHUNK
            });
            if extend {
                let ch = chunks.last_mut().expect("non-empty");
                ch.residents.end = comm.residents.end;
                ch.communities.end = c as u32 + 1;
                ch.grids.end = comm.grids.end;
            } else {
                chunks.push(Chunk {
                    county: comm.county,
                    residents: comm.residents.clone(),
                    communities: c as u32..c as u32 + 1,
                    grids: comm.grids.clone(),
                });
            }
        }
        let chunk_out = chunks.iter().map(|_| ChunkOut::default()).collect();

        let grid_community = territory.grids.iter().map(|g| g.community).collect();
        let n_comm = territory.communities.len();
        let comm_mean_link = territory
            .communities
            .iter()
            .map(|c| {
                let r = c.residents.start as usize..c.residents.end as usize;
                residents.link[r.clone()].iter().sum::<f32>() / r.len().max(1) as f32
            })
            .collect();
        let rural_conn = scenario.government.rural_connectivity as f32;
        let comm_channel = territory
            .communities
            .iter()
            .map(|c| {
                if c.urban {
                    1.0
                } else {
                    rural_conn + (1.0 - rural_conn) * mech.spatial as f32
                }
            })
            .collect();

        // Capacity transfers: pooling within a level (and department), spatial linkage
        // from urban to rural units of a level, the leading group from city offices to
        // the county offices that mirror them.
        let mut transfers: Vec<Transfer> = Vec::new();
        {
            let by = |f: &dyn Fn(&OfficeKind) -> bool| -> Vec<u32> {
                (0..offices.len() as u32)
                    .filter(|&o| f(&offices.kind[o as usize]))
                    .collect()
            };
            let pool = |offices: Vec<u32>| Transfer {
                donors: offices.clone(),
                receivers: offices,
                by: Lever::Pooling,
            };
            transfers.push(pool(by(&|k| matches!(k, OfficeKind::Township(_)))));
            transfers.push(pool(by(&|k| matches!(k, OfficeKind::CountyGeneral(_)))));
            for d in Dept::ALL {
                transfers.push(pool(by(
                    &|k| matches!(k, OfficeKind::CountyDept(_, e) if *e == d),
                )));
            }
            let levels: [&dyn Fn(&OfficeKind) -> bool; 3] = [
                &|k| matches!(k, OfficeKind::Grid(_)),
                &|k| matches!(k, OfficeKind::Community(_)),
                &|k| matches!(k, OfficeKind::Township(_)),
            ];
            for level in levels {
                let (urban, rural): (Vec<u32>, Vec<u32>) = by(level)
                    .into_iter()
                    .partition(|&o| offices.urban[o as usize]);
                transfers.push(Transfer {
                    donors: urban,
                    receivers: rural,
                    by: Lever::Spatial,
                });
            }
            transfers.push(Transfer {
                donors: vec![offices.city_centre],
                receivers: offices.county_office.clone(),
                by: Lever::LeadingGroup,
            });
            for d in Dept::ALL {
                let depts = (0..territory.counties.len())
                    .map(|k| offices.county_dept(k as u16, d))
                    .collect();
                transfers.push(Transfer {
                    donors: vec![offices.city_dept[d as usize]],
                    receivers: depts,
                    by: Lever::LeadingGroup,
                });
            }
        }
        let n = residents.len();
        let n_counties = territory.counties.len();
        let n_towns = territory.townships.len();
        let n_grids = territory.grids.len();
        let n_offices = offices.len();
        let mut w = World {
            scenario: scenario.clone(),
            mech,
            seed,
            unreported: vec![Vec::new(); n_grids],
            tick: 0,
            ledger: vec![Ledger::default(); n_towns],
            leading_group: false,
            shocks,
            chunks,
            chunk_out,
            pressures: Pressures::new(n_comm, n_counties),
            county_infectious: vec![0.0; n_counties],
            visible_next: residents.visible.clone(),
            grid_community,
            comm_active: vec![0; n_comm],
            comm_incident: vec![false; n_comm],
            comm_p_mediate: vec![0.0; n_comm],
            comm_mean_link,
            comm_channel,
            comm_orgs_active_hours: vec![0.0; n_comm],
            comm_org_mediators: vec![0.0; n_comm],
            grid_mediators: vec![0.0; n_grids],
            grid_volunteers: vec![0; n_grids],
            budget: vec![0.0; n_counties],
            city_reserve: 0.0,
            serial: 0,
            transfers,
            demand: vec![0.0; n_offices],
            scratch: Vec::new(),
            tallies: vec![Tally::default(); n_counties + 1],
            territory,
            residents,
            offices,
            orgs,
            issues: IssueStore::default(),
        };
        debug_assert_eq!(w.residents.len(), n);
        w.compute_views();
        w
    }

    /// Per-county tallies of the last tick, then the city row (last).
    pub fn tallies(&self) -> &[Tally] {
        &self.tallies
    }

    /// Live issues per township, counted from the store (independent of the ledger).
    pub fn census(&self) -> Vec<u64> {
        let mut open = vec![0u64; self.territory.townships.len()];
        for issue in self.issues.iter() {
            open[self.territory.grids[issue.grid as usize].township as usize] += 1;
        }
        open
    }

    fn hours(&self) -> f64 {
        self.scenario.government.hours_per_staff
    }

    /// Advance one tick.
    pub fn step(&mut self) {
        let t = self.tick;
        for tally in &mut self.tallies {
            *tally = Tally::default();
        }
        self.apply_shocks();
        self.resident_phase();
        self.incidents();
        self.intake();
        self.patrol();
        self.organisations();
        self.set_capacity();
        self.work_offices();
        self.finish_tick();
        self.compute_views();
        std::mem::swap(&mut self.residents.visible, &mut self.visible_next);
        self.tick = t + 1;
    }

    fn apply_shocks(&mut self) {
        self.pressures.reset();
        for s in &self.shocks {
            s.apply(
                self.tick,
                &mut self.pressures,
                &self.mech,
                &self.county_infectious,
            );
        }
    }

    fn resident_phase(&mut self) {
        let sc = &self.scenario;
        let mut base_rates = [0.0f32; 8];
        for c in Category::ALL {
            base_rates[c as usize] = (sc.issues.get(c).rate / 1000.0) as f32;
        }
        let r = &mut self.residents;
        let shared = Shared {
            seed: self.seed,
            tick: self.tick,
            mech: &self.mech,
            behaviour: &sc.behaviour,
            collective: &sc.collective,
            base_rates,
            weak_tie_weight: sc.population.weak_tie_weight as f32,
            grid_community: &self.grid_community,
            effects: &self.pressures.effects,
            incident: &self.comm_incident,
            p_mediate: &self.comm_p_mediate,
            mediators: &self.grid_mediators,
            visible_prev: &r.visible,
            ties: &r.ties,
            grid: &r.grid,
            age: &r.age,
            link: &r.link,
            digital: &r.digital,
            risk_aversion: &r.risk_aversion,
            hardship_base: &r.hardship_base,
            trust_base: &r.trust_base,
            epidemic: self.pressures.epidemic,
            rumour: self.pressures.rumour,
            channel: &self.comm_channel,
        };
        let m = ChunkMut {
            hardship: &mut r.hardship,
            trust: &mut r.trust,
            exposure: &mut r.exposure,
            points: &mut r.points,
            cooldown: &mut r.cooldown,
            outcomes: &mut r.outcomes,
            visible_next: &mut self.visible_next,
        };
        residents_phase::update_all(&shared, &self.chunks, m, &mut self.chunk_out);
        // Merge in chunk order.
        for (chunk, out) in self.chunks.iter().zip(&self.chunk_out) {
            self.tallies[chunk.county as usize].add(&out.tally);
            let c0 = chunk.communities.start as usize;
            self.comm_active[c0..c0 + out.comm_active.len()].copy_from_slice(&out.comm_active);
            let g0 = chunk.grids.start as usize;
            self.grid_volunteers[g0..g0 + out.grid_volunteers.len()]
                .copy_from_slice(&out.grid_volunteers);
        }
    }

    /// Start or end incidents; a new incident raises a stability issue.
    fn incidents(&mut self) {
        let share = self.scenario.collective.incident_share;
        for c in 0..self.territory.communities.len() {
            let comm = &self.territory.communities[c];
            let n = comm.residents.len().max(1) as f64;
            let active = self.comm_active[c] as f64 / n;
            let county = comm.county as usize;
            if !self.comm_incident[c] && active > share {
                self.comm_incident[c] = true;
                self.tallies[county].incidents_new += 1;
                let grid = comm.grids.start;
                let agent = self.residents.len() as u64 + c as u64;
                self.create_issue(NONE, grid, Category::Stability, true, agent);
            } else if self.comm_incident[c] && active < share / 2.0 {
                self.comm_incident[c] = false;
            }
            if self.comm_incident[c] {
                self.tallies[county].incidents_active += 1;
            }
        }
    }

    fn intake(&mut self) {
        for k in 0..self.chunks.len() {
            for n in 0..self.chunk_out[k].issues.len() {
                let ni = self.chunk_out[k].issues[n];
                let grid = self.residents.grid[ni.resident as usize];
                self.create_issue(
                    ni.resident,
                    grid,
                    ni.category,
                    ni.reported,
                    ni.resident as u64,
                );
            }
        }
    }

    /// Create an issue; `agent` keys its detail draws (unique per tick).
    fn create_issue(
        &mut self,
        resident: u32,
        grid: u32,
        category: Category,
        reported: bool,
        agent: u64,
    ) {
        let t = self.tick;
        let sc = &self.scenario;
        let spec = sc.issues.get(category);
        let g = &self.territory.grids[grid as usize];
        let county = g.county;
        let mut s = stream(self.seed, Purpose::IssueDetail, agent, t as u64);
        let severity = (spec.severity * (0.5 + s.unit())).clamp(0.05, 1.0) as f32;
        let rural_mult = if g.urban {
            1.0
        } else {
            1.0 + sc.government.rural_work_penalty * (1.0 - self.mech.spatial)
        };
        let work_total = (spec.work_hours * (0.5 + severity as f64) * rural_mult) as f32;
        let adj = &self.territory.adjacency[county as usize];
        let partner = if category == Category::CrossRegion && !adj.is_empty() {
            adj[s.below(adj.len())]
        } else {
            county
        };
        let [d1, d2] = departments(category, s.unit());
        let level_office = match category.level() {
            Level::Grid => self.offices.grid_office[grid as usize],
            Level::Community => self.offices.community_office[g.community as usize],
            Level::Township => self.offices.township_office[g.township as usize],
            _ => self.offices.county_office[county as usize],
        };
        let stages = match (d1, d2) {
            (Some(a), Some(b)) => [
                self.offices.county_dept(county, a),
                self.offices.county_dept(county, b),
            ],
            (Some(a), None) if category == Category::CrossRegion => [
                self.offices.county_dept(county, a),
                self.offices.county_dept(partner, a),
            ],
            (Some(a), None) => [self.offices.county_dept(county, a), NONE],
            _ => [level_office, NONE],
        };
        let two = stages[1] != NONE;
        let joint =
            two && stream(self.seed, Purpose::Joint, agent, t as u64).chance(self.mech.horizontal);
        let key = self.serial;
        self.serial += 1;
        let issue = Issue {
            category,
            phase: Phase::Unreported,
            severity,
            work_left: if two && !joint {
                work_total / 2.0
            } else {
                work_total
            },
            work_total,
            resident,
            grid,
            county,
            partner,
            urban: g.urban,
            in_grid: false,
            joint,
            created: t,
            deadline: t + spec.deadline_days,
            ready_at: t,
            office: NONE,
            stages,
            stage: 0,
            waiting_since: 0,
            key,
        };
        let township = g.township as usize;
        let id = self.issues.insert(issue);
        self.ledger[township].created += 1;
        self.tallies[county as usize].created += 1;
        if reported {
            self.route(id);
        } else {
            self.unreported[grid as usize].push(id);
        }
    }

    /// A detected issue goes to the city centre (central routing) or to its grid.
    fn route(&mut self, id: u32) {
        let t = self.tick;
        let mech = self.mech;
        let small = self.scenario.issues.small_severity as f32;
        let issue = self.issues.get_mut(id);
        let mut s = stream(self.seed, Purpose::Route, issue.key, t as u64);
        if s.chance(mech.central_routing) {
            issue.phase = Phase::AtCentre;
            issue.office = self.offices.city_centre;
        } else {
            issue.in_grid = issue.category.level() == Level::Grid
                || (issue.category.grid_solvable()
                    && issue.severity < small
                    && s.chance(mech.grid_first));
            issue.phase = Phase::Climbing;
            issue.office = self.offices.grid_office[issue.grid as usize];
        }
        issue.ready_at = t;
        self.offices.queue[issue.office as usize].push_back(id);
    }

    fn patrol(&mut self) {
        let t = self.tick;
        let info = self.mech.information_sharing;
        let rate = self.scenario.government.patrol_rate;
        for g in 0..self.unreported.len() {
            if self.unreported[g].is_empty() {
                continue;
            }
            let c = self.grid_community[g] as usize;
            let p = rate
                * self.pressures.effects[c].capacity_mult as f64
                * (0.5 + 0.5 * info)
                * self.comm_channel[c] as f64;
            let mut list = std::mem::take(&mut self.unreported[g]);
            self.scratch.clear();
            for &id in &list {
                let issue = self.issues.get(id);
                if t > issue.deadline {
                    self.expire(id);
                } else if stream(self.seed, Purpose::Patrol, issue.key, t as u64).chance(p) {
                    self.route(id);
                } else {
                    self.scratch.push(id);
                }
            }
            list.clear();
            list.extend_from_slice(&self.scratch);
            self.unreported[g] = list;
        }
    }

    fn organisations(&mut self) {
        let os = &self.scenario.organisations;
        let social = self.mech.social;
        self.comm_orgs_active_hours.fill(0.0);
        self.comm_org_mediators.fill(0.0);
        for o in 0..self.orgs.len() {
            let c = self.orgs.community[o] as usize;
            let county = self.territory.communities[c].county as usize;
            if self.orgs.linked[o] {
                let link = self.comm_mean_link[c] as f64;
                let mut s = stream(self.seed, Purpose::Activation, o as u64, self.tick as u64);
                let active = &mut self.orgs.active[o];
                if *active {
                    if s.chance(os.lapse_rate * (1.0 - social * link)) {
                        *active = false;
                    }
                } else if s.chance(
                    os.activation_rate
                        * social
                        * link
                        * os.funding
                        * self.orgs.propensity[o] as f64,
                ) {
                    *active = true;
                }
            }
            if self.orgs.active[o] {
                self.tallies[county].orgs_active += 1;
                self.comm_orgs_active_hours[c] += os.hours_per_day as f32;
                if self.orgs.kind[o].mediates() {
                    self.comm_org_mediators[c] += 1.0;
                }
            } else if self.orgs.linked[o] {
                self.tallies[county].orgs_linked_inactive += 1;
            }
        }
    }

    /// Capacity multiplier of an office from shocks.
    fn capacity_mult(&self, o: usize) -> f64 {
        let comm_mult = |c: u32| self.pressures.effects[c as usize].capacity_mult as f64;
        match self.offices.kind[o] {
            OfficeKind::Grid(g) => comm_mult(self.grid_community[g as usize]),
            OfficeKind::Community(c) => comm_mult(c),
            OfficeKind::Township(t) => {
                let r = &self.territory.townships[t as usize].communities;
                r.clone().map(comm_mult).sum::<f64>() / r.len().max(1) as f64
            }
            OfficeKind::CountyGeneral(k) | OfficeKind::CountyDept(k, _) => {
                self.pressures.county_capacity[k as usize] as f64
            }
            OfficeKind::CityCentre | OfficeKind::CityDept(_) => self.pressures.city_capacity as f64,
        }
    }

    fn set_capacity(&mut self) {
        let gov = self.scenario.government.clone();
        let hours = self.hours();
        let overhead =
            self.mech.coordination_cost * self.mech.link_intensity() * gov.overhead_share;
        let volunteer_hours = self.scenario.behaviour.volunteer_hours;
        for o in 0..self.offices.len() {
            let base = self.offices.staff[o] * hours * self.capacity_mult(o);
            let social = match self.offices.kind[o] {
                OfficeKind::Grid(g) => self.grid_volunteers[g as usize] as f64 * volunteer_hours,
                OfficeKind::Community(c) => self.comm_orgs_active_hours[c as usize] as f64,
                _ => 0.0,
            };
            self.offices.capacity[o] = base * (1.0 - overhead) + social;
            match self.offices.county[o] {
                CITY => self.tallies[self.territory.counties.len()].capacity_hours += base,
                k => self.tallies[k as usize].capacity_hours += base,
            }
            self.offices.coordination[o] = base * overhead;
            self.offices.used[o] = 0.0;
        }
        // Demand: remaining work of issues each office will work on itself.
        self.demand.fill(0.0);
        for o in 0..self.offices.len() {
            for &id in &self.offices.queue[o] {
                let issue = self.issues.get(id);
                if issue.phase == Phase::Staged {
                    self.demand[o] += issue.work_left as f64;
                }
            }
        }
        // Budgets: income, then pooling from the city reserve to counties short of it.
        let units = self.scenario.issues.assistance_budget_units;
        for k in 0..self.territory.counties.len() {
            let pop = self.territory.counties[k].residents.len() as f64 / 1000.0;
            let income = gov.county_budget_per_1000 * pop;
            let paid = income * self.pressures.county_budget[k] as f64;
            self.budget[k] = (self.budget[k] + paid).min(income * 60.0);
        }
        let city_income = gov.city_budget_per_1000 * self.territory.residents() as f64 / 1000.0;
        self.city_reserve = (self.city_reserve + city_income * self.pressures.city_budget as f64)
            .min(city_income * 60.0);
        if self.mech.pooling > 0.0 {
            let mut short = vec![0.0f64; self.territory.counties.len()];
            for (k, s) in short.iter_mut().enumerate() {
                let o = self.offices.county_dept(k as u16, Dept::CivilAffairs) as usize;
                let waiting = self.offices.queue[o]
                    .iter()
                    .filter(|&&id| self.issues.get(id).phase == Phase::Staged)
                    .count() as f64;
                *s = (waiting * units - self.budget[k]).max(0.0);
            }
            let total: f64 = short.iter().sum();
            if total > 0.0 {
                let give = (self.city_reserve * self.mech.pooling).min(total);
                for (k, s) in short.iter().enumerate() {
                    self.budget[k] += give * s / total;
                }
                self.city_reserve -= give;
            }
        }
        // Leading group: open issues per 1,000 residents above a threshold that rises as
        // vertical linkage falls; when active, city offices lend to county offices.
        let per_1000 = self.issues.live() as f64 / (self.territory.residents() as f64 / 1000.0);
        let threshold = gov.leading_group_threshold * (1.0 + 2.0 * (1.0 - self.mech.vertical));
        self.leading_group = self.mech.vertical > 0.0 && per_1000 > threshold;
        // Capacity transfers, each at the share its mechanism sets.
        let friction = 0.3 * self.mech.coordination_cost;
        let transfers = std::mem::take(&mut self.transfers);
        for t in &transfers {
            let share = match t.by {
                Lever::Pooling => self.mech.pooling,
                Lever::Spatial => self.mech.spatial,
                Lever::LeadingGroup if self.leading_group => self.mech.vertical,
                Lever::LeadingGroup => 0.0,
            };
            self.lend(&t.donors, &t.receivers, share, friction);
        }
        self.transfers = transfers;
    }

    /// Move `share` of the donors' spare capacity to the receivers' deficits, in
    /// proportion; `friction` of what moves is lost to coordination.
    fn lend(&mut self, donors: &[u32], receivers: &[u32], share: f64, friction: f64) {
        if share <= 0.0 {
            return;
        }
        let spare =
            |w: &World, o: u32| (w.offices.capacity[o as usize] - w.demand[o as usize]).max(0.0);
        let deficit =
            |w: &World, o: u32| (w.demand[o as usize] - w.offices.capacity[o as usize]).max(0.0);
        let total_spare: f64 = donors.iter().map(|&o| spare(self, o)).sum();
        let total_deficit: f64 = receivers.iter().map(|&o| deficit(self, o)).sum();
        let moved = share * total_spare.min(total_deficit);
        if moved <= 0.0 {
            return;
        }
        let gives: Vec<f64> = donors
            .iter()
            .map(|&o| moved * spare(self, o) / total_spare)
            .collect();
        let gets: Vec<f64> = receivers
            .iter()
            .map(|&o| moved * deficit(self, o) / total_deficit)
            .collect();
        for (&o, g) in donors.iter().zip(gives) {
            self.offices.capacity[o as usize] -= g;
        }
        for (&o, g) in receivers.iter().zip(gets) {
            self.offices.capacity[o as usize] += g * (1.0 - friction);
            self.offices.coordination[o as usize] += g * friction;
        }
    }

    fn parent(&self, o: u32) -> u32 {
        let t = &self.territory;
        match self.offices.kind[o as usize] {
            OfficeKind::Grid(g) => {
                self.offices.community_office[t.grids[g as usize].community as usize]
            }
            OfficeKind::Community(c) => {
                self.offices.township_office[t.communities[c as usize].township as usize]
            }
            OfficeKind::Township(tw) => {
                self.offices.county_office[t.townships[tw as usize].county as usize]
            }
            _ => self.offices.city_centre,
        }
    }

    /// Move an issue to another office's queue, ready after `delay` ticks, charging the
    /// hand-off's coordination hours to the sending office.
    fn hand_off(&mut self, id: u32, from: u32, to: u32, delay: u32) {
        let cost = self.scenario.government.handoff_hours * self.mech.coordination_cost;
        self.offices.coordination[from as usize] += cost;
        let take = cost.min(self.offices.capacity[from as usize].max(0.0));
        self.offices.capacity[from as usize] -= take;
        self.send(id, to, delay);
    }

    /// Put an issue in another office's queue, ready after `delay` ticks.
    fn send(&mut self, id: u32, to: u32, delay: u32) {
        let issue = self.issues.get_mut(id);
        issue.office = to;
        issue.ready_at = self.tick + delay;
        self.offices.queue[to as usize].push_back(id);
    }

    fn work_offices(&mut self) {
        let t = self.tick;
        let gov = self.scenario.government.clone();
        let esc_delay = (gov.escalation_delay_days * (1.0 - self.mech.vertical)).round() as u32;
        let dispatch_hours = gov.dispatch_hours;
        let coop = gov.cross_region_rate
            * (0.5 * self.mech.horizontal + 0.5 * self.mech.information_sharing);
        let patience = (gov.cross_region_patience_days * (2.0 - self.mech.vertical)).round() as u32;
        let units = self.scenario.issues.assistance_budget_units;
        for o in 0..self.offices.len() as u32 {
            let ou = o as usize;
            let level = self.offices.level[ou];
            let conn = self.offices.connectivity[ou];
            let conn = conn + (1.0 - conn) * self.mech.spatial;
            let ref_delay = (gov.referral_delay_days * (1.0 - self.mech.information_sharing * conn))
                .round() as u32;
            let n = self.offices.queue[ou].len();
            for _ in 0..n {
                let id = self.offices.queue[ou]
                    .pop_front()
                    .expect("queue holds n issues");
                let issue = self.issues.get(id).clone();
                if t > issue.deadline {
                    self.expire(id);
                    continue;
                }
                if issue.ready_at > t {
                    self.offices.queue[ou].push_back(id);
                    continue;
                }
                let county = issue.county as usize;
                match issue.phase {
                    Phase::Unreported => unreachable!("unreported issues are not queued"),
                    Phase::AtCentre => {
                        if self.offices.capacity[ou] >= dispatch_hours {
                            self.offices.capacity[ou] -= dispatch_hours;
                            self.offices.used[ou] += dispatch_hours;
                            let target = issue.stages[0];
                            self.issues.get_mut(id).phase = Phase::Staged;
                            self.tallies[county].referrals += 1;
                            // Dispatch is the centre's hand-off; its hours are the cost.
                            self.send(id, target, 1);
                        } else {
                            self.offices.queue[ou].push_back(id);
                        }
                    }
                    Phase::Climbing => {
                        if issue.in_grid && level == Level::Grid {
                            let issue = self.issues.get_mut(id);
                            issue.stages = [o, NONE];
                            issue.work_left = issue.work_total;
                            issue.joint = false;
                            issue.phase = Phase::Staged;
                            self.work_on(id, o, units, ref_delay);
                        } else if level < issue.category.level() {
                            let parent = self.parent(o);
                            self.tallies[county].escalations += 1;
                            self.hand_off(id, o, parent, esc_delay);
                        } else if issue.category == Category::CrossRegion
                            && issue.partner as usize != county
                        {
                            let issue = self.issues.get_mut(id);
                            issue.phase = Phase::AwaitingPartner;
                            issue.waiting_since = t;
                            self.offices.queue[ou].push_back(id);
                        } else if issue.stages[0] == o {
                            self.issues.get_mut(id).phase = Phase::Staged;
                            self.work_on(id, o, units, ref_delay);
                        } else {
                            let target = issue.stages[0];
                            self.issues.get_mut(id).phase = Phase::Staged;
                            self.tallies[county].referrals += 1;
                            self.hand_off(id, o, target, ref_delay);
                        }
                    }
                    Phase::AwaitingPartner => {
                        let key = issue.key;
                        let waited = t - issue.waiting_since;
                        if stream(self.seed, Purpose::CrossRegion, key, t as u64).chance(coop) {
                            let target = issue.stages[0];
                            self.issues.get_mut(id).phase = Phase::Staged;
                            self.tallies[county].referrals += 1;
                            // The partner county's hand-off cost too.
                            let partner_office = self.offices.county_office[issue.partner as usize];
                            self.offices.coordination[partner_office as usize] +=
                                gov.handoff_hours * self.mech.coordination_cost;
                            self.hand_off(id, o, target, ref_delay);
                        } else if waited >= patience {
                            let issue = self.issues.get_mut(id);
                            let d = match self.offices.kind[issue.stages[0] as usize] {
                                OfficeKind::CountyDept(_, d) => d,
                                _ => Dept::CivilAffairs,
                            };
                            let target = self.offices.city_dept[d as usize];
                            issue.stages = [target, NONE];
                            issue.stage = 0;
                            issue.joint = false;
                            issue.work_left = issue.work_total;
                            issue.phase = Phase::Staged;
                            self.tallies[county].escalations += 1;
                            self.hand_off(id, o, target, esc_delay);
                        } else {
                            self.offices.queue[ou].push_back(id);
                        }
                    }
                    Phase::Staged => self.work_on(id, o, units, ref_delay),
                }
            }
        }
    }

    /// Work on a staged issue at office `o`; resolve it, pass it to its next stage, or
    /// leave it queued.
    fn work_on(&mut self, id: u32, o: u32, units: f64, ref_delay: u32) {
        let ou = o as usize;
        let cap = self.offices.capacity[ou].max(0.0);
        let issue = self.issues.get_mut(id);
        if issue.joint && issue.stage == 0 && issue.work_left == issue.work_total {
            // A joint meeting: every department involved sends someone.
            let seats = issue.stage_count() as f64;
            self.offices.coordination[ou] +=
                seats * self.scenario.government.handoff_hours * self.mech.coordination_cost;
        }
        let take = (issue.work_left as f64).min(cap);
        issue.work_left -= take as f32;
        self.offices.capacity[ou] -= take;
        self.offices.used[ou] += take;
        if issue.work_left > 1e-4 {
            self.offices.queue[ou].push_back(id);
            return;
        }
        issue.work_left = 0.0;
        let county = issue.county as usize;
        if issue.category == Category::SocialAssistance
            && issue.stage as usize + 1 >= issue.stage_count()
        {
            if self.budget[county] < units {
                self.offices.queue[ou].push_back(id);
                return;
            }
            self.budget[county] -= units;
        }
        let issue = self.issues.get_mut(id);
        let last = issue.joint || issue.stage as usize + 1 >= issue.stage_count();
        if last {
            self.resolve(id);
        } else {
            issue.stage += 1;
            issue.work_left = issue.work_total / 2.0;
            let target = issue.stages[issue.stage as usize];
            self.tallies[county].referrals += 1;
            self.hand_off(id, o, target, ref_delay.max(1));
        }
    }

    fn resolve(&mut self, id: u32) {
        let issue = self.issues.remove(id);
        let t = self.tick;
        let b = &self.scenario.behaviour;
        let days = t - issue.created;
        let township = self.territory.grids[issue.grid as usize].township as usize;
        self.ledger[township].resolved += 1;
        self.tallies[issue.county as usize].record_resolution(
            days,
            issue.urban,
            issue.category as usize,
        );
        if issue.resident != NONE {
            let r = issue.resident as usize;
            let allowed = (issue.deadline - issue.created).max(1) as f32;
            let speed = 1.0 - 0.5 * (days as f32 / allowed).min(1.0);
            let res = &mut self.residents;
            res.trust[r] = unit(res.trust[r] + b.resolve_trust_gain as f32 * speed);
            res.hardship[r] =
                unit(res.hardship[r] - b.resolve_hardship_relief as f32 * issue.severity);
            res.outcomes[r].resolved += 1.0;
            let e = &mut self.visible_next[r].experience;
            *e = (*e + speed).clamp(-1.0, 1.0);
        }
    }

    fn expire(&mut self, id: u32) {
        let issue = self.issues.remove(id);
        let b = &self.scenario.behaviour;
        let township = self.territory.grids[issue.grid as usize].township as usize;
        self.ledger[township].expired += 1;
        self.tallies[issue.county as usize].record_expiry(issue.urban, issue.category as usize);
        if issue.resident != NONE {
            let r = issue.resident as usize;
            let res = &mut self.residents;
            res.trust[r] = unit(res.trust[r] - b.expire_trust_loss as f32);
            res.hardship[r] = unit(res.hardship[r] + b.expire_hardship as f32 * issue.severity);
            let e = &mut self.visible_next[r].experience;
            *e = (*e - 1.0).clamp(-1.0, 1.0);
        }
    }

    /// Staff hours, open counts and the city row.
    fn finish_tick(&mut self) {
        let n_counties = self.territory.counties.len();
        let mut city_hours = (0.0, 0.0);
        for o in 0..self.offices.len() {
            let used = self.offices.used[o];
            let coord = self.offices.coordination[o];
            match self.offices.county[o] {
                CITY => {
                    city_hours.0 += used + coord;
                    city_hours.1 += coord;
                }
                k => {
                    self.tallies[k as usize].staff_hours += used + coord;
                    self.tallies[k as usize].coordination_hours += coord;
                }
            }
        }
        for issue in self.issues.iter() {
            self.tallies[issue.county as usize].open += 1;
        }
        for k in 0..n_counties {
            let t = &self.tallies[k];
            self.county_infectious[k] = t.health[crate::model::residents::INFECTED as usize] as f32
                / t.residents.max(1) as f32;
        }
        let city_capacity = self.tallies[n_counties].capacity_hours;
        let mut city = Tally::default();
        for k in 0..n_counties {
            self.tallies[k].leading_group = self.leading_group;
            city.add(&self.tallies[k]);
        }
        city.capacity_hours += city_capacity;
        city.staff_hours += city_hours.0;
        city.coordination_hours += city_hours.1;
        city.leading_group = self.leading_group;
        self.tallies[n_counties] = city;
    }

    /// Mediators present per grid and the chance a protester is mediated, per community,
    /// for the next tick.
    fn compute_views(&mut self) {
        let gov = &self.scenario.government;
        let presence = self.scenario.collective.presence_scale as f32;
        let share = gov.mediation_share as f32;
        for (c, comm) in self.territory.communities.iter().enumerate() {
            let mult = self.pressures.effects[c].capacity_mult;
            let n_grids = comm.grids.len().max(1) as f32;
            let comm_staff = self.offices.staff[self.offices.community_office[c] as usize] as f32;
            let town = &self.territory.townships[comm.township as usize];
            let town_staff = self.offices.staff
                [self.offices.township_office[comm.township as usize] as usize]
                as f32;
            let town_share = town_staff * share / town.communities.len().max(1) as f32;
            let orgs = self.comm_org_mediators[c];
            for g in comm.grids.clone() {
                let grid_staff =
                    self.offices.staff[self.offices.grid_office[g as usize] as usize] as f32;
                self.grid_mediators[g as usize] =
                    presence * mult * (grid_staff + (comm_staff * share + orgs) / n_grids);
            }
            let mediations =
                (comm_staff * share + town_share + orgs) * gov.mediations_per_staff as f32 * mult;
            self.comm_p_mediate[c] = (mediations / self.comm_active[c].max(1) as f32).min(1.0);
        }
    }
}
