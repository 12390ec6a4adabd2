//! Property test: random valid parameter sets keep the model's invariants (issue
//! conservation, states in [0,1], finite tallies) under every kind of shock.

use linkage::engine::world::World;
use linkage::model::mechanisms::Mechanisms;
use linkage::model::shocks::Shock;
use linkage::scenario::builtin;
use proptest::prelude::*;

fn mechanisms() -> impl Strategy<Value = Mechanisms> {
    proptest::array::uniform10(0.0f64..=1.0).prop_map(|v| Mechanisms {
        information_sharing: v[0],
        vertical: v[1],
        horizontal: v[2],
        social: v[3],
        spatial: v[4],
        pooling: v[5],
        central_routing: v[6],
        grid_first: v[7],
        coordination_cost: v[8],
        supervision: v[9],
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_valid_parameters_keep_the_invariants(
        mech in mechanisms(),
        seed in 0u64..=i64::MAX as u64,
        residents in 300u64..2500,
        link in 0.0f64..=1.0,
        staff in 0.1f64..3.0,
        intensity in 0.0f64..=1.0,
        threshold in 0.0f64..=0.5,
        kind in 0usize..linkage::model::shocks::KINDS.len(),
    ) {
        let mut s = builtin::xcity_baseline();
        s.run.seed = seed;
        s.run.residents = residents;
        s.run.ticks = 50;
        s.run.burn_in = 5;
        s.population.link_strength = link;
        s.government.county_dept_staff_per_1000 *= staff;
        s.government.city_centre_staff_per_1000 *= staff;
        s.collective.threshold = threshold;
        let mut shock = builtin::example_shocks().swap_remove(kind);
        let common = shock.common_mut();
        (*common.start, *common.duration, *common.intensity) = (10, 20, intensity);
        if let Shock::Epidemic(x) = &mut shock {
            x.seed_share = 0.05;
        }
        s.shocks = vec![shock];
        prop_assert!(s.validate().is_ok(), "{:?}", s.validate());
        let mut w = World::new(&s, mech);
        let mut created = 0u64;
        let mut closed = 0u64;
        for _ in 0..s.run.ticks {
            w.step();
            let city = w.tallies().last().unwrap().clone();
            created += city.created;
            closed += city.ended();
            prop_assert_eq!(created, closed + city.open);
            for (l, open) in w.ledger().iter().zip(w.census()) {
                prop_assert_eq!(l.created, l.ended() + open);
            }
            for s in &w.residents().state {
                for x in [s.trust, s.hardship, s.exposure] {
                    prop_assert!(x.is_finite() && (0.0..=1.0).contains(&x));
                }
            }
            for t in w.tallies() {
                prop_assert!(t.trust.is_finite() && t.happiness.is_finite() && t.staff_hours.is_finite() && t.capacity_hours >= 0.0);
            }
        }
    }
}
