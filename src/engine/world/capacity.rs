//! Office capacity for the day: organisations activate or lapse; each office's hours are
//! set from staff, shocks and overhead, and the volunteers and organisations who turn up
//! (and are kept) form a social pool of their own; budgets are paid and pooled; the leading group
//! switches on or off; and capacity transfers move spare hours to where queues are
//! longer. After the day's work, grids learn how many of the volunteers they wanted they
//! could keep, and counties redeem volunteer points from their budgets. The rules are in `model::government` and
//! `model::organisations`; this file applies them in a fixed order.

use super::World;
use crate::base::rng::{Purpose, stream};
use crate::model::government::{self, Dept, OfficeKind};
use crate::model::issues::Phase;
use crate::model::organisations;
use crate::model::residents::links;
use crate::model::silos;
use crate::model::territory::CountyId;
use rayon::prelude::*;

/// How many issues ahead the walk over the queues asks for their slots in the store.
const QUEUE_AHEAD: usize = 16;

/// The fewest offices a parallel walk over offices' queues hands to one task (most
/// queues are a grid's few issues).
pub(super) const OFFICES_A_TASK: usize = 64;

impl World {
    /// Organisations activate or lapse (an unkept one lapses faster); active ones add
    /// mediators to their community. Their hours come with the office's day
    /// (`keep_social`).
    pub(super) fn organisation_phase(&mut self) {
        let os = &self.scenario.organisations;
        self.comm_org_mediators.fill(0.0);
        for o in 0..self.orgs.len() {
            let c = self.orgs.community[o].index();
            let county = self.territory.communities[c].county.index();
            if self.orgs.linked[o] {
                // Issue 12 (C): shared goals, not social linkage itself, move organisations
                // to act; a county that does not honour its points has fewer.
                let goals = self.county_goals[county];
                let link = self.comm_mean_link[c] as f64;
                let mut s = stream(self.seed, Purpose::Activation, o as u64, self.tick as u64);
                let was = self.orgs.active[o];
                let now = organisations::stays_active(
                    os,
                    was,
                    self.orgs.kept[o],
                    goals,
                    link,
                    self.orgs.propensity[o],
                    &mut s,
                );
                self.orgs.active[o] = now;
                if now && !was {
                    // A newly active organisation has not yet been left unkept.
                    self.orgs.kept[o] = true;
                }
            }
            if self.orgs.active[o] {
                self.tallies[county].orgs_active += 1;
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
        self.measure_queues();
        self.office_hours();
        self.pay_case_work();
        self.pay_budgets();
        let gov = &self.scenario.government;
        let residents = self.territory.residents();
        let emergencies = self.issues.reported_emergencies();
        let alarm = government::Alarm {
            open_per_1000: government::open_per_1000(self.issues.live(), residents),
            emergencies_per_1000: government::open_per_1000(emergencies, residents),
            escalated_incidents: self.escalated_incidents(),
        };
        self.leading_group = government::leading_group_active(gov, &self.mech, &alarm);
        self.pay_linkage_costs();
        self.apply_transfers();
    }

    /// Staff hours less overhead, per office; the overhead is booked as coordination.
    /// Then yesterday's debts, the one-stop centres, outreach, and the social hours of
    /// the volunteers and organisations who turn up.
    fn office_hours(&mut self) {
        let gov = &self.scenario.government;
        let overhead = government::overhead(gov, &self.mech);
        let city_row = self.territory.counties.len();
        for o in 0..self.offices.len() {
            let kind = self.offices.kind[o];
            let mult = government::capacity_mult(kind, &self.territory, &self.pressures);
            let day =
                government::office_day(self.offices.staff[o], gov.hours_per_staff, mult, overhead);
            self.offices.capacity[o] = day.capacity;
            self.day_capacity[o] = day.capacity;
            self.hours_own[o] += day.base;
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
        self.social_pool();
    }

    /// The social hours of the day (issue 12: volunteers and organisations are kept, not
    /// free). A grid's volunteers turn up each with chance `volunteer_reliability`; the
    /// grid office engages them as its work needs, paying their upkeep then
    /// (`office_work`, `engage_volunteers`). A community office pays `upkeep_hours` for
    /// each active organisation now, or leaves it unkept (no hours today, a higher lapse
    /// chance tomorrow); a kept one turns up with chance `reliability` and adds its
    /// hours to the office's social pool. Upkeep is booked as coordination.
    fn social_pool(&mut self) {
        let (seed, tick) = (self.seed, self.tick as u64);
        let b = &self.scenario.behaviour;
        self.offices.social.fill(0.0);
        for (g, &n) in self.grid_volunteers.iter().enumerate() {
            let mut s = stream(seed, Purpose::VolunteerShow, g as u64, tick);
            let shown = (0..n).filter(|_| s.chance(b.volunteer_reliability)).count();
            let county = self.territory.grids[g].county.index();
            self.grid_pool[g] = shown as f64 * b.volunteer_hours;
            self.grid_engaged[g] = 0;
            self.grid_refused[g] = 0;
            self.tallies[county].social_hours += self.grid_pool[g];
        }
        let os = &self.scenario.organisations;
        for org in 0..self.orgs.len() {
            if !self.orgs.active[org] {
                continue;
            }
            let c = self.orgs.community[org].index();
            let o = self.offices.community_office[c].index();
            let kept = government::affords(os.upkeep_hours, self.offices.capacity[o]);
            self.orgs.kept[org] = kept;
            if !kept {
                continue;
            }
            self.offices.capacity[o] -= os.upkeep_hours;
            self.offices.coordination[o] += os.upkeep_hours;
            if stream(seed, Purpose::OrgShow, org as u64, tick).chance(os.reliability) {
                self.offices.social[o] += os.hours_per_day;
                let county = self.territory.communities[c].county.index();
                self.tallies[county].social_hours += os.hours_per_day;
            }
        }
    }

    /// After the day's work: the share of the volunteers each grid office wanted that
    /// it could keep (which tomorrow's volunteers feel: the unkept stop more often), and
    /// the counties redeem the day's volunteer points.
    pub(super) fn settle_social(&mut self) {
        let hours = self.scenario.behaviour.volunteer_hours;
        for g in 0..self.grid_kept.len() {
            // Each volunteer left waiting counts once, however many issues wanted one.
            let waiting = if hours > 0.0 {
                (self.grid_pool[g] / hours).ceil() as u32
            } else {
                0
            };
            let refused = self.grid_refused[g].min(waiting);
            self.grid_kept[g] = government::kept_share(self.grid_engaged[g], refused) as f32;
        }
        self.redeem_points();
    }

    /// Each county redeems its volunteers' points of today from its budget, as far as
    /// the budget goes beyond the assistance waiting at its civil-affairs department
    /// (statutory assistance first); the share it redeems sets its shared goals of
    /// tomorrow (`links::county_goals`).
    fn redeem_points(&mut self) {
        let b = &self.scenario.behaviour;
        let (points_per_day, point_value) = (b.points_per_day, b.point_value);
        let social = self.mech.social;
        for k in self.territory.county_ids() {
            let ku = k.index();
            let cost = links::points_cost(
                self.tallies[ku].volunteers,
                points_per_day * social,
                point_value,
            );
            // Assistance waiting at civil affairs comes first: points are redeemed from
            // what the budget holds beyond it.
            let reserve = self.waiting_assistance(k) * self.scenario.issues.assistance_budget_units;
            let share = links::redeemed_share(cost, self.budget_left(Some(k)) - reserve);
            if cost > 0.0 {
                self.spend(Some(k), cost * share);
            }
            self.county_goals[ku] =
                links::county_goals(&self.scenario.links, social, points_per_day, share);
        }
    }

    /// Each township's one-stop centre (综治中心) is staffed from the township office's
    /// hours: horizontal linkage sets the share of the office's day it wants, and what
    /// the office has left after its debts pays it; the centre spares trips in
    /// proportion to the share it got.
    fn staff_one_stop_centres(&mut self) {
        let share = silos::one_stop_share(&self.scenario.silos, &self.mech);
        for t in 0..self.one_stop.len() {
            let o = self.offices.township_office[t].index();
            let wanted = share * self.day_capacity[o];
            let hours = wanted.min(self.offices.capacity[o].max(0.0));
            self.offices.capacity[o] -= hours;
            self.offices.coordination[o] += hours;
            self.one_stop[t] = silos::one_stop_staffed(hours, wanted);
        }
        // Grid offices' outreach to residents, paid from their hours as far as their
        // casework leaves them (`residents.rs`, `pay_outreach`; the casework measured by
        // `measure_queues`).
        self.pay_outreach();
    }

    /// One walk over every office's queue, before the day's hours are set (nothing in
    /// the capacity phase moves an issue): each office's demand, the remaining work of
    /// the issues it will work on itself (which capacity transfers answer), and each grid
    /// office's casework, the day's share of its queue's work (which outreach yields to,
    /// [`World::pay_outreach`]). The walk only reads issues, so offices are walked in
    /// parallel, each summed in queue order (the sums do not depend on the threads),
    /// asking for slots [`QUEUE_AHEAD`] issues ahead. One walk, not two: the store's
    /// slots are read at random, and each read waits on memory.
    fn measure_queues(&mut self) {
        let (issues, tick) = (&self.issues, self.tick);
        debug_assert_eq!(self.demand.len(), self.offices.queue.len());
        debug_assert_eq!(self.casework.len(), self.offices.queue.len());
        self.demand
            .par_iter_mut()
            .zip(self.casework.par_iter_mut())
            .zip(self.offices.queue.par_iter())
            .zip(self.offices.kind.par_iter())
            .with_min_len(OFFICES_A_TASK)
            .for_each(|(((demand, casework), queue), kind)| {
                let grid = matches!(kind, OfficeKind::Grid(_));
                *demand = 0.0;
                // As `Iterator::sum` adds floats: from -0.0.
                let mut pace = -0.0;
                for (k, &id) in queue.iter().enumerate() {
                    if let Some(&ahead) = queue.get(k + QUEUE_AHEAD) {
                        issues.prefetch(ahead);
                    }
                    let issue = issues.get(id);
                    if issue.phase == Phase::Staged {
                        *demand += issue.work_left as f64;
                    }
                    if grid {
                        pace += links::daily_pace(issue.work_left, issue.deadline, tick);
                    }
                }
                if grid {
                    *casework = pace;
                }
            });
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
            .map(|k| self.waiting_assistance(k))
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

    /// Assistance issues waiting at a county's civil-affairs department (staged there).
    fn waiting_assistance(&self, k: CountyId) -> f64 {
        let o = self.offices.county_dept(k, Dept::CivilAffairs).index();
        self.offices.queue[o]
            .iter()
            .filter(|&&id| self.issues.get(id).phase == Phase::Staged)
            .count() as f64
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
