use super::*;

const HEADER_EN: &str = "surname,given_name,patronymic,birth_date,gender,facility_name";

fn one_row(table: &Table) -> &Row {
    assert_eq!(table.errors, vec![], "row errors");
    assert_eq!(table.rows.len(), 1, "rows: {:?}", table.rows);
    &table.rows[0]
}

fn assert_ivanova(row: &Row) {
    assert_eq!(row.surname, "Иванова");
    assert_eq!(row.given_name.as_deref(), Some("Мария"));
    assert_eq!(row.patronymic.as_deref(), Some("Петровна"));
    assert_eq!(
        row.birth_date,
        Some(BirthDate::new(1985, Some(3), Some(14)).unwrap())
    );
    assert_eq!(row.gender, Some(Gender::Female));
}

const RUSSIAN_CSV: &str = "Фамилия;Имя;Отчество;Дата рождения;Пол;Учреждение\r\n\
                           Иванова;Мария;Петровна;14.03.1985;ж;ИК-2\r\n";

#[test]
fn reads_utf8_csv_with_comma_and_english_headers() {
    let csv = format!("{HEADER_EN}\nИванова,Мария,Петровна,1985-03-14,female,ИК-2\n");
    let table = read(csv.as_bytes()).unwrap();
    assert_ivanova(one_row(&table));
    assert_eq!(table.rows[0].row, 2);
    assert_eq!(table.rows[0].facility.name.as_deref(), Some("ИК-2"));
    assert_eq!(
        table.columns,
        vec![
            Column::Surname,
            Column::GivenName,
            Column::Patronymic,
            Column::Gender,
            Column::BirthDate,
            Column::FacilityName
        ]
    );
}

#[test]
fn reads_utf8_csv_with_bom_and_semicolons_and_russian_headers() {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend_from_slice(RUSSIAN_CSV.as_bytes());
    let table = read(&bytes).unwrap();
    assert_ivanova(one_row(&table));
    assert_eq!(table.ignored_columns, Vec::<String>::new());
}

#[test]
fn reads_windows_1251_csv_as_russian_excel_writes_it() {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(RUSSIAN_CSV);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the test needs non-UTF-8 bytes"
    );
    let table = read(&bytes).unwrap();
    assert_ivanova(one_row(&table));
    assert_eq!(table.rows[0].facility.name.as_deref(), Some("ИК-2"));
}

#[test]
fn reads_tab_separated_csv() {
    let tsv = "ФАМИЛИЯ \tимя\tотчество\tдата_рождения\tпол\n\
               Иванова\tМария\tПетровна\t1985-03-14\tЖен.\n";
    assert_ivanova(one_row(&read(tsv.as_bytes()).unwrap()));
}

#[test]
fn keeps_a_newline_inside_a_quoted_field_and_counts_lines() {
    let csv = "surname,bio\n\
               Иванова,\"Журналист.\nПишет стихи, любит \"\"Мастера\"\".\"\n\
               Петров,\n";
    let table = read(csv.as_bytes()).unwrap();
    assert_eq!(table.errors, vec![]);
    assert_eq!(table.rows.len(), 2);
    assert_eq!(
        table.rows[0].bio.as_deref(),
        Some("Журналист.\nПишет стихи, любит \"Мастера\".")
    );
    assert_eq!(table.rows[1].surname, "Петров");
    assert_eq!(
        table.rows[1].row, 4,
        "the row number is the line a user sees"
    );
    assert_eq!(table.rows[1].bio, None);
}

#[test]
fn splits_a_combined_full_name_column() {
    let csv = "ФИО;Год рождения\n\
               Иванова Мария Петровна;1985\n\
               Мамедов Рашид Ахмед оглы;1990\n";
    let table = read(csv.as_bytes()).unwrap();
    assert_eq!(table.errors, vec![]);
    let first = &table.rows[0];
    assert_eq!(first.surname, "Иванова");
    assert_eq!(first.given_name.as_deref(), Some("Мария"));
    assert_eq!(first.patronymic.as_deref(), Some("Петровна"));
    assert_eq!(
        first.birth_date,
        Some(BirthDate::new(1985, None, None).unwrap())
    );
    assert_eq!(table.rows[1].patronymic.as_deref(), Some("Ахмед оглы"));
    assert!(table.columns.contains(&Column::Patronymic));
}

#[test]
fn finds_the_header_below_a_title_as_spreadsheets_export_it() {
    let csv = "Список политзаключённых\n\
               на 01.12.2026;;;\n\
               \n\
               Фамилия;Имя;Отчество;Дата рождения;Пол\n\
               Иванова;Мария;Петровна;14.03.1985;ж\n";
    let table = read(csv.as_bytes()).unwrap();
    assert_ivanova(one_row(&table));
    assert_eq!(table.rows[0].row, 5);
}

#[test]
fn lists_unknown_columns_and_ignores_them() {
    let csv = "Фамилия,Статья УК,Комментарий,\nИванова,280.3,x,\n";
    let table = read(csv.as_bytes()).unwrap();
    assert_eq!(one_row(&table).surname, "Иванова");
    assert_eq!(table.ignored_columns, vec!["Статья УК", "Комментарий"]);
}

#[test]
fn reads_every_export_column_by_its_export_name() {
    let header: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
    let csv = format!(
        "{}\n\
         memorial,42,Иванова,Мария,Петровна,Ivanova Maria,female,1985-03,convicted,custody,\
         political_prisoner,ru;en,поэзия;шахматы,2030-01-31,false,RU,colony,ИК-2,601120,\
         Владимирская область,Петушинский район,Покров,Ленина,1,Журналист\n",
        header.join(",")
    );
    let table = read(csv.as_bytes()).unwrap();
    let row = one_row(&table);
    assert_eq!(table.columns, Column::ALL.to_vec());
    assert_eq!(row.external_source.as_deref(), Some("memorial"));
    assert_eq!(row.external_id.as_deref(), Some("42"));
    assert_eq!(row.latin_name.as_deref(), Some("Ivanova Maria"));
    assert_eq!(
        row.birth_date,
        Some(BirthDate::new(1985, Some(3), None).unwrap())
    );
    assert_eq!(row.status, Some(PrisonerStatus::Convicted));
    assert_eq!(row.measure, Some(Measure::Custody));
    assert_eq!(row.recognition, Some(RecognitionKind::PoliticalPrisoner));
    assert_eq!(row.languages, vec!["ru", "en"]);
    assert_eq!(row.interests, vec!["поэзия", "шахматы"]);
    assert_eq!(
        row.release_expected_on,
        NaiveDate::from_ymd_opt(2030, 1, 31)
    );
    assert_eq!(row.do_not_write, Some(false));
    assert_eq!(
        row.facility,
        FacilityFields {
            country: Some("RU".into()),
            kind: Some(FacilityKind::Colony),
            name: Some("ИК-2".into()),
            postcode: Some("601120".into()),
            region: Some("Владимирская область".into()),
            district: Some("Петушинский район".into()),
            locality: Some("Покров".into()),
            street: Some("Ленина".into()),
            house: Some("1".into()),
        }
    );
    assert_eq!(row.bio.as_deref(), Some("Журналист"));
}

#[test]
fn parses_dates_in_every_accepted_notation_with_their_precision() {
    let day = BirthDate::new(1985, Some(3), Some(4)).unwrap();
    assert_eq!(parse_birth_date("04.03.1985"), Ok(day));
    assert_eq!(parse_birth_date("4.3.1985"), Ok(day));
    assert_eq!(parse_birth_date("1985-03-04"), Ok(day));
    assert_eq!(
        parse_birth_date("1985-03"),
        BirthDate::new(1985, Some(3), None)
    );
    assert_eq!(
        parse_birth_date("03.1985"),
        BirthDate::new(1985, Some(3), None)
    );
    assert_eq!(parse_birth_date(" 1985 "), BirthDate::new(1985, None, None));
    assert_eq!(
        parse_birth_date("1985 г."),
        BirthDate::new(1985, None, None)
    );
    assert_eq!(
        parse_birth_date("14.03.1985г"),
        Ok(BirthDate::new(1985, Some(3), Some(14)).unwrap())
    );
    for bad in [
        "31.02.1985",
        "85",
        "1985-13",
        "вчера",
        "1985-03-04-01",
        "04.03.85",
    ] {
        assert!(parse_birth_date(bad).is_err(), "{bad} should not parse");
    }
    assert_eq!(
        parse_full_date("31.01.2030"),
        Ok(NaiveDate::from_ymd_opt(2030, 1, 31).unwrap())
    );
    assert!(
        parse_full_date("2030").is_err(),
        "a release date needs a day"
    );
}

#[test]
fn parses_gender_and_yes_no_in_both_languages() {
    for male in ["м", "М", "муж", "Муж.", "male", "Male", "m"] {
        assert_eq!(parse_gender(male), Ok(Gender::Male), "{male}");
    }
    for female in ["ж", "жен", "Женский", "female", "F"] {
        assert_eq!(parse_gender(female), Ok(Gender::Female), "{female}");
    }
    assert!(parse_gender("x").is_err());
    for yes in ["true", "TRUE", "да", "Да", "1", "yes"] {
        assert_eq!(parse_bool(yes), Ok(true), "{yes}");
    }
    for no in ["false", "нет", "0", "No"] {
        assert_eq!(parse_bool(no), Ok(false), "{no}");
    }
    assert!(parse_bool("может быть").is_err());
}

#[test]
fn a_bad_value_skips_only_its_row_with_the_row_number_and_reason() {
    let csv = "surname,birth_date,status,gender,do_not_write\n\
               Иванова,1985,convicted,ж,нет\n\
               Петров,31.02.1985,convicted,м,нет\n\
               Сидоров,1970,в отпуске,м,нет\n\
               ,1970,convicted,м,нет\n\
               Кузнецов,1970,Освобождён,м,да\n";
    let table = read(csv.as_bytes()).unwrap();
    let surnames: Vec<&str> = table.rows.iter().map(|r| r.surname.as_str()).collect();
    assert_eq!(surnames, vec!["Иванова", "Кузнецов"]);
    assert_eq!(table.rows[1].status, Some(PrisonerStatus::Released));
    assert_eq!(table.rows[1].do_not_write, Some(true));
    let rows: Vec<u64> = table.errors.iter().map(|e| e.row).collect();
    assert_eq!(rows, vec![3, 4, 5]);
    assert_eq!(
        table.errors[0].problem,
        RowProblem::BadDate {
            column: Column::BirthDate,
            value: "31.02.1985".into()
        }
    );
    assert_eq!(
        table.errors[1].problem,
        RowProblem::UnknownValue {
            column: Column::Status,
            value: "в отпуске".into()
        }
    );
    assert_eq!(table.errors[2].problem, RowProblem::MissingSurname);
    assert_eq!(
        table.errors[0].to_string(),
        "row 3: birth_date: \"31.02.1985\" is not a date (14.03.1985, 1985-03-14, 1985-03 or 1985)"
    );
}

#[test]
fn rejects_an_empty_file() {
    assert_eq!(read(b""), Err(ReadError::Empty));
    assert_eq!(read(b" \r\n\n"), Err(ReadError::Empty));
    assert_eq!(read("\u{feff}".as_bytes()), Err(ReadError::Empty));
}

#[test]
fn rejects_binary_junk() {
    let junk: Vec<u8> = (0..=255u8).cycle().take(2048).collect();
    assert_eq!(read(&junk), Err(ReadError::NotATable));
    // A PNG: not UTF-8, and control characters in any 8-bit reading.
    assert_eq!(
        read(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        Err(ReadError::NotATable)
    );
}

#[test]
fn rejects_a_file_without_a_recognisable_header() {
    let csv = "Иванова;Мария;1985\nПетров;Иван;1970\n";
    assert_eq!(read(csv.as_bytes()), Err(ReadError::NoHeader));
    let csv = "Имя;Год рождения\nМария;1985\n";
    assert_eq!(read(csv.as_bytes()), Err(ReadError::NoSurnameColumn));
}

#[test]
fn rejects_a_zip_that_is_no_spreadsheet() {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("notes.txt", stored()).unwrap();
    std::io::Write::write_all(&mut zip, b"hello").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    assert!(matches!(read(&bytes), Err(ReadError::Spreadsheet(_))));
    assert!(matches!(
        read(b"PK\x03\x04 truncated"),
        Err(ReadError::Spreadsheet(_))
    ));
}

#[test]
fn a_release_date_without_a_day_is_a_row_error() {
    let table = read("surname,release_expected_on\nИванова,2030\n".as_bytes()).unwrap();
    assert_eq!(
        table.errors,
        vec![RowError {
            row: 2,
            problem: RowProblem::NotAFullDate {
                column: Column::ReleaseExpectedOn,
                value: "2030".into()
            }
        }]
    );
}

#[test]
fn every_message_exists_in_both_languages_with_its_placeholders() {
    use crate::i18n::{Lang, Translations};
    let translations = Translations::load().unwrap();
    let file_errors = [
        ReadError::Empty,
        ReadError::NotATable,
        ReadError::Spreadsheet("x".into()),
        ReadError::NoSheet,
        ReadError::Csv {
            line: 3,
            reason: "x".into(),
        },
        ReadError::NoHeader,
        ReadError::NoSurnameColumn,
    ];
    let value = || "x".to_owned();
    let row_problems = [
        RowProblem::MissingSurname,
        RowProblem::BadDate {
            column: Column::BirthDate,
            value: value(),
        },
        RowProblem::NotAFullDate {
            column: Column::ReleaseExpectedOn,
            value: value(),
        },
        RowProblem::UnknownValue {
            column: Column::Gender,
            value: value(),
        },
    ];
    let messages = file_errors
        .iter()
        .map(|e| (e.key(), e.args()))
        .chain(row_problems.iter().map(|p| (p.key(), p.args())));
    for (key, args) in messages {
        for lang in Lang::ALL {
            assert!(translations.has(lang, key), "{key} missing in {lang:?}");
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let text = translations.format(lang, key, &args);
            assert!(
                !text.contains('{') && !text.contains('\n'),
                "{lang:?} {key}: {text}"
            );
        }
    }
}

#[test]
fn error_messages_are_one_line() {
    let errors = [
        ReadError::Empty,
        ReadError::NotATable,
        ReadError::Spreadsheet("x".into()),
        ReadError::NoSheet,
        ReadError::Csv {
            line: 3,
            reason: "x".into(),
        },
        ReadError::NoHeader,
        ReadError::NoSurnameColumn,
    ];
    for error in errors {
        assert!(!error.to_string().contains('\n'), "{error}");
    }
}

#[test]
fn reads_the_first_sheet_of_an_xlsx_with_typed_cells() {
    use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in [
        "Фамилия",
        "Имя",
        "Отчество",
        "Дата рождения",
        "Пол",
        "ID",
        "Bio",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    sheet.write_string(1, 0, "Иванова").unwrap();
    sheet.write_string(1, 1, "Мария").unwrap();
    sheet.write_string(1, 2, "Петровна").unwrap();
    let date = ExcelDateTime::from_ymd(1985, 3, 14).unwrap();
    let date_format = CellFormat::new().set_num_format("dd.mm.yyyy");
    sheet
        .write_datetime_with_format(1, 3, &date, &date_format)
        .unwrap();
    sheet.write_string(1, 4, "Ж").unwrap();
    sheet.write_number(1, 5, 1042.0).unwrap();
    sheet.write_string(1, 6, "строка 1\nстрока 2").unwrap();
    // A year typed as a number, and a blank row in between.
    sheet.write_string(3, 0, "Петров").unwrap();
    sheet.write_number(3, 3, 1970.0).unwrap();
    workbook
        .add_worksheet()
        .write_string(0, 0, "second sheet")
        .unwrap();
    let bytes = workbook.save_to_buffer().unwrap();

    assert_eq!(detect_format(&bytes), Format::Spreadsheet);
    let table = read(&bytes).unwrap();
    assert_eq!(table.errors, vec![]);
    assert_eq!(table.rows.len(), 2);
    assert_ivanova(&table.rows[0]);
    assert_eq!(table.rows[0].row, 2);
    assert_eq!(table.rows[0].external_id.as_deref(), Some("1042"));
    assert_eq!(table.rows[0].bio.as_deref(), Some("строка 1\nстрока 2"));
    assert_eq!(table.rows[1].row, 4);
    assert_eq!(
        table.rows[1].birth_date,
        BirthDate::new(1970, None, None).ok()
    );
}

fn stored() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)
}

/// The smallest ODS that LibreOffice's format allows, with one sheet.
fn ods(rows: &[&[(&str, &str)]]) -> Vec<u8> {
    let mut table = String::new();
    for row in rows {
        table.push_str("<table:table-row>");
        for (kind, value) in row.iter() {
            match *kind {
                "date" => table.push_str(&format!(
                    r#"<table:table-cell office:value-type="date" office:date-value="{value}"><text:p>{value}</text:p></table:table-cell>"#
                )),
                _ => table.push_str(&format!(
                    r#"<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>"#
                )),
            }
        }
        table.push_str("</table:table-row>");
    }
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Sheet1">{table}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, body) in [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", content.as_str()),
    ] {
        zip.start_file(name, stored()).unwrap();
        std::io::Write::write_all(&mut zip, body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn reads_the_first_sheet_of_an_ods() {
    let bytes = ods(&[
        &[
            ("s", "Фамилия"),
            ("s", "Имя"),
            ("s", "Отчество"),
            ("s", "Дата рождения"),
            ("s", "Пол"),
        ],
        &[
            ("s", "Иванова"),
            ("s", "Мария"),
            ("s", "Петровна"),
            ("date", "1985-03-14"),
            ("s", "жен"),
        ],
    ]);
    assert_eq!(detect_format(&bytes), Format::Spreadsheet);
    assert_ivanova(one_row(&read(&bytes).unwrap()));
}

#[test]
fn column_names_are_the_exports_and_no_synonym_names_two_columns() {
    // One list of columns: the reader names them as the export writes them.
    let names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(names, crate::exchange::COLUMNS);
    let mut seen = std::collections::HashSet::new();
    for (_, synonyms) in HEADERS {
        for synonym in *synonyms {
            assert!(seen.insert(normalise_header(synonym)), "{synonym} twice");
        }
    }
}
