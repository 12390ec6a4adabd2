//! Social organisations (社会组织): volunteer associations, social-work agencies (社工),
//! charities, caring enterprises (爱心企业) and residents' councils (议事会).
//!
//! An organisation is *linked* when it is registered on the government platform (a
//! regime decision, drawn once per run with probability `social`), and *active* when it
//! currently contributes capacity. Linked but inactive is "只联不动" (`002`), tracked
//! separately. Only active organisations add staff-hours to their community, and
//! councils and social-work agencies also add mediators.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    VolunteerAssociation,
    SocialWork,
    Charity,
    CaringEnterprise,
    ResidentsCouncil,
}

impl OrgKind {
    pub const ALL: [OrgKind; 5] = [
        OrgKind::VolunteerAssociation,
        OrgKind::SocialWork,
        OrgKind::Charity,
        OrgKind::CaringEnterprise,
        OrgKind::ResidentsCouncil,
    ];

    /// Whether its members mediate disputes and protests.
    pub fn mediates(self) -> bool {
        matches!(self, OrgKind::SocialWork | OrgKind::ResidentsCouncil)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationSpec {
    /// Organisations per community, urban and rural (fractions are drawn per community).
    pub per_community_urban: f64,
    pub per_community_rural: f64,
    /// Staff-hours per day an active organisation contributes.
    pub hours_per_day: f64,
    /// Daily chance a linked, inactive organisation activates, at full social linkage and
    /// full link strength of its community.
    pub activation_rate: f64,
    /// Daily chance an active organisation lapses at no social linkage (scaled down by
    /// social linkage × link strength).
    pub lapse_rate: f64,
    /// Funding per organisation in [0,1]; scales its activation.
    pub funding: f64,
}

/// All organisations, structure of arrays.
pub struct Organisations {
    pub kind: Vec<OrgKind>,
    pub community: Vec<u32>,
    pub linked: Vec<bool>,
    pub active: Vec<bool>,
    /// Per-organisation propensity in [0.5, 1.5] (funding and leadership).
    pub propensity: Vec<f32>,
}

impl Organisations {
    pub fn len(&self) -> usize {
        self.kind.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }
}
