//! Assessment (考核), supervision (督办) and the callback (回访): how an office is graded,
//! how the grade pushes it, and how it games the grade (MODEL.md §3, §5, §9).
//!
//! Every office carries an assessment score in [0,1], a moving average of its indicator
//! events: a request responded to within `response_days` (1) or later (0), a closure (1),
//! an expiry (0), and a callback's verdict (satisfied 1, not 0). Vertical linkage sets the
//! pressure on the score. Pressure makes offices answer (fewer shelved requests) and
//! invites gaming: an office behind on its score closes some issues after only a token
//! part of the work (形式主义, seed 001), and under the deadline closes what it cannot
//! finish. A gamed closure is never solved. Supervision deters gaming, pulls shelved
//! requests back, and calls back a share of closures at the hotline's staff cost; a
//! callback that finds an issue unsolved reopens it and costs the office its score.
//!
//! Residents grade by solution: a closure is solved with chance `solve_quality` (less when
//! the grid closes an issue beyond its skill), and only a solved issue earns trust.

use super::mechanisms::Mechanisms;
use serde::{Deserialize, Serialize};

/// Parameters of assessment, supervision, callbacks and the residents' verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AssessmentSpec {
    /// Days from reporting within which an office's first action counts as a response
    /// (响应率; 12345 hotlines require signing for an order within one working day).
    pub response_days: u32,
    /// Weight of one indicator event in an office's score (exponential moving average).
    pub score_rate: f64,
    /// Every office's score at the start of a run.
    pub score_start: f64,
    /// A closure counts as timely for the score when it comes within this share of the
    /// time its deadline allows (办结时限 shorter than the resident's patience).
    pub timely_share: f64,
    /// Pressure of assessment is `pressure_weight × vertical`, at most 1.
    pub pressure_weight: f64,
    /// Chance that an issue worked to the end is solved as its resident judges it.
    pub solve_quality: f64,
    /// Factor on `solve_quality` when a grid closes itself an issue of a higher level
    /// (grid first beyond the grid's skill).
    pub grid_skill: f64,
    /// Chance that an office starting the last stage of an issue closes it without solving
    /// it, at full pressure, score 0 and no supervision (scaled by pressure × (1 − score)).
    pub gaming_rate: f64,
    /// Share of its remaining work a gamed closure takes (the paperwork).
    pub gaming_work_share: f64,
    /// Chance that an office closes, unsolved, an issue it cannot finish before the
    /// deadline, at full pressure and no supervision (scaled by pressure).
    pub deadline_gaming: f64,
    /// Gaming is scaled by `1 − supervision_deterrence × supervision`.
    pub supervision_deterrence: f64,
    /// Share of closures the hotline calls back, at full supervision (× supervision).
    pub callback_share: f64,
    /// Staff-hours of one callback, taken from the city centre's capacity; no hours, no
    /// callback.
    pub callback_hours: f64,
    /// Chance a resident whose issue was solved says satisfied (× the resolution speed).
    pub satisfied_solved: f64,
    /// Chance a resident whose issue was closed unsolved says satisfied.
    pub satisfied_unsolved: f64,
    /// Chance that a resident raises again an issue closed without being solved (when no
    /// callback caught it first).
    pub reraise: f64,
    /// Days a reopened issue gets before it expires.
    pub reopen_days: u32,
    /// Reopenings after which an unsolved closure stands.
    pub max_reopens: u32,
    /// Trust a resident loses when an issue is closed without being solved (on top of
    /// the loss of an expiry: being told it is done when it is not).
    pub unsolved_trust_loss: f64,
    /// Chance that an office leaves a newly arrived request unanswered (shelved), with no
    /// pressure and no supervision.
    pub non_response: f64,
    /// Non-response is scaled by `1 − pressure_response × pressure` and by
    /// `1 − supervision`.
    pub pressure_response: f64,
    /// Daily chance at full supervision that a shelved request is pulled back (督办).
    pub supervision_pull: f64,
    /// Staff-hours of reporting upward per issue closed by a grid, community or township
    /// office, at full vertical linkage (× vertical): the reporting burden of four-level
    /// linkage.
    pub reporting_hours: f64,
    /// City-centre staff-hours a day per 1,000 residents that supervision (督办: tracking
    /// orders, chasing offices, reviewing closures) takes at full supervision
    /// (× supervision). What the centre cannot pay weakens supervision in proportion.
    pub supervision_hours_per_1000: f64,
}

impl Default for AssessmentSpec {
    fn default() -> Self {
        AssessmentSpec {
            response_days: 1,
            score_rate: 0.02,
            score_start: 0.8,
            timely_share: 0.3,
            pressure_weight: 1.0,
            solve_quality: 0.9,
            grid_skill: 0.85,
            gaming_rate: 1.0,
            gaming_work_share: 0.2,
            deadline_gaming: 0.8,
            supervision_deterrence: 0.8,
            callback_share: 0.5,
            callback_hours: 0.25,
            satisfied_solved: 0.95,
            satisfied_unsolved: 0.1,
            reraise: 0.3,
            reopen_days: 15,
            max_reopens: 2,
            unsolved_trust_loss: 0.1,
            non_response: 0.05,
            pressure_response: 0.8,
            supervision_pull: 0.5,
            reporting_hours: 0.25,
            supervision_hours_per_1000: 0.2,
        }
    }
}

/// City-centre staff-hours supervision takes today in a city of `residents`:
/// `supervision_hours_per_1000 × supervision` per 1,000 residents.
pub fn supervision_hours(spec: &AssessmentSpec, mech: &Mechanisms, residents: f64) -> f64 {
    spec.supervision_hours_per_1000 * mech.supervision * residents / 1000.0
}

/// Pressure of assessment on offices: `pressure_weight × vertical`, in [0,1].
pub fn pressure(spec: &AssessmentSpec, mech: &Mechanisms) -> f64 {
    (spec.pressure_weight * mech.vertical).clamp(0.0, 1.0)
}

/// How much supervision leaves of gaming: `1 − supervision_deterrence × supervision`.
fn undeterred(spec: &AssessmentSpec, mech: &Mechanisms) -> f64 {
    (1.0 - spec.supervision_deterrence * mech.supervision).clamp(0.0, 1.0)
}

/// Chance that an office shelves a request on first sight (non-response).
pub fn shelve_chance(spec: &AssessmentSpec, mech: &Mechanisms) -> f64 {
    let p = pressure(spec, mech);
    (spec.non_response * (1.0 - spec.pressure_response * p) * (1.0 - mech.supervision))
        .clamp(0.0, 1.0)
}

/// Daily chance that supervision pulls a shelved request back.
pub fn pull_chance(spec: &AssessmentSpec, mech: &Mechanisms) -> f64 {
    (spec.supervision_pull * mech.supervision).clamp(0.0, 1.0)
}

/// Chance that an office about to work the last stage of an issue games it, given its
/// score.
pub fn gaming_chance(spec: &AssessmentSpec, mech: &Mechanisms, score: f64) -> f64 {
    let p = pressure(spec, mech);
    (spec.gaming_rate * p * (1.0 - score) * undeterred(spec, mech)).clamp(0.0, 1.0)
}

/// Chance that an office closes unsolved an issue it cannot finish before its deadline.
pub fn deadline_gaming_chance(spec: &AssessmentSpec, mech: &Mechanisms) -> f64 {
    (spec.deadline_gaming * pressure(spec, mech) * undeterred(spec, mech)).clamp(0.0, 1.0)
}

/// Whether an issue with `work_left` hours, at an office with `capacity` hours left today,
/// is due: it expires after tomorrow and cannot be finished today.
pub fn cannot_finish(work_left: f64, capacity: f64, days_left: u32) -> bool {
    days_left <= 1 && work_left > capacity.max(0.0)
}

/// Chance that a closure worked to its end is solved; `beyond_skill` when the grid closed
/// an issue of a higher level itself.
pub fn solve_chance(spec: &AssessmentSpec, beyond_skill: bool) -> f64 {
    if beyond_skill {
        spec.solve_quality * spec.grid_skill
    } else {
        spec.solve_quality
    }
}

/// Chance that a closure is called back.
pub fn callback_chance(spec: &AssessmentSpec, mech: &Mechanisms) -> f64 {
    (spec.callback_share * mech.supervision).clamp(0.0, 1.0)
}

/// Chance that the resident of a closed issue says satisfied at a callback; `speed` is the
/// resolution speed in (0,1] (see `issues::resolution_speed`).
pub fn satisfied_chance(spec: &AssessmentSpec, solved: bool, speed: f64) -> f64 {
    if solved {
        spec.satisfied_solved * speed
    } else {
        spec.satisfied_unsolved
    }
}

/// An office's score after one indicator event `x` (1 good, 0 bad).
pub fn score_after(spec: &AssessmentSpec, score: f64, x: f64) -> f64 {
    (score + spec.score_rate * (x - score)).clamp(0.0, 1.0)
}

/// The score event of a closure after `days` of the `allowed` days: 1 when timely.
pub fn closure_event(spec: &AssessmentSpec, days: u32, allowed: u32) -> f64 {
    if days as f64 <= spec.timely_share * allowed.max(1) as f64 {
        1.0
    } else {
        0.0
    }
}

/// Reporting hours an issue closed at a grid, community or township office costs it.
pub fn reporting_hours(spec: &AssessmentSpec, mech: &Mechanisms) -> f64 {
    spec.reporting_hours * mech.vertical
}

/// What becomes of a closed issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Solved: it leaves, and its resident gains.
    Solved,
    /// Closed unsolved, and it stays closed.
    Unsolved,
    /// Closed unsolved, then reopened: back to the office that closed it.
    Reopen,
}

/// The verdict on a closure: `solved`, whether a callback found it unsolved
/// (`caught`), and whether the resident raises it again (`reraised`), given how often it
/// was reopened before.
pub fn verdict(
    spec: &AssessmentSpec,
    solved: bool,
    caught: bool,
    reraised: bool,
    reopens: u32,
) -> Verdict {
    if solved {
        Verdict::Solved
    } else if (caught || reraised) && reopens < spec.max_reopens {
        Verdict::Reopen
    } else {
        Verdict::Unsolved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mech(vertical: f64, supervision: f64) -> Mechanisms {
        Mechanisms {
            vertical,
            supervision,
            ..Mechanisms::preset("fragmented").unwrap()
        }
    }

    #[test]
    fn pressure_cuts_non_response_and_supervision_cuts_it_further() {
        let s = AssessmentSpec::default();
        let none = shelve_chance(&s, &mech(0.0, 0.0));
        assert!((none - s.non_response).abs() < 1e-12);
        let pressed = shelve_chance(&s, &mech(1.0, 0.0));
        assert!(pressed < none);
        assert!(shelve_chance(&s, &mech(1.0, 0.5)) < pressed);
        assert_eq!(shelve_chance(&s, &mech(0.0, 1.0)), 0.0);
    }

    #[test]
    fn gaming_needs_pressure_and_a_low_score_and_supervision_deters_it() {
        let s = AssessmentSpec::default();
        assert_eq!(gaming_chance(&s, &mech(0.0, 0.0), 0.2), 0.0);
        assert_eq!(gaming_chance(&s, &mech(1.0, 0.0), 1.0), 0.0);
        let g = gaming_chance(&s, &mech(1.0, 0.0), 0.5);
        assert!((g - s.gaming_rate * 0.5).abs() < 1e-12);
        assert!(gaming_chance(&s, &mech(1.0, 1.0), 0.5) < g);
        assert!(
            deadline_gaming_chance(&s, &mech(1.0, 1.0))
                < deadline_gaming_chance(&s, &mech(1.0, 0.0))
        );
    }

    #[test]
    fn a_score_moves_towards_its_events_and_stays_in_the_unit_interval() {
        let s = AssessmentSpec::default();
        let mut x = 0.5;
        for _ in 0..1000 {
            x = score_after(&s, x, 1.0);
        }
        assert!(x > 0.99 && x <= 1.0);
        let down = score_after(&s, 0.8, 0.0);
        assert!((down - 0.8 * (1.0 - s.score_rate)).abs() < 1e-12);
    }

    #[test]
    fn only_an_unsolved_closure_found_out_or_raised_again_reopens_and_not_forever() {
        let s = AssessmentSpec::default();
        assert_eq!(verdict(&s, true, true, true, 0), Verdict::Solved);
        assert_eq!(verdict(&s, false, false, false, 0), Verdict::Unsolved);
        assert_eq!(verdict(&s, false, true, false, 0), Verdict::Reopen);
        assert_eq!(verdict(&s, false, false, true, 1), Verdict::Reopen);
        assert_eq!(
            verdict(&s, false, true, true, s.max_reopens),
            Verdict::Unsolved
        );
    }

    #[test]
    fn the_grid_beyond_its_skill_solves_less_and_solved_issues_satisfy_more() {
        let s = AssessmentSpec::default();
        assert!(solve_chance(&s, true) < solve_chance(&s, false));
        assert!(satisfied_chance(&s, true, 1.0) > satisfied_chance(&s, false, 1.0));
        assert!(cannot_finish(5.0, 2.0, 1));
        assert!(!cannot_finish(5.0, 2.0, 2));
        assert!(!cannot_finish(1.0, 2.0, 0));
    }
}
