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
    /// Each staffed office's utilisation over the run (`World::office_utilisation`).
    pub office_utilisation: Vec<f64>,
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
            let trust = world.residents().state[r.clone()]
                .iter()
                .map(|s| s.trust as f64)
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

/// Run `scenario` under the regime `name` with mechanisms `mech`, calling `on_tick`
/// after every tick, the warm-up's included (an observer of the run's days skips those:
/// [`World::warming_up`]). Runs inside the caller's rayon pool.
pub fn run_regime(
    scenario: &Scenario,
    name: &str,
    mech: Mechanisms,
    on_tick: impl FnMut(&World),
) -> RegimeRun {
    run_paired(scenario, name, mech, false, on_tick).0
}

/// The day a run of `scenario` splits from its no-shock twin (the first shock's start),
/// if it has a shock within its days and `twin` is asked for: what
/// [`run_paired`] does, for callers that size progress bars and memory.
pub fn twin_split(scenario: &Scenario, twin: bool) -> Option<u32> {
    scenario
        .shock_start()
        .filter(|&s| twin && s < scenario.run.ticks)
}

/// Run `scenario` under the regime `name` and, when `twin` is asked for and the scenario
/// has a shock, its no-shock twin: the same world is stepped to the first shock's start,
/// copied, and the copy steps on without the shocks, so that the twin shares every day
/// and every random stream before the shock and any gap after it is the shock's alone.
/// The world first steps its warm-up (`run.warmup` days, unreported: [`World::warm_up`]).
/// `on_tick` is called after every tick of either world, the warm-up's included (for
/// progress: the warm-up adds its days, the twin the days from the shock's start). The twin's `seconds` is the time spent copying and
/// stepping it, its `build_seconds` 0.
pub fn run_paired(
    scenario: &Scenario,
    name: &str,
    mech: Mechanisms,
    twin: bool,
    mut on_tick: impl FnMut(&World),
) -> (RegimeRun, Option<RegimeRun>) {
    let mut run = Paired::new(scenario, name, mech, twin);
    run.warm_up(&mut on_tick);
    while run.step(&mut on_tick) {}
    run.finish()
}

/// A run of one regime (and its no-shock twin) stepped a day at a time by its caller:
/// what [`run_paired`] does in one call, for callers that interleave several regimes'
/// days or show each day as it comes (`linkage serve`). Stepping it to the end gives
/// exactly [`run_paired`]'s result.
pub struct Paired {
    name: String,
    mech: Mechanisms,
    world: World,
    split: Option<u32>,
    history: Vec<Vec<Tally>>,
    other: Option<(World, Vec<Vec<Tally>>)>,
    start: Instant,
    build_seconds: f64,
    twin_seconds: f64,
    ticks: u32,
}

impl Paired {
    /// Build the world (the clock of the run's `seconds` starts here).
    pub fn new(scenario: &Scenario, name: &str, mech: Mechanisms, twin: bool) -> Paired {
        let start = Instant::now();
        let world = World::new(scenario, mech);
        let build_seconds = start.elapsed().as_secs_f64();
        Paired {
            name: name.to_string(),
            mech,
            world,
            split: twin_split(scenario, twin),
            history: Vec::with_capacity(scenario.run.ticks as usize),
            other: None,
            start,
            build_seconds,
            twin_seconds: 0.0,
            ticks: scenario.run.ticks,
        }
    }

    /// Step the warm-up's days, calling `on_tick` after each.
    pub fn warm_up(&mut self, on_tick: impl FnMut(&World)) {
        self.world.warm_up(on_tick);
    }

    /// Step the warm-up's days, asking `on_tick` after each whether to go on; false when
    /// it said no (the run is then fit only to be dropped).
    pub fn warm_up_while(&mut self, on_tick: impl FnMut(&World) -> bool) -> bool {
        self.world.warm_up_while(on_tick)
    }

    /// Step the next day of the world (and of its twin once split), calling `on_tick`
    /// after each world's step; false, stepping nothing, once every day has run.
    pub fn step(&mut self, mut on_tick: impl FnMut(&World)) -> bool {
        let t = self.history.len() as u32;
        if t >= self.ticks {
            return false;
        }
        if self.split == Some(t) {
            let copied = Instant::now();
            let mut w = self.world.clone();
            w.drop_shocks();
            self.other = Some((w, self.history.clone()));
            self.twin_seconds += copied.elapsed().as_secs_f64();
        }
        self.world.step();
        self.history.push(self.world.tallies().to_vec());
        on_tick(&self.world);
        if let Some((w, h)) = self.other.as_mut() {
            let stepped = Instant::now();
            w.step();
            h.push(w.tallies().to_vec());
            self.twin_seconds += stepped.elapsed().as_secs_f64();
            on_tick(w);
        }
        true
    }

    /// The days run so far: `history()[tick][unit]`, one tally per county, then the city.
    pub fn history(&self) -> &[Vec<Tally>] {
        &self.history
    }

    /// The world (not its twin), as of the last day stepped.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The record of the run and of its twin (when there is one).
    pub fn finish(self) -> (RegimeRun, Option<RegimeRun>) {
        let Paired {
            name,
            mech,
            world,
            history,
            other,
            start,
            build_seconds,
            twin_seconds,
            ..
        } = self;
        let finish = |world: &World, history, seconds, build_seconds| RegimeRun {
            townships: townships(world),
            office_utilisation: world.office_utilisation(),
            incidents: world.incidents_so_far(),
            regime: name.clone(),
            mechanisms: mech,
            history,
            residents: world.resident_count() as u64,
            seconds,
            build_seconds,
        };
        let twin = other.map(|(w, h)| finish(&w, h, twin_seconds, 0.0));
        let seconds = start.elapsed().as_secs_f64() - twin_seconds;
        (finish(&world, history, seconds, build_seconds), twin)
    }
}
