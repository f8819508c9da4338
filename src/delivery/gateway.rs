//! The automated path to an e-letter service: when a gateway URL is set for
//! ФСИН-Письмо or Zonatelecom, the worker POSTs each letter to it as JSON.
//! Neither service has a public API; an organisation runs the gateway (a
//! person-assisted or scripted bridge to its paid account). The contract is
//! documented in the README:
//!
//! `POST <url>` with `Idempotency-Key: <key>` and a JSON body (`Submission`);
//! 2xx with `{"receipt": "…", "pages": n, "cost_minor": n}` means accepted
//! (the same key must get the same answer again); 408, 429 and 5xx mean try
//! later; other 4xx mean the service refused the letter.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Accepted, Failure};

/// What the gateway receives: exactly the fields the services' forms ask for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Submission {
    pub idempotency_key: String,
    /// "fsin_pismo" or "zonatelecom".
    pub service: String,
    pub region: Option<String>,
    pub facility: String,
    /// The service's own identifier for the facility, when known.
    pub facility_id: Option<String>,
    /// Surname, given name, patronymic, in the nominative, as the form asks.
    pub full_name: String,
    pub birth_year: Option<i32>,
    /// The text the service prints, signature and reply code included,
    /// split by `letters::split_pages`: the pages the writer was quoted.
    pub pages: Vec<String>,
    pub reply_blank: bool,
    /// Printed on the letter so a reply can be matched (already at the end
    /// of the last page; here for the service's own field, if it has one).
    pub reply_code: Option<String>,
    /// The name the prisoner sees as the sender (already at the end of the
    /// text, likewise).
    pub sender_name: Option<String>,
}

/// An automated path to an e-letter service: `Gateway` over HTTP, or a
/// stand-in (tests put one that fails in ways a real service cannot be made to).
pub trait LetterService: Send + Sync {
    fn submit<'a>(
        &'a self,
        submission: &'a Submission,
    ) -> Pin<Box<dyn Future<Output = Result<Accepted, Failure>> + Send + 'a>>;
}

impl LetterService for Gateway {
    fn submit<'a>(
        &'a self,
        submission: &'a Submission,
    ) -> Pin<Box<dyn Future<Output = Result<Accepted, Failure>> + Send + 'a>> {
        Box::pin(Gateway::submit(self, submission))
    }
}

#[derive(Debug, Deserialize)]
struct Answer {
    receipt: Option<String>,
    pages: Option<i32>,
    cost_minor: Option<i64>,
}

#[derive(Clone)]
pub struct Gateway {
    url: String,
    client: reqwest::Client,
}

impl Gateway {
    pub fn new(url: &str, timeout: Duration) -> Result<Gateway, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()?;
        Ok(Gateway {
            url: url.to_owned(),
            client,
        })
    }

    pub async fn submit(&self, submission: &Submission) -> Result<Accepted, Failure> {
        let response = self
            .client
            .post(&self.url)
            .header("Idempotency-Key", &submission.idempotency_key)
            .json(submission)
            .send()
            .await
            .map_err(|e| Failure::Temporary(describe(&e)))?;
        let status = response.status();
        if status.is_success() {
            let answer: Answer = response.json().await.map_err(|e| {
                Failure::Temporary(format!(
                    "unreadable answer from the gateway: {}",
                    describe(&e)
                ))
            })?;
            return Ok(Accepted {
                receipt: answer.receipt,
                pages: answer.pages,
                cost_minor: answer.cost_minor,
            });
        }
        // The body may quote the letter; keep only the status.
        let message = format!("gateway answered {status}");
        if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
            Err(Failure::Temporary(message))
        } else {
            Err(Failure::Permanent(message))
        }
    }
}

/// reqwest's errors can carry the URL; the gateway URL may hold a token.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the gateway did not answer in time".to_owned()
    } else if e.is_connect() {
        "cannot connect to the gateway".to_owned()
    } else {
        e.without_url_ref()
    }
}

trait WithoutUrl {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let mut text = self.to_string();
        if let Some(url) = self.url() {
            text = text.replace(url.as_str(), "(gateway)");
        }
        text
    }
}
