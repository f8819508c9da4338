//! `konvert export prisoners` and the coordinators' download: the exact
//! columns and rows, the same bytes from both, for coordinators only.

use chrono::NaiveDate;
use konvert::db::facilities::{self, FacilityForm, FacilityKind};
use konvert::db::prisoners::{
    self, Gender, Measure, PrisonerForm, PrisonerStatus, RecognitionKind, TagKind,
};
use konvert::db::users::Role;
use konvert::db::DbConn;

use crate::cli::{konvert, stderr};
use crate::helpers::*;

/// People with every kind of field: a name with a comma and quotes and a bio
/// over two lines, someone with no placement, someone held in Belarus, and
/// someone in transit.
pub(crate) fn people_of_every_kind(c: &mut DbConn) {
    let now = konvert::db::now();
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);

    let colony = facilities::insert(
        c,
        &FacilityForm {
            country: "RU".into(),
            kind: FacilityKind::Colony,
            name: "ФКУ ИК-6 УФСИН России по Владимирской области".into(),
            postcode: Some("601446".into()),
            region: Some("Владимирская область".into()),
            district: Some("Судогодский район".into()),
            locality: Some("пос. Мелехово".into()),
            street: Some("ул. Щорса".into()),
            house: Some("1".into()),
            ..Default::default()
        },
        now,
    )
    .unwrap();
    let mut form = PrisonerForm::new("Петров, \"младший\"", "Пётр", Some("Петрович"));
    form.latin_name = Some("Petr Petrov".into());
    form.gender = Some(Gender::Male);
    form.set_birth_date(Some(prisoners::BirthDate::parse("1985-03-14").unwrap()));
    form.status = PrisonerStatus::Convicted;
    form.measure = Some(Measure::Custody);
    form.release_expected_on = date(2030, 1, 31);
    form.bio = "Line one\nline two, with a comma".into();
    let petrov = prisoners::insert(c, &form, now).unwrap().id;
    prisoners::set_recognitions(
        c,
        petrov,
        &[
            (
                RecognitionKind::PoliticalPrisoner,
                "Мемориал".into(),
                date(2024, 3, 1),
            ),
            (
                RecognitionKind::PoliticallyPersecuted,
                "ОВД-Инфо".into(),
                None,
            ),
        ],
    )
    .unwrap();
    prisoners::set_tags(c, petrov, TagKind::Language, &["ru".into(), "en".into()]).unwrap();
    prisoners::set_tags(
        c,
        petrov,
        TagKind::Interest,
        &["history".into(), "chess".into()],
    )
    .unwrap();
    place_at(c, petrov, colony.id, now).unwrap();

    let mut form = PrisonerForm::new("Сидорова", "Анна", None);
    form.gender = Some(Gender::Female);
    form.set_birth_date(Some(prisoners::BirthDate::parse("1990").unwrap()));
    form.status = PrisonerStatus::PreTrial;
    form.do_not_write = true;
    prisoners::insert(c, &form, now).unwrap();

    let belarus = facilities::insert(
        c,
        &FacilityForm {
            country: "BY".into(),
            kind: FacilityKind::Colony,
            name: "Исправительная колония №3".into(),
            postcode: Some("211322".into()),
            region: Some("Витебская область".into()),
            district: Some("Витебский район".into()),
            locality: Some("пос. Витьба".into()),
            ..Default::default()
        },
        now,
    )
    .unwrap();
    let mut form = PrisonerForm::new("Лукашевич", "Алесь", None);
    form.set_birth_date(Some(prisoners::BirthDate::parse("1979-05").unwrap()));
    form.status = PrisonerStatus::Convicted;
    form.measure = Some(Measure::Custody);
    let alyes = prisoners::insert(c, &form, now).unwrap().id;
    prisoners::set_tags(c, alyes, TagKind::Language, &["be".into()]).unwrap();
    place_at(c, alyes, belarus.id, now).unwrap();

    let mut form = PrisonerForm::new("Кузнецов", "Олег", None);
    form.status = PrisonerStatus::InTransit;
    let oleg = prisoners::insert(c, &form, now).unwrap().id;
    place_at(c, oleg, colony.id, now).unwrap();
    move_to(c, oleg, None, now).unwrap();
}

/// What `people_of_every_kind` exports as, byte for byte.
const EXPECTED_CSV: &str = "\u{feff}\
external_source,external_id,surname,given_name,patronymic,latin_name,gender,birth_date,status,measure,recognition,languages,interests,release_expected_on,do_not_write,facility_country,facility_kind,facility_name,facility_postcode,facility_region,facility_district,facility_locality,facility_street,facility_house,bio\r\n\
,,\"Петров, \"\"младший\"\"\",Пётр,Петрович,Petr Petrov,male,1985-03-14,convicted,custody,Мемориал|political_prisoner|2024-03-01;ОВД-Инфо|politically_persecuted,en;ru,chess;history,2030-01-31,false,RU,colony,ФКУ ИК-6 УФСИН России по Владимирской области,601446,Владимирская область,Судогодский район,пос. Мелехово,ул. Щорса,1,\"Line one\nline two, with a comma\"\r\n\
,,Сидорова,Анна,,,female,1990,pre_trial,,,,,,true,,,,,,,,,,\r\n\
,,Лукашевич,Алесь,,,,1979-05,convicted,custody,,be,,,false,BY,colony,Исправительная колония №3,211322,Витебская область,Витебский район,пос. Витьба,,,\r\n\
,,Кузнецов,Олег,,,,,in_transit,,,,,,false,,,,,,,,,,\r\n";

fn assert_csv(got: &[u8]) {
    let got = String::from_utf8(got.to_vec()).expect("UTF-8");
    for (got, want) in got.split("\r\n").zip(EXPECTED_CSV.split("\r\n")) {
        assert_eq!(got, want);
    }
    assert_eq!(got, EXPECTED_CSV);
}

fn cli_export_writes_every_column_of_every_person(backend: Backend) {
    let Some(test_db) = TestDb::create(backend) else {
        return;
    };
    {
        let db = test_db.open();
        people_of_every_kind(&mut db.get().unwrap());
    }
    let cmd = || {
        let mut cmd = konvert();
        cmd.env("KONVERT_DATA_DIR", test_db.dir.path().join("data"))
            .env("KONVERT_DATABASE_URL", test_db.url())
            .args(["export", "prisoners"]);
        cmd
    };
    let o = cmd().output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_csv(&o.stdout);

    let file = test_db.dir.path().join("list.csv");
    let o = cmd()
        .args(["--format", "csv", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        o.stdout.is_empty(),
        "the file, not standard output, gets it"
    );
    assert_csv(&std::fs::read(&file).unwrap());
}

#[test]
fn cli_export_writes_every_column_of_every_person_on_sqlite() {
    cli_export_writes_every_column_of_every_person(Backend::Sqlite);
}

#[test]
fn cli_export_writes_every_column_of_every_person_on_postgres() {
    cli_export_writes_every_column_of_every_person(Backend::Postgres);
}

#[test]
fn cli_export_to_an_unwritable_file_is_one_line_and_exit_2() {
    let Some(test_db) = TestDb::create(Backend::Sqlite) else {
        return;
    };
    let o = konvert()
        .env("KONVERT_DATA_DIR", test_db.dir.path().join("data"))
        .args(["export", "prisoners", "--out"])
        .arg(test_db.dir.path().join("no-such-folder").join("list.csv"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("no-such-folder"), "{err}");
}

async fn coordinators_download_the_same_bytes_and_volunteers_are_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    people_of_every_kind(&mut app.db.get().unwrap());

    let res = app.get("/prisoners/export.csv").await;
    assert_eq!(res.status(), 303, "a visitor is sent to sign in");

    let volunteer = spawn_client(&app).unwrap();
    volunteer
        .sign_in_as("volunteer@example.org", Role::Volunteer)
        .await;
    let res = volunteer.get("/prisoners/export.csv").await;
    assert_eq!(res.status(), 403);
    let list = volunteer.get("/prisoners").await.text().await.unwrap();
    assert!(
        !list.contains("/prisoners/export.csv"),
        "no link for volunteers"
    );

    app.sign_in_as("coordinator@example.org", Role::Coordinator)
        .await;
    let list = app.get("/prisoners").await.text().await.unwrap();
    assert!(list.contains("href=\"/prisoners/export.csv\""), "{list}");
    let res = app.get("/prisoners/export.csv").await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"konvert-prisoners.csv\""
    );
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert_csv(&res.bytes().await.unwrap());
}

#[tokio::test]
async fn coordinators_download_the_same_bytes_and_volunteers_are_refused_on_sqlite() {
    coordinators_download_the_same_bytes_and_volunteers_are_refused(Backend::Sqlite).await;
}

#[tokio::test]
async fn coordinators_download_the_same_bytes_and_volunteers_are_refused_on_postgres() {
    coordinators_download_the_same_bytes_and_volunteers_are_refused(Backend::Postgres).await;
}

/// The workbook's shared strings and first sheet, as XML text.
fn xlsx_parts(bytes: &[u8]) -> (String, String) {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an XLSX is a zip");
    let mut part = |name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .unwrap_or_else(|_| panic!("{name} in the workbook"))
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    (
        part("xl/sharedStrings.xml"),
        part("xl/worksheets/sheet1.xml"),
    )
}

/// The workbook has a header row and one row per person, with the CSV's
/// values as text cells.
fn assert_xlsx(bytes: &[u8]) {
    let (strings, sheet) = xlsx_parts(bytes);
    assert_eq!(sheet.matches("<row ").count(), 5, "a header and 4 people");
    for column in konvert::exchange::COLUMNS {
        assert!(strings.contains(&format!(">{column}<")), "{column}");
    }
    for value in [
        "Петров, \"младший\"",
        "Line one\nline two, with a comma",
        "Мемориал|political_prisoner|2024-03-01;ОВД-Инфо|politically_persecuted",
        "Исправительная колония №3",
        ">1990<",
        ">1979-05<",
        ">true<",
    ] {
        assert!(
            strings.contains(value) || strings.contains(&value.replace('"', "&quot;")),
            "{value} in {strings}"
        );
    }
    assert_eq!(
        sheet.matches("<c ").count(),
        sheet.matches("t=\"s\"").count(),
        "every cell is text"
    );
}

fn cli_exports_the_same_columns_as_xlsx(backend: Backend) {
    let Some(test_db) = TestDb::create(backend) else {
        return;
    };
    {
        let db = test_db.open();
        people_of_every_kind(&mut db.get().unwrap());
    }
    let file = test_db.dir.path().join("list.xlsx");
    let o = konvert()
        .env("KONVERT_DATA_DIR", test_db.dir.path().join("data"))
        .env("KONVERT_DATABASE_URL", test_db.url())
        .args(["export", "prisoners", "--format", "xlsx", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_xlsx(&std::fs::read(&file).unwrap());
}

#[test]
fn cli_exports_the_same_columns_as_xlsx_on_sqlite() {
    cli_exports_the_same_columns_as_xlsx(Backend::Sqlite);
}

#[test]
fn cli_exports_the_same_columns_as_xlsx_on_postgres() {
    cli_exports_the_same_columns_as_xlsx(Backend::Postgres);
}

async fn coordinators_download_xlsx_and_volunteers_are_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    people_of_every_kind(&mut app.db.get().unwrap());
    let (_, volunteer) = app
        .other_client("volunteer@example.org", Role::Volunteer)
        .await;
    assert_eq!(volunteer.get("/prisoners/export.xlsx").await.status(), 403);

    app.sign_in_as("coordinator@example.org", Role::Coordinator)
        .await;
    let res = app.get("/prisoners/export.xlsx").await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"konvert-prisoners.xlsx\""
    );
    assert_xlsx(&res.bytes().await.unwrap());
}

#[tokio::test]
async fn coordinators_download_xlsx_and_volunteers_are_refused_on_sqlite() {
    coordinators_download_xlsx_and_volunteers_are_refused(Backend::Sqlite).await;
}

#[tokio::test]
async fn coordinators_download_xlsx_and_volunteers_are_refused_on_postgres() {
    coordinators_download_xlsx_and_volunteers_are_refused(Backend::Postgres).await;
}
