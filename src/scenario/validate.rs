//! Range and reference checks of a scenario, one function per section of the file
//! (`run`, `territory`, …, `shocks`). Every check names the field by its path in the
//! scenario file and says what is allowed; all problems are collected, not just the
//! first. Every count, density and size has an upper bound (the `MAX_*` constants,
//! documented in docs/scenarios.md §1.5), so a valid scenario cannot overflow or ask for
//! absurd amounts of memory; whether it fits this machine is `engine::memory`'s check.

use super::{RunSpec, Scenario};
use crate::model::assessment::AssessmentSpec;
use crate::model::behaviour::BehaviourSpec;
use crate::model::collective::CollectiveSpec;
use crate::model::costs::CostSpec;
use crate::model::government::GovernmentSpec;
use crate::model::issues::{Category, IssueSpec};
use crate::model::mechanisms::Mechanisms;
use crate::model::organisations::OrganisationSpec;
use crate::model::residents::{LinkSpec, PopulationSpec};
use crate::model::shocks::{Allowed, Shock, Target};
use crate::model::silos::SiloSpec;
use crate::model::territory::{Territory, TerritorySpec};
use std::collections::BTreeMap;

struct Checks {
    problems: Vec<(String, String)>,
}

impl Checks {
    fn bad(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.problems.push((field.into(), message.into()));
    }

    fn finite(&mut self, field: &str, v: f64) -> bool {
        if !v.is_finite() {
            self.bad(field, format!("is {}; allowed: a finite number", shown(v)));
            return false;
        }
        true
    }

    /// A probability or share: [0, 1].
    fn unit(&mut self, field: &str, v: f64) {
        if self.finite(field, v) && !(0.0..=1.0).contains(&v) {
            self.bad(
                field,
                format!("is {}; allowed: a number from 0 to 1", shown(v)),
            );
        }
    }

    /// A positive amount with an upper bound.
    fn positive_up_to(&mut self, field: &str, v: f64, max: f64) {
        if self.finite(field, v) && !(v > 0.0 && v <= max) {
            self.bad(
                field,
                format!("is {}; allowed: a number > 0 and at most {max}", shown(v)),
            );
        }
    }

    /// A non-negative amount with an upper bound.
    fn up_to(&mut self, field: &str, v: f64, max: f64) {
        self.between(field, v, 0.0, max);
    }

    fn between(&mut self, field: &str, v: f64, lo: f64, hi: f64) {
        if self.finite(field, v) && !(lo..=hi).contains(&v) {
            self.bad(
                field,
                format!("is {}; allowed: a number from {lo} to {hi}", shown(v)),
            );
        }
    }

    fn count(&mut self, field: &str, v: u64, lo: u64, hi: u64) {
        if !(lo..=hi).contains(&v) {
            self.bad(
                field,
                format!("is {v}; allowed: a whole number from {lo} to {hi}"),
            );
        }
    }
}

// Upper bounds: every count, density and size has one (docs/scenarios.md, "Bounds"), so a
// number that would exhaust memory or overflow is refused where it is written. Whether a
// scenario within the bounds fits this machine is `engine::memory`'s question.

/// A number as messages show it: in exponent form when very large or very small
/// (`1.7976931348623157e308`, not 309 digits).
fn shown(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(1e-6..1e15).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Residents above which a scenario is refused (memory: about 120 bytes each, more
/// with many ties).
pub const MAX_RESIDENTS: u64 = 100_000_000;
/// The largest seed: TOML integers are signed 64-bit, and a run's params.toml must read
/// back.
pub const MAX_SEED: u64 = i64::MAX as u64;
/// Ticks above which a run is refused (a century of days).
pub const MAX_TICKS: u64 = 36_500;
/// The longest warm-up: ten years.
pub const MAX_WARMUP: u64 = 3650;
/// The longest rolling window of the per-tick metrics, in ticks (a year).
pub const MAX_WINDOW: u64 = 365;
/// Counties (county-level units) at most.
pub const MAX_COUNTIES: usize = 1_000;
/// The largest unit size: residents per grid, grids per community, communities per
/// township.
pub const MAX_UNIT_SIZE: u64 = 100_000;
/// Grids at most (`run.residents` over the smaller grid size).
pub const MAX_GRIDS: u64 = 2_000_000;
/// Strong or weak ties per resident at most.
pub const MAX_TIES: u64 = 100;
/// Staff per grid or per community at most.
pub const MAX_STAFF_PER_UNIT: f64 = 1_000.0;
/// Any density per 1,000 residents at most (staff, issues raised a day).
pub const MAX_PER_1000: f64 = 1_000.0;
/// Organisations per community at most.
pub const MAX_ORGS_PER_COMMUNITY: f64 = 1_000.0;
/// Regimes in one scenario at most.
pub const MAX_REGIMES: usize = 100;
/// Shocks in one scenario at most.
pub const MAX_SHOCKS: usize = 100;
/// Durations in days at most (delays, patience, deadlines): ten years.
pub const MAX_DAYS: f64 = 3_650.0;
/// Staff-hours of one task at most (dispatch, hand-off, an issue's work).
pub const MAX_TASK_HOURS: f64 = 10_000.0;
/// Any other non-negative amount at most (budgets, multipliers, thresholds, scales).
pub const MAX_AMOUNT: f64 = 1_000_000.0;

/// Every range and reference check of `s`, as (field path, problem) pairs, section by
/// section in the file's order.
pub fn check(s: &Scenario) -> Vec<(String, String)> {
    let mut c = Checks {
        problems: Vec::new(),
    };
    run(&mut c, &s.run);
    territory(&mut c, &s.territory, s.run.residents);
    population(&mut c, &s.population);
    government(&mut c, &s.government);
    organisations(&mut c, &s.organisations);
    issues(&mut c, &s.issues);
    behaviour(&mut c, &s.behaviour);
    links(&mut c, &s.links);
    collective(&mut c, &s.collective);
    assessment(&mut c, &s.assessment);
    silos(&mut c, &s.silos);
    costs(&mut c, &s.costs);
    regimes(&mut c, &s.regimes);
    shocks(&mut c, s);
    c.problems
}

fn run(c: &mut Checks, r: &RunSpec) {
    c.count("run.ticks", r.ticks as u64, 1, MAX_TICKS);
    c.count("run.residents", r.residents, 100, MAX_RESIDENTS);
    c.count("run.seed", r.seed, 0, MAX_SEED);
    if r.burn_in >= r.ticks.max(1) {
        c.bad(
            "run.burn_in",
            format!(
                "is {}; allowed: less than run.ticks ({})",
                r.burn_in, r.ticks
            ),
        );
    }
    c.count("run.window", r.window as u64, 1, MAX_WINDOW);
    c.count("run.warmup", r.warmup as u64, 0, MAX_WARMUP);
}

fn territory(c: &mut Checks, t: &TerritorySpec, residents: u64) {
    if t.counties.is_empty() {
        c.bad(
            "territory.counties",
            "is empty; allowed: at least one county",
        );
    }
    if t.counties.len() > MAX_COUNTIES {
        c.bad(
            "territory.counties",
            format!(
                "lists {} counties; allowed: at most {MAX_COUNTIES}",
                t.counties.len()
            ),
        );
    }
    for (i, county) in t.counties.iter().enumerate() {
        let f = |x: &str| format!("territory.counties[{i}].{x}");
        if county.name.trim().is_empty() {
            c.bad(f("name"), "is empty; allowed: a non-empty name");
        }
        if t.counties[..i].iter().any(|o| o.name == county.name) {
            c.bad(
                f("name"),
                format!("'{}' is used twice; allowed: unique names", county.name),
            );
        }
        c.positive_up_to(&f("population_share"), county.population_share, MAX_AMOUNT);
        c.unit(&f("urban_share"), county.urban_share);
    }
    let names: Vec<&str> = t.counties.iter().map(|k| k.name.as_str()).collect();
    for (i, pair) in t.adjacency.iter().enumerate() {
        for n in pair {
            if !names.contains(&n.as_str()) {
                c.bad(
                    format!("territory.adjacency[{i}]"),
                    format!(
                        "names '{n}', which is not a county; allowed: {}",
                        names.join(", ")
                    ),
                );
            }
        }
    }
    for (field, v) in [
        ("territory.grid_size_urban", t.grid_size_urban),
        ("territory.grid_size_rural", t.grid_size_rural),
        (
            "territory.grids_per_community_urban",
            t.grids_per_community_urban,
        ),
        (
            "territory.grids_per_community_rural",
            t.grids_per_community_rural,
        ),
        (
            "territory.communities_per_township_urban",
            t.communities_per_township_urban,
        ),
        (
            "territory.communities_per_township_rural",
            t.communities_per_township_rural,
        ),
    ] {
        c.count(field, v as u64, 1, MAX_UNIT_SIZE);
    }
    let (field, size) = if t.grid_size_urban <= t.grid_size_rural {
        ("territory.grid_size_urban", t.grid_size_urban)
    } else {
        ("territory.grid_size_rural", t.grid_size_rural)
    };
    let grids = residents.div_ceil(size.max(1) as u64);
    if size >= 1 && grids > MAX_GRIDS {
        c.bad(
            field,
            format!(
                "is {size}, which makes about {grids} grids of run.residents ({residents}); allowed: at most {MAX_GRIDS} grids (a grid size of at least {})",
                residents.div_ceil(MAX_GRIDS)
            ),
        );
    }
}

fn population(c: &mut Checks, p: &PopulationSpec) {
    for (field, v) in [
        ("population.elderly_share_urban", p.elderly_share_urban),
        ("population.elderly_share_rural", p.elderly_share_rural),
        ("population.youth_share", p.youth_share),
        ("population.hardship_urban", p.hardship_urban),
        ("population.hardship_rural", p.hardship_rural),
        ("population.trust_mean", p.trust_mean),
        ("population.digital_urban", p.digital_urban),
        ("population.digital_rural", p.digital_rural),
        ("population.weak_same_township", p.weak_same_township),
        ("population.weak_same_county", p.weak_same_county),
        ("population.weak_tie_weight", p.weak_tie_weight),
        ("population.org_membership", p.org_membership),
        ("population.link_strength", p.link_strength),
        ("population.rural_staff_contact", p.rural_staff_contact),
    ] {
        c.unit(field, v);
    }
    if p.elderly_share_urban.max(p.elderly_share_rural) + p.youth_share > 1.0 {
        c.bad(
            "population.youth_share",
            "plus an elderly share exceeds 1; allowed: youth + elderly ≤ 1",
        );
    }
    if p.weak_same_township + p.weak_same_county > 1.0 {
        c.bad(
            "population.weak_same_county",
            "plus weak_same_township exceeds 1; allowed: their sum ≤ 1",
        );
    }
    c.between("population.concentration", p.concentration, 0.5, 1000.0);
    for (field, v) in [
        ("population.digital_elderly", p.digital_elderly),
        ("population.staff_contact_min", p.staff_contact_min),
        ("population.link_weight_staff", p.link_weight_staff),
        ("population.link_weight_org", p.link_weight_org),
        (
            "population.link_weight_neighbours",
            p.link_weight_neighbours,
        ),
    ] {
        c.unit(field, v);
    }
    c.between("population.digital_spread", p.digital_spread, 0.0, 2.0);
    c.count("population.strong_ties", p.strong_ties as u64, 0, MAX_TIES);
    c.count("population.weak_ties", p.weak_ties as u64, 0, MAX_TIES);
}

fn government(c: &mut Checks, g: &GovernmentSpec) {
    c.between("government.hours_per_staff", g.hours_per_staff, 0.0, 24.0);
    for (field, v, max) in [
        (
            "government.grid_staff_urban",
            g.grid_staff_urban,
            MAX_STAFF_PER_UNIT,
        ),
        (
            "government.grid_staff_rural",
            g.grid_staff_rural,
            MAX_STAFF_PER_UNIT,
        ),
        (
            "government.community_staff_urban",
            g.community_staff_urban,
            MAX_STAFF_PER_UNIT,
        ),
        (
            "government.community_staff_rural",
            g.community_staff_rural,
            MAX_STAFF_PER_UNIT,
        ),
        (
            "government.township_staff_per_1000_urban",
            g.township_staff_per_1000_urban,
            MAX_PER_1000,
        ),
        (
            "government.township_staff_per_1000_rural",
            g.township_staff_per_1000_rural,
            MAX_PER_1000,
        ),
        (
            "government.county_staff_per_1000",
            g.county_staff_per_1000,
            MAX_PER_1000,
        ),
        (
            "government.county_dept_staff_per_1000",
            g.county_dept_staff_per_1000,
            MAX_PER_1000,
        ),
        (
            "government.city_centre_staff_per_1000",
            g.city_centre_staff_per_1000,
            MAX_PER_1000,
        ),
        (
            "government.city_dept_staff_per_1000",
            g.city_dept_staff_per_1000,
            MAX_PER_1000,
        ),
        (
            "government.dispatch_hours",
            g.dispatch_hours,
            MAX_TASK_HOURS,
        ),
        (
            "government.escalation_delay_days",
            g.escalation_delay_days,
            MAX_DAYS,
        ),
        (
            "government.referral_delay_days",
            g.referral_delay_days,
            MAX_DAYS,
        ),
        ("government.handoff_hours", g.handoff_hours, MAX_TASK_HOURS),
        (
            "government.rural_work_penalty",
            g.rural_work_penalty,
            MAX_AMOUNT,
        ),
        (
            "government.cross_region_patience_days",
            g.cross_region_patience_days,
            MAX_DAYS,
        ),
        (
            "government.county_budget_per_1000",
            g.county_budget_per_1000,
            MAX_AMOUNT,
        ),
        (
            "government.city_budget_per_1000",
            g.city_budget_per_1000,
            MAX_AMOUNT,
        ),
        (
            "government.leading_group_threshold",
            g.leading_group_threshold,
            MAX_AMOUNT,
        ),
        (
            "government.mediations_per_staff",
            g.mediations_per_staff,
            MAX_AMOUNT,
        ),
    ] {
        c.up_to(field, v, max);
    }
    government_shares(c, g);
}

/// The government's shares and the factors of its rules.
fn government_shares(c: &mut Checks, g: &GovernmentSpec) {
    for (field, v) in [
        ("government.overhead_share", g.overhead_share),
        ("government.rural_connectivity", g.rural_connectivity),
        ("government.patrol_rate", g.patrol_rate),
        ("government.cross_region_rate", g.cross_region_rate),
        ("government.mediation_share", g.mediation_share),
        ("government.transfer_friction", g.transfer_friction),
        ("government.patrol_floor", g.patrol_floor),
        (
            "government.patrol_information_gain",
            g.patrol_information_gain,
        ),
        (
            "government.cross_region_horizontal_weight",
            g.cross_region_horizontal_weight,
        ),
        (
            "government.cross_region_information_weight",
            g.cross_region_information_weight,
        ),
    ] {
        c.unit(field, v);
    }
    c.between("government.budget_cap_days", g.budget_cap_days, 0.0, 3650.0);
    c.up_to(
        "government.leading_group_emergencies",
        g.leading_group_emergencies,
        MAX_AMOUNT,
    );
    c.between(
        "government.leading_group_floor",
        g.leading_group_floor,
        0.0,
        100.0,
    );
    c.between(
        "government.leading_group_rise",
        g.leading_group_rise,
        0.0,
        100.0,
    );
    c.between(
        "government.cross_region_patience_stretch",
        g.cross_region_patience_stretch,
        1.0,
        10.0,
    );
    c.count(
        "government.dispatch_delay_days",
        g.dispatch_delay_days as u64,
        0,
        365,
    );
    c.count(
        "government.stage_delay_min_days",
        g.stage_delay_min_days as u64,
        0,
        365,
    );
}

fn organisations(c: &mut Checks, o: &OrganisationSpec) {
    c.up_to(
        "organisations.per_community_urban",
        o.per_community_urban,
        MAX_ORGS_PER_COMMUNITY,
    );
    c.up_to(
        "organisations.per_community_rural",
        o.per_community_rural,
        MAX_ORGS_PER_COMMUNITY,
    );
    c.between("organisations.hours_per_day", o.hours_per_day, 0.0, 24.0);
    c.unit("organisations.activation_rate", o.activation_rate);
    c.unit("organisations.lapse_rate", o.lapse_rate);
    c.unit("organisations.funding", o.funding);
    c.between("organisations.propensity_min", o.propensity_min, 0.0, 10.0);
    c.between("organisations.upkeep_hours", o.upkeep_hours, 0.0, 24.0);
    c.unit("organisations.reliability", o.reliability);
    c.unit("organisations.lapse_unkept", o.lapse_unkept);
}

fn issues(c: &mut Checks, issues: &IssueSpec) {
    for cat in Category::ALL {
        let spec = issues.get(cat);
        let name = serde_name(&cat);
        c.up_to(&format!("issues.{name}.rate"), spec.rate, MAX_PER_1000);
        c.positive_up_to(
            &format!("issues.{name}.work_hours"),
            spec.work_hours,
            MAX_TASK_HOURS,
        );
        c.count(
            &format!("issues.{name}.deadline_days"),
            spec.deadline_days as u64,
            1,
            MAX_DAYS as u64,
        );
        c.unit(&format!("issues.{name}.severity"), spec.severity);
    }
    c.up_to(
        "issues.assistance_budget_units",
        issues.assistance_budget_units,
        MAX_AMOUNT,
    );
    c.unit("issues.small_severity", issues.small_severity);
    c.unit("issues.severity_base", issues.severity_base);
    c.unit("issues.severity_min", issues.severity_min);
    c.between("issues.work_base", issues.work_base, 0.0, 10.0);
    c.unit(
        "issues.late_resolution_discount",
        issues.late_resolution_discount,
    );
    c.unit("issues.first_stage_share", issues.first_stage_share);
}

fn behaviour(c: &mut Checks, b: &BehaviourSpec) {
    for (field, v) in [
        ("behaviour.hardship_relax", b.hardship_relax),
        ("behaviour.trust_relax", b.trust_relax),
        ("behaviour.resolve_trust_gain", b.resolve_trust_gain),
        (
            "behaviour.resolve_hardship_relief",
            b.resolve_hardship_relief,
        ),
        ("behaviour.expire_trust_loss", b.expire_trust_loss),
        ("behaviour.expire_hardship", b.expire_hardship),
        ("behaviour.refused_hardship", b.refused_hardship),
        ("behaviour.word_of_mouth", b.word_of_mouth),
        ("behaviour.experience_decay", b.experience_decay),
        ("behaviour.exposure_trust_loss", b.exposure_trust_loss),
        ("behaviour.exposure_decay", b.exposure_decay),
        ("behaviour.incident_exposure", b.incident_exposure),
        ("behaviour.protester_exposure", b.protester_exposure),
        ("behaviour.report_base", b.report_base),
        ("behaviour.report_trust", b.report_trust),
        ("behaviour.report_link", b.report_link),
        ("behaviour.volunteer_rate", b.volunteer_rate),
        ("behaviour.volunteer_stop", b.volunteer_stop),
        ("behaviour.points_pull", b.points_pull),
        ("behaviour.protest_voice", b.protest_voice),
        ("behaviour.report_channel_base", b.report_channel_base),
        ("behaviour.report_channel_sharing", b.report_channel_sharing),
        (
            "behaviour.volunteer_capacity_youth",
            b.volunteer_capacity_youth,
        ),
        (
            "behaviour.volunteer_capacity_elderly",
            b.volunteer_capacity_elderly,
        ),
        (
            "behaviour.volunteer_cognition_base",
            b.volunteer_cognition_base,
        ),
        (
            "behaviour.volunteer_cognition_linkage",
            b.volunteer_cognition_linkage,
        ),
        ("behaviour.volunteer_digital_base", b.volunteer_digital_base),
        ("behaviour.volunteer_digital", b.volunteer_digital),
        ("behaviour.volunteer_reliability", b.volunteer_reliability),
        ("behaviour.volunteer_stop_unkept", b.volunteer_stop_unkept),
        ("behaviour.security_damage", b.security_damage),
        ("behaviour.security_illness", b.security_illness),
        ("behaviour.security_job_loss", b.security_job_loss),
        ("behaviour.happiness_gain", b.happiness_gain),
        ("behaviour.happiness_security", b.happiness_security),
        ("behaviour.happiness_relief", b.happiness_relief),
        ("behaviour.happiness_trust", b.happiness_trust),
    ] {
        c.unit(field, v);
    }
    // Happiness is a weighted mean of four senses in [0, 1]: its weights sum to 1.
    let weights = b.happiness_gain + b.happiness_security + b.happiness_relief + b.happiness_trust;
    if weights.is_finite() && (weights - 1.0).abs() > 1e-9 {
        c.bad(
            "behaviour.happiness_gain",
            format!(
                "with happiness_security, happiness_relief and happiness_trust sums to {}; allowed: weights that sum to 1",
                shown(weights)
            ),
        );
    }
    for (field, v) in [
        ("behaviour.need_base", b.need_base),
        ("behaviour.need_hardship", b.need_hardship),
        (
            "behaviour.volunteer_environment_base",
            b.volunteer_environment_base,
        ),
        (
            "behaviour.volunteer_environment_cap",
            b.volunteer_environment_cap,
        ),
        ("behaviour.volunteer_neighbours", b.volunteer_neighbours),
    ] {
        c.up_to(field, v, MAX_AMOUNT);
    }
    c.up_to("behaviour.elderly_need", b.elderly_need, MAX_AMOUNT);
    // The experience signal lies in [−1, 1], so a drop of 2 takes any signal to −1.
    for (field, v) in [
        (
            "behaviour.unsolved_experience_loss",
            b.unsolved_experience_loss,
        ),
        ("behaviour.expire_experience_loss", b.expire_experience_loss),
    ] {
        c.between(field, v, 0.0, 2.0);
    }
    c.between("behaviour.volunteer_hours", b.volunteer_hours, 0.0, 24.0);
    c.up_to("behaviour.points_per_day", b.points_per_day, MAX_AMOUNT);
    c.between(
        "behaviour.volunteer_upkeep_hours",
        b.volunteer_upkeep_hours,
        0.0,
        24.0,
    );
    c.up_to("behaviour.point_value", b.point_value, MAX_AMOUNT);
    c.between(
        "behaviour.gain_memory_days",
        b.gain_memory_days,
        1.0,
        36500.0,
    );
}

/// Link strength's growth and decay are daily shares of a gap (at most 1, so link
/// strength stays in [0, 1]); shared goals' terms are shares too, except the weight of
/// joint assessment on departments' shared goals.
fn links(c: &mut Checks, l: &LinkSpec) {
    c.between(
        "links.outreach_hours_per_1000",
        l.outreach_hours_per_1000,
        0.0,
        MAX_PER_1000,
    );
    c.positive_up_to("links.contact_hours", l.contact_hours, MAX_TASK_HOURS);
    for (field, v) in [
        ("links.outreach_priority", l.outreach_priority),
        ("links.contact_gain", l.contact_gain),
        ("links.member_gain", l.member_gain),
        ("links.service_gain", l.service_gain),
        ("links.decay", l.decay),
        ("links.goals_base", l.goals_base),
        ("links.goals_recognition", l.goals_recognition),
        ("links.goals_points", l.goals_points),
        ("links.dept_goals_base", l.dept_goals_base),
        ("links.dept_goals_leading_group", l.dept_goals_leading_group),
    ] {
        c.unit(field, v);
    }
    // A weight on the assessment pressure (itself 0-1): above 1, pressure short of full
    // already gives departments full shared goals.
    c.between(
        "links.dept_goals_assessment",
        l.dept_goals_assessment,
        0.0,
        10.0,
    );
}

fn collective(c: &mut Checks, k: &CollectiveSpec) {
    c.up_to("collective.k", k.k, MAX_AMOUNT);
    c.unit("collective.threshold", k.threshold);
    c.unit("collective.mediation_relief", k.mediation_relief);
    c.up_to("collective.presence_scale", k.presence_scale, MAX_AMOUNT);
    c.unit("collective.threshold_spread", k.threshold_spread);
    c.unit("collective.protest_cost", k.protest_cost);
    c.unit("collective.fatigue_per_day", k.fatigue_per_day);
    c.unit("collective.fatigue_keep", k.fatigue_keep);
    c.between("collective.incident_min", k.incident_min as f64, 1.0, 1e6);
    c.up_to("collective.tolerate_size", k.tolerate_size as f64, 1e6);
    c.up_to("collective.answer_days", k.answer_days, 365.0);
    c.up_to("collective.centre_days", k.centre_days, 365.0);
    c.unit("collective.joint_min", k.joint_min);
    c.between(
        "collective.mediation_hours",
        k.mediation_hours,
        0.01,
        1000.0,
    );
    c.unit("collective.mediation_share", k.mediation_share);
    c.unit("collective.mediation_trust", k.mediation_trust);
    c.unit("collective.concede_min", k.concede_min);
    c.up_to(
        "collective.concession_per_protester",
        k.concession_per_protester,
        MAX_AMOUNT,
    );
    c.unit("collective.concession_relief", k.concession_relief);
    c.up_to(
        "collective.concession_days",
        k.concession_days as f64,
        3650.0,
    );
    c.unit("collective.concession_invites", k.concession_invites);
    c.up_to("collective.police_after_days", k.police_after_days, 365.0);
    c.unit("collective.police_risk", k.police_risk);
    c.up_to("collective.police_hours", k.police_hours, 1000.0);
    c.unit("collective.police_backlash", k.police_backlash);
    c.up_to("collective.escalate_size", k.escalate_size as f64, 1e9);
    c.unit("collective.escalate_min", k.escalate_min);
    c.up_to("collective.escalate_hours", k.escalate_hours, 1000.0);
    c.up_to("collective.cause_days", k.cause_days as f64, 3650.0);
    c.unit("collective.incident_petitions", k.incident_petitions);
    c.unit("collective.tie_pull", k.tie_pull);
    c.between(
        "collective.incident_quiet_days",
        k.incident_quiet_days as f64,
        1.0,
        365.0,
    );
    c.unit("collective.petition_threshold", k.petition_threshold);
    c.unit("collective.petition_rate", k.petition_rate);
}

fn assessment(c: &mut Checks, a: &AssessmentSpec) {
    c.count(
        "assessment.response_days",
        a.response_days as u64,
        0,
        MAX_DAYS as u64,
    );
    c.unit("assessment.score_rate", a.score_rate);
    c.unit("assessment.score_start", a.score_start);
    c.unit("assessment.timely_share", a.timely_share);
    c.up_to("assessment.pressure_weight", a.pressure_weight, MAX_AMOUNT);
    c.unit("assessment.solve_quality", a.solve_quality);
    c.unit("assessment.grid_skill", a.grid_skill);
    c.unit("assessment.gaming_rate", a.gaming_rate);
    c.unit("assessment.gaming_work_share", a.gaming_work_share);
    c.unit("assessment.deadline_gaming", a.deadline_gaming);
    c.unit(
        "assessment.supervision_deterrence",
        a.supervision_deterrence,
    );
    c.unit("assessment.callback_share", a.callback_share);
    c.up_to(
        "assessment.callback_hours",
        a.callback_hours,
        MAX_TASK_HOURS,
    );
    c.unit("assessment.satisfied_solved", a.satisfied_solved);
    c.unit("assessment.satisfied_unsolved", a.satisfied_unsolved);
    c.unit("assessment.reraise", a.reraise);
    c.count(
        "assessment.reopen_days",
        a.reopen_days as u64,
        1,
        MAX_DAYS as u64,
    );
    c.count("assessment.max_reopens", a.max_reopens as u64, 0, 100);
    c.unit("assessment.unsolved_trust_loss", a.unsolved_trust_loss);
    c.unit("assessment.non_response", a.non_response);
    c.unit("assessment.pressure_response", a.pressure_response);
    c.unit("assessment.supervision_pull", a.supervision_pull);
    c.up_to(
        "assessment.reporting_hours",
        a.reporting_hours,
        MAX_TASK_HOURS,
    );
    c.between(
        "assessment.supervision_hours_per_1000",
        a.supervision_hours_per_1000,
        0.0,
        MAX_PER_1000,
    );
}

fn costs(c: &mut Checks, k: &CostSpec) {
    c.between("costs.uplift_days", k.uplift_days, 1.0, MAX_DAYS);
    c.up_to(
        "costs.uplift_budget_per_1000",
        k.uplift_budget_per_1000,
        MAX_PER_1000,
    );
    c.up_to("costs.travel_share", k.travel_share, MAX_AMOUNT);
    c.up_to(
        "costs.platform_budget_per_1000",
        k.platform_budget_per_1000,
        MAX_PER_1000,
    );
    c.up_to("costs.data_entry_hours", k.data_entry_hours, MAX_TASK_HOURS);
    c.unit("costs.leading_group_share", k.leading_group_share);
    c.unit("costs.leading_group_attention", k.leading_group_attention);
}

fn silos(c: &mut Checks, s: &SiloSpec) {
    c.unit("silos.unclear_multi", s.unclear_multi);
    c.unit("silos.unclear_single", s.unclear_single);
    c.unit("silos.bounce_rate", s.bounce_rate);
    c.unit("silos.bounce_repeat", s.bounce_repeat);
    c.unit("silos.rework_share", s.rework_share);
    c.up_to(
        "silos.boundary_city_weight",
        s.boundary_city_weight,
        MAX_AMOUNT,
    );
    c.unit("silos.trip_per_handoff", s.trip_per_handoff);
    c.unit("silos.one_stop_share", s.one_stop_share);
}

fn regimes(c: &mut Checks, regimes: &BTreeMap<String, Mechanisms>) {
    if regimes.is_empty() {
        c.bad(
            "regimes",
            "is empty; allowed: at least one regime (e.g. [regimes.linkage])",
        );
    }
    if regimes.len() > MAX_REGIMES {
        c.bad(
            "regimes",
            format!(
                "names {} regimes; allowed: at most {MAX_REGIMES}",
                regimes.len()
            ),
        );
    }
    for (name, m) in regimes {
        for (field, v) in m.fields() {
            c.unit(&format!("regimes.{name}.{field}"), v);
        }
    }
}

/// Shocks: windows inside the run, coefficients in range, targets that exist, one
/// epidemic and one rumour at most. The target's units are checked against the built
/// territory only when everything else is valid (it needs valid sizes to build).
fn shocks(c: &mut Checks, s: &Scenario) {
    if s.shocks.len() > MAX_SHOCKS {
        c.bad(
            "shocks",
            format!(
                "lists {} shocks; allowed: at most {MAX_SHOCKS}",
                s.shocks.len()
            ),
        );
    }
    let names: Vec<&str> = s
        .territory
        .counties
        .iter()
        .map(|k| k.name.as_str())
        .collect();
    let known = |n: &str| names.contains(&n);
    let territory = if c.problems.is_empty() && !s.shocks.is_empty() {
        Some(Territory::build(&s.territory, s.run.residents))
    } else {
        None
    };
    for (i, shock) in s.shocks.iter().enumerate() {
        let f = |x: &str| format!("shocks[{i}].{x}");
        shock_window(c, shock, s.run.ticks, &f);
        for (field, v, allowed) in shock.fields() {
            match allowed {
                Allowed::Share => c.unit(&f(field), v),
                Allowed::NonNegative => c.up_to(&f(field), v, MAX_AMOUNT),
                Allowed::Range(lo, hi) => c.between(&f(field), v, lo, hi),
            }
        }
        for n in &shock.target().counties {
            if !known(n) {
                c.bad(
                    f("target.counties"),
                    format!(
                        "names '{n}', which is not a county; allowed: {}",
                        names.join(", ")
                    ),
                );
            }
        }
        if let Some(terr) = &territory
            && shock.target().counties.iter().all(|n| known(n))
            && let Some(problem) = shock.target().problem(terr)
        {
            // A township index that does not exist is the township's fault (the target
            // is fine without it); a target that hits nothing is the whole target's.
            let without = Target {
                township: None,
                ..shock.target().clone()
            };
            let at = match shock.target().township {
                Some(_) if without.problem(terr).is_none() => "target.township",
                _ => "target",
            };
            c.bad(f(at), problem);
        }
        if let Some(reason) = shock.one_per_scenario()
            && s.shocks[..i].iter().any(|o| o.name() == shock.name())
        {
            let kind = shock.name();
            c.bad(
                f("kind"),
                format!("is a second {kind}; allowed: one {kind} per scenario ({reason})"),
            );
        }
    }
}

/// A shock's window: at least one day, starting and ending inside the run. The end is
/// computed in 64 bits, so a start near `u32::MAX` is reported as such, not wrapped.
fn shock_window(c: &mut Checks, shock: &Shock, ticks: u32, f: &dyn Fn(&str) -> String) {
    let (start, end) = (shock.window().0, shock.end());
    if shock.duration() == 0 {
        c.bad(f("duration"), "is 0; allowed: a whole number ≥ 1");
    }
    if start >= ticks {
        c.bad(
            f("start"),
            format!(
                "is {start}, not inside the run's {ticks} ticks; allowed: a tick from 0 to {} with start + duration ≤ run.ticks",
                ticks.saturating_sub(1)
            ),
        );
    } else if end > ticks as u64 {
        c.bad(
            f("duration"),
            format!(
                "the {} runs to tick {end}, past the run's {ticks} ticks; allowed: start + duration ≤ run.ticks",
                shock.name()
            ),
        );
    }
}

/// The snake_case name serde gives a unit enum variant.
fn serde_name<T: serde::Serialize>(v: &T) -> String {
    toml::Value::try_from(v)
        .ok()
        .and_then(|x| x.as_str().map(String::from))
        .unwrap_or_default()
}
