//! Sending one stored email: the lettre message (text and HTML alternative, attachments, the
//! stored Message-ID) and the transport chosen by the configuration — SMTP (`smtp://` plain,
//! `?tls=required` STARTTLS, `smtps://` TLS; credentials from the URL) or `.eml` files.
//! A failure says whether it is worth retrying (4xx, network trouble, a connection cut before
//! the server's final reply) or not (5xx, certificate refused, malformed message), in French;
//! the raw detail goes to the log only.

use super::MailError;
use crate::config::MailTransportConfig;
use crate::db::entities::{mail_attachment, mail_message};
use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::io::ErrorKind;
use std::path::PathBuf;
use std::time::Duration;

/// Longest wait for one SMTP command.
const SMTP_COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest wait for a whole delivery (connection, TLS, DATA).
pub const SEND_TIMEOUT: Duration = Duration::from_secs(120);

/// Why an attempt failed, and whether a later attempt may succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendFailure {
    pub retryable: bool,
    /// French explanation, stored as `last_error`.
    pub message: String,
}

impl SendFailure {
    fn permanent(message: String) -> Self {
        Self {
            retryable: false,
            message,
        }
    }
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// The configured way out (cheap to clone: the SMTP connection pool is shared).
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
    /// Where mail goes, without any password (for messages and the outbox page).
    target: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("target", &self.target)
            .finish()
    }
}

/// The URL without its password.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => url.to_owned(),
    }
}

impl Mailer {
    /// Builds the transport of `config` with `mail_from` as sender, without touching the
    /// network or the disk (see [`Mailer::ensure_ready`]). Must run inside the tokio runtime
    /// (the SMTP pool starts a task).
    ///
    /// # Errors
    /// An unusable sender or SMTP URL, named in French.
    pub fn new(config: &MailTransportConfig, mail_from: &str) -> Result<Self, MailError> {
        let from: Mailbox = mail_from
            .parse()
            .map_err(|_| MailError::InvalidFrom(mail_from.to_owned()))?;
        match config {
            MailTransportConfig::Smtp(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailError::InvalidSmtpUrl {
                        url: redact(url),
                        reason: e.to_string(),
                    })?
                    .timeout(Some(SMTP_COMMAND_TIMEOUT))
                    .build();
                Ok(Self {
                    from,
                    transport: Transport::Smtp(transport),
                    target: redact(url),
                })
            }
            MailTransportConfig::Files(dir) => Ok(Self {
                from,
                transport: Transport::Files(AsyncFileTransport::new(dir), dir.clone()),
                target: format!("dossier {}", dir.display()),
            }),
        }
    }

    /// Creates the `.eml` folder (the service calls this at start to fail early; every
    /// send creates it again if it went missing).
    ///
    /// # Errors
    /// The folder cannot be created.
    pub fn ensure_ready(&self) -> Result<(), MailError> {
        if let Transport::Files(_, dir) = &self.transport {
            std::fs::create_dir_all(dir).map_err(|e| MailError::MailDir {
                path: dir.display().to_string(),
                reason: e.to_string(),
            })?;
        }
        Ok(())
    }

    /// The sender of every email.
    #[must_use]
    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// Where mail goes (`smtp://…` without password, or `dossier …`).
    #[must_use]
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The `.eml` folder, when mail is written to files.
    #[must_use]
    pub fn mail_dir(&self) -> Option<PathBuf> {
        match &self.transport {
            Transport::Files(_, dir) => Some(dir.clone()),
            Transport::Smtp(_) => None,
        }
    }

    /// Sends one message, within [`SEND_TIMEOUT`].
    ///
    /// # Errors
    /// The failure, classified for retry, explained in French.
    pub async fn send(&self, message: &Message) -> Result<(), SendFailure> {
        let sending = async {
            match &self.transport {
                Transport::Smtp(t) => t
                    .send(message.clone())
                    .await
                    .map(|_| ())
                    .map_err(|e| smtp_failure(&self.target, &e)),
                Transport::Files(t, dir) => {
                    let written = match tokio::fs::create_dir_all(dir).await {
                        Ok(()) => t
                            .send(message.clone())
                            .await
                            .map(|_| ())
                            .map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    };
                    written.map_err(|e| {
                        tracing::warn!(vers = %self.target, detail = %e, "écriture du .eml impossible");
                        // A full or unwritable disk may be fixed: retry.
                        SendFailure {
                            retryable: true,
                            message: format!(
                                "Écriture du fichier .eml impossible ({}) : disque plein ou dossier non accessible en écriture ; le détail est dans le journal technique.",
                                self.target
                            ),
                        }
                    })
                }
            }
        };
        match tokio::time::timeout(SEND_TIMEOUT, sending).await {
            Ok(r) => r,
            Err(_) => Err(SendFailure {
                retryable: true,
                message: format!(
                    "Le serveur de courriel {} n'a pas terminé l'envoi en {} secondes.",
                    self.target,
                    SEND_TIMEOUT.as_secs()
                ),
            }),
        }
    }
}

/// Builds the message of a stored email: From = the configured sender, the stored
/// Message-ID, `Date` = the attempt, text with its HTML alternative, then the attachments.
///
/// # Errors
/// A permanent failure: the stored email cannot be turned into a message (bad address,
/// attachment altered since enqueue).
pub fn build_message(
    from: &Mailbox,
    row: &mail_message::Model,
    attachments: &[mail_attachment::Model],
    date: DateTime<Utc>,
) -> Result<Message, SendFailure> {
    let address = row.to_addr.parse().map_err(|_| {
        SendFailure::permanent(format!(
            "Adresse électronique du destinataire « {} » invalide.",
            row.to_addr
        ))
    })?;
    // Header values are cleaned again here, for emails queued before the input layer existed:
    // a CR/LF in a display name made lettre panic while writing the `To:` header.
    let to = Mailbox::new(row.to_name.as_deref().map(header_text), address);
    let builder = Message::builder()
        .message_id(Some(row.message_id.clone()))
        .from(from.clone())
        .to(to)
        .subject(header_text(&row.subject))
        .date(date.into());
    let mut mixed = match &row.body_html {
        Some(html) => MultiPart::mixed().multipart(MultiPart::alternative_plain_html(
            row.body_text.clone(),
            html.clone(),
        )),
        None => MultiPart::mixed().singlepart(SinglePart::plain(row.body_text.clone())),
    };
    let metas: Vec<super::AttachmentMeta> =
        serde_json::from_str(&row.attachments).unwrap_or_default();
    if metas.len() != attachments.len() {
        return Err(SendFailure::permanent(format!(
            "Pièces jointes incomplètes : {} annoncées, {} enregistrées.",
            metas.len(),
            attachments.len()
        )));
    }
    for (a, meta) in attachments.iter().zip(&metas) {
        if super::outbox::sha256_hex(&a.bytes) != meta.sha256 {
            return Err(SendFailure::permanent(format!(
                "La pièce jointe « {} » a été altérée depuis la mise en file (empreinte SHA-256 différente).",
                a.filename
            )));
        }
        let content_type = ContentType::parse(&a.content_type).map_err(|_| {
            SendFailure::permanent(format!(
                "Type de contenu « {} » de la pièce jointe « {} » invalide.",
                a.content_type, a.filename
            ))
        })?;
        mixed = mixed
            .singlepart(Attachment::new(a.filename.clone()).body(a.bytes.clone(), content_type));
    }
    builder
        .multipart(mixed)
        .map_err(|e| SendFailure::permanent(format!("Courriel impossible à construire : {e}")))
}

/// A header value without control characters or bidirectional overrides (each run of them
/// becomes one space), trimmed.
#[must_use]
pub fn header_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for c in s.chars() {
        let bad = c.is_control()
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}');
        if bad {
            gap = true;
        } else {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        }
    }
    out.trim().to_owned()
}

/// What a lettre SMTP error tells about retrying.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Symptoms {
    /// SMTP reply code (4xx transient, 5xx permanent).
    pub code: Option<u16>,
    pub timeout: bool,
    /// The first I/O error kind found walking `source()`.
    pub io_kind: Option<ErrorKind>,
    /// A client-side error (the message or the command is wrong): retrying sends the same
    /// thing again.
    pub protocol: bool,
    /// The server's reply was cut or unreadable: typically the connection closed after DATA,
    /// before the final reply, so whether the message was taken is unknown (RFC 5321 §6.1:
    /// send again; the same Message-ID lets the receiver drop a duplicate).
    pub cut_reply: bool,
}

fn symptoms(e: &lettre::transport::smtp::Error) -> Symptoms {
    let mut io_kind = None;
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            io_kind = Some(io.kind());
            break;
        }
        source = s.source();
    }
    Symptoms {
        code: e.status().and_then(|c| c.to_string().parse().ok()),
        timeout: e.is_timeout(),
        io_kind,
        protocol: e.is_client(),
        cut_reply: e.is_response(),
    }
}

/// Whether an I/O failure may go away by itself (network, server restarting) — and not a
/// refused certificate (`InvalidData`) or a configuration fault.
#[must_use]
pub fn io_kind_is_transient(kind: ErrorKind) -> bool {
    !matches!(
        kind,
        ErrorKind::InvalidData
            | ErrorKind::InvalidInput
            | ErrorKind::PermissionDenied
            | ErrorKind::Unsupported
    )
}

/// The retry rule (STACK.md §5): a 4xx reply or a timeout is retried, a 5xx reply never;
/// an I/O failure is retried unless it is a refused certificate or bad input; a client-side
/// error is not retried; a cut or unreadable reply is, like any other connection trouble.
#[must_use]
pub fn is_retryable(s: &Symptoms) -> bool {
    if let Some(code) = s.code {
        return (400..500).contains(&code);
    }
    if s.timeout {
        return true;
    }
    if let Some(kind) = s.io_kind {
        return io_kind_is_transient(kind);
    }
    s.cut_reply || !s.protocol
}

fn io_label(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ConnectionRefused => "connexion refusée",
        ErrorKind::ConnectionReset => "connexion réinitialisée",
        ErrorKind::ConnectionAborted => "connexion interrompue",
        ErrorKind::TimedOut => "délai dépassé",
        ErrorKind::UnexpectedEof => "connexion fermée prématurément",
        ErrorKind::HostUnreachable => "hôte inaccessible",
        ErrorKind::NetworkUnreachable => "réseau inaccessible",
        ErrorKind::InvalidData => "certificat ou échange TLS refusé",
        ErrorKind::NotFound => "hôte introuvable",
        _ => "erreur réseau",
    }
}

/// The French explanation of a symptom set (the server's own words go to the log).
#[must_use]
pub fn explain(target: &str, s: &Symptoms) -> String {
    if let Some(code) = s.code {
        return if (400..500).contains(&code) {
            format!(
                "Le serveur de courriel {target} a refusé temporairement le message (code {code}) : nouvel essai prévu."
            )
        } else {
            format!(
                "Le serveur de courriel {target} a refusé définitivement le message (code {code}) : vérifiez l'adresse du destinataire."
            )
        };
    }
    if s.timeout {
        return format!("Le serveur de courriel {target} n'a pas répondu à temps.");
    }
    if let Some(kind) = s.io_kind {
        return format!(
            "Serveur de courriel {target} injoignable ({}).",
            io_label(kind)
        );
    }
    if s.cut_reply {
        return format!(
            "Le serveur de courriel {target} a coupé la connexion avant de confirmer la réception : le courriel sera renvoyé (il peut arriver en double, avec le même Message-ID)."
        );
    }
    if s.protocol {
        return format!(
            "Échange SMTP avec {target} incorrect : le message a été refusé avant l'envoi."
        );
    }
    format!("Serveur de courriel {target} injoignable.")
}

fn smtp_failure(target: &str, e: &lettre::transport::smtp::Error) -> SendFailure {
    let s = symptoms(e);
    let retryable = is_retryable(&s);
    tracing::warn!(vers = %target, detail = %e, nouvel_essai = retryable, "envoi SMTP en échec");
    SendFailure {
        retryable,
        message: explain(target, &s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: impl FnOnce(&mut Symptoms)) -> Symptoms {
        let mut s = Symptoms::default();
        f(&mut s);
        s
    }

    #[test]
    fn reply_codes_decide_first() {
        assert!(is_retryable(&with(|s| s.code = Some(421))));
        assert!(is_retryable(&with(|s| s.code = Some(451))));
        assert!(is_retryable(&with(|s| s.code = Some(499))));
        assert!(!is_retryable(&with(|s| s.code = Some(500))));
        assert!(!is_retryable(&with(|s| s.code = Some(550))));
        // A 5xx stays permanent even if an I/O error is also reported.
        assert!(!is_retryable(&with(|s| {
            s.code = Some(554);
            s.io_kind = Some(ErrorKind::ConnectionReset);
        })));
    }

    #[test]
    fn io_kinds_network_retries_certificate_does_not() {
        for k in [
            ErrorKind::ConnectionRefused,
            ErrorKind::ConnectionReset,
            ErrorKind::ConnectionAborted,
            ErrorKind::TimedOut,
            ErrorKind::UnexpectedEof,
            ErrorKind::HostUnreachable,
            ErrorKind::BrokenPipe,
        ] {
            assert!(is_retryable(&with(|s| s.io_kind = Some(k))), "{k:?}");
        }
        for k in [ErrorKind::InvalidData, ErrorKind::PermissionDenied] {
            assert!(!is_retryable(&with(|s| s.io_kind = Some(k))), "{k:?}");
        }
    }

    #[test]
    fn timeouts_retry_protocol_errors_do_not() {
        assert!(is_retryable(&with(|s| s.timeout = true)));
        assert!(!is_retryable(&with(|s| s.protocol = true)));
        // A reply cut after DATA: the message may or may not have been taken; send again.
        assert!(is_retryable(&with(|s| s.cut_reply = true)));
        // A connection error without any detail: retry.
        assert!(is_retryable(&Symptoms::default()));
    }

    #[test]
    fn explanations_are_french_and_name_the_server() {
        let t = "smtp://mail.example:25";
        let m = explain(t, &with(|s| s.code = Some(550)));
        assert_eq!(
            m,
            "Le serveur de courriel smtp://mail.example:25 a refusé définitivement le message (code 550) : vérifiez l'adresse du destinataire."
        );
        let m = explain(t, &with(|s| s.io_kind = Some(ErrorKind::ConnectionRefused)));
        assert!(
            m.starts_with(
                "Serveur de courriel smtp://mail.example:25 injoignable (connexion refusée)"
            ),
            "{m}"
        );
        let m = explain(t, &with(|s| s.code = Some(451)));
        assert!(m.contains("temporairement"), "{m}");
        let m = explain(t, &with(|s| s.cut_reply = true));
        assert!(
            m.contains("coupé la connexion") && m.contains("renvoyé"),
            "{m}"
        );
    }

    #[test]
    fn header_values_lose_their_control_characters() {
        assert_eq!(header_text("Evil\r\nBcc: x@y"), "Evil Bcc: x@y");
        assert_eq!(header_text("\u{202E}abc\0"), "abc");
        assert_eq!(header_text("Société Candidate"), "Société Candidate");
    }

    #[test]
    fn passwords_never_leave_the_url() {
        assert_eq!(
            redact("smtps://coordo:s3cret@mail.example.fr"),
            "smtps://coordo:***@mail.example.fr"
        );
        assert_eq!(redact("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
    }

    #[tokio::test]
    async fn a_closed_port_is_a_retryable_refusal() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let url = format!("smtp://127.0.0.1:{port}");
        let mailer = Mailer::new(&MailTransportConfig::Smtp(url.clone()), "Coordo <c@x.fr>")
            .expect("mailer");
        let msg = Message::builder()
            .from("Coordo <c@x.fr>".parse().expect("from"))
            .to("a@b.fr".parse().expect("to"))
            .subject("s")
            .body(String::from("b"))
            .expect("message");
        let f = mailer.send(&msg).await.expect_err("nobody listens");
        assert!(f.retryable, "{f:?}");
        assert!(
            f.message
                .contains(&format!("{url} injoignable (connexion refusée)")),
            "{}",
            f.message
        );
    }

    #[test]
    fn unusable_urls_and_senders_are_named() {
        let e = Mailer::new(
            &MailTransportConfig::Files(PathBuf::from("/tmp")),
            "pas une adresse",
        )
        .expect_err("from");
        assert!(e.to_string().contains("« pas une adresse »"), "{e}");
    }
}
