//! Prisoners: who they are, their status and the measure imposed, how they are
//! recognised, and the summary columns (last letter, last reply) that lists
//! sort by without aggregating the letters table.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::placements::PlacementState;
use super::schema::{
    facilities, placements, prisoner_charges, prisoner_recognitions, prisoner_sources,
    prisoner_tags, prisoners,
};
use super::text_enum::text_enum;
use super::DbConn;

text_enum! {
    pub enum Gender {
        Male = "male",
        Female = "female",
    }
}

text_enum! {
    pub enum PrisonerStatus {
        PreTrial = "pre_trial",
        Convicted = "convicted",
        InTransit = "in_transit",
        Released = "released",
        Deceased = "deceased",
        Unknown = "unknown",
    }
}

text_enum! {
    /// The measure imposed, as human-rights groups count it.
    pub enum Measure {
        Custody = "custody",
        RestrictionInInstitution = "restriction_institution",
        RestrictionAtHome = "restriction_home",
        HouseArrest = "house_arrest",
        Recognizance = "recognizance",
        FineOrLabour = "fine_or_labour",
        Suspended = "suspended",
        Pardoned = "pardoned",
        ForcedEmigration = "forced_emigration",
    }
}

text_enum! {
    pub enum RecognitionKind {
        PoliticalPrisoner = "political_prisoner",
        PoliticallyPersecuted = "politically_persecuted",
    }
}

text_enum! {
    pub enum TagKind {
        /// A language the prisoner reads (ISO 639-1 code).
        Language = "language",
        Interest = "interest",
    }
}

/// A birth date of which only the year may be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BirthDate {
    pub year: i32,
    pub month: Option<u32>,
    pub day: Option<u32>,
}

impl BirthDate {
    /// Accepts "1979", "1979-03" or "1979-03-14".
    pub fn parse(text: &str) -> Result<BirthDate, String> {
        let text = text.trim();
        let mut parts = text.split('-');
        let bad = || format!("expected a year (1979) or a date (1979-03-14), got {text:?}");
        let year: i32 = parts.next().and_then(|y| y.parse().ok()).ok_or_else(bad)?;
        let month = parts
            .next()
            .map(|m| m.parse::<u32>().map_err(|_| bad()))
            .transpose()?;
        let day = parts
            .next()
            .map(|d| d.parse::<u32>().map_err(|_| bad()))
            .transpose()?;
        if parts.next().is_some() {
            return Err(bad());
        }
        BirthDate::new(year, month, day)
    }

    pub fn new(year: i32, month: Option<u32>, day: Option<u32>) -> Result<BirthDate, String> {
        if !(1900..=2100).contains(&year) {
            return Err(format!("birth year {year} is out of range"));
        }
        match (month, day) {
            (None, Some(_)) => return Err("a birth day needs a month".to_owned()),
            (Some(m), None) if !(1..=12).contains(&m) => {
                return Err(format!("birth month {m} is out of range"))
            }
            (Some(m), Some(d)) if NaiveDate::from_ymd_opt(year, m, d).is_none() => {
                return Err(format!("{year}-{m:02}-{d:02} is not a date"))
            }
            _ => {}
        }
        Ok(BirthDate { year, month, day })
    }

    pub fn from_columns(
        year: Option<i32>,
        month: Option<i32>,
        day: Option<i32>,
    ) -> Option<BirthDate> {
        let to_u32 = |v: Option<i32>| v.and_then(|v| u32::try_from(v).ok());
        BirthDate::new(year?, to_u32(month), to_u32(day)).ok()
    }

    pub fn from_date(date: NaiveDate) -> BirthDate {
        BirthDate {
            year: date.year(),
            month: Some(date.month()),
            day: Some(date.day()),
        }
    }
}

impl std::fmt::Display for BirthDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = prisoners)]
pub struct Prisoner {
    pub id: i64,
    pub surname: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    /// The spelling the person is known by in Latin script; wins over generated ones.
    pub latin_name: Option<String>,
    pub gender: Option<Gender>,
    pub birth_year: Option<i32>,
    pub birth_month: Option<i32>,
    pub birth_day: Option<i32>,
    pub status: PrisonerStatus,
    pub measure: Option<Measure>,
    pub rehabilitated: bool,
    pub release_expected_on: Option<NaiveDate>,
    pub health_urgent: bool,
    pub do_not_write: bool,
    pub do_not_write_reason: Option<String>,
    pub bio: String,
    pub last_letter_sent_at: Option<NaiveDateTime>,
    pub last_reply_at: Option<NaiveDateTime>,
    pub letters_sent_count: i32,
    pub replies_count: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Prisoner {
    /// "May be written to": nobody asked us not to, and they are neither
    /// free nor dead. The same rule in SQL is `may_be_written_to()`.
    pub fn may_be_written_to(&self) -> bool {
        !self.do_not_write && !NOT_CURRENT.contains(&self.status)
    }

    pub fn birth_date(&self) -> Option<BirthDate> {
        BirthDate::from_columns(self.birth_year, self.birth_month, self.birth_day)
    }

    /// The gender that words about this person agree with ("Осуждена"): the
    /// record's, else the one the name shows, as for the address.
    pub fn grammatical_gender(&self) -> Option<Gender> {
        self.gender.or_else(|| {
            crate::locale::infer_gender(&self.surname, &self.given_name, self.patronymic.as_deref())
                .map(|g| match g {
                    crate::locale::Gender::Male => Gender::Male,
                    crate::locale::Gender::Female => Gender::Female,
                })
        })
    }

    /// "Surname Given Patronymic", as Russian lists write it.
    pub fn full_name(&self) -> String {
        full_name(&self.surname, &self.given_name, self.patronymic.as_deref())
    }
}

/// "Surname Given Patronymic", as Russian lists write it: for a prisoner,
/// or for the name columns a list query brings along.
pub fn full_name(surname: &str, given_name: &str, patronymic: Option<&str>) -> String {
    [Some(surname), Some(given_name), patronymic]
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a coordinator edits; the summary columns are kept by the code that
/// sends letters and logs replies, never by a form.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = prisoners, treat_none_as_null = true)]
pub struct PrisonerForm {
    pub surname: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub latin_name: Option<String>,
    pub gender: Option<Gender>,
    pub birth_year: Option<i32>,
    pub birth_month: Option<i32>,
    pub birth_day: Option<i32>,
    pub status: PrisonerStatus,
    pub measure: Option<Measure>,
    pub rehabilitated: bool,
    pub release_expected_on: Option<NaiveDate>,
    pub health_urgent: bool,
    pub do_not_write: bool,
    pub do_not_write_reason: Option<String>,
    pub bio: String,
}

impl PrisonerForm {
    pub fn new(surname: &str, given_name: &str, patronymic: Option<&str>) -> PrisonerForm {
        PrisonerForm {
            surname: surname.to_owned(),
            given_name: given_name.to_owned(),
            patronymic: patronymic.map(str::to_owned),
            latin_name: None,
            gender: None,
            birth_year: None,
            birth_month: None,
            birth_day: None,
            status: PrisonerStatus::Unknown,
            measure: None,
            rehabilitated: false,
            release_expected_on: None,
            health_urgent: false,
            do_not_write: false,
            do_not_write_reason: None,
            bio: String::new(),
        }
    }

    /// Every spelling of the name, folded for search (see `locale::search_key`).
    pub fn search_key(&self) -> String {
        let names = [
            Some(self.surname.as_str()),
            Some(self.given_name.as_str()),
            self.patronymic.as_deref(),
            self.latin_name.as_deref(),
        ];
        crate::locale::search_key(&names.into_iter().flatten().collect::<Vec<_>>().join(" "))
    }

    pub fn set_birth_date(&mut self, birth: Option<BirthDate>) {
        let to_i32 = |v: Option<u32>| v.and_then(|v| i32::try_from(v).ok());
        self.birth_year = birth.map(|b| b.year);
        self.birth_month = birth.and_then(|b| to_i32(b.month));
        self.birth_day = birth.and_then(|b| to_i32(b.day));
    }
}

pub fn insert(conn: &mut DbConn, form: &PrisonerForm, now: NaiveDateTime) -> QueryResult<Prisoner> {
    diesel::insert_into(prisoners::table)
        .values((
            form,
            prisoners::letters_sent_count.eq(0),
            prisoners::replies_count.eq(0),
            prisoners::search_key.eq(form.search_key()),
            prisoners::created_at.eq(now),
            prisoners::updated_at.eq(now),
        ))
        .returning(super::columns_of::<Prisoner>())
        .get_result::<Prisoner>(conn)
}

pub fn update(
    conn: &mut DbConn,
    id: i64,
    form: &PrisonerForm,
    now: NaiveDateTime,
) -> QueryResult<Prisoner> {
    diesel::update(prisoners::table.find(id))
        .set((
            form,
            prisoners::search_key.eq(form.search_key()),
            prisoners::updated_at.eq(now),
        ))
        .returning(super::columns_of::<Prisoner>())
        .get_result::<Prisoner>(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Prisoner>> {
    prisoners::table
        .find(id)
        .select(Prisoner::as_select())
        .first(conn)
        .optional()
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    prisoners::table.count().get_result(conn)
}

/// Keeps the summary columns current when a letter goes out.
pub fn note_letter_sent(conn: &mut DbConn, id: i64, sent_at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(prisoners::table.find(id))
        .set(prisoners::letters_sent_count.eq(prisoners::letters_sent_count + 1))
        .execute(conn)?;
    // Letters are recorded out of order (a coordinator back-fills a receipt),
    // so only a later date moves the mark.
    diesel::update(
        prisoners::table.find(id).filter(
            prisoners::last_letter_sent_at
                .is_null()
                .or(prisoners::last_letter_sent_at.lt(sent_at)),
        ),
    )
    .set(prisoners::last_letter_sent_at.eq(sent_at))
    .execute(conn)?;
    Ok(())
}

/// Keeps the summary columns current when a reply is logged.
pub fn note_reply(conn: &mut DbConn, id: i64, received_at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(prisoners::table.find(id))
        .set(prisoners::replies_count.eq(prisoners::replies_count + 1))
        .execute(conn)?;
    diesel::update(
        prisoners::table.find(id).filter(
            prisoners::last_reply_at
                .is_null()
                .or(prisoners::last_reply_at.lt(received_at)),
        ),
    )
    .set(prisoners::last_reply_at.eq(received_at))
    .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = prisoner_recognitions)]
pub struct Recognition {
    pub id: i64,
    pub prisoner_id: i64,
    pub kind: RecognitionKind,
    /// "Memorial", "Viasna", …
    pub organisation: String,
    pub since: Option<NaiveDate>,
    pub source_url: Option<String>,
}

pub fn add_recognition(
    conn: &mut DbConn,
    prisoner_id: i64,
    kind: RecognitionKind,
    organisation: &str,
    since: Option<NaiveDate>,
    source_url: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(prisoner_recognitions::table)
        .values((
            prisoner_recognitions::prisoner_id.eq(prisoner_id),
            prisoner_recognitions::kind.eq(kind),
            prisoner_recognitions::organisation.eq(organisation),
            prisoner_recognitions::since.eq(since),
            prisoner_recognitions::source_url.eq(source_url),
        ))
        .execute(conn)
        .map(drop)
}

pub fn recognitions(conn: &mut DbConn, prisoner_id: i64) -> QueryResult<Vec<Recognition>> {
    prisoner_recognitions::table
        .filter(prisoner_recognitions::prisoner_id.eq(prisoner_id))
        .order(prisoner_recognitions::since)
        .select(Recognition::as_select())
        .load(conn)
}

/// Adds criminal-code articles ("ст. 207.3 ч. 2 УК РФ").
pub fn add_charge(conn: &mut DbConn, prisoner_id: i64, article: &str) -> QueryResult<()> {
    diesel::insert_into(prisoner_charges::table)
        .values((
            prisoner_charges::prisoner_id.eq(prisoner_id),
            prisoner_charges::article.eq(article),
        ))
        .execute(conn)
        .map(drop)
}

pub fn charges(conn: &mut DbConn, prisoner_id: i64) -> QueryResult<Vec<String>> {
    prisoner_charges::table
        .filter(prisoner_charges::prisoner_id.eq(prisoner_id))
        .order(prisoner_charges::id)
        .select(prisoner_charges::article)
        .load(conn)
}

pub fn add_tag(conn: &mut DbConn, prisoner_id: i64, kind: TagKind, value: &str) -> QueryResult<()> {
    diesel::insert_into(prisoner_tags::table)
        .values((
            prisoner_tags::prisoner_id.eq(prisoner_id),
            prisoner_tags::kind.eq(kind),
            prisoner_tags::value.eq(value),
        ))
        .execute(conn)
        .map(drop)
}

pub fn tags(conn: &mut DbConn, prisoner_id: i64, kind: TagKind) -> QueryResult<Vec<String>> {
    prisoner_tags::table
        .filter(prisoner_tags::prisoner_id.eq(prisoner_id))
        .filter(prisoner_tags::kind.eq(kind))
        .order(prisoner_tags::value)
        .select(prisoner_tags::value)
        .load(conn)
}

pub fn add_source(
    conn: &mut DbConn,
    prisoner_id: i64,
    url: &str,
    title: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(prisoner_sources::table)
        .values((
            prisoner_sources::prisoner_id.eq(prisoner_id),
            prisoner_sources::url.eq(url),
            prisoner_sources::title.eq(title),
        ))
        .execute(conn)
        .map(drop)
}

pub fn sources(conn: &mut DbConn, prisoner_id: i64) -> QueryResult<Vec<(String, Option<String>)>> {
    prisoner_sources::table
        .filter(prisoner_sources::prisoner_id.eq(prisoner_id))
        .order(prisoner_sources::id)
        .select((prisoner_sources::url, prisoner_sources::title))
        .load(conn)
}

// ---- the directory --------------------------------------------------------

/// What the directory is filtered by. Every field narrows the list; `None`
/// (or `false`) leaves it open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectoryFilter {
    /// Free text in any script; matched word by word against `search_key`.
    pub query: Option<String>,
    /// ISO code of the current facility's country.
    pub country: Option<String>,
    /// The current facility's region, by any of its words ("Карелия" finds
    /// "Республика Карелия").
    pub region: Option<String>,
    pub facility_id: Option<i64>,
    pub status: Option<PrisonerStatus>,
    /// Only people who may be written to now.
    pub writable: bool,
    /// Only people with this interest (a prisoner tag).
    pub interest: Option<String>,
    /// Only people who read this language (ISO 639-1).
    pub language: Option<String>,
}

/// One line of the directory: the person and where they are now.
#[derive(Debug, Clone, Queryable)]
pub struct DirectoryEntry {
    pub prisoner: Prisoner,
    pub placement_state: Option<PlacementState>,
    pub facility_id: Option<i64>,
    pub facility_name: Option<String>,
    /// The facility's country: it decides how the name is romanised.
    pub facility_country: Option<String>,
}

/// Escapes LIKE wildcards so that user text matches literally (with `ESCAPE '\'`).
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The filters that need only the prisoners table, applied to `$query`
/// (a boxed query that includes `prisoners`).
macro_rules! prisoner_filters {
    ($query:expr, $filter:expr) => {{
        let filter: &DirectoryFilter = $filter;
        let mut query = $query;
        if let Some(text) = &filter.query {
            // The key is lower-case ASCII words; each word of the query must
            // occur somewhere, in any order ("Андрей Русских" finds "Русских Андрей").
            for word in crate::locale::search_key(text).split(' ').filter(|w| !w.is_empty()) {
                query = query.filter(
                    prisoners::search_key
                        .like(format!("%{}%", like_escape(word)))
                        .escape('\\'),
                );
            }
        }
        if let Some(status) = filter.status {
            query = query.filter(prisoners::status.eq(status));
        }
        if filter.writable {
            query = query.filter(may_be_written_to());
        }
        for (kind, value) in [(TagKind::Interest, &filter.interest), (TagKind::Language, &filter.language)] {
            if let Some(value) = value {
                query = query.filter(diesel::dsl::exists(
                    prisoner_tags::table
                        .filter(prisoner_tags::prisoner_id.eq(prisoners::id))
                        .filter(prisoner_tags::kind.eq(kind))
                        .filter(prisoner_tags::value.eq(value.clone())),
                ));
            }
        }
        query
    }};
}

/// The directory's query with the filter applied: prisoners, their open
/// placement and its facility, in one statement so that the page never loads
/// more than it shows. A macro because the boxed join type is unnameable.
macro_rules! directory_query {
    ($filter:expr, $regions:expr) => {{
        let filter: &DirectoryFilter = $filter;
        let regions: &Option<Vec<String>> = $regions;
        let mut query = prisoners::table
            .left_join(
                placements::table.on(placements::prisoner_id
                    .eq(prisoners::id)
                    .and(placements::ended_on.is_null())),
            )
            .left_join(facilities::table.on(placements::facility_id.eq(facilities::id.nullable())))
            .into_boxed::<super::MultiBackend>();
        if let Some(country) = &filter.country {
            query = query.filter(facilities::country.eq(country.clone()));
        }
        if let Some(regions) = regions {
            query = query.filter(facilities::region.eq_any(regions.clone()));
        }
        if let Some(facility_id) = filter.facility_id {
            query = query.filter(facilities::id.eq(facility_id));
        }
        prisoner_filters!(query, filter)
    }};
}

impl DirectoryFilter {
    /// True when the filter looks at the current facility, so that counting
    /// needs the placement and facility joins.
    fn needs_facility(&self) -> bool {
        self.country.is_some() || self.region.is_some() || self.facility_id.is_some()
    }

    /// True for "everyone who may be written to" and nothing narrower: the
    /// dashboard as it first opens.
    fn only_writable(&self) -> bool {
        self.writable
            && self.query.is_none()
            && !self.needs_facility()
            && self.status.is_none()
            && self.interest.is_none()
            && self.language.is_none()
    }
}

/// Who may not be written to (`Prisoner::may_be_written_to` in SQL), spelt
/// as the partial index `prisoners_not_writable` spells it: SQLite uses a
/// partial index only for a query that repeats its predicate with the values
/// written out, which diesel's bound `IN (?, ?)` is not. The statuses are
/// `NOT_CURRENT`'s (a unit test holds them together).
macro_rules! not_writable_sql {
    () => {
        "(prisoners.do_not_write OR prisoners.status IN ('released', 'deceased'))"
    };
}

/// Who may not be written to, as a query fragment on `prisoners`.
pub fn not_writable() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql(not_writable_sql!())
}

/// The surnames of everyone on the list but `id`, once each, for the
/// composer's "other prisoners named" warning. The recipient's own surname
/// is left out even when a namesake has it.
pub fn other_surnames(conn: &mut DbConn, id: i64) -> QueryResult<Vec<String>> {
    let own: Option<String> = prisoners::table
        .find(id)
        .select(prisoners::surname)
        .first(conn)
        .optional()?;
    let mut all: Vec<String> = prisoners::table
        .filter(prisoners::id.ne(id))
        .select(prisoners::surname)
        .distinct()
        .load(conn)?;
    all.retain(|s| Some(s) != own.as_ref());
    Ok(all)
}

/// People held now in a country whose prisons take letters only from close
/// relatives (`letters::policy`), as a query fragment on `prisoners`. The
/// codes are our own constants, written out like `not_writable`.
pub fn held_where_relatives_only() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    let countries = crate::letters::policy::RELATIVES_ONLY
        .iter()
        .map(|c| format!("'{c}'"))
        .collect::<Vec<_>>()
        .join(", ");
    diesel::dsl::sql(&format!(
        "EXISTS (SELECT 1 FROM placements p JOIN facilities f ON f.id = p.facility_id \
         WHERE p.prisoner_id = prisoners.id AND p.ended_on IS NULL AND f.country IN ({countries}))"
    ))
}

/// Who may be written to, as a query fragment on `prisoners`: the one
/// filter every list, count, pick and reminder uses.
pub fn may_be_written_to() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql(concat!("NOT ", not_writable_sql!()))
}

/// Everyone who may be written to, counted as all prisoners less those who
/// may not. SQLite counts a whole table from its pages without reading a row
/// and the partial index holds only the few left out, where counting the
/// writable directly walked every prisoner on each dashboard request.
fn writable_count(conn: &mut DbConn) -> QueryResult<i64> {
    let all: i64 = prisoners::table.count().get_result(conn)?;
    let not_writable: i64 = prisoners::table
        .filter(not_writable())
        .count()
        .get_result(conn)?;
    Ok(all - not_writable)
}

/// How a directory page is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryOrder {
    /// Surname, then given name.
    Name,
    /// Never written to first, then the oldest last letter. Sorted on the
    /// maintained `last_letter_sent_at`, so no request aggregates the letters table.
    LongestWithoutMail,
}

/// One page of the directory in `order`, and the number of matches in all.
pub fn directory_page(
    conn: &mut DbConn,
    filter: &DirectoryFilter,
    order: DirectoryOrder,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<DirectoryEntry>, i64)> {
    // Everyone has at most one open placement (a unique index), so without
    // a facility filter the joins cannot change the count: leave them out,
    // and the count reads the prisoners_lacking_mail index alone.
    // A region is matched by any of its words, against the few stored
    // regions, so the query itself compares exact values.
    let regions = match &filter.region {
        Some(typed) => Some(super::facilities::regions_named(conn, typed)?),
        None => None,
    };
    let total: i64 = if filter.only_writable() {
        writable_count(conn)?
    } else if filter.needs_facility() {
        directory_query!(filter, &regions)
            .select(diesel::dsl::count_star())
            .get_result(conn)?
    } else {
        prisoner_filters!(prisoners::table.into_boxed::<super::MultiBackend>(), filter)
            .select(diesel::dsl::count_star())
            .get_result(conn)?
    };
    let query = directory_query!(filter, &regions);
    let query = match order {
        DirectoryOrder::Name => query.order((
            prisoners::surname,
            prisoners::given_name,
            prisoners::patronymic,
            prisoners::id,
        )),
        // The index prisoners_lacking_mail has exactly these terms, so the
        // first page is read in order rather than sorted.
        DirectoryOrder::LongestWithoutMail => query.order((
            prisoners::last_letter_sent_at.is_not_null(),
            prisoners::last_letter_sent_at.asc(),
            prisoners::surname,
            prisoners::id,
        )),
    };
    let rows = query
        .limit(limit)
        .offset(offset)
        .select((
            Prisoner::as_select(),
            placements::state.nullable(),
            facilities::id.nullable(),
            facilities::name.nullable(),
            facilities::country.nullable(),
        ))
        .load::<DirectoryEntry>(conn)?;
    Ok((rows, total))
}

/// One page of the directory by name.
pub fn directory(
    conn: &mut DbConn,
    filter: &DirectoryFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<DirectoryEntry>, i64)> {
    directory_page(conn, filter, DirectoryOrder::Name, limit, offset)
}

/// One page of who has gone longest without a letter.
pub fn lacking_mail(
    conn: &mut DbConn,
    filter: &DirectoryFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<DirectoryEntry>, i64)> {
    directory_page(
        conn,
        filter,
        DirectoryOrder::LongestWithoutMail,
        limit,
        offset,
    )
}

/// The distinct values of one kind of tag (the languages people read), in
/// order. Walked through the index on (kind, value) one value at a time, so
/// it reads as many entries as there are distinct values, not tags.
pub fn tag_values(conn: &mut DbConn, kind: TagKind) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Value {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        value: Option<String>,
    }
    let rows: Vec<Value> = diesel::sql_query(
        "WITH RECURSIVE seen(value) AS ( \
           SELECT (SELECT value FROM prisoner_tags WHERE kind = $1 ORDER BY value LIMIT 1) \
           UNION ALL \
           SELECT (SELECT t.value FROM prisoner_tags t \
                   WHERE t.kind = $1 AND t.value > seen.value ORDER BY t.value LIMIT 1) \
           FROM seen WHERE seen.value IS NOT NULL \
         ) SELECT value FROM seen WHERE value IS NOT NULL",
    )
    .bind::<diesel::sql_types::Text, _>(kind.as_str())
    .load(conn)?;
    Ok(rows.into_iter().filter_map(|r| r.value).collect())
}

/// People who can be written to, with a known birth month and day, or an
/// expected release between `from` and `to`: the dashboard's dates.
pub fn with_dates(conn: &mut DbConn, from: NaiveDate, to: NaiveDate) -> QueryResult<Vec<Prisoner>> {
    prisoners::table
        .filter(may_be_written_to())
        .filter(
            prisoners::birth_month
                .is_not_null()
                .and(prisoners::birth_day.is_not_null())
                .or(prisoners::release_expected_on.between(from, to)),
        )
        .select(Prisoner::as_select())
        .load(conn)
}

/// The people whose open placement is at `facility_id`, by name.
pub fn held_at(conn: &mut DbConn, facility_id: i64) -> QueryResult<Vec<Prisoner>> {
    prisoners::table
        .inner_join(placements::table.on(placements::prisoner_id.eq(prisoners::id)))
        .filter(placements::ended_on.is_null())
        .filter(placements::facility_id.eq(facility_id))
        .order((prisoners::surname, prisoners::given_name, prisoners::id))
        .select(Prisoner::as_select())
        .load(conn)
}

/// Sets the status alone (a transfer moves people in and out of transit).
pub fn set_status(
    conn: &mut DbConn,
    id: i64,
    status: PrisonerStatus,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(prisoners::table.find(id))
        .set((prisoners::status.eq(status), prisoners::updated_at.eq(now)))
        .execute(conn)
        .map(drop)
}

/// Replaces the prisoner's tags of one kind with `values` (kept in order, duplicates dropped).
pub fn set_tags(
    conn: &mut DbConn,
    prisoner_id: i64,
    kind: TagKind,
    values: &[String],
) -> QueryResult<()> {
    diesel::delete(
        prisoner_tags::table
            .filter(prisoner_tags::prisoner_id.eq(prisoner_id))
            .filter(prisoner_tags::kind.eq(kind)),
    )
    .execute(conn)?;
    let mut seen = std::collections::HashSet::new();
    for value in values.iter().filter(|v| seen.insert(v.as_str())) {
        add_tag(conn, prisoner_id, kind, value)?;
    }
    Ok(())
}

/// Replaces the prisoner's charges with `articles`.
pub fn set_charges(conn: &mut DbConn, prisoner_id: i64, articles: &[String]) -> QueryResult<()> {
    diesel::delete(prisoner_charges::table.filter(prisoner_charges::prisoner_id.eq(prisoner_id)))
        .execute(conn)?;
    for article in articles {
        add_charge(conn, prisoner_id, article)?;
    }
    Ok(())
}

impl PrisonerForm {
    /// The form as it stands for `prisoner`, for editing.
    pub fn from_prisoner(p: &Prisoner) -> PrisonerForm {
        PrisonerForm {
            surname: p.surname.clone(),
            given_name: p.given_name.clone(),
            patronymic: p.patronymic.clone(),
            latin_name: p.latin_name.clone(),
            gender: p.gender,
            birth_year: p.birth_year,
            birth_month: p.birth_month,
            birth_day: p.birth_day,
            status: p.status,
            measure: p.measure,
            rehabilitated: p.rehabilitated,
            release_expected_on: p.release_expected_on,
            health_urgent: p.health_urgent,
            do_not_write: p.do_not_write,
            do_not_write_reason: p.do_not_write_reason.clone(),
            bio: p.bio.clone(),
        }
    }

    /// The names of the fields that differ from `old`, for the audit log
    /// (names only: a bio or a reason is not copied there).
    pub fn changed_fields(&self, old: &PrisonerForm) -> Vec<&'static str> {
        let mut changed = Vec::new();
        macro_rules! check {
            ($($field:ident),+) => {
                $(if self.$field != old.$field { changed.push(stringify!($field)); })+
            };
        }
        check!(
            surname,
            given_name,
            patronymic,
            latin_name,
            gender,
            birth_year,
            birth_month,
            birth_day,
            status,
            measure,
            rehabilitated,
            release_expected_on,
            health_urgent,
            do_not_write,
            do_not_write_reason,
            bio
        );
        changed
    }
}

/// Replaces the prisoner's recognitions: (kind, organisation, since).
pub fn set_recognitions(
    conn: &mut DbConn,
    prisoner_id: i64,
    list: &[(RecognitionKind, String, Option<NaiveDate>)],
) -> QueryResult<()> {
    diesel::delete(
        prisoner_recognitions::table.filter(prisoner_recognitions::prisoner_id.eq(prisoner_id)),
    )
    .execute(conn)?;
    for (kind, organisation, since) in list {
        add_recognition(conn, prisoner_id, *kind, organisation, *since, None)?;
    }
    Ok(())
}

/// Replaces the prisoner's source links: (url, title).
pub fn set_sources(
    conn: &mut DbConn,
    prisoner_id: i64,
    list: &[(String, Option<String>)],
) -> QueryResult<()> {
    diesel::delete(prisoner_sources::table.filter(prisoner_sources::prisoner_id.eq(prisoner_id)))
        .execute(conn)?;
    for (url, title) in list {
        add_source(conn, prisoner_id, url, title.as_deref())?;
    }
    Ok(())
}

/// The counts a human-rights group publishes: people held now (everyone
/// but the released and the deceased) by status, by the measure imposed and
/// by who recognised them, plus how many were released.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicCounts {
    pub current: i64,
    pub released: i64,
    pub by_status: Vec<(PrisonerStatus, i64)>,
    /// `None` where the measure is not recorded.
    pub by_measure: Vec<(Option<Measure>, i64)>,
    /// People per kind of recognition and recognising organisation.
    pub by_recognition: Vec<(RecognitionKind, String, i64)>,
}

const NOT_CURRENT: [PrisonerStatus; 2] = [PrisonerStatus::Released, PrisonerStatus::Deceased];

pub fn public_counts(conn: &mut DbConn) -> QueryResult<PublicCounts> {
    use diesel::dsl::{count, count_star};
    let by_status: Vec<(PrisonerStatus, i64)> = prisoners::table
        .group_by(prisoners::status)
        .select((prisoners::status, count_star()))
        .load(conn)?;
    let by_measure: Vec<(Option<Measure>, i64)> = prisoners::table
        .filter(prisoners::status.ne_all(NOT_CURRENT))
        .group_by(prisoners::measure)
        .select((prisoners::measure, count_star()))
        .load(conn)?;
    let by_recognition: Vec<(RecognitionKind, String, i64)> = prisoner_recognitions::table
        .inner_join(prisoners::table)
        .filter(prisoners::status.ne_all(NOT_CURRENT))
        .group_by((
            prisoner_recognitions::kind,
            prisoner_recognitions::organisation,
        ))
        .select((
            prisoner_recognitions::kind,
            prisoner_recognitions::organisation,
            count(prisoner_recognitions::prisoner_id).aggregate_distinct(),
        ))
        .load(conn)?;
    let count_of = |s: PrisonerStatus| super::count_of(&by_status, s);
    let released = count_of(PrisonerStatus::Released);
    let current = by_status
        .iter()
        .filter(|(s, _)| !NOT_CURRENT.contains(s))
        .map(|(_, n)| n)
        .sum();
    let mut counts = PublicCounts {
        current,
        released,
        by_status: PrisonerStatus::ALL
            .iter()
            .copied()
            .filter(|s| !NOT_CURRENT.contains(s))
            .map(|s| (s, count_of(s)))
            .filter(|(_, n)| *n > 0)
            .collect(),
        by_measure,
        by_recognition,
    };
    counts.by_measure.sort_by_key(|m| std::cmp::Reverse(m.1));
    counts
        .by_recognition
        .sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
    Ok(counts)
}

/// The people a published list names: those held now, by name. People
/// whose families asked not to be written to are left off.
pub fn published_list(conn: &mut DbConn) -> QueryResult<Vec<Prisoner>> {
    prisoners::table
        .filter(may_be_written_to())
        .order((prisoners::surname, prisoners::given_name, prisoners::id))
        .select(Prisoner::as_select())
        .load(conn)
}

/// Who "write to someone who needs it" (and the digest) may offer: people
/// who can be written to now at a known address (not in transit) and who
/// read one of `languages`. Someone with no language recorded is taken to
/// read Russian. People where only relatives' letters arrive are offered
/// only when the writer asks for them (`with_relatives_only`).
pub fn pick_candidates(
    conn: &mut DbConn,
    languages: &[String],
    with_relatives_only: bool,
) -> QueryResult<Vec<(i64, Option<NaiveDateTime>)>> {
    let reads_one = diesel::dsl::exists(
        prisoner_tags::table
            .filter(prisoner_tags::prisoner_id.eq(prisoners::id))
            .filter(prisoner_tags::kind.eq(TagKind::Language))
            .filter(prisoner_tags::value.eq_any(languages.to_vec())),
    );
    let has_language = diesel::dsl::exists(
        prisoner_tags::table
            .filter(prisoner_tags::prisoner_id.eq(prisoners::id))
            .filter(prisoner_tags::kind.eq(TagKind::Language)),
    );
    let has_address = diesel::dsl::exists(
        placements::table
            .filter(placements::prisoner_id.eq(prisoners::id))
            .filter(placements::ended_on.is_null())
            .filter(placements::facility_id.is_not_null()),
    );
    let mut query = prisoners::table
        .filter(may_be_written_to())
        .filter(prisoners::status.ne(PrisonerStatus::InTransit))
        .filter(has_address)
        .into_boxed::<super::MultiBackend>();
    if !with_relatives_only {
        query = query.filter(diesel::dsl::not(held_where_relatives_only()));
    }
    query = if languages.iter().any(|l| l == "ru") {
        query.filter(reads_one.or(diesel::dsl::not(has_language)))
    } else {
        query.filter(reads_one)
    };
    query
        .select((prisoners::id, prisoners::last_letter_sent_at))
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_of_may_be_written_to_names_the_statuses_the_rust_rule_does() {
        for &status in PrisonerStatus::ALL {
            let quoted = format!("'{}'", status.as_str());
            assert_eq!(
                not_writable_sql!().contains(&quoted),
                NOT_CURRENT.contains(&status),
                "{quoted}"
            );
        }
        assert!(not_writable_sql!().contains("prisoners.do_not_write OR"));
    }

    #[test]
    fn birth_dates_may_be_a_year_alone() {
        assert_eq!(
            BirthDate::parse("1979").unwrap(),
            BirthDate {
                year: 1979,
                month: None,
                day: None
            }
        );
        assert_eq!(
            BirthDate::parse("1979-03-14").unwrap().to_string(),
            "1979-03-14"
        );
        assert!(BirthDate::parse("1979-02-30").is_err());
        assert!(BirthDate::parse("79").is_err());
        assert!(BirthDate::parse("1979-13").is_err());
        assert!(BirthDate::parse("").is_err());
        assert!(BirthDate::parse("1979-1-2-3").is_err());
    }
}
