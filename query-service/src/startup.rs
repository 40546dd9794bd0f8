//! Builds the service: the schema check, the caches, the progress listener, the routes.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use caselog_eventlog::{
    EventFilter, EventLog, Follower, LogFollower, LogReader, WriterConfig, head_channel,
};
use caselog_platform::http::ApiLimits;
use caselog_platform::service::Service;
use caselog_platform::settings::LocalNatsUser;
use caselog_platform::{connect, health};
use caselog_schemas::{EventEnvelope, Position, SubjectRoot};

use crate::audit::access::AccessLog;
use crate::audit::trust::{PublishedCheckpoints, Verifier};
use crate::export::RenderLimits;
use crate::http::{self, AppState, Caches, ExportLimits};
use crate::read_models::Progress;
use crate::settings::Settings;

pub struct Application {
    service: Service,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        // The metrics recorder first, so no gauge set during start-up is lost.
        health::metrics_handle();
        let dependencies =
            connect::dependencies(&settings.common, "query-service", LocalNatsUser::QUERY).await?;
        caselog_read_model::migrations::require_migrated(&dependencies.postgres).await?;
        crate::export::jobs::fail_interrupted(&dependencies.postgres).await?;
        let shutdown = CancellationToken::new();
        let tokens = settings.common.token_verifier()?;
        let reader = LogReader::new(dependencies.postgres.clone());
        let verifier = Verifier {
            reader: reader.clone(),
            keys: Arc::new(settings.trusted_keys()?),
            published: Some(PublishedCheckpoints::new(
                dependencies.nats.clone(),
                settings.common.stream_name.clone(),
                SubjectRoot::new(settings.common.subject_root.clone()),
            )),
            show_progress: false,
        };
        // Records of who read what are appended by a writer of this service's own.
        let writer = EventLog::start(
            dependencies.postgres.clone(),
            WriterConfig::default(),
            head_channel(),
        );
        let state = AppState {
            pool: dependencies.postgres.clone(),
            access: AccessLog::new(writer, reader.clone()),
            reader,
            verifier,
            caches: Caches::new(),
            tokens: tokens.clone(),
            limits: ApiLimits::new(&settings.limits, tokens),
            export: ExportLimits {
                limits: RenderLimits {
                    max_entries: settings.export_max_entries,
                    max_pages: settings.export_max_pages,
                },
                render_time: settings.export_render_time,
            },
            progress: Progress::default(),
            min_position_wait: settings.min_position_wait,
            stream_poll: settings.stream_poll,
            shutdown: shutdown.clone(),
        };
        let tasks = TaskTracker::new();
        tasks.spawn(
            state
                .progress
                .clone()
                .follow(dependencies.postgres.clone(), shutdown.clone()),
        );
        tasks.spawn(forget_erased_cases(
            state.caches.clone(),
            LogReader::new(dependencies.postgres.clone()),
            settings.erasure_poll,
            shutdown.clone(),
        ));
        tasks.spawn(forget_after_rebuilds(
            state.caches.clone(),
            dependencies.postgres.clone(),
            settings.erasure_poll,
            shutdown.clone(),
        ));
        let router = caselog_platform::http::with_problem_fallbacks(
            http::router(state).merge(health::router(dependencies)),
        );
        let service = Service::bind(
            settings.address,
            &settings.common.shutdown,
            router,
            shutdown,
            tasks,
        )
        .await?;
        Ok(Self { service })
    }

    pub fn address(&self) -> SocketAddr {
        self.service.address()
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.service.run_until_stopped().await
    }
}

/// Crypto-shredding makes the log unreadable; this makes the process forget too: every
/// conversation deleted since start-up is dropped from the caches within one poll.
async fn forget_erased_cases(
    caches: Caches,
    log: LogReader,
    poll: std::time::Duration,
    shutdown: CancellationToken,
) {
    let follower = LogFollower::new(log.clone(), ErasureWatcher::DELETIONS, 1000);
    // Nothing is cached before start-up: follow from the head as it is then.
    let mut watcher = ErasureWatcher {
        caches,
        checkpoint: None,
        log,
    };
    follower
        .run(&mut watcher, "erasure watcher", poll, &shutdown)
        .await;
}

/// Follows the log's deletions, its checkpoint in memory.
struct ErasureWatcher {
    caches: Caches,
    checkpoint: Option<Position>,
    log: LogReader,
}

impl ErasureWatcher {
    const DELETIONS: EventFilter = EventFilter {
        stream_type: Some("conversation"),
        event_types: &["ConversationDeleted"],
    };
}

impl Follower for ErasureWatcher {
    async fn checkpoint(&mut self) -> anyhow::Result<Position> {
        match self.checkpoint {
            Some(position) => Ok(position),
            None => Ok(*self.checkpoint.insert(self.log.head().await?)),
        }
    }

    async fn handle(
        &mut self,
        _from: Position,
        events: Vec<EventEnvelope>,
        through: Position,
    ) -> anyhow::Result<()> {
        for event in events {
            self.caches
                .forget_conversation(event.tenant_id, event.stream_id.0);
        }
        self.checkpoint = Some(through);
        Ok(())
    }
}

/// Caches are keyed by read-model positions, which a rebuild leaves as they were while
/// it may change what the model says (a dead letter applied after a fix): every cache
/// is dropped within one poll of a rebuild being swapped in.
async fn forget_after_rebuilds(
    caches: Caches,
    pool: sqlx::PgPool,
    poll: std::time::Duration,
    shutdown: CancellationToken,
) {
    let mut seen: Option<i64> = None;
    loop {
        let rebuilds = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM projections.rebuilds")
            .fetch_one(&pool)
            .await;
        match rebuilds {
            Ok(count) => {
                if seen.is_some_and(|seen| seen != count) {
                    tracing::info!("a read model was rebuilt: dropping the query caches");
                    caches.forget_everything();
                }
                seen = Some(count);
            }
            Err(error) => tracing::warn!(%error, "could not look for rebuilt read models"),
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(poll) => {}
        }
    }
}
