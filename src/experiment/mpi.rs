//! The MPI runner: `mpirun -np N linkage sweep FILE --mpi`. Rank 0 opens the sweep folder
//! (lock, resume), hands run ids to the other ranks one at a time as they ask, writes
//! each returned run (its series block, then its row, as `sweep::Sink` does for
//! threads), and finishes the folder as a single-process sweep does, in the format asked
//! for (`Options::format`); ranks 1..N run.
//! Every rank loads the same plan from the same arguments.

use super::plan::Plan;
use super::sweep::{self, Options, Outcome, SweepError};
use mpi::traits::*;
use std::path::Path;

const STOP: u64 = u64::MAX;

/// Run the sweep over MPI. Returns `Some(outcome)` on rank 0, `None` on the others.
pub fn run(plan: &Plan, dir: &Path, o: &Options) -> Result<Option<Outcome>, SweepError> {
    let universe = mpi::initialize().ok_or(SweepError::NoMpi)?;
    let world = universe.world();
    let size = world.size();
    if size < 2 {
        return Err(SweepError::TooFewRanks);
    }
    if world.rank() != 0 {
        // A worker: announce, then run what rank 0 sends until it says stop.
        let root = world.process_at_rank(0);
        root.send(&Vec::<u8>::new()[..]);
        loop {
            let (id, _) = root.receive::<u64>();
            if id == STOP {
                return Ok(None);
            }
            let run = plan.runs[id as usize];
            root.send(&sweep::run_output(plan, &run).to_bytes()[..]);
        }
    }
    // Rank 0: schedule and write.
    let opened = sweep::open(plan, dir, o);
    let (todo, total, mut sink, header) = match opened {
        Ok(x) => (x.todo, x.total, x.sink, x.header),
        Err(e) => {
            // Release the workers before failing.
            for _ in 1..size {
                let (_, status) = world.any_process().receive_vec::<u8>();
                world.process_at_rank(status.source_rank()).send(&STOP);
            }
            return Err(e);
        }
    };
    (o.on_start)((total - todo.len()) as u64);
    let mut next = todo.iter();
    let mut stopped = 0;
    let mut error = None;
    while stopped < size - 1 {
        let (msg, status) = world.any_process().receive_vec::<u8>();
        let from = world.process_at_rank(status.source_rank());
        if !msg.is_empty() {
            let written = sweep::RunOutput::from_bytes(&msg)
                .ok_or(SweepError::MalformedRun)
                .and_then(|out| sink.write(&out));
            if let Err(e) = written {
                error = Some(e);
            }
            (o.on_run)();
        }
        match (error.is_none(), next.next()) {
            (true, Some(run)) => from.send(&run.id),
            _ => {
                from.send(&STOP);
                stopped += 1;
            }
        }
    }
    if let Some(e) = error {
        return Err(e);
    }
    sweep::finish(dir, &header, o.format)?;
    Ok(Some(Outcome {
        total,
        already_done: total - todo.len(),
        ran: todo.len(),
        complete: true,
    }))
}
