//! Users, groups and contacts (with their presets).

use super::*;

pub(super) async fn apply(
    conn: &mut PgConnection,
    event: &EventEnvelope,
    decoded: E,
) -> Result<(), ApplyError> {
    let tenant_id = event.tenant_id.0;
    let entry_id = event.stream_id.0;
    match decoded {
        E::UserUpserted {
            name,
            email,
            role,
            groups,
        } => {
            sqlx::query(
                "INSERT INTO users (tenant_id, user_id, name, email, role, groups) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (tenant_id, user_id) DO UPDATE SET name = EXCLUDED.name, \
                   email = EXCLUDED.email, role = EXCLUDED.role, groups = EXCLUDED.groups",
            )
            .bind(tenant_id)
            .bind(entry_id)
            .bind(name)
            .bind(email)
            .bind(role.as_str())
            .bind(groups)
            .execute(&mut *conn)
            .await?;
        }
        E::UserErased {} => {
            let erased = caselog_schemas::events::personal::ERASED;
            sqlx::query(
                "UPDATE users SET name = $3, email = $3 WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(tenant_id)
            .bind(entry_id)
            .bind(erased)
            .execute(&mut *conn)
            .await?;
        }
        E::ContactErased {} => {
            // The contact's data key is gone from the log; here too nothing of theirs
            // stays readable but the id.
            let erased = caselog_schemas::events::personal::ERASED;
            sqlx::query(
                "UPDATE contacts SET name = $3, firstname = NULL, lastname = NULL, \
                 email = NULL, phone = NULL WHERE tenant_id = $1 AND contact_id = $2",
            )
            .bind(tenant_id)
            .bind(entry_id)
            .bind(erased)
            .execute(&mut *conn)
            .await?;
        }
        E::GroupUpserted { name } => {
            sqlx::query(
                "INSERT INTO groups (tenant_id, group_id, name) VALUES ($1, $2, $3) \
                 ON CONFLICT (tenant_id, group_id) DO UPDATE SET name = EXCLUDED.name",
            )
            .bind(tenant_id)
            .bind(entry_id)
            .bind(name)
            .execute(&mut *conn)
            .await?;
        }
        E::ContactUpserted {
            name,
            firstname,
            lastname,
            email,
            phone,
            country,
            group_id,
        } => {
            sqlx::query(include_str!("sql/upsert_contact.sql"))
                .bind(tenant_id)
                .bind(entry_id)
                .bind(name)
                .bind(firstname)
                .bind(lastname)
                .bind(email)
                .bind(phone)
                .bind(country)
                .bind(group_id)
                .execute(&mut *conn)
                .await?;
        }
        E::ContactPresetsSet {
            auto_assign,
            visible_to,
        } => {
            sqlx::query(
                "UPDATE contacts SET auto_assign = $3, visible_to = $4 \
                 WHERE tenant_id = $1 AND contact_id = $2",
            )
            .bind(tenant_id)
            .bind(entry_id)
            .bind(auto_assign.iter().map(|user| user.0).collect::<Vec<_>>())
            .bind(user_ids(&visible_to))
            .execute(&mut *conn)
            .await?;
        }
        other => unreachable!("not an event of this group: {other:?}"),
    }
    Ok(())
}
