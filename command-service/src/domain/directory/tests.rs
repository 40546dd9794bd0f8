//! given(history).when(command).then(events) / .then_err(rejection) for the directory.

use std::collections::BTreeMap;

use uuid::Uuid;

use caselog_schemas::events::{DirectoryEvent as E, TenantSettings};
use caselog_schemas::{Role, UserId};

use super::*;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn when(history: &[E], command: DirectoryCommand) -> Result<Vec<E>, DirectoryRejection> {
    decide(id(1), &DirectoryEntry::from_history(history), command)
}

fn ana() -> UserDetails {
    UserDetails {
        name: "Ana Lima".into(),
        email: "ana@example.com".into(),
        role: Role::Agent,
        groups: vec![id(7), id(7)],
    }
}

fn snippet(name: &str) -> SnippetFields {
    SnippetFields {
        name: name.into(),
        text: "Olá $contact.firstname!".into(),
        theme: None,
    }
}

fn contact(name: &str) -> ContactDetails {
    ContactDetails {
        name: name.into(),
        firstname: Some("Maria".into()),
        country: Some("PT".into()),
        ..ContactDetails::default()
    }
}

#[test]
fn a_user_is_created_and_an_identical_upsert_appends_nothing() {
    let events = when(&[], DirectoryCommand::UpsertUser(ana())).unwrap();
    assert_eq!(
        events,
        vec![E::UserUpserted {
            name: "Ana Lima".into(),
            email: "ana@example.com".into(),
            role: Role::Agent,
            groups: vec![id(7)],
        }]
    );
    assert_eq!(
        when(&events, DirectoryCommand::UpsertUser(ana())),
        Ok(vec![])
    );
}

#[test]
fn a_user_who_left_is_erased_once_and_is_never_a_user_again() {
    let created = when(&[], DirectoryCommand::UpsertUser(ana())).unwrap();
    let erased = when(&created, DirectoryCommand::EraseUser).unwrap();
    assert_eq!(erased, vec![E::UserErased {}]);
    let history: Vec<E> = created.into_iter().chain(erased).collect();
    assert_eq!(when(&history, DirectoryCommand::EraseUser), Ok(vec![]));
    assert!(matches!(
        when(&history, DirectoryCommand::UpsertUser(ana())),
        Err(DirectoryRejection::IdTakenByAnotherKind {
            existing: "erased user",
            ..
        })
    ));
    assert_eq!(
        when(&[], DirectoryCommand::EraseUser),
        Err(DirectoryRejection::UnknownUser { id: id(1) })
    );
}

#[test]
fn an_erased_contact_is_erased_once_and_is_never_a_contact_again() {
    let upsert = || DirectoryCommand::UpsertContact {
        details: contact("Maria Silva"),
        auto_assign: vec![],
        visible_to: None,
    };
    let created = when(&[], upsert()).unwrap();
    let erased = when(&created, DirectoryCommand::EraseContact).unwrap();
    assert_eq!(erased, vec![E::ContactErased {}]);
    let history: Vec<E> = created.into_iter().chain(erased).collect();
    assert_eq!(when(&history, DirectoryCommand::EraseContact), Ok(vec![]));
    assert!(matches!(
        when(&history, upsert()),
        Err(DirectoryRejection::IdTakenByAnotherKind {
            existing: "erased contact",
            ..
        })
    ));
    assert_eq!(
        when(&[], DirectoryCommand::EraseContact),
        Err(DirectoryRejection::UnknownContact { id: id(1) })
    );
}

#[test]
fn an_id_names_one_kind_of_entry() {
    let group = E::GroupUpserted {
        name: "Sales".into(),
    };
    assert_eq!(
        when(&[group], DirectoryCommand::UpsertUser(ana())),
        Err(DirectoryRejection::IdTakenByAnotherKind {
            id: id(1),
            existing: "group",
            wanted: "user"
        })
    );
}

#[test]
fn a_user_needs_a_name_and_an_email_address() {
    let nameless = UserDetails {
        name: "  ".into(),
        ..ana()
    };
    assert_eq!(
        when(&[], DirectoryCommand::UpsertUser(nameless)),
        Err(DirectoryRejection::Blank { field: "name" })
    );
    let no_email = UserDetails {
        email: "ana at example".into(),
        ..ana()
    };
    assert!(matches!(
        when(&[], DirectoryCommand::UpsertUser(no_email)),
        Err(DirectoryRejection::Invalid { field: "email", .. })
    ));
}

#[test]
fn a_contact_carries_details_and_presets_as_separate_events() {
    let events = when(
        &[],
        DirectoryCommand::UpsertContact {
            details: contact("Maria Silva"),
            auto_assign: vec![UserId(id(5))],
            visible_to: Some(vec![UserId(id(5)), UserId(id(6))]),
        },
    )
    .unwrap();
    assert_eq!(events.len(), 2);
    assert!(matches!(events[1], E::ContactPresetsSet { .. }));

    // Only the presets change: only the presets event.
    let again = when(
        &events,
        DirectoryCommand::UpsertContact {
            details: contact("Maria Silva"),
            auto_assign: vec![],
            visible_to: None,
        },
    )
    .unwrap();
    assert_eq!(
        again,
        vec![E::ContactPresetsSet {
            auto_assign: vec![],
            visible_to: None
        }]
    );
}

#[test]
fn contact_preset_assignees_must_be_within_the_preset_visibility() {
    assert_eq!(
        when(
            &[],
            DirectoryCommand::UpsertContact {
                details: contact("Maria Silva"),
                auto_assign: vec![UserId(id(9))],
                visible_to: Some(vec![UserId(id(5))]),
            },
        ),
        Err(DirectoryRejection::PresetAssigneeNotVisible {
            user: UserId(id(9))
        })
    );
}

#[test]
fn a_contact_country_is_a_two_letter_code() {
    let details = ContactDetails {
        country: Some("Portugal".into()),
        ..contact("Maria Silva")
    };
    assert!(matches!(
        when(
            &[],
            DirectoryCommand::UpsertContact {
                details,
                auto_assign: vec![],
                visible_to: None
            }
        ),
        Err(DirectoryRejection::Invalid {
            field: "country",
            ..
        })
    ));
}

#[test]
fn settings_refuse_a_zero_second_auto_close_and_accept_never() {
    let zero = SettingsChange {
        auto_close_seconds: Some(Some(0)),
        ..SettingsChange::default()
    };
    assert!(when(&[], DirectoryCommand::ChangeSettings(zero)).is_err());
    let never = SettingsChange {
        auto_close_seconds: Some(None),
        ..SettingsChange::default()
    };
    assert_eq!(
        when(&[], DirectoryCommand::ChangeSettings(never)),
        Ok(vec![E::SettingsUpdated {
            settings: TenantSettings {
                auto_close_seconds: None,
                ..TenantSettings::default()
            }
        }])
    );
}

#[test]
fn a_settings_change_keeps_every_setting_it_does_not_name() {
    let custom = TenantSettings {
        auto_close_seconds: Some(60),
        require_accept: true,
        internal_chat_enabled: false,
    };
    let given = [E::SettingsUpdated {
        settings: custom.clone(),
    }];
    let thirty_minutes = SettingsChange {
        auto_close_seconds: Some(Some(1800)),
        ..SettingsChange::default()
    };
    assert_eq!(
        when(&given, DirectoryCommand::ChangeSettings(thirty_minutes)),
        Ok(vec![E::SettingsUpdated {
            settings: TenantSettings {
                auto_close_seconds: Some(1800),
                ..custom
            }
        }])
    );
    // Naming nothing new changes nothing.
    assert_eq!(
        when(
            &given,
            DirectoryCommand::ChangeSettings(SettingsChange::default())
        ),
        Ok(vec![])
    );
}

#[test]
fn settings_default_to_fifteen_minutes_auto_close_without_accept() {
    let settings = DirectoryEntry::Empty.settings();
    assert_eq!(settings.auto_close_seconds, Some(900));
    assert!(!settings.require_accept);
    assert!(settings.internal_chat_enabled);
}

#[test]
fn snippets_are_created_updated_and_deleted_in_the_library() {
    let created = when(
        &[],
        DirectoryCommand::CreateSnippet {
            snippet_id: id(30),
            fields: snippet("greeting"),
        },
    )
    .unwrap();
    assert_eq!(
        when(
            &created,
            DirectoryCommand::CreateSnippet {
                snippet_id: id(30),
                fields: snippet("greeting")
            }
        ),
        Err(DirectoryRejection::SnippetExists { snippet_id: id(30) })
    );
    let renamed = when(
        &created,
        DirectoryCommand::UpdateSnippet {
            snippet_id: id(30),
            fields: snippet("hello"),
        },
    )
    .unwrap();
    assert!(matches!(&renamed[..], [E::SnippetUpdated { name, .. }] if name == "hello"));
    assert_eq!(
        when(
            &created,
            DirectoryCommand::DeleteSnippet { snippet_id: id(30) }
        ),
        Ok(vec![E::SnippetDeleted { snippet_id: id(30) }])
    );
    assert_eq!(
        when(&[], DirectoryCommand::DeleteSnippet { snippet_id: id(30) }),
        Err(DirectoryRejection::UnknownSnippet { snippet_id: id(30) })
    );
}

#[test]
fn the_five_thousand_and_first_snippet_is_refused_until_one_is_deleted() {
    let full: BTreeMap<Uuid, Snippet> = (0..SNIPPET_LIMIT as u128)
        .map(|n| {
            (
                id(10_000 + n),
                Snippet {
                    name: format!("s{n}"),
                    text: "t".into(),
                    theme: None,
                },
            )
        })
        .collect();
    let library = DirectoryEntry::SnippetLibrary(full);
    let create = || DirectoryCommand::CreateSnippet {
        snippet_id: id(1),
        fields: snippet("one too many"),
    };
    assert_eq!(
        decide(id(1), &library, create()),
        Err(DirectoryRejection::SnippetLimitReached { limit: 5000 })
    );
    let fewer = library.evolve(&E::SnippetDeleted {
        snippet_id: id(10_000),
    });
    assert!(decide(id(1), &fewer, create()).is_ok());
}

#[test]
fn a_snippet_needs_a_name_and_text() {
    let blank = SnippetFields {
        text: " ".into(),
        ..snippet("x")
    };
    assert_eq!(
        when(
            &[],
            DirectoryCommand::CreateSnippet {
                snippet_id: id(3),
                fields: blank
            }
        ),
        Err(DirectoryRejection::Blank { field: "text" })
    );
}

#[test]
fn snippet_variables_expand_from_the_contact() {
    let maria = ContactVariables {
        id: id(42),
        name: "Maria Silva".into(),
        firstname: Some("Maria".into()),
        lastname: Some("Silva".into()),
        email: Some("maria@example.pt".into()),
        country: None,
    };
    let text = "Olá $contact.firstname $contact.lastname ($contact.name, $contact.email, \
                [$contact.country], $contact.id) – $contact.unknown stays, $5 too";
    assert_eq!(
        expand_snippet(text, &maria),
        format!(
            "Olá Maria Silva (Maria Silva, maria@example.pt, [], {}) – $contact.unknown stays, $5 too",
            id(42)
        )
    );
}

#[test]
fn notification_preferences_belong_to_a_known_user_with_the_chat_on() {
    use caselog_schemas::events::DeliveryPreference;
    let quiet = DeliveryPreference {
        bell: false,
        email: true,
    };
    let command = |chat_enabled| DirectoryCommand::SetNotificationPreferences {
        mention: DeliveryPreference::default(),
        dm: quiet,
        announcement: quiet,
        chat_enabled,
    };
    assert_eq!(
        when(&[], command(true)),
        Err(DirectoryRejection::NotAUser { id: id(1) })
    );
    let user = when(&[], DirectoryCommand::UpsertUser(ana())).unwrap();
    assert_eq!(
        when(&user, command(false)),
        Err(DirectoryRejection::ChatSwitchedOff)
    );
    let set = when(&user, command(true)).unwrap();
    assert_eq!(
        set,
        vec![E::NotificationPreferencesSet {
            mention: DeliveryPreference::default(),
            dm: quiet,
            announcement: quiet
        }]
    );
    // The entry is still the user it was.
    let mut history = user.clone();
    history.extend(set);
    assert_eq!(
        DirectoryEntry::from_history(&history),
        DirectoryEntry::from_history(&user)
    );
}

fn deal(title: &str, url: &str) -> DirectoryCommand {
    DirectoryCommand::RegisterItem(ItemFields {
        entity_type: caselog_schemas::events::CardEntityType::Deal,
        entity_id: "D-9".into(),
        title: title.into(),
        summary: None,
        url: url.into(),
        access: caselog_schemas::events::ItemAccess::default(),
    })
}

#[test]
fn an_integration_registers_an_item_once_and_removes_it() {
    let registered = when(&[], deal("ACME renewal", "https://crm.test/D-9")).unwrap();
    assert!(
        matches!(&registered[..], [E::ItemRegistered { title, .. }] if title == "ACME renewal")
    );
    assert_eq!(
        when(&registered, deal("ACME renewal", "https://crm.test/D-9")),
        Ok(vec![]),
        "the same item again changes nothing"
    );
    assert_eq!(
        when(&registered, DirectoryCommand::RemoveItem),
        Ok(vec![E::ItemRemoved {}])
    );
    assert_eq!(
        when(&[], DirectoryCommand::RemoveItem),
        Err(DirectoryRejection::UnknownItem)
    );
    assert!(when(&[], deal(" ", "https://crm.test/D-9")).is_err());
    assert!(when(&[], deal("x", "ftp://crm.test/D-9")).is_err());
}

#[test]
fn an_items_access_names_users_groups_or_roles_and_empty_is_every_staff_member() {
    use caselog_schemas::events::ItemAccess;
    let (ana, rui) = (UserId(id(2)), UserId(id(3)));
    let open = ItemAccess::default();
    assert!(open.allows(ana, Role::Agent, &[]));
    assert!(!open.allows(ana, Role::Integration, &[]));
    let billing = ItemAccess {
        groups: vec![id(7)],
        users: vec![rui],
        roles: vec![Role::Admin],
    };
    assert!(billing.allows(ana, Role::Agent, &[id(7)]));
    assert!(!billing.allows(ana, Role::Agent, &[id(8)]));
    assert!(billing.allows(rui, Role::Agent, &[]));
    assert!(billing.allows(ana, Role::Admin, &[]));
}

#[test]
fn a_file_is_uploaded_or_linked_and_named_with_a_media_type() {
    let file = |url: Option<&str>, sha256: Option<&str>, media_type: &str| {
        DirectoryCommand::AddFile(FileFields {
            name: "returns form.pdf".into(),
            media_type: media_type.into(),
            size_bytes: 10,
            url: url.map(Into::into),
            sha256: sha256.map(Into::into),
        })
    };
    assert!(
        when(
            &[],
            file(Some("https://files.example/f"), None, "application/pdf")
        )
        .is_ok()
    );
    assert!(when(&[], file(None, Some("ab12"), "application/pdf")).is_ok());
    assert!(
        when(&[], file(None, None, "application/pdf")).is_err(),
        "neither"
    );
    assert!(
        when(
            &[],
            file(Some("file:///etc/passwd"), None, "application/pdf")
        )
        .is_err()
    );
    assert!(when(&[], file(Some("https://files.example/f"), None, "pdf")).is_err());
    let added = when(&[], file(None, Some("ab12"), "application/pdf")).unwrap();
    assert_eq!(
        when(&added, DirectoryCommand::RemoveFile),
        Ok(vec![E::FileRemoved {}])
    );
    assert_eq!(
        when(&[], DirectoryCommand::RemoveFile),
        Err(DirectoryRejection::UnknownFile)
    );
}
