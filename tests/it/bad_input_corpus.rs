//! A corpus of bad inputs sent to every form and API route of the route table, as the
//! coordonnateur (who may call them all): never a 500, never a script echoed unescaped, always
//! a French answer.

use crate::support::*;
use axum::http::Method;
use coordo::web::route_table;

const SCRIPT: &str = "<script>alert('xss')</script>";

fn corpus() -> Vec<Vec<(&'static str, String)>> {
    let fields = [
        "reference",
        "objet",
        "nature",
        "cpv",
        "ccag",
        "vat_rate",
        "launch_date",
        "offers_deadline_date",
        "offers_deadline_time",
        "label",
        "lot_id",
        "member_id",
        "amount_ht",
        "options_ht",
        "quantity",
        "statut",
        "motif",
        "procedure",
        "justification",
        "email",
        "display_name",
        "role",
        "password",
        "cao_seat",
        "source",
        "date",
        "place",
        "sent_on",
        "decision",
        "comment",
        "name",
        "title",
    ];
    let values: Vec<String> = vec![
        SCRIPT.to_owned(),
        "-1".to_owned(),
        "1e309".to_owned(),
        "2027-02-30".to_owned(),
        "'; DROP TABLE consultation; --".to_owned(),
        "x".repeat(200_000),
        "\u{0000}\u{202e}".to_owned(),
        // Header injection (a bidder's name once stopped every email), lone CR, C1, bidi
        // isolates, line separators: refused everywhere by the input layer, in French.
        "Evil\r\nBcc: x@y".to_owned(),
        "a\rb".to_owned(),
        "x\u{0085}y\u{009b}".to_owned(),
        "\u{2066}abc\u{2069}\u{2028}".to_owned(),
        "\u{0007}\u{001b}[31m".to_owned(),
        String::new(),
    ];
    values
        .into_iter()
        .map(|v| fields.iter().map(|f| (*f, v.clone())).collect())
        .collect()
}

fn concrete(path: &str, gid: i32, cid: i32, mid: i32) -> String {
    path.replace("{gid}", &gid.to_string())
        .replace("{cid}", &cid.to_string())
        .replace("{mid}", &mid.to_string())
        .replace("{sid}", "1")
        .replace("{aid}", "1")
        .replace("{id}", "1")
        .replace("{kind}", "rc")
        .replace("{n}", "1")
        .replace("{name}", "penalites")
        .replace("{*file}", "app.css")
        .replace("{uid}", "999999")
        .replace("{handle}", "0000000000000000")
        .replace("{tid}", "999999")
}

#[tokio::test]
async fn no_route_answers_a_500_or_echoes_a_script() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let mid = app.member_id(SANTELYS).await;
    let cid = crate::consultations::software_tender(&app, &c).await;
    let mut failures = Vec::new();
    for spec in route_table() {
        if spec.method != Method::POST || spec.path == "/logout" || spec.path == "/login" {
            continue;
        }
        let path = concrete(spec.path, gid, cid, mid);
        for payload in corpus() {
            let r = if path.starts_with("/api/") {
                let body: serde_json::Map<String, serde_json::Value> = payload
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String(v.clone())))
                    .collect();
                c.post_json(&path, &serde_json::Value::Object(body)).await
            } else {
                let fields: Vec<(&str, &str)> =
                    payload.iter().map(|(k, v)| (*k, v.as_str())).collect();
                c.post_form(&path, &fields).await
            };
            let status = r.status().as_u16();
            let body = r.text().await.unwrap_or_default();
            if status >= 500 {
                failures.push(format!("{path} -> {status} with {:.40}", payload[0].1));
            }
            // Control characters never get through to a handler: 422, whatever the route.
            let control = payload[0]
                .1
                .chars()
                .any(|ch| ch.is_control() || matches!(ch, '\u{2028}' | '\u{2066}' | '\u{202e}'));
            if control && status != 422 {
                failures.push(format!(
                    "{path} -> {status} for control characters {:?}",
                    payload[0].1
                ));
            }
            if body.contains(SCRIPT) {
                failures.push(format!("{path} echoes the script unescaped"));
            }
            let french = body.contains("lang=\"fr\"") || body.contains("\"erreur\"");
            if status >= 400 && !french {
                failures.push(format!(
                    "{path} -> {status} without a French message: {:.80}",
                    body
                ));
            }
        }
        // The journal still verifies after each route's corpus.
        if coordo::audit::verify(&app.state.db)
            .await
            .expect("verify")
            .is_some()
        {
            failures.push(format!("{path}: audit chain broken"));
        }
    }
    // Pages that show stored text never render it as markup.
    for page in [
        format!("/g/{gid}"),
        format!("/g/{gid}/consultations"),
        format!("/g/{gid}/consultations/{cid}"),
    ] {
        let html = c.get(&page).await.text().await.expect("html");
        if html.contains(SCRIPT) {
            failures.push(format!("{page} renders a stored script unescaped"));
        }
    }
    assert!(
        failures.is_empty(),
        "bad input handling:\n{}",
        failures.join("\n")
    );
}
