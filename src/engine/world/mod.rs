//! The state of one run (one scenario under one regime) and the phases of a tick.
//!
//! Tick phases, in order:
//! 1. shocks set this tick's per-community effects;
//! 2. residents update in parallel (`residents_phase`), link strength included (built by
//!    yesterday's outreach, active organisations and solved issues);
//! 3. incidents start, grow or end on a community's protesters (`incidents`);
//! 4. intake: new issues enter the store, reported ones are routed, the rest wait;
//! 5. grid patrols find unreported issues;
//! 6. organisations activate or lapse (on their community's link strength of today, and
//!    whether their upkeep was paid);
//! 7. office capacity is set (staff, shocks, overhead), grid offices pay their outreach
//!    (which tomorrow's links feel), community offices pay the upkeep of their active
//!    organisations, volunteers and organisations turn up or not (their hours are a
//!    social pool of each office's own), and capacity is moved by pooling, spatial
//!    linkage and the leading group;
//! 8. offices work their queues in office order: work (social hours first where social
//!    forces may act; a grid engages its volunteers as needed, paying their upkeep),
//!    escalate, refer, resolve, expire;
//! 9. grids note the share of wanted volunteers they could keep (the unkept drift away),
//!    counties redeem today's volunteer points from their budgets (what they cannot pay
//!    lowers tomorrow's shared goals), the government answers each incident (its cost
//!    paid, its effects set for tomorrow: `incidents`), tallies are taken and next
//!    tick's mediation views computed.

//!
//! The phases live in the files beside this one: `build` (the world of a scenario),
//! `residents` (phases 2, 3 and the views of 9), `issue_flow` (4, 5 and the life of an
//! issue between queues), `capacity` (6, 7) and `office_work` (8). The rules they apply
//! are pure functions in `crate::model`; this module owns the state, the queues and the
//! order.
//!
//! Invariant: the tick's phases run in the order above, sequentially except the resident
//! update, and every loop over offices, grids, communities or chunks runs in index order,
//! so a run's output depends only on its scenario, regime and seed. (On more than one
//! thread another thread reads the residents' records while phases 3 to 9 run, to sum
//! ties for the next day ahead: `SumsAhead`. It writes nothing those phases read, and
//! what they change in the records waits until they are done.)

mod build;
mod capacity;
mod case_work;
mod incidents;
mod investment;
mod issue_flow;
mod office_work;
mod residents;

use super::residents_phase::{Chunk, ChunkOut, SumsAhead};
use super::tally::Tally;
use crate::model::collective::Incident;
use crate::model::government::Offices;
use crate::model::government::Transfer;
use crate::model::issues::{IssueId, IssueStore};
use crate::model::mechanisms::Mechanisms;
use crate::model::organisations::Organisations;
use crate::model::residents::{Residents, Visible};
use crate::model::shocks::{ActiveShock, Pressures};
use crate::model::territory::{CountyId, Territory};
use crate::scenario::Scenario;
use issue_flow::SaidLog;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Cumulative issue counts of one unit, for the conservation check.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    pub created: u64,
    /// Left solved.
    pub resolved: u64,
    /// Left reported but unclosed (expired or dropped).
    pub expired: u64,
    /// Left closed but unsolved.
    pub closed_unsolved: u64,
    /// Left never reported.
    pub latent: u64,
}

impl Ledger {
    /// Issues that left, however they ended: created = ended + open.
    pub fn ended(&self) -> u64 {
        self.resolved + self.expired + self.closed_unsolved + self.latent
    }
}

#[derive(Clone)]
/// One run's state: the built city, its people, offices, organisations and live issues,
/// plus the engine's buffers between phases.
pub struct World {
    scenario: Scenario,
    /// The mechanisms in force today: the regime's, with information sharing cut to the
    /// share of the platform's running cost the city could pay (`pay_linkage_costs`).
    mech: Mechanisms,
    /// The regime's mechanisms as set.
    regime: Mechanisms,
    seed: u64,
    territory: Territory,
    residents: Residents,
    offices: Offices,
    orgs: Organisations,
    issues: IssueStore,
    /// Unreported issues per grid.
    unreported: Vec<Vec<IssueId>>,
    /// Ticks stepped so far, the warm-up included: what random streams and the issues'
    /// clocks are keyed by.
    tick: u32,
    /// The tick that is the run's day 0: the warm-up's length once it is done
    /// ([`World::warm_up`]), 0 before.
    origin: u32,
    /// Stepping the warm-up (what an observer of every tick skips: [`World::warming_up`]).
    warming: bool,
    /// Cumulative counts per township.
    ledger: Vec<Ledger>,
    /// Whether the leading group is active.
    leading_group: bool,
    shocks: Vec<ActiveShock>,
    chunks: Vec<Chunk>,
    chunk_out: Vec<ChunkOut>,
    pressures: Pressures,
    /// Share of each county's residents infectious last tick (sick staff, hearsay), and
    /// isolated as cases (published); the chance a detected case can be isolated today
    /// (the case work its staff could pay yesterday); each county's hours for case work
    /// today (`case_work`).
    county_infectious: Vec<f32>,
    county_known: Vec<f32>,
    county_isolation: Vec<f32>,
    case_pool: Vec<f64>,
    /// The next tick's `residents.visible` (double buffer). Shared, read-only, between
    /// the tick's sequential phases and the sums taken ahead (`step`): the word of mouth
    /// the sequential phases change meanwhile waits in `said_log`.
    visible_next: Arc<Vec<Visible>>,
    /// Word of mouth changed by the sequential phases, applied after them.
    said_log: SaidLog,
    /// What the first residents' ties showed at the end of the resident phase, summed
    /// for the next one while the sequential phases run.
    ahead: SumsAhead,
    grid_community: Vec<u32>,
    comm_active: Vec<u32>,
    comm_incident: Vec<bool>,
    /// Every incident so far, in order of start, and the per-community state of the
    /// government's answers.
    incidents: Vec<Incident>,
    answers: incidents::Answers,
    comm_p_mediate: Vec<f32>,
    /// Mean link strength of each community's residents, after today's resident phase.
    comm_mean_link: Vec<f32>,
    /// Share of each community's laid-off workers protesting (a closure's co-workers),
    /// after today's resident phase; tomorrow's reads it.
    comm_coworkers: Vec<f32>,
    /// Organisations of each community, and the share of them active (as the resident
    /// phase sees them: yesterday's).
    comm_orgs: Vec<u32>,
    comm_orgs_active: Vec<f32>,
    /// Each county's shared goals (共同目标, `residents::links::county_goals`): the
    /// regime's, less the points its budget could not redeem yesterday (as if all were
    /// redeemed before the first day).
    county_goals: Vec<f64>,
    /// Share of the volunteers each grid office wanted yesterday that it could keep
    /// (engage and supervise), which today's resident phase reads (1 before the first
    /// day).
    grid_kept: Vec<f32>,
    /// Today, per grid: hours of the volunteers who turned up and are not yet engaged;
    /// volunteers engaged; volunteers wanted but left unkept (no hours to supervise).
    grid_pool: Vec<f64>,
    grid_engaged: Vec<u32>,
    grid_refused: Vec<u32>,
    /// Outreach (走访) per grid: the hours planned a day, which the capacity phase takes
    /// from the grid office (`pay_outreach`); the hours delivered last; and the chance
    /// they visit a resident, which the next resident phase reads.
    grid_outreach_plan: Vec<f64>,
    grid_outreach: Vec<f64>,
    grid_visits: Vec<f32>,
    comm_channel: Vec<f32>,
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
    /// Per office: a grid office's casework today, the day's share of its queue's work
    /// (measured by `measure_queues`, paid by `pay_outreach`; 0 for other offices).
    casework: Vec<f64>,
    /// Hours each office owes from its next day's capacity: its side of hand-offs,
    /// bounces and joint meetings another office started.
    owed: Vec<f64>,
    /// Each office's assessment score (考核), in [0,1].
    score: Vec<f64>,
    /// The share of the hours it wants each township's one-stop centre is staffed with today.
    one_stop: Vec<f64>,
    /// Each office's working hours today before any debt or duty is paid.
    day_capacity: Vec<f64>,
    /// The rural uplift spatial linkage has built so far (see `costs::uplift_after`).
    uplift: f64,
    /// Residents of rural communities (the rural investment is paid per head).
    rural_residents: f64,
    /// Each office's staff-hours over the run: its own (after shocks, overhead
    /// included), and those left idle at the end of each day.
    hours_own: Vec<f64>,
    hours_idle: Vec<f64>,
    scratch: Vec<IssueId>,
    tallies: Vec<Tally>,
}

impl World {
    /// The scenario this world was built from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The regime's mechanisms, as set (today's may have less information sharing when
    /// the platform could not be fully paid).
    pub fn mechanisms(&self) -> &Mechanisms {
        &self.regime
    }

    /// The run's seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Days of the run stepped so far (the next day's number), the warm-up not counted.
    pub fn tick(&self) -> u32 {
        self.tick - self.origin
    }

    /// Whether the world is stepping its warm-up: an observer of a run's days
    /// (`run_regime`'s `on_tick`, which sees the warm-up's days too, for progress)
    /// records nothing then.
    pub fn warming_up(&self) -> bool {
        self.warming
    }

    /// Step the scenario's `run.warmup` days before day 0, without shocks, calling
    /// `on_day` after each (for progress); then day 0 is the next tick. The warm-up
    /// steps the same world on ticks of its own (so its draws are not the run's), and
    /// what is reported of the run starts after it: the offices' hours (utilisation) and
    /// the incidents are counted from day 0. Call once, right after building.
    pub fn warm_up(&mut self, mut on_day: impl FnMut(&World)) {
        self.warm_up_while(|w| {
            on_day(w);
            true
        });
    }

    /// [`World::warm_up`], asking `on_day` after each day whether to go on; false when it
    /// said no (the world is then part-way through its warm-up, fit only to be dropped).
    pub fn warm_up_while(&mut self, mut on_day: impl FnMut(&World) -> bool) -> bool {
        debug_assert_eq!(self.tick, 0, "the warm-up comes before any other step");
        let shocks = std::mem::take(&mut self.shocks);
        self.warming = true;
        for _ in 0..self.scenario.run.warmup {
            self.step();
            if !on_day(self) {
                self.shocks = shocks;
                return false;
            }
        }
        self.warming = false;
        self.shocks = shocks;
        self.origin = self.tick;
        self.hours_own.fill(0.0);
        self.hours_idle.fill(0.0);
        true
    }

    /// The territory tree.
    pub fn territory(&self) -> &Territory {
        &self.territory
    }

    /// The residents, as of the end of the last tick.
    pub fn residents(&self) -> &Residents {
        &self.residents
    }

    /// The government offices, with their queues and last tick's hours.
    pub fn offices(&self) -> &Offices {
        &self.offices
    }

    /// Each staffed office's utilisation over the days stepped so far: the share of its
    /// own staff-hours not left idle at the end of the day (what it lent or paid for
    /// others counts as used), in office order.
    pub fn office_utilisation(&self) -> Vec<f64> {
        self.hours_own
            .iter()
            .zip(&self.hours_idle)
            .filter(|(own, _)| **own > 0.0)
            .map(|(own, idle)| (1.0 - idle / own).clamp(0.0, 1.0))
            .collect()
    }

    /// Remove every shock from this world from now on (for the no-shock twin of a run:
    /// `engine::run::run_paired`). Effects already felt stay in the state; nothing new
    /// is applied.
    pub fn drop_shocks(&mut self) {
        self.shocks.clear();
        self.scenario.shocks.clear();
    }

    /// The social organisations.
    pub fn organisations(&self) -> &Organisations {
        &self.orgs
    }

    /// The live issues.
    pub fn issues(&self) -> &IssueStore {
        &self.issues
    }

    /// Cumulative issue counts per township (index by `TownshipId::index`).
    pub fn ledger(&self) -> &[Ledger] {
        &self.ledger
    }

    /// Whether the leading group was active in the last tick.
    pub fn leading_group(&self) -> bool {
        self.leading_group
    }

    /// Per-county tallies of the last tick, then the city row (last).
    pub fn tallies(&self) -> &[Tally] {
        &self.tallies
    }

    /// Live issues per township, counted from the store (independent of the ledger).
    pub fn census(&self) -> Vec<u64> {
        let mut open = vec![0u64; self.territory.townships.len()];
        for issue in self.issues.iter() {
            open[self.territory.grids[issue.grid.index()].township.index()] += 1;
        }
        open
    }

    /// Advance one tick.
    pub fn step(&mut self) {
        let t = self.tick;
        for tally in &mut self.tallies {
            *tally = Tally::default();
        }
        self.apply_shocks();
        self.apply_answers();
        self.resident_phase();
        if rayon::current_num_threads() > 1 {
            // While this thread runs the sequential phases, another sums for the next
            // resident phase what the first residents' ties showed today (`SumsAhead`):
            // both only read the records meanwhile.
            let stop = AtomicBool::new(false);
            let shown = Arc::clone(&self.visible_next);
            let ties = Arc::clone(&self.residents.ties);
            let mut ahead = std::mem::take(&mut self.ahead);
            rayon::join(
                || {
                    self.sequential_phases();
                    stop.store(true, Ordering::Relaxed);
                },
                || ahead.take(&shown, &ties, &stop),
            );
            drop(shown);
            self.ahead = ahead;
        } else {
            self.sequential_phases();
        }
        self.apply_said_log();
        std::mem::swap(
            &mut self.residents.visible,
            Arc::make_mut(&mut self.visible_next),
        );
        self.tick = t + 1;
    }

    /// The phases after the residents', in order (one thread).
    fn sequential_phases(&mut self) {
        self.incidents();
        self.intake();
        self.patrol();
        self.organisation_phase();
        self.set_capacity();
        self.work_offices();
        self.settle_social();
        self.answer_incidents();
        self.finish_tick();
        self.compute_views();
    }

    /// Apply the word of mouth the sequential phases changed to the records, and correct
    /// the sums taken ahead that hear it.
    fn apply_said_log(&mut self) {
        let shown = Arc::make_mut(&mut self.visible_next);
        self.ahead
            .apply(&self.residents.ties, shown, self.said_log.changes());
        self.said_log.clear();
    }

    /// Budget units left in a county's budget (`None`: the city reserve).
    fn budget_left(&self, county: Option<CountyId>) -> f64 {
        match county {
            Some(k) => self.budget[k.index()],
            None => self.city_reserve,
        }
    }

    /// Pay `units` from a county's budget (`None`: the city reserve) and count them in
    /// the day's `budget_spent` (the county's tally, or the city row's). The caller has
    /// checked that the budget holds them ([`World::budget_left`]).
    fn spend(&mut self, county: Option<CountyId>, units: f64) {
        let row = match county {
            Some(k) => {
                self.budget[k.index()] -= units;
                k.index()
            }
            None => {
                self.city_reserve -= units;
                self.territory.counties.len()
            }
        };
        self.tallies[row].budget_spent += units;
    }

    fn apply_shocks(&mut self) {
        self.pressures.reset();
        for s in &self.shocks {
            s.apply(
                self.tick - self.origin,
                &mut self.pressures,
                &self.mech,
                &self.county_infectious,
            );
        }
    }

    /// Staff hours, open counts and the city row.
    fn finish_tick(&mut self) {
        let n_counties = self.territory.counties.len();
        let mut city_hours = (0.0, 0.0);
        for o in 0..self.offices.len() {
            self.hours_idle[o] += self.offices.capacity[o].max(0.0);
            let used = self.offices.used[o];
            let coord = self.offices.coordination[o];
            match self.offices.county[o] {
                None => {
                    city_hours.0 += used + coord;
                    city_hours.1 += coord;
                }
                Some(k) => {
                    self.tallies[k.index()].staff_hours += used + coord;
                    self.tallies[k.index()].coordination_hours += coord;
                }
            }
        }
        for k in self.territory.county_ids() {
            self.tallies[k.index()].open = self.issues.live_in(k);
        }
        self.note_epidemic();
        let city_capacity = self.tallies[n_counties].capacity_hours;
        let city_spent = self.tallies[n_counties].budget_spent;
        let city_depts = self.tallies[n_counties].depts_linked_inactive;
        let mut city = Tally::default();
        for k in 0..n_counties {
            self.tallies[k].leading_group = self.leading_group;
            city.add(&self.tallies[k]);
        }
        city.capacity_hours += city_capacity;
        city.budget_spent += city_spent;
        city.depts_linked_inactive += city_depts;
        city.staff_hours += city_hours.0;
        city.coordination_hours += city_hours.1;
        city.leading_group = self.leading_group;
        self.tallies[n_counties] = city;
    }
}
