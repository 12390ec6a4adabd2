//! Reference models and the checks that the engine reproduces published results with the
//! same machinery it uses for governance: Epstein's civil violence Model I, SIR/SEIR on
//! random graphs and well mixed (the epidemic shock's own infection rule), Granovetter's
//! threshold model, and the stationarity of the default scenario without shocks.

pub mod charts;
pub mod checks;
pub mod epstein;
pub mod granovetter;
pub mod sir;
