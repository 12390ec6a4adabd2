//! Reference models and the checks that the engine reproduces published results with the
//! same machinery it uses for governance: Epstein's civil violence Model I, SIR/SEIR on
//! random graphs and well mixed (the epidemic shock's own infection rule), Granovetter's
//! threshold model, the stationarity of the default scenario without shocks, and the face
//! validity of collective action in the shipped shock scenarios (issue 13).

pub mod charts;
pub mod checks;
pub mod epstein;
pub mod granovetter;
pub mod incidents;
pub mod shocks;
pub mod sir;

use std::path::PathBuf;

/// What can go wrong in the validation suite (the checks themselves pass or fail; they
/// do not error).
#[derive(Debug, thiserror::Error)]
pub enum ValidationError {
    /// A part name that is not one of [`checks::PARTS`].
    #[error("unknown validation part '{0}'; allowed: {parts}", parts = checks::PARTS.join(", "))]
    UnknownPart(String),
    /// A chart could not be drawn or written.
    #[error("cannot draw {}: {message}", path.display())]
    Chart { path: PathBuf, message: String },
}
