//! Building a world: the territory, residents, offices and organisations from the
//! scenario, plus what the engine lays out once for the whole run (the parallel chunks,
//! per-community views and the table of capacity transfers).

use super::{Ledger, World};
use crate::engine::residents_phase::{Chunk, ChunkOut, SumsAhead};
use crate::engine::tally::Tally;
use crate::model::government::{self, Offices};
use crate::model::issues::IssueStore;
use crate::model::mechanisms::Mechanisms;
use crate::model::organisations::Organisations;
use crate::model::residents::Residents;
use crate::model::residents::links;
use crate::model::shocks::{ActiveShock, Pressures};
use crate::model::territory::Territory;
use crate::scenario::Scenario;

/// Residents per parallel chunk, about (chunks are whole communities of one county).
const CHUNK: usize = 4096;

impl World {
    /// Build the world of `scenario` under the regime `mech`.
    pub fn new(scenario: &Scenario, mech: Mechanisms) -> World {
        let seed = scenario.run.seed;
        let territory = Territory::build(&scenario.territory, scenario.run.residents);
        let residents = Residents::build(&territory, &scenario.population, seed);
        let offices = Offices::build(&territory, &scenario.government);
        let shocks = scenario
            .shocks
            .iter()
            .map(|s| ActiveShock::new(s.clone(), &territory))
            .collect();
        let orgs = Organisations::build(&scenario.organisations, &territory, seed, mech.social);
        let chunks = chunks(&territory);
        let chunk_out = chunks.iter().map(|_| ChunkOut::default()).collect();
        let grid_community = territory.grids.iter().map(|g| g.community.0).collect();
        let comm_mean_link = mean_links(&territory, &residents);
        let mut comm_orgs = vec![0u32; territory.communities.len()];
        for &c in &orgs.community {
            comm_orgs[c.index()] += 1;
        }
        // Before the first day, as if every point had been redeemed.
        let goals = links::county_goals(
            &scenario.links,
            mech.social,
            scenario.behaviour.points_per_day,
            1.0,
        );
        let grid_outreach_plan: Vec<f64> = territory
            .grids
            .iter()
            .map(|g| links::outreach_plan(&scenario.links, mech.social, g.residents.len()))
            .collect();
        let comm_channel = territory
            .communities
            .iter()
            .map(|c| government::channel(&scenario.government, 0.0, c.urban))
            .collect();
        let transfers = government::transfers(&territory, &offices);
        let n_comm = territory.communities.len();
        let n_counties = territory.counties.len();
        let n_grids = territory.grids.len();
        let mut w = World {
            scenario: scenario.clone(),
            mech,
            regime: mech,
            seed,
            unreported: vec![Vec::new(); n_grids],
            tick: 0,
            origin: 0,
            warming: false,
            ledger: vec![Ledger::default(); territory.townships.len()],
            leading_group: false,
            shocks,
            chunks,
            chunk_out,
            pressures: Pressures::new(n_comm, n_counties),
            county_infectious: vec![0.0; n_counties],
            county_known: vec![0.0; n_counties],
            county_isolation: vec![1.0; n_counties],
            case_pool: vec![0.0; n_counties],
            visible_next: std::sync::Arc::new(residents.visible.clone()),
            said_log: Default::default(),
            ahead: SumsAhead::new(ahead_room(residents.visible.len()), &residents.ties),
            grid_community,
            comm_active: vec![0; n_comm],
            comm_incident: vec![false; n_comm],
            incidents: Vec::new(),
            answers: super::incidents::Answers::new(n_comm, territory.townships.len()),
            comm_p_mediate: vec![0.0; n_comm],
            comm_mean_link,
            comm_coworkers: vec![0.0; n_comm],
            comm_orgs_active: vec![0.0; comm_orgs.len()],
            comm_orgs,
            county_goals: vec![goals; n_counties],
            grid_kept: vec![1.0; n_grids],
            grid_pool: vec![0.0; n_grids],
            grid_engaged: vec![0; n_grids],
            grid_refused: vec![0; n_grids],
            // Before the first day, as if yesterday's outreach went as planned.
            grid_outreach: grid_outreach_plan.clone(),
            grid_outreach_plan,
            grid_visits: vec![0.0; n_grids],
            comm_channel,
            comm_org_mediators: vec![0.0; n_comm],
            grid_mediators: vec![0.0; n_grids],
            grid_volunteers: vec![0; n_grids],
            budget: vec![0.0; n_counties],
            city_reserve: 0.0,
            serial: 0,
            transfers,
            demand: vec![0.0; offices.len()],
            casework: vec![0.0; offices.len()],
            owed: vec![0.0; offices.len()],
            hours_own: vec![0.0; offices.len()],
            hours_idle: vec![0.0; offices.len()],
            score: vec![scenario.assessment.score_start; offices.len()],
            one_stop: vec![0.0; territory.townships.len()],
            day_capacity: vec![0.0; offices.len()],
            uplift: 0.0,
            rural_residents: territory
                .communities
                .iter()
                .filter(|c| !c.urban)
                .map(|c| c.residents.len() as f64)
                .sum(),
            scratch: Vec::new(),
            tallies: vec![Tally::default(); n_counties + 1],
            territory,
            residents,
            offices,
            orgs,
            issues: IssueStore::default(),
        };
        w.compute_views();
        w
    }
}

/// Chunks of the parallel resident update: whole communities, never across a county,
/// about [`CHUNK`] residents each.
fn chunks(territory: &Territory) -> Vec<Chunk> {
    let mut chunks: Vec<Chunk> = Vec::new();
    for (c, comm) in territory.communities.iter().enumerate() {
        let extend = chunks.last().is_some_and(|ch| {
            ch.county == comm.county && ch.residents.len() + comm.residents.len() <= CHUNK
        });
        if extend {
            let ch = chunks.last_mut().expect("non-empty");
            ch.residents.end = comm.residents.end;
            ch.communities.end = c as u32 + 1;
            ch.grids.end = comm.grids.end;
        } else {
            chunks.push(Chunk {
                county: comm.county,
                residents: comm.residents.clone(),
                communities: c as u32..c as u32 + 1,
                grids: comm.grids.clone(),
            });
        }
    }
    chunks
}

/// Mean link strength of each community's residents.
fn mean_links(territory: &Territory, residents: &Residents) -> Vec<f32> {
    territory
        .communities
        .iter()
        .map(|c| {
            let r = c.residents.start as usize..c.residents.end as usize;
            residents.link[r.clone()].iter().sum::<f32>() / r.len().max(1) as f32
        })
        .collect()
}

/// Room for the sums taken ahead of a resident phase (`SumsAhead`), for `residents`
/// residents: a third of them, 4 bytes a resident (at 1M residents on 2 threads the
/// sequential phases leave time for about a fifth).
fn ahead_room(residents: usize) -> usize {
    residents / 3
}
