//! The items integrations register, as their cards show them; the files library.

use super::*;

pub(super) async fn apply(
    conn: &mut PgConnection,
    event: &EventEnvelope,
    decoded: E,
) -> Result<(), ApplyError> {
    // The stream's id: the item's, or the file's.
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
        E::FileAdded {
            name,
            media_type,
            size_bytes,
            url,
            sha256,
        } => {
            sqlx::query(
                "INSERT INTO files (tenant_id, file_id, name, media_type, size_bytes, url, sha256) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (tenant_id, file_id) DO UPDATE SET name = EXCLUDED.name, \
                   media_type = EXCLUDED.media_type, size_bytes = EXCLUDED.size_bytes, \
                   url = EXCLUDED.url, sha256 = EXCLUDED.sha256",
            )
            .bind(tenant_id)
            .bind(item_id)
            .bind(name)
            .bind(media_type)
            .bind(i64::try_from(size_bytes).unwrap_or(i64::MAX))
            .bind(url)
            .bind(sha256)
            .execute(&mut *conn)
            .await?;
        }
        E::FileRemoved {} => {
            sqlx::query("DELETE FROM files WHERE tenant_id = $1 AND file_id = $2")
                .bind(tenant_id)
                .bind(item_id)
                .execute(&mut *conn)
                .await?;
        }
        other => unreachable!("not an event of this group: {other:?}"),
    }
    Ok(())
}
