//! How time advances: building a world from a scenario and a regime, the phases of a
//! tick, the parallel resident update, and the random streams.
//!
//! Architecture invariant: the only parallel phase is the resident update, which reads
//! last tick's shared state and writes each resident's own fields plus per-chunk buffers;
//! chunks are whole communities of one county, fixed by the territory, and their buffers
//! are merged in chunk order. Everything else runs sequentially in a fixed order. So the
//! output never depends on the thread count or on scheduling.

pub mod inspect;
pub mod memory;
pub mod run;
pub mod tally;
pub mod world;

mod residents_phase;
