//! The worker pool. Results never depend on the thread count; only speed does.

/// The pool could not be started (the OS refused the threads).
#[derive(Debug, thiserror::Error)]
#[error("cannot start {threads} threads: {source}")]
pub struct PoolError {
    pub threads: usize,
    #[source]
    pub source: rayon::ThreadPoolBuildError,
}

/// All cores of this machine (1 if the OS cannot tell).
pub fn all_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A pool of `threads` workers (`None`: all cores).
pub fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, PoolError> {
    let threads = threads.unwrap_or_else(all_cores);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| PoolError { threads, source })
}
