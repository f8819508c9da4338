//! The outbox folder: where e-mails are written as .eml files when no SMTP
//! server is set up. An admin lists and opens them in the web interface.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// One e-mail waiting in the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub file: String,
    pub to: String,
    pub subject: String,
    pub written: Option<SystemTime>,
}

/// A file name the listing gave out: no directories, an .eml ending.
pub fn is_safe_name(name: &str) -> bool {
    name.ends_with(".eml")
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && !name.starts_with('.')
}

/// The newest `limit` e-mails in `dir`, newest first. A folder that does not
/// exist yet is empty; unreadable files are left out.
pub fn list(dir: &Path, limit: usize) -> std::io::Result<(Vec<Saved>, usize)> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(e),
    };
    let mut files: Vec<(Option<SystemTime>, PathBuf, String)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            is_safe_name(&name).then(|| {
                (
                    e.metadata().ok().and_then(|m| m.modified().ok()),
                    e.path(),
                    name,
                )
            })
        })
        .collect();
    let total = files.len();
    files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
    let saved = files
        .into_iter()
        .take(limit)
        .filter_map(|(written, path, file)| {
            // Only the headers are needed; a large body is not read whole.
            let raw = std::fs::read(&path).ok()?;
            let parsed = mail_parser::MessageParser::default().parse_headers(&raw)?;
            Some(Saved {
                file,
                to: parsed
                    .to()
                    .and_then(|a| a.first())
                    .and_then(|a| a.address())
                    .unwrap_or_default()
                    .to_owned(),
                subject: parsed.subject().unwrap_or_default().to_owned(),
                written,
            })
        })
        .collect();
    Ok((saved, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_eml_names_are_safe() {
        assert!(is_safe_name("0b8f5a1e-7c1d-4c5e-9d47-2f1a6a3b9c10.eml"));
        assert!(!is_safe_name("../konvert.sqlite3"));
        assert!(!is_safe_name("a/b.eml"));
        assert!(!is_safe_name(".hidden.eml"));
        assert!(!is_safe_name("notes.txt"));
    }

    #[test]
    fn lists_newest_first_and_a_missing_folder_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(list(&dir.path().join("none"), 10).unwrap().1, 0);
        for (name, subject) in [("a.eml", "Первое"), ("b.eml", "Второе")] {
            let raw = format!(
                "To: vera@example.org\r\nSubject: =?utf-8?B?{}?=\r\n\r\nbody\r\n",
                base64::Engine::encode(&base64::engine::general_purpose::STANDARD, subject)
            );
            std::fs::write(dir.path().join(name), raw).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::fs::write(dir.path().join("junk.txt"), "x").unwrap();
        let (saved, total) = list(dir.path(), 10).unwrap();
        assert_eq!(total, 2);
        assert_eq!(saved[0].subject, "Второе");
        assert_eq!(saved[1].to, "vera@example.org");
    }
}
