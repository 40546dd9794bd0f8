//! The query cache (moka). Keys carry the tenant and the read model's version for that
//! tenant, so an entry can never be older than the version the request settled on
//! (after `X-Min-Position`): a new event for the tenant changes the key. Entries hold
//! what visibility needs, and handlers check the viewer against it on every hit, so
//! an entry computed for one viewer is never shown to another who may not see it.

use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;
use uuid::Uuid;

use caselog_schemas::{Position, StreamVersion, TenantId};

use crate::read_models::Viewer;
use crate::read_models::conversations::{ConversationSummary, Dashboard, InboxFilter};
use crate::read_models::history::{Access, HistoryEntry};

const CAPACITY: u64 = 20_000;
const TIME_TO_LIVE: Duration = Duration::from_secs(120);

/// One conversation of a tenant: what every per-case key starts with, and what an
/// erasure drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Case {
    pub tenant_id: TenantId,
    pub conversation_id: Uuid,
}

/// An inbox page: who looks, with which filter, at which version of the tenant's inbox.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InboxKey {
    pub viewer: Viewer,
    pub filter: InboxFilter,
    pub inbox_version: Position,
}

/// One conversation's summary, shared by every viewer of the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConversationKey {
    pub case: Case,
    pub inbox_version: Position,
}

/// A viewer's dashboard, for one group or all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DashboardKey {
    pub viewer: Viewer,
    pub group_id: Option<Uuid>,
    pub inbox_version: Position,
}

/// A page of a case's history: the entries after a log position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HistoryKey {
    pub case: Case,
    pub after_position: Position,
    pub limit: i64,
    pub history_version: Position,
}

/// A rendered export: the case at a stream version, and whether it was erased when it
/// was rendered (an erased case renders placeholders, never the cached plaintext of
/// before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PdfKey {
    pub case: Case,
    pub stream_version: StreamVersion,
    pub erased: bool,
    pub kind: crate::export::ExportKind,
}

/// A history page with the access it was read under.
pub type HistoryPage = (Option<Access>, Vec<HistoryEntry>);

#[derive(Clone)]
pub struct Caches {
    pub inbox: Cache<InboxKey, Arc<Vec<ConversationSummary>>>,
    /// One conversation for every viewer of the tenant: visibility is checked per hit.
    pub conversation: Cache<ConversationKey, Arc<Option<ConversationSummary>>>,
    pub dashboard: Cache<DashboardKey, Arc<Dashboard>>,
    pub history: Cache<HistoryKey, Arc<HistoryPage>>,
    pub pdf: Cache<PdfKey, Arc<Vec<u8>>>,
}

fn cache<K, V>() -> Cache<K, V>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    Cache::builder()
        .max_capacity(CAPACITY)
        .time_to_live(TIME_TO_LIVE)
        .support_invalidation_closures()
        .build()
}

impl Caches {
    pub fn new() -> Self {
        Self {
            inbox: cache(),
            conversation: cache(),
            dashboard: cache(),
            history: cache(),
            pdf: Cache::builder()
                // Weighed by size: a few hundred exports of a few hundred KiB.
                .max_capacity(64 * 1024 * 1024)
                .weigher(|_, bytes: &Arc<Vec<u8>>| bytes.len().try_into().unwrap_or(u32::MAX))
                .time_to_live(Duration::from_secs(3600))
                .support_invalidation_closures()
                .build(),
        }
    }

    /// Drops everything cached about an erased conversation, so its plaintext does not
    /// outlive its key in this process's memory.
    pub fn forget_conversation(&self, tenant_id: TenantId, conversation_id: Uuid) {
        let erased = Case {
            tenant_id,
            conversation_id,
        };
        let results = [
            self.conversation
                .invalidate_entries_if(move |key, _| key.case == erased)
                .map(drop),
            self.history
                .invalidate_entries_if(move |key, _| key.case == erased)
                .map(drop),
            self.pdf
                .invalidate_entries_if(move |key, _| key.case == erased)
                .map(drop),
            // Inbox pages of the tenant may list it: drop the tenant's.
            self.inbox
                .invalidate_entries_if(move |key, _| key.viewer.tenant_id == tenant_id)
                .map(drop),
        ];
        for result in results {
            if let Err(error) = result {
                tracing::warn!(%error, "could not drop cache entries of an erased conversation");
            }
        }
    }
}

impl Caches {
    /// Drops every entry: a rebuilt read model may say something else at the same
    /// positions the keys carry.
    pub fn forget_everything(&self) {
        self.inbox.invalidate_all();
        self.conversation.invalidate_all();
        self.dashboard.invalidate_all();
        self.history.invalidate_all();
        self.pdf.invalidate_all();
    }
}

impl Default for Caches {
    fn default() -> Self {
        Self::new()
    }
}

/// Records hits and misses per route for `/metrics`.
pub fn count(route: &'static str, hit: bool) {
    let outcome = if hit { "hit" } else { "miss" };
    metrics::counter!("caselog_query_cache_total", "route" => route, "outcome" => outcome)
        .increment(1);
}
