//! Government units: grid offices, community committees, townships, county governments
//! and the city, plus the line departments (条) at county and city level. Each county
//! mirrors the city's departments (职责同构).
//!
//! Offices are stored as a structure of arrays indexed by office id. Invariant: offices
//! are numbered level by level (all grids, all communities, all townships, county general
//! offices, county departments, the city centre, city departments), which is the order the
//! engine works them in each tick.

use super::territory::{Level, Territory};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Line departments (条).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dept {
    CivilAffairs = 0,
    PoliticalLegal = 1,
    Health = 2,
    Housing = 3,
    Emergency = 4,
    HumanResources = 5,
    BigData = 6,
}

impl Dept {
    pub const ALL: [Dept; 7] = [
        Dept::CivilAffairs,
        Dept::PoliticalLegal,
        Dept::Health,
        Dept::Housing,
        Dept::Emergency,
        Dept::HumanResources,
        Dept::BigData,
    ];
    pub const COUNT: usize = 7;
}

/// Staffing, budgets and the handling constants of government.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GovernmentSpec {
    /// Working hours per staff member per day.
    pub hours_per_staff: f64,
    /// Grid workers per grid (网格员), urban and rural.
    pub grid_staff_urban: f64,
    pub grid_staff_rural: f64,
    /// Staff per community committee / village committee.
    pub community_staff_urban: f64,
    pub community_staff_rural: f64,
    /// Township / street staff per 1,000 residents.
    pub township_staff_per_1000_urban: f64,
    pub township_staff_per_1000_rural: f64,
    /// County government general office staff per 1,000 county residents.
    pub county_staff_per_1000: f64,
    /// Staff of each county department per 1,000 county residents.
    pub county_dept_staff_per_1000: f64,
    /// City centre (command centre / platform) staff per 1,000 city residents.
    pub city_centre_staff_per_1000: f64,
    /// Staff of each city department per 1,000 city residents.
    pub city_dept_staff_per_1000: f64,
    /// Staff-hours the city centre spends to dispatch one issue.
    pub dispatch_hours: f64,
    /// Days an escalation takes with no vertical linkage (scaled by 1 − vertical).
    pub escalation_delay_days: f64,
    /// Days a referral takes with no information sharing (scaled by 1 − sharing).
    pub referral_delay_days: f64,
    /// Staff-hours a hand-off or a joint-meeting seat costs at coordination cost 1.
    pub handoff_hours: f64,
    /// Share of staff time spent on standing coordination at coordination cost 1 and full
    /// link intensity.
    pub overhead_share: f64,
    /// Extra handling time of rural units with no spatial linkage (e.g. 0.5 = +50%).
    pub rural_work_penalty: f64,
    /// Platform connectivity of rural units (urban units have 1).
    pub rural_connectivity: f64,
    /// Daily chance that a grid patrol finds an unreported issue, at full staffing and
    /// full information sharing.
    pub patrol_rate: f64,
    /// Daily chance that the partner county agrees to act on a cross-region issue, at full
    /// horizontal linkage and information sharing.
    pub cross_region_rate: f64,
    /// Days a county waits for its partner before escalating a cross-region issue to the
    /// city (doubled at no vertical linkage).
    pub cross_region_patience_days: f64,
    /// Assistance budget units per 1,000 residents per day, paid to each county.
    pub county_budget_per_1000: f64,
    /// City reserve units per 1,000 residents per day (pooling distributes them).
    pub city_budget_per_1000: f64,
    /// Open issues per 1,000 residents above which the leading group (领导小组) activates
    /// at full vertical linkage (the threshold rises as vertical linkage falls).
    pub leading_group_threshold: f64,
    /// Share of community and township staff who mediate disputes and protests.
    pub mediation_share: f64,
    /// Protesters one mediator can settle in a day.
    pub mediations_per_staff: f64,
}

/// What kind of office.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfficeKind {
    Grid(u32),
    Community(u32),
    Township(u32),
    CountyGeneral(u16),
    CountyDept(u16, Dept),
    CityCentre,
    CityDept(Dept),
}

/// All government offices, structure of arrays.
pub struct Offices {
    pub kind: Vec<OfficeKind>,
    pub level: Vec<Level>,
    /// County of the office (`u16::MAX` for city offices).
    pub county: Vec<u16>,
    pub urban: Vec<bool>,
    /// Staff head count.
    pub staff: Vec<f64>,
    /// Platform connectivity in (0,1].
    pub connectivity: Vec<f64>,
    /// Queue of issue ids.
    pub queue: Vec<VecDeque<u32>>,
    /// Capacity available this tick, in staff-hours.
    pub capacity: Vec<f64>,
    /// Staff-hours used this tick.
    pub used: Vec<f64>,
    /// Coordination hours spent this tick.
    pub coordination: Vec<f64>,
    pub grid_office: Vec<u32>,
    pub community_office: Vec<u32>,
    pub township_office: Vec<u32>,
    pub county_office: Vec<u32>,
    /// `county_dept[k * Dept::COUNT + d]`.
    pub county_dept: Vec<u32>,
    pub city_centre: u32,
    pub city_dept: [u32; Dept::COUNT],
}

pub const CITY: u16 = u16::MAX;

impl Offices {
    pub fn build(territory: &Territory, spec: &GovernmentSpec) -> Offices {
        let mut o = Offices {
            kind: Vec::new(),
            level: Vec::new(),
            county: Vec::new(),
            urban: Vec::new(),
            staff: Vec::new(),
            connectivity: Vec::new(),
            queue: Vec::new(),
            capacity: Vec::new(),
            used: Vec::new(),
            coordination: Vec::new(),
            grid_office: Vec::new(),
            community_office: Vec::new(),
            township_office: Vec::new(),
            county_office: Vec::new(),
            county_dept: Vec::new(),
            city_centre: 0,
            city_dept: [0; Dept::COUNT],
        };
        let conn = |urban: bool| if urban { 1.0 } else { spec.rural_connectivity };
        let per_1000 = |n: u32, rate: f64| n as f64 / 1000.0 * rate;
        for (g, grid) in territory.grids.iter().enumerate() {
            let staff = if grid.urban {
                spec.grid_staff_urban
            } else {
                spec.grid_staff_rural
            };
            let id = o.push(
                OfficeKind::Grid(g as u32),
                Level::Grid,
                grid.county,
                grid.urban,
                staff,
                conn(grid.urban),
            );
            o.grid_office.push(id);
        }
        for (c, comm) in territory.communities.iter().enumerate() {
            let staff = if comm.urban {
                spec.community_staff_urban
            } else {
                spec.community_staff_rural
            };
            let id = o.push(
                OfficeKind::Community(c as u32),
                Level::Community,
                comm.county,
                comm.urban,
                staff,
                conn(comm.urban),
            );
            o.community_office.push(id);
        }
        for (t, town) in territory.townships.iter().enumerate() {
            let rate = if town.urban {
                spec.township_staff_per_1000_urban
            } else {
                spec.township_staff_per_1000_rural
            };
            let staff = per_1000(town.residents.len() as u32, rate);
            let id = o.push(
                OfficeKind::Township(t as u32),
                Level::Township,
                town.county,
                town.urban,
                staff,
                conn(town.urban),
            );
            o.township_office.push(id);
        }
        for (k, county) in territory.counties.iter().enumerate() {
            let n = county.residents.len() as u32;
            let urban = Self::mostly_urban(territory, k);
            let staff = per_1000(n, spec.county_staff_per_1000);
            let id = o.push(
                OfficeKind::CountyGeneral(k as u16),
                Level::County,
                k as u16,
                urban,
                staff,
                1.0,
            );
            o.county_office.push(id);
        }
        for (k, county) in territory.counties.iter().enumerate() {
            let n = county.residents.len() as u32;
            let urban = Self::mostly_urban(territory, k);
            for d in Dept::ALL {
                let staff = per_1000(n, spec.county_dept_staff_per_1000);
                let id = o.push(
                    OfficeKind::CountyDept(k as u16, d),
                    Level::County,
                    k as u16,
                    urban,
                    staff,
                    1.0,
                );
                o.county_dept.push(id);
            }
        }
        let n = territory.residents();
        o.city_centre = o.push(
            OfficeKind::CityCentre,
            Level::City,
            CITY,
            true,
            per_1000(n, spec.city_centre_staff_per_1000),
            1.0,
        );
        for d in Dept::ALL {
            o.city_dept[d as usize] = o.push(
                OfficeKind::CityDept(d),
                Level::City,
                CITY,
                true,
                per_1000(n, spec.city_dept_staff_per_1000),
                1.0,
            );
        }
        o
    }

    fn mostly_urban(territory: &Territory, k: usize) -> bool {
        let c = &territory.counties[k];
        let urban: usize = territory.townships
            [c.townships.start as usize..c.townships.end as usize]
            .iter()
            .filter(|t| t.urban)
            .map(|t| t.residents.len())
            .sum();
        urban * 2 >= c.residents.len()
    }

    fn push(
        &mut self,
        kind: OfficeKind,
        level: Level,
        county: u16,
        urban: bool,
        staff: f64,
        connectivity: f64,
    ) -> u32 {
        self.kind.push(kind);
        self.level.push(level);
        self.county.push(county);
        self.urban.push(urban);
        self.staff.push(staff);
        self.connectivity.push(connectivity);
        self.queue.push(VecDeque::new());
        self.capacity.push(0.0);
        self.used.push(0.0);
        self.coordination.push(0.0);
        (self.kind.len() - 1) as u32
    }

    pub fn len(&self) -> usize {
        self.kind.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }

    pub fn county_dept(&self, county: u16, dept: Dept) -> u32 {
        self.county_dept[county as usize * Dept::COUNT + dept as usize]
    }
}
