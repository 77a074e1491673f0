//! Typed agent parameters: parsed from JSON with unknown fields rejected, then range-checked.

use gym::AgentError;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Params of one agent kind. `Default` gives the documented defaults.
pub trait AgentParams: DeserializeOwned + Serialize + Default {
    /// Range checks; the message names the field (`mutation: must be in [0, 1], got 2`).
    fn validate(&self) -> Result<(), String> {
        Ok(())
    }

    /// The default params as JSON (for listings and resolved specs).
    fn defaults_json() -> serde_json::Value {
        serde_json::to_value(Self::default()).expect("params serialise")
    }

    /// Parses and validates `value` (`null` means all defaults); errors name the agent and the field.
    fn parse(agent: &str, value: &serde_json::Value) -> Result<Self, AgentError> {
        let params: Self = if value.is_null() {
            Self::default()
        } else {
            serde_json::from_value(value.clone()).map_err(|e| AgentError::BadParams {
                agent: agent.to_string(),
                message: e.to_string(),
            })?
        };
        params.validate().map_err(|message| AgentError::BadParams {
            agent: agent.to_string(),
            message,
        })?;
        Ok(params)
    }
}

/// `Err("field: must be in [lo, hi], got x")` unless `lo <= x <= hi`.
pub fn check_range<T: PartialOrd + std::fmt::Display>(
    field: &str,
    x: T,
    lo: T,
    hi: T,
) -> Result<(), String> {
    if lo <= x && x <= hi {
        Ok(())
    } else {
        Err(format!("{field}: must be in [{lo}, {hi}], got {x}"))
    }
}
