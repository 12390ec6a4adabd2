//! Social organisations (社会组织): volunteer associations, social-work agencies (社工),
//! charities, caring enterprises (爱心企业) and residents' councils (议事会).
//!
//! An organisation is *linked* when it is registered on the government platform (a
//! regime decision, drawn once per run with probability `social`), and *active* when it
//! currently contributes capacity. Whether it acts is `002`'s action decision: its
//! chance rises with its community's mean link strength (a state residents build and
//! lose, `residents::links`) × the regime's shared goals (共同目标: recognition and
//! incentives, `residents::links::shared_goals`). Linked but inactive is "只联不动"
//! (`002`), tracked separately: it is what strong links without shared goals give. Only
//! active organisations add hours to their community, and councils and social-work
//! agencies also add mediators.
//!
//! They are not a free lunch (issue 12): an active organisation must be kept, at
//! `upkeep_hours` of its community office's staff a day (liaison, supervision, booked as
//! coordination); one whose upkeep the office could not pay delivers nothing that day
//! and drifts away faster (`lapse_unkept`). It shows up on a day with chance
//! `reliability`, and its hours go to a pool of their own that only the categories
//! social forces can handle may use (`issues::Category::social_can_handle`).

use super::territory::{CommunityId, Territory};
use crate::base::rng::{Purpose, Stream, stream};
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
    /// Daily chance a linked, inactive organisation activates, at full shared goals and
    /// full link strength of its community.
    pub activation_rate: f64,
    /// Daily chance an active organisation lapses without shared goals (scaled down by
    /// shared goals × link strength).
    pub lapse_rate: f64,
    /// Funding per organisation in [0,1]; scales its activation.
    pub funding: f64,
    /// Lowest propensity of an organisation; propensities are uniform in
    /// [`propensity_min`, `propensity_min` + 1).
    #[serde(default = "defaults::propensity_min")]
    pub propensity_min: f64,
    /// Staff-hours a day of its community office that keep an active organisation
    /// (liaison, supervision, reporting), booked as coordination.
    #[serde(default = "defaults::upkeep_hours")]
    pub upkeep_hours: f64,
    /// Daily chance an active organisation delivers its hours (no-shows).
    #[serde(default = "defaults::reliability")]
    pub reliability: f64,
    /// Daily chance of lapsing added for an active organisation whose upkeep was not
    /// paid yesterday (drift without upkeep).
    #[serde(default = "defaults::lapse_unkept")]
    pub lapse_unkept: f64,
}

/// Serde defaults of the fields older scenario files lack.
mod defaults {
    pub fn propensity_min() -> f64 {
        0.5
    }
    pub fn upkeep_hours() -> f64 {
        0.5
    }
    pub fn reliability() -> f64 {
        0.9
    }
    pub fn lapse_unkept() -> f64 {
        0.1
    }
}

/// All organisations, structure of arrays.
#[derive(Clone)]
pub struct Organisations {
    pub kind: Vec<OrgKind>,
    pub community: Vec<CommunityId>,
    pub linked: Vec<bool>,
    pub active: Vec<bool>,
    /// Whether its community office paid its upkeep on its last active day (true until
    /// then).
    pub kept: Vec<bool>,
    /// Per-organisation propensity, by default in [0.5, 1.5) (funding and leadership).
    pub propensity: Vec<f32>,
}

impl Organisations {
    pub fn len(&self) -> usize {
        self.kind.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }

    /// The organisations of a run: per community, the integer part of its mean
    /// (`per_community_urban` or `_rural`, scaled by how full the community is) plus one with the chance of the fraction, each
    /// of a random kind and propensity; each linked to the platform with probability
    /// `social` (the regime's 三社联动), drawn once.
    pub fn build(spec: &OrganisationSpec, territory: &Territory, seed: u64, social: f64) -> Self {
        let mut orgs = Organisations {
            kind: Vec::new(),
            community: Vec::new(),
            linked: Vec::new(),
            active: Vec::new(),
            kept: Vec::new(),
            propensity: Vec::new(),
        };
        for (c, comm) in territory.communities.iter().enumerate() {
            let mean = comm.fill
                * if comm.urban {
                    spec.per_community_urban
                } else {
                    spec.per_community_rural
                };
            let mut s = stream(seed, Purpose::Organisation, c as u64, 0);
            let n = mean.floor() as usize + s.chance(mean.fract()) as usize;
            for _ in 0..n {
                let id = orgs.kind.len();
                orgs.kind.push(OrgKind::ALL[s.below(OrgKind::ALL.len())]);
                orgs.community.push(CommunityId::at(c));
                orgs.propensity
                    .push((spec.propensity_min + s.unit()) as f32);
                orgs.linked
                    .push(stream(seed, Purpose::OrgLink, id as u64, 0).chance(social));
                orgs.active.push(false);
                orgs.kept.push(true);
            }
        }
        orgs
    }
}

/// Daily chance an active organisation lapses: `lapse_rate × (1 − goals × link)`, plus
/// `lapse_unkept` when its upkeep was not paid (`kept` false).
pub fn lapse_chance(spec: &OrganisationSpec, goals: f64, link: f64, kept: bool) -> f64 {
    let drift = if kept { 0.0 } else { spec.lapse_unkept };
    (spec.lapse_rate * (1.0 - goals * link) + drift).min(1.0)
}

/// Whether a linked organisation is active after today (the action decision of `002`
/// for organisations): an active one lapses with [`lapse_chance`]; an inactive one
/// activates with chance `activation_rate × goals × link × funding × propensity`.
/// `link` is the mean link strength of its community, `goals` the shared goals of its
/// county (`residents::links::shared_goals`): strong links without shared goals leave
/// it linked but inactive (只联不动). `kept` says whether its upkeep was paid.
pub fn stays_active(
    spec: &OrganisationSpec,
    active: bool,
    kept: bool,
    goals: f64,
    link: f64,
    propensity: f32,
    s: &mut Stream,
) -> bool {
    if active {
        !s.chance(lapse_chance(spec, goals, link, kept))
    } else {
        s.chance(spec.activation_rate * goals * link * spec.funding * propensity as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::builtin::xcity_baseline;

    #[test]
    fn organisations_follow_the_community_means_and_the_social_share() {
        let sc = xcity_baseline();
        let t = Territory::build(&sc.territory, 20_000);
        let none = Organisations::build(&sc.organisations, &t, 1, 0.0);
        let all = Organisations::build(&sc.organisations, &t, 1, 1.0);
        assert_eq!(none.len(), all.len());
        assert!(none.linked.iter().all(|&l| !l) && all.linked.iter().all(|&l| l));
        let lo = sc.organisations.propensity_min as f32;
        assert!(all.propensity.iter().all(|&p| (lo..lo + 1.0).contains(&p)));
        let urban = t.communities.iter().filter(|c| c.urban).count() as f64;
        let rural = t.communities.len() as f64 - urban;
        let expected = urban * 2.0 + rural * 0.7;
        assert!((all.len() as f64 - expected).abs() < 0.2 * expected + 2.0);
    }

    #[test]
    fn linked_organisations_without_shared_goals_stay_inactive_however_strong_the_links() {
        let spec = xcity_baseline().organisations;
        let mut s = stream(1, Purpose::Activation, 1, 0);
        // Full link strength, no shared goals: linked but never acting (只联不动).
        assert!((0..500).all(|_| !stays_active(&spec, false, true, 0.0, 1.0, 1.5, &mut s)));
        // The same links with shared goals: some activate.
        assert!((0..500).any(|_| stays_active(&spec, false, true, 0.8, 1.0, 1.5, &mut s)));
        // Shared goals without links: none either.
        assert!((0..500).all(|_| !stays_active(&spec, false, true, 0.8, 0.0, 1.5, &mut s)));
    }

    #[test]
    fn without_social_linkage_organisations_never_activate_and_always_may_lapse() {
        let spec = xcity_baseline().organisations;
        let mut s = stream(1, Purpose::Activation, 0, 0);
        assert!((0..100).all(|_| !stays_active(&spec, false, true, 0.0, 1.0, 1.0, &mut s)));
        let mut full = spec.clone();
        full.activation_rate = 1.0;
        full.funding = 1.0;
        full.lapse_rate = 1.0;
        assert!(stays_active(&full, false, true, 1.0, 1.0, 1.0, &mut s));
        assert!(!stays_active(&full, true, true, 0.0, 1.0, 1.0, &mut s));
        assert!(stays_active(&full, true, true, 1.0, 1.0, 1.0, &mut s));
    }

    #[test]
    fn an_organisation_without_upkeep_drifts_away_faster() {
        let spec = xcity_baseline().organisations;
        let kept = lapse_chance(&spec, 0.8, 0.6, true);
        let unkept = lapse_chance(&spec, 0.8, 0.6, false);
        assert!((kept - spec.lapse_rate * (1.0 - 0.48)).abs() < 1e-12);
        assert!((unkept - kept - spec.lapse_unkept).abs() < 1e-12);
        // Full goals and links hold a kept organisation, not an unkept one.
        assert_eq!(lapse_chance(&spec, 1.0, 1.0, true), 0.0);
        assert!(lapse_chance(&spec, 1.0, 1.0, false) > 0.0);
        let mut sure = spec.clone();
        sure.lapse_unkept = 5.0;
        assert_eq!(lapse_chance(&sure, 0.0, 0.0, false), 1.0);
        let mut s = stream(1, Purpose::Activation, 2, 0);
        assert!((0..100).all(|_| !stays_active(&sure, true, false, 1.0, 1.0, 1.0, &mut s)));
        let (mut a, mut b) = (0, 0);
        for i in 0..4000 {
            let mut s = stream(1, Purpose::Activation, i, 0);
            a += stays_active(&spec, true, true, 0.5, 0.5, 1.0, &mut s) as u32;
            let mut s = stream(1, Purpose::Activation, i, 0);
            b += stays_active(&spec, true, false, 0.5, 0.5, 1.0, &mut s) as u32;
        }
        assert!(b < a, "unkept {b} should stay less often than kept {a}");
    }
}
