//! The authorisation matrix: every declared route, called by every role and by an anonymous
//! visitor, against an expectation written here independently of the code. A route added
//! without a line here fails `every_route_has_an_expectation`.

use crate::support::*;
use axum::http::Method;
use coordo::web::route_table;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anonymous,
    Coordonnateur,
    Referent,
    Cao,
    Amoa,
}

const ALL: [Who; 5] = [
    Who::Anonymous,
    Who::Coordonnateur,
    Who::Referent,
    Who::Cao,
    Who::Amoa,
];
const LOGGED: &[Who] = &[Who::Coordonnateur, Who::Referent, Who::Cao, Who::Amoa];
const COORD: &[Who] = &[Who::Coordonnateur];
/// Coordonnateur and CAO members (each for their own seat).
const COORD_CAO: &[Who] = &[Who::Coordonnateur, Who::Cao];
const CAO: &[Who] = &[Who::Cao];
/// Those who see the offers: never a référent.
const OFFERS: &[Who] = &[Who::Coordonnateur, Who::Cao, Who::Amoa];
/// The président of the CAO only (the matrix's CAO member is a titulaire).
const NOBODY: &[Who] = &[];
const REFERENT: &[Who] = &[Who::Referent];
const COORD_REFERENT: &[Who] = &[Who::Coordonnateur, Who::Referent];

/// Who may call each route (the anonymous visitor only where listed).
fn expected(method: &Method, path: &str) -> Option<&'static [Who]> {
    let all: &'static [Who] = &ALL;
    Some(match (method.as_str(), path) {
        ("GET", "/healthz" | "/static/{*file}" | "/login") | ("POST", "/login") => all,
        // The code asked after the password: before the session exists.
        ("GET" | "POST", "/login/code") => all,
        // One's own second factor: enrolment, confirmation, removal.
        (
            "POST",
            "/compte/double-authentification"
            | "/compte/double-authentification/confirmer"
            | "/compte/double-authentification/desactiver",
        ) => LOGGED,
        ("POST", "/logout") | ("GET", "/") => LOGGED,
        ("GET", "/g/{gid}" | "/g/{gid}/members/{mid}" | "/g/{gid}/a-faire") => LOGGED,
        ("GET", "/api/v1/groupements/{gid}/delais/{calcul}") => LOGGED,
        // The coordonnateur corrects a member's details (the page is read-only for the others).
        ("POST", "/g/{gid}/members/{mid}") => COORD,
        ("GET", "/g/{gid}/users" | "/g/{gid}/journal") | ("POST", "/g/{gid}/users") => COORD,
        ("POST", "/api/v1/groupements/{gid}/users") => COORD,
        // Deactivation by the coordonnateur; one's own account page for everyone logged in.
        ("POST", "/g/{gid}/users/{uid}/desactiver" | "/g/{gid}/users/{uid}/reactiver") => COORD,
        ("GET", "/compte") => LOGGED,
        (
            "POST",
            "/compte/mot-de-passe"
            | "/compte/sessions/{handle}/revoquer"
            | "/compte/jetons"
            | "/compte/jetons/{tid}/revoquer",
        ) => LOGGED,
        ("GET", "/g/{gid}/consultations" | "/g/{gid}/consultations/{cid}") => LOGGED,
        ("GET", "/g/{gid}/consultations/new" | "/g/{gid}/consultations/{cid}/edit") => COORD,
        ("POST", "/g/{gid}/consultations" | "/g/{gid}/consultations/{cid}") => COORD,
        ("POST", "/g/{gid}/consultations/{cid}/lots" | "/g/{gid}/consultations/{cid}/needs") => {
            COORD
        }
        (
            "POST",
            "/g/{gid}/consultations/{cid}/procedure" | "/g/{gid}/consultations/{cid}/transition",
        ) => COORD,
        (
            "GET",
            "/api/v1/groupements/{gid}/consultations"
            | "/api/v1/groupements/{gid}/consultations/{cid}",
        ) => LOGGED,
        ("POST", "/api/v1/groupements/{gid}/consultations") => COORD,
        ("POST", "/api/v1/groupements/{gid}/consultations/{cid}/transition") => COORD,
        (
            "POST",
            "/g/{gid}/consultations/{cid}/prolongation"
            | "/api/v1/groupements/{gid}/consultations/{cid}/prolongation",
        ) => COORD,
        // Technique d'achat: every role reads it, the coordonnateur chooses it and imports the
        // SAD's admitted candidates.
        ("GET", "/g/{gid}/consultations/{cid}/technique") => LOGGED,
        // The life of a published consultation: the coordonnateur's alone.
        ("GET", "/g/{gid}/consultations/{cid}/publiee") => COORD,
        (
            "POST",
            "/g/{gid}/consultations/{cid}/retraits"
            | "/g/{gid}/consultations/{cid}/retraits/import"
            | "/g/{gid}/consultations/{cid}/questions"
            | "/g/{gid}/consultations/{cid}/questions/{qid}/reponse"
            | "/g/{gid}/consultations/{cid}/modification-dce"
            | "/g/{gid}/consultations/{cid}/modification-dce/publier",
        ) => COORD,
        (
            "POST",
            "/g/{gid}/consultations/{cid}/technique"
            | "/g/{gid}/consultations/{cid}/technique/admis",
        ) => COORD,
        ("GET", "/g/{gid}/courriels") | ("POST", "/g/{gid}/courriels/{id}/renvoyer") => COORD,
        (
            "GET",
            "/api/v1/groupements"
            | "/api/v1/groupements/{gid}"
            | "/api/v1/groupements/{gid}/members",
        ) => LOGGED,
        // Pièces du marché: every role reads and downloads (the référents visa them), only the
        // coordonnateur generates and writes the DCE data.
        (
            "GET",
            "/g/{gid}/consultations/{cid}/pieces"
            | "/g/{gid}/consultations/{cid}/pieces/{kind}"
            | "/g/{gid}/consultations/{cid}/pieces/{kind}/versions/{n}/docx"
            | "/g/{gid}/consultations/{cid}/pieces/bpu/versions/{n}/dqe.xlsx"
            | "/api/v1/groupements/{gid}/consultations/{cid}/pieces",
        ) => LOGGED,
        (
            "POST",
            "/g/{gid}/consultations/{cid}/pieces/generate-all"
            | "/g/{gid}/consultations/{cid}/pieces/{kind}/generate"
            | "/api/v1/groupements/{gid}/consultations/{cid}/pieces/{kind}/generate",
        ) => COORD,
        ("GET" | "POST", "/g/{gid}/consultations/{cid}/dce-data") => COORD,
        ("GET" | "POST", "/g/{gid}/consultations/{cid}/lignes-de-prix") => COORD,
        ("GET" | "POST", "/g/{gid}/consultations/{cid}/besoins") => COORD,
        // The needs import: its template to download and the filled file uploaded.
        (
            "GET",
            "/g/{gid}/consultations/{cid}/besoins/modele.xlsx"
            | "/g/{gid}/consultations/{cid}/besoins/modele.csv",
        ) => COORD,
        ("POST", "/g/{gid}/consultations/{cid}/besoins/import") => COORD,
        // The groupement's reference document (styles and letterhead of every document).
        (
            "GET" | "POST",
            "/g/{gid}/document-de-reference"
            | "/g/{gid}/document-de-reference/retirer"
            | "/g/{gid}/document-de-reference/versions/{n}/fichier",
        ) => COORD,
        // The archive of a consultation (every piece, letters, emails, journal extract).
        ("GET", "/g/{gid}/consultations/{cid}/archive.zip") => COORD,
        // Attribution and notification: the page for those who take part (référents see no
        // offer), every decision by the coordonnateur, each member's validation by its
        // référent or recorded by the coordonnateur; open data for the groupement; the
        // acknowledgement link carries its own secret.
        ("GET", "/g/{gid}/consultations/{cid}/attribution") => LOGGED,
        (
            "POST",
            "/g/{gid}/consultations/{cid}/attribution/decider"
            | "/g/{gid}/consultations/{cid}/attribution/{aid}/pieces"
            | "/g/{gid}/consultations/{cid}/attribution/{aid}/defaillance"
            | "/g/{gid}/consultations/{cid}/attribution/rejets"
            | "/g/{gid}/consultations/{cid}/attribution/signature"
            | "/g/{gid}/consultations/{cid}/attribution/notification"
            | "/g/{gid}/consultations/{cid}/attribution/avis"
            | "/g/{gid}/consultations/{cid}/attribution/pieces-contractuelles"
            | "/g/{gid}/consultations/{cid}/attribution/{aid}/acte-signe",
        ) => COORD,
        // The attributaire's AE, filled for its signature.
        ("GET", "/g/{gid}/consultations/{cid}/attribution/{aid}/ae.docx") => COORD,
        ("POST", "/g/{gid}/consultations/{cid}/attribution/validation") => COORD_REFERENT,
        ("GET", "/g/{gid}/consultations/{cid}/lettres/{id}") => COORD,
        // The PV d'ouverture des plis and the rapport de présentation (R2184-1 to R2184-3):
        // the coordonnateur's documents.
        (
            "GET",
            "/g/{gid}/consultations/{cid}/offres/pv-ouverture.docx"
            | "/g/{gid}/consultations/{cid}/attribution/rapport-presentation.docx",
        ) => COORD,
        (
            "GET",
            "/g/{gid}/consultations/{cid}/decp.json" | "/g/{gid}/consultations/{cid}/ocds.json",
        ) => LOGGED,
        ("GET" | "POST", "/accuse-reception/{token}") => all,
        // The clause library: the coordonnateur's drafting tool.
        ("GET", "/g/{gid}/clauses" | "/g/{gid}/consultations/{cid}/clauses") => COORD,
        (
            "GET" | "POST",
            "/g/{gid}/clauses/{name}" | "/g/{gid}/consultations/{cid}/clauses/{name}",
        ) => COORD,
        (
            "POST",
            "/g/{gid}/clauses/{name}/preview"
            | "/g/{gid}/clauses/{name}/reset"
            | "/g/{gid}/consultations/{cid}/clauses/{name}/preview"
            | "/g/{gid}/consultations/{cid}/clauses/{name}/reset",
        ) => COORD,
        // The CAO: everyone logged in reads; the coordonnateur composes it and runs the séances
        // (so does the président of the CAO, a CAO member tested in `cao.rs`; the matrix's CAO
        // member is a plain titulaire); every CAO member declares and signs for their own seat.
        (
            "GET",
            "/g/{gid}/cao"
            | "/g/{gid}/cao/seances"
            | "/g/{gid}/cao/seances/{sid}"
            | "/g/{gid}/cao/seances/{sid}/convocations.zip"
            | "/g/{gid}/cao/seances/{sid}/pv-carence.docx"
            | "/api/v1/groupements/{gid}/cao/composition"
            | "/api/v1/groupements/{gid}/cao/seances/{sid}",
        ) => LOGGED,
        // The PV names bidders, prices and ranking: the matrix's séance is on a consultation
        // whose attribution is not decided, so only those who see the offers read it (a
        // référent reads it once the attribution is decided, `cao/pv.rs`).
        ("GET", "/g/{gid}/cao/seances/{sid}/pv.docx") => OFFERS,
        (
            "POST",
            "/g/{gid}/cao/assignments"
            | "/g/{gid}/cao/assignments/{aid}/end"
            | "/g/{gid}/cao/settings",
        ) => COORD,
        (
            "POST",
            "/g/{gid}/cao/seances"
            | "/g/{gid}/cao/seances/{sid}/convocation"
            | "/g/{gid}/cao/seances/{sid}/attendance"
            | "/g/{gid}/cao/seances/{sid}/carence"
            | "/g/{gid}/cao/seances/{sid}/second-convocation"
            | "/g/{gid}/cao/seances/{sid}/votes"
            | "/g/{gid}/cao/seances/{sid}/deliberations"
            | "/g/{gid}/cao/seances/{sid}/observations"
            | "/g/{gid}/cao/seances/{sid}/close",
        ) => COORD,
        ("POST", "/g/{gid}/cao/seances/{sid}/declarations") => COORD_CAO,
        ("POST", "/g/{gid}/cao/seances/{sid}/signoffs") => CAO,
        (
            "GET",
            "/g/{gid}/consultations/{cid}/offres"
            | "/g/{gid}/consultations/{cid}/offres/criteres"
            | "/g/{gid}/consultations/{cid}/offres/notation"
            | "/g/{gid}/consultations/{cid}/offres/classement"
            | "/g/{gid}/consultations/{cid}/offres/rapport.docx"
            | "/g/{gid}/consultations/{cid}/offres/grille.csv"
            | "/g/{gid}/consultations/{cid}/offres/plis/{id}/dqe"
            | "/api/v1/groupements/{gid}/consultations/{cid}/offres"
            | "/api/v1/groupements/{gid}/consultations/{cid}/offres/criteres"
            | "/api/v1/groupements/{gid}/consultations/{cid}/offres/notes"
            | "/api/v1/groupements/{gid}/consultations/{cid}/offres/classement",
        ) => OFFERS,
        (
            "POST",
            "/g/{gid}/consultations/{cid}/offres/plis"
            | "/g/{gid}/consultations/{cid}/offres/registre-plateforme"
            | "/g/{gid}/consultations/{cid}/offres/registre-plateforme/import"
            | "/g/{gid}/consultations/{cid}/offres/plis/{id}/prix"
            | "/g/{gid}/consultations/{cid}/offres/plis/{id}/rectification"
            | "/g/{gid}/consultations/{cid}/offres/plis/{id}/candidature"
            | "/g/{gid}/consultations/{cid}/offres/plis/{id}/examen"
            | "/g/{gid}/consultations/{cid}/offres/plis/{id}/oab"
            | "/g/{gid}/consultations/{cid}/offres/plis/{id}/dqe"
            | "/g/{gid}/consultations/{cid}/offres/plis/{id}/dqe/decision"
            | "/g/{gid}/consultations/{cid}/offres/methode-oab"
            | "/g/{gid}/consultations/{cid}/offres/criteres"
            | "/g/{gid}/consultations/{cid}/offres/classement/ouvrir"
            | "/api/v1/groupements/{gid}/consultations/{cid}/offres/plis"
            | "/api/v1/groupements/{gid}/consultations/{cid}/offres/plis/{id}/prix"
            | "/api/v1/groupements/{gid}/consultations/{cid}/offres/plis/{id}/rectification"
            | "/api/v1/groupements/{gid}/consultations/{cid}/offres/criteres",
        ) => COORD,
        (
            "POST",
            "/g/{gid}/consultations/{cid}/offres/notation"
            | "/g/{gid}/consultations/{cid}/offres/notation/remise"
            | "/g/{gid}/consultations/{cid}/offres/notation/conflit"
            | "/api/v1/groupements/{gid}/consultations/{cid}/offres/conflits"
            | "/api/v1/groupements/{gid}/consultations/{cid}/offres/notes"
            | "/api/v1/groupements/{gid}/consultations/{cid}/offres/notes/remise",
        ) => CAO,
        (
            "POST",
            "/g/{gid}/consultations/{cid}/offres/notation/{id}/reouverture"
            | "/g/{gid}/consultations/{cid}/offres/consensus",
        ) => NOBODY,
        // Visas: everyone logged in follows them and downloads the bordereau; the coordonnateur
        // submits pieces, records proxies and the tacit rule; only a référent answers.
        (
            "GET",
            "/g/{gid}/consultations/{cid}/visas"
            | "/g/{gid}/consultations/{cid}/visas/rounds/{rid}"
            | "/g/{gid}/consultations/{cid}/visas/rounds/{rid}/{kind}/bordereau.docx"
            | "/g/{gid}/procurations"
            | "/api/v1/groupements/{gid}/consultations/{cid}/visas",
        ) => LOGGED,
        (
            "POST",
            "/g/{gid}/consultations/{cid}/visas/rounds"
            | "/api/v1/groupements/{gid}/consultations/{cid}/visas/rounds"
            | "/g/{gid}/visas/settings"
            | "/g/{gid}/procurations"
            | "/g/{gid}/procurations/{pid}/revoke",
        ) => COORD,
        (
            "POST",
            "/g/{gid}/consultations/{cid}/visas/rounds/{rid}/answer"
            | "/g/{gid}/consultations/{cid}/visas/reponses"
            | "/api/v1/groupements/{gid}/consultations/{cid}/visas/rounds/{rid}/answer",
        ) => REFERENT,
        _ => return None,
    })
}

#[test]
fn every_route_has_an_expectation() {
    let missing: Vec<String> = route_table()
        .into_iter()
        .filter(|r| expected(&r.method, r.path).is_none())
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without an authorisation rule in the matrix: {missing:?}"
    );
}

async fn client_for(app: &TestApp, who: Who) -> Client {
    match who {
        Who::Anonymous => app.anonymous().await,
        Who::Coordonnateur => app.login(&coord_email()).await,
        Who::Referent => app.login(&referent_email(SANTELYS)).await,
        Who::Cao => app.login(&cao_email("titulaire", SANTELYS)).await,
        Who::Amoa => app.login(&amoa_email()).await,
    }
}

/// Ids put in the path patterns.
struct Ids {
    gid: i32,
    mid: i32,
    cid: i32,
    sid: i32,
    aid: String,
}

fn concrete(path: &str, ids: &Ids) -> String {
    path.replace("{gid}", &ids.gid.to_string())
        .replace("{mid}", &ids.mid.to_string())
        .replace("{cid}", &ids.cid.to_string())
        .replace("{sid}", &ids.sid.to_string())
        .replace("{aid}", &ids.aid)
        .replace("{*file}", "app.css")
        .replace("{id}", "1")
        .replace("{kind}", "rc")
        .replace("{calcul}", "jours-ouvres")
        .replace("{n}", "1")
        .replace("{name}", "penalites")
        .replace("{rid}", "1")
        .replace("{pid}", "1")
        .replace("{qid}", "1")
        .replace("{token}", &"0".repeat(64))
        .replace("{uid}", "999999")
        .replace("{handle}", "0000000000000000")
        .replace("{tid}", "999999")
}

async fn call(c: &Client, method: &Method, path: &str) -> (u16, String) {
    let r = if *method == Method::GET {
        c.get(path).await
    } else if path.starts_with("/api/") {
        c.post_json(path, &serde_json::json!({})).await
    } else {
        c.post_form(path, &[]).await
    };
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (r.status().as_u16(), location)
}

fn denied(who: Who, path: &str, status: u16, location: &str) -> bool {
    match who {
        // Pages send the visitor to /login, the API answers 401.
        Who::Anonymous => {
            (status == 303 && location == "/login") || (status == 401 && path.starts_with("/api/"))
        }
        _ => status == 403,
    }
}

#[tokio::test]
async fn every_route_with_every_role() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let mid = app.member_id(SANTELYS).await;
    let coord = app.login(&coord_email()).await;
    let cid = crate::consultations::software_tender(&app, &coord).await;
    let target = format!("C{cid}");
    let sid = crate::cao::new_seance(&app, &coord, "2026-12-08", &[(&target, "Attribuer")]).await;
    let aid = crate::cao::seat(&app, "titulaire", RONCHIN).await;
    let ids = Ids {
        gid,
        mid,
        cid,
        sid,
        aid,
    };
    let mut failures = Vec::new();
    for who in ALL {
        let c = client_for(&app, who).await;
        for spec in route_table() {
            if spec.path == "/logout" {
                continue; // checked below on its own session
            }
            let allowed = expected(&spec.method, spec.path)
                .unwrap_or(&[])
                .contains(&who);
            let (status, location) = call(&c, &spec.method, &concrete(spec.path, &ids)).await;
            let was_denied = denied(who, spec.path, status, &location);
            if allowed == was_denied || status == 500 {
                failures.push(format!(
                    "{who:?} {} {} -> {status} (allowed: {allowed})",
                    spec.method, spec.path
                ));
            }
        }
        let fresh = client_for(&app, who).await;
        let status = fresh.post_form("/logout", &[]).await.status().as_u16();
        let ok = status == 303;
        if !ok {
            failures.push(format!("{who:?} POST /logout -> {status}"));
        }
    }
    assert!(
        failures.is_empty(),
        "authorisation matrix broken:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn a_user_never_reaches_another_groupement() {
    let app = TestApp::spawn().await;
    let other = serde_json::json!({
        "name": "Autre groupement",
        "legal_basis": "L2113-6",
        "coordonnateur_finess_juridique": RONCHIN,
        "members": [{
            "name": "CCAS DE RONCHIN", "kind": "ccas", "finess_juridique": RONCHIN,
            "address": "13 place du Général de Gaulle, 59790 Ronchin",
            "representative": {"name": "X", "title": "Président"}, "has_own_cao": true, "role": "coordonnateur",
            "establishments": [{"name": "SSIAD DE RONCHIN", "kind": "SSIAD", "finess": "590807723", "capacity": "65", "siret": ["26590507500056"]}]
        }]
    });
    let out = coordo::registry::import::import_text(
        &app.state.db,
        app.state.clock.now(),
        &coordo::audit::Actor::cli(),
        &other.to_string(),
        false,
    )
    .await
    .expect("second groupement");
    let g2 = out.groupement_id.expect("created");
    let mid2 = coordo::registry::service::members(&app.state.db, g2)
        .await
        .expect("m")[0]
        .member
        .id;
    let c = app.login(&coord_email()).await;
    for path in [
        format!("/g/{g2}"),
        format!("/g/{g2}/members/{mid2}"),
        format!("/g/{g2}/users"),
        format!("/api/v1/groupements/{g2}/members"),
    ] {
        assert_eq!(c.get(&path).await.status(), 403, "{path}");
    }
    // A member of another groupement through one's own groupement's path is not found.
    let gid = app.gid().await;
    assert_eq!(
        c.get(&format!("/g/{gid}/members/{mid2}")).await.status(),
        404
    );
    // Nor can its details be corrected, through either path.
    let fields = [("name", "Pris"), ("finess_juridique", RONCHIN)];
    let other = format!("/g/{g2}/members/{mid2}");
    assert_eq!(c.post_form(&other, &fields).await.status(), 403);
    let through_own = format!("/g/{gid}/members/{mid2}");
    assert_eq!(c.post_form(&through_own, &fields).await.status(), 404);
    let list: serde_json::Value = c
        .get("/api/v1/groupements")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(1),
        "only one's own groupement is listed"
    );
}
