//! Synthesis recipes: sequences of ABC-RL's seven commands, parsing, aliases and native execution.

use std::fmt;

use crate::aig::Aig;
use crate::error::LogicError;

/// One of ABC-RL's seven optimisation commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Command {
    Balance,
    Rewrite,
    RewriteZ,
    Refactor,
    RefactorZ,
    Resub,
    ResubZ,
}

impl Command {
    /// The action set in ABC-RL's order (the categorical knob's labels).
    pub const ALL: [Command; 7] = [
        Command::Refactor,
        Command::RefactorZ,
        Command::Rewrite,
        Command::RewriteZ,
        Command::Resub,
        Command::ResubZ,
        Command::Balance,
    ];

    pub fn abc_text(self) -> &'static str {
        match self {
            Command::Balance => "balance",
            Command::Rewrite => "rewrite",
            Command::RewriteZ => "rewrite -z",
            Command::Refactor => "refactor",
            Command::RefactorZ => "refactor -z",
            Command::Resub => "resub",
            Command::ResubZ => "resub -z",
        }
    }

    pub fn parse(s: &str) -> Result<Command, LogicError> {
        let norm: Vec<&str> = s.split_whitespace().collect();
        let norm = norm.join(" ");
        Command::ALL
            .iter()
            .copied()
            .find(|c| {
                c.abc_text() == norm || c.abc_text().replace(' ', "") == norm.replace(' ', "")
            })
            .ok_or(LogicError::UnknownCommand(s.trim().to_string()))
    }

    /// Applies the command natively, in place.
    pub fn apply(self, aig: &mut Aig) {
        use crate::{balance, refactor, resub, rewrite};
        match self {
            Command::Balance => {
                *aig = balance::run(aig, &balance::Params::default()).0;
            }
            Command::Rewrite | Command::RewriteZ => {
                let p = rewrite::Params {
                    zero_gain: self == Command::RewriteZ,
                    ..Default::default()
                };
                rewrite::run(aig, &p);
            }
            Command::Refactor | Command::RefactorZ => {
                let p = refactor::Params {
                    zero_gain: self == Command::RefactorZ,
                    ..Default::default()
                };
                refactor::run(aig, &p);
            }
            Command::Resub | Command::ResubZ => {
                let p = resub::Params {
                    zero_gain: self == Command::ResubZ,
                    ..Default::default()
                };
                resub::run(aig, &p);
            }
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.abc_text())
    }
}

/// `resyn2` as ABC's standard `abc.rc` defines it.
pub const RESYN2: [Command; 10] = [
    Command::Balance,
    Command::Rewrite,
    Command::Refactor,
    Command::Balance,
    Command::Rewrite,
    Command::RewriteZ,
    Command::Balance,
    Command::RefactorZ,
    Command::RewriteZ,
    Command::Balance,
];

/// Parses `cmd; cmd; ...` (also newlines); `resyn2` expands to its ten commands; empty steps are skipped.
pub fn parse_recipe(text: &str) -> Result<Vec<Command>, LogicError> {
    let mut out = Vec::new();
    for step in text.split([';', '\n']) {
        let step = step.trim();
        if step.is_empty() {
            continue;
        }
        if step == "resyn2" {
            out.extend_from_slice(&RESYN2);
        } else {
            out.push(Command::parse(step)?);
        }
    }
    Ok(out)
}

pub fn recipe_text(recipe: &[Command]) -> String {
    recipe
        .iter()
        .map(|c| c.abc_text())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Runs the commands in order on a copy of `aig` and returns the compacted result.
pub fn run_native(aig: &Aig, recipe: &[Command]) -> Aig {
    let mut g = aig.compact();
    for c in recipe {
        c.apply(&mut g);
        g = g.compact();
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_recipes() {
        let r = parse_recipe("balance; rewrite -z;refactor  -z\nresub").unwrap();
        assert_eq!(
            r,
            vec![
                Command::Balance,
                Command::RewriteZ,
                Command::RefactorZ,
                Command::Resub
            ]
        );
        assert_eq!(parse_recipe("resyn2").unwrap().len(), 10);
        assert!(parse_recipe("balance; fraig").is_err());
    }
}
