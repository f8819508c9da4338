//! Every vector in tests/fixtures (names_dative.tsv, translit.tsv,
//! address_seed.json) must come out of the public `locale` API exactly.

use konvert::locale::{
    decline_dative, english_facility_name, render_address, transliterate, validate_postcode,
    AddressRecord, Gender, Scheme, Style,
};

const NAMES_DATIVE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/names_dative.tsv"
));
const TRANSLIT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/translit.tsv"
));
const ADDRESS_SEED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/address_seed.json"
));

/// Data rows of a TSV fixture: comment lines and blank lines skipped.
fn rows(tsv: &str) -> Vec<Vec<&str>> {
    tsv.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| line.split('\t').collect())
        .collect()
}

#[test]
fn every_names_dative_vector_declines_exactly() {
    let rows = rows(NAMES_DATIVE);
    assert!(rows.len() >= 28, "fixture shrank: {} rows", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let [nominative, gender, expected] = row.as_slice() else {
            panic!("malformed row: {row:?}");
        };
        let gender = match gender.trim() {
            "" => None,
            g => Some(g.parse::<Gender>().expect("gender column")),
        };
        let got = decline_dative(nominative, gender).expect(nominative);
        if got != *expected {
            failures.push(format!(
                "{nominative} ({gender:?}): got {got:?}, want {expected:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn names_dative_vectors_also_decline_in_all_caps() {
    for row in rows(NAMES_DATIVE) {
        let [nominative, gender, expected] = row.as_slice() else {
            panic!("malformed row: {row:?}");
        };
        let gender = gender.parse::<Gender>().ok();
        let got = decline_dative(&nominative.to_uppercase(), gender).unwrap();
        assert_eq!(got, expected.to_uppercase(), "{nominative}");
    }
}

#[test]
fn every_translit_vector_romanises_exactly() {
    let rows = rows(TRANSLIT);
    assert!(rows.len() >= 17, "fixture shrank: {} rows", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let [scheme, input, expected] = row.as_slice() else {
            panic!("malformed row: {row:?}");
        };
        let scheme: Scheme = scheme.parse().expect("scheme column");
        let got = transliterate(scheme, input);
        if got != *expected {
            failures.push(format!("{scheme} {input}: got {got:?}, want {expected:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn translit_vectors_keep_all_caps() {
    for row in rows(TRANSLIT) {
        let [scheme, input, expected] = row.as_slice() else {
            panic!("malformed row: {row:?}");
        };
        let scheme: Scheme = scheme.parse().unwrap();
        assert_eq!(
            transliterate(scheme, &input.to_uppercase()),
            expected.to_uppercase(),
            "{input}"
        );
    }
}

fn seed() -> (AddressRecord, serde_json::Value) {
    let value: serde_json::Value = serde_json::from_str(ADDRESS_SEED).unwrap();
    let record: AddressRecord = serde_json::from_value(value.clone()).unwrap();
    (record, value["expected"].clone())
}

#[test]
fn seed_record_renders_the_expected_line() {
    let (record, expected) = seed();
    assert_eq!(
        render_address(&record, Style::Line, None).unwrap(),
        expected["line"].as_str().unwrap()
    );
}

#[test]
fn seed_record_renders_the_expected_english() {
    let (record, expected) = seed();
    assert_eq!(
        render_address(&record, Style::English, None).unwrap(),
        expected["english"].as_str().unwrap()
    );
}

#[test]
fn seed_line_does_not_depend_on_the_sender() {
    let (record, expected) = seed();
    assert_eq!(
        render_address(&record, Style::Line, Some("DE")).unwrap(),
        expected["line"].as_str().unwrap()
    );
}

#[test]
fn seed_envelope_is_dative_with_postcode_last_and_country_only_from_abroad() {
    let (record, _) = seed();
    let home = render_address(&record, Style::Envelope, None).unwrap();
    let lines: Vec<&str> = home.lines().collect();
    assert_eq!(
        lines.first(),
        Some(&"Русских Андрею Владимировичу, 1979 г.р.")
    );
    assert_eq!(lines.last(), Some(&"196655"));
    let abroad = render_address(&record, Style::Envelope, Some("DE")).unwrap();
    assert_eq!(abroad, format!("{home}\nRUSSLAND"));
}

#[test]
fn seed_facility_english_name_is_stored_not_generated() {
    let (record, _) = seed();
    let name = record.facility.name.as_deref().unwrap();
    let stored = english_facility_name(name, record.facility.name_en.as_deref()).unwrap();
    assert!(!stored.generated);
    assert_eq!(stored.text, record.facility.name_en.clone().unwrap());
    let generated = english_facility_name(name, None).unwrap();
    assert!(generated.generated);
    assert!(generated.text.starts_with("Remand Prison No. 1, "));
}

#[test]
fn seed_postcode_is_valid_for_its_country_and_a_short_one_is_not() {
    let (record, _) = seed();
    let country = record.facility.country.as_deref().unwrap();
    assert!(validate_postcode(country, record.facility.postcode.as_deref().unwrap()).is_ok());
    let err = validate_postcode(country, "19665").unwrap_err();
    assert_eq!(
        err.to_string(),
        "facility.postcode: expected six digits for RU, got \"19665\""
    );
}
