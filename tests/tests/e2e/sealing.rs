//! Personal data is sealed everywhere it is recorded: conversation text, chat
//! messages, contacts' and users' names and emails are stored in the log and published
//! on NATS sealed, under data keys that are themselves stored wrapped by a
//! key-encryption key that never reaches Postgres. So a dump of the log reveals none of
//! it; a user who leaves is erased; and the key-encryption key can be rotated.

use base64::Engine;
use serde_json::json;
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::Stack;

const CONVERSATION_SECRET: &str = "conversation-secret-5551";
const CHAT_SECRET: &str = "chat-secret-7772";
const USER_NAME: &str = "Ana Secretname-9913";
const USER_EMAIL: &str = "ana.secret-9913@example.com";
const CONTACT_NAME: &str = "Maria Secretcontact-4414";

/// `pg_dump` of the log's schema (events and keys), as text.
async fn dump_of_the_log(stack: &Stack) -> String {
    let bin = std::env::var("CASELOG_PG_BIN_DIR").expect("deploy/dev test sets CASELOG_PG_BIN_DIR");
    let admin = caselog_testkit::admin_database_url();
    let (server, _) = admin.rsplit_once('/').unwrap();
    let url = format!("{server}/{}", stack.database.name);
    let output = tokio::process::Command::new(std::path::Path::new(&bin).join("pg_dump"))
        .args(["--schema", "eventlog", "--no-owner", &url])
        .output()
        .await
        .expect("pg_dump runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn local_keyring() -> caselog_eventlog::erasure::Keyring {
    let kek = base64::engine::general_purpose::STANDARD
        .decode(caselog_platform::settings::LOCAL_KEK)
        .unwrap();
    caselog_eventlog::erasure::Keyring::new(&kek, &[]).unwrap()
}

/// Every data key of the tenant is stored wrapped by the current KEK, and none appears
/// in clear in `dump`.
async fn no_data_key_in_clear(stack: &Stack, tenant: Uuid, dump: &str) {
    let keys: Vec<(String, Uuid, Vec<u8>, Option<String>)> = sqlx::query_as(
        "SELECT stream_type, stream_id, key, kek_id FROM eventlog.stream_keys \
         WHERE tenant_id = $1 AND key IS NOT NULL",
    )
    .bind(tenant)
    .fetch_all(&stack.database.pool)
    .await
    .unwrap();
    let keyring = local_keyring();
    let kinds: Vec<&str> = keys.iter().map(|key| key.0.as_str()).collect();
    for kind in ["conversation", "chat_channel", "directory"] {
        assert!(kinds.contains(&kind), "no {kind} key among {kinds:?}");
    }
    for (stream_type, stream_id, stored, kek_id) in &keys {
        assert_eq!(kek_id.as_deref(), Some(keyring.current_id()));
        let stream = caselog_eventlog::StreamRef {
            tenant_id: caselog_schemas::TenantId(tenant),
            stream_type: caselog_schemas::StreamType::new(stream_type.clone()).unwrap(),
            stream_id: caselog_schemas::StreamId(*stream_id),
        };
        let stored_key = caselog_eventlog::erasure::kek::StoredKey {
            kek_id: kek_id.as_deref(),
            bytes: stored,
        };
        let data_key = keyring.unwrap(stored_key, &stream).unwrap();
        assert!(
            !dump.contains(&hex::encode(data_key.as_bytes())),
            "a data key in clear in the dump"
        );
    }
}

#[tokio::test]
async fn personal_data_is_sealed_in_the_log_and_on_nats_and_a_user_who_leaves_is_erased() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let ana = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    admin.register(&admin, "admin").await;
    admin
        .put(
            &format!("/v1/users/{}", ana.user),
            json!({"name": USER_NAME, "email": USER_EMAIL, "role": "agent"}),
        )
        .await
        .ok();
    let contact = admin.new_contact(CONTACT_NAME).await;
    let conversation = gateway.inbound(contact, "sms", CONVERSATION_SECRET).await;
    let channel = admin.new_channel("ops", "public", &[ana.user]).await;
    admin.say(&channel, CHAT_SECRET).await.ok();

    // What the API shows, opened.
    let users = admin.get("/v1/users").await.ok();
    assert!(users.body.to_string().contains(USER_NAME), "{}", users.body);
    let chat = admin
        .get(&format!("/v1/chat/channels/{channel}/messages"))
        .await
        .ok();
    assert!(chat.body.to_string().contains(CHAT_SECRET), "{}", chat.body);

    // What the log holds, and what NATS carries: none of it readable.
    let dump = dump_of_the_log(&stack).await;
    let published: String = stack
        .nats
        .read_all()
        .await
        .into_iter()
        .map(|message| serde_json::to_string(&message.envelope).unwrap())
        .collect();
    for secret in [
        CONVERSATION_SECRET,
        CHAT_SECRET,
        USER_NAME,
        USER_EMAIL,
        CONTACT_NAME,
    ] {
        assert!(!dump.contains(secret), "{secret} in a dump of the log");
        assert!(!published.contains(secret), "{secret} published on NATS");
    }
    assert!(published.contains("\"sealed\""));
    // Nor the data keys that would open it: each is stored wrapped by the KEK.
    no_data_key_in_clear(&stack, tenant, &dump).await;

    // Ana leaves: erased in the read models at once, her key destroyed, the log kept.
    let before = stack.log_length().await;
    let erased = admin.delete(&format!("/v1/users/{}", ana.user)).await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    assert_eq!(stack.log_length().await, before + 1);
    let users = admin.get("/v1/users").await.ok();
    let text = users.body.to_string();
    assert!(
        !text.contains(USER_NAME) && !text.contains(USER_EMAIL),
        "{text}"
    );
    assert!(text.contains("[erased]"), "{text}");
    let key: Option<Vec<u8>> = sqlx::query_scalar(
        "SELECT key FROM eventlog.stream_keys \
         WHERE tenant_id = $1 AND stream_type = 'directory' AND stream_id = $2",
    )
    .bind(tenant)
    .bind(ana.user)
    .fetch_one(&stack.database.pool)
    .await
    .unwrap();
    assert!(key.is_none(), "her data key is destroyed");
    // Erasing again changes nothing; she cannot come back under that id, nor be
    // given a conversation.
    assert_eq!(
        admin
            .delete(&format!("/v1/users/{}", ana.user))
            .await
            .status,
        200
    );
    assert_eq!(stack.log_length().await, before + 1);
    let back = admin
        .put(
            &format!("/v1/users/{}", ana.user),
            json!({"name": "Ana", "email": "ana@example.com", "role": "agent"}),
        )
        .await;
    assert_eq!(back.status, 409, "{}", back.body);
    let assigned = admin
        .post(
            &format!("/v1/conversations/{conversation}/assign"),
            json!({"assignees": [ana.user]}),
        )
        .await;
    assert_eq!(assigned.status, 422, "{}", assigned.body);
    // A rebuild from the log agrees: the sealed name opens no more.
    stack.rebuild("directory").await;
    let users = admin.get("/v1/users").await.ok();
    assert!(!users.body.to_string().contains(USER_NAME));
    stack.stop().await;
}

#[tokio::test]
async fn the_key_encryption_key_is_rotated_without_losing_a_case() {
    let mut stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    admin.register(&admin, "admin").await;
    let channel = admin.new_channel("ops", "public", &[]).await;
    admin.say(&channel, CHAT_SECRET).await.ok();

    let new_kek = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    let old_kek = caselog_platform::settings::LOCAL_KEK.to_owned();
    // The new KEK is current; the old one still unwraps until every key is rewrapped.
    stack
        .restart_with(&[
            ("CASELOG_KEK", new_kek.clone()),
            ("CASELOG_KEK_PREVIOUS", old_kek),
        ])
        .await;
    let admin = stack.session(tenant, admin.user, Role::Admin);
    let messages = |admin: caselog_testkit::stack::Session| {
        let path = format!("/v1/chat/channels/{channel}/messages");
        async move { admin.get(&path).await.ok().body.to_string() }
    };
    assert!(messages(admin.clone()).await.contains(CHAT_SECRET));
    let output = stack.cli("command-service", &["rewrap-keys"]).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(output.stdout.trim_ascii()).unwrap();
    assert!(report["rewrapped"].as_u64().unwrap() >= 2, "{report}");
    let stale: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM eventlog.stream_keys WHERE key IS NOT NULL AND kek_id <> $1",
    )
    .bind(
        caselog_eventlog::erasure::Keyring::new(&[7u8; 32], &[])
            .unwrap()
            .current_id(),
    )
    .fetch_one(&stack.database.pool)
    .await
    .unwrap();
    assert_eq!(stale, 0, "every key wrapped by the new KEK");

    // The old KEK can go: everything still opens, and new data is sealed.
    stack
        .restart_with(&[("CASELOG_KEK_PREVIOUS", String::new())])
        .await;
    let admin = stack.session(tenant, admin.user, Role::Admin);
    admin.say(&channel, "after the rotation").await.ok();
    let text = messages(admin).await;
    assert!(
        text.contains(CHAT_SECRET) && text.contains("after the rotation"),
        "{text}"
    );
    stack.stop().await;
}
