//! Shocks (MODEL.md §8): events that perturb issue rates, hardship, trust, capacity,
//! budgets, health and beliefs in target units for a window of ticks.
//!
//! One file per kind, each documented on its struct:
//! - [`flood`]: emergencies, capacity loss and hardship in the hit units.
//! - [`epidemic`]: SEIR over the tie graph; detection, isolation and tracing bound by
//!   health and grid staff; supplies to people at home; voluntary distancing; sick staff
//!   cut office capacity; a lockdown thins the ties that carry infection and costs income.
//! - [`closure`]: a factory closure; a share of working-age residents lose income
//!   (hardship) and ask for assistance.
//! - [`land_dispute`]: contentious land requisition; hardship up and trust down in a
//!   township, so grievance crosses Epstein's threshold and protest spills over ties.
//! - [`rumour`]: a trust shock that spreads along weak ties; information sharing slows
//!   its spread and speeds its debunking.
//! - [`fiscal_cut`]: staff capacity and budget income cut in the target counties.
//!
//! Each kind is a struct with the four common fields (`start`, `duration`, `target`,
//! `intensity`) and its own coefficients with serde defaults, and implements [`Kind`]:
//! its name in files, the allowed range of each coefficient, and what it does in one
//! tick. The kinds are registered in `kinds!` below, which makes the serde enum
//! [`Shock`] (tagged by `kind`), [`KINDS`] and the dispatch. Adding a kind: write
//! `src/model/shocks/<kind>.rs`, add `mod <kind>;` and its line in `kinds!`
//! (docs/scenarios.md, "Adding a shock kind").
//!
//! Invariants:
//! - Shocks compose ([`Pressures`]): every tick the engine starts from neutral pressures
//!   and lets each shock add its effect, in scenario order; rate and capacity multipliers
//!   multiply, pushes and shares add. Several shocks at once or in sequence (a compound
//!   shock) are just several entries.
//! - A shock writes only the [`Pressures`] it is given; what it does to a resident
//!   happens in the engine's resident phase under the resident's own random streams.
//! - A kind's module name is its name in scenario files (`kind = "land_dispute"` is
//!   `land_dispute.rs`), checked by a test.

use super::mechanisms::Mechanisms;
use super::territory::Territory;
use serde::{Deserialize, Serialize};

/// Serde default functions for shock coefficients: `name = value;` defines
/// `fn name() -> f64 { value }` (so a coefficient's default is written once).
macro_rules! defaults {
    ($($name:ident = $value:expr;)*) => {
        $(fn $name() -> f64 { $value })*
    };
}

mod pressures;
mod target;

pub mod closure;
pub mod epidemic;
pub mod fiscal_cut;
pub mod flood;
pub mod land_dispute;
pub mod rumour;

pub use closure::Closure;
pub use epidemic::{Control, Epidemic, EpidemicNow, next_health};
pub use fiscal_cut::FiscalCut;
pub use flood::Flood;
pub use land_dispute::LandDispute;
pub use pressures::{Effects, Pressures};
pub use rumour::{Rumour, RumourNow};
pub use target::{Area, Target};

/// What each shock kind implements, in its own file.
///
/// The struct must also have the four common fields `start: u32`, `duration: u32`,
/// `target: Target` and `intensity: f64` (read by [`Shock`]'s accessors), and derive
/// `Serialize`/`Deserialize` with `#[serde(deny_unknown_fields)]` and a serde default
/// for every other field (a scenario file names only what it changes).
pub trait Kind {
    /// The kind's name in scenario files (`kind = "…"`): the snake_case of the struct's
    /// name, which is also the module's name.
    const NAME: &'static str;
    /// `Some(reason)` when a scenario may hold at most one shock of this kind (the
    /// reason is shown in the problem).
    const ONE_PER_SCENARIO: Option<&'static str> = None;

    /// The kind's own coefficients with what each allows, in the order problems are
    /// reported (the common `intensity`, a share, is checked for every kind first).
    fn fields(&self) -> Vec<(&'static str, f64, Allowed)>;

    /// Add this shock's effect at `now.tick` to `p`. Called every tick of the run, in
    /// and out of the window (`now.in_window`); most kinds act only in the window.
    fn apply(&self, now: &Now, p: &mut Pressures);
}

/// What a shock coefficient allows; `scenario/validate.rs` turns each into its check
/// and message.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Allowed {
    /// A probability or share: from 0 to 1.
    Share,
    /// A rate multiplier or daily push: ≥ 0.
    NonNegative,
    /// A number from the first to the second, inclusive.
    Range(f64, f64),
}

/// A mean duration in days: from 1 day to ten years.
pub const DAYS: Allowed = Allowed::Range(1.0, 3650.0);

/// The fields of a shock that have no default.
pub const REQUIRED: [&str; 4] = ["start", "duration", "target", "intensity"];

/// What a shock sees in one tick: the tick, its window, the units it hits and the
/// read-only inputs some kinds need.
pub struct Now<'a> {
    pub tick: u32,
    /// `start ≤ tick < start + duration`.
    pub in_window: bool,
    /// Communities hit (a mask over all communities).
    hits: &'a [bool],
    /// Counties with at least one hit community.
    county_hits: &'a [bool],
    pub mech: &'a Mechanisms,
    /// Each county's share of infectious residents last tick (for sick staff).
    pub county_infectious: &'a [f32],
}

impl Now<'_> {
    /// Apply `f` to the effects of every hit community, in community order.
    pub fn each_hit(&self, p: &mut Pressures, mut f: impl FnMut(&mut Effects)) {
        for (e, _) in p.effects.iter_mut().zip(self.hits).filter(|(_, h)| **h) {
            f(e);
        }
    }

    /// The counties with a hit community, in county order.
    pub fn hit_counties(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.county_hits.len()).filter(|&k| self.county_hits[k])
    }
}

/// The registry of shock kinds: one line per kind, `module::Struct,`, in the order of
/// [`KINDS`]. It makes the serde enum [`Shock`] (tagged by `kind`, the snake_case of the
/// struct's name) and dispatches to each kind's [`Kind`] implementation.
macro_rules! kinds {
    ($($module:ident :: $Kind:ident,)*) => {
        /// One shock of a scenario.
        #[derive(Clone, Debug, Serialize, Deserialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        pub enum Shock {
            $($Kind($module::$Kind),)*
        }

        /// The kinds of shock, as written in scenario files.
        pub const KINDS: &[&str] = &[$(<$module::$Kind as Kind>::NAME,)*];

        /// Each kind's module and name, to check that they agree.
        #[cfg(test)]
        const MODULES: &[(&str, &str)] = &[$((stringify!($module), <$module::$Kind as Kind>::NAME),)*];

        impl Shock {
            fn common(&self) -> (u32, u32, &Target, f64) {
                match self {
                    $(Shock::$Kind(s) => (s.start, s.duration, &s.target, s.intensity),)*
                }
            }

            /// The four common fields, to change them whatever the kind.
            pub fn common_mut(&mut self) -> Common<'_> {
                match self {
                    $(Shock::$Kind(s) => Common {
                        start: &mut s.start,
                        duration: &mut s.duration,
                        target: &mut s.target,
                        intensity: &mut s.intensity,
                    },)*
                }
            }

            /// The kind's name in scenario files, also its label in reports.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Shock::$Kind(_) => <$module::$Kind as Kind>::NAME,)*
                }
            }

            /// `Some(reason)` when a scenario may hold only one shock of this kind.
            pub fn one_per_scenario(&self) -> Option<&'static str> {
                match self {
                    $(Shock::$Kind(_) => <$module::$Kind as Kind>::ONE_PER_SCENARIO,)*
                }
            }

            fn kind_fields(&self) -> Vec<(&'static str, f64, Allowed)> {
                match self {
                    $(Shock::$Kind(s) => s.fields(),)*
                }
            }

            fn apply_kind(&self, now: &Now, p: &mut Pressures) {
                match self {
                    $(Shock::$Kind(s) => s.apply(now, p),)*
                }
            }
        }
    };
}

kinds! {
    flood::Flood,
    epidemic::Epidemic,
    closure::Closure,
    land_dispute::LandDispute,
    rumour::Rumour,
    fiscal_cut::FiscalCut,
}

/// The common fields of a shock, borrowed mutably (see [`Shock::common_mut`]).
pub struct Common<'a> {
    pub start: &'a mut u32,
    pub duration: &'a mut u32,
    pub target: &'a mut Target,
    pub intensity: &'a mut f64,
}

impl Shock {
    /// The window of ticks the shock is active, `[start, end)`. The end saturates at
    /// `u32::MAX`; it is exact for a validated shock (whose window ends by `run.ticks`).
    /// [`Shock::end`] is the exact end of any shock.
    pub fn window(&self) -> (u32, u32) {
        let (s, d, _, _) = self.common();
        (s, s.saturating_add(d))
    }

    /// The day after the last day of the window, `start + duration`, without overflow.
    pub fn end(&self) -> u64 {
        let (s, d, _, _) = self.common();
        s as u64 + d as u64
    }

    /// The duration in days.
    pub fn duration(&self) -> u32 {
        self.common().1
    }

    pub fn target(&self) -> &Target {
        self.common().2
    }

    pub fn intensity(&self) -> f64 {
        self.common().3
    }

    /// Every coefficient with what it allows: `intensity` (a share), then the kind's own.
    pub fn fields(&self) -> Vec<(&'static str, f64, Allowed)> {
        let mut v = vec![("intensity", self.intensity(), Allowed::Share)];
        v.extend(self.kind_fields());
        v
    }

    /// One shock of each kind with default coefficients (start 0, duration 1, intensity
    /// 1, every unit), in the order of [`KINDS`].
    pub fn examples() -> Vec<Shock> {
        KINDS
            .iter()
            .map(|k| {
                toml::from_str(&format!(
                    "kind = \"{k}\"\nstart = 0\nduration = 1\nintensity = 1.0\n[target]\n"
                ))
                .expect("every kind has defaults for all but the common fields")
            })
            .collect()
    }
}

/// A shock prepared for a territory: its spec plus the communities and counties it hits.
#[derive(Clone)]
pub struct ActiveShock {
    pub shock: Shock,
    pub hits: Vec<bool>,
    pub county_hits: Vec<bool>,
}

impl ActiveShock {
    pub fn new(shock: Shock, territory: &Territory) -> ActiveShock {
        let hits = shock.target().communities(territory);
        let mut county_hits = vec![false; territory.counties.len()];
        for (c, &h) in hits.iter().enumerate() {
            if h {
                county_hits[territory.communities[c].county.index()] = true;
            }
        }
        ActiveShock {
            shock,
            hits,
            county_hits,
        }
    }

    /// Add this shock's effect at `tick` to `p`. `county_infectious` is each county's
    /// share of infectious residents last tick (for sick staff).
    pub fn apply(
        &self,
        tick: u32,
        p: &mut Pressures,
        mech: &Mechanisms,
        county_infectious: &[f32],
    ) {
        let (start, end) = self.shock.window();
        let now = Now {
            tick,
            in_window: tick >= start && tick < end,
            hits: &self.hits,
            county_hits: &self.county_hits,
            mech,
            county_infectious,
        };
        self.shock.apply_kind(&now, p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_named_in_files_as_its_serde_tag() {
        for s in Shock::examples() {
            let t = toml::Value::try_from(&s).unwrap();
            assert_eq!(t["kind"].as_str(), Some(s.name()));
        }
        assert_eq!(Shock::examples().len(), KINDS.len());
        for (module, name) in MODULES {
            assert_eq!(module, name, "a kind's file is named as the kind");
        }
    }

    #[test]
    fn a_window_past_the_last_day_does_not_wrap() {
        let mut s = Shock::examples().remove(0);
        *s.common_mut().start = u32::MAX;
        assert_eq!(s.end(), u32::MAX as u64 + 1);
        assert_eq!(s.window(), (u32::MAX, u32::MAX));
    }
}
