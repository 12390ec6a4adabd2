//! Shocks (MODEL.md §8): events that perturb issue rates, hardship, trust and capacity in
//! target units for a window of ticks. Shocks compose: each adds its effect to a neutral
//! [`Effects`] per community, multiplying rates and capacities and adding pushes.
//!
//! This version ships the flood; the rest of the library (epidemic, economic closure,
//! contentious policy, rumour, fiscal cut) plugs into the same [`Effects`].

use super::issues::Category;
use super::territory::Territory;
use serde::{Deserialize, Serialize};

/// Which part of a target county a shock hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    All,
    Urban,
    Rural,
}

/// The units a shock hits: named counties (all when empty), then urban, rural or all of
/// their communities.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    #[serde(default)]
    pub counties: Vec<String>,
    pub area: Area,
}

impl Target {
    /// Communities hit, as a mask over all communities.
    pub fn communities(&self, territory: &Territory, names: &[String]) -> Vec<bool> {
        territory
            .communities
            .iter()
            .map(|c| {
                let county_hit = self.counties.is_empty()
                    || self
                        .counties
                        .iter()
                        .any(|n| names.get(c.county as usize) == Some(n));
                let area_hit = match self.area {
                    Area::All => true,
                    Area::Urban => c.urban,
                    Area::Rural => !c.urban,
                };
                county_hit && area_hit
            })
            .collect()
    }
}

/// A flood (洪涝): a sudden onset that recedes linearly over its duration. It raises
/// emergency, public-facility and assistance issues, pushes hardship up, and takes
/// capacity from the grid, community and township offices it hits (staff are stranded or
/// diverted), and half as much from the county offices of hit counties.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flood {
    /// First tick of the flood.
    pub start: u32,
    /// Ticks until the water has receded.
    pub duration: u32,
    pub target: Target,
    /// Peak strength in [0,1]; the effect at tick t is `intensity · (1 − (t−start)/duration)`.
    pub intensity: f64,
    /// Emergency issue rate multiplier at strength 1 (added to 1).
    pub emergency_surge: f64,
    /// Public-facility and assistance issue rate multipliers at strength 1 (added to 1).
    pub facility_surge: f64,
    pub assistance_surge: f64,
    /// Hardship added per day at strength 1.
    pub hardship_per_day: f64,
    /// Share of local office capacity lost at strength 1.
    pub capacity_loss: f64,
}

/// One shock of a scenario.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Shock {
    Flood(Flood),
}

impl Shock {
    /// The window of ticks the shock is active, `[start, end)`.
    pub fn window(&self) -> (u32, u32) {
        match self {
            Shock::Flood(f) => (f.start, f.start + f.duration),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Shock::Flood(_) => "flood",
        }
    }
}

/// Per-community effect of all shocks in one tick. Neutral is rate multipliers 1,
/// capacity multiplier 1, pushes 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Effects {
    pub rate_mult: [f32; 8],
    pub hardship_push: f32,
    pub trust_push: f32,
    pub capacity_mult: f32,
}

impl Effects {
    pub const NEUTRAL: Effects = Effects {
        rate_mult: [1.0; 8],
        hardship_push: 0.0,
        trust_push: 0.0,
        capacity_mult: 1.0,
    };
}

/// A shock prepared for a territory: its spec plus the communities it hits.
pub struct ActiveShock {
    pub shock: Shock,
    pub hits: Vec<bool>,
}

impl ActiveShock {
    pub fn new(shock: Shock, territory: &Territory, county_names: &[String]) -> ActiveShock {
        let hits = match &shock {
            Shock::Flood(f) => f.target.communities(territory, county_names),
        };
        ActiveShock { shock, hits }
    }

    /// Add this shock's effect at `tick` to the per-community effects and the per-county
    /// capacity multipliers.
    pub fn apply(
        &self,
        tick: u32,
        effects: &mut [Effects],
        county_capacity: &mut [f32],
        territory: &Territory,
    ) {
        let (start, end) = self.shock.window();
        if tick < start || tick >= end {
            return;
        }
        match &self.shock {
            Shock::Flood(f) => {
                let strength =
                    (f.intensity * (1.0 - (tick - start) as f64 / f.duration.max(1) as f64)) as f32;
                let mut county_hit = vec![false; county_capacity.len()];
                for (c, e) in effects.iter_mut().enumerate() {
                    if !self.hits[c] {
                        continue;
                    }
                    e.rate_mult[Category::Emergency as usize] *=
                        1.0 + strength * f.emergency_surge as f32;
                    e.rate_mult[Category::PublicFacility as usize] *=
                        1.0 + strength * f.facility_surge as f32;
                    e.rate_mult[Category::SocialAssistance as usize] *=
                        1.0 + strength * f.assistance_surge as f32;
                    e.hardship_push += strength * f.hardship_per_day as f32;
                    e.capacity_mult *= 1.0 - strength * f.capacity_loss as f32;
                    county_hit[territory.communities[c].county as usize] = true;
                }
                for (k, hit) in county_hit.into_iter().enumerate() {
                    if hit {
                        county_capacity[k] *= 1.0 - 0.5 * strength * f.capacity_loss as f32;
                    }
                }
            }
        }
    }
}
