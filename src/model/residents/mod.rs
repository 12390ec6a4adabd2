//! Residents (居民), stored as a structure of arrays, and their tie graph in compressed
//! rows.
//!
//! Invariant: residents are numbered grid by grid (see `territory`), and each resident's
//! ties are stored strong ties first (same grid), then weak ties (other grids, townships
//! and a few counties). Link strength (MODEL.md §6) is fixed at build time from ties to
//! grid staff, organisations and neighbours.

use super::territory::Territory;
use crate::base::rng::{Purpose, stream};
use rand_distr::{Beta, Distribution};
use serde::{Deserialize, Serialize};

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
    /// Mean digital access, urban and rural (elderly have half).
    pub digital_urban: f64,
    pub digital_rural: f64,
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
    /// Scale of every resident's link strength (ties to grid staff and organisations);
    /// low values model thin links that make linkage hollow (只联不动).
    pub link_strength: f64,
    /// Rural residents' contact with grid staff relative to urban residents.
    pub rural_staff_contact: f64,
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

/// What a resident's ties see of it: the fields neighbours read during a tick, packed
/// into one 8-byte record so that a tie costs one cache line fetch, not four. The
/// engine double-buffers it; every other field belongs to the resident alone.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(C, align(8))]
pub struct Visible {
    /// Word-of-mouth signal this resident passes on: + after a fast resolution, − after
    /// an expiry or while protesting; decays each tick. In [−1, 1].
    pub experience: f32,
    /// Activity state: `QUIET`, `VOLUNTEERING`, `PROTESTING` or `MEDIATED`.
    pub activity: u8,
    /// Health state for the epidemic: `SUSCEPTIBLE`, `EXPOSED`, `INFECTED`, `RECOVERED`.
    pub health: u8,
    /// Rumour state (see `engine::residents_phase`: never, believes, debunked).
    pub rumour: u8,
}

const _: () = assert!(std::mem::size_of::<Visible>() == 8);

/// All residents, one vector per field (structure of arrays).
pub struct Residents {
    pub grid: Vec<u32>,
    pub age: Vec<u8>,
    /// Hardship H and its baseline (what it relaxes to).
    pub hardship: Vec<f32>,
    pub hardship_base: Vec<f32>,
    /// Trust / perceived legitimacy L and its baseline.
    pub trust: Vec<f32>,
    pub trust_base: Vec<f32>,
    pub risk_aversion: Vec<f32>,
    pub digital: Vec<f32>,
    /// Link strength in [0,1].
    pub link: Vec<f32>,
    /// Experience, activity, health and rumour state, as neighbours see them.
    pub visible: Vec<Visible>,
    /// Ticks left in the mediated state.
    pub cooldown: Vec<u8>,
    /// Volunteer points (积分制), an incentive to volunteer again.
    pub points: Vec<f32>,
    /// Exposure to incidents and protest around one (1 − security).
    pub exposure: Vec<f32>,
    /// Issues raised and resolved, each counted with a weight that decays with age
    /// (`behaviour.gain_memory_days`): the sense of gain (获得感) looks at recent service.
    pub outcomes: Vec<Outcomes>,
    pub ties: Ties,
}

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

/// Tie graph in compressed rows: `targets[offsets[i]..offsets[i+1]]`, strong ties first,
/// `strong[i]` of them.
pub struct Ties {
    pub offsets: Vec<u32>,
    pub targets: Vec<u32>,
    pub strong: Vec<u8>,
}

impl Ties {
    #[inline]
    pub fn of(&self, i: usize) -> (&[u32], usize) {
        let s = self.offsets[i] as usize;
        let e = self.offsets[i + 1] as usize;
        (&self.targets[s..e], self.strong[i] as usize)
    }
}

fn beta_mean(mean: f64, concentration: f64) -> Beta<f64> {
    let m = mean.clamp(0.01, 0.99);
    let c = concentration.max(0.5);
    Beta::new(m * c, (1.0 - m) * c).expect("beta parameters are positive")
}

impl Residents {
    pub fn build(territory: &Territory, spec: &PopulationSpec, seed: u64) -> Residents {
        let n = territory.residents() as usize;
        let mut r = Residents {
            grid: Vec::with_capacity(n),
            age: Vec::with_capacity(n),
            hardship: Vec::with_capacity(n),
            hardship_base: Vec::with_capacity(n),
            trust: Vec::with_capacity(n),
            trust_base: Vec::with_capacity(n),
            risk_aversion: Vec::with_capacity(n),
            digital: Vec::with_capacity(n),
            link: Vec::with_capacity(n),
            visible: vec![Visible::default(); n],
            cooldown: vec![0; n],
            points: vec![0.0; n],
            exposure: vec![0.0; n],
            outcomes: vec![Outcomes::default(); n],
            ties: Ties {
                offsets: Vec::new(),
                targets: Vec::new(),
                strong: Vec::new(),
            },
        };
        let h_u = beta_mean(spec.hardship_urban, spec.concentration);
        let h_r = beta_mean(spec.hardship_rural, spec.concentration);
        let l_d = beta_mean(spec.trust_mean, spec.concentration);
        let mut member = vec![false; n];
        let mut staff_contact = vec![0.0f32; n];
        for (g, grid) in territory.grids.iter().enumerate() {
            for i in grid.residents.clone() {
                let mut s = stream(seed, Purpose::Population, i as u64, 0);
                let elderly = if grid.urban {
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
                let h = if grid.urban {
                    h_u.sample(s.rng())
                } else {
                    h_r.sample(s.rng())
                } as f32;
                let l = l_d.sample(s.rng()) as f32;
                let digital_mean = if grid.urban {
                    spec.digital_urban
                } else {
                    spec.digital_rural
                };
                let digital =
                    digital_mean * if age == ELDERLY { 0.5 } else { 1.0 } * (0.5 + s.unit());
                r.grid.push(g as u32);
                r.age.push(age);
                r.hardship.push(h);
                r.hardship_base.push(h);
                r.trust.push(l);
                r.trust_base.push(l);
                r.risk_aversion.push(s.unit() as f32);
                r.digital.push(super::unit(digital as f32));
                member[i as usize] = s.chance(spec.org_membership);
                let contact = if grid.urban {
                    1.0
                } else {
                    spec.rural_staff_contact
                };
                staff_contact[i as usize] = (contact * (0.4 + 0.6 * s.unit())) as f32;
            }
        }
        r.ties = build_ties(territory, spec, &r.grid, seed);
        // Link strength: ties to grid staff, to organisations, and to neighbours.
        for i in 0..n {
            let (t, strong) = r.ties.of(i);
            let weak = t.len() - strong;
            let neighbour = ((strong as f64 + spec.weak_tie_weight * weak as f64)
                / (spec.strong_ties as f64 + spec.weak_tie_weight * spec.weak_ties as f64).max(1.0))
            .min(1.0) as f32;
            let org = if member[i] { 1.0 } else { 0.0 };
            let l =
                spec.link_strength as f32 * (0.5 * staff_contact[i] + 0.3 * org + 0.2 * neighbour);
            r.link.push(super::unit(l));
        }
        r
    }

    pub fn len(&self) -> usize {
        self.grid.len()
    }

    pub fn is_empty(&self) -> bool {
        self.grid.is_empty()
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
fn build_ties(territory: &Territory, spec: &PopulationSpec, grid_of: &[u32], seed: u64) -> Ties {
    let n = territory.residents() as usize;
    let propose = |emit: &mut dyn FnMut(u32, u32)| {
        let pick_in = |s: &mut crate::base::rng::Stream, range: &std::ops::Range<u32>| {
            range.start + s.below(range.len().max(1)) as u32
        };
        for grid in &territory.grids {
            let town = &territory.townships[grid.township as usize];
            let county = &territory.counties[grid.county as usize];
            let adj = &territory.adjacency[grid.county as usize];
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
                        territory.counties[k as usize].residents.clone()
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
            if grid_of[j as usize] == grid_of[i] {
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
