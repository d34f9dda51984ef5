//! Load test against the release build: the real `coordo serve` as a child process on a SQLite
//! file holding the real groupement and 200 consultations; 50 concurrent logged-in users request
//! the dashboard, a consultation page and the offers page in turn for a fixed time.
//! Prints throughput, p50/p99 per page, the server's CPU time per request and its resident
//! memory (VmRSS / VmHWM).
//! Run: `cargo bench --bench load` (targets on 2 cores: p99 < 20 ms, RSS < 100 MB).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;

use support::{CONSULTATIONS, prepare};

const USERS: usize = 50;
const SECONDS: u64 = 10;

fn rss_kib(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// CPU time used so far by the whole process (all threads, user + system), from
/// `/proc/PID/stat` in clock ticks of 1/100 s (USER_HZ on Linux).
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

async fn client(base: &str) -> reqwest::Client {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = http
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("login")
        .text()
        .await
        .expect("html");
    let i = page.find("name=\"csrf_token\" value=\"").expect("csrf") + 25;
    let csrf = page[i..i + 64].to_owned();
    let r = http
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", "coordonnateur@demo.coordo.fr"),
            ("password", coordo::startup::DEMO_PASSWORD),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 303, "login");
    http
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this binary without it, and
    // the load test only makes sense on the release build.
    if !std::env::args().any(|a| a == "--bench") {
        println!("load: lancé seulement par `cargo bench --bench load`");
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("load.db");
    let t0 = Instant::now();
    // The server is a separate process: this state only writes the file.
    let (_, cid) = prepare(&db).await;
    println!(
        "données : groupement réel + {CONSULTATIONS} consultations en {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("a")
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_coordo"))
        .arg("serve")
        .env("COORDO_DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("COORDO_ADDR", format!("127.0.0.1:{port}"))
        .env("COORDO_MAIL_DIR", dir.path().join("outbox"))
        .env("COORDO_LOG", "error")
        // The groupement and its accounts only: this test writes its own workload.
        .env("COORDO_DEMO", "groupement")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("server");
    for _ in 0..200 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut clients = Vec::new();
    for _ in 0..USERS {
        clients.push(client(&base).await);
    }
    let pages = [
        ("tableau de bord", "/g/1".to_owned()),
        (
            "page d'une consultation",
            format!("/g/1/consultations/{cid}"),
        ),
        (
            "page des offres",
            format!("/g/1/consultations/{cid}/offres"),
        ),
    ];
    let cpu0 = cpu_time(child.id());
    let deadline = Instant::now() + Duration::from_secs(SECONDS);
    let mut tasks = Vec::new();
    for (u, http) in clients.into_iter().enumerate() {
        let base = base.clone();
        let pages = pages.clone();
        tasks.push(tokio::spawn(async move {
            let mut out: Vec<(usize, Duration, u16)> = Vec::new();
            let mut k = u;
            while Instant::now() < deadline {
                let (_, path) = &pages[k % pages.len()];
                let t = Instant::now();
                let r = http.get(format!("{base}{path}")).send().await.expect("get");
                let status = r.status().as_u16();
                let _ = r.bytes().await.expect("body");
                out.push((k % pages.len(), t.elapsed(), status));
                k += 1;
            }
            out
        }));
    }
    let mut all: Vec<(usize, Duration, u16)> = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("join"));
    }
    let cpu = cpu_time(child.id()).saturating_sub(cpu0);
    let rss = rss_kib(child.id(), "VmRSS:");
    let hwm = rss_kib(child.id(), "VmHWM:");
    let _ = child.kill();
    let _ = child.wait();
    let errors = all.iter().filter(|(_, _, s)| *s != 200).count();
    println!(
        "{USERS} utilisateurs, {SECONDS} s : {} requêtes, {:.0} req/s, {errors} réponses non 200",
        all.len(),
        all.len() as f64 / SECONDS as f64
    );
    for (i, (name, path)) in pages.iter().enumerate() {
        let mut l: Vec<Duration> = all
            .iter()
            .filter(|(p, _, _)| *p == i)
            .map(|(_, d, _)| *d)
            .collect();
        l.sort();
        println!(
            "{name:<26} {path:<34} n={:<6} p50={:>7.2} ms  p99={:>7.2} ms",
            l.len(),
            percentile(&l, 0.5).as_secs_f64() * 1e3,
            percentile(&l, 0.99).as_secs_f64() * 1e3
        );
    }
    let mut l: Vec<Duration> = all.iter().map(|(_, d, _)| *d).collect();
    l.sort();
    println!(
        "toutes pages                                                  p50={:>7.2} ms  p99={:>7.2} ms",
        percentile(&l, 0.5).as_secs_f64() * 1e3,
        percentile(&l, 0.99).as_secs_f64() * 1e3
    );
    println!(
        "CPU du serveur : {:.2} s sur {SECONDS} s, soit {:.0} µs par requête",
        cpu.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / all.len().max(1) as f64
    );
    println!(
        "mémoire résidente du serveur : {:.1} Mo (pic {:.1} Mo)",
        rss as f64 / 1024.0,
        hwm as f64 / 1024.0
    );
}
