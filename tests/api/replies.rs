//! Recording replies: matched by the reply code, by a picked letter, or left
//! for a coordinator; the books (letter replied or likely blocked, the
//! prisoner's last reply) follow.

use konvert::db::letters::{self, Channel, LetterStatus};
use konvert::db::replies::{MatchState, ReplyChannel};
use konvert::db::{self, prisoners};
use konvert::replies::record::{self, IncomingReply};

use crate::both_backends;
use crate::delivery::queued_letter_by;
use crate::helpers::*;

fn incoming(code: Option<&str>) -> IncomingReply {
    IncomingReply {
        received_at: db::now(),
        channel: ReplyChannel::Paper,
        reply_code: code.map(str::to_owned),
        prisoner_id: None,
        letter_id: None,
        transcription: "Спасибо за письмо!".into(),
        notes: String::new(),
        blank_unused: false,
        source_message_id: None,
        logged_by: None,
    }
}

/// A letter that went out (status sent), with its code.
fn sent_letter(conn: &mut db::DbConn) -> letters::Letter {
    let id = queued_letter_by(conn, "Письмо", Channel::Post);
    letters::set_status(conn, id, LetterStatus::Sent, db::now()).unwrap();
    letters::find(conn, id).unwrap().unwrap()
}

both_backends! {
    async fn a_reply_code_as_typed_finds_the_letter_and_the_books_follow(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        let letter = sent_letter(&mut conn);
        let typed = letter.reply_code.clone().unwrap().to_lowercase().replace('-', " ");
        let reply = db::write_tx(&mut conn, |c| record::record(c, &incoming(Some(&typed)), db::now())).unwrap();
        assert_eq!(reply.match_state, MatchState::Matched);
        assert_eq!(reply.letter_id, Some(letter.id));
        assert_eq!(reply.writer_id, Some(letter.writer_id));
        assert_eq!(reply.reply_code, letter.reply_code, "stored in its printed form");
        let l = letters::find(&mut conn, letter.id).unwrap().unwrap();
        assert_eq!(l.status, LetterStatus::Replied);
        assert!(l.replied_at.is_some());
        let p = prisoners::find(&mut conn, letter.prisoner_id).unwrap().unwrap();
        assert_eq!(p.replies_count, 1);
        assert_eq!(p.last_reply_at, Some(reply.received_at));
    }
}

both_backends! {
    async fn an_unknown_code_waits_unmatched_and_a_coordinator_assigns_it(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        let letter = sent_letter(&mut conn);
        let reply = db::write_tx(&mut conn, |c| record::record(c, &incoming(Some("QQ-QQQQ")), db::now())).unwrap();
        assert_eq!(reply.match_state, MatchState::Unmatched);
        assert_eq!(reply.prisoner_id, None);
        assert_eq!(reply.reply_code.as_deref(), Some("QQ-QQQQ"), "what was read is kept");
        let waiting = konvert::db::replies::unmatched(&mut conn, 10).unwrap();
        assert_eq!(waiting.len(), 1);

        let assigned = db::write_tx(&mut conn, |c| record::assign(c, reply.id, letter.prisoner_id, Some(letter.id), 1, db::now()))
            .unwrap()
            .unwrap();
        assert_eq!(assigned.match_state, MatchState::Matched);
        assert_eq!(assigned.writer_id, Some(letter.writer_id));
        assert_eq!(letters::find(&mut conn, letter.id).unwrap().unwrap().status, LetterStatus::Replied);
        assert!(konvert::db::replies::unmatched(&mut conn, 10).unwrap().is_empty());
        // Assigning again changes nothing, and counts nothing twice.
        db::write_tx(&mut conn, |c| record::assign(c, reply.id, letter.prisoner_id, None, 1, db::now())).unwrap();
        assert_eq!(prisoners::find(&mut conn, letter.prisoner_id).unwrap().unwrap().replies_count, 1);
    }
}

both_backends! {
    async fn an_unused_reply_blank_alone_marks_the_letter_as_likely_blocked(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        let letter = sent_letter(&mut conn);
        let mut blank = incoming(None);
        blank.letter_id = Some(letter.id);
        blank.blank_unused = true;
        blank.transcription = String::new();
        blank.channel = ReplyChannel::FsinPismoScan;
        db::write_tx(&mut conn, |c| record::record(c, &blank, db::now())).unwrap();
        let l = letters::find(&mut conn, letter.id).unwrap().unwrap();
        assert_eq!(l.status, LetterStatus::Censored);
        assert_eq!(l.outcome_note.as_deref(), Some("likely_blocked"));
    }
}

both_backends! {
    async fn a_picked_letter_must_be_to_the_named_prisoner(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        let letter = sent_letter(&mut conn);
        let other = sent_letter(&mut conn);
        let mut wrong = incoming(None);
        wrong.prisoner_id = Some(other.prisoner_id);
        wrong.letter_id = Some(letter.id);
        let reply = db::write_tx(&mut conn, |c| record::record(c, &wrong, db::now())).unwrap();
        assert_eq!(reply.letter_id, None, "the letter was to someone else");
        assert_eq!(reply.prisoner_id, Some(other.prisoner_id));
        assert_eq!(letters::find(&mut conn, letter.id).unwrap().unwrap().status, LetterStatus::Sent);
    }
}
