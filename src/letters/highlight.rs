//! A text cut into plain and marked pieces, so a page can show the words a
//! warning is about where they stand in the letter.

use serde::Serialize;

use super::Warning;

/// One run of the text: marked when some warning is about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    pub text: String,
    pub mark: bool,
}

/// `text` in order, in pieces, the words `warnings` found marked. Hits that
/// overlap or touch are marked as one run; nothing of the text is lost.
pub fn highlight(text: &str, warnings: &[Warning]) -> Vec<Piece> {
    let mut spans: Vec<(usize, usize)> = warnings
        .iter()
        .flat_map(|w| w.hits.iter().map(|h| (h.start, h.end)))
        .filter(|(start, end)| start < end)
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut pieces = Vec::new();
    let mut push = |text: String, mark: bool| {
        if !text.is_empty() {
            pieces.push(Piece { text, mark });
        }
    };
    // Offsets are in characters; walk the text once.
    let mut chars = text.chars();
    let mut at = 0;
    for (start, end) in merged {
        let start = start.max(at);
        push(chars.by_ref().take(start - at).collect(), false);
        push(
            chars.by_ref().take(end.saturating_sub(start)).collect(),
            true,
        );
        at = end.max(start);
    }
    push(chars.collect(), false);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::letters::{check, Destination};

    fn shown(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| {
                if p.mark {
                    format!("[{}]", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn marks_the_flagged_words_where_they_stand_and_keeps_every_character() {
        let text = "Привет!\r\nКак прошёл суд? Читаю Hemingway.";
        let warnings = check(text, Destination { russian: true });
        let pieces = highlight(text, &warnings);
        assert_eq!(
            shown(&pieces),
            "Привет!\r\nКак прошёл [суд]? Читаю [Hemingway]."
        );
        let joined: String = pieces.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(joined, text);
    }

    #[test]
    fn a_text_without_warnings_is_one_plain_piece_and_empty_is_none() {
        assert_eq!(
            highlight("Добрый день", &[]),
            vec![Piece {
                text: "Добрый день".into(),
                mark: false
            }]
        );
        assert!(highlight("", &[]).is_empty());
    }

    #[test]
    fn overlapping_hits_are_marked_once() {
        use crate::letters::{Hit, WarningKind};
        let hit = |start, end, text: &str| Hit {
            text: text.into(),
            start,
            end,
        };
        let warnings = vec![
            Warning {
                kind: WarningKind::Case,
                hits: vec![hit(0, 4, "abcd")],
            },
            Warning {
                kind: WarningKind::Code,
                hits: vec![hit(2, 6, "cdef"), hit(20, 30, "beyond")],
            },
        ];
        assert_eq!(shown(&highlight("abcdefgh", &warnings)), "[abcdef]gh");
    }
}
