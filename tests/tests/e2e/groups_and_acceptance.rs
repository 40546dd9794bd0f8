//! Groups and acceptance as a support team lives them: each agent's team inbox and
//! counts are their groups' (an admin's every group's), assignment stays within the
//! conversation's group unless an admin widens it, and with acceptance required an
//! offered conversation waits for its assignee to accept or reject it.

use serde_json::json;
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::{Session, Stack};

struct Team {
    admin: Session,
    ana: Session,
    bruno: Session,
    carla: Session,
    gateway: Session,
    support: Uuid,
    billing: Uuid,
}

async fn set_up(stack: &Stack) -> Team {
    let tenant = Uuid::now_v7();
    let session = |role| stack.session(tenant, Uuid::now_v7(), role);
    let team = Team {
        admin: session(Role::Admin),
        ana: session(Role::Agent),
        bruno: session(Role::Agent),
        carla: session(Role::Agent),
        gateway: session(Role::Integration),
        support: Uuid::now_v7(),
        billing: Uuid::now_v7(),
    };
    for (group, name) in [(team.support, "Support"), (team.billing, "Billing")] {
        team.admin
            .put(&format!("/v1/groups/{group}"), json!({"name": name}))
            .await
            .ok();
    }
    for (user, name, groups) in [
        (&team.ana, "Ana", vec![team.support]),
        (&team.bruno, "Bruno", vec![team.billing]),
        (&team.carla, "Carla", vec![team.support, team.billing]),
    ] {
        team.admin
            .put(
                &format!("/v1/users/{}", user.user),
                json!({"name": name, "email": format!("{}@example.com", user.user),
                       "role": "agent", "groups": groups}),
            )
            .await
            .ok();
    }
    team
}

/// A contact of `group` (or of none) writes in; returns the conversation's id.
async fn writes_in(team: &Team, name: &str, group: Option<Uuid>) -> String {
    let contact = Uuid::now_v7();
    team.admin
        .put(
            &format!("/v1/contacts/{contact}"),
            json!({"name": name, "group_id": group}),
        )
        .await
        .ok();
    team.gateway
        .inbound(contact, "whatsapp", &format!("{name} needs help"))
        .await
}

async fn team_inbox(user: &Session, query: &str) -> Vec<String> {
    let mut ids = user.get(&format!("/v1/inbox/team{query}")).await.ok().ids();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<&String>) -> Vec<String> {
    ids.sort();
    ids.into_iter().cloned().collect()
}

#[tokio::test]
async fn each_agent_sees_and_counts_their_groups_and_assignment_stays_within_the_group() {
    let stack = Stack::start().await;
    let team = set_up(&stack).await;
    let maria = writes_in(&team, "Maria", Some(team.support)).await;
    let joao = writes_in(&team, "João", Some(team.billing)).await;
    let pedro = writes_in(&team, "Pedro", None).await;

    assert_eq!(
        team_inbox(&team.ana, "").await,
        sorted(vec![&maria, &pedro])
    );
    assert_eq!(
        team_inbox(&team.bruno, "").await,
        sorted(vec![&joao, &pedro])
    );
    let everything = sorted(vec![&maria, &joao, &pedro]);
    assert_eq!(team_inbox(&team.carla, "").await, everything);
    assert_eq!(team_inbox(&team.admin, "").await, everything);
    let billing = format!("?group_id={}", team.billing);
    assert_eq!(team_inbox(&team.admin, &billing).await, vec![joao.clone()]);
    let outside = team.ana.get(&format!("/v1/inbox/team{billing}")).await;
    assert_eq!(outside.status, 403, "{}", outside.body);
    let outside = team.ana.get(&format!("/v1/dashboard{billing}")).await;
    assert_eq!(outside.status, 403, "{}", outside.body);

    // The counts are the lists': Ana's groups hold Maria's and Pedro's, unassigned.
    let dashboard = team.ana.get("/v1/dashboard").await.ok().body;
    assert_eq!(dashboard["group"]["unassigned"], 2, "{dashboard}");
    assert_eq!(
        dashboard["groups"],
        json!([
            {"group_id": team.support, "unassigned": 1, "unreplied": 1, "unreplied_conversations": 1, "open": 1},
            {"group_id": null, "unassigned": 1, "unreplied": 1, "unreplied_conversations": 1, "open": 1},
        ])
    );
    let unassigned = team_inbox(&team.ana, "?assignee=none&status=open").await;
    assert_eq!(unassigned.len(), 2);
    let dashboard = team.admin.get("/v1/dashboard").await.ok().body;
    assert_eq!(dashboard["group"]["unassigned"], 3, "{dashboard}");
    assert_eq!(dashboard["groups"].as_array().unwrap().len(), 3);

    assignment_stays_within_the_group(&team, &maria).await;
    // Moved into Billing as well, Ana sees its conversations too.
    team.admin
        .put(
            &format!("/v1/users/{}", team.ana.user),
            json!({"name": "Ana", "email": "ana@example.com", "role": "agent",
                   "groups": [team.support, team.billing]}),
        )
        .await
        .ok();
    assert_eq!(team_inbox(&team.ana, "").await, everything);
}

async fn assignment_stays_within_the_group(team: &Team, maria: &str) {
    let assign = |by: &Session, users: Vec<Uuid>| {
        let by = by.clone();
        let path = format!("/v1/conversations/{maria}/assign");
        async move { by.post(&path, json!({"assignees": users})).await }
    };
    // Bruno is in Billing; Maria's conversation is Support's.
    let refused = assign(&team.ana, vec![team.ana.user, team.bruno.user]).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.problem_type(), "caselog:rule");
    assert!(refused.body["detail"].as_str().unwrap().contains("group"));
    assign(&team.ana, vec![team.ana.user, team.carla.user])
        .await
        .ok();
    // An admin widens it; then Bruno has it in his team inbox and his own.
    assign(&team.admin, vec![team.ana.user, team.bruno.user])
        .await
        .ok();
    assert!(
        team_inbox(&team.bruno, "")
            .await
            .contains(&maria.to_owned())
    );
    let mine = team.bruno.get("/v1/inbox/mine").await.ok().ids();
    assert_eq!(mine, vec![maria.to_owned()]);
}

#[tokio::test]
async fn with_acceptance_required_an_offered_conversation_waits_for_its_assignee() {
    let stack = Stack::start().await;
    let team = set_up(&stack).await;
    team.admin
        .patch("/v1/settings", json!({"require_accept": true}))
        .await
        .ok();
    let joao = writes_in(&team, "João", Some(team.billing)).await;
    let path = |action: &str| format!("/v1/conversations/{joao}/{action}");
    team.admin
        .post(&path("assign"), json!({"assignees": [team.bruno.user]}))
        .await
        .ok();
    let offered = team
        .bruno
        .get(&format!("/v1/conversations/{joao}"))
        .await
        .ok();
    assert_eq!(offered.body["accepted_by"], json!([]));
    assert_eq!(
        offered.body["awaiting_acceptance"],
        json!([team.bruno.user])
    );

    // Before accepting: no reply, no resolve, no leave; a note is fine.
    for (action, body) in [
        ("messages", json!({"text": "Olá!"})),
        ("resolve", json!({})),
        ("leave", json!({})),
    ] {
        let refused = team.bruno.post(&path(action), body).await;
        assert_eq!(refused.status, 422, "{action}: {}", refused.body);
        assert!(refused.body["detail"].as_str().unwrap().contains("accept"));
    }
    team.bruno
        .post(&path("notes"), json!({"text": "looks like a refund"}))
        .await
        .ok();
    // Ana is not in Billing: she cannot take it by accepting.
    let outside = team.ana.post(&path("accept"), json!({})).await;
    assert_eq!(outside.status, 422, "{}", outside.body);

    team.bruno.post(&path("accept"), json!({})).await.ok();
    let accepted = team
        .bruno
        .get(&format!("/v1/conversations/{joao}"))
        .await
        .ok();
    assert_eq!(accepted.body["accepted_by"], json!([team.bruno.user]));
    assert_eq!(accepted.body["awaiting_acceptance"], json!([]));
    let row = team.bruno.get("/v1/inbox/mine").await.ok();
    assert_eq!(row.items()[0]["accepted_by"], json!([team.bruno.user]));
    team.bruno
        .post(&path("messages"), json!({"text": "Olá João, vamos ver."}))
        .await
        .ok();
    team.bruno.post(&path("resolve"), json!({})).await.ok();
}

#[tokio::test]
async fn rejecting_an_offered_conversation_puts_it_back_in_its_groups_queue() {
    let stack = Stack::start().await;
    let team = set_up(&stack).await;
    team.admin
        .patch("/v1/settings", json!({"require_accept": true}))
        .await
        .ok();
    let maria = writes_in(&team, "Maria", Some(team.support)).await;
    team.admin
        .post(
            &format!("/v1/conversations/{maria}/assign"),
            json!({"assignees": [team.carla.user]}),
        )
        .await
        .ok();
    assert!(team_inbox(&team.ana, "?assignee=none").await.is_empty());
    team.carla
        .post(&format!("/v1/conversations/{maria}/reject"), json!({}))
        .await
        .ok();
    assert_eq!(
        team_inbox(&team.ana, "?assignee=none").await,
        vec![maria.clone()]
    );
    assert!(team.carla.get("/v1/inbox/mine").await.ok().ids().is_empty());
    let history = team
        .ana
        .get(&format!("/v1/conversations/{maria}/history"))
        .await
        .ok();
    let kinds: Vec<_> = history
        .items()
        .iter()
        .map(|entry| entry["kind"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        kinds.contains(&"conversation_rejected".to_owned()),
        "{kinds:?}"
    );
    // Ana, in Support, takes it from the queue.
    team.ana
        .post(&format!("/v1/conversations/{maria}/accept"), json!({}))
        .await
        .ok();
    let mine = team.ana.get("/v1/inbox/mine").await.ok().ids();
    assert_eq!(mine, vec![maria]);
}
