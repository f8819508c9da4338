//! Reading an import file: bytes as people really have them (CSV in any of the
//! usual dialects and encodings, XLSX, ODS) turned into rows of typed fields
//! named like the export's columns. Pure: no database, no HTTP. The importer
//! decides what a row changes; this module only decides what a row says.
//!
//! A column that the file does not have is absent from [`Table::columns`]; an
//! empty cell in a column that the file has is `None` (or an empty list). The
//! importer needs the difference: a missing column leaves a field alone, an
//! empty cell clears it.

use std::io::Cursor;

use calamine::{Data, DataType, Reader};
use chrono::NaiveDate;

use crate::db::facilities::FacilityKind;
use crate::db::prisoners::{BirthDate, Gender, Measure, PrisonerStatus, RecognitionKind};

/// The export's columns, in the export's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    ExternalSource,
    ExternalId,
    Surname,
    GivenName,
    Patronymic,
    LatinName,
    Gender,
    BirthDate,
    Status,
    Measure,
    Recognition,
    Languages,
    Interests,
    ReleaseExpectedOn,
    DoNotWrite,
    FacilityCountry,
    FacilityKind,
    FacilityName,
    FacilityPostcode,
    FacilityRegion,
    FacilityDistrict,
    FacilityLocality,
    FacilityStreet,
    FacilityHouse,
    Bio,
}

impl Column {
    pub const ALL: [Column; 25] = [
        Column::ExternalSource,
        Column::ExternalId,
        Column::Surname,
        Column::GivenName,
        Column::Patronymic,
        Column::LatinName,
        Column::Gender,
        Column::BirthDate,
        Column::Status,
        Column::Measure,
        Column::Recognition,
        Column::Languages,
        Column::Interests,
        Column::ReleaseExpectedOn,
        Column::DoNotWrite,
        Column::FacilityCountry,
        Column::FacilityKind,
        Column::FacilityName,
        Column::FacilityPostcode,
        Column::FacilityRegion,
        Column::FacilityDistrict,
        Column::FacilityLocality,
        Column::FacilityStreet,
        Column::FacilityHouse,
        Column::Bio,
    ];

    /// The header the export writes.
    pub fn name(self) -> &'static str {
        HEADERS
            .iter()
            .find(|(target, _)| *target == Target::Column(self))
            .and_then(|(_, names)| names.first().copied())
            .unwrap_or("")
    }
}

/// What a header may name: one of the export's columns, or the combined name
/// that is split into surname, given name and patronymic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Column(Column),
    FullName,
}

/// Every header the reader recognises, the export's name first. Compared
/// after [`normalise_header`], so case, `ё`, underscores, hyphens and extra
/// spaces do not matter ("Дата рождения", "birth_date", "Birth-Date").
const HEADERS: &[(Target, &[&str])] = &[
    (
        Target::Column(Column::ExternalSource),
        &["external_source", "source", "источник"],
    ),
    (
        Target::Column(Column::ExternalId),
        &["external_id", "id", "идентификатор", "внешний id"],
    ),
    (
        Target::Column(Column::Surname),
        &["surname", "last name", "family name", "фамилия"],
    ),
    (
        Target::Column(Column::GivenName),
        &["given_name", "first name", "forename", "имя"],
    ),
    (
        Target::Column(Column::Patronymic),
        &["patronymic", "middle name", "отчество"],
    ),
    (
        Target::Column(Column::LatinName),
        &[
            "latin_name",
            "name in latin",
            "имя латиницей",
            "латиницей",
            "латинское написание",
        ],
    ),
    (Target::Column(Column::Gender), &["gender", "sex", "пол"]),
    (
        Target::Column(Column::BirthDate),
        &[
            "birth_date",
            "date of birth",
            "birthdate",
            "birthday",
            "born",
            "dob",
            "дата рождения",
            "год рождения",
            "рождение",
        ],
    ),
    (Target::Column(Column::Status), &["status", "статус"]),
    (
        Target::Column(Column::Measure),
        &[
            "measure",
            "мера",
            "мера пресечения",
            "мера наказания",
            "наказание",
        ],
    ),
    (
        Target::Column(Column::Recognition),
        &["recognition", "признание", "признан"],
    ),
    (
        Target::Column(Column::Languages),
        &["languages", "language", "языки", "язык"],
    ),
    (
        Target::Column(Column::Interests),
        &["interests", "интересы"],
    ),
    (
        Target::Column(Column::ReleaseExpectedOn),
        &[
            "release_expected_on",
            "expected release",
            "release date",
            "дата освобождения",
            "ожидаемое освобождение",
            "конец срока",
        ],
    ),
    (
        Target::Column(Column::DoNotWrite),
        &["do_not_write", "не писать"],
    ),
    (
        Target::Column(Column::FacilityCountry),
        &["facility_country", "country", "страна"],
    ),
    (
        Target::Column(Column::FacilityKind),
        &[
            "facility_kind",
            "facility type",
            "тип учреждения",
            "вид учреждения",
        ],
    ),
    (
        Target::Column(Column::FacilityName),
        &[
            "facility_name",
            "facility",
            "prison",
            "учреждение",
            "название учреждения",
            "место заключения",
            "колония",
        ],
    ),
    (
        Target::Column(Column::FacilityPostcode),
        &[
            "facility_postcode",
            "postcode",
            "postal code",
            "zip",
            "индекс",
            "почтовый индекс",
        ],
    ),
    (
        Target::Column(Column::FacilityRegion),
        &["facility_region", "region", "регион", "область", "субъект"],
    ),
    (
        Target::Column(Column::FacilityDistrict),
        &["facility_district", "district", "район"],
    ),
    (
        Target::Column(Column::FacilityLocality),
        &[
            "facility_locality",
            "locality",
            "city",
            "town",
            "населенный пункт",
            "город",
        ],
    ),
    (
        Target::Column(Column::FacilityStreet),
        &["facility_street", "street", "улица"],
    ),
    (
        Target::Column(Column::FacilityHouse),
        &["facility_house", "house", "дом"],
    ),
    (
        Target::Column(Column::Bio),
        &["bio", "biography", "about", "биография", "описание"],
    ),
    (
        Target::FullName,
        &["full_name", "name", "фио", "полное имя"],
    ),
];

/// Lower case, `ё` as `е`, any run of spaces, underscores, hyphens or dots as
/// one space, trimmed.
fn normalise_header(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    for c in header.chars().flat_map(char::to_lowercase) {
        let c = if c == 'ё' { 'е' } else { c };
        if c.is_whitespace() || matches!(c, '_' | '-' | '.') {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out.trim_end().to_owned()
}

fn target_of(header: &str) -> Option<Target> {
    let header = normalise_header(header);
    HEADERS
        .iter()
        .find(|(_, names)| names.iter().any(|n| normalise_header(n) == header))
        .map(|(target, _)| *target)
}

/// What kind of file the bytes are, told by their content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    /// XLSX, ODS (both zip archives) or the older XLS.
    Spreadsheet,
}

const ZIP_SIGNATURE: &[u8] = b"PK\x03\x04";
/// Compound File Binary: the older `.xls`.
const CFB_SIGNATURE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

pub fn detect_format(bytes: &[u8]) -> Format {
    if bytes.starts_with(ZIP_SIGNATURE) || bytes.starts_with(CFB_SIGNATURE) {
        Format::Spreadsheet
    } else {
        Format::Csv
    }
}

/// Why a whole file cannot be read. The message is one line for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is neither a CSV table nor a spreadsheet (XLSX, ODS)")]
    NotATable,
    #[error("the spreadsheet cannot be read: {0}")]
    Spreadsheet(String),
    #[error("the spreadsheet has no sheet")]
    NoSheet,
    #[error("the CSV cannot be read at line {line}: {reason}")]
    Csv { line: u64, reason: String },
    #[error(
        "no recognisable header: the first row should name the columns (surname, given_name, … or Фамилия, Имя, …)"
    )]
    NoHeader,
    #[error("the header has no surname column (surname, Фамилия, full_name or ФИО)")]
    NoSurnameColumn,
}

impl ReadError {
    /// The UI string (`locales/*/import.toml`) that says this in the user's
    /// language, with [`ReadError::args`] for its placeholders.
    pub fn key(&self) -> &'static str {
        match self {
            ReadError::Empty => "import.file_empty",
            ReadError::NotATable => "import.file_not_a_table",
            ReadError::Spreadsheet(_) => "import.file_bad_spreadsheet",
            ReadError::NoSheet => "import.file_no_sheet",
            ReadError::Csv { .. } => "import.file_bad_csv",
            ReadError::NoHeader => "import.file_no_header",
            ReadError::NoSurnameColumn => "import.file_no_surname_column",
        }
    }

    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            ReadError::Spreadsheet(detail) => vec![("detail", detail.clone())],
            ReadError::Csv { line, reason } => {
                vec![("line", line.to_string()), ("detail", reason.clone())]
            }
            _ => Vec::new(),
        }
    }
}

/// Why one row is skipped; the other rows still come through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row's number as the user sees it: the line in a CSV file (the
    /// header is line 1), the row in a spreadsheet.
    pub row: u64,
    pub problem: RowProblem,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}: {}", self.row, self.problem)
    }
}

/// What is wrong with a row. `Display` is the English message (for `--json`
/// and logs); [`RowProblem::key`] and [`RowProblem::args`] say it in the
/// user's language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowProblem {
    #[error("the surname is missing")]
    MissingSurname,
    #[error("{}: {value:?} is not a date (14.03.1985, 1985-03-14, 1985-03 or 1985)", column.name())]
    BadDate { column: Column, value: String },
    #[error("{}: {value:?} is not a full date (14.03.2030 or 2030-03-14)", column.name())]
    NotAFullDate { column: Column, value: String },
    #[error("{}: unknown value {value:?}", column.name())]
    UnknownValue { column: Column, value: String },
}

impl RowProblem {
    pub fn key(&self) -> &'static str {
        match self {
            RowProblem::MissingSurname => "import.row_missing_surname",
            RowProblem::BadDate { .. } => "import.row_bad_date",
            RowProblem::NotAFullDate { .. } => "import.row_not_a_full_date",
            RowProblem::UnknownValue { .. } => "import.row_unknown_value",
        }
    }

    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            RowProblem::MissingSurname => Vec::new(),
            RowProblem::BadDate { column, value }
            | RowProblem::NotAFullDate { column, value }
            | RowProblem::UnknownValue { column, value } => vec![
                ("column", column.name().to_owned()),
                ("value", value.clone()),
            ],
        }
    }
}

/// The address columns of a row: the facility the person is held at now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FacilityFields {
    /// ISO 3166-1 alpha-2, upper case.
    pub country: Option<String>,
    pub kind: Option<FacilityKind>,
    pub name: Option<String>,
    pub postcode: Option<String>,
    pub region: Option<String>,
    pub district: Option<String>,
    pub locality: Option<String>,
    pub street: Option<String>,
    pub house: Option<String>,
}

/// One person as the file describes them. Text fields are trimmed; an empty
/// cell is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// See [`RowError::row`].
    pub row: u64,
    pub external_source: Option<String>,
    pub external_id: Option<String>,
    pub surname: String,
    pub given_name: Option<String>,
    pub patronymic: Option<String>,
    pub latin_name: Option<String>,
    pub gender: Option<Gender>,
    pub birth_date: Option<BirthDate>,
    pub status: Option<PrisonerStatus>,
    pub measure: Option<Measure>,
    pub recognition: Option<RecognitionKind>,
    pub languages: Vec<String>,
    pub interests: Vec<String>,
    pub release_expected_on: Option<NaiveDate>,
    pub do_not_write: Option<bool>,
    pub facility: FacilityFields,
    pub bio: Option<String>,
}

/// A file read: its rows, the rows that could not be read, and what the
/// header named.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// The export's columns the file has (a split full name counts as
    /// surname, given name and patronymic), in the export's order.
    pub columns: Vec<Column>,
    /// Headers that name no column (or a column already named), as written.
    pub ignored_columns: Vec<String>,
    pub rows: Vec<Row>,
    pub errors: Vec<RowError>,
}

/// Reads an import file of any supported format.
pub fn read(bytes: &[u8]) -> Result<Table, ReadError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ReadError::Empty);
    }
    let records = match detect_format(bytes) {
        Format::Csv => csv_records(&decode(bytes)?)?,
        Format::Spreadsheet => spreadsheet_records(bytes)?,
    };
    table_from_records(records)
}

/// A row of cells as text, with its number for the user.
type Record = (u64, Vec<String>);

/// UTF-8 (a BOM dropped) when the bytes are valid UTF-8, else Windows-1251:
/// what Excel in a Russian locale writes as "CSV". Text with control
/// characters other than tab and line ends is binary, not a table.
fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.strip_prefix('\u{feff}').unwrap_or(text).to_owned(),
        Err(_) => {
            let (text, _, had_errors) = encoding_rs::WINDOWS_1251.decode(bytes);
            if had_errors {
                return Err(ReadError::NotATable);
            }
            text.into_owned()
        }
    };
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
    {
        return Err(ReadError::NotATable);
    }
    Ok(text)
}

/// The delimiter that the header line uses most: comma, semicolon or tab.
/// The header is the first line with any of them, so that a title line
/// above the table does not decide.
fn detect_delimiter(text: &str) -> u8 {
    const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];
    let header = text
        .lines()
        .find(|l| l.bytes().any(|b| DELIMITERS.contains(&b)))
        .unwrap_or("");
    DELIMITERS
        .into_iter()
        .max_by_key(|d| (header.bytes().filter(|b| b == d).count(), *d == b','))
        .unwrap_or(b',')
}

fn csv_records(text: &str) -> Result<Vec<Record>, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(detect_delimiter(text))
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ReadError::Csv {
            line: e.position().map_or(0, |p| p.line()),
            reason: e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        records.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(records)
}

fn spreadsheet_records(bytes: &[u8]) -> Result<Vec<Record>, ReadError> {
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| ReadError::Spreadsheet(e.to_string()))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or(ReadError::NoSheet)?
        .map_err(|e| ReadError::Spreadsheet(e.to_string()))?;
    let first_row = range.start().map_or(0, |(row, _)| u64::from(row));
    let first_column = range.start().map_or(0, |(_, column)| column as usize);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            // Cells left of the used range are empty; keep them so that
            // the header and the rows line up with the sheet's columns.
            let mut row = vec![String::new(); first_column];
            row.extend(cells.iter().map(cell_text));
            (first_row + i as u64 + 1, row)
        })
        .collect())
}

/// A cell as the text a CSV would have: dates as `yyyy-mm-dd`, whole numbers
/// without a fraction (a year or an id typed as a number).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(_) | Data::DateTimeIso(_) => cell
            .as_date()
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        Data::DurationIso(s) => s.clone(),
    }
}

fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// How far down a header may be: spreadsheets often open with a title, a
/// date or a note above the table.
const HEADER_SEARCH_ROWS: usize = 10;

/// What each header cell names; a second header naming the same thing names
/// nothing.
fn header_targets(header: &[String]) -> Vec<Option<Target>> {
    let mut targets: Vec<Option<Target>> = Vec::with_capacity(header.len());
    for name in header {
        targets.push(target_of(name).filter(|t| !targets.contains(&Some(*t))));
    }
    targets
}

fn names_a_surname(targets: &[Option<Target>]) -> bool {
    targets.iter().any(|t| {
        matches!(
            t,
            Some(Target::Column(Column::Surname)) | Some(Target::FullName)
        )
    })
}

fn table_from_records(records: Vec<Record>) -> Result<Table, ReadError> {
    let mut records = records
        .into_iter()
        .filter(|(_, cells)| !is_blank(cells))
        .peekable();
    let first = records.peek().ok_or(ReadError::Empty)?;
    let first_targets = header_targets(&first.1);
    let mut header = None;
    for _ in 0..HEADER_SEARCH_ROWS {
        let Some((_, cells)) = records.next() else {
            break;
        };
        let targets = header_targets(&cells);
        if names_a_surname(&targets) {
            header = Some((cells, targets));
            break;
        }
    }
    let Some((header, targets)) = header else {
        return Err(if first_targets.iter().all(Option::is_none) {
            ReadError::NoHeader
        } else {
            ReadError::NoSurnameColumn
        });
    };

    let mut table = Table::default();
    for (name, target) in header.iter().zip(&targets) {
        if target.is_none() && !name.trim().is_empty() {
            table.ignored_columns.push(name.trim().to_owned());
        }
    }
    let has = |t: Target| targets.contains(&Some(t));
    table.columns = Column::ALL
        .into_iter()
        .filter(|c| {
            has(Target::Column(*c))
                || (has(Target::FullName)
                    && matches!(c, Column::Surname | Column::GivenName | Column::Patronymic))
        })
        .collect();

    for (number, cells) in records {
        match parse_row(number, &targets, &cells) {
            Ok(row) => table.rows.push(row),
            Err(problem) => table.errors.push(RowError {
                row: number,
                problem,
            }),
        }
    }
    Ok(table)
}

fn parse_row(number: u64, targets: &[Option<Target>], cells: &[String]) -> Result<Row, RowProblem> {
    let mut row = Row {
        row: number,
        ..Row::default()
    };
    let mut full_name = None;
    let mut surname = None;
    for (target, cell) in targets.iter().zip(cells) {
        let Some(target) = target else { continue };
        let value = cell.trim();
        let text = (!value.is_empty()).then(|| value.to_owned());
        let column = match target {
            Target::FullName => {
                full_name = text;
                continue;
            }
            Target::Column(column) => *column,
        };
        let unknown = |_| RowProblem::UnknownValue {
            column,
            value: value.to_owned(),
        };
        let bad_date = |_| RowProblem::BadDate {
            column,
            value: value.to_owned(),
        };
        match column {
            Column::ExternalSource => row.external_source = text,
            Column::ExternalId => row.external_id = text,
            Column::Surname => surname = text,
            Column::GivenName => row.given_name = text,
            Column::Patronymic => row.patronymic = text,
            Column::LatinName => row.latin_name = text,
            Column::Gender => row.gender = opt(value, parse_gender).map_err(unknown)?,
            Column::BirthDate => row.birth_date = opt(value, parse_birth_date).map_err(bad_date)?,
            Column::Status => row.status = opt(value, parse_status).map_err(unknown)?,
            Column::Measure => row.measure = opt(value, parse_code).map_err(unknown)?,
            Column::Recognition => row.recognition = opt(value, parse_code).map_err(unknown)?,
            Column::Languages => row.languages = parse_list(value),
            Column::Interests => row.interests = parse_list(value),
            Column::ReleaseExpectedOn => {
                row.release_expected_on = match opt(value, parse_birth_date).map_err(bad_date)? {
                    None => None,
                    Some(date) => {
                        Some(full_date(date).ok_or_else(|| RowProblem::NotAFullDate {
                            column,
                            value: value.to_owned(),
                        })?)
                    }
                }
            }
            Column::DoNotWrite => row.do_not_write = opt(value, parse_bool).map_err(unknown)?,
            Column::FacilityCountry => {
                row.facility.country = opt(value, parse_country).map_err(unknown)?
            }
            Column::FacilityKind => row.facility.kind = opt(value, parse_code).map_err(unknown)?,
            Column::FacilityName => row.facility.name = text,
            Column::FacilityPostcode => row.facility.postcode = text,
            Column::FacilityRegion => row.facility.region = text,
            Column::FacilityDistrict => row.facility.district = text,
            Column::FacilityLocality => row.facility.locality = text,
            Column::FacilityStreet => row.facility.street = text,
            Column::FacilityHouse => row.facility.house = text,
            Column::Bio => row.bio = text,
        }
    }
    // Separate columns win over the combined one: they say more exactly
    // where a compound surname or patronymic ends.
    if let Some(full_name) = full_name {
        let (s, g, p) = split_full_name(&full_name);
        surname = surname.or(s);
        row.given_name = row.given_name.or(g);
        row.patronymic = row.patronymic.or(p);
    }
    row.surname = surname.ok_or(RowProblem::MissingSurname)?;
    Ok(row)
}

/// An empty cell is `None`; anything else must parse.
fn opt<T>(value: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>, String> {
    if value.is_empty() {
        Ok(None)
    } else {
        parse(value).map(Some)
    }
}

/// "Фамилия Имя Отчество": the first word is the surname, the second the
/// given name, the rest the patronymic (so "Ахмед оглы" stays whole).
pub fn split_full_name(full_name: &str) -> (Option<String>, Option<String>, Option<String>) {
    let mut words = full_name.split_whitespace();
    let surname = words.next().map(str::to_owned);
    let given_name = words.next().map(str::to_owned);
    let rest: Vec<&str> = words.collect();
    let patronymic = (!rest.is_empty()).then(|| rest.join(" "));
    (surname, given_name, patronymic)
}

/// Lower case, `ё` as `е`, a trailing dot dropped ("Жен." → "жен").
fn normalise_value(value: &str) -> String {
    value
        .trim()
        .trim_end_matches('.')
        .to_lowercase()
        .replace('ё', "е")
}

pub fn parse_gender(value: &str) -> Result<Gender, String> {
    match normalise_value(value).as_str() {
        "m" | "male" | "man" | "м" | "муж" | "мужской" | "мужчина" => {
            Ok(Gender::Male)
        }
        "f" | "female" | "woman" | "ж" | "жен" | "женский" | "женщина" => {
            Ok(Gender::Female)
        }
        _ => Err(format!(
            "unknown gender {value:?} (expected male/female or м/ж)"
        )),
    }
}

pub fn parse_bool(value: &str) -> Result<bool, String> {
    match normalise_value(value).as_str() {
        "true" | "yes" | "y" | "1" | "да" | "д" => Ok(true),
        "false" | "no" | "n" | "0" | "нет" | "н" => Ok(false),
        _ => Err(format!("expected true/false or да/нет, got {value:?}")),
    }
}

/// The stored codes, and the words a Russian list uses for them.
pub fn parse_status(value: &str) -> Result<PrisonerStatus, String> {
    let normal = normalise_value(value);
    let status = match normal.as_str() {
        "до суда" | "под стражей до суда" | "в сизо" => {
            PrisonerStatus::PreTrial
        }
        "осужден" | "осуждена" => PrisonerStatus::Convicted,
        "этап" | "на этапе" => PrisonerStatus::InTransit,
        "освобожден" | "освобождена" | "на свободе" => {
            PrisonerStatus::Released
        }
        "умер" | "умерла" | "погиб" | "погибла" => PrisonerStatus::Deceased,
        "неизвестно" => PrisonerStatus::Unknown,
        _ => return parse_code(value),
    };
    Ok(status)
}

/// A stored code as the export writes it ("pre_trial"), any case.
fn parse_code<T: std::str::FromStr>(value: &str) -> Result<T, String> {
    value
        .trim()
        .to_lowercase()
        .replace([' ', '-'], "_")
        .parse()
        .map_err(|_| format!("unknown value {value:?}"))
}

/// The export separates list items with `;`; people also use commas.
fn parse_list(value: &str) -> Vec<String> {
    value
        .split([';', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_country(value: &str) -> Result<String, String> {
    match normalise_value(value).as_str() {
        "россия" | "рф" | "russia" => return Ok("RU".to_owned()),
        "беларусь" | "белоруссия" | "belarus" => return Ok("BY".to_owned()),
        "украина" | "ukraine" => return Ok("UA".to_owned()),
        _ => {}
    }
    let code = value.trim().to_uppercase();
    if code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(format!(
            "expected a two-letter country code (RU), got {value:?}"
        ))
    }
}

/// `dd.mm.yyyy`, `yyyy-mm-dd`, `mm.yyyy`, `yyyy-mm` or `yyyy`, as precise as
/// the text is.
pub fn parse_birth_date(value: &str) -> Result<BirthDate, String> {
    // "1985 г." is how a Russian list often writes a year.
    let value = value.trim();
    let value = value
        .strip_suffix("г.")
        .or_else(|| value.strip_suffix('г'))
        .map_or(value, str::trim_end);
    let number = |s: &str| -> Result<u32, String> {
        if !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().map_err(|_| bad_date(value))
        } else {
            Err(bad_date(value))
        }
    };
    let year = |s: &str| -> Result<i32, String> {
        if s.len() != 4 {
            return Err(bad_date(value));
        }
        number(s).map(|y| y as i32)
    };
    let parts: Vec<&str> = value.split(['.', '-', '/']).collect();
    let date = if value.contains('.') || value.contains('/') {
        match parts[..] {
            [d, m, y] => BirthDate::new(year(y)?, Some(number(m)?), Some(number(d)?)),
            [m, y] => BirthDate::new(year(y)?, Some(number(m)?), None),
            _ => Err(bad_date(value)),
        }
    } else {
        match parts[..] {
            [y] => BirthDate::new(year(y)?, None, None),
            [y, m] => BirthDate::new(year(y)?, Some(number(m)?), None),
            [y, m, d] => BirthDate::new(year(y)?, Some(number(m)?), Some(number(d)?)),
            _ => Err(bad_date(value)),
        }
    };
    // The user looks for the value as they typed it, not as we read it.
    date.map_err(|e| {
        if e.contains(value) {
            e
        } else {
            format!("{e} ({value:?})")
        }
    })
}

fn bad_date(value: &str) -> String {
    format!("expected a date such as 14.03.1979, 1979-03-14, 1979-03 or 1979, got {value:?}")
}

/// A date to the day, in either notation.
pub fn parse_full_date(value: &str) -> Result<NaiveDate, String> {
    full_date(parse_birth_date(value)?)
        .ok_or_else(|| format!("expected a full date such as 14.03.2030, got {value:?}"))
}

fn full_date(date: BirthDate) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(date.year, date.month?, date.day?)
}

#[cfg(test)]
mod tests;
