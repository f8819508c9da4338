//! Replies that arrive by e-mail: e-letter services mail back scans of the
//! handwritten reply. An e-mail is parsed (MIME), matched by a reply code in
//! its subject or text, else by a prisoner's name and birth year, and its
//! scans are attached. What cannot be matched waits for a coordinator; an
//! e-mail already imported (same Message-ID) is skipped.

use std::path::Path;

use chrono::{DateTime, NaiveDateTime};
use diesel::prelude::*;
use mail_parser::{MessageParser, MimeHeaders};

use super::codes;
use super::record::{self, IncomingReply};
use super::scans::{self, ScanError, StoredScan};
use crate::db::replies::{self, NewReplyFile, Reply, ReplyChannel};
use crate::db::{self, letters, schema, DbConn};

/// An e-mail as intake reads it.
#[derive(Debug, Clone)]
pub struct ParsedMail {
    pub message_id: Option<String>,
    pub from: String,
    pub subject: String,
    pub text: String,
    pub date: Option<NaiveDateTime>,
    pub attachments: Vec<(String, Vec<u8>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntakeError {
    #[error("not an e-mail message")]
    NotAnEmail,
    #[error("the e-mail has neither text nor attachments")]
    Empty,
}

pub fn parse(raw: &[u8]) -> Result<ParsedMail, IntakeError> {
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(IntakeError::NotAnEmail)?;
    // The parser accepts anything; mail has at least a sender or a date.
    if message.from().is_none() && message.date().is_none() && message.message_id().is_none() {
        return Err(IntakeError::NotAnEmail);
    }
    let text = message
        .body_text(0)
        .map(|t| t.into_owned())
        .unwrap_or_default();
    let attachments: Vec<(String, Vec<u8>)> = message
        .attachments()
        .map(|part| {
            let name = part.attachment_name().unwrap_or("scan").to_owned();
            (name, part.contents().to_vec())
        })
        .collect();
    let subject = message.subject().unwrap_or_default().to_owned();
    if text.trim().is_empty() && attachments.is_empty() && subject.trim().is_empty() {
        return Err(IntakeError::Empty);
    }
    Ok(ParsedMail {
        message_id: message.message_id().map(str::to_owned),
        from: message
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_lowercase(),
        subject,
        text,
        date: message
            .date()
            .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0))
            .map(|d| d.naive_utc()),
        attachments,
    })
}

/// Which service sent it, by the sender's address.
fn channel_of(from: &str) -> ReplyChannel {
    if from.contains("fsin") || from.contains("f-pismo") {
        ReplyChannel::FsinPismoScan
    } else if from.contains("zonatelecom") {
        ReplyChannel::ZonatelecomScan
    } else {
        ReplyChannel::Email
    }
}

/// The one prisoner whose surname, given name and birth year all stand in
/// the text; `None` when none or several do.
pub fn prisoner_by_name_and_year(conn: &mut DbConn, text: &str) -> QueryResult<Option<i64>> {
    use schema::prisoners;
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    let years: Vec<i32> = words
        .iter()
        .filter(|w| w.len() == 4)
        .filter_map(|w| w.parse().ok())
        .filter(|y| (1900..=2015).contains(y))
        .collect();
    if years.is_empty() {
        return Ok(None);
    }
    let candidates: Vec<(i64, String, String)> = prisoners::table
        .filter(prisoners::birth_year.eq_any(&years))
        .select((prisoners::id, prisoners::surname, prisoners::given_name))
        .load(conn)?;
    let found: Vec<i64> = candidates
        .into_iter()
        .filter(|(_, surname, given)| {
            words.contains(&surname.to_lowercase().as_str())
                && words.contains(&given.to_lowercase().as_str())
        })
        .map(|(id, _, _)| id)
        .collect();
    Ok(match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    })
}

/// What importing one e-mail did.
#[derive(Debug)]
pub enum Imported {
    Recorded {
        reply: Box<Reply>,
        refused: Vec<ScanError>,
    },
    AlreadyImported {
        reply_id: i64,
    },
}

/// Imports one e-mail: scans are checked and stored first, then the reply and
/// its files are recorded in one transaction (stored scans are removed again
/// if that fails). A refused attachment is reported, the rest still kept.
pub fn import(
    conn: &mut DbConn,
    data_dir: &Path,
    mail: &ParsedMail,
    now: NaiveDateTime,
) -> Result<Imported, ImportError> {
    if let Some(id) = &mail.message_id {
        if let Some(existing) = replies::find_by_message_id(conn, id)? {
            return Ok(Imported::AlreadyImported {
                reply_id: existing.id,
            });
        }
    }
    let haystack = format!("{}\n{}", mail.subject, mail.text);
    // The first code that belongs to a letter wins.
    let mut code = None;
    for candidate in codes::find_in_text(&haystack) {
        if letters::find_by_reply_code(conn, &candidate)?.is_some() {
            code = Some(candidate);
            break;
        }
    }
    let prisoner_id = match code {
        Some(_) => None,
        None => prisoner_by_name_and_year(conn, &haystack)?,
    };
    let mut stored: Vec<StoredScan> = Vec::new();
    let mut refused = Vec::new();
    for (name, data) in &mail.attachments {
        match scans::store(data_dir, name, data) {
            Ok(scan) => stored.push(scan),
            Err(e @ ScanError::Storage(_)) => {
                scans::discard(data_dir, &stored);
                return Err(ImportError::Storage(e.to_string()));
            }
            Err(e) => refused.push(e),
        }
    }
    let notes = refused
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    let incoming = IncomingReply {
        received_at: mail.date.unwrap_or(now),
        channel: channel_of(&mail.from),
        reply_code: code.or_else(|| codes::find_in_text(&haystack).into_iter().next()),
        prisoner_id,
        letter_id: None,
        transcription: mail.text.trim().to_owned(),
        notes,
        blank_unused: false,
        source_message_id: mail.message_id.clone(),
        logged_by: None,
    };
    let recorded = db::write_tx(conn, |conn| {
        let reply = record::record(conn, &incoming, now)?;
        for scan in &stored {
            replies::add_file(
                conn,
                &NewReplyFile {
                    reply_id: reply.id,
                    stored_name: scan.stored_name.clone(),
                    original_name: scan.original_name.clone(),
                    content_type: scan.content_type.clone(),
                    size_bytes: scan.size_bytes,
                    sha256: scan.sha256.clone(),
                    created_at: now,
                },
            )?;
        }
        Ok::<_, diesel::result::Error>(reply)
    });
    match recorded {
        Ok(reply) => Ok(Imported::Recorded {
            reply: Box::new(reply),
            refused,
        }),
        Err(e) => {
            scans::discard(data_dir, &stored);
            Err(e.into())
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Storage(String),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIL: &str = "From: ФСИН-Письмо <noreply@f-pismo.ru>\r\nTo: letters@example.org\r\nSubject: Ответ на письмо K7-QX4H\r\nMessage-ID: <abc@f-pismo.ru>\r\nDate: Tue, 3 Nov 2026 10:00:00 +0300\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nСкан ответа во вложении.\r\n--b\r\nContent-Type: application/pdf; name=\"reply.pdf\"\r\nContent-Disposition: attachment; filename=\"reply.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjcK\r\n--b--\r\n";

    #[test]
    fn a_service_mail_parses_into_text_code_and_scan() {
        let mail = parse(MAIL.as_bytes()).unwrap();
        assert_eq!(mail.message_id.as_deref(), Some("abc@f-pismo.ru"));
        assert_eq!(channel_of(&mail.from), ReplyChannel::FsinPismoScan);
        assert!(mail.text.contains("Скан ответа"));
        assert_eq!(codes::find_in_text(&mail.subject), vec!["K7-QX4H"]);
        assert_eq!(mail.attachments.len(), 1);
        assert_eq!(mail.attachments[0].0, "reply.pdf");
        assert!(mail.attachments[0].1.starts_with(b"%PDF-"));
        assert!(mail.date.is_some());
    }

    #[test]
    fn garbage_is_not_an_email() {
        assert_eq!(parse(b"").unwrap_err(), IntakeError::NotAnEmail);
        assert!(parse(&[0xFF, 0x00, 0x13]).is_err());
    }
}
