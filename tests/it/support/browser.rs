//! A real headless Chromium driven over WebDriver (Debian's chromium and chromium-driver,
//! installed by `tests/run.sh`). Screenshots go to `target/screenshots/`.

use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A chromedriver process and a browser session; both end when dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
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
                        _profile: profile,
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

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("goto");
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
        self.find(css).await.click().await.expect("click");
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
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
