//! Each shock's mechanism moves the right metric in the right direction.

use linkage::engine::run::{RegimeRun, run_regime};
use linkage::engine::tally::Tally;
use linkage::engine::world::World;
use linkage::model::issues::Category;
use linkage::model::mechanisms::Mechanisms;
use linkage::model::residents::PROTESTING;
use linkage::model::shocks::{ActiveShock, Pressures, Shock};
use linkage::model::territory::Territory;
use linkage::scenario::{Scenario, builtin};

fn scenario(name: &str, residents: u64, ticks: u32) -> Scenario {
    let mut s = builtin::get(name).unwrap();
    s.run.residents = residents;
    s.run.ticks = ticks;
    s.validate().unwrap();
    s
}

fn linkage() -> Mechanisms {
    Mechanisms::preset("linkage").unwrap()
}

fn city(r: &RegimeRun, t: usize) -> &Tally {
    r.history[t].last().unwrap()
}

fn series(r: &RegimeRun, f: impl Fn(&Tally) -> f64) -> Vec<f64> {
    r.history.iter().map(|h| f(h.last().unwrap())).collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn epidemic_infections_rise_and_fall_and_staff_capacity_dips() {
    // Under the fragmented regime the epidemic runs its wave within the year (the
    // stronger regimes hold it near the threshold: tests/epidemic.rs).
    let s = scenario("xcity-epidemic", 10_000, 365);
    let fragmented = Mechanisms::preset("fragmented").unwrap();
    let r = run_regime(&s, "fragmented", fragmented, |_| {});
    let infected = series(&r, |t| t.health[2] as f64);
    let (peak_t, peak) = infected
        .iter()
        .enumerate()
        .fold((0, 0.0f64), |b, (i, &v)| if v > b.1 { (i, v) } else { b });
    let seeded = infected[120];
    assert!(
        infected[..120].iter().all(|&v| v == 0.0),
        "no one is ill before the epidemic"
    );
    assert!(
        peak > 10.0 * seeded.max(1.0),
        "infections should rise: seeded {seeded}, peak {peak}"
    );
    assert!(peak_t > 120, "the peak comes after the start");
    assert!(
        *infected.last().unwrap() < 0.2 * peak,
        "infections should fall: peak {peak}, end {}",
        infected.last().unwrap()
    );
    let recovered = city(&r, 364).health[3];
    assert!(recovered as f64 > peak, "many recover");
    let capacity = series(&r, |t| t.capacity_hours);
    let before = mean(&capacity[100..120]);
    let trough = capacity[120..]
        .iter()
        .cloned()
        .fold(f64::INFINITY, f64::min);
    assert!(
        trough < 0.97 * before,
        "sick staff cut capacity: {before:.0} -> {trough:.0}"
    );
    let emergencies = |t: &Tally| {
        (t.category_resolved[Category::Emergency as usize]
            + t.category_expired[Category::Emergency as usize]) as f64
    };
    assert!(
        series(&r, emergencies)[peak_t.saturating_sub(10)..peak_t + 10]
            .iter()
            .sum::<f64>()
            > 5.0
                * series(&r, emergencies)[80..100]
                    .iter()
                    .sum::<f64>()
                    .max(1.0),
        "the sick raise health issues"
    );
}

#[test]
fn quarantine_slows_the_epidemic_while_it_lasts() {
    let with = |q: f64| {
        let mut s = scenario("xcity-epidemic", 8000, 200);
        if let linkage::model::shocks::Shock::Epidemic(e) = &mut s.shocks[0] {
            e.quarantine = q;
        }
        let r = run_regime(&s, "linkage", linkage(), |_| {});
        // Ever infected by the end of the quarantine window (day 179).
        let t = city(&r, 179);
        (t.health[1] + t.health[2] + t.health[3]) as f64
    };
    let (none, strict) = (with(0.0), with(0.9));
    assert!(
        strict < 0.5 * none,
        "quarantine thins the ties that carry infection: {none} ever infected without, {strict} with"
    );
}

#[test]
fn rumour_costs_less_trust_where_information_is_shared() {
    let s = scenario("xcity-rumour", 10_000, 200);
    let mut open = linkage();
    open.information_sharing = 0.95;
    let mut silo = linkage();
    silo.information_sharing = 0.05;
    let drop = |m: Mechanisms| {
        let r = run_regime(&s, "x", m, |_| {});
        let trust = series(&r, |t| t.trust / t.residents as f64);
        let believers = series(&r, |t| t.believers as f64);
        (
            mean(&trust[100..120]) - trust[120..].iter().cloned().fold(f64::INFINITY, f64::min),
            believers.into_iter().fold(0.0, f64::max),
        )
    };
    let (open_drop, open_peak) = drop(open);
    let (silo_drop, silo_peak) = drop(silo);
    assert!(
        silo_peak > 2.0 * open_peak,
        "the rumour spreads further without information sharing: {silo_peak} vs {open_peak}"
    );
    assert!(
        open_drop < 0.7 * silo_drop,
        "trust falls less with information sharing: {open_drop:.4} vs {silo_drop:.4}"
    );
    assert!(silo_drop > 0.005, "the rumour costs trust: {silo_drop:.4}");
}

/// Protester-days inside and outside the target, and incident-days (communities in an
/// incident, summed over ticks).
fn land_dispute(s: &Scenario, target: &linkage::model::shocks::Target) -> (u64, u64, u64) {
    let mut w = World::new(s, linkage());
    let hits = target.communities(w.territory());
    let (mut inside, mut outside, mut incidents) = (0u64, 0u64, 0u64);
    for _ in 0..s.run.ticks {
        w.step();
        incidents += w.tallies().last().unwrap().incidents_active;
        for (c, comm) in w.territory().communities.iter().enumerate() {
            let n = comm
                .residents
                .clone()
                .filter(|&i| w.residents().visible[i as usize].activity == PROTESTING)
                .count() as u64;
            if hits[c] { inside += n } else { outside += n }
        }
    }
    (inside, outside, incidents)
}

#[test]
fn land_dispute_brings_incidents_that_spill_over_and_mediation_contains_them() {
    let s = scenario("xcity-land-dispute", 60_000, 180);
    let target = s.shocks[0].target().clone();
    let (inside, outside, incidents) = land_dispute(&s, &target);
    let mut calm = s.clone();
    calm.shocks.clear();
    let (_, calm_outside, calm_incidents) = land_dispute(&calm, &target);
    assert!(
        incidents > calm_incidents + 2,
        "incidents appear: {calm_incidents} -> {incidents}"
    );
    assert!(
        inside > 1000,
        "protest in the township: {inside} protester-days"
    );
    // Protest spreads from community to community (one incident per community that
    // tips). Beyond the township, weak ties carry the word and the pull of protesting
    // ties (`collective.tie_pull`), but since issue 13 (adults only, own thresholds, a
    // day's cost) bystanders there stay off the street at this size: no fall, and in
    // practice no rise.
    assert!(
        incidents >= 30,
        "incidents in several communities for days: {incidents} incident-days"
    );
    assert!(
        outside >= calm_outside,
        "protest beyond the township: {calm_outside} -> {outside}"
    );
    let mut mediated = s.clone();
    mediated.government.mediation_share = 1.0;
    mediated.government.mediations_per_staff = 30.0;
    mediated.collective.presence_scale = 30.0;
    let (m_inside, _, m_incidents) = land_dispute(&mediated, &target);
    assert!(
        m_incidents < incidents && m_inside < inside / 2,
        "stronger mediation: incident-days {incidents} -> {m_incidents}, protester-days {inside} -> {m_inside}"
    );
}

#[test]
fn factory_closure_raises_hardship_and_assistance_in_its_county() {
    let hardship_of =
        |r: &RegimeRun, k: usize| r.history[200][k].hardship / r.history[200][k].residents as f64;
    let s = scenario("xcity-factory-closure", 10_000, 220);
    let mut calm = s.clone();
    calm.shocks.clear();
    let a = run_regime(&s, "linkage", linkage(), |_| {});
    let b = run_regime(&calm, "linkage", linkage(), |_| {});
    let county = 1; // County-level City
    let hardship = |r: &RegimeRun, t: usize| {
        r.history[t][county].hardship / r.history[t][county].residents as f64
    };
    assert!(
        hardship(&a, 200) > hardship(&b, 200) + 0.02,
        "closure raises hardship"
    );
    let assistance = |r: &RegimeRun| {
        // Assistance issues raised (counting the ended ones would undercount when a
        // closure's issues wait longer for budget and staff).
        r.history[120..210]
            .iter()
            .map(|h| h[county].category_created[3])
            .sum::<u32>()
    };
    assert!(
        2 * assistance(&a) > 3 * assistance(&b),
        "closure raises assistance issues: {} vs {}",
        assistance(&a),
        assistance(&b)
    );
    let core = |r: &RegimeRun| hardship_of(r, 0);
    let here = |r: &RegimeRun| hardship_of(r, county);
    assert!(
        (core(&a) - core(&b)).abs() < 0.1 * (here(&a) - here(&b)),
        "the closure stays mostly in its county"
    );
}

#[test]
fn fiscal_cut_cuts_capacity_and_service() {
    let s = scenario("xcity-fiscal-cut", 10_000, 320);
    let mut calm = s.clone();
    calm.shocks.clear();
    let m = Mechanisms::preset("fragmented").unwrap();
    let a = run_regime(&s, "f", m, |_| {});
    let b = run_regime(&calm, "f", m, |_| {});
    let cap = |r: &RegimeRun| mean(&series(r, |t| t.capacity_hours)[150..250]);
    assert!(
        cap(&a) < 0.8 * cap(&b),
        "staff capacity falls: {:.0} vs {:.0}",
        cap(&a),
        cap(&b)
    );
    let expired = |r: &RegimeRun| {
        series(r, |t| t.expired as f64)[130..300]
            .iter()
            .sum::<f64>()
    };
    assert!(
        expired(&a) > 1.2 * expired(&b),
        "more issues expire: {} vs {}",
        expired(&a),
        expired(&b)
    );
}

#[test]
fn compound_shocks_combine_their_effects() {
    let s = scenario("xcity-compound", 8000, 260);
    let r = run_regime(&s, "linkage", linkage(), |_| {});
    let emergencies = |t: &Tally| (t.category_resolved[6] + t.category_expired[6]) as f64;
    assert!(
        series(&r, emergencies)[120..135].iter().sum::<f64>()
            > 3.0
                * series(&r, emergencies)[90..105]
                    .iter()
                    .sum::<f64>()
                    .max(1.0),
        "the flood's emergencies"
    );
    // Ever infected (linkage's detection and isolation keep the wave itself small).
    let ever = |t: &Tally| (t.health[1] + t.health[2] + t.health[3]) as f64;
    assert!(
        series(&r, ever).into_iter().fold(0.0, f64::max) > 20.0,
        "the epidemic's infections"
    );
    assert!(
        series(&r, |t| t.believers as f64)
            .into_iter()
            .fold(0.0, f64::max)
            > 50.0,
        "the rumour's believers"
    );
}

/// A scenario with one shock written as TOML (`kind`, its fields, every county).
fn with_shock(shock_toml: &str) -> Scenario {
    let mut s = builtin::xcity_baseline();
    s.run.residents = 2000;
    let shock: Shock = toml::from_str(&format!("{shock_toml}\n[target]\n")).unwrap();
    s.shocks = vec![shock];
    s
}

fn problems(s: &Scenario) -> String {
    s.validate()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}

#[test]
fn a_window_starting_on_the_last_possible_day_is_refused_without_wrapping() {
    let s = with_shock("kind = \"flood\"\nstart = 4294967295\nduration = 1\nintensity = 0.5");
    let e = problems(&s);
    assert!(
        e.contains("shocks[0].start: is 4294967295") && e.contains("start + duration ≤ run.ticks"),
        "{e}"
    );
    assert!(!e.contains("is 0"), "the sum must not wrap: {e}");
    assert_eq!(s.shocks[0].end(), 4_294_967_296);
    // Inside the run but past its end: reported on the duration, with the true end.
    let s = with_shock("kind = \"rumour\"\nstart = 300\nduration = 4294967295\nintensity = 0.5");
    let e = problems(&s);
    assert!(
        e.contains("shocks[0].duration: the rumour runs to tick 4294967595"),
        "{e}"
    );
    let s = with_shock("kind = \"rumour\"\nstart = 300\nduration = 0\nintensity = 0.5");
    assert!(problems(&s).contains("shocks[0].duration: is 0"));
}

#[test]
fn every_coefficient_a_kind_declares_is_checked_under_its_own_name() {
    for example in builtin::example_shocks() {
        let kind = example.name();
        for (field, _, _) in example.fields() {
            let intensity = if field == "intensity" {
                ""
            } else {
                "intensity = 0.5\n"
            };
            let s = with_shock(&format!(
                "kind = \"{kind}\"\nstart = 10\nduration = 5\n{intensity}{field} = -1.0"
            ));
            let e = problems(&s);
            assert!(
                e.contains(&format!("shocks[0].{field}: is -1")),
                "{kind}.{field}: {e}"
            );
        }
        let ok = with_shock(&format!(
            "kind = \"{kind}\"\nstart = 10\nduration = 5\nintensity = 0.5"
        ));
        assert!(ok.validate().is_ok(), "{kind}: defaults are valid");
    }
}

#[test]
fn a_second_epidemic_or_rumour_is_refused_and_a_second_flood_is_not() {
    for (kind, refused) in [("epidemic", true), ("rumour", true), ("flood", false)] {
        let mut s = with_shock(&format!(
            "kind = \"{kind}\"\nstart = 10\nduration = 5\nintensity = 0.5"
        ));
        s.shocks.push(s.shocks[0].clone());
        let e = problems(&s);
        assert_eq!(
            e.contains(&format!("shocks[1].kind: is a second {kind}")),
            refused,
            "{kind}: {e}"
        );
    }
}

/// This tick's pressures of one shock over the baseline territory at 2,000 residents.
fn pressures(shock_toml: &str, tick: u32, info: f64) -> (Pressures, ActiveShock) {
    let s = with_shock(shock_toml);
    let territory = Territory::build(&s.territory, s.run.residents);
    let active = ActiveShock::new(s.shocks[0].clone(), &territory);
    let mut p = Pressures::new(territory.communities.len(), territory.counties.len());
    let mut m = linkage();
    m.information_sharing = info;
    active.apply(tick, &mut p, &m, &vec![0.0; territory.counties.len()]);
    (p, active)
}

#[test]
fn the_flood_county_share_and_the_rumour_debunk_floor_are_parameters_with_the_old_values() {
    let flood = "kind = \"flood\"\nstart = 10\nduration = 4\nintensity = 0.8";
    // Day 12 of a 4-day flood: strength 0.8 · (1 − 2/4) = 0.4.
    let (p, active) = pressures(flood, 12, 0.5);
    let s = 0.4f32;
    let k = active.county_hits.iter().position(|&h| h).unwrap();
    assert_eq!(p.county_capacity[k], 1.0 - 0.5 * s * 0.4f32);
    let (p, _) = pressures(&format!("{flood}\ncounty_loss_share = 1.0"), 12, 0.5);
    assert_eq!(p.county_capacity[k], 1.0 - s * 0.4f32);
    assert_eq!(
        pressures(flood, 14, 0.5).0.county_capacity[k],
        1.0,
        "after the window"
    );

    let rumour = "kind = \"rumour\"\nstart = 10\nduration = 4\nintensity = 1.0";
    let debunk = |extra: &str, info: f64| {
        pressures(&format!("{rumour}\n{extra}"), 11, info)
            .0
            .rumour
            .unwrap()
            .p_debunk
    };
    assert_eq!(debunk("", 0.5), (0.02 + 0.1 * 0.5f64) as f32);
    assert_eq!(debunk("debunk_base = 0.1", 0.0), 0.1);
    assert_eq!(debunk("debunk_base = 1.0", 1.0), 1.0, "a chance stays ≤ 1");
}

#[test]
fn new_shock_parameters_are_written_to_params_and_read_back() {
    let s = builtin::get("xcity-rumour").unwrap();
    let text = s.to_toml();
    assert!(text.contains("debunk_base = 0.02"), "{text}");
    let flood = builtin::get("xcity-flood").unwrap().to_toml();
    assert!(flood.contains("county_loss_share = 0.5"), "{flood}");
    let back: Scenario = toml::from_str(&flood).unwrap();
    assert_eq!(back.to_toml(), flood);
}

#[test]
fn each_shipped_single_shock_file_names_every_coefficient_of_its_kind() {
    let mut files = 0;
    for name in builtin::NAMES {
        let Some(text) = builtin::toml_source(name) else {
            continue;
        };
        let table: toml::Table = toml::from_str(text).unwrap();
        let Some([shock]) = table
            .get("shocks")
            .and_then(|s| s.as_array())
            .map(Vec::as_slice)
        else {
            continue;
        };
        files += 1;
        let kind = shock["kind"].as_str().unwrap();
        let example = builtin::example_shocks()
            .into_iter()
            .find(|s| s.name() == kind)
            .unwrap();
        for (field, _, _) in example.fields() {
            assert!(
                shock.get(field).is_some(),
                "scenarios/{name}.toml: the {kind} lacks `{field}` (shipped files show every coefficient)"
            );
        }
    }
    assert!(
        files >= 6,
        "a shipped file for each of the six first kinds: {files}"
    );
}

/// Share of the issues raised from the flood's start to 30 days after its end that were
/// solved (city-wide: the flood's surge is most of them).
fn flood_solved(s: &Scenario, m: Mechanisms) -> f64 {
    let r = run_regime(s, "test", m, |_| {});
    let (start, end) = s.shocks[0].window();
    let (mut solved, mut raised) = (0u64, 0u64);
    for t in start as usize..(end as usize + 30).min(r.history.len()) {
        let c = city(&r, t);
        solved += c.resolved;
        raised += c.created;
    }
    solved as f64 / raised.max(1) as f64
}

/// The regimes answer the flood through their mechanisms: linkage solves more than
/// fragmented, and less without spatial linkage (以城带乡: urban capacity sent to the
/// flooded countryside) or without social linkage (volunteers and organisations).
#[test]
fn the_flood_is_answered_through_spatial_and_social_linkage() {
    let s = scenario("xcity-flood", 8000, 200);
    let linked = flood_solved(&s, linkage());
    let fragmented = flood_solved(&s, Mechanisms::preset("fragmented").unwrap());
    let without = |f: fn(&mut Mechanisms)| {
        let mut m = linkage();
        f(&mut m);
        flood_solved(&s, m)
    };
    let no_spatial = without(|m| m.spatial = 0.0);
    let no_social = without(|m| m.social = 0.0);
    assert!(
        linked > fragmented + 0.1,
        "linkage {linked:.3} against fragmented {fragmented:.3}"
    );
    assert!(
        linked > no_spatial + 0.03,
        "linkage {linked:.3} against linkage without spatial linkage {no_spatial:.3}"
    );
    assert!(
        linked > no_social + 0.1,
        "linkage {linked:.3} against linkage without social linkage {no_social:.3}"
    );
}
