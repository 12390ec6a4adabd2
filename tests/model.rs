//! The model's claims as tests: conservation of issues, bounded states, determinism
//! across thread counts, and for each preset the condition under which it loses.

use linkage::engine::run::{RegimeRun, run_regime};
use linkage::engine::tally::Tally;
use linkage::engine::world::World;
use linkage::model::issues::Category;
use linkage::model::mechanisms::{Mechanisms, PRESET_NAMES};
use linkage::scenario::{Scenario, builtin};

/// A small X city under the flood: 4,000 residents, 180 days, flood on days 120-149.
fn small(residents: u64, ticks: u32) -> Scenario {
    let mut s = builtin::get("xcity-flood").unwrap();
    s.run.residents = residents;
    s.run.ticks = ticks;
    s.shocks.retain(|sh| sh.window().1 <= ticks);
    s.validate().unwrap();
    s
}

fn preset(name: &str) -> Mechanisms {
    Mechanisms::preset(name).unwrap()
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

fn run(s: &Scenario, name: &str, m: Mechanisms) -> RegimeRun {
    pool(2).install(|| run_regime(s, name, m, |_| {}))
}

fn city_total(r: &RegimeRun, f: fn(&Tally) -> u64) -> u64 {
    r.history.iter().map(|h| f(h.last().unwrap())).sum()
}

fn solution_rate(r: &RegimeRun) -> f64 {
    city_total(r, |t| t.resolved) as f64 / city_total(r, |t| t.created) as f64
}

fn category_service(r: &RegimeRun, c: Category) -> f64 {
    let res: u64 = r
        .history
        .iter()
        .map(|h| h.last().unwrap().category_resolved[c as usize] as u64)
        .sum();
    let exp: u64 = r
        .history
        .iter()
        .map(|h| h.last().unwrap().category_expired[c as usize] as u64)
        .sum();
    res as f64 / (res + exp) as f64
}

#[test]
fn issues_are_conserved_every_tick_at_every_level() {
    let s = small(4000, 160);
    for name in PRESET_NAMES {
        pool(2).install(|| {
            let mut w = World::new(&s, preset(name));
            let n_counties = w.territory().counties.len();
            let mut county_created = vec![0u64; n_counties];
            let mut county_closed = vec![0u64; n_counties];
            for _ in 0..s.run.ticks {
                w.step();
                // Township level: the ledger against a census of the issue store.
                let census = w.census();
                for (t, (l, open)) in w.ledger().iter().zip(&census).enumerate() {
                    assert_eq!(
                        l.created,
                        l.ended() + open,
                        "{name}: township {t} tick {}",
                        w.tick()
                    );
                }
                // County and city level: cumulative tallies against open counts.
                let tallies = w.tallies();
                for k in 0..n_counties {
                    county_created[k] += tallies[k].created;
                    county_closed[k] += tallies[k].ended();
                    assert_eq!(
                        county_created[k],
                        county_closed[k] + tallies[k].open,
                        "{name}: county {k} tick {}",
                        w.tick()
                    );
                }
                let city = &tallies[n_counties];
                let created: u64 = county_created.iter().sum();
                let closed: u64 = county_closed.iter().sum();
                assert_eq!(
                    created,
                    closed + city.open,
                    "{name}: city tick {}",
                    w.tick()
                );
                assert_eq!(city.open as usize, w.issues().live());
            }
        });
    }
}

#[test]
fn trust_hardship_and_probabilities_stay_in_unit_interval_and_finite() {
    let s = small(3000, 150);
    for name in PRESET_NAMES {
        pool(2).install(|| {
            let mut w = World::new(&s, preset(name));
            for _ in 0..s.run.ticks {
                w.step();
                let r = w.residents();
                let unit = |x: f32| x.is_finite() && (0.0..=1.0).contains(&x);
                for (i, (s, t)) in r.state.iter().zip(&r.traits).enumerate() {
                    for (field, x) in [
                        ("trust", s.trust),
                        ("hardship", s.hardship),
                        ("exposure", s.exposure),
                        ("link", r.link[i]),
                        ("digital", t.digital),
                        ("risk_aversion", t.risk_aversion),
                    ] {
                        assert!(unit(x), "{name}: {field} left [0,1] at tick {}", w.tick());
                    }
                }
                // (Word of mouth is kept in 16 bits clamped to [−1, 1]: its range
                // needs no check.)
                assert!(
                    r.state
                        .iter()
                        .all(|s| s.points.is_finite() && s.points >= 0.0)
                );
                for t in w.tallies() {
                    for v in [
                        t.trust,
                        t.hardship,
                        t.gain,
                        t.security,
                        t.happiness,
                        t.staff_hours,
                        t.coordination_hours,
                    ] {
                        assert!(
                            v.is_finite() && v >= 0.0,
                            "{name}: tally not finite at tick {}",
                            w.tick()
                        );
                    }
                    let n = t.residents as f64;
                    for v in [t.trust, t.hardship, t.gain, t.security, t.happiness] {
                        assert!(v <= n + 1e-6, "{name}: mean above 1");
                    }
                }
            }
        });
    }
}

#[test]
fn every_metric_is_a_number_where_defined() {
    let s = small(3000, 150);
    let r = run(&s, "linkage", preset("linkage"));
    let table = linkage::output::metrics::tick_table(&r.history, 7);
    let city = table.shape()[1] - 1;
    for (t, plane) in table.outer_iter().enumerate() {
        for (u, row) in plane.outer_iter().enumerate() {
            for (m, v) in row.iter().enumerate() {
                let name = linkage::output::metrics::TICK_METRICS[m].name;
                // Window metrics are undefined (NaN → empty cell) only when nothing closed
                // in the window: possible in the first days, and for the urban-rural gap
                // of a county whose small urban (or rural) part closed nothing that week.
                // City-wide, after the first days, every metric is a number.
                let window = matches!(
                    name,
                    "resolution_days_mean"
                        | "resolution_days_p90"
                        | "service_rate"
                        | "urban_rural_gap"
                );
                let gap_in_a_county = name == "urban_rural_gap" && u != city;
                // Means over the laid off are undefined without a closure, and shares of
                // the assistance issues that ended when none did in the window.
                let of_few = matches!(
                    name,
                    "laid_off_trust"
                        | "laid_off_hardship"
                        | "assistance_refused_share"
                        | "assistance_claimant_hardship"
                );
                assert!(
                    v.is_finite() || (window && t < 5) || gap_in_a_county || of_few,
                    "{name} at tick {t}, unit {u} is {v}"
                );
            }
        }
    }
}

fn fingerprint(r: &RegimeRun) -> String {
    format!("{:?}", r.history)
}

#[test]
fn same_seed_gives_identical_results_for_any_thread_count() {
    let s = small(5000, 140);
    for name in PRESET_NAMES {
        let one = pool(1).install(|| run_regime(&s, name, preset(name), |_| {}));
        let two = pool(2).install(|| run_regime(&s, name, preset(name), |_| {}));
        let three = pool(3).install(|| run_regime(&s, name, preset(name), |_| {}));
        assert_eq!(
            fingerprint(&one),
            fingerprint(&two),
            "{name}: 1 vs 2 threads"
        );
        assert_eq!(
            fingerprint(&one),
            fingerprint(&three),
            "{name}: 1 vs 3 threads"
        );
    }
    let mut other = s.clone();
    other.run.seed += 1;
    let a = run(&s, "linkage", preset("linkage"));
    let b = run(&other, "linkage", preset("linkage"));
    assert_ne!(
        fingerprint(&a),
        fingerprint(&b),
        "a different seed must give a different run"
    );
}

#[test]
fn integrated_loses_when_the_centres_capacity_is_cut() {
    let normal = small(8000, 150);
    let mut cut = normal.clone();
    cut.government.city_centre_staff_per_1000 /= 8.0;
    let integrated_normal = solution_rate(&run(&normal, "integrated", preset("integrated")));
    let integrated_cut = solution_rate(&run(&cut, "integrated", preset("integrated")));
    let fragmented_cut = solution_rate(&run(&cut, "fragmented", preset("fragmented")));
    let linkage_cut = solution_rate(&run(&cut, "linkage", preset("linkage")));
    assert!(
        integrated_normal > fragmented_cut,
        "integrated {integrated_normal:.3} should beat fragmented {fragmented_cut:.3} with a working centre"
    );
    assert!(
        integrated_cut < integrated_normal - 0.2,
        "cutting the centre should collapse integrated: {integrated_normal:.3} -> {integrated_cut:.3}"
    );
    assert!(
        integrated_cut < fragmented_cut && integrated_cut < linkage_cut,
        "with the centre cut integrated ({integrated_cut:.3}) should fall below fragmented ({fragmented_cut:.3}) and linkage ({linkage_cut:.3})"
    );
}

#[test]
fn linkage_loses_when_coordination_is_costly_and_links_are_weak() {
    let normal = small(8000, 150);
    // Weak links in the settled state (the warm-up would rebuild links that only start
    // weak): links start weak and nothing gives shared goals, as in xcity-hollow-links.
    let mut hollow = normal.clone();
    hollow.population.link_strength = 0.1;
    hollow.links.goals_base = 0.0;
    hollow.links.goals_recognition = 0.0;
    hollow.links.goals_points = 0.0;
    let mut costly = preset("linkage");
    costly.coordination_cost = 1.0;
    let linkage_normal = run(&normal, "linkage", preset("linkage"));
    let linkage_hollow = run(&hollow, "linkage", costly);
    let integrated_hollow = run(&hollow, "integrated", preset("integrated"));
    // Solution now has a quality ceiling and grid-first closes some issues beyond the
    // grid's skill, so linkage need not lead integrated on it; what hollow, costly
    // links must do is cost linkage its own standing and put it below integrated.
    assert!(
        solution_rate(&linkage_normal) > solution_rate(&linkage_hollow) + 0.05,
        "hollow, costly links should cost linkage: {:.3} -> {:.3}",
        solution_rate(&linkage_normal),
        solution_rate(&linkage_hollow)
    );
    assert!(
        solution_rate(&linkage_hollow) < solution_rate(&integrated_hollow),
        "hollow linkage ({:.3}) should fall below integrated ({:.3})",
        solution_rate(&linkage_hollow),
        solution_rate(&integrated_hollow)
    );
    // 只联不动: organisations are linked but do not act.
    let last = linkage_hollow.history.last().unwrap().last().unwrap();
    assert!(
        last.orgs_linked_inactive > 3 * last.orgs_active.max(1),
        "linked {} vs active {}",
        last.orgs_linked_inactive,
        last.orgs_active
    );
    let normal_last = linkage_normal.history.last().unwrap().last().unwrap();
    assert!(
        normal_last.orgs_active > normal_last.orgs_linked_inactive,
        "with strong links most linked organisations act"
    );
    let coord = |r: &RegimeRun| {
        r.history
            .iter()
            .map(|h| h.last().unwrap().coordination_hours)
            .sum::<f64>()
    };
    assert!(
        coord(&linkage_hollow) > 1.5 * coord(&linkage_normal),
        "coordination overhead should grow with its cost"
    );
}

#[test]
fn fragmented_loses_on_cross_county_issues() {
    let s = small(8000, 150);
    let runs: Vec<RegimeRun> = PRESET_NAMES
        .iter()
        .map(|&n| run(&s, n, preset(n)))
        .collect();
    let cross: Vec<f64> = runs
        .iter()
        .map(|r| category_service(r, Category::CrossRegion))
        .collect();
    let routine: Vec<f64> = runs
        .iter()
        .map(|r| category_service(r, Category::Routine))
        .collect();
    // fragmented, integrated, linkage
    let msg = format!(
        "cross-region service: fragmented {:.3}, integrated {:.3}, linkage {:.3}",
        cross[0], cross[1], cross[2]
    );
    assert!(
        cross[0] < cross[1] - 0.1 && cross[0] < cross[2] - 0.1,
        "{msg}"
    );
    // The others' shortfall includes closures that did not solve (a quality ceiling
    // every regime shares), so fragmented's is at least twice theirs, not more.
    assert!(
        1.0 - cross[0] > 2.0 * (1.0 - cross[1].min(cross[2])),
        "{msg}"
    );
    // Inside its own silo it still works: its shortfall is specific to crossing a border.
    // (Below the 0.9 quality ceiling by non-response and unreported issues.)
    assert!(
        routine[0] > 0.7,
        "fragmented routine service {:.3}",
        routine[0]
    );
    assert!(
        routine[2] - routine[0] < cross[2] - cross[0],
        "fragmented's gap should be wider across borders than within them"
    );
}

#[test]
fn the_flood_raises_emergencies_and_hurts_rural_service() {
    let flood = small(6000, 150);
    let mut calm = flood.clone();
    calm.shocks.clear();
    let m = preset("fragmented");
    let f = run(&flood, "fragmented", m);
    let c = run(&calm, "fragmented", m);
    let window = |r: &RegimeRun, g: &dyn Fn(&Tally) -> u64| {
        r.history[120..150]
            .iter()
            .map(|h| g(h.last().unwrap()))
            .sum::<u64>()
    };
    let emergencies = |t: &Tally| {
        (t.category_resolved[Category::Emergency as usize]
            + t.category_expired[Category::Emergency as usize]) as u64
    };
    assert!(
        window(&f, &emergencies) > 3 * window(&c, &emergencies).max(1),
        "the flood should multiply emergencies"
    );
    assert!(
        window(&f, &|t| t.created) as f64 > 1.1 * window(&c, &|t| t.created) as f64,
        "the flood should raise more issues"
    );
    assert!(
        window(&f, &|t| t.rural_expired) > window(&c, &|t| t.rural_expired),
        "the flood should make rural issues expire"
    );
    let before = |r: &RegimeRun| {
        r.history[..120]
            .iter()
            .map(|h| format!("{:?}", h))
            .collect::<String>()
    };
    assert_eq!(
        before(&f),
        before(&c),
        "nothing differs before the flood starts"
    );
}

/// A complete scenario file written before the rule constants became parameters (a
/// run's `params.toml` of an older version) still loads, and gets the old constants.
#[test]
fn older_complete_files_without_the_rule_parameters_load_with_the_old_values() {
    let base = builtin::xcity_baseline();
    let mut table: toml::Table = toml::from_str(&base.to_toml()).unwrap();
    let sections: [(&str, &[&str]); 3] = [
        (
            "government",
            &[
                "transfer_friction",
                "budget_cap_days",
                "leading_group_floor",
                "leading_group_rise",
                "patrol_floor",
                "patrol_information_gain",
                "cross_region_horizontal_weight",
                "cross_region_information_weight",
                "cross_region_patience_stretch",
                "dispatch_delay_days",
                "stage_delay_min_days",
            ],
        ),
        (
            "issues",
            &[
                "severity_base",
                "severity_min",
                "work_base",
                "late_resolution_discount",
                "first_stage_share",
            ],
        ),
        ("organisations", &["propensity_min"]),
    ];
    for (section, keys) in sections {
        let t = table[section].as_table_mut().unwrap();
        for k in keys {
            assert!(t.remove(*k).is_some(), "{section}.{k} is written out");
        }
    }
    let dir = std::env::temp_dir().join(format!("linkage-old-params-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("params.toml");
    std::fs::write(&path, toml::to_string(&table).unwrap()).unwrap();
    let old = Scenario::load(path.to_str().unwrap()).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(old.to_toml(), base.to_toml());
    assert_eq!(old.government.transfer_friction, 0.3);
    assert_eq!(old.government.budget_cap_days, 60.0);
    assert_eq!(
        (
            old.government.leading_group_floor,
            old.government.leading_group_rise
        ),
        (1.0, 2.0)
    );
    assert_eq!(
        (
            old.government.patrol_floor,
            old.government.patrol_information_gain
        ),
        (0.5, 0.5)
    );
}

/// The rule constants that became parameters (issue 11), with the values the rules used.
const RULE_CONSTANTS: [(&str, &str); 19] = [
    ("population", "digital_elderly"),
    ("population", "digital_spread"),
    ("population", "staff_contact_min"),
    ("population", "link_weight_staff"),
    ("population", "link_weight_org"),
    ("population", "link_weight_neighbours"),
    ("behaviour", "report_channel_base"),
    ("behaviour", "report_channel_sharing"),
    ("behaviour", "need_base"),
    ("behaviour", "need_hardship"),
    ("behaviour", "volunteer_capacity_youth"),
    ("behaviour", "volunteer_capacity_elderly"),
    ("behaviour", "volunteer_cognition_base"),
    ("behaviour", "volunteer_cognition_linkage"),
    ("behaviour", "volunteer_digital_base"),
    ("behaviour", "volunteer_digital"),
    ("behaviour", "volunteer_environment_base"),
    ("behaviour", "volunteer_environment_cap"),
    ("behaviour", "volunteer_neighbours"),
];

#[test]
fn a_params_file_from_before_the_rule_constants_were_parameters_loads_as_the_baseline() {
    let baseline = builtin::xcity_baseline();
    let mut table: toml::Table = toml::from_str(&baseline.to_toml()).unwrap();
    for (section, key) in RULE_CONSTANTS {
        let removed = table[section].as_table_mut().unwrap().remove(key);
        assert!(removed.is_some(), "{section}.{key} is not in the baseline");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("params.toml");
    std::fs::write(&path, toml::to_string(&table).unwrap()).unwrap();
    let loaded = Scenario::load(path.to_str().unwrap());
    assert_eq!(
        loaded.unwrap().to_toml(),
        baseline.to_toml(),
        "the defaults of the new parameters must be the baseline's values"
    );
}

/// The staffing target (docs/scenarios.md, `[government]`): in the baseline the busiest
/// tenth of offices runs near full under the presets that work their issues, while the
/// city as a whole keeps slack; doubling every office's staff leaves them slack. The
/// busiest tenth is averaged over three seeds: at 8,000 residents one seed's figure for
/// integrated ranged from 0.91 to 0.96 over seven seeds, so a single seed tests the
/// draws as much as the staffing.
#[test]
fn baseline_staffing_runs_the_busiest_offices_near_full() {
    use linkage::output::metrics::busiest;
    let mut s = builtin::get("xcity-baseline").unwrap();
    s.run.residents = 8000;
    s.validate().unwrap();
    let seed = s.run.seed;
    for name in ["integrated", "linkage"] {
        let (mut b, mut mean) = (0.0, 0.0);
        for k in 0..3 {
            s.run.seed = seed + k;
            let r = run(&s, name, preset(name));
            let one = busiest(&r.office_utilisation);
            assert!(
                (0.70..=0.97).contains(&one),
                "{name}, seed {}: busiest tenth of offices at {one:.3}",
                s.run.seed
            );
            b += one / 3.0;
            mean +=
                r.office_utilisation.iter().sum::<f64>() / r.office_utilisation.len() as f64 / 3.0;
        }
        assert!(
            (0.75..=0.95).contains(&b),
            "{name}: busiest tenth of offices at {b:.3} (mean of 3 seeds), target 0.75-0.95"
        );
        assert!(mean < 0.75, "{name}: offices' mean utilisation {mean:.3}");
    }
    s.run.seed = seed;
    s.government.scale_staff(2.0);
    let doubled = run(&s, "linkage", preset("linkage"));
    let b = busiest(&doubled.office_utilisation);
    assert!(
        b < 0.75,
        "at double staff the busiest should be slack: {b:.3}"
    );
}

/// Mean of `f` per resident over the city rows of days `from..to`.
fn per_resident(r: &RegimeRun, from: usize, to: usize, f: fn(&Tally) -> f64) -> f64 {
    let rows = &r.history[from..to];
    rows.iter()
        .map(|h| {
            let c = h.last().unwrap();
            f(c) / c.residents as f64
        })
        .sum::<f64>()
        / rows.len() as f64
}

/// The relative gaps of trust, happiness and link strength between a run's first week
/// and its second half year; and its protesters on days 0-4 against five times the
/// year's daily mean.
fn start_transient(s: &Scenario, name: &str) -> ([f64; 3], u64, f64) {
    let r = run(s, name, preset(name));
    let n = r.history.len();
    let metrics: [fn(&Tally) -> f64; 3] = [|t| t.trust, |t| t.happiness, |t| t.link];
    let gaps = metrics.map(|f| {
        let (first, late) = (per_resident(&r, 0, 7, f), per_resident(&r, n / 2, n, f));
        ((first - late) / late).abs()
    });
    let early: u64 = (0..5)
        .map(|t| r.history[t].last().unwrap().protesters)
        .sum();
    let daily = city_total(&r, |t| t.protesters) as f64 / n as f64;
    (gaps, early, 5.0 * daily)
}

/// After the warm-up, trust and happiness start within 1% of where they are half a year
/// later, and link strength (the slowest state: it decays by 0.4% a day) within 6%; no
/// burst of protest on the first days. Without the warm-up the drawn state relaxes
/// through the year.
#[test]
fn a_run_starts_stationary_after_its_warm_up_and_not_without() {
    let mut s = builtin::xcity_baseline();
    s.run.residents = 4000;
    for name in PRESET_NAMES {
        let ([trust, happiness, link], early, usual) = start_transient(&s, name);
        let pct = |x: f64| format!("{:.2}%", x * 100.0);
        assert!(
            trust < 0.01 && happiness < 0.01 && link < 0.06,
            "{name}: the first week is off the second half year by {} (trust), {} (happiness), {} (link)",
            pct(trust),
            pct(happiness),
            pct(link)
        );
        assert!(
            early as f64 <= (2.0 * usual).max(5.0),
            "{name}: {early} protester-days on days 0-4 against {usual:.1} usual"
        );
    }
    s.run.warmup = 0;
    let ([_, _, link], _, _) = start_transient(&s, "fragmented");
    assert!(
        link > 0.1,
        "without warm-up link strength is only {:.1}% off",
        link * 100.0
    );
}

/// The flood's surge of emergencies convenes the leading group (a declared emergency),
/// which the open-issue load alone never does in the baseline.
#[test]
fn a_flood_convenes_the_leading_group_through_its_emergencies() {
    let mut s = builtin::get("xcity-flood").unwrap();
    s.run.residents = 8000;
    let days = |s: &Scenario| {
        let r = run(s, "linkage", preset("linkage"));
        (r.history.iter())
            .filter(|h| h.last().unwrap().leading_group)
            .count()
    };
    let with = days(&s);
    assert!(with > 0, "the flood never convened the leading group");
    s.government.leading_group_emergencies = 1e6;
    let without = days(&s);
    assert!(
        without < with,
        "emergencies did not convene it: {with} days with, {without} without"
    );
    let mut b = builtin::xcity_baseline();
    b.run.residents = 8000;
    let r = run(&b, "linkage", preset("linkage"));
    assert!(!r.history.iter().any(|h| h.last().unwrap().leading_group));
}
