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
    pub fn build(territory: &Territory, spec: &PopulationSpec, seed: u64) -> Residents {
        let n = territory.residents() as usize;
        let mut traits = Vec::with_capacity(n);
        let mut state = Vec::with_capacity(n);
        let baselines = Baselines::new(spec);
        for (g, grid) in territory.grids.iter().enumerate() {
            for i in grid.residents.clone() {
                let mut s = stream(seed, Purpose::Population, i as u64, 0);
                let d = draw(spec, &baselines, grid.urban, &mut s);
                traits.push(Traits {
                    grid: g as u32,
                    hardship_base: d.hardship,
                    trust_base: d.trust,
                    risk_aversion: d.risk_aversion,
                    digital: d.digital,
                    staff_contact: d.staff_contact,
                    age: d.age,
                    member: d.member,
                });
                state.push(ResidentState {
                    hardship: d.hardship,
                    trust: d.trust,
                    ..ResidentState::default()
                });
            }
        }
        let ties = build_ties(territory, spec, &traits, seed);
        let link = (0..n)
            .map(|i| {
                let (t, strong) = ties.of(i);
                let weak = t.len() - strong;
                link_strength(
                    spec,
                    strong,
                    weak,
                    traits[i].member,
                    traits[i].staff_contact,
                )
            })
            .collect();
        Residents {
            traits,
            state,
            link,
            visible: vec![Visible::default(); n],
            ties,
        }
    }

    pub fn len(&self) -> usize {
        self.traits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.traits.is_empty()
    }
}

/// Draw the tie graph: each resident proposes `strong_ties / 2` ties in its grid and
/// `weak_ties / 2` beyond it; proposals are made symmetric and de-duplicated.
///
/// Built straight into compressed rows in two passes over the proposals (count, then
/// fill), which are drawn again rather than stored: peak memory is the rows themselves
/// (4 bytes a tie end, before de-duplication) plus one counter per resident, not an
/// edge list of twice that. Each row is then sorted, de-duplicated and laid out strong
/// ties first, both parts in increasing order.
fn build_ties(territory: &Territory, spec: &PopulationSpec, traits: &[Traits], seed: u64) -> Ties {
    let n = territory.residents() as usize;
    let propose = |emit: &mut dyn FnMut(u32, u32)| {
        let pick_in = |s: &mut Stream, range: &std::ops::Range<u32>| {
            range.start + s.below(range.len().max(1)) as u32
        };
        for grid in &territory.grids {
            let town = &territory.townships[grid.township.index()];
            let county = &territory.counties[grid.county.index()];
            let adj = &territory.adjacency[grid.county.index()];
            for i in grid.residents.clone() {
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
                    } else if u < spec.weak_same_township + spec.weak_same_county || adj.is_empty()
                    {
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
        }
    };
    // Pass 1: tie ends per resident, both directions.
    let mut offsets = vec![0u32; n + 1];
    propose(&mut |i, j| {
        offsets[i as usize + 1] += 1;
        offsets[j as usize + 1] += 1;
    });
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    // Pass 2: fill the rows.
    let mut targets = vec![0u32; offsets[n] as usize];
    let mut fill: Vec<u32> = offsets[..n].to_vec();
    propose(&mut |i, j| {
        targets[fill[i as usize] as usize] = j;
        fill[i as usize] += 1;
        targets[fill[j as usize] as usize] = i;
        fill[j as usize] += 1;
    });
    drop(fill);
    // Sort, de-duplicate and put strong ties first, compacting rows in place.
    let mut strong = vec![0u8; n];
    let mut weak: Vec<u32> = Vec::new();
    let mut write = 0usize;
    let mut start = 0usize;
    for i in 0..n {
        let end = offsets[i + 1] as usize;
        let row = &mut targets[start..end];
        row.sort_unstable();
        let mut ns = 0u8;
        let row_start = write;
        weak.clear();
        let mut last = None;
        for k in start..end {
            let j = targets[k];
            if last == Some(j) {
                continue;
            }
            last = Some(j);
            if traits[j as usize].grid == traits[i].grid {
                targets[write] = j;
                write += 1;
                ns = ns.saturating_add(1);
            } else {
                weak.push(j);
            }
        }
        targets[write..write + weak.len()].copy_from_slice(&weak);
        write += weak.len();
        strong[i] = ns;
        offsets[i] = row_start as u32;
        start = end;
    }
    offsets[n] = write as u32;
    targets.truncate(write);
    targets.shrink_to_fit();
    Ties {
        offsets,
        targets,
        strong,
    }
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
