//! Shards: a deterministic 1/N share of a sweep's runs, so N processes (or Slurm array tasks) can run
//! one sweep together without talking to each other.

use std::fmt;

/// Share `index` (0-based) of `count`: the runs whose position in the recipe is `index` modulo
/// `count`. Round-robin over recipe order keeps shards within one run of each other in size and mixes
/// agents, settings and seeds evenly, so shards take similar time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    #[error("shard `{0}`: expected I/N with 0 <= I < N (e.g. 0/4)")]
    Syntax(String),
    #[error("shard {index}/{count}: the index must be below the count (indices start at 0)")]
    OutOfRange { index: usize, count: usize },
    #[error("environment variable {name}=`{value}` is not a non-negative integer")]
    BadVariable { name: &'static str, value: String },
    #[error("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not (pass --shard I/N)")]
    MissingCount,
}

impl Shard {
    /// The whole sweep.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    pub fn new(index: usize, count: usize) -> Result<Self, ShardError> {
        if count == 0 || index >= count {
            return Err(ShardError::OutOfRange { index, count });
        }
        Ok(Shard { index, count })
    }

    /// Parses `I/N`.
    pub fn parse(text: &str) -> Result<Self, ShardError> {
        let syntax = || ShardError::Syntax(text.to_string());
        let (i, n) = text.split_once('/').ok_or_else(syntax)?;
        let i = i.trim().parse().map_err(|_| syntax())?;
        let n = n.trim().parse().map_err(|_| syntax())?;
        Shard::new(i, n)
    }

    /// The shard of a Slurm array task, from the values of `SLURM_ARRAY_TASK_ID`,
    /// `SLURM_ARRAY_TASK_COUNT` and `SLURM_ARRAY_TASK_MIN` (`None` outside a job array).
    pub fn from_slurm_vars(
        id: Option<&str>,
        count: Option<&str>,
        min: Option<&str>,
    ) -> Result<Option<Self>, ShardError> {
        let Some(id) = id else { return Ok(None) };
        let number = |name: &'static str, value: &str| {
            value
                .trim()
                .parse::<usize>()
                .map_err(|_| ShardError::BadVariable {
                    name,
                    value: value.to_string(),
                })
        };
        let id = number("SLURM_ARRAY_TASK_ID", id)?;
        let count = number(
            "SLURM_ARRAY_TASK_COUNT",
            count.ok_or(ShardError::MissingCount)?,
        )?;
        let min = min
            .map(|m| number("SLURM_ARRAY_TASK_MIN", m))
            .transpose()?
            .unwrap_or(0);
        Shard::new(id.saturating_sub(min), count).map(Some)
    }

    /// The shard of this process when it runs as a Slurm array task.
    pub fn from_env() -> Result<Option<Self>, ShardError> {
        let var = |name| std::env::var(name).ok();
        Shard::from_slurm_vars(
            var("SLURM_ARRAY_TASK_ID").as_deref(),
            var("SLURM_ARRAY_TASK_COUNT").as_deref(),
            var("SLURM_ARRAY_TASK_MIN").as_deref(),
        )
    }

    /// Whether the item at `position` (in recipe order) belongs to this shard.
    pub fn contains(&self, position: usize) -> bool {
        position % self.count == self.index
    }

    /// This shard's items, in order.
    pub fn select<'a, T>(&self, items: &'a [T]) -> Vec<&'a T> {
        items
            .iter()
            .enumerate()
            .filter(|(i, _)| self.contains(*i))
            .map(|(_, x)| x)
            .collect()
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(Shard::parse("1/4").unwrap(), Shard { index: 1, count: 4 });
        assert!(matches!(
            Shard::parse("4/4"),
            Err(ShardError::OutOfRange { .. })
        ));
        assert!(matches!(Shard::parse("1-4"), Err(ShardError::Syntax(_))));
        assert!(matches!(
            Shard::parse("0/0"),
            Err(ShardError::OutOfRange { .. })
        ));
    }

    #[test]
    fn slurm_variables() {
        assert_eq!(Shard::from_slurm_vars(None, Some("4"), None).unwrap(), None);
        assert_eq!(
            Shard::from_slurm_vars(Some("3"), Some("4"), Some("0")).unwrap(),
            Some(Shard { index: 3, count: 4 })
        );
        assert_eq!(
            Shard::from_slurm_vars(Some("5"), Some("4"), Some("2")).unwrap(),
            Some(Shard { index: 3, count: 4 })
        );
        assert_eq!(
            Shard::from_slurm_vars(Some("1"), None, None),
            Err(ShardError::MissingCount)
        );
        assert!(matches!(
            Shard::from_slurm_vars(Some("x"), Some("4"), None),
            Err(ShardError::BadVariable { .. })
        ));
    }
}
