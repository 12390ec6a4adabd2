//! Drawing the population: each resident's age, baseline hardship and trust, risk
//! aversion, digital access, membership and contact with grid staff, its ties, and the
//! link strength that follows from them (MODEL.md §3, §6).
//!
//! Every resident's attributes come from its own stream (`Purpose::Population`, keyed by
//! the resident), its proposed ties from another (`Purpose::Ties`), so a population is
//! the same whatever order it is built in.

use super::{
    ADULT, ELDERLY, PopulationSpec, ResidentState, Residents, Ties, Traits, Visible, YOUTH,
};
use crate::base::rng::{Purpose, Stream, stream};
use crate::model::territory::Territory;
use crate::model::unit;
use rand_distr::{Beta, Distribution};
use rayon::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

fn beta_mean(mean: f64, concentration: f64) -> Beta<f64> {
    let m = mean.clamp(0.01, 0.99);
    let c = concentration.max(0.5);
    Beta::new(m * c, (1.0 - m) * c).expect("beta parameters are positive")
}

/// The distributions of baseline hardship (urban and rural) and trust.
pub struct Baselines {
    hardship_urban: Beta<f64>,
    hardship_rural: Beta<f64>,
    trust: Beta<f64>,
}

impl Baselines {
    pub fn new(spec: &PopulationSpec) -> Baselines {
        Baselines {
            hardship_urban: beta_mean(spec.hardship_urban, spec.concentration),
            hardship_rural: beta_mean(spec.hardship_rural, spec.concentration),
            trust: beta_mean(spec.trust_mean, spec.concentration),
        }
    }
}

/// One resident's attributes as drawn at build time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Drawn {
    pub age: u8,
    /// Baseline hardship and trust (the resident starts at them).
    pub hardship: f32,
    pub trust: f32,
    pub risk_aversion: f32,
    pub digital: f32,
    /// Member of a social organisation.
    pub member: bool,
    /// Contact with grid staff, before link strength is scaled.
    pub staff_contact: f32,
}

/// Draw one resident of an urban or rural grid from its stream `s`. The draws are taken
/// in a fixed order: age, hardship, trust, digital access, risk aversion, membership,
/// staff contact.
pub fn draw(spec: &PopulationSpec, baselines: &Baselines, urban: bool, s: &mut Stream) -> Drawn {
    let elderly = if urban {
        spec.elderly_share_urban
    } else {
        spec.elderly_share_rural
    };
    let u = s.unit();
    let age = if u < elderly {
        ELDERLY
    } else if u < elderly + spec.youth_share {
        YOUTH
    } else {
        ADULT
    };
    let hardship = if urban {
        baselines.hardship_urban.sample(s.rng())
    } else {
        baselines.hardship_rural.sample(s.rng())
    } as f32;
    let trust = baselines.trust.sample(s.rng()) as f32;
    let digital_mean = if urban {
        spec.digital_urban
    } else {
        spec.digital_rural
    };
    let age_factor = if age == ELDERLY {
        spec.digital_elderly
    } else {
        1.0
    };
    let spread = spec.digital_spread;
    let digital = digital_mean * age_factor * ((1.0 - spread / 2.0) + spread * s.unit());
    let risk_aversion = s.unit() as f32;
    let member = s.chance(spec.org_membership);
    let contact = if urban { 1.0 } else { spec.rural_staff_contact };
    let least = spec.staff_contact_min;
    let staff_contact = (contact * (least + (1.0 - least) * s.unit())) as f32;
    Drawn {
        age,
        hardship,
        trust,
        risk_aversion,
        digital: unit(digital as f32),
        member,
        staff_contact,
    }
}

/// Starting link strength (联结强度) from contact with grid staff, membership of an
/// organisation and ties to neighbours (`strong` and `weak` of them, counted against the
/// mean degree), scaled by `link_strength` and clamped to [0, 1]. From the first day on
/// it moves by [`super::links::next_link`]; its neighbour term is the floor it decays to.
pub fn link_strength(
    spec: &PopulationSpec,
    strong: usize,
    weak: usize,
    member: bool,
    staff_contact: f32,
) -> f32 {
    let neighbour = ((strong as f64 + spec.weak_tie_weight * weak as f64)
        / (spec.strong_ties as f64 + spec.weak_tie_weight * spec.weak_ties as f64).max(1.0))
    .min(1.0) as f32;
    let org = if member { 1.0 } else { 0.0 };
    let l = spec.link_strength as f32
        * (spec.link_weight_staff as f32 * staff_contact
            + spec.link_weight_org as f32 * org
            + spec.link_weight_neighbours as f32 * neighbour);
    unit(l)
}

impl Residents {
    /// Draw the population of `territory`. Runs in the caller's rayon pool: residents'
    /// traits and tie rows are drawn in parallel, each from its own stream, so the
    /// result is the same whatever the thread count.
    pub fn build(territory: &Territory, spec: &PopulationSpec, seed: u64) -> Residents {
        let n = territory.residents() as usize;
        let baselines = Baselines::new(spec);
        // Residents are numbered grid by grid (the territory's invariant).
        let mut grid = vec![0u32; n];
        for (g, gr) in territory.grids.iter().enumerate() {
            grid[gr.residents.start as usize..gr.residents.end as usize].fill(g as u32);
        }
        let traits: Vec<Traits> = grid
            .into_par_iter()
            .enumerate()
            .with_min_len(PAR_MIN)
            .map(|(i, g)| {
                let mut s = stream(seed, Purpose::Population, i as u64, 0);
                let d = draw(spec, &baselines, territory.grids[g as usize].urban, &mut s);
                Traits {
                    grid: g,
                    hardship_base: d.hardship,
                    trust_base: d.trust,
                    risk_aversion: d.risk_aversion,
                    digital: d.digital,
                    staff_contact: d.staff_contact,
                    age: d.age,
                    member: d.member,
                }
            })
            .collect();
        let state = traits
            .par_iter()
            .with_min_len(PAR_MIN)
            .map(|t| ResidentState {
                hardship: t.hardship_base,
                trust: t.trust_base,
                ..ResidentState::default()
            })
            .collect();
        let ties = build_ties(territory, spec, &traits, seed);
        let link = (0..n)
            .into_par_iter()
            .with_min_len(PAR_MIN)
            .map(|i| {
                let (t, strong) = ties.of(i);
                let tr = &traits[i];
                link_strength(spec, strong, t.len() - strong, tr.member, tr.staff_contact)
            })
            .collect();
        Residents {
            traits,
            state,
            link,
            visible: vec![Visible::default(); n],
            ties: Arc::new(ties),
        }
    }

    pub fn len(&self) -> usize {
        self.traits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.traits.is_empty()
    }
}

/// Residents (or tie rows) a parallel task takes at least: enough work to pay for the
/// task, small enough that two threads share a small world evenly.
const PAR_MIN: usize = 1024;

/// Resident `i`'s tie proposals (`i` in grid `g`), from its own stream
/// (`Purpose::Ties`), in a fixed order: `strong_ties / 2` in its grid, then
/// `weak_ties / 2` beyond it (township, county or a neighbouring county).
fn propose(
    territory: &Territory,
    spec: &PopulationSpec,
    seed: u64,
    g: usize,
    i: u32,
    emit: &mut impl FnMut(u32, u32),
) {
    let pick_in = |s: &mut Stream, range: &std::ops::Range<u32>| {
        range.start + s.below(range.len().max(1)) as u32
    };
    let grid = &territory.grids[g];
    let town = &territory.townships[grid.township.index()];
    let county = &territory.counties[grid.county.index()];
    let adj = &territory.adjacency[grid.county.index()];
    let mut s = stream(seed, Purpose::Ties, i as u64, 0);
    if grid.residents.len() > 1 {
        for _ in 0..spec.strong_ties.div_ceil(2) {
            let j = pick_in(&mut s, &grid.residents);
            if j != i {
                emit(i, j);
            }
        }
    }
    for _ in 0..spec.weak_ties.div_ceil(2) {
        let u = s.unit();
        let range = if u < spec.weak_same_township {
            town.residents.clone()
        } else if u < spec.weak_same_township + spec.weak_same_county || adj.is_empty() {
            county.residents.clone()
        } else {
            let k = adj[s.below(adj.len())];
            territory.counties[k.index()].residents.clone()
        };
        let j = pick_in(&mut s, &range);
        if j != i && !grid.residents.contains(&j) {
            emit(i, j);
        }
    }
}

/// Draw the tie graph: each resident proposes `strong_ties / 2` ties in its grid and
/// `weak_ties / 2` beyond it ([`propose`]); proposals are made symmetric and
/// de-duplicated.
///
/// Built straight into compressed rows in two passes over the proposals (count, then
/// fill), which are drawn again rather than stored: peak memory is the rows themselves
/// (4 bytes a tie end, before de-duplication) plus a few counters per resident, not an
/// edge list of twice that. Each row is then sorted, de-duplicated and laid out strong
/// ties first, both parts in increasing order.
///
/// Both passes run in parallel, one task a grid. A grid's task owns its residents'
/// rows, so the ends that stay in the grid (a resident's own proposals, and those of
/// its grid's residents to it) are counted and written without synchronisation. The
/// other ends (weak ties proposed to a resident from other grids) are counted through
/// atomic counters and written to a side array in an order that depends on the
/// threads; each row takes its share of that array before it is sorted, so the rows do
/// not depend on the threads.
fn build_ties(territory: &Territory, spec: &PopulationSpec, traits: &[Traits], seed: u64) -> Ties {
    let n = territory.residents() as usize;
    let grids = &territory.grids;
    // With one thread, a counter is read and written back instead of a locked add (the
    // same result, several times cheaper).
    let single = rayon::current_num_threads() == 1;
    let bump = |c: &AtomicU32| {
        if single {
            let v = c.load(Relaxed);
            c.store(v + 1, Relaxed);
            v
        } else {
            c.fetch_add(1, Relaxed)
        }
    };
    // Pass 1: per resident, the tie ends from its own grid (`local`) and from others.
    let mut local = vec![0u32; n];
    let afar: Vec<AtomicU32> = (0..n).into_par_iter().map(|_| AtomicU32::new(0)).collect();
    per_grid(&mut local, territory)
        .into_par_iter()
        .enumerate()
        .for_each(|(g, local)| {
            let home = &grids[g].residents;
            for i in home.clone() {
                propose(territory, spec, seed, g, i, &mut |i, j| {
                    local[(i - home.start) as usize] += 1;
                    if home.contains(&j) {
                        local[(j - home.start) as usize] += 1;
                    } else {
                        bump(&afar[j as usize]);
                    }
                });
            }
        });
    let mut offsets = vec![0u32; n + 1];
    let mut afar_at = vec![0u32; n + 1];
    for i in 0..n {
        let w = afar[i].load(Relaxed);
        offsets[i + 1] = offsets[i] + local[i] + w;
        afar_at[i + 1] = afar_at[i] + w;
        // From here on: where the next end goes, in the row's own part and in the side
        // array.
        local[i] = 0;
        afar[i].store(afar_at[i], Relaxed);
    }
    // Pass 2: fill the rows' own parts, and the side array.
    let mut targets = vec![0u32; offsets[n] as usize];
    let from_afar: Vec<AtomicU32> = (0..afar_at[n])
        .into_par_iter()
        .map(|_| AtomicU32::new(0))
        .collect();
    let mut rows_of_grid: Vec<&mut [u32]> = Vec::with_capacity(grids.len());
    let mut rest = targets.as_mut_slice();
    for g in grids {
        let len = offsets[g.residents.end as usize] - offsets[g.residents.start as usize];
        let (head, tail) = rest.split_at_mut(len as usize);
        rows_of_grid.push(head);
        rest = tail;
    }
    per_grid(&mut local, territory)
        .into_par_iter()
        .zip(rows_of_grid)
        .enumerate()
        .for_each(|(g, (local, rows))| {
            let home = &grids[g].residents;
            let base = offsets[home.start as usize];
            let mut put = |i: u32, j: u32| {
                let a = (i - home.start) as usize;
                rows[(offsets[i as usize] - base + local[a]) as usize] = j;
                local[a] += 1;
            };
            for i in home.clone() {
                propose(territory, spec, seed, g, i, &mut |i, j| {
                    put(i, j);
                    if home.contains(&j) {
                        put(j, i);
                    } else {
                        let k = bump(&afar[j as usize]);
                        from_afar[k as usize].store(i, Relaxed);
                    }
                });
            }
        });
    drop(afar);
    let from_afar: Vec<u32> = from_afar.into_iter().map(AtomicU32::into_inner).collect();
    // Each row's length after de-duplication (in `local`'s memory).
    let mut kept = local;
    let mut strong = vec![0u8; n];
    // Complete, sort, de-duplicate and put strong ties first, each row in place, in
    // parallel over blocks of rows.
    let mut blocks: Vec<(usize, &mut [u32])> = Vec::with_capacity(n.div_ceil(PAR_MIN));
    let mut rest = targets.as_mut_slice();
    for a in (0..n).step_by(PAR_MIN) {
        let b = (a + PAR_MIN).min(n);
        let (head, tail) = rest.split_at_mut((offsets[b] - offsets[a]) as usize);
        blocks.push((a, head));
        rest = tail;
    }
    blocks
        .into_par_iter()
        .zip(strong.par_chunks_mut(PAR_MIN))
        .zip(kept.par_chunks_mut(PAR_MIN))
        .for_each(|(((a, rows), strong), kept)| {
            let mut weak: Vec<u32> = Vec::new();
            let base = offsets[a] as usize;
            for (k, i) in (a..a + strong.len()).enumerate() {
                let row = &mut rows[offsets[i] as usize - base..offsets[i + 1] as usize - base];
                let own = kept[k] as usize;
                row[own..]
                    .copy_from_slice(&from_afar[afar_at[i] as usize..afar_at[i + 1] as usize]);
                row.sort_unstable();
                let mut ns = 0u8;
                let mut write = 0usize;
                weak.clear();
                let mut last = None;
                for r in 0..row.len() {
                    let j = row[r];
                    if last == Some(j) {
                        continue;
                    }
                    last = Some(j);
                    if traits[j as usize].grid == traits[i].grid {
                        row[write] = j;
                        write += 1;
                        ns = ns.saturating_add(1);
                    } else {
                        weak.push(j);
                    }
                }
                row[write..write + weak.len()].copy_from_slice(&weak);
                strong[k] = ns;
                kept[k] = (write + weak.len()) as u32;
            }
        });
    drop(from_afar);
    drop(afar_at);
    // Compact the rows.
    let mut write = 0usize;
    for i in 0..n {
        let start = offsets[i] as usize;
        let len = kept[i] as usize;
        targets.copy_within(start..start + len, write);
        offsets[i] = write as u32;
        write += len;
    }
    drop(kept);
    offsets[n] = write as u32;
    targets.truncate(write);
    targets.shrink_to_fit();
    Ties {
        offsets,
        targets,
        strong,
    }
}

/// A per-resident slice cut into one slice per grid (residents are numbered grid by
/// grid, from 0).
fn per_grid<'a, T>(mut v: &'a mut [T], territory: &Territory) -> Vec<&'a mut [T]> {
    let mut out = Vec::with_capacity(territory.grids.len());
    for g in &territory.grids {
        let (head, tail) = v.split_at_mut(g.residents.len());
        out.push(head);
        v = tail;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The baseline's values (`scenarios/xcity-baseline.toml`).
    fn spec() -> PopulationSpec {
        crate::scenario::builtin::xcity_baseline().population
    }

    #[test]
    fn link_strength_adds_staff_membership_and_neighbours() {
        let s = spec();
        let alone = link_strength(&s, 0, 0, false, 0.0);
        assert_eq!(alone, 0.0);
        let member = link_strength(&s, 0, 0, true, 0.0);
        assert!((member - 0.3).abs() < 1e-6);
        // A full set of ties counts 0.2; more than the mean counts no more.
        let full = link_strength(&s, 8, 4, false, 0.0);
        assert!((full - 0.2).abs() < 1e-6);
        assert_eq!(link_strength(&s, 80, 40, false, 0.0), full);
        assert_eq!(link_strength(&s, 8, 4, true, 1.0), 1.0);
        let hollow = PopulationSpec {
            link_strength: 0.5,
            ..spec()
        };
        assert!((link_strength(&hollow, 8, 4, true, 1.0) - 0.5).abs() < 1e-6);
    }

    /// Traits and ties are drawn in parallel; the population must not depend on the
    /// thread count (the tie rows are filled in an order that does, then sorted).
    #[test]
    fn the_population_is_the_same_on_one_thread_and_on_four() {
        let sc = crate::scenario::builtin::xcity_baseline();
        let territory = Territory::build(&sc.territory, 30_000);
        let build = |threads| {
            crate::base::pool::pool(Some(threads))
                .expect("pool")
                .install(|| Residents::build(&territory, &sc.population, 7))
        };
        let one = build(1);
        let four = build(4);
        assert_eq!(one.ties.offsets, four.ties.offsets);
        assert_eq!(one.ties.targets, four.ties.targets);
        assert_eq!(one.ties.strong, four.ties.strong);
        assert_eq!(one.traits, four.traits);
        assert_eq!(one.state, four.state);
        assert_eq!(one.link, four.link);
        // Rows are strong ties first, each part increasing, no resident tied to itself.
        for i in 0..one.len() {
            let (t, strong) = one.ties.of(i);
            assert!(
                t[..strong].is_sorted_by(|a, b| a < b) && t[strong..].is_sorted_by(|a, b| a < b)
            );
            assert!(
                t[..strong]
                    .iter()
                    .all(|&j| one.traits[j as usize].grid == one.traits[i].grid)
            );
            assert!(
                t[strong..]
                    .iter()
                    .all(|&j| one.traits[j as usize].grid != one.traits[i].grid)
            );
            // Ties are mutual (the sums taken ahead rely on it).
            assert!(
                t.iter()
                    .all(|&j| one.ties.of(j as usize).0.contains(&(i as u32)))
            );
        }
        assert!(one.ties.targets.len() > 10 * one.len());
    }

    #[test]
    fn draws_follow_the_spreads_and_the_elderly_have_less_digital_access() {
        let exact = PopulationSpec {
            digital_spread: 0.0,
            staff_contact_min: 1.0,
            ..spec()
        };
        let b = Baselines::new(&exact);
        for i in 0..200 {
            let d = draw(&exact, &b, false, &mut stream(1, Purpose::Population, i, 0));
            let expected = if d.age == ELDERLY { 0.25 } else { 0.5 };
            assert_eq!(d.digital, expected);
            assert_eq!(d.staff_contact, 0.7);
        }
        // The same stream draws the same resident.
        let s = spec();
        let b = Baselines::new(&s);
        let one = draw(&s, &b, true, &mut stream(1, Purpose::Population, 9, 0));
        let again = draw(&s, &b, true, &mut stream(1, Purpose::Population, 9, 0));
        assert_eq!(one, again);
    }
}
