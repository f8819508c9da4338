//! Countries and place names: Russian and English country names, postcode
//! formats, and the English rendering of streets, houses, localities,
//! districts and regions.
//!
//! English place names use the diacritic-free BGN/PCGN romanisation (KMU 2010
//! for Ukraine), conventional exonyms for the few cities that have one, and
//! Wikipedia's English names for Russian federal subjects. Regions are rendered
//! as "Vladimir Oblast" / "Krasnoyarsk Krai" / "Republic of Tatarstan" in
//! Russia and Ukraine, and as "Gomel Region" / "Karaganda Region" in Belarus
//! and Kazakhstan, which is how those countries' own English texts name them.

use super::translit::{transliterate, Scheme};

/// A destination or sender country, by ISO 3166 alpha-2 code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Country {
    Ru,
    By,
    Ua,
    Kz,
    /// Any other country, by its upper-cased code as stored.
    Other(String),
}

impl Country {
    /// Understands ISO alpha-2 and alpha-3 codes and the usual names, because
    /// imported records are not always tidy.
    pub(crate) fn from_code(code: &str) -> Country {
        let upper = code.trim().to_uppercase();
        match upper.as_str() {
            "RU" | "RUS" | "RUSSIA" | "RUSSIAN FEDERATION" | "РОССИЯ" | "РФ" => Country::Ru,
            "BY" | "BLR" | "BELARUS" | "БЕЛАРУСЬ" | "БЕЛАРУСЬ." | "БЕЛАРУСЬ," => {
                Country::By
            }
            "UA" | "UKR" | "UKRAINE" | "УКРАИНА" | "УКРАЇНА" => Country::Ua,
            "KZ" | "KAZ" | "KAZAKHSTAN" | "КАЗАХСТАН" => Country::Kz,
            _ => Country::Other(upper),
        }
    }

    pub(crate) fn code(&self) -> &str {
        match self {
            Country::Ru => "RU",
            Country::By => "BY",
            Country::Ua => "UA",
            Country::Kz => "KZ",
            Country::Other(code) => code,
        }
    }

    /// True for a country whose names we know (see `OTHER_COUNTRIES`).
    pub(crate) fn is_known(&self) -> bool {
        match self {
            Country::Other(code) => OTHER_COUNTRIES.iter().any(|entry| entry.0 == code),
            _ => true,
        }
    }

    /// Every country whose names we know, by code.
    pub(crate) fn known_codes() -> impl Iterator<Item = &'static str> {
        ["RU", "BY", "UA", "KZ"]
            .into_iter()
            .chain(OTHER_COUNTRIES.iter().map(|entry| entry.0))
    }

    pub(crate) fn postcode_format(&self) -> &'static str {
        match self {
            Country::Ru | Country::By => "six digits",
            Country::Ua => "five digits",
            Country::Kz => "six digits or a letter-digit code like A15E3C5",
            Country::Other(_) => "up to 12 letters, digits, spaces or hyphens",
        }
    }

    pub(crate) fn postcode_matches(&self, value: &str) -> bool {
        let digits = |n: usize| value.len() == n && value.bytes().all(|b| b.is_ascii_digit());
        match self {
            Country::Ru | Country::By => digits(6),
            Country::Ua => digits(5),
            // Kazpost's code since 2023: letter, two digits, letter, digit,
            // letter, digit (Z05T3E0); the old six digits are still in use.
            Country::Kz => digits(6) || kz_letter_code(value),
            Country::Other(_) => {
                value.chars().count() <= 12
                    && value.chars().any(|c| c.is_ascii_alphanumeric())
                    && value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
            }
        }
    }

    /// The country's name in Russian, as the one-line form prints it.
    pub(crate) fn name_ru(&self) -> String {
        match self {
            Country::Ru => "Россия".into(),
            Country::By => "Беларусь".into(),
            Country::Ua => "Украина".into(),
            Country::Kz => "Казахстан".into(),
            Country::Other(code) => other_name(code, |(_, ru, _)| ru),
        }
    }

    pub(crate) fn name_en(&self) -> String {
        match self {
            Country::Ru => "Russia".into(),
            Country::By => "Belarus".into(),
            Country::Ua => "Ukraine".into(),
            Country::Kz => "Kazakhstan".into(),
            Country::Other(code) => other_name(code, |(_, _, en)| en),
        }
    }

    /// The last envelope line for mail from `sender`: the destination alone,
    /// in capitals, in the sender's language where we know it (UPU).
    pub(crate) fn abroad_line(&self, sender: &Country) -> String {
        let lang = sender_language(sender);
        let names: [&str; 9] = match self {
            Country::Ru => [
                "RUSSIA",
                "RUSSLAND",
                "RUSSIE",
                "RUSIA",
                "RUSSIA",
                "ROSJA",
                "RUSLAND",
                "РОССИЯ",
                "РОСІЯ",
            ],
            // Belpochta asks for the official name in English.
            Country::By => [
                "REPUBLIC OF BELARUS",
                "BELARUS",
                "BÉLARUS",
                "BIELORRUSIA",
                "BIELORUSSIA",
                "BIAŁORUŚ",
                "BELARUS",
                "БЕЛАРУСЬ",
                "БІЛОРУСЬ",
            ],
            Country::Ua => [
                "UKRAINE",
                "UKRAINE",
                "UKRAINE",
                "UCRANIA",
                "UCRAINA",
                "UKRAINA",
                "OEKRAÏNE",
                "УКРАИНА",
                "УКРАЇНА",
            ],
            Country::Kz => [
                "KAZAKHSTAN",
                "KASACHSTAN",
                "KAZAKHSTAN",
                "KAZAJISTÁN",
                "KAZAKISTAN",
                "KAZACHSTAN",
                "KAZACHSTAN",
                "КАЗАХСТАН",
                "КАЗАХСТАН",
            ],
            Country::Other(_) => return self.name_en().to_uppercase(),
        };
        names.get(lang).copied().unwrap_or("").to_string()
    }

    /// Scheme for person names: each country's passport table.
    pub(crate) fn person_scheme(&self) -> Scheme {
        match self {
            Country::By => Scheme::BeIcao,
            Country::Ua => Scheme::UkKmu2010,
            _ => Scheme::RuIcao,
        }
    }

    /// Scheme for place names. Belarusian and Kazakh addresses are mostly
    /// stored in Russian, so they use the Russian place-name table.
    pub(crate) fn place_scheme(&self) -> Scheme {
        match self {
            Country::Ua => Scheme::UkKmu2010,
            _ => Scheme::RuBgn,
        }
    }

    fn oblast_word(&self) -> &'static str {
        match self {
            Country::By | Country::Kz => "Region",
            _ => "Oblast",
        }
    }
}

fn kz_letter_code(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() == 7
        && b.iter().enumerate().all(|(i, c)| match i {
            0 | 3 | 5 => c.is_ascii_alphabetic(),
            _ => c.is_ascii_digit(),
        })
}

/// Index into the per-language name arrays of `abroad_line`:
/// en, de, fr, es, it, pl, nl, ru, uk.
fn sender_language(sender: &Country) -> usize {
    match sender {
        Country::Ru | Country::By | Country::Kz => 7,
        Country::Ua => 8,
        Country::Other(code) => match code.as_str() {
            "DE" | "AT" | "CH" | "LI" => 1,
            "FR" | "BE" | "LU" | "MC" => 2,
            "ES" | "MX" | "AR" | "CL" | "CO" | "PE" | "UY" => 3,
            "IT" | "SM" | "VA" => 4,
            "PL" => 5,
            "NL" => 6,
            _ => 0,
        },
    }
}

/// Countries writers and prisoners are most often in: (code, Russian, English).
const OTHER_COUNTRIES: &[(&str, &str, &str)] = &[
    ("AM", "Армения", "Armenia"),
    ("AT", "Австрия", "Austria"),
    ("AZ", "Азербайджан", "Azerbaijan"),
    ("CA", "Канада", "Canada"),
    ("CH", "Швейцария", "Switzerland"),
    ("CZ", "Чехия", "Czech Republic"),
    ("DE", "Германия", "Germany"),
    ("EE", "Эстония", "Estonia"),
    ("ES", "Испания", "Spain"),
    ("FI", "Финляндия", "Finland"),
    ("FR", "Франция", "France"),
    ("GB", "Великобритания", "United Kingdom"),
    ("GE", "Грузия", "Georgia"),
    ("IL", "Израиль", "Israel"),
    ("IT", "Италия", "Italy"),
    ("KG", "Киргизия", "Kyrgyzstan"),
    ("LT", "Литва", "Lithuania"),
    ("LV", "Латвия", "Latvia"),
    ("MD", "Молдова", "Moldova"),
    ("NL", "Нидерланды", "Netherlands"),
    ("NO", "Норвегия", "Norway"),
    ("PL", "Польша", "Poland"),
    ("RS", "Сербия", "Serbia"),
    ("SE", "Швеция", "Sweden"),
    ("TJ", "Таджикистан", "Tajikistan"),
    ("TM", "Туркменистан", "Turkmenistan"),
    ("TR", "Турция", "Turkey"),
    ("US", "США", "United States"),
    ("UZ", "Узбекистан", "Uzbekistan"),
];

fn other_name(
    code: &str,
    pick: impl Fn(&(&str, &'static str, &'static str)) -> &'static str,
) -> String {
    OTHER_COUNTRIES
        .iter()
        .find(|entry| entry.0 == code)
        .map(|entry| pick(entry).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// Splits a leading type word such as "ул." or "г." off `s`, choosing the
/// longest key that matches case-insensitively. A key without a final dot
/// must be followed by a non-letter, so "д" does not match "Дубна".
pub(crate) fn split_leading<'a, T: Copy>(s: &'a str, table: &[(&str, T)]) -> Option<(T, &'a str)> {
    let s = s.trim();
    let lower = normalize(s);
    let mut best: Option<(usize, T)> = None;
    for (key, value) in table {
        if !lower.starts_with(key) {
            continue;
        }
        let key_chars = key.chars().count();
        let next = lower.chars().nth(key_chars);
        let boundary = key.ends_with('.') || next.is_none_or(|c| !c.is_alphabetic());
        if boundary && best.is_none_or(|(len, _)| key_chars > len) {
            best = Some((key_chars, *value));
        }
    }
    let (key_chars, value) = best?;
    let rest = match s.char_indices().nth(key_chars) {
        Some((offset, _)) => s.get(offset..).unwrap_or(""),
        None => "",
    };
    Some((value, rest.trim()))
}

/// Splits a trailing type word ("Колпинская ул.") off `s`.
fn split_trailing<'a, T: Copy>(s: &'a str, table: &[(&str, T)]) -> Option<(T, &'a str)> {
    let s = s.trim();
    let (head, last) = s.rsplit_once(char::is_whitespace)?;
    let last = normalize(last);
    table
        .iter()
        .find(|(key, _)| *key == last)
        .map(|(_, value)| (*value, head.trim()))
}

/// Lower case with ё folded into е, since stored names use both.
pub(crate) fn normalize(s: &str) -> String {
    s.to_lowercase().replace('ё', "е")
}

const STREET_TYPES: &[(&str, &str)] = &[
    ("улица", "Street"),
    ("ул.", "Street"),
    ("ул", "Street"),
    ("вулиця", "Street"),
    ("вуліца", "Street"),
    ("вул.", "Street"),
    ("вул", "Street"),
    ("проспект", "Avenue"),
    ("праспект", "Avenue"),
    ("пр-кт", "Avenue"),
    ("пр-т", "Avenue"),
    ("просп.", "Avenue"),
    ("просп", "Avenue"),
    ("пр.", "Avenue"),
    ("переулок", "Lane"),
    ("пер.", "Lane"),
    ("пер", "Lane"),
    ("провулок", "Lane"),
    ("пров.", "Lane"),
    ("завулак", "Lane"),
    ("шоссе", "Highway"),
    ("шосе", "Highway"),
    ("шаша", "Highway"),
    ("ш.", "Highway"),
    ("площадь", "Square"),
    ("площа", "Square"),
    ("плошча", "Square"),
    ("пл.", "Square"),
    ("бульвар", "Boulevard"),
    ("бульв.", "Boulevard"),
    ("б-р", "Boulevard"),
    ("набережная", "Embankment"),
    ("набережна", "Embankment"),
    ("наб.", "Embankment"),
    ("проезд", "Passage"),
    ("праезд", "Passage"),
    ("проїзд", "Passage"),
    ("пр-д", "Passage"),
    ("микрорайон", "Microdistrict"),
    ("мікрорайон", "Microdistrict"),
    ("мкрн.", "Microdistrict"),
    ("мкр.", "Microdistrict"),
    ("мкр", "Microdistrict"),
    ("тупик", "Cul-de-sac"),
    ("туп.", "Cul-de-sac"),
    ("тракт", "Tract"),
];

/// "ул. Колпинская" → "Kolpinskaya Street".
pub(crate) fn street_en(street: &str, scheme: Scheme) -> String {
    let street = street.trim();
    match split_leading(street, STREET_TYPES).or_else(|| split_trailing(street, STREET_TYPES)) {
        Some((kind, name)) if !name.is_empty() => {
            format!("{} {kind}", transliterate(scheme, name))
        }
        Some((kind, _)) => kind.to_string(),
        None => transliterate(scheme, street),
    }
}

const HOUSE_PREFIXES: &[(&str, ())] = &[
    ("дом", ()),
    ("д.", ()),
    ("д", ()),
    ("будинок", ()),
    ("буд.", ()),
    ("№", ()),
];

/// "д. 9" → "9", "дом № 9а" → "9a".
pub(crate) fn house_en(house: &str, scheme: Scheme) -> String {
    let mut rest = house.trim();
    // A prefix can repeat: "дом № 9".
    for _ in 0..3 {
        match split_leading(rest, HOUSE_PREFIXES) {
            Some(((), tail)) => rest = tail,
            None => break,
        }
    }
    transliterate(scheme, rest)
}

const BUILDING_PREFIXES: &[(&str, &str)] = &[
    ("корпус", "bldg."),
    ("корп.", "bldg."),
    ("корп", "bldg."),
    ("к.", "bldg."),
    ("строение", "bldg."),
    ("стр.", "bldg."),
    ("стр", "bldg."),
    ("литера", "lit."),
    ("литер", "lit."),
    ("лит.", "lit."),
];

/// "корп. 2" → "bldg. 2"; anything else is romanised as stored.
pub(crate) fn building_en(building: &str, scheme: Scheme) -> String {
    match split_leading(building, BUILDING_PREFIXES) {
        Some((label, rest)) if !rest.is_empty() => {
            format!("{label} {}", transliterate(scheme, rest))
        }
        _ => transliterate(scheme, building.trim()),
    }
}

/// How a locality type shows in English: dropped for towns, a trailing word
/// for settlements and villages ("Uglovoye settlement").
const LOCALITY_TYPES: &[(&str, Option<&str>)] = &[
    ("город", None),
    ("гор.", None),
    ("г.", None),
    ("г", None),
    ("місто", None),
    ("м.", None),
    ("горад", None),
    ("посёлок городского типа", Some("settlement")),
    ("поселок городского типа", Some("settlement")),
    ("рабочий посёлок", Some("settlement")),
    ("рабочий поселок", Some("settlement")),
    ("пгт.", Some("settlement")),
    ("пгт", Some("settlement")),
    ("п.г.т.", Some("settlement")),
    ("р.п.", Some("settlement")),
    ("рп.", Some("settlement")),
    ("рп", Some("settlement")),
    ("г.п.", Some("settlement")),
    ("гп", Some("settlement")),
    ("посёлок", Some("settlement")),
    ("поселок", Some("settlement")),
    ("пос.", Some("settlement")),
    ("п.", Some("settlement")),
    ("п", Some("settlement")),
    ("смт.", Some("settlement")),
    ("смт", Some("settlement")),
    ("селище", Some("settlement")),
    ("село", Some("village")),
    ("с.", Some("village")),
    ("с", Some("village")),
    ("деревня", Some("village")),
    ("дер.", Some("village")),
    ("д.", Some("village")),
    ("д", Some("village")),
    ("вёска", Some("village")),
    ("агрогородок", Some("agrotown")),
    ("аг.", Some("agrotown")),
    ("станица", Some("stanitsa")),
    ("ст-ца", Some("stanitsa")),
    ("хутор", Some("khutor")),
    ("х.", Some("khutor")),
    ("аул", Some("village")),
];

/// Conventional English names; everything else is romanised.
const EXONYMS: &[(&str, &str)] = &[
    ("москва", "Moscow"),
    ("санкт-петербург", "St. Petersburg"),
    ("спб", "St. Petersburg"),
    ("киев", "Kyiv"),
];

/// "г. Колпино" → "Kolpino", "пос. Угловое" → "Uglovoye settlement".
pub(crate) fn locality_en(locality: &str, scheme: Scheme) -> String {
    let (kind, name) = match split_leading(locality, LOCALITY_TYPES) {
        Some((kind, name)) if !name.is_empty() => (kind, name),
        _ => (None, locality.trim()),
    };
    let name_en = exonym(name).unwrap_or_else(|| transliterate(scheme, name));
    match kind {
        Some(word) => format!("{name_en} {word}"),
        None => name_en,
    }
}

fn exonym(name: &str) -> Option<String> {
    let key = normalize(name.trim());
    EXONYMS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, en)| (*en).to_string())
}

const DISTRICT_WORDS: &[(&str, ())] = &[
    ("район", ()),
    ("р-н", ()),
    ("р-н.", ()),
    ("раён", ()),
    ("ауданы", ()),
];

/// "Колпинский район" → "Kolpinsky District".
pub(crate) fn district_en(district: &str, scheme: Scheme) -> String {
    let district = district.trim();
    match split_trailing(district, DISTRICT_WORDS)
        .or_else(|| split_leading(district, DISTRICT_WORDS))
    {
        Some(((), name)) if !name.is_empty() => {
            format!("{} District", transliterate(scheme, name))
        }
        _ => transliterate(scheme, district),
    }
}

/// Region adjectives (normalised, ё → е) and the English name they take
/// before "Oblast" or "Region".
const OBLASTS: &[(&str, &str)] = &[
    // Russia
    ("амурская", "Amur"),
    ("архангельская", "Arkhangelsk"),
    ("астраханская", "Astrakhan"),
    ("белгородская", "Belgorod"),
    ("брянская", "Bryansk"),
    ("владимирская", "Vladimir"),
    ("волгоградская", "Volgograd"),
    ("вологодская", "Vologda"),
    ("воронежская", "Voronezh"),
    ("ивановская", "Ivanovo"),
    ("иркутская", "Irkutsk"),
    ("калининградская", "Kaliningrad"),
    ("калужская", "Kaluga"),
    ("кемеровская", "Kemerovo"),
    ("кировская", "Kirov"),
    ("костромская", "Kostroma"),
    ("курганская", "Kurgan"),
    ("курская", "Kursk"),
    ("ленинградская", "Leningrad"),
    ("липецкая", "Lipetsk"),
    ("магаданская", "Magadan"),
    ("московская", "Moscow"),
    ("мурманская", "Murmansk"),
    ("нижегородская", "Nizhny Novgorod"),
    ("новгородская", "Novgorod"),
    ("новосибирская", "Novosibirsk"),
    ("омская", "Omsk"),
    ("оренбургская", "Orenburg"),
    ("орловская", "Oryol"),
    ("пензенская", "Penza"),
    ("псковская", "Pskov"),
    ("ростовская", "Rostov"),
    ("рязанская", "Ryazan"),
    ("самарская", "Samara"),
    ("саратовская", "Saratov"),
    ("сахалинская", "Sakhalin"),
    ("свердловская", "Sverdlovsk"),
    ("смоленская", "Smolensk"),
    ("тамбовская", "Tambov"),
    ("тверская", "Tver"),
    ("томская", "Tomsk"),
    ("тульская", "Tula"),
    ("тюменская", "Tyumen"),
    ("ульяновская", "Ulyanovsk"),
    ("челябинская", "Chelyabinsk"),
    ("ярославская", "Yaroslavl"),
    ("запорожская", "Zaporizhzhia"),
    ("херсонская", "Kherson"),
    // Belarus (Russian and Belarusian spellings)
    ("брестская", "Brest"),
    ("брэсцкая", "Brest"),
    ("витебская", "Vitebsk"),
    ("віцебская", "Vitebsk"),
    ("гомельская", "Gomel"),
    ("гродненская", "Grodno"),
    ("гродзенская", "Grodno"),
    ("минская", "Minsk"),
    ("мінская", "Minsk"),
    ("могилевская", "Mogilev"),
    ("магілеўская", "Mogilev"),
    // Kazakhstan
    ("абайская", "Abai"),
    ("акмолинская", "Akmola"),
    ("актюбинская", "Aktobe"),
    ("алматинская", "Almaty"),
    ("атырауская", "Atyrau"),
    ("восточно-казахстанская", "East Kazakhstan"),
    ("жамбылская", "Jambyl"),
    ("жетысуская", "Jetisu"),
    ("западно-казахстанская", "West Kazakhstan"),
    ("карагандинская", "Karaganda"),
    ("костанайская", "Kostanay"),
    ("кызылординская", "Kyzylorda"),
    ("мангистауская", "Mangystau"),
    ("павлодарская", "Pavlodar"),
    ("северо-казахстанская", "North Kazakhstan"),
    ("туркестанская", "Turkistan"),
    ("улытауская", "Ulytau"),
    // Ukraine (Ukrainian spellings)
    ("вінницька", "Vinnytsia"),
    ("волинська", "Volyn"),
    ("дніпропетровська", "Dnipropetrovsk"),
    ("донецька", "Donetsk"),
    ("житомирська", "Zhytomyr"),
    ("закарпатська", "Zakarpattia"),
    ("запорізька", "Zaporizhzhia"),
    ("івано-франківська", "Ivano-Frankivsk"),
    ("київська", "Kyiv"),
    ("кіровоградська", "Kirovohrad"),
    ("луганська", "Luhansk"),
    ("львівська", "Lviv"),
    ("миколаївська", "Mykolaiv"),
    ("одеська", "Odesa"),
    ("полтавська", "Poltava"),
    ("рівненська", "Rivne"),
    ("сумська", "Sumy"),
    ("тернопільська", "Ternopil"),
    ("харківська", "Kharkiv"),
    ("херсонська", "Kherson"),
    ("хмельницька", "Khmelnytskyi"),
    ("черкаська", "Cherkasy"),
    ("чернівецька", "Chernivtsi"),
    ("чернігівська", "Chernihiv"),
];

const KRAIS: &[(&str, &str)] = &[
    ("алтайский", "Altai"),
    ("забайкальский", "Zabaykalsky"),
    ("камчатский", "Kamchatka"),
    ("краснодарский", "Krasnodar"),
    ("красноярский", "Krasnoyarsk"),
    ("пермский", "Perm"),
    ("приморский", "Primorsky"),
    ("ставропольский", "Stavropol"),
    ("хабаровский", "Khabarovsk"),
];

/// Republics by a distinctive part of their name, with Wikipedia's English.
const REPUBLICS: &[(&str, &str)] = &[
    ("адыге", "Republic of Adygea"),
    ("алтай", "Altai Republic"),
    ("башкортостан", "Republic of Bashkortostan"),
    ("бурят", "Republic of Buryatia"),
    ("дагестан", "Republic of Dagestan"),
    ("ингуш", "Republic of Ingushetia"),
    ("кабардино", "Kabardino-Balkarian Republic"),
    ("калмык", "Republic of Kalmykia"),
    ("карачаево", "Karachay-Cherkess Republic"),
    ("карел", "Republic of Karelia"),
    ("коми", "Komi Republic"),
    ("крым", "Republic of Crimea"),
    ("марий", "Mari El Republic"),
    ("мордов", "Republic of Mordovia"),
    ("саха", "Sakha Republic"),
    ("якути", "Sakha Republic"),
    ("осети", "Republic of North Ossetia–Alania"),
    ("татарстан", "Republic of Tatarstan"),
    ("тыва", "Tuva Republic"),
    ("тува", "Tuva Republic"),
    ("удмурт", "Udmurt Republic"),
    ("хакас", "Republic of Khakassia"),
    ("чечен", "Chechen Republic"),
    ("чуваш", "Chuvash Republic"),
];

/// Autonomous okrugs and similar, matched anywhere in the name.
const OKRUGS: &[(&str, &str)] = &[
    ("ханты-мансийск", "Khanty-Mansi Autonomous Okrug – Yugra"),
    ("ямало-ненецк", "Yamalo-Nenets Autonomous Okrug"),
    ("ненецк", "Nenets Autonomous Okrug"),
    ("чукотск", "Chukotka Autonomous Okrug"),
    ("еврейская", "Jewish Autonomous Oblast"),
    ("автономна республіка крим", "Autonomous Republic of Crimea"),
];

const OBLAST_WORDS: &[&str] = &["область", "обл.", "обл", "вобласць", "вобл.", "облысы"];
const KRAI_WORDS: &[&str] = &["край", "кр."];
const REPUBLIC_WORDS: &[&str] = &["республика", "респ.", "респ", "республіка", "рэспубліка"];

/// "Владимирская обл." → "Vladimir Oblast", "г. Санкт-Петербург" →
/// "St. Petersburg", "Республика Мордовия" → "Republic of Mordovia".
/// Unknown names are romanised with the type word translated, which is what
/// BGN-based gazetteers print.
pub(crate) fn region_en(region: &str, country: &Country) -> String {
    let scheme = country.place_scheme();
    let norm = normalize(region);
    if let Some((_, en)) = OKRUGS.iter().find(|(key, _)| norm.contains(key)) {
        return (*en).to_string();
    }
    let words: Vec<&str> = region.split_whitespace().collect();
    let lowered: Vec<String> = words
        .iter()
        .map(|w| normalize(w.trim_matches(|c: char| c == ',' || c == '(' || c == ')')))
        .collect();
    let split = |type_words: &[&str]| -> Option<(String, String)> {
        let at = lowered
            .iter()
            .position(|w| type_words.contains(&w.as_str()))?;
        let others = |source: &dyn Fn(usize) -> String| -> String {
            (0..words.len())
                .filter(|&i| i != at)
                .map(source)
                .collect::<Vec<_>>()
                .join(" ")
        };
        let key = others(&|i| lowered.get(i).cloned().unwrap_or_default());
        let original = others(&|i| words.get(i).map(|w| w.to_string()).unwrap_or_default());
        Some((key, original))
    };
    if let Some((key, original)) = split(KRAI_WORDS) {
        return match lookup(KRAIS, &key) {
            Some(en) => format!("{en} Krai"),
            None => format!("{} Krai", transliterate(scheme, &original)),
        };
    }
    if let Some((key, original)) = split(OBLAST_WORDS) {
        let word = country.oblast_word();
        return match lookup(OBLASTS, &key) {
            Some(en) => format!("{en} {word}"),
            None => format!("{} {word}", transliterate(scheme, &original)),
        };
    }
    if let Some((_, original)) = split(REPUBLIC_WORDS) {
        return match REPUBLICS.iter().find(|(key, _)| norm.contains(key)) {
            Some((_, en)) => (*en).to_string(),
            None => format!("Republic of {}", transliterate(scheme, &original)),
        };
    }
    locality_en(region, scheme)
}

fn lookup(table: &[(&str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, en)| *en)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BGN: Scheme = Scheme::RuBgn;

    #[test]
    fn each_street_type_has_an_english_word() {
        let cases = [
            ("ул. Колпинская", "Kolpinskaya Street"),
            ("улица Ленина", "Lenina Street"),
            ("пр-кт Мира", "Mira Avenue"),
            ("просп. Мира", "Mira Avenue"),
            ("пер. Тихий", "Tikhy Lane"),
            ("ш. Энтузиастов", "Entuziastov Highway"),
            ("пл. Победы", "Pobedy Square"),
            ("б-р Гагарина", "Gagarina Boulevard"),
            ("наб. Фонтанки", "Fontanki Embankment"),
            ("проезд Серова", "Serova Passage"),
            ("Колпинская ул.", "Kolpinskaya Street"),
            ("ул.Колпинская", "Kolpinskaya Street"),
            ("Садовая", "Sadovaya"),
        ];
        for (ru, en) in cases {
            assert_eq!(street_en(ru, BGN), en, "{ru}");
        }
    }

    #[test]
    fn ukrainian_street_types_are_understood() {
        assert_eq!(
            street_en("вул. Хрещатик", Scheme::UkKmu2010),
            "Khreshchatyk Street"
        );
    }

    #[test]
    fn house_and_building_prefixes_are_dropped_or_translated() {
        assert_eq!(house_en("д. 9", BGN), "9");
        assert_eq!(house_en("дом № 9а", BGN), "9a");
        assert_eq!(house_en("Д.9", BGN), "9");
        assert_eq!(house_en("9", BGN), "9");
        assert_eq!(building_en("корп. 2", BGN), "bldg. 2");
        assert_eq!(building_en("стр. 1", BGN), "bldg. 1");
        assert_eq!(building_en("лит. А", BGN), "lit. A");
        assert_eq!(building_en("2", BGN), "2");
    }

    #[test]
    fn locality_prefixes() {
        assert_eq!(locality_en("г. Колпино", BGN), "Kolpino");
        assert_eq!(locality_en("г. Москва", BGN), "Moscow");
        assert_eq!(locality_en("пос. Угловое", BGN), "Uglovoye settlement");
        assert_eq!(locality_en("п. Харп", BGN), "Kharp settlement");
        assert_eq!(locality_en("с. Покровское", BGN), "Pokrovskoye village");
        assert_eq!(locality_en("д. Ивановка", BGN), "Ivanovka village");
        assert_eq!(locality_en("Дубна", BGN), "Dubna");
        assert_eq!(locality_en("г.п. Ивацевичи", BGN), "Ivatsevichi settlement");
    }

    #[test]
    fn district_gets_district_word() {
        assert_eq!(district_en("Колпинский район", BGN), "Kolpinsky District");
        assert_eq!(district_en("Колпинский р-н", BGN), "Kolpinsky District");
    }

    #[test]
    fn regions_use_english_names() {
        let ru = Country::Ru;
        assert_eq!(region_en("г. Санкт-Петербург", &ru), "St. Petersburg");
        assert_eq!(region_en("Москва", &ru), "Moscow");
        assert_eq!(region_en("Владимирская область", &ru), "Vladimir Oblast");
        assert_eq!(region_en("Владимирская обл.", &ru), "Vladimir Oblast");
        assert_eq!(region_en("обл. Орловская", &ru), "Oryol Oblast");
        assert_eq!(region_en("Красноярский край", &ru), "Krasnoyarsk Krai");
        assert_eq!(
            region_en("Республика Мордовия", &ru),
            "Republic of Mordovia"
        );
        assert_eq!(region_en("Чувашская Республика", &ru), "Chuvash Republic");
        assert_eq!(
            region_en("Ханты-Мансийский автономный округ — Югра", &ru),
            "Khanty-Mansi Autonomous Okrug – Yugra"
        );
        assert_eq!(region_en("Новая область", &ru), "Novaya Oblast");
        assert_eq!(region_en("Гомельская обл.", &Country::By), "Gomel Region");
        assert_eq!(
            region_en("Карагандинская область", &Country::Kz),
            "Karaganda Region"
        );
        assert_eq!(region_en("Київська область", &Country::Ua), "Kyiv Oblast");
    }

    #[test]
    fn country_codes_and_aliases() {
        assert_eq!(Country::from_code(" ru "), Country::Ru);
        assert_eq!(Country::from_code("Беларусь"), Country::By);
        assert_eq!(Country::from_code("de"), Country::Other("DE".into()));
        assert_eq!(Country::from_code("DE").name_ru(), "Германия");
        assert_eq!(Country::from_code("XX").name_en(), "XX");
    }

    #[test]
    fn abroad_line_uses_senders_language_or_english() {
        let de = Country::from_code("DE");
        let fr = Country::from_code("FR");
        let us = Country::from_code("US");
        assert_eq!(Country::Ru.abroad_line(&de), "RUSSLAND");
        assert_eq!(Country::Ru.abroad_line(&fr), "RUSSIE");
        assert_eq!(Country::Ru.abroad_line(&us), "RUSSIA");
        assert_eq!(Country::By.abroad_line(&us), "REPUBLIC OF BELARUS");
        assert_eq!(Country::Kz.abroad_line(&de), "KASACHSTAN");
        assert_eq!(Country::Ua.abroad_line(&fr), "UKRAINE");
        assert_eq!(Country::from_code("GE").abroad_line(&de), "GEORGIA");
    }

    #[test]
    fn odd_input_does_not_panic() {
        for s in [
            "",
            " ",
            "-",
            "ул.",
            "г.",
            "Ё",
            "д",
            "😀",
            "обл.",
            "край",
            "республика",
        ] {
            let _ = street_en(s, BGN);
            let _ = house_en(s, BGN);
            let _ = building_en(s, BGN);
            let _ = locality_en(s, BGN);
            let _ = district_en(s, BGN);
            let _ = region_en(s, &Country::Ru);
        }
    }
}
