//! The files library: managers upload or link files, agents list them, download an
//! uploaded one and attach them to a reply by id.

use serde_json::json;
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::{Session, Stack};

/// Uploads `content` as the file `id`, its media type `media_type`.
async fn upload(
    session: &Session,
    id: Uuid,
    name: &str,
    media_type: &str,
    content: Vec<u8>,
) -> reqwest::Response {
    reqwest::Client::new()
        .put(format!(
            "{}/v1/files/{id}/content?name={name}",
            session.command_url()
        ))
        .bearer_auth(&session.token)
        .header("content-type", media_type)
        .body(content)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn managers_add_files_and_agents_list_download_and_attach_them() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let sofia = stack.session(tenant, Uuid::now_v7(), Role::Supervisor);
    let bruno = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    admin.register(&sofia, "supervisor").await;
    admin.register(&bruno, "agent").await;

    // Sofia uploads the returns form; the admin links the price list.
    let form = Uuid::now_v7();
    let content = b"%PDF-1.7 returns form".to_vec();
    let reply = upload(
        &sofia,
        form,
        "returns%20form.pdf",
        "application/pdf",
        content.clone(),
    )
    .await;
    assert_eq!(reply.status(), 201);
    let position = reply.json::<serde_json::Value>().await.unwrap()["position"]
        .as_i64()
        .unwrap();
    bruno.observe(position);
    let prices = Uuid::now_v7();
    admin
        .put(
            &format!("/v1/files/{prices}"),
            json!({"name": "price list.pdf", "media_type": "application/pdf",
                   "size_bytes": 48213, "url": "https://files.example/prices.pdf"}),
        )
        .await
        .ok();
    let refused = bruno
        .put(
            &format!("/v1/files/{}", Uuid::now_v7()),
            json!({"name": "x", "media_type": "text/plain", "size_bytes": 1,
                   "url": "https://files.example/x"}),
        )
        .await;
    assert_eq!(
        refused.status, 403,
        "agents list and attach, they do not manage"
    );

    let listed = bruno.get("/v1/files").await.ok();
    assert_eq!(listed.items().len(), 2);
    let uploaded = listed
        .items()
        .iter()
        .find(|f| f["id"] == form.to_string())
        .unwrap();
    assert_eq!(uploaded["size_bytes"], content.len());
    assert_eq!(uploaded["media_type"], "application/pdf");
    assert!(uploaded["sha256"].is_string());
    assert_eq!(
        bruno.get("/v1/files?q=PRICE").await.ok().ids(),
        vec![prices.to_string()]
    );
    let (status, media_type, bytes) = bruno.get_bytes(&format!("/v1/files/{form}/content")).await;
    assert_eq!((status, media_type.as_str()), (200, "application/pdf"));
    assert_eq!(bytes, content);

    attach_then_remove(&admin, &bruno, &gateway, form, prices).await;
    // Over the body limit (1 MiB), an upload is refused and stores nothing.
    let big = reqwest::Client::new()
        .put(format!(
            "{}/v1/files/{}/content?name=big.bin",
            sofia.command_url(),
            Uuid::now_v7()
        ))
        .bearer_auth(&sofia.token)
        .body(vec![0_u8; 1024 * 1024 + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 413);
}

/// Bruno attaches both files to a reply; a removed file is neither listed nor attached.
async fn attach_then_remove(
    admin: &Session,
    bruno: &Session,
    gateway: &Session,
    form: Uuid,
    prices: Uuid,
) {
    // Bruno attaches both to a reply.
    let case = gateway
        .inbound(admin.new_contact("Maria").await, "email", "the forms?")
        .await;
    bruno
        .post(
            &format!("/v1/conversations/{case}/messages"),
            json!({"text": "Here you go", "file_ids": [form, prices]}),
        )
        .await
        .ok();
    let history = bruno
        .get(&format!("/v1/conversations/{case}/history"))
        .await
        .ok();
    let sent = serde_json::to_string(
        history
            .items()
            .iter()
            .find(|e| e["kind"] == "message_sent")
            .unwrap(),
    )
    .unwrap();
    assert!(
        sent.contains(&format!("/v1/files/{form}/content")),
        "{sent}"
    );
    assert!(sent.contains("https://files.example/prices.pdf"), "{sent}");

    // Removed, a file is no longer listed or attachable.
    admin.delete(&format!("/v1/files/{prices}")).await.ok();
    assert_eq!(bruno.get("/v1/files").await.ok().items().len(), 1);
    let gone = bruno
        .post(
            &format!("/v1/conversations/{case}/messages"),
            json!({"text": "again", "file_ids": [prices]}),
        )
        .await;
    assert_eq!(gone.status, 422, "{}", gone.body);
}
