//! Office capacity for the day: organisations activate or lapse; each office's hours are
//! set from staff, shocks, overhead, volunteers and organisations; budgets are paid and
//! pooled; the leading group switches on or off; and capacity transfers move spare hours
//! to where queues are longer. The rules are in `model::government` and
//! `model::organisations`; this file applies them in a fixed order.

use super::World;
use crate::base::rng::{Purpose, stream};
use crate::model::government::{self, Dept, OfficeKind};
use crate::model::issues::Phase;
use crate::model::organisations;
use crate::model::silos;

impl World {
    /// Organisations activate or lapse; active ones add hours and mediators to their
    /// community.
    pub(super) fn organisation_phase(&mut self) {
        let os = &self.scenario.organisations;
        // Issue 12 (C): shared goals, not social linkage itself, move organisations to act.
        let goals = self.goals;
        self.comm_orgs_active_hours.fill(0.0);
        self.comm_org_mediators.fill(0.0);
        for o in 0..self.orgs.len() {
            let c = self.orgs.community[o].index();
            let county = self.territory.communities[c].county.index();
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

    /// The day's capacity of every office, budgets, the leading group and transfers.
    pub(super) fn set_capacity(&mut self) {
        self.office_hours();
        self.measure_demand();
        self.pay_budgets();
        let gov = &self.scenario.government;
        let open = government::open_per_1000(self.issues.live(), self.territory.residents());
        self.leading_group = government::leading_group_active(gov, &self.mech, open);
        self.pay_linkage_costs();
        self.apply_transfers();
    }

    /// Staff hours less overhead plus volunteers and organisations, per office; the
    /// overhead is booked as coordination.
    fn office_hours(&mut self) {
        let gov = &self.scenario.government;
        let overhead = government::overhead(gov, &self.mech);
        let volunteer_hours = self.scenario.behaviour.volunteer_hours;
        let city_row = self.territory.counties.len();
        for o in 0..self.offices.len() {
            let kind = self.offices.kind[o];
            let mult = government::capacity_mult(kind, &self.territory, &self.pressures);
            let (volunteers, organisation_hours) = match kind {
                OfficeKind::Grid(g) => (self.grid_volunteers[g.index()], 0.0),
                OfficeKind::Community(c) => (0, self.comm_orgs_active_hours[c.index()]),
                _ => (0, 0.0),
            };
            let social = government::social_hours(volunteers, volunteer_hours, organisation_hours);
            let day = government::office_day(
                self.offices.staff[o],
                gov.hours_per_staff,
                mult,
                overhead,
                social,
            );
            self.offices.capacity[o] = day.capacity;
            match self.offices.county[o] {
                None => self.tallies[city_row].capacity_hours += day.base,
                Some(k) => self.tallies[k.index()].capacity_hours += day.base,
            }
            self.offices.coordination[o] = day.coordination;
            self.offices.used[o] = 0.0;
            // Yesterday's debts to other offices' hand-offs and meetings, as far as the
            // hours go; the rest waits for tomorrow.
            let pay = self.owed[o].min(self.offices.capacity[o].max(0.0));
            self.offices.capacity[o] -= pay;
            self.offices.coordination[o] += pay;
            self.owed[o] -= pay;
        }
        self.staff_one_stop_centres();
    }

    /// Each township's one-stop centre (综治中心) is staffed from the township office's
    /// hours when it has them; horizontal linkage sets how many.
    fn staff_one_stop_centres(&mut self) {
        let hours = silos::one_stop_hours(&self.scenario.silos, &self.mech);
        for t in 0..self.one_stop.len() {
            let o = self.offices.township_office[t].index();
            let staffed = hours > 0.0 && self.offices.capacity[o] >= hours;
            if staffed {
                self.offices.capacity[o] -= hours;
                self.offices.coordination[o] += hours;
            }
            self.one_stop[t] = staffed;
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
        let waiting: Vec<f64> = self
            .territory
            .county_ids()
            .map(|k| {
                let o = self.offices.county_dept(k, Dept::CivilAffairs).index();
                self.offices.queue[o]
                    .iter()
                    .filter(|&&id| self.issues.get(id).phase == Phase::Staged)
                    .count() as f64
            })
            .collect();
        let pooled = government::pool_budgets(
            self.city_reserve,
            self.mech.pooling,
            &waiting,
            units,
            &self.budget,
        );
        if let Some((grants, given)) = pooled {
            for (b, g) in self.budget.iter_mut().zip(grants) {
                *b += g;
            }
            self.city_reserve -= given;
        }
    }

    /// Capacity transfers, each at the share its mechanism sets, in table order: the model
    /// says what each moves ([`government::lend`]); donors give, then receivers get and
    /// book the friction as coordination.
    fn apply_transfers(&mut self) {
        let friction = government::transfer_friction(&self.scenario.government, &self.mech);
        let road = self.scenario.costs.travel_share;
        let offices = &mut self.offices;
        for t in &self.transfers {
            let share = government::transfer_share(t.by, &self.mech, self.leading_group);
            // Lending from town to country is paid on the road too.
            let travel = if t.by == government::Lever::Spatial {
                road
            } else {
                0.0
            };
            let Some(lent) = government::lend(
                &offices.capacity,
                &self.demand,
                &t.donors,
                &t.receivers,
                share,
                friction,
                travel,
            ) else {
                continue;
            };
            for ((&o, g), road) in t.donors.iter().zip(lent.given).zip(lent.travel) {
                offices.capacity[o.index()] -= g + road;
                offices.coordination[o.index()] += road;
            }
            for ((&o, got), booked) in t.receivers.iter().zip(lent.received).zip(lent.booked) {
                offices.capacity[o.index()] += got;
                offices.coordination[o.index()] += booked;
            }
        }
    }
}
