//! Issues (诉求/事件), the unit of work: categories, their parameters, and the store of
//! live issues.
//!
//! Life cycle: raised → detected (reported, or found by patrol) → assigned to an office →
//! worked on, escalated upward or referred sideways → resolved or expired. Invariant: an
//! issue is in exactly one place at a time (one office queue, or one grid's list of
//! unreported issues), and every created issue ends resolved or expired or is still live:
//! created = resolved + expired + open.

use super::behaviour::BehaviourSpec;
use super::government::{Dept, OfficeId, Offices};
use super::mechanisms::Mechanisms;
use super::platform;
use super::residents::ResidentId;
use super::territory::{CountyId, GridId, Level};
use super::unit;
use crate::base::rng::{Purpose, Stream, stream};
use serde::{Deserialize, Serialize};

/// Issue categories (MODEL.md §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Routine = 0,
    NeighbourDispute = 1,
    PublicFacility = 2,
    SocialAssistance = 3,
    CrossDepartment = 4,
    CrossRegion = 5,
    Emergency = 6,
    Stability = 7,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Category::Routine,
        Category::NeighbourDispute,
        Category::PublicFacility,
        Category::SocialAssistance,
        Category::CrossDepartment,
        Category::CrossRegion,
        Category::Emergency,
        Category::Stability,
    ];
    /// Categories residents raise themselves (stability issues come from incidents).
    pub const RAISED: [Category; 7] = [
        Category::Routine,
        Category::NeighbourDispute,
        Category::PublicFacility,
        Category::SocialAssistance,
        Category::CrossDepartment,
        Category::CrossRegion,
        Category::Emergency,
    ];

    /// The lowest level whose authority can close an issue of this category.
    pub fn level(self) -> Level {
        match self {
            Category::Routine => Level::Grid,
            Category::NeighbourDispute => Level::Community,
            Category::PublicFacility => Level::Township,
            _ => Level::County,
        }
    }

    /// Whether volunteers and social organisations have the authority and skill to work
    /// on an issue of this category (the social hours of an office may go to it): routine
    /// matters, neighbour disputes, public facilities and emergencies (helping hands,
    /// mediation, upkeep, evacuation), not social assistance (eligibility is a public
    /// decision), cross-department or cross-region issues (permits, enforcement, the
    /// line departments' powers) or stability (legal disputes, petitions).
    pub fn social_can_handle(self) -> bool {
        matches!(
            self,
            Category::Routine
                | Category::NeighbourDispute
                | Category::PublicFacility
                | Category::Emergency
        )
    }

    /// Whether a small issue of this category can be closed in the grid (grid first).
    pub fn grid_solvable(self) -> bool {
        matches!(
            self,
            Category::Routine
                | Category::NeighbourDispute
                | Category::PublicFacility
                | Category::Emergency
        )
    }
}

/// Parameters of one category.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategorySpec {
    /// Issues per 1,000 residents per day, for a resident at hardship 0.5. (Not used for
    /// `stability`: stability issues come from incidents, one per incident.)
    pub rate: f64,
    /// Staff-hours of work for an issue of severity 0.5.
    pub work_hours: f64,
    /// Days from raising to expiry.
    pub deadline_days: u32,
    /// Mean severity in [0,1] (severity is drawn uniformly in mean ± 0.5·mean).
    pub severity: f64,
}

/// The category table of a scenario.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueSpec {
    pub routine: CategorySpec,
    pub neighbour_dispute: CategorySpec,
    pub public_facility: CategorySpec,
    pub social_assistance: CategorySpec,
    pub cross_department: CategorySpec,
    pub cross_region: CategorySpec,
    pub emergency: CategorySpec,
    pub stability: CategorySpec,
    /// Budget units a social-assistance issue draws from its county's assistance budget.
    pub assistance_budget_units: f64,
    /// Severity below which an issue counts as small (小事) for grid-first handling.
    pub small_severity: f64,
    /// Severity is `severity × (severity_base + u)`, u uniform in [0,1), clamped to
    /// `severity_min`..1.
    #[serde(default = "defaults::half")]
    pub severity_base: f64,
    #[serde(default = "defaults::severity_min")]
    pub severity_min: f64,
    /// Work is `work_hours × (work_base + severity)` (× the rural factor).
    #[serde(default = "defaults::half")]
    pub work_base: f64,
    /// Share of the trust gain of a resolution lost when it comes at the deadline (less
    /// when sooner, in proportion to the time taken).
    #[serde(default = "defaults::half")]
    pub late_resolution_discount: f64,
    /// Share of a two-stage issue's work done in its first stage when the stages are
    /// handled in sequence; the second stage does the rest. (Handled jointly, the one stage
    /// does all of it.)
    #[serde(default = "defaults::half")]
    pub first_stage_share: f64,
}

/// The serde defaults of the fields that older scenario files may lack.
mod defaults {
    pub fn half() -> f64 {
        0.5
    }
    pub fn severity_min() -> f64 {
        0.05
    }
}

impl IssueSpec {
    pub fn get(&self, c: Category) -> &CategorySpec {
        match c {
            Category::Routine => &self.routine,
            Category::NeighbourDispute => &self.neighbour_dispute,
            Category::PublicFacility => &self.public_facility,
            Category::SocialAssistance => &self.social_assistance,
            Category::CrossDepartment => &self.cross_department,
            Category::CrossRegion => &self.cross_region,
            Category::Emergency => &self.emergency,
            Category::Stability => &self.stability,
        }
    }

    /// Each category's issues per resident per day at hardship 0.5: its `rate` (per
    /// 1,000 residents), by `Category as usize`.
    pub fn daily_rates(&self) -> [f32; 8] {
        let mut rates = [0.0f32; 8];
        for c in Category::ALL {
            rates[c as usize] = (self.get(c).rate / 1000.0) as f32;
        }
        rates
    }
}

/// An issue's handle in the [`IssueStore`] (reused after the issue leaves).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IssueId(u32);

/// Where an issue is in its life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Raised but not reported; waits in its grid's list for a patrol to find it.
    Unreported,
    /// Waiting in the city centre's dispatch queue (central routing).
    AtCentre,
    /// Moving up the hierarchy towards an office of its level.
    Climbing,
    /// A cross-region issue waiting at its county for the partner county to agree.
    AwaitingPartner,
    /// Being worked on in its stages (department offices, or the office of its level).
    Staged,
}

/// One live issue.
#[derive(Clone, Debug)]
pub struct Issue {
    pub category: Category,
    pub phase: Phase,
    pub severity: f32,
    /// Staff-hours left in the current stage.
    pub work_left: f32,
    /// Total staff-hours of the issue (for splitting into stages).
    pub work_total: f32,
    /// The resident who raised it; `None` for an incident's stability issue.
    pub resident: Option<ResidentId>,
    pub grid: GridId,
    pub county: CountyId,
    /// The other county of a cross-region issue.
    pub partner: CountyId,
    pub urban: bool,
    /// Whether the grid closes it itself (grid first).
    pub in_grid: bool,
    /// Whether a multi-stage issue is handled jointly (one stage with all the work).
    pub joint: bool,
    pub created: u32,
    pub deadline: u32,
    /// Not to be touched before this tick (hand-off delays).
    pub ready_at: u32,
    /// The office whose queue holds it (`None` while unreported).
    pub office: Option<OfficeId>,
    /// The offices that work on it in order; the first always exists.
    pub stages: [Option<OfficeId>; 2],
    pub stage: u8,
    /// Tick it started waiting for the partner county.
    pub waiting_since: u32,
    /// Serial number in order of creation; keys the issue's random streams.
    pub key: u64,
    /// Tick it was reported (entered an office queue); `None` while unreported (latent).
    pub reported_at: Option<u32>,
    /// Whether its owner is unclear, so an office may pass the buck (推诿).
    pub unclear: bool,
    /// A laid-off worker's claim at lay-off (a closure): its resident's claims count it.
    pub claim: bool,
    /// What offices have done with it so far; nothing when it is raised.
    pub progress: Progress,
}

/// What has happened to an issue on its way through the offices: flags and counts that
/// all start at false or zero (`Progress::default()`), whoever creates the issue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Whether an office has acted on it (the response).
    pub responded: bool,
    /// Whether the office whose queue holds it has looked at it (it may shelve it then).
    pub seen: bool,
    /// Shelved by its office: left unanswered until supervision pulls it back.
    pub shelved: bool,
    /// Whether work on its current stage has started.
    pub started: bool,
    /// Closed without being solved (formalism) when its work ends.
    pub gamed: bool,
    /// Times an office sent it back (buck-passing).
    pub bounces: u8,
    /// Times it was reopened after an unsolved closure.
    pub reopens: u8,
    /// Trips its resident made for it (跑动次数).
    pub trips: u8,
    /// Dispatched by the city centre: a command to its departments, not a link on the
    /// platform (`platform::linked_chance`).
    pub dispatched: bool,
    /// Waited for its county's budget at least once (social assistance the budget could
    /// not pay when its work was done): if it leaves unpaid, it was refused.
    pub awaited_budget: bool,
    /// Reached a county-level office, and was acted on by one (the county answer rate).
    pub at_county: bool,
    pub county_answered: bool,
}

impl Issue {
    /// An emergency already reported (the leading group's alarm counts them).
    pub fn is_reported_emergency(&self) -> bool {
        self.category == Category::Emergency && self.reported_at.is_some()
    }

    pub fn stage_count(&self) -> usize {
        self.stages.iter().flatten().count()
    }

    /// The office of its first stage.
    pub fn first_stage(&self) -> OfficeId {
        self.stages[0].expect("an issue has a first stage")
    }
}

/// Slab of live issues with a free list, so memory follows the open count, not the
/// number ever created.
///
/// The store also counts its live issues by county and its reported emergencies as they
/// come and go, so a tick reads them without walking every slot twice. An issue's
/// category and county are fixed when it is created, and it is marked reported only
/// through [`IssueStore::mark_reported`].
#[derive(Clone, Default)]
pub struct IssueStore {
    slots: Vec<Option<Issue>>,
    free: Vec<IssueId>,
    live: usize,
    live_by_county: Vec<u64>,
    reported_emergencies: usize,
}

impl IssueStore {
    pub fn insert(&mut self, issue: Issue) -> IssueId {
        self.live += 1;
        let k = issue.county.index();
        if self.live_by_county.len() <= k {
            self.live_by_county.resize(k + 1, 0);
        }
        self.live_by_county[k] += 1;
        self.reported_emergencies += issue.is_reported_emergency() as usize;
        if let Some(id) = self.free.pop() {
            self.slots[id.0 as usize] = Some(issue);
            id
        } else {
            self.slots.push(Some(issue));
            IssueId((self.slots.len() - 1) as u32)
        }
    }

    pub fn remove(&mut self, id: IssueId) -> Issue {
        let issue = self.slots[id.0 as usize].take().expect("issue id is live");
        self.free.push(id);
        self.live -= 1;
        self.live_by_county[issue.county.index()] -= 1;
        self.reported_emergencies -= issue.is_reported_emergency() as usize;
        issue
    }

    /// Mark issue `id` reported on day `tick` (if it was not already) and return it.
    pub fn mark_reported(&mut self, id: IssueId, tick: u32) -> &mut Issue {
        let issue = self.slots[id.0 as usize]
            .as_mut()
            .expect("issue id is live");
        if issue.reported_at.is_none() {
            issue.reported_at = Some(tick);
            self.reported_emergencies += issue.is_reported_emergency() as usize;
        }
        issue
    }

    /// Live issues of county `k`.
    pub fn live_in(&self, k: CountyId) -> u64 {
        self.live_by_county.get(k.index()).copied().unwrap_or(0)
    }

    /// Live emergencies that have been reported.
    pub fn reported_emergencies(&self) -> usize {
        self.reported_emergencies
    }

    /// Ask for issue `id`'s slot to be brought into the cache (a hint: `id` need not be
    /// live, nor even in the store).
    #[inline]
    pub fn prefetch(&self, id: IssueId) {
        if let Some(slot) = self.slots.get(id.0 as usize) {
            crate::base::hint::prefetch_whole(slot);
        }
    }

    pub fn get(&self, id: IssueId) -> &Issue {
        self.slots[id.0 as usize]
            .as_ref()
            .expect("issue id is live")
    }

    pub fn get_mut(&mut self, id: IssueId) -> &mut Issue {
        self.slots[id.0 as usize]
            .as_mut()
            .expect("issue id is live")
    }

    pub fn live(&self) -> usize {
        self.live
    }

    pub fn iter(&self) -> impl Iterator<Item = &Issue> {
        self.slots.iter().flatten()
    }
}

/// Departments an issue needs, by category. Cross-department issues need two distinct
/// service departments; `pick` is a uniform draw in [0,1) choosing them.
pub fn departments(category: Category, pick: f64) -> [Option<Dept>; 2] {
    const SERVICE: [Dept; 4] = [
        Dept::CivilAffairs,
        Dept::Housing,
        Dept::Health,
        Dept::HumanResources,
    ];
    match category {
        Category::Routine | Category::NeighbourDispute | Category::PublicFacility => [None, None],
        Category::SocialAssistance => [Some(Dept::CivilAffairs), None],
        Category::Emergency => [Some(Dept::Emergency), None],
        Category::Stability => [Some(Dept::PoliticalLegal), None],
        Category::CrossRegion => [Some(SERVICE[(pick * 4.0) as usize % 4]), None],
        Category::CrossDepartment => {
            let k = (pick * 12.0) as usize % 12;
            let a = k / 3;
            let b = (a + 1 + k % 3) % 4;
            [Some(SERVICE[a]), Some(SERVICE[b])]
        }
    }
}

// ---- Rules of an issue's life: pure functions of the issue, a view of its office, the
// specs and the mechanisms. The engine applies what they return, in office order.

/// Work below this many staff-hours counts as done (float dust from splitting work into
/// stages); a numerical tolerance, not a behavioural parameter.
pub const WORK_DONE: f32 = 1e-4;

/// What a new issue draws from its detail stream, in draw order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Details {
    pub severity: f32,
    pub work_total: f32,
    /// The other county of a cross-region issue (its own county otherwise).
    pub partner: CountyId,
    pub departments: [Option<Dept>; 2],
}

/// Severity of a new issue: the category's `mean` × (`severity_base` + `u`), clamped to
/// `severity_min`..1; `u` is uniform in [0,1).
pub fn severity(spec: &IssueSpec, mean: f64, u: f64) -> f32 {
    (mean * (spec.severity_base + u)).clamp(spec.severity_min, 1.0) as f32
}

/// Staff-hours of an issue: `work_hours × (work_base + severity) × work_factor`.
pub fn work(spec: &IssueSpec, category: &CategorySpec, severity: f32, work_factor: f64) -> f32 {
    (category.work_hours * (spec.work_base + severity as f64) * work_factor) as f32
}

/// Draw a new issue's details: severity, work, the partner county of a cross-region
/// issue (one of `adjacent`, uniformly) and the departments. `work_factor` is the
/// handling-time factor of the place it was raised.
pub fn details(
    category: Category,
    spec: &IssueSpec,
    work_factor: f64,
    county: CountyId,
    adjacent: &[CountyId],
    s: &mut Stream,
) -> Details {
    let cat = spec.get(category);
    let severity = severity(spec, cat.severity, s.unit());
    let work_total = work(spec, cat, severity, work_factor);
    let partner = if category == Category::CrossRegion && !adjacent.is_empty() {
        adjacent[s.below(adjacent.len())]
    } else {
        county
    };
    Details {
        severity,
        work_total,
        partner,
        departments: departments(category, s.unit()),
    }
}

/// The offices that work on an issue, in order: its departments in its county (a
/// cross-region issue's one department in both counties), or `level_office`, the office
/// of its category's level, when it needs no department.
pub fn stage_offices(
    category: Category,
    departments: [Option<Dept>; 2],
    county: CountyId,
    partner: CountyId,
    level_office: OfficeId,
    offices: &Offices,
) -> [Option<OfficeId>; 2] {
    let dept = |county: CountyId, d: Dept| Some(offices.county_dept(county, d));
    match departments {
        [Some(a), Some(b)] => [dept(county, a), dept(county, b)],
        [Some(a), None] if category == Category::CrossRegion => [dept(county, a), dept(partner, a)],
        [Some(a), None] => [dept(county, a), None],
        _ => [Some(level_office), None],
    }
}

/// Whether a new issue with these `stages` is handled jointly (one meeting of all its
/// departments, then one stage with all the work): only an issue of two stages, with
/// probability `horizontal` drawn from `s` (its joint-handling stream).
pub fn joint_handling(stages: &[Option<OfficeId>; 2], mech: &Mechanisms, s: &mut Stream) -> bool {
    stages[1].is_some() && s.chance(mech.horizontal)
}

/// Hours worked today on an issue with `work_left` hours left at an office with
/// `capacity_left` hours: as much as both allow (nothing when the office has none).
pub fn work_today(work_left: f32, capacity_left: f64) -> f64 {
    (work_left as f64).min(capacity_left.max(0.0))
}

/// Hours worked today on an issue with `work_left` hours left at an office with
/// `social_left` hours of volunteers and organisations and `staff_left` staff-hours:
/// `(social, staff)`. An issue social forces can handle (`eligible`,
/// [`Category::social_can_handle`]) takes social hours first, then staff-hours; any
/// other takes staff-hours only.
pub fn split_work(work_left: f32, social_left: f64, staff_left: f64, eligible: bool) -> (f64, f64) {
    let social = if eligible {
        work_today(work_left, social_left)
    } else {
        0.0
    };
    let staff = work_today((work_left as f64 - social) as f32, staff_left);
    (social, staff)
}

/// Work of one stage of a two-stage issue handled in sequence: `share` of its
/// `work_total`.
pub fn stage_work(work_total: f32, share: f64) -> f32 {
    (work_total as f64 * share) as f32
}

/// Where and when a new issue was raised.
#[derive(Clone, Copy, Debug)]
pub struct Origin {
    /// The resident who raised it (`None` for an incident's stability issue).
    pub resident: Option<ResidentId>,
    pub grid: GridId,
    pub county: CountyId,
    pub urban: bool,
    pub tick: u32,
    /// Serial number in order of creation.
    pub key: u64,
    /// Whether its owner is unclear (see `silos::unclear_share`).
    pub unclear: bool,
    /// A laid-off worker's claim at lay-off (a closure).
    pub claim: bool,
}

impl Issue {
    /// A new, unreported issue. A two-stage issue handled in sequence starts with
    /// `first_stage_share` of its work in the first stage; handled jointly, all of it.
    pub fn new(
        category: Category,
        spec: &IssueSpec,
        details: &Details,
        stages: [Option<OfficeId>; 2],
        joint: bool,
        origin: Origin,
    ) -> Issue {
        let two = stages[1].is_some();
        let work_total = details.work_total;
        Issue {
            category,
            phase: Phase::Unreported,
            severity: details.severity,
            work_left: if two && !joint {
                stage_work(work_total, spec.first_stage_share)
            } else {
                work_total
            },
            work_total,
            resident: origin.resident,
            grid: origin.grid,
            county: origin.county,
            partner: details.partner,
            urban: origin.urban,
            in_grid: false,
            joint,
            created: origin.tick,
            deadline: origin.tick + spec.get(category).deadline_days,
            ready_at: origin.tick,
            office: None,
            stages,
            stage: 0,
            waiting_since: 0,
            key: origin.key,
            reported_at: None,
            unclear: origin.unclear,
            claim: origin.claim,
            progress: Progress::default(),
        }
    }

    /// Whether it is the grid closing an issue of a higher level itself (beyond its skill).
    pub fn beyond_grid_skill(&self) -> bool {
        self.in_grid && self.category.level() > Level::Grid
    }

    /// Whether the stage being worked is its last (or it is handled jointly).
    pub fn on_last_stage(&self) -> bool {
        self.joint || self.stage as usize + 1 >= self.stage_count()
    }

    /// Reopen an unsolved closure at the office that closed it: all of the work again,
    /// `days` more to its deadline.
    pub fn reopen(&mut self, tick: u32, days: u32) {
        self.progress.reopens = self.progress.reopens.saturating_add(1);
        self.progress.gamed = false;
        self.progress.started = false;
        self.work_left = self.work_total;
        self.deadline = tick + days;
        self.ready_at = tick + 1;
        self.phase = Phase::Staged;
        self.stages = [self.office, None];
        self.stage = 0;
        self.joint = false;
    }

    /// Make `office` the issue's only stage, with all its work left (the grid closing it
    /// itself, or the city taking over).
    pub fn restage_at(&mut self, office: OfficeId) {
        self.stages = [Some(office), None];
        self.stage = 0;
        self.joint = false;
        self.progress.started = false;
        self.work_left = self.work_total;
        self.phase = Phase::Staged;
    }

    /// The office of its next stage.
    pub fn next_office(&self) -> OfficeId {
        self.stages[self.stage as usize + 1].expect("a next stage exists")
    }

    /// Move on to the next stage, which gets the work the first did not (1 −
    /// `first_stage_share` of it) plus any work left over (rework at the hand-off);
    /// returns its office.
    pub fn next_stage(&mut self, spec: &IssueSpec) -> OfficeId {
        self.stage += 1;
        self.progress.started = false;
        self.work_left =
            self.work_left.max(0.0) + stage_work(self.work_total, 1.0 - spec.first_stage_share);
        self.stages[self.stage as usize].expect("a next stage exists")
    }

    /// Whether it needs two departments or two counties (cross-department or
    /// cross-region, in two stages or at one joint meeting): no one department owns it.
    pub fn shared(&self) -> bool {
        self.stages[1].is_some()
    }

    /// Seats at the joint meeting that opens a jointly handled issue (one per department),
    /// when work on it is about to start; `None` otherwise.
    pub fn joint_meeting_seats(&self) -> Option<f64> {
        (self.joint && self.stage == 0 && !self.progress.started).then(|| self.stage_count() as f64)
    }
}

/// Where a detected issue goes first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// The city centre's dispatch queue (central routing).
    Centre,
    /// Its grid office; `in_grid` when the grid closes it itself (grid first).
    Grid { in_grid: bool },
}

/// Route a detected issue: to the centre with probability `central_routing`, otherwise
/// to its grid, which keeps routine issues and, with probability `grid_first`, small
/// grid-solvable ones below severity `small`.
pub fn route(issue: &Issue, mech: &Mechanisms, small: f32, s: &mut Stream) -> Route {
    if s.chance(mech.central_routing) {
        Route::Centre
    } else {
        let in_grid = issue.category.level() == Level::Grid
            || (issue.category.grid_solvable()
                && issue.severity < small
                && s.chance(mech.grid_first));
        Route::Grid { in_grid }
    }
}

/// The office an issue is queued at, as its next move sees it.
#[derive(Clone, Copy, Debug)]
pub struct OfficeView {
    pub office: OfficeId,
    pub level: Level,
    /// Staff-hours left today.
    pub capacity: f64,
    /// Whether it is a department (county or city), which acts on a shared issue linked
    /// on the platform only as far as it shares the goal (`platform`).
    pub department: bool,
}

/// The day's settings of the issue rules, fixed for a tick.
#[derive(Clone, Copy, Debug)]
pub struct Today {
    pub tick: u32,
    /// The run's seed (keys the partner county's daily decision).
    pub seed: u64,
    /// Staff-hours the centre needs to dispatch one issue.
    pub dispatch_hours: f64,
    /// Daily chance that a partner county agrees (see `government::cross_region_cooperation`).
    pub cooperation: f64,
    /// Days a county waits for its partner (see `government::cross_region_patience`).
    pub patience: u32,
    /// Chance that an office shelves a request on first sight (see
    /// `assessment::shelve_chance`).
    pub shelve: f64,
    /// Daily chance that supervision pulls a shelved request back.
    pub pull: f64,
    /// Chance that the city takes over a cross-county issue whose partner never agreed
    /// (see `silos::city_takes_chance`); otherwise it is dropped.
    pub city_takes: f64,
    /// The regime's information sharing: the chance that a referral of a shared issue
    /// travels on the platform (`platform::linked_chance`).
    pub platform: f64,
    /// Departments' shared goals today (`platform::dept_goals`).
    pub dept_goals: f64,
}

/// An issue's next move at the office whose queue holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// Past its deadline: it leaves unresolved.
    Expire,
    /// Not today: back to the end of the queue (a hand-off delay, no capacity to dispatch,
    /// or the partner county has not yet agreed).
    Wait,
    /// The city centre dispatches it to its first stage.
    Dispatch,
    /// The grid closes it itself: the grid becomes its only stage, and works it.
    CloseInGrid,
    /// Up to the parent office: this level cannot close it.
    Escalate,
    /// A cross-region issue reached its county: wait for the partner county.
    AwaitPartner,
    /// Work on it here.
    Work,
    /// Sideways to its first stage.
    Refer,
    /// The partner county agreed: refer to the first stage; both counties pay a hand-off.
    ReferWithPartner,
    /// The county gave up waiting for its partner: the mirroring city department takes it.
    EscalateToCity,
    /// The county gave up waiting and the city did not take it: no one owns it; it leaves
    /// unsolved (the territorial boundary).
    Drop,
    /// The office leaves the request unanswered (non-response): it stays queued, shelved.
    Shelve,
    /// A department linked on the platform acknowledges a shared issue (签收) without
    /// taking it up, for want of shared goals (只联不动): it stays queued, and the
    /// department pays the platform entry.
    Acknowledge,
}

impl Move {
    /// Whether the move answers the issue (a response). Acknowledging it on the platform
    /// counts: the hotline sees an answer, though nothing is done.
    pub fn acts(self) -> bool {
        !matches!(self, Move::Expire | Move::Wait | Move::Shelve)
    }
}

/// Whether an issue is past its deadline on tick `t` (it then expires, queued or not).
#[inline]
pub fn expired(issue: &Issue, t: u32) -> bool {
    t > issue.deadline
}

/// The next move of a queued (reported) issue.
pub fn next_move(issue: &Issue, office: &OfficeView, today: &Today) -> Move {
    let t = today.tick;
    if expired(issue, t) {
        return Move::Expire;
    }
    if issue.ready_at > t {
        return Move::Wait;
    }
    if issue.progress.shelved
        && !stream(today.seed, Purpose::Supervision, issue.key, t as u64).chance(today.pull)
    {
        return Move::Wait;
    }
    let mv = duty(issue, office, today);
    let answerable = matches!(
        mv,
        Move::Work | Move::CloseInGrid | Move::Refer | Move::AwaitPartner
    );
    if answerable
        && !issue.progress.seen
        && !issue.progress.shelved
        && stream(today.seed, Purpose::Shelve, issue.key, t as u64).chance(today.shelve)
    {
        return Move::Shelve;
    }
    if mv == Move::Work && office.department && !takes_up(issue, today) {
        return Move::Acknowledge;
    }
    mv
}

/// Whether a department takes up today the stage of an issue it holds (the action
/// decision of `platform`): always for an issue it owns alone or has started; for a
/// shared one linked on the platform, with the chance of the departments' shared goals.
fn takes_up(issue: &Issue, today: &Today) -> bool {
    if !issue.shared() || issue.progress.started || today.dept_goals >= 1.0 {
        return true;
    }
    let linked = platform::linked_chance(today.platform, issue.joint, issue.progress.dispatched);
    let stage = issue.stage as u64;
    if !stream(today.seed, Purpose::DeptLink, issue.key, stage).chance(linked) {
        return true;
    }
    let p = platform::act_chance(true, today.dept_goals);
    stream(today.seed, Purpose::DeptAct, issue.key, today.tick as u64).chance(p)
}

/// What the office's duty is with a queued issue, ready today, if it answers.
fn duty(issue: &Issue, office: &OfficeView, today: &Today) -> Move {
    let t = today.tick;
    match issue.phase {
        Phase::Unreported => unreachable!("unreported issues are not queued"),
        Phase::AtCentre if office.capacity >= today.dispatch_hours => Move::Dispatch,
        Phase::AtCentre => Move::Wait,
        Phase::Climbing => climb(issue, office),
        Phase::AwaitingPartner => {
            let mut s = stream(today.seed, Purpose::CrossRegion, issue.key, t as u64);
            if s.chance(today.cooperation) {
                Move::ReferWithPartner
            } else if t - issue.waiting_since >= today.patience {
                let mut s = stream(today.seed, Purpose::Boundary, issue.key, t as u64);
                if s.chance(today.city_takes) {
                    Move::EscalateToCity
                } else {
                    Move::Drop
                }
            } else {
                Move::Wait
            }
        }
        Phase::Staged => Move::Work,
    }
}

/// A climbing issue: closed in the grid, escalated until its level, held for a partner
/// county, or worked or referred to its first stage.
fn climb(issue: &Issue, office: &OfficeView) -> Move {
    if issue.in_grid && office.level == Level::Grid {
        Move::CloseInGrid
    } else if office.level < issue.category.level() {
        Move::Escalate
    } else if issue.category == Category::CrossRegion && issue.partner != issue.county {
        Move::AwaitPartner
    } else if issue.stages[0] == Some(office.office) {
        Move::Work
    } else {
        Move::Refer
    }
}

/// What follows a day's work on a staged issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterWork {
    /// Work is left: back to the queue.
    Unfinished,
    /// A social-assistance issue whose county budget cannot pay yet: back to the queue.
    AwaitBudget,
    /// Resolved; `draws_budget` when it takes `assistance_budget_units` from its county.
    Resolve { draws_budget: bool },
    /// On to its next stage.
    NextStage,
}

/// After work on `issue` (its `work_left` already reduced), with `budget` units left in
/// its county and `units` the cost of one assistance issue.
pub fn after_work(issue: &Issue, budget: f64, units: f64) -> AfterWork {
    if issue.work_left > WORK_DONE {
        return AfterWork::Unfinished;
    }
    let final_stage = issue.stage as usize + 1 >= issue.stage_count();
    let draws_budget = issue.category == Category::SocialAssistance && final_stage;
    if draws_budget && budget < units {
        AfterWork::AwaitBudget
    } else if issue.joint || final_stage {
        AfterWork::Resolve { draws_budget }
    } else {
        AfterWork::NextStage
    }
}

/// How quickly an issue was resolved, in (0,1]: 1 at once, down to
/// 1 − `late_resolution_discount` at the deadline.
pub fn resolution_speed(spec: &IssueSpec, issue: &Issue, days: u32) -> f32 {
    let allowed = (issue.deadline - issue.created).max(1) as f32;
    1.0 - spec.late_resolution_discount as f32 * (days as f32 / allowed).min(1.0)
}

/// What the resident who raised an issue feels: trust, hardship and the experience
/// neighbours see (in [−1, 1]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Felt {
    pub trust: f32,
    pub hardship: f32,
    pub experience: f32,
}

impl Felt {
    /// After a resolution of the given `speed` (see [`resolution_speed`]).
    pub fn resolved(self, b: &BehaviourSpec, speed: f32, severity: f32) -> Felt {
        Felt {
            trust: unit(self.trust + b.resolve_trust_gain as f32 * speed),
            hardship: unit(self.hardship - b.resolve_hardship_relief as f32 * severity),
            experience: (self.experience + speed).clamp(-1.0, 1.0),
        }
    }

    /// After a closure that did not solve the issue: the problem stays (an expiry's
    /// hardship) and trust falls by `unsolved_trust_loss`, being told it is done when it
    /// is not (形式主义); neighbours hear of a poor experience.
    pub fn unsolved(self, b: &BehaviourSpec, unsolved_trust_loss: f64, severity: f32) -> Felt {
        Felt {
            trust: unit(self.trust - unsolved_trust_loss as f32),
            hardship: unit(self.hardship + b.expire_hardship as f32 * severity),
            experience: (self.experience - b.unsolved_experience_loss as f32).clamp(-1.0, 1.0),
        }
    }

    /// Grievance `H(1 − L)` after feeling the outcome (Epstein's G).
    pub fn grievance(self) -> f32 {
        self.hardship * (1.0 - self.trust)
    }

    /// After an expiry: the worst experience.
    pub fn expired(self, b: &BehaviourSpec, severity: f32) -> Felt {
        Felt {
            trust: unit(self.trust - b.expire_trust_loss as f32),
            hardship: unit(self.hardship + b.expire_hardship as f32 * severity),
            experience: (self.experience - b.expire_experience_loss as f32).clamp(-1.0, 1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_department_issues_need_two_distinct_departments() {
        for i in 0..1000 {
            let [a, b] = departments(Category::CrossDepartment, i as f64 / 1000.0);
            assert_ne!(a.unwrap(), b.unwrap());
        }
    }

    #[test]
    fn the_store_counts_live_issues_by_county_and_reported_emergencies() {
        // The counts kept as issues come, are reported and go agree with a walk of the
        // store after every change.
        let mut store = IssueStore::default();
        let walk = |store: &IssueStore| {
            let by_county: Vec<u64> = (0..3)
                .map(|k| store.iter().filter(|i| i.county == CountyId(k)).count() as u64)
                .collect();
            let emergencies = store.iter().filter(|i| i.is_reported_emergency()).count();
            (by_county, emergencies)
        };
        let counted = |store: &IssueStore| {
            let by_county: Vec<u64> = (0..3).map(|k| store.live_in(CountyId(k))).collect();
            (by_county, store.reported_emergencies())
        };
        let mut ids = Vec::new();
        for n in 0..30u32 {
            let category = [
                Category::Emergency,
                Category::Routine,
                Category::NeighbourDispute,
            ][n as usize % 3];
            let mut i = issue(category, Phase::Staged);
            i.county = CountyId((n % 3 / 2 + n % 2) as _);
            if n % 4 != 0 {
                i.reported_at = None;
            }
            ids.push(store.insert(i));
            assert_eq!(counted(&store), walk(&store));
        }
        for (n, &id) in ids.iter().enumerate() {
            if n % 5 == 1 {
                store.mark_reported(id, 3);
                store.mark_reported(id, 4);
                assert_eq!(counted(&store), walk(&store));
            }
        }
        assert!(store.reported_emergencies() > 0);
        for &id in ids.iter().step_by(2) {
            store.remove(id);
            assert_eq!(counted(&store), walk(&store));
        }
        // Slots reused by new issues.
        let mut i = issue(Category::Emergency, Phase::Staged);
        i.county = CountyId(2);
        store.insert(i);
        assert_eq!(counted(&store), walk(&store));
    }

    /// A live issue of `category` in `phase`, created on day 0 with a deadline on day 10,
    /// 4 staff-hours of work, worked at office 7.
    fn issue(category: Category, phase: Phase) -> Issue {
        Issue {
            category,
            phase,
            severity: 0.4,
            work_left: 4.0,
            work_total: 4.0,
            resident: Some(ResidentId(0)),
            grid: GridId(0),
            county: CountyId(0),
            partner: CountyId(0),
            urban: true,
            in_grid: false,
            joint: false,
            created: 0,
            deadline: 10,
            ready_at: 0,
            office: Some(OfficeId(7)),
            stages: [Some(OfficeId(7)), None],
            stage: 0,
            waiting_since: 0,
            key: 0,
            reported_at: Some(0),
            unclear: false,
            claim: false,
            progress: Progress::default(),
        }
    }

    fn office(level: Level) -> OfficeView {
        OfficeView {
            office: OfficeId(7),
            level,
            capacity: 10.0,
            department: false,
        }
    }

    fn today(tick: u32) -> Today {
        Today {
            tick,
            seed: 1,
            dispatch_hours: 0.25,
            cooperation: 0.0,
            patience: 5,
            shelve: 0.0,
            pull: 0.0,
            city_takes: 1.0,
            platform: 0.0,
            dept_goals: 1.0,
        }
    }

    fn spec() -> IssueSpec {
        crate::scenario::builtin::xcity_baseline().issues
    }

    #[test]
    fn an_issue_past_its_deadline_expires_and_one_not_ready_waits() {
        let i = issue(Category::Routine, Phase::Staged);
        assert_eq!(
            next_move(&i, &office(Level::Grid), &today(11)),
            Move::Expire
        );
        assert_eq!(next_move(&i, &office(Level::Grid), &today(10)), Move::Work);
        let later = Issue { ready_at: 3, ..i };
        assert_eq!(
            next_move(&later, &office(Level::Grid), &today(2)),
            Move::Wait
        );
    }

    #[test]
    fn the_centre_dispatches_only_with_the_hours_to_do_it() {
        let i = issue(Category::Routine, Phase::AtCentre);
        let mut at = office(Level::City);
        assert_eq!(next_move(&i, &at, &today(0)), Move::Dispatch);
        at.capacity = 0.2;
        assert_eq!(next_move(&i, &at, &today(0)), Move::Wait);
    }

    #[test]
    fn a_climbing_issue_escalates_until_its_level_then_is_worked_or_referred() {
        let mut i = issue(Category::PublicFacility, Phase::Climbing);
        assert_eq!(
            next_move(&i, &office(Level::Grid), &today(0)),
            Move::Escalate
        );
        assert_eq!(
            next_move(&i, &office(Level::Community), &today(0)),
            Move::Escalate
        );
        assert_eq!(
            next_move(&i, &office(Level::Township), &today(0)),
            Move::Work
        );
        i.stages = [Some(OfficeId(9)), None];
        assert_eq!(
            next_move(&i, &office(Level::Township), &today(0)),
            Move::Refer
        );
        i.in_grid = true;
        assert_eq!(
            next_move(&i, &office(Level::Grid), &today(0)),
            Move::CloseInGrid
        );
    }

    #[test]
    fn a_cross_region_issue_waits_for_its_partner_then_goes_to_the_city() {
        let mut i = issue(Category::CrossRegion, Phase::Climbing);
        i.partner = CountyId(1);
        assert_eq!(
            next_move(&i, &office(Level::County), &today(0)),
            Move::AwaitPartner
        );
        i.phase = Phase::AwaitingPartner;
        i.waiting_since = 2;
        let mut t = today(6);
        assert_eq!(next_move(&i, &office(Level::County), &t), Move::Wait);
        t.tick = 7;
        assert_eq!(
            next_move(&i, &office(Level::County), &t),
            Move::EscalateToCity
        );
        t.cooperation = 1.0;
        assert_eq!(
            next_move(&i, &office(Level::County), &t),
            Move::ReferWithPartner
        );
    }

    #[test]
    fn an_unowned_cross_region_issue_is_dropped_unless_the_city_takes_it() {
        let mut i = issue(Category::CrossRegion, Phase::AwaitingPartner);
        i.partner = CountyId(1);
        let mut t = today(9);
        t.city_takes = 0.0;
        assert_eq!(next_move(&i, &office(Level::County), &t), Move::Drop);
    }

    #[test]
    fn an_office_may_shelve_a_request_it_answers_and_supervision_pulls_it_back() {
        let i = issue(Category::Routine, Phase::Staged);
        let mut t = today(0);
        t.shelve = 1.0;
        assert_eq!(next_move(&i, &office(Level::Grid), &t), Move::Shelve);
        let seen = Issue {
            progress: Progress {
                seen: true,
                ..i.progress
            },
            ..i.clone()
        };
        assert_eq!(next_move(&seen, &office(Level::Grid), &t), Move::Work);
        // Passing an issue up is not answering it: no shelving on the way.
        let climbing = issue(Category::PublicFacility, Phase::Climbing);
        assert_eq!(
            next_move(&climbing, &office(Level::Grid), &t),
            Move::Escalate
        );
        let shelved = Issue {
            progress: Progress {
                shelved: true,
                seen: true,
                ..i.progress
            },
            ..i.clone()
        };
        assert_eq!(next_move(&shelved, &office(Level::Grid), &t), Move::Wait);
        t.pull = 1.0;
        assert_eq!(next_move(&shelved, &office(Level::Grid), &t), Move::Work);
        assert!(Move::Work.acts() && Move::Escalate.acts());
        assert!(!Move::Shelve.acts() && !Move::Wait.acts());
    }

    #[test]
    fn a_linked_department_without_shared_goals_acknowledges_a_shared_issue_and_leaves_it() {
        let mut i = issue(Category::CrossDepartment, Phase::Staged);
        i.stages = [Some(OfficeId(7)), Some(OfficeId(8))];
        i.joint = true;
        let dept = OfficeView {
            department: true,
            ..office(Level::County)
        };
        let mut t = today(0);
        t.dept_goals = 0.0;
        assert_eq!(next_move(&i, &dept, &t), Move::Acknowledge);
        assert!(
            Move::Acknowledge.acts(),
            "signing for it counts as a response"
        );
        // With shared goals it acts; so does any other office, on a stage it has begun,
        // on an issue it owns alone, or on the centre's command.
        t.dept_goals = 1.0;
        assert_eq!(next_move(&i, &dept, &t), Move::Work);
        t.dept_goals = 0.0;
        assert_eq!(next_move(&i, &office(Level::County), &t), Move::Work);
        let started = Issue {
            progress: Progress {
                started: true,
                ..i.progress
            },
            ..i.clone()
        };
        assert_eq!(next_move(&started, &dept, &t), Move::Work);
        let alone = Issue {
            stages: [Some(OfficeId(7)), None],
            ..i.clone()
        };
        assert_eq!(next_move(&alone, &dept, &t), Move::Work);
        let ordered = Issue {
            progress: Progress {
                dispatched: true,
                ..i.progress
            },
            ..i.clone()
        };
        assert_eq!(next_move(&ordered, &dept, &t), Move::Work);
        // In sequence, only a referral the platform carries is a link.
        let sequential = Issue {
            joint: false,
            ..i.clone()
        };
        assert_eq!(next_move(&sequential, &dept, &t), Move::Work);
        t.platform = 1.0;
        assert_eq!(next_move(&sequential, &dept, &t), Move::Acknowledge);
    }

    #[test]
    fn sequential_stages_split_the_work_and_the_last_resolves() {
        let mut i = issue(Category::CrossDepartment, Phase::Staged);
        i.stages = [Some(OfficeId(7)), Some(OfficeId(8))];
        i.work_left = 0.0;
        assert_eq!(after_work(&i, 0.0, 1.0), AfterWork::NextStage);
        assert_eq!(i.next_stage(&spec()), OfficeId(8));
        assert_eq!(i.work_left, 2.0);
        i.work_left = 0.5;
        assert_eq!(after_work(&i, 0.0, 1.0), AfterWork::Unfinished);
        i.work_left = 0.0;
        assert_eq!(
            after_work(&i, 0.0, 1.0),
            AfterWork::Resolve {
                draws_budget: false
            }
        );
        let joint = Issue {
            joint: true,
            stage: 0,
            ..i.clone()
        };
        assert_eq!(
            after_work(&joint, 0.0, 1.0),
            AfterWork::Resolve {
                draws_budget: false
            }
        );
    }

    #[test]
    fn social_forces_take_only_the_categories_they_have_authority_and_skill_for() {
        use Category::*;
        let can: Vec<Category> = Category::ALL
            .into_iter()
            .filter(|c| c.social_can_handle())
            .collect();
        assert_eq!(can, [Routine, NeighbourDispute, PublicFacility, Emergency]);
        // An eligible issue takes social hours first, then staff-hours.
        assert_eq!(split_work(5.0, 3.0, 10.0, true), (3.0, 2.0));
        assert_eq!(split_work(2.0, 3.0, 10.0, true), (2.0, 0.0));
        assert_eq!(split_work(5.0, 3.0, 1.0, true), (3.0, 1.0));
        // Any other takes staff-hours only, however many social hours are left.
        assert_eq!(split_work(5.0, 3.0, 10.0, false), (0.0, 5.0));
        assert_eq!(split_work(5.0, 3.0, -1.0, false), (0.0, 0.0));
        assert_eq!(split_work(5.0, -2.0, 1.0, true), (0.0, 1.0));
    }

    #[test]
    fn the_first_stage_share_splits_a_sequential_issue_and_not_a_joint_one() {
        let mut spec = spec();
        spec.first_stage_share = 0.25;
        let cat = Category::CrossDepartment;
        let d = Details {
            severity: 0.5,
            work_total: 8.0,
            partner: CountyId(0),
            departments: [Some(Dept::Health), Some(Dept::Housing)],
        };
        let two = [Some(OfficeId(7)), Some(OfficeId(8))];
        let origin = Origin {
            resident: Some(ResidentId(0)),
            grid: GridId(0),
            county: CountyId(0),
            urban: true,
            tick: 0,
            key: 0,
            unclear: false,
            claim: false,
        };
        let mut i = Issue::new(cat, &spec, &d, two, false, origin);
        assert_eq!(i.work_left, 2.0);
        i.work_left = 0.0;
        assert_eq!(i.next_stage(&spec), OfficeId(8));
        assert_eq!(i.work_left, 6.0);
        let joint = Issue::new(cat, &spec, &d, two, true, origin);
        assert_eq!(joint.work_left, 8.0);
        let one = Issue::new(cat, &spec, &d, [Some(OfficeId(7)), None], false, origin);
        assert_eq!(one.work_left, 8.0);
        assert_eq!(one.deadline, spec.get(cat).deadline_days);
    }
    #[test]
    fn social_assistance_waits_for_budget() {
        let mut i = issue(Category::SocialAssistance, Phase::Staged);
        i.work_left = 0.0;
        assert_eq!(after_work(&i, 0.5, 1.0), AfterWork::AwaitBudget);
        assert_eq!(
            after_work(&i, 1.0, 1.0),
            AfterWork::Resolve { draws_budget: true }
        );
    }

    #[test]
    fn a_joint_meeting_opens_a_joint_issue_once() {
        let mut i = issue(Category::CrossDepartment, Phase::Staged);
        i.stages = [Some(OfficeId(7)), Some(OfficeId(8))];
        assert_eq!(i.joint_meeting_seats(), None);
        i.joint = true;
        assert_eq!(i.joint_meeting_seats(), Some(2.0));
        i.progress.started = true;
        assert_eq!(i.joint_meeting_seats(), None);
    }

    #[test]
    fn late_resolutions_gain_less_trust() {
        let spec = spec();
        let i = issue(Category::Routine, Phase::Staged);
        assert_eq!(resolution_speed(&spec, &i, 0), 1.0);
        assert_eq!(resolution_speed(&spec, &i, 5), 0.75);
        assert_eq!(resolution_speed(&spec, &i, 10), 0.5);
        assert_eq!(resolution_speed(&spec, &i, 30), 0.5);
        let b = crate::scenario::builtin::xcity_baseline().behaviour;
        let before = Felt {
            trust: 0.5,
            hardship: 0.5,
            experience: 0.5,
        };
        let good = before.resolved(&b, 1.0, 0.4);
        assert!(good.trust > 0.5 && good.hardship < 0.5);
        assert_eq!(good.experience, 1.0);
        let bad = before.expired(&b, 0.4);
        assert!(bad.trust < 0.5 && bad.hardship > 0.5);
        assert_eq!(bad.experience, -0.5);
    }

    #[test]
    fn severity_and_work_follow_their_parameters() {
        let mut spec = spec();
        assert_eq!(severity(&spec, 0.4, 0.5), 0.4);
        assert_eq!(severity(&spec, 0.01, 0.0), 0.05);
        assert_eq!(severity(&spec, 0.9, 0.99), 1.0);
        let cat = *spec.get(Category::Routine);
        assert_eq!(work(&spec, &cat, 0.5, 1.5), 1.5);
        spec.work_base = 1.0;
        assert_eq!(work(&spec, &cat, 0.5, 1.0), 1.5);
    }

    #[test]
    fn routing_sends_all_to_the_centre_or_keeps_routine_issues_in_the_grid() {
        let mut m = Mechanisms::preset("linkage").unwrap();
        let i = issue(Category::Routine, Phase::Unreported);
        let mut s = stream(1, Purpose::Route, 0, 0);
        m.central_routing = 1.0;
        assert_eq!(route(&i, &m, 0.5, &mut s), Route::Centre);
        m.central_routing = 0.0;
        assert_eq!(route(&i, &m, 0.5, &mut s), Route::Grid { in_grid: true });
        let big = Issue {
            severity: 0.9,
            ..issue(Category::NeighbourDispute, Phase::Unreported)
        };
        m.grid_first = 1.0;
        assert_eq!(route(&big, &m, 0.5, &mut s), Route::Grid { in_grid: false });
    }

    #[test]
    fn only_two_stage_issues_are_handled_jointly_as_often_as_horizontal_linkage() {
        let mut m = Mechanisms::preset("linkage").unwrap();
        let two = [Some(OfficeId(7)), Some(OfficeId(8))];
        let one = [Some(OfficeId(7)), None];
        let mut s = stream(1, Purpose::Joint, 0, 0);
        m.horizontal = 1.0;
        assert!(joint_handling(&two, &m, &mut s));
        assert!(!joint_handling(&one, &m, &mut s));
        m.horizontal = 0.0;
        assert!(!joint_handling(&two, &m, &mut s));
    }

    #[test]
    fn a_day_works_what_both_the_issue_and_the_office_allow() {
        assert_eq!(work_today(4.0, 10.0), 4.0);
        assert_eq!(work_today(4.0, 1.5), 1.5);
        assert_eq!(work_today(4.0, -2.0), 0.0);
    }

    #[test]
    fn daily_rates_are_the_rates_per_resident() {
        let spec = spec();
        let rates = spec.daily_rates();
        for c in Category::ALL {
            assert_eq!(rates[c as usize], (spec.get(c).rate / 1000.0) as f32);
        }
    }
    #[test]
    fn store_reuses_slots() {
        let mut s = IssueStore::default();
        let mk = || issue(Category::Routine, Phase::Unreported);
        let a = s.insert(mk());
        s.remove(a);
        let b = s.insert(mk());
        assert_eq!(a, b);
        assert_eq!(s.live(), 1);
    }
}
