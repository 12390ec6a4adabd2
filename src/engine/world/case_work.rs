//! The epidemic's case work (`model::shocks::epidemic`): each county's health department
//! and grid offices pay the staff-hours of the cases isolated today (and the tracing of
//! their contacts; what they cannot pay today the health department owes from
//! tomorrow's hours), and what they can give sets the chance a detected case is isolated
//! tomorrow; and the shares of each county's residents infectious and isolated as cases,
//! which tomorrow's residents read. The rule is `epidemic::case_work`; this file applies it.

use super::World;
use crate::model::government::{Dept, OfficeKind};
use crate::model::residents::INFECTED;
use crate::model::shocks::epidemic;

impl World {
    /// Case work of the day, paid from the hours each office has after its debts, the
    /// one-stop centres and outreach: the county health department's, then a share
    /// (`grid_case_share`) of each of the county's grid offices', each paying its part of
    /// the pool. Without an epidemic every detected case could be isolated.
    pub(super) fn pay_case_work(&mut self) {
        let Some(ep) = self.pressures.epidemic else {
            self.county_isolation.fill(1.0);
            return;
        };
        let c = ep.control;
        let n = self.territory.counties.len();
        self.case_pool.clear();
        self.case_pool.resize(n, 0.0);
        for o in 0..self.offices.len() {
            if let Some(k) = self.offices.county[o] {
                self.case_pool[k.index()] += self.case_share(o, c.grid_case_share);
            }
        }
        for k in self.territory.county_ids() {
            let ku = k.index();
            let t = self.tallies[ku].epidemic;
            let work =
                epidemic::case_work(self.case_pool[ku], t.isolated, t.detected, c.case_hours);
            self.county_isolation[ku] = work.isolation;
            self.tallies[ku].epidemic.case_hours = work.paid + work.owed;
            if work.owed > 0.0 {
                let health = self.offices.county_dept(k, Dept::Health);
                self.owed[health.index()] += work.owed;
            }
            if work.paid <= 0.0 {
                continue;
            }
            let part = work.paid / self.case_pool[ku];
            for o in 0..self.offices.len() {
                if self.offices.county[o] == Some(k) {
                    let pay = part * self.case_share(o, c.grid_case_share);
                    self.offices.capacity[o] -= pay;
                    self.offices.used[o] += pay;
                }
            }
        }
    }

    /// Hours office `o` can give to case work today: all of a health department's, the
    /// `grid_share` of a grid office's, none of the others'.
    fn case_share(&self, o: usize, grid_share: f64) -> f64 {
        let hours = self.offices.capacity[o].max(0.0);
        match self.offices.kind[o] {
            OfficeKind::CountyDept(_, Dept::Health) => hours,
            OfficeKind::Grid(_) => grid_share * hours,
            _ => 0.0,
        }
    }

    /// Each county's share of residents infectious (sick staff, hearsay) and isolated as
    /// cases (what is published), from today's tallies, for the next tick.
    pub(super) fn note_epidemic(&mut self) {
        for k in 0..self.territory.counties.len() {
            let t = &self.tallies[k];
            self.county_infectious[k] =
                epidemic::infectious_share(t.health[INFECTED as usize], t.residents);
            self.county_known[k] = epidemic::infectious_share(t.epidemic.known, t.residents);
        }
    }
}
