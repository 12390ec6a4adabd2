//! What is simulated: the territory, residents, government units, social organisations,
//! issues, governance mechanisms, collective action and shocks.
//!
//! Plain data plus the rules that act on one agent or one unit. No I/O, no threads, no
//! printing: the engine (`crate::engine`) decides when the rules run.

/// An index newtype: the position of a unit in its table (`index()`), stored at the
/// integer width given, so that ids of different kinds cannot be mixed up where they
/// cross modules while taking no more memory than the bare integer.
macro_rules! index_id {
    ($(#[$doc:meta])* $name:ident($int:ty)) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub $int);

        impl $name {
            /// Its position in the tables it indexes.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// The id at position `i` (tables are bounded well below the integer's
            /// range by scenario validation).
            #[inline]
            pub fn at(i: usize) -> $name {
                $name(i as $int)
            }
        }
    };
}

pub mod assessment;
pub mod behaviour;
pub mod collective;
pub mod costs;
pub mod government;
pub mod issues;
pub mod mechanisms;
pub mod organisations;
pub mod platform;
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
