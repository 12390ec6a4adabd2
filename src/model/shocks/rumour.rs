//! The rumour (谣言): a trust shock that spreads along weak ties among the residents
//! receptive to it, fades as its novelty wears off, and is debunked by the information
//! platform, grid workers, organisations and trusted ties.

use super::Allowed::{NonNegative, Share};
use super::{Allowed, DAYS, Kind, Now, Pressures, Target};
use serde::{Deserialize, Serialize};

defaults! {
    d_seed = 0.01;
    d_spread = 0.5;
    d_trust = 0.01;
    d_debunk = 0.1;
    d_damping = 0.5;
    d_debunk_base = 0.02;
    d_receptive_share = 0.3;
    d_receptive_distrust = 0.2;
    d_novelty_days = 10.0;
    d_debunk_grid = 10.0;
    d_debunk_orgs = 0.2;
    d_debunk_ties = 0.3;
    d_strong_spread = 0.5;
}

/// A rumour (谣言): at `start`, `seed_share` of the target's residents believe it.
///
/// - **Receptive share.** Only some residents can come to believe it at all: each is
///   receptive, once for its life, with chance `min(1, receptive_share +
///   receptive_distrust · (1 − trust baseline))` (the distrustful more often); the others
///   never do (the seed believes whatever).
/// - **Spread, fading with novelty.** Each believing weak tie passes it to a receptive
///   resident who never believed with daily chance `spread · intensity · (1 − damping ·
///   information_sharing) · exp(−(t − start)/novelty_days)`: the rumour spreads fast while
///   it is news and dies out by itself. A believing strong tie (inside the grid) passes
///   it on with `strong_spread` times that chance (neighbours know better). The window (`duration`) is a hard stop: after it nobody
///   new starts believing (with the defaults the spread has faded long before).
/// - **Debunking.** A believer loses `trust_loss_per_day` of trust a day (scaled by
///   intensity) and stops believing for good with daily chance `min(1, debunk_base +
///   debunk_rate · information_sharing + debunk_grid · visit + debunk_orgs · member ·
///   orgs_active + debunk_ties · link · debunked ties)`: the platform, a grid worker's
///   visit (the grid's visit chance × one's reachability), an active organisation one
///   belongs to, and the share of one's ties (weighted as word of mouth) who no longer
///   believe, heard through one's link strength. A debunked resident passes debunking on
///   (a counter-rumour).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rumour {
    pub start: u32,
    pub duration: u32,
    pub target: Target,
    pub intensity: f64,
    #[serde(default = "d_seed")]
    pub seed_share: f64,
    #[serde(default = "d_spread")]
    pub spread: f64,
    #[serde(default = "d_trust")]
    pub trust_loss_per_day: f64,
    #[serde(default = "d_debunk")]
    pub debunk_rate: f64,
    #[serde(default = "d_damping")]
    pub damping: f64,
    /// Daily chance that a believer stops believing with no information sharing (an
    /// assumption: people find out even without a platform).
    #[serde(default = "d_debunk_base")]
    pub debunk_base: f64,
    /// Share of residents receptive to the rumour at full trust (drawn once per life).
    #[serde(default = "d_receptive_share")]
    pub receptive_share: f64,
    /// Receptiveness added per unit of distrust (1 − trust baseline).
    #[serde(default = "d_receptive_distrust")]
    pub receptive_distrust: f64,
    /// Days over which the rumour's novelty (and so its spread) falls by a factor e.
    #[serde(default = "d_novelty_days")]
    pub novelty_days: f64,
    /// Daily debunking chance of a grid worker's certain visit.
    #[serde(default = "d_debunk_grid")]
    pub debunk_grid: f64,
    /// Daily debunking chance of membership of a fully active organisation.
    #[serde(default = "d_debunk_orgs")]
    pub debunk_orgs: f64,
    /// Daily debunking chance when all one's ties no longer believe, at link strength 1.
    #[serde(default = "d_debunk_ties")]
    pub debunk_ties: f64,
    /// A strong tie's chance of passing the rumour on, relative to a weak tie's.
    #[serde(default = "d_strong_spread")]
    pub strong_spread: f64,
}

impl Kind for Rumour {
    const NAME: &'static str = "rumour";
    const ONE_PER_SCENARIO: Option<&'static str> = Some("one belief state per resident");

    fn fields(&self) -> Vec<(&'static str, f64, Allowed)> {
        vec![
            ("seed_share", self.seed_share, Share),
            ("spread", self.spread, Share),
            ("trust_loss_per_day", self.trust_loss_per_day, Share),
            ("debunk_rate", self.debunk_rate, Share),
            ("damping", self.damping, Share),
            ("debunk_base", self.debunk_base, Share),
            ("receptive_share", self.receptive_share, Share),
            ("receptive_distrust", self.receptive_distrust, Share),
            ("novelty_days", self.novelty_days, DAYS),
            ("debunk_grid", self.debunk_grid, NonNegative),
            ("debunk_orgs", self.debunk_orgs, Share),
            ("debunk_ties", self.debunk_ties, Share),
            ("strong_spread", self.strong_spread, Share),
        ]
    }

    /// From `start` to the end of the run: seed on the first day, spread (fading with
    /// novelty) only during the window, trust loss and debunking until the end.
    fn apply(&self, now: &Now, p: &mut Pressures) {
        if now.tick < self.start {
            return;
        }
        if now.tick == self.start {
            let seed = self.seed_share as f32;
            now.each_hit(p, |e| e.rumour_seed += seed);
        }
        let info = now.mech.information_sharing;
        let spread = if now.in_window {
            let novelty = (-((now.tick - self.start) as f64) / self.novelty_days.max(1.0)).exp();
            self.spread * self.intensity * (1.0 - self.damping * info) * novelty
        } else {
            0.0
        };
        p.rumour = Some(RumourNow {
            spread: spread.max(0.0) as f32,
            trust_loss: (self.trust_loss_per_day * self.intensity) as f32,
            p_debunk: (self.debunk_base + self.debunk_rate * info).min(1.0) as f32,
            receptive_share: self.receptive_share as f32,
            receptive_distrust: self.receptive_distrust as f32,
            debunk_grid: self.debunk_grid as f32,
            debunk_orgs: self.debunk_orgs as f32,
            debunk_ties: self.debunk_ties as f32,
            strong_spread: self.strong_spread as f32,
        });
    }
}

/// The rumour process this tick (present from the rumour's start to the run's end).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RumourNow {
    /// Daily chance per believing weak tie, after damping and novelty (0 after the window).
    pub spread: f32,
    pub trust_loss: f32,
    /// Daily debunking chance from the base and the platform (information sharing).
    pub p_debunk: f32,
    /// A resident is receptive with chance `receptive_share + receptive_distrust · (1 −
    /// trust baseline)`.
    pub receptive_share: f32,
    pub receptive_distrust: f32,
    /// Debunking by a grid worker's visit, an active organisation, debunked ties.
    pub debunk_grid: f32,
    pub debunk_orgs: f32,
    pub debunk_ties: f32,
    /// A strong tie's spread relative to a weak tie's.
    pub strong_spread: f32,
}

impl RumourNow {
    /// The chance a resident with trust baseline `trust_base` is receptive.
    #[inline]
    pub fn receptive(&self, trust_base: f32) -> f32 {
        (self.receptive_share + self.receptive_distrust * (1.0 - trust_base)).min(1.0)
    }

    /// Whether residents take in their ties' rumour states today: while it spreads, or
    /// while debunked ties can debunk.
    #[inline]
    pub fn heard(&self) -> bool {
        self.spread > 0.0 || self.debunk_ties > 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receptiveness_is_bounded_and_higher_with_distrust() {
        let r = RumourNow {
            spread: 0.1,
            trust_loss: 0.0,
            p_debunk: 0.0,
            receptive_share: 0.2,
            receptive_distrust: 0.2,
            debunk_grid: 0.0,
            debunk_orgs: 0.0,
            debunk_ties: 0.0,
            strong_spread: 0.0,
        };
        assert!((r.receptive(1.0) - 0.2).abs() < 1e-6);
        assert!(r.receptive(0.2) > r.receptive(0.8));
        let all = RumourNow {
            receptive_share: 1.0,
            ..r
        };
        assert_eq!(all.receptive(0.0), 1.0);
    }
}
