//! Office work: each office, in office order, takes every issue of its queue once, asks
//! `model::issues::next_move` what happens to it, and applies the move: hours, queues,
//! hand-offs and tallies. A staged issue is worked with the office's remaining hours and
//! `model::issues::after_work` says whether it is resolved, moves on or waits.
//!
//! Invariant: offices are worked in id order (level by level) and each queue is taken
//! front to back once per tick; an issue put back goes to the end.

use super::World;
use crate::model::government::{self, OfficeId};
use crate::model::issues::{self, AfterWork, IssueId, Move, OfficeView, Phase, Today};

/// The day's settings of the office rules that do not depend on the office.
struct Settings {
    today: Today,
    escalation_delay: u32,
    units: f64,
}

impl World {
    /// Every office works its queue, in office order.
    pub(super) fn work_offices(&mut self) {
        let gov = &self.scenario.government;
        let settings = Settings {
            today: Today {
                tick: self.tick,
                seed: self.seed,
                dispatch_hours: gov.dispatch_hours,
                cooperation: government::cross_region_cooperation(gov, &self.mech),
                patience: government::cross_region_patience(gov, &self.mech),
            },
            escalation_delay: government::escalation_delay(gov, &self.mech),
            units: self.scenario.issues.assistance_budget_units,
        };
        for o in self.offices.ids() {
            self.work_queue(o, &settings);
        }
    }

    /// Office `o` takes each issue of its queue once.
    fn work_queue(&mut self, o: OfficeId, settings: &Settings) {
        let ou = o.index();
        let ref_delay = government::referral_delay(
            &self.scenario.government,
            &self.mech,
            self.offices.connectivity[ou],
        );
        let n = self.offices.queue[ou].len();
        for _ in 0..n {
            let id = self.offices.queue[ou]
                .pop_front()
                .expect("queue holds n issues");
            let view = OfficeView {
                office: o,
                level: self.offices.level[ou],
                capacity: self.offices.capacity[ou],
            };
            let issue = self.issues.get(id);
            let mv = issues::next_move(issue, &view, &settings.today);
            self.apply(id, o, mv, settings, ref_delay);
        }
    }

    /// Apply an issue's move at office `o`.
    fn apply(&mut self, id: IssueId, o: OfficeId, mv: Move, settings: &Settings, ref_delay: u32) {
        let ou = o.index();
        let issue = self.issues.get_mut(id);
        let county = issue.county.index();
        let first = issue.first_stage();
        match mv {
            Move::Expire => self.expire(id),
            Move::Wait => self.offices.queue[ou].push_back(id),
            Move::Dispatch => {
                let hours = settings.today.dispatch_hours;
                self.offices.capacity[ou] -= hours;
                self.offices.used[ou] += hours;
                issue.phase = Phase::Staged;
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
                self.hand_off(id, o, parent, settings.escalation_delay);
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
                issue.phase = Phase::Staged;
                self.tallies[county].referrals += 1;
                self.hand_off(id, o, first, ref_delay);
            }
            Move::ReferWithPartner => {
                issue.phase = Phase::Staged;
                let partner_office = self.offices.county_office[issue.partner.index()];
                self.tallies[county].referrals += 1;
                // The partner county's hand-off cost too.
                self.offices.coordination[partner_office.index()] +=
                    government::handoff_cost(&self.scenario.government, &self.mech);
                self.hand_off(id, o, first, ref_delay);
            }
            Move::EscalateToCity => {
                let target = self.offices.city_mirror(first);
                issue.restage_at(target);
                self.tallies[county].escalations += 1;
                self.hand_off(id, o, target, settings.escalation_delay);
            }
        }
    }

    /// Work on a staged issue at office `o`; resolve it, pass it to its next stage, or
    /// leave it queued.
    fn work_on(&mut self, id: IssueId, o: OfficeId, units: f64, ref_delay: u32) {
        let ou = o.index();
        let issue = self.issues.get_mut(id);
        if let Some(seats) = issue.joint_meeting_seats() {
            // A joint meeting: every department involved sends someone.
            self.offices.coordination[ou] +=
                government::joint_meeting_cost(&self.scenario.government, &self.mech, seats);
        }
        let take = issues::work_today(issue.work_left, self.offices.capacity[ou]);
        issue.work_left -= take as f32;
        self.offices.capacity[ou] -= take;
        self.offices.used[ou] += take;
        let county = issue.county.index();
        let after = issues::after_work(issue, self.budget[county], units);
        if after != AfterWork::Unfinished {
            issue.work_left = 0.0;
        }
        match after {
            AfterWork::Unfinished | AfterWork::AwaitBudget => {
                self.offices.queue[ou].push_back(id);
            }
            AfterWork::Resolve { draws_budget } => {
                if draws_budget {
                    self.budget[county] -= units;
                }
                self.resolve(id);
            }
            AfterWork::NextStage => {
                let target = issue.next_stage(&self.scenario.issues);
                self.tallies[county].referrals += 1;
                let delay = government::stage_delay(&self.scenario.government, ref_delay);
                self.hand_off(id, o, target, delay);
            }
        }
    }
}
