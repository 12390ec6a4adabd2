//! The territory (市域): city → county-level units → townships/streets →
//! communities/villages → grids → residents, plus the county adjacency graph.
//!
//! Invariant: every unit's children occupy a contiguous index range, and residents are
//! numbered grid by grid, so "the residents of a community" is a range. The engine relies
//! on this to chunk parallel work by community.

use serde::{Deserialize, Serialize};
use std::ops::Range;

index_id!(
    /// A county-level unit's index in [`Territory::counties`] (at most
    /// `scenario::validate::MAX_COUNTIES`, so 16 bits).
    CountyId(u16)
);
index_id!(
    /// A township's (street's) index in [`Territory::townships`].
    TownshipId(u32)
);
index_id!(
    /// A community's (village's) index in [`Territory::communities`].
    CommunityId(u32)
);
index_id!(
    /// A grid's index in [`Territory::grids`].
    GridId(u32)
);

/// Levels of the administrative hierarchy, lowest first. An issue's `level` is the
/// lowest level whose authority can close it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Grid = 0,
    Community = 1,
    Township = 2,
    County = 3,
    City = 4,
}

/// The kind of a county-level unit (区 / 县级市 / 县). Informational; urban share and
/// size carry the behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountyKind {
    District,
    CountyCity,
    County,
}

/// One county-level unit as a scenario describes it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountySpec {
    pub name: String,
    pub kind: CountyKind,
    /// Share of the city's residents living here (shares are normalised to sum to 1).
    pub population_share: f64,
    /// Share of this county's residents in urban streets/communities, in [0,1].
    pub urban_share: f64,
}

/// How the territory is laid out; unit counts follow from the resident count, so a
/// scenario scales to any population with its proportions kept.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerritorySpec {
    pub counties: Vec<CountySpec>,
    /// Pairs of county names that share a border (spillover, mutual aid, cross-region issues).
    pub adjacency: Vec<[String; 2]>,
    /// Residents per grid (网格), urban and rural.
    pub grid_size_urban: u32,
    pub grid_size_rural: u32,
    /// Grids per community (社区) / village (村).
    pub grids_per_community_urban: u32,
    pub grids_per_community_rural: u32,
    /// Communities per street (街道) / villages per township (乡镇).
    pub communities_per_township_urban: u32,
    pub communities_per_township_rural: u32,
}

#[derive(Clone, Debug)]
pub struct County {
    pub name: String,
    pub kind: CountyKind,
    pub townships: Range<u32>,
    pub residents: Range<u32>,
}

#[derive(Clone, Debug)]
pub struct Township {
    pub county: CountyId,
    pub urban: bool,
    pub communities: Range<u32>,
    pub residents: Range<u32>,
}

#[derive(Clone, Debug)]
pub struct Community {
    pub township: TownshipId,
    pub county: CountyId,
    pub urban: bool,
    pub grids: Range<u32>,
    pub residents: Range<u32>,
    /// Its residents over a full community's (`grid_size` × `grids_per_community`): what
    /// its per-community staff and organisations are scaled by, so that a city's
    /// capacity per resident does not depend on how its parts round into units.
    pub fill: f64,
}

#[derive(Clone, Debug)]
pub struct Grid {
    pub community: CommunityId,
    pub township: TownshipId,
    pub county: CountyId,
    pub urban: bool,
    pub residents: Range<u32>,
    /// Its residents over a full grid's (`grid_size`): what its grid staff are scaled by.
    pub fill: f64,
}

/// The built territory tree. A unit names its parents by id; its children and residents
/// are index ranges into the tables below (contiguous, the module invariant).
#[derive(Clone, Debug)]
pub struct Territory {
    pub counties: Vec<County>,
    pub townships: Vec<Township>,
    pub communities: Vec<Community>,
    pub grids: Vec<Grid>,
    /// Adjacent counties of each county, sorted.
    pub adjacency: Vec<Vec<CountyId>>,
}

/// Split `total` into parts proportional to `weights`, summing exactly to `total`
/// (largest remainders, ties to the lower index).
pub fn apportion(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let mut left = total - parts.iter().sum::<u64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

impl Territory {
    /// Lay out the tree for `residents` people. Each county splits into an urban and a
    /// rural part; each part gets `ceil(pop / grid_size)` grids, grouped into communities
    /// and townships of the configured sizes. Residents are spread evenly over grids.
    pub fn build(spec: &TerritorySpec, residents: u64) -> Territory {
        let shares: Vec<f64> = spec.counties.iter().map(|c| c.population_share).collect();
        let county_pop = apportion(residents, &shares);
        let mut t = Territory {
            counties: Vec::new(),
            townships: Vec::new(),
            communities: Vec::new(),
            grids: Vec::new(),
            adjacency: vec![Vec::new(); spec.counties.len()],
        };
        let mut next_resident: u32 = 0;
        for (k, (cs, &pop)) in spec.counties.iter().zip(&county_pop).enumerate() {
            let county_first_res = next_resident;
            let township_start = t.townships.len() as u32;
            let urban_pop = (pop as f64 * cs.urban_share).round() as u64;
            for (urban, part_pop) in [(true, urban_pop), (false, pop - urban_pop)] {
                if part_pop == 0 {
                    continue;
                }
                let (gsize, gpc, cpt) = if urban {
                    (
                        spec.grid_size_urban,
                        spec.grids_per_community_urban,
                        spec.communities_per_township_urban,
                    )
                } else {
                    (
                        spec.grid_size_rural,
                        spec.grids_per_community_rural,
                        spec.communities_per_township_rural,
                    )
                };
                let n_grids = part_pop.div_ceil(gsize.max(1) as u64).max(1);
                let grid_pop = apportion(part_pop, &vec![1.0; n_grids as usize]);
                let n_comms = n_grids.div_ceil(gpc.max(1) as u64);
                let n_towns = n_comms.div_ceil(cpt.max(1) as u64);
                // Spread grids over communities and communities over townships evenly.
                let grids_per_comm = apportion(n_grids, &vec![1.0; n_comms as usize]);
                let comms_per_town = apportion(n_comms, &vec![1.0; n_towns as usize]);
                let mut g_iter = grid_pop.into_iter();
                let mut c_iter = grids_per_comm.into_iter();
                for &nc in &comms_per_town {
                    let town_idx = t.townships.len() as u32;
                    let town_first_comm = t.communities.len() as u32;
                    let town_first_res = next_resident;
                    for _ in 0..nc {
                        let comm_idx = t.communities.len() as u32;
                        let first_grid = t.grids.len() as u32;
                        let comm_first_res = next_resident;
                        let ng = c_iter.next().unwrap_or(0);
                        for _ in 0..ng {
                            let gp = g_iter.next().unwrap_or(0) as u32;
                            t.grids.push(Grid {
                                community: CommunityId(comm_idx),
                                township: TownshipId(town_idx),
                                county: CountyId::at(k),
                                urban,
                                residents: next_resident..next_resident + gp,
                                fill: gp as f64 / gsize.max(1) as f64,
                            });
                            next_resident += gp;
                        }
                        t.communities.push(Community {
                            township: TownshipId(town_idx),
                            county: CountyId::at(k),
                            urban,
                            grids: first_grid..t.grids.len() as u32,
                            residents: comm_first_res..next_resident,
                            fill: (next_resident - comm_first_res) as f64
                                / (gsize.max(1) as u64 * gpc.max(1) as u64) as f64,
                        });
                    }
                    t.townships.push(Township {
                        county: CountyId::at(k),
                        urban,
                        communities: town_first_comm..t.communities.len() as u32,
                        residents: town_first_res..next_resident,
                    });
                }
            }
            t.counties.push(County {
                name: cs.name.clone(),
                kind: cs.kind,
                townships: township_start..t.townships.len() as u32,
                residents: county_first_res..next_resident,
            });
        }
        let index = |name: &str| spec.counties.iter().position(|c| c.name == name);
        for [a, b] in &spec.adjacency {
            if let (Some(a), Some(b)) = (index(a), index(b))
                && a != b
            {
                t.adjacency[a].push(CountyId::at(b));
                t.adjacency[b].push(CountyId::at(a));
            }
        }
        for adj in &mut t.adjacency {
            adj.sort_unstable();
            adj.dedup();
        }
        t
    }

    pub fn residents(&self) -> u32 {
        self.counties.last().map_or(0, |c| c.residents.end)
    }

    /// Every county, in id order.
    pub fn county_ids(&self) -> impl Iterator<Item = CountyId> + use<> {
        (0..self.counties.len()).map(CountyId::at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_sums_exactly() {
        let parts = apportion(100, &[0.3, 0.3, 0.4]);
        assert_eq!(parts.iter().sum::<u64>(), 100);
        assert_eq!(apportion(7, &[1.0, 1.0, 1.0]), vec![3, 2, 2]);
    }
}
