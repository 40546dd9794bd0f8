//! Lists: `?limit=` (default 50, at most 200) and an opaque `?cursor=`; the body is
//! `{items, next_cursor}`.

use serde::Serialize;
use utoipa::ToSchema;

use caselog_platform::http::Problem;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

pub fn limit(requested: Option<i64>) -> Result<i64, Problem> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
        Some(_) => Err(Problem::validation(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        ))),
    }
}

/// A log-position cursor (`after`): 0, the default, is before the first event.
pub fn after_position(after: Option<i64>) -> Result<caselog_schemas::Position, Problem> {
    match after.unwrap_or(0) {
        after if after >= 0 => Ok(caselog_schemas::Position(after)),
        _ => Err(Problem::validation(
            "after must be a log position (0 or more)",
        )),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// A page of at most `limit` items; `cursor_of` names the last item when more may follow.
    pub fn new(items: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> String) -> Self {
        let next_cursor = if items.len() as i64 == limit {
            items.last().map(cursor_of)
        } else {
            None
        };
        Self { items, next_cursor }
    }
}

pub fn invalid_cursor() -> Problem {
    Problem::validation("cursor is not one this API returned")
}
