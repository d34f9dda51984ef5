//! The secrets that make the journal and the archives tamper-evident, kept outside the
//! database, and the anchor file.
//!
//! - The **journal key** (`COORDO_AUDIT_KEY_FILE`): 32 random bytes (hex), created at first
//!   start with mode 600. Every entry is sealed by HMAC-SHA256 under it: editing an entry and
//!   recomputing the chain needs the key, not only the database.
//! - The **anchor file** (`COORDO_AUDIT_ANCHOR_FILE`): after each committed write, the head
//!   (id, seal) is appended to it. The database alone cannot say that its last entries, or all
//!   of them, were removed; the anchor, outside it, can. An append-only file was chosen over an
//!   external service because Coordo runs offline on one server: the operator can make it
//!   append-only (`chattr +a`) or ship it to another machine (syslog, backup) without Coordo
//!   depending on either.
//! - The **signing key** of the groupement (`COORDO_SIGNING_KEY_FILE`): an Ed25519 seed,
//!   created and kept like the journal key, that signs the archives.
//!
//! The keys are registered per journal (by key id, stored in `audit_head.key_id`) so that
//! [`super::record`] finds the key of the database it writes to, several services in one
//! process included (the tests).

use super::chain;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, RwLock};

/// The key of one journal and where its anchor is.
pub struct Keyring {
    pub id: String,
    key: [u8; 32],
    pub anchor_path: PathBuf,
}

impl Keyring {
    /// A keyring (not yet registered).
    #[must_use]
    pub fn new(id: String, key: [u8; 32], anchor_path: PathBuf) -> Self {
        Self {
            id,
            key,
            anchor_path,
        }
    }

    /// The secret (HMAC key).
    #[must_use]
    pub fn secret(&self) -> &[u8] {
        &self.key
    }
}

static RINGS: LazyLock<RwLock<HashMap<String, Arc<Keyring>>>> =
    LazyLock::new(|| RwLock::new(HashMap::new()));

/// The keyring registered for a key id.
#[must_use]
pub fn get(id: &str) -> Option<Arc<Keyring>> {
    RINGS.read().ok()?.get(id).cloned()
}

/// Registers a keyring (replaces the one of the same id).
pub fn register(ring: Keyring) -> Arc<Keyring> {
    let ring = Arc::new(ring);
    if let Ok(mut m) = RINGS.write() {
        m.insert(ring.id.clone(), ring.clone());
    }
    ring
}

/// Public identifier of a journal key (16 hex digits; reveals nothing of the key).
#[must_use]
pub fn key_id(key: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"coordo-audit-key-id\0");
    h.update(key);
    hex::encode(h.finalize())[..16].to_owned()
}

/// Reads a 32-byte secret written as hex, or creates it (mode 600) when the file does not
/// exist and `create` is set.
///
/// # Errors
/// French message naming the file: unreadable, malformed, readable by others, absent.
pub fn load_or_create_secret(path: &Path, create: bool, what: &str) -> Result<[u8; 32], String> {
    if path.exists() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)
                .map_err(|e| format!("{what} « {} » illisible : {e}", path.display()))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(format!(
                    "{what} « {} » est lisible par d'autres comptes (droits {:o}) : \
                     réglez-les à 600 (chmod 600)",
                    path.display(),
                    mode & 0o777
                ));
            }
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{what} « {} » illisible : {e}", path.display()))?;
        let bytes = hex::decode(text.trim()).ok().filter(|b| b.len() == 32);
        let Some(bytes) = bytes else {
            return Err(format!(
                "{what} « {} » n'est pas une clé de 32 octets écrite en hexadécimal",
                path.display()
            ));
        };
        let mut key = [0u8; 32];
        key.copy_from_slice(&bytes);
        return Ok(key);
    }
    if !create {
        return Err(format!("{what} « {} » est introuvable", path.display()));
    }
    let mut key = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("dossier de la {what} « {} » : {e}", dir.display()))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .map_err(|e| format!("{what} « {} » : création impossible : {e}", path.display()))?;
    f.write_all(format!("{}\n", hex::encode(key)).as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("{what} « {} » : écriture impossible : {e}", path.display()))?;
    Ok(key)
}

/// Creates the anchor file with its header, unless it exists.
///
/// # Errors
/// French message naming the file.
pub fn create_anchor(path: &Path, key_id: &str, keyed_from: i64) -> Result<(), String> {
    if path.exists() {
        return Ok(());
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| {
        format!(
            "fichier d'ancrage du journal « {} » : création impossible : {e}",
            path.display()
        )
    })?;
    f.write_all(chain::anchor_header(key_id, keyed_from).as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("fichier d'ancrage « {} » : {e}", path.display()))
}

/// Appends the head after a committed write. The file is never created here: a removed anchor
/// file stays missing, and `coordo audit verify` says so.
pub fn append_anchor(ring: &Keyring, id: i64, seal: &str) {
    let r = std::fs::OpenOptions::new()
        .append(true)
        .open(&ring.anchor_path)
        .and_then(|mut f| f.write_all(chain::anchor_line(id, seal).as_bytes()));
    if let Err(e) = r {
        tracing::error!(
            "ancrage du journal d'audit « {} » impossible : {e}",
            ring.anchor_path.display()
        );
    }
}

/// Reads and parses the anchor file.
///
/// # Errors
/// French message: absent, unreadable or malformed.
pub fn read_anchor(path: &Path) -> Result<chain::Anchor, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "le fichier d'ancrage du journal « {} » est absent ou illisible ({e})",
            path.display()
        )
    })?;
    chain::parse_anchor(&text)
}
