//! A real headless Chromium driven over WebDriver (Debian's chromium and chromium-driver,
//! installed by `tests/run.sh`). Screenshots go to `target/screenshots/`.
//!
//! Every page reached by `goto` or by a click is checked once by axe-core (injected from
//! `tests/axe/node_modules`, installed by `tests/run.sh`): the violations (rule, page,
//! elements) are gathered and fail the test at its end, all listed.
//!
//! chromedriver runs in its own process group, and the whole group (the driver, Chromium and
//! its helpers) is killed when the `Browser` is dropped, also when the test panics.

use fantoccini::{Client, ClientBuilder, Locator};
use std::collections::BTreeSet;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

/// A chromedriver process and a browser session; both end when dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: tempfile::TempDir,
    /// Pages already checked by axe-core (path with numbers replaced by `N`).
    audited: Mutex<BTreeSet<String>>,
    /// Violations found, reported all at once (by `assert_accessible` or when dropped).
    violations: Mutex<Vec<String>>,
    /// Clicks made so far (buttons, links, radios), to count what a task costs a person.
    clicks: std::sync::atomic::AtomicUsize,
}

/// The accessibility engine's source, read once.
fn axe_source() -> &'static str {
    static AXE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    AXE.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/axe/node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing ({}: {e}); tests/run.sh installs it (npm ci --prefix tests/axe)",
                path.display()
            )
        })
    })
}

/// A page's address as a kind of page: `/g/3/consultations/12` → `/g/N/consultations/N`, a
/// token of 32 hexadecimal digits or more → `T`.
pub fn page_kind(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if !seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit()) {
                "N"
            } else if seg.len() >= 32 && seg.chars().all(|c| c.is_ascii_hexdigit()) {
                "T"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port()
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session.
    pub async fn start() -> Self {
        // fantoccini's rustls needs one process-wide crypto provider (ring and aws-lc-rs are
        // both linked in the test build).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect(
                "chromedriver must be installed (tests/run.sh installs Debian's chromium-driver)",
            );
        let profile = tempfile::tempdir().expect("profile");
        let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                         format!("--user-data-dir={}", profile.path().display())]
            }
        }))
        .expect("caps");
        let url = format!("http://127.0.0.1:{port}");
        let mut last_err = String::new();
        for _ in 0..100 {
            match ClientBuilder::rustls()
                .expect("rustls")
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Self {
                        client,
                        driver,
                        profile,
                        audited: Mutex::new(BTreeSet::new()),
                        violations: Mutex::new(Vec::new()),
                        clicks: std::sync::atomic::AtomicUsize::new(0),
                    };
                }
                Err(e) => {
                    last_err = e.to_string();
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        panic!("no WebDriver session: {last_err}");
    }

    /// The Chromium profile folder of this session (its processes name it on their command line).
    pub fn profile_dir(&self) -> std::path::PathBuf {
        self.profile.path().to_path_buf()
    }

    /// The process id of chromedriver, which leads the process group of the session.
    pub fn driver_pid(&self) -> u32 {
        self.driver.id()
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("goto");
        self.audit().await;
    }

    /// Runs axe-core on the current page unless a page of the same kind was checked already;
    /// panics with every violation.
    pub async fn audit(&self) {
        let mut kind = String::new();
        for _ in 0..50 {
            let ready = self
                .client
                .execute("return document.readyState", vec![])
                .await
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned));
            if ready.as_deref() == Some("complete")
                && let Ok(url) = self.client.current_url().await
            {
                kind = page_kind(url.path());
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if kind.is_empty() || !self.audited.lock().expect("lock").insert(kind.clone()) {
            return;
        }
        // Three synchronous scripts (execute_async never answered through fantoccini here):
        // load the engine, start it, then poll for its result (30 s at most).
        let page = kind.as_str();
        let js = |script: String| async move {
            tokio::time::timeout(
                Duration::from_secs(30),
                self.client.execute(&script, vec![]),
            )
            .await
            .unwrap_or_else(|_| panic!("axe-core on {page}: no answer in 30 s"))
            .unwrap_or_else(|e| panic!("axe-core on {page}: {e}"))
        };
        js(format!("{}\n;return typeof axe;", axe_source())).await;
        js("window.__coordoAxe = null; \
            axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})\
            .then(r => { window.__coordoAxe = r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, \
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' — ' + n.html.slice(0, 160))})); })\
            .catch(e => { window.__coordoAxe = [{id: 'axe-error', help: String(e), nodes: []}]; }); return true;"
            .to_owned())
        .await;
        let mut found = serde_json::Value::Null;
        for _ in 0..300 {
            found = js("return window.__coordoAxe;".to_owned()).await;
            if !found.is_null() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(!found.is_null(), "axe-core on {kind}: no result in 30 s");
        let violations = found.as_array().cloned().unwrap_or_default();
        if !violations.is_empty() {
            self.violations.lock().expect("lock").push(format!(
                "{kind}: {}",
                serde_json::to_string_pretty(&violations).unwrap_or_default()
            ));
        }
    }

    /// The kinds of page axe-core has checked so far.
    pub fn audited_pages(&self) -> Vec<String> {
        self.audited.lock().expect("lock").iter().cloned().collect()
    }

    /// Fails with every accessibility violation found so far (also done when dropped).
    pub fn assert_accessible(&self) {
        let found = std::mem::take(&mut *self.violations.lock().expect("lock"));
        assert!(
            found.is_empty(),
            "axe-core found violations on {} page(s):\n{}",
            found.len(),
            found.join("\n")
        );
    }

    /// Waits (10 s at most) for an element: pages load after navigation.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("element {css}: {e}"))
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let e = self.find(css).await;
        e.clear().await.expect("clear");
        e.send_keys(value).await.expect("type");
    }

    pub async fn click(&self, css: &str) {
        self.clicks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.find(css).await.click().await.expect("click");
        self.audit().await;
    }

    /// Clicks an element already found (a radio button, a checkbox), counted like the others.
    pub async fn click_element(&self, e: fantoccini::elements::Element) {
        self.clicks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        e.click().await.expect("click");
    }

    /// Clicks made so far.
    pub fn clicks(&self) -> usize {
        self.clicks.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The text of an element, retried while the page is being replaced.
    pub async fn text(&self, css: &str) -> String {
        let mut last = String::new();
        for _ in 0..50 {
            match self.find(css).await.text().await {
                Ok(t) => return t,
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("text of {css}: {last}");
    }

    /// Waits (10 s at most) until the element's text contains `needle`; returns the text.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let mut t = String::new();
        for _ in 0..100 {
            t = self.text(css).await;
            if t.contains(needle) {
                return t;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("« {needle} » never appeared in {css}: {t}");
    }

    /// How many elements match, now.
    pub async fn count_of(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .map_or(0, |v| v.len())
    }

    pub async fn body(&self) -> String {
        self.text("body").await
    }

    /// Saves a PNG of the page under `target/screenshots/NAME.png`.
    pub async fn screenshot(&self, name: &str) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("dir");
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write png");
    }

    /// Logs in through the real form.
    pub async fn login(&self, base: &str, email: &str, password: &str) {
        self.goto(&format!("{base}/login")).await;
        self.fill("#email", email).await;
        self.fill("#password", password).await;
        self.click("button[type=submit]").await;
        // Wait for the answer page (the dashboard, or the login page again with its message).
        for _ in 0..100 {
            let url = self.client.current_url().await.expect("url");
            let done = !url.path().ends_with("/login")
                || self.client.find(Locator::Css("[role=alert]")).await.is_ok();
            if done {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Browser {
    /// Kills chromedriver's whole process group — Chromium and its helpers with it — even when
    /// the test failed: a WebDriver session cannot be closed without `await` here, and killing
    /// only the driver left Chromium trees running after the suite.
    fn drop(&mut self) {
        let found = std::mem::take(&mut *self.violations.lock().unwrap_or_else(|e| e.into_inner()));
        // The group's id is chromedriver's pid (`process_group(0)`). Never 0 or 1: those would
        // name this process's own group or every process.
        if let Ok(pgid) = i32::try_from(self.driver.id())
            && pgid > 1
        {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pgid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // A test that ends without calling `assert_accessible` still fails on a violation
        // (unless it is already failing: a second panic would abort).
        if !found.is_empty() && !std::thread::panicking() {
            panic!(
                "axe-core found violations on {} page(s):\n{}",
                found.len(),
                found.join("\n")
            );
        }
    }
}
