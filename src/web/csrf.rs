//! CSRF without a stored session for anonymous visitors, and the origin of unsafe requests.
//!
//! A logged-in session keeps its own random token (rotated at login). An anonymous visitor
//! (the login form, an acknowledgement page) gets a signed double-submit token instead: a
//! random nonce in the `coordo_csrf` cookie and, in the form, HMAC(server key, nonce). Nothing
//! is written to the database for them, so a flood of `GET /login` costs no row. A forged
//! form from another site has neither the cookie's nonce (HttpOnly, SameSite=Lax) nor the key.
//!
//! Unsafe requests that carry an `Origin` (every current browser sends it on POST) must come
//! from this site — the `Host` they were sent to, or `COORDO_BASE_URL` behind a proxy — and a
//! `Sec-Fetch-Site: cross-site` request is refused even without `Origin`.

use crate::web::secret::SecretKey;
use axum::http::{HeaderMap, HeaderValue, header};
use rand::RngCore;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Name of the cookie holding the anonymous nonce.
pub const COOKIE: &str = "coordo_csrf";

/// The anonymous token of the current request.
#[derive(Debug)]
pub struct AnonCsrf {
    pub token: String,
    /// The nonce came from the visitor's cookie (so the token can be checked).
    pub from_cookie: bool,
    nonce: String,
    /// A handler put the token in a page: the cookie must then be set.
    used: AtomicBool,
}

tokio::task_local! {
    static ANON: Arc<AnonCsrf>;
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

impl AnonCsrf {
    /// The token for this request: from the cookie's nonce when it is well formed, else a
    /// new nonce (sent back only if a page uses it).
    #[must_use]
    pub fn for_request(key: &SecretKey, headers: &HeaderMap) -> Arc<Self> {
        let from_cookie = cookie_value(headers, COOKIE)
            .filter(|n| n.len() == 32 && n.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(str::to_owned);
        let (nonce, from_cookie) = match from_cookie {
            Some(n) => (n, true),
            None => {
                let mut b = [0u8; 16];
                rand::rng().fill_bytes(&mut b);
                (hex::encode(b), false)
            }
        };
        Arc::new(Self {
            token: key.sign(format!("csrf-anonyme:{nonce}").as_bytes()),
            from_cookie,
            nonce,
            used: AtomicBool::new(false),
        })
    }

    /// Runs `f` with this token as the one [`current`] returns.
    pub async fn scope<F: Future>(self: Arc<Self>, f: F) -> F::Output {
        ANON.scope(self, f).await
    }

    /// The `Set-Cookie` to add to the response, if the token was used with a new nonce.
    #[must_use]
    pub fn set_cookie(&self, secure: bool) -> Option<HeaderValue> {
        if self.from_cookie || !self.used.load(Ordering::Relaxed) {
            return None;
        }
        let secure = if secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{COOKIE}={}; Path=/; HttpOnly; SameSite=Lax{secure}",
            self.nonce
        ))
        .ok()
    }
}

/// The anonymous token of the request being served, marked as used; `None` outside a request.
#[must_use]
pub fn current() -> Option<String> {
    ANON.try_with(|a| {
        a.used.store(true, Ordering::Relaxed);
        a.token.clone()
    })
    .ok()
}

/// Why an unsafe request is refused for its origin, if it is.
#[must_use]
pub fn foreign_origin(headers: &HeaderMap, base_url: &str) -> Option<String> {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("cross-site"))
    {
        return Some("la requête vient d'un autre site".into());
    }
    let origin = headers.get(header::ORIGIN)?.to_str().unwrap_or("null");
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let same_host = url::Url::parse(origin).ok().is_some_and(|o| {
        let authority = match (o.host_str(), o.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => return false,
        };
        host.is_some_and(|h| h.eq_ignore_ascii_case(&authority))
            || origin.trim_end_matches('/').eq_ignore_ascii_case(base_url)
    });
    (!same_host).then(|| format!("la requête vient d'un autre site (origine « {origin} »)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_origin_passes_foreign_does_not() {
        let base = "https://coordo.example.fr";
        assert!(foreign_origin(&headers(&[]), base).is_none());
        assert!(
            foreign_origin(
                &headers(&[
                    ("origin", "http://127.0.0.1:8080"),
                    ("host", "127.0.0.1:8080")
                ]),
                base
            )
            .is_none()
        );
        // Behind a proxy that rewrites Host: the public address is accepted.
        assert!(
            foreign_origin(
                &headers(&[
                    ("origin", "https://coordo.example.fr"),
                    ("host", "10.0.0.2:8080")
                ]),
                base
            )
            .is_none()
        );
        for bad in ["https://evil.example", "null", "http://127.0.0.1:9999"] {
            let h = headers(&[("origin", bad), ("host", "127.0.0.1:8080")]);
            assert!(foreign_origin(&h, base).is_some(), "{bad}");
        }
        let h = headers(&[("sec-fetch-site", "cross-site")]);
        assert!(foreign_origin(&h, base).is_some());
    }

    #[test]
    fn a_token_is_tied_to_its_nonce_and_key() {
        let key = SecretKey::random();
        let a = AnonCsrf::for_request(&key, &HeaderMap::new());
        assert!(!a.from_cookie);
        assert!(a.set_cookie(false).is_none(), "unused: no cookie");
        a.used.store(true, Ordering::Relaxed);
        let cookie = a.set_cookie(true).expect("cookie");
        let cookie = cookie.to_str().expect("ascii");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("Secure"),
            "{cookie}"
        );
        let nonce = cookie
            .trim_start_matches("coordo_csrf=")
            .split(';')
            .next()
            .expect("nonce");
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("x=1; coordo_csrf={nonce}")).expect("h"),
        );
        let b = AnonCsrf::for_request(&key, &h);
        assert!(b.from_cookie);
        assert_eq!(a.token, b.token);
        let other = AnonCsrf::for_request(&SecretKey::random(), &h);
        assert_ne!(other.token, b.token);
    }
}
