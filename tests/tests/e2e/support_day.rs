//! A full support day over HTTP against the real binaries: inbound messages on two
//! channels, auto-assignment on the first reply, an internal-message round trip, a
//! snippet, a note, an invoice blocking the close, resolve, auto-close by the system,
//! a new conversation after the close, reopen, delete.

use std::time::Duration;

use serde_json::json;
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::eventually;
use caselog_testkit::stack::{Session, Stack};

struct Team {
    admin: Session,
    bruno: Session,
    sofia: Session,
    gateway: Session,
    group: Uuid,
    maria: Uuid,
}

async fn set_up(stack: &Stack) -> Team {
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let bruno = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let sofia = stack.session(tenant, Uuid::now_v7(), Role::Supervisor);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    let group = Uuid::now_v7();
    admin
        .put(&format!("/v1/groups/{group}"), json!({"name": "Support"}))
        .await
        .ok();
    for (session, name, role) in [
        (&admin, "Ana Admin", "admin"),
        (&bruno, "Bruno Agent", "agent"),
        (&sofia, "Sofia Supervisor", "supervisor"),
    ] {
        let reply = admin
            .put(
                &format!("/v1/users/{}", session.user),
                json!({"name": name, "email": format!("{}@example.com", session.user), "role": role, "groups": [group]}),
            )
            .await
            .ok();
        assert_eq!(reply.status, 201);
    }
    let maria = Uuid::now_v7();
    admin
        .put(
            &format!("/v1/contacts/{maria}"),
            json!({"name": "Maria Silva", "firstname": "Maria", "lastname": "Silva",
                   "country": "PT", "group_id": group}),
        )
        .await
        .ok();
    admin
        .put(
            "/v1/settings",
            json!({"auto_close_minutes": 15, "auto_close_seconds": 2, "require_accept": false,
                   "internal_chat_enabled": true}),
        )
        .await
        .ok();
    Team {
        admin,
        bruno,
        sofia,
        gateway,
        group,
        maria,
    }
}

fn kinds(history: &serde_json::Value) -> Vec<String> {
    history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// Maria writes on WhatsApp, then by SMS: one conversation, two channels.
async fn maria_writes_on_two_channels(team: &Team) -> String {
    let Team {
        bruno,
        gateway,
        group,
        maria,
        ..
    } = team;
    let first = gateway
        .post(
            "/v1/inbound-messages",
            json!({"contact_id": maria, "channel": "whatsapp", "text": "Olá, a minha encomenda não chegou 📦"}),
        )
        .await
        .ok();
    assert_eq!(
        first.status, 201,
        "the first message starts the conversation"
    );
    let conversation = first.body["stream_id"].as_str().unwrap().to_owned();
    let second = gateway
        .post(
            "/v1/inbound-messages",
            json!({"contact_id": maria, "channel": "sms", "text": "Alguém me pode ajudar?"}),
        )
        .await
        .ok();
    assert_eq!(second.status, 200);
    assert_eq!(second.body["stream_id"], conversation.as_str());

    let inbox = bruno
        .get(&format!("/v1/inbox/team?group_id={group}&assignee=none"))
        .await
        .ok();
    assert_eq!(inbox.ids(), vec![conversation.clone()]);
    let summary = &inbox.items()[0];
    assert_eq!(summary["channels"], json!(["whatsapp", "sms"]));
    assert_eq!(summary["unreplied_count"], 2);
    assert_eq!(summary["unread"], true);
    assert_eq!(summary["contact"]["name"], "Maria Silva");
    let dashboard = bruno
        .get(&format!("/v1/dashboard?group_id={group}"))
        .await
        .ok();
    assert_eq!(
        dashboard.body["group"],
        json!({"unassigned": 1, "unreplied": 2, "unreplied_conversations": 1, "open": 1})
    );
    let search = bruno.get("/v1/inbox/team?q=encomenda").await.ok();
    assert_eq!(search.ids(), vec![conversation.clone()]);
    assert!(
        bruno
            .get("/v1/inbox/team?q=nothing-like-this")
            .await
            .ok()
            .ids()
            .is_empty()
    );
    conversation
}

/// Bruno answers with a snippet: expanded for Maria, and the chat becomes his.
async fn bruno_answers_with_a_snippet(team: &Team, conversation: &str) {
    let Team { admin, bruno, .. } = team;
    let snippet = admin
        .post(
            "/v1/snippets",
            json!({"name": "greeting", "text": "Olá $contact.firstname, vamos ver isso."}),
        )
        .await
        .ok();
    let snippet_id = snippet.body["id"].as_str().unwrap().to_owned();
    let reply = bruno
        .post(
            &format!("/v1/conversations/{conversation}/messages"),
            json!({"snippet_id": snippet_id}),
        )
        .await
        .ok();
    let event_types: Vec<_> = reply.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(event_types, ["MessageSent", "ConversationAssigned"]);
    let mine = bruno.get("/v1/inbox/mine").await.ok();
    assert_eq!(mine.ids(), vec![conversation]);
    assert_eq!(mine.items()[0]["unreplied_count"], 0);
    assert_eq!(mine.items()[0]["unread"], false);
    let history = bruno
        .get(&format!("/v1/conversations/{conversation}/history"))
        .await
        .ok();
    let sent = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["kind"] == "message_sent")
        .unwrap()
        .clone();
    assert_eq!(
        sent["data"]["content"]["text"],
        "Olá Maria, vamos ver isso."
    );
    assert_eq!(
        sent["data"]["channel"], "sms",
        "a reply goes out on the last channel"
    );
}

/// Sofia asks Bruno about the case; he reads it and answers.
async fn sofia_asks_bruno_about_the_case(team: &Team, conversation: &str) {
    let Team { bruno, sofia, .. } = team;
    let asked = sofia
        .post(
            &format!("/v1/conversations/{conversation}/internal-messages"),
            json!({"to": bruno.user, "text": "Is this the lost parcel from Tuesday?"}),
        )
        .await
        .ok();
    let question = asked.body["id"].as_str().unwrap().to_owned();
    let unread = bruno
        .get(&format!(
            "/v1/conversations/{conversation}/internal-messages?unread=true"
        ))
        .await
        .ok();
    assert_eq!(unread.ids(), vec![question.clone()]);
    let not_hers = sofia
        .post(
            &format!("/v1/conversations/{conversation}/internal-messages/{question}/read"),
            json!({}),
        )
        .await;
    assert_eq!(not_hers.status, 403, "only the recipient marks it read");
    bruno
        .post(
            &format!("/v1/conversations/{conversation}/internal-messages/{question}/read"),
            json!({}),
        )
        .await
        .ok();
    bruno
        .post(
            &format!("/v1/conversations/{conversation}/internal-messages"),
            json!({"to": sofia.user, "text": "Yes, tracking says it is at the depot.", "in_reply_to": question}),
        )
        .await
        .ok();
    assert!(
        bruno
            .get(&format!(
                "/v1/conversations/{conversation}/internal-messages?unread=true"
            ))
            .await
            .ok()
            .ids()
            .is_empty()
    );
    let sofias = sofia
        .get(&format!(
            "/v1/conversations/{conversation}/internal-messages"
        ))
        .await
        .ok();
    assert_eq!(sofias.items().len(), 2);
    assert_eq!(sofias.items()[1]["in_reply_to"], question.as_str());

    bruno
        .post(
            &format!("/v1/conversations/{conversation}/notes"),
            json!({"text": "Customer prefers a refund over a resend."}),
        )
        .await
        .ok();
}

/// An unpaid invoice keeps the case open.
async fn an_unpaid_invoice_keeps_it_open(team: &Team, conversation: &str) {
    let Team { bruno, gateway, .. } = team;
    gateway
        .post(
            &format!("/v1/conversations/{conversation}/invoices"),
            json!({"invoice_id": "INV-7", "amount_minor": 2599, "currency": "EUR"}),
        )
        .await
        .ok();
    let refused = bruno
        .post(
            &format!("/v1/conversations/{conversation}/close"),
            json!({}),
        )
        .await;
    assert_eq!(
        (refused.status, refused.problem_type()),
        (422, "caselog:rule")
    );
    gateway
        .post(
            &format!("/v1/conversations/{conversation}/invoices/INV-7/paid"),
            json!({}),
        )
        .await
        .ok();
}

/// Resolved, then closed by the system after the tenant's delay (2 s here).
async fn resolved_then_closed_by_the_system(stack: &Stack, team: &Team, conversation: &str) {
    let Team { bruno, gateway, .. } = team;
    bruno
        .post(
            &format!("/v1/conversations/{conversation}/resolve"),
            json!({}),
        )
        .await
        .ok();
    gateway
        .post(
            &format!("/v1/conversations/{conversation}/rating"),
            json!({"score": 5, "comment": "Rápido!"}),
        )
        .await
        .ok();
    let pool = stack.database.pool.clone();
    let conversation_id: Uuid = conversation.parse().unwrap();
    eventually(Duration::from_secs(20), "the auto-close", || {
        let pool = pool.clone();
        async move {
            let closes: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM eventlog.events WHERE stream_id = $1 AND event_type = 'ConversationClosed'",
            )
            .bind(conversation_id)
            .fetch_one(&pool)
            .await
            .unwrap();
            (closes > 0).then_some(())
        }
    })
    .await;
    let close: (serde_json::Value, serde_json::Value) = sqlx::query_as(
        "SELECT metadata -> 'actor', payload FROM eventlog.events \
         WHERE stream_id = $1 AND event_type = 'ConversationClosed'",
    )
    .bind(conversation_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(close.0, json!({"user_id": null, "role": "system"}));
    assert_eq!(close.1, json!({"reason": "auto_close"}));
}

/// Maria writes again: the closed case stays closed, a new one starts.
async fn maria_writes_again(team: &Team, conversation: &str) -> String {
    let Team {
        bruno,
        gateway,
        maria,
        ..
    } = team;
    let again = gateway
        .post(
            "/v1/inbound-messages",
            json!({"contact_id": maria, "channel": "webchat", "text": "Obrigada! Outra pergunta…"}),
        )
        .await
        .ok();
    assert_eq!(again.status, 201);
    let follow_up = again.body["stream_id"].as_str().unwrap().to_owned();
    assert_ne!(follow_up, conversation);

    let detail = bruno
        .get(&format!("/v1/conversations/{conversation}"))
        .await
        .ok();
    assert_eq!(detail.body["status"], "closed");
    assert_eq!(
        detail.body["rating"],
        json!({"score": 5, "comment": "Rápido!"})
    );
    assert!(detail.body["first_response_seconds"].as_i64().unwrap() >= 0);
    assert!(detail.body["duration_seconds"].as_i64().unwrap() >= 2);
    follow_up
}

/// Bruno reopens the first case; an admin deletes the follow-up.
async fn reopened_and_the_follow_up_deleted(
    stack: &Stack,
    team: &Team,
    conversation: &str,
    follow_up: &str,
) {
    let Team { admin, bruno, .. } = team;
    let pool = stack.database.pool.clone();
    let conversation_id: Uuid = conversation.parse().unwrap();
    bruno
        .post(
            &format!("/v1/conversations/{conversation}/reopen"),
            json!({}),
        )
        .await
        .ok();
    let agent_delete = bruno
        .delete(&format!("/v1/conversations/{follow_up}"))
        .await;
    assert_eq!(agent_delete.status, 403);
    admin
        .delete(&format!("/v1/conversations/{follow_up}"))
        .await
        .ok();
    assert_eq!(
        bruno
            .get(&format!("/v1/conversations/{follow_up}"))
            .await
            .status,
        404
    );
    let team_inbox = bruno.get("/v1/inbox/team").await.ok();
    assert_eq!(team_inbox.ids(), vec![conversation]);
    assert_eq!(team_inbox.items()[0]["status"], "open");

    let history = admin
        .get(&format!("/v1/conversations/{conversation}/history"))
        .await
        .ok();
    assert_eq!(
        kinds(&history.body),
        [
            "conversation_started",
            "message_received",
            "message_received",
            "message_sent",
            "conversation_assigned",
            "internal_message_sent",
            "internal_message_read",
            "internal_message_sent",
            "private_note_added",
            "invoice_attached",
            "invoice_paid",
            "conversation_resolved",
            "conversation_rated",
            "conversation_closed",
            "conversation_reopened",
        ]
    );
    let closes: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM eventlog.events WHERE stream_id = $1 AND event_type = 'ConversationClosed'",
    )
    .bind(conversation_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(closes, 1, "the auto-close closed it exactly once");
}

#[tokio::test]
async fn a_support_day_from_first_message_to_deletion() {
    let stack = Stack::start().await;
    let team = set_up(&stack).await;
    let conversation = maria_writes_on_two_channels(&team).await;
    bruno_answers_with_a_snippet(&team, &conversation).await;
    sofia_asks_bruno_about_the_case(&team, &conversation).await;
    an_unpaid_invoice_keeps_it_open(&team, &conversation).await;
    resolved_then_closed_by_the_system(&stack, &team, &conversation).await;
    let follow_up = maria_writes_again(&team, &conversation).await;
    reopened_and_the_follow_up_deleted(&stack, &team, &conversation, &follow_up).await;
    stack.stop().await;
}
