//! Letters by e-mail, for facilities and partner relays that take them so:
//! the facility's `email` service entry holds the address. The message's
//! Message-ID is derived from the idempotency key, so a relay that sees the
//! same letter twice can tell.

use lettre::message::{header::ContentType, Mailbox};
use lettre::Message;

use super::Failure;
use crate::mail::Mailer;

/// What goes into a letter e-mail.
pub struct LetterMail<'a> {
    pub idempotency_key: &'a str,
    pub to: &'a str,
    pub from: &'a str,
    /// The recipient line: full name and birth year, as prisons sort mail.
    pub recipient: &'a str,
    pub facility: &'a str,
    pub body: &'a str,
    pub reply_code: Option<&'a str>,
    pub sender_name: Option<&'a str>,
}

pub fn build(mail: &LetterMail<'_>) -> Result<Message, Failure> {
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|_| Failure::Permanent("the facility's e-mail address is not valid".to_owned()))?;
    let from: Mailbox = mail
        .from
        .parse()
        .map_err(|_| Failure::Permanent("KONVERT_MAIL_FROM is not a valid address".to_owned()))?;
    let domain = from.email.domain().to_owned();
    // The letter closes as on every other channel: the signature once, then
    // the reply code that lets the reply find its way back to the writer.
    let text = format!(
        "{}\n{}\n\n{}\n",
        mail.recipient,
        mail.facility,
        crate::letters::service_text(mail.body, mail.sender_name, mail.reply_code)
    );
    Message::builder()
        .from(from)
        .to(to)
        .message_id(Some(format!("<{}@{domain}>", mail.idempotency_key)))
        .subject(format!("Письмо: {}", mail.recipient))
        .header(ContentType::TEXT_PLAIN)
        .body(text)
        .map_err(|e| Failure::Permanent(format!("cannot build the e-mail: {e}")))
}

pub async fn send(mailer: &Mailer, mail: &LetterMail<'_>) -> Result<(), Failure> {
    let message = build(mail)?;
    mailer
        .send(message)
        .await
        // Connection problems and 4xx answers pass; a relay may be down for a while.
        .map_err(|e| Failure::Temporary(e.to_string()))
}
