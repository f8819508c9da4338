//! Settings: built-in defaults, then an optional TOML file, then `KONVERT_*`
//! environment variables, each layer overriding the one before.
//!
//! Everything is checked here, once, so that the rest of the program holds
//! parsed values (a socket address, a database target) and a bad setting ends
//! start-up with one line that names it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::db::DbTarget;
use crate::letters::{Prices, ServicePrice};

/// The settings as a file or the environment states them; every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    pub bind: Option<String>,
    pub database_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub base_url: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub pool_size: Option<u32>,
    pub workers: Option<usize>,
    pub log: Option<String>,
    pub open_signup: Option<bool>,
    /// E-letter prices in kopecks (check: prices change).
    pub price_fsin_page: Option<i64>,
    pub price_fsin_reply_blank: Option<i64>,
    pub price_zt_page: Option<i64>,
    pub price_zt_reply_blank: Option<i64>,
    /// HTTP gateways that submit e-letters automatically (see README).
    pub fsin_gateway_url: Option<String>,
    pub zt_gateway_url: Option<String>,
    /// Run the delivery worker inside `serve` (default true).
    pub run_worker: Option<bool>,
    pub delivery_max_attempts: Option<i32>,
    /// Seconds after which a claim is taken to belong to a dead worker.
    pub delivery_lease_secs: Option<u64>,
    /// Delivery lead times: e-letters in working days, post in days.
    pub lead_eletter_days: Option<u32>,
    pub lead_post_days: Option<u32>,
    pub lead_abroad_days: Option<u32>,
}

/// The names a file and the environment use, for error messages and the README.
const ENV_KEYS: &[&str] = &[
    "BIND",
    "DATABASE_URL",
    "DATA_DIR",
    "BASE_URL",
    "SMTP_URL",
    "MAIL_FROM",
    "POOL_SIZE",
    "WORKERS",
    "LOG",
    "OPEN_SIGNUP",
    "FSIN_GATEWAY_URL",
    "ZT_GATEWAY_URL",
    "RUN_WORKER",
    "DELIVERY_MAX_ATTEMPTS",
    "DELIVERY_LEASE_SECS",
    "LEAD_ELETTER_DAYS",
    "LEAD_POST_DAYS",
    "LEAD_ABROAD_DAYS",
    "PRICE_FSIN_PAGE",
    "PRICE_FSIN_REPLY_BLANK",
    "PRICE_ZT_PAGE",
    "PRICE_ZT_REPLY_BLANK",
];

#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: SocketAddr,
    pub database: DbTarget,
    pub data_dir: PathBuf,
    /// Where people reach Konvert, without a trailing slash; used in links.
    pub base_url: String,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub pool_size: u32,
    /// HTTP worker threads; `None` means one per core.
    pub workers: Option<usize>,
    pub log: String,
    pub open_signup: bool,
    /// What the e-letter services charge, for the composer's cost figure.
    pub prices: Prices,
    pub fsin_gateway_url: Option<String>,
    pub zt_gateway_url: Option<String>,
    pub run_worker: bool,
    pub delivery_max_attempts: i32,
    pub delivery_lease_secs: u64,
    pub lead_times: crate::dashboard::dates::LeadTimes,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{key}: {message}")]
    Invalid { key: &'static str, message: String },
    #[error("config file {path}: {message}")]
    File { path: PathBuf, message: String },
}

fn invalid(key: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        message: message.into(),
    }
}

impl RawSettings {
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::File {
            path: path.to_owned(),
            // toml's messages span several lines; keep the first, which names the key.
            message: e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_owned(),
        })
    }

    /// Reads `KONVERT_*` variables through `get`, so tests need not touch the
    /// process environment.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |key: &str| get(&format!("KONVERT_{key}")).filter(|v| !v.trim().is_empty());
        Ok(Self {
            bind: var("BIND"),
            database_url: var("DATABASE_URL"),
            data_dir: var("DATA_DIR").map(PathBuf::from),
            base_url: var("BASE_URL"),
            smtp_url: var("SMTP_URL"),
            mail_from: var("MAIL_FROM"),
            pool_size: var("POOL_SIZE")
                .map(|v| parse_number("KONVERT_POOL_SIZE", &v))
                .transpose()?,
            workers: var("WORKERS")
                .map(|v| parse_number("KONVERT_WORKERS", &v))
                .transpose()?,
            log: var("LOG"),
            open_signup: var("OPEN_SIGNUP")
                .map(|v| parse_bool("KONVERT_OPEN_SIGNUP", &v))
                .transpose()?,
            price_fsin_page: var("PRICE_FSIN_PAGE")
                .map(|v| parse_number("KONVERT_PRICE_FSIN_PAGE", &v))
                .transpose()?,
            price_fsin_reply_blank: var("PRICE_FSIN_REPLY_BLANK")
                .map(|v| parse_number("KONVERT_PRICE_FSIN_REPLY_BLANK", &v))
                .transpose()?,
            price_zt_page: var("PRICE_ZT_PAGE")
                .map(|v| parse_number("KONVERT_PRICE_ZT_PAGE", &v))
                .transpose()?,
            fsin_gateway_url: var("FSIN_GATEWAY_URL"),
            zt_gateway_url: var("ZT_GATEWAY_URL"),
            run_worker: var("RUN_WORKER")
                .map(|v| parse_bool("KONVERT_RUN_WORKER", &v))
                .transpose()?,
            lead_eletter_days: var("LEAD_ELETTER_DAYS")
                .map(|v| parse_number("KONVERT_LEAD_ELETTER_DAYS", &v))
                .transpose()?,
            lead_post_days: var("LEAD_POST_DAYS")
                .map(|v| parse_number("KONVERT_LEAD_POST_DAYS", &v))
                .transpose()?,
            lead_abroad_days: var("LEAD_ABROAD_DAYS")
                .map(|v| parse_number("KONVERT_LEAD_ABROAD_DAYS", &v))
                .transpose()?,
            delivery_lease_secs: var("DELIVERY_LEASE_SECS")
                .map(|v| parse_number("KONVERT_DELIVERY_LEASE_SECS", &v))
                .transpose()?,
            delivery_max_attempts: var("DELIVERY_MAX_ATTEMPTS")
                .map(|v| parse_number("KONVERT_DELIVERY_MAX_ATTEMPTS", &v))
                .transpose()?,
            price_zt_reply_blank: var("PRICE_ZT_REPLY_BLANK")
                .map(|v| parse_number("KONVERT_PRICE_ZT_REPLY_BLANK", &v))
                .transpose()?,
        })
    }

    /// Fields set in `over` replace those in `self`.
    pub fn merge(self, over: RawSettings) -> RawSettings {
        RawSettings {
            bind: over.bind.or(self.bind),
            database_url: over.database_url.or(self.database_url),
            data_dir: over.data_dir.or(self.data_dir),
            base_url: over.base_url.or(self.base_url),
            smtp_url: over.smtp_url.or(self.smtp_url),
            mail_from: over.mail_from.or(self.mail_from),
            pool_size: over.pool_size.or(self.pool_size),
            workers: over.workers.or(self.workers),
            log: over.log.or(self.log),
            open_signup: over.open_signup.or(self.open_signup),
            price_fsin_page: over.price_fsin_page.or(self.price_fsin_page),
            price_fsin_reply_blank: over.price_fsin_reply_blank.or(self.price_fsin_reply_blank),
            price_zt_page: over.price_zt_page.or(self.price_zt_page),
            price_zt_reply_blank: over.price_zt_reply_blank.or(self.price_zt_reply_blank),
            fsin_gateway_url: over.fsin_gateway_url.or(self.fsin_gateway_url),
            zt_gateway_url: over.zt_gateway_url.or(self.zt_gateway_url),
            run_worker: over.run_worker.or(self.run_worker),
            delivery_max_attempts: over.delivery_max_attempts.or(self.delivery_max_attempts),
            delivery_lease_secs: over.delivery_lease_secs.or(self.delivery_lease_secs),
            lead_eletter_days: over.lead_eletter_days.or(self.lead_eletter_days),
            lead_post_days: over.lead_post_days.or(self.lead_post_days),
            lead_abroad_days: over.lead_abroad_days.or(self.lead_abroad_days),
        }
    }

    pub fn resolve(self) -> Result<Settings, ConfigError> {
        let bind_text = self.bind.unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let bind: SocketAddr = bind_text.trim().parse().map_err(|_| {
            invalid(
                "KONVERT_BIND",
                format!("expected address:port such as 127.0.0.1:8080, got {bind_text:?}"),
            )
        })?;
        let data_dir = self.data_dir.unwrap_or_else(|| PathBuf::from("data"));
        let database = match self.database_url {
            Some(url) => DbTarget::parse(&url).map_err(|m| invalid("KONVERT_DATABASE_URL", m))?,
            None => DbTarget::Sqlite(data_dir.join("konvert.sqlite3")),
        };
        let base_url = match self.base_url {
            Some(url) => {
                let parsed = url::Url::parse(url.trim())
                    .map_err(|e| invalid("KONVERT_BASE_URL", format!("{e}: {url:?}")))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(invalid(
                        "KONVERT_BASE_URL",
                        "must start with http:// or https://",
                    ));
                }
                parsed.as_str().trim_end_matches('/').to_owned()
            }
            None => format!("http://{bind}"),
        };
        if let Some(smtp) = &self.smtp_url {
            url::Url::parse(smtp)
                .ok()
                .filter(|u| matches!(u.scheme(), "smtp" | "smtps"))
                .ok_or_else(|| {
                    invalid(
                        "KONVERT_SMTP_URL",
                        "expected smtp://user:password@host:port or smtps://…",
                    )
                })?;
        }
        let pool_size = self.pool_size.unwrap_or(8);
        if pool_size == 0 {
            return Err(invalid("KONVERT_POOL_SIZE", "must be at least 1"));
        }
        if self.workers == Some(0) {
            return Err(invalid("KONVERT_WORKERS", "must be at least 1"));
        }
        let defaults = Prices::default();
        let price = |key: &'static str, value: Option<i64>, default: i64| match value {
            Some(v) if v < 0 => Err(invalid(key, "a price cannot be negative")),
            Some(v) => Ok(v),
            None => Ok(default),
        };
        let prices = Prices {
            fsin_pismo: ServicePrice {
                page_minor: price(
                    "KONVERT_PRICE_FSIN_PAGE",
                    self.price_fsin_page,
                    defaults.fsin_pismo.page_minor,
                )?,
                reply_blank_minor: price(
                    "KONVERT_PRICE_FSIN_REPLY_BLANK",
                    self.price_fsin_reply_blank,
                    defaults.fsin_pismo.reply_blank_minor,
                )?,
            },
            zonatelecom: ServicePrice {
                page_minor: price(
                    "KONVERT_PRICE_ZT_PAGE",
                    self.price_zt_page,
                    defaults.zonatelecom.page_minor,
                )?,
                reply_blank_minor: price(
                    "KONVERT_PRICE_ZT_REPLY_BLANK",
                    self.price_zt_reply_blank,
                    defaults.zonatelecom.reply_blank_minor,
                )?,
            },
        };
        Ok(Settings {
            bind,
            database,
            data_dir,
            base_url,
            smtp_url: self.smtp_url,
            mail_from: self
                .mail_from
                .unwrap_or_else(|| "Konvert <konvert@localhost>".to_owned()),
            pool_size,
            workers: self.workers,
            log: self.log.unwrap_or_else(|| "info".to_owned()),
            open_signup: self.open_signup.unwrap_or(false),
            prices,
            fsin_gateway_url: check_http_url("KONVERT_FSIN_GATEWAY_URL", self.fsin_gateway_url)?,
            zt_gateway_url: check_http_url("KONVERT_ZT_GATEWAY_URL", self.zt_gateway_url)?,
            run_worker: self.run_worker.unwrap_or(true),
            lead_times: {
                let d = crate::dashboard::dates::LeadTimes::default();
                let days = |key: &'static str, v: Option<u32>, default: u32| match v {
                    Some(n) if n > 365 => Err(invalid(key, "must be at most 365 days")),
                    Some(n) => Ok(n),
                    None => Ok(default),
                };
                crate::dashboard::dates::LeadTimes {
                    eletter_working_days: days(
                        "KONVERT_LEAD_ELETTER_DAYS",
                        self.lead_eletter_days,
                        d.eletter_working_days,
                    )?,
                    post_domestic_days: days(
                        "KONVERT_LEAD_POST_DAYS",
                        self.lead_post_days,
                        d.post_domestic_days,
                    )?,
                    post_abroad_days: days(
                        "KONVERT_LEAD_ABROAD_DAYS",
                        self.lead_abroad_days,
                        d.post_abroad_days,
                    )?,
                }
            },
            // Longer than the gateway and SMTP timeouts, so a slow send is not
            // mistaken for a dead worker.
            delivery_lease_secs: match self.delivery_lease_secs {
                Some(0) => {
                    return Err(invalid("KONVERT_DELIVERY_LEASE_SECS", "must be at least 1"))
                }
                Some(n) => n,
                None => 600,
            },
            delivery_max_attempts: match self.delivery_max_attempts {
                Some(n) if !(1..=100).contains(&n) => {
                    return Err(invalid(
                        "KONVERT_DELIVERY_MAX_ATTEMPTS",
                        "must be from 1 to 100",
                    ))
                }
                Some(n) => n,
                None => 8,
            },
        })
    }
}

impl Settings {
    /// Defaults, then the file (if any), then the process environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let from_file = match file {
            Some(path) => RawSettings::from_file(path)?,
            None => RawSettings::default(),
        };
        let from_env = RawSettings::from_env(|k| std::env::var(k).ok())?;
        from_file.merge(from_env).resolve()
    }

    /// The environment variable names Konvert reads.
    pub fn env_keys() -> impl Iterator<Item = String> {
        ENV_KEYS.iter().map(|k| format!("KONVERT_{k}"))
    }
}

fn parse_number<T: std::str::FromStr>(key: &'static str, value: &str) -> Result<T, ConfigError> {
    value
        .trim()
        .parse()
        .map_err(|_| invalid(key, format!("expected a whole number, got {value:?}")))
}

fn check_http_url(key: &'static str, value: Option<String>) -> Result<Option<String>, ConfigError> {
    let Some(value) = value else { return Ok(None) };
    match url::Url::parse(value.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(Some(value.trim().to_owned())),
        _ => Err(invalid(key, "expected an http:// or https:// URL")),
    }
}

fn parse_bool(key: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(invalid(
            key,
            format!("expected true or false, got {value:?}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> RawSettings {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        RawSettings::from_env(|k| owned.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
            .expect("valid env")
    }

    #[test]
    fn defaults_serve_sqlite_under_the_data_dir_on_localhost_8080() {
        let s = RawSettings::default().resolve().unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.base_url, "http://127.0.0.1:8080");
        assert!(
            matches!(s.database, DbTarget::Sqlite(ref p) if p == Path::new("data/konvert.sqlite3"))
        );
    }

    #[test]
    fn environment_overrides_the_file() {
        let file: RawSettings =
            toml::from_str("bind = \"127.0.0.1:9000\"\nlog = \"debug\"").unwrap();
        let s = file
            .merge(env(&[("KONVERT_BIND", "0.0.0.0:7000")]))
            .resolve()
            .unwrap();
        assert_eq!(s.bind.to_string(), "0.0.0.0:7000");
        assert_eq!(s.log, "debug");
    }

    #[test]
    fn bad_values_name_their_setting() {
        let err = env(&[("KONVERT_BIND", "localhost")]).resolve().unwrap_err();
        assert!(err.to_string().starts_with("KONVERT_BIND:"), "{err}");
        let err = env(&[("KONVERT_DATABASE_URL", "mysql://x/y")])
            .resolve()
            .unwrap_err();
        assert!(
            err.to_string().starts_with("KONVERT_DATABASE_URL:"),
            "{err}"
        );
        let err = RawSettings::from_env(|k| (k == "KONVERT_POOL_SIZE").then(|| "many".into()))
            .map(|_| ())
            .unwrap_err();
        assert!(err.to_string().contains("KONVERT_POOL_SIZE"), "{err}");
    }

    #[test]
    fn prices_default_and_come_from_the_file_or_the_environment() {
        let s = RawSettings::default().resolve().unwrap();
        assert_eq!(s.prices.fsin_pismo.page_minor, 5_500);
        assert_eq!(s.prices.fsin_pismo.reply_blank_minor, 5_500);
        assert_eq!(s.prices.zonatelecom.page_minor, 4_500);
        assert_eq!(s.prices.zonatelecom.reply_blank_minor, 4_500);
        let file: RawSettings = toml::from_str("price_zt_page = 3900").unwrap();
        let s = file
            .merge(env(&[("KONVERT_PRICE_FSIN_PAGE", "6000")]))
            .resolve()
            .unwrap();
        assert_eq!(s.prices.fsin_pismo.page_minor, 6_000);
        assert_eq!(s.prices.zonatelecom.page_minor, 3_900);
        let err = env(&[("KONVERT_PRICE_ZT_REPLY_BLANK", "-1")])
            .resolve()
            .unwrap_err();
        assert!(
            err.to_string().starts_with("KONVERT_PRICE_ZT_REPLY_BLANK:"),
            "{err}"
        );
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        assert!(toml::from_str::<RawSettings>("bnid = \"x\"").is_err());
    }
}
