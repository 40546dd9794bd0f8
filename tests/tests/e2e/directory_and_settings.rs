//! The directory as a support team uses it: an agent finds a supervisor to call by
//! name or role, finds a contact by name, email or phone to start a new chat; an admin
//! changes one setting without resetting the others.

use serde_json::json;
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::{Session, Stack};

async fn user(admin: &Session, name: &str, email: &str, role: &str) -> String {
    let id = Uuid::now_v7();
    admin
        .put(
            &format!("/v1/users/{id}"),
            json!({"name": name, "email": email, "role": role}),
        )
        .await
        .ok();
    id.to_string()
}

async fn contact(admin: &Session, body: serde_json::Value) -> String {
    let id = Uuid::now_v7();
    admin.put(&format!("/v1/contacts/{id}"), body).await.ok();
    id.to_string()
}

#[tokio::test]
async fn agents_find_supervisors_by_name_and_role_and_contacts_by_name_email_or_phone() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let agent = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let bruno = user(&admin, "Bruno Sousa", "bruno@example.com", "agent").await;
    let sofia = user(&admin, "Sofia Reis", "sofia@example.com", "supervisor").await;
    let rui = user(&admin, "Rui 100%", "rui@example.org", "supervisor").await;
    let maria = contact(
        &admin,
        json!({"name": "Maria Silva", "email": "maria@example.pt", "phone": "+351 912 345 678"}),
    )
    .await;
    let joao = contact(
        &admin,
        json!({"name": "João", "lastname": "Costa", "phone": "+44 20 7946 0000"}),
    )
    .await;

    let found = |path: &'static str| {
        let agent = agent.clone();
        async move {
            let reply = agent.get(path).await.ok();
            let mut ids = reply.ids();
            ids.sort();
            ids
        }
    };
    let sorted = |mut ids: Vec<String>| {
        ids.sort();
        ids
    };
    assert_eq!(found("/v1/users?q=sof").await, vec![sofia.clone()]);
    assert_eq!(found("/v1/users?q=EXAMPLE.ORG").await, vec![rui.clone()]);
    assert_eq!(
        found("/v1/users?role=supervisor").await,
        sorted(vec![sofia.clone(), rui.clone()])
    );
    assert_eq!(found("/v1/users?role=supervisor&q=reis").await, vec![sofia]);
    assert_eq!(
        found("/v1/users?q=bruno&role=supervisor").await,
        Vec::<String>::new()
    );
    assert_eq!(found("/v1/users?q=bruno").await, vec![bruno]);
    // A wildcard is a character like any other.
    assert_eq!(found("/v1/users?q=100%25").await, vec![rui]);
    assert_eq!(found("/v1/users?q=_").await, Vec::<String>::new());
    let unknown_role = agent.get("/v1/users?role=wizard").await;
    assert_eq!(unknown_role.status, 422, "{}", unknown_role.body);

    assert_eq!(found("/v1/contacts?q=silva").await, vec![maria.clone()]);
    assert_eq!(
        found("/v1/contacts?q=maria@example").await,
        vec![maria.clone()]
    );
    assert_eq!(found("/v1/contacts?q=912345").await, vec![maria.clone()]);
    assert_eq!(found("/v1/contacts?q=%2B44%2020").await, vec![joao.clone()]);
    assert_eq!(found("/v1/contacts?q=costa").await, vec![joao.clone()]);
    assert_eq!(
        found("/v1/contacts").await,
        sorted(vec![maria.clone(), joao.clone()])
    );

    // Pages: one contact at a time, the cursor leading to the next.
    let first = agent.get("/v1/contacts?limit=1").await.ok();
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = agent
        .get(&format!("/v1/contacts?limit=1&cursor={cursor}"))
        .await
        .ok();
    let mut both = [first.ids(), second.ids()].concat();
    both.sort();
    assert_eq!(both, sorted(vec![maria, joao]));
}

#[tokio::test]
async fn a_settings_patch_changes_what_it_names_and_a_replacement_must_name_everything() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let agent = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let defaults = agent.get("/v1/settings").await.ok();
    assert_eq!(
        defaults.body,
        json!({"auto_close_minutes": 15, "auto_close_seconds": 900,
               "require_accept": false, "internal_chat_enabled": true})
    );

    admin
        .patch(
            "/v1/settings",
            json!({"require_accept": true, "internal_chat_enabled": false}),
        )
        .await
        .ok();
    admin
        .patch("/v1/settings", json!({"auto_close_minutes": 30}))
        .await
        .ok();
    let patched = agent.get("/v1/settings").await.ok();
    assert_eq!(
        patched.body,
        json!({"auto_close_minutes": 30, "auto_close_seconds": 1800,
               "require_accept": true, "internal_chat_enabled": false}),
        "the second patch kept what the first one set"
    );

    // A replacement that leaves a setting out is refused and changes nothing.
    let partial = admin
        .put("/v1/settings", json!({"auto_close_minutes": 30}))
        .await;
    assert_eq!(partial.status, 422, "{}", partial.body);
    let no_delay = admin
        .put(
            "/v1/settings",
            json!({"require_accept": false, "internal_chat_enabled": true}),
        )
        .await;
    assert_eq!(no_delay.status, 422, "{}", no_delay.body);
    let unknown = admin
        .patch("/v1/settings", json!({"auto_close_hours": 1}))
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    let zero = admin
        .patch("/v1/settings", json!({"auto_close_minutes": 0}))
        .await;
    assert_eq!(zero.status, 422, "{}", zero.body);
    assert_eq!(agent.get("/v1/settings").await.ok().body, patched.body);

    // null: resolved conversations never close by themselves; the rest stays.
    admin
        .patch("/v1/settings", json!({"auto_close_minutes": null}))
        .await
        .ok();
    assert_eq!(
        agent.get("/v1/settings").await.ok().body,
        json!({"auto_close_minutes": null, "auto_close_seconds": null,
               "require_accept": true, "internal_chat_enabled": false})
    );
    admin
        .put(
            "/v1/settings",
            json!({"auto_close_seconds": 90, "require_accept": false,
                   "internal_chat_enabled": true}),
        )
        .await
        .ok();
    assert_eq!(
        agent.get("/v1/settings").await.ok().body,
        json!({"auto_close_minutes": 1, "auto_close_seconds": 90,
               "require_accept": false, "internal_chat_enabled": true})
    );
    let by_agent = agent
        .patch("/v1/settings", json!({"require_accept": true}))
        .await;
    assert_eq!(by_agent.status, 403, "{}", by_agent.body);
}
