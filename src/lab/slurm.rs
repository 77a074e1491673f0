//! Slurm job arrays: one sbatch script whose array tasks each run a deterministic shard of a sweep
//! (many runs per task: Slurm spends about a second scheduling each task, so one task per run or per
//! evaluation would waste the cluster). All tasks write into one shared results directory.

use std::fmt::Write;
use std::path::PathBuf;

/// What the script needs to know.
#[derive(Clone, Debug, PartialEq)]
pub struct SlurmParams {
    /// Sweep name (job name).
    pub sweep: String,
    /// Absolute paths: the hwgym binary, the recipe, the results directory, the working directory.
    pub binary: PathBuf,
    pub recipe: PathBuf,
    pub out: PathBuf,
    pub workdir: PathBuf,
    /// Array tasks (clamped to the number of runs by [`tasks_for`]).
    pub tasks: usize,
    pub cpus_per_task: usize,
    pub partition: Option<String>,
    /// Slurm time limit per task, e.g. `02:00:00`.
    pub time: Option<String>,
    pub memory: Option<String>,
}

/// The number of array tasks to use for `runs` runs when `requested` were asked for.
pub fn tasks_for(requested: usize, runs: usize) -> usize {
    requested.clamp(1, runs.max(1))
}

fn quote(p: &std::path::Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

/// The sbatch script.
pub fn script(p: &SlurmParams) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "#!/bin/bash");
    let _ = writeln!(
        s,
        "# hwgym sweep `{}` as a Slurm job array: task i of N runs shard i/N of the recipe's runs.",
        p.sweep
    );
    let _ = writeln!(s, "# Submit: sbatch <this file>");
    let _ = writeln!(s, "#SBATCH --job-name=hwgym-{}", p.sweep);
    let _ = writeln!(s, "#SBATCH --array=0-{}", p.tasks.max(1) - 1);
    let _ = writeln!(s, "#SBATCH --cpus-per-task={}", p.cpus_per_task.max(1));
    let _ = writeln!(s, "#SBATCH --ntasks=1");
    if let Some(part) = &p.partition {
        let _ = writeln!(s, "#SBATCH --partition={part}");
    }
    if let Some(t) = &p.time {
        let _ = writeln!(s, "#SBATCH --time={t}");
    }
    if let Some(m) = &p.memory {
        let _ = writeln!(s, "#SBATCH --mem={m}");
    }
    let _ = writeln!(s, "#SBATCH --output={}/slurm/%A_%a.out", p.out.display());
    let _ = writeln!(s, "set -euo pipefail");
    let _ = writeln!(s, "cd {}", quote(&p.workdir));
    let _ = writeln!(
        s,
        "# hwgym reads the shard from SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT; finished runs are skipped,"
    );
    let _ = writeln!(s, "# so resubmitting the script resumes the sweep.");
    let _ = writeln!(
        s,
        "exec {} run {} --out {} --jobs \"${{SLURM_CPUS_PER_TASK:-{}}}\" --shard \"$((SLURM_ARRAY_TASK_ID - ${{SLURM_ARRAY_TASK_MIN:-0}}))/${{SLURM_ARRAY_TASK_COUNT}}\"",
        quote(&p.binary),
        quote(&p.recipe),
        quote(&p.out),
        p.cpus_per_task.max(1)
    );
    s
}
