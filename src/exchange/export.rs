//! Writing the prisoner list out: every person, one row each, with their
//! current placement's facility, as CSV for any spreadsheet.

use std::collections::HashMap;
use std::io::Write;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::{format_recognition, join_list, Row, COLUMNS};
use crate::db::facilities::{Facility, FacilityKind};
use crate::db::prisoners::{BirthDate, Prisoner, RecognitionKind, TagKind};
use crate::db::schema::{facilities, placements, prisoner_recognitions, prisoner_tags, prisoners};
use crate::db::DbConn;

/// People read per query: memory stays flat however long the list is, and
/// the queries stay few (three per page, not one per person).
const PAGE: i64 = 500;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot read the prisoners: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("cannot write the export: {0}")]
    Write(String),
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> Self {
        ExportError::Write(e.to_string())
    }
}

impl From<rust_xlsxwriter::XlsxError> for ExportError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        ExportError::Write(e.to_string())
    }
}

impl From<std::io::Error> for ExportError {
    fn from(e: std::io::Error) -> Self {
        ExportError::Write(e.to_string())
    }
}

/// The file name a download is offered under.
pub const CSV_FILE_NAME: &str = "konvert-prisoners.csv";
pub const XLSX_FILE_NAME: &str = "konvert-prisoners.xlsx";

/// Writes every person as CSV to `out`: UTF-8 with a byte-order mark (Excel
/// reads a file without one in the machine's legacy code page and garbles
/// Cyrillic), commas, a header row of `COLUMNS`, fields quoted where needed.
/// Values are written as stored, with no spreadsheet-formula defusing, so
/// that importing the file gives back exactly what was exported.
pub fn write_csv<W: Write>(conn: &mut DbConn, mut out: W) -> Result<W, ExportError> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    csv.write_record(COLUMNS)?;
    for_each_row(conn, |row| Ok(csv.write_record(row)?))?;
    csv.into_inner()
        .map_err(|e| ExportError::Write(e.error().to_string()))
}

/// The CSV export in memory, for a download.
pub fn csv_bytes(conn: &mut DbConn) -> Result<Vec<u8>, ExportError> {
    write_csv(conn, Vec::new())
}

/// The same rows as an Excel workbook: one sheet, the header row frozen,
/// every cell text (a birth year stays `1990`, not a number to format).
pub fn xlsx_bytes(conn: &mut DbConn) -> Result<Vec<u8>, ExportError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("prisoners")?;
    sheet.write_row(0, 0, COLUMNS)?;
    sheet.set_freeze_panes(1, 0)?;
    let mut at: u32 = 0;
    for_each_row(conn, |row| {
        at += 1;
        for (col, value) in (0_u16..).zip(row) {
            // An empty cell is left out rather than written as an empty string.
            if !value.is_empty() {
                sheet.write_string(at, col, value)?;
            }
        }
        Ok(())
    })?;
    Ok(workbook.save_to_buffer()?)
}

/// Calls `each` with every person's row, in id order (the order people were
/// added, the same on both backends).
pub fn for_each_row(
    conn: &mut DbConn,
    mut each: impl FnMut(&Row) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let mut after = 0_i64;
    loop {
        // One read transaction per page: a person's row, tags and
        // recognitions come from the same moment.
        let (last, rows) = conn.transaction(|conn| load_page(conn, after))?;
        let Some(last) = last else {
            return Ok(());
        };
        for row in &rows {
            each(row)?;
        }
        after = last;
    }
}

/// The rows of the next people after id `after`, and the last one's id
/// (`None` when there is nobody left).
fn load_page(conn: &mut DbConn, after: i64) -> QueryResult<(Option<i64>, Vec<Row>)> {
    // The open placement is the current one; placements in transit have no
    // facility and so export as none.
    let mut people: Vec<(Prisoner, Option<Facility>)> = prisoners::table
        .left_join(
            placements::table.on(placements::prisoner_id
                .eq(prisoners::id)
                .and(placements::ended_on.is_null())),
        )
        .left_join(facilities::table.on(placements::facility_id.eq(facilities::id.nullable())))
        .filter(prisoners::id.gt(after))
        .order((prisoners::id, placements::id.desc()))
        .limit(PAGE)
        .select((Prisoner::as_select(), Option::<Facility>::as_select()))
        .load(conn)?;
    // Should two placements ever be open at once, the newest one counts and
    // the person is still one row.
    people.dedup_by_key(|(p, _)| p.id);
    let (Some(first), Some(last)) = (people.first(), people.last()) else {
        return Ok((None, Vec::new()));
    };
    let (first, last) = (first.0.id, last.0.id);

    let mut tags: HashMap<(i64, TagKind), Vec<String>> = HashMap::new();
    let tag_rows: Vec<(i64, TagKind, String)> = prisoner_tags::table
        .filter(prisoner_tags::prisoner_id.between(first, last))
        .order((prisoner_tags::prisoner_id, prisoner_tags::value))
        .select((
            prisoner_tags::prisoner_id,
            prisoner_tags::kind,
            prisoner_tags::value,
        ))
        .load(conn)?;
    for (id, kind, value) in tag_rows {
        tags.entry((id, kind)).or_default().push(value);
    }

    let mut recognitions: HashMap<i64, Vec<String>> = HashMap::new();
    // By id, as entered: dates may be missing, and the two backends sort
    // missing values differently.
    let recognition_rows: Vec<(i64, RecognitionKind, String, Option<NaiveDate>)> =
        prisoner_recognitions::table
            .filter(prisoner_recognitions::prisoner_id.between(first, last))
            .order((
                prisoner_recognitions::prisoner_id,
                prisoner_recognitions::id,
            ))
            .select((
                prisoner_recognitions::prisoner_id,
                prisoner_recognitions::kind,
                prisoner_recognitions::organisation,
                prisoner_recognitions::since,
            ))
            .load(conn)?;
    for (id, kind, organisation, since) in recognition_rows {
        recognitions
            .entry(id)
            .or_default()
            .push(format_recognition(kind, &organisation, since));
    }

    let rows = people
        .iter()
        .map(|(p, f)| {
            let list = |kind| {
                tags.get(&(p.id, kind))
                    .map(|v| join_list(v))
                    .unwrap_or_default()
            };
            row(
                p,
                f.as_ref(),
                recognitions
                    .get(&p.id)
                    .map(|v| join_list(v))
                    .unwrap_or_default(),
                list(TagKind::Language),
                list(TagKind::Interest),
            )
        })
        .collect();
    Ok((Some(last), rows))
}

/// One person's row; the list fields come already joined.
fn row(
    p: &Prisoner,
    facility: Option<&Facility>,
    recognition: String,
    languages: String,
    interests: String,
) -> Row {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let of_facility = |pick: fn(&Facility) -> String| facility.map(pick).unwrap_or_default();
    [
        // Not stored yet: the importer brings the columns that keep them.
        String::new(),
        String::new(),
        p.surname.clone(),
        p.given_name.clone(),
        text(&p.patronymic),
        text(&p.latin_name),
        p.gender.map(|g| g.as_str().to_owned()).unwrap_or_default(),
        BirthDate::from_columns(p.birth_year, p.birth_month, p.birth_day)
            .map(|b| b.to_string())
            .unwrap_or_default(),
        p.status.as_str().to_owned(),
        p.measure.map(|m| m.as_str().to_owned()).unwrap_or_default(),
        recognition,
        languages,
        interests,
        p.release_expected_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
        p.do_not_write.to_string(),
        of_facility(|f| f.country.clone()),
        of_facility(|f| FacilityKind::as_str(f.kind).to_owned()),
        of_facility(|f| f.name.clone()),
        of_facility(|f| f.postcode.clone().unwrap_or_default()),
        of_facility(|f| f.region.clone().unwrap_or_default()),
        of_facility(|f| f.district.clone().unwrap_or_default()),
        of_facility(|f| f.locality.clone().unwrap_or_default()),
        of_facility(|f| f.street.clone().unwrap_or_default()),
        of_facility(|f| f.house.clone().unwrap_or_default()),
        p.bio.clone(),
    ]
}
