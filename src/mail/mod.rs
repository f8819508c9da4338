//! E-mail: building messages from template pairs (plain text and HTML) and
//! sending them with lettre, over SMTP when `KONVERT_SMTP_URL` is set, else
//! as .eml files in `<data dir>/outbox` for an admin to read or forward.

pub mod outbox;

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::MessageBuilder;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;

use crate::config::Settings;
use crate::templates::Templates;

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("e-mail address {0:?} is not valid")]
    Address(String),
    #[error("building the e-mail: {0}")]
    Build(String),
    #[error("sending the e-mail: {0}")]
    Send(String),
    #[error("rendering the e-mail: {0}")]
    Render(String),
}

impl Mailer {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Mailer> {
        match &settings.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("KONVERT_SMTP_URL: {e}"))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build();
                Ok(Mailer::Smtp(transport))
            }
            None => {
                let dir = settings.data_dir.join("outbox");
                std::fs::create_dir_all(&dir).map_err(|e| {
                    anyhow::anyhow!("cannot create the e-mail outbox {}: {e}", dir.display())
                })?;
                Ok(Mailer::Outbox(AsyncFileTransport::new(&dir), dir))
            }
        }
    }

    pub async fn send(&self, message: Message) -> Result<(), MailError> {
        match self {
            Mailer::Smtp(t) => t
                .send(message)
                .await
                .map(drop)
                .map_err(|e| MailError::Send(e.to_string())),
            Mailer::Outbox(t, _) => t
                .send(message)
                .await
                .map(drop)
                .map_err(|e| MailError::Send(e.to_string())),
        }
    }
}

/// Renders `templates/email/<name>/{subject,text,html}.hbs` with `data` and
/// builds a multipart message.
pub fn compose(
    templates: &Templates,
    name: &str,
    from: &str,
    to: &str,
    data: &impl Serialize,
) -> Result<Message, MailError> {
    compose_with(templates, name, from, to, data, |b| b)
}

/// As `compose`, with `extra` adding headers to the message.
pub fn compose_with(
    templates: &Templates,
    name: &str,
    from: &str,
    to: &str,
    data: &impl Serialize,
    extra: impl FnOnce(MessageBuilder) -> MessageBuilder,
) -> Result<Message, MailError> {
    let render_err = |e: crate::error::AppError| MailError::Render(format!("{e:?}"));
    let subject = templates
        .render_text(&format!("email/{name}/subject"), data)
        .map_err(render_err)?;
    let text = templates
        .render_text(&format!("email/{name}/text"), data)
        .map_err(render_err)?;
    let html = templates
        .render(&format!("email/{name}/html"), data)
        .map_err(render_err)?;
    let from: Mailbox = from
        .parse()
        .map_err(|_| MailError::Address(from.to_owned()))?;
    let to: Mailbox = to.parse().map_err(|_| MailError::Address(to.to_owned()))?;
    extra(Message::builder())
        .from(from)
        .to(to)
        .subject(subject.trim())
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(text),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(html),
                ),
        )
        .map_err(|e| MailError::Build(e.to_string()))
}
