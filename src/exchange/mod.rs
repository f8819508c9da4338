//! The prisoner list as a spreadsheet: the columns that an export writes and
//! an import reads, and how a field that holds several values is written.
//! Export and import share this module so that an export imports back
//! unchanged (issue 14's round trip).

pub mod export;
pub mod read;

use chrono::NaiveDate;

use crate::db::prisoners::RecognitionKind;

/// The columns, in the order an export writes them. Column `i` of every row
/// is `COLUMNS[i]`.
pub const COLUMNS: [&str; 25] = [
    "external_source",
    "external_id",
    "surname",
    "given_name",
    "patronymic",
    "latin_name",
    "gender",
    "birth_date",
    "status",
    "measure",
    "recognition",
    "languages",
    "interests",
    "release_expected_on",
    "do_not_write",
    "facility_country",
    "facility_kind",
    "facility_name",
    "facility_postcode",
    "facility_region",
    "facility_district",
    "facility_locality",
    "facility_street",
    "facility_house",
    "bio",
];

/// One person, a field per column.
pub type Row = [String; COLUMNS.len()];

/// Separates the values of a list field (`languages`, `interests`,
/// `recognition`).
pub const LIST_SEPARATOR: char = ';';

/// Separates the parts of one recognition: `organisation|kind|since`.
/// Not `;`, which separates the recognitions themselves.
pub const RECOGNITION_PART_SEPARATOR: char = '|';

/// The values of a list field, joined.
pub fn join_list<S: AsRef<str>>(values: &[S]) -> String {
    values
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(&LIST_SEPARATOR.to_string())
}

/// The values of a list field: trimmed, blanks dropped.
pub fn split_list(field: &str) -> Vec<String> {
    field
        .split(LIST_SEPARATOR)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

/// "Мемориал|political_prisoner|2024-03-01"; the date is left out when unknown.
pub fn format_recognition(
    kind: RecognitionKind,
    organisation: &str,
    since: Option<NaiveDate>,
) -> String {
    let sep = RECOGNITION_PART_SEPARATOR;
    match since {
        Some(d) => format!("{organisation}{sep}{}{sep}{d}", kind.as_str()),
        None => format!("{organisation}{sep}{}", kind.as_str()),
    }
}

/// The inverse of `format_recognition`; an organisation alone is a political
/// prisoner recognised on an unknown date, as the prisoner form reads it.
pub fn parse_recognition(item: &str) -> Option<(RecognitionKind, String, Option<NaiveDate>)> {
    let mut parts = item.split(RECOGNITION_PART_SEPARATOR).map(str::trim);
    let organisation = parts.next().filter(|o| !o.is_empty())?.to_owned();
    let kind = match parts.next().unwrap_or("") {
        "" => RecognitionKind::PoliticalPrisoner,
        code => code.parse().ok()?,
    };
    let since = match parts.next().unwrap_or("") {
        "" => None,
        d => Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?),
    };
    if parts.next().is_some() {
        return None;
    }
    Some((kind, organisation, since))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recognition_reads_back_as_it_was_written() {
        let since = NaiveDate::from_ymd_opt(2024, 3, 1);
        for (kind, since) in [
            (RecognitionKind::PoliticalPrisoner, since),
            (RecognitionKind::PoliticallyPersecuted, None),
        ] {
            let text = format_recognition(kind, "Мемориал", since);
            assert_eq!(
                parse_recognition(&text),
                Some((kind, "Мемориал".to_owned(), since))
            );
        }
        assert_eq!(
            format_recognition(RecognitionKind::PoliticalPrisoner, "Вясна", since),
            "Вясна|political_prisoner|2024-03-01"
        );
    }

    #[test]
    fn an_organisation_alone_is_a_political_prisoner_and_junk_is_refused() {
        assert_eq!(
            parse_recognition(" Вясна "),
            Some((RecognitionKind::PoliticalPrisoner, "Вясна".to_owned(), None))
        );
        assert_eq!(parse_recognition("Вясна|hero"), None);
        assert_eq!(parse_recognition("Вясна|political_prisoner|1.3.2024"), None);
        assert_eq!(parse_recognition("|political_prisoner"), None);
    }

    #[test]
    fn lists_split_on_semicolons_and_drop_blanks() {
        assert_eq!(join_list(&["ru", "be"]), "ru;be");
        assert_eq!(split_list(" ru ; ;be;"), vec!["ru", "be"]);
        assert!(split_list("").is_empty());
    }
}
