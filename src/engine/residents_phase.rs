//! The parallel phase of a tick: the engine's side of a resident's day. It splits the
//! residents into chunks; in a chunk, block by block, it first sums for each resident
//! what its ties showed last tick (prefetching ties beyond the grid), then runs each
//! one's rules
//! ([`crate::model::residents::step`]) and writes the outcome into the resident's own
//! fields and its chunk's buffers. What a resident does is decided in the model; nothing
//! here is a rule.
//!
//! Invariant: a resident reads only last tick's shared state (neighbours' activity and
//! word of mouth are double-buffered; link strength is read by its resident alone, so it
//! is updated in place) and writes only its own fields and its chunk's buffers, in
//! resident order. Random draws are keyed by (seed, purpose, resident, tick).
//! Hence the result is independent of how chunks are scheduled over threads. The hot
//! loop allocates nothing: buffers are reused from tick to tick.
//!
//! The loop comes in four copies, all giving the same days bit for bit: with the
//! shocks' rules or without (a chunk no epidemic, rumour or closure reaches), each
//! compiled for AVX2 or portable, chosen once a chunk. The first residents' sums may
//! have been taken during last tick's sequential phases ([`SumsAhead`]): the same sums.

use super::tally::Tally;
use crate::base::hint::prefetch;
use crate::model::behaviour::BehaviourSpec;
use crate::model::collective::CollectiveSpec;
use crate::model::issues::Category;
use crate::model::mechanisms::Mechanisms;
use crate::model::residents::heard::{self, Heard};
use crate::model::residents::{
    self, AT_HOME, BELIEVES, Context, DETECTED_TODAY, DISEASE, Day, INFECTED, ISOLATED_TODAY,
    LinkRules, Neighbourhood, PROTESTING, Place, Resident, ResidentState, TRACED_TODAY, TieRows,
    Ties, Traits, VOLUNTEERING, Visible,
};
use crate::model::shocks::{Effects, EpidemicNow, RumourNow};
use crate::model::territory::CountyId;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

/// A resident-raised issue, before it enters the store.
#[derive(Clone, Copy, Debug)]
pub struct NewIssue {
    pub resident: u32,
    /// The resident's grid (so that filing it needs no lookup of the resident).
    pub grid: u32,
    pub category: Category,
    pub reported: bool,
    /// A laid-off worker's claim at lay-off.
    pub claim: bool,
}

/// A unit of parallel work: whole communities of one county.
#[derive(Clone, Debug)]
pub struct Chunk {
    pub county: CountyId,
    pub residents: Range<u32>,
    pub communities: Range<u32>,
    pub grids: Range<u32>,
}

/// What a chunk produces in a tick. Buffers are reused from tick to tick.
#[derive(Clone, Default)]
pub struct ChunkOut {
    pub issues: Vec<NewIssue>,
    pub tally: Tally,
    /// Protesters per community of the chunk.
    pub comm_active: Vec<u32>,
    /// Volunteers per grid of the chunk.
    pub grid_volunteers: Vec<u32>,
    /// Summed link strength (after the day) per community of the chunk.
    pub comm_link: Vec<f64>,
    /// Laid-off workers, and those of them protesting, per community of the chunk.
    pub comm_laid_off: Vec<u32>,
    pub comm_laid_off_active: Vec<u32>,
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
    /// Per community: the policing risk, the threshold a concession nearby lowers, and
    /// the trust a joint mediation restores (the government's answer to an incident).
    pub police: &'a [f32],
    pub invites: &'a [f32],
    pub mediation_trust: &'a [f32],
    /// What every resident's ties saw of it at the end of last tick.
    pub visible_prev: &'a [Visible],
    pub ties: &'a Ties,
    pub traits: &'a [Traits],
    pub epidemic: Option<EpidemicNow>,
    /// Per county, for the epidemic (`EpidemicNow::in_county`): the chance a detected
    /// case can be isolated today, and yesterday's shares of residents isolated as cases
    /// and infectious.
    pub county_isolation: &'a [f32],
    pub county_known: &'a [f32],
    pub county_infectious: &'a [f32],
    pub rumour: Option<RumourNow>,
    /// Mean platform connectivity per community after spatial linkage (report channel).
    pub channel: &'a [f32],
    /// Chance outreach visits a resident today, per grid (from yesterday's hours).
    pub visits: &'a [f32],
    /// Share of each community's organisations active (yesterday).
    pub orgs_active: &'a [f32],
    /// Share of each grid's volunteers its office kept yesterday.
    pub kept: &'a [f32],
    /// Share of each community's laid-off workers protesting yesterday.
    pub coworkers: &'a [f32],
    /// How link strength moves (its `goals` replaced per chunk by its county's).
    pub links: LinkRules,
    /// Each county's shared goals (the regime's, less unredeemed points).
    pub county_goals: &'a [f32],
    /// What the first residents' ties showed last tick, summed while last tick's
    /// sequential phases ran ([`SumsAhead`]): resident `i`'s at `ahead[i]`.
    pub ahead: &'a [Taken],
}

/// The chunk's own slices of the residents' mutable fields.
pub struct ChunkMut<'a> {
    pub state: &'a mut [ResidentState],
    pub link: &'a mut [f32],
    pub visible_next: &'a mut [Visible],
}

impl<'a> ChunkMut<'a> {
    /// Split after the first `at` residents.
    fn split_at(self, at: usize) -> (ChunkMut<'a>, ChunkMut<'a>) {
        let (state, state_b) = self.state.split_at_mut(at);
        let (link, link_b) = self.link.split_at_mut(at);
        let (visible_next, visible_next_b) = self.visible_next.split_at_mut(at);
        (
            ChunkMut {
                state,
                link,
                visible_next,
            },
            ChunkMut {
                state: state_b,
                link: link_b,
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
/// How many weak ties' records are prefetched a resident: always this many, from its
/// first weak tie on (beyond a shorter row, the next residents' ties), because a loop
/// over the row's own weak ties, two to ten of them, mispredicted its end often enough
/// to cost more than the prefetches (a resident has four weak ties on average in the
/// built-in scenarios).
const WEAK_PREFETCH: usize = 6;
/// How many residents ahead the tie rows themselves are prefetched.
const ROW_AHEAD: usize = 32;
/// How many residents' ties are summed at a time, before their days ([`sum_block`]):
/// about half a chunk (chunks hold up to 4,096; 48 KB of sums on the stack; blocks of
/// 256 took 6M fewer instructions for 20,000 residents × 20 days but were 2% slower at
/// 1M residents).
const BLOCK: usize = 2048;

/// Update one chunk of residents: block by block, sum what each one's ties showed last
/// tick, then run each one's day ([`residents::step`], or [`residents::step_unshocked`]
/// where no shock reaches the chunk) and write the results into the resident's own
/// fields and the chunk's buffers, in resident order.
pub fn update(sh: &Shared, chunk: &Chunk, m: ChunkMut, out: &mut ChunkOut) {
    out.issues.clear();
    out.tally = Tally::default();
    out.comm_active.clear();
    out.comm_active.resize(chunk.communities.len(), 0);
    out.grid_volunteers.clear();
    out.grid_volunteers.resize(chunk.grids.len(), 0);
    out.comm_link.clear();
    out.comm_link.resize(chunk.communities.len(), 0.0);
    out.comm_laid_off.clear();
    out.comm_laid_off.resize(chunk.communities.len(), 0);
    out.comm_laid_off_active.clear();
    out.comm_laid_off_active.resize(chunk.communities.len(), 0);
    let ctx = Context::new(
        sh.seed,
        sh.tick,
        sh.behaviour,
        sh.collective,
        sh.mech,
        sh.base_rates,
        sh.weak_tie_weight,
    )
    .with_shocks(epidemic_in(sh, chunk.county.index()), sh.rumour)
    .with_links(LinkRules {
        goals: sh.county_goals[chunk.county.index()],
        ..sh.links
    });
    // Most chunks on most days meet no epidemic, rumour or closure: their residents'
    // days leave those rules out (the same days, bit for bit).
    let reached = SHOCKED.on()
        || chunk
            .communities
            .clone()
            .any(|c| residents::shocks_reach(&ctx, &sh.effects[c as usize]));
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && !PORTABLE.on() {
        // SAFETY: the CPU has AVX2.
        unsafe { walk_avx2(sh, chunk, &ctx, m, out, reached) };
        return;
    }
    if reached {
        walk::<true>(sh, chunk, &ctx, m, out);
    } else {
        walk::<false>(sh, chunk, &ctx, m, out);
    }
}

/// A switch tests set to steer [`update`]; outside tests it reads false and holds
/// nothing. Whichever way it is set the days are the same, so other tests running
/// meanwhile are not affected.
pub(crate) struct TestSwitch(#[cfg(test)] std::sync::atomic::AtomicBool);

impl TestSwitch {
    const fn new() -> TestSwitch {
        TestSwitch(
            #[cfg(test)]
            std::sync::atomic::AtomicBool::new(false),
        )
    }

    /// Whether the switch is set (never outside tests).
    #[inline(always)]
    fn on(&self) -> bool {
        #[cfg(test)]
        return self.0.load(std::sync::atomic::Ordering::Relaxed);
        #[cfg(not(test))]
        false
    }

    /// Set or clear the switch.
    #[cfg(test)]
    pub(crate) fn set(&self, on: bool) {
        self.0.store(on, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Set, [`update`] takes the portable loop even where the CPU has AVX2 (the ties' gather
/// inside it still uses AVX2 where there is: `heard`'s own test compares it with the
/// scalar sums).
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) static PORTABLE: TestSwitch = TestSwitch::new();

/// Set, every chunk takes the day with the shocks' rules, reached by a shock or not.
pub(crate) static SHOCKED: TestSwitch = TestSwitch::new();

/// Set, the sums taken ahead fill their room whenever the sequential phases end (the
/// next resident phase waits for them), so that how many are taken does not depend on
/// the threads' timing.
pub(crate) static AHEAD_ALL: TestSwitch = TestSwitch::new();

/// [`walk`] compiled for AVX2: the same operations (Rust never fuses or reorders
/// floating-point arithmetic, whatever the target), so the same bits as the portable
/// loop, in some 8% fewer instructions (three-operand forms, and the ties' gather
/// ([`crate::model::residents::heard`]) inlined with its constants set up once).
///
/// # Safety
/// The CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn walk_avx2(
    sh: &Shared,
    chunk: &Chunk,
    ctx: &Context,
    m: ChunkMut,
    out: &mut ChunkOut,
    reached: bool,
) {
    if reached {
        walk::<true>(sh, chunk, ctx, m, out);
    } else {
        walk::<false>(sh, chunk, ctx, m, out);
    }
}

/// The residents of `chunk`, in order: [`update`]'s loop, with the shocks' rules
/// ([`residents::step`]) or without ([`residents::step_unshocked`]).
#[inline(always)]
fn walk<const SHOCKS: bool>(
    sh: &Shared,
    chunk: &Chunk,
    ctx: &Context,
    m: ChunkMut,
    out: &mut ChunkOut,
) {
    let (first, end) = (chunk.residents.start as usize, chunk.residents.end as usize);
    // The chunk's residents sliced to exactly its length, so indexing by `li` needs no
    // bounds check in the loop.
    let n = end - first;
    let traits = &sh.traits[first..end];
    let shown = &sh.visible_prev[first..end];
    let ChunkMut {
        state,
        link,
        visible_next,
    } = m;
    let (state, link, visible_next) = (&mut state[..n], &mut link[..n], &mut visible_next[..n]);
    let protest_cost = sh.collective.protest_cost;
    // The tie rows and last tick's records as plain slices, held in registers through
    // the loop rather than read again through their vectors after every store.
    let (ties, visible) = (sh.ties.rows(), sh.visible_prev);
    // What the residents of a block heard from their ties, summed before the block's
    // days ([`sum_block`]).
    let mut sums = [Heard::default(); BLOCK];
    // The chunk's buffers as plain slices, for the same reason as the ties.
    let issues = &mut out.issues;
    let mut counts = Counts {
        tally: &mut out.tally,
        comm_active: &mut out.comm_active,
        grid_volunteers: &mut out.grid_volunteers,
        comm_link: &mut out.comm_link,
        comm_laid_off: &mut out.comm_laid_off,
        comm_laid_off_active: &mut out.comm_laid_off_active,
    };
    // A grid's residents are consecutive: its place is read once a grid, not once a
    // resident.
    let mut place_of = u32::MAX;
    let mut place = place_at(sh, chunk.grids.start as usize);
    for li in 0..n {
        let iu = first + li;
        if li % BLOCK == 0 {
            // The block's residents whose sums were taken ahead are copied; the rest
            // summed now.
            let stop = end.min(iu + BLOCK);
            let ready = sh.ahead.len().clamp(iu, stop);
            for (k, taken) in sh
                .ahead
                .get(iu..ready)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let (row, strong) = ties.of(iu + k);
                let strong = strong.min(row.len());
                sums[k] = taken.heard(strong, row.len() - strong);
            }
            sum_block(visible, ties, ready..stop, end, &mut sums[ready - iu..]);
        }
        let t = &traits[li];
        if t.grid != place_of {
            place_of = t.grid;
            place = place_at(sh, t.grid as usize);
        }
        let mut nb = Neighbourhood::from_heard(sums[li % BLOCK], ctx.hearing);
        if nb.needs_ties(ctx.hearing) {
            let (strong_ties, weak_ties) = split(ties, iu);
            nb.hear_ties_again(visible, strong_ties, weak_ties, ctx.hearing);
        }
        let me = Resident {
            id: iu as u32,
            age: t.age,
            link: link[li],
            staff_contact: t.staff_contact,
            member: t.member,
            digital: t.digital,
            risk_aversion: t.risk_aversion,
            hardship_base: t.hardship_base,
            trust_base: t.trust_base,
            shown: shown[li],
        };
        // A copy the day works on in registers, stored back whole: counting from the
        // record itself made the tally's wide load wait on the day's narrow stores.
        let mut s = state[li];
        let day = if SHOCKS {
            residents::step(&me, &place.at, &nb, &mut s, ctx)
        } else {
            residents::step_unshocked(&me, &place.at, &nb, &mut s, ctx)
        };
        state[li] = s;
        link[li] = day.link;
        visible_next[li] = day.shown;
        if let Some(issue) = day.issue {
            issues.push(NewIssue {
                resident: me.id,
                grid: t.grid,
                category: issue.category,
                reported: issue.reported,
                claim: issue.claim,
            });
        }
        count(
            &mut counts,
            place.community - chunk.communities.start as usize,
            t.grid as usize - chunk.grids.start as usize,
            &s,
            &day,
            protest_cost,
        );
    }
}

/// Sum what each resident of `block` heard from its ties into `sums` (from its first
/// place): a pass of its own before the block's days, in which the gathers of one
/// resident after another are independent and overlap, where in the day's loop each
/// came after a whole day's work (4% faster at 1M residents, 8% at 10M, for some 45
/// more instructions a resident). Sums kept a block at a time, not a chunk at a time,
/// cost no memory a resident. `end` is where prefetching stops (the chunk's end, or
/// the residents' for the sums taken ahead).
#[inline(always)]
fn sum_block(
    visible: &[Visible],
    ties: TieRows<'_>,
    block: Range<usize>,
    end: usize,
    sums: &mut [Heard],
) {
    for (iu, sum) in block.zip(sums.iter_mut()) {
        // The sums wait on memory for ties beyond the grid (a grid's own residents sit
        // together and are already cached). Ask for those of a resident a few places
        // ahead now, so they arrive in time; and, further ahead, for the tie row itself
        // (one stream among several the hardware prefetcher loses track of).
        if iu + ROW_AHEAD < end
            && let Some(row) = ties.targets.get(ties.offsets[iu + ROW_AHEAD] as usize)
        {
            // (A row may be empty, and with it every row after: no tie to prefetch.)
            prefetch(row);
        }
        if iu + PREFETCH_AHEAD < end {
            // A fixed number of them, without a branch on the row's length
            // ([`WEAK_PREFETCH`]).
            let i = iu + PREFETCH_AHEAD;
            let weak = ties.offsets[i] as usize + ties.strong[i] as usize;
            if let Some(first) = ties.targets.get(weak..weak + WEAK_PREFETCH) {
                for &j in first {
                    if let Some(v) = visible.get(j as usize) {
                        prefetch(v);
                    }
                }
            }
        }
        let (strong_ties, weak_ties) = split(ties, iu);
        *sum = heard::sum_ties(visible, strong_ties, weak_ties);
    }
}

/// Sums of what residents' ties showed, taken ahead of the tick that reads them: while
/// one thread runs a tick's sequential phases (incidents to the views, several
/// milliseconds in which the other threads have nothing to do), another sums, from
/// resident 0 on, what each resident's ties showed at the end of the resident phase,
/// until the sequential phases are done or the room runs out. The next resident phase
/// takes those sums instead of summing again ([`Shared::ahead`]).
///
/// The sequential phases change what a few residents show: the word of mouth of those
/// whose issue ended (queued meanwhile in `World`'s `said_log`). Each change is then
/// applied to the records and to the sums it reaches ([`SumsAhead::apply`]): ties are
/// mutual, so those who hear `r` are `r`'s own ties. Signals are added as integers, so
/// a sum corrected by a change is the sum taken again, bit for bit; how far the sums got
/// (which depends on the threads' timing) changes only where a resident's sum is taken,
/// not what it is.
#[derive(Clone, Default)]
pub struct SumsAhead {
    /// How many residents' sums there is room for (allocated on first use).
    room: usize,
    /// The sums of residents `0..done`.
    sums: Vec<Taken>,
    done: usize,
    /// Whether a tie is strong on both sides or weak on both: strong ties are a
    /// resident's ties in its own grid, unless it has more than `u8::MAX` of them
    /// (`Ties::strong` is full), when the rest count as weak.
    kinds_mutual: bool,
}

/// A resident's sums as kept ahead (12 bytes): [`Heard`] without the counts of ties
/// (the rows say them again) and with activities in 16 bits (exact up to
/// `heard::ACTIVITY_LANE` ties; beyond, the day counts them again).
#[derive(Clone, Copy, Debug, Default)]
pub struct Taken {
    said_strong: i32,
    said_weak: i32,
    protesting: u16,
    volunteering: u16,
}

impl Taken {
    fn of(h: &Heard) -> Taken {
        Taken {
            said_strong: h.said_strong,
            said_weak: h.said_weak,
            protesting: h.protesting as u16,
            volunteering: h.volunteering as u16,
        }
    }

    /// The sums of a resident with `strong` strong ties and `weak` weak ones.
    #[inline(always)]
    fn heard(self, strong: usize, weak: usize) -> Heard {
        Heard {
            said_strong: self.said_strong,
            said_weak: self.said_weak,
            protesting: self.protesting as u32,
            volunteering: self.volunteering as u32,
            strong: strong as u32,
            weak: weak as u32,
        }
    }
}

/// Residents summed between two looks at whether to stop.
const AHEAD_STEP: usize = 256;

impl SumsAhead {
    /// Room for the sums of `room` residents of `ties`.
    pub fn new(room: usize, ties: &Ties) -> SumsAhead {
        SumsAhead {
            room,
            sums: Vec::new(),
            done: 0,
            kinds_mutual: !ties.strong.contains(&u8::MAX),
        }
    }

    /// The sums taken: resident `i`'s at `[i]`.
    pub fn ready(&self) -> &[Taken] {
        &self.sums[..self.done]
    }

    /// Forget the sums (they have been read).
    pub fn clear(&mut self) {
        self.done = 0;
    }

    /// Sum what the ties of residents 0, 1, 2... showed in `visible`, until `stop` is
    /// set or the room is full. Whatever was taken before is replaced.
    pub fn take(&mut self, visible: &[Visible], ties: &Ties, stop: &AtomicBool) {
        self.done = 0;
        let room = self.room.min(visible.len());
        if self.sums.len() < room {
            self.sums = vec![Taken::default(); room];
        }
        let sums = &mut self.sums[..room];
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2.
            self.done = unsafe { take_avx2(visible, ties.rows(), sums, stop) };
            return;
        }
        self.done = take_sums(visible, ties.rows(), sums, stop);
    }

    /// Apply `changes` (residents' new records, in order) to `shown`, the records the
    /// sums were taken from, and correct the sums of those who hear each change (the
    /// changed resident's own ties, ties being mutual), where taken.
    pub fn apply(&mut self, ties: &Ties, shown: &mut [Visible], changes: &[(u32, Visible)]) {
        let rows = ties.rows();
        for (k, &(r, now)) in changes.iter().enumerate() {
            // The records and rows of changes further on are fetched meanwhile (each is
            // a random load, and there are thousands a tick).
            if let Some(&(a, _)) = changes.get(k + 16) {
                prefetch(&shown[a as usize]);
                prefetch(&rows.offsets[a as usize]);
            }
            if self.done > 0
                && let Some(&(a, _)) = changes.get(k + 8)
                && let Some(first) = rows.targets.get(rows.offsets[a as usize] as usize)
            {
                prefetch(first);
            }
            let r = r as usize;
            // Only the word of mouth changes (the activity counts are not corrected).
            debug_assert_eq!(now.with_experience(shown[r].experience()), shown[r]);
            let delta = now.said() as i32 - shown[r].said() as i32;
            shown[r] = now;
            if delta != 0 && self.done > 0 {
                self.said_changed(rows, r, delta);
            }
        }
    }

    /// Resident `r`'s word of mouth changed by `delta` (in units of `VOICE_SCALE`):
    /// correct the sums of those of its ties that hear it, where taken.
    fn said_changed(&mut self, rows: TieRows<'_>, r: usize, delta: i32) {
        let (hearers, strong) = rows.of(r);
        for (at, &j) in hearers.iter().enumerate() {
            let j = j as usize;
            if j >= self.done {
                continue;
            }
            // Whether `r` is among `j`'s strong ties: as `j` is among `r`'s, unless a
            // row's count of strong ties is full (then `r` is looked up in `j`'s row).
            let heard_strong = if self.kinds_mutual {
                at < strong
            } else {
                let (theirs, strong) = rows.of(j);
                let at = theirs.iter().position(|&k| k as usize == r);
                at.expect("ties are mutual") < strong
            };
            let sum = &mut self.sums[j];
            if heard_strong {
                sum.said_strong = sum.said_strong.wrapping_add(delta);
            } else {
                sum.said_weak = sum.said_weak.wrapping_add(delta);
            }
        }
    }
}

/// [`take_sums`] compiled for AVX2 (the gather inlined, as in [`walk_avx2`]).
///
/// # Safety
/// The CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn take_avx2(
    visible: &[Visible],
    ties: TieRows<'_>,
    sums: &mut [Taken],
    stop: &AtomicBool,
) -> usize {
    take_sums(visible, ties, sums, stop)
}

/// Sum the ties of residents `0..sums.len()` into `sums`, a step at a time, until
/// `stop` is set; how many were summed.
#[inline(always)]
fn take_sums(
    visible: &[Visible],
    ties: TieRows<'_>,
    sums: &mut [Taken],
    stop: &AtomicBool,
) -> usize {
    let mut step = [Heard::default(); AHEAD_STEP];
    let mut done = 0;
    while done < sums.len() && (AHEAD_ALL.on() || !stop.load(Ordering::Relaxed)) {
        let to = (done + AHEAD_STEP).min(sums.len());
        sum_block(visible, ties, done..to, visible.len(), &mut step);
        for (taken, heard) in sums[done..to].iter_mut().zip(&step) {
            *taken = Taken::of(heard);
        }
        done = to;
    }
    done
}

/// What [`count`] adds to: the chunk's tally, and its counts by community and grid
/// (indexed from the chunk's first).
struct Counts<'a> {
    tally: &'a mut Tally,
    comm_active: &'a mut [u32],
    grid_volunteers: &'a mut [u32],
    comm_link: &'a mut [f64],
    comm_laid_off: &'a mut [u32],
    comm_laid_off_active: &'a mut [u32],
}

/// A grid's place today, and its community.
struct GridPlace<'a> {
    at: Place<'a>,
    community: usize,
}

/// The place of grid `g` today: its own and its community's conditions.
#[inline]
fn place_at<'a>(sh: &Shared<'a>, g: usize) -> GridPlace<'a> {
    let c = sh.grid_community[g] as usize;
    GridPlace {
        at: Place {
            effects: &sh.effects[c],
            incident: sh.incident[c],
            p_mediate: sh.p_mediate[c],
            channel: sh.channel[c],
            mediators: sh.mediators[g],
            visits: sh.visits[g],
            orgs_active: sh.orgs_active[c],
            kept: sh.kept[g],
            police: sh.police[c],
            invites: sh.invites[c],
            mediation_trust: sh.mediation_trust[c],
            coworkers: sh.coworkers[c],
            raise_bound: residents::raise_bound(&sh.base_rates, &sh.effects[c]),
        },
        community: c,
    }
}

/// The epidemic as met in county `k`, if one runs.
fn epidemic_in(sh: &Shared, k: usize) -> Option<EpidemicNow> {
    sh.epidemic.map(|e| {
        e.in_county(
            sh.county_isolation[k],
            sh.county_known[k],
            sh.county_infectious[k],
        )
    })
}

/// Resident `i`'s strong ties and weak ties.
#[inline(always)]
fn split(ties: TieRows<'_>, i: usize) -> (&[u32], &[u32]) {
    let (targets, strong) = ties.of(i);
    targets.split_at(strong.min(targets.len()))
}

/// Add one resident's day to the chunk's tally and its community's and grid's counts
/// (`c` and `g` counted from the chunk's first).
#[inline(always)]
fn count(out: &mut Counts, c: usize, g: usize, s: &ResidentState, day: &Day, protest_cost: f64) {
    let t = &mut *out.tally;
    t.residents += 1;
    t.trust += s.trust as f64;
    t.hardship += s.hardship as f64;
    t.gain += day.gain as f64;
    t.security += day.security as f64;
    t.happiness += day.happiness as f64;
    t.link += day.link as f64;
    out.comm_link[c] += day.link as f64;
    let health = day.shown.health();
    t.health[(health & DISEASE) as usize] += 1;
    if health & !DISEASE != 0 {
        let home = health & AT_HOME != 0;
        t.epidemic.at_home += home as u64;
        t.epidemic.known += (home && health & DISEASE == INFECTED) as u64;
        t.epidemic.detected += (health & DETECTED_TODAY != 0) as u64;
        t.epidemic.isolated += (health & ISOLATED_TODAY != 0) as u64;
        t.epidemic.traced += (health & TRACED_TODAY != 0) as u64;
    }
    t.believers += (day.shown.rumour() == BELIEVES) as u64;
    if day.shown.activity == PROTESTING {
        t.protesters += 1;
        t.protest_cost += protest_cost;
        out.comm_active[c] += 1;
    } else if day.shown.activity == VOLUNTEERING {
        t.volunteers += 1;
        out.grid_volunteers[g] += 1;
    }
    if day.laid_off {
        let protesting = day.shown.activity == PROTESTING;
        t.closure.laid_off += 1;
        t.closure.protesters += protesting as u64;
        t.closure.trust += s.trust as f64;
        t.closure.hardship += s.hardship as f64;
        out.comm_laid_off[c] += 1;
        out.comm_laid_off_active[c] += protesting as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::{AHEAD_ALL, PORTABLE, SHOCKED, SumsAhead, TestSwitch};
    use crate::base::rng::{Purpose, stream};
    use crate::engine::world::World;
    use crate::model::mechanisms::Mechanisms;
    use crate::model::residents::{MEDIATED, QUIET, Visible, heard};
    use crate::model::residents::{PROTESTING, VOLUNTEERING};
    use std::sync::Mutex;
    use std::sync::atomic::AtomicBool;

    /// One test at a time sets the switches (each restores them).
    static SWITCHES: Mutex<()> = Mutex::new(());

    /// The tally digest of `scenario` at 3,000 residents over `ticks` days, with
    /// `switch` (if any) set while it runs.
    fn digest_with(scenario: &str, ticks: u32, switch: Option<&TestSwitch>) -> u64 {
        let _one = SWITCHES.lock().unwrap_or_else(|e| e.into_inner());
        let mut sc = crate::scenario::builtin::get(scenario).unwrap();
        sc.run.residents = 3_000;
        switch.inspect(|s| s.set(true));
        let mut world = World::new(&sc, Mechanisms::preset("linkage").unwrap());
        for _ in 0..ticks {
            world.step();
        }
        switch.inspect(|s| s.set(false));
        world.tally_digest()
    }

    /// The digest of `scenario` as [`digest_with`] gives it, stepped on `threads` threads.
    fn digest_on(threads: usize, scenario: &str, ticks: u32, switch: Option<&TestSwitch>) -> u64 {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| digest_with(scenario, ticks, switch))
    }

    /// The same with the loop compiled for AVX2 (where the CPU has it) or the portable
    /// one.
    fn digest(scenario: &str, ticks: u32, portable: bool) -> u64 {
        digest_with(scenario, ticks, portable.then_some(&PORTABLE))
    }

    #[test]
    fn the_day_without_the_shocks_rules_is_taken_only_where_it_gives_the_same_days() {
        // Every chunk made to take the day with the shocks' rules: the same tallies under
        // the flood (where most chunks take the day without) and through a closure and a
        // rumour (where the chunks they reach must take the day with).
        for scenario in ["xcity-flood", "xcity-factory-closure", "xcity-rumour"] {
            assert_eq!(
                digest_with(scenario, 150, None),
                digest_with(scenario, 150, Some(&SHOCKED)),
                "{scenario}"
            );
        }
    }

    #[test]
    fn the_avx2_loop_and_the_portable_loop_give_the_same_days() {
        // Under a flood (the day without shocks' rules), and through an epidemic, a
        // rumour and a closure (the day with them): the same tallies, bit for bit.
        #[cfg(target_arch = "x86_64")]
        if !std::arch::is_x86_feature_detected!("avx2") {
            eprintln!("no AVX2 on this CPU: both runs take the portable loop");
        }
        let calm = |ticks| digest("xcity-baseline", ticks, false);
        let (before, after) = (calm(110), calm(150));
        for scenario in [
            "xcity-flood",
            "xcity-epidemic",
            "xcity-rumour",
            "xcity-factory-closure",
        ] {
            let fast = digest(scenario, 150, false);
            assert_eq!(fast, digest(scenario, 150, true), "{scenario}");
            // The shock struck within the days compared (from day 120).
            assert_eq!(digest(scenario, 110, false), before, "{scenario}");
            assert_ne!(fast, after, "{scenario}");
        }
    }

    #[test]
    fn the_sums_taken_ahead_give_the_same_days_as_sums_taken_in_the_day() {
        // On 2 threads with every sum of the room taken (a third of the residents, the
        // sums of later ticks corrected for the word of mouth of every issue that
        // ended), against 1 thread, where none is taken ahead: the same tallies.
        for scenario in ["xcity-flood", "xcity-epidemic", "xcity-rumour"] {
            assert_eq!(
                digest_on(2, scenario, 150, Some(&AHEAD_ALL)),
                digest_on(1, scenario, 150, None),
                "{scenario}"
            );
        }
    }

    /// A city's ties, random records over them, and changes to some of the records'
    /// word of mouth (some residents changed twice).
    fn ties_records_changes() -> (
        crate::model::residents::Ties,
        Vec<Visible>,
        Vec<(u32, Visible)>,
    ) {
        let mut sc = crate::scenario::builtin::get("xcity-baseline").unwrap();
        sc.run.residents = 3_000;
        let world = World::new(&sc, Mechanisms::preset("linkage").unwrap());
        let ties = crate::model::residents::Ties::clone(&world.residents().ties);
        let n = world.resident_count();
        let mut s = stream(3, Purpose::Ties, 0, 0);
        let mut said = || 2.0 * s.unit() as f32 - 1.0;
        let mut s2 = stream(4, Purpose::Ties, 0, 0);
        let visible: Vec<Visible> = (0..n)
            .map(|i| {
                let activity = [QUIET, VOLUNTEERING, PROTESTING, MEDIATED][i % 4];
                Visible::new(said(), activity, (i % 7) as u8, (i % 3) as u8)
            })
            .collect();
        let mut changes: Vec<(u32, Visible)> = Vec::new();
        for k in 0..400 {
            let r = if k % 10 == 9 {
                changes[k / 2].0
            } else {
                s2.below(n) as u32
            };
            changes.push((r, visible[r as usize].with_experience(said())));
        }
        (ties, visible, changes)
    }

    /// Each taken sum against the sum taken again from `shown`.
    fn check_sums(ahead: &SumsAhead, ties: &crate::model::residents::Ties, shown: &[Visible]) {
        assert_eq!(ahead.ready().len(), ahead.room);
        for (i, taken) in ahead.ready().iter().enumerate() {
            let (row, strong) = ties.of(i);
            let (strong_ties, weak_ties) = row.split_at(strong.min(row.len()));
            let want = heard::sum_ties(shown, strong_ties, weak_ties);
            assert_eq!(
                taken.heard(strong_ties.len(), weak_ties.len()),
                want,
                "resident {i}"
            );
        }
    }

    #[test]
    fn sums_taken_ahead_and_corrected_are_the_sums_taken_again() {
        let (ties, visible, changes) = ties_records_changes();
        for mutual in [true, false] {
            // Room for most residents, not all: changes heard beyond the room are left.
            let mut ahead = SumsAhead::new(visible.len() * 3 / 4, &ties);
            assert!(
                ahead.kinds_mutual,
                "no row of a built-in city has 255 strong ties"
            );
            // Without the kinds taken as mutual, each is looked up in the hearer's row.
            ahead.kinds_mutual = mutual;
            ahead.take(&visible, &ties, &AtomicBool::new(false));
            let mut shown = visible.clone();
            ahead.apply(&ties, &mut shown, &changes);
            // The records changed as the log says, the last change of each winning.
            for &(r, now) in &changes {
                let last = changes.iter().rev().find(|c| c.0 == r).unwrap().1;
                assert_eq!(shown[r as usize], last);
                assert_eq!(now.activity, visible[r as usize].activity);
            }
            assert_ne!(shown, visible);
            check_sums(&ahead, &ties, &shown);
        }
    }

    #[test]
    fn sums_stop_being_taken_when_told_and_are_forgotten_once_read() {
        // No other test may set `AHEAD_ALL` (which ignores the stop) meanwhile.
        let _one = SWITCHES.lock().unwrap_or_else(|e| e.into_inner());
        let (ties, visible, _) = ties_records_changes();
        let mut ahead = SumsAhead::new(visible.len(), &ties);
        ahead.take(&visible, &ties, &AtomicBool::new(true));
        assert!(ahead.ready().is_empty());
        ahead.take(&visible, &ties, &AtomicBool::new(false));
        check_sums(&ahead, &ties, &visible);
        ahead.clear();
        assert!(ahead.ready().is_empty());
        // Changes applied with no sum taken change the records alone.
        let mut shown = visible.clone();
        ahead.apply(&ties, &mut shown, &[(5, visible[5].with_experience(0.5))]);
        assert_eq!(shown[5], visible[5].with_experience(0.5));
    }

    #[test]
    fn sums_are_corrected_where_a_row_has_more_strong_ties_than_its_count_holds() {
        // 300 residents all tied to each other in one grid: each row's strong count is
        // full at 255, so its last 44 grid ties count as weak, and whether `r` is strong
        // for `j` differs from whether `j` is strong for `r`.
        let n = 300u32;
        let mut offsets = vec![0u32];
        let mut targets = Vec::new();
        for i in 0..n {
            targets.extend((0..n).filter(|&j| j != i));
            offsets.push(targets.len() as u32);
        }
        let ties = crate::model::residents::Ties {
            offsets,
            targets,
            strong: vec![u8::MAX; n as usize],
        };
        let mut s = stream(5, Purpose::Ties, 0, 0);
        let visible: Vec<Visible> = (0..n)
            .map(|_| Visible::new(2.0 * s.unit() as f32 - 1.0, QUIET, 0, 0))
            .collect();
        let changes: Vec<(u32, Visible)> = [3u32, 290, 150, 3]
            .iter()
            .map(|&r| {
                (
                    r,
                    visible[r as usize].with_experience(2.0 * s.unit() as f32 - 1.0),
                )
            })
            .collect();
        let mut ahead = SumsAhead::new(visible.len(), &ties);
        assert!(!ahead.kinds_mutual);
        ahead.take(&visible, &ties, &AtomicBool::new(false));
        let mut shown = visible.clone();
        ahead.apply(&ties, &mut shown, &changes);
        check_sums(&ahead, &ties, &shown);
    }
}
