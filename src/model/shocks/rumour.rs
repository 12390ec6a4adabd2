//! The rumour (谣言): a trust shock that spreads along weak ties; information sharing
//! slows its spread and speeds its debunking.

use super::Allowed::Share;
use super::{Allowed, Kind, Now, Pressures, Target};
use serde::{Deserialize, Serialize};

defaults! {
    d_seed = 0.01;
    d_spread = 0.25;
    d_trust = 0.01;
    d_debunk = 0.15;
    d_damping = 0.8;
    d_debunk_base = 0.02;
}

/// A rumour (谣言): at `start`, `seed_share` of the target's residents believe it. During
/// the window each believing weak tie passes it on with daily chance
/// `spread · intensity · (1 − damping · information_sharing)`; strong ties inside the grid
/// do not (neighbours know better). Believers lose `trust_loss_per_day` of trust a day
/// (scaled by intensity) and stop believing with daily chance
/// `min(1, debunk_base + debunk_rate · information_sharing)`: an information platform
/// both slows the rumour and debunks it.
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
        ]
    }

    /// From `start` to the end of the run: seed on the first day, spread only during the
    /// window, trust loss and debunking until the end.
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
            self.spread * self.intensity * (1.0 - self.damping * info)
        } else {
            0.0
        };
        p.rumour = Some(RumourNow {
            spread: spread.max(0.0) as f32,
            trust_loss: (self.trust_loss_per_day * self.intensity) as f32,
            p_debunk: (self.debunk_base + self.debunk_rate * info).min(1.0) as f32,
        });
    }
}

/// The rumour process this tick (present from the rumour's start to the run's end).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RumourNow {
    /// Daily chance per believing weak tie, after damping (0 after the window).
    pub spread: f32,
    pub trust_loss: f32,
    pub p_debunk: f32,
}
