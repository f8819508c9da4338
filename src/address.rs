//! A prisoner's address as the locale module renders it: the bridge from the
//! stored rows (prisoner, facility) to a `locale::AddressRecord`. Letters keep
//! this record as their address snapshot.

use crate::db::facilities::Facility;
use crate::db::prisoners::{Gender, Prisoner};
use crate::locale::{self, AddressRecord, FacilityAddress, Person};

pub fn record(prisoner: &Prisoner, facility: Option<&Facility>) -> AddressRecord {
    AddressRecord {
        person: person(prisoner),
        facility: facility.map(facility_address).unwrap_or_default(),
    }
}

/// The prisoner's name in Latin letters as every page spells it: by the
/// table of `country`, where they are held (see `locale::latin_name`).
pub fn latin_name(prisoner: &Prisoner, country: Option<&str>) -> String {
    locale::latin_name(&person(prisoner), country)
}

fn person(prisoner: &Prisoner) -> Person {
    Person {
        surname: Some(prisoner.surname.clone()),
        given_name: Some(prisoner.given_name.clone()),
        patronymic: prisoner.patronymic.clone(),
        gender: prisoner.gender.map(|g| match g {
            Gender::Male => locale::Gender::Male,
            Gender::Female => locale::Gender::Female,
        }),
        birth_year: prisoner.birth_year,
        latin_name: prisoner.latin_name.clone(),
    }
}

/// A facility's own address, with no person.
pub fn facility_address(f: &Facility) -> FacilityAddress {
    FacilityAddress {
        country: Some(f.country.clone()),
        name: Some(f.name.clone()),
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
    }
}
