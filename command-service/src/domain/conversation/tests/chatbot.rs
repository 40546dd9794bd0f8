//! The channel's chatbot: a person does not talk over it, it stays quiet once
//! disabled, and its hand-off gives the conversation to the team.

use super::*;

fn bot_says(text: &str) -> ConversationCommand {
    machine_says(SenderKind::Bot, text)
}

fn machine_says(kind: SenderKind, text: &str) -> ConversationCommand {
    ConversationCommand::SendMessage {
        actor: None,
        sender_kind: Some(kind),
        channel: None,
        content: MessageContent::text(text),
        snippet_id: None,
        message_id: id(40),
        now: now(),
    }
}

fn answering() -> Vec<E> {
    vec![started(vec![user(1)], None), E::BotEnabled { by: None }]
}

#[test]
fn a_person_disables_the_answering_bot_before_replying() {
    assert_eq!(
        given(&answering()).when(reply(agent(1))),
        Err(ConversationRejection::BotAnswering)
    );
    let disabled = given(&answering())
        .when(ConversationCommand::DisableBot {
            actor: Some(agent(1)),
        })
        .unwrap();
    assert_eq!(disabled, vec![E::BotDisabled { by: Some(user(1)) }]);
    let mut history = answering();
    history.extend(disabled);
    assert!(given(&history).when(reply(agent(1))).is_ok());
    // Disabled, the bot stays quiet; an auto-reply is not the bot.
    assert_eq!(
        given(&history).when(bot_says("still here")),
        Err(ConversationRejection::BotDisabled)
    );
    let auto_reply = machine_says(SenderKind::AutoReply, "we are closed until 9");
    assert!(given(&history).when(auto_reply).is_ok());
}

#[test]
fn the_hand_off_disables_the_answering_bot() {
    assert_eq!(
        given(&answering()).when(ConversationCommand::HandOffToHuman { reason: None }),
        Ok(vec![
            E::HandedOffToHuman { reason: None },
            E::BotDisabled { by: None }
        ])
    );
}

#[test]
fn enabling_and_disabling_twice_changes_nothing_more() {
    let enable = ConversationCommand::EnableBot {
        actor: Some(admin()),
    };
    assert_eq!(given(&answering()).when(enable.clone()), Ok(vec![]));
    let mut history = vec![started(vec![], None)];
    assert_eq!(
        given(&history).when(enable),
        Ok(vec![E::BotEnabled {
            by: Some(user(900))
        }])
    );
    // Switched off before it ever spoke, it does not start when it would.
    let disable = ConversationCommand::DisableBot { actor: None };
    let disabled = given(&history).when(disable.clone()).unwrap();
    assert_eq!(disabled, vec![E::BotDisabled { by: None }]);
    history.extend(disabled);
    assert_eq!(given(&history).when(disable), Ok(vec![]));
    assert_eq!(
        given(&history).when(bot_says("hello")),
        Err(ConversationRejection::BotDisabled)
    );
}
