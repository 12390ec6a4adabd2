//! Read-only figures about a built world, for tools outside the engine (`linkage bench`,
//! tests): how many residents, how many tie ends, and a digest of the last tick's tallies.
//!
//! Invariant: nothing here changes the world or draws a random number, so asking does not
//! change a run; and callers see counts, not the engine's storage, which may change.

use super::world::World;

/// Tie ends of the whole population: every tie is counted at both of its ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TieEnds {
    /// All tie ends, strong and weak.
    pub all: u64,
    /// Tie ends to residents of the same grid (strong ties).
    pub strong: u64,
}

impl TieEnds {
    /// Tie ends to residents of other grids (weak ties).
    pub fn weak(&self) -> u64 {
        self.all - self.strong
    }
}

impl World {
    /// Residents of this world.
    pub fn resident_count(&self) -> usize {
        self.residents().len()
    }

    /// Tie ends of all residents.
    pub fn tie_ends(&self) -> TieEnds {
        let ties = &self.residents().ties;
        TieEnds {
            all: ties.targets.len() as u64,
            strong: ties.strong.iter().map(|&s| s as u64).sum(),
        }
    }

    /// FNV-1a of the last tick's tallies (their `Debug` text): equal for two worlds that
    /// ended in the same state, whatever the thread count.
    pub fn tally_digest(&self) -> u64 {
        crate::base::hash::fnv1a(format!("{:?}", self.tallies()).as_bytes())
    }
}
