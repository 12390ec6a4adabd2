//! Throughput of the full model: one regime of the default scenario for 30 ticks at
//! 10,000 and 100,000 residents, on 1 and 2 threads. Criterion reports time per run;
//! resident-ticks per second = residents × 30 / time.
//!
//! Also Epstein's Model I (`epstein_1000_ticks`) and sweep throughput (`sweep_200_runs`). `cargo bench --bench tick`. The end-to-end figure of `linkage run` (3 regimes ×
//! 100,000 residents × 365 ticks) is printed by the run itself.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use linkage::engine::run::run_regime;
use linkage::model::mechanisms::Mechanisms;
use linkage::scenario::builtin;

fn ticks(c: &mut Criterion) {
    let mut group = c.benchmark_group("resident_ticks");
    group.sample_size(10);
    for residents in [10_000u64, 100_000] {
        let mut s = builtin::get("xcity-flood").unwrap();
        s.run.residents = residents;
        s.run.ticks = 30;
        s.shocks.clear();
        for threads in [1usize, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            group.throughput(Throughput::Elements(residents * 30));
            group.bench_with_input(
                BenchmarkId::new(format!("{threads}_threads"), residents),
                &s,
                |b, s| {
                    b.iter(|| {
                        pool.install(|| {
                            run_regime(s, "linkage", Mechanisms::preset("linkage").unwrap(), |_| {})
                        })
                    })
                },
            );
        }
    }
    group.finish();
}

/// Epstein's Model I: 40×40, vision 7, 1,000 ticks (target: well under a second).
fn epstein(c: &mut Criterion) {
    use linkage::validation::epstein::{Neighbourhood, Params, run};
    let mut group = c.benchmark_group("epstein_1000_ticks");
    group.sample_size(10);
    for nb in [Neighbourhood::Cross, Neighbourhood::Disc] {
        let mut p = Params::epstein(7, 0.82, Some(30), 0.04);
        p.neighbourhood = nb;
        p.ticks = 1000;
        group.throughput(Throughput::Elements(1184 * 1000));
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{nb:?}")),
            &p,
            |b, p| b.iter(|| run(p)),
        );
    }
    group.finish();
}

/// Sweep throughput: the 200-odd short runs of `benches/sweep-200.toml` on 1 and 2
/// threads (target: 2 threads ≥ 1.8× the throughput of 1).
fn sweep(c: &mut Criterion) {
    use linkage::experiment::{plan, sweep};
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/sweep-200.toml");
    let plan = plan::load(&path, plan::Overrides::default()).expect("benchmark experiment loads");
    let mut group = c.benchmark_group("sweep_200_runs");
    group.sample_size(10);
    group.throughput(Throughput::Elements(plan.runs.len() as u64));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        group.bench_function(
            BenchmarkId::from_parameter(format!("{threads}_threads")),
            |b| {
                b.iter(|| {
                    let o = sweep::Options {
                        shard: None,
                        restart: true,
                        on_run: Box::new(|| {}),
                        on_start: Box::new(|_| {}),
                    };
                    pool.install(|| sweep::run(&plan, dir.path(), &o))
                        .expect("sweep runs")
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, ticks, epstein, sweep);
criterion_main!(benches);
