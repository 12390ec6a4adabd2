//! The parallel phase of a tick: every resident updates hardship, trust and exposure,
//! may raise an issue, and decides to volunteer, protest or stay quiet.
//!
//! Invariant: a resident reads only last tick's shared state (neighbours' activity and
//! word of mouth are double-buffered) and writes only its own fields and its chunk's
//! buffers. Random draws are keyed by (seed, purpose, resident, tick). Hence the result
//! is independent of how chunks are scheduled over threads.

use crate::base::rng::{Purpose, stream};
use super::tally::Tally;
use crate::model::behaviour::BehaviourSpec;
use crate::model::collective::{CollectiveSpec, turns_active};
use crate::model::issues::Category;
use crate::model::mechanisms::Mechanisms;
use crate::model::residents::{
    ADULT, ELDERLY, INFECTED, MEDIATED, Outcomes, PROTESTING, QUIET, SUSCEPTIBLE, Ties,
    VOLUNTEERING, Visible, YOUTH,
};
use crate::model::shocks::{Effects, EpidemicNow, RumourNow, next_health};
use crate::model::unit;
use std::ops::Range;

/// Rumour states: never heard (or not believing yet), believing, debunked (immune).
pub const NEVER: u8 = 0;
pub const BELIEVES: u8 = 1;
pub const DEBUNKED: u8 = 2;

/// A resident-raised issue, before it enters the store.
#[derive(Clone, Copy, Debug)]
pub struct NewIssue {
    pub resident: u32,
    pub category: Category,
    pub reported: bool,
}

/// A unit of parallel work: whole communities of one county.
#[derive(Clone, Debug)]
pub struct Chunk {
    pub county: u16,
    pub residents: Range<u32>,
    pub communities: Range<u32>,
    pub grids: Range<u32>,
}

/// What a chunk produces in a tick. Buffers are reused from tick to tick.
#[derive(Default)]
pub struct ChunkOut {
    pub issues: Vec<NewIssue>,
    pub tally: Tally,
    /// Protesters per community of the chunk.
    pub comm_active: Vec<u32>,
    /// Volunteers per grid of the chunk.
    pub grid_volunteers: Vec<u32>,
}

/// Read-only inputs of the phase.
pub struct Shared<'a> {
    pub seed: u64,
    pub tick: u32,
    pub mech: &'a Mechanisms,
    pub behaviour: &'a BehaviourSpec,
    pub collective: &'a CollectiveSpec,
    /// Issues per resident per tick at hardship 0.5, by category.
    pub base_rates: [f32; 8],
    pub weak_tie_weight: f32,
    pub grid_community: &'a [u32],
    pub effects: &'a [Effects],
    pub incident: &'a [bool],
    pub p_mediate: &'a [f32],
    pub mediators: &'a [f32],
    /// What every resident's ties saw of it at the end of last tick.
    pub visible_prev: &'a [Visible],
    pub ties: &'a Ties,
    pub grid: &'a [u32],
    pub age: &'a [u8],
    pub link: &'a [f32],
    pub digital: &'a [f32],
    pub risk_aversion: &'a [f32],
    pub hardship_base: &'a [f32],
    pub trust_base: &'a [f32],
    pub epidemic: Option<EpidemicNow>,
    pub rumour: Option<RumourNow>,
    /// Mean platform connectivity per community after spatial linkage (report channel).
    pub channel: &'a [f32],
}

/// The chunk's own slices of the residents' mutable fields.
pub struct ChunkMut<'a> {
    pub hardship: &'a mut [f32],
    pub trust: &'a mut [f32],
    pub exposure: &'a mut [f32],
    pub points: &'a mut [f32],
    pub cooldown: &'a mut [u8],
    pub outcomes: &'a mut [Outcomes],
    pub visible_next: &'a mut [Visible],
}

impl<'a> ChunkMut<'a> {
    /// Split after the first `at` residents.
    fn split_at(self, at: usize) -> (ChunkMut<'a>, ChunkMut<'a>) {
        let (hardship, hardship_b) = self.hardship.split_at_mut(at);
        let (trust, trust_b) = self.trust.split_at_mut(at);
        let (exposure, exposure_b) = self.exposure.split_at_mut(at);
        let (points, points_b) = self.points.split_at_mut(at);
        let (cooldown, cooldown_b) = self.cooldown.split_at_mut(at);
        let (outcomes, outcomes_b) = self.outcomes.split_at_mut(at);
        let (visible_next, visible_next_b) = self.visible_next.split_at_mut(at);
        (
            ChunkMut {
                hardship,
                trust,
                exposure,
                points,
                cooldown,
                outcomes,
                visible_next,
            },
            ChunkMut {
                hardship: hardship_b,
                trust: trust_b,
                exposure: exposure_b,
                points: points_b,
                cooldown: cooldown_b,
                outcomes: outcomes_b,
                visible_next: visible_next_b,
            },
        )
    }
}

/// Update every chunk, in parallel: `m` holds the residents of `chunks` (which are
/// consecutive) and `outs` one output per chunk. The work is halved recursively with
/// `rayon::join`, so the tick allocates nothing to hand out the pieces.
pub fn update_all(sh: &Shared, chunks: &[Chunk], m: ChunkMut, outs: &mut [ChunkOut]) {
    match chunks {
        [] => {}
        [chunk] => update(sh, chunk, m, &mut outs[0]),
        _ => {
            let mid = chunks.len() / 2;
            let at = (chunks[mid].residents.start - chunks[0].residents.start) as usize;
            let (ma, mb) = m.split_at(at);
            let (oa, ob) = outs.split_at_mut(mid);
            let (ca, cb) = chunks.split_at(mid);
            rayon::join(|| update_all(sh, ca, ma, oa), || update_all(sh, cb, mb, ob));
        }
    }
}

/// How many residents ahead the gather's weak ties are prefetched.
const PREFETCH_AHEAD: usize = 8;

/// A hint to bring `x` into the cache; nothing on targets without one.
#[inline(always)]
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it never faults and `x` is a valid reference.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// Update one chunk of residents.
pub fn update(sh: &Shared, chunk: &Chunk, m: ChunkMut, out: &mut ChunkOut) {
    let b = sh.behaviour;
    let mech = sh.mech;
    out.issues.clear();
    out.tally = Tally::default();
    out.comm_active.clear();
    out.comm_active.resize(chunk.communities.len(), 0);
    out.grid_volunteers.clear();
    out.grid_volunteers.resize(chunk.grids.len(), 0);
    let weak_w = sh.weak_tie_weight;
    let info = mech.information_sharing as f32;
    let social = mech.social as f32;
    let memory = 1.0 - 1.0 / b.gain_memory_days.max(1.0) as f32;
    let epidemic_on = sh.epidemic.is_some();
    let rumour_on = sh.rumour.is_some_and(|r| r.spread > 0.0);
    let end = chunk.residents.end as usize;
    for (li, i) in chunk.residents.clone().enumerate() {
        let iu = i as usize;
        // The gather below waits on memory for ties beyond the grid (a grid's own
        // residents sit together and are already cached). Ask for those of a resident a
        // few places ahead now, so they arrive while this one is worked on.
        if iu + PREFETCH_AHEAD < end {
            let (ahead, strong) = sh.ties.of(iu + PREFETCH_AHEAD);
            for &j in &ahead[strong..] {
                prefetch(&sh.visible_prev[j as usize]);
            }
        }
        let g = sh.grid[iu] as usize;
        let c = sh.grid_community[g] as usize;
        let eff = &sh.effects[c];

        // Gather from ties: word of mouth, protesters and volunteers in view.
        let (targets, strong) = sh.ties.of(iu);
        let (mut w_sum, mut wom) = (0.0f32, 0.0f32);
        let (mut active_nb, mut vol_nb) = (0u32, 0u32);
        let (mut infectious_w, mut believing_weak) = (0.0f32, 0u32);
        for (k, &j) in targets.iter().enumerate() {
            // One 8-byte load per tie: everything a neighbour shows is in one record.
            let v = sh.visible_prev[j as usize];
            let w = if k < strong { 1.0 } else { weak_w };
            w_sum += w;
            wom += w * v.experience;
            active_nb += (v.activity == PROTESTING) as u32;
            vol_nb += (v.activity == VOLUNTEERING) as u32;
            if epidemic_on && v.health == INFECTED {
                infectious_w += w;
            }
            if rumour_on && k >= strong && v.rumour == BELIEVES {
                believing_weak += 1;
            }
        }
        let me = sh.visible_prev[iu];
        let (i64_, t64) = (i as u64, sh.tick as u64);

        // Epidemic (SEIR over ties) and rumour (over weak ties).
        let health = match (me.health, sh.epidemic) {
            (SUSCEPTIBLE, _)
                if eff.epidemic_seed > 0.0
                    && stream(sh.seed, Purpose::Infection, i64_, t64)
                        .chance(eff.epidemic_seed as f64) =>
            {
                INFECTED
            }
            (SUSCEPTIBLE, Some(_)) if infectious_w == 0.0 => SUSCEPTIBLE,
            (h, Some(ep)) => next_health(
                h,
                infectious_w,
                &ep,
                stream(sh.seed, Purpose::Infection, i64_, t64).unit() as f32,
            ),
            (h, None) => h,
        };
        let belief = match (me.rumour, sh.rumour) {
            (NEVER, _)
                if eff.rumour_seed > 0.0
                    && stream(sh.seed, Purpose::Rumour, i64_, t64)
                        .chance(eff.rumour_seed as f64) =>
            {
                BELIEVES
            }
            (NEVER, Some(r)) if believing_weak > 0 && r.spread > 0.0 => {
                let p = 1.0 - (1.0 - r.spread).powi(believing_weak as i32);
                if stream(sh.seed, Purpose::Rumour, i64_, t64).chance(p as f64) {
                    BELIEVES
                } else {
                    NEVER
                }
            }
            (BELIEVES, Some(r)) => {
                if stream(sh.seed, Purpose::Rumour, i64_, t64).chance(r.p_debunk as f64) {
                    DEBUNKED
                } else {
                    BELIEVES
                }
            }
            (b, _) => b,
        };
        let rumour_loss = match (belief, sh.rumour) {
            (BELIEVES, Some(r)) => r.trust_loss,
            _ => 0.0,
        };
        // A closure hits a fixed share of working-age residents.
        let laid_off = eff.worker_share > 0.0
            && sh.age[iu] == ADULT
            && (stream(sh.seed, Purpose::Worker, i64_, 0).unit() as f32) < eff.worker_share;
        let wom = if w_sum > 0.0 { wom / w_sum } else { 0.0 };
        let link = sh.link[iu];

        // Exposure, trust and hardship.
        let incident = if sh.incident[c] {
            b.incident_exposure as f32
        } else {
            0.0
        };
        let exposure = unit(
            m.exposure[li] * b.exposure_decay as f32
                + incident
                + b.protester_exposure as f32 * active_nb as f32,
        );
        m.exposure[li] = exposure;
        let mut trust = m.trust[li];
        trust += b.trust_relax as f32 * (sh.trust_base[iu] - trust)
            + b.word_of_mouth as f32 * link * wom
            - b.exposure_trust_loss as f32 * exposure
            + eff.trust_push
            - rumour_loss;
        let trust = unit(trust);
        m.trust[li] = trust;
        let mut hardship = m.hardship[li];
        hardship += b.hardship_relax as f32 * (sh.hardship_base[iu] - hardship) + eff.hardship_push;
        if laid_off {
            hardship += eff.worker_hardship;
        }
        let mut hardship = unit(hardship);

        // Raising an issue: one uniform picks "none" or a category.
        let need = (0.4 + 1.2 * hardship)
            * if sh.age[iu] == ELDERLY {
                b.elderly_need as f32
            } else {
                1.0
            };
        let u = stream(sh.seed, Purpose::Raise, i as u64, sh.tick as u64).unit() as f32;
        let mut acc = 0.0f32;
        let sick = health == INFECTED;
        for cat in Category::RAISED {
            let k = cat as usize;
            let mut rate = sh.base_rates[k] * need * eff.rate_mult[k];
            if laid_off && cat == Category::SocialAssistance {
                rate *= eff.worker_assistance;
            }
            if sick {
                rate += sh.epidemic.map_or(0.0, |ep| ep.sick_rates[k]);
            }
            acc += rate;
            if u < acc {
                let p_report = b.report_base as f32
                    + b.report_trust as f32 * trust
                    + b.report_link as f32
                        * link
                        * sh.digital[iu]
                        * sh.channel[c]
                        * (0.5 + 0.5 * info);
                let reported = stream(sh.seed, Purpose::Report, i as u64, sh.tick as u64)
                    .chance(p_report as f64);
                out.issues.push(NewIssue {
                    resident: i,
                    category: cat,
                    reported,
                });
                m.outcomes[li].raised += 1.0;
                break;
            }
        }

        // Action decision: protest (Epstein), mediation, volunteering.
        let prev = me.activity;
        let next = if m.cooldown[li] > 0 {
            m.cooldown[li] -= 1;
            if m.cooldown[li] > 0 { MEDIATED } else { QUIET }
        } else if prev == PROTESTING
            && stream(sh.seed, Purpose::Mediation, i as u64, sh.tick as u64)
                .chance(sh.p_mediate[c] as f64)
        {
            m.cooldown[li] = sh.collective.mediation_days;
            hardship = unit(hardship - sh.collective.mediation_relief as f32);
            MEDIATED
        } else if turns_active(
            sh.collective,
            hardship,
            trust,
            sh.risk_aversion[iu],
            sh.mediators[g],
            active_nb,
        ) {
            PROTESTING
        } else if prev == VOLUNTEERING {
            if stream(sh.seed, Purpose::Volunteer, i as u64, sh.tick as u64)
                .chance(b.volunteer_stop)
            {
                QUIET
            } else {
                VOLUNTEERING
            }
        } else {
            let capacity = (1.0 - hardship)
                * match sh.age[iu] {
                    YOUTH => 0.5,
                    ELDERLY => 0.6,
                    _ => 1.0,
                };
            let cognition = (0.3 + 0.7 * info * link) * (0.5 + 0.5 * sh.digital[iu]);
            let degree = targets.len().max(1) as f32;
            let environment = social * (0.5 + b.points_pull as f32 * m.points[li]).min(1.5)
                + 0.5 * vol_nb as f32 / degree;
            let p = b.volunteer_rate as f32 * capacity * cognition * environment * link;
            if stream(sh.seed, Purpose::Volunteer, i as u64, sh.tick as u64).chance(p as f64) {
                VOLUNTEERING
            } else {
                QUIET
            }
        };
        if next == VOLUNTEERING {
            m.points[li] += b.points_per_day as f32 * social;
        }
        m.hardship[li] = hardship;
        let decayed = me.experience * b.experience_decay as f32;
        m.visible_next[li] = Visible {
            experience: if next == PROTESTING {
                decayed.min(-(b.protest_voice as f32))
            } else {
                decayed
            },
            activity: next,
            health,
            rumour: belief,
        };

        // Tallies.
        let o = &mut m.outcomes[li];
        let gain = o.gain();
        o.raised *= memory;
        o.resolved *= memory;
        let security = 1.0 - exposure;
        let t = &mut out.tally;
        t.residents += 1;
        t.trust += trust as f64;
        t.hardship += hardship as f64;
        t.gain += gain as f64;
        t.security += security as f64;
        t.happiness += happiness(gain, security, hardship, trust) as f64;
        t.health[health as usize & 3] += 1;
        t.believers += (belief == BELIEVES) as u64;
        if next == PROTESTING {
            t.protesters += 1;
            out.comm_active[c - chunk.communities.start as usize] += 1;
        } else if next == VOLUNTEERING {
            t.volunteers += 1;
            out.grid_volunteers[g - chunk.grids.start as usize] += 1;
        }
    }
}

/// 幸福感, the sense of happiness: the mean of the sense of gain (share of one's issues
/// resolved), the sense of security (1 − exposure), relief from hardship (1 − H) and
/// trust. One definition, used by every output.
#[inline]
pub fn happiness(gain: f32, security: f32, hardship: f32, trust: f32) -> f32 {
    (gain + security + (1.0 - hardship) + trust) / 4.0
}
