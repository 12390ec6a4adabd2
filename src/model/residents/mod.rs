//! Residents (居民): who they are, how the population is drawn, and what a resident does
//! in a day.
//!
//! - this file: the data. Residents are stored as a few records, one vector each ([`Residents`]),
//!   their tie graph in compressed rows ([`Ties`]); [`Visible`] is what a resident's ties
//!   see of it.
//! - [`build`]: drawing the population and its ties from a [`PopulationSpec`].
//! - [`day`]: the daily rules ([`step`]): exposure, trust, hardship, epidemic and rumour,
//!   raising and reporting an issue, protest, mediation and volunteering, and the day's
//!   change of link strength.
//! - [`links`]: link strength as a state and shared goals (MODEL.md §6, `002`'s two
//!   elements): how contact with grid staff, membership of an active organisation and
//!   solved issues build links, how they decay, and how shared goals turn links into
//!   action.
//!
//! Invariant: residents are numbered grid by grid (see `territory`), and each resident's
//! ties are stored strong ties first (same grid), then weak ties (other grids, townships
//! and a few counties). Link strength (MODEL.md §6) starts from ties to grid staff,
//! organisations and neighbours at build time, and changes every day ([`links`]); it is
//! read by the resident alone, so it needs no double buffer.

pub mod build;
pub mod day;
pub mod heard;
pub mod links;

pub use day::{
    Context, Day, Dice, Hearing, Neighbourhood, Place, RaisedIssue, Resident, ResidentState, Rules,
    happiness, raise_bound, shocks_reach, step, step_unshocked,
};
pub use links::{LinkRules, LinkSpec};

use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How the population is drawn.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationSpec {
    /// Share of elderly residents (65+), urban and rural; the rest split youth/adult.
    pub elderly_share_urban: f64,
    pub elderly_share_rural: f64,
    /// Share of youth (under 18).
    pub youth_share: f64,
    /// Mean baseline hardship, urban and rural; Beta-distributed with `concentration`.
    pub hardship_urban: f64,
    pub hardship_rural: f64,
    /// Mean baseline trust in government (perceived legitimacy).
    pub trust_mean: f64,
    /// Beta concentration (α + β) of hardship and trust: higher is less spread.
    pub concentration: f64,
    /// Mean digital access, urban and rural.
    pub digital_urban: f64,
    pub digital_rural: f64,
    /// Digital access of the elderly relative to others in their area.
    #[serde(default = "defaults::digital_elderly")]
    pub digital_elderly: f64,
    /// Spread of digital access: a resident's is the mean times a uniform factor from
    /// 1 − spread/2 to 1 + spread/2 (clamped to [0, 1]).
    #[serde(default = "defaults::digital_spread")]
    pub digital_spread: f64,
    /// Strong ties per resident inside the grid (mean degree).
    pub strong_ties: u32,
    /// Weak ties per resident beyond the grid (mean degree).
    pub weak_ties: u32,
    /// Of weak ties: share in the same township, and in the same county; the rest go to
    /// an adjacent county.
    pub weak_same_township: f64,
    pub weak_same_county: f64,
    /// Weight of a weak tie relative to a strong one.
    pub weak_tie_weight: f64,
    /// Share of residents who belong to a social organisation (WeChat group, council…).
    pub org_membership: f64,
    /// Scale of every resident's starting link strength (ties to grid staff and
    /// organisations) and of the part ties to neighbours hold; low values model thin
    /// links that make linkage hollow (只联不动) until outreach builds them ([`links`]).
    pub link_strength: f64,
    /// Rural residents' contact with grid staff relative to urban residents.
    pub rural_staff_contact: f64,
    /// Least contact with grid staff, as a share of the area's: a resident's contact is
    /// uniform from this share to all of it.
    #[serde(default = "defaults::staff_contact_min")]
    pub staff_contact_min: f64,
    /// Weights of the three parts of link strength: contact with grid staff, membership
    /// of an organisation, and ties to neighbours (their weighted count over the mean).
    #[serde(default = "defaults::link_weight_staff")]
    pub link_weight_staff: f64,
    #[serde(default = "defaults::link_weight_org")]
    pub link_weight_org: f64,
    #[serde(default = "defaults::link_weight_neighbours")]
    pub link_weight_neighbours: f64,
}

/// Values of the population parameters that were constants of the build before they
/// became parameters, so that an older `params.toml` loads and draws the same people.
/// The built-in baseline uses the same values.
mod defaults {
    pub fn digital_elderly() -> f64 {
        0.5
    }
    pub fn digital_spread() -> f64 {
        1.0
    }
    pub fn staff_contact_min() -> f64 {
        0.4
    }
    pub fn link_weight_staff() -> f64 {
        0.5
    }
    pub fn link_weight_org() -> f64 {
        0.3
    }
    pub fn link_weight_neighbours() -> f64 {
        0.2
    }
}

/// Age classes.
pub const YOUTH: u8 = 0;
pub const ADULT: u8 = 1;
pub const ELDERLY: u8 = 2;

/// Activity states (MODEL.md §3).
pub const QUIET: u8 = 0;
pub const VOLUNTEERING: u8 = 1;
pub const PROTESTING: u8 = 2;
pub const MEDIATED: u8 = 3;

/// Health states for the epidemic (SEIR).
pub const SUSCEPTIBLE: u8 = 0;
pub const EXPOSED: u8 = 1;
pub const INFECTED: u8 = 2;
pub const RECOVERED: u8 = 3;
/// The bits of a health byte that hold the SEIR state; the others are flags.
pub const DISEASE: u8 = 3;
/// Flag: at home, isolated as a detected case or quarantined as a traced contact (the
/// resident's ties carry infection to and from it at `1 − isolation_effect`).
pub const AT_HOME: u8 = 4;
/// Flag, for one day: detected today and isolated (its ties are traced tomorrow).
pub const ISOLATED_TODAY: u8 = 8;
/// Flag, for one day: detected today (isolated or, when case work is short, not).
pub const DETECTED_TODAY: u8 = 16;
/// Flag, for one day: quarantined today as a traced contact.
pub const TRACED_TODAY: u8 = 32;

/// Rumour states: never heard (or not believing yet), believing, debunked (immune).
pub const NEVER: u8 = 0;
pub const BELIEVES: u8 = 1;
pub const DEBUNKED: u8 = 2;

/// What a resident's ties see of it: the fields neighbours read during a tick, packed
/// into one 4-byte record so that a tie costs one cache line fetch, not four, and a
/// million residents' records (4 MB) take half the pages and cache of 8-byte ones
/// (docs/performance.md, "Round four"). The engine double-buffers it; every other field
/// belongs to the resident alone.
///
/// Word of mouth is kept in 16 bits (units of 1/[`VOICE_SCALE`], cut toward zero), so
/// ties' signals add up exactly, in any order, as integers; health and rumour share a
/// byte (health in the low six bits, [`HEALTH_BITS`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C, align(4))]
pub struct Visible {
    /// Word-of-mouth signal this resident passes on, in units of 1/[`VOICE_SCALE`]: +
    /// after a fast resolution, − after an expiry or while protesting; decays each tick.
    said: i16,
    /// Activity state: `QUIET`, `VOLUNTEERING`, `PROTESTING` or `MEDIATED`.
    pub activity: u8,
    /// Health state (low six bits) and rumour state (the two above them).
    status: u8,
}

const _: () = assert!(std::mem::size_of::<Visible>() == 4);

/// Word of mouth's unit in [`Visible`]: a signal of 1 is stored as 32,767.
pub const VOICE_SCALE: f32 = 32767.0;

/// The bits of [`Visible`]'s status byte that hold the health byte (the SEIR state in
/// `DISEASE` and the flags `AT_HOME` to `TRACED_TODAY`).
pub const HEALTH_BITS: u8 = 0x3f;
const RUMOUR_SHIFT: u32 = 6;

// Every health flag fits below the rumour's bits, and every rumour state in them.
const _: () = assert!(
    (DISEASE | AT_HOME | ISOLATED_TODAY | DETECTED_TODAY | TRACED_TODAY) & !HEALTH_BITS == 0
);
const _: () = assert!((DEBUNKED as u32) < 1 << (8 - RUMOUR_SHIFT));

impl Visible {
    /// What ties will see: word of mouth `experience` (in [−1, 1]; beyond is clamped,
    /// and it is kept to 1/[`VOICE_SCALE`], cut toward zero), activity, health byte
    /// (six bits) and rumour state.
    #[inline]
    pub fn new(experience: f32, activity: u8, health: u8, rumour: u8) -> Visible {
        debug_assert!(health <= HEALTH_BITS && rumour <= DEBUNKED);
        Visible {
            said: voice_units(experience),
            activity,
            status: health | (rumour << RUMOUR_SHIFT),
        }
    }

    /// The word-of-mouth signal, in [−1, 1]. A division, not a multiplication by the
    /// reciprocal: so that [`Visible::with_experience`] of it keeps every signal exactly
    /// (the reciprocal lost a unit on 1,536 of the 65,535).
    #[inline]
    pub fn experience(&self) -> f32 {
        self.said as f32 / VOICE_SCALE
    }

    /// The word-of-mouth signal in units of 1/[`VOICE_SCALE`].
    #[inline]
    pub fn said(&self) -> i16 {
        self.said
    }

    /// The same record with another word-of-mouth signal.
    #[inline]
    pub fn with_experience(self, experience: f32) -> Visible {
        Visible {
            said: voice_units(experience),
            ..self
        }
    }

    /// Health state for the epidemic: `SUSCEPTIBLE`, `EXPOSED`, `INFECTED`, `RECOVERED`
    /// in the `DISEASE` bits, with the flags `AT_HOME`, `ISOLATED_TODAY`,
    /// `DETECTED_TODAY` and `TRACED_TODAY`.
    #[inline]
    pub fn health(&self) -> u8 {
        self.status & HEALTH_BITS
    }

    /// Rumour state: `NEVER`, `BELIEVES` or `DEBUNKED`.
    #[inline]
    pub fn rumour(&self) -> u8 {
        self.status >> RUMOUR_SHIFT
    }
}

/// `experience` (clamped to [−1, 1]) in units of 1/[`VOICE_SCALE`], cut toward zero so
/// that a decaying signal reaches zero.
#[inline]
fn voice_units(experience: f32) -> i16 {
    (experience.clamp(-1.0, 1.0) * VOICE_SCALE) as i16
}

index_id!(
    /// A resident's index in the per-resident arrays of [`Residents`] (residents are
    /// numbered grid by grid). The parallel update works on bare `u32` indices; this type
    /// is what leaves the residents for other parts of the model (an issue's resident).
    ResidentId(u32)
);

/// All residents: what a resident's day reads and writes sits in a few records, one
/// vector each, numbered grid by grid (docs/performance.md: twenty separate field
/// vectors were twenty streams the hot loop walked at once, more than the hardware
/// prefetcher follows, and twenty base pointers spilled to the stack).
#[derive(Clone)]
pub struct Residents {
    /// Fixed traits drawn at build: grid, age, baselines and the rest.
    pub traits: Vec<Traits>,
    /// What a resident's day changes: hardship, trust, exposure, points, outcomes...
    pub state: Vec<ResidentState>,
    /// Link strength in [0,1]: a state, updated every day ([`links`]). Apart from
    /// [`Self::state`] because the day returns it rather than updating it in place.
    pub link: Vec<f32>,
    /// Experience, activity, health and rumour state, as neighbours see them.
    pub visible: Vec<Visible>,
    /// Fixed at build; shared (a world's copy, and the thread that sums ties ahead
    /// while a tick's sequential phases run, read the same rows).
    pub ties: Arc<Ties>,
}

/// A resident's fixed traits (drawn at build; 28 bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Traits {
    /// The resident's grid, as a bare index ([`GridId`](super::territory::GridId)`.0`).
    pub grid: u32,
    /// Baselines hardship H and trust (perceived legitimacy) L relax to.
    pub hardship_base: f32,
    pub trust_base: f32,
    pub risk_aversion: f32,
    pub digital: f32,
    /// Contact with grid staff as drawn at build (reachability: urban or rural, and
    /// the resident's own): scales the chance outreach reaches the resident.
    pub staff_contact: f32,
    pub age: u8,
    /// Member of a social organisation of its community.
    pub member: bool,
}

const _: () = assert!(std::mem::size_of::<Traits>() == 28);

/// Recency-weighted counts of one resident's issues.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Outcomes {
    pub raised: f32,
    pub resolved: f32,
}

impl Outcomes {
    /// 获得感, the sense of gain: (resolved + 1) / (raised + 2), a Laplace-smoothed share
    /// of one's recent issues that were resolved.
    #[inline]
    pub fn gain(&self) -> f32 {
        (self.resolved + 1.0) / (self.raised + 2.0)
    }
}

/// A laid-off worker's claims at lay-off (a closure): the count still open (raised and
/// not yet resolved, expired or closed) and whether one was answered, so that benefit,
/// severance or wages are paid. One byte: the count in the low seven bits, paid the top.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Claims(u8);

impl Claims {
    const PAID: u8 = 0x80;

    /// Claims still open.
    #[inline]
    pub fn open(self) -> u8 {
        self.0 & !Self::PAID
    }

    /// Whether a claim was answered.
    #[inline]
    pub fn paid(self) -> bool {
        self.0 & Self::PAID != 0
    }

    /// One more claim filed.
    #[inline]
    pub fn filed(self) -> Claims {
        Claims((self.open() + 1).min(!Self::PAID) | (self.0 & Self::PAID))
    }

    /// One claim left the issue flow, answered (`paid`) or not.
    #[inline]
    pub fn ended(self, paid: bool) -> Claims {
        let keep = if paid {
            Self::PAID
        } else {
            self.0 & Self::PAID
        };
        Claims(self.open().saturating_sub(1) | keep)
    }

    /// No longer laid off: what was paid is spent (open claims still count down).
    #[inline]
    pub fn unpaid(self) -> Claims {
        Claims(self.open())
    }
}

/// Tie graph in compressed rows: `targets[offsets[i]..offsets[i+1]]`, strong ties first,
/// `strong[i]` of them. Ties are mutual: `j` is among `i`'s ties exactly when `i` is
/// among `j`'s (the sums taken ahead rely on it to correct themselves:
/// `engine::residents_phase::SumsAhead`).
#[derive(Clone)]
pub struct Ties {
    pub offsets: Vec<u32>,
    pub targets: Vec<u32>,
    pub strong: Vec<u8>,
}

impl Ties {
    /// Resident `i`'s ties, and how many of them (the first) are strong.
    #[inline]
    pub fn of(&self, i: usize) -> (&[u32], usize) {
        self.rows().of(i)
    }

    /// The rows as plain slices ([`TieRows`]).
    #[inline]
    pub fn rows(&self) -> TieRows<'_> {
        TieRows {
            offsets: &self.offsets,
            targets: &self.targets,
            strong: &self.strong,
        }
    }
}

/// The tie rows of [`Ties`] as plain slices: a loop over many rows holds their addresses
/// and lengths in registers instead of reading them again through the vectors.
#[derive(Clone, Copy)]
pub struct TieRows<'a> {
    pub offsets: &'a [u32],
    pub targets: &'a [u32],
    pub strong: &'a [u8],
}

impl<'a> TieRows<'a> {
    /// Resident `i`'s ties, and how many of them (the first) are strong.
    #[inline]
    pub fn of(self, i: usize) -> (&'a [u32], usize) {
        let s = self.offsets[i] as usize;
        let e = self.offsets[i + 1] as usize;
        (&self.targets[s..e], self.strong[i] as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_ties_see_keeps_each_field_apart() {
        for health in 0..=HEALTH_BITS {
            for rumour in [NEVER, BELIEVES, DEBUNKED] {
                for activity in [QUIET, VOLUNTEERING, PROTESTING, MEDIATED] {
                    let v = Visible::new(-0.75, activity, health, rumour);
                    assert_eq!(
                        (v.activity, v.health(), v.rumour()),
                        (activity, health, rumour)
                    );
                    assert!((v.experience() + 0.75).abs() <= 1.0 / VOICE_SCALE);
                    let w = v.with_experience(0.5);
                    assert_eq!(
                        (w.activity, w.health(), w.rumour()),
                        (activity, health, rumour)
                    );
                }
            }
        }
    }

    #[test]
    fn word_of_mouth_is_kept_to_a_32767th_cut_toward_zero_and_clamped() {
        let v = |e: f32| Visible::new(e, QUIET, SUSCEPTIBLE, NEVER);
        assert_eq!(
            (v(1.0).said(), v(-1.0).said(), v(0.0).said()),
            (32767, -32767, 0)
        );
        assert_eq!((v(3.0).said(), v(-3.0).said()), (32767, -32767));
        assert_eq!((v(0.5).said(), v(-0.5).said()), (16383, -16383));
        assert_eq!(v(f32::NAN).said(), 0);
        for e in [-0.9f32, -0.123, 0.001, 0.6, 0.999] {
            let kept = v(e).experience();
            assert!(kept.abs() <= e.abs() && e.abs() - kept.abs() < 1.0 / VOICE_SCALE);
        }
        // Read and written back, every signal is kept exactly.
        for said in -32767..=32767i16 {
            let e = Visible {
                said,
                ..Visible::default()
            };
            assert_eq!(e.with_experience(e.experience()).said(), said);
        }
        // A signal that decays each day reaches zero, as it would unrounded.
        let mut e = v(1.0);
        for _ in 0..2_000 {
            e = e.with_experience(e.experience() * 0.99);
        }
        assert_eq!(e.said(), 0);
    }
}
