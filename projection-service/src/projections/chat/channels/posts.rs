//! Messages and cards posted (and who they notify).

use super::*;

pub(super) async fn apply(
    conn: &mut PgConnection,
    event: &EventEnvelope,
    channel_event: &E,
) -> Result<(), ApplyError> {
    let tenant_id = event.tenant_id.0;
    let channel_id = event.stream_id.0;
    match channel_event {
        E::MessagePosted {
            message_id,
            author,
            content,
            mentions,
            posted_at,
        } => {
            insert_message(
                conn,
                event,
                &Posted {
                    message_id: *message_id,
                    author: *author,
                    mentions,
                    at: *posted_at,
                },
                serde_json::to_value(content)?,
                None,
            )
            .await?;
        }
        E::CardShared {
            card_id,
            author,
            entity_type,
            entity_id,
            description,
            text,
            mentions,
            shared_at,
        } => {
            sqlx::query(
                "INSERT INTO cards (tenant_id, card_id, channel_id, entity_type, entity_id, \
                   title, summary, url, shared_by, shared_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
            )
            .bind(tenant_id)
            .bind(card_id)
            .bind(channel_id)
            .bind(
                serde_json::to_value(entity_type)?
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
            .bind(entity_id)
            .bind(description.as_ref().map(|d| d.title.clone()))
            .bind(description.as_ref().and_then(|d| d.summary.clone()))
            .bind(description.as_ref().map(|d| d.url.clone()))
            .bind(author.0)
            .bind(shared_at)
            .execute(&mut *conn)
            .await?;
            let content = match text {
                Some(text) => serde_json::json!({ "text": text }),
                None => serde_json::json!({}),
            };
            insert_message(
                conn,
                event,
                &Posted {
                    message_id: *card_id,
                    author: *author,
                    mentions,
                    at: *shared_at,
                },
                content,
                Some(*card_id),
            )
            .await?;
        }
        other => unreachable!("not an event of this group: {other:?}"),
    }
    Ok(())
}
