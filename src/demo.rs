//! `konvert demo`: an invented dataset to try Konvert with. Every person in it
//! is made up from common name parts; facility addresses are invented too and
//! say so in their notes. The same seed gives the same data.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::db::facilities::{self, FacilityForm, FacilityKind, Service};
use crate::db::letters::{self, Channel, LetterStatus, NewLetter};
use crate::db::placements::{self, NewPlacement};
use crate::db::prisoners::{
    self, Gender, Measure, PrisonerForm, PrisonerStatus, RecognitionKind, TagKind,
};
use crate::db::replies::{self, MatchState, NewReply, ReplyChannel};
use crate::db::users::{self, NewUser, Role};
use crate::db::{audit, deliveries, write_tx, DbConn};

mod scaled;

pub use scaled::{load as load_scaled, ScaleOptions, DEFAULT_SEED};

const DEMO_DOMAIN: &str = "demo.konvert.invalid";

#[derive(Debug, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub facilities: usize,
    pub prisoners: usize,
    pub placements: usize,
    pub letters: usize,
    pub replies: usize,
    pub users: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the demo data is loaded already (users @{DEMO_DOMAIN} exist)")]
    AlreadyLoaded,
    #[error("other prisoners were added while the demo loaded; nothing was kept, try again")]
    Interleaved,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
    #[error(transparent)]
    Manual(#[from] crate::delivery::manual::ManualError),
}

struct FacilitySeed {
    country: &'static str,
    kind: FacilityKind,
    name: &'static str,
    postcode: &'static str,
    region: &'static str,
    district: Option<&'static str>,
    locality: &'static str,
    street: &'static str,
    house: &'static str,
    services: &'static [Service],
}

const FACILITIES: &[FacilitySeed] = &[
    FacilitySeed {
        country: "RU",
        kind: FacilityKind::Remand,
        name: "ФКУ СИЗО-1 УФСИН России по г. Санкт-Петербургу и Ленинградской области",
        postcode: "196655",
        region: "г. Санкт-Петербург",
        district: None,
        locality: "г. Колпино",
        street: "ул. Колпинская",
        house: "д. 9",
        services: &[Service::FsinPismo, Service::Zonatelecom],
    },
    FacilitySeed {
        country: "RU",
        kind: FacilityKind::Remand,
        name: "ФКУ СИЗО-2 УФСИН России по г. Москве",
        postcode: "127055",
        region: "г. Москва",
        district: None,
        locality: "г. Москва",
        street: "ул. Новослободская",
        house: "д. 45",
        services: &[Service::FsinPismo],
    },
    FacilitySeed {
        country: "RU",
        kind: FacilityKind::Colony,
        name: "ФКУ ИК-6 УФСИН России по Владимирской области",
        postcode: "601446",
        region: "Владимирская обл.",
        district: Some("Вязниковский р-н"),
        locality: "пос. Мелехово",
        street: "ул. Первомайская",
        house: "д. 1",
        services: &[Service::FsinPismo],
    },
    FacilitySeed {
        country: "RU",
        kind: FacilityKind::Colony,
        name: "ФКУ ИК-2 УФСИН России по Республике Мордовия",
        postcode: "431130",
        region: "Республика Мордовия",
        district: Some("Зубово-Полянский р-н"),
        locality: "пос. Явас",
        street: "ул. Лесная",
        house: "д. 5",
        services: &[Service::FsinPismo, Service::Zonatelecom],
    },
    FacilitySeed {
        country: "RU",
        kind: FacilityKind::Colony,
        name: "ФКУ ИК-7 УФСИН России по Республике Карелия",
        postcode: "186350",
        region: "Республика Карелия",
        district: Some("Медвежьегорский р-н"),
        locality: "г. Сегежа",
        street: "ул. Лейгубская",
        house: "д. 3",
        services: &[Service::Zonatelecom],
    },
    FacilitySeed {
        country: "RU",
        kind: FacilityKind::Prison,
        name: "ФКУ Т-2 УФСИН России по Владимирской области",
        postcode: "600020",
        region: "Владимирская обл.",
        district: None,
        locality: "г. Владимир",
        street: "ул. Большая Нижегородская",
        house: "д. 67",
        services: &[Service::FsinPismo],
    },
    FacilitySeed {
        country: "RU",
        kind: FacilityKind::Medical,
        name: "ФКУ ЛИУ-3 ГУФСИН России по Красноярскому краю",
        postcode: "660079",
        region: "Красноярский край",
        district: None,
        locality: "г. Красноярск",
        street: "ул. Краснопресненская",
        house: "д. 14",
        services: &[Service::FsinPismo],
    },
    FacilitySeed {
        country: "BY",
        kind: FacilityKind::Colony,
        name: "Исправительная колония № 4",
        postcode: "246035",
        region: "Гомельская обл.",
        district: None,
        locality: "г. Гомель",
        street: "ул. Антошкина",
        house: "д. 3",
        services: &[],
    },
    FacilitySeed {
        country: "BY",
        kind: FacilityKind::Remand,
        name: "СИЗО-1",
        postcode: "220030",
        region: "Минская обл.",
        district: None,
        locality: "г. Минск",
        street: "ул. Володарского",
        house: "д. 2",
        services: &[],
    },
    FacilitySeed {
        country: "BY",
        kind: FacilityKind::Prison,
        name: "Тюрьма № 8",
        postcode: "222160",
        region: "Минская обл.",
        district: None,
        locality: "г. Жодино",
        street: "ул. Советская",
        house: "д. 22а",
        services: &[],
    },
];

const MALE_GIVEN: &[&str] = &[
    "Алексей",
    "Андрей",
    "Артём",
    "Борис",
    "Вадим",
    "Глеб",
    "Дмитрий",
    "Егор",
    "Иван",
    "Кирилл",
    "Максим",
    "Никита",
    "Олег",
    "Павел",
    "Роман",
    "Сергей",
    "Тимур",
    "Фёдор",
    "Юрий",
    "Илья",
];
const FEMALE_GIVEN: &[&str] = &[
    "Анна",
    "Вера",
    "Дарья",
    "Екатерина",
    "Елена",
    "Ирина",
    "Ксения",
    "Любовь",
    "Мария",
    "Наталья",
    "Ольга",
    "Полина",
];
/// Surname stems with their male and female forms.
const SURNAMES: &[(&str, &str)] = &[
    ("Беляев", "Беляева"),
    ("Воронцов", "Воронцова"),
    ("Громов", "Громова"),
    ("Журавлёв", "Журавлёва"),
    ("Калинин", "Калинина"),
    ("Лебедев", "Лебедева"),
    ("Мельников", "Мельникова"),
    ("Орлов", "Орлова"),
    ("Рябов", "Рябова"),
    ("Тихонов", "Тихонова"),
    ("Островский", "Островская"),
    ("Черных", "Черных"),
    ("Коваленко", "Коваленко"),
    ("Шубин", "Шубина"),
    ("Уваров", "Уварова"),
];
const FATHERS: &[(&str, &str)] = &[
    ("Алексеевич", "Алексеевна"),
    ("Андреевич", "Андреевна"),
    ("Викторович", "Викторовна"),
    ("Игоревич", "Игоревна"),
    ("Николаевич", "Николаевна"),
    ("Петрович", "Петровна"),
    ("Сергеевич", "Сергеевна"),
];
const INTERESTS: &[&str] = &[
    "книги",
    "шахматы",
    "история",
    "музыка",
    "спорт",
    "языки",
    "кино",
    "природа",
];
const RU_CHARGES: &[&str] = &[
    "ч. 2 ст. 207.3 УК РФ",
    "ст. 280.3 УК РФ",
    "ч. 1 ст. 212.1 УК РФ",
    "ст. 205.2 УК РФ",
];
const BY_CHARGES: &[&str] = &["ч. 1 ст. 342 УК РБ", "ст. 130 УК РБ", "ст. 368 УК РБ"];
const BODIES: &[&str] = &[
    "Здравствуйте! Пишу Вам впервые. Меня зовут Анна, я живу в небольшом городе и очень люблю читать. Надеюсь, у Вас всё хорошо.",
    "Добрый день! Как Ваше здоровье? У нас наступила осень, в парке всё жёлтое. Недавно прочитала хорошую книгу о путешествиях.",
    "Здравствуйте! Поздравляю Вас с днём рождения! Желаю здоровья, сил и скорой встречи с близкими.",
    "Привет! Спасибо за ответ, он очень меня порадовал. Расскажите, какие книги Вам нравятся?",
];

/// Loads the demo dataset in one transaction.
pub fn load(conn: &mut DbConn, now: NaiveDateTime) -> Result<DemoSummary, DemoError> {
    write_tx(conn, |conn| {
        if users::find_by_email(conn, &format!("coordinator@{DEMO_DOMAIN}"))?.is_some() {
            return Err(DemoError::AlreadyLoaded);
        }
        let mut rng = StdRng::seed_from_u64(2026);
        let mut summary = DemoSummary::default();

        let coordinator = users::insert(
            conn,
            &NewUser::new(
                &format!("coordinator@{DEMO_DOMAIN}"),
                "Координатор (демо)",
                Role::Coordinator,
                now,
            ),
        )?;
        let mut writers = Vec::new();
        for (i, name) in ["Анна", "Борис", "Вера"].iter().enumerate() {
            let mut new = NewUser::new(
                &format!("volunteer{}@{DEMO_DOMAIN}", i + 1),
                &format!("{name} (демо)"),
                Role::Volunteer,
                now,
            );
            new.pen_name = Some((*name).to_owned());
            writers.push(users::insert(conn, &new)?);
        }
        summary.users = 1 + writers.len();

        let mut facility_rows = Vec::new();
        for seed in FACILITIES {
            let form = FacilityForm {
                country: seed.country.to_owned(),
                kind: seed.kind,
                name: seed.name.to_owned(),
                postcode: Some(seed.postcode.to_owned()),
                region: Some(seed.region.to_owned()),
                district: seed.district.map(str::to_owned),
                locality: Some(seed.locality.to_owned()),
                street: Some(seed.street.to_owned()),
                house: Some(seed.house.to_owned()),
                notes: "Demo record: the address is invented.".to_owned(),
                ..FacilityForm::default()
            };
            let facility = facilities::insert(conn, &form, now)?;
            for service in seed.services {
                facilities::set_service(
                    conn,
                    facility.id,
                    *service,
                    Some(&format!("demo-{}", facility.id)),
                )?;
            }
            facility_rows.push(facility);
        }
        summary.facilities = facility_rows.len();

        for i in 0..30 {
            let female = i % 4 == 1;
            let (male_surname, female_surname) = pick(&mut rng, SURNAMES);
            let (father_m, father_f) = pick(&mut rng, FATHERS);
            let mut form = if female {
                PrisonerForm::new(female_surname, pick(&mut rng, FEMALE_GIVEN), Some(father_f))
            } else {
                PrisonerForm::new(male_surname, pick(&mut rng, MALE_GIVEN), Some(father_m))
            };
            form.gender = Some(if female { Gender::Female } else { Gender::Male });
            let year = rng.gen_range(1955..=2003);
            // A third are known by birth year alone, as many lists publish them.
            if i % 3 == 0 {
                form.birth_year = Some(year);
            } else {
                let birthday =
                    NaiveDate::from_ymd_opt(year, rng.gen_range(1..=12), rng.gen_range(1..=28))
                        .unwrap_or_default();
                form.birth_year = Some(birthday.year());
                form.birth_month = Some(i32::try_from(birthday.month()).unwrap_or(1));
                form.birth_day = Some(i32::try_from(birthday.day()).unwrap_or(1));
            }
            let in_transit = i == 7 || i == 19;
            form.status = if in_transit {
                PrisonerStatus::InTransit
            } else if i % 5 == 0 {
                PrisonerStatus::PreTrial
            } else {
                PrisonerStatus::Convicted
            };
            form.measure = Some(Measure::Custody);
            form.health_urgent = i == 4;
            if i == 11 {
                form.do_not_write = true;
                form.do_not_write_reason =
                    Some("Родственники просили временно не писать.".to_owned());
            }
            if i % 6 == 2 {
                form.release_expected_on =
                    Some(now.date() + TimeDelta::days(rng.gen_range(20..400)));
            }
            form.bio = "Вымышленный человек для демонстрации Konvert.".to_owned();
            let prisoner = prisoners::insert(conn, &form, now)?;
            summary.prisoners += 1;

            let facility_index = i % facility_rows.len();
            let facility = &facility_rows[facility_index];
            let belarus = facility.country == "BY";
            prisoners::add_recognition(
                conn,
                prisoner.id,
                RecognitionKind::PoliticalPrisoner,
                if belarus { "Viasna" } else { "Memorial" },
                Some(now.date() - TimeDelta::days(rng.gen_range(100..1500))),
                None,
            )?;
            prisoners::add_charge(
                conn,
                prisoner.id,
                pick(&mut rng, if belarus { BY_CHARGES } else { RU_CHARGES }),
            )?;
            prisoners::add_tag(conn, prisoner.id, TagKind::Language, "ru")?;
            if i % 4 == 0 {
                prisoners::add_tag(conn, prisoner.id, TagKind::Language, "en")?;
            }
            let mut interests = INTERESTS.to_vec();
            interests.shuffle(&mut rng);
            for interest in interests.iter().take(2) {
                prisoners::add_tag(conn, prisoner.id, TagKind::Interest, interest)?;
            }

            // Some were moved once already; two are on their way somewhere now.
            let arrived = now.date() - TimeDelta::days(rng.gen_range(60..900));
            if i % 5 == 3 {
                let earlier = &facility_rows[(facility_index + 1) % facility_rows.len()];
                placements::transfer(
                    conn,
                    &placement(
                        prisoner.id,
                        Some(earlier.id),
                        arrived - TimeDelta::days(200),
                        now,
                    ),
                    now.date(),
                    now,
                )?;
                summary.placements += 1;
            }
            let current = placements::transfer(
                conn,
                &placement(prisoner.id, Some(facility.id), arrived, now),
                now.date(),
                now,
            )?;
            summary.placements += 1;
            if in_transit {
                placements::transfer(
                    conn,
                    &placement(prisoner.id, None, now.date() - TimeDelta::days(5), now),
                    now.date(),
                    now,
                )?;
                summary.placements += 1;
            }

            if i == 11 {
                continue;
            }
            let snapshot =
                serde_json::to_string(&crate::address::record(&prisoner, Some(facility))).ok();
            let letter_count = rng.gen_range(0..=4);
            for n in 0..letter_count {
                let writer = &writers[rng.gen_range(0..writers.len())];
                let channel = if belarus {
                    Channel::Post
                } else if n % 2 == 0 {
                    Channel::FsinPismo
                } else {
                    Channel::Post
                };
                let written = now - TimeDelta::days(rng.gen_range(1..200));
                let letter = letters::insert(
                    conn,
                    &NewLetter {
                        writer_id: writer.id,
                        prisoner_id: prisoner.id,
                        placement_id: Some(current.id),
                        address_snapshot: snapshot.clone(),
                        language: "ru".to_owned(),
                        body: pick(&mut rng, BODIES).to_owned(),
                        channel,
                        status: LetterStatus::Draft,
                        pen_name: writer.pen_name.clone(),
                        reply_blank: channel == Channel::FsinPismo,
                        reply_code: Some(letters::new_reply_code(&mut rng)),
                        created_at: written,
                        updated_at: written,
                    },
                )?;
                summary.letters += 1;
                let fate = DEMO_FATES[rng.gen_range(0..DEMO_FATES.len())];
                let mut at = written;
                for status in fate {
                    at += TimeDelta::hours(rng.gen_range(2..72));
                    if *status == LetterStatus::Sent {
                        send_by_hand(conn, letter.id, channel, coordinator.id, at)?;
                        continue;
                    }
                    letters::set_status(conn, letter.id, *status, at)?;
                    match status {
                        LetterStatus::Queued => {
                            deliveries::enqueue_letter(conn, letter.id, channel, at)?;
                        }
                        LetterStatus::Replied => {
                            let received = at;
                            replies::insert(
                                conn,
                                &NewReply {
                                    prisoner_id: Some(prisoner.id),
                                    letter_id: Some(letter.id),
                                    writer_id: Some(writer.id),
                                    received_at: received,
                                    channel: if channel == Channel::FsinPismo { ReplyChannel::FsinPismoScan } else { ReplyChannel::Paper },
                                    reply_code: letter.reply_code.clone(),
                                    transcription: "Спасибо за письмо! У меня всё нормально, читаю, занимаюсь спортом.".to_owned(),
                                    notes: String::new(),
                                    blank_unused: false,
                                    match_state: MatchState::Matched,
                                    source_message_id: None,
                                    logged_by: Some(coordinator.id),
                                    created_at: received,
                                    updated_at: received,
                                },
                            )?;
                            prisoners::note_reply(conn, prisoner.id, received)?;
                            summary.replies += 1;
                        }
                        _ => {}
                    }
                }
            }
        }
        audit::record(
            conn,
            None,
            "load",
            "demo",
            None,
            &serde_json::json!(summary_json(&summary)),
            now,
        )?;
        Ok(summary)
    })
}

/// Sends a queued letter the way the app does when no gateway is set up:
/// the worker hands its outbox row to a coordinator, who records it sent by
/// hand (its row sent and finished, the letter sent, the prisoner's count).
fn send_by_hand(
    conn: &mut DbConn,
    letter_id: i64,
    channel: Channel,
    coordinator: i64,
    at: NaiveDateTime,
) -> Result<(), DemoError> {
    const WORKER: &str = "demo";
    let rows = deliveries::for_letter(conn, letter_id)?;
    let row = rows.first().ok_or(diesel::result::Error::NotFound)?;
    deliveries::claim_one(conn, row.id, WORKER, at)?;
    deliveries::record_manual(conn, row.id, WORKER, at)?;
    let receipt = deliveries::ManualReceipt {
        receipt: (channel != Channel::Post).then(|| format!("DEMO-{letter_id:06}")),
        ..Default::default()
    };
    let marked = crate::delivery::manual::record_sent_in(
        conn,
        channel,
        &[row.id],
        coordinator,
        &receipt,
        at,
    )?;
    if marked.letters.is_empty() {
        return Err(crate::delivery::manual::ManualError::Changed.into());
    }
    Ok(())
}

/// The paths letters take in the demo, each a sequence of statuses after the draft.
const DEMO_FATES: &[&[LetterStatus]] = {
    use LetterStatus::*;
    &[
        &[],
        &[Submitted],
        &[Submitted, ReturnedToWriter],
        &[Submitted, Approved, Queued],
        &[Submitted, Approved, Queued, Sent],
        &[Submitted, Approved, Queued, Sent, Delivered],
        &[Submitted, Approved, Queued, Sent, Delivered, Replied],
        &[Submitted, Approved, Queued, Sent, Censored],
    ]
};

fn placement(
    prisoner_id: i64,
    facility_id: Option<i64>,
    started_on: NaiveDate,
    now: NaiveDateTime,
) -> NewPlacement {
    NewPlacement {
        prisoner_id,
        facility_id,
        started_on: Some(started_on),
        address_confirmed_at: facility_id.map(|_| now),
        source: Some("demo".to_owned()),
        notes: String::new(),
        created_by: None,
    }
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    // Only ever called with the non-empty constant lists above.
    items[rng.gen_range(0..items.len())]
}

fn summary_json(s: &DemoSummary) -> serde_json::Value {
    serde_json::json!({
        "facilities": s.facilities, "prisoners": s.prisoners, "placements": s.placements,
        "letters": s.letters, "replies": s.replies, "users": s.users,
    })
}
