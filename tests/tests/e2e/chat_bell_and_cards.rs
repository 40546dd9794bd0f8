//! The chat's notification bell (a mention reaching it; level, mute and preferences
//! silencing it; mark-as-read) and cards (a restricted conversation shared as a card
//! leaks nothing to an outsider; a deleted one says so; integration cards), and the
//! separation: chat never changes a case's history or the support counts.

use serde_json::{Value, json};
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::{Session, Stack};

async fn team(stack: &Stack, roles: &[(Role, &str)]) -> Vec<Session> {
    let tenant = Uuid::now_v7();
    let sessions: Vec<Session> = roles
        .iter()
        .map(|(role, _)| stack.session(tenant, Uuid::now_v7(), *role))
        .collect();
    let admin = roles
        .iter()
        .position(|(role, _)| *role == Role::Admin)
        .map(|at| sessions[at].clone())
        .expect("an admin in the team");
    for (session, (_, role)) in sessions.iter().zip(roles) {
        if *role != "integration" {
            admin.register(session, role).await;
        }
    }
    sessions
}

fn sync(all: &[&Session]) {
    for session in all {
        session.after(all);
    }
}

/// The admin posts `text` in the channel; returns the message id.
async fn say(admin: &Session, channel: &str, text: String) -> String {
    admin
        .post(
            &format!("/v1/chat/channels/{channel}/messages"),
            json!({"text": text}),
        )
        .await
        .ok()
        .field("id")
}

/// Ana's bell (`query`: `""` or `"?unread=true"`), once she has seen the admin's posts.
async fn bell(ana: &Session, admin: &Session, query: &str) -> Vec<Value> {
    ana.after(&[admin]);
    ana.get(&format!("/v1/chat/notifications{query}"))
        .await
        .ok()
        .items()
        .clone()
}

/// Level `none` silences even a mention; so does mute at level `all`; level
/// `mentions`, unmuted, rings again.
async fn level_and_mute_silence_mentions(admin: &Session, ana: &Session, general: &str) {
    let prefs = format!("/v1/chat/channels/{general}/preferences");
    ana.put(&prefs, json!({"level": "none", "muted": false}))
        .await
        .ok();
    say(admin, general, format!("@{} level none", ana.user)).await;
    assert_eq!(bell(ana, admin, "?unread=true").await.len(), 0);
    // So does mute, at level all.
    ana.put(&prefs, json!({"level": "all", "muted": true}))
        .await
        .ok();
    say(admin, general, format!("@{} muted", ana.user)).await;
    assert_eq!(bell(ana, admin, "?unread=true").await.len(), 0);
    // Level mentions, unmuted: mentions ring again.
    ana.put(&prefs, json!({"level": "mentions", "muted": false}))
        .await
        .ok();
    say(admin, general, format!("@{} back", ana.user)).await;
    assert_eq!(bell(ana, admin, "?unread=true").await.len(), 1);
}

#[tokio::test]
async fn a_mention_reaches_the_bell_unless_level_mute_or_preferences_silence_it() {
    let stack = Stack::start().await;
    let people = team(&stack, &[(Role::Admin, "admin"), (Role::Agent, "agent")]).await;
    let (admin, ana) = (&people[0], &people[1]);
    let general = admin.new_channel("general", "public", &[ana.user]).await;
    // Not mentioned: nothing. Mentioned by `@<id>` or in the list: the bell rings.
    say(admin, &general, "morning all".into()).await;
    let first = say(
        admin,
        &general,
        format!("@{} can you take the Lisbon queue?", ana.user),
    )
    .await;
    let listed = admin
        .post(
            &format!("/v1/chat/channels/{general}/messages"),
            json!({"text": "see the roster", "mentions": [ana.user]}),
        )
        .await
        .ok()
        .field("id");
    let rung = bell(ana, admin, "").await;
    assert_eq!(rung.len(), 2, "{rung:?}");
    assert_eq!(rung[0]["id"], listed);
    assert_eq!(rung[1]["id"], first);
    assert_eq!(rung[1]["kind"], "mention");
    assert_eq!(rung[1]["channel_name"], "general");
    assert_eq!(rung[1]["author"], admin.user.to_string());
    assert_eq!(rung[1]["read"], false);
    assert!(
        rung[1]["excerpt"]
            .as_str()
            .unwrap()
            .contains("Lisbon queue")
    );

    // Mark one read, then all.
    ana.post("/v1/chat/notifications/read", json!({"ids": [first]}))
        .await
        .ok();
    let unread = bell(ana, admin, "?unread=true").await;
    assert_eq!(unread.len(), 1);
    assert_eq!(unread[0]["id"], listed);
    ana.post("/v1/chat/notifications/read", json!({}))
        .await
        .ok();
    assert!(bell(ana, admin, "?unread=true").await.is_empty());
    assert_eq!(
        bell(ana, admin, "").await.len(),
        2,
        "read ones stay in the bell"
    );

    level_and_mute_silence_mentions(admin, ana, &general).await;

    // Preferences: mentions to email only, not to the bell.
    ana.put(
        "/v1/chat/notification-preferences",
        json!({"mention": {"bell": false, "email": true}}),
    )
    .await
    .ok();
    say(admin, &general, format!("@{} email me", ana.user)).await;
    assert_eq!(bell(ana, admin, "?unread=true").await.len(), 1);
    ana.after(&[admin]);
    let stored = ana.get("/v1/chat/notification-preferences").await.ok();
    assert_eq!(
        stored.body,
        json!({"mention": {"bell": false, "email": true},
               "dm": {"bell": true, "email": false},
               "announcement": {"bell": true, "email": false}})
    );
    let queued: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM rm_chat.notifications WHERE user_id = $1 AND email AND NOT bell",
    )
    .bind(ana.user)
    .fetch_one(&stack.database.pool)
    .await
    .unwrap();
    assert_eq!(
        queued, 1,
        "the email-only notification waits for an email sender"
    );

    // Reading the channel marks its notifications read as well.
    ana.put("/v1/chat/notification-preferences", json!({}))
        .await
        .ok();
    say(admin, &general, format!("@{} last one", ana.user)).await;
    assert_eq!(bell(ana, admin, "?unread=true").await.len(), 2);
    ana.post(&format!("/v1/chat/channels/{general}/read"), json!({}))
        .await
        .ok();
    assert!(bell(ana, admin, "?unread=true").await.is_empty());
    stack.stop().await;
}

#[tokio::test]
async fn a_restricted_conversation_shared_as_a_card_shows_an_outsider_nothing_of_it() {
    let stack = Stack::start().await;
    let people = team(
        &stack,
        &[
            (Role::Admin, "admin"),
            (Role::Agent, "agent"),
            (Role::Agent, "agent"),
            (Role::Integration, "integration"),
        ],
    )
    .await;
    let (admin, ana, rui, gateway) = (&people[0], &people[1], &people[2], &people[3]);
    let contact = admin.new_contact("Beatriz Confidencial").await;
    let conversation = gateway
        .inbound(contact, "whatsapp", "my account number is 12345")
        .await;
    admin
        .post(
            &format!("/v1/conversations/{conversation}/visibility"),
            json!({"visible_to": [admin.user, ana.user]}),
        )
        .await
        .ok();
    let general = admin
        .new_channel("general", "public", &[ana.user, rui.user])
        .await;
    // Rui, outside its list, may not share it: to him it does not exist.
    let refused = rui
        .post(
            &format!("/v1/chat/channels/{general}/cards"),
            json!({"entity_type": "conversation", "entity_id": conversation}),
        )
        .await;
    assert_eq!(refused.status, 404);
    let shared = ana
        .post(
            &format!("/v1/chat/channels/{general}/cards"),
            json!({"entity_type": "conversation", "entity_id": conversation,
                   "message": format!("@{} can you help with this one?", rui.user)}),
        )
        .await
        .ok();
    let card = shared.field("id");
    sync(&[admin, ana, rui, gateway]);

    // Ana, inside the list, sees the card whole.
    let hers = ana.get(&format!("/v1/chat/cards/{card}")).await.ok();
    assert_eq!(hers.body["state"], "available");
    assert_eq!(hers.body["title"], "Conversation with Beatriz Confidencial");
    assert_eq!(hers.body["contact_name"], "Beatriz Confidencial");
    assert_eq!(hers.body["icon"], "whatsapp");
    assert!(hers.body["summary"].as_str().unwrap().contains("open"));

    // Rui sees that a card is there, and nothing of the conversation: not in the
    // message list, not in his bell, not in the card itself.
    let messages = rui
        .get(&format!("/v1/chat/channels/{general}/messages"))
        .await
        .ok();
    let bell = rui.get("/v1/chat/notifications").await.ok();
    let direct = rui.get(&format!("/v1/chat/cards/{card}")).await.ok();
    assert_eq!(bell.items().len(), 1, "the mention reached him");
    for (place, card_view) in [
        ("messages", &messages.items()[0]["card"]),
        ("bell", &bell.items()[0]["card"]),
        ("card", &direct.body),
    ] {
        assert_eq!(card_view["state"], "restricted", "{place}");
        assert_eq!(card_view["entity_type"], "conversation", "{place}");
        for field in ["title", "summary", "contact_name", "icon", "url"] {
            assert_eq!(card_view[field], Value::Null, "{place}: {field}");
        }
    }
    for body in [&messages.body, &bell.body, &direct.body] {
        let text = body.to_string();
        assert!(!text.contains("Beatriz"), "{text}");
        assert!(!text.contains("12345"), "{text}");
        assert!(!text.contains("whatsapp"), "{text}");
    }

    // Opened to everyone, the same card shows itself to Rui; once deleted, it says so.
    admin
        .post(
            &format!("/v1/conversations/{conversation}/visibility"),
            json!({"visible_to": null}),
        )
        .await
        .ok();
    rui.after(&[admin]);
    let now_visible = rui.get(&format!("/v1/chat/cards/{card}")).await.ok();
    assert_eq!(now_visible.body["state"], "available");
    admin
        .delete(&format!("/v1/conversations/{conversation}"))
        .await
        .ok();
    ana.after(&[admin]);
    let gone = ana.get(&format!("/v1/chat/cards/{card}")).await.ok();
    assert_eq!(gone.body["state"], "deleted");
    assert_eq!(gone.body["summary"], "This conversation was deleted.");
    assert_eq!(gone.body["title"], Value::Null);
    stack.stop().await;
}

#[tokio::test]
async fn contact_and_integration_cards_and_who_may_share_which() {
    let stack = Stack::start().await;
    let people = team(
        &stack,
        &[
            (Role::Admin, "admin"),
            (Role::Agent, "agent"),
            (Role::Integration, "integration"),
        ],
    )
    .await;
    let (admin, ana, crm) = (&people[0], &people[1], &people[2]);
    let contact = admin.new_contact("Carlos Mendes").await;
    let sales = admin.new_channel("sales", "private", &[ana.user]).await;
    let cards = format!("/v1/chat/channels/{sales}/cards");
    let contact_card = ana
        .post(
            &cards,
            json!({"entity_type": "contact", "entity_id": contact, "message": "our VIP"}),
        )
        .await
        .ok()
        .field("id");
    crm.put(
        "/v1/items/deal/D-77",
        json!({"title": "ACME renewal", "summary": "stuck in negotiation",
               "url": "https://crm.test/deals/D-77"}),
    )
    .await
    .ok();
    let deal = crm
        .post(&cards, json!({"entity_type": "deal", "entity_id": "D-77"}))
        .await
        .ok()
        .field("id");
    // No card of an item nobody registered; integrations do not describe caselog's items.
    let refused = ana
        .post(&cards, json!({"entity_type": "deal", "entity_id": "D-1"}))
        .await;
    assert_eq!(refused.status, 404, "{}", refused.body);
    let refused = crm
        .post(
            &cards,
            json!({"entity_type": "contact", "entity_id": contact}),
        )
        .await;
    assert_eq!(refused.status, 403);
    for (path, bad) in [
        ("/v1/items/deal/D-2", json!({"url": "https://crm.test/x"})),
        (
            "/v1/items/deal/D-2",
            json!({"title": "x", "url": "ftp://crm.test/x"}),
        ),
        (
            "/v1/items/contact/C-1",
            json!({"title": "x", "url": "https://crm.test/x"}),
        ),
    ] {
        let reply = crm.put(path, bad.clone()).await;
        assert_eq!(
            (reply.status, reply.problem_type()),
            (422, "caselog:validation"),
            "{bad}"
        );
    }
    let spaceship = crm
        .post(
            &cards,
            json!({"entity_type": "spaceship", "entity_id": "1"}),
        )
        .await;
    assert_eq!(spaceship.status, 422, "{}", spaceship.body);
    let unknown = ana
        .post(
            &cards,
            json!({"entity_type": "contact", "entity_id": Uuid::now_v7()}),
        )
        .await;
    assert_eq!(unknown.status, 404);

    sync(&[admin, ana, crm]);
    let messages = ana
        .get(&format!("/v1/chat/channels/{sales}/messages"))
        .await
        .ok();
    let shown: Vec<&Value> = messages.items().iter().map(|m| &m["card"]).collect();
    assert_eq!(shown[0]["id"], deal);
    assert_eq!(shown[0]["title"], "ACME renewal");
    assert_eq!(shown[0]["url"], "https://crm.test/deals/D-77");
    assert_eq!(shown[0]["icon"], "deal");
    assert_eq!(shown[1]["id"], contact_card);
    assert_eq!(shown[1]["title"], "Carlos Mendes");
    assert_eq!(shown[1]["state"], "available");
    assert_eq!(messages.items()[1]["content"]["text"], "our VIP");

    // An admin deletes the card's message: the card is gone with it.
    admin
        .delete(&format!("/v1/chat/channels/{sales}/messages/{deal}"))
        .await
        .ok();
    ana.after(&[admin]);
    assert_eq!(ana.get(&format!("/v1/chat/cards/{deal}")).await.status, 404);
    stack.stop().await;
}

#[tokio::test]
async fn chat_never_changes_a_case_history_or_the_support_counts() {
    let stack = Stack::start().await;
    let people = team(
        &stack,
        &[
            (Role::Admin, "admin"),
            (Role::Agent, "agent"),
            (Role::Integration, "integration"),
        ],
    )
    .await;
    let (admin, ana, gateway) = (&people[0], &people[1], &people[2]);
    let contact = admin.new_contact("Dora").await;
    let conversation = gateway.inbound(contact, "sms", "hello?").await;
    sync(&[admin, ana, gateway]);
    let history = format!("/v1/conversations/{conversation}/history");
    let history_before = ana.get(&history).await.ok().body;
    let dashboard_before = ana.get("/v1/dashboard").await.ok().body;
    let inbox_before = ana.get("/v1/inbox/team").await.ok().body;
    let summary_before = ana
        .get(&format!("/v1/conversations/{conversation}"))
        .await
        .ok()
        .body;

    let general = admin.new_channel("general", "public", &[ana.user]).await;
    ana.post(
        &format!("/v1/chat/channels/{general}/cards"),
        json!({"entity_type": "conversation", "entity_id": conversation,
               "message": "who takes this one?"}),
    )
    .await
    .ok();
    admin
        .say(&general, format!("@{} I will", ana.user))
        .await
        .ok();
    sync(&[admin, ana, gateway]);
    assert_eq!(ana.get(&history).await.ok().body, history_before);
    assert_eq!(ana.get("/v1/dashboard").await.ok().body, dashboard_before);
    assert_eq!(ana.get("/v1/inbox/team").await.ok().body, inbox_before);
    assert_eq!(
        ana.get(&format!("/v1/conversations/{conversation}"))
            .await
            .ok()
            .body["unreplied_count"],
        summary_before["unreplied_count"]
    );
    // The chat's events are in streams of their own.
    let streams: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT stream_type FROM eventlog.events WHERE event_type IN \
         ('ChannelCreated', 'CardShared', 'MessagePosted') ORDER BY 1",
    )
    .fetch_all(&stack.database.pool)
    .await
    .unwrap();
    assert_eq!(streams, vec!["chat_channel".to_owned()]);
    stack.stop().await;
}

#[tokio::test]
async fn an_integrations_item_opens_for_whom_its_access_names_on_every_read_and_in_a_dm() {
    let stack = Stack::start().await;
    let people = team(
        &stack,
        &[
            (Role::Admin, "admin"),
            (Role::Agent, "agent"),
            (Role::Agent, "agent"),
            (Role::Integration, "integration"),
        ],
    )
    .await;
    let (admin, ana, rui, crm) = (&people[0], &people[1], &people[2], &people[3]);
    let billing = Uuid::now_v7();
    admin
        .put(&format!("/v1/groups/{billing}"), json!({"name": "Billing"}))
        .await
        .ok();
    admin
        .put(
            &format!("/v1/users/{}", ana.user),
            json!({"name": "Ana", "email": "ana@example.com", "role": "agent",
                   "groups": [billing]}),
        )
        .await
        .ok();
    let register = |title: &str, access: Value| {
        let crm = crm.clone();
        let body = json!({"title": title, "url": "https://crm.test/deals/D-9",
                          "access": access});
        async move { crm.put("/v1/items/deal/D-9", body).await.ok() }
    };
    register("ACME renewal", json!({"groups": [billing]})).await;
    let dm = ana
        .post("/v1/chat/dms", json!({"with": rui.user}))
        .await
        .ok()
        .field("stream_id");
    let card = ana
        .post(
            &format!("/v1/chat/channels/{dm}/cards"),
            json!({"entity_type": "deal", "entity_id": "D-9", "message": "can you help?"}),
        )
        .await
        .ok()
        .field("id");
    let refused = rui
        .post(
            &format!("/v1/chat/channels/{dm}/cards"),
            json!({"entity_type": "deal", "entity_id": "D-9"}),
        )
        .await;
    assert_eq!(refused.status, 404, "Rui may not open it: {}", refused.body);

    let seen = |who: &Session| {
        let (who, path) = (who.clone(), format!("/v1/chat/cards/{card}"));
        async move { who.get(&path).await.ok().body }
    };
    sync(&[admin, ana, rui, crm]);
    assert_eq!(seen(ana).await["title"], "ACME renewal");
    let restricted = seen(rui).await;
    assert_eq!(restricted["state"], "restricted");
    assert_eq!(restricted["title"], Value::Null);

    // Read again every time: a new title, and Rui let in by name.
    register(
        "ACME renewal (won)",
        json!({"groups": [billing], "users": [rui.user]}),
    )
    .await;
    sync(&[admin, ana, rui, crm]);
    let opened = seen(rui).await;
    assert_eq!(
        (opened["state"].as_str(), opened["title"].as_str()),
        (Some("available"), Some("ACME renewal (won)"))
    );
    crm.delete("/v1/items/deal/D-9").await.ok();
    sync(&[admin, ana, rui, crm]);
    assert_eq!(seen(ana).await["state"], "unavailable");
}
