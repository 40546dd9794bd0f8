//! Another tenant's ids behave as unknown, and a restricted conversation is invisible
//! to users outside its list in every read route — lists, counts, search, detail,
//! history, internal messages — and to their commands.

use serde_json::json;
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::{Session, Stack};

#[tokio::test]
async fn another_tenants_conversations_contacts_and_snippets_are_not_found() {
    let stack = Stack::start().await;
    let (tenant_a, tenant_b) = (Uuid::now_v7(), Uuid::now_v7());
    let admin_a = stack.session(tenant_a, Uuid::now_v7(), Role::Admin);
    let gateway_a = stack.session(tenant_a, Uuid::now_v7(), Role::Integration);
    let owner_b = stack.session(tenant_b, Uuid::now_v7(), Role::Owner);
    let auditor_b = stack.session(tenant_b, Uuid::now_v7(), Role::Auditor);
    let contact = admin_a.new_contact("Maria").await;
    let started = gateway_a
        .post(
            "/v1/inbound-messages",
            json!({"contact_id": contact, "channel": "sms", "text": "secret of tenant A"}),
        )
        .await
        .ok();
    let conversation = started.body["stream_id"].as_str().unwrap().to_owned();
    admin_a
        .post("/v1/snippets", json!({"name": "a", "text": "A only"}))
        .await
        .ok();

    for path in [
        format!("/v1/conversations/{conversation}"),
        format!("/v1/conversations/{conversation}/history"),
        format!("/v1/conversations/{conversation}/internal-messages"),
        format!("/v1/contacts/{contact}"),
    ] {
        assert_eq!(owner_b.get(&path).await.status, 404, "{path}");
        assert_eq!(auditor_b.get(&path).await.status, 404, "{path}");
    }
    for path in [
        "/v1/inbox/team",
        "/v1/inbox/team?q=secret",
        "/v1/snippets",
        "/v1/users",
    ] {
        assert!(owner_b.get(path).await.ok().items().is_empty(), "{path}");
    }
    assert_eq!(
        owner_b.get("/v1/dashboard").await.ok().body["group"],
        json!({"unassigned": 0, "unreplied": 0, "unreplied_conversations": 0, "open": 0})
    );
    let before = stack.log_length().await;
    for (path, body) in [
        (
            format!("/v1/conversations/{conversation}/messages"),
            json!({"text": "hijack"}),
        ),
        (
            format!("/v1/conversations/{conversation}/notes"),
            json!({"text": "hijack"}),
        ),
        (
            format!("/v1/conversations/{conversation}/resolve"),
            json!({}),
        ),
    ] {
        assert_eq!(owner_b.post(&path, body).await.status, 404, "{path}");
    }
    let inbound_b = stack.session(tenant_b, Uuid::now_v7(), Role::Integration);
    let reply = inbound_b
        .post(
            "/v1/inbound-messages",
            json!({"contact_id": contact, "channel": "sms", "text": "x"}),
        )
        .await;
    assert_eq!(reply.status, 422, "tenant A's contact is not tenant B's");
    assert_eq!(stack.log_length().await, before);
    stack.stop().await;
}

/// `session` is outside the restricted conversation's list: it is absent from every
/// list, search, filter and count, not found in detail, and every command on it is
/// not found and writes nothing.
async fn outside_the_list(
    stack: &Stack,
    who: &str,
    session: &Session,
    restricted: &str,
    open: &str,
) {
    assert_eq!(
        session.get("/v1/inbox/team").await.ok().ids(),
        vec![open.to_owned()],
        "{who}"
    );
    assert!(
        session
            .get("/v1/inbox/team?q=merger")
            .await
            .ok()
            .ids()
            .is_empty(),
        "{who}"
    );
    assert!(
        session
            .get("/v1/inbox/team?q=vera")
            .await
            .ok()
            .ids()
            .is_empty(),
        "{who}"
    );
    assert!(
        session
            .get("/v1/inbox/team?channel=email")
            .await
            .ok()
            .ids()
            .is_empty(),
        "{who}"
    );
    assert_eq!(
        session.get("/v1/dashboard").await.ok().body["group"],
        json!({"unassigned": 1, "unreplied": 1, "unreplied_conversations": 1, "open": 1}),
        "{who}: counts leave it out"
    );
    for path in [
        format!("/v1/conversations/{restricted}"),
        format!("/v1/conversations/{restricted}/history"),
        format!("/v1/conversations/{restricted}/internal-messages"),
    ] {
        let reply = session.get(&path).await;
        assert_eq!(
            (reply.status, reply.problem_type()),
            (404, "caselog:not-found"),
            "{who} {path}"
        );
    }
    let before = stack.log_length().await;
    for (path, body) in [
        (
            format!("/v1/conversations/{restricted}/messages"),
            json!({"text": "peek"}),
        ),
        (
            format!("/v1/conversations/{restricted}/assign"),
            json!({"assignees": [session.user]}),
        ),
        (
            format!("/v1/conversations/{restricted}/notes"),
            json!({"text": "peek"}),
        ),
    ] {
        assert_eq!(session.post(&path, body).await.status, 404, "{who} {path}");
    }
    assert_eq!(
        stack.log_length().await,
        before,
        "{who}'s commands wrote nothing"
    );
}

#[tokio::test]
async fn a_restricted_conversation_is_invisible_outside_its_list_in_every_read_and_command() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let owner = stack.session(tenant, Uuid::now_v7(), Role::Owner);
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let insider = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let outsider = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let auditor = stack.session(tenant, Uuid::now_v7(), Role::Auditor);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    for (session, role) in [(&admin, "admin"), (&insider, "agent"), (&outsider, "agent")] {
        owner.register(session, role).await;
    }
    // A VIP contact: each new conversation is restricted to the insider and assigned to them.
    let vip = Uuid::now_v7();
    owner
        .put(
            &format!("/v1/contacts/{vip}"),
            json!({"name": "Vera Privada", "auto_assign": [insider.user], "visible_to": [insider.user]}),
        )
        .await
        .ok();
    let public_contact = Uuid::now_v7();
    owner
        .put(
            &format!("/v1/contacts/{public_contact}"),
            json!({"name": "Paulo Publico"}),
        )
        .await
        .ok();
    let restricted = gateway.inbound(vip, "email", "confidential merger").await;
    let open = gateway.inbound(public_contact, "webchat", "hello").await;
    insider
        .post(
            &format!("/v1/conversations/{restricted}/internal-messages"),
            json!({"to": insider.user, "text": "note to self"}),
        )
        .await
        .ok();

    for (who, session) in [
        ("insider", &insider),
        ("owner", &owner),
        ("auditor", &auditor),
    ] {
        let inbox = session.get("/v1/inbox/team").await.ok();
        assert!(
            inbox.ids().contains(&restricted),
            "{who} sees it in the team inbox"
        );
        assert_eq!(
            session
                .get(&format!("/v1/conversations/{restricted}"))
                .await
                .status,
            200,
            "{who}"
        );
        assert_eq!(
            session
                .get(&format!("/v1/conversations/{restricted}/history"))
                .await
                .status,
            200,
            "{who}"
        );
    }
    assert_eq!(
        insider.get("/v1/inbox/mine").await.ok().ids(),
        vec![restricted.clone()]
    );

    for (who, session) in [("outsider", &outsider), ("admin outside the list", &admin)] {
        outside_the_list(&stack, who, session, &restricted, &open).await;
    }
    assert_eq!(
        owner.get("/v1/dashboard").await.ok().body["group"],
        json!({"unassigned": 1, "unreplied": 2, "unreplied_conversations": 2, "open": 2})
    );

    // Assignees stay within the list.
    let reply = insider
        .post(
            &format!("/v1/conversations/{restricted}/assign"),
            json!({"assignees": [insider.user, outsider.user]}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.problem_type()),
        (422, "caselog:validation")
    );
    // Opening it up makes it visible to everyone again.
    insider
        .post(
            &format!("/v1/conversations/{restricted}/visibility"),
            json!({"visible_to": null}),
        )
        .await
        .ok();
    assert_eq!(
        outsider
            .get(&format!("/v1/conversations/{restricted}"))
            .await
            .status,
        200
    );
    stack.stop().await;
}
