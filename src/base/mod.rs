//! The base layer: small facts every other module shares and that depend on nothing of
//! the model. Counter-based random streams, numbers as CSV writes them, the one stable
//! hash, cache hints, writing a file so that no half of it is ever seen, reading an
//! input file with its size and kind checked, the worker pool, and the font compiled
//! into the binary that every chart draws with.
//!
//! Layer order (each module imports only from the ones after it; `tests/layers.rs`
//! checks it): `cli` → `validation` → `report` → `experiment` → `output` → `engine` →
//! `scenario` → `model` → `base`. docs/architecture.md has the map.

pub mod fonts;
pub mod fs;
pub mod hash;
pub mod hint;
pub mod input;
pub mod num;
pub mod pool;
pub mod rng;
pub mod version;
