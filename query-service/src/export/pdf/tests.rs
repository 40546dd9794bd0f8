use super::*;
use caselog_read_model::case_file::{CaseFile, CaseHeader, TimelineEntry};
use chrono::TimeZone;
use serde_json::json;

fn sample(entries: usize) -> CaseDocument {
    let at = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap();
    let texts = [
        "Olá, preciso de ajuda com a fatura — obrigado! 👋",
        "Καλημέρα, Здравствуйте",
        "สวัสดีครับ ผมต้องการความช่วยเหลือเกี่ยวกับใบแจ้งหนี้ของผม ขอบคุณมากครับ",
        "你好，我需要帮助",
    ];
    CaseDocument {
        file: CaseFile {
            header: CaseHeader {
                conversation_id: uuid::Uuid::nil(),
                contact_id: Some(uuid::Uuid::nil()),
                status: caselog_read_model::ConversationStatus::Open,
                head_hash: "ab".repeat(32),
                started_at: Some(at),
                last_event_at: Some(at),
                ..CaseHeader::default()
            },
            entries: (0..entries)
                .map(|i| TimelineEntry {
                    position: i as i64 + 1,
                    stream_version: i as i64 + 1,
                    at,
                    actor: json!({"user_id": "01a1fd11-196d-7326-b2c8-bd4d8ef6c7ab", "role": "agent"}),
                    kind: if i % 5 == 4 { "private_note_added" } else { "message_received" }.into(),
                    data: if i % 5 == 4 {
                        json!({"note_id": uuid::Uuid::nil(), "author": "01a1fd11-196d-7326-b2c8-bd4d8ef6c7ab", "text": "Refund approved"})
                    } else {
                        json!({"message_id": uuid::Uuid::nil(), "channel": "whatsapp", "received_at": "2026-11-21T08:00:00Z", "content": {"text": texts[i % texts.len()]}})
                    },
                })
                .collect(),
        },
        people: {
            let mut people = crate::audit::people::People::default();
            let person = crate::audit::people::Person {
                name: "Maria Ñúñez".into(),
                role: "contact".into(),
            };
            people.insert(uuid::Uuid::nil(), 0, person);
            people
        },
        kind: crate::export::ExportKind::AuditRecord,
        access: None,
    }
}

fn unbounded(document: &CaseDocument) -> Result<Vec<u8>, ExportError> {
    render(document, RenderLimits::UNBOUNDED, &StopFlag::new(false))
}

#[test]
fn an_export_over_its_limits_or_stopped_is_refused_before_it_is_written() {
    let document = sample(40);
    let limits = |max_entries, max_pages| RenderLimits {
        max_entries,
        max_pages,
    };
    let go = StopFlag::new(false);
    assert!(matches!(
        render(&document, limits(39, 100), &go),
        Err(ExportError::TooManyEntries {
            entries: 40,
            max: 39
        })
    ));
    assert!(matches!(
        render(&document, limits(40, 1), &go),
        Err(ExportError::TooManyPages { max: 1, .. })
    ));
    assert!(matches!(
        render(&document, limits(40, 100), &StopFlag::new(true)),
        Err(ExportError::Cancelled)
    ));
    assert!(render(&document, limits(40, 100), &go).is_ok());
}

#[test]
fn a_case_renders_as_a_pdf_with_numbered_pages() {
    let bytes = unbounded(&sample(120)).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    if let Ok(path) = std::env::var("CASELOG_WRITE_SAMPLE_PDF") {
        std::fs::write(path, &bytes).unwrap();
    }
}
