//! Shocks (MODEL.md §8): events that perturb issue rates, hardship, trust, capacity,
//! budgets, health and beliefs in target units for a window of ticks.
//!
//! Shocks compose. Every tick the engine starts from neutral [`Pressures`] and lets each
//! shock add its effect: rate and capacity multipliers multiply, pushes and shares add.
//! Several shocks at once or in sequence (a compound shock) are just several entries.
//!
//! The mechanisms, each documented on its struct:
//! - [`Flood`]: emergencies, capacity loss and hardship in the hit units.
//! - [`Epidemic`]: SEIR over the tie graph; the sick raise health and supply issues; sick
//!   staff cut office capacity; quarantine thins the ties that carry infection.
//! - [`Closure`]: a factory closure; a share of working-age residents lose income
//!   (hardship) and ask for assistance.
//! - [`LandDispute`]: contentious land requisition; hardship up and trust down in a
//!   township, so grievance crosses Epstein's threshold and protest spills over ties.
//! - [`Rumour`]: a trust shock that spreads along weak ties; information sharing slows
//!   its spread and speeds its debunking.
//! - [`FiscalCut`]: staff capacity and budget income cut in the target counties.

use super::issues::Category;
use super::mechanisms::Mechanisms;
use super::territory::Territory;
use serde::{Deserialize, Serialize};

/// Which part of a target county a shock hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    #[default]
    All,
    Urban,
    Rural,
}

/// The units a shock hits: named counties (every county when empty), their urban, rural
/// or all communities, and optionally only the `township`-th township (counting from 0)
/// of that area in each named county.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    #[serde(default)]
    pub counties: Vec<String>,
    #[serde(default)]
    pub area: Area,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub township: Option<u32>,
}

impl Target {
    /// Communities hit, as a mask over all communities.
    pub fn communities(&self, territory: &Territory) -> Vec<bool> {
        let mut mask = vec![false; territory.communities.len()];
        for (k, county) in territory.counties.iter().enumerate() {
            if !self.counties.is_empty() && !self.counties.contains(&county.name) {
                continue;
            }
            let towns: Vec<u32> = county
                .townships
                .clone()
                .filter(|&t| match self.area {
                    Area::All => true,
                    Area::Urban => territory.townships[t as usize].urban,
                    Area::Rural => !territory.townships[t as usize].urban,
                })
                .collect();
            let chosen: Vec<u32> = match self.township {
                Some(i) => towns.get(i as usize).copied().into_iter().collect(),
                None => towns,
            };
            for t in chosen {
                for c in territory.townships[t as usize].communities.clone() {
                    mask[c as usize] = true;
                }
            }
            let _ = k;
        }
        mask
    }

    /// A problem with this target in `territory`, if any (a township index that does not
    /// exist, or a target that hits nothing).
    pub fn problem(&self, territory: &Territory) -> Option<String> {
        if let Some(i) = self.township {
            for county in &territory.counties {
                if !self.counties.is_empty() && !self.counties.contains(&county.name) {
                    continue;
                }
                let n = county
                    .townships
                    .clone()
                    .filter(|&t| match self.area {
                        Area::All => true,
                        Area::Urban => territory.townships[t as usize].urban,
                        Area::Rural => !territory.townships[t as usize].urban,
                    })
                    .count();
                if i as usize >= n {
                    return Some(format!(
                        "township {i} does not exist in {} ({n} {} township{} at this size); allowed: 0 to {}",
                        county.name,
                        match self.area {
                            Area::All => "",
                            Area::Urban => "urban",
                            Area::Rural => "rural",
                        },
                        if n == 1 { "" } else { "s" },
                        n.saturating_sub(1)
                    ));
                }
            }
        }
        if !self.communities(territory).iter().any(|&h| h) {
            return Some(
                "hits no community (no county has that area); choose another area or county".into(),
            );
        }
        None
    }
}

/// Serde default functions for shock coefficients: `name = value;` defines
/// `fn name() -> f64 { value }`.
macro_rules! defaults {
    ($($name:ident = $value:expr;)*) => {
        $(fn $name() -> f64 { $value })*
    };
}

defaults! {
    d_emergency_surge = 40.0;
    d_facility_surge = 2.0;
    d_assistance_surge = 1.5;
    d_flood_hardship = 0.01;
    d_capacity_loss = 0.4;
}

/// A flood (洪涝): a sudden onset that recedes linearly over its duration. It raises
/// emergency, public-facility and assistance issues, pushes hardship up, and takes
/// capacity from the grid, community and township offices it hits (staff stranded or
/// diverted), and half as much from the county offices of hit counties.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flood {
    pub start: u32,
    pub duration: u32,
    pub target: Target,
    /// Peak strength in [0,1]; at tick t the strength is `intensity · (1 − (t−start)/duration)`.
    pub intensity: f64,
    /// Emergency issue rate multiplier at strength 1 (added to 1).
    #[serde(default = "d_emergency_surge")]
    pub emergency_surge: f64,
    /// Public-facility and assistance rate multipliers at strength 1 (added to 1).
    #[serde(default = "d_facility_surge")]
    pub facility_surge: f64,
    #[serde(default = "d_assistance_surge")]
    pub assistance_surge: f64,
    /// Hardship added per day at strength 1.
    #[serde(default = "d_flood_hardship")]
    pub hardship_per_day: f64,
    /// Share of local office capacity lost at strength 1.
    #[serde(default = "d_capacity_loss")]
    pub capacity_loss: f64,
}

defaults! {
    d_seed_share = 0.002;
    d_transmission = 0.04;
    d_incubation = 3.0;
    d_infectious = 7.0;
    d_quarantine = 0.5;
    d_staff_sickness = 1.0;
    d_health_issue = 0.03;
    d_supply_issue = 0.01;
}

/// An epidemic: SEIR over the tie graph. At `start`, `seed_share` of the residents in
/// the target fall ill. Each day a susceptible resident is infected with probability
/// `1 − (1 − β)^W`, W the summed weight of its infectious ties (1 for a strong tie, the
/// weak-tie weight for a weak one),
/// β = `transmission · intensity`; exposed residents turn infectious after
/// `incubation_days` and recover after `infectious_days` on average (geometric). The
/// disease runs its course to the end of the run; during the window
/// `[start, start+duration)` quarantine cuts every tie's transmission by `quarantine`.
/// Infectious residents raise health (emergency) and supply (assistance) issues; staff fall
/// sick like everyone else, so each county's office capacity falls by
/// `staff_sickness × (its share infectious)`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Epidemic {
    pub start: u32,
    pub duration: u32,
    pub target: Target,
    pub intensity: f64,
    #[serde(default = "d_seed_share")]
    pub seed_share: f64,
    #[serde(default = "d_transmission")]
    pub transmission: f64,
    #[serde(default = "d_incubation")]
    pub incubation_days: f64,
    #[serde(default = "d_infectious")]
    pub infectious_days: f64,
    #[serde(default = "d_quarantine")]
    pub quarantine: f64,
    #[serde(default = "d_staff_sickness")]
    pub staff_sickness: f64,
    /// Daily chance an infectious resident raises a health issue, and a supply issue.
    #[serde(default = "d_health_issue")]
    pub health_issue_rate: f64,
    #[serde(default = "d_supply_issue")]
    pub supply_issue_rate: f64,
}

defaults! {
    d_worker_share = 0.3;
    d_closure_hardship = 0.01;
    d_closure_assistance = 4.0;
}

/// An economic closure (a factory closes): `intensity · worker_share` of the working-age
/// residents in the target lose income for the window. They gain `hardship_per_day` a day
/// and raise assistance issues at `1 + assistance_surge` times the usual rate. The same
/// residents are hit every day (a fixed draw per resident).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    pub start: u32,
    pub duration: u32,
    pub target: Target,
    pub intensity: f64,
    #[serde(default = "d_worker_share")]
    pub worker_share: f64,
    #[serde(default = "d_closure_hardship")]
    pub hardship_per_day: f64,
    #[serde(default = "d_closure_assistance")]
    pub assistance_surge: f64,
}

defaults! {
    d_land_hardship = 0.012;
    d_land_trust = 0.012;
    d_land_disputes = 3.0;
}

/// Contentious policy (land requisition, 征地): in the target (typically one township)
/// hardship rises by `hardship_per_day` and trust falls by `trust_loss_per_day` a day at
/// strength 1, and neighbour disputes multiply by `1 + dispute_surge`. Grievance
/// `H(1−L)` crosses Epstein's threshold, protest starts, and spreads along ties into
/// neighbouring communities; mediation capacity decides how far.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LandDispute {
    pub start: u32,
    pub duration: u32,
    pub target: Target,
    pub intensity: f64,
    #[serde(default = "d_land_hardship")]
    pub hardship_per_day: f64,
    #[serde(default = "d_land_trust")]
    pub trust_loss_per_day: f64,
    #[serde(default = "d_land_disputes")]
    pub dispute_surge: f64,
}

defaults! {
    d_rumour_seed = 0.01;
    d_rumour_spread = 0.25;
    d_rumour_trust = 0.01;
    d_rumour_debunk = 0.15;
    d_rumour_damping = 0.8;
}

/// A rumour (谣言): at `start`, `seed_share` of the target's residents believe it. During
/// the window each believing weak tie passes it on with daily chance
/// `spread · intensity · (1 − damping · information_sharing)`; strong ties inside the grid
/// do not (neighbours know better). Believers lose `trust_loss_per_day` of trust a day and
/// (scaled by intensity) and stop believing with daily chance
/// `0.02 + debunk_rate · information_sharing`: an
/// information platform both slows the rumour and debunks it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rumour {
    pub start: u32,
    pub duration: u32,
    pub target: Target,
    pub intensity: f64,
    #[serde(default = "d_rumour_seed")]
    pub seed_share: f64,
    #[serde(default = "d_rumour_spread")]
    pub spread: f64,
    #[serde(default = "d_rumour_trust")]
    pub trust_loss_per_day: f64,
    #[serde(default = "d_rumour_debunk")]
    pub debunk_rate: f64,
    #[serde(default = "d_rumour_damping")]
    pub damping: f64,
}

defaults! {
    d_staff_cut = 0.3;
    d_budget_cut = 0.6;
}

/// A fiscal cut: in the target counties (every county and the city when none is named)
/// staff capacity falls by `intensity · staff_cut` (posts frozen, overtime cut) and
/// assistance budget income by `intensity · budget_cut` for the window.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiscalCut {
    pub start: u32,
    pub duration: u32,
    pub target: Target,
    pub intensity: f64,
    #[serde(default = "d_staff_cut")]
    pub staff_cut: f64,
    #[serde(default = "d_budget_cut")]
    pub budget_cut: f64,
}

/// One shock of a scenario.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Shock {
    Flood(Flood),
    Epidemic(Epidemic),
    Closure(Closure),
    LandDispute(LandDispute),
    Rumour(Rumour),
    FiscalCut(FiscalCut),
}

/// The kinds of shock, as written in scenario files.
pub const KINDS: [&str; 6] = [
    "flood",
    "epidemic",
    "closure",
    "land_dispute",
    "rumour",
    "fiscal_cut",
];

impl Shock {
    fn common(&self) -> (u32, u32, &Target, f64) {
        match self {
            Shock::Flood(s) => (s.start, s.duration, &s.target, s.intensity),
            Shock::Epidemic(s) => (s.start, s.duration, &s.target, s.intensity),
            Shock::Closure(s) => (s.start, s.duration, &s.target, s.intensity),
            Shock::LandDispute(s) => (s.start, s.duration, &s.target, s.intensity),
            Shock::Rumour(s) => (s.start, s.duration, &s.target, s.intensity),
            Shock::FiscalCut(s) => (s.start, s.duration, &s.target, s.intensity),
        }
    }

    /// The window of ticks the shock is active, `[start, end)`.
    pub fn window(&self) -> (u32, u32) {
        let (s, d, _, _) = self.common();
        (s, s.saturating_add(d))
    }

    pub fn target(&self) -> &Target {
        self.common().2
    }

    pub fn intensity(&self) -> f64 {
        self.common().3
    }

    pub fn name(&self) -> &'static str {
        match self {
            Shock::Flood(_) => "flood",
            Shock::Epidemic(_) => "epidemic",
            Shock::Closure(_) => "closure",
            Shock::LandDispute(_) => "land_dispute",
            Shock::Rumour(_) => "rumour",
            Shock::FiscalCut(_) => "fiscal_cut",
        }
    }

    /// Coefficients that must be probabilities or shares, with their names.
    pub fn unit_fields(&self) -> Vec<(&'static str, f64)> {
        let mut v = vec![("intensity", self.intensity())];
        match self {
            Shock::Flood(f) => v.push(("capacity_loss", f.capacity_loss)),
            Shock::Epidemic(e) => v.extend([
                ("seed_share", e.seed_share),
                ("transmission", e.transmission),
                ("quarantine", e.quarantine),
                ("staff_sickness", e.staff_sickness),
                ("health_issue_rate", e.health_issue_rate),
                ("supply_issue_rate", e.supply_issue_rate),
            ]),
            Shock::Closure(c) => v.extend([
                ("worker_share", c.worker_share),
                ("hardship_per_day", c.hardship_per_day),
            ]),
            Shock::LandDispute(l) => v.extend([
                ("hardship_per_day", l.hardship_per_day),
                ("trust_loss_per_day", l.trust_loss_per_day),
            ]),
            Shock::Rumour(r) => v.extend([
                ("seed_share", r.seed_share),
                ("spread", r.spread),
                ("trust_loss_per_day", r.trust_loss_per_day),
                ("debunk_rate", r.debunk_rate),
                ("damping", r.damping),
            ]),
            Shock::FiscalCut(f) => {
                v.extend([("staff_cut", f.staff_cut), ("budget_cut", f.budget_cut)])
            }
        }
        v
    }

    /// Durations in days that must be at least 1, with their names.
    pub fn day_fields(&self) -> Vec<(&'static str, f64)> {
        match self {
            Shock::Epidemic(e) => vec![
                ("incubation_days", e.incubation_days),
                ("infectious_days", e.infectious_days),
            ],
            _ => vec![],
        }
    }

    /// Coefficients that must be ≥ 0 (rate multipliers), with their names.
    pub fn nonnegative_fields(&self) -> Vec<(&'static str, f64)> {
        match self {
            Shock::Flood(f) => vec![
                ("emergency_surge", f.emergency_surge),
                ("facility_surge", f.facility_surge),
                ("assistance_surge", f.assistance_surge),
                ("hardship_per_day", f.hardship_per_day),
            ],
            Shock::Epidemic(_) => vec![],
            Shock::Closure(c) => vec![("assistance_surge", c.assistance_surge)],
            Shock::LandDispute(l) => vec![("dispute_surge", l.dispute_surge)],
            Shock::Rumour(_) | Shock::FiscalCut(_) => vec![],
        }
    }
}

/// Per-community effect of all shocks in one tick.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Effects {
    pub rate_mult: [f32; 8],
    pub hardship_push: f32,
    /// Added to trust each day (negative: trust falls).
    pub trust_push: f32,
    pub capacity_mult: f32,
    /// Share of working-age residents hit by a closure, their daily hardship and their
    /// assistance multiplier.
    pub worker_share: f32,
    pub worker_hardship: f32,
    pub worker_assistance: f32,
    /// Share of residents who fall ill / start believing a rumour this tick.
    pub epidemic_seed: f32,
    pub rumour_seed: f32,
}

impl Effects {
    pub const NEUTRAL: Effects = Effects {
        rate_mult: [1.0; 8],
        hardship_push: 0.0,
        trust_push: 0.0,
        capacity_mult: 1.0,
        worker_share: 0.0,
        worker_hardship: 0.0,
        worker_assistance: 1.0,
        epidemic_seed: 0.0,
        rumour_seed: 0.0,
    };
}

/// The disease process this tick (present from the epidemic's start to the run's end).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpidemicNow {
    /// Per-contact daily transmission probability after quarantine.
    pub transmission: f32,
    pub p_onset: f32,
    pub p_recover: f32,
    /// Extra daily issue probabilities of an infectious resident, by category.
    pub sick_rates: [f32; 8],
    pub staff_sickness: f32,
}

/// One day of the disease for one person (the SEIR rule of [`Epidemic`], shared by the
/// engine and the validation models): `infectious_weight` is the summed weight of
/// infectious contacts, `u` a uniform draw in [0,1).
#[inline]
pub fn next_health(state: u8, infectious_weight: f32, ep: &EpidemicNow, u: f32) -> u8 {
    use super::residents::{EXPOSED, INFECTED, RECOVERED, SUSCEPTIBLE};
    match state {
        SUSCEPTIBLE if infectious_weight > 0.0 => {
            let p = 1.0 - (1.0 - ep.transmission).powf(infectious_weight);
            if u < p { EXPOSED } else { SUSCEPTIBLE }
        }
        EXPOSED if u < ep.p_onset => INFECTED,
        INFECTED if u < ep.p_recover => RECOVERED,
        s => s,
    }
}

/// The rumour process this tick (present from the rumour's start to the run's end).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RumourNow {
    /// Daily chance per believing weak tie, after damping (0 after the window).
    pub spread: f32,
    pub trust_loss: f32,
    pub p_debunk: f32,
}

/// All shock effects in one tick.
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

/// A shock prepared for a territory: its spec plus the communities and counties it hits.
pub struct ActiveShock {
    pub shock: Shock,
    pub hits: Vec<bool>,
    pub county_hits: Vec<bool>,
}

impl ActiveShock {
    pub fn new(shock: Shock, territory: &Territory) -> ActiveShock {
        let hits = shock.target().communities(territory);
        let mut county_hits = vec![false; territory.counties.len()];
        for (c, &h) in hits.iter().enumerate() {
            if h {
                county_hits[territory.communities[c].county as usize] = true;
            }
        }
        ActiveShock {
            shock,
            hits,
            county_hits,
        }
    }

    /// Add this shock's effect at `tick` to `p`. `county_infectious` is each county's
    /// share of infectious residents last tick (for sick staff).
    pub fn apply(
        &self,
        tick: u32,
        p: &mut Pressures,
        mech: &Mechanisms,
        county_infectious: &[f32],
    ) {
        let (start, end) = self.shock.window();
        let in_window = tick >= start && tick < end;
        let each_hit = |p: &mut Pressures, f: &mut dyn FnMut(&mut Effects)| {
            for (c, e) in p.effects.iter_mut().enumerate() {
                if self.hits[c] {
                    f(e);
                }
            }
        };
        match &self.shock {
            Shock::Flood(f) => {
                if !in_window {
                    return;
                }
                let s =
                    (f.intensity * (1.0 - (tick - start) as f64 / f.duration.max(1) as f64)) as f32;
                each_hit(p, &mut |e| {
                    e.rate_mult[Category::Emergency as usize] *= 1.0 + s * f.emergency_surge as f32;
                    e.rate_mult[Category::PublicFacility as usize] *=
                        1.0 + s * f.facility_surge as f32;
                    e.rate_mult[Category::SocialAssistance as usize] *=
                        1.0 + s * f.assistance_surge as f32;
                    e.hardship_push += s * f.hardship_per_day as f32;
                    e.capacity_mult *= 1.0 - s * f.capacity_loss as f32;
                });
                for (k, &hit) in self.county_hits.iter().enumerate() {
                    if hit {
                        p.county_capacity[k] *= 1.0 - 0.5 * s * f.capacity_loss as f32;
                    }
                }
            }
            Shock::Epidemic(e) => {
                if tick < start {
                    return;
                }
                if tick == start {
                    let seed = e.seed_share as f32;
                    each_hit(p, &mut |x| x.epidemic_seed += seed);
                }
                let quarantine = if in_window { e.quarantine } else { 0.0 };
                let mut sick_rates = [0.0f32; 8];
                sick_rates[Category::Emergency as usize] = e.health_issue_rate as f32;
                sick_rates[Category::SocialAssistance as usize] = e.supply_issue_rate as f32;
                p.epidemic = Some(EpidemicNow {
                    transmission: (e.transmission * e.intensity * (1.0 - quarantine)) as f32,
                    p_onset: (1.0 / e.incubation_days.max(1.0)) as f32,
                    p_recover: (1.0 / e.infectious_days.max(1.0)) as f32,
                    sick_rates,
                    staff_sickness: e.staff_sickness as f32,
                });
                for (k, c) in p.county_capacity.iter_mut().enumerate() {
                    *c *= 1.0
                        - e.staff_sickness as f32
                            * county_infectious.get(k).copied().unwrap_or(0.0);
                }
                let mean: f32 =
                    county_infectious.iter().sum::<f32>() / county_infectious.len().max(1) as f32;
                p.city_capacity *= 1.0 - e.staff_sickness as f32 * mean;
            }
            Shock::Closure(c) => {
                if !in_window {
                    return;
                }
                let share = (c.intensity * c.worker_share) as f32;
                each_hit(p, &mut |e| {
                    e.worker_share += share;
                    e.worker_hardship += c.hardship_per_day as f32;
                    e.worker_assistance *= 1.0 + c.assistance_surge as f32;
                });
            }
            Shock::LandDispute(l) => {
                if !in_window {
                    return;
                }
                let s = l.intensity as f32;
                each_hit(p, &mut |e| {
                    e.hardship_push += s * l.hardship_per_day as f32;
                    e.trust_push -= s * l.trust_loss_per_day as f32;
                    e.rate_mult[Category::NeighbourDispute as usize] *=
                        1.0 + s * l.dispute_surge as f32;
                });
            }
            Shock::Rumour(r) => {
                if tick < start {
                    return;
                }
                if tick == start {
                    let seed = r.seed_share as f32;
                    each_hit(p, &mut |e| e.rumour_seed += seed);
                }
                let info = mech.information_sharing;
                let spread = if in_window {
                    r.spread * r.intensity * (1.0 - r.damping * info)
                } else {
                    0.0
                };
                p.rumour = Some(RumourNow {
                    spread: spread.max(0.0) as f32,
                    trust_loss: (r.trust_loss_per_day * r.intensity) as f32,
                    p_debunk: (0.02 + r.debunk_rate * info).min(1.0) as f32,
                });
            }
            Shock::FiscalCut(f) => {
                if !in_window {
                    return;
                }
                let staff = 1.0 - (f.intensity * f.staff_cut) as f32;
                let budget = 1.0 - (f.intensity * f.budget_cut) as f32;
                each_hit(p, &mut |e| e.capacity_mult *= staff);
                for (k, &hit) in self.county_hits.iter().enumerate() {
                    if hit {
                        p.county_capacity[k] *= staff;
                        p.county_budget[k] *= budget;
                    }
                }
                if f.target.counties.is_empty() {
                    p.city_capacity *= staff;
                    p.city_budget *= budget;
                }
            }
        }
    }
}
