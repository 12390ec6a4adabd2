//! The resident phase seen from the world: the shared inputs of the parallel update and
//! the merge of its per-chunk outputs in chunk order; next tick's mediation views; and
//! the outreach that builds residents'
//! links, paid from grid offices' hours. The rules of a resident's day live in
//! `residents_phase` and `model`.

use super::World;
use crate::engine::residents_phase::{self, ChunkMut, Shared};
use crate::model::government;
use crate::model::government::OfficeKind;
use crate::model::residents::{LinkRules, links};

impl World {
    pub(super) fn resident_phase(&mut self) {
        self.link_inputs();
        let county_goals: Vec<f32> = self.county_goals.iter().map(|&g| g as f32).collect();
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
            police: &self.answers.police,
            invites: &self.answers.invites,
            mediation_trust: &self.answers.mediation_trust,
            visible_prev: &r.visible,
            ties: &r.ties,
            traits: &r.traits,
            epidemic: self.pressures.epidemic,
            county_isolation: &self.county_isolation,
            county_known: &self.county_known,
            county_infectious: &self.county_infectious,
            rumour: self.pressures.rumour,
            channel: &self.comm_channel,
            visits: &self.grid_visits,
            orgs_active: &self.comm_orgs_active,
            kept: &self.grid_kept,
            coworkers: &self.comm_coworkers,
            links: LinkRules::new(
                &sc.links,
                &sc.population,
                self.mech.social,
                sc.behaviour.points_per_day,
            ),
            county_goals: &county_goals,
            ahead: self.ahead.ready(),
        };
        let m = ChunkMut {
            state: &mut r.state,
            link: &mut r.link,
            visible_next: std::sync::Arc::make_mut(&mut self.visible_next).as_mut_slice(),
        };
        residents_phase::update_all(&shared, &self.chunks, m, &mut self.chunk_out);
        self.ahead.clear();
        // Merge in chunk order.
        for (chunk, out) in self.chunks.iter().zip(&self.chunk_out) {
            self.tallies[chunk.county.index()].add(&out.tally);
            let c0 = chunk.communities.start as usize;
            self.comm_active[c0..c0 + out.comm_active.len()].copy_from_slice(&out.comm_active);
            let g0 = chunk.grids.start as usize;
            self.grid_volunteers[g0..g0 + out.grid_volunteers.len()]
                .copy_from_slice(&out.grid_volunteers);
            let laid_off = out.comm_laid_off.iter().zip(&out.comm_laid_off_active);
            for (k, (&n, &active)) in laid_off.enumerate() {
                self.comm_coworkers[c0 + k] = if n > 0 { active as f32 / n as f32 } else { 0.0 };
            }
            for (k, &sum) in out.comm_link.iter().enumerate() {
                let n = self.territory.communities[c0 + k].residents.len().max(1);
                self.comm_mean_link[c0 + k] = (sum / n as f64) as f32;
            }
        }
    }

    /// What builds links today, as the resident phase reads it: the chance yesterday's
    /// outreach visits a resident, per grid, and the share of each community's
    /// organisations active.
    fn link_inputs(&mut self) {
        let spec = &self.scenario.links;
        for (g, grid) in self.territory.grids.iter().enumerate() {
            self.grid_visits[g] =
                links::visit_chance(spec, self.grid_outreach[g], grid.residents.len());
        }
        self.comm_orgs_active.fill(0.0);
        for o in 0..self.orgs.len() {
            if self.orgs.active[o] {
                self.comm_orgs_active[self.orgs.community[o].index()] += 1.0;
            }
        }
        for (share, &n) in self.comm_orgs_active.iter_mut().zip(&self.comm_orgs) {
            *share /= n.max(1) as f32;
        }
    }

    /// Outreach (走访): each grid office pays its planned outreach hours from its
    /// capacity, the part it always keeps first, the rest as far as today's share of the
    /// work on the issues in its queue leaves hours (each issue's work spread over the
    /// days to its deadline, `links::daily_pace`, summed by `measure_queues`;
    /// `links::outreach_delivered`); the hours count as used staff-hours, and what was
    /// delivered sets tomorrow's visits (`link_inputs`). Called by the capacity phase
    /// once every office's hours are set.
    pub(super) fn pay_outreach(&mut self) {
        let priority = self.scenario.links.outreach_priority;
        for o in 0..self.offices.len() {
            if let OfficeKind::Grid(g) = self.offices.kind[o] {
                let g = g.index();
                let delivered = links::outreach_delivered(
                    self.grid_outreach_plan[g],
                    self.offices.capacity[o],
                    self.casework[o],
                    priority,
                );
                self.offices.capacity[o] -= delivered;
                self.offices.used[o] += delivered;
                self.grid_outreach[g] = delivered;
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
            // Routine mediation by the mediators present, and the joint mediation the
            // township's answer to an incident brings (either reaches a protester).
            let routine = government::mediation_chance(gov, mediators, mult, self.comm_active[c]);
            let joint = self.answers.joint[c];
            self.comm_p_mediate[c] = 1.0 - (1.0 - routine) * (1.0 - joint);
        }
    }
}
