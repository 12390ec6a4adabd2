//! What all shocks together do in one tick: [`Pressures`], which the engine resets to
//! neutral every tick and each active shock adds its effect to.
//!
//! Invariant: shocks compose. Rate, capacity, budget and assistance multipliers only
//! multiply; hardship and trust pushes, worker shares and seed shares only add. The two
//! process slots (`epidemic`, `rumour`) are set, not composed: one health state and one
//! belief state per resident, hence one epidemic and one rumour per scenario.

use super::epidemic::EpidemicNow;
use super::rumour::RumourNow;

/// Per-community effect of all shocks in one tick.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Effects {
    pub rate_mult: [f32; 8],
    pub hardship_push: f32,
    /// Damage to homes and livelihoods in the community today (a flood's strength), 0-1
    /// when one flood hits; it lowers residents' sense of security.
    pub damage: f32,
    /// Added to trust each day (negative: trust falls).
    pub trust_push: f32,
    pub capacity_mult: f32,
    /// Share of working-age residents hit by a closure, their daily hardship and their
    /// assistance multiplier.
    pub worker_share: f32,
    pub worker_hardship: f32,
    pub worker_assistance: f32,
    /// A closure's claims at lay-off: the daily chance a laid-off worker raises a claim
    /// today (in the first days of the window), and the share of claims that are
    /// unpaid-wage disputes (the rest: registration and assistance).
    pub worker_claims: f32,
    pub wage_share: f32,
    /// Trust a laid-off worker loses each day per claim of its still open (grievance
    /// directed at the government that does not answer).
    pub claim_wait_trust: f32,
    /// Share of a laid-off worker's daily hardship that a paid claim removes (severance,
    /// unemployment benefit or assistance received).
    pub claim_relief: f32,
    /// Threshold lowered, for a laid-off worker, per share of its community's laid-off
    /// co-workers protesting yesterday (co-workers draw each other in).
    pub coworker_pull: f32,
    /// Share of residents who fall ill / start believing a rumour this tick.
    pub epidemic_seed: f32,
    pub rumour_seed: f32,
}

impl Effects {
    pub const NEUTRAL: Effects = Effects {
        rate_mult: [1.0; 8],
        hardship_push: 0.0,
        damage: 0.0,
        trust_push: 0.0,
        capacity_mult: 1.0,
        worker_share: 0.0,
        worker_hardship: 0.0,
        worker_assistance: 1.0,
        worker_claims: 0.0,
        wage_share: 0.0,
        claim_wait_trust: 0.0,
        claim_relief: 0.0,
        coworker_pull: 0.0,
        epidemic_seed: 0.0,
        rumour_seed: 0.0,
    };
}

/// All shock effects in one tick.
#[derive(Clone)]
pub struct Pressures {
    pub effects: Vec<Effects>,
    pub county_capacity: Vec<f32>,
    pub county_budget: Vec<f32>,
    pub city_capacity: f32,
    pub city_budget: f32,
    pub epidemic: Option<EpidemicNow>,
    pub rumour: Option<RumourNow>,
}

impl Pressures {
    pub fn new(communities: usize, counties: usize) -> Pressures {
        Pressures {
            effects: vec![Effects::NEUTRAL; communities],
            county_capacity: vec![1.0; counties],
            county_budget: vec![1.0; counties],
            city_capacity: 1.0,
            city_budget: 1.0,
            epidemic: None,
            rumour: None,
        }
    }

    pub fn reset(&mut self) {
        self.effects.fill(Effects::NEUTRAL);
        self.county_capacity.fill(1.0);
        self.county_budget.fill(1.0);
        self.city_capacity = 1.0;
        self.city_budget = 1.0;
        self.epidemic = None;
        self.rumour = None;
    }
}
