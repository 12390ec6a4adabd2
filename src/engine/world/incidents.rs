//! Incidents as events (issue 13): where a community's protesters reach
//! `collective.incident_min` an incident starts (with its place, cause and a stability
//! issue), grows, and ends when fewer protest for `incident_quiet_days` days in a row; each day of an incident the government
//! answers it (`collective::respond`) and pays the answer's cost in staff-hours (taken
//! from the office's hours left today, the rest owed from tomorrow's) and budget
//! (`World::spend`). The answers act on the next resident phase through per-community
//! values: the policing risk, the joint mediation's reach and trust, a concession's
//! relief and the demands it invites, and policing's backlash.

use super::World;
use crate::model::collective::{self, Incident, Response, Situation};
use crate::model::government::OfficeId;
use crate::model::issues::Category;
use crate::model::territory::GridId;

/// Per-community state of the government's answers, read by the next resident phase.
#[derive(Clone, Debug, Default)]
pub struct Answers {
    /// The ongoing incident of each community (index into `World::incidents`), and its
    /// days in a row under the minimum.
    pub event: Vec<Option<u32>>,
    pub quiet: Vec<u32>,
    /// The policing risk protesters see, per community.
    pub police: Vec<f32>,
    /// Chance a protester is reached by joint mediation, and the trust it restores.
    pub joint: Vec<f32>,
    pub mediation_trust: Vec<f32>,
    /// Trust lost tomorrow to policing (backlash).
    pub backlash: Vec<f32>,
    /// Days left of a concession's relief, per community, and of the demands it
    /// invites, per township.
    pub relief_days: Vec<u32>,
    pub invite_days: Vec<u32>,
    /// The threshold lowered per community (from its township's invite days).
    pub invites: Vec<f32>,
}

impl Answers {
    pub fn new(communities: usize, townships: usize) -> Answers {
        Answers {
            event: vec![None; communities],
            quiet: vec![0; communities],
            police: vec![0.0; communities],
            joint: vec![0.0; communities],
            mediation_trust: vec![0.0; communities],
            backlash: vec![0.0; communities],
            relief_days: vec![0; communities],
            invite_days: vec![0; townships],
            invites: vec![0.0; communities],
        }
    }
}

impl World {
    /// Start, grow or end each community's incident on today's protesters; a new
    /// incident raises a stability issue.
    pub(super) fn incidents(&mut self) {
        for c in 0..self.territory.communities.len() {
            let protesters = self.comm_active[c];
            let now = collective::incident_after(&self.scenario.collective, protesters);
            let comm = &self.territory.communities[c];
            let county = comm.county.index();
            match (self.answers.event[c], now) {
                (None, true) => {
                    let place = [
                        comm.county.index() as u32,
                        comm.township.index() as u32,
                        c as u32,
                    ];
                    let cause = self.cause(c);
                    self.answers.event[c] = Some(self.incidents.len() as u32);
                    self.incidents
                        .push(Incident::new(place, cause, self.tick, protesters));
                    self.tallies[county].incidents_new += 1;
                    let grid = GridId(comm.grids.start);
                    let agent = self.residents.len() as u64 + c as u64;
                    self.create_issue(None, grid, Category::Stability, true, false, agent);
                }
                (Some(i), false) => {
                    // Under the minimum: the incident ends after `incident_quiet_days`
                    // such days in a row, on the last day it had its minimum.
                    self.answers.quiet[c] += 1;
                    let quiet = self.scenario.collective.incident_quiet_days.max(1);
                    if self.answers.quiet[c] >= quiet {
                        self.incidents[i as usize].end = Some(self.tick.saturating_sub(quiet));
                        self.answers.event[c] = None;
                        self.answers.quiet[c] = 0;
                    }
                }
                (Some(_), true) => self.answers.quiet[c] = 0,
                (None, false) => {}
            }
            if let Some(i) = self.answers.event[c] {
                let inc = &mut self.incidents[i as usize];
                inc.peak = inc.peak.max(protesters);
                inc.protester_days += protesters as u64;
                self.tallies[county].incidents_active += 1;
            }
            self.comm_incident[c] = self.answers.event[c].is_some();
        }
    }

    /// What drives an incident starting today in community `c`: the first shock that
    /// targets it and is under way or ended at most `collective.cause_days` ago; else
    /// `spillover` when an incident goes on in its township (交叠共振: protest spread
    /// over ties); else diffuse `grievance`.
    fn cause(&self, c: usize) -> &'static str {
        let days = self.scenario.collective.cause_days;
        let shock = self.shocks.iter().find(|s| {
            let (start, end) = s.shock.window();
            let day = self.tick - self.origin;
            s.hits[c] && day >= start && day < end.saturating_add(days)
        });
        if let Some(s) = shock {
            return s.shock.name();
        }
        let town = self.territory.communities[c].township;
        let near = self.territory.townships[town.index()]
            .communities
            .clone()
            .any(|o| o as usize != c && self.answers.event[o as usize].is_some());
        if near { "spillover" } else { "grievance" }
    }

    /// Staff-hours `hours` of office `o` for an answer: from what is left of today's
    /// hours, the rest owed from tomorrow's (paid before any queue work).
    fn pay_answer(&mut self, o: OfficeId, hours: f64) {
        let o = o.index();
        let now = hours.min(self.offices.capacity[o].max(0.0));
        self.offices.capacity[o] -= now;
        self.offices.used[o] += now;
        self.owed[o] += hours - now;
    }

    /// Each ongoing incident's answer today, its cost paid and its effect set for
    /// tomorrow; then the days of relief and invited demands run down.
    pub(super) fn answer_incidents(&mut self) {
        let spec = self.scenario.collective.clone();
        let a = &mut self.answers;
        a.police.fill(0.0);
        a.joint.fill(0.0);
        a.mediation_trust.fill(0.0);
        a.backlash.fill(0.0);
        for c in 0..self.territory.communities.len() {
            let Some(i) = self.answers.event[c] else {
                continue;
            };
            let i = i as usize;
            let size = self.comm_active[c];
            let comm = &self.territory.communities[c];
            let (county, township) = (comm.county, comm.township.index());
            let inc = &self.incidents[i];
            let cost = spec.concession_per_protester * size as f64;
            let payer = if inc.escalated { None } else { Some(county) };
            let situation = Situation {
                size,
                days: self.tick - inc.start,
                material: inc.cause != "grievance" && inc.cause != "spillover",
                escalated: inc.escalated,
                conceded: inc.conceded,
                budget_holds: self.budget_left(payer) >= cost,
            };
            let answer = collective::respond(&spec, &self.mech, &situation);
            let town_office = self.offices.township_office[township];
            let mut hours = 0.0;
            match answer {
                Response::Tolerate => {}
                Response::Escalate => self.incidents[i].escalated = true,
                Response::Concede => {
                    self.spend(payer, cost);
                    self.incidents[i].budget += cost;
                    self.incidents[i].conceded = true;
                    self.answers.relief_days[c] = spec.concession_days;
                    self.answers.invite_days[township] = spec.concession_days;
                }
                Response::Mediate => {
                    let day = self.offices.staff[town_office.index()]
                        * self.scenario.government.hours_per_staff;
                    let reached = collective::mediated_today(&spec, day, size);
                    hours = reached as f64 * spec.mediation_hours;
                    self.answers.joint[c] = reached as f32 / size.max(1) as f32;
                    self.answers.mediation_trust[c] = spec.mediation_trust as f32;
                }
                Response::Police => {
                    hours = spec.police_hours * size as f64;
                    self.answers.police[c] = spec.police_risk as f32;
                    self.answers.backlash[c] = spec.police_backlash as f32;
                }
            }
            if hours > 0.0 {
                self.pay_answer(town_office, hours);
            }
            if self.incidents[i].escalated {
                let centre = self.offices.city_centre;
                self.pay_answer(centre, spec.escalate_hours);
                hours += spec.escalate_hours;
            }
            let late = situation.days as f64 >= collective::answer_lag(&spec, &self.mech, false);
            let petitions = collective::petitions_today(&spec, answer, late, size);
            self.tallies[county.index()].hotline.petitions += petitions as u64;
            let inc = &mut self.incidents[i];
            inc.responses[answer as usize] += 1;
            inc.staff_hours += hours;
            inc.petitions += petitions as u64;
        }
        self.run_down_answers();
    }

    /// A day of relief and invited demands passes; each community's lowered threshold
    /// follows its township's invited demands.
    fn run_down_answers(&mut self) {
        let invites = self.scenario.collective.concession_invites as f32;
        let a = &mut self.answers;
        for d in a.relief_days.iter_mut().chain(a.invite_days.iter_mut()) {
            *d = d.saturating_sub(1);
        }
        for (c, comm) in self.territory.communities.iter().enumerate() {
            a.invites[c] = if a.invite_days[comm.township.index()] > 0 {
                invites
            } else {
                0.0
            };
        }
    }

    /// Add the answers' effects to today's pressures: a concession addresses the cause in
    /// its community (the shocks' push on hardship and trust stops there) and relieves
    /// hardship; policing's backlash lowers trust.
    pub(super) fn apply_answers(&mut self) {
        let relief = self.scenario.collective.concession_relief as f32;
        for (c, e) in self.pressures.effects.iter_mut().enumerate() {
            if self.answers.relief_days[c] > 0 {
                e.hardship_push = e.hardship_push.min(0.0) - relief;
                e.trust_push = e.trust_push.max(0.0);
            }
            e.trust_push -= self.answers.backlash[c];
        }
    }

    /// Incidents going on that were escalated to the leading group.
    pub(super) fn escalated_incidents(&self) -> u32 {
        (self.answers.event.iter().flatten())
            .filter(|&&i| self.incidents[i as usize].escalated)
            .count() as u32
    }

    /// The incidents of the run so far (ongoing ones without an end), on the run's days:
    /// those that ended in the warm-up are left out, and one going on from the warm-up
    /// starts on day 0 (its protester-days and answers include the warm-up's).
    pub fn incidents_so_far(&self) -> Vec<Incident> {
        let o = self.origin;
        self.incidents
            .iter()
            .filter(|i| i.end.is_none_or(|e| e >= o))
            .map(|i| Incident {
                start: i.start.saturating_sub(o),
                end: i.end.map(|e| e - o),
                ..i.clone()
            })
            .collect()
    }
}
