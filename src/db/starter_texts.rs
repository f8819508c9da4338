//! Starter texts: short letters coordinators write for first-time writers
//! (a first letter, a birthday, a holiday) that the composer offers.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::starter_texts;
use super::text_enum::text_enum;
use super::DbConn;

text_enum! {
    pub enum StarterKind {
        FirstLetter = "first_letter",
        Birthday = "birthday",
        Holiday = "holiday",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = starter_texts)]
pub struct StarterText {
    pub id: i64,
    pub kind: StarterKind,
    /// The language the text is written in (ISO 639-1).
    pub language: String,
    pub title: String,
    pub body: String,
    pub updated_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = starter_texts)]
pub struct StarterForm {
    pub kind: StarterKind,
    pub language: String,
    pub title: String,
    pub body: String,
}

pub fn insert(
    conn: &mut DbConn,
    form: &StarterForm,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<StarterText> {
    diesel::insert_into(starter_texts::table)
        .values((
            form,
            starter_texts::updated_by.eq(by),
            starter_texts::created_at.eq(now),
            starter_texts::updated_at.eq(now),
        ))
        .returning(super::columns_of::<StarterText>())
        .get_result::<StarterText>(conn)
}

pub fn update(
    conn: &mut DbConn,
    id: i64,
    form: &StarterForm,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let changed = diesel::update(starter_texts::table.find(id))
        .set((
            form,
            starter_texts::updated_by.eq(by),
            starter_texts::updated_at.eq(now),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(diesel::result::Error::NotFound);
    }
    Ok(())
}

pub fn delete(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    diesel::delete(starter_texts::table.find(id))
        .execute(conn)
        .map(|n| n > 0)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<StarterText>> {
    starter_texts::table
        .find(id)
        .select(StarterText::as_select())
        .first(conn)
        .optional()
}

/// Every starter text, by language, kind and title.
pub fn list(conn: &mut DbConn) -> QueryResult<Vec<StarterText>> {
    starter_texts::table
        .order((
            starter_texts::language,
            starter_texts::kind,
            starter_texts::title,
            starter_texts::id,
        ))
        .select(StarterText::as_select())
        .load(conn)
}

/// The starter texts written in `language`, for the composer.
pub fn for_language(conn: &mut DbConn, language: &str) -> QueryResult<Vec<StarterText>> {
    starter_texts::table
        .filter(starter_texts::language.eq(language))
        .order((starter_texts::kind, starter_texts::title, starter_texts::id))
        .select(StarterText::as_select())
        .load(conn)
}
