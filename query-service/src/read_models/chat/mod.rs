//! The internal chat's reads (schema `rm_chat`). A private channel or a direct message
//! exists only for its members: every function here takes the reader and filters in
//! SQL, so neither a list, a detail, a message, a notification nor a card reveals one
//! to anyone else. Cards are resolved for the reader on every read ([`cards`]).

pub mod cards;
pub mod channels;
pub mod messages;
pub mod notifications;

use caselog_schemas::TenantId;

/// Whether the tenant has the chat module switched on (on until settings say otherwise).
pub async fn switched_on(pool: &sqlx::PgPool, tenant: TenantId) -> Result<bool, sqlx::Error> {
    let enabled: Option<Option<bool>> = sqlx::query_scalar(
        "SELECT (settings->>'internal_chat_enabled')::boolean FROM rm_directory.settings \
         WHERE tenant_id = $1",
    )
    .bind(tenant.0)
    .fetch_optional(pool)
    .await?;
    Ok(enabled.flatten().unwrap_or(true))
}

/// SQL: the channel `c` is visible to the user `$2` (public and announcement channels
/// to everyone; private channels and DMs to their members).
pub(crate) const VISIBLE: &str = "(c.kind IN ('public', 'announcement') OR EXISTS ( \
    SELECT 1 FROM rm_chat.members v \
    WHERE v.tenant_id = c.tenant_id AND v.channel_id = c.channel_id AND v.user_id = $2))";
