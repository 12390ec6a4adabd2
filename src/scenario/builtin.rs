//! Built-in scenarios. "X city" follows the case of Dai & Chen (2022, `002`): a
//! prefecture-level city of one core urban district, one county-level city and four
//! counties, here sized so that a run of 100,000 residents takes seconds.

use super::{RunSpec, Scenario};
use crate::model::assessment::AssessmentSpec;
use crate::model::behaviour::BehaviourSpec;
use crate::model::collective::CollectiveSpec;
use crate::model::costs::CostSpec;
use crate::model::government::GovernmentSpec;
use crate::model::issues::{CategorySpec, IssueSpec};
use crate::model::mechanisms::{Mechanisms, PRESET_NAMES};
use crate::model::organisations::OrganisationSpec;
use crate::model::residents::{LinkSpec, PopulationSpec};
use crate::model::shocks::Shock;
use crate::model::silos::SiloSpec;
use crate::model::territory::{CountyKind, CountySpec, TerritorySpec};

/// The scenario every other one extends; defined here in code, so its values are the
/// documented defaults of every field.
pub const BASELINE: &str = "xcity-baseline";

/// The shipped scenario files (`scenarios/*.toml`), compiled in so that names work from
/// any folder. Each extends the baseline and changes only what it names.
const SHIPPED: [(&str, &str); 12] = [
    (
        "xcity-flood",
        include_str!("../../scenarios/xcity-flood.toml"),
    ),
    (
        "xcity-epidemic",
        include_str!("../../scenarios/xcity-epidemic.toml"),
    ),
    (
        "xcity-factory-closure",
        include_str!("../../scenarios/xcity-factory-closure.toml"),
    ),
    (
        "xcity-land-dispute",
        include_str!("../../scenarios/xcity-land-dispute.toml"),
    ),
    (
        "xcity-rumour",
        include_str!("../../scenarios/xcity-rumour.toml"),
    ),
    (
        "xcity-fiscal-cut",
        include_str!("../../scenarios/xcity-fiscal-cut.toml"),
    ),
    (
        "xcity-compound",
        include_str!("../../scenarios/xcity-compound.toml"),
    ),
    (
        "xcity-assessment",
        include_str!("../../scenarios/xcity-assessment.toml"),
    ),
    (
        "xcity-tight-staff",
        include_str!("../../scenarios/xcity-tight-staff.toml"),
    ),
    (
        "xcity-hollow-links",
        include_str!("../../scenarios/xcity-hollow-links.toml"),
    ),
    ("full-city", include_str!("../../scenarios/full-city.toml")),
    (
        "xcity-prereform",
        include_str!("../../scenarios/xcity-prereform.toml"),
    ),
];

/// Names of the built-in scenarios, the default first.
pub const NAMES: [&str; 13] = [
    "xcity-flood",
    "xcity-baseline",
    "xcity-epidemic",
    "xcity-factory-closure",
    "xcity-land-dispute",
    "xcity-rumour",
    "xcity-fiscal-cut",
    "xcity-compound",
    "xcity-assessment",
    "xcity-tight-staff",
    "xcity-hollow-links",
    "full-city",
    "xcity-prereform",
];

/// The default scenario's name.
pub const DEFAULT: &str = NAMES[0];

/// The TOML text of a shipped scenario file.
pub fn toml_source(name: &str) -> Option<&'static str> {
    SHIPPED.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// A built-in scenario by name.
pub fn get(name: &str) -> Option<Scenario> {
    if name == BASELINE {
        return Some(xcity_baseline());
    }
    toml_source(name)?;
    Some(
        super::file::load(name)
            .unwrap_or_else(|e| panic!("built-in scenario {name} is invalid: {e}")),
    )
}

/// One-line descriptions, for listings.
pub fn describe(name: &str) -> Option<String> {
    get(name).map(|s| s.description)
}

/// One shock of each kind with default coefficients (the shape scenario files are
/// checked against, and examples for documentation).
pub fn example_shocks() -> Vec<Shock> {
    Shock::examples()
}

fn county(name: &str, kind: CountyKind, population_share: f64, urban_share: f64) -> CountySpec {
    CountySpec {
        name: name.to_string(),
        kind,
        population_share,
        urban_share,
    }
}

fn category(rate: f64, work_hours: f64, deadline_days: u32, severity: f64) -> CategorySpec {
    CategorySpec {
        rate,
        work_hours,
        deadline_days,
        severity,
    }
}

/// X city with no shock: the reference against which shocks are measured.
pub fn xcity_baseline() -> Scenario {
    let pair = |a: &str, b: &str| [a.to_string(), b.to_string()];
    Scenario {
        name: "xcity-baseline".into(),
        description:
            "X city (core district, county-level city, four counties), 100,000 residents, no shock"
                .into(),
        run: RunSpec {
            ticks: 365,
            seed: 20221,
            residents: 100_000,
            burn_in: 90,
            warmup: 365,
            window: 7,
        },
        territory: TerritorySpec {
            counties: vec![
                county("Core District", CountyKind::District, 0.32, 0.9),
                county("County-level City", CountyKind::CountyCity, 0.20, 0.55),
                county("North County", CountyKind::County, 0.12, 0.2),
                county("East County", CountyKind::County, 0.12, 0.2),
                county("South County", CountyKind::County, 0.12, 0.2),
                county("West County", CountyKind::County, 0.12, 0.15),
            ],
            adjacency: vec![
                pair("Core District", "County-level City"),
                pair("Core District", "North County"),
                pair("Core District", "East County"),
                pair("Core District", "South County"),
                pair("Core District", "West County"),
                pair("County-level City", "North County"),
                pair("County-level City", "East County"),
                pair("North County", "East County"),
                pair("East County", "South County"),
                pair("South County", "West County"),
                pair("West County", "North County"),
            ],
            grid_size_urban: 300,
            grid_size_rural: 200,
            grids_per_community_urban: 5,
            grids_per_community_rural: 4,
            communities_per_township_urban: 8,
            communities_per_township_rural: 10,
        },
        population: PopulationSpec {
            elderly_share_urban: 0.15,
            elderly_share_rural: 0.25,
            youth_share: 0.18,
            hardship_urban: 0.15,
            hardship_rural: 0.22,
            trust_mean: 0.78,
            concentration: 12.0,
            digital_urban: 0.8,
            digital_rural: 0.5,
            digital_elderly: 0.5,
            digital_spread: 1.0,
            strong_ties: 8,
            weak_ties: 4,
            weak_same_township: 0.6,
            weak_same_county: 0.3,
            weak_tie_weight: 0.3,
            org_membership: 0.3,
            link_strength: 1.0,
            rural_staff_contact: 0.7,
            staff_contact_min: 0.4,
            link_weight_staff: 0.5,
            link_weight_org: 0.3,
            link_weight_neighbours: 0.2,
        },
        government: GovernmentSpec {
            hours_per_staff: 7.0,
            grid_staff_urban: 0.25,
            grid_staff_rural: 0.15,
            community_staff_urban: 1.0,
            community_staff_rural: 0.6,
            township_staff_per_1000_urban: 0.5,
            township_staff_per_1000_rural: 0.4,
            county_staff_per_1000: 0.1,
            county_dept_staff_per_1000: 0.8,
            city_centre_staff_per_1000: 0.3,
            city_dept_staff_per_1000: 0.02,
            dispatch_hours: 0.25,
            escalation_delay_days: 4.0,
            referral_delay_days: 4.0,
            handoff_hours: 1.0,
            overhead_share: 0.5,
            rural_work_penalty: 0.5,
            rural_connectivity: 0.5,
            patrol_rate: 0.3,
            cross_region_rate: 0.3,
            cross_region_patience_days: 10.0,
            county_budget_per_1000: 0.3,
            city_budget_per_1000: 0.1,
            leading_group_threshold: 40.0,
            mediation_share: 0.5,
            mediations_per_staff: 3.0,
            transfer_friction: 0.3,
            budget_cap_days: 60.0,
            leading_group_floor: 1.0,
            leading_group_rise: 2.0,
            leading_group_emergencies: 1.0,
            patrol_floor: 0.5,
            patrol_information_gain: 0.5,
            cross_region_horizontal_weight: 0.5,
            cross_region_information_weight: 0.5,
            cross_region_patience_stretch: 2.0,
            dispatch_delay_days: 1,
            stage_delay_min_days: 1,
        },
        organisations: OrganisationSpec {
            per_community_urban: 2.0,
            per_community_rural: 0.7,
            hours_per_day: 8.0,
            activation_rate: 0.1,
            lapse_rate: 0.05,
            funding: 0.7,
            propensity_min: 0.5,
            upkeep_hours: 0.5,
            reliability: 0.9,
            lapse_unkept: 0.1,
        },
        issues: IssueSpec {
            routine: category(4.0, 1.0, 10, 0.3),
            neighbour_dispute: category(1.0, 3.0, 20, 0.4),
            public_facility: category(0.6, 6.0, 30, 0.5),
            social_assistance: category(0.4, 3.0, 30, 0.5),
            cross_department: category(1.2, 10.0, 45, 0.6),
            cross_region: category(0.3, 12.0, 60, 0.6),
            emergency: category(0.05, 4.0, 5, 0.6),
            stability: category(0.0, 20.0, 14, 0.8),
            assistance_budget_units: 1.0,
            small_severity: 0.5,
            severity_base: 0.5,
            severity_min: 0.05,
            work_base: 0.5,
            late_resolution_discount: 0.5,
            first_stage_share: 0.5,
        },
        behaviour: BehaviourSpec {
            hardship_relax: 0.02,
            trust_relax: 0.01,
            resolve_trust_gain: 0.06,
            resolve_hardship_relief: 0.1,
            expire_trust_loss: 0.2,
            expire_hardship: 0.1,
            refused_hardship: 0.4,
            unsolved_experience_loss: 0.5,
            expire_experience_loss: 1.0,
            word_of_mouth: 0.02,
            experience_decay: 0.8,
            exposure_trust_loss: 0.0005,
            exposure_decay: 0.9,
            incident_exposure: 0.2,
            protester_exposure: 0.05,
            report_base: 0.2,
            report_trust: 0.5,
            report_link: 0.4,
            report_channel_base: 0.5,
            report_channel_sharing: 0.5,
            elderly_need: 1.5,
            need_base: 0.4,
            need_hardship: 1.2,
            volunteer_rate: 0.02,
            volunteer_stop: 0.1,
            volunteer_capacity_youth: 0.5,
            volunteer_capacity_elderly: 0.6,
            volunteer_cognition_base: 0.3,
            volunteer_cognition_linkage: 0.7,
            volunteer_digital_base: 0.5,
            volunteer_digital: 0.5,
            volunteer_environment_base: 0.5,
            volunteer_environment_cap: 1.5,
            volunteer_neighbours: 0.5,
            volunteer_hours: 2.0,
            points_per_day: 1.0,
            points_pull: 0.02,
            volunteer_upkeep_hours: 0.1,
            volunteer_reliability: 0.8,
            volunteer_stop_unkept: 0.1,
            point_value: 0.002,
            protest_voice: 0.5,
            gain_memory_days: 180.0,
            security_damage: 0.6,
            security_illness: 0.3,
            security_job_loss: 0.4,
            happiness_gain: 0.25,
            happiness_security: 0.25,
            happiness_relief: 0.25,
            happiness_trust: 0.25,
        },
        links: LinkSpec::default(),
        collective: CollectiveSpec {
            k: 2.3,
            threshold: 0.1,
            mediation_days: 10,
            mediation_relief: 0.05,
            presence_scale: 10.0,
            petition_threshold: 0.1,
            petition_rate: 0.03,
            threshold_spread: 0.3,
            protest_cost: 0.05,
            fatigue_per_day: 0.02,
            fatigue_keep: 0.95,
            incident_min: 5,
            tolerate_size: 30,
            answer_days: 10.0,
            centre_days: 10.0,
            joint_min: 0.3,
            mediation_hours: 1.0,
            mediation_share: 0.3,
            mediation_trust: 0.1,
            concede_min: 0.6,
            concession_per_protester: 1.0,
            concession_relief: 0.02,
            concession_days: 30,
            concession_invites: 0.05,
            police_after_days: 7.0,
            police_risk: 0.5,
            police_hours: 0.5,
            police_backlash: 0.005,
            escalate_size: 300,
            escalate_min: 0.5,
            escalate_hours: 8.0,
            cause_days: 60,
            incident_petitions: 0.01,
            tie_pull: 0.1,
            incident_quiet_days: 3,
        },
        assessment: AssessmentSpec::default(),
        silos: SiloSpec::default(),
        costs: CostSpec::default(),
        regimes: PRESET_NAMES
            .iter()
            .map(|&n| (n.to_string(), Mechanisms::preset(n).expect("preset exists")))
            .collect(),
        shocks: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_shocks_cover_every_kind() {
        let kinds: Vec<&str> = example_shocks().iter().map(|s| s.name()).collect();
        assert_eq!(kinds, crate::model::shocks::KINDS);
    }

    #[test]
    fn builtins_validate_and_round_trip_through_toml() {
        for name in NAMES {
            let s = get(name).unwrap();
            s.validate().unwrap();
            let back: Scenario = toml::from_str(&s.to_toml()).unwrap();
            assert_eq!(back.to_toml(), s.to_toml());
        }
    }
}
