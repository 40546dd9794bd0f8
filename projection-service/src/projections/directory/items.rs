//! The items integrations register, as their cards show them.

use super::*;

pub(super) async fn apply(
    conn: &mut PgConnection,
    event: &EventEnvelope,
    decoded: E,
) -> Result<(), ApplyError> {
    let (tenant_id, item_id) = (event.tenant_id.0, event.stream_id.0);
    match decoded {
        E::ItemRegistered {
            entity_type,
            entity_id,
            title,
            summary,
            url,
            access,
        } => {
            sqlx::query(
                "INSERT INTO items (tenant_id, entity_type, entity_id, item_id, title, summary, \
                   url, access) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (tenant_id, entity_type, entity_id) DO UPDATE SET \
                   title = EXCLUDED.title, summary = EXCLUDED.summary, url = EXCLUDED.url, \
                   access = EXCLUDED.access",
            )
            .bind(tenant_id)
            .bind(entity_type.as_str())
            .bind(entity_id)
            .bind(item_id)
            .bind(title)
            .bind(summary)
            .bind(url)
            .bind(serde_json::to_value(access)?)
            .execute(&mut *conn)
            .await?;
        }
        E::ItemRemoved {} => {
            sqlx::query("DELETE FROM items WHERE tenant_id = $1 AND item_id = $2")
                .bind(tenant_id)
                .bind(item_id)
                .execute(&mut *conn)
                .await?;
        }
        other => unreachable!("not an event of this group: {other:?}"),
    }
    Ok(())
}
