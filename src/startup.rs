//! Building and running the service: database, templates, demo data, HTTP listener.

use crate::audit::{self, Actor};
use crate::auth::users::{self, NewUser};
use crate::auth::{CaoSeat, Role, password};
use crate::clock::Clock;
use crate::config::Settings;
use crate::registry::{self, import, service};
use crate::state::AppState;
use crate::web::render::Templates;
use std::net::SocketAddr;
use std::sync::Arc;

/// Password of every demo account (printed at start on a fresh database).
pub const DEMO_PASSWORD: &str = "coordo-demo-2026";
/// Domain of the demo accounts.
pub const DEMO_DOMAIN: &str = "demo.coordo.fr";

/// Opens the database (migrations included), loads the page templates, compiles the document
/// engine and builds the mail transport. Must run inside the tokio runtime.
///
/// # Errors
/// The database cannot be opened, a template does not compile or the mail transport is unusable.
pub async fn build_state(settings: Settings, clock: Clock) -> anyhow::Result<AppState> {
    let db = crate::db::connect(&settings.database_url)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "base de données « {} » inaccessible : {e}",
                settings.database_url
            )
        })?;
    audit::open_keyring(&db, &settings.audit_key_file, &settings.audit_anchor_file)
        .await
        .map_err(|e| anyhow::anyhow!("journal d'audit : {e}"))?;
    let signing_key = crate::archive::signature::load_or_create(&settings.signing_key_file, true)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mailer = crate::mail::Mailer::new(&settings.mail, &settings.mail_from)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut settings = settings;
    if settings.secret_key.is_none() {
        settings.secret_key = Some(
            crate::web::secret::load_or_create(&db)
                .await
                .map_err(|e| anyhow::anyhow!("clé secrète du serveur : {e}"))?,
        );
    }
    Ok(AppState {
        db,
        settings: Arc::new(settings),
        clock,
        templates: Arc::new(Templates::new()?),
        mailer,
        engine: Arc::new(
            crate::docgen::DocEngine::new()
                .map_err(|e| anyhow::anyhow!("moteur de documents : {e}"))?,
        ),
        caches: Arc::new(crate::web::cache::Caches::new()),
        signing_key: Arc::new(signing_key),
        cao_rankings: Arc::new(crate::attribution::cao_ranking::FromAnalysis),
    })
}

/// One demo account.
#[derive(Clone, Debug)]
pub struct DemoAccount {
    pub email: String,
    pub role: Role,
    pub member_finess: Option<String>,
    pub seat: Option<CaoSeat>,
}

/// On an empty database: imports the real groupement and creates the demo accounts
/// (one coordonnateur, one référent per member, a CAO titulaire and suppléant per member —
/// the coordonnateur's titulaire presides, convention art. 5.4 — and one AMOA), then the
/// composition of the CAO linked to those accounts (designated on the convention's date).
/// Returns the accounts created, or `None` when the database already had a groupement.
///
/// # Errors
/// Database errors.
pub async fn seed_demo_if_empty(state: &AppState) -> anyhow::Result<Option<Vec<DemoAccount>>> {
    if !service::groupements(&state.db).await?.is_empty() {
        return Ok(None);
    }
    let now = state.clock.now();
    let outcome = import::import_text(
        &state.db,
        now,
        &Actor::system(),
        registry::DEMO_GROUPEMENT_JSON,
        false,
    )
    .await
    .map_err(|e| anyhow::anyhow!("import du groupement de démonstration : {e}"))?;
    let gid = outcome
        .groupement_id
        .ok_or_else(|| anyhow::anyhow!("groupement de démonstration non créé"))?;
    let members = service::members(&state.db, gid).await?;
    let mut accounts = vec![DemoAccount {
        email: format!("coordonnateur@{DEMO_DOMAIN}"),
        role: Role::Coordonnateur,
        member_finess: None,
        seat: None,
    }];
    for m in &members {
        let f = &m.member.finess_juridique;
        let presides = m.member.role.as_deref() == Some("coordonnateur");
        accounts.push(DemoAccount {
            email: format!("referent.{f}@{DEMO_DOMAIN}"),
            role: Role::Referent,
            member_finess: Some(f.clone()),
            seat: None,
        });
        accounts.push(DemoAccount {
            email: format!("cao.titulaire.{f}@{DEMO_DOMAIN}"),
            role: Role::Cao,
            member_finess: Some(f.clone()),
            seat: Some(if presides {
                CaoSeat::President
            } else {
                CaoSeat::Titulaire
            }),
        });
        accounts.push(DemoAccount {
            email: format!("cao.suppleant.{f}@{DEMO_DOMAIN}"),
            role: Role::Cao,
            member_finess: Some(f.clone()),
            seat: Some(CaoSeat::Suppleant),
        });
    }
    accounts.push(DemoAccount {
        email: format!("amoa@{DEMO_DOMAIN}"),
        role: Role::Amoa,
        member_finess: None,
        seat: None,
    });
    // One hash for every demo account: they share the demo password anyway.
    let hash = password::hash_async(DEMO_PASSWORD.to_owned()).await?;
    let tx = audit::begin(&state.db).await?;
    for a in &accounts {
        let member = a
            .member_finess
            .as_ref()
            .and_then(|f| members.iter().find(|m| &m.member.finess_juridique == f));
        let display_name = match (a.role, member) {
            (Role::Referent, Some(m)) => format!("Référent — {}", m.member.name),
            (Role::Cao, Some(m)) => format!(
                "CAO {} — {}",
                a.seat.map_or("", CaoSeat::label).to_lowercase(),
                m.member.name
            ),
            (Role::Amoa, _) => "AMOA du groupement".to_owned(),
            _ => "Service marchés — CCAS de Wattrelos".to_owned(),
        };
        let new = NewUser {
            email: a.email.clone(),
            display_name,
            role: a.role,
            groupement_id: gid,
            member_id: member.map(|m| m.member.id),
            cao_seat: a.seat,
            password: String::new(),
        };
        let row = users::insert(&tx, now, &Actor::system(), &new, hash.clone())
            .await
            .map_err(|e| {
                anyhow::anyhow!("compte de démonstration {} : {}", a.email, e.message())
            })?;
        // The demo password is published: each account must change it first.
        users::require_password_change(&tx, row.id)
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    }
    // The CAO of the convention (art. 5.4): each member's titulaire and suppléant, the AMOA.
    crate::cao::service::seed_demo_composition(&tx, now, gid)
        .await
        .map_err(|e| anyhow::anyhow!("composition de la CAO de démonstration : {}", e.message()))?;
    tx.commit().await?;
    Ok(Some(accounts))
}

/// Binds the listener, starts the outbox worker and serves until the process stops.
///
/// # Errors
/// The address is taken or the service fails.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let addr = settings.addr;
    let state = build_state(settings, Clock::system()).await?;
    if let Some(accounts) = seed_demo_if_empty(&state).await? {
        println!(
            "Base vide : groupement de démonstration importé ({} comptes créés).",
            accounts.len()
        );
        println!(
            "Connectez-vous sur {}/login avec :",
            state.settings.base_url
        );
        println!("  coordonnateur@{DEMO_DOMAIN}  /  mot de passe : {DEMO_PASSWORD}");
        println!(
            "  (référents : referent.<FINESS juridique>@{DEMO_DOMAIN}, CAO : cao.titulaire.<FINESS>@…, cao.suppleant.<FINESS>@…, amoa@{DEMO_DOMAIN} — même mot de passe)"
        );
        if state.settings.demo_consultations {
            build_demo_consultations(&state.settings).await;
        }
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("impossible d'écouter sur {addr} : {e}"))?;
    println!("Coordo écoute sur http://{}", listener.local_addr()?);
    state
        .mailer
        .ensure_ready()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("Courriels : {}", state.mailer.target());
    println!(
        "Clé publique de signature des archives : {}",
        crate::archive::signature::key_label(&state.signing_key.verifying_key())
    );
    let _outbox_worker = crate::mail::worker::spawn(state.clone());
    let _visa_tick = crate::visas::tick::spawn(state.clone());
    run(listener, state).await
}

/// The stages a newcomer finds on a fresh database: a notified pair, a pair in analysis, a
/// pair open to offers — so every screen has something in it.
pub const FIRST_START_STAGES: [crate::demo::Stage; 3] = [
    crate::demo::Stage::Notifiee,
    crate::demo::Stage::Analyse,
    crate::demo::Stage::Publiee,
];

/// Builds [`FIRST_START_STAGES`] with `coordo demo`'s builder; a stage that fails is reported
/// and the service starts anyway (the groupement and the accounts are there).
async fn build_demo_consultations(settings: &Settings) {
    for stage in FIRST_START_STAGES {
        match crate::demo::run(settings.clone(), stage).await {
            Ok(built) => {
                for c in &built.consultations {
                    println!("  consultation {} : {} ({})", c.id, c.reference, c.status);
                }
            }
            Err(e) => eprintln!("Démonstration « {stage:?} » non construite : {e}"),
        }
    }
}

/// How often expired sessions are deleted.
const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Deletes expired sessions at start, then every [`PURGE_EVERY`]: without it every expired
/// session stayed in `web_session` for ever.
fn spawn_session_purge(db: sea_orm::DatabaseConnection) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(PURGE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            // Real time, like the sessions' expiry (not the application clock).
            match crate::auth::session_store::purge_expired(&db, chrono::Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sessions = n, "sessions expirées supprimées"),
                Err(e) => tracing::error!(erreur = %e, "purge des sessions expirées"),
            }
        }
    })
}

/// Serves `state` on an already bound listener.
///
/// # Errors
/// The server fails.
pub async fn run(listener: tokio::net::TcpListener, state: AppState) -> anyhow::Result<()> {
    let _purge = spawn_session_purge(state.db.clone());
    let app = crate::web::router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
