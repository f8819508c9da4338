//! Scans of replies (images or PDF): checked by their content, not by the
//! name or type a sender claims, limited in size, and stored under a random
//! name in `<data dir>/scans`, never reachable by a guessable URL.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A scan larger than this is refused (a page scanned at 600 dpi is ~5 MB).
pub const MAX_SCAN_BYTES: usize = 15 * 1024 * 1024;

/// What the content is, by its first bytes.
pub fn sniff(data: &[u8]) -> Option<(&'static str, &'static str)> {
    if data.starts_with(b"%PDF-") {
        Some(("application/pdf", "pdf"))
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg"))
    } else if data.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(("image/png", "png"))
    } else if data.len() > 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        Some(("image/webp", "webp"))
    } else if data.starts_with(&[b'I', b'I', 0x2A, 0]) || data.starts_with(&[b'M', b'M', 0, 0x2A]) {
        Some(("image/tiff", "tif"))
    } else {
        None
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    #[error("{name}: larger than {} MB", MAX_SCAN_BYTES / 1024 / 1024)]
    TooLarge { name: String },
    #[error("{name}: not an image or PDF")]
    WrongType { name: String },
    #[error("{name}: empty")]
    Empty { name: String },
    #[error("cannot store the scan: {0}")]
    Storage(String),
}

impl ScanError {
    /// The UI string that tells a person what was wrong.
    pub fn key(&self) -> &'static str {
        match self {
            ScanError::TooLarge { .. } => "replies.error_scan_large",
            ScanError::WrongType { .. } => "replies.error_scan_type",
            ScanError::Empty { .. } => "replies.error_scan_empty",
            ScanError::Storage(_) => "replies.error_scan_storage",
        }
    }
}

/// A checked scan, stored, ready for its `reply_files` row.
#[derive(Debug, Clone)]
pub struct StoredScan {
    pub stored_name: String,
    pub original_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("scans")
}

/// Names from senders can hold paths and control characters; keep a plain one.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(150).collect();
    if cleaned.trim().is_empty() {
        "scan".to_owned()
    } else {
        cleaned
    }
}

/// Checks and stores one scan.
pub fn store(data_dir: &Path, name: &str, data: &[u8]) -> Result<StoredScan, ScanError> {
    let original_name = clean_name(name);
    if data.is_empty() {
        return Err(ScanError::Empty {
            name: original_name,
        });
    }
    if data.len() > MAX_SCAN_BYTES {
        return Err(ScanError::TooLarge {
            name: original_name,
        });
    }
    let (content_type, ext) = sniff(data).ok_or_else(|| ScanError::WrongType {
        name: original_name.clone(),
    })?;
    let dir = dir(data_dir);
    std::fs::create_dir_all(&dir).map_err(|e| ScanError::Storage(e.to_string()))?;
    let stored_name = format!("{}.{ext}", crate::accounts::new_token());
    std::fs::write(dir.join(&stored_name), data).map_err(|e| ScanError::Storage(e.to_string()))?;
    let sha256 = Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(StoredScan {
        stored_name,
        original_name,
        content_type: content_type.to_owned(),
        size_bytes: i64::try_from(data.len()).unwrap_or(i64::MAX),
        sha256,
    })
}

/// Removes stored scans whose database rows were never written.
pub fn discard(data_dir: &Path, scans: &[StoredScan]) {
    for scan in scans {
        let _ = std::fs::remove_file(dir(data_dir).join(&scan.stored_name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_the_type_not_the_name() {
        let dir = tempfile::tempdir().unwrap();
        let pdf = store(dir.path(), "../../etc/ответ.pdf", b"%PDF-1.7 ...").unwrap();
        assert_eq!(pdf.content_type, "application/pdf");
        assert_eq!(pdf.original_name, "ответ.pdf");
        assert!(pdf.stored_name.ends_with(".pdf") && !pdf.stored_name.contains('/'));
        assert!(super::dir(dir.path()).join(&pdf.stored_name).is_file());
        let jpeg = store(dir.path(), "scan.pdf", &[0xFF, 0xD8, 0xFF, 0xE0, 1, 2]).unwrap();
        assert_eq!(jpeg.content_type, "image/jpeg");
        assert!(matches!(
            store(dir.path(), "x.pdf", b"<html>"),
            Err(ScanError::WrongType { .. })
        ));
        assert!(matches!(
            store(dir.path(), "x.pdf", b""),
            Err(ScanError::Empty { .. })
        ));
        let big = vec![0xFFu8; MAX_SCAN_BYTES + 1];
        assert!(matches!(
            store(dir.path(), "big.jpg", &big),
            Err(ScanError::TooLarge { .. })
        ));
    }
}
