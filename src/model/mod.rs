//! What is simulated: the territory, residents, government units, social organisations,
//! issues, governance mechanisms, collective action and shocks.
//!
//! Plain data plus the rules that act on one agent or one unit. No I/O, no threads, no
//! printing: the engine (`crate::engine`) decides when the rules run.

pub mod assessment;
pub mod behaviour;
pub mod collective;
pub mod government;
pub mod issues;
pub mod mechanisms;
pub mod organisations;
pub mod residents;
pub mod shocks;
pub mod silos;
pub mod territory;

/// Clamp to the unit interval; every probability and every resident state in [0,1]
/// passes through here after an update.
#[inline]
pub fn unit(x: f32) -> f32 {
    x.clamp(0.0, 1.0)
}
