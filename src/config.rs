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
//! | `COORDO_AUDIT_KEY_FILE` | `coordo-audit.key` beside the SQLite file (current folder for PostgreSQL) |
//! | `COORDO_AUDIT_ANCHOR_FILE` | `coordo-audit.anchor` beside the key file |
//! | `COORDO_SIGNING_KEY_FILE` | `coordo-signature.key` beside the key file |
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
    /// The journal's HMAC key (created at first start, mode 600).
    pub audit_key_file: PathBuf,
    /// The journal's anchor (append-only, outside the database).
    pub audit_anchor_file: PathBuf,
    /// The groupement's Ed25519 key that signs the archives (created at first start, mode 600).
    pub signing_key_file: PathBuf,
    /// Signs the anonymous CSRF tokens and the device cookies; when `None` at start, the key
    /// kept in the database is used (see `web::secret`).
    pub secret_key: Option<crate::web::secret::SecretKey>,
    /// On an empty database, `serve` also builds the demo consultations at several stages
    /// (`COORDO_DEMO=complete`, the default) or only the groupement and its accounts
    /// (`COORDO_DEMO=groupement`).
    pub demo_consultations: bool,
}

/// The folder of a SQLite database file (`sqlite://dir/coordo.db?mode=rwc` → `dir`); the
/// current folder for PostgreSQL or an in-memory database.
#[must_use]
pub fn data_dir(database_url: &str) -> PathBuf {
    let Some(rest) = database_url.strip_prefix("sqlite:") else {
        return PathBuf::from(".");
    };
    let path = rest.trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path.contains(":memory:") {
        return PathBuf::from(".");
    }
    std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), std::path::Path::to_path_buf)
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
        let audit_key_file = val("COORDO_AUDIT_KEY_FILE").map_or_else(
            || data_dir(&database_url).join("coordo-audit.key"),
            PathBuf::from,
        );
        let beside = |name: &str| {
            audit_key_file
                .parent()
                .map_or_else(|| PathBuf::from(name), |d| d.join(name))
        };
        let audit_anchor_file = val("COORDO_AUDIT_ANCHOR_FILE")
            .map_or_else(|| beside("coordo-audit.anchor"), PathBuf::from);
        let signing_key_file = val("COORDO_SIGNING_KEY_FILE")
            .map_or_else(|| beside("coordo-signature.key"), PathBuf::from);
        if audit_anchor_file == audit_key_file || signing_key_file == audit_key_file {
            return Err(ConfigError(
                "COORDO_AUDIT_ANCHOR_FILE et COORDO_SIGNING_KEY_FILE doivent désigner d'autres fichiers que COORDO_AUDIT_KEY_FILE".into(),
            ));
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
        let demo_consultations = match val("COORDO_DEMO").as_deref().map(str::trim) {
            None | Some("complete") => true,
            Some("groupement") => false,
            Some(other) => {
                return Err(ConfigError(format!(
                    "COORDO_DEMO « {other} » inconnu : « complete » (par défaut : groupement, comptes et consultations de démonstration à plusieurs étapes) ou « groupement » (groupement et comptes seulement)"
                )));
            }
        };
        Ok(Self {
            demo_consultations,
            database_url,
            addr,
            mail,
            mail_from,
            base_url: base_url.trim_end_matches('/').to_owned(),
            audit_key_file,
            audit_anchor_file,
            signing_key_file,
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
            audit_key_file: db_path.with_file_name("coordo-audit.key"),
            audit_anchor_file: db_path.with_file_name("coordo-audit.anchor"),
            signing_key_file: db_path.with_file_name("coordo-signature.key"),
            secret_key: None,
            demo_consultations: false,
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
        assert_eq!(s.audit_key_file, PathBuf::from("./coordo-audit.key"));
        assert_eq!(s.audit_anchor_file, PathBuf::from("./coordo-audit.anchor"));
    }

    #[test]
    fn keys_default_beside_the_sqlite_file() {
        let s = load(&[(
            "COORDO_DATABASE_URL",
            "sqlite:///srv/coordo/coordo.db?mode=rwc",
        )])
        .expect("settings");
        assert_eq!(
            s.audit_key_file,
            PathBuf::from("/srv/coordo/coordo-audit.key")
        );
        assert_eq!(
            s.signing_key_file,
            PathBuf::from("/srv/coordo/coordo-signature.key")
        );
        let s = load(&[("COORDO_AUDIT_KEY_FILE", "/etc/coordo/audit.key")]).expect("settings");
        assert_eq!(
            s.audit_anchor_file,
            PathBuf::from("/etc/coordo/coordo-audit.anchor")
        );
        assert!(load(&[("COORDO_AUDIT_ANCHOR_FILE", "./coordo-audit.key")]).is_err());
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
