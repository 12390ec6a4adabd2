//! The resident phase seen from the world: the shared inputs of the parallel update and
//! the merge of its per-chunk outputs in chunk order; incidents that follow from
//! protesters; and next tick's mediation views. The rules of a resident's day live in
//! `residents_phase` and `model`.

use super::World;
use crate::engine::residents_phase::{self, ChunkMut, Shared};
use crate::model::issues::Category;
use crate::model::territory::GridId;
use crate::model::{collective, government};

impl World {
    pub(super) fn resident_phase(&mut self) {
        let sc = &self.scenario;
        let r = &mut self.residents;
        let shared = Shared {
            seed: self.seed,
            tick: self.tick,
            mech: &self.mech,
            behaviour: &sc.behaviour,
            collective: &sc.collective,
            base_rates: sc.issues.daily_rates(),
            weak_tie_weight: sc.population.weak_tie_weight as f32,
            grid_community: &self.grid_community,
            effects: &self.pressures.effects,
            incident: &self.comm_incident,
            p_mediate: &self.comm_p_mediate,
            mediators: &self.grid_mediators,
            visible_prev: &r.visible,
            ties: &r.ties,
            grid: &r.grid,
            age: &r.age,
            link: &r.link,
            digital: &r.digital,
            risk_aversion: &r.risk_aversion,
            hardship_base: &r.hardship_base,
            trust_base: &r.trust_base,
            epidemic: self.pressures.epidemic,
            rumour: self.pressures.rumour,
            channel: &self.comm_channel,
        };
        let m = ChunkMut {
            hardship: &mut r.hardship,
            trust: &mut r.trust,
            exposure: &mut r.exposure,
            points: &mut r.points,
            cooldown: &mut r.cooldown,
            outcomes: &mut r.outcomes,
            visible_next: &mut self.visible_next,
        };
        residents_phase::update_all(&shared, &self.chunks, m, &mut self.chunk_out);
        // Merge in chunk order.
        for (chunk, out) in self.chunks.iter().zip(&self.chunk_out) {
            self.tallies[chunk.county.index()].add(&out.tally);
            let c0 = chunk.communities.start as usize;
            self.comm_active[c0..c0 + out.comm_active.len()].copy_from_slice(&out.comm_active);
            let g0 = chunk.grids.start as usize;
            self.grid_volunteers[g0..g0 + out.grid_volunteers.len()]
                .copy_from_slice(&out.grid_volunteers);
        }
    }

    /// Start or end incidents; a new incident raises a stability issue.
    pub(super) fn incidents(&mut self) {
        for c in 0..self.territory.communities.len() {
            let comm = &self.territory.communities[c];
            let active = collective::active_share(self.comm_active[c], comm.residents.len());
            let county = comm.county.index();
            let ongoing = self.comm_incident[c];
            let now = collective::incident_after(&self.scenario.collective, ongoing, active);
            self.comm_incident[c] = now;
            if now && !ongoing {
                self.tallies[county].incidents_new += 1;
                let grid = GridId(comm.grids.start);
                let agent = self.residents.len() as u64 + c as u64;
                self.create_issue(None, grid, Category::Stability, true, agent);
            }
            if now {
                self.tallies[county].incidents_active += 1;
            }
        }
    }

    /// Mediators present per grid and the chance a protester is mediated, per community,
    /// for the next tick.
    pub(super) fn compute_views(&mut self) {
        let gov = &self.scenario.government;
        let presence = self.scenario.collective.presence_scale as f32;
        let share = gov.mediation_share as f32;
        for (c, comm) in self.territory.communities.iter().enumerate() {
            let mult = self.pressures.effects[c].capacity_mult;
            let n_grids = comm.grids.len().max(1) as f32;
            let comm_staff = self.offices.staff[self.offices.community_office[c].index()] as f32;
            let town = &self.territory.townships[comm.township.index()];
            let town_staff = self.offices.staff
                [self.offices.township_office[comm.township.index()].index()]
                as f32;
            let (comm_mediators, mediators) = government::community_mediators(
                share,
                comm_staff,
                town_staff,
                town.communities.len(),
                self.comm_org_mediators[c],
            );
            for g in comm.grids.clone() {
                let grid_staff =
                    self.offices.staff[self.offices.grid_office[g as usize].index()] as f32;
                self.grid_mediators[g as usize] =
                    government::grid_mediators(presence, mult, grid_staff, comm_mediators, n_grids);
            }
            self.comm_p_mediate[c] =
                government::mediation_chance(gov, mediators, mult, self.comm_active[c]);
        }
    }
}
