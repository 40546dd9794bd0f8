//! Snippets, the tenant's settings, notification preferences.

use super::*;

pub(super) async fn apply(
    conn: &mut PgConnection,
    event: &EventEnvelope,
    decoded: E,
) -> Result<(), ApplyError> {
    let tenant_id = event.tenant_id.0;
    match decoded {
        E::SnippetCreated {
            snippet_id,
            name,
            text,
            theme,
        }
        | E::SnippetUpdated {
            snippet_id,
            name,
            text,
            theme,
        } => {
            sqlx::query(
                "INSERT INTO snippets (tenant_id, snippet_id, name, text, theme) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (tenant_id, snippet_id) DO UPDATE SET name = EXCLUDED.name, \
                   text = EXCLUDED.text, theme = EXCLUDED.theme",
            )
            .bind(tenant_id)
            .bind(snippet_id)
            .bind(name)
            .bind(text)
            .bind(theme)
            .execute(&mut *conn)
            .await?;
        }
        E::SnippetDeleted { snippet_id } => {
            sqlx::query("DELETE FROM snippets WHERE tenant_id = $1 AND snippet_id = $2")
                .bind(tenant_id)
                .bind(snippet_id)
                .execute(&mut *conn)
                .await?;
        }
        E::SettingsUpdated { settings } => {
            sqlx::query(
                "INSERT INTO settings (tenant_id, settings) VALUES ($1, $2) \
                 ON CONFLICT (tenant_id) DO UPDATE SET settings = EXCLUDED.settings",
            )
            .bind(tenant_id)
            .bind(serde_json::to_value(settings)?)
            .execute(&mut *conn)
            .await?;
        }
        E::NotificationPreferencesSet { .. } => {}
        other => unreachable!("not an event of this group: {other:?}"),
    }
    Ok(())
}
