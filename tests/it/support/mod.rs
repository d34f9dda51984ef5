//! Test harness: spawns the real router on 127.0.0.1:0 over a fresh SQLite file.

#![allow(dead_code)]

pub mod browser;
pub mod docx_text;

use chrono::{TimeZone, Utc};
use coordo::clock::Clock;
use coordo::config::Settings;
use coordo::state::AppState;
use reqwest::redirect::Policy;
use std::net::SocketAddr;
use std::path::PathBuf;

/// FINESS juridique of the coordonnateur (CCAS de Wattrelos) in the seed.
pub const COORD_FINESS: &str = "590059945";
/// FINESS juridique of SANTELYS, the first member.
pub const SANTELYS: &str = "590036745";
/// FINESS juridique of CCAS de Ronchin.
pub const RONCHIN: &str = "590798377";
pub const PASSWORD: &str = coordo::startup::DEMO_PASSWORD;

pub fn coord_email() -> String {
    format!("coordonnateur@{}", coordo::startup::DEMO_DOMAIN)
}
pub fn referent_email(finess: &str) -> String {
    format!("referent.{finess}@{}", coordo::startup::DEMO_DOMAIN)
}
pub fn cao_email(seat: &str, finess: &str) -> String {
    format!("cao.{seat}.{finess}@{}", coordo::startup::DEMO_DOMAIN)
}
pub fn amoa_email() -> String {
    format!("amoa@{}", coordo::startup::DEMO_DOMAIN)
}

/// A running service.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub state: AppState,
    pub db_path: PathBuf,
    pub mail_dir: PathBuf,
    pub dir: tempfile::TempDir,
}

impl TestApp {
    /// The service with the demo groupement, clock at 23 Nov 2026 10:00 UTC.
    pub async fn spawn() -> Self {
        Self::spawn_on(None).await
    }

    /// The same service on another database (a `postgres://` URL), or on a SQLite file.
    pub async fn spawn_on(database_url: Option<String>) -> Self {
        let app = Self::spawn_as_seeded(database_url).await;
        // The tests log in with the published demo password and go on: their accounts are
        // not asked to change it first (`auth_second_factor` checks that the demo's are).
        clear_forced_password_change(&app.state.db).await;
        app
    }

    /// The service with the demo accounts exactly as seeded: each must change its published
    /// password before anything else.
    pub async fn spawn_as_seeded(database_url: Option<String>) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let db_path = dir.path().join("coordo.db");
        let mail_dir = dir.path().join("outbox");
        let mut settings = Settings::for_test(&db_path, &mail_dir);
        if let Some(url) = database_url {
            settings.database_url = url;
        }
        let clock = Clock::manual(
            Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
                .single()
                .expect("date"),
        );
        let state = coordo::startup::build_state(settings, clock)
            .await
            .expect("state");
        coordo::startup::seed_demo_if_empty(&state)
            .await
            .expect("seed")
            .expect("seeded");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let st = state.clone();
        tokio::spawn(async move {
            let _ = coordo::startup::run(listener, st).await;
        });
        Self {
            addr,
            base: format!("http://{addr}"),
            state,
            db_path,
            mail_dir,
            dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client with its own cookie jar, not logged in.
    pub async fn anonymous(&self) -> Client {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client");
        let page = http
            .get(self.url("/login"))
            .send()
            .await
            .expect("login page")
            .text()
            .await
            .expect("body");
        let csrf = extract_csrf(&page).expect("csrf on login page");
        Client {
            http,
            base: self.base.clone(),
            csrf,
        }
    }

    /// A client logged in as `email`, with the CSRF token of its new session (the token of
    /// the login form is not valid after login).
    pub async fn login(&self, email: &str) -> Client {
        let mut c = self.anonymous().await;
        let r = c
            .post_form("/login", &[("email", email), ("password", PASSWORD)])
            .await;
        assert_eq!(r.status(), 303, "login of {email} should redirect");
        c.refresh_csrf().await;
        c
    }

    /// Number of journal entries.
    pub async fn audit_count(&self) -> i64 {
        coordo::audit::count(&self.state.db).await.expect("count")
    }

    /// Number of journal entries that are not queued emails.
    pub async fn audit_count_except_mail(&self) -> u64 {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        coordo::db::entities::audit_entry::Entity::find()
            .filter(coordo::db::entities::audit_entry::Column::Action.ne("courriel.mise_en_file"))
            .count(&self.state.db)
            .await
            .expect("count")
    }

    /// The groupement id of the demo data.
    pub async fn gid(&self) -> i32 {
        coordo::registry::service::groupements(&self.state.db)
            .await
            .expect("gs")
            .iter()
            .map(|g| g.id)
            .min()
            .expect("seeded")
    }

    /// The stored account of an e-mail.
    pub async fn user_row(&self, email: &str) -> coordo::db::entities::app_user::Model {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        coordo::db::entities::app_user::Entity::find()
            .filter(coordo::db::entities::app_user::Column::Email.eq(email))
            .one(&self.state.db)
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("no account {email}"))
    }

    /// The member id of a FINESS juridique.
    pub async fn member_id(&self, finess: &str) -> i32 {
        let gid = self.gid().await;
        coordo::registry::service::members(&self.state.db, gid)
            .await
            .expect("members")
            .into_iter()
            .find(|m| m.member.finess_juridique == finess)
            .expect("member")
            .member
            .id
    }
}

/// Lifts the forced password change of every account (a test fixture: the demo seed sets it).
/// Run before the accounts are used, so no cached account keeps the flag.
pub async fn clear_forced_password_change(db: &sea_orm::DatabaseConnection) {
    use coordo::db::entities::app_user;
    use sea_orm::{EntityTrait, sea_query::Expr};
    app_user::Entity::update_many()
        .col_expr(app_user::Column::MustChangePassword, Expr::value(false))
        .exec(db)
        .await
        .expect("clear must_change_password");
}

/// Extracts the CSRF token of the first form of a page.
pub fn extract_csrf(html: &str) -> Option<String> {
    let i = html.find("name=\"csrf_token\" value=\"")? + "name=\"csrf_token\" value=\"".len();
    let rest = &html[i..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// An HTTP client with cookies and the session's CSRF token.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: String,
}

impl Client {
    /// Takes the CSRF token of the session from « Mon compte » (after a login).
    pub async fn refresh_csrf(&mut self) {
        let page = self
            .get("/compte")
            .await
            .text()
            .await
            .expect("account page");
        self.csrf = extract_csrf(&page).expect("csrf on the account page");
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("get")
    }

    /// POSTs a form with the CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_form_raw(path, &all).await
    }

    /// POSTs a form exactly as given (no CSRF token added).
    pub async fn post_form_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .expect("post")
    }

    /// POSTs one file as `multipart/form-data` (field `field`), the CSRF token in the query as
    /// the upload forms carry it.
    pub async fn post_file(
        &self,
        path: &str,
        field: &str,
        filename: &str,
        bytes: &[u8],
    ) -> reqwest::Response {
        let boundary = "coordo-test-boundary-5f1d2c";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.http
            .post(format!("{}{path}?csrf_token={}", self.base, self.csrf))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .expect("post file")
    }

    /// POSTs JSON with the CSRF header.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(body)
            .send()
            .await
            .expect("post json")
    }
}

/// Runs the real `coordo` binary with the database of `db_path`.
pub fn coordo_cmd(db_path: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_coordo"))
        .args(args)
        .env(
            "COORDO_DATABASE_URL",
            format!("sqlite://{}", db_path.display()),
        )
        .env("COORDO_MAIL_DIR", db_path.with_file_name("outbox"))
        .env_remove("COORDO_SMTP_URL")
        .env("COORDO_LOG", "error")
        .output()
        .expect("run coordo")
}

pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The entries of a ZIP (archive, convocations, workbook), by name.
pub fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut out = std::collections::BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).expect("entry");
        let mut b = Vec::new();
        f.read_to_end(&mut b).expect("read");
        out.insert(f.name().expect("name").into_owned(), b);
    }
    out
}
