//! Trusting the log (README "Trusting the log"): a tenant's events or the whole log
//! walked with every chain and signed checkpoint, then held against the newest
//! checkpoint published on NATS, which survives a cut of the database.

use std::sync::Arc;

use async_nats::jetstream;
use async_nats::jetstream::stream::LastRawMessageErrorKind;

use caselog_eventlog::LogReader;
use caselog_eventlog::checkpoint::{STREAM_TYPE, TrustedKeys};
use caselog_eventlog::verify::{ChainWalk, Scope, TrustReport};
use caselog_platform::progress::Progress;
use caselog_schemas::events::{CheckpointEvent, SignedCheckpoint, from_stored};
use caselog_schemas::{EventEnvelope, SubjectRoot, TenantId, decode_msgpack};

/// Why a verification could not be completed (not: what it found).
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error(transparent)]
    Log(#[from] caselog_eventlog::ReadError),
    /// NATS did not answer: the published checkpoint could not be read.
    #[error("the checkpoints published on NATS could not be read: {0}")]
    Nats(String),
}

/// The checkpoints published on the JetStream stream: one message read by subject.
#[derive(Clone)]
pub struct PublishedCheckpoints {
    jetstream: jetstream::Context,
    stream_name: String,
    subjects: SubjectRoot,
}

impl PublishedCheckpoints {
    pub fn new(client: async_nats::Client, stream_name: String, subjects: SubjectRoot) -> Self {
        Self {
            jetstream: jetstream::new(client),
            stream_name,
            subjects,
        }
    }

    /// The tenant's newest checkpoint on NATS, if it has one.
    pub async fn of_tenant(
        &self,
        tenant_id: TenantId,
    ) -> Result<Option<(TenantId, SignedCheckpoint)>, TrustError> {
        let subject = self
            .subjects
            .subject_of(tenant_id, STREAM_TYPE, CHECKPOINT_SIGNED);
        self.latest(&subject).await
    }

    /// The newest checkpoint of any tenant on NATS.
    pub async fn of_log(&self) -> Result<Option<(TenantId, SignedCheckpoint)>, TrustError> {
        let subject = format!(
            "{}.*.{STREAM_TYPE}.{CHECKPOINT_SIGNED}",
            self.subjects.as_str()
        );
        self.latest(&subject).await
    }

    async fn latest(
        &self,
        subject: &str,
    ) -> Result<Option<(TenantId, SignedCheckpoint)>, TrustError> {
        let stream = self
            .jetstream
            .get_stream_no_info(&self.stream_name)
            .await
            .map_err(|error| TrustError::Nats(error.to_string()))?;
        let message = match stream.get_last_raw_message_by_subject(subject).await {
            Ok(message) => message,
            Err(error) if error.kind() == LastRawMessageErrorKind::NoMessageFound => {
                return Ok(None);
            }
            Err(error) => return Err(TrustError::Nats(error.to_string())),
        };
        let envelope: EventEnvelope = decode_msgpack(&message.payload)
            .map_err(|error| TrustError::Nats(format!("an undecodable checkpoint: {error}")))?;
        let CheckpointEvent::CheckpointSigned(checkpoint) =
            from_stored(&envelope.event_type, &envelope.payload)
                .map_err(|error| TrustError::Nats(format!("an undecodable checkpoint: {error}")))?;
        Ok(Some((envelope.tenant_id, checkpoint)))
    }
}

const CHECKPOINT_SIGNED: &str = "CheckpointSigned";

/// What verification needs: the log, the trusted keys and, when reachable, NATS.
#[derive(Clone)]
pub struct Verifier {
    pub reader: LogReader,
    pub keys: Arc<TrustedKeys>,
    pub published: Option<PublishedCheckpoints>,
    /// Report how far a walk is (`query-service verify`); an HTTP request does not.
    pub show_progress: bool,
}

impl Verifier {
    /// Walks the tenant's events, then checks its newest checkpoint on NATS.
    pub async fn tenant(&self, tenant_id: TenantId) -> Result<TrustReport, TrustError> {
        let published = match &self.published {
            Some(published) => published.of_tenant(tenant_id).await?,
            None => None,
        };
        self.walk(Scope::Tenant(tenant_id), published).await
    }

    /// Walks every event of the log (contiguous positions, the log chain, every
    /// tenant's), then checks the newest checkpoint on NATS.
    pub async fn log(&self) -> Result<TrustReport, TrustError> {
        let published = match &self.published {
            Some(published) => published.of_log().await?,
            None => None,
        };
        self.walk(Scope::Log, published).await
    }

    async fn walk(
        &self,
        scope: Scope,
        published: Option<(TenantId, SignedCheckpoint)>,
    ) -> Result<TrustReport, TrustError> {
        let mut walk = ChainWalk::new(scope, &self.keys);
        let progress = if self.show_progress {
            let total = self.reader.events_in(scope).await?;
            Progress::new(format!("verify {scope}"), "events", total)
        } else {
            Progress::hidden()
        };
        self.reader.walk(&mut walk, scope, &progress).await?;
        progress.finish();
        if let Some((tenant_id, checkpoint)) = &published {
            walk.anchor(*tenant_id, checkpoint);
        }
        Ok(self.reader.finish_walk(walk).await?)
    }
}
