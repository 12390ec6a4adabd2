//! Running a scenario under one regime, tick by tick, keeping every tick's tallies.

use super::tally::Tally;
use super::world::World;
use crate::model::mechanisms::Mechanisms;
use crate::model::territory::CountyId;
use crate::scenario::Scenario;
use std::time::Instant;

/// The record of one regime's run.
pub struct RegimeRun {
    pub regime: String,
    pub mechanisms: Mechanisms,
    /// `history[tick][unit]`: one tally per county, then the city row.
    pub history: Vec<Vec<Tally>>,
    pub residents: u64,
    /// Wall time of the whole run, building the world included.
    pub seconds: f64,
    /// Wall time spent building the world (territory, residents, ties, offices).
    pub build_seconds: f64,
    /// Every township at the end of the run.
    pub townships: Vec<TownshipEnd>,
    /// Every incident of the run (those still going on without an end).
    pub incidents: Vec<crate::model::collective::Incident>,
}

/// A township's state on the last day (for the territory drawing).
#[derive(Clone, Debug)]
pub struct TownshipEnd {
    pub county: CountyId,
    pub urban: bool,
    pub residents: u32,
    pub trust: f64,
    /// Issues open (backlog) from this township.
    pub open: u64,
}

/// Each township's mean trust and open issues at this moment.
pub fn townships(world: &World) -> Vec<TownshipEnd> {
    let open = world.census();
    world
        .territory()
        .townships
        .iter()
        .zip(open)
        .map(|(t, open)| {
            let r = t.residents.start as usize..t.residents.end as usize;
            let trust = world.residents().trust[r.clone()]
                .iter()
                .map(|&x| x as f64)
                .sum::<f64>()
                / r.len().max(1) as f64;
            TownshipEnd {
                county: t.county,
                urban: t.urban,
                residents: r.len() as u32,
                trust,
                open,
            }
        })
        .collect()
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
    let build_seconds = start.elapsed().as_secs_f64();
    let mut history = Vec::with_capacity(scenario.run.ticks as usize);
    for _ in 0..scenario.run.ticks {
        world.step();
        history.push(world.tallies().to_vec());
        on_tick(&world);
    }
    let townships = townships(&world);
    RegimeRun {
        incidents: world.incidents_so_far().to_vec(),
        townships,
        regime: name.to_string(),
        mechanisms: mech,
        history,
        residents: world.resident_count() as u64,
        seconds: start.elapsed().as_secs_f64(),
        build_seconds,
    }
}
