//! Government units: grid offices, community committees, townships, county governments
//! and the city, plus the line departments (条) at county and city level. Each county
//! mirrors the city's departments (职责同构).
//!
//! Offices are stored as a structure of arrays indexed by office id. Invariant: offices
//! are numbered level by level (all grids, all communities, all townships, county general
//! offices, county departments, the city centre, city departments), which is the order the
//! engine works them in each tick.

use super::issues::IssueId;
use super::mechanisms::Mechanisms;
use super::shocks::{Effects, Pressures};
use super::territory::{CommunityId, CountyId, GridId, Level, Territory, TownshipId};
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
///
/// The fields after `mediations_per_staff` were numbers in the engine's rules until
/// issue 11; each has a serde default (its old value) so that older `params.toml` files
/// still load.
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
    /// city (multiplied by `cross_region_patience_stretch − vertical`).
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
    /// Share of the capacity moved between offices that is lost to coordination, at
    /// coordination cost 1 (the loss is this × `coordination_cost`).
    #[serde(default = "defaults::transfer_friction")]
    pub transfer_friction: f64,
    /// A county's budget and the city reserve are capped at this many days of income.
    #[serde(default = "defaults::budget_cap_days")]
    pub budget_cap_days: f64,
    /// The leading group's threshold is `leading_group_threshold × (leading_group_floor +
    /// leading_group_rise × (1 − vertical))`.
    #[serde(default = "defaults::leading_group_floor")]
    pub leading_group_floor: f64,
    #[serde(default = "defaults::leading_group_rise")]
    pub leading_group_rise: f64,
    /// Reported emergencies open (issues of the emergency category) per 1,000 residents above
    /// which the leading group sits, at full vertical linkage (a declared emergency; the
    /// threshold rises with the same multiplier as `leading_group_threshold`).
    #[serde(default = "defaults::leading_group_emergencies")]
    pub leading_group_emergencies: f64,
    /// A patrol's chance is `patrol_rate × capacity × (patrol_floor +
    /// patrol_information_gain × information_sharing) × channel`.
    #[serde(default = "defaults::half")]
    pub patrol_floor: f64,
    #[serde(default = "defaults::half")]
    pub patrol_information_gain: f64,
    /// The partner county's daily chance is `cross_region_rate ×
    /// (cross_region_horizontal_weight × horizontal + cross_region_information_weight ×
    /// information_sharing)`.
    #[serde(default = "defaults::half")]
    pub cross_region_horizontal_weight: f64,
    #[serde(default = "defaults::half")]
    pub cross_region_information_weight: f64,
    /// Patience is `cross_region_patience_days × (cross_region_patience_stretch −
    /// vertical)`, rounded to whole days.
    #[serde(default = "defaults::cross_region_patience_stretch")]
    pub cross_region_patience_stretch: f64,
    /// Days from the city centre's dispatch to the first stage's queue.
    #[serde(default = "defaults::one_day")]
    pub dispatch_delay_days: u32,
    /// Fewest days between two sequential stages of an issue (the referral delay when
    /// longer).
    #[serde(default = "defaults::one_day")]
    pub stage_delay_min_days: u32,
}

impl GovernmentSpec {
    /// Multiply every office's head count by `factor` (a staff cut below 1, a
    /// reinforcement above): grids, communities, townships, counties and the city.
    pub fn scale_staff(&mut self, factor: f64) {
        for staff in [
            &mut self.grid_staff_urban,
            &mut self.grid_staff_rural,
            &mut self.community_staff_urban,
            &mut self.community_staff_rural,
            &mut self.township_staff_per_1000_urban,
            &mut self.township_staff_per_1000_rural,
            &mut self.county_staff_per_1000,
            &mut self.county_dept_staff_per_1000,
            &mut self.city_centre_staff_per_1000,
            &mut self.city_dept_staff_per_1000,
        ] {
            *staff *= factor;
        }
    }
}

/// The serde defaults of the fields that older scenario files may lack.
mod defaults {
    pub fn transfer_friction() -> f64 {
        0.3
    }
    pub fn budget_cap_days() -> f64 {
        60.0
    }
    pub fn leading_group_floor() -> f64 {
        1.0
    }
    pub fn leading_group_rise() -> f64 {
        2.0
    }
    pub fn leading_group_emergencies() -> f64 {
        1.0
    }
    pub fn half() -> f64 {
        0.5
    }
    pub fn cross_region_patience_stretch() -> f64 {
        2.0
    }
    pub fn one_day() -> u32 {
        1
    }
}

index_id!(
    /// An office's index in [`Offices`] (its position in the per-office arrays): offices
    /// are numbered level by level.
    OfficeId(u32)
);

/// What kind of office.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfficeKind {
    Grid(GridId),
    Community(CommunityId),
    Township(TownshipId),
    CountyGeneral(CountyId),
    CountyDept(CountyId, Dept),
    CityCentre,
    CityDept(Dept),
}

/// All government offices, structure of arrays.
#[derive(Clone)]
pub struct Offices {
    pub kind: Vec<OfficeKind>,
    pub level: Vec<Level>,
    /// County of the office (`None` for city offices).
    pub county: Vec<Option<CountyId>>,
    pub urban: Vec<bool>,
    /// Staff head count.
    pub staff: Vec<f64>,
    /// Platform connectivity in (0,1].
    pub connectivity: Vec<f64>,
    /// Queue of issues.
    pub queue: Vec<VecDeque<IssueId>>,
    /// Capacity available this tick, in staff-hours.
    pub capacity: Vec<f64>,
    /// Hours of volunteers and social organisations available this tick (a separate
    /// pool: only for the categories they can handle, `Category::social_can_handle`).
    pub social: Vec<f64>,
    /// Staff-hours used this tick.
    pub used: Vec<f64>,
    /// Coordination hours spent this tick.
    pub coordination: Vec<f64>,
    pub grid_office: Vec<OfficeId>,
    pub community_office: Vec<OfficeId>,
    pub township_office: Vec<OfficeId>,
    pub county_office: Vec<OfficeId>,
    /// `county_dept[k * Dept::COUNT + d]`.
    pub county_dept: Vec<OfficeId>,
    pub city_centre: OfficeId,
    pub city_dept: [OfficeId; Dept::COUNT],
}

impl Offices {
    /// Every office of `territory`, numbered level by level (the module invariant).
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
            social: Vec::new(),
            used: Vec::new(),
            coordination: Vec::new(),
            grid_office: Vec::new(),
            community_office: Vec::new(),
            township_office: Vec::new(),
            county_office: Vec::new(),
            county_dept: Vec::new(),
            city_centre: OfficeId(0),
            city_dept: [OfficeId(0); Dept::COUNT],
        };
        o.build_local(territory, spec);
        o.build_counties(territory, spec);
        o.build_city(territory, spec);
        o
    }

    /// Grid offices, community committees and townships (块 below the county).
    fn build_local(&mut self, territory: &Territory, spec: &GovernmentSpec) {
        let conn = |urban: bool| if urban { 1.0 } else { spec.rural_connectivity };
        let pick = |urban: bool, u: f64, r: f64| if urban { u } else { r };
        for (g, grid) in territory.grids.iter().enumerate() {
            let staff = pick(grid.urban, spec.grid_staff_urban, spec.grid_staff_rural) * grid.fill;
            let id = self.push(
                OfficeKind::Grid(GridId::at(g)),
                Level::Grid,
                Some(grid.county),
                grid.urban,
                staff,
                conn(grid.urban),
            );
            self.grid_office.push(id);
        }
        for (c, comm) in territory.communities.iter().enumerate() {
            let staff = pick(
                comm.urban,
                spec.community_staff_urban,
                spec.community_staff_rural,
            ) * comm.fill;
            let id = self.push(
                OfficeKind::Community(CommunityId::at(c)),
                Level::Community,
                Some(comm.county),
                comm.urban,
                staff,
                conn(comm.urban),
            );
            self.community_office.push(id);
        }
        for (t, town) in territory.townships.iter().enumerate() {
            let rate = pick(
                town.urban,
                spec.township_staff_per_1000_urban,
                spec.township_staff_per_1000_rural,
            );
            let staff = per_1000(town.residents.len() as u32, rate);
            let id = self.push(
                OfficeKind::Township(TownshipId::at(t)),
                Level::Township,
                Some(town.county),
                town.urban,
                staff,
                conn(town.urban),
            );
            self.township_office.push(id);
        }
    }

    /// County general offices, then every county's departments.
    fn build_counties(&mut self, territory: &Territory, spec: &GovernmentSpec) {
        for k in 0..territory.counties.len() {
            let kind = OfficeKind::CountyGeneral(CountyId::at(k));
            let id = self.push_county(territory, k, kind, spec.county_staff_per_1000);
            self.county_office.push(id);
        }
        for k in 0..territory.counties.len() {
            for d in Dept::ALL {
                let kind = OfficeKind::CountyDept(CountyId::at(k), d);
                let id = self.push_county(territory, k, kind, spec.county_dept_staff_per_1000);
                self.county_dept.push(id);
            }
        }
    }

    /// An office of county `k`, staffed at `per_1000` of its residents.
    fn push_county(
        &mut self,
        territory: &Territory,
        k: usize,
        kind: OfficeKind,
        per_1000_staff: f64,
    ) -> OfficeId {
        let n = territory.counties[k].residents.len() as u32;
        let urban = Self::mostly_urban(territory, k);
        let staff = per_1000(n, per_1000_staff);
        self.push(
            kind,
            Level::County,
            Some(CountyId::at(k)),
            urban,
            staff,
            1.0,
        )
    }

    /// The city centre and the city departments.
    fn build_city(&mut self, territory: &Territory, spec: &GovernmentSpec) {
        let n = territory.residents();
        let staff = per_1000(n, spec.city_centre_staff_per_1000);
        self.city_centre = self.push(OfficeKind::CityCentre, Level::City, None, true, staff, 1.0);
        for d in Dept::ALL {
            let staff = per_1000(n, spec.city_dept_staff_per_1000);
            let kind = OfficeKind::CityDept(d);
            self.city_dept[d as usize] = self.push(kind, Level::City, None, true, staff, 1.0);
        }
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
        county: Option<CountyId>,
        urban: bool,
        staff: f64,
        connectivity: f64,
    ) -> OfficeId {
        self.kind.push(kind);
        self.level.push(level);
        self.county.push(county);
        self.urban.push(urban);
        self.staff.push(staff);
        self.connectivity.push(connectivity);
        self.queue.push(VecDeque::new());
        self.capacity.push(0.0);
        self.social.push(0.0);
        self.used.push(0.0);
        self.coordination.push(0.0);
        OfficeId((self.kind.len() - 1) as u32)
    }

    /// Every office, in id order.
    pub fn ids(&self) -> impl Iterator<Item = OfficeId> + use<> {
        (0..self.kind.len() as u32).map(OfficeId)
    }

    pub fn len(&self) -> usize {
        self.kind.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }

    pub fn county_dept(&self, county: CountyId, dept: Dept) -> OfficeId {
        self.county_dept[county.index() * Dept::COUNT + dept as usize]
    }

    /// The office an issue escalates to from `o`: grid → community → township → county
    /// general office → city centre.
    pub fn parent(&self, territory: &Territory, o: OfficeId) -> OfficeId {
        let t = territory;
        match self.kind[o.index()] {
            OfficeKind::Grid(g) => self.community_office[t.grids[g.index()].community.index()],
            OfficeKind::Community(c) => {
                self.township_office[t.communities[c.index()].township.index()]
            }
            OfficeKind::Township(tw) => self.county_office[t.townships[tw.index()].county.index()],
            _ => self.city_centre,
        }
    }

    /// The city department that takes over from office `o` when a county gives up on its
    /// partner: the one mirroring `o`'s department, civil affairs when `o` is none.
    pub fn city_mirror(&self, o: OfficeId) -> OfficeId {
        let d = match self.kind[o.index()] {
            OfficeKind::CountyDept(_, d) => d,
            _ => Dept::CivilAffairs,
        };
        self.city_dept[d as usize]
    }

    /// The office of `level` that serves `grid`'s place (county general office for the
    /// county level and above).
    pub fn office_of_level(&self, territory: &Territory, level: Level, grid: GridId) -> OfficeId {
        let g = &territory.grids[grid.index()];
        match level {
            Level::Grid => self.grid_office[grid.index()],
            Level::Community => self.community_office[g.community.index()],
            Level::Township => self.township_office[g.township.index()],
            _ => self.county_office[g.county.index()],
        }
    }
}

/// Staff of a unit of `n` residents at `rate` staff per 1,000.
fn per_1000(n: u32, rate: f64) -> f64 {
    n as f64 / 1000.0 * rate
}

// ---- Rules of government: pure functions of a spec, the mechanisms and plain numbers.

/// Days an escalation takes: `escalation_delay_days × (1 − vertical)`, rounded.
pub fn escalation_delay(gov: &GovernmentSpec, mech: &Mechanisms) -> u32 {
    (gov.escalation_delay_days * (1.0 - mech.vertical)).round() as u32
}

/// Days a referral from an office of platform `connectivity` takes: the rural uplift
/// built by spatial linkage (`costs::uplift_after`) closes the connectivity gap, and
/// information sharing over it shortens the delay.
pub fn referral_delay(
    gov: &GovernmentSpec,
    mech: &Mechanisms,
    uplift: f64,
    connectivity: f64,
) -> u32 {
    let conn = connectivity + (1.0 - connectivity) * uplift;
    (gov.referral_delay_days * (1.0 - mech.information_sharing * conn)).round() as u32
}

/// Daily chance that the partner county agrees to act on a cross-region issue.
pub fn cross_region_cooperation(gov: &GovernmentSpec, mech: &Mechanisms) -> f64 {
    gov.cross_region_rate
        * (gov.cross_region_horizontal_weight * mech.horizontal
            + gov.cross_region_information_weight * mech.information_sharing)
}

/// Days a county waits for its partner before escalating to the city.
pub fn cross_region_patience(gov: &GovernmentSpec, mech: &Mechanisms) -> u32 {
    (gov.cross_region_patience_days * (gov.cross_region_patience_stretch - mech.vertical)).round()
        as u32
}

/// Daily chance that a grid patrol finds one unreported issue, given its community's
/// capacity multiplier (shocks) and reporting channel.
pub fn patrol_chance(gov: &GovernmentSpec, mech: &Mechanisms, capacity: f64, channel: f64) -> f64 {
    gov.patrol_rate
        * capacity
        * (gov.patrol_floor + gov.patrol_information_gain * mech.information_sharing)
        * channel
}

/// Reporting channel of a community: 1 when urban; rural connectivity, raised by the
/// rural uplift that spatial linkage builds, when rural.
pub fn channel(gov: &GovernmentSpec, uplift: f64, urban: bool) -> f32 {
    let rural_conn = gov.rural_connectivity as f32;
    if urban {
        1.0
    } else {
        rural_conn + (1.0 - rural_conn) * uplift as f32
    }
}

/// Handling-time factor of an issue: 1 in urban units, `1 + rural_work_penalty × (1 −
/// uplift)` in rural ones, the uplift being what spatial linkage has built so far.
pub fn work_factor(gov: &GovernmentSpec, uplift: f64, urban: bool) -> f64 {
    if urban {
        1.0
    } else {
        1.0 + gov.rural_work_penalty * (1.0 - uplift)
    }
}

/// Share of staff time lost to standing coordination.
pub fn overhead(gov: &GovernmentSpec, mech: &Mechanisms) -> f64 {
    mech.coordination_cost * mech.link_intensity() * gov.overhead_share
}

/// Capacity of an office: staff hours `base` less overhead. (Volunteers' and
/// organisations' hours are a pool of their own, [`Offices::social`].)
pub fn office_capacity(base: f64, overhead: f64) -> f64 {
    base * (1.0 - overhead)
}

/// Coordination hours of one hand-off (or one joint-meeting seat).
pub fn handoff_cost(gov: &GovernmentSpec, mech: &Mechanisms) -> f64 {
    gov.handoff_hours * mech.coordination_cost
}

/// Coordination hours of a joint meeting with `seats` departments: each sends someone
/// for a hand-off's hours, scaled by the coordination cost.
pub fn joint_meeting_cost(gov: &GovernmentSpec, mech: &Mechanisms, seats: f64) -> f64 {
    seats * gov.handoff_hours * mech.coordination_cost
}

/// Days before an issue's second stage can start: the referral delay, but never fewer
/// than `stage_delay_min_days`.
pub fn stage_delay(gov: &GovernmentSpec, referral_delay: u32) -> u32 {
    referral_delay.max(gov.stage_delay_min_days)
}

/// Mediators serving a community: `(its own, all)`. Its own are the community office's
/// mediating staff plus its organisations' mediators; all adds the township's mediating
/// staff, shared evenly among the township's `communities`.
pub fn community_mediators(
    share: f32,
    community_staff: f32,
    township_staff: f32,
    communities: usize,
    organisation_mediators: f32,
) -> (f32, f32) {
    let town_share = township_staff * share / communities.max(1) as f32;
    let own = community_staff * share + organisation_mediators;
    let all = community_staff * share + town_share + organisation_mediators;
    (own, all)
}

/// A county's daily assistance income, for `residents` residents.
pub fn county_income(gov: &GovernmentSpec, residents: usize) -> f64 {
    let pop = residents as f64 / 1000.0;
    gov.county_budget_per_1000 * pop
}

/// The city reserve's daily income, for `residents` city residents.
pub fn city_income(gov: &GovernmentSpec, residents: u32) -> f64 {
    gov.city_budget_per_1000 * residents as f64 / 1000.0
}

/// A budget after a day's `income`, of which shocks let `paid` (a share) arrive; capped
/// at `budget_cap_days` of income.
pub fn budget_after_income(gov: &GovernmentSpec, budget: f64, income: f64, paid: f64) -> f64 {
    (budget + income * paid).min(income * gov.budget_cap_days)
}

/// How far a county's budget falls short of the `waiting` assistance issues at `units`
/// each.
pub fn budget_shortfall(waiting: f64, units: f64, budget: f64) -> f64 {
    (waiting * units - budget).max(0.0)
}

/// Pooling of the city reserve: the grant to each county, in proportion to its
/// shortfall, and the total given. `None` when no county is short.
pub fn pool_reserve(reserve: f64, pooling: f64, short: &[f64]) -> Option<(Vec<f64>, f64)> {
    let total: f64 = short.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let give = (reserve * pooling).min(total);
    Some((short.iter().map(|s| give * s / total).collect(), give))
}

/// Open issues per 1,000 residents.
pub fn open_per_1000(open: usize, residents: u32) -> f64 {
    open as f64 / (residents as f64 / 1000.0)
}

/// What may convene the leading group on a day.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Alarm {
    /// Open issues per 1,000 residents.
    pub open_per_1000: f64,
    /// Reported emergencies open, per 1,000 residents.
    pub emergencies_per_1000: f64,
    /// Incidents going on that were escalated to the leading group.
    pub escalated_incidents: u32,
}

/// Whether the leading group sits: some vertical linkage, and an open load or open
/// emergencies above thresholds that rise as vertical linkage falls, or an incident
/// escalated to it.
pub fn leading_group_active(gov: &GovernmentSpec, mech: &Mechanisms, alarm: &Alarm) -> bool {
    let rise = gov.leading_group_floor + gov.leading_group_rise * (1.0 - mech.vertical);
    mech.vertical > 0.0
        && (alarm.open_per_1000 > gov.leading_group_threshold * rise
            || alarm.emergencies_per_1000 > gov.leading_group_emergencies * rise
            || alarm.escalated_incidents > 0)
}

/// Which mechanism sets the share of a capacity transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lever {
    /// 统筹: among offices of one level (and department).
    Pooling,
    /// 以城带乡: from urban to rural offices of a level.
    Spatial,
    /// 领导小组: from city offices to the county offices that mirror them, while active.
    LeadingGroup,
}

/// Share of spare capacity a transfer moves.
pub fn transfer_share(lever: Lever, mech: &Mechanisms, leading_group: bool) -> f64 {
    match lever {
        Lever::Pooling => mech.pooling,
        Lever::Spatial => mech.spatial,
        Lever::LeadingGroup if leading_group => mech.vertical,
        Lever::LeadingGroup => 0.0,
    }
}

/// Share of moved capacity lost to coordination.
pub fn transfer_friction(gov: &GovernmentSpec, mech: &Mechanisms) -> f64 {
    gov.transfer_friction * mech.coordination_cost
}

/// A capacity transfer: `share` of the donors' total `spare` capacity, at most the
/// receivers' total `deficit`, taken from each donor in proportion to its spare and given
/// to each receiver in proportion to its deficit. Returns (given by each donor, received
/// by each receiver before friction), or `None` when nothing moves.
pub fn transfer(spare: &[f64], deficit: &[f64], share: f64) -> Option<(Vec<f64>, Vec<f64>)> {
    let total_spare: f64 = spare.iter().sum();
    let total_deficit: f64 = deficit.iter().sum();
    let moved = share * total_spare.min(total_deficit);
    if moved <= 0.0 {
        return None;
    }
    let gives = spare.iter().map(|s| moved * s / total_spare).collect();
    let gets = deficit.iter().map(|d| moved * d / total_deficit).collect();
    Some((gives, gets))
}

/// A capacity transfer the mechanisms may allow: spare hours of `donors` move to the
/// deficits of `receivers`, at the share that `by` sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    pub donors: Vec<OfficeId>,
    pub receivers: Vec<OfficeId>,
    pub by: Lever,
}

/// Every capacity transfer the mechanisms may allow, in the order they are applied:
/// pooling within a level (townships, county general offices, then each county
/// department), spatial linkage from the urban to the rural units of the grid, community
/// and township levels, and the leading group from the city centre to the county general
/// offices and from each city department to the county departments that mirror it.
pub fn transfers(territory: &Territory, offices: &Offices) -> Vec<Transfer> {
    let by = |f: &dyn Fn(&OfficeKind) -> bool| -> Vec<OfficeId> {
        offices
            .ids()
            .filter(|&o| f(&offices.kind[o.index()]))
            .collect()
    };
    let pool = |offices: Vec<OfficeId>| Transfer {
        donors: offices.clone(),
        receivers: offices,
        by: Lever::Pooling,
    };
    let mut transfers = vec![
        pool(by(&|k| matches!(k, OfficeKind::Township(_)))),
        pool(by(&|k| matches!(k, OfficeKind::CountyGeneral(_)))),
    ];
    for d in Dept::ALL {
        transfers.push(pool(by(
            &|k| matches!(k, OfficeKind::CountyDept(_, e) if *e == d),
        )));
    }
    let levels: [&dyn Fn(&OfficeKind) -> bool; 3] = [
        &|k| matches!(k, OfficeKind::Grid(_)),
        &|k| matches!(k, OfficeKind::Community(_)),
        &|k| matches!(k, OfficeKind::Township(_)),
    ];
    for level in levels {
        let (urban, rural): (Vec<OfficeId>, Vec<OfficeId>) = by(level)
            .into_iter()
            .partition(|&o| offices.urban[o.index()]);
        transfers.push(Transfer {
            donors: urban,
            receivers: rural,
            by: Lever::Spatial,
        });
    }
    transfers.push(Transfer {
        donors: vec![offices.city_centre],
        receivers: offices.county_office.clone(),
        by: Lever::LeadingGroup,
    });
    for d in Dept::ALL {
        let depts = territory
            .county_ids()
            .map(|k| offices.county_dept(k, d))
            .collect();
        transfers.push(Transfer {
            donors: vec![offices.city_dept[d as usize]],
            receivers: depts,
            by: Lever::LeadingGroup,
        });
    }
    transfers
}

/// What one transfer does to the offices' hours: `given` by each donor, and for each
/// receiver the hours it gets (`received`) and those lost to coordination on the way
/// (`booked`).
#[derive(Clone, Debug, PartialEq)]
pub struct Lent {
    /// Hours each donor lends (what leaves for the receivers).
    pub given: Vec<f64>,
    /// Hours each donor spends on the road besides (`travel` × given), booked as its
    /// coordination.
    pub travel: Vec<f64>,
    pub received: Vec<f64>,
    pub booked: Vec<f64>,
}

/// One capacity transfer over the offices' `capacity` and `demand` (indexed by office):
/// a donor's spare is its capacity less its demand, a receiver's deficit its demand less
/// its capacity (neither below 0); [`transfer`] moves `share` of the spare, and `friction`
/// of what each receiver gets is booked as coordination instead. Each hour lent costs
/// the donor `travel` more on the road, so a donor lends at most its spare over
/// `1 + travel`. `None` when nothing moves.
pub fn lend(
    capacity: &[f64],
    demand: &[f64],
    donors: &[OfficeId],
    receivers: &[OfficeId],
    share: f64,
    friction: f64,
    travel: f64,
) -> Option<Lent> {
    if share <= 0.0 {
        return None;
    }
    let spare: Vec<f64> = donors
        .iter()
        .map(|&o| (capacity[o.index()] - demand[o.index()]).max(0.0) / (1.0 + travel))
        .collect();
    let deficit: Vec<f64> = receivers
        .iter()
        .map(|&o| (demand[o.index()] - capacity[o.index()]).max(0.0))
        .collect();
    let (given, gets) = transfer(&spare, &deficit, share)?;
    Some(Lent {
        travel: given.iter().map(|g| g * travel).collect(),
        given,
        received: gets.iter().map(|g| g * (1.0 - friction)).collect(),
        booked: gets.iter().map(|g| g * friction).collect(),
    })
}

/// The shock capacity multiplier of a unit made of `communities` (a township): the mean
/// of theirs (0 for none).
pub fn mean_capacity_mult(communities: &[Effects]) -> f64 {
    communities
        .iter()
        .map(|e| e.capacity_mult as f64)
        .sum::<f64>()
        / communities.len().max(1) as f64
}

/// The shock capacity multiplier of an office of `kind`: its community's (a grid's or a
/// community's), the mean of its communities' (a township's), its county's, or the
/// city's.
pub fn capacity_mult(kind: OfficeKind, territory: &Territory, pressures: &Pressures) -> f64 {
    let comm = |c: CommunityId| pressures.effects[c.index()].capacity_mult as f64;
    match kind {
        OfficeKind::Grid(g) => comm(territory.grids[g.index()].community),
        OfficeKind::Community(c) => comm(c),
        OfficeKind::Township(t) => {
            let r = &territory.townships[t.index()].communities;
            mean_capacity_mult(&pressures.effects[r.start as usize..r.end as usize])
        }
        OfficeKind::CountyGeneral(k) | OfficeKind::CountyDept(k, _) => {
            pressures.county_capacity[k.index()] as f64
        }
        OfficeKind::CityCentre | OfficeKind::CityDept(_) => pressures.city_capacity as f64,
    }
}

/// An office's hours for the day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OfficeDay {
    /// Staff hours after shocks, before overhead (tallied as `capacity_hours`).
    pub base: f64,
    /// Hours it can work: see [`office_capacity`].
    pub capacity: f64,
    /// Hours lost to standing coordination (the overhead), booked as coordination.
    pub coordination: f64,
}

/// The day of an office of `staff` at `hours_per_staff` each, scaled by the shocks'
/// capacity multiplier `mult`, less the `overhead` share.
pub fn office_day(staff: f64, hours_per_staff: f64, mult: f64, overhead: f64) -> OfficeDay {
    let base = staff * hours_per_staff * mult;
    OfficeDay {
        base,
        capacity: office_capacity(base, overhead),
        coordination: base * overhead,
    }
}

/// Volunteers a grid office engages (dispatches and supervises) for a task.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Engagement {
    /// Volunteers engaged, and those the task wanted whom the office could not pay to
    /// supervise (left unkept).
    pub engaged: u32,
    pub refused: u32,
    /// Hours the engaged bring, and the staff-hours of their upkeep (coordination).
    pub hours: f64,
    pub upkeep: f64,
}

/// Volunteers engaged for `need` more hours of work: as many as it takes at `hours`
/// each, out of the `pool` hours of those who turned up and are not yet engaged, as far
/// as the office's `capacity_left` staff-hours pay `upkeep` for each. An engaged
/// volunteer brings all its hours to the office's social pool for the rest of the day.
pub fn engage(need: f64, pool: f64, hours: f64, upkeep: f64, capacity_left: f64) -> Engagement {
    if need <= 0.0 || pool <= 0.0 || hours <= 0.0 {
        return Engagement::default();
    }
    let wanted = (need.min(pool) / hours).ceil() as u32;
    let affordable = if upkeep > 0.0 {
        (capacity_left.max(0.0) / upkeep).floor() as u32
    } else {
        wanted
    };
    let engaged = wanted.min(affordable);
    Engagement {
        engaged,
        refused: wanted - engaged,
        hours: (engaged as f64 * hours).min(pool),
        upkeep: engaged as f64 * upkeep,
    }
}

/// Share of the volunteers an office wanted that it could keep (engage and supervise):
/// 1 when it wanted none.
pub fn kept_share(engaged: u32, refused: u32) -> f64 {
    let wanted = engaged + refused;
    if wanted == 0 {
        1.0
    } else {
        engaged as f64 / wanted as f64
    }
}

/// Pooling of the city reserve among counties: each county's shortfall is that of its
/// `waiting` assistance issues at `units` each against its `budgets` entry
/// ([`budget_shortfall`]), and [`pool_reserve`] shares `pooling` of the reserve among
/// them. `None` without pooling or when no county is short.
pub fn pool_budgets(
    reserve: f64,
    pooling: f64,
    waiting: &[f64],
    units: f64,
    budgets: &[f64],
) -> Option<(Vec<f64>, f64)> {
    if pooling <= 0.0 {
        return None;
    }
    let short: Vec<f64> = waiting
        .iter()
        .zip(budgets)
        .map(|(&w, &b)| budget_shortfall(w, units, b))
        .collect();
    pool_reserve(reserve, pooling, &short)
}

/// Whether an office with `capacity_left` hours today can pay a task of `hours` (a
/// hand-off, a meeting seat, a report, a callback). Tasks are paid in full or wait: no
/// office works on credit.
pub fn affords(hours: f64, capacity_left: f64) -> bool {
    capacity_left >= hours
}

/// Mediators present in one grid of a community: the grid's own staff, plus its share of
/// the community's mediating staff and organisations, scaled by presence and shocks.
pub fn grid_mediators(
    presence: f32,
    capacity: f32,
    grid_staff: f32,
    community_mediators: f32,
    grids: f32,
) -> f32 {
    presence * capacity * (grid_staff + community_mediators / grids)
}

/// Chance that an active protester in a community is mediated today: the mediations its
/// mediators can do, over the protesters, at most 1.
pub fn mediation_chance(gov: &GovernmentSpec, mediators: f32, capacity: f32, active: u32) -> f32 {
    let mediations = mediators * gov.mediations_per_staff as f32 * capacity;
    (mediations / active.max(1) as f32).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::builtin::xcity_baseline;

    fn gov() -> GovernmentSpec {
        xcity_baseline().government
    }

    #[test]
    fn a_second_stage_waits_at_least_the_minimum_and_meetings_cost_every_seat() {
        let mut g = gov();
        g.stage_delay_min_days = 3;
        assert_eq!(stage_delay(&g, 1), 3);
        assert_eq!(stage_delay(&g, 5), 5);
        let mech = Mechanisms::preset("linkage").unwrap();
        let one = joint_meeting_cost(&g, &mech, 1.0);
        assert!(one > 0.0);
        assert!((joint_meeting_cost(&g, &mech, 3.0) - 3.0 * one).abs() < 1e-12);
    }

    #[test]
    fn township_mediators_are_shared_among_its_communities() {
        let (own, all) = community_mediators(0.5, 4.0, 20.0, 5, 1.0);
        assert_eq!(own, 3.0); // 4 × 0.5 + 1
        assert_eq!(all, 5.0); // + 20 × 0.5 / 5
        let (_, none) = community_mediators(0.5, 4.0, 20.0, 0, 0.0);
        assert_eq!(none, 12.0); // no division by zero: the township counts as one
    }

    fn mech(name: &str) -> Mechanisms {
        Mechanisms::preset(name).unwrap()
    }

    #[test]
    fn offices_are_numbered_level_by_level_and_escalate_to_the_city() {
        let sc = xcity_baseline();
        let t = Territory::build(&sc.territory, 5000);
        let o = Offices::build(&t, &sc.government);
        assert!(o.level.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(
            o.len(),
            t.grids.len()
                + t.communities.len()
                + t.townships.len()
                + t.counties.len() * (1 + Dept::COUNT)
                + 1
                + Dept::COUNT
        );
        let mut at = o.grid_office[0];
        let mut climb = vec![o.level[at.index()]];
        while at != o.city_centre {
            at = o.parent(&t, at);
            climb.push(o.level[at.index()]);
        }
        use Level::*;
        assert_eq!(climb, [Grid, Community, Township, County, City]);
        assert_eq!(
            o.city_mirror(o.county_dept(CountyId(0), Dept::Health)),
            o.city_dept[Dept::Health as usize]
        );
        assert_eq!(
            o.city_mirror(o.county_office[0]),
            o.city_dept[Dept::CivilAffairs as usize]
        );
    }

    #[test]
    fn a_transfer_moves_a_share_of_the_smaller_side_in_proportion() {
        let (gives, gets) = transfer(&[3.0, 1.0], &[2.0, 0.0, 6.0], 0.5).unwrap();
        assert_eq!(gives, [1.5, 0.5]);
        assert_eq!(gets, [0.5, 0.0, 1.5]);
        assert!(transfer(&[3.0], &[0.0], 1.0).is_none());
        assert!(transfer(&[3.0], &[2.0], 0.0).is_none());
    }

    #[test]
    fn friction_and_share_come_from_the_mechanisms() {
        let g = gov();
        let m = mech("linkage");
        assert_eq!(transfer_friction(&g, &m), 0.3 * m.coordination_cost);
        assert_eq!(transfer_share(Lever::Pooling, &m, false), m.pooling);
        assert_eq!(transfer_share(Lever::Spatial, &m, false), m.spatial);
        assert_eq!(transfer_share(Lever::LeadingGroup, &m, false), 0.0);
        assert_eq!(transfer_share(Lever::LeadingGroup, &m, true), m.vertical);
    }

    #[test]
    fn the_leading_group_threshold_rises_as_vertical_linkage_falls() {
        let g = gov();
        let mut m = mech("linkage");
        let open = |x| Alarm {
            open_per_1000: x,
            ..Alarm::default()
        };
        m.vertical = 1.0;
        assert!(leading_group_active(&g, &m, &open(41.0)));
        assert!(!leading_group_active(&g, &m, &open(39.0)));
        m.vertical = 0.5;
        assert!(!leading_group_active(&g, &m, &open(79.0)));
        assert!(leading_group_active(&g, &m, &open(81.0)));
        m.vertical = 0.0;
        assert!(!leading_group_active(&g, &m, &open(1e9)));
    }

    #[test]
    fn the_leading_group_sits_for_emergencies_and_escalated_incidents() {
        let g = gov();
        let mut m = mech("linkage");
        m.vertical = 0.5;
        let emergencies = |x| Alarm {
            emergencies_per_1000: x,
            ..Alarm::default()
        };
        let at = g.leading_group_emergencies * 2.0;
        assert!(leading_group_active(&g, &m, &emergencies(at * 1.01)));
        assert!(!leading_group_active(&g, &m, &emergencies(at * 0.99)));
        let incident = Alarm {
            escalated_incidents: 1,
            ..Alarm::default()
        };
        assert!(leading_group_active(&g, &m, &incident));
        m.vertical = 0.0;
        assert!(!leading_group_active(&g, &m, &incident));
        assert!(!leading_group_active(&g, &m, &emergencies(1e9)));
    }

    #[test]
    fn delays_shrink_with_linkage() {
        let g = gov();
        let mut m = mech("fragmented");
        m.vertical = 0.0;
        m.information_sharing = 0.0;
        assert_eq!(escalation_delay(&g, &m), 4);
        assert_eq!(referral_delay(&g, &m, 0.0, 1.0), 4);
        assert_eq!(cross_region_patience(&g, &m), 20);
        m.vertical = 1.0;
        m.information_sharing = 1.0;
        assert_eq!(escalation_delay(&g, &m), 0);
        assert_eq!(referral_delay(&g, &m, 0.0, 1.0), 0);
        assert_eq!(cross_region_patience(&g, &m), 10);
        assert_eq!(referral_delay(&g, &m, 0.0, 0.5), 2);
        // The rural uplift closes the connectivity gap.
        assert_eq!(referral_delay(&g, &m, 1.0, 0.5), 0);
    }

    #[test]
    fn patrols_and_partners_need_information_sharing() {
        let g = gov();
        let mut m = mech("linkage");
        m.information_sharing = 0.0;
        assert_eq!(patrol_chance(&g, &m, 1.0, 1.0), 0.15);
        m.information_sharing = 1.0;
        assert_eq!(patrol_chance(&g, &m, 1.0, 1.0), 0.3);
        m.horizontal = 1.0;
        assert_eq!(cross_region_cooperation(&g, &m), 0.3);
        m.horizontal = 0.0;
        assert_eq!(cross_region_cooperation(&g, &m), 0.15);
    }

    #[test]
    fn budgets_are_capped_and_the_reserve_goes_to_who_is_short() {
        let g = gov();
        assert_eq!(budget_after_income(&g, 0.0, 2.0, 0.5), 1.0);
        assert_eq!(budget_after_income(&g, 200.0, 2.0, 1.0), 120.0);
        assert_eq!(budget_shortfall(3.0, 1.0, 1.0), 2.0);
        assert_eq!(budget_shortfall(1.0, 1.0, 3.0), 0.0);
        let (grants, given) = pool_reserve(10.0, 0.5, &[1.0, 0.0, 3.0]).unwrap();
        assert_eq!(given, 4.0);
        assert_eq!(grants, [1.0, 0.0, 3.0]);
        let (grants, given) = pool_reserve(4.0, 0.5, &[1.0, 3.0]).unwrap();
        assert_eq!(given, 2.0);
        assert_eq!(grants, [0.5, 1.5]);
        assert!(pool_reserve(10.0, 1.0, &[0.0, 0.0]).is_none());
    }

    #[test]
    fn transfers_pool_like_offices_lend_urban_to_rural_and_the_city_to_its_mirrors() {
        let sc = xcity_baseline();
        let t = Territory::build(&sc.territory, 20_000);
        let o = Offices::build(&t, &sc.government);
        let table = transfers(&t, &o);
        // Townships, county general offices, each county department; three spatial
        // levels; the city centre and each city department.
        assert_eq!(table.len(), 2 + Dept::COUNT + 3 + 1 + Dept::COUNT);
        for tr in &table {
            match tr.by {
                Lever::Pooling => {
                    assert_eq!(tr.donors, tr.receivers);
                    let level = o.level[tr.donors[0].index()];
                    assert!(tr.donors.iter().all(|d| o.level[d.index()] == level));
                }
                Lever::Spatial => {
                    assert!(tr.donors.iter().all(|d| o.urban[d.index()]));
                    assert!(tr.receivers.iter().all(|r| !o.urban[r.index()]));
                }
                Lever::LeadingGroup => {
                    assert_eq!(tr.donors.len(), 1);
                    assert_eq!(o.level[tr.donors[0].index()], Level::City);
                    assert_eq!(tr.receivers.len(), t.counties.len());
                    for &r in &tr.receivers {
                        assert_eq!(o.city_mirror(r), o.city_mirror(tr.receivers[0]));
                    }
                }
            }
        }
        let spatial = table.iter().filter(|tr| tr.by == Lever::Spatial);
        let grids: usize = spatial
            .take(1)
            .map(|tr| tr.donors.len() + tr.receivers.len())
            .sum();
        assert_eq!(grids, t.grids.len());
    }

    #[test]
    fn lending_moves_spare_to_deficit_and_books_the_friction() {
        let ids = |v: &[u32]| v.iter().map(|&i| OfficeId(i)).collect::<Vec<_>>();
        // Office 0 has 3 spare hours, office 1 none; office 2 is 2 short, office 3 6 short.
        let capacity = [5.0, 1.0, 0.0, 2.0];
        let demand = [2.0, 4.0, 2.0, 8.0];
        let lent = lend(
            &capacity,
            &demand,
            &ids(&[0, 1]),
            &ids(&[2, 3]),
            0.5,
            0.25,
            0.0,
        )
        .unwrap();
        assert_eq!(lent.given, [1.5, 0.0]);
        assert_eq!(lent.received, [0.375 * 0.75, 1.125 * 0.75]);
        assert_eq!(lent.booked, [0.375 * 0.25, 1.125 * 0.25]);
        assert_eq!(lent.travel, [0.0, 0.0]);
        assert!(lend(&capacity, &demand, &ids(&[0]), &ids(&[2]), 0.0, 0.25, 0.0).is_none());
        assert!(lend(&capacity, &demand, &ids(&[1]), &ids(&[2]), 1.0, 0.25, 0.0).is_none());
        // On the road: 3 spare hours lend at most 2 at travel 0.5, and cost 1 more.
        let far = lend(&capacity, &demand, &ids(&[0]), &ids(&[3]), 1.0, 0.0, 0.5).unwrap();
        assert_eq!(far.given, [2.0]);
        assert_eq!(far.travel, [1.0]);
    }

    #[test]
    fn a_township_works_at_the_mean_capacity_of_its_communities() {
        let mut a = Effects::NEUTRAL;
        a.capacity_mult = 0.5;
        assert_eq!(mean_capacity_mult(&[a, Effects::NEUTRAL]), 0.75);
        assert_eq!(mean_capacity_mult(&[]), 0.0);
        let sc = xcity_baseline();
        let t = Territory::build(&sc.territory, 5000);
        let mut p = Pressures::new(t.communities.len(), t.counties.len());
        let town = &t.townships[0];
        p.effects[town.communities.start as usize].capacity_mult = 0.0;
        let n = town.communities.len() as f64;
        assert_eq!(
            capacity_mult(OfficeKind::Township(TownshipId(0)), &t, &p),
            (n - 1.0) / n
        );
        assert_eq!(
            capacity_mult(
                OfficeKind::Community(CommunityId(town.communities.start)),
                &t,
                &p
            ),
            0.0
        );
        p.city_capacity = 0.8;
        assert_eq!(
            capacity_mult(OfficeKind::CityDept(Dept::Health), &t, &p),
            0.8f32 as f64
        );
    }

    #[test]
    fn an_office_day_is_staff_hours_less_overhead_without_social_hours() {
        let day = office_day(4.0, 8.0, 0.5, 0.25);
        assert_eq!(day.base, 16.0);
        assert_eq!(day.capacity, 12.0);
        assert_eq!(day.coordination, 4.0);
    }

    #[test]
    fn volunteers_are_engaged_as_the_work_needs_and_the_office_can_supervise() {
        // 5 hours needed, 2-hour volunteers: three engaged, 0.3 staff-hours of upkeep.
        let e = engage(5.0, 10.0, 2.0, 0.1, 7.0);
        assert_eq!((e.engaged, e.refused), (3, 0));
        assert_eq!(e.hours, 6.0);
        assert!((e.upkeep - 0.3).abs() < 1e-12);
        // Only as many as turned up; the last brings what is left of the pool.
        let e = engage(5.0, 3.0, 2.0, 0.1, 7.0);
        assert_eq!((e.engaged, e.refused, e.hours), (2, 0, 3.0));
        // Only as many as the office can supervise: the rest are left unkept.
        let e = engage(5.0, 10.0, 2.0, 0.1, 0.15);
        assert_eq!((e.engaged, e.refused, e.hours), (1, 2, 2.0));
        let e = engage(5.0, 10.0, 2.0, 0.1, -1.0);
        assert_eq!((e.engaged, e.refused, e.hours), (0, 3, 0.0));
        // Free supervision keeps all; no need, no pool or no hours engage nobody.
        assert_eq!(engage(5.0, 10.0, 2.0, 0.0, 0.0).engaged, 3);
        assert_eq!(engage(0.0, 10.0, 2.0, 0.1, 7.0), Engagement::default());
        assert_eq!(engage(5.0, 0.0, 2.0, 0.1, 7.0), Engagement::default());
        assert_eq!(engage(5.0, 10.0, 0.0, 0.1, 7.0), Engagement::default());
        assert_eq!(kept_share(0, 0), 1.0);
        assert_eq!(kept_share(1, 3), 0.25);
    }

    #[test]
    fn pooling_grants_go_only_to_counties_short_of_their_waiting_assistance() {
        // County 0 has 3 waiting at 1 unit and 1 in hand (short 2); county 1 is not short.
        let (grants, given) = pool_budgets(10.0, 0.5, &[3.0, 1.0], 1.0, &[1.0, 5.0]).unwrap();
        assert_eq!(grants, [2.0, 0.0]);
        assert_eq!(given, 2.0);
        assert!(pool_budgets(10.0, 0.0, &[3.0, 1.0], 1.0, &[1.0, 5.0]).is_none());
        assert!(pool_budgets(10.0, 1.0, &[0.0], 1.0, &[0.0]).is_none());
    }

    #[test]
    fn a_hand_off_is_paid_in_full_or_waits() {
        let g = gov();
        let m = mech("fragmented");
        let cost = handoff_cost(&g, &m);
        assert!(cost > 0.0);
        assert!(affords(cost, 100.0));
        assert!(affords(cost, cost));
        assert!(!affords(cost, cost / 2.0));
        assert!(!affords(cost, -1.0));
    }
    #[test]
    fn mediation_is_a_probability() {
        let g = gov();
        assert_eq!(mediation_chance(&g, 2.0, 1.0, 0), 1.0);
        assert_eq!(mediation_chance(&g, 1.0, 1.0, 6), 0.5);
        assert_eq!(grid_mediators(1.0, 1.0, 1.0, 4.0, 4.0), 2.0);
    }
}
