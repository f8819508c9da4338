//! Unsubscribe links that work without signing in: the user and the kind of
//! reminder, signed with the server's secret (HMAC-SHA256), so nobody can
//! turn off someone else's reminders by editing a link.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], payload: &str) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(secret).ok()?;
    mac.update(b"konvert-unsubscribe\0");
    mac.update(payload.as_bytes());
    Some(mac)
}

/// A token for turning off `kind` (or `all`) for `user_id`.
pub fn sign(secret: &[u8], user_id: i64, kind: &str) -> String {
    let payload = format!("{user_id}:{kind}");
    let signature = mac(secret, &payload)
        .map(|m| m.finalize().into_bytes().to_vec())
        .unwrap_or_default();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// The user and kind a token names, if its signature is right.
pub fn verify(secret: &[u8], token: &str) -> Option<(i64, String)> {
    let (payload, signature) = token.trim().split_once('.')?;
    let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    // verify_slice compares in constant time.
    mac(secret, &payload)?.verify_slice(&signature).ok()?;
    let (user, kind) = payload.split_once(':')?;
    Some((user.parse().ok()?, kind.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_edits_and_other_keys() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let token = sign(secret, 42, "digest");
        assert_eq!(verify(secret, &token), Some((42, "digest".to_owned())));
        assert_eq!(verify(b"another secret", &token), None);
        // Someone else's id with this signature fails.
        let (_, signature) = token.split_once('.').unwrap();
        let forged = format!("{}.{signature}", URL_SAFE_NO_PAD.encode("43:digest"));
        assert_eq!(verify(secret, &forged), None);
        assert_eq!(verify(secret, "garbage"), None);
        assert_eq!(verify(secret, "a.b.c"), None);
        assert_eq!(verify(secret, ""), None);
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
            "safe in a URL"
        );
    }
}
