//! Issue flow: new issues enter the store, detected ones are routed, grid patrols find
//! unreported ones, issues move between office queues, and leave resolved or expired.
//! The rules (what a new issue is like, where it goes, how its resident feels) live in
//! `model::issues`; this file keeps the store, the queues and the ledger consistent.
//!
//! Invariant: every issue is in exactly one place (one office queue or one grid's
//! unreported list) and is counted once in its township's ledger when created and once
//! when it leaves.

use super::World;
use crate::base::rng::{Purpose, stream};
use crate::model::government;
use crate::model::government::OfficeId;
use crate::model::issues::{
    self, Category, Felt, Issue, IssueId, Origin, Phase, Route, resolution_speed,
};
use crate::model::residents::ResidentId;
use crate::model::territory::GridId;

impl World {
    /// New issues raised by residents this tick, in chunk order.
    pub(super) fn intake(&mut self) {
        for k in 0..self.chunks.len() {
            for n in 0..self.chunk_out[k].issues.len() {
                let ni = self.chunk_out[k].issues[n];
                let grid = GridId(self.residents.grid[ni.resident as usize]);
                self.create_issue(
                    Some(ResidentId(ni.resident)),
                    grid,
                    ni.category,
                    ni.reported,
                    ni.resident as u64,
                );
            }
        }
    }

    /// Create an issue; `agent` keys its detail draws (unique per tick).
    pub(super) fn create_issue(
        &mut self,
        resident: Option<ResidentId>,
        grid: GridId,
        category: Category,
        reported: bool,
        agent: u64,
    ) {
        let t = self.tick;
        let sc = &self.scenario;
        let g = &self.territory.grids[grid.index()];
        let county = g.county;
        let mut s = stream(self.seed, Purpose::IssueDetail, agent, t as u64);
        let factor = government::work_factor(&sc.government, &self.mech, g.urban);
        let adjacent = &self.territory.adjacency[county.index()];
        let d = issues::details(category, &sc.issues, factor, county, adjacent, &mut s);
        let level_office = self
            .offices
            .office_of_level(&self.territory, category.level(), grid);
        let stages = issues::stage_offices(
            category,
            d.departments,
            county,
            d.partner,
            level_office,
            &self.offices,
        );
        let mut joint_stream = stream(self.seed, Purpose::Joint, agent, t as u64);
        let joint = issues::joint_handling(&stages, &self.mech, &mut joint_stream);
        let origin = Origin {
            resident,
            grid,
            county,
            urban: g.urban,
            tick: t,
            key: self.serial,
        };
        self.serial += 1;
        let issue = Issue::new(category, &sc.issues, &d, stages, joint, origin);
        let township = g.township.index();
        let id = self.issues.insert(issue);
        self.ledger[township].created += 1;
        self.tallies[county.index()].created += 1;
        if reported {
            self.route(id);
        } else {
            self.unreported[grid.index()].push(id);
        }
    }

    /// A detected issue goes to the city centre (central routing) or to its grid.
    fn route(&mut self, id: IssueId) {
        let t = self.tick;
        let small = self.scenario.issues.small_severity as f32;
        let issue = self.issues.get_mut(id);
        let mut s = stream(self.seed, Purpose::Route, issue.key, t as u64);
        let office = match issues::route(issue, &self.mech, small, &mut s) {
            Route::Centre => {
                issue.phase = Phase::AtCentre;
                self.offices.city_centre
            }
            Route::Grid { in_grid } => {
                issue.in_grid = in_grid;
                issue.phase = Phase::Climbing;
                self.offices.grid_office[issue.grid.index()]
            }
        };
        issue.office = Some(office);
        issue.ready_at = t;
        self.offices.queue[office.index()].push_back(id);
    }

    /// Grid patrols: each unreported issue is found with the patrol chance of its
    /// community, expires past its deadline, or waits.
    pub(super) fn patrol(&mut self) {
        let t = self.tick;
        for g in 0..self.unreported.len() {
            if self.unreported[g].is_empty() {
                continue;
            }
            let c = self.grid_community[g] as usize;
            let p = government::patrol_chance(
                &self.scenario.government,
                &self.mech,
                self.pressures.effects[c].capacity_mult as f64,
                self.comm_channel[c] as f64,
            );
            let mut list = std::mem::take(&mut self.unreported[g]);
            self.scratch.clear();
            for &id in &list {
                let issue = self.issues.get(id);
                if crate::model::issues::expired(issue, t) {
                    self.expire(id);
                } else if stream(self.seed, Purpose::Patrol, issue.key, t as u64).chance(p) {
                    self.route(id);
                } else {
                    self.scratch.push(id);
                }
            }
            list.clear();
            list.extend_from_slice(&self.scratch);
            self.unreported[g] = list;
        }
    }

    /// Move an issue to another office's queue, ready after `delay` ticks, charging the
    /// hand-off's coordination hours to the sending office.
    pub(super) fn hand_off(&mut self, id: IssueId, from: OfficeId, to: OfficeId, delay: u32) {
        let left = self.offices.capacity[from.index()];
        let (booked, taken) =
            government::handoff_charge(&self.scenario.government, &self.mech, left);
        self.offices.coordination[from.index()] += booked;
        self.offices.capacity[from.index()] -= taken;
        self.send(id, to, delay);
    }

    /// Put an issue in another office's queue, ready after `delay` ticks.
    pub(super) fn send(&mut self, id: IssueId, to: OfficeId, delay: u32) {
        let issue = self.issues.get_mut(id);
        issue.office = Some(to);
        issue.ready_at = self.tick + delay;
        self.offices.queue[to.index()].push_back(id);
    }

    /// The issue leaves resolved; its resident feels it.
    pub(super) fn resolve(&mut self, id: IssueId) {
        let issue = self.issues.remove(id);
        let days = self.tick - issue.created;
        let township = self.territory.grids[issue.grid.index()].township.index();
        self.ledger[township].resolved += 1;
        self.tallies[issue.county.index()].record_resolution(
            days,
            issue.urban,
            issue.category as usize,
        );
        if let Some(r) = issue.resident {
            let r = r.index();
            let speed = resolution_speed(&self.scenario.issues, &issue, days);
            let felt = self
                .felt(r)
                .resolved(&self.scenario.behaviour, speed, issue.severity);
            self.set_felt(r, felt);
            self.residents.outcomes[r].resolved += 1.0;
        }
    }

    /// The issue leaves unresolved; its resident feels it.
    pub(super) fn expire(&mut self, id: IssueId) {
        let issue = self.issues.remove(id);
        let township = self.territory.grids[issue.grid.index()].township.index();
        self.ledger[township].expired += 1;
        self.tallies[issue.county.index()].record_expiry(issue.urban, issue.category as usize);
        if let Some(r) = issue.resident {
            let r = r.index();
            let felt = self
                .felt(r)
                .expired(&self.scenario.behaviour, issue.severity);
            self.set_felt(r, felt);
        }
    }

    /// Resident `r`'s trust, hardship and next tick's visible experience.
    fn felt(&self, r: usize) -> Felt {
        Felt {
            trust: self.residents.trust[r],
            hardship: self.residents.hardship[r],
            experience: self.visible_next[r].experience,
        }
    }

    fn set_felt(&mut self, r: usize, felt: Felt) {
        self.residents.trust[r] = felt.trust;
        self.residents.hardship[r] = felt.hardship;
        self.visible_next[r].experience = felt.experience;
    }
}
