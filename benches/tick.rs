//! Benchmarks (`cargo bench`; about 5 minutes; `cargo bench -- --quick` for CI, under
//! one minute):
//!
//! - `tick`: one tick of the full model (one regime of the default scenario) at 10,000,
//!   100,000 and 1,000,000 residents, on 1 and 2 threads. The world is built once and
//!   each iteration advances it a day, so the days measured pass through the burn-in
//!   and the flood. Throughput is in resident-ticks (elements) a second.
//! - `epstein_1000_ticks`: Epstein's Model I, 40×40, vision 7.
//! - `sweep_200_runs`: sweep throughput on 1 and 2 threads.
//!
//! `linkage bench` measures the same in child processes, adds memory, and checks the
//! targets of docs/performance.md.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use linkage::engine::world::World;
use linkage::model::mechanisms::Mechanisms;
use linkage::scenario::builtin;
use std::time::Duration;

fn ticks(c: &mut Criterion) {
    let mut group = c.benchmark_group("tick");
    group.sample_size(10);
    for residents in [10_000u64, 100_000, 1_000_000] {
        let mut s = builtin::get(builtin::DEFAULT).unwrap();
        s.run.residents = residents;
        // Enough ticks for 10 samples of the largest size without a warning.
        group.measurement_time(Duration::from_secs(if residents >= 1_000_000 {
            12
        } else {
            5
        }));
        group.throughput(Throughput::Elements(residents));
        for threads in [1usize, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut world = pool.install(|| World::new(&s, Mechanisms::preset("linkage").unwrap()));
            group.bench_function(
                BenchmarkId::new(format!("{threads}_threads"), residents),
                |b| b.iter(|| pool.install(|| world.step())),
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
                        format: sweep::Format::Csv,
                        on_run: Box::new(|| {}),
                        on_start: Box::new(|_| {}),
                        stop: None,
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
