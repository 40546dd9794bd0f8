//! The internal chat over HTTP, one test per scenario of the product documents: a
//! public general channel, a private finance channel, a DM (and notes to self), an
//! announcement channel read-only for non-authors, promote/demote, and the module
//! switched off.

use serde_json::{Value, json};
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::{Session, Stack};

/// A tenant's team: an owner, an admin, two agents and a supervisor, all registered.
struct Team {
    owner: Session,
    admin: Session,
    ana: Session,
    rui: Session,
    sofia: Session,
}

impl Team {
    async fn register(stack: &Stack) -> Team {
        let tenant = Uuid::now_v7();
        let team = Team {
            owner: stack.session(tenant, Uuid::now_v7(), Role::Owner),
            admin: stack.session(tenant, Uuid::now_v7(), Role::Admin),
            ana: stack.session(tenant, Uuid::now_v7(), Role::Agent),
            rui: stack.session(tenant, Uuid::now_v7(), Role::Agent),
            sofia: stack.session(tenant, Uuid::now_v7(), Role::Supervisor),
        };
        team.admin.register(&team.owner, "owner").await;
        team.admin.register(&team.admin, "admin").await;
        team.admin.register(&team.ana, "agent").await;
        team.admin.register(&team.rui, "agent").await;
        team.admin.register(&team.sofia, "supervisor").await;
        team
    }

    /// Every session's reads wait for what all the others wrote.
    fn sync(&self) {
        let all = [&self.owner, &self.admin, &self.ana, &self.rui, &self.sofia];
        for session in all {
            session.after(&all);
        }
    }
}

fn find<'a>(items: &'a [Value], id: &str) -> Option<&'a Value> {
    items.iter().find(|item| item["id"] == id)
}

/// Ana posts a text with an attachment and a voice message; the admin and Ana react
/// to the first. Returns the two message ids.
async fn post_and_react(team: &Team, general: &str) -> (String, String) {
    let posted = team
        .ana
        .post(
            &format!("/v1/chat/channels/{general}/messages"),
            json!({"text": "Bom dia, equipa! 👋",
                   "attachments": [{"name": "plan.pdf", "media_type": "application/pdf",
                                    "size_bytes": 1200, "url": "https://files.test/plan.pdf"}]}),
        )
        .await
        .ok();
    let message = posted.field("id");
    let voice = team
        .ana
        .post(
            &format!("/v1/chat/channels/{general}/messages"),
            json!({"voice": {"url": "https://files.test/v.ogg", "media_type": "audio/ogg",
                             "duration_seconds": 7}}),
        )
        .await
        .ok();
    team.admin
        .post(
            &format!("/v1/chat/channels/{general}/messages/{message}/reactions"),
            json!({"emoji": "🎉"}),
        )
        .await
        .ok();
    team.ana
        .post(
            &format!("/v1/chat/channels/{general}/messages/{message}/reactions"),
            json!({"emoji": "🎉"}),
        )
        .await
        .ok();
    team.sync();
    (message, voice.field("id"))
}

/// Only account admins delete a message: not its author, not the channel's members.
/// A deleted message stays in the list, empty.
async fn only_account_admins_delete(team: &Team, general: &str, message: &str) {
    let path = format!("/v1/chat/channels/{general}/messages/{message}");
    assert_eq!(team.ana.delete(&path).await.status, 403);
    assert_eq!(team.sofia.delete(&path).await.status, 403);
    team.admin.delete(&path).await.ok();
    team.sync();
    let messages = team
        .ana
        .get(&format!("/v1/chat/channels/{general}/messages"))
        .await
        .ok();
    let deleted = find(messages.items(), message).unwrap();
    assert_eq!(deleted["deleted"], true);
    assert_eq!(
        deleted["deleted_by"],
        json!(team.admin.user),
        "who deleted it shows"
    );
    assert!(deleted["deleted_at"].is_string());
    assert_eq!(deleted["content"], Value::Null);
    assert_eq!(deleted["reactions"], json!([]));
}

#[tokio::test]
async fn a_public_general_channel_everyone_finds_joins_reads_and_reacts_in() {
    let stack = Stack::start().await;
    let team = Team::register(&stack).await;
    let created = team
        .admin
        .post(
            "/v1/chat/channels",
            json!({"name": "general", "kind": "public", "description": "the whole team",
                   "avatar": {"icon": "hash", "color": "#1f8a70"}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let general = created.field("stream_id");
    assert_eq!(created.body["events"][0]["event_type"], "ChannelCreated");

    // Ana finds it as a channel she may join, and joins.
    team.sync();
    let listed = team.ana.get("/v1/chat/channels").await.ok();
    let line = find(listed.items(), &general).expect("the public channel is listed");
    assert_eq!(line["member"], false);
    assert_eq!(line["avatar"], json!({"icon": "hash", "color": "#1f8a70"}));
    team.ana
        .post(&format!("/v1/chat/channels/{general}/join"), json!({}))
        .await
        .ok();
    // Joining twice changes nothing.
    let again = team
        .ana
        .post(&format!("/v1/chat/channels/{general}/join"), json!({}))
        .await
        .ok();
    assert!(again.body["events"].as_array().unwrap().is_empty());
    // Rui has not joined: he reads it but may not post until he does.
    let refused = team.rui.say(&general, "hi").await;
    assert_eq!(
        (refused.status, refused.problem_type()),
        (403, "caselog:forbidden")
    );

    let (message, voice) = post_and_react(&team, &general).await;

    // The admin has two unread messages; reading the channel clears them.
    let mine = team.admin.get("/v1/chat/channels").await.ok();
    let line = find(mine.items(), &general).unwrap();
    assert_eq!(
        (line["member"].clone(), line["unread_count"].clone()),
        (json!(true), json!(2))
    );
    assert_eq!(line["role"], "owner");
    let messages = team
        .rui
        .get(&format!("/v1/chat/channels/{general}/messages"))
        .await
        .ok();
    let items = messages.items();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], voice, "newest first");
    assert_eq!(items[0]["content"]["voice"]["duration_seconds"], 7);
    assert_eq!(items[1]["content"]["text"], "Bom dia, equipa! 👋");
    assert_eq!(items[1]["content"]["attachments"][0]["name"], "plan.pdf");
    assert_eq!(items[1]["reactions"][0]["emoji"], "🎉");
    assert_eq!(items[1]["reactions"][0]["count"], 2);
    assert_eq!(items[1]["reactions"][0]["mine"], false, "Rui did not react");

    team.admin
        .post(&format!("/v1/chat/channels/{general}/read"), json!({}))
        .await
        .ok();
    team.ana
        .delete_with(
            &format!("/v1/chat/channels/{general}/messages/{message}/reactions"),
            json!({"emoji": "🎉"}),
        )
        .await
        .ok();
    team.sync();
    let mine = team.admin.get("/v1/chat/channels").await.ok();
    assert_eq!(find(mine.items(), &general).unwrap()["unread_count"], 0);
    let members = team
        .rui
        .get(&format!("/v1/chat/channels/{general}/members"))
        .await
        .ok();
    let roles: Vec<(String, String)> = members
        .items()
        .iter()
        .map(|m| {
            (
                m["user_id"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        vec![
            (team.admin.user.to_string(), "owner".into()),
            (team.ana.user.to_string(), "member".into())
        ]
    );

    only_account_admins_delete(&team, &general, &message).await;
    stack.stop().await;
}

/// Rui, an agent outside the private channel, and even the account admin, find
/// nothing: not in the list, not by id; Rui's commands on it are not found.
async fn nothing_for_outsiders(team: &Team, finance: &str) {
    for outsider in [&team.rui, &team.admin] {
        let listed = outsider.get("/v1/chat/channels").await.ok();
        assert!(find(listed.items(), finance).is_none());
        for path in [
            format!("/v1/chat/channels/{finance}"),
            format!("/v1/chat/channels/{finance}/messages"),
            format!("/v1/chat/channels/{finance}/members"),
        ] {
            let reply = outsider.get(&path).await;
            assert_eq!(
                (reply.status, reply.problem_type()),
                (404, "caselog:not-found"),
                "{path}"
            );
        }
    }
    for (path, body) in [
        (format!("/v1/chat/channels/{finance}/join"), json!({})),
        (
            format!("/v1/chat/channels/{finance}/messages"),
            json!({"text": "let me in"}),
        ),
        (format!("/v1/chat/channels/{finance}/read"), json!({})),
    ] {
        assert_eq!(team.rui.post(&path, body).await.status, 404, "{path}");
    }
    let reply = team
        .rui
        .put(
            &format!("/v1/chat/channels/{finance}/preferences"),
            json!({"level": "all", "muted": true}),
        )
        .await;
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn a_private_finance_channel_is_invisible_to_everyone_outside_it() {
    let stack = Stack::start().await;
    let team = Team::register(&stack).await;
    let created = team
        .ana
        .post(
            "/v1/chat/channels",
            json!({"name": "finance", "kind": "private", "members": [team.sofia.user],
                   "avatar": {"image_url": "https://img.test/finance.png"}}),
        )
        .await
        .ok();
    let finance = created.field("stream_id");
    team.sofia.say(&finance, "Q3 numbers are in").await.ok();
    team.sofia
        .put(
            &format!("/v1/chat/channels/{finance}/preferences"),
            json!({"level": "mentions", "muted": false, "personal_note": "ask about the audit"}),
        )
        .await
        .ok();
    team.sync();

    // Rui, an agent outside it, and even the account admin, find nothing.
    nothing_for_outsiders(&team, &finance).await;

    // The personal note is Sofia's alone.
    let hers = team
        .sofia
        .get(&format!("/v1/chat/channels/{finance}"))
        .await
        .ok();
    assert_eq!(hers.body["me"]["personal_note"], "ask about the audit");
    assert_eq!(hers.body["me"]["level"], "mentions");
    assert_eq!(hers.body["kind"], "private");
    let owners = team
        .ana
        .get(&format!("/v1/chat/channels/{finance}"))
        .await
        .ok();
    assert_eq!(owners.body["me"]["role"], "owner");
    assert_eq!(owners.body["me"]["personal_note"], Value::Null);
    assert_eq!(owners.body["member_count"], 2);
    let members = team
        .ana
        .get(&format!("/v1/chat/channels/{finance}/members"))
        .await
        .ok();
    assert!(!members.body.to_string().contains("ask about the audit"));

    // An account admin manages its members without being one; then Rui sees it.
    team.admin
        .post(
            &format!("/v1/chat/channels/{finance}/members"),
            json!({"user_id": team.rui.user}),
        )
        .await
        .ok();
    team.sync();
    let listed = team.rui.get("/v1/chat/channels").await.ok();
    assert_eq!(find(listed.items(), &finance).unwrap()["member"], true);
    team.rui
        .get(&format!("/v1/chat/channels/{finance}/messages"))
        .await
        .ok();
    // He leaves by removing himself; it is invisible to him again.
    team.rui
        .delete(&format!(
            "/v1/chat/channels/{finance}/members/{}",
            team.rui.user
        ))
        .await
        .ok();
    team.sync();
    assert_eq!(
        team.rui
            .get(&format!("/v1/chat/channels/{finance}"))
            .await
            .status,
        404
    );
    stack.stop().await;
}

#[tokio::test]
async fn a_direct_message_is_one_channel_for_its_two_people_and_notes_to_self_work() {
    let stack = Stack::start().await;
    let team = Team::register(&stack).await;
    let opened = team
        .ana
        .post("/v1/chat/dms", json!({"with": team.rui.user}))
        .await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    let dm = opened.field("id");
    let again = team
        .ana
        .post("/v1/chat/dms", json!({"with": team.rui.user}))
        .await;
    assert_eq!((again.status, again.field("id")), (200, dm.clone()));
    let from_rui = team
        .rui
        .post("/v1/chat/dms", json!({"with": team.ana.user}))
        .await
        .ok();
    assert_eq!(from_rui.field("id"), dm, "the same DM from either side");

    team.rui
        .say(&dm, "quick question about ticket 42")
        .await
        .ok();
    team.sync();
    let listed = team.ana.get("/v1/chat/channels").await.ok();
    let line = find(listed.items(), &dm).unwrap();
    assert_eq!(line["kind"], "direct");
    assert_eq!(line["dm_with"], team.rui.user.to_string());
    assert_eq!(line["name"], "agent user");
    assert_eq!(line["unread_count"], 1);
    let bell = team.ana.get("/v1/chat/notifications").await.ok();
    assert_eq!(bell.items().len(), 1);
    assert_eq!(bell.items()[0]["kind"], "dm");
    assert_eq!(bell.items()[0]["excerpt"], "quick question about ticket 42");

    // A third person sees nothing of it, owner included.
    for outsider in [&team.sofia, &team.owner] {
        assert_eq!(
            outsider
                .get(&format!("/v1/chat/channels/{dm}/messages"))
                .await
                .status,
            404
        );
        let posted = outsider.say(&dm, "hello?").await;
        assert_eq!(posted.status, 404);
    }
    let add = team
        .admin
        .post(
            &format!("/v1/chat/channels/{dm}/members"),
            json!({"user_id": team.sofia.user}),
        )
        .await;
    assert_eq!(add.status, 404, "an admin outside the DM does not find it");
    let add = team
        .ana
        .post(
            &format!("/v1/chat/channels/{dm}/members"),
            json!({"user_id": team.sofia.user}),
        )
        .await;
    assert_eq!((add.status, add.problem_type()), (422, "caselog:rule"));

    // Notes to self: a DM with oneself, notifying no one.
    let notes = team
        .ana
        .post("/v1/chat/dms", json!({"with": team.ana.user}))
        .await
        .ok();
    let notes = notes.field("id");
    assert_ne!(notes, dm);
    team.ana.say(&notes, "remember the invoice").await.ok();
    team.sync();
    let listed = team.ana.get("/v1/chat/channels").await.ok();
    let line = find(listed.items(), &notes).unwrap();
    assert_eq!(line["dm_with"], team.ana.user.to_string());
    assert_eq!(line["unread_count"], 0);
    assert_eq!(
        team.ana
            .get("/v1/chat/notifications")
            .await
            .ok()
            .items()
            .len(),
        1
    );

    // An unknown user is a validation error.
    let unknown = team
        .ana
        .post("/v1/chat/dms", json!({"with": Uuid::now_v7()}))
        .await;
    assert_eq!(
        (unknown.status, unknown.problem_type()),
        (422, "caselog:validation")
    );
    stack.stop().await;
}

#[tokio::test]
async fn an_announcement_channel_is_read_only_for_everyone_but_its_authors() {
    let stack = Stack::start().await;
    let team = Team::register(&stack).await;
    let refused = team
        .ana
        .post(
            "/v1/chat/channels",
            json!({"name": "announcements", "kind": "announcement"}),
        )
        .await;
    assert_eq!(
        refused.status, 403,
        "agents do not create announcement channels"
    );
    let news = team
        .admin
        .new_channel(
            "announcements",
            "announcement",
            &[team.ana.user, team.rui.user],
        )
        .await;
    let refused = team.ana.say(&news, "can I?").await;
    assert_eq!(
        (refused.status, refused.problem_type()),
        (422, "caselog:rule")
    );
    team.admin
        .say(&news, "Maintenance tonight at 22:00")
        .await
        .ok();
    team.sync();
    // Every staff member gets it in the bell and reads it, members or not.
    let bell = team
        .ana
        .get("/v1/chat/notifications?unread=true")
        .await
        .ok();
    assert_eq!(bell.items().len(), 1);
    assert_eq!(bell.items()[0]["kind"], "announcement");
    let sofia_reads = team
        .sofia
        .get(&format!("/v1/chat/channels/{news}/messages"))
        .await
        .ok();
    assert_eq!(sofia_reads.items().len(), 1);
    let sofia_bell = team.sofia.get("/v1/chat/notifications").await.ok();
    assert_eq!(sofia_bell.items().len(), 1, "not a member, still told");
    assert_eq!(sofia_bell.items()[0]["kind"], "announcement");
    let owner_bell = team.owner.get("/v1/chat/notifications").await.ok();
    assert_eq!(owner_bell.items().len(), 1);
    // Sofia wants announcements by email only from now on.
    team.sofia
        .put(
            "/v1/chat/notification-preferences",
            json!({"announcement": {"bell": false, "email": true}}),
        )
        .await
        .ok();
    let detail = team
        .ana
        .get(&format!("/v1/chat/channels/{news}"))
        .await
        .ok();
    assert_eq!(detail.body["can_post"], false);
    assert_eq!(detail.body["authors"], json!([team.admin.user]));

    authors_are_set_by_the_channels_managers(&team, &news).await;
    stack.stop().await;
}

/// Authors are managed by the channel's managers; a member may not set them. A new
/// author's post reaches the members, and not Sofia's bell, which she turned off.
async fn authors_are_set_by_the_channels_managers(team: &Team, news: &str) {
    let refused = team
        .ana
        .post(
            &format!("/v1/chat/channels/{news}/authors"),
            json!({"user_ids": [team.ana.user]}),
        )
        .await;
    assert_eq!(refused.status, 403);
    team.admin
        .post(
            &format!("/v1/chat/channels/{news}/authors"),
            json!({"user_ids": [team.admin.user, team.ana.user]}),
        )
        .await
        .ok();
    team.ana.say(news, "New holiday calendar is out").await.ok();
    team.sync();
    let detail = team
        .ana
        .get(&format!("/v1/chat/channels/{news}"))
        .await
        .ok();
    assert_eq!(detail.body["can_post"], true);
    assert_eq!(
        team.rui
            .get("/v1/chat/notifications")
            .await
            .ok()
            .items()
            .len(),
        2
    );
    let sofia_bell = team.sofia.get("/v1/chat/notifications").await.ok();
    assert_eq!(
        sofia_bell.items().len(),
        1,
        "her preference keeps the bell quiet"
    );
}

#[tokio::test]
async fn channel_owners_promote_and_demote_and_admins_manage_until_demoted() {
    let stack = Stack::start().await;
    let team = Team::register(&stack).await;
    let shift = team
        .ana
        .new_channel("night shift", "private", &[team.rui.user])
        .await;
    let role_path = format!("/v1/chat/channels/{shift}/members/{}/role", team.rui.user);
    let add = |session: &Session| {
        let session = session.clone();
        let path = format!("/v1/chat/channels/{shift}/members");
        let sofia = team.sofia.user;
        async move { session.post(&path, json!({"user_id": sofia})).await }
    };

    // A plain member neither manages members nor promotes himself.
    assert_eq!(add(&team.rui).await.status, 403);
    assert_eq!(
        team.rui
            .post(&role_path, json!({"role": "admin"}))
            .await
            .status,
        403
    );
    team.ana
        .post(&role_path, json!({"role": "admin"}))
        .await
        .ok();
    team.sync();
    let members = team
        .ana
        .get(&format!("/v1/chat/channels/{shift}/members"))
        .await
        .ok();
    assert_eq!(members.items()[1]["role"], "admin");
    // Promoted, he renames the channel and adds Sofia...
    team.rui
        .command(
            reqwest::Method::PATCH,
            &format!("/v1/chat/channels/{shift}"),
            Some(json!({"name": "night shift 🌙", "description": null})),
        )
        .await
        .ok();
    add(&team.rui).await.ok();
    // ...but the owner stays the owner.
    let demote_owner = team
        .rui
        .post(
            &format!("/v1/chat/channels/{shift}/members/{}/role", team.ana.user),
            json!({"role": "member"}),
        )
        .await;
    assert_eq!(
        (demote_owner.status, demote_owner.problem_type()),
        (422, "caselog:rule")
    );
    let make_owner = team.ana.post(&role_path, json!({"role": "owner"})).await;
    assert_eq!(make_owner.status, 422);

    // Demoted, he manages nothing any more.
    team.ana
        .post(&role_path, json!({"role": "member"}))
        .await
        .ok();
    let remove = team
        .rui
        .delete(&format!(
            "/v1/chat/channels/{shift}/members/{}",
            team.sofia.user
        ))
        .await;
    assert_eq!(remove.status, 403);
    team.sync();
    let detail = team
        .sofia
        .get(&format!("/v1/chat/channels/{shift}"))
        .await
        .ok();
    assert_eq!(detail.body["name"], "night shift 🌙");
    assert_eq!(detail.body["member_count"], 3);
    stack.stop().await;
}

/// One of every chat command, each as someone who may send it while the chat is on.
fn chat_commands(
    team: &Team,
    general: &str,
    message: &str,
) -> Vec<(reqwest::Method, String, Value)> {
    vec![
        (
            reqwest::Method::POST,
            "/v1/chat/channels".into(),
            json!({"name": "x", "kind": "public"}),
        ),
        (
            reqwest::Method::PATCH,
            format!("/v1/chat/channels/{general}"),
            json!({"name": "y"}),
        ),
        (
            reqwest::Method::POST,
            format!("/v1/chat/channels/{general}/join"),
            json!({}),
        ),
        (
            reqwest::Method::POST,
            format!("/v1/chat/channels/{general}/members"),
            json!({"user_id": team.rui.user}),
        ),
        (
            reqwest::Method::POST,
            format!("/v1/chat/channels/{general}/messages"),
            json!({"text": "after"}),
        ),
        (
            reqwest::Method::POST,
            format!("/v1/chat/channels/{general}/messages/{message}/reactions"),
            json!({"emoji": "👍"}),
        ),
        (
            reqwest::Method::PUT,
            format!("/v1/chat/channels/{general}/preferences"),
            json!({"level": "none"}),
        ),
        (
            reqwest::Method::POST,
            format!("/v1/chat/channels/{general}/read"),
            json!({}),
        ),
        (
            reqwest::Method::POST,
            "/v1/chat/dms".into(),
            json!({"with": team.rui.user}),
        ),
        (
            reqwest::Method::POST,
            "/v1/chat/notifications/read".into(),
            json!({}),
        ),
        (
            reqwest::Method::PUT,
            "/v1/chat/notification-preferences".into(),
            json!({}),
        ),
        (
            reqwest::Method::POST,
            format!("/v1/chat/channels/{general}/cards"),
            json!({"entity_type": "contact", "entity_id": Uuid::now_v7()}),
        ),
    ]
}

#[tokio::test]
async fn with_the_module_switched_off_every_chat_command_and_read_is_refused() {
    let stack = Stack::start().await;
    let team = Team::register(&stack).await;
    let general = team
        .admin
        .new_channel("general", "public", &[team.ana.user])
        .await;
    let message = team.ana.say(&general, "before").await.ok().field("id");
    team.admin
        .put(
            "/v1/settings",
            json!({"auto_close_minutes": 15, "require_accept": false, "internal_chat_enabled": false}),
        )
        .await
        .ok();
    let before = stack.log_length().await;
    let commands = chat_commands(&team, &general, &message);
    for (method, path, body) in &commands {
        let session = if path.contains("/messages/") || path.ends_with("/members") {
            &team.admin
        } else {
            &team.ana
        };
        let reply = session
            .command(method.clone(), path, Some(body.clone()))
            .await;
        assert_eq!(
            (reply.status, reply.problem_type()),
            (403, "caselog:forbidden"),
            "{method} {path}: {}",
            reply.body
        );
        assert!(
            reply.body["detail"]
                .as_str()
                .unwrap()
                .contains("switched off")
        );
    }
    let deleted = team
        .admin
        .delete(&format!("/v1/chat/channels/{general}/messages/{message}"))
        .await;
    assert_eq!(deleted.status, 403);
    assert_eq!(stack.log_length().await, before, "nothing was appended");
    team.sync();
    for path in [
        "/v1/chat/channels".to_owned(),
        format!("/v1/chat/channels/{general}/messages"),
        "/v1/chat/notifications".to_owned(),
    ] {
        assert_eq!(team.ana.get(&path).await.status, 403, "{path}");
    }

    // Switched back on, the chat is as it was.
    team.admin
        .patch("/v1/settings", json!({"internal_chat_enabled": true}))
        .await
        .ok();
    team.sync();
    let messages = team
        .ana
        .get(&format!("/v1/chat/channels/{general}/messages"))
        .await
        .ok();
    assert_eq!(messages.items()[0]["content"]["text"], "before");
    stack.stop().await;
}

/// Chat commands with one thing wrong each, and the problem each must get.
fn bad_chat_inputs<'a>(general: &str, messages: &'a str) -> Vec<(&'a str, Value, &'static str)> {
    vec![
        (
            "/v1/chat/channels",
            json!({"name": "x", "kind": "secret"}),
            "caselog:validation",
        ),
        (
            "/v1/chat/channels",
            json!({"name": "  ", "kind": "public"}),
            "caselog:validation",
        ),
        (
            "/v1/chat/channels",
            json!({"name": "x", "kind": "public", "members": [Uuid::now_v7()]}),
            "caselog:validation",
        ),
        (
            "/v1/chat/channels",
            json!({"name": "x", "kind": "public", "avatar": {"icon": "x", "color": "red"}}),
            "caselog:validation",
        ),
        (
            "/v1/chat/channels",
            json!({"id": general, "name": "again", "kind": "public"}),
            "caselog:conflict",
        ),
        (messages, json!({"text": ""}), "caselog:validation"),
        (
            messages,
            json!({"text": "hi", "mentions": [Uuid::now_v7()]}),
            "caselog:validation",
        ),
        (
            messages,
            json!({"text": format!("hi @{}", Uuid::now_v7())}),
            "caselog:validation",
        ),
        (
            messages,
            json!({"text": "hi", "colour": "blue"}),
            "caselog:validation",
        ),
        (
            messages,
            json!({"text": "x".repeat(10_001)}),
            "caselog:validation",
        ),
        (
            "/v1/chat/notifications/read",
            json!({"ids": []}),
            "caselog:validation",
        ),
    ]
}

#[tokio::test]
async fn bad_chat_input_is_a_clear_problem_and_another_tenants_channel_is_not_found() {
    let stack = Stack::start().await;
    let team = Team::register(&stack).await;
    let general = team
        .admin
        .new_channel("general", "public", &[team.ana.user])
        .await;
    let before = stack.log_length().await;
    let messages = format!("/v1/chat/channels/{general}/messages");
    for (path, body, problem) in bad_chat_inputs(&general, &messages) {
        let reply = team.ana.post(path, body.clone()).await;
        assert_eq!(
            reply.problem_type(),
            problem,
            "{path} {body}: {}",
            reply.body
        );
        assert!(
            reply.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/problem+json")
        );
    }
    let reaction = team
        .ana
        .post(
            &format!("{messages}/{}/reactions", Uuid::now_v7()),
            json!({"emoji": "👍"}),
        )
        .await;
    assert_eq!(reaction.status, 404);
    assert_eq!(stack.log_length().await, before, "nothing was appended");

    // Another tenant's owner does not find the channel, in reads or commands.
    let stranger = stack.session(Uuid::now_v7(), Uuid::now_v7(), Role::Owner);
    for path in [
        format!("/v1/chat/channels/{general}"),
        format!("/v1/chat/channels/{general}/messages"),
        format!("/v1/chat/channels/{general}/members"),
    ] {
        assert_eq!(stranger.get(&path).await.status, 404, "{path}");
    }
    assert!(
        stranger
            .get("/v1/chat/channels")
            .await
            .ok()
            .items()
            .is_empty()
    );
    for (path, body) in [
        (format!("/v1/chat/channels/{general}/join"), json!({})),
        (messages.clone(), json!({"text": "hello from elsewhere"})),
    ] {
        assert_eq!(stranger.post(&path, body).await.status, 404, "{path}");
    }
    let renamed = stranger
        .command(
            reqwest::Method::PATCH,
            &format!("/v1/chat/channels/{general}"),
            Some(json!({"name": "mine now"})),
        )
        .await;
    assert_eq!(renamed.status, 404);
    assert_eq!(stack.log_length().await, before);
    stack.stop().await;
}
