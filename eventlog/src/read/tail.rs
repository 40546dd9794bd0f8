//! The gap-free tail (README "The event log"): follows the log in position order and wakes on
//! new commits.
//!
//! Because the single writer assigns contiguous positions in commit order, "everything
//! after P" read at any moment is exactly what a later read would also find after P,
//! in the same order. The tail checks that contiguity on every batch and fails loudly
//! rather than skip an event if it ever broke.

use std::time::Duration;

use tokio::sync::watch;

use caselog_schemas::{EventEnvelope, Position};

use super::LogReader;
use crate::error::ReadError;

/// A cursor over the log that waits for new events.
pub struct LogTail {
    reader: LogReader,
    after: Position,
    head: watch::Receiver<Position>,
    /// Notifications can be lost (a listener reconnecting); polling bounds the delay.
    poll_interval: Duration,
}

impl LogTail {
    pub fn new(reader: LogReader, after: Position, head: watch::Receiver<Position>) -> Self {
        Self {
            reader,
            after,
            head,
            poll_interval: Duration::from_millis(500),
        }
    }

    /// The position of the last event returned.
    pub fn position(&self) -> Position {
        self.after
    }

    /// Returns the next events after the cursor (at most `limit`), waiting until there is
    /// at least one.
    pub async fn next_batch(&mut self, limit: i64) -> Result<Vec<EventEnvelope>, ReadError> {
        loop {
            // Mark the head as seen before reading, so a commit that lands between the
            // read and the wait below still wakes us at once.
            self.head.borrow_and_update();
            let events = self.reader.read_after(self.after, limit).await?;
            if !events.is_empty() {
                check_contiguous(self.after, &events)?;
                self.after = events.last().expect("not empty").position;
                return Ok(events);
            }
            match tokio::time::timeout(self.poll_interval, self.head.changed()).await {
                Ok(Ok(())) | Err(_) => {}
                // Nobody announces commits any more: fall back to polling.
                Ok(Err(_)) => tokio::time::sleep(self.poll_interval).await,
            }
        }
    }
}

fn check_contiguous(after: Position, events: &[EventEnvelope]) -> Result<(), ReadError> {
    let mut expected = after.next();
    for event in events {
        if event.position != expected {
            return Err(ReadError::Gap {
                after: expected.0 - 1,
                found: event.position.0,
            });
        }
        expected = expected.next();
    }
    Ok(())
}
