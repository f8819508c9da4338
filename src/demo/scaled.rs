//! `konvert demo --prisoners N --letters M`: an invented dataset of any size,
//! for benchmarks. Everyone in it is made up from the name lists of the fixed
//! demo; facilities are invented and say so. Rows go in by the hundred
//! (multi-row INSERTs, one transaction), and the prisoners' summary columns
//! are set once at the end from the letters and replies, not per letter.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::{
    pick, summary_json, DemoError, DemoSummary, BODIES, BY_CHARGES, DEMO_DOMAIN, FATHERS,
    FEMALE_GIVEN, INTERESTS, MALE_GIVEN, RU_CHARGES, SURNAMES,
};
use crate::db::facilities::{self, Facility, FacilityForm, FacilityKind, Service};
use crate::db::letters::{Channel, LetterStatus};
use crate::db::placements::PlacementState;
use crate::db::prisoners::{Gender, Measure, Prisoner, PrisonerStatus, RecognitionKind, TagKind};
use crate::db::replies::{MatchState, ReplyChannel};
use crate::db::schema::{
    letters, placements, prisoner_charges, prisoner_recognitions, prisoner_tags, prisoners,
};
use crate::db::users::{self, NewUser, RemindFrequency, Role};
use crate::db::{audit, write_tx, DbConn};

/// The seed used when none is given, so the same command gives the same data.
pub const DEFAULT_SEED: u64 = 2026;
/// Upper bounds that keep a typo from filling the disk.
const MAX_PRISONERS: u64 = 1_000_000;
const MAX_LETTERS: u64 = 50_000_000;
/// Rows per INSERT. The widest row (a letter) has 34 columns: 500 rows stay
/// under SQLite's 32,766 bound parameters and PostgreSQL's 65,535.
const CHUNK: usize = 500;
/// How far back the letters go.
const HISTORY_DAYS: i64 = 730;

/// What a scaled demo holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleOptions {
    pub prisoners: usize,
    pub letters: usize,
    pub seed: u64,
}

impl ScaleOptions {
    /// Reads the command's flags as typed. `Ok(None)` when none is given (the
    /// fixed demo); an error message of one line for anything else amiss.
    pub fn from_flags(
        prisoners: Option<&str>,
        letters: Option<&str>,
        seed: Option<&str>,
    ) -> Result<Option<ScaleOptions>, String> {
        fn number(flag: &str, text: &str, max: u64) -> Result<u64, String> {
            let n: u64 = text
                .trim()
                .replace('_', "")
                .parse()
                .map_err(|_| format!("{flag} expects a whole number, got {text:?}"))?;
            if n > max {
                return Err(format!("{flag} is at most {max}, got {n}"));
            }
            Ok(n)
        }
        let Some(prisoners) = prisoners else {
            if letters.is_some() || seed.is_some() {
                return Err("--letters and --seed need --prisoners".to_owned());
            }
            return Ok(None);
        };
        let prisoners = number("--prisoners", prisoners, MAX_PRISONERS)?;
        let letters = letters
            .map(|l| number("--letters", l, MAX_LETTERS))
            .transpose()?
            .unwrap_or(0);
        if prisoners == 0 {
            return Err("--prisoners must be at least 1".to_owned());
        }
        let seed = seed
            .map(|s| number("--seed", s, u64::MAX))
            .transpose()?
            .unwrap_or(DEFAULT_SEED);
        Ok(Some(ScaleOptions {
            prisoners: usize::try_from(prisoners).map_err(|e| e.to_string())?,
            letters: usize::try_from(letters).map_err(|e| e.to_string())?,
            seed,
        }))
    }
}

/// Regions as the address stores them, and as a facility's name ends ("по …").
const RU_REGIONS: &[(&str, &str)] = &[
    ("Владимирская обл.", "Владимирской области"),
    ("Республика Мордовия", "Республике Мордовия"),
    ("Республика Карелия", "Республике Карелия"),
    ("Красноярский край", "Красноярскому краю"),
    ("Пермский край", "Пермскому краю"),
    ("Свердловская обл.", "Свердловской области"),
    ("Тверская обл.", "Тверской области"),
    ("Нижегородская обл.", "Нижегородской области"),
    ("Ярославская обл.", "Ярославской области"),
    ("Республика Коми", "Республике Коми"),
    ("Омская обл.", "Омской области"),
    ("Кировская обл.", "Кировской области"),
];
const BY_REGIONS: &[&str] = &[
    "Минская обл.",
    "Гомельская обл.",
    "Витебская обл.",
    "Могилёвская обл.",
    "Брестская обл.",
    "Гродненская обл.",
];
const LOCALITIES: &[&str] = &[
    "пос. Заречный",
    "г. Лесногорск",
    "пос. Северный",
    "г. Озёрск",
    "пос. Сосновка",
    "г. Каменск",
];
const STREETS: &[&str] = &[
    "ул. Лесная",
    "ул. Центральная",
    "ул. Заводская",
    "ул. Школьная",
    "ул. Садовая",
];
const REVIEW_NOTES: &[&str] = &[
    "Пожалуйста, уберите упоминание суда.",
    "Слишком длинно для одной страницы.",
];
const OUTCOME_NOTES: &[&str] = &[
    "Не пропущено цензором.",
    "Вернулось: адресат выбыл.",
    "Потерялось при этапе.",
];
const TRANSCRIPTIONS: &str =
    "Спасибо за письмо! У меня всё нормально, читаю, занимаюсь спортом. Пишите ещё.";
const INVENTED: &str = "Demo record: the address is invented.";

#[derive(Insertable)]
#[diesel(table_name = prisoners, treat_none_as_null = true)]
struct PrisonerRow {
    surname: &'static str,
    given_name: &'static str,
    patronymic: Option<&'static str>,
    gender: Option<Gender>,
    birth_year: Option<i32>,
    birth_month: Option<i32>,
    birth_day: Option<i32>,
    status: PrisonerStatus,
    measure: Option<Measure>,
    rehabilitated: bool,
    release_expected_on: Option<NaiveDate>,
    health_urgent: bool,
    do_not_write: bool,
    do_not_write_reason: Option<&'static str>,
    bio: &'static str,
    letters_sent_count: i32,
    replies_count: i32,
    search_key: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = prisoner_tags)]
struct TagRow {
    prisoner_id: i64,
    kind: TagKind,
    value: &'static str,
}

#[derive(Insertable)]
#[diesel(table_name = prisoner_recognitions, treat_none_as_null = true)]
struct RecognitionRow {
    prisoner_id: i64,
    kind: RecognitionKind,
    organisation: &'static str,
    since: Option<NaiveDate>,
    source_url: Option<&'static str>,
}

#[derive(Insertable)]
#[diesel(table_name = prisoner_charges)]
struct ChargeRow {
    prisoner_id: i64,
    article: &'static str,
}

#[derive(Insertable)]
#[diesel(table_name = placements, treat_none_as_null = true)]
struct PlacementRow {
    prisoner_id: i64,
    facility_id: Option<i64>,
    state: PlacementState,
    started_on: Option<NaiveDate>,
    ended_on: Option<NaiveDate>,
    address_confirmed_at: Option<NaiveDateTime>,
    source: Option<&'static str>,
    notes: &'static str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = letters, treat_none_as_null = true)]
struct LetterRow<'a> {
    writer_id: i64,
    prisoner_id: i64,
    placement_id: Option<i64>,
    address_snapshot: Option<&'a str>,
    language: &'static str,
    body: &'static str,
    channel: Channel,
    status: LetterStatus,
    pen_name: Option<&'a str>,
    reply_blank: bool,
    pages: Option<i32>,
    cost_minor: Option<i64>,
    currency: Option<&'static str>,
    receipt_number: Option<String>,
    reply_code: Option<String>,
    reviewer_id: Option<i64>,
    review_note: Option<&'static str>,
    outcome_note: Option<&'static str>,
    hold_reason: Option<&'static str>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    submitted_at: Option<NaiveDateTime>,
    returned_to_writer_at: Option<NaiveDateTime>,
    rejected_at: Option<NaiveDateTime>,
    approved_at: Option<NaiveDateTime>,
    queued_at: Option<NaiveDateTime>,
    held_at: Option<NaiveDateTime>,
    sent_at: Option<NaiveDateTime>,
    delivered_at: Option<NaiveDateTime>,
    censored_at: Option<NaiveDateTime>,
    returned_at: Option<NaiveDateTime>,
    lost_at: Option<NaiveDateTime>,
    replied_at: Option<NaiveDateTime>,
}

/// Inserts `rows` in chunks of `CHUNK`. MultiConnection does not batch
/// inserts, so each chunk goes through the backend's own connection.
macro_rules! insert_chunked {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let mut inserted = 0usize;
        for chunk in $rows.chunks(CHUNK) {
            inserted += match &mut *$conn {
                DbConn::Sqlite(c) => diesel::insert_into($table).values(chunk).execute(c)?,
                DbConn::Postgres(c) => diesel::insert_into($table).values(chunk).execute(c)?,
            };
        }
        inserted
    }};
}

/// Where a prisoner was, as the letters need it.
struct Stay {
    id: i64,
    facility_id: Option<i64>,
    started_on: Option<NaiveDate>,
}

/// The facts about a prisoner the letters depend on.
struct Person {
    /// Letters fall between these two dates.
    from: NaiveDateTime,
    until: NaiveDateTime,
    /// When an in-transit prisoner left their last facility.
    transit_since: Option<NaiveDateTime>,
    reads_english: bool,
}

/// Weights following a power law, so that a few get much and many get little.
fn pareto_weights(rng: &mut StdRng, n: usize, alpha: f64) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let u: f64 = rng.gen_range(f64::EPSILON..1.0);
            u.powf(-1.0 / alpha)
        })
        .collect()
}

fn cumulative(weights: &[f64]) -> Vec<f64> {
    let mut sum = 0.0;
    weights
        .iter()
        .map(|w| {
            sum += w;
            sum
        })
        .collect()
}

/// An index drawn in proportion to the weights behind `cumulative`.
fn draw(rng: &mut StdRng, cumulative: &[f64]) -> usize {
    let total = cumulative.last().copied().unwrap_or(0.0);
    let x = rng.gen_range(0.0..total.max(f64::MIN_POSITIVE));
    cumulative
        .partition_point(|c| *c <= x)
        .min(cumulative.len().saturating_sub(1))
}

fn hours(rng: &mut StdRng, from: i64, to: i64) -> TimeDelta {
    TimeDelta::minutes(rng.gen_range(from * 60..to * 60))
}

fn max_id(conn: &mut DbConn, table: &str) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Max {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let row: Max = diesel::sql_query(format!("SELECT COALESCE(MAX(id), 0) AS id FROM {table}"))
        .get_result(conn)?;
    Ok(row.id)
}

/// Loads a scaled demo in one transaction. `progress` hears what is being done.
pub fn load(
    conn: &mut DbConn,
    now: NaiveDateTime,
    options: &ScaleOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<DemoSummary, DemoError> {
    write_tx(conn, |conn| load_in_tx(conn, now, options, progress))
}

fn load_in_tx(
    conn: &mut DbConn,
    now: NaiveDateTime,
    options: &ScaleOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<DemoSummary, DemoError> {
    if users::find_by_email(conn, &format!("coordinator@{DEMO_DOMAIN}"))?.is_some() {
        return Err(DemoError::AlreadyLoaded);
    }
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut summary = DemoSummary::default();
    let today = now.date();

    // Accounts: one coordinator and a few hundred volunteers, none of whom
    // gets reminders (their addresses do not exist).
    let quiet = |mut u: NewUser| {
        u.remind_frequency = RemindFrequency::Never;
        u.remind_digest = false;
        u.remind_dry_spell_days = None;
        u.remind_birthdays = false;
        u.remind_replies = false;
        u.remind_transfers = false;
        u.remind_letter_status = false;
        u.remind_coordinator_digest = false;
        u
    };
    let coordinator = users::insert(
        conn,
        &quiet(NewUser::new(
            &format!("coordinator@{DEMO_DOMAIN}"),
            "Координатор (демо)",
            Role::Coordinator,
            now,
        )),
    )?;
    let writer_count = (options.prisoners / 30).clamp(3, 300);
    let mut writers = Vec::with_capacity(writer_count);
    for i in 0..writer_count {
        let name = if i % 2 == 0 {
            pick(&mut rng, FEMALE_GIVEN)
        } else {
            pick(&mut rng, MALE_GIVEN)
        };
        let mut new = quiet(NewUser::new(
            &format!("volunteer{}@{DEMO_DOMAIN}", i + 1),
            &format!("{name} (демо {})", i + 1),
            Role::Volunteer,
            now,
        ));
        new.pen_name = Some(name.to_owned());
        new.trusted = i % 10 == 0;
        writers.push(users::insert(conn, &new)?);
    }
    summary.users = 1 + writers.len();
    progress(&format!("{} accounts", summary.users));

    // Facilities: about one per 40 prisoners, a fifth of them in Belarus.
    let facility_count = (options.prisoners / 40).max(10);
    let mut facility_rows: Vec<Facility> = Vec::with_capacity(facility_count);
    let mut services: HashMap<i64, Vec<Service>> = HashMap::new();
    for i in 0..facility_count {
        let n = i + 1;
        let belarus = i % 5 == 4;
        let (kind, name, region) = if belarus {
            let region = pick(&mut rng, BY_REGIONS);
            let (kind, name) = match i % 3 {
                0 => (FacilityKind::Remand, format!("СИЗО-{n}")),
                1 => (FacilityKind::Prison, format!("Тюрьма № {n}")),
                _ => (
                    FacilityKind::Colony,
                    format!("Исправительная колония № {n}"),
                ),
            };
            (kind, name, region)
        } else {
            let (region, po) = pick(&mut rng, RU_REGIONS);
            let (kind, prefix) = match rng.gen_range(0..20) {
                0..=3 => (FacilityKind::Remand, "СИЗО"),
                4 => (FacilityKind::Prison, "Т"),
                5 => (FacilityKind::Medical, "ЛИУ"),
                _ => (FacilityKind::Colony, "ИК"),
            };
            (
                kind,
                format!("ФКУ {prefix}-{n} УФСИН России по {po}"),
                region,
            )
        };
        let form = FacilityForm {
            country: if belarus { "BY" } else { "RU" }.to_owned(),
            kind,
            name,
            postcode: Some(format!(
                "{}{:05}",
                if belarus { 2 } else { 6 },
                rng.gen_range(0..100_000)
            )),
            region: Some(region.to_owned()),
            locality: Some(pick(&mut rng, LOCALITIES).to_owned()),
            street: Some(pick(&mut rng, STREETS).to_owned()),
            house: Some(format!("д. {}", rng.gen_range(1..60))),
            notes: INVENTED.to_owned(),
            ..FacilityForm::default()
        };
        let facility = facilities::insert(conn, &form, now)?;
        let mut reach = Vec::new();
        if !belarus {
            if rng.gen_bool(0.85) {
                reach.push(Service::FsinPismo);
            }
            if rng.gen_bool(0.4) {
                reach.push(Service::Zonatelecom);
            }
            if rng.gen_bool(0.05) {
                reach.push(Service::Email);
            }
        }
        for service in &reach {
            let external = match service {
                Service::Email => format!("relay-{}@{DEMO_DOMAIN}", facility.id),
                _ => format!("demo-{}", facility.id),
            };
            facilities::set_service(conn, facility.id, *service, Some(&external))?;
        }
        services.insert(facility.id, reach);
        facility_rows.push(facility);
    }
    summary.facilities = facility_rows.len();
    progress(&format!("{} facilities", summary.facilities));

    // Prisoners.
    let first_prisoner = max_id(conn, "prisoners")? + 1;
    let created = now - TimeDelta::days(HISTORY_DAYS + 60);
    let mut rows = Vec::with_capacity(options.prisoners);
    let mut people = Vec::with_capacity(options.prisoners);
    for i in 0..options.prisoners {
        let female = rng.gen_bool(0.2);
        let (male_surname, female_surname) = pick(&mut rng, SURNAMES);
        let (father_m, father_f) = pick(&mut rng, FATHERS);
        let (surname, given, patronymic) = if female {
            (female_surname, pick(&mut rng, FEMALE_GIVEN), father_f)
        } else {
            (male_surname, pick(&mut rng, MALE_GIVEN), father_m)
        };
        // A few in transit in every dataset, the first one included.
        let in_transit = i % 97 == 0;
        let status = if in_transit {
            PrisonerStatus::InTransit
        } else if rng.gen_bool(0.2) {
            PrisonerStatus::PreTrial
        } else {
            PrisonerStatus::Convicted
        };
        let year = rng.gen_range(1955..=2004);
        let (birth_year, birth_month, birth_day) = match rng.gen_range(0..6) {
            0 => (None, None, None),
            1 | 2 => (Some(year), None, None),
            _ => (
                Some(year),
                Some(rng.gen_range(1..=12)),
                Some(rng.gen_range(1..=28)),
            ),
        };
        let do_not_write = i % 113 == 5;
        let form = crate::db::prisoners::PrisonerForm::new(surname, given, Some(patronymic));
        rows.push(PrisonerRow {
            surname,
            given_name: given,
            patronymic: Some(patronymic),
            gender: Some(if female { Gender::Female } else { Gender::Male }),
            birth_year,
            birth_month,
            birth_day,
            status,
            measure: Some(Measure::Custody),
            rehabilitated: false,
            release_expected_on: rng
                .gen_bool(0.15)
                .then(|| today + TimeDelta::days(rng.gen_range(20..1500))),
            health_urgent: rng.gen_bool(0.01),
            do_not_write,
            do_not_write_reason: do_not_write.then_some("Родственники просили временно не писать."),
            bio: "Вымышленный человек для демонстрации Konvert.",
            letters_sent_count: 0,
            replies_count: 0,
            search_key: form.search_key(),
            created_at: created,
            updated_at: created,
        });
        // Most are written to until now; some were forgotten a while ago.
        let from = if rng.gen_bool(0.4) {
            now - TimeDelta::days(rng.gen_range(30..HISTORY_DAYS))
        } else {
            now - TimeDelta::days(HISTORY_DAYS)
        };
        let until = if rng.gen_bool(0.3) {
            (now - TimeDelta::days(rng.gen_range(20..500))).max(from + TimeDelta::days(1))
        } else {
            now
        };
        people.push(Person {
            from,
            until: until.min(now),
            transit_since: in_transit.then(|| now - TimeDelta::days(rng.gen_range(3..40))),
            reads_english: rng.gen_bool(0.25),
        });
    }
    insert_chunked!(conn, prisoners::table, rows);
    drop(rows);
    let inserted: Vec<Prisoner> = prisoners::table
        .filter(prisoners::id.ge(first_prisoner))
        .order(prisoners::id)
        .select(Prisoner::as_select())
        .load(conn)?;
    if inserted.len() != options.prisoners {
        // Another writer added prisoners at the same time; the ids are not ours alone.
        return Err(DemoError::Interleaved);
    }
    summary.prisoners = inserted.len();
    progress(&format!("{} prisoners", summary.prisoners));

    // Their tags, recognitions and charges.
    let mut tags = Vec::new();
    let mut recognitions = Vec::new();
    let mut charges = Vec::new();
    let home: Vec<usize> = (0..inserted.len())
        .map(|_| rng.gen_range(0..facility_rows.len()))
        .collect();
    for (i, prisoner) in inserted.iter().enumerate() {
        let belarus = facility_rows[home[i]].country == "BY";
        tags.push(TagRow {
            prisoner_id: prisoner.id,
            kind: TagKind::Language,
            value: "ru",
        });
        if people[i].reads_english {
            tags.push(TagRow {
                prisoner_id: prisoner.id,
                kind: TagKind::Language,
                value: "en",
            });
        }
        let mut interests = INTERESTS.to_vec();
        interests.shuffle(&mut rng);
        for interest in interests.iter().take(rng.gen_range(0..=3)) {
            tags.push(TagRow {
                prisoner_id: prisoner.id,
                kind: TagKind::Interest,
                value: interest,
            });
        }
        recognitions.push(RecognitionRow {
            prisoner_id: prisoner.id,
            kind: RecognitionKind::PoliticalPrisoner,
            organisation: if belarus { "Viasna" } else { "Memorial" },
            since: Some(today - TimeDelta::days(rng.gen_range(100..1500))),
            source_url: None,
        });
        if !belarus && rng.gen_bool(0.2) {
            recognitions.push(RecognitionRow {
                prisoner_id: prisoner.id,
                kind: RecognitionKind::PoliticallyPersecuted,
                organisation: "ОВД-Инфо",
                since: Some(today - TimeDelta::days(rng.gen_range(100..1500))),
                source_url: None,
            });
        }
        charges.push(ChargeRow {
            prisoner_id: prisoner.id,
            article: pick(&mut rng, if belarus { BY_CHARGES } else { RU_CHARGES }),
        });
    }
    insert_chunked!(conn, prisoner_tags::table, tags);
    insert_chunked!(conn, prisoner_recognitions::table, recognitions);
    insert_chunked!(conn, prisoner_charges::table, charges);
    progress("tags, recognitions and charges");

    // Placements: the current one, an earlier one for some, and an open
    // placement without a facility for those in transit.
    let mut stays = Vec::new();
    for (i, prisoner) in inserted.iter().enumerate() {
        let facility = &facility_rows[home[i]];
        let arrived = today - TimeDelta::days(rng.gen_range(60..900));
        let placement =
            |facility_id: Option<i64>, started: NaiveDate, ended: Option<NaiveDate>| PlacementRow {
                prisoner_id: prisoner.id,
                facility_id,
                state: if facility_id.is_some() {
                    PlacementState::Held
                } else {
                    PlacementState::InTransit
                },
                started_on: Some(started),
                ended_on: ended,
                address_confirmed_at: facility_id.map(|_| now),
                source: Some("demo"),
                notes: "",
                created_at: now,
                updated_at: now,
            };
        if rng.gen_bool(0.2) {
            let same_country: Vec<&Facility> = facility_rows
                .iter()
                .filter(|f| f.country == facility.country && f.id != facility.id)
                .collect();
            if let Some(earlier) = same_country.choose(&mut rng) {
                stays.push(placement(
                    Some(earlier.id),
                    arrived - TimeDelta::days(rng.gen_range(100..600)),
                    Some(arrived),
                ));
            }
        }
        match people[i].transit_since {
            Some(left) => {
                stays.push(placement(Some(facility.id), arrived, Some(left.date())));
                stays.push(placement(None, left.date(), None));
            }
            None => stays.push(placement(Some(facility.id), arrived, None)),
        }
    }
    summary.placements = insert_chunked!(conn, placements::table, stays);
    drop(stays);
    let loaded: Vec<(i64, i64, Option<i64>, Option<NaiveDate>)> = placements::table
        .filter(placements::prisoner_id.ge(first_prisoner))
        .order((
            placements::prisoner_id,
            placements::started_on,
            placements::id,
        ))
        .select((
            placements::id,
            placements::prisoner_id,
            placements::facility_id,
            placements::started_on,
        ))
        .load(conn)?;
    let mut stays_of: HashMap<i64, Vec<Stay>> = HashMap::new();
    for (id, prisoner_id, facility_id, started_on) in loaded {
        stays_of.entry(prisoner_id).or_default().push(Stay {
            id,
            facility_id,
            started_on,
        });
    }
    progress(&format!("{} placements", summary.placements));

    // The address each placement's letters were written for.
    let facility_by_id: HashMap<i64, &Facility> = facility_rows.iter().map(|f| (f.id, f)).collect();
    let mut snapshots: HashMap<i64, String> = HashMap::new();
    for prisoner in &inserted {
        for stay in stays_of.get(&prisoner.id).into_iter().flatten() {
            if let Some(facility) = stay.facility_id.and_then(|id| facility_by_id.get(&id)) {
                if let Ok(json) =
                    serde_json::to_string(&crate::address::record(prisoner, Some(facility)))
                {
                    snapshots.insert(stay.id, json);
                }
            }
        }
    }

    // Letters: who writes to whom and when, drawn unevenly, then put in
    // date order so that ids grow with time as they would.
    let first_letter = max_id(conn, "letters")? + 1;
    let mut prisoner_weights = pareto_weights(&mut rng, inserted.len(), 1.1);
    for (i, w) in prisoner_weights.iter_mut().enumerate() {
        if inserted[i].do_not_write || rng.gen_bool(0.08) {
            *w = 0.0;
        }
    }
    if prisoner_weights.iter().all(|w| *w == 0.0) {
        prisoner_weights[0] = 1.0;
    }
    let prisoner_cdf = cumulative(&prisoner_weights);
    let writer_cdf = cumulative(&pareto_weights(&mut rng, writers.len(), 1.3));
    let mut planned: Vec<(i64, u32, u32)> = Vec::with_capacity(options.letters);
    for _ in 0..options.letters {
        let p = draw(&mut rng, &prisoner_cdf);
        let w = draw(&mut rng, &writer_cdf);
        let person = &people[p];
        let span = (person.until - person.from).num_seconds().max(1);
        let at = person.from.and_utc().timestamp() + rng.gen_range(0..span);
        planned.push((
            at,
            u32::try_from(p).unwrap_or(0),
            u32::try_from(w).unwrap_or(0),
        ));
    }
    planned.sort_unstable();

    let mut codes: HashSet<String> = letters::table
        .filter(letters::reply_code.is_not_null())
        .select(letters::reply_code.assume_not_null())
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let mut batch: Vec<LetterRow> = Vec::with_capacity(CHUNK);
    let report_every = (options.letters / 10).max(1);
    for (n, (at, p, w)) in planned.iter().enumerate() {
        let p = *p as usize;
        let prisoner = &inserted[p];
        let writer = &writers[*w as usize];
        let person = &people[p];
        let created_at = chrono::DateTime::from_timestamp(*at, 0)
            .map(|t| t.naive_utc())
            .unwrap_or(now);
        let stays = stays_of
            .get(&prisoner.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        // The placement at the time of writing; in transit, the last facility.
        let at_date = created_at.date();
        let stay = stays
            .iter()
            .filter(|s| s.facility_id.is_some())
            .rev()
            .find(|s| s.started_on.is_none_or(|d| d <= at_date))
            .or_else(|| stays.iter().find(|s| s.facility_id.is_some()));
        let facility = stay
            .and_then(|s| s.facility_id)
            .and_then(|id| facility_by_id.get(&id));
        let reach = facility
            .and_then(|f| services.get(&f.id))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let channel = {
            let roll = rng.gen_range(0..100);
            if reach.contains(&Service::FsinPismo) && roll < 60 {
                Channel::FsinPismo
            } else if reach.contains(&Service::Zonatelecom) && roll < 75 {
                Channel::Zonatelecom
            } else if reach.contains(&Service::Email) && roll < 85 {
                Channel::Email
            } else {
                Channel::Post
            }
        };
        let code = loop {
            let code = crate::db::letters::new_reply_code(&mut rng);
            if codes.insert(code.clone()) {
                break code;
            }
        };
        let electronic = matches!(channel, Channel::FsinPismo | Channel::Zonatelecom);
        let mut row = LetterRow {
            writer_id: writer.id,
            prisoner_id: prisoner.id,
            placement_id: stay.map(|s| s.id),
            address_snapshot: stay.and_then(|s| snapshots.get(&s.id)).map(String::as_str),
            language: if person.reads_english && rng.gen_bool(0.2) {
                "en"
            } else {
                "ru"
            },
            body: pick(&mut rng, BODIES),
            channel,
            status: LetterStatus::Draft,
            pen_name: writer.pen_name.as_deref(),
            reply_blank: channel == Channel::FsinPismo && rng.gen_bool(0.5),
            pages: None,
            cost_minor: None,
            currency: None,
            receipt_number: None,
            reply_code: Some(code),
            reviewer_id: None,
            review_note: None,
            outcome_note: None,
            hold_reason: None,
            created_at,
            updated_at: created_at,
            submitted_at: None,
            returned_to_writer_at: None,
            rejected_at: None,
            approved_at: None,
            queued_at: None,
            held_at: None,
            sent_at: None,
            delivered_at: None,
            censored_at: None,
            returned_at: None,
            lost_at: None,
            replied_at: None,
        };
        advance(&mut row, &mut rng, now, person, coordinator.id, electronic);
        batch.push(row);
        if batch.len() == CHUNK {
            summary.letters += insert_chunked!(conn, letters::table, batch);
            batch.clear();
        }
        if (n + 1) % report_every == 0 {
            progress(&format!("{} letters", n + 1));
        }
    }
    summary.letters += insert_chunked!(conn, letters::table, batch);
    drop(batch);
    drop(codes);

    // Replies, one per replied letter, matched to it; marked as told to the
    // writer so that nothing e-mails the invented accounts.
    let replies_sql = format!(
        "INSERT INTO replies (prisoner_id, letter_id, writer_id, received_at, channel, reply_code, \
         transcription, notes, blank_unused, match_state, logged_by, writer_notified_at, \
         created_at, updated_at) \
         SELECT prisoner_id, id, writer_id, replied_at, \
         CASE channel WHEN '{fsin}' THEN '{fsin_scan}' WHEN '{zt}' THEN '{zt_scan}' \
         WHEN '{email}' THEN '{email_reply}' ELSE '{paper}' END, \
         reply_code, '{TRANSCRIPTIONS}', '', FALSE, '{matched}', {coordinator}, replied_at, \
         replied_at, replied_at \
         FROM letters WHERE id >= {first_letter} AND replied_at IS NOT NULL ORDER BY replied_at, id",
        fsin = Channel::FsinPismo.as_str(),
        fsin_scan = ReplyChannel::FsinPismoScan.as_str(),
        zt = Channel::Zonatelecom.as_str(),
        zt_scan = ReplyChannel::ZonatelecomScan.as_str(),
        email = Channel::Email.as_str(),
        email_reply = ReplyChannel::Email.as_str(),
        paper = ReplyChannel::Paper.as_str(),
        matched = MatchState::Matched.as_str(),
        coordinator = coordinator.id,
    );
    summary.replies = diesel::sql_query(replies_sql).execute(conn)?;
    progress(&format!("{} replies", summary.replies));

    // The outbox rows the app leaves behind a sent letter: handed over and
    // recorded sent (by hand, or by the worker for e-mail), finished when the
    // letter was sent. Nothing left waits on a send screen.
    let deliveries_sql = format!(
        "INSERT INTO deliveries (letter_id, channel, idempotency_key, state, attempts, \
         next_attempt_at, receipt, created_at, updated_at, finished_at) \
         SELECT id, channel, 'letter-' || CAST(id AS TEXT) || '-' || channel, '{sent}', 1, \
         COALESCE(queued_at, sent_at), receipt_number, COALESCE(queued_at, sent_at), sent_at, sent_at \
         FROM letters WHERE id >= {first_letter} AND sent_at IS NOT NULL ORDER BY id",
        sent = crate::db::deliveries::DeliveryState::Sent.as_str(),
    );
    let outbox = diesel::sql_query(deliveries_sql).execute(conn)?;
    progress(&format!("{outbox} outbox rows"));

    // The summaries lists sort by, from what was just written: the same
    // values note_letter_sent and note_reply would have left, in one statement.
    diesel::sql_query(format!(
        "UPDATE prisoners SET \
         letters_sent_count = (SELECT COUNT(*) FROM letters l \
            WHERE l.prisoner_id = prisoners.id AND l.sent_at IS NOT NULL), \
         last_letter_sent_at = (SELECT MAX(l.sent_at) FROM letters l \
            WHERE l.prisoner_id = prisoners.id), \
         replies_count = (SELECT COUNT(*) FROM replies r WHERE r.prisoner_id = prisoners.id), \
         last_reply_at = (SELECT MAX(r.received_at) FROM replies r \
            WHERE r.prisoner_id = prisoners.id) \
         WHERE prisoners.id >= {first_prisoner}"
    ))
    .execute(conn)?;
    progress("summaries");

    audit::record(
        conn,
        None,
        "load",
        "demo",
        None,
        &serde_json::json!({
            "scaled": summary_json(&summary),
            "seed": options.seed,
        }),
        now,
    )?;
    Ok(summary)
}

/// Walks a letter from draft along one of the paths letters take, stamping
/// each step; a step that would fall after `now` has not happened yet, so
/// recent letters are still on their way. Never leaves a letter approved or
/// queued: those wait for the delivery worker, which has no rows for them.
fn advance(
    row: &mut LetterRow,
    rng: &mut StdRng,
    now: NaiveDateTime,
    person: &Person,
    coordinator: i64,
    electronic: bool,
) {
    use LetterStatus as S;
    let mut at = row.created_at;
    // One step along the path, `after` the last one; false when that would be in the future.
    let step = |row: &mut LetterRow, at: &mut NaiveDateTime, status: S, after: TimeDelta| {
        let next = *at + after;
        if next > now {
            return false;
        }
        *at = next;
        row.status = status;
        row.updated_at = next;
        let stamp = Some(next);
        match status {
            S::Submitted => row.submitted_at = stamp,
            S::ReturnedToWriter => row.returned_to_writer_at = stamp,
            S::Rejected => row.rejected_at = stamp,
            S::Approved => row.approved_at = stamp,
            S::Queued => row.queued_at = stamp,
            S::Held => row.held_at = stamp,
            S::Sent => row.sent_at = stamp,
            S::Delivered => row.delivered_at = stamp,
            S::Censored => row.censored_at = stamp,
            S::Returned => row.returned_at = stamp,
            S::LostOnTransfer => row.lost_at = stamp,
            S::Replied => row.replied_at = stamp,
            S::Draft => {}
        }
        true
    };
    // 3% stay drafts.
    let roll = rng.gen_range(0..100);
    if roll < 3 || !step(row, &mut at, S::Submitted, hours(rng, 1, 48)) {
        return;
    }
    if roll < 5 {
        return;
    }
    if roll < 7 {
        row.reviewer_id = Some(coordinator);
        row.review_note = Some(pick(rng, REVIEW_NOTES));
        let to = if roll < 6 {
            S::ReturnedToWriter
        } else {
            S::Rejected
        };
        step(row, &mut at, to, hours(rng, 1, 72));
        return;
    }
    // Approval; in transit, the letter waits for the new address.
    let approve_after = hours(rng, 1, 72);
    if person
        .transit_since
        .is_some_and(|t| at + approve_after >= t)
    {
        if step(row, &mut at, S::Approved, approve_after) {
            row.reviewer_id = Some(coordinator);
            step(row, &mut at, S::Held, TimeDelta::zero());
            row.hold_reason = Some("in_transit");
        }
        return;
    }
    // Approved, queued and sent together or not at all: a letter left
    // queued would need its outbox row.
    let queue_after = TimeDelta::seconds(rng.gen_range(1..300));
    let send_after = hours(rng, 1, 120);
    if at + approve_after + queue_after + send_after > now {
        return;
    }
    row.reviewer_id = Some(coordinator);
    step(row, &mut at, S::Approved, approve_after);
    step(row, &mut at, S::Queued, queue_after);
    step(row, &mut at, S::Sent, send_after);
    if electronic {
        let pages = rng.gen_range(1..=3);
        row.pages = Some(pages);
        row.cost_minor = Some(i64::from(pages) * 4_000 + if row.reply_blank { 4_000 } else { 0 });
        row.currency = Some(crate::letters::CURRENCY);
        row.receipt_number = Some(format!("{}", rng.gen_range(10_000_000..99_999_999)));
    }
    let (deliver_from, deliver_to) = if electronic { (12, 240) } else { (72, 720) };
    let fate = rng.gen_range(0..100);
    if fate < 7 {
        if step(row, &mut at, S::Censored, hours(rng, 24, 336)) {
            row.outcome_note = Some(OUTCOME_NOTES[0]);
        }
    } else if fate < 9 && row.channel == Channel::Post {
        if step(row, &mut at, S::Returned, hours(rng, 480, 1440)) {
            row.outcome_note = Some(OUTCOME_NOTES[1]);
        }
    } else if fate < 10 {
        if step(row, &mut at, S::LostOnTransfer, hours(rng, 480, 1440)) {
            row.outcome_note = Some(OUTCOME_NOTES[2]);
        }
    } else if fate < 25 {
        // Sent, and nobody has heard more.
    } else if step(
        row,
        &mut at,
        S::Delivered,
        hours(rng, deliver_from, deliver_to),
    ) && fate >= 70
    {
        step(row, &mut at, S::Replied, hours(rng, 120, 1440));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_without_prisoners_or_with_bad_numbers_are_refused() {
        assert_eq!(ScaleOptions::from_flags(None, None, None), Ok(None));
        assert!(ScaleOptions::from_flags(None, Some("10"), None).is_err());
        assert!(ScaleOptions::from_flags(None, None, Some("1")).is_err());
        assert!(ScaleOptions::from_flags(Some("0"), Some("10"), None).is_err());
        assert!(ScaleOptions::from_flags(Some("-3"), Some("10"), None).is_err());
        assert!(ScaleOptions::from_flags(Some("ten"), None, None).is_err());
        assert!(ScaleOptions::from_flags(Some("10"), Some("1e9"), None).is_err());
        assert_eq!(
            ScaleOptions::from_flags(Some("10_000"), Some("1000000"), None),
            Ok(Some(ScaleOptions {
                prisoners: 10_000,
                letters: 1_000_000,
                seed: DEFAULT_SEED
            }))
        );
    }

    #[test]
    fn draws_follow_the_weights() {
        let mut rng = StdRng::seed_from_u64(1);
        let cdf = cumulative(&[0.0, 1.0, 0.0, 3.0]);
        let mut seen = [0usize; 4];
        for _ in 0..4000 {
            seen[draw(&mut rng, &cdf)] += 1;
        }
        assert_eq!(seen[0], 0);
        assert_eq!(seen[2], 0);
        assert!(seen[3] > seen[1] * 2, "{seen:?}");
    }
}
