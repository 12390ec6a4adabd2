//! The epidemic: SEIR over the tie graph, and the government's answer to it. Infectious
//! residents are detected (coming forward, through the platform, by grid workers),
//! isolated and their contacts traced as far as the county's health and grid staff can
//! handle the cases; residents at home raise supply, health and assistance requests and
//! lose income; residents keep their distance as far as they perceive the risk and trust
//! what they are told. The sick raise health and supply issues; sick staff cut office
//! capacity; a lockdown (quarantine) thins every tie for a window and costs income.

use super::Allowed::{NonNegative, Share};
use super::{Allowed, DAYS, Kind, Now, Pressures, Target};
use crate::model::issues::Category;
use serde::{Deserialize, Serialize};

defaults! {
    d_seed_share = 0.002;
    d_transmission = 0.04;
    d_incubation = 3.0;
    d_infectious = 7.0;
    d_quarantine = 0.5;
    d_staff_sickness = 1.0;
    d_health_issue = 0.03;
    d_supply_issue = 0.01;
    d_detect_self = 0.05;
    d_detect_platform = 0.2;
    d_detect_grid = 10.0;
    d_isolation_effect = 0.8;
    d_case_hours = 3.0;
    d_grid_case_share = 0.5;
    d_trace_rate = 0.6;
    d_trace_link_weight = 0.5;
    d_quarantine_days = 10.0;
    d_home_hardship = 0.003;
    d_home_supply = 0.05;
    d_home_assistance = 0.01;
    d_distancing_max = 0.5;
    d_risk_sensitivity = 20.0;
    d_hearsay = 0.25;
    d_lockdown_hardship = 0.002;
    d_lockdown_requests = 0.5;
    d_import_rate = 0.00002;
}

/// An epidemic: SEIR over the tie graph, with detection, isolation, tracing, supplies to
/// people at home and voluntary distancing.
///
/// At `start`, `seed_share` of the residents in the target fall ill, and from then on
/// `import_rate` of them a day (infections brought in from outside the city, so that a
/// lockdown can suppress the disease but not end it for good). Each day a
/// susceptible resident is infected with probability `1 − (1 − β)^W`, W the summed
/// weight of its infectious ties (1 for a strong tie, the weak-tie weight for a weak
/// one; × `1 − isolation_effect` for a tie at home), × `1 − isolation_effect` when the
/// resident is at home itself, × `1 − distancing`; β = `transmission · intensity`
/// (× `1 − quarantine` during the window). Exposed residents turn infectious after
/// `incubation_days` and recover after `infectious_days` on average (geometric). The
/// disease and the answer to it run from `start` to the end of the run; the lockdown
/// (`quarantine`) only in the window `[start, start+duration)`.
///
/// - Detection: an infectious resident not at home is detected each day with chance
///   `1 − (1 − detect_self·trust)(1 − detect_platform·information_sharing·digital·channel)
///   (1 − min(1, detect_grid·visits·link))`: it comes forward as far as it trusts the
///   government, the platform's health data reach the grid as far as information is
///   shared, and grid workers find it as far as their outreach visits its household
///   (`visits`, paid from the grid's hours) and it is linked to them.
/// - Isolation: a detected case is isolated at home with the chance its county's case
///   work allows (`min(1, hours / (detected × case_hours))`, hours being the county
///   health department's capacity and `grid_case_share` of its grid offices'
///   yesterday); the isolation of each case costs `case_hours` of those hours.
/// - Tracing: each tie of a case isolated yesterday is quarantined at home with chance
///   `trace_rate × ((1 − trace_link_weight)·information_sharing + trace_link_weight·link)
///   × (the county's isolation chance)`, and comes out after `quarantine_days` on average
///   (an isolated case when it recovers).
/// - At home: ties carry infection to and from the resident at `1 − isolation_effect`;
///   it loses `home_hardship` of income a day and raises supply (routine: delivered by
///   the grid and volunteers) and assistance requests at `home_supply_rate` and
///   `home_assistance_rate` a day; unmet requests expire and add hardship.
/// - Distancing: a resident cuts its contact by `distancing_max × min(1,
///   risk_sensitivity × (trust·information_sharing·known + hearsay·prevalence))`, known
///   the share of its county's residents isolated as cases yesterday (published as far
///   as information is shared, believed as far as trusted) and prevalence its county's
///   share infectious (heard informally).
/// - Lockdown: during the window every resident loses `lockdown_hardship × quarantine`
///   of income a day and raises routine (supply), assistance and health requests at
///   `1 + lockdown_requests × quarantine` times the usual rate.
///
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
    /// Daily chance of detection of an infectious resident: coming forward at trust 1,
    /// through the platform at full information sharing, digital access and channel.
    #[serde(default = "d_detect_self")]
    pub detect_self: f64,
    #[serde(default = "d_detect_platform")]
    pub detect_platform: f64,
    /// Grid detection per unit of the grid's visit chance and of link strength.
    #[serde(default = "d_detect_grid")]
    pub detect_grid: f64,
    /// Share of a resident's contact cut while it is at home (isolated or quarantined).
    #[serde(default = "d_isolation_effect")]
    pub isolation_effect: f64,
    /// Staff-hours to isolate one case and trace its contacts.
    #[serde(default = "d_case_hours")]
    pub case_hours: f64,
    /// Share of a grid office's hours it can give to case work.
    #[serde(default = "d_grid_case_share")]
    pub grid_case_share: f64,
    /// Chance a tie of an isolated case is traced, at full information sharing and link.
    #[serde(default = "d_trace_rate")]
    pub trace_rate: f64,
    /// Weight of the contact's link strength (grid workers know the neighbours) against
    /// information sharing (the platform's data) in tracing.
    #[serde(default = "d_trace_link_weight")]
    pub trace_link_weight: f64,
    /// Mean days a traced contact stays at home.
    #[serde(default = "d_quarantine_days")]
    pub quarantine_days: f64,
    /// Daily hardship of a resident at home (income lost).
    #[serde(default = "d_home_hardship")]
    pub home_hardship: f64,
    /// Daily chance a resident at home raises a supply request, and an assistance one.
    #[serde(default = "d_home_supply")]
    pub home_supply_rate: f64,
    #[serde(default = "d_home_assistance")]
    pub home_assistance_rate: f64,
    /// The most a resident cuts its contact by keeping its distance.
    #[serde(default = "d_distancing_max")]
    pub distancing_max: f64,
    /// Perceived risk per unit of the share known (or heard) infectious.
    #[serde(default = "d_risk_sensitivity")]
    pub risk_sensitivity: f64,
    /// Weight of the county's true share infectious heard informally.
    #[serde(default = "d_hearsay")]
    pub hearsay: f64,
    /// Daily hardship of everyone at full lockdown (× `quarantine`), in the window.
    #[serde(default = "d_lockdown_hardship")]
    pub lockdown_hardship: f64,
    /// Rise of routine, assistance and health request rates at full lockdown.
    #[serde(default = "d_lockdown_requests")]
    pub lockdown_requests: f64,
    /// Daily share of the target's residents infected from outside, after `start`.
    #[serde(default = "d_import_rate")]
    pub import_rate: f64,
}

impl Kind for Epidemic {
    const NAME: &'static str = "epidemic";
    const ONE_PER_SCENARIO: Option<&'static str> = Some("one disease state per resident");

    fn fields(&self) -> Vec<(&'static str, f64, Allowed)> {
        vec![
            ("seed_share", self.seed_share, Share),
            ("transmission", self.transmission, Share),
            ("quarantine", self.quarantine, Share),
            ("staff_sickness", self.staff_sickness, Share),
            ("health_issue_rate", self.health_issue_rate, Share),
            ("supply_issue_rate", self.supply_issue_rate, Share),
            ("incubation_days", self.incubation_days, DAYS),
            ("infectious_days", self.infectious_days, DAYS),
            ("detect_self", self.detect_self, Share),
            ("detect_platform", self.detect_platform, Share),
            ("detect_grid", self.detect_grid, NonNegative),
            ("isolation_effect", self.isolation_effect, Share),
            ("case_hours", self.case_hours, Allowed::Range(0.1, 1000.0)),
            ("grid_case_share", self.grid_case_share, Share),
            ("trace_rate", self.trace_rate, Share),
            ("trace_link_weight", self.trace_link_weight, Share),
            ("quarantine_days", self.quarantine_days, DAYS),
            ("home_hardship", self.home_hardship, Share),
            ("home_supply_rate", self.home_supply_rate, Share),
            ("home_assistance_rate", self.home_assistance_rate, Share),
            ("distancing_max", self.distancing_max, Share),
            ("risk_sensitivity", self.risk_sensitivity, NonNegative),
            ("hearsay", self.hearsay, Share),
            ("lockdown_hardship", self.lockdown_hardship, Share),
            ("lockdown_requests", self.lockdown_requests, NonNegative),
            ("import_rate", self.import_rate, Share),
        ]
    }

    /// From `start` to the end of the run (not only the window): seed on the first day,
    /// set the disease process and its control (the lockdown and its costs during the
    /// window) and cut county and city capacity by last tick's share of sick staff.
    fn apply(&self, now: &Now, p: &mut Pressures) {
        if now.tick < self.start {
            return;
        }
        let seed = if now.tick == self.start {
            self.seed_share + self.import_rate
        } else {
            self.import_rate
        } as f32;
        if seed > 0.0 {
            now.each_hit(p, |x| x.epidemic_seed += seed);
        }
        let quarantine = if now.in_window { self.quarantine } else { 0.0 };
        if quarantine > 0.0 {
            // The lockdown thins every tie of the city, so all pay for it.
            let push = (self.lockdown_hardship * quarantine) as f32;
            let mult = (1.0 + self.lockdown_requests * quarantine) as f32;
            for e in p.effects.iter_mut() {
                e.hardship_push += push;
                for c in [
                    Category::Routine,
                    Category::SocialAssistance,
                    Category::Emergency,
                ] {
                    e.rate_mult[c as usize] *= mult;
                }
            }
        }
        let mut sick_rates = [0.0f32; 8];
        sick_rates[Category::Emergency as usize] = self.health_issue_rate as f32;
        sick_rates[Category::SocialAssistance as usize] = self.supply_issue_rate as f32;
        let mut home_rates = [0.0f32; 8];
        home_rates[Category::Routine as usize] = self.home_supply_rate as f32;
        home_rates[Category::SocialAssistance as usize] = self.home_assistance_rate as f32;
        p.epidemic = Some(EpidemicNow {
            transmission: (self.transmission * self.intensity * (1.0 - quarantine)) as f32,
            p_onset: (1.0 / self.incubation_days.max(1.0)) as f32,
            p_recover: (1.0 / self.infectious_days.max(1.0)) as f32,
            sick_rates,
            staff_sickness: self.staff_sickness as f32,
            control: Control {
                detect_self: self.detect_self as f32,
                detect_platform: self.detect_platform as f32,
                detect_grid: self.detect_grid as f32,
                isolation_effect: self.isolation_effect as f32,
                case_hours: self.case_hours,
                grid_case_share: self.grid_case_share,
                trace_rate: self.trace_rate as f32,
                trace_link_weight: self.trace_link_weight as f32,
                p_release: (1.0 / self.quarantine_days.max(1.0)) as f32,
                home_hardship: self.home_hardship as f32,
                home_rates,
                distancing_max: self.distancing_max as f32,
                risk_sensitivity: self.risk_sensitivity as f32,
                hearsay: self.hearsay as f32,
                ..Control::NONE
            },
        });
        let sick = now.county_infectious;
        for (k, c) in p.county_capacity.iter_mut().enumerate() {
            *c *= 1.0 - self.staff_sickness as f32 * sick.get(k).copied().unwrap_or(0.0);
        }
        let mean: f32 = sick.iter().sum::<f32>() / sick.len().max(1) as f32;
        p.city_capacity *= 1.0 - self.staff_sickness as f32 * mean;
    }
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
    /// Detection, isolation, tracing, life at home and distancing.
    pub control: Control,
}

/// The answer to the epidemic as a resident meets it today (the fields of [`Epidemic`]
/// as the rules compute in, and three figures of the resident's county the engine sets:
/// [`EpidemicNow::in_county`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Control {
    pub detect_self: f32,
    pub detect_platform: f32,
    pub detect_grid: f32,
    pub isolation_effect: f32,
    pub case_hours: f64,
    pub grid_case_share: f64,
    pub trace_rate: f32,
    pub trace_link_weight: f32,
    /// Daily chance a quarantined contact comes out (1 / `quarantine_days`).
    pub p_release: f32,
    pub home_hardship: f32,
    /// Extra daily issue probabilities of a resident at home, by category.
    pub home_rates: [f32; 8],
    pub distancing_max: f32,
    pub risk_sensitivity: f32,
    pub hearsay: f32,
    /// The county's: chance a detected case can be isolated today; share of residents
    /// isolated as cases yesterday; share infectious yesterday.
    pub isolation: f32,
    pub known: f32,
    pub prevalence: f32,
}

impl Control {
    /// No detection, isolation, tracing or distancing: the bare SEIR.
    pub const NONE: Control = Control {
        detect_self: 0.0,
        detect_platform: 0.0,
        detect_grid: 0.0,
        isolation_effect: 0.0,
        case_hours: 0.0,
        grid_case_share: 0.0,
        trace_rate: 0.0,
        trace_link_weight: 0.0,
        p_release: 1.0,
        home_hardship: 0.0,
        home_rates: [0.0; 8],
        distancing_max: 0.0,
        risk_sensitivity: 0.0,
        hearsay: 0.0,
        isolation: 1.0,
        known: 0.0,
        prevalence: 0.0,
    };
}

impl EpidemicNow {
    /// The same day as met in one county: the chance a detected case can be isolated,
    /// the share of residents isolated as cases and the share infectious (yesterday's).
    pub fn in_county(self, isolation: f32, known: f32, prevalence: f32) -> EpidemicNow {
        EpidemicNow {
            control: Control {
                isolation,
                known,
                prevalence,
                ..self.control
            },
            ..self
        }
    }
}

/// The daily chance an infectious resident not at home is detected ([`Epidemic`]):
/// coming forward (trust), the platform (information sharing × digital access × the
/// community's channel) and the grid (its visit chance × link strength).
#[inline]
pub fn detect_chance(
    c: &Control,
    trust: f32,
    digital: f32,
    channel: f32,
    info: f32,
    visits: f32,
    link: f32,
) -> f32 {
    let own = c.detect_self * trust;
    let platform = c.detect_platform * info * digital * channel;
    let grid = (c.detect_grid * visits * link).min(1.0);
    1.0 - (1.0 - own) * (1.0 - platform) * (1.0 - grid)
}

/// The chance a resident with `new_cases` ties isolated yesterday is traced today.
#[inline]
pub fn trace_chance(c: &Control, link: f32, info: f32, new_cases: u32) -> f32 {
    let w = c.trace_link_weight;
    let p = (c.trace_rate * ((1.0 - w) * info + w * link) * c.isolation).clamp(0.0, 1.0);
    1.0 - (1.0 - p).powi(new_cases as i32)
}

/// The share of its contact a resident cuts by keeping its distance: `distancing_max ×
/// min(1, risk_sensitivity × (trust·info·known + hearsay·prevalence))`.
#[inline]
pub fn distancing(c: &Control, trust: f32, info: f32) -> f32 {
    let seen = trust * info * c.known + c.hearsay * c.prevalence;
    c.distancing_max * (c.risk_sensitivity * seen).min(1.0)
}

/// A county's case work in one day ([`case_work`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CaseWork {
    /// Staff-hours paid for today's isolations out of today's pool.
    pub paid: f64,
    /// Staff-hours of today's isolations the pool could not pay: owed from tomorrow's.
    pub owed: f64,
    /// The chance a detected case can be isolated tomorrow.
    pub isolation: f32,
}

/// A county's case work: `pool` staff-hours its health department and grid offices can
/// give today, `isolated` cases isolated and `detected` detected today, each isolation
/// costing `case_hours`. Every isolation is paid: from today's pool as far as it goes,
/// the rest owed from tomorrow's hours (no case is isolated for free). A detected case can
/// be isolated tomorrow with chance `min(1, pool / (detected × case_hours))`: when the
/// staff are short, fewer cases are isolated.
pub fn case_work(pool: f64, isolated: u64, detected: u64, case_hours: f64) -> CaseWork {
    let pool = pool.max(0.0);
    let wanted = detected as f64 * case_hours;
    let cost = isolated as f64 * case_hours;
    CaseWork {
        paid: cost.min(pool),
        owed: (cost - pool).max(0.0),
        isolation: if wanted > 0.0 {
            (pool / wanted).min(1.0) as f32
        } else {
            1.0
        },
    }
}

/// Share of a county's `residents` infectious, `infected` of them (0 for none): what
/// tomorrow's sick staff follow (`county_infectious` of a [`super::Now`]).
pub fn infectious_share(infected: u64, residents: u64) -> f32 {
    infected as f32 / residents.max(1) as f32
}

/// One day of the disease for one person (the SEIR rule of [`Epidemic`], shared by the
/// engine and the validation models): `infectious_weight` is the summed weight of
/// infectious contacts, `u` a uniform draw from 0 (inclusive) to 1 (exclusive).
#[inline]
pub fn next_health(state: u8, infectious_weight: f32, ep: &EpidemicNow, u: f32) -> u8 {
    use crate::model::residents::{EXPOSED, INFECTED, RECOVERED, SUSCEPTIBLE};
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_work_pays_what_the_staff_can_and_isolates_less_when_short() {
        let c = case_work(30.0, 5, 10, 3.0);
        assert_eq!(c.paid, 15.0);
        assert_eq!(c.isolation, 1.0);
        let short = case_work(15.0, 10, 10, 3.0);
        assert_eq!(short.paid, 15.0);
        assert_eq!(
            short.owed, 15.0,
            "what the pool cannot pay is owed, not free"
        );
        assert_eq!(short.isolation, 0.5);
        assert_eq!(c.owed, 0.0);
        assert_eq!(case_work(0.0, 0, 0, 3.0).isolation, 1.0);
    }

    #[test]
    fn detection_rises_with_trust_sharing_and_visits_and_distancing_with_risk() {
        let c = Control {
            detect_self: 0.05,
            detect_platform: 0.2,
            detect_grid: 10.0,
            distancing_max: 0.5,
            risk_sensitivity: 20.0,
            hearsay: 0.25,
            ..Control::NONE
        };
        let base = detect_chance(&c, 0.5, 0.8, 1.0, 0.5, 0.01, 0.5);
        assert!(detect_chance(&c, 0.9, 0.8, 1.0, 0.5, 0.01, 0.5) > base);
        assert!(detect_chance(&c, 0.5, 0.8, 1.0, 0.9, 0.01, 0.5) > base);
        assert!(detect_chance(&c, 0.5, 0.8, 1.0, 0.5, 0.03, 0.5) > base);
        assert_eq!(
            detect_chance(&Control::NONE, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
            0.0
        );
        assert_eq!(distancing(&c, 0.8, 0.8), 0.0);
        let risky = Control { known: 0.01, ..c };
        let d = distancing(&risky, 0.8, 0.8);
        assert!(d > 0.0 && d < distancing(&risky, 0.8, 0.9) && d <= 0.5);
        let traced = trace_chance(
            &Control {
                trace_rate: 0.6,
                trace_link_weight: 0.5,
                ..c
            },
            0.5,
            0.8,
            2,
        );
        assert!(traced > 0.0 && traced < 1.0);
    }

    #[test]
    fn the_infectious_share_is_of_the_county_and_zero_when_empty() {
        assert_eq!(infectious_share(5, 20), 0.25);
        assert_eq!(infectious_share(0, 0), 0.0);
    }
}
