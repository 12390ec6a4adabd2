//! Office capacity for the day: organisations activate or lapse; each office's hours are
//! set from staff, shocks, overhead, volunteers and organisations; budgets are paid and
//! pooled; the leading group switches on or off; and capacity transfers move spare hours
//! to where queues are longer. The rules are in `model::government` and
//! `model::organisations`; this file applies them in a fixed order.

use super::World;
use crate::base::rng::{Purpose, stream};
use crate::model::government::{self, Dept, Lever, OfficeId, OfficeKind};
use crate::model::issues::Phase;
use crate::model::organisations;

/// Spare capacity that may move from `donors` to `receivers` each tick.
pub(super) struct Transfer {
    pub donors: Vec<OfficeId>,
    pub receivers: Vec<OfficeId>,
    pub by: Lever,
}

impl World {
    /// Organisations activate or lapse; active ones add hours and mediators to their
    /// community.
    pub(super) fn organisations(&mut self) {
        let os = &self.scenario.organisations;
        // Issue 12 (C): shared goals, not social linkage itself, move organisations to act.
        let goals = self.goals;
        self.comm_orgs_active_hours.fill(0.0);
        self.comm_org_mediators.fill(0.0);
        for o in 0..self.orgs.len() {
            let c = self.orgs.community[o] as usize;
            let county = self.territory.communities[c].county as usize;
            if self.orgs.linked[o] {
                let link = self.comm_mean_link[c] as f64;
                let mut s = stream(self.seed, Purpose::Activation, o as u64, self.tick as u64);
                let active = &mut self.orgs.active[o];
                *active = organisations::stays_active(
                    os,
                    *active,
                    goals,
                    link,
                    self.orgs.propensity[o],
                    &mut s,
                );
            }
            if self.orgs.active[o] {
                self.tallies[county].orgs_active += 1;
                self.comm_orgs_active_hours[c] += os.hours_per_day as f32;
                if self.orgs.kind[o].mediates() {
                    self.comm_org_mediators[c] += 1.0;
                }
            } else if self.orgs.linked[o] {
                self.tallies[county].orgs_linked_inactive += 1;
            }
        }
    }

    /// Capacity multiplier of an office from shocks.
    fn capacity_mult(&self, o: usize) -> f64 {
        let comm_mult = |c: u32| self.pressures.effects[c as usize].capacity_mult as f64;
        match self.offices.kind[o] {
            OfficeKind::Grid(g) => comm_mult(self.grid_community[g as usize]),
            OfficeKind::Community(c) => comm_mult(c),
            OfficeKind::Township(t) => {
                let r = &self.territory.townships[t as usize].communities;
                r.clone().map(comm_mult).sum::<f64>() / r.len().max(1) as f64
            }
            OfficeKind::CountyGeneral(k) | OfficeKind::CountyDept(k, _) => {
                self.pressures.county_capacity[k as usize] as f64
            }
            OfficeKind::CityCentre | OfficeKind::CityDept(_) => self.pressures.city_capacity as f64,
        }
    }

    /// The day's capacity of every office, budgets, the leading group and transfers.
    pub(super) fn set_capacity(&mut self) {
        self.office_hours();
        self.measure_demand();
        self.pay_budgets();
        let gov = &self.scenario.government;
        let open = government::open_per_1000(self.issues.live(), self.territory.residents());
        self.leading_group = government::leading_group_active(gov, &self.mech, open);
        self.apply_transfers();
    }

    /// Staff hours less overhead plus volunteers and organisations, per office; the
    /// overhead is booked as coordination.
    fn office_hours(&mut self) {
        let gov = &self.scenario.government;
        let hours = gov.hours_per_staff;
        let overhead = government::overhead(gov, &self.mech);
        let volunteer_hours = self.scenario.behaviour.volunteer_hours;
        let city_row = self.territory.counties.len();
        for o in 0..self.offices.len() {
            let base = self.offices.staff[o] * hours * self.capacity_mult(o);
            let social = match self.offices.kind[o] {
                OfficeKind::Grid(g) => self.grid_volunteers[g as usize] as f64 * volunteer_hours,
                OfficeKind::Community(c) => self.comm_orgs_active_hours[c as usize] as f64,
                _ => 0.0,
            };
            self.offices.capacity[o] = government::office_capacity(base, overhead, social);
            match self.offices.county[o] {
                None => self.tallies[city_row].capacity_hours += base,
                Some(k) => self.tallies[k as usize].capacity_hours += base,
            }
            self.offices.coordination[o] = base * overhead;
            self.offices.used[o] = 0.0;
        }
        // Issue 12 (C): grid offices' outreach to residents, paid from their hours before
        // any issue work (`residents.rs`, `pay_outreach`).
        self.pay_outreach();
    }

    /// Demand: remaining work of the issues each office will work on itself.
    fn measure_demand(&mut self) {
        self.demand.fill(0.0);
        for o in 0..self.offices.len() {
            for &id in &self.offices.queue[o] {
                let issue = self.issues.get(id);
                if issue.phase == Phase::Staged {
                    self.demand[o] += issue.work_left as f64;
                }
            }
        }
    }

    /// Budgets: income, then pooling from the city reserve to counties short of it.
    fn pay_budgets(&mut self) {
        let gov = &self.scenario.government;
        let units = self.scenario.issues.assistance_budget_units;
        for k in 0..self.territory.counties.len() {
            let income = government::county_income(gov, self.territory.counties[k].residents.len());
            let paid = self.pressures.county_budget[k] as f64;
            self.budget[k] = government::budget_after_income(gov, self.budget[k], income, paid);
        }
        let city_income = government::city_income(gov, self.territory.residents());
        let paid = self.pressures.city_budget as f64;
        self.city_reserve =
            government::budget_after_income(gov, self.city_reserve, city_income, paid);
        if self.mech.pooling <= 0.0 {
            return;
        }
        let short: Vec<f64> = (0..self.territory.counties.len())
            .map(|k| {
                let o = self
                    .offices
                    .county_dept(k as u16, Dept::CivilAffairs)
                    .index();
                let waiting = self.offices.queue[o]
                    .iter()
                    .filter(|&&id| self.issues.get(id).phase == Phase::Staged)
                    .count() as f64;
                government::budget_shortfall(waiting, units, self.budget[k])
            })
            .collect();
        if let Some((grants, given)) =
            government::pool_reserve(self.city_reserve, self.mech.pooling, &short)
        {
            for (b, g) in self.budget.iter_mut().zip(grants) {
                *b += g;
            }
            self.city_reserve -= given;
        }
    }

    /// Capacity transfers, each at the share its mechanism sets, in table order.
    fn apply_transfers(&mut self) {
        let friction = government::transfer_friction(&self.scenario.government, &self.mech);
        let transfers = std::mem::take(&mut self.transfers);
        for t in &transfers {
            let share = government::transfer_share(t.by, &self.mech, self.leading_group);
            self.lend(&t.donors, &t.receivers, share, friction);
        }
        self.transfers = transfers;
    }

    /// Move `share` of the donors' spare capacity to the receivers' deficits, in
    /// proportion; `friction` of what moves is lost to coordination.
    fn lend(&mut self, donors: &[OfficeId], receivers: &[OfficeId], share: f64, friction: f64) {
        if share <= 0.0 {
            return;
        }
        let spare: Vec<f64> = donors
            .iter()
            .map(|&o| (self.offices.capacity[o.index()] - self.demand[o.index()]).max(0.0))
            .collect();
        let deficit: Vec<f64> = receivers
            .iter()
            .map(|&o| (self.demand[o.index()] - self.offices.capacity[o.index()]).max(0.0))
            .collect();
        let Some((gives, gets)) = government::transfer(&spare, &deficit, share) else {
            return;
        };
        for (&o, g) in donors.iter().zip(gives) {
            self.offices.capacity[o.index()] -= g;
        }
        for (&o, g) in receivers.iter().zip(gets) {
            self.offices.capacity[o.index()] += g * (1.0 - friction);
            self.offices.coordination[o.index()] += g * friction;
        }
    }
}
