//! README "For auditors": a case file people read. Everyone is named as the directory
//! had them at that moment, every entry is a sentence, a summary comes first; the audit
//! record holds everything and marks internal entries, the customer transcript leaves
//! them out; both are PDF/A-2b by an independent validator; who read the case is added
//! when asked.

use serde_json::{Value, json};
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::pdf;
use caselog_testkit::stack::{Session, Stack};

use super::auditors::is_a_safe_pdf_a;

struct Case {
    auditor: Session,
    id: String,
    agent: Uuid,
}

/// Maria writes with an attachment; Bruno (then "Bruno") replies, notes, messages
/// Ana internally, is renamed "Bruno Costa", rates and closes.
async fn a_told_case(stack: &Stack) -> Case {
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let agent = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    let auditor = stack.session(tenant, Uuid::now_v7(), Role::Auditor);
    let user =
        |name: &str, role: &str, email: &str| json!({"name": name, "role": role, "email": email});
    admin
        .put(
            &format!("/v1/users/{}", admin.user),
            user("Ana Lima", "admin", "ana@example.com"),
        )
        .await
        .ok();
    admin
        .put(
            &format!("/v1/users/{}", agent.user),
            user("Bruno", "agent", "bruno@example.com"),
        )
        .await
        .ok();
    let contact = admin.new_contact("Maria Silva").await;
    let attachment = json!({"name": "fatura.pdf", "media_type": "application/pdf",
                            "size_bytes": 1200, "url": "https://files.example/fatura.pdf"});
    let id = gateway
        .post(
            "/v1/inbound-messages",
            json!({"contact_id": contact, "channel": "whatsapp", "text": "A fatura está errada",
                   "attachments": [attachment]}),
        )
        .await
        .ok()
        .field("stream_id");
    let path = |what: &str| format!("/v1/conversations/{id}/{what}");
    agent
        .post(&path("messages"), json!({"text": "Vou verificar."}))
        .await
        .ok();
    agent
        .post(
            &path("notes"),
            json!({"text": "Refund approved by finance"}),
        )
        .await
        .ok();
    agent
        .post(
            &path("internal-messages"),
            json!({"to": admin.user, "text": "Can you confirm?"}),
        )
        .await
        .ok();
    admin
        .put(
            &format!("/v1/users/{}", agent.user),
            user("Bruno Costa", "agent", "bruno@example.com"),
        )
        .await
        .ok();
    gateway
        .post(&path("rating"), json!({"score": 5, "comment": "Rápido"}))
        .await
        .ok();
    agent.post(&path("resolve"), json!({})).await.ok();
    agent.post(&path("close"), json!({})).await.ok();
    Case {
        auditor,
        id,
        agent: agent.user,
    }
}

#[tokio::test]
async fn the_history_names_people_as_they_were_and_tells_each_entry_in_words() {
    let stack = Stack::start().await;
    let case = a_told_case(&stack).await;
    let history = case
        .auditor
        .get(&format!("/v1/conversations/{}/history", case.id))
        .await
        .ok()
        .body;
    let items = history["items"].as_array().unwrap();
    let texts: Vec<&str> = items
        .iter()
        .map(|item| item["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.contains(
            &"Maria Silva wrote by whatsapp: A fatura está errada\n\
                         Attachment: fatura.pdf (application/pdf, 1200 bytes) \
                         https://files.example/fatura.pdf"
        ),
        "{texts:#?}"
    );
    // Replied while still "Bruno"; closed after the rename.
    assert!(
        texts.contains(&"Bruno replied by whatsapp: Vou verificar."),
        "{texts:#?}"
    );
    assert!(texts.contains(&"Bruno wrote to Ana Lima (internal): Can you confirm?"));
    assert!(
        texts.contains(&"Bruno Costa closed the conversation."),
        "{texts:#?}"
    );
    assert!(texts.contains(&"Maria Silva rated the conversation 5 of 5: Rápido"));
    let closed = items
        .iter()
        .find(|item| item["kind"] == "conversation_closed")
        .unwrap();
    assert_eq!(closed["actor_name"], "Bruno Costa");
    assert!(texts.iter().all(|text| !text.contains('{')), "{texts:#?}");
    stack.stop().await;
}

#[tokio::test]
async fn the_audit_record_and_the_transcript_are_pdf_a_files_people_read() {
    let stack = Stack::start().await;
    let case = a_told_case(&stack).await;
    let export = format!("/v1/conversations/{}/export.pdf", case.id);
    let (status, _, record) = case.auditor.get_bytes(&export).await;
    assert_eq!(status, 200);
    is_a_safe_pdf_a(&record);
    let text = pdf::text(&record);
    for expected in [
        "Case audit record",
        "Contact: Maria Silva",
        "Summary",
        "Channels: whatsapp",
        "First response:",
        "Status history: open",
        "closed",
        "Rating: 5 of 5: Rápido",
        "fatura.pdf",
        "Bruno (agent)",
        "Bruno Costa (agent)",
        &format!("user {}", case.agent),
        "[INTERNAL]",
        "Refund approved by finance",
        "Can you confirm?",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    assert!(!text.contains("{\""), "no JSON in:\n{text}");
    assert!(!text.contains("role\":"), "{text}");

    let (status, _, transcript) = case
        .auditor
        .get_bytes(&format!("{export}?kind=transcript"))
        .await;
    assert_eq!(status, 200);
    is_a_safe_pdf_a(&transcript);
    let text = pdf::text(&transcript);
    assert!(text.contains("Conversation transcript"), "{text}");
    assert!(text.contains("Vou verificar."), "{text}");
    for internal in [
        "[INTERNAL]",
        "Refund approved",
        "Can you confirm?",
        "First response",
        "Assigned",
    ] {
        assert!(
            !text.contains(internal),
            "{internal:?} in the transcript:\n{text}"
        );
    }

    // Who read the case: the two exports above, by the auditor, from this machine.
    let (status, _, with_reads) = case
        .auditor
        .get_bytes(&format!("{export}?include_access=true"))
        .await;
    assert_eq!(status, 200);
    let text = pdf::text(&with_reads);
    assert!(text.contains("Who read this case"), "{text}");
    assert!(text.contains("audit record as of position"), "{text}");
    assert!(text.contains("transcript as of position"), "{text}");
    assert!(text.contains("from 127.0.0.1"), "{text}");

    let bad = case.auditor.get(&format!("{export}?kind=everything")).await;
    assert_eq!(bad.problem_type(), "caselog:validation");
    let _: Value = bad.body;
    stack.stop().await;
}
