//! Every UI string the templates and the code ask for exists in Russian and
//! in English. The sources are scanned as text: any quoted `"<area>.<name>"`
//! whose area is a file under `locales/` is a key. A key built from a prefix
//! and a value (`{{t "outbox.state_" state}}`, `format!("errors.status_{}")`)
//! must be listed in `built_keys` with the values it takes, so a new value
//! of an enum (a delivery state, a status) cannot reach a page untranslated.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use konvert::db::deliveries::DeliveryState;
use konvert::db::facilities::{FacilityKind, Service};
use konvert::db::letters::{Channel, LetterStatus};
use konvert::db::prisoners::{Gender, Measure, PrisonerStatus, RecognitionKind};
use konvert::db::replies::ReplyChannel;
use konvert::db::starter_texts::StarterKind;
use konvert::db::users::{RemindFrequency, Role};
use konvert::i18n::{Lang, Translations};
use konvert::letters::WarningKind;
use konvert::reminders::ReminderKind;

/// The values each built key takes.
fn built_keys() -> BTreeMap<&'static str, Vec<String>> {
    fn all<T: ToString>(values: &[T]) -> Vec<String> {
        values.iter().map(ToString::to_string).collect()
    }
    fn list(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }
    let reminder_kinds = all(ReminderKind::ALL);
    let mut unsubscribe = reminder_kinds.clone();
    unsubscribe.push("all".into());
    let statuses = list(&[
        "400", "401", "403", "404", "405", "409", "410", "413", "415", "422", "429", "500", "503",
    ]);
    let steps = list(&[
        "created",
        "submitted",
        "returned_to_writer",
        "rejected",
        "approved",
        "queued",
        "held",
        "sent",
        "delivered",
        "censored",
        "returned",
        "lost",
        "replied",
    ]);
    BTreeMap::from([
        ("accounts.role_", all(Role::ALL)),
        ("dashboard.event_", list(&["birthday", "release"])),
        ("errors.status_", statuses.clone()),
        ("errors.title_", statuses),
        ("facilities.kind_", all(FacilityKind::ALL)),
        ("facilities.service_", all(Service::ALL)),
        ("facilities.service_id_", all(Service::ALL)),
        ("letters.channel_", all(Channel::ALL)),
        ("letters.language_", list(&["ru", "be", "uk", "en"])),
        ("letters.status_", all(LetterStatus::ALL)),
        ("letters.step_", steps),
        (
            "letters.warning_",
            WarningKind::ALL
                .iter()
                .map(|k| k.as_str().to_owned())
                .collect(),
        ),
        ("outbox.state_", all(DeliveryState::ALL)),
        ("prisoners.address_", list(&["line", "envelope", "english"])),
        ("prisoners.gender_", all(Gender::ALL)),
        ("prisoners.measure_", all(Measure::ALL)),
        ("prisoners.recognition_", all(RecognitionKind::ALL)),
        ("prisoners.status_", all(PrisonerStatus::ALL)),
        ("reminders.frequency_", all(RemindFrequency::ALL)),
        ("reminders.kind_", reminder_kinds),
        (
            "reminders.letter_status_body_",
            list(&["returned_to_writer", "rejected"]),
        ),
        (
            "reminders.letter_status_subject_",
            list(&["returned_to_writer", "rejected"]),
        ),
        ("reminders.unsubscribe_ask_", unsubscribe.clone()),
        ("reminders.unsubscribed_", unsubscribe),
        ("replies.channel_", all(ReplyChannel::ALL)),
        ("replies.state_", list(&["all", "unmatched", "matched"])),
        (
            "review.hold_",
            list(&["in_transit", "address_changed", "no_address"]),
        ),
        (
            "send.service_",
            list(&["fsin_pismo", "zonatelecom", "post"]),
        ),
        ("send.title_", list(&["fsin_pismo", "zonatelecom"])),
        ("starters.kind_", all(StarterKind::ALL)),
    ])
}

/// A key found in a source file: whole, or the prefix of a built one.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Found {
    Key(String),
    Prefix(String),
}

/// The keys quoted in `text`. A key is `"area.name"`; a prefix is a key
/// ending in `_` (a template joins a value to it) or one that a `format!`
/// continues with `{`.
fn keys_in(text: &str, areas: &BTreeSet<String>) -> Vec<Found> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('"') {
        rest = &rest[start + 1..];
        let len = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        let (word, after) = rest.split_at(len);
        let Some((area, name)) = word.split_once('.') else {
            continue;
        };
        if !areas.contains(area) || name.is_empty() || name.ends_with('.') {
            continue;
        }
        match after.chars().next() {
            Some('"') if word.ends_with('_') => found.push(Found::Prefix(word.to_owned())),
            Some('"') => found.push(Found::Key(word.to_owned())),
            Some('{') => found.push(Found::Prefix(word.to_owned())),
            _ => continue,
        }
        // Skip past this literal so its closing quote does not open another.
        rest = after.strip_prefix('"').unwrap_or(after);
    }
    found
}

fn source_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            source_files(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("rs" | "hbs")
        ) {
            out.push(path);
        }
    }
}

#[test]
fn every_ui_string_used_in_templates_and_code_exists_in_both_languages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let translations = Translations::load().expect("locales load");
    let areas: BTreeSet<String> = std::fs::read_dir(root.join("locales/en"))
        .expect("locales/en")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".toml").map(str::to_owned)
        })
        .collect();
    let built = built_keys();
    let mut files = Vec::new();
    source_files(&root.join("src"), &mut files);
    source_files(&root.join("templates"), &mut files);
    let mut problems = BTreeSet::new();
    let mut seen = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable source");
        let shown = file
            .strip_prefix(root)
            .unwrap_or(file)
            .display()
            .to_string();
        for found in keys_in(&text, &areas) {
            seen += 1;
            let keys = match &found {
                Found::Key(key) => vec![key.clone()],
                Found::Prefix(prefix) => match built.get(prefix.as_str()) {
                    Some(values) => values.iter().map(|v| format!("{prefix}{v}")).collect(),
                    None => {
                        problems.insert(format!(
                            "{shown}: the key prefix {prefix:?} is not in built_keys (list its values)"
                        ));
                        continue;
                    }
                },
            };
            for key in keys {
                for lang in Lang::ALL {
                    if !translations.has(lang, &key) {
                        problems.insert(format!("{shown}: {key} missing in {}", lang.code()));
                    }
                }
            }
        }
    }
    assert!(seen > 300, "the scanner found only {seen} keys");
    for gap in translations.missing() {
        problems.insert(format!("locales: {gap}"));
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_scanner_finds_keys_and_built_prefixes() {
    let areas = BTreeSet::from(["outbox".to_owned(), "errors".to_owned()]);
    let found = keys_in(
        r#"{{t "outbox.state_" state}} {{t "outbox.title"}} format!("errors.status_{}", 4) "other.key" "outbox.""#,
        &areas,
    );
    assert_eq!(
        found,
        vec![
            Found::Prefix("outbox.state_".into()),
            Found::Key("outbox.title".into()),
            Found::Prefix("errors.status_".into()),
        ]
    );
}
