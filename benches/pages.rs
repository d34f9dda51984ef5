//! Rendering the busiest pages through the whole router (session, authentication, authorisation,
//! caches, handler, templates), in process, for a logged-in coordonnateur on a SQLite file with
//! the real groupement and 200 consultations. The dashboard, which lists every consultation and
//! the whole registry, is the heaviest page. What is measured is what a user sees once the page
//! has been served once since the last change of the data (see `coordo::web::cache`).

#[path = "support/mod.rs"]
mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use std::sync::LazyLock;
use tower::ServiceExt;

fn main() {
    divan::main();
}

struct Fixture {
    rt: tokio::runtime::Runtime,
    app: axum::Router,
    cookie: String,
    consultation: i32,
    _dir: tempfile::TempDir,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tmp");
    let (app, cid) = rt.block_on(async {
        let (state, cid) = support::prepare(&dir.path().join("pages.db")).await;
        (coordo::web::router(state), cid)
    });
    let cookie = rt.block_on(login(&app));
    Fixture {
        rt,
        app,
        cookie,
        consultation: cid,
        _dir: dir,
    }
});

fn session_cookie(r: &axum::response::Response) -> Option<String> {
    r.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("coordo_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

async fn login(app: &axum::Router) -> String {
    let r = app
        .clone()
        .oneshot(Request::get("/login").body(Body::empty()).expect("request"))
        .await
        .expect("login page");
    // The login form stores no session: its CSRF token is signed over the `coordo_csrf` nonce.
    let cookie = r
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("coordo_csrf="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .expect("csrf cookie");
    let page = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .expect("body");
    let page = String::from_utf8_lossy(&page);
    let i = page.find("name=\"csrf_token\" value=\"").expect("csrf") + 25;
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("csrf_token", &page[i..i + 64])
        .append_pair("email", "coordonnateur@demo.coordo.fr")
        .append_pair("password", coordo::startup::DEMO_PASSWORD)
        .finish();
    let r = app
        .clone()
        .oneshot(
            Request::post("/login")
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form))
                .expect("request"),
        )
        .await
        .expect("login");
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login");
    session_cookie(&r).expect("new session cookie")
}

impl Fixture {
    /// One page, as the browser would ask for it; its size in bytes.
    fn get(&self, path: &str) -> usize {
        self.rt.block_on(async {
            let r = self
                .app
                .clone()
                .oneshot(
                    Request::get(path)
                        .header(header::COOKIE, &self.cookie)
                        .body(Body::empty())
                        .expect("request"),
                )
                .await
                .expect("page");
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            axum::body::to_bytes(r.into_body(), usize::MAX)
                .await
                .expect("body")
                .len()
        })
    }
}

#[divan::bench(sample_count = 200)]
fn tableau_de_bord_200_consultations(bencher: divan::Bencher) {
    let fx = &*FIXTURE;
    bencher.bench_local(|| fx.get("/g/1"));
}

#[divan::bench(sample_count = 200)]
fn page_d_une_consultation(bencher: divan::Bencher) {
    let fx = &*FIXTURE;
    let path = format!("/g/1/consultations/{}", fx.consultation);
    bencher.bench_local(|| fx.get(&path));
}

#[divan::bench(sample_count = 200)]
fn page_des_offres(bencher: divan::Bencher) {
    let fx = &*FIXTURE;
    let path = format!("/g/1/consultations/{}/offres", fx.consultation);
    bencher.bench_local(|| fx.get(&path));
}
