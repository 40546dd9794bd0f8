//! What an auditor does with only the README: replay a case as of a moment, verify
//! it (over HTTP and offline, before and after an edit made with SQL), export it as a
//! PDF/A that independent tools read back, and read the raw event feed.

use serde_json::{Value, json};
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::pdf;
use caselog_testkit::stack::{Session, Stack};

struct Case {
    admin: Session,
    agent: Session,
    auditor: Session,
    gateway: Session,
    conversation: String,
}

/// A case in five scripts, with a reply, a note and an internal message.
async fn a_case(stack: &Stack) -> Case {
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let agent = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let auditor = stack.session(tenant, Uuid::now_v7(), Role::Auditor);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    admin.register(&agent, "agent").await;
    admin.register(&admin, "admin").await;
    let contact = admin.new_contact("João Ñúñez").await;
    let conversation = gateway
        .inbound(
            contact,
            "whatsapp",
            "Olá, a fatura está errada — pode ajudar? 👋",
        )
        .await;
    for text in [
        "Καλημέρα και Здравствуйте",
        "สวัสดีครับ ขอบคุณมากครับ",
        "你好，谢谢。こんにちは。안녕하세요",
    ] {
        gateway
            .post(
                "/v1/inbound-messages",
                json!({"contact_id": contact, "channel": "whatsapp", "text": text}),
            )
            .await
            .ok();
    }
    agent
        .post(
            &format!("/v1/conversations/{conversation}/messages"),
            json!({"text": "Claro, já verifico."}),
        )
        .await
        .ok();
    agent
        .post(
            &format!("/v1/conversations/{conversation}/notes"),
            json!({"text": "Refund approved by finance"}),
        )
        .await
        .ok();
    agent
        .post(
            &format!("/v1/conversations/{conversation}/internal-messages"),
            json!({"to": admin.user, "text": "Can you confirm the refund?"}),
        )
        .await
        .ok();
    Case {
        admin,
        agent,
        auditor,
        gateway,
        conversation,
    }
}

#[tokio::test]
async fn history_as_of_a_time_is_the_history_as_it_stood_then() {
    let stack = Stack::start().await;
    let case = a_case(&stack).await;
    let path = format!("/v1/conversations/{}/history", case.conversation);
    let now = case.auditor.get(&path).await.ok().body;
    let entries = now["items"].as_array().unwrap();
    assert!(entries.len() >= 8, "{now}");

    // As of the time of the third entry: the first three, exactly as projected.
    let third_at = entries[2]["at"].as_str().unwrap();
    let then = case
        .auditor
        .get(&format!("{path}?as_of={}", third_at.replace('+', "%2B")))
        .await
        .ok()
        .body;
    assert_eq!(then["items"].as_array().unwrap()[..], entries[..3]);

    // As of the fourth entry's position: four.
    let fourth = entries[3]["position"].as_i64().unwrap();
    let then = case
        .agent
        .get(&format!("{path}?as_of={fourth}"))
        .await
        .ok()
        .body;
    assert_eq!(then["items"].as_array().unwrap()[..], entries[..4]);

    // Before the case existed it is not found; a bad as_of is a validation problem.
    let before = case
        .agent
        .get(&format!("{path}?as_of=2000-01-01T00:00:00Z"))
        .await;
    assert_eq!(before.status, 404);
    for bad in ["yesterday", "0", "-5"] {
        let reply = case.agent.get(&format!("{path}?as_of={bad}")).await;
        assert_eq!(reply.problem_type(), "caselog:validation", "{bad}");
    }
    stack.stop().await;
}

#[tokio::test]
async fn verification_names_the_first_version_an_sql_edit_broke() {
    let stack = Stack::start().await;
    let case = a_case(&stack).await;
    let verify = format!("/v1/conversations/{}/verify", case.conversation);
    let before = case.auditor.get(&verify).await.ok().body;
    assert_eq!(before["ok"], true, "{before}");
    assert!(before["events"].as_i64().unwrap() >= 8);
    assert_eq!(before["head_hash"].as_str().unwrap().len(), 64);
    assert!(before.get("first_broken_version").is_none());

    let tenant = case.auditor.tenant.to_string();
    let offline = stack
        .cli_with(
            "query-service",
            &["verify", "--tenant", &tenant],
            &[("RUST_LOG", "info".to_owned())],
        )
        .await;
    assert!(offline.status.success(), "{offline:?}");
    // The report alone on stdout; how far the walk went, and its rate, on stderr.
    let report: Value = serde_json::from_slice(&offline.stdout).unwrap();
    let logged = String::from_utf8_lossy(&offline.stderr);
    assert!(
        logged.contains("finished") && logged.contains(&format!("job=verify tenant {tenant}")),
        "{logged}"
    );
    assert_eq!(report["ok"], true);
    assert!(
        report["streams"].as_i64().unwrap() >= 4,
        "conversation, contact, users: {report}"
    );

    // A database administrator rewrites the channel of version 2, around the trigger.
    let conversation: Uuid = case.conversation.parse().unwrap();
    let edited = stack
        .database
        .edit_as_administrator(
            "UPDATE eventlog.events SET payload = jsonb_set(payload, '{channel}', '\"sms\"') \
             WHERE stream_id = $1 AND stream_version = 2",
            conversation,
        )
        .await;
    assert_eq!(edited, 1);

    let after = case.auditor.get(&verify).await.ok().body;
    assert_eq!(after["ok"], false, "{after}");
    assert_eq!(after["first_broken_version"], 2);

    let offline = stack
        .cli("query-service", &["verify", "--tenant", &tenant])
        .await;
    assert_eq!(offline.status.code(), Some(1), "a broken chain exits 1");
    let report: Value = serde_json::from_slice(&offline.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["first_break"]["stream_id"], case.conversation);
    assert_eq!(report["first_break"]["stream_version"], 2);
    let one = stack
        .cli(
            "query-service",
            &[
                "verify",
                "--tenant",
                &tenant,
                "--conversation",
                &case.conversation,
            ],
        )
        .await;
    let report: Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(report["first_broken_version"], 2, "{report}");
    stack.stop().await;
}

/// Whether `objects` hold the PDF name `name` itself: followed by whitespace or a
/// delimiter, not the start of a longer name (a font subset's tag such as
/// `/AABCDE+DejaVuSans` is not `/AA`).
fn holds_name(objects: &str, name: &str) -> bool {
    objects.match_indices(name).any(|(at, _)| {
        objects[at + name.len()..]
            .chars()
            .next()
            .is_none_or(|next| next.is_whitespace() || "()<>[]{}/%".contains(next))
    })
}

/// `qpdf --check` finds the file sound; it declares PDF/A-2b and holds no action,
/// script or link whatever the text said.
pub(crate) fn is_a_safe_pdf_a(bytes: &[u8]) {
    let (sound, report) = pdf::check(bytes);
    assert!(sound, "qpdf --check: {report}");
    let objects = pdf::uncompressed(bytes);
    for forbidden in [
        "/JS",
        "/JavaScript",
        "/OpenAction",
        "/Launch",
        "/URI",
        "/AA",
    ] {
        assert!(
            !holds_name(&objects, forbidden),
            "{forbidden} found in the PDF objects"
        );
    }
    // PDF/A-2b, declared in the XMP metadata krilla validated against, and checked
    // by an independent validator.
    assert!(
        objects.contains("<pdfaid:part>2</pdfaid:part>"),
        "no PDF/A part"
    );
    assert!(objects.contains("<pdfaid:conformance>B</pdfaid:conformance>"));
    let (profile, failures) = pdf::pdf_a_failures(bytes);
    assert_eq!(profile, "ValidationProfile.PDF_A_2B");
    assert!(failures.is_empty(), "PDF/A-2b rules broken: {failures:?}");
}

#[tokio::test]
async fn a_case_exports_as_a_pdf_a_that_independent_tools_read_back() {
    let stack = Stack::start().await;
    let case = a_case(&stack).await;
    // Text that would be PDF syntax if it were ever written as PDF syntax.
    let injection = ") >> /OpenAction << /S /JavaScript /JS (app.alert(1)) >> /Launch /URI (http://evil.example) (";
    case.gateway
        .post(
            &format!("/v1/conversations/{}/messages", case.conversation),
            json!({"text": injection, "sender_kind": "bot"}),
        )
        .await
        .ok();
    let export = format!("/v1/conversations/{}/export.pdf", case.conversation);
    let (status, content_type, bytes) = case.auditor.get_bytes(&export).await;
    assert_eq!((status, content_type.as_str()), (200, "application/pdf"));

    let text = pdf::text(&bytes);
    for expected in [
        "Case audit record",
        &format!("case {}", case.conversation),
        "Contact: João Ñúñez",
        "Olá, a fatura está errada — pode ajudar? [U+1F44B]",
        "Καλημέρα και Здравствуйте",
        "สวัสดีครับ",
        "你好，谢谢。こんにちは。안녕하세요",
        "Claro, já verifico.",
        "Refund approved by finance",
        "Can you confirm the refund?",
        "/JS (app.alert(1))",
        "Page 1 of",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    // Notes and internal messages are marked; customer messages are not.
    assert_eq!(text.matches("[INTERNAL]").count(), 2, "{text}");
    let head = case
        .auditor
        .get(&format!("/v1/conversations/{}/verify", case.conversation))
        .await
        .ok()
        .body["head_hash"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        text.contains(&format!("Chain head (SHA-256): {head}")),
        "{text}"
    );

    is_a_safe_pdf_a(&bytes);

    // The same version renders the same bytes (from the cache); an earlier moment fewer entries.
    assert_eq!(case.agent.get_bytes(&export).await.2, bytes);
    let position = case
        .agent
        .get(&format!("/v1/conversations/{}/history", case.conversation))
        .await
        .ok()
        .body["items"][1]["position"]
        .as_i64()
        .unwrap();
    let (_, _, early) = case
        .auditor
        .get_bytes(&format!("{export}?as_of={position}"))
        .await;
    let early_text = pdf::text(&early);
    assert!(early_text.contains("Olá, a fatura"), "{early_text}");
    assert!(!early_text.contains("Claro, já verifico."), "{early_text}");

    // Offline, from the log.
    let out = std::env::temp_dir().join(format!("case-{}.pdf", case.conversation));
    let offline = stack
        .cli(
            "query-service",
            &[
                "export",
                "--conversation",
                &case.conversation,
                "--out",
                out.to_str().unwrap(),
            ],
        )
        .await;
    assert!(offline.status.success(), "{offline:?}");
    let summary: Value = serde_json::from_slice(&offline.stdout).unwrap();
    assert_eq!(summary["head_hash"], head);
    let offline_bytes = std::fs::read(&out).unwrap();
    assert_eq!(
        offline_bytes, bytes,
        "the log replay prints what the projection prints"
    );
    let _ = std::fs::remove_file(out);

    // Agents outside the tenant get nothing.
    let stranger = stack.session(Uuid::now_v7(), Uuid::now_v7(), Role::Auditor);
    assert_eq!(stranger.get_bytes(&export).await.0, 404);
    let _ = case.admin;
    stack.stop().await;
}

#[tokio::test]
async fn the_raw_feed_is_for_auditors_in_log_order_and_tenant_scoped() {
    let stack = Stack::start().await;
    let case = a_case(&stack).await;
    let other = a_case(&stack).await;

    assert_eq!(
        case.agent.get("/v1/events").await.problem_type(),
        "caselog:forbidden"
    );
    assert_eq!(case.admin.get("/v1/events").await.status, 403);

    let mut positions = Vec::new();
    let mut after = 0;
    loop {
        let page = case
            .auditor
            .get(&format!("/v1/events?after={after}&limit=3"))
            .await
            .ok()
            .body;
        for event in page["items"].as_array().unwrap() {
            assert_eq!(event["tenant_id"], case.auditor.tenant.to_string());
            positions.push(event["position"].as_i64().unwrap());
            assert!(event["hash"].as_str().is_some() && event["metadata"]["actor"].is_object());
        }
        match page["next_cursor"].as_str() {
            Some(next) => after = next.parse().unwrap(),
            None => break,
        }
    }
    let mut sorted = positions.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(positions, sorted, "strictly increasing, each once");
    // Each page read is itself recorded (README "Who looked"), after the page.
    let tenant_events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM eventlog.events WHERE tenant_id = $1 AND position <= $2",
    )
    .bind(case.auditor.tenant)
    .bind(positions.last().copied().unwrap_or(0))
    .fetch_one(&stack.database.pool)
    .await
    .unwrap();
    assert_eq!(positions.len() as i64, tenant_events);

    // Events as stored: message text is sealed, not readable in the feed.
    let all = case
        .auditor
        .get("/v1/events?limit=200")
        .await
        .ok()
        .body
        .to_string();
    assert!(!all.contains("Refund approved by finance"));
    assert!(all.contains("\"sealed\""));
    assert_eq!(
        case.auditor.get("/v1/events?after=-1").await.problem_type(),
        "caselog:validation"
    );
    let _ = other;
    stack.stop().await;
}
