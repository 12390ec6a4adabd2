//! What a resident's ties showed last tick, summed: their word-of-mouth signals (strong
//! and weak ties apart) and how many of them protested and volunteered. The hottest
//! loop of a tick (11 ties a resident, a sixth of a resident-tick's instructions), so
//! where the CPU has AVX2 eight ties' records are fetched by one gather instruction
//! ([`sum_ties`]); elsewhere a scalar loop does it. Both add the same integers, so they
//! give the same sums, bit for bit (integer addition in any order; a test compares them
//! on random rows).

use super::{PROTESTING, VOLUNTEERING, Visible};

/// The summed signals and counts of a resident's ties.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Heard {
    /// Summed word of mouth of the strong ties, in units of 1/`VOICE_SCALE`, added
    /// wrapping in 32 bits (exact up to 65,535 ties).
    pub said_strong: i32,
    /// The same of the weak ties.
    pub said_weak: i32,
    /// Ties protesting, exact up to [`ACTIVITY_LANE`] ties (beyond it the caller counts
    /// again).
    pub protesting: u32,
    /// Ties volunteering, as `protesting`.
    pub volunteering: u32,
    /// How many strong and weak ties were summed.
    pub strong: u32,
    pub weak: u32,
}

/// The most ties whose activities [`sum_ties`] counts exactly (the scalar loop counts
/// in 16-bit lanes).
pub const ACTIVITY_LANE: u32 = 0xffff;

/// The sums over strong ties `strong` and weak ties `weak` of the records `visible`.
/// Panics, as indexing does, if a tie is not a resident of `visible`.
#[inline(always)]
pub fn sum_ties(visible: &[Visible], strong: &[u32], weak: &[u32]) -> Heard {
    #[cfg(target_arch = "x86_64")]
    if avx2::usable(visible) {
        // SAFETY: `usable` checked that the CPU has AVX2 and that `visible` has at most
        // `i32::MAX` records.
        return unsafe { avx2::sum_ties(visible, strong, weak) };
    }
    scalar(visible, strong, weak)
}

/// [`sum_ties`] without SIMD.
#[inline(always)]
fn scalar(visible: &[Visible], strong: &[u32], weak: &[u32]) -> Heard {
    let mut activity = 0u64;
    let said_strong = sum_said(visible, strong, &mut activity);
    let said_weak = sum_said(visible, weak, &mut activity);
    Heard {
        said_strong,
        said_weak,
        protesting: activity_count(activity, PROTESTING),
        volunteering: activity_count(activity, VOLUNTEERING),
        strong: strong.len() as u32,
        weak: weak.len() as u32,
    }
}

/// The summed word-of-mouth signals of ties `ties` and their activities counted into
/// `activity` (16 bits an activity, [`activity_count`]).
#[inline(always)]
fn sum_said(visible: &[Visible], ties: &[u32], activity: &mut u64) -> i32 {
    let mut said = 0i32;
    // Two ties a step: half the loop's own instructions.
    let mut pairs = ties.chunks_exact(2);
    for pair in &mut pairs {
        let (a, b) = (&visible[pair[0] as usize], &visible[pair[1] as usize]);
        said = said.wrapping_add(a.said() as i32 + b.said() as i32);
        *activity = activity
            .wrapping_add(activity_bit(a.activity))
            .wrapping_add(activity_bit(b.activity));
    }
    if let [j] = pairs.remainder() {
        let a = &visible[*j as usize];
        said = said.wrapping_add(a.said() as i32);
        *activity = activity.wrapping_add(activity_bit(a.activity));
    }
    said
}

/// One count in the 16-bit lane of `activity` (`QUIET` to `MEDIATED`, 0 to 3; the
/// activity is read modulo 4). A lane holds [`ACTIVITY_LANE`] ties; a resident with
/// more is counted again (the lanes are added wrapping, so an overflow is only a wrong
/// count that the recount replaces). Looked up rather than shifted: one load-and-add a
/// tie instead of a variable shift.
#[inline(always)]
fn activity_bit(activity: u8) -> u64 {
    const LANES: [u64; 4] = [1, 1 << 16, 1 << 32, 1 << 48];
    LANES[(activity & 3) as usize]
}

/// The number of ties with `activity` in counts made by [`activity_bit`].
#[inline(always)]
fn activity_count(counts: u64, activity: u8) -> u32 {
    ((counts >> (activity as u32 * 16)) & 0xffff) as u32
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Heard, PROTESTING, VOLUNTEERING, Visible};
    use std::arch::x86_64::*;

    // The gather reads a record as one 32-bit word: the signal in its low 16 bits, the
    // activity in the byte above (`Visible` is `repr(C)`: said, activity, status).
    const _: () = assert!(std::mem::size_of::<Visible>() == 4);
    const _: () = assert!(std::mem::offset_of!(Visible, activity) == 2);

    /// Steps of eight taken on every strong row and on every weak one, whatever their
    /// lengths ([`sum_row`]).
    const STRONG_STEPS: usize = 2;
    const WEAK_STEPS: usize = 1;

    /// Whether the gather may be used on `visible`: the CPU has AVX2, and every index
    /// of it fits the gather's signed 32-bit offsets.
    #[inline(always)]
    pub fn usable(visible: &[Visible]) -> bool {
        visible.len() <= i32::MAX as usize && std::arch::is_x86_feature_detected!("avx2")
    }

    /// [`super::sum_ties`] eight ties a step: the row's indices are loaded (the last
    /// step masked), checked against `visible`'s length, and their records gathered;
    /// signals are added in 32-bit lanes and activities counted by comparison.
    ///
    /// # Safety
    /// The CPU must have AVX2, and `visible.len()` must be at most `i32::MAX`.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub unsafe fn sum_ties(visible: &[Visible], strong: &[u32], weak: &[u32]) -> Heard {
        let mut acts = Acts {
            protesting: _mm256_setzero_si256(),
            volunteering: _mm256_setzero_si256(),
        };
        // SAFETY (both): AVX2 is there, and `visible` is short enough (the caller).
        let said_strong = unsafe { sum_row::<STRONG_STEPS>(visible, strong, &mut acts) };
        let said_weak = unsafe { sum_row::<WEAK_STEPS>(visible, weak, &mut acts) };
        // Four horizontal sums at once: pairs of lanes, then pairs of pairs, then the
        // two halves.
        let s = _mm256_hadd_epi32(
            _mm256_hadd_epi32(said_strong, said_weak),
            _mm256_hadd_epi32(acts.protesting, acts.volunteering),
        );
        let s = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256::<1>(s));
        Heard {
            said_strong: _mm_extract_epi32::<0>(s),
            said_weak: _mm_extract_epi32::<1>(s),
            // Each lane counted down by one a match (a match compares as −1).
            protesting: _mm_extract_epi32::<2>(s).wrapping_neg() as u32,
            volunteering: _mm_extract_epi32::<3>(s).wrapping_neg() as u32,
            strong: strong.len() as u32,
            weak: weak.len() as u32,
        }
    }

    /// Activity matches so far, one count a lane (as −1s).
    struct Acts {
        protesting: __m256i,
        volunteering: __m256i,
    }

    /// The row `ties`' signals, summed per lane; its activities added into `acts`. The
    /// first `STEPS` steps of eight are taken whatever the row's length (a step past its
    /// end is wholly masked and adds nothing), so that a row of up to `8 × STEPS` ties
    /// takes no branch on its length: such branches, on rows of a few ties more or
    /// less, were mispredicted often enough to cost more than the empty steps.
    ///
    /// # Safety
    /// As [`sum_ties`].
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn sum_row<const STEPS: usize>(
        visible: &[Visible],
        ties: &[u32],
        acts: &mut Acts,
    ) -> __m256i {
        let mut said = _mm256_setzero_si256();
        // The largest index in bounds. An empty `visible` has none: `last` wraps to
        // `u32::MAX`, which every index passes, so `empty` is checked apart.
        let last = _mm256_set1_epi32(visible.len().wrapping_sub(1) as u32 as i32);
        let empty = visible.is_empty();
        let base = visible.as_ptr() as *const i32;
        let lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        let mut step = |at: usize| {
            let left = ties.len().saturating_sub(at).min(8);
            // Lanes past the row's end are masked: not loaded (they read as 0), not
            // gathered (they stay 0: a silent, quiet tie adds nothing).
            let mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(left as i32), lanes);
            // SAFETY: the mask covers only lanes at `at..ties.len()`, in the slice (none
            // past the row's end, where the address is not dereferenced).
            let row = ties.as_ptr().wrapping_add(at) as *const i32;
            let idx = unsafe { _mm256_maskload_epi32(row, mask) };
            // Every index at most `last` (unsigned); an index beyond panics as indexing
            // would. (Masked lanes load as 0, which fits unless `visible` is empty.)
            let fits = _mm256_cmpeq_epi32(_mm256_max_epu32(idx, last), last);
            if (empty && left > 0) || _mm256_movemask_epi8(fits) != -1 {
                out_of_bounds(visible, &ties[at..]);
            }
            // SAFETY: every unmasked lane's index is below `visible.len()`, which is at
            // most `i32::MAX`, so the gather reads only `visible`'s records.
            let rec = unsafe {
                _mm256_mask_i32gather_epi32::<4>(_mm256_setzero_si256(), base, idx, mask)
            };
            // The signal: the low 16 bits, sign-extended.
            said = _mm256_add_epi32(said, _mm256_srai_epi32::<16>(_mm256_slli_epi32::<16>(rec)));
            // The activity, modulo 4 as the scalar loop reads it.
            let activity = _mm256_and_si256(_mm256_srli_epi32::<16>(rec), _mm256_set1_epi32(3));
            acts.protesting = _mm256_add_epi32(
                acts.protesting,
                _mm256_cmpeq_epi32(activity, _mm256_set1_epi32(PROTESTING as i32)),
            );
            acts.volunteering = _mm256_add_epi32(
                acts.volunteering,
                _mm256_cmpeq_epi32(activity, _mm256_set1_epi32(VOLUNTEERING as i32)),
            );
        };
        for k in 0..STEPS {
            step(8 * k);
        }
        let mut at = 8 * STEPS;
        while at < ties.len() {
            step(at);
            at += 8;
        }
        said
    }

    /// Panic as indexing `visible` by the first bad index of `ties` does.
    #[cold]
    #[inline(never)]
    fn out_of_bounds(visible: &[Visible], ties: &[u32]) -> ! {
        for &j in ties {
            let _ = visible[j as usize];
        }
        unreachable!("a tie's index was out of bounds")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::rng::{Purpose, Stream, stream};
    use crate::model::residents::{DEBUNKED, HEALTH_BITS, MEDIATED, QUIET};

    /// `n` records of every activity, health byte and rumour state, with signals across
    /// their range and at its ends.
    fn records(n: usize, s: &mut Stream) -> Vec<Visible> {
        (0..n)
            .map(|_| {
                let activity = [QUIET, VOLUNTEERING, PROTESTING, MEDIATED][s.below(4)];
                let health = s.below(HEALTH_BITS as usize + 1) as u8;
                let rumour = s.below(DEBUNKED as usize + 1) as u8;
                let v = Visible::new(0.0, activity, health, rumour);
                match s.below(10) {
                    0 => v.with_experience(1.0),
                    1 => v.with_experience(-1.0),
                    _ => v.with_experience(2.0 * s.unit() as f32 - 1.0),
                }
            })
            .collect()
    }

    /// Random rows of every length up to 40 and a few longer, over random records:
    /// the scalar loop against sums by hand, and the gather (where the CPU has AVX2)
    /// against the scalar loop.
    #[test]
    fn the_gather_and_the_scalar_loop_sum_alike() {
        let mut s = stream(15, Purpose::Ties, 0, 0);
        let visible = records(1000, &mut s);
        #[cfg(target_arch = "x86_64")]
        let avx2 = std::arch::is_x86_feature_detected!("avx2");
        #[cfg(target_arch = "x86_64")]
        if !avx2 {
            eprintln!("no AVX2 on this CPU: the gather is not tested here");
        }
        for len in (0..40).chain([63, 64, 65, 200]) {
            for _ in 0..20 {
                let strong: Vec<u32> = (0..len).map(|_| s.below(1000) as u32).collect();
                let weak: Vec<u32> = (0..s.below(12)).map(|_| s.below(1000) as u32).collect();
                let want = scalar(&visible, &strong, &weak);
                let said = |r: &[u32]| -> i32 {
                    r.iter().map(|&j| visible[j as usize].said() as i32).sum()
                };
                let count = |a| {
                    strong
                        .iter()
                        .chain(&weak)
                        .filter(|&&j| visible[j as usize].activity == a)
                        .count() as u32
                };
                assert_eq!(
                    want,
                    Heard {
                        said_strong: said(&strong),
                        said_weak: said(&weak),
                        protesting: count(PROTESTING),
                        volunteering: count(VOLUNTEERING),
                        strong: strong.len() as u32,
                        weak: weak.len() as u32,
                    }
                );
                #[cfg(target_arch = "x86_64")]
                if avx2 {
                    // SAFETY: the CPU has AVX2; 1,000 records.
                    let got = unsafe { avx2::sum_ties(&visible, &strong, &weak) };
                    assert_eq!(got, want, "row of {len}");
                }
                assert_eq!(sum_ties(&visible, &strong, &weak), want, "row of {len}");
            }
        }
    }

    #[test]
    #[should_panic(expected = "index out of bounds")]
    fn a_tie_beyond_the_records_panics_as_indexing_does() {
        let visible = vec![Visible::default(); 10];
        sum_ties(&visible, &[1, 2, 3, 4, 5, 6, 7, 8, 9], &[10]);
    }

    /// An index negative as a signed 32-bit offset (which the gather would read before
    /// the records) is refused as any other beyond them.
    #[test]
    #[should_panic(expected = "index out of bounds")]
    fn a_tie_at_the_sign_bit_panics_as_indexing_does() {
        let visible = vec![Visible::default(); 10];
        sum_ties(&visible, &[0, 0x8000_0000], &[]);
    }

    #[test]
    #[should_panic(expected = "index out of bounds")]
    fn the_largest_index_panics_as_indexing_does() {
        let visible = vec![Visible::default(); 10];
        sum_ties(&visible, &[], &[3, u32::MAX]);
    }

    #[test]
    #[should_panic(expected = "index out of bounds")]
    fn a_tie_with_no_records_panics_as_indexing_does() {
        sum_ties(&[], &[0], &[]);
    }

    #[test]
    fn no_ties_over_no_records_sum_to_nothing() {
        // The gather's steps taken whatever a row's length are wholly masked here: they
        // read nothing and check no index.
        assert_eq!(sum_ties(&[], &[], &[]), Heard::default());
        assert_eq!(scalar(&[], &[], &[]), Heard::default());
    }
}
