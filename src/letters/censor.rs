//! What gets letters stopped by a prison censor (DOMAIN.md), found in a text.
//!
//! The lists are deliberately short and ours. An entry is a stem that matches
//! the start of a word ("приговор" finds "приговора", "Приговором"), or, when
//! written with a trailing `=`, one whole word ("суд=" finds "суд" but not
//! "судьба"). Each category also lists exceptions: a word starting with one of
//! them is never reported ("судьб" keeps "судьба" out of the case details).
//! Matching ignores case and reads ё as е. A hit is a warning for the writer
//! and the coordinator to weigh, never a reason to refuse the letter.

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
        "бомб",
        "обстрел",
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
    except: &["армирова", "ракетк", "бомбон", "фронтон"],
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
    category.stems.iter().any(|s| matches_entry(folded, s))
        && !category.except.iter().any(|e| folded.starts_with(e))
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
/// ("пpивет" typed with a Latin "p"), which a censor reads as code.
pub fn latin_words(text: &str) -> Vec<Hit> {
    words(text)
        .iter()
        .filter(|w| w.text.chars().any(is_latin))
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
        let mut hits: Vec<Hit> = words
            .iter()
            .zip(&folded)
            .filter(|(_, f)| in_category(f, category))
            .map(|(w, _)| hit(w))
            .collect();
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
