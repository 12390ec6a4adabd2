//! Collective action (群体性事件), after Epstein (2002) Model I adapted to the network
//! (MODEL.md §7): grievance `G = H(1−L)`; estimated risk `P = 1 − exp(−k·⌊C/(A+1)⌋)`,
//! with `C` the mediators present in the resident's grid and `A` the active protesters
//! among the resident's ties (the resident's "view", so protest spills over weak ties
//! into other communities: 交叠共振), raised to at least the risk policing shows;
//! an adult is active when `G − R·P − cost − fatigue > T_i`, with `T_i` its own
//! threshold (heterogeneous propensity, drawn once), `cost` what a day on the street
//! costs it (income, time) and `fatigue` what its days on the street have worn out.
//! Mediation (矛盾调处) takes the place of arrest: a mediated resident stays quiet for a
//! while.
//!
//! An incident is an event (issue 13): it starts in a community when `incident_min`
//! residents protest there and ends when fewer do; it has a place, a cause, a start and
//! an end, a peak size and a police band (5–30, 30–300, 300–1,000, over 1,000 people),
//! and the responses it got each day ([`respond`]) with their cost.

use crate::model::mechanisms::Mechanisms;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectiveSpec {
    /// Epstein's k (2.3 makes P ≈ 0.9 when C/(A+1) = 1).
    pub k: f64,
    /// Epstein's threshold T: the least threshold of any resident.
    pub threshold: f64,
    /// Days a mediated resident stays quiet (Epstein's jail term).
    pub mediation_days: u8,
    /// Hardship relief of a mediation.
    pub mediation_relief: f64,
    /// Mediators present in a grid per staff-equivalent of grid, community-mediation and
    /// organisation capacity serving it (turns staffing into Epstein's `C`).
    pub presence_scale: f64,
    /// Grievance `H(1−L)` above which a resident whose issue ended unsolved may take it
    /// over the city's head (越级上访 to the province: the contradiction leaves the city,
    /// 不外溢 fails, seed 003).
    #[serde(default = "d::petition_threshold")]
    pub petition_threshold: f64,
    /// Chance that such a resident petitions, per unsolved issue.
    #[serde(default = "d::petition_rate")]
    pub petition_rate: f64,
    /// Spread of residents' thresholds: a resident's is `threshold + spread × e`, `e`
    /// exponential with mean 1, drawn once (heterogeneous propensity).
    #[serde(default = "d::threshold_spread")]
    pub threshold_spread: f64,
    /// What a day of protest costs the protester (income and time), in grievance units:
    /// subtracted in the decision and summed as `protest_cost`.
    #[serde(default = "d::protest_cost")]
    pub protest_cost: f64,
    /// Fatigue a day of protest adds (fatigue is subtracted in the decision, at most 1).
    #[serde(default = "d::fatigue_per_day")]
    pub fatigue_per_day: f64,
    /// Share of fatigue kept each day off the street.
    #[serde(default = "d::fatigue_keep")]
    pub fatigue_keep: f64,
    /// Protesters in a community that make an incident (police bands start at 5).
    #[serde(default = "d::incident_min")]
    pub incident_min: u32,
    /// Incidents up to this size are tolerated (the smallest police band).
    #[serde(default = "d::tolerate_size")]
    pub tolerate_size: u32,
    /// Days before the government answers an incident, at no vertical linkage (times
    /// `1 − vertical`).
    #[serde(default = "d::answer_days")]
    pub answer_days: f64,
    /// Days a distant centre adds, at full central routing (times `central_routing`).
    #[serde(default = "d::centre_days")]
    pub centre_days: f64,
    /// `horizontal × social` at or above which the township mediates jointly (矛盾调处:
    /// departments, organisations and residents' councils at one table).
    #[serde(default = "d::joint_min")]
    pub joint_min: f64,
    /// Staff-hours of one joint mediation of one protester.
    #[serde(default = "d::mediation_hours")]
    pub mediation_hours: f64,
    /// Share of the township office's daily staff-hours a joint mediation may take.
    #[serde(default = "d::mediation_share")]
    pub mediation_share: f64,
    /// Trust a joint mediation restores to the mediated.
    #[serde(default = "d::mediation_trust")]
    pub mediation_trust: f64,
    /// Pooling at or above which the city pays a concession (统筹 of budget).
    #[serde(default = "d::concede_min")]
    pub concede_min: f64,
    /// Budget units of a concession per protester (compensation).
    #[serde(default = "d::concession_per_protester")]
    pub concession_per_protester: f64,
    /// Daily hardship relief of a concession's community, for `concession_days`.
    #[serde(default = "d::concession_relief")]
    pub concession_relief: f64,
    /// Days a concession relieves hardship, and invites further demands.
    #[serde(default = "d::concession_days")]
    pub concession_days: u32,
    /// Threshold lowered in a concession's township while it invites demands
    /// (others see that protest pays).
    #[serde(default = "d::concession_invites")]
    pub concession_invites: f64,
    /// Days after the government's answer before a regime without joint mediation or
    /// concessions polices (silos tolerate, then police: 维稳).
    #[serde(default = "d::police_after_days")]
    pub police_after_days: f64,
    /// Risk of policing as protesters see it (a floor on Epstein's P).
    #[serde(default = "d::police_risk")]
    pub police_risk: f64,
    /// Staff-hours of policing per protester per day.
    #[serde(default = "d::police_hours")]
    pub police_hours: f64,
    /// Trust the policed community loses per day (backlash).
    #[serde(default = "d::police_backlash")]
    pub police_backlash: f64,
    /// Protesters at or above which an incident is escalated to the leading group.
    #[serde(default = "d::escalate_size")]
    pub escalate_size: u32,
    /// Vertical linkage at or above which an incident is escalated.
    #[serde(default = "d::escalate_min")]
    pub escalate_min: f64,
    /// Staff-hours of the leading group (city centre) per escalated incident per day.
    #[serde(default = "d::escalate_hours")]
    pub escalate_hours: f64,
    /// Days after a shock's end its targets' incidents are still caused by it.
    #[serde(default = "d::cause_days")]
    pub cause_days: u32,
    /// Share of an incident's protesters who petition the province (越级上访) on a day
    /// their incident is left unanswered past the answer lag or policed: the contradiction
    /// leaves the city (不外溢 fails).
    #[serde(default = "d::incident_petitions")]
    pub incident_petitions: f64,
    /// Threshold lowered per share of one's ties protesting (交叠共振: protest draws in
    /// the neighbours and, over weak ties, other communities).
    #[serde(default = "d::tie_pull")]
    pub tie_pull: f64,
    /// Days in a row under `incident_min` that end an incident (a lull of fewer days
    /// does not split it in two).
    #[serde(default = "d::incident_quiet_days")]
    pub incident_quiet_days: u32,
}

/// The defaults of the fields an older file may leave out.
mod d {
    pub fn petition_threshold() -> f64 {
        0.1
    }
    pub fn petition_rate() -> f64 {
        0.03
    }
    pub fn threshold_spread() -> f64 {
        0.3
    }
    pub fn protest_cost() -> f64 {
        0.05
    }
    pub fn fatigue_per_day() -> f64 {
        0.02
    }
    pub fn fatigue_keep() -> f64 {
        0.95
    }
    pub fn incident_min() -> u32 {
        5
    }
    pub fn tolerate_size() -> u32 {
        30
    }
    pub fn answer_days() -> f64 {
        10.0
    }
    pub fn centre_days() -> f64 {
        10.0
    }
    pub fn joint_min() -> f64 {
        0.3
    }
    pub fn mediation_hours() -> f64 {
        1.0
    }
    pub fn mediation_share() -> f64 {
        0.3
    }
    pub fn mediation_trust() -> f64 {
        0.1
    }
    pub fn concede_min() -> f64 {
        0.6
    }
    pub fn concession_per_protester() -> f64 {
        1.0
    }
    pub fn concession_relief() -> f64 {
        0.02
    }
    pub fn concession_days() -> u32 {
        30
    }
    pub fn concession_invites() -> f64 {
        0.05
    }
    pub fn police_after_days() -> f64 {
        7.0
    }
    pub fn police_risk() -> f64 {
        0.5
    }
    pub fn police_hours() -> f64 {
        0.5
    }
    pub fn police_backlash() -> f64 {
        0.005
    }
    pub fn escalate_size() -> u32 {
        300
    }
    pub fn escalate_min() -> f64 {
        0.5
    }
    pub fn escalate_hours() -> f64 {
        8.0
    }
    pub fn cause_days() -> u32 {
        60
    }
    pub fn incident_petitions() -> f64 {
        0.01
    }
    pub fn tie_pull() -> f64 {
        0.1
    }
    pub fn incident_quiet_days() -> u32 {
        3
    }
}

/// Chance that a resident whose issue ended unsolved, with `grievance` after feeling it,
/// petitions over the city's head.
pub fn petition_chance(spec: &CollectiveSpec, grievance: f32) -> f64 {
    if (grievance as f64) > spec.petition_threshold {
        spec.petition_rate
    } else {
        0.0
    }
}

/// Whether a community's `protesters` today make an incident: an incident is defined by
/// people, so it starts when at least `incident_min` protest (the police bands count
/// from 5 at any city size); it ends after `incident_quiet_days` days in a row without.
pub fn incident_after(spec: &CollectiveSpec, protesters: u32) -> bool {
    protesters >= spec.incident_min.max(1)
}

/// The police bands of an incident's size: 5–30, 30–300, 300–1,000, over 1,000.
pub const BANDS: [&str; 4] = ["5-30", "30-300", "300-1000", "over-1000"];

/// The band (index into [`BANDS`]) of an incident of `peak` protesters.
pub fn band(peak: u32) -> usize {
    match peak {
        0..30 => 0,
        30..300 => 1,
        300..1000 => 2,
        _ => 3,
    }
}

/// A resident's own threshold: `threshold + spread × e`, from a uniform draw `u` in
/// [0, 1) made once for its life (`e = −ln(1 − u)`, exponential with mean 1).
#[inline]
pub fn own_threshold(spec: &CollectiveSpec, u: f64) -> f32 {
    (spec.threshold + spec.threshold_spread * -(1.0 - u).max(1e-12).ln()) as f32
}

/// Fatigue after a day: up by `fatigue_per_day` on the street, else kept at
/// `fatigue_keep` (it decays when quiet); in [0, 1].
#[inline]
pub fn fatigue_after(spec: &CollectiveSpec, fatigue: f32, protesting: bool) -> f32 {
    if protesting {
        (fatigue + spec.fatigue_per_day as f32).min(1.0)
    } else {
        fatigue * spec.fatigue_keep as f32
    }
}

/// A government's answer to an incident on one day (the repertoire, issue 13).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Response {
    /// Tolerate and wait.
    Tolerate = 0,
    /// Joint mediation (矛盾调处) at the township's table.
    Mediate = 1,
    /// Address the cause with budget (compensation).
    Concede = 2,
    /// Police (维稳): stability staff raise the risk protesters see.
    Police = 3,
    /// Refer to the leading group (a day of the city's attention, then its budget).
    Escalate = 4,
}

/// The responses, in the order of their columns.
pub const RESPONSES: [Response; 5] = [
    Response::Tolerate,
    Response::Mediate,
    Response::Concede,
    Response::Police,
    Response::Escalate,
];

impl Response {
    pub fn name(self) -> &'static str {
        match self {
            Response::Tolerate => "tolerate",
            Response::Mediate => "mediate",
            Response::Concede => "concede",
            Response::Police => "police",
            Response::Escalate => "escalate",
        }
    }
}

/// How much one's ties protesting lower one's threshold: `tie_pull` × the share of
/// one's `ties` protesting (0 without ties).
#[inline]
pub fn pull(spec: &CollectiveSpec, protesting: u32, ties: u32) -> f32 {
    if ties == 0 {
        0.0
    } else {
        spec.tie_pull as f32 * protesting as f32 / ties as f32
    }
}

/// What [`respond`] reads of an incident today.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Situation {
    /// Protesters in the community today.
    pub size: u32,
    /// Days since it started (0 on its first day).
    pub days: u32,
    /// Its cause is a shock (something the budget can address), not diffuse grievance.
    pub material: bool,
    /// Already referred to the leading group, and already conceded.
    pub escalated: bool,
    pub conceded: bool,
    /// The budget (the county's, or the city reserve once escalated) holds the
    /// concession.
    pub budget_holds: bool,
}

/// Days before the government answers an incident: `answer_days × (1 − vertical)` (a
/// four-level chain passes it up fast) plus `centre_days × central_routing` (a distant
/// centre answers late); none once the leading group has it.
pub fn answer_lag(spec: &CollectiveSpec, mech: &Mechanisms, escalated: bool) -> f64 {
    if escalated {
        0.0
    } else {
        spec.answer_days * (1.0 - mech.vertical) + spec.centre_days * mech.central_routing
    }
}

/// The day's answer to an incident, by these rules in order (no regime names: only its
/// mechanisms):
/// 1. up to `tolerate_size` protesters, or before the answer lag ([`answer_lag`]):
///    tolerate;
/// 2. at `escalate_size` or more, with vertical linkage of at least `escalate_min`, not
///    yet escalated: escalate to the leading group;
/// 3. a material cause, not yet conceded, the budget holding it, with pooling of at least
///    `concede_min` or the leading group in charge: concede;
/// 4. `horizontal × social` of at least `joint_min` (departments and organisations can
///    sit at one table): mediate;
/// 5. `police_after_days` after the answer lag: police;
/// 6. else tolerate.
pub fn respond(spec: &CollectiveSpec, mech: &Mechanisms, s: &Situation) -> Response {
    let lag = answer_lag(spec, mech, s.escalated);
    if s.size <= spec.tolerate_size || (s.days as f64) < lag {
        Response::Tolerate
    } else if !s.escalated && s.size >= spec.escalate_size && mech.vertical >= spec.escalate_min {
        Response::Escalate
    } else if s.material
        && !s.conceded
        && s.budget_holds
        && (mech.pooling >= spec.concede_min || s.escalated)
    {
        Response::Concede
    } else if mech.horizontal * mech.social >= spec.joint_min {
        Response::Mediate
    } else if s.days as f64 >= lag + spec.police_after_days {
        Response::Police
    } else {
        Response::Tolerate
    }
}

/// Protesters of an incident of `size` who petition the province today: a share
/// `incident_petitions` of them on a day it is policed, or tolerated past the answer lag
/// (`answered_late`); none while it waits for the lag or gets mediation or concession.
pub fn petitions_today(
    spec: &CollectiveSpec,
    answer: Response,
    answered_late: bool,
    size: u32,
) -> u32 {
    let pushed = match answer {
        Response::Police => true,
        Response::Tolerate => answered_late,
        _ => false,
    };
    if pushed {
        (spec.incident_petitions * size as f64).round() as u32
    } else {
        0
    }
}

/// Protesters a joint mediation reaches today: the hours the township may give it
/// (`mediation_share` of `township_hours`) over `mediation_hours` each, at most `size`.
pub fn mediated_today(spec: &CollectiveSpec, township_hours: f64, size: u32) -> u32 {
    let reach = spec.mediation_share * township_hours / spec.mediation_hours.max(1e-9);
    (reach.max(0.0).floor() as u32).min(size)
}

/// One incident, as written to `incidents.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct Incident {
    pub county: u32,
    pub township: u32,
    pub community: u32,
    /// The shock kind that drives it, or `grievance`.
    pub cause: &'static str,
    pub start: u32,
    /// The last day it lasted (`None` while it goes on).
    pub end: Option<u32>,
    pub peak: u32,
    /// Protesters summed over its days.
    pub protester_days: u64,
    /// Days of each response ([`RESPONSES`] order).
    pub responses: [u32; 5],
    /// Staff-hours and budget units its responses cost.
    pub staff_hours: f64,
    pub budget: f64,
    /// Its protesters who petitioned the province.
    pub petitions: u64,
    pub escalated: bool,
    pub conceded: bool,
}

impl Incident {
    /// A new incident of `size` protesters on day `start`.
    pub fn new(place: [u32; 3], cause: &'static str, start: u32, size: u32) -> Incident {
        Incident {
            county: place[0],
            township: place[1],
            community: place[2],
            cause,
            start,
            end: None,
            peak: size,
            protester_days: 0,
            responses: [0; 5],
            staff_hours: 0.0,
            budget: 0.0,
            petitions: 0,
            escalated: false,
            conceded: false,
        }
    }

    /// Days it lasted, up to `last` if it goes on.
    pub fn duration(&self, last: u32) -> u32 {
        self.end.unwrap_or(last) + 1 - self.start
    }

    /// The responses it got, named and joined by `+` (`tolerate` alone when nothing
    /// else).
    pub fn responses_used(&self) -> String {
        let used: Vec<&str> = RESPONSES
            .iter()
            .filter(|r| self.responses[**r as usize] > 0)
            .map(|r| r.name())
            .collect();
        used.join("+")
    }
}

/// What a resident weighs against its grievance today, besides Epstein's risk.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Restraint {
    /// The resident's own threshold ([`own_threshold`]), less what a concession nearby
    /// invites.
    pub threshold: f32,
    /// A day's cost of protest plus the resident's fatigue.
    pub burden: f32,
    /// The least risk protesters see (policing in the community), 0 without.
    pub police: f32,
}

/// Epstein's rule, adults only (the caller asks only for them). Returns whether the
/// resident turns (or stays) active: `G − R·P − burden > threshold`, with `P` at least
/// the policing risk.
#[inline]
pub fn turns_active(
    spec: &CollectiveSpec,
    hardship: f32,
    trust: f32,
    risk_aversion: f32,
    mediators: f32,
    active_in_view: u32,
    r: &Restraint,
) -> bool {
    let grievance = hardship * (1.0 - trust);
    // Cheap exit first: without any risk, the grievance must beat threshold and burden.
    if grievance - r.burden <= r.threshold {
        return false;
    }
    let seen = active_in_view as f32 + 1.0;
    // Fewer mediators than protesters in view (the common case) deter nothing: the
    // ratio floors to 0 and the risk is exactly 0, without calling floor or exp.
    let risk = if mediators < seen {
        0.0
    } else {
        1.0 - (-(spec.k as f32) * (mediators / seen).floor()).exp()
    };
    grievance - risk_aversion * risk.max(r.police) - r.burden > r.threshold
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> CollectiveSpec {
        crate::scenario::builtin::xcity_baseline().collective
    }

    fn plain(s: &CollectiveSpec) -> Restraint {
        Restraint {
            threshold: s.threshold as f32,
            burden: 0.0,
            police: 0.0,
        }
    }

    fn mech(name: &str) -> Mechanisms {
        Mechanisms::preset(name).unwrap()
    }

    #[test]
    fn an_incident_is_defined_by_people_and_banded_like_the_police() {
        let s = spec();
        assert!(!incident_after(&s, 4));
        assert!(incident_after(&s, 5));
        assert_eq!(band(5), 0);
        assert_eq!(band(29), 0);
        assert_eq!(band(30), 1);
        assert_eq!(band(999), 2);
        assert_eq!(band(1000), 3);
    }

    #[test]
    fn thresholds_differ_and_fatigue_grows_on_the_street_and_fades_off_it() {
        let s = spec();
        assert_eq!(own_threshold(&s, 0.0), s.threshold as f32);
        assert!(own_threshold(&s, 0.9) > own_threshold(&s, 0.5));
        let mut f = 0.0;
        for _ in 0..10 {
            f = fatigue_after(&s, f, true);
        }
        assert!((f - 10.0 * s.fatigue_per_day as f32).abs() < 1e-5);
        assert!(fatigue_after(&s, f, false) < f);
        assert_eq!(fatigue_after(&s, 1.0, true), 1.0);
    }

    #[test]
    fn cost_fatigue_and_policing_hold_a_protester_back() {
        let s = spec();
        let free = plain(&s);
        // G = 0.8 × 0.5 = 0.4 > 0.1.
        assert!(turns_active(&s, 0.8, 0.5, 0.5, 0.0, 10, &free));
        let tired = Restraint {
            burden: 0.35,
            ..free
        };
        assert!(!turns_active(&s, 0.8, 0.5, 0.5, 0.0, 10, &tired));
        let policed = Restraint {
            police: 0.8,
            ..free
        };
        assert!(!turns_active(&s, 0.8, 0.5, 0.5, 0.0, 10, &policed));
    }

    #[test]
    fn protesting_ties_pull_one_in() {
        let s = spec();
        assert_eq!(pull(&s, 0, 10), 0.0);
        assert_eq!(pull(&s, 3, 0), 0.0);
        assert!((pull(&s, 5, 10) - s.tie_pull as f32 / 2.0).abs() < 1e-6);
    }

    #[test]
    fn deterrence_vanishes_when_protesters_outnumber_mediators() {
        let s = spec();
        let r = plain(&s);
        // G = 0.8 * 0.5 = 0.4; with P ≈ 0.9 and R = 0.5, 0.4 − 0.45 < 0.1: quiet.
        assert!(!turns_active(&s, 0.8, 0.5, 0.5, 2.0, 1, &r));
        // Two mediators, two active in view: ⌊2/3⌋ = 0, P = 0: active.
        assert!(turns_active(&s, 0.8, 0.5, 0.5, 2.0, 2, &r));
    }

    #[test]
    fn legitimate_government_sees_no_protest() {
        let s = spec();
        assert!(!turns_active(&s, 1.0, 0.95, 0.0, 0.0, 100, &plain(&s)));
    }

    fn big(days: u32) -> Situation {
        Situation {
            size: 500,
            days,
            material: true,
            escalated: false,
            conceded: false,
            budget_holds: true,
        }
    }

    #[test]
    fn small_incidents_are_tolerated_and_answers_wait_for_the_lag() {
        let s = spec();
        let m = mech("linkage");
        let small = Situation {
            size: 20,
            ..big(100)
        };
        assert_eq!(respond(&s, &m, &small), Response::Tolerate);
        assert_eq!(respond(&s, &m, &big(0)), Response::Tolerate);
        // A distant centre answers later than a four-level chain.
        assert!(answer_lag(&s, &mech("integrated"), false) > answer_lag(&s, &m, false));
        assert_eq!(answer_lag(&s, &m, true), 0.0);
    }

    #[test]
    fn each_regime_reaches_its_answer_through_its_mechanisms() {
        let s = spec();
        let day = 30;
        // Linkage and integrated refer a large incident to the leading group, which
        // then concedes on a material cause; linkage then mediates, integrated polices.
        for name in ["linkage", "integrated"] {
            let m = mech(name);
            assert_eq!(respond(&s, &m, &big(day)), Response::Escalate, "{name}");
            let up = Situation {
                escalated: true,
                ..big(day)
            };
            assert_eq!(respond(&s, &m, &up), Response::Concede, "{name}");
        }
        let after = Situation {
            escalated: true,
            conceded: true,
            ..big(day)
        };
        assert_eq!(respond(&s, &mech("linkage"), &after), Response::Mediate);
        assert_eq!(respond(&s, &mech("integrated"), &after), Response::Police);
        // Silos tolerate, then police.
        let f = mech("fragmented");
        let lag = answer_lag(&s, &f, false);
        let early = big(lag.ceil() as u32);
        assert_eq!(respond(&s, &f, &early), Response::Tolerate);
        let late = big((lag + s.police_after_days).ceil() as u32);
        assert_eq!(respond(&s, &f, &late), Response::Police);
        // No concession without something to address or the budget to do it.
        let grievance = Situation {
            material: false,
            escalated: true,
            ..big(day)
        };
        assert_eq!(respond(&s, &mech("linkage"), &grievance), Response::Mediate);
    }

    #[test]
    fn protesters_petition_the_province_when_policed_or_left_waiting() {
        let s = spec();
        let n = (s.incident_petitions * 1000.0).round() as u32;
        assert_eq!(petitions_today(&s, Response::Police, false, 1000), n);
        assert_eq!(petitions_today(&s, Response::Tolerate, true, 1000), n);
        assert_eq!(petitions_today(&s, Response::Tolerate, false, 1000), 0);
        assert_eq!(petitions_today(&s, Response::Mediate, true, 1000), 0);
        assert_eq!(petitions_today(&s, Response::Concede, true, 1000), 0);
    }

    #[test]
    fn mediation_reaches_what_the_township_hours_allow() {
        let s = spec();
        let reach = mediated_today(&s, 100.0, 10_000);
        assert_eq!(
            reach,
            (s.mediation_share * 100.0 / s.mediation_hours) as u32
        );
        assert_eq!(mediated_today(&s, 100.0, 3), 3);
    }

    #[test]
    fn an_incident_knows_its_duration_and_responses() {
        let mut i = Incident::new([0, 1, 2], "land_dispute", 10, 8);
        assert_eq!(i.duration(14), 5);
        i.end = Some(11);
        assert_eq!(i.duration(14), 2);
        i.responses[Response::Tolerate as usize] = 1;
        i.responses[Response::Police as usize] = 1;
        assert_eq!(i.responses_used(), "tolerate+police");
    }
}
