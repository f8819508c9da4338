//! Facilities: colonies, remand prisons and prisons, with their postal address
//! stored as facts (the locale module renders them), and the e-letter services
//! that reach each one.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{facilities, facility_services};
use super::text_enum::text_enum;
use super::DbConn;

text_enum! {
    #[derive(Default)]
    pub enum FacilityKind {
        /// СИЗО: remand prison.
        Remand = "remand",
        /// ИК: penal colony.
        Colony = "colony",
        /// КП: colony settlement.
        Settlement = "settlement",
        /// Т: prison.
        Prison = "prison",
        /// ЛИУ: medical correctional institution.
        Medical = "medical",
        /// ВК: juvenile colony.
        Juvenile = "juvenile",
        /// ИЦ: correctional centre (forced labour).
        CorrectionalCentre = "correctional_centre",
        #[default]
        Other = "other",
    }
}

text_enum! {
    /// A way of sending that a facility is reachable by, besides paper post.
    pub enum Service {
        FsinPismo = "fsin_pismo",
        Zonatelecom = "zonatelecom",
        Email = "email",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = facilities)]
pub struct Facility {
    pub id: i64,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub kind: FacilityKind,
    /// The official name, written as is ("ФКУ ИК-6 УФСИН России по …").
    pub name: String,
    pub name_en: Option<String>,
    pub postcode: Option<String>,
    pub region: Option<String>,
    pub district: Option<String>,
    pub locality: Option<String>,
    pub street: Option<String>,
    pub house: Option<String>,
    pub building: Option<String>,
    /// Latin overrides for place parts, where the generated form is wrong.
    pub region_en: Option<String>,
    pub district_en: Option<String>,
    pub locality_en: Option<String>,
    pub street_en: Option<String>,
    pub notes: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Default, Insertable, AsChangeset)]
#[diesel(table_name = facilities, treat_none_as_null = true)]
pub struct FacilityForm {
    pub country: String,
    pub kind: FacilityKind,
    pub name: String,
    pub name_en: Option<String>,
    pub postcode: Option<String>,
    pub region: Option<String>,
    pub district: Option<String>,
    pub locality: Option<String>,
    pub street: Option<String>,
    pub house: Option<String>,
    pub building: Option<String>,
    pub region_en: Option<String>,
    pub district_en: Option<String>,
    pub locality_en: Option<String>,
    pub street_en: Option<String>,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = facility_services)]
pub struct FacilityService {
    pub id: i64,
    pub facility_id: i64,
    pub service: Service,
    /// The service's own identifier for the facility (or the relay's address for e-mail).
    pub external_id: Option<String>,
}

pub fn insert(conn: &mut DbConn, form: &FacilityForm, now: NaiveDateTime) -> QueryResult<Facility> {
    diesel::insert_into(facilities::table)
        .values((
            form,
            facilities::created_at.eq(now),
            facilities::updated_at.eq(now),
        ))
        .returning(super::columns_of::<Facility>())
        .get_result::<Facility>(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Facility>> {
    facilities::table
        .find(id)
        .select(Facility::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut DbConn) -> QueryResult<Vec<Facility>> {
    facilities::table
        .order((facilities::country, facilities::region, facilities::name))
        .select(Facility::as_select())
        .load(conn)
}

/// A facility as a filter offers it: by name, and where it is, which gives
/// the filter's countries and regions too.
#[derive(Debug, Clone, Queryable)]
pub struct FacilityChoice {
    pub id: i64,
    pub name: String,
    pub country: String,
    pub region: Option<String>,
}

/// Each region named once, sorted: what a region filter offers.
pub fn distinct_regions<'a>(regions: impl IntoIterator<Item = Option<&'a str>>) -> Vec<&'a str> {
    let mut regions: Vec<&str> = regions
        .into_iter()
        .flatten()
        .filter(|r| !r.is_empty())
        .collect();
    regions.sort_unstable();
    regions.dedup();
    regions
}

/// Every facility in the order of `list`, for a filter's choices.
pub fn choices(conn: &mut DbConn) -> QueryResult<Vec<FacilityChoice>> {
    facilities::table
        .order((facilities::country, facilities::region, facilities::name))
        .select((
            facilities::id,
            facilities::name,
            facilities::country,
            facilities::region,
        ))
        .load(conn)
}

/// The stored regions that `typed` names by any of their words, in any
/// script ("Карелия" → "Республика Карелия"; see `locale::words_match`).
pub fn regions_named(conn: &mut DbConn, typed: &str) -> QueryResult<Vec<String>> {
    let regions: Vec<Option<String>> = facilities::table
        .select(facilities::region)
        .distinct()
        .load(conn)?;
    Ok(regions
        .into_iter()
        .flatten()
        .filter(|region| crate::locale::words_match(typed, region))
        .collect())
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    facilities::table.count().get_result(conn)
}

/// Records that `service` reaches the facility, replacing an earlier entry.
pub fn set_service(
    conn: &mut DbConn,
    facility_id: i64,
    service: Service,
    external_id: Option<&str>,
) -> QueryResult<()> {
    diesel::delete(
        facility_services::table
            .filter(facility_services::facility_id.eq(facility_id))
            .filter(facility_services::service.eq(service)),
    )
    .execute(conn)?;
    diesel::insert_into(facility_services::table)
        .values((
            facility_services::facility_id.eq(facility_id),
            facility_services::service.eq(service),
            facility_services::external_id.eq(external_id),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn services(conn: &mut DbConn, facility_id: i64) -> QueryResult<Vec<FacilityService>> {
    facility_services::table
        .filter(facility_services::facility_id.eq(facility_id))
        .order(facility_services::service)
        .select(FacilityService::as_select())
        .load(conn)
}

pub fn update(
    conn: &mut DbConn,
    id: i64,
    form: &FacilityForm,
    now: NaiveDateTime,
) -> QueryResult<Facility> {
    diesel::update(facilities::table.find(id))
        .set((form, facilities::updated_at.eq(now)))
        .returning(super::columns_of::<Facility>())
        .get_result::<Facility>(conn)
}

/// Records that `service` no longer reaches the facility.
pub fn remove_service(conn: &mut DbConn, facility_id: i64, service: Service) -> QueryResult<()> {
    diesel::delete(
        facility_services::table
            .filter(facility_services::facility_id.eq(facility_id))
            .filter(facility_services::service.eq(service)),
    )
    .execute(conn)
    .map(drop)
}

impl FacilityForm {
    /// The form as it stands for `facility`, for editing.
    pub fn from_facility(f: &Facility) -> FacilityForm {
        FacilityForm {
            country: f.country.clone(),
            kind: f.kind,
            name: f.name.clone(),
            name_en: f.name_en.clone(),
            postcode: f.postcode.clone(),
            region: f.region.clone(),
            district: f.district.clone(),
            locality: f.locality.clone(),
            street: f.street.clone(),
            house: f.house.clone(),
            building: f.building.clone(),
            region_en: f.region_en.clone(),
            district_en: f.district_en.clone(),
            locality_en: f.locality_en.clone(),
            street_en: f.street_en.clone(),
            notes: f.notes.clone(),
        }
    }

    /// The names of the fields that differ from `old`, for the audit log.
    pub fn changed_fields(&self, old: &FacilityForm) -> Vec<&'static str> {
        let mut changed = Vec::new();
        macro_rules! check {
            ($($field:ident),+) => {
                $(if self.$field != old.$field { changed.push(stringify!($field)); })+
            };
        }
        check!(
            country,
            kind,
            name,
            name_en,
            postcode,
            region,
            district,
            locality,
            street,
            house,
            building,
            region_en,
            district_en,
            locality_en,
            street_en,
            notes
        );
        changed
    }
}
