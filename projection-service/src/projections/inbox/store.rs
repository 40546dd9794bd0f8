//! The inbox's tables: read the rows a batch names, write what [`super::fold`] made of
//! them. Two statements for a batch that deletes nothing, three when it does.

use sqlx::PgConnection;
use uuid::Uuid;

use super::fold::{ConversationKey, ConversationRow, InboxChanges};

pub async fn load(
    conn: &mut PgConnection,
    keys: &[ConversationKey],
) -> Result<Vec<ConversationRow>, sqlx::Error> {
    let (tenants, conversations): (Vec<Uuid>, Vec<Uuid>) = keys.iter().copied().unzip();
    sqlx::query_as(
        "SELECT c.* FROM conversations c \
         JOIN unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, conversation_id) \
           ON c.tenant_id = k.tenant_id AND c.conversation_id = k.conversation_id",
    )
    .bind(&tenants)
    .bind(&conversations)
    .fetch_all(&mut *conn)
    .await
}

pub async fn write(conn: &mut PgConnection, changes: &InboxChanges) -> Result<(), sqlx::Error> {
    let (tenants, conversations): (Vec<Uuid>, Vec<Uuid>) = changes.deleted().copied().unzip();
    if !tenants.is_empty() {
        sqlx::query(
            "WITH gone AS ( \
               DELETE FROM reads r USING unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, conversation_id) \
               WHERE r.tenant_id = k.tenant_id AND r.conversation_id = k.conversation_id), \
             unread_gone AS ( \
               DELETE FROM unread_internal u USING unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, conversation_id) \
               WHERE u.tenant_id = k.tenant_id AND u.conversation_id = k.conversation_id) \
             DELETE FROM conversations c USING unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, conversation_id) \
             WHERE c.tenant_id = k.tenant_id AND c.conversation_id = k.conversation_id",
        )
        .bind(&tenants)
        .bind(&conversations)
        .execute(&mut *conn)
        .await?;
    }

    let rows = changes.changed_rows();
    let mut reads = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (((tenant_id, conversation_id), user_id), position) in changes.reads() {
        reads.0.push(*tenant_id);
        reads.1.push(*conversation_id);
        reads.2.push(*user_id);
        reads.3.push(*position);
    }
    let mut contacts = (Vec::new(), Vec::new(), Vec::new());
    for ((tenant_id, contact_id), name) in changes.contacts() {
        contacts.0.push(*tenant_id);
        contacts.1.push(*contact_id);
        contacts.2.push(name.as_str());
    }
    let mut user_groups = (Vec::new(), Vec::new(), Vec::new());
    for ((tenant_id, user_id), groups) in changes.user_groups() {
        user_groups.0.push(*tenant_id);
        user_groups.1.push(*user_id);
        // Arrays of arrays do not `unnest`: each user's groups go as one JSON array.
        user_groups.2.push(serde_json::json!(groups));
    }
    let mut internal = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (((tenant_id, conversation_id), message_id), recipient) in changes.unread_internal() {
        internal.0.push(*tenant_id);
        internal.1.push(*conversation_id);
        internal.2.push(*message_id);
        internal.3.push(*recipient);
    }
    if rows.is_empty()
        && reads.0.is_empty()
        && contacts.0.is_empty()
        && user_groups.0.is_empty()
        && internal.0.is_empty()
    {
        return Ok(());
    }
    // The rows go as one JSON array of whole rows (arrays of arrays do not `unnest`).
    let rows = serde_json::to_value(&rows).map_err(|error| sqlx::Error::Encode(error.into()))?;
    sqlx::query(include_str!("sql/write_batch.sql"))
        .bind(rows)
        .bind(&reads.0)
        .bind(&reads.1)
        .bind(&reads.2)
        .bind(&reads.3)
        .bind(&contacts.0)
        .bind(&contacts.1)
        .bind(&contacts.2)
        .bind(&user_groups.0)
        .bind(&user_groups.1)
        .bind(&user_groups.2)
        .bind(&internal.0)
        .bind(&internal.1)
        .bind(&internal.2)
        .bind(&internal.3)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
