//! Configuration, read once from the environment and validated before anything starts.
//!
//! | variable | default |
//! |---|---|
//! | `COORDO_DATABASE_URL` | `sqlite://coordo.db` |
//! | `COORDO_ADDR` | `127.0.0.1:8080` |
//! | `COORDO_SMTP_URL` | unset: emails are written as `.eml` files to `COORDO_MAIL_DIR` |
//! | `COORDO_MAIL_DIR` | `outbox` |
//! | `COORDO_MAIL_FROM` | `Coordo <coordo@localhost>` |
//! | `COORDO_BASE_URL` | `http://` + `COORDO_ADDR` |
//! | `COORDO_SECRET_KEY` | unset: a random key created once and kept in the database |

use std::net::SocketAddr;
use std::path::PathBuf;

/// A configuration value that cannot be used; the message is French and names the variable.
#[derive(Debug, thiserror::Error)]
#[error("Configuration invalide : {0}")]
pub struct ConfigError(pub String);

/// Where outgoing email goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailTransportConfig {
    /// `smtp://host:port`, `smtp://host:587?tls=required` (STARTTLS) or `smtps://user:pass@host` (TLS).
    Smtp(String),
    /// `.eml` files written to this folder.
    Files(PathBuf),
}

/// Every setting of the service; the same for `serve` and every subcommand.
#[derive(Clone, Debug)]
pub struct Settings {
    pub database_url: String,
    pub addr: SocketAddr,
    pub mail: MailTransportConfig,
    pub mail_from: String,
    pub base_url: String,
    /// Signs the anonymous CSRF tokens and the device cookies; when `None` at start, the key
    /// kept in the database is used (see `web::secret`).
    pub secret_key: Option<crate::web::secret::SecretKey>,
}

impl Settings {
    /// Reads `COORDO_*` variables from the process environment.
    ///
    /// # Errors
    /// A French message naming the first variable whose value is unusable.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Same as [`Settings::from_env`] with an explicit lookup, for tests.
    ///
    /// # Errors
    /// See [`Settings::from_env`].
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let val = |k: &str| {
            get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let database_url =
            val("COORDO_DATABASE_URL").unwrap_or_else(|| "sqlite://coordo.db".into());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError(format!(
                "COORDO_DATABASE_URL « {database_url} » doit commencer par sqlite:, postgres:// ou postgresql://"
            )));
        }
        let addr_s = val("COORDO_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        let addr: SocketAddr = addr_s.parse().map_err(|_| {
            ConfigError(format!(
                "COORDO_ADDR « {addr_s} » n'est pas une adresse IP:port (exemple : 127.0.0.1:8080)"
            ))
        })?;
        let mail = match val("COORDO_SMTP_URL") {
            Some(u) => {
                let parsed = url::Url::parse(&u).map_err(|_| {
                    ConfigError(format!("COORDO_SMTP_URL « {u} » n'est pas une URL valide"))
                })?;
                if !matches!(parsed.scheme(), "smtp" | "smtps") || parsed.host_str().is_none() {
                    return Err(ConfigError(format!(
                        "COORDO_SMTP_URL « {u} » doit être de la forme smtp://hôte:port ou smtps://utilisateur:motdepasse@hôte"
                    )));
                }
                MailTransportConfig::Smtp(u)
            }
            None => MailTransportConfig::Files(PathBuf::from(
                val("COORDO_MAIL_DIR").unwrap_or_else(|| "outbox".into()),
            )),
        };
        let mail_from =
            val("COORDO_MAIL_FROM").unwrap_or_else(|| "Coordo <coordo@localhost>".into());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError(format!(
                "COORDO_MAIL_FROM « {mail_from} » n'est pas une adresse électronique valide"
            )));
        }
        let base_url = val("COORDO_BASE_URL").unwrap_or_else(|| format!("http://{addr}"));
        match url::Url::parse(&base_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            _ => {
                return Err(ConfigError(format!(
                    "COORDO_BASE_URL « {base_url} » doit être une URL http:// ou https://"
                )));
            }
        }
        let secret_key = match val("COORDO_SECRET_KEY") {
            Some(k) => Some(crate::web::secret::SecretKey::from_hex(&k).ok_or_else(|| {
                ConfigError(
                    "COORDO_SECRET_KEY doit compter exactement 64 chiffres hexadécimaux (32 octets)"
                        .into(),
                )
            })?),
            None => None,
        };
        Ok(Self {
            database_url,
            addr,
            mail,
            mail_from,
            base_url: base_url.trim_end_matches('/').to_owned(),
            secret_key,
        })
    }

    /// The signing key (set by `startup::build_state`; a per-process key before that).
    #[must_use]
    pub fn key(&self) -> &crate::web::secret::SecretKey {
        static FALLBACK: std::sync::LazyLock<crate::web::secret::SecretKey> =
            std::sync::LazyLock::new(crate::web::secret::SecretKey::random);
        self.secret_key.as_ref().unwrap_or(&FALLBACK)
    }

    /// Settings for a test: a SQLite file, a loopback port chosen by the system, mail to a folder.
    #[must_use]
    pub fn for_test(db_path: &std::path::Path, mail_dir: &std::path::Path) -> Self {
        Self {
            database_url: format!("sqlite://{}", db_path.display()),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            mail: MailTransportConfig::Files(mail_dir.to_path_buf()),
            mail_from: "Coordo <coordo@localhost>".into(),
            base_url: "http://127.0.0.1".into(),
            secret_key: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_the_embedded_ones() {
        let s = load(&[]).expect("defaults");
        assert_eq!(s.database_url, "sqlite://coordo.db");
        assert_eq!(s.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(s.mail, MailTransportConfig::Files(PathBuf::from("outbox")));
        assert_eq!(s.base_url, "http://127.0.0.1:8080");
    }

    #[test]
    fn bad_values_name_the_variable_in_french() {
        for (k, v) in [
            ("COORDO_ADDR", "localhost"),
            ("COORDO_DATABASE_URL", "mysql://x"),
            ("COORDO_SMTP_URL", "http://mail"),
            ("COORDO_MAIL_FROM", "pas une adresse"),
            ("COORDO_BASE_URL", "ftp://x"),
            ("COORDO_SECRET_KEY", "trop-court"),
        ] {
            let e = load(&[(k, v)]).expect_err(k).to_string();
            assert!(e.starts_with("Configuration invalide"), "{e}");
            assert!(e.contains(k), "{e}");
        }
    }

    #[test]
    fn smtp_url_replaces_the_mail_folder() {
        let s = load(&[("COORDO_SMTP_URL", "smtp://127.0.0.1:2525")]).expect("smtp");
        assert_eq!(
            s.mail,
            MailTransportConfig::Smtp("smtp://127.0.0.1:2525".into())
        );
    }
}
