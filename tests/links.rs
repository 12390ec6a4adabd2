//! Link strength is produced, not given (issue 12, `002`'s two elements): the claims of
//! `model::residents::links` on whole runs of the baseline at a small size.

mod common;
use common::{baseline, city, preset, run, total};

use linkage::engine::run::RegimeRun;
use linkage::engine::tally::Tally;
use linkage::model::issues::Category;
use linkage::scenario::{Scenario, builtin};

/// Mean link strength of a unit's residents on a day's tally.
fn link(t: &Tally) -> f64 {
    t.link / t.residents as f64
}

#[test]
fn link_strength_rises_over_a_year_under_linkage_and_not_under_fragmented() {
    // From the drawn state (no warm-up): the claim is about how links are built.
    let mut s = baseline(6000);
    s.run.warmup = 0;
    let last = s.run.ticks as usize - 1;
    let linkage = run(&s, preset("linkage"));
    let (start, end) = (link(city(&linkage, 0)), link(city(&linkage, last)));
    assert!(
        end > start + 0.03,
        "linkage should build links: {start:.3} → {end:.3}"
    );
    // In every county, not only on average.
    for (k, (first, now)) in linkage.history[0]
        .iter()
        .zip(&linkage.history[last])
        .enumerate()
    {
        assert!(link(now) > link(first), "county {k}");
    }
    for name in ["fragmented", "integrated"] {
        let r = run(&s, preset(name));
        let (start, end) = (link(city(&r, 0)), link(city(&r, last)));
        assert!(
            end <= start,
            "{name} invests little in links, which should wear down: {start:.3} → {end:.3}"
        );
    }
}

#[test]
fn outreach_is_paid_in_grid_staff_hours_and_builds_the_links() {
    let s = baseline(3000);
    let mut none = s.clone();
    none.links.outreach_hours_per_1000 = 0.0;
    let with = run(&s, preset("linkage"));
    let without = run(&none, preset("linkage"));
    let last = s.run.ticks as usize - 1;
    assert!(
        total(&with, |t| t.staff_hours) > total(&without, |t| t.staff_hours),
        "outreach hours must be counted as staff-hours"
    );
    assert!(link(city(&with, last)) > link(city(&without, last)) + 0.02);
}

#[test]
fn links_without_shared_goals_leave_residents_and_organisations_linked_without_acting() {
    let s = baseline(3000);
    let mut hollow = s.clone();
    hollow.links.goals_recognition = 0.0;
    hollow.links.goals_points = 0.0;
    let keen = run(&s, preset("linkage"));
    let idle = run(&hollow, preset("linkage"));
    let fragmented = run(&s, preset("fragmented"));
    let last = s.run.ticks as usize - 1;
    // The links are there all the same, well above what fragmentation keeps (without
    // volunteers the grids are busier and visit less, so they need not grow) ...
    assert!(
        link(city(&idle, last)) > link(city(&fragmented, last)) + 0.05,
        "hollow links {:.3} vs fragmented {:.3}",
        link(city(&idle, last)),
        link(city(&fragmented, last))
    );
    // ... but nobody acts on them (只联不动): no resident starts volunteering, and
    // linked organisations stay inactive.
    assert!(total(&keen, |t| t.volunteers as f64) > 0.0);
    assert_eq!(total(&idle, |t| t.volunteers as f64), 0.0);
    assert_eq!(total(&idle, |t| t.orgs_active as f64), 0.0);
    assert!(city(&idle, last).orgs_linked_inactive > 0);
    assert!(city(&keen, last).orgs_active > 0);
}

#[test]
fn departments_linked_without_shared_goals_sign_for_shared_issues_and_leave_them() {
    let s = baseline(3000);
    let mut hollow = s.clone();
    hollow.links.dept_goals_base = 0.0;
    hollow.links.dept_goals_assessment = 0.0;
    hollow.links.dept_goals_leading_group = 0.0;
    let keen = run(&s, preset("linkage"));
    let idle = run(&hollow, preset("linkage"));
    let inactive = |r: &RegimeRun| total(r, |t| t.depts_linked_inactive as f64);
    // 只联不动: departments linked on the platform acknowledge shared issues and leave them
    // on many days of the year ...
    assert!(
        inactive(&idle) > 100.0,
        "department-days linked but inactive: {}",
        inactive(&idle)
    );
    // ... where the linkage preset's joint assessment makes them act.
    assert!(
        inactive(&keen) < inactive(&idle),
        "linkage {} vs hollow {}",
        inactive(&keen),
        inactive(&idle)
    );
    // The shared issues they leave wait and expire: fewer are solved.
    let shared = |r: &RegimeRun| {
        total(r, |t| {
            (t.category_resolved[Category::CrossDepartment as usize]
                + t.category_resolved[Category::CrossRegion as usize]) as f64
        })
    };
    assert!(
        shared(&idle) < 0.8 * shared(&keen),
        "shared issues solved: hollow {} vs linkage {}",
        shared(&idle),
        shared(&keen)
    );
}

#[test]
fn a_scenario_file_without_a_links_section_loads_with_the_defaults() {
    let baseline = builtin::xcity_baseline();
    let mut table: toml::Table = toml::from_str(&baseline.to_toml()).unwrap();
    assert!(table.remove("links").is_some(), "[links] is written out");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("params.toml");
    std::fs::write(&path, toml::to_string(&table).unwrap()).unwrap();
    let loaded = Scenario::load(path.to_str().unwrap()).unwrap();
    assert_eq!(loaded.to_toml(), baseline.to_toml());
}

#[test]
fn link_parameters_out_of_range_are_refused_by_name() {
    let mut s = baseline(3000);
    s.links.decay = 1.5;
    s.links.contact_hours = 0.0;
    let e = s.validate().unwrap_err().to_string();
    assert!(
        e.contains("links.decay") && e.contains("from 0 to 1"),
        "{e}"
    );
    assert!(e.contains("links.contact_hours"), "{e}");
}
