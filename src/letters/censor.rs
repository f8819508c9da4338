//! What gets letters stopped by a prison censor, found in a text
//! (docs/domain.md, "What gets a letter stopped").
//!
//! The lists are deliberately short and ours. Matching is by whole words,
//! never inside a word. An entry is a stem that matches the start of a word
//! ("приговор" finds "приговора", "Приговором"); or, written with a trailing
//! `=`, one whole word ("суд=" finds "суд" but not "судьба"); or, with a
//! space, consecutive words ("на зоне"). Each category also lists exceptions:
//! a word starting with one of them is never reported ("судьб" keeps
//! "судьба" out of the case details). Matching ignores case and reads ё as е.
//! A hit is a warning for the writer and the coordinator to weigh, never a
//! reason to refuse the letter.
//!
//! The tests keep a corpus of true and false positives: a change to a list
//! should add the case that prompted it.

use super::text::{fold, words, Word};
use super::{Hit, Warning, WarningKind};

struct Category {
    kind: WarningKind,
    stems: &'static [&'static str],
    except: &'static [&'static str],
}

const CASE: Category = Category {
    kind: WarningKind::Case,
    stems: &[
        "приговор",
        "следовател",
        "следстви",
        "следствен",
        "адвокат",
        "прокурор",
        "прокуратур",
        "обвинени",
        "обвинит",
        "обвиняем",
        "уголовн",
        "апелляц",
        "кассац",
        "судь",
        "суд=",
        "суда=",
        "суде=",
        "суду=",
        "судом=",
        "суды=",
        "судов=",
        "судах=",
        "судебн",
        "показани",
        "свидетел",
        "доказательств",
        "обыск",
        "допрос",
        "экспертиз",
        "статья=",
        "статье=",
        "статьи=",
        "статью=",
        "статьей=",
        "ук=",
        "упк=",
        "срок=",
        "срока=",
        "сроку=",
        "сроком=",
        "арест",
        "задержан",
        "court",
        "judge",
        "lawyer",
        "trial",
        "verdict",
        "prosecut",
        "investigat",
    ],
    except: &["судьб"],
};

const WAR: Category = Category {
    kind: WarningKind::War,
    stems: &[
        "войн",
        "военн",
        "военкомат",
        "сво=",
        "спецопераци",
        "мобилиз",
        "мобик",
        "фронт",
        "арми",
        "солдат",
        "оккупац",
        "оккупант",
        "вторжени",
        "обстрел",
        // Not "бомб": "бомбически", "бомбезно" (slang for "great") start so.
        "бомба=",
        "бомбы=",
        "бомбе=",
        "бомбу=",
        "бомбой=",
        "бомб=",
        "бомбам=",
        "бомбами=",
        "бомбах=",
        "бомбеж",
        "бомбард",
        "бомбил",
        "бомбит",
        "бомбят",
        "бомбов",
        "бомбоуб",
        "ракет",
        "дрон",
        "бпла",
        "беспилотн",
        "украин",
        "донбасс",
        "донецк",
        "луганск",
        "херсон",
        "запорож",
        "мариупол",
        "бахмут",
        "крым",
        "нато=",
        "всу=",
        "зсу=",
        "вагнер",
        "war=",
        "wars=",
        "army",
        "armies",
        "ukrain",
        "invasion",
        "soldier",
        "nato=",
        "drone",
    ],
    except: &["армирова", "ракетк", "фронтон"],
};

const POLITICS: Category = Category {
    kind: WarningKind::Politics,
    stems: &[
        "путин",
        "путлер",
        "кремл",
        "власт",
        "диктатор",
        "диктатур",
        "оппозиц",
        "навальн",
        "лукашенк",
        "протест",
        "митинг",
        "пикет",
        "выборы=",
        "выборов=",
        "выборах=",
        "выборам=",
        "полиц",
        "фсб=",
        "омон",
        "силовик",
        "цензур",
        "репресс",
        "политзаключ",
        "политзек",
        "политическ",
        "пропаганд",
        "правительств",
        "президент",
        "депутат",
        "госдум",
        "тиран",
        "фашис",
        "нацист",
        "чекист",
        "коррупц",
        "революц",
        "putin",
        "kremlin",
        "regime",
        "protest",
        "dictator",
        "opposition",
        "navaln",
        "lukashenk",
        "propaganda",
    ],
    except: &[],
};

const INSULTS: Category = Category {
    kind: WarningKind::Insults,
    stems: &[
        "хуй",
        "хуе",
        "хуя",
        "хуи",
        "пизд",
        "ебат",
        "ебан",
        "ебал",
        "ебл",
        "ебу=",
        "еби",
        "ебет",
        "заеб",
        "наеб",
        "уеб",
        "выеб",
        "поеб",
        "бля",
        "сука=",
        "суки=",
        "суке=",
        "суку=",
        "сукой=",
        "мудак",
        "мудил",
        "говн",
        "дерьм",
        "жоп",
        "урод",
        "идиот",
        "дебил",
        "кретин",
        "тварь",
        "твари=",
        "мраз",
        "сволоч",
        "ублюд",
        "падла",
        "падлы",
        "гнида",
        "гниды",
        "пидор",
        "пидар",
        "педик",
        "шлюх",
        "чмо=",
        "лох=",
        "лохи=",
        "лоха=",
        "дура=",
        "дурак",
        "козел=",
        "козлы=",
        "мент",
        "fuck",
        "shit",
        "bitch",
        "asshole",
        "idiot",
        "bastard",
    ],
    except: &["блях", "ментал", "ментор", "ментол", "уродлив"],
};

const LGBT: Category = Category {
    kind: WarningKind::Lgbt,
    stems: &[
        "гей",
        "геи=",
        "гея=",
        "геев=",
        "лесби",
        "гомосексу",
        "гомик",
        "бисексу",
        "трансгендер",
        "транссексу",
        "квир",
        "лгбт",
        "однопол",
        "небинарн",
        "gay",
        "lesbian",
        "lgbt",
        "queer",
        "transgender",
        "bisexual",
    ],
    except: &["гейм", "гейз", "гейш", "гейт"],
};

const CODE: Category = Category {
    kind: WarningKind::Code,
    stems: &[
        "шифр",
        "зашифр",
        "расшифр",
        "парол",
        "маляв",
        "общак",
        "смотрящ",
        "вертух",
        "шконк",
        "чифир",
        "блатн",
        "ауе=",
        "зек",
        "зэк",
        "мусор",
        "нычк",
        "заточк",
        "стукач",
        "понятиям=",
        // Prison jargon. "Зона" alone is a time zone or a comfort zone too;
        // the phrases are not.
        "на зоне",
        "на зону",
        "с зоны",
        "братв",
        "пахан",
        "фраер",
        "шмон",
        "баланд",
        "кича=",
        "кичи=",
        "кичу=",
        "запретк",
        "cipher",
        "password",
    ],
    except: &[],
};

const CATEGORIES: [&Category; 6] = [&CASE, &WAR, &POLITICS, &INSULTS, &LGBT, &CODE];

fn matches_entry(folded: &str, entry: &str) -> bool {
    match entry.strip_suffix('=') {
        Some(exact) => folded == exact,
        None => folded.starts_with(entry),
    }
}

fn in_category(folded: &str, category: &Category) -> bool {
    category
        .stems
        .iter()
        .filter(|s| !s.contains(' '))
        .any(|s| matches_entry(folded, s))
        && !category.except.iter().any(|e| folded.starts_with(e))
}

/// Where a phrase entry ("на зоне") matches the words from `at` on: the
/// index of its last word. Each word of the phrase matches as an entry does
/// (the last may be a stem).
fn phrase_at(folded: &[String], at: usize, phrase: &str) -> Option<usize> {
    let parts: Vec<&str> = phrase.split(' ').collect();
    let last = parts.len() - 1;
    let words = folded.get(at..at + parts.len())?;
    let all = parts
        .iter()
        .zip(words)
        .enumerate()
        .all(|(k, (part, word))| {
            if k == last {
                matches_entry(word, part)
            } else {
                word == part.trim_end_matches('=')
            }
        });
    all.then_some(at + last)
}

/// The hits of one category: single words and phrases, in text order.
fn category_hits(words: &[Word], folded: &[String], category: &Category) -> Vec<Hit> {
    let mut hits: Vec<Hit> = words
        .iter()
        .zip(folded)
        .filter(|(_, f)| in_category(f, category))
        .map(|(w, _)| hit(w))
        .collect();
    for phrase in category.stems.iter().filter(|s| s.contains(' ')) {
        for at in 0..words.len() {
            if let Some(last) = phrase_at(folded, at, phrase) {
                hits.push(Hit {
                    text: words[at..=last]
                        .iter()
                        .map(|w| w.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    start: words[at].start,
                    end: words[last].end,
                });
            }
        }
    }
    hits.sort_by_key(|h| h.start);
    hits
}

fn hit(word: &Word) -> Hit {
    Hit {
        text: word.text.clone(),
        start: word.start,
        end: word.end,
    }
}

/// Latin script: ASCII letters and the Latin-1 and Extended-A/B letters.
fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic() || (('\u{c0}'..='\u{24f}').contains(&c) && c != '×' && c != '÷')
}

/// Words holding at least one Latin letter, including words that mix scripts
/// ("пpивет" typed with a Latin "p"), which a censor reads as code. The
/// postscript marks ("P.S.", "P. P. S.", "PS") are conventions every
/// Russian letter uses, not foreign words.
pub fn latin_words(text: &str) -> Vec<Hit> {
    let words = words(text);
    let skip = postscript_marks(text, &words);
    words
        .iter()
        .enumerate()
        .filter(|(i, w)| !skip.contains(i) && w.text.chars().any(is_latin))
        .map(|(_, w)| hit(w))
        .collect()
}

/// The indexes of the words that make up postscript marks: "PS", "PPS", or
/// single letters P (P) S joined by dots and spaces alone. Cyrillic "Р"
/// typed for the Latin one counts the same.
fn postscript_marks(text: &str, words: &[Word]) -> Vec<usize> {
    let chars: Vec<char> = text.chars().collect();
    let letter = |w: &Word| fold(&w.text).replace('р', "p");
    let joined_by_dot = |a: &Word, b: &Word| {
        let gap: String = chars[a.end..b.start].iter().collect();
        gap.trim() == "."
    };
    let mut marks = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let first = letter(&words[i]);
        if first == "ps" || first == "pps" {
            marks.push(i);
            i += 1;
            continue;
        }
        // P. S. / P. P. S.: letters with a dot between each.
        let mut j = i;
        let mut spelled = String::new();
        while j < words.len() && spelled.len() < 3 {
            let l = letter(&words[j]);
            if !(l == "p" || l == "s") || (j > i && !joined_by_dot(&words[j - 1], &words[j])) {
                break;
            }
            spelled.push_str(&l);
            j += 1;
            if l == "s" {
                break;
            }
        }
        if spelled == "ps" || spelled == "pps" {
            marks.extend(i..j);
            i = j;
        } else {
            i += 1;
        }
    }
    marks
}

/// The part of a surname its declined forms share: "Иванов" stays
/// (Иванову, Ивановым), "Беляева" loses its "а" (Беляевой), "Белый" its
/// "ый" (Белого). Indeclinable surnames (Русских) keep their whole form.
fn surname_stem(folded: &str) -> String {
    let chars: Vec<char> = folded.chars().collect();
    let n = chars.len();
    let cut = if ["ый", "ий", "ой", "ая", "яя"]
        .iter()
        .any(|e| folded.ends_with(e))
    {
        2
    } else if ["а", "я", "ь", "й"].iter().any(|e| folded.ends_with(e)) {
        1
    } else {
        0
    };
    chars[..n.saturating_sub(cut)].iter().collect()
}

/// The endings a declined surname may add to its stem, and none: "Ивановка"
/// (a village) is not "Иванов" declined.
const SURNAME_ENDINGS: &[&str] = &[
    "", "а", "я", "у", "ю", "е", "и", "ы", "ой", "ей", "ом", "ем", "ым", "им", "ых", "их", "ую",
    "юю", "ая", "яя", "ого", "его", "ому", "ему", "ыми", "ими",
];
/// Shorter stems ("Лось" → "лос", found in "Лосось") would match too many
/// ordinary words.
const MIN_STEM: usize = 4;

/// Other prisoners named in the letter: `surnames` are those of the people
/// on the list other than the recipient. A capitalised word that is one of
/// them, declined or not, is a hit ("Беляеву", "Беляевой"); lower-case words
/// are left alone, so "козлов" the animals is not Козлов the person. Names
/// of more than one word are not looked for.
pub fn prisoners_named(text: &str, surnames: &[String]) -> Vec<Hit> {
    let stems: std::collections::HashSet<String> = surnames
        .iter()
        .filter(|s| !s.is_empty() && s.chars().all(char::is_alphabetic))
        .map(|s| surname_stem(&fold(s)))
        .filter(|stem| stem.chars().count() >= MIN_STEM)
        .collect();
    if stems.is_empty() {
        return Vec::new();
    }
    words(text)
        .iter()
        .filter(|w| w.text.chars().next().is_some_and(char::is_uppercase))
        .filter(|w| {
            let folded = fold(&w.text);
            SURNAME_ENDINGS.iter().any(|ending| {
                folded
                    .strip_suffix(ending)
                    .is_some_and(|stem| stems.contains(stem))
            })
        })
        .map(hit)
        .collect()
}

/// A word that switches between letters and digits at least twice ("a1b",
/// "7к9") looks like a cipher; "2024г" or "ИК6" switch once and do not.
fn looks_like_code(word: &Word) -> bool {
    let mut switches = 0;
    let mut last: Option<bool> = None;
    for c in word.text.chars() {
        let digit = c.is_numeric();
        if c.is_alphanumeric() {
            if last.is_some_and(|l| l != digit) {
                switches += 1;
            }
            last = Some(digit);
        }
    }
    switches >= 2
}

/// Separators people write inside phone numbers.
fn is_phone_separator(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '-' | '(' | ')')
}

/// Phone numbers (seven digits or more, with spaces, dashes or brackets
/// between them, perhaps after a "+") and runs of five digits or more.
fn digit_runs(text: &str) -> Vec<Hit> {
    let chars: Vec<char> = text.chars().collect();
    let mut hits = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts_here = chars[i].is_ascii_digit()
            || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        // A digit glued to a word ("ИК6") belongs to the word, not to a number.
        let inside_word = i > 0 && chars[i - 1].is_alphanumeric();
        if !starts_here || inside_word {
            i += 1;
            continue;
        }
        let start = i;
        let (mut digits, mut longest, mut run) = (0usize, 0usize, 0usize);
        let mut end = i;
        let mut j = if chars[i] == '+' { i + 1 } else { i };
        while j < chars.len() {
            let c = chars[j];
            if c.is_ascii_digit() {
                digits += 1;
                run += 1;
                longest = longest.max(run);
                end = j + 1;
                j += 1;
            } else if is_phone_separator(c) {
                run = 0;
                // At most two separators in a row, and a digit after them.
                let mut k = j;
                while k < chars.len() && k < j + 2 && is_phone_separator(chars[k]) {
                    k += 1;
                }
                if chars.get(k).is_some_and(char::is_ascii_digit) {
                    j = k;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        if digits >= 7 || longest >= 5 {
            hits.push(Hit {
                text: chars[start..end].iter().collect(),
                start,
                end,
            });
        }
        i = end.max(i + 1);
    }
    hits
}

/// Censorship warnings for `text`, by category, each with the words that
/// triggered it; categories with no hits are left out.
pub fn censorship_warnings(text: &str) -> Vec<Warning> {
    let words = words(text);
    let folded: Vec<String> = words.iter().map(|w| fold(&w.text)).collect();
    let mut warnings = Vec::new();
    let mut push = |kind: WarningKind, hits: Vec<Hit>| {
        if !hits.is_empty() {
            warnings.push(Warning { kind, hits });
        }
    };
    for category in CATEGORIES {
        let mut hits = category_hits(&words, &folded, category);
        if category.kind == WarningKind::Code {
            hits.extend(words.iter().filter(|w| looks_like_code(w)).map(hit));
            hits.sort_by_key(|h| h.start);
            hits.dedup();
        }
        push(category.kind, hits);
    }
    push(WarningKind::Digits, digit_runs(text));
    push(WarningKind::Foreign, latin_words(text));
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<WarningKind> {
        censorship_warnings(text).iter().map(|w| w.kind).collect()
    }

    fn words_of(text: &str, kind: WarningKind) -> Vec<String> {
        censorship_warnings(text)
            .into_iter()
            .find(|w| w.kind == kind)
            .map(|w| w.words())
            .unwrap_or_default()
    }

    #[test]
    fn an_ordinary_letter_raises_nothing() {
        let text = "Здравствуйте! Пишу вам из Казани. Судьба сложилась так, что я учусь \
                    на врача. Как ваше здоровье? Что читаете? Посылаю тёплый привет, 1979 г.р.";
        assert!(
            censorship_warnings(text).is_empty(),
            "{:?}",
            censorship_warnings(text)
        );
    }

    #[test]
    fn case_details_match_word_starts_in_any_case() {
        assert_eq!(
            words_of(
                "Как прошла АПЕЛЛЯЦИЯ? Адвокату привет. Суд был вчера.",
                WarningKind::Case
            ),
            vec!["АПЕЛЛЯЦИЯ", "Адвокату", "Суд"]
        );
        assert!(words_of("Такая судьба, судьбой назначено.", WarningKind::Case).is_empty());
        assert!(
            words_of("Судорога", WarningKind::Case).is_empty(),
            "суд= is a whole word"
        );
    }

    #[test]
    fn hits_carry_character_offsets() {
        let text = "Ёлки, приговор";
        let w = censorship_warnings(text);
        assert_eq!(w[0].kind, WarningKind::Case);
        assert_eq!((w[0].hits[0].start, w[0].hits[0].end), (6, 14));
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(chars[6..14].iter().collect::<String>(), "приговор");
    }

    #[test]
    fn war_politics_and_lgbt_are_found() {
        assert_eq!(
            words_of("Эта война скоро кончится.", WarningKind::War),
            vec!["война"]
        );
        assert!(words_of("Купил ракетку для тенниса.", WarningKind::War).is_empty());
        assert_eq!(
            words_of("Путин и власти боятся протестов.", WarningKind::Politics),
            vec!["Путин", "власти", "протестов"]
        );
        assert_eq!(words_of("Мой друг гей.", WarningKind::Lgbt), vec!["гей"]);
        assert!(words_of("Новая игра: геймплей отличный.", WarningKind::Lgbt).is_empty());
    }

    #[test]
    fn insults_and_profanity_are_found_but_not_lookalikes() {
        assert_eq!(
            words_of("Он просто идиот и урод.", WarningKind::Insults),
            vec!["идиот", "урод"]
        );
        assert!(words_of("Ментальное здоровье и бляха ремня.", WarningKind::Insults).is_empty());
    }

    #[test]
    fn code_is_jargon_or_letters_mixed_with_digits() {
        assert_eq!(
            words_of("Передай маляву.", WarningKind::Code),
            vec!["маляву"]
        );
        assert_eq!(
            words_of("Запомни: x7k9 и 2024г", WarningKind::Code),
            vec!["x7k9"]
        );
    }

    #[test]
    fn phone_numbers_and_long_digit_runs_are_found() {
        assert_eq!(
            words_of("Звони: +7 (912) 345-67-89, жду.", WarningKind::Digits),
            vec!["+7 (912) 345-67-89"]
        );
        assert_eq!(
            words_of("Номер 1234567", WarningKind::Digits),
            vec!["1234567"]
        );
        assert_eq!(
            words_of("Индекс 196655.", WarningKind::Digits),
            vec!["196655"]
        );
        assert!(words_of("В 1979 году, 12.03.2024, в ИК-6.", WarningKind::Digits).is_empty());
        assert!(words_of("С 2019 по 2022 год", WarningKind::Digits).is_empty());
    }

    #[test]
    fn foreign_words_are_latin_script_words() {
        assert_eq!(kinds("Hello, как дела?"), vec![WarningKind::Foreign]);
        assert_eq!(
            words_of("Café и пpивет", WarningKind::Foreign),
            vec!["Café", "пpивет"]
        );
    }

    #[test]
    fn latin_words_ignore_cyrillic_digits_and_signs() {
        assert!(latin_words("Привет, 2 × 2 = 4!").is_empty());
        let hits = latin_words("Читаю Tolstoy и Hemingway");
        let found: Vec<_> = hits.iter().map(|h| (h.text.as_str(), h.start)).collect();
        assert_eq!(found, vec![("Tolstoy", 6), ("Hemingway", 16)]);
    }

    /// The corpus: what each kind must find in a text, word for word; an
    /// empty list is a false positive the lists once made, or could.
    const CORPUS: &[(&str, WarningKind, &[&str])] = &[
        // Prison jargon, phrases included.
        ("Передай братве привет.", WarningKind::Code, &["братве"]),
        ("Как тебе на зоне?", WarningKind::Code, &["на зоне"]),
        ("Скоро отправят НА ЗОНУ.", WarningKind::Code, &["НА ЗОНУ"]),
        (
            "Вернулся с зоны и пахан доволен.",
            WarningKind::Code,
            &["с зоны", "пахан"],
        ),
        ("Опять был шмон?", WarningKind::Code, &["шмон"]),
        (
            "Часовая зона другая; выйди из зоны комфорта.",
            WarningKind::Code,
            &[],
        ),
        ("Братья и брат передают привет.", WarningKind::Code, &[]),
        // The war: bombs are, "great" in slang is not.
        ("Бомба упала рядом.", WarningKind::War, &["Бомба"]),
        (
            "Ночью снова бомбили, все в бомбоубежище.",
            WarningKind::War,
            &["бомбили", "бомбоубежище"],
        ),
        ("Бомбардировка", WarningKind::War, &["Бомбардировка"]),
        (
            "Бомбически! Фильм бомбический, бомбезно.",
            WarningKind::War,
            &[],
        ),
        ("Купил ракетку и бомбошки.", WarningKind::War, &[]),
        ("Эта война скоро кончится.", WarningKind::War, &["война"]),
        // Latin: postscripts are not foreign words.
        ("P.S. Обнимаю.", WarningKind::Foreign, &[]),
        (
            "P. S. Обнимаю. P.P.S. Пиши! PS: жду",
            WarningKind::Foreign,
            &[],
        ),
        ("Р.S. с русской Р", WarningKind::Foreign, &[]),
        ("P.S. Hello", WarningKind::Foreign, &["Hello"]),
        ("Буква P и буква S.", WarningKind::Foreign, &["P", "S"]),
        ("Читаю Hemingway", WarningKind::Foreign, &["Hemingway"]),
        // Words, not parts of words.
        ("Такая судьба.", WarningKind::Case, &[]),
        ("Суд был вчера.", WarningKind::Case, &["Суд"]),
    ];

    #[test]
    fn the_corpus_finds_what_it_should_and_nothing_else() {
        for (text, kind, expected) in CORPUS {
            assert_eq!(&words_of(text, *kind), expected, "{kind:?} in {text:?}");
        }
    }

    #[test]
    fn other_prisoners_are_named_by_their_surname_in_any_case() {
        let list: Vec<String> = ["Беляев", "Иванова", "Русских", "Козлов", "Лось", "Чёрный"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let found = |text: &str| -> Vec<String> {
            prisoners_named(text, &list)
                .into_iter()
                .map(|h| h.text)
                .collect()
        };
        assert_eq!(
            found("Передай привет Беляеву и Ивановой, и Русских тоже."),
            vec!["Беляеву", "Ивановой", "Русских"]
        );
        assert_eq!(found("Черного видели?"), vec!["Черного"]);
        assert_eq!(found("Козлову привет"), vec!["Козлову"]);
        // Lower case, other words that begin the same, short names: nothing.
        assert!(found("Во дворе пасли козлов.").is_empty());
        assert!(found("Ездил в Ивановку. Беляевский пруд.").is_empty());
        assert!(found("Лосось на ужин, Лось в лесу.").is_empty());
        assert!(prisoners_named("Беляеву", &[]).is_empty());
        let hit = &prisoners_named("Привет, Беляеву!", &list)[0];
        assert_eq!((hit.start, hit.end), (8, 15));
    }

    #[test]
    fn nothing_panics_on_odd_input() {
        for text in [
            "",
            "+",
            "+-",
            "1-",
            "((((",
            "\u{0306}",
            "й\u{0306}",
            "9\u{a0}\u{a0}\u{a0}9",
        ] {
            let _ = censorship_warnings(text);
            let _ = latin_words(text);
        }
    }
}
