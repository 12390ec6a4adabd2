//! The units a shock hits (`[shocks.target]`), common to every kind.

use crate::model::territory::{County, Territory};
use serde::{Deserialize, Serialize};

/// Which part of a target county a shock hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    #[default]
    All,
    Urban,
    Rural,
}

/// The units a shock hits: named counties (every county when empty), their urban, rural
/// or all communities, and optionally only the `township`-th township (counting from 0)
/// of that area in each named county.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    #[serde(default)]
    pub counties: Vec<String>,
    #[serde(default)]
    pub area: Area,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub township: Option<u32>,
}

impl Target {
    /// Whether `county` is one of the named counties (every county when none is named).
    fn names(&self, county: &str) -> bool {
        self.counties.is_empty() || self.counties.iter().any(|n| n == county)
    }

    /// The townships of `county` in this target's area, in territory order.
    fn towns<'a>(
        &self,
        territory: &'a Territory,
        county: &'a County,
    ) -> impl Iterator<Item = u32> + 'a {
        let area = self.area;
        county.townships.clone().filter(move |&t| match area {
            Area::All => true,
            Area::Urban => territory.townships[t as usize].urban,
            Area::Rural => !territory.townships[t as usize].urban,
        })
    }

    /// Communities hit, as a mask over all communities.
    pub fn communities(&self, territory: &Territory) -> Vec<bool> {
        let mut mask = vec![false; territory.communities.len()];
        for county in territory.counties.iter().filter(|k| self.names(&k.name)) {
            let towns: Vec<u32> = self.towns(territory, county).collect();
            let chosen: Vec<u32> = match self.township {
                Some(i) => towns.get(i as usize).copied().into_iter().collect(),
                None => towns,
            };
            for t in chosen {
                for c in territory.townships[t as usize].communities.clone() {
                    mask[c as usize] = true;
                }
            }
        }
        mask
    }

    /// A problem with this target in `territory`, if any (a township index that does not
    /// exist, or a target that hits nothing).
    pub fn problem(&self, territory: &Territory) -> Option<String> {
        if let Some(i) = self.township {
            for county in territory.counties.iter().filter(|k| self.names(&k.name)) {
                let n = self.towns(territory, county).count();
                if i as usize >= n {
                    return Some(format!(
                        "township {i} does not exist in {} ({n} {} township{} at this size); allowed: 0 to {}",
                        county.name,
                        match self.area {
                            Area::All => "",
                            Area::Urban => "urban",
                            Area::Rural => "rural",
                        },
                        if n == 1 { "" } else { "s" },
                        n.saturating_sub(1)
                    ));
                }
            }
        }
        if !self.communities(territory).iter().any(|&h| h) {
            return Some(
                "hits no community (no county has that area); choose another area or county".into(),
            );
        }
        None
    }
}
