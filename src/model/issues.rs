//! Issues (诉求/事件), the unit of work: categories, their parameters, and the store of
//! live issues.
//!
//! Life cycle: raised → detected (reported, or found by patrol) → assigned to an office →
//! worked on, escalated upward or referred sideways → resolved or expired. Invariant: an
//! issue is in exactly one place at a time (one office queue, or one grid's list of
//! unreported issues), and every created issue ends resolved or expired or is still live:
//! created = resolved + expired + open.

use super::government::Dept;
use super::territory::Level;
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
}

/// Sentinel for "no office / no resident".
pub const NONE: u32 = u32::MAX;

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
    pub resident: u32,
    pub grid: u32,
    pub county: u16,
    /// The other county of a cross-region issue.
    pub partner: u16,
    pub urban: bool,
    /// Whether the grid closes it itself (grid first).
    pub in_grid: bool,
    /// Whether a multi-stage issue is handled jointly (one stage with all the work).
    pub joint: bool,
    pub created: u32,
    pub deadline: u32,
    /// Not to be touched before this tick (hand-off delays).
    pub ready_at: u32,
    /// The office whose queue holds it (`NONE` while unreported).
    pub office: u32,
    /// Department offices that work on it in order; `NONE` where unused.
    pub stages: [u32; 2],
    pub stage: u8,
    /// Tick it started waiting for the partner county.
    pub waiting_since: u32,
    /// Serial number in order of creation; keys the issue's random streams.
    pub key: u64,
}

impl Issue {
    pub fn stage_count(&self) -> usize {
        self.stages.iter().filter(|&&s| s != NONE).count()
    }
}

/// Slab of live issues with a free list, so memory follows the open count, not the
/// number ever created.
#[derive(Default)]
pub struct IssueStore {
    slots: Vec<Option<Issue>>,
    free: Vec<u32>,
    live: usize,
}

impl IssueStore {
    pub fn insert(&mut self, issue: Issue) -> u32 {
        self.live += 1;
        if let Some(id) = self.free.pop() {
            self.slots[id as usize] = Some(issue);
            id
        } else {
            self.slots.push(Some(issue));
            (self.slots.len() - 1) as u32
        }
    }

    pub fn remove(&mut self, id: u32) -> Issue {
        let issue = self.slots[id as usize].take().expect("issue id is live");
        self.free.push(id);
        self.live -= 1;
        issue
    }

    pub fn get(&self, id: u32) -> &Issue {
        self.slots[id as usize].as_ref().expect("issue id is live")
    }

    pub fn get_mut(&mut self, id: u32) -> &mut Issue {
        self.slots[id as usize].as_mut().expect("issue id is live")
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
    fn store_reuses_slots() {
        let mut s = IssueStore::default();
        let mk = || Issue {
            category: Category::Routine,
            phase: Phase::Unreported,
            severity: 0.5,
            work_left: 1.0,
            work_total: 1.0,
            resident: 0,
            grid: 0,
            county: 0,
            partner: 0,
            urban: true,
            in_grid: false,
            joint: false,
            created: 0,
            deadline: 1,
            ready_at: 0,
            office: NONE,
            stages: [NONE; 2],
            stage: 0,
            waiting_since: 0,
            key: 0,
        };
        let a = s.insert(mk());
        s.remove(a);
        let b = s.insert(mk());
        assert_eq!(a, b);
        assert_eq!(s.live(), 1);
    }
}
