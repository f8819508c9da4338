//! The address record and its three renderings.
//!
//! One stored record (person + facility) becomes:
//! - `line`: the one-line form prisoner-support lists publish, in Russian;
//! - `envelope`: one element per line in the destination's postal order;
//! - `english`: a romanised form for writers who cannot read Cyrillic.
//!
//! Envelope choices: the birth year goes on the name line in the short form
//! ("Русских Андрею Владимировичу, 1979 г.р."), since prisons sort by name and
//! year together. Russia and Kazakhstan end with the postcode line; Belarus
//! puts the postcode before the town ("246035, г. Гомель"); Ukraine keeps the
//! nominative name and ends with the postcode. From abroad the destination
//! country, in capitals, follows as the very last line (UPU), so the postcode
//! is then the line before it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use super::declension::to_dative;
use super::facility_name::english_facility_name;
use super::places::{
    building_en, district_en, house_en, locality_en, region_en, street_en, Country,
};
use super::translit::transliterate;
use super::validate::{present, validate_record, AddressError};
use super::{Gender, LocaleError};

/// Which rendering to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    Line,
    Envelope,
    English,
}

impl Style {
    pub fn as_str(self) -> &'static str {
        match self {
            Style::Line => "line",
            Style::Envelope => "envelope",
            Style::English => "english",
        }
    }
}

impl fmt::Display for Style {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Style {
    type Err = LocaleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "line" => Ok(Style::Line),
            "envelope" => Ok(Style::Envelope),
            "english" => Ok(Style::English),
            _ => Err(LocaleError::UnknownStyle {
                value: s.to_string(),
            }),
        }
    }
}

/// Everything needed to address a letter to one person in one facility.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddressRecord {
    #[serde(deserialize_with = "null_as_default")]
    pub person: Person,
    #[serde(deserialize_with = "null_as_default")]
    pub facility: FacilityAddress,
}

/// `"facility": null` means "nothing known yet", same as leaving it out.
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// The recipient's name parts in the nominative, as stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Person {
    pub surname: Option<String>,
    pub given_name: Option<String>,
    pub patronymic: Option<String>,
    #[serde(deserialize_with = "lenient_gender")]
    pub gender: Option<Gender>,
    #[serde(deserialize_with = "lenient_year")]
    pub birth_year: Option<i32>,
    /// A known Latin spelling (passport, the person's own); always preferred
    /// over a generated one.
    pub latin_name: Option<String>,
}

/// Where the facility is. `country` is an ISO 3166 alpha-2 code; the `*_en`
/// fields override generated English.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FacilityAddress {
    pub country: Option<String>,
    pub name: Option<String>,
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
}

/// Accepts null, "" and any capitalisation of male/female, since records come
/// from hand-edited imports.
fn lenient_gender<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Gender>, D::Error> {
    let raw: Option<String> = Option::deserialize(d)?;
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// Accepts a number, a numeric string, null or "".
fn lenient_year<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Year {
        Number(i64),
        Text(String),
    }
    match Option::<Year>::deserialize(d)? {
        None => Ok(None),
        Some(Year::Number(n)) => i32::try_from(n)
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("birth_year out of range: {n}"))),
        Some(Year::Text(s)) if s.trim().is_empty() => Ok(None),
        Some(Year::Text(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("birth_year is not a year: {s:?}"))),
    }
}

/// Renders `record` in `style`. `from_country` is the sender's ISO code; when
/// it differs from the destination, the envelope ends with the destination
/// country in capitals. Envelope lines are joined with '\n'.
pub fn render_address(
    record: &AddressRecord,
    style: Style,
    from_country: Option<&str>,
) -> Result<String, AddressError> {
    validate_record(record, style)?;
    let country = Country::from_code(record.facility.country.as_deref().unwrap_or(""));
    let sender = from_country
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(Country::from_code)
        .filter(|s| *s != country);
    Ok(match style {
        Style::Line => render_line(record, &country),
        Style::Envelope => render_envelope(record, &country, sender.as_ref()),
        Style::English => render_english(record, &country),
    })
}

/// Collects address parts, skipping blanks and a part equal to the one before
/// it (a region "г. Москва" after the locality "г. Москва").
#[derive(Default)]
struct Parts(Vec<String>);

impl Parts {
    fn push(&mut self, part: Option<impl AsRef<str>>) {
        let Some(part) = part else { return };
        let part = part.as_ref().trim().trim_end_matches(',').trim();
        if part.is_empty() || self.0.last().is_some_and(|last| last == part) {
            return;
        }
        self.0.push(part.to_string());
    }

    fn join(&self, sep: &str) -> String {
        self.0.join(sep)
    }
}

/// The name as the destination's post expects it: dative for Russia, Belarus
/// and Kazakhstan; nominative elsewhere (Ukraine keeps the nominative, and
/// for other countries we do not know the case).
fn recipient(record: &AddressRecord, country: &Country) -> String {
    let p = &record.person;
    let surname = present(&p.surname).unwrap_or("");
    let given = present(&p.given_name).unwrap_or("");
    let patronymic = present(&p.patronymic);
    match country {
        Country::Ru | Country::By | Country::Kz => {
            to_dative(surname, given, patronymic, p.gender).to_string()
        }
        Country::Ua | Country::Other(_) => [Some(surname), Some(given), patronymic]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn birth_year(record: &AddressRecord) -> i32 {
    // validate_record guarantees a year; 0 is never printed.
    record.person.birth_year.unwrap_or(0)
}

fn field(value: &Option<String>) -> Option<&str> {
    present(value)
}

fn render_line(record: &AddressRecord, country: &Country) -> String {
    let f = &record.facility;
    let mut parts = Parts::default();
    parts.push(field(&f.postcode));
    parts.push(Some(country.name_ru()));
    parts.push(field(&f.region));
    parts.push(field(&f.district));
    parts.push(field(&f.locality));
    parts.push(field(&f.street));
    parts.push(field(&f.house));
    parts.push(field(&f.building));
    parts.push(field(&f.name));
    parts.push(Some(recipient(record, country)));
    parts.push(Some(format!("{} года рождения", birth_year(record))));
    format!("{}.", parts.join(", "))
}

fn render_envelope(record: &AddressRecord, country: &Country, sender: Option<&Country>) -> String {
    let f = &record.facility;
    let year = birth_year(record);
    let name_line = match country {
        Country::Ru | Country::By | Country::Kz => {
            format!("{}, {year} г.р.", recipient(record, country))
        }
        // Ukrposhta reads Ukrainian: "року народження".
        Country::Ua => format!("{}, {year} р.н.", recipient(record, country)),
        Country::Other(_) => format!("{} ({year})", recipient(record, country)),
    };
    let mut street = Parts::default();
    street.push(field(&f.street));
    street.push(field(&f.house));
    street.push(field(&f.building));

    let mut lines = Parts::default();
    lines.push(Some(name_line));
    lines.push(field(&f.name));
    lines.push(Some(street.join(", ")));
    let places = [field(&f.locality), field(&f.district), field(&f.region)];
    if *country == Country::By {
        let mut places = places.into_iter().flatten();
        let postcode = field(&f.postcode).unwrap_or("");
        match places.next() {
            Some(first) => lines.push(Some(format!("{postcode}, {first}"))),
            None => lines.push(Some(postcode)),
        }
        for place in places {
            lines.push(Some(place));
        }
    } else {
        for place in places {
            lines.push(place);
        }
        lines.push(field(&f.postcode));
    }
    if let Some(sender) = sender {
        lines.push(Some(country.abroad_line(sender)));
    }
    lines.join("\n")
}

/// The person's name in Latin letters, spelt the one way every page and
/// address shows it: the stored spelling when there is one, else the given
/// name, patronymic and surname romanised by the passport table of the
/// country where the person is held (`country`, an ISO code; Russia's table
/// when it is not known). The English address style uses this function too,
/// so a heading and the address under it never spell a person two ways.
pub fn latin_name(person: &Person, country: Option<&str>) -> String {
    latin_name_in(person, &Country::from_code(country.unwrap_or("")))
}

fn latin_name_in(p: &Person, country: &Country) -> String {
    if let Some(latin) = present(&p.latin_name) {
        return latin.to_string();
    }
    let scheme = country.person_scheme();
    [
        present(&p.given_name),
        present(&p.patronymic),
        present(&p.surname),
    ]
    .into_iter()
    .flatten()
    .map(|part| transliterate(scheme, part))
    .collect::<Vec<_>>()
    .join(" ")
}

fn render_english(record: &AddressRecord, country: &Country) -> String {
    let f = &record.facility;
    let place_scheme = country.place_scheme();

    let name = latin_name_in(&record.person, country);
    let facility = english_facility_name(present(&f.name).unwrap_or(""), present(&f.name_en))
        .map(|en| en.text)
        .or_else(|| present(&f.name).map(|n| transliterate(place_scheme, n)));

    let street = present(&f.street_en)
        .map(str::to_string)
        .or_else(|| present(&f.street).map(|s| street_en(s, place_scheme)));
    let house = present(&f.house).map(|h| house_en(h, place_scheme));
    let street_line = match (house, street) {
        (Some(h), Some(s)) => Some(format!("{h} {s}")),
        (h, s) => h.or(s),
    };

    let mut parts = Parts::default();
    parts.push(Some(format!("{name} (born {})", birth_year(record))));
    parts.push(facility);
    parts.push(street_line);
    parts.push(present(&f.building).map(|b| building_en(b, place_scheme)));
    parts.push(
        present(&f.locality_en)
            .map(str::to_string)
            .or_else(|| present(&f.locality).map(|l| locality_en(l, place_scheme))),
    );
    parts.push(
        present(&f.district_en)
            .map(str::to_string)
            .or_else(|| present(&f.district).map(|d| district_en(d, place_scheme))),
    );
    parts.push(
        present(&f.region_en)
            .map(str::to_string)
            .or_else(|| present(&f.region).map(|r| region_en(r, country))),
    );
    parts.push(field(&f.postcode));
    parts.push(Some(country.name_en()));
    format!("{}.", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> AddressRecord {
        serde_json::from_str(
            r#"{
              "person": {"surname": "Русских", "given_name": "Андрей",
                         "patronymic": "Владимирович", "gender": "male", "birth_year": 1979},
              "facility": {"country": "RU",
                "name": "ФКУ СИЗО-1 УФСИН России по г. Санкт-Петербургу и Ленинградской области",
                "postcode": "196655", "region": "г. Санкт-Петербург",
                "locality": "г. Колпино", "street": "ул. Колпинская", "house": "д. 9"}
            }"#,
        )
        .unwrap()
    }

    fn belarus() -> AddressRecord {
        let mut r = AddressRecord::default();
        r.person.surname = Some("Лосик".into());
        r.person.given_name = Some("Игорь".into());
        r.person.patronymic = Some("Александрович".into());
        r.person.birth_year = Some(1992);
        r.facility.country = Some("BY".into());
        r.facility.name = Some("ГУ «Исправительная колония № 1»".into());
        r.facility.postcode = Some("246035".into());
        r.facility.locality = Some("г. Гомель".into());
        r.facility.street = Some("ул. Федюнинского".into());
        r.facility.house = Some("д. 10".into());
        r
    }

    /// The issue's example: ru-icao in the heading and be-icao in the address
    /// spelt one Belarusian prisoner two ways on one page.
    #[test]
    fn the_latin_name_is_the_one_the_english_address_uses() {
        let mut r = belarus();
        r.person.surname = Some("Беляев".into());
        r.person.given_name = Some("Алексей".into());
        r.person.patronymic = Some("Сергеевич".into());
        let name = latin_name(&r.person, r.facility.country.as_deref());
        assert_eq!(name, "Aleksei Serheievich Beliaiev");
        let english = render_address(&r, Style::English, None).unwrap();
        assert!(
            english.starts_with(&format!("{name} (born 1992)")),
            "{english}"
        );
        // Russia's table where the country is Russia or not known.
        assert_eq!(
            latin_name(&r.person, Some("RU")),
            "Aleksei Sergeevich Beliaev"
        );
        assert_eq!(latin_name(&r.person, None), "Aleksei Sergeevich Beliaev");
        // A stored spelling wins everywhere.
        r.person.latin_name = Some(" Aliaksei Bialiayeu ".into());
        assert_eq!(latin_name(&r.person, Some("BY")), "Aliaksei Bialiayeu");
        let english = render_address(&r, Style::English, None).unwrap();
        assert!(
            english.starts_with("Aliaksei Bialiayeu (born 1992)"),
            "{english}"
        );
    }

    fn ukraine() -> AddressRecord {
        let mut r = AddressRecord::default();
        r.person.surname = Some("Шевченко".into());
        r.person.given_name = Some("Андрій".into());
        r.person.patronymic = Some("Петрович".into());
        r.person.birth_year = Some(1985);
        r.facility.country = Some("UA".into());
        r.facility.name = Some("Лук'янівський слідчий ізолятор".into());
        r.facility.postcode = Some("04050".into());
        r.facility.region = Some("Київ".into());
        r.facility.locality = Some("м. Київ".into());
        r.facility.street = Some("вул. Дегтярівська".into());
        r.facility.house = Some("13".into());
        r
    }

    fn kazakhstan() -> AddressRecord {
        let mut r = AddressRecord::default();
        r.person.surname = Some("Ахметова".into());
        r.person.given_name = Some("Айгерим".into());
        r.person.birth_year = Some(1990);
        r.facility.country = Some("KZ".into());
        r.facility.name = Some("Учреждение ЛА-155/4".into());
        r.facility.postcode = Some("Z05T3E0".into());
        r.facility.region = Some("Карагандинская область".into());
        r.facility.locality = Some("г. Караганда".into());
        r
    }

    #[test]
    fn style_parses() {
        assert_eq!("line".parse::<Style>(), Ok(Style::Line));
        assert_eq!("Envelope".parse::<Style>(), Ok(Style::Envelope));
        assert_eq!("english".parse::<Style>(), Ok(Style::English));
        assert!(matches!(
            "short".parse::<Style>(),
            Err(LocaleError::UnknownStyle { .. })
        ));
    }

    #[test]
    fn russian_envelope_at_home_ends_with_postcode() {
        let out = render_address(&seed(), Style::Envelope, None).unwrap();
        assert_eq!(
            out,
            "Русских Андрею Владимировичу, 1979 г.р.\n\
             ФКУ СИЗО-1 УФСИН России по г. Санкт-Петербургу и Ленинградской области\n\
             ул. Колпинская, д. 9\n\
             г. Колпино\n\
             г. Санкт-Петербург\n\
             196655"
        );
        let same = render_address(&seed(), Style::Envelope, Some("ru")).unwrap();
        assert_eq!(same, out);
    }

    #[test]
    fn russian_envelope_from_abroad_ends_with_country_in_senders_language() {
        let de = render_address(&seed(), Style::Envelope, Some("DE")).unwrap();
        assert!(de.ends_with("\n196655\nRUSSLAND"), "{de}");
        let fr = render_address(&seed(), Style::Envelope, Some("FR")).unwrap();
        assert!(fr.ends_with("\n196655\nRUSSIE"), "{fr}");
        let jp = render_address(&seed(), Style::Envelope, Some("JP")).unwrap();
        assert!(jp.ends_with("\n196655\nRUSSIA"), "{jp}");
    }

    #[test]
    fn belarus_envelope_puts_postcode_before_town() {
        let out = render_address(&belarus(), Style::Envelope, None).unwrap();
        assert_eq!(
            out,
            "Лосику Игорю Александровичу, 1992 г.р.\n\
             ГУ «Исправительная колония № 1»\n\
             ул. Федюнинского, д. 10\n\
             246035, г. Гомель"
        );
        let abroad = render_address(&belarus(), Style::Envelope, Some("GB")).unwrap();
        assert!(
            abroad.ends_with("246035, г. Гомель\nREPUBLIC OF BELARUS"),
            "{abroad}"
        );
    }

    #[test]
    fn ukraine_envelope_keeps_nominative_and_five_digit_postcode() {
        let out = render_address(&ukraine(), Style::Envelope, None).unwrap();
        assert_eq!(
            out,
            "Шевченко Андрій Петрович, 1985 р.н.\n\
             Лук'янівський слідчий ізолятор\n\
             вул. Дегтярівська, 13\n\
             м. Київ\n\
             Київ\n\
             04050"
        );
        let abroad = render_address(&ukraine(), Style::Envelope, Some("DE")).unwrap();
        assert!(abroad.ends_with("04050\nUKRAINE"), "{abroad}");
    }

    #[test]
    fn kazakhstan_envelope_is_like_russia() {
        let out = render_address(&kazakhstan(), Style::Envelope, None).unwrap();
        assert_eq!(
            out,
            "Ахметовой Айгерим, 1990 г.р.\n\
             Учреждение ЛА-155/4\n\
             г. Караганда\n\
             Карагандинская область\n\
             Z05T3E0"
        );
        let abroad = render_address(&kazakhstan(), Style::Envelope, Some("de")).unwrap();
        assert!(abroad.ends_with("Z05T3E0\nKASACHSTAN"), "{abroad}");
    }

    #[test]
    fn other_country_envelope_uses_nominative_and_english_country() {
        let mut r = seed();
        r.facility.country = Some("GE".into());
        r.facility.postcode = Some("0114".into());
        let out = render_address(&r, Style::Envelope, Some("DE")).unwrap();
        assert!(
            out.starts_with("Русских Андрей Владимирович (1979)\n"),
            "{out}"
        );
        assert!(out.ends_with("\n0114\nGEORGIA"), "{out}");
        let line = render_address(&r, Style::Line, None).unwrap();
        assert!(line.starts_with("0114, Грузия, "), "{line}");
    }

    #[test]
    fn line_skips_empty_parts() {
        let mut r = seed();
        r.facility.street = Some("  ".into());
        r.facility.house = None;
        r.facility.region = Some(String::new());
        let out = render_address(&r, Style::Line, None).unwrap();
        assert_eq!(
            out,
            "196655, Россия, г. Колпино, ФКУ СИЗО-1 УФСИН России по г. Санкт-Петербургу и \
             Ленинградской области, Русских Андрею Владимировичу, 1979 года рождения."
        );
        assert!(!out.contains(", ,"));
    }

    #[test]
    fn ukraine_line_keeps_nominative() {
        let out = render_address(&ukraine(), Style::Line, None).unwrap();
        assert_eq!(
            out,
            "04050, Украина, Київ, м. Київ, вул. Дегтярівська, 13, Лук'янівський слідчий \
             ізолятор, Шевченко Андрій Петрович, 1985 года рождения."
        );
    }

    #[test]
    fn english_uses_country_specific_person_schemes() {
        let by = render_address(&belarus(), Style::English, None).unwrap();
        // The record is spelt in Russian, so the Belarusian passport table
        // gives "Ihor"; Viasna's "Ihar" comes from a stored latin_name.
        assert_eq!(
            by,
            "Ihor Aleksandrovich Losik (born 1992), Penal Colony No. 1, \
             10 Fedyuninskogo Street, Gomel, 246035, Belarus."
        );
        let ua = render_address(&ukraine(), Style::English, None).unwrap();
        assert_eq!(
            ua,
            "Andrii Petrovych Shevchenko (born 1985), Lukianivskyi slidchyi izoliator, \
             13 Dehtiarivska Street, Kyiv, 04050, Ukraine."
        );
    }

    #[test]
    fn english_prefers_stored_latin_spellings_and_overrides() {
        let mut r = seed();
        r.person.latin_name = Some("Andrey Russkikh".into());
        r.facility.name_en = None;
        r.facility.street_en = Some("Kolpinskaya Ulitsa".into());
        r.facility.locality_en = Some("Kolpino town".into());
        r.facility.region_en = Some("Saint Petersburg".into());
        let out = render_address(&r, Style::English, None).unwrap();
        assert_eq!(
            out,
            "Andrey Russkikh (born 1979), Remand Prison No. 1, Russian Federal Penitentiary \
             Service for St. Petersburg and Leningrad Oblast, 9 Kolpinskaya Ulitsa, \
             Kolpino town, Saint Petersburg, 196655, Russia."
        );
    }

    #[test]
    fn english_with_building_district_and_oblast() {
        let mut r = seed();
        r.facility.name = Some("ФКУ ИК-6 УФСИН России по Владимирской области".into());
        r.facility.region = Some("Владимирская обл.".into());
        r.facility.district = Some("Петушинский р-н".into());
        r.facility.locality = Some("г. Покров".into());
        r.facility.street = Some("ул. Франца Штольверка".into());
        r.facility.house = Some("д. 100".into());
        r.facility.building = Some("корп. 2".into());
        r.facility.postcode = Some("601120".into());
        let out = render_address(&r, Style::English, None).unwrap();
        assert_eq!(
            out,
            "Andrei Vladimirovich Russkikh (born 1979), Penal Colony No. 6, Russian Federal \
             Penitentiary Service for Vladimir Oblast, 100 Frantsa Shtolverka Street, bldg. 2, \
             Pokrov, Petushinsky District, Vladimir Oblast, 601120, Russia."
        );
    }

    #[test]
    fn english_falls_back_to_romanised_facility_name() {
        let out = render_address(&kazakhstan(), Style::English, None).unwrap();
        assert_eq!(
            out,
            "Aigerim Akhmetova (born 1990), Uchrezhdeniye LA-155/4, Karaganda, \
             Karaganda Region, Z05T3E0, Kazakhstan."
        );
    }

    #[test]
    fn english_needs_only_latin_name_when_cyrillic_is_missing() {
        let mut r = seed();
        r.person.surname = None;
        r.person.given_name = None;
        assert_eq!(
            render_address(&r, Style::Line, None),
            Err(AddressError::Missing {
                field: "person.surname"
            })
        );
        r.person.latin_name = Some("Andrei Russkikh".into());
        assert!(render_address(&r, Style::English, None).is_ok());
    }

    #[test]
    fn missing_and_invalid_fields_are_reported_by_name() {
        let mut r = seed();
        r.person.birth_year = None;
        assert_eq!(
            render_address(&r, Style::Line, None)
                .unwrap_err()
                .to_string(),
            "person.birth_year: required but missing"
        );
        r.person.birth_year = Some(1850);
        assert!(matches!(
            render_address(&r, Style::Envelope, None),
            Err(AddressError::ImplausibleBirthYear { value: 1850 })
        ));
        let mut r = seed();
        r.facility.postcode = Some("19665".into());
        assert_eq!(
            render_address(&r, Style::English, None)
                .unwrap_err()
                .to_string(),
            "facility.postcode: expected six digits for RU, got \"19665\""
        );
        let mut r = seed();
        r.facility.name = None;
        assert_eq!(
            render_address(&r, Style::Line, None),
            Err(AddressError::Missing {
                field: "facility.name"
            })
        );
        let mut r = seed();
        r.facility.country = None;
        assert_eq!(
            render_address(&r, Style::Line, None),
            Err(AddressError::Missing {
                field: "facility.country"
            })
        );
        assert!(render_address(&AddressRecord::default(), Style::English, None).is_err());
    }

    #[test]
    fn lenient_record_fields() {
        let r: AddressRecord = serde_json::from_str(
            r#"{"person": {"gender": "", "birth_year": "1979", "extra": 1},
                "facility": null, "unknown": true}"#,
        )
        .unwrap();
        assert_eq!(r.person.birth_year, Some(1979));
        assert_eq!(r.person.gender, None);
        let r: AddressRecord =
            serde_json::from_str(r#"{"person": {"gender": "Female", "birth_year": null}}"#)
                .unwrap();
        assert_eq!(r.person.gender, Some(Gender::Female));
        assert!(serde_json::from_str::<AddressRecord>(r#"{"person": {"gender": "x"}}"#).is_err());
        let back = serde_json::to_string(&r).unwrap();
        assert!(back.contains("\"gender\":\"female\""), "{back}");
    }
}
