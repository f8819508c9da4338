//! Reading multipart forms (file uploads) with limits: each file and each
//! text field has a size cap, the number of files is capped, and the CSRF
//! token travels as a field like in every other form.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::HttpRequest;
use futures_util::StreamExt;

use super::csrf;
use crate::error::AppError;

const MAX_FIELD_BYTES: usize = 256 * 1024;

pub struct Upload {
    pub fields: HashMap<String, String>,
    /// (file name, content), in the order sent. Empty file inputs are skipped.
    pub files: Vec<(String, Vec<u8>)>,
    /// Names of files over the size cap; their content was not kept.
    pub too_large: Vec<String>,
}

impl Upload {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }
}

pub async fn read(
    req: &HttpRequest,
    mut payload: Multipart,
    max_file: usize,
    max_files: usize,
) -> Result<Upload, AppError> {
    let mut upload = Upload {
        fields: HashMap::new(),
        files: Vec::new(),
        too_large: Vec::new(),
    };
    while let Some(item) = payload.next().await {
        let mut field = item.map_err(|_| AppError::BadRequest("errors.form_unreadable".into()))?;
        let name = field.name().unwrap_or("").to_owned();
        let filename = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_owned);
        match filename {
            Some(filename) => {
                if upload.files.len() + upload.too_large.len() >= max_files {
                    return Err(AppError::PayloadTooLarge);
                }
                match field.bytes(max_file).await {
                    Ok(Ok(bytes)) if bytes.is_empty() && filename.is_empty() => {}
                    Ok(Ok(bytes)) => upload.files.push((filename, bytes.to_vec())),
                    Ok(Err(_)) => {
                        return Err(AppError::BadRequest("errors.form_unreadable".into()))
                    }
                    Err(_) => upload.too_large.push(filename),
                }
            }
            None => {
                let bytes = field
                    .bytes(MAX_FIELD_BYTES)
                    .await
                    .map_err(|_| AppError::PayloadTooLarge)?
                    .map_err(|_| AppError::BadRequest("errors.form_unreadable".into()))?;
                let text = String::from_utf8(bytes.to_vec())
                    .map_err(|_| AppError::BadRequest("errors.form_unreadable".into()))?;
                upload.fields.insert(name, text);
            }
        }
    }
    let sent = upload.field(csrf::CSRF_FIELD);
    if !csrf::tokens_match(sent, &csrf::token(req)) {
        return Err(AppError::CsrfRejected);
    }
    Ok(upload)
}
