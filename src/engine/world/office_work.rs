//! Office work: each office, in office order, takes every issue of its queue once, asks
//! `model::issues::next_move` what happens to it, and applies the move: hours, queues,
//! hand-offs and tallies. A staged issue is worked with the office's remaining hours and
//! `model::issues::after_work` says whether it is closed, moves on or waits; a closure is
//! judged (`close`): solved or not, called back or not, reopened or not.
//!
//! Every hand-off, meeting, report and callback is paid in full from the hours of the
//! office that makes it; when they are not there, the issue waits for tomorrow.
//!
//! Invariant: offices are worked in id order (level by level) and each queue is taken
//! front to back once per tick; an issue put back goes to the end.

use super::World;
use crate::base::rng::{Purpose, stream};
use crate::model::assessment::{self, Verdict};
use crate::model::costs;
use crate::model::government::{self, OfficeId, OfficeKind};
use crate::model::issues::{
    self, AfterWork, IssueId, Move, OfficeView, Phase, Today, resolution_speed,
};
use crate::model::platform;
use crate::model::silos::{self, Boundary};
use crate::model::territory::{CountyId, Level};

/// How many issues ahead office work asks for their slots in the store: it does much
/// with each issue, so a few suffice.
const ISSUES_AHEAD: usize = 4;

/// The day's settings of the office rules that do not depend on the office.
struct Settings {
    today: Today,
    escalation_delay: u32,
    units: f64,
}

impl World {
    /// Every office works its queue, in office order.
    pub(super) fn work_offices(&mut self) {
        let sc = &self.scenario;
        let gov = &sc.government;
        let settings = Settings {
            today: Today {
                tick: self.tick,
                seed: self.seed,
                dispatch_hours: gov.dispatch_hours,
                cooperation: government::cross_region_cooperation(gov, &self.mech),
                patience: government::cross_region_patience(gov, &self.mech),
                shelve: assessment::shelve_chance(&sc.assessment, &self.mech),
                pull: assessment::pull_chance(&sc.assessment, &self.mech),
                city_takes: silos::city_takes_chance(&sc.silos, &self.mech),
                platform: self.mech.information_sharing,
                dept_goals: platform::dept_goals(
                    &sc.links,
                    assessment::pressure(&sc.assessment, &self.mech),
                    self.leading_group,
                ),
            },
            escalation_delay: government::escalation_delay(gov, &self.mech),
            units: sc.issues.assistance_budget_units,
        };
        for o in self.offices.ids() {
            self.work_queue(o, &settings);
        }
    }

    /// Office `o` takes each issue of its queue once. A department that only acknowledges
    /// a shared issue today, without acting on it, counts as linked but inactive.
    fn work_queue(&mut self, o: OfficeId, settings: &Settings) {
        let ou = o.index();
        let ref_delay = government::referral_delay(
            &self.scenario.government,
            &self.mech,
            self.uplift,
            self.offices.connectivity[ou],
        );
        let department = matches!(
            self.offices.kind[ou],
            OfficeKind::CountyDept(..) | OfficeKind::CityDept(_)
        );
        let mut inactive = false;
        let n = self.offices.queue[ou].len();
        for _ in 0..n {
            // Issues sit at random places in the store: ask for one a few places down
            // the queue while this one is worked.
            if let Some(&ahead) = self.offices.queue[ou].get(ISSUES_AHEAD) {
                self.issues.prefetch(ahead);
            }
            let id = self.offices.queue[ou]
                .pop_front()
                .expect("queue holds n issues");
            let view = OfficeView {
                office: o,
                level: self.offices.level[ou],
                capacity: self.offices.capacity[ou],
                department,
            };
            let issue = self.issues.get(id);
            let mv = issues::next_move(issue, &view, &settings.today);
            if mv.acts() {
                self.respond(id, o);
            }
            inactive |= mv == Move::Acknowledge;
            self.apply(id, o, mv, settings, ref_delay);
        }
        if inactive {
            let row = self.offices.county[ou].map_or(self.territory.counties.len(), |k| k.index());
            self.tallies[row].depts_linked_inactive += 1;
        }
    }

    /// Office `o` acts on an issue: it is answered (no longer shelved); the first action
    /// on it is its response, on time or late.
    fn respond(&mut self, id: IssueId, o: OfficeId) {
        let t = self.tick;
        let issue = self.issues.get_mut(id);
        issue.progress.seen = true;
        issue.progress.shelved = false;
        // The county answer (Chen, Pan & Xu 2016): the first action of a county-level
        // office on it (an acknowledgement included, as the hotline's response counts
        // it), on time when within the response deadline of its arrival there. Counted
        // now, received and answered together, so that an issue that arrived during the
        // warm-up is not answered without having been received.
        if issue.progress.at_county
            && !issue.progress.county_answered
            && self.offices.level[o.index()] == Level::County
        {
            issue.progress.county_answered = true;
            let on_time =
                t.saturating_sub(issue.ready_at) <= self.scenario.assessment.response_days;
            let tally = &mut self.tallies[issue.county.index()].hotline;
            tally.county_received += 1;
            tally.county_answered += on_time as u64;
        }
        if issue.progress.responded {
            return;
        }
        issue.progress.responded = true;
        let reported = issue.reported_at.unwrap_or(t);
        let on_time = t - reported <= self.scenario.assessment.response_days;
        if on_time {
            self.tallies[issue.county.index()].hotline.responded += 1;
        }
        self.score_event(o, if on_time { 1.0 } else { 0.0 });
    }

    /// Apply an issue's move at office `o`. A move that hands the issue on waits when the
    /// office lacks the hours of the hand-off.
    fn apply(&mut self, id: IssueId, o: OfficeId, mv: Move, settings: &Settings, ref_delay: u32) {
        let ou = o.index();
        let hands_on = matches!(
            mv,
            Move::Escalate | Move::Refer | Move::ReferWithPartner | Move::EscalateToCity
        );
        if hands_on && !self.can_hand_off(o) {
            self.offices.queue[ou].push_back(id);
            return;
        }
        let issue = self.issues.get_mut(id);
        let county = issue.county.index();
        let first = issue.first_stage();
        match mv {
            Move::Expire | Move::Drop => self.expire(id),
            Move::Wait => self.offices.queue[ou].push_back(id),
            Move::Shelve => {
                issue.progress.shelved = true;
                issue.progress.seen = true;
                self.tallies[county].hotline.shelved += 1;
                self.offices.queue[ou].push_back(id);
            }
            Move::Acknowledge => {
                // Signed for on the platform and left: the entry is paid all the same,
                // from the department's hours tomorrow.
                self.owed[ou] += costs::data_entry(&self.scenario.costs, &self.mech);
                self.offices.queue[ou].push_back(id);
            }
            Move::Dispatch => {
                let hours = settings.today.dispatch_hours;
                self.offices.capacity[ou] -= hours;
                self.offices.used[ou] += hours;
                issue.phase = Phase::Staged;
                issue.progress.dispatched = true;
                self.tallies[county].referrals += 1;
                // Dispatch is the centre's hand-off; its hours are the cost.
                self.send(id, first, self.scenario.government.dispatch_delay_days);
            }
            Move::CloseInGrid => {
                issue.restage_at(o);
                self.work_on(id, o, settings.units, ref_delay);
            }
            Move::Escalate => {
                let parent = self.offices.parent(&self.territory, o);
                self.tallies[county].escalations += 1;
                // Between township and county, an issue no one owns may come back.
                let boundary =
                    (self.offices.level[ou] == Level::Township).then_some(Boundary::Upward);
                self.hand_off(id, o, parent, settings.escalation_delay, boundary);
            }
            Move::AwaitPartner => {
                issue.phase = Phase::AwaitingPartner;
                issue.waiting_since = settings.today.tick;
                self.offices.queue[ou].push_back(id);
            }
            Move::Work => {
                issue.phase = Phase::Staged;
                self.work_on(id, o, settings.units, ref_delay);
            }
            Move::Refer => {
                self.tallies[county].referrals += 1;
                if self.hand_off(id, o, first, ref_delay, Some(Boundary::Sideways)) {
                    self.issues.get_mut(id).phase = Phase::Staged;
                }
            }
            Move::ReferWithPartner => {
                let partner_office = self.offices.county_office[issue.partner.index()];
                self.tallies[county].referrals += 1;
                // The partner county's side of the hand-off, from its hours tomorrow.
                self.owed[partner_office.index()] +=
                    government::handoff_cost(&self.scenario.government, &self.mech);
                if self.hand_off(id, o, first, ref_delay, Some(Boundary::Sideways)) {
                    self.issues.get_mut(id).phase = Phase::Staged;
                }
            }
            Move::EscalateToCity => {
                let target = self.offices.city_mirror(first);
                issue.restage_at(target);
                self.tallies[county].escalations += 1;
                self.hand_off(id, o, target, settings.escalation_delay, None);
            }
        }
    }

    /// Work on a staged issue at office `o`; close it, pass it to its next stage, or
    /// leave it queued.
    fn work_on(&mut self, id: IssueId, o: OfficeId, units: f64, ref_delay: u32) {
        let ou = o.index();
        if !self.start_stage(id, o) {
            self.offices.queue[ou].push_back(id);
            return;
        }
        self.maybe_game_deadline(id, o);
        let issue = self.issues.get(id);
        let eligible = issue.category.social_can_handle();
        if eligible {
            self.engage_volunteers(o, issue.work_left as f64);
        }
        let issue = self.issues.get_mut(id);
        let county = issue.county.index();
        // Volunteers and organisations first, where they may act; staff for the rest.
        let (social, staff) = issues::split_work(
            issue.work_left,
            self.offices.social[ou],
            self.offices.capacity[ou],
            eligible,
        );
        issue.work_left -= (social + staff) as f32;
        self.offices.social[ou] -= social;
        self.offices.capacity[ou] -= staff;
        self.offices.used[ou] += staff;
        self.tallies[county].social_hours_worked += social;
        let after = issues::after_work(issue, self.budget[county], units);
        if after != AfterWork::Unfinished {
            issue.work_left = 0.0;
        }
        match after {
            AfterWork::Unfinished => {
                self.offices.queue[ou].push_back(id);
            }
            AfterWork::AwaitBudget => {
                issue.progress.awaited_budget = true;
                self.offices.queue[ou].push_back(id);
            }
            AfterWork::Resolve { draws_budget } => {
                if !self.close(id, o) {
                    self.offices.queue[ou].push_back(id);
                } else if draws_budget {
                    self.spend(Some(CountyId::at(county)), units);
                }
            }
            AfterWork::NextStage => {
                let target = issue.next_office();
                if !self.can_hand_off(o) {
                    self.offices.queue[ou].push_back(id);
                    return;
                }
                self.tallies[county].referrals += 1;
                let delay = government::stage_delay(&self.scenario.government, ref_delay);
                if self.hand_off(id, o, target, delay, Some(Boundary::Sideways)) {
                    self.issues.get_mut(id).next_stage(&self.scenario.issues);
                }
            }
        }
    }

    /// A grid office engages volunteers for `work` hours of an issue they may take, as
    /// far as those already engaged today fall short: each newly engaged one is supervised
    /// at `volunteer_upkeep_hours` of staff time (coordination), and those it cannot pay
    /// for are left unkept. Other offices have no volunteers.
    fn engage_volunteers(&mut self, o: OfficeId, work: f64) {
        let ou = o.index();
        let OfficeKind::Grid(g) = self.offices.kind[ou] else {
            return;
        };
        let g = g.index();
        let b = &self.scenario.behaviour;
        let need = work - self.offices.social[ou];
        let e = government::engage(
            need,
            self.grid_pool[g],
            b.volunteer_hours,
            b.volunteer_upkeep_hours,
            self.offices.capacity[ou],
        );
        self.offices.capacity[ou] -= e.upkeep;
        self.offices.coordination[ou] += e.upkeep;
        self.offices.social[ou] += e.hours;
        self.grid_pool[g] -= e.hours;
        self.grid_engaged[g] += e.engaged;
        self.grid_refused[g] += e.refused;
    }

    /// The first day of work on a stage: a joint issue opens with a joint meeting whose
    /// every seat is paid (this office's seat today, the others from their offices' hours
    /// tomorrow), and an office under pressure may decide to game its last stage. Returns
    /// false when the office cannot pay its seat today.
    fn start_stage(&mut self, id: IssueId, o: OfficeId) -> bool {
        let issue = self.issues.get(id);
        if issue.progress.started {
            return true;
        }
        if let Some(seats) = issue.joint_meeting_seats() {
            let seat = government::joint_meeting_cost(&self.scenario.government, &self.mech, 1.0);
            if !government::affords(seat, self.offices.capacity[o.index()]) {
                return false;
            }
            // The other seats, owed from their offices' hours tomorrow (at most two
            // stages: a fixed array, no allocation in the office loop).
            let stages = issue.stages;
            debug_assert!(stages.iter().flatten().count() >= seats as usize);
            self.pay(o, seat);
            for s in stages.into_iter().flatten().filter(|&s| s != o) {
                self.owed[s.index()] += seat;
            }
        }
        let sc = &self.scenario;
        let issue = self.issues.get_mut(id);
        issue.progress.started = true;
        if issue.on_last_stage() {
            let p = assessment::gaming_chance(&sc.assessment, &self.mech, self.score[o.index()]);
            if stream(self.seed, Purpose::Gaming, issue.key, self.tick as u64).chance(p) {
                issue.progress.gamed = true;
                issue.work_left *= sc.assessment.gaming_work_share as f32;
            }
        }
        true
    }

    /// An office that cannot finish an issue's last stage before its deadline may close
    /// it anyway, unsolved, under pressure.
    fn maybe_game_deadline(&mut self, id: IssueId, o: OfficeId) {
        let t = self.tick;
        let sc = &self.scenario;
        let issue = self.issues.get_mut(id);
        if issue.progress.gamed || !issue.on_last_stage() {
            return;
        }
        let days_left = issue.deadline.saturating_sub(t);
        // Social hours within reach: those of the day, and volunteers not yet engaged.
        let social = match (
            issue.category.social_can_handle(),
            self.offices.kind[o.index()],
        ) {
            (false, _) => 0.0,
            (true, OfficeKind::Grid(g)) => {
                self.offices.social[o.index()] + self.grid_pool[g.index()]
            }
            (true, _) => self.offices.social[o.index()],
        };
        let cap = self.offices.capacity[o.index()] + social;
        if !assessment::cannot_finish(issue.work_left as f64, cap, days_left) {
            return;
        }
        let p = assessment::deadline_gaming_chance(&sc.assessment, &self.mech);
        if stream(self.seed, Purpose::DeadlineGaming, issue.key, t as u64).chance(p) {
            issue.progress.gamed = true;
            issue.work_left *= sc.assessment.gaming_work_share as f32;
        }
    }

    /// Office `o` closes an issue whose work is done: it reports upward (grid, community
    /// and township offices, when vertical linkage asks it), the closure counts for its
    /// score, and the verdict follows: solved, unsolved, or reopened after a callback or
    /// the resident's complaint. Returns false when the office lacks the reporting hours
    /// today (the closure waits).
    fn close(&mut self, id: IssueId, o: OfficeId) -> bool {
        let t = self.tick;
        // A copy (plain numbers), so the scenario is not borrowed while hours are paid.
        let a = &self.scenario.assessment.clone();
        if self.offices.level[o.index()] <= Level::Township {
            let hours = assessment::reporting_hours(a, &self.mech);
            if !government::affords(hours, self.offices.capacity[o.index()]) {
                return false;
            }
            self.pay(o, hours);
        }
        let issue = self.issues.get(id);
        let x = assessment::closure_event(a, t - issue.created, issue.deadline - issue.created);
        self.score_event(o, x);
        let issue = self.issues.get(id);
        let mut s = stream(self.seed, Purpose::Verdict, issue.key, t as u64);
        let solved = !issue.progress.gamed
            && s.chance(assessment::solve_chance(a, issue.beyond_grid_skill()));
        let county = issue.county.index();
        let centre = self.offices.city_centre;
        let called = s.chance(assessment::callback_chance(a, &self.mech))
            && government::affords(a.callback_hours, self.offices.capacity[centre.index()]);
        let mut caught = false;
        if called {
            let speed = resolution_speed(&self.scenario.issues, issue, t - issue.created) as f64;
            let satisfied = s.chance(assessment::satisfied_chance(a, solved, speed));
            let hours = a.callback_hours;
            self.pay(centre, hours);
            let tally = &mut self.tallies[county].hotline;
            tally.callbacks += 1;
            tally.satisfied += satisfied as u64;
            self.score_event(o, if satisfied { 1.0 } else { 0.0 });
            caught = !solved;
        }
        let issue = self.issues.get(id);
        let reraised = !solved && !caught && s.chance(a.reraise);
        // Raising it again is the resident's contact too.
        self.tallies[county].hotline.contacts += reraised as u64;
        match assessment::verdict(a, solved, caught, reraised, issue.progress.reopens as u32) {
            Verdict::Solved => self.resolve(id),
            Verdict::Unsolved => self.close_unsolved(id),
            Verdict::Reopen => {
                let days = a.reopen_days;
                self.issues.get_mut(id).reopen(t, days);
                self.tallies[county].hotline.reopened += 1;
                self.offices.queue[o.index()].push_back(id);
            }
        }
        true
    }
}
