//! Telling a passing outage of a dependency from a bug. A transient error is worth
//! retrying (a projector keeps retrying it, an HTTP caller is told 503 with
//! `Retry-After`); anything else is permanent (a projector sets the event aside, a
//! caller gets an opaque 500).

use std::error::Error;

/// True when `error`, or anything that caused it, is Postgres or the network being
/// unreachable, restarting, overloaded or timing out, or a transaction that lost a
/// serialization race or a deadlock: the same work may succeed if tried again.
pub fn is_transient(error: &(dyn Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(error) = error.downcast_ref::<sqlx::Error>() {
            return sqlx_is_transient(error);
        }
        if error.downcast_ref::<std::io::Error>().is_some()
            || error
                .downcast_ref::<tokio::time::error::Elapsed>()
                .is_some()
        {
            return true;
        }
        cause = error.source();
    }
    false
}

/// [`is_transient`] for anything `anyhow` wraps.
pub fn is_transient_anyhow(error: &anyhow::Error) -> bool {
    error.chain().any(is_transient)
}

fn sqlx_is_transient(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(error) => error.code().is_some_and(|code| transient_sqlstate(&code)),
        _ => false,
    }
}

/// SQLSTATEs that describe the server's condition, not the statement.
fn transient_sqlstate(code: &str) -> bool {
    // 08: connection exception; 53: insufficient resources (too many connections,
    // out of memory or disk); 57P01-57P03: shutting down, crashed, starting up;
    // 57014: cancelled (statement_timeout); 55P03: lock_timeout; 25P03: idle in
    // transaction too long; 40001/40P01: serialization failure, deadlock.
    code.starts_with("08")
        || code.starts_with("53")
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "57014" | "55P03" | "25P03" | "40001" | "40P01"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_and_pool_errors_are_transient_wherever_they_sit_in_the_chain() {
        let io = sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionReset));
        assert!(is_transient(&io));
        assert!(is_transient(&sqlx::Error::PoolTimedOut));
        let wrapped = anyhow::Error::new(sqlx::Error::PoolClosed).context("reading the inbox");
        assert!(is_transient_anyhow(&wrapped));
    }

    #[test]
    fn a_missing_row_or_a_bug_is_not_transient() {
        assert!(!is_transient(&sqlx::Error::RowNotFound));
        assert!(!is_transient_anyhow(&anyhow::anyhow!("no such column")));
        assert!(!is_transient(&sqlx::Error::ColumnNotFound("x".into())));
    }

    #[test]
    fn sqlstates_of_the_servers_condition_are_transient_and_of_the_statement_are_not() {
        for code in [
            "08006", "57P01", "57P03", "53300", "40001", "40P01", "57014",
        ] {
            assert!(transient_sqlstate(code), "{code}");
        }
        for code in ["23505", "42P01", "22P02", "P0001"] {
            assert!(!transient_sqlstate(code), "{code}");
        }
    }
}
