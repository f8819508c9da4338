//! Letters as a writer composes them: the checks the composer runs while the
//! text is typed and again when it is saved.
//!
//! - size: characters, pages (2,500 characters a page, as ФСИН-Письмо counts,
//!   split as `pages` splits the text the service receives) and the cost of
//!   an e-letter in minor units (kopecks);
//! - Latin letters in a letter to a Russian facility (letters must be in
//!   Russian there, others are held for translation or not delivered);
//! - words and patterns that get letters censored (docs/domain.md,
//!   "What gets a letter stopped"), by category, each with the words that triggered it.
//!
//! Every finding is a **warning for the writer and the coordinator to weigh,
//! never a block**: the word lists are short and ours, they match word starts
//! ("приговор" finds "приговора"), and they will both miss things and flag
//! innocent uses. The coordinator who reviews the letter decides.
//!
//! Pure: no I/O, no database, no clock. Offsets are in characters (Unicode
//! scalar values), not bytes, so they mean the same in the browser.

mod censor;
mod highlight;
mod pages;
pub mod policy;
mod text;

use serde::{Deserialize, Serialize};

pub use censor::{censorship_warnings, latin_words, prisoners_named};
pub use highlight::{highlight, Piece};
pub use pages::{
    page_count, service_text, split_pages, split_pages_at, PAGE_CHARS, REPLY_CODE_LABEL,
    REPLY_CODE_PLACEHOLDER,
};
pub use text::{words, Word};

/// What one e-letter service charges, in minor units (kopecks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicePrice {
    pub page_minor: i64,
    pub reply_blank_minor: i64,
}

/// Prices of the e-letter services, from settings (check: prices change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prices {
    pub fsin_pismo: ServicePrice,
    pub zonatelecom: ServicePrice,
}

impl Default for Prices {
    /// ФСИН-Письмо: 55 RUB a page and 55 RUB a reply blank; Zonatelecom
    /// varies by facility, 45 RUB is a typical figure.
    fn default() -> Self {
        Prices {
            fsin_pismo: ServicePrice {
                page_minor: 5_500,
                reply_blank_minor: 5_500,
            },
            zonatelecom: ServicePrice {
                page_minor: 4_500,
                reply_blank_minor: 4_500,
            },
        }
    }
}

/// The currency e-letter prices are in.
pub const CURRENCY: &str = "RUB";

/// Characters as the services count them. Browsers send a line break in a
/// text area as "\r\n" but count it as one character; so do we.
pub fn char_count(text: &str) -> usize {
    text.chars().filter(|c| *c != '\r').count()
}

/// The cost of sending `pages` pages, with a prepaid reply blank if asked.
/// Nothing is sent for an empty letter, so it costs nothing, blank or not.
pub fn cost_minor(pages: u32, price: ServicePrice, reply_blank: bool) -> i64 {
    if pages == 0 {
        return 0;
    }
    let blank = if reply_blank {
        price.reply_blank_minor
    } else {
        0
    };
    price
        .page_minor
        .saturating_mul(i64::from(pages))
        .saturating_add(blank)
}

/// Size and cost of a letter as the composer shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Estimate {
    /// What the writer typed.
    pub chars: usize,
    /// Pages of the text the service receives: the body, the signature and
    /// the reply code, split as the send screen and the gateway split it.
    pub pages: u32,
    /// `None` for channels that are not paid per page (post, e-mail).
    pub cost_minor: Option<i64>,
}

/// The parts of a letter that are printed, as the writer left them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Printed<'a> {
    pub body: &'a str,
    /// The name the recipient sees.
    pub signature: Option<&'a str>,
    /// `REPLY_CODE_PLACEHOLDER` while the letter has none yet.
    pub reply_code: Option<&'a str>,
}

impl Printed<'_> {
    pub fn text(&self) -> String {
        service_text(self.body, self.signature, self.reply_code)
    }
}

pub fn estimate(letter: Printed<'_>, price: Option<ServicePrice>, reply_blank: bool) -> Estimate {
    let chars = char_count(letter.body);
    let pages = if letter.body.trim().is_empty() {
        // Nothing written is nothing to send, whatever would close it.
        0
    } else {
        page_count(&letter.text())
    };
    Estimate {
        chars,
        pages,
        cost_minor: price.map(|p| cost_minor(pages, p, reply_blank)),
    }
}

/// "110 ₽" / "110,50 ₽" in Russian, "RUB 110" / "RUB 110.50" in English.
/// composer.js formats the same way.
pub fn format_rub(minor: i64, lang: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let (whole, cents) = (abs / 100, abs % 100);
    match (lang, cents) {
        ("en", 0) => format!("{sign}RUB {whole}"),
        ("en", c) => format!("{sign}RUB {whole}.{c:02}"),
        (_, 0) => format!("{sign}{whole} ₽"),
        (_, c) => format!("{sign}{whole},{c:02} ₽"),
    }
}

/// Why the composer warns about a text. Each kind has a label
/// (`letters.warning_<kind>`) in the UI strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Latin letters in a letter to a Russian facility.
    Latin,
    /// Details of the criminal case: court, investigators, evidence.
    Case,
    War,
    /// Politics and criticism of the authorities.
    Politics,
    /// Insults and profanity.
    Insults,
    Lgbt,
    /// Anything that reads like code or prison jargon.
    Code,
    /// Phone numbers and long runs of digits.
    Digits,
    /// Words in another language (Latin script), where `Latin` does not apply.
    Foreign,
    /// Other prisoners named in the letter.
    Prisoners,
}

impl WarningKind {
    pub const ALL: [WarningKind; 10] = [
        WarningKind::Latin,
        WarningKind::Case,
        WarningKind::War,
        WarningKind::Politics,
        WarningKind::Insults,
        WarningKind::Lgbt,
        WarningKind::Code,
        WarningKind::Digits,
        WarningKind::Foreign,
        WarningKind::Prisoners,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::Latin => "latin",
            WarningKind::Case => "case",
            WarningKind::War => "war",
            WarningKind::Politics => "politics",
            WarningKind::Insults => "insults",
            WarningKind::Lgbt => "lgbt",
            WarningKind::Code => "code",
            WarningKind::Digits => "digits",
            WarningKind::Foreign => "foreign",
            WarningKind::Prisoners => "prisoners",
        }
    }
}

/// A piece of the text that triggered a warning. `start..end` are character
/// offsets into the text as given (end exclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub kind: WarningKind,
    /// In the order they appear in the text.
    pub hits: Vec<Hit>,
}

impl Warning {
    /// The distinct words that triggered the warning, in order of appearance,
    /// compared without regard to case.
    pub fn words(&self) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        let mut out = Vec::new();
        for hit in &self.hits {
            let folded = hit.text.to_lowercase();
            if !seen.contains(&folded) {
                seen.push(folded);
                out.push(hit.text.clone());
            }
        }
        out
    }
}

/// Where the letter goes, as far as the text checks care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Destination {
    /// A Russian facility: letters must be in Russian.
    pub russian: bool,
}

/// All warnings for `text`, in `WarningKind::ALL` order. For a Russian
/// facility the Latin-letter warning takes the place of "foreign words", so
/// the same words are not reported twice.
pub fn check(text: &str, to: Destination) -> Vec<Warning> {
    check_naming(text, to, &[])
}

/// `check`, and other prisoners named: `other_surnames` are the surnames of
/// the people on the list other than the recipient.
pub fn check_naming(text: &str, to: Destination, other_surnames: &[String]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if to.russian {
        let hits = latin_words(text);
        if !hits.is_empty() {
            warnings.push(Warning {
                kind: WarningKind::Latin,
                hits,
            });
        }
    }
    warnings.extend(
        censorship_warnings(text)
            .into_iter()
            .filter(|w| !(to.russian && w.kind == WarningKind::Foreign)),
    );
    let named = prisoners_named(text, other_surnames);
    if !named.is_empty() {
        warnings.push(Warning {
            kind: WarningKind::Prisoners,
            hits: named,
        });
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_are_counted_not_bytes_and_crlf_is_one() {
        assert_eq!(char_count(""), 0);
        assert_eq!(char_count("Привет"), 6);
        assert_eq!("Привет".len(), 12);
        assert_eq!(char_count("а\r\nб"), 3);
        assert_eq!(char_count("а\nб"), 3);
    }

    fn body(text: &str) -> Printed<'_> {
        Printed {
            body: text,
            ..Printed::default()
        }
    }

    #[test]
    fn pages_hold_2500_characters_and_empty_is_zero() {
        assert_eq!(estimate(body(""), None, false).pages, 0);
        assert_eq!(estimate(body(&"ж".repeat(2_500)), None, false).pages, 1);
        assert_eq!(estimate(body(&"ж".repeat(2_501)), None, false).pages, 2);
        let signed_only = Printed {
            body: " ",
            signature: Some("Вера"),
            reply_code: Some(REPLY_CODE_PLACEHOLDER),
        };
        assert_eq!(estimate(signed_only, None, false).pages, 0);
    }

    #[test]
    fn the_estimate_counts_the_pages_the_service_gets() {
        // 5,000 characters broken at spaces fill 3 pages; a plain division
        // said 2, and the letter was priced at 2 and sent as 3.
        let text = "Слово ".repeat(833) + "ab";
        let p = Prices::default().fsin_pismo;
        let e = estimate(body(&text), Some(p), false);
        assert_eq!((e.chars, e.pages, e.cost_minor), (5_000, 3, Some(16_500)));
        assert_eq!(e.pages as usize, split_pages(&body(&text).text()).len());
        // The signature and the reply code are printed, so they are paid for.
        let full = "ж".repeat(2_480);
        assert_eq!(estimate(body(&full), None, false).pages, 1);
        let signed = Printed {
            body: &full,
            signature: Some("Вера"),
            reply_code: Some("K7-QX4H"),
        };
        assert_eq!(estimate(signed, Some(p), false).pages, 2);
    }

    #[test]
    fn cost_is_pages_times_price_plus_the_blank() {
        let p = Prices::default().fsin_pismo;
        assert_eq!(cost_minor(0, p, true), 0);
        assert_eq!(cost_minor(1, p, false), 5_500);
        assert_eq!(cost_minor(2, p, false), 11_000);
        assert_eq!(cost_minor(2, p, true), 16_500);
        let e = estimate(body(&"a".repeat(2_501)), Some(p), false);
        assert_eq!((e.chars, e.pages, e.cost_minor), (2_501, 2, Some(11_000)));
        assert_eq!(estimate(body("abc"), None, true).cost_minor, None);
        let huge = ServicePrice {
            page_minor: i64::MAX,
            reply_blank_minor: i64::MAX,
        };
        assert_eq!(cost_minor(3, huge, true), i64::MAX, "saturates, no panic");
    }

    #[test]
    fn roubles_format_per_language() {
        assert_eq!(format_rub(11_000, "ru"), "110 ₽");
        assert_eq!(format_rub(11_050, "ru"), "110,50 ₽");
        assert_eq!(format_rub(11_000, "en"), "RUB 110");
        assert_eq!(format_rub(5, "en"), "RUB 0.05");
        assert_eq!(format_rub(0, "ru"), "0 ₽");
    }

    #[test]
    fn words_lists_each_word_once_in_order() {
        let w = Warning {
            kind: WarningKind::Latin,
            hits: vec![
                Hit {
                    text: "Hello".into(),
                    start: 0,
                    end: 5,
                },
                Hit {
                    text: "world".into(),
                    start: 6,
                    end: 11,
                },
                Hit {
                    text: "hello".into(),
                    start: 12,
                    end: 17,
                },
            ],
        };
        assert_eq!(w.words(), vec!["Hello", "world"]);
    }

    #[test]
    fn russian_facilities_get_the_latin_warning_instead_of_foreign_words() {
        let text = "Привет! Читаю Hemingway.";
        let ru = check(text, Destination { russian: true });
        assert_eq!(
            ru.iter().map(|w| w.kind).collect::<Vec<_>>(),
            vec![WarningKind::Latin]
        );
        assert_eq!(ru[0].words(), vec!["Hemingway"]);
        let by = check(text, Destination { russian: false });
        assert_eq!(
            by.iter().map(|w| w.kind).collect::<Vec<_>>(),
            vec![WarningKind::Foreign]
        );
        assert!(check("Добрый день, как здоровье?", Destination { russian: true }).is_empty());
    }

    #[test]
    fn warning_kinds_have_distinct_names() {
        let mut names: Vec<_> = WarningKind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), WarningKind::ALL.len());
    }
}
