//! Letters, through their whole lifecycle (docs/domain.md, "A letter's
//! life"): each status has its own timestamp column, so "when was it sent"
//! never needs the audit log.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::Rng;

use super::schema::letters;
use super::text_enum::text_enum;
use super::DbConn;

text_enum! {
    pub enum Channel {
        FsinPismo = "fsin_pismo",
        Zonatelecom = "zonatelecom",
        Post = "post",
        Email = "email",
    }
}

text_enum! {
    pub enum LetterStatus {
        Draft = "draft",
        Submitted = "submitted",
        /// Sent back to the writer with a note, to edit and resubmit.
        ReturnedToWriter = "returned_to_writer",
        /// Refused by a coordinator; final.
        Rejected = "rejected",
        Approved = "approved",
        Queued = "queued",
        /// Waiting for an address to be confirmed (transfer, transit).
        Held = "held",
        Sent = "sent",
        Delivered = "delivered",
        /// Blocked by the facility's censor.
        Censored = "censored",
        /// Came back by post.
        Returned = "returned",
        LostOnTransfer = "lost",
        Replied = "replied",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = letters)]
pub struct Letter {
    pub id: i64,
    pub writer_id: i64,
    pub prisoner_id: i64,
    pub placement_id: Option<i64>,
    /// The address the letter was written for, as JSON (a locale::AddressRecord).
    pub address_snapshot: Option<String>,
    pub language: String,
    pub body: String,
    pub channel: Channel,
    pub status: LetterStatus,
    pub pen_name: Option<String>,
    pub reply_blank: bool,
    pub pages: Option<i32>,
    /// In the currency's minor unit (kopecks).
    pub cost_minor: Option<i64>,
    pub currency: Option<String>,
    pub receipt_number: Option<String>,
    pub reply_code: Option<String>,
    pub reviewer_id: Option<i64>,
    pub review_note: Option<String>,
    /// Why it was censored, returned or lost.
    pub outcome_note: Option<String>,
    pub hold_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub returned_to_writer_at: Option<NaiveDateTime>,
    pub rejected_at: Option<NaiveDateTime>,
    pub approved_at: Option<NaiveDateTime>,
    pub queued_at: Option<NaiveDateTime>,
    pub held_at: Option<NaiveDateTime>,
    pub sent_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
    pub censored_at: Option<NaiveDateTime>,
    pub returned_at: Option<NaiveDateTime>,
    pub lost_at: Option<NaiveDateTime>,
    pub replied_at: Option<NaiveDateTime>,
    /// The one-time key of the composer form that made the letter (see
    /// `crate::compose`); `None` for letters made without one.
    pub submission_key: Option<String>,
}

impl Letter {
    /// What a service prints of this letter: its pages come from here on
    /// every screen and in the gateway payload.
    pub fn printed(&self) -> crate::letters::Printed<'_> {
        crate::letters::Printed {
            body: &self.body,
            signature: self.pen_name.as_deref(),
            reply_code: self.reply_code.as_deref(),
        }
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = letters)]
pub struct NewLetter {
    pub writer_id: i64,
    pub prisoner_id: i64,
    pub placement_id: Option<i64>,
    pub address_snapshot: Option<String>,
    pub language: String,
    pub body: String,
    pub channel: Channel,
    pub status: LetterStatus,
    pub pen_name: Option<String>,
    pub reply_blank: bool,
    pub reply_code: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &NewLetter) -> QueryResult<Letter> {
    diesel::insert_into(letters::table)
        .values(new)
        .returning(super::columns_of::<Letter>())
        .get_result::<Letter>(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Letter>> {
    letters::table
        .find(id)
        .select(Letter::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_reply_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<Letter>> {
    letters::table
        .filter(letters::reply_code.eq(code))
        .select(Letter::as_select())
        .first(conn)
        .optional()
}

/// What a writer changes when saving a draft (or a letter returned to them).
/// The placement and address snapshot follow the prisoner's current address,
/// so a draft started before a transfer goes to the new one.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = letters, treat_none_as_null = true)]
pub struct DraftEdit {
    pub placement_id: Option<i64>,
    pub address_snapshot: Option<String>,
    pub language: String,
    pub body: String,
    pub channel: Channel,
    pub pen_name: Option<String>,
    pub reply_blank: bool,
    pub pages: Option<i32>,
    pub cost_minor: Option<i64>,
    pub currency: Option<String>,
}

pub fn update_draft(
    conn: &mut DbConn,
    id: i64,
    edit: &DraftEdit,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let changed = diesel::update(letters::table.find(id))
        .set((edit, letters::updated_at.eq(now)))
        .execute(conn)?;
    if changed == 0 {
        return Err(diesel::result::Error::NotFound);
    }
    Ok(())
}

/// A letter as "My letters" lists it.
#[derive(Debug, Clone)]
pub struct LetterListItem {
    pub letter: Letter,
    pub prisoner_surname: String,
    pub prisoner_given_name: String,
    pub prisoner_patronymic: Option<String>,
    pub writer_name: String,
}

impl LetterListItem {
    /// Still with the writer: a draft, or returned with a note.
    pub fn with_writer(&self) -> bool {
        matches!(
            self.letter.status,
            LetterStatus::Draft | LetterStatus::ReturnedToWriter
        )
    }

    /// The prisoner's full name, as lists show it.
    pub fn prisoner_name(&self) -> String {
        super::prisoners::full_name(
            &self.prisoner_surname,
            &self.prisoner_given_name,
            self.prisoner_patronymic.as_deref(),
        )
    }
}

/// Letters by `writer_id` (every writer's when `None`): those still with the
/// writer first, then the rest, each group newest first. At most `limit`.
pub fn list_for_writer(
    conn: &mut DbConn,
    writer_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<LetterListItem>> {
    use super::schema::{prisoners, users};
    let mut query = letters::table
        .inner_join(prisoners::table)
        .inner_join(users::table.on(users::id.eq(letters::writer_id)))
        .select((
            Letter::as_select(),
            prisoners::surname,
            prisoners::given_name,
            prisoners::patronymic,
            users::display_name,
        ))
        .order((letters::updated_at.desc(), letters::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(writer_id) = writer_id {
        query = query.filter(letters::writer_id.eq(writer_id));
    }
    let rows: Vec<(Letter, String, String, Option<String>, String)> = query.load(conn)?;
    let mut items: Vec<LetterListItem> = rows
        .into_iter()
        .map(
            |(letter, surname, given, patronymic, writer_name)| LetterListItem {
                letter,
                prisoner_surname: surname,
                prisoner_given_name: given,
                prisoner_patronymic: patronymic,
                writer_name,
            },
        )
        .collect();
    // A stable sort keeps the newest-first order inside each group. Sorted
    // here rather than in SQL: ordering by a boolean expression is spelt
    // differently on the two backends.
    items.sort_by_key(|i| !i.with_writer());
    Ok(items)
}

/// Records a coordinator's decision on a letter: who, and the note for the writer.
pub fn set_review(
    conn: &mut DbConn,
    id: i64,
    reviewer_id: Option<i64>,
    note: Option<&str>,
) -> QueryResult<()> {
    diesel::update(letters::table.find(id))
        .set((
            letters::reviewer_id.eq(reviewer_id),
            letters::review_note.eq(note),
        ))
        .execute(conn)
        .map(drop)
}

/// Why it was censored, returned or lost.
pub fn set_outcome_note(conn: &mut DbConn, id: i64, note: Option<&str>) -> QueryResult<()> {
    diesel::update(letters::table.find(id))
        .set(letters::outcome_note.eq(note))
        .execute(conn)
        .map(drop)
}

pub fn set_hold_reason(conn: &mut DbConn, id: i64, reason: Option<&str>) -> QueryResult<()> {
    diesel::update(letters::table.find(id))
        .set(letters::hold_reason.eq(reason))
        .execute(conn)
        .map(drop)
}

/// Points the letter at the prisoner's new placement and address.
pub fn readdress(
    conn: &mut DbConn,
    id: i64,
    placement_id: i64,
    snapshot: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(letters::table.find(id))
        .set((
            letters::placement_id.eq(placement_id),
            letters::address_snapshot.eq(snapshot),
            letters::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// A prisoner's letters in one status.
pub fn for_prisoner_in(
    conn: &mut DbConn,
    prisoner_id: i64,
    status: LetterStatus,
) -> QueryResult<Vec<Letter>> {
    letters::table
        .filter(letters::prisoner_id.eq(prisoner_id))
        .filter(letters::status.eq(status))
        .order(letters::id)
        .select(Letter::as_select())
        .load(conn)
}

/// Letters in one status with their prisoner and writer, oldest first (a
/// review queue is worked from the front).
pub fn in_status(
    conn: &mut DbConn,
    status: LetterStatus,
    limit: i64,
) -> QueryResult<Vec<LetterListItem>> {
    use super::schema::{prisoners, users};
    let rows: Vec<(Letter, String, String, Option<String>, String)> = letters::table
        .inner_join(prisoners::table)
        .inner_join(users::table.on(users::id.eq(letters::writer_id)))
        .filter(letters::status.eq(status))
        .order((letters::updated_at.asc(), letters::id.asc()))
        .limit(limit)
        .select((
            Letter::as_select(),
            prisoners::surname,
            prisoners::given_name,
            prisoners::patronymic,
            users::display_name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(letter, surname, given, patronymic, writer_name)| LetterListItem {
                letter,
                prisoner_surname: surname,
                prisoner_given_name: given,
                prisoner_patronymic: patronymic,
                writer_name,
            },
        )
        .collect())
}

/// E-letters sent since `since`: how many, pages, reply blanks, and the
/// amount paid (kopecks), for the month's spend.
pub fn eletter_spend_since(
    conn: &mut DbConn,
    since: NaiveDateTime,
) -> QueryResult<(i64, i64, i64, i64)> {
    let rows: Vec<(Option<i32>, bool, Option<i64>)> = letters::table
        .filter(letters::sent_at.ge(since))
        .filter(
            letters::channel
                .eq(Channel::FsinPismo)
                .or(letters::channel.eq(Channel::Zonatelecom)),
        )
        .select((letters::pages, letters::reply_blank, letters::cost_minor))
        .load(conn)?;
    let letters = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let pages = rows.iter().map(|r| i64::from(r.0.unwrap_or(0))).sum();
    let blanks = rows.iter().filter(|r| r.1).count();
    let amount = rows.iter().map(|r| r.2.unwrap_or(0)).sum();
    Ok((
        letters,
        pages,
        i64::try_from(blanks).unwrap_or(i64::MAX),
        amount,
    ))
}

pub fn count_by_status(conn: &mut DbConn) -> QueryResult<Vec<(LetterStatus, i64)>> {
    letters::table
        .group_by(letters::status)
        .select((letters::status, diesel::dsl::count_star()))
        .order(letters::status)
        .load(conn)
}

impl LetterStatus {
    /// The statuses a letter may move to `self` from: the lifecycle
    /// (docs/domain.md), written once. Every status change is guarded by it.
    pub fn entered_from(self) -> &'static [LetterStatus] {
        use LetterStatus as S;
        match self {
            // A writer takes back a letter still awaiting review.
            S::Draft => &[S::Submitted, S::ReturnedToWriter],
            S::Submitted => &[S::Draft, S::ReturnedToWriter],
            S::ReturnedToWriter | S::Rejected => &[S::Submitted],
            // From queued: a coordinator cancelled its delivery to send it another way.
            S::Approved => &[S::Submitted, S::Queued],
            S::Queued => &[S::Approved, S::Held],
            S::Held => &[S::Approved, S::Queued],
            // A worker already talking to the service when the letter was
            // held still sent it: the letter went out.
            S::Sent => &[S::Queued, S::Held],
            S::Delivered => &[S::Sent],
            // Delivered letters can still be censored or come back later.
            S::Censored | S::Returned | S::LostOnTransfer => &[S::Sent, S::Delivered],
            S::Replied => &[S::Sent, S::Delivered, S::Censored],
        }
    }

    /// Whether a letter in `from` may move to `self`.
    pub fn may_follow(self, from: LetterStatus) -> bool {
        self.entered_from().contains(&from)
    }
}

/// Moves a letter to `status` if it is in one of `from`, and stamps that
/// status's timestamp column: one guarded `UPDATE … WHERE id = ? AND status
/// IN (…)`, so of two people deciding at once only one moves it. False when
/// the letter is in none of `from` (someone else moved it first) or missing.
pub fn move_status(
    conn: &mut DbConn,
    id: i64,
    from: &[LetterStatus],
    status: LetterStatus,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    use LetterStatus as S;
    let target = letters::table
        .find(id)
        .filter(letters::status.eq_any(from.to_vec()));
    let common = (letters::status.eq(status), letters::updated_at.eq(at));
    let stamped = match status {
        S::Draft => diesel::update(target).set(common).execute(conn),
        S::Submitted => diesel::update(target)
            .set((common, letters::submitted_at.eq(at)))
            .execute(conn),
        S::ReturnedToWriter => diesel::update(target)
            .set((common, letters::returned_to_writer_at.eq(at)))
            .execute(conn),
        S::Rejected => diesel::update(target)
            .set((common, letters::rejected_at.eq(at)))
            .execute(conn),
        S::Approved => diesel::update(target)
            .set((common, letters::approved_at.eq(at)))
            .execute(conn),
        S::Queued => diesel::update(target)
            .set((common, letters::queued_at.eq(at)))
            .execute(conn),
        S::Held => diesel::update(target)
            .set((common, letters::held_at.eq(at)))
            .execute(conn),
        S::Sent => diesel::update(target)
            .set((common, letters::sent_at.eq(at)))
            .execute(conn),
        S::Delivered => diesel::update(target)
            .set((common, letters::delivered_at.eq(at)))
            .execute(conn),
        S::Censored => diesel::update(target)
            .set((common, letters::censored_at.eq(at)))
            .execute(conn),
        S::Returned => diesel::update(target)
            .set((common, letters::returned_at.eq(at)))
            .execute(conn),
        S::LostOnTransfer => diesel::update(target)
            .set((common, letters::lost_at.eq(at)))
            .execute(conn),
        S::Replied => diesel::update(target)
            .set((common, letters::replied_at.eq(at)))
            .execute(conn),
    }?;
    Ok(stamped == 1)
}

/// Moves a letter to `status` from any status the lifecycle allows
/// (`LetterStatus::entered_from`). `NotFound` when the letter is missing or
/// its status cannot be followed by `status` (someone moved it first); use
/// `move_status` to tell the user so.
pub fn set_status(
    conn: &mut DbConn,
    id: i64,
    status: LetterStatus,
    at: NaiveDateTime,
) -> QueryResult<()> {
    if move_status(conn, id, status.entered_from(), status, at)? {
        Ok(())
    } else {
        Err(diesel::result::Error::NotFound)
    }
}

/// What the channel (or the coordinator, reading the service's
/// confirmation) reported for a letter that went out.
#[derive(Debug, Clone, Copy, Default)]
pub struct SentWith<'a> {
    pub receipt: Option<&'a str>,
    pub pages: Option<i32>,
    /// In the currency's minor unit (`crate::letters::CURRENCY`).
    pub cost_minor: Option<i64>,
    /// The coordinator who sent it by hand; `None` for the worker.
    pub by: Option<i64>,
}

/// "Letter sent", the one way it is written: the letter moves to sent (from
/// queued, or held when a worker was already sending it), keeps the receipt
/// and what was paid, the prisoner's summary counts it, and the audit log
/// says who. False when the letter was not on its way any more (nothing is
/// recorded then).
pub fn mark_sent(
    conn: &mut DbConn,
    id: i64,
    sent: &SentWith<'_>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let Some(letter) = find(conn, id)? else {
        return Ok(false);
    };
    if !move_status(
        conn,
        id,
        LetterStatus::Sent.entered_from(),
        LetterStatus::Sent,
        now,
    )? {
        return Ok(false);
    }
    diesel::update(letters::table.find(id))
        .set((
            letters::receipt_number.eq(sent.receipt),
            letters::pages.eq(sent.pages),
            letters::cost_minor.eq(sent.cost_minor),
            letters::currency.eq(sent.cost_minor.map(|_| crate::letters::CURRENCY)),
            letters::hold_reason.eq(None::<String>),
        ))
        .execute(conn)?;
    super::prisoners::note_letter_sent(conn, letter.prisoner_id, now)?;
    super::audit::record(
        conn,
        sent.by,
        "sent",
        "letter",
        Some(id),
        &serde_json::json!({
            "channel": letter.channel,
            "receipt": sent.receipt,
            "by_hand": sent.by.is_some(),
        }),
        now,
    )?;
    Ok(true)
}

/// Per prisoner in `ids`: letters sent since `since_30` and since `since_90`
/// (`since_30` is the later). Bounded by the given prisoners, never the whole table.
pub fn sent_counts(
    conn: &mut DbConn,
    ids: &[i64],
    since_30: NaiveDateTime,
    since_90: NaiveDateTime,
) -> QueryResult<std::collections::HashMap<i64, (i64, i64)>> {
    let mut counts = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(counts);
    }
    let sent: Vec<(i64, Option<NaiveDateTime>)> = letters::table
        .filter(letters::prisoner_id.eq_any(ids))
        .filter(letters::sent_at.ge(since_90))
        .select((letters::prisoner_id, letters::sent_at))
        .load(conn)?;
    for (id, at) in sent {
        let entry = counts.entry(id).or_insert((0, 0));
        entry.1 += 1;
        if at.is_some_and(|t| t >= since_30) {
            entry.0 += 1;
        }
    }
    Ok(counts)
}

/// Per prisoner in `ids`: open drafts.
pub fn draft_counts(
    conn: &mut DbConn,
    ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, i64>> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    letters::table
        .filter(letters::prisoner_id.eq_any(ids))
        .filter(letters::status.eq(LetterStatus::Draft))
        .group_by(letters::prisoner_id)
        .select((letters::prisoner_id, diesel::dsl::count_star()))
        .load(conn)
        .map(|rows: Vec<(i64, i64)>| rows.into_iter().collect())
}

/// A fresh reply code (see `replies::codes`).
pub fn new_reply_code(rng: &mut impl Rng) -> String {
    crate::replies::codes::new_code(rng)
}

/// The letters to `prisoner_id` that a viewer may see, newest first: a
/// writer's own (`Some(writer_id)`), or all of them for a coordinator (`None`).
pub fn visible_for_prisoner(
    conn: &mut DbConn,
    prisoner_id: i64,
    writer_id: Option<i64>,
) -> QueryResult<Vec<Letter>> {
    let mut query = letters::table
        .filter(letters::prisoner_id.eq(prisoner_id))
        .into_boxed::<super::MultiBackend>();
    if let Some(writer_id) = writer_id {
        query = query.filter(letters::writer_id.eq(writer_id));
    }
    query
        .order((letters::created_at.desc(), letters::id.desc()))
        .select(Letter::as_select())
        .load(conn)
}

/// What became of the letters sent to one facility.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FacilityFigures {
    /// `None` for letters written while the person was in transit.
    pub facility_id: Option<i64>,
    pub sent: i64,
    pub delivered: i64,
    pub censored: i64,
    pub replied: i64,
}

/// Letters sent since `since` (all of them for `None`), counted by the
/// facility they were addressed to, with how many were delivered, blocked by
/// the censor and answered. One grouped query: the counting happens in the
/// database.
pub fn by_facility(
    conn: &mut DbConn,
    since: Option<NaiveDateTime>,
) -> QueryResult<Vec<FacilityFigures>> {
    use super::schema::placements;
    use diesel::dsl::{count, count_star};
    let mut query = letters::table
        .inner_join(placements::table.on(letters::placement_id.eq(placements::id.nullable())))
        .filter(letters::sent_at.is_not_null())
        .group_by(placements::facility_id)
        .select((
            placements::facility_id,
            count_star(),
            count(letters::delivered_at),
            count(letters::censored_at),
            count(letters::replied_at),
        ))
        .into_boxed::<super::MultiBackend>();
    if let Some(since) = since {
        query = query.filter(letters::sent_at.ge(since));
    }
    let rows: Vec<(Option<i64>, i64, i64, i64, i64)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(facility_id, sent, delivered, censored, replied)| FacilityFigures {
                facility_id,
                sent,
                delivered,
                censored,
                replied,
            },
        )
        .collect())
}

/// For every answered letter sent since `since`: the facility it went to,
/// when it was sent and when the answer came. The median wait is worked out
/// from these (SQLite has no median).
pub fn reply_waits_by_facility(
    conn: &mut DbConn,
    since: NaiveDateTime,
) -> QueryResult<Vec<(Option<i64>, NaiveDateTime, NaiveDateTime)>> {
    use super::schema::placements;
    let rows: Vec<(Option<i64>, Option<NaiveDateTime>, Option<NaiveDateTime>)> = letters::table
        .inner_join(placements::table.on(letters::placement_id.eq(placements::id.nullable())))
        .filter(letters::sent_at.ge(since))
        .filter(letters::replied_at.is_not_null())
        .select((
            placements::facility_id,
            letters::sent_at,
            letters::replied_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(facility, sent, replied)| Some((facility, sent?, replied?)))
        .collect())
}

/// The statuses of a letter someone is still writing or that is on its way
/// to being sent.
pub const ON_THE_WAY: [LetterStatus; 5] = [
    LetterStatus::Draft,
    LetterStatus::Submitted,
    LetterStatus::Approved,
    LetterStatus::Queued,
    LetterStatus::Held,
];

/// The statuses of a letter approved and not yet sent: the only letters a
/// send screen lists and a coordinator may record as sent. A letter past
/// these (sent, delivered, censored, replied, rejected, …) never waits again.
pub const AWAITING_SENDING: [LetterStatus; 2] = [LetterStatus::Approved, LetterStatus::Queued];

impl LetterStatus {
    pub fn awaits_sending(self) -> bool {
        AWAITING_SENDING.contains(&self)
    }
}

/// What a coordinator read off the service's confirmation (nothing for paper post).
#[derive(Debug, Clone, Default)]
pub struct ManualReceipt {
    pub receipt: Option<String>,
    pub pages: Option<i32>,
    pub cost_minor: Option<i64>,
}

/// How many letters to each person are being written or waiting to go out.
/// Only letters in those statuses are read (the status index), never the
/// whole table.
pub fn on_the_way_by_prisoner(
    conn: &mut DbConn,
) -> QueryResult<std::collections::HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = letters::table
        .filter(letters::status.eq_any(ON_THE_WAY))
        .group_by(letters::prisoner_id)
        .select((letters::prisoner_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

// ---- the writer's own changes ----------------------------------------------
// Each is a guarded update: it changes the row only while the letter is the
// writer's and in a status the step starts from, and says whether it did, so
// that a letter a coordinator decided meanwhile is left alone.

/// Statuses in which the writer may still change the text: being written,
/// returned with a note, or awaiting review (the reviewer reads the text as
/// it is when they decide).
pub const WRITER_EDITABLE: [LetterStatus; 3] = [
    LetterStatus::Draft,
    LetterStatus::ReturnedToWriter,
    LetterStatus::Submitted,
];

/// Statuses from which a writer submits a letter for review.
pub const SUBMITTABLE: [LetterStatus; 2] = [LetterStatus::Draft, LetterStatus::ReturnedToWriter];

/// The writer's letter made by the composer form that carried `key`.
pub fn find_by_submission_key(
    conn: &mut DbConn,
    writer_id: i64,
    key: &str,
) -> QueryResult<Option<Letter>> {
    letters::table
        .filter(letters::submission_key.eq(key))
        .filter(letters::writer_id.eq(writer_id))
        .select(Letter::as_select())
        .first(conn)
        .optional()
}

/// Stamps the form's one-time key on a new letter. A unique violation means
/// another post of the same form got there first.
pub fn set_submission_key(conn: &mut DbConn, id: i64, key: &str) -> QueryResult<()> {
    diesel::update(letters::table.find(id))
        .set(letters::submission_key.eq(key))
        .execute(conn)
        .map(drop)
}

/// Saves the writer's text while the letter is theirs and in one of `from`.
pub fn update_by_writer(
    conn: &mut DbConn,
    id: i64,
    writer_id: i64,
    from: &[LetterStatus],
    edit: &DraftEdit,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        letters::table
            .find(id)
            .filter(letters::writer_id.eq(writer_id))
            .filter(letters::status.eq_any(from.to_vec())),
    )
    .set((edit, letters::updated_at.eq(now)))
    .execute(conn)
    .map(|n| n > 0)
}

/// Submits the writer's letter for review, from a draft or a returned letter.
pub fn submit_by_writer(
    conn: &mut DbConn,
    id: i64,
    writer_id: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        letters::table
            .find(id)
            .filter(letters::writer_id.eq(writer_id))
            .filter(letters::status.eq_any(SUBMITTABLE)),
    )
    .set((
        letters::status.eq(LetterStatus::Submitted),
        letters::submitted_at.eq(now),
        letters::updated_at.eq(now),
    ))
    .execute(conn)
    .map(|n| n > 0)
}

/// Takes the writer's letter back out of review, to a draft again.
pub fn withdraw_by_writer(
    conn: &mut DbConn,
    id: i64,
    writer_id: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        letters::table
            .find(id)
            .filter(letters::writer_id.eq(writer_id))
            .filter(letters::status.eq(LetterStatus::Submitted)),
    )
    .set((
        letters::status.eq(LetterStatus::Draft),
        letters::updated_at.eq(now),
    ))
    .execute(conn)
    .map(|n| n > 0)
}

/// Deletes the writer's draft; nothing that ever left the writer is deleted.
pub fn delete_draft_by_writer(conn: &mut DbConn, id: i64, writer_id: i64) -> QueryResult<bool> {
    diesel::delete(
        letters::table
            .find(id)
            .filter(letters::writer_id.eq(writer_id))
            .filter(letters::status.eq(LetterStatus::Draft)),
    )
    .execute(conn)
    .map(|n| n > 0)
}

/// Who wrote a letter and what it was priced at, for the send screen.
#[derive(Debug, Clone, Queryable)]
pub struct LetterSender {
    pub letter_id: i64,
    pub writer_id: i64,
    pub writer_name: String,
    pub pages: Option<i32>,
    pub cost_minor: Option<i64>,
}

/// The writers and prices of the letters in `ids`.
pub fn senders_of(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<LetterSender>> {
    use super::schema::users;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    letters::table
        .inner_join(users::table.on(users::id.eq(letters::writer_id)))
        .filter(letters::id.eq_any(ids))
        .select((
            letters::id,
            letters::writer_id,
            users::display_name,
            letters::pages,
            letters::cost_minor,
        ))
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::LetterStatus as S;

    #[test]
    fn only_a_submitted_letter_is_decided_and_only_an_approved_one_goes_out() {
        for decision in [S::Rejected, S::ReturnedToWriter] {
            assert_eq!(
                decision.entered_from(),
                [S::Submitted].as_slice(),
                "{decision:?}"
            );
        }
        assert!(S::Approved.may_follow(S::Submitted));
        assert!(!S::Approved.may_follow(S::Rejected));
        for not_approved in [S::Draft, S::Submitted, S::ReturnedToWriter, S::Rejected] {
            for onward in [S::Queued, S::Held, S::Sent, S::Delivered] {
                assert!(
                    !onward.may_follow(not_approved),
                    "{not_approved:?} -> {onward:?}"
                );
            }
        }
        assert!(S::Sent.may_follow(S::Queued));
        assert!(
            !S::LostOnTransfer.may_follow(S::Censored),
            "a final state stays final"
        );
    }
}
