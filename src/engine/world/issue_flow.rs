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
use crate::model::residents::{ResidentId, Visible};
use crate::model::silos::{self, Boundary};
use crate::model::territory::{GridId, Level};
use crate::model::{assessment, collective, costs};

impl World {
    /// New issues raised by residents this tick, in chunk order.
    pub(super) fn intake(&mut self) {
        for k in 0..self.chunks.len() {
            for n in 0..self.chunk_out[k].issues.len() {
                let ni = self.chunk_out[k].issues[n];
                let grid = GridId(ni.grid);
                if ni.claim {
                    let r = ni.resident as usize;
                    self.residents.state[r].claims = self.residents.state[r].claims.filed();
                    let county = self.territory.grids[grid.index()].county.index();
                    self.tallies[county].closure.claims_filed += 1;
                }
                self.create_issue(
                    Some(ResidentId(ni.resident)),
                    grid,
                    ni.category,
                    ni.reported,
                    ni.claim,
                    ni.resident as u64,
                );
            }
        }
    }

    /// Create an issue (a laid-off worker's `claim` or not); `agent` keys its detail
    /// draws (unique per tick).
    pub(super) fn create_issue(
        &mut self,
        resident: Option<ResidentId>,
        grid: GridId,
        category: Category,
        reported: bool,
        claim: bool,
        agent: u64,
    ) {
        let t = self.tick;
        let sc = &self.scenario;
        let g = &self.territory.grids[grid.index()];
        let county = g.county;
        let mut s = stream(self.seed, Purpose::IssueDetail, agent, t as u64);
        let factor = government::work_factor(&sc.government, self.uplift, g.urban);
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
        let unclear = stream(self.seed, Purpose::Unclear, agent, t as u64)
            .chance(silos::unclear_share(&sc.silos, category));
        let origin = Origin {
            unclear,
            resident,
            grid,
            county,
            urban: g.urban,
            tick: t,
            key: self.serial,
            claim,
        };
        self.serial += 1;
        let issue = Issue::new(category, &sc.issues, &d, stages, joint, origin);
        let township = g.township.index();
        let id = self.issues.insert(issue);
        self.ledger[township].created += 1;
        self.tallies[county.index()].created += 1;
        self.tallies[county.index()].category_created[category as usize] += 1;
        if reported {
            // Raising it in person (or by the channel standing in for it) is one trip.
            self.issues.get_mut(id).progress.trips = 1;
            self.tallies[county.index()].hotline.contacts += 1;
            self.route(id);
        } else {
            self.unreported[grid.index()].push(id);
        }
    }

    /// A detected issue goes to the city centre (central routing) or to its grid.
    fn route(&mut self, id: IssueId) {
        let t = self.tick;
        let small = self.scenario.issues.small_severity as f32;
        let entry = costs::data_entry(&self.scenario.costs, &self.mech);
        let issue = self.issues.mark_reported(id, t);
        // The grid enters it on the platform, from its hours tomorrow.
        self.owed[self.offices.grid_office[issue.grid.index()].index()] += entry;
        self.tallies[issue.county.index()].hotline.reported += 1;
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

    /// Whether office `o` has the hours of a hand-off left today (a hand-off is paid in
    /// full or waits).
    pub(super) fn can_hand_off(&self, o: OfficeId) -> bool {
        let cost = government::handoff_cost(&self.scenario.government, &self.mech);
        government::affords(cost, self.offices.capacity[o.index()])
    }

    /// Charge `hours` of coordination to office `o` today.
    pub(super) fn pay(&mut self, o: OfficeId, hours: f64) {
        self.offices.capacity[o.index()] -= hours;
        self.offices.coordination[o.index()] += hours;
    }

    /// Hand an issue from office `from` to `to`, ready after `delay` ticks; the sender
    /// pays the hand-off (the caller checked it can, `can_hand_off`). The receiver of an
    /// issue already worked on loses part of its history (rework), the resident may have to come in again (a trip), and
    /// across a `boundary` an issue whose owner is unclear may be sent back: the
    /// receiver pays its own hand-off (from tomorrow's hours) and the issue returns to
    /// `from` after the way there and back. Returns whether it was delivered.
    pub(super) fn hand_off(
        &mut self,
        id: IssueId,
        from: OfficeId,
        to: OfficeId,
        delay: u32,
        boundary: Option<Boundary>,
    ) -> bool {
        let t = self.tick as u64;
        let cost = government::handoff_cost(&self.scenario.government, &self.mech);
        self.pay(from, cost);
        let sc = &self.scenario;
        let issue = self.issues.get_mut(id);
        let township = self.territory.grids[issue.grid.index()].township.index();
        // Work already done on it is partly repeated by the next office (the history is
        // lost); an issue no one has worked on yet loses nothing.
        if issue.progress.started {
            issue.work_left += silos::rework(&sc.silos, &self.mech, issue.work_total);
        }
        let one_stop = self.one_stop[township];
        if stream(self.seed, Purpose::Trip, issue.key, t)
            .chance(silos::trip_chance(&sc.silos, &self.mech, one_stop))
        {
            issue.progress.trips = issue.progress.trips.saturating_add(1);
        }
        let bounced = match boundary {
            Some(b) if issue.unclear => {
                let p =
                    silos::bounce_chance(&sc.silos, &self.mech, b, issue.progress.bounces as u32);
                stream(self.seed, Purpose::Bounce, issue.key, t).chance(p)
            }
            _ => false,
        };
        if bounced {
            issue.progress.bounces = issue.progress.bounces.saturating_add(1);
            self.tallies[issue.county.index()].hotline.bounces += 1;
            self.owed[to.index()] += cost;
            self.send(id, from, delay.saturating_mul(2).max(1));
            false
        } else {
            self.send(id, to, delay);
            true
        }
    }

    /// Put an issue in another office's queue, ready after `delay` ticks.
    pub(super) fn send(&mut self, id: IssueId, to: OfficeId, delay: u32) {
        let issue = self.issues.get_mut(id);
        // Counted for the county answer rate when decided: at the first county action
        // (`respond`) or when it leaves unanswered (`county_unanswered`).
        if self.offices.level[to.index()] == Level::County {
            issue.progress.at_county = true;
        }
        if issue.office != Some(to) {
            issue.progress.seen = false;
            issue.progress.shelved = false;
        }
        issue.office = Some(to);
        issue.ready_at = self.tick + delay;
        self.offices.queue[to.index()].push_back(id);
    }

    /// An issue leaving after reaching a county-level office that never acted on it:
    /// received and not answered (the county answer rate's denominator).
    fn county_unanswered(&mut self, issue: &Issue) {
        if issue.progress.at_county && !issue.progress.county_answered {
            self.tallies[issue.county.index()].hotline.county_received += 1;
        }
    }

    /// The issue leaves solved; its resident feels it.
    pub(super) fn resolve(&mut self, id: IssueId) {
        let issue = self.issues.remove(id);
        self.county_unanswered(&issue);
        let days = self.tick - issue.created;
        let township = self.territory.grids[issue.grid.index()].township.index();
        self.ledger[township].resolved += 1;
        let tally = &mut self.tallies[issue.county.index()];
        tally.record_resolution(days, issue.urban, issue.category as usize);
        tally.hotline.trips += issue.progress.trips as u64;
        if let Some(r) = issue.resident {
            let r = r.index();
            let speed = resolution_speed(&self.scenario.issues, &issue, days);
            let felt = self
                .felt(r)
                .resolved(&self.scenario.behaviour, speed, issue.severity);
            self.set_felt(r, felt);
            self.residents.state[r].outcomes.resolved += 1.0;
        }
        self.claim_ended(&issue, true);
        self.claimant_after(&issue);
    }

    /// A social-assistance issue ended: its resident's hardship after the outcome counts
    /// in `assistance_hardship`.
    fn claimant_after(&mut self, issue: &Issue) {
        if let (Category::SocialAssistance, Some(r)) = (issue.category, issue.resident) {
            let h = self.residents.state[r.index()].hardship as f64;
            self.tallies[issue.county.index()].assistance_hardship += h;
        }
    }

    /// A laid-off worker's claim leaves the flow, answered (resolved) or not: its
    /// resident's open claims fall, and an answered one is paid.
    fn claim_ended(&mut self, issue: &Issue, answered: bool) {
        let (true, Some(r)) = (issue.claim, issue.resident) else {
            return;
        };
        let r = r.index();
        self.residents.state[r].claims = self.residents.state[r].claims.ended(answered);
        let tally = &mut self.tallies[issue.county.index()].closure;
        if answered {
            tally.claims_answered += 1;
        } else {
            tally.claims_unanswered += 1;
        }
    }

    /// An issue expiring: a social-assistance issue that waited for its county's budget
    /// was refused for lack of funds, and its resident's hardship rises by
    /// `refused_hardship` × severity on top of what the expiry costs.
    fn refused(&mut self, issue: &Issue) {
        if issue.category != Category::SocialAssistance || !issue.progress.awaited_budget {
            return;
        }
        self.tallies[issue.county.index()].assistance_refused += 1;
        if let Some(r) = issue.resident {
            let add = self.scenario.behaviour.refused_hardship as f32 * issue.severity;
            let h = &mut self.residents.state[r.index()].hardship;
            *h = crate::model::unit(*h + add);
        }
    }

    /// The issue leaves unclosed (past its deadline, or dropped at a boundary); its
    /// resident feels it. One never reported is latent: counted apart from the reported.
    pub(super) fn expire(&mut self, id: IssueId) {
        let issue = self.issues.remove(id);
        self.county_unanswered(&issue);
        let township = self.territory.grids[issue.grid.index()].township.index();
        let reported = issue.reported_at.is_some();
        if reported {
            self.ledger[township].expired += 1;
            self.tallies[issue.county.index()].record_expiry(issue.urban, issue.category as usize);
        } else {
            // Not in the hotline's denominators, but a resident's issue nobody served: it
            // counts against its category's and its place's service.
            self.ledger[township].latent += 1;
            self.tallies[issue.county.index()].record_latent(issue.urban, issue.category as usize);
        }
        if let Some(o) = issue.office {
            self.score_event(o, 0.0);
        }
        if let Some(r) = issue.resident {
            let r = r.index();
            let felt = self
                .felt(r)
                .expired(&self.scenario.behaviour, issue.severity);
            self.set_felt(r, felt);
            if reported {
                self.maybe_petition(&issue, felt);
            }
        }
        self.claim_ended(&issue, false);
        self.refused(&issue);
        self.claimant_after(&issue);
    }

    /// The issue leaves closed but unsolved; its resident feels it.
    pub(super) fn close_unsolved(&mut self, id: IssueId) {
        let issue = self.issues.remove(id);
        self.county_unanswered(&issue);
        let township = self.territory.grids[issue.grid.index()].township.index();
        self.ledger[township].closed_unsolved += 1;
        self.tallies[issue.county.index()]
            .record_unsolved_closure(issue.urban, issue.category as usize);
        if let Some(r) = issue.resident {
            let r = r.index();
            let loss = self.scenario.assessment.unsolved_trust_loss;
            let felt = self
                .felt(r)
                .unsolved(&self.scenario.behaviour, loss, issue.severity);
            self.set_felt(r, felt);
            self.maybe_petition(&issue, felt);
        }
        self.claim_ended(&issue, false);
        self.claimant_after(&issue);
    }

    /// A resident whose issue ended unsolved may take it over the city's head.
    fn maybe_petition(&mut self, issue: &Issue, felt: Felt) {
        let p = collective::petition_chance(&self.scenario.collective, felt.grievance());
        if p > 0.0 && stream(self.seed, Purpose::Petition, issue.key, self.tick as u64).chance(p) {
            self.tallies[issue.county.index()].hotline.petitions += 1;
        }
    }

    /// One indicator event in office `o`'s assessment score.
    pub(super) fn score_event(&mut self, o: OfficeId, x: f64) {
        let s = &mut self.score[o.index()];
        *s = assessment::score_after(&self.scenario.assessment, *s, x);
    }

    /// Resident `r`'s trust, hardship and next tick's visible experience.
    fn felt(&self, r: usize) -> Felt {
        Felt {
            trust: self.residents.state[r].trust,
            hardship: self.residents.state[r].hardship,
            experience: self.shown_next(r).experience(),
        }
    }

    fn set_felt(&mut self, r: usize, felt: Felt) {
        self.residents.state[r].trust = felt.trust;
        self.residents.state[r].hardship = felt.hardship;
        let shown = self.shown_next(r).with_experience(felt.experience);
        self.said_log.push(r, shown, self.visible_next.len());
    }

    /// What resident `r` shows its ties next tick, as changed so far.
    fn shown_next(&self, r: usize) -> Visible {
        self.said_log.get(r).unwrap_or(self.visible_next[r])
    }
}

/// Records changed by the sequential phases (the word of mouth of residents who felt
/// their issue's end), queued until the phases are done ([`World::step`]), because the
/// sums taken ahead read the records meanwhile.
#[derive(Clone, Default)]
pub(super) struct SaidLog {
    /// Residents and their new records, in order of change.
    changes: Vec<(u32, Visible)>,
    /// One bit a resident: whether it is in `changes` (sized on the first change).
    queued: Vec<u64>,
}

impl SaidLog {
    /// Resident `r`'s record is now `shown` (of `residents`).
    fn push(&mut self, r: usize, shown: Visible, residents: usize) {
        if self.queued.is_empty() {
            self.queued = vec![0; residents.div_ceil(64)];
        }
        self.queued[r / 64] |= 1 << (r % 64);
        self.changes.push((r as u32, shown));
    }

    /// Resident `r`'s last queued record, if any.
    fn get(&self, r: usize) -> Option<Visible> {
        let queued = self.queued.get(r / 64)? & (1 << (r % 64)) != 0;
        if !queued {
            return None;
        }
        let last = self.changes.iter().rev().find(|&&(k, _)| k as usize == r);
        last.map(|&(_, shown)| shown)
    }

    /// The changes in order.
    pub(super) fn changes(&self) -> &[(u32, Visible)] {
        &self.changes
    }

    /// Empty the log.
    pub(super) fn clear(&mut self) {
        for &(r, _) in &self.changes {
            self.queued[r as usize / 64] = 0;
        }
        self.changes.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::SaidLog;
    use crate::model::residents::Visible;

    #[test]
    fn the_log_gives_each_residents_last_record_until_cleared() {
        let mut log = SaidLog::default();
        let at = |x: f32| Visible::default().with_experience(x);
        assert_eq!(log.get(7), None);
        log.push(7, at(0.5), 200);
        log.push(70, at(-0.25), 200);
        log.push(7, at(0.75), 200);
        assert_eq!(log.get(7), Some(at(0.75)));
        assert_eq!(log.get(70), Some(at(-0.25)));
        // Its neighbours in the bit set, and those never changed, are not queued.
        for r in [6, 8, 63, 64, 71, 199] {
            assert_eq!(log.get(r), None, "{r}");
        }
        assert_eq!(
            log.changes(),
            &[(7, at(0.5)), (70, at(-0.25)), (7, at(0.75))]
        );
        log.clear();
        assert!(log.changes().is_empty());
        assert_eq!(log.get(7), None);
        assert_eq!(log.get(70), None);
        log.push(199, at(1.0), 200);
        assert_eq!(log.get(199), Some(at(1.0)));
    }
}
