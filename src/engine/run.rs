//! Running a scenario under one regime, tick by tick, keeping every tick's tallies.

use super::tally::Tally;
use super::world::World;
use crate::model::mechanisms::Mechanisms;
use crate::scenario::Scenario;
use std::time::Instant;

/// The record of one regime's run.
pub struct RegimeRun {
    pub regime: String,
    pub mechanisms: Mechanisms,
    /// `history[tick][unit]`: one tally per county, then the city row.
    pub history: Vec<Vec<Tally>>,
    pub residents: u64,
    pub seconds: f64,
}

impl RegimeRun {
    pub fn resident_ticks(&self) -> u64 {
        self.residents * self.history.len() as u64
    }
}

/// Run `scenario` under the regime `name` with mechanisms `mech`, calling `on_tick`
/// after every tick (for progress). Runs inside the caller's rayon pool.
pub fn run_regime(
    scenario: &Scenario,
    name: &str,
    mech: Mechanisms,
    mut on_tick: impl FnMut(&World),
) -> RegimeRun {
    let start = Instant::now();
    let mut world = World::new(scenario, mech);
    let mut history = Vec::with_capacity(scenario.run.ticks as usize);
    for _ in 0..scenario.run.ticks {
        world.step();
        history.push(world.tallies().to_vec());
        on_tick(&world);
    }
    RegimeRun {
        regime: name.to_string(),
        mechanisms: mech,
        history,
        residents: world.residents.len() as u64,
        seconds: start.elapsed().as_secs_f64(),
    }
}
