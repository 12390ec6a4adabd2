//! Throughput of the full model: one regime of the default scenario for 30 ticks at
//! 10,000 and 100,000 residents, on 1 and 2 threads. Criterion reports time per run;
//! resident-ticks per second = residents × 30 / time.
//!
//! `cargo bench --bench tick`. The end-to-end figure of `linkage run` (3 regimes ×
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

criterion_group!(benches, ticks);
criterion_main!(benches);
