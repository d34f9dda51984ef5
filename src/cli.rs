//! The `coordo` command line: `serve` (default) and the operator's subcommands, all on the
//! same configuration as the service.

use crate::audit::{self, Actor};
use crate::auth::users::{self, NewUserInput};
use crate::clock::Clock;
use crate::config::Settings;
use crate::registry::{import, service};
use clap::{Parser, Subcommand};
use rand::RngCore;
use std::path::PathBuf;
use std::process::ExitCode;

/// Coordo — l'outil du coordonnateur d'un groupement de commandes.
#[derive(Parser, Debug)]
#[command(name = "coordo", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Démarre le service web (par défaut).
    Serve,
    /// Importe un groupement (format data/groupement.json) et affiche le rapport de qualité.
    Import {
        file: PathBuf,
        /// N'écrit rien : affiche ce qui serait modifié.
        #[arg(long)]
        dry_run: bool,
    },
    /// Gestion des comptes.
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Journal d'audit.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Copie cohérente de la base de données, service en marche.
    Backup { file: PathBuf },
    /// Archive d'une consultation (ZIP avec manifeste SHA-256).
    Archive {
        #[command(subcommand)]
        action: ArchiveCommand,
    },
    /// Propose la procédure applicable (JSON) : seuils datés, publicité, délai minimal, CAO.
    Procedure {
        /// fournitures, services ou travaux.
        #[arg(long)]
        nature: String,
        /// Montant estimé HT de l'ensemble du besoin (options et reconductions comprises) ; pour
        /// un accord-cadre, son montant maximum sur toute sa durée (obligatoire, R2162-4).
        #[arg(long = "amount-ht")]
        amount_ht: Option<String>,
        /// Date de lancement de la consultation (AAAA-MM-JJ).
        #[arg(long)]
        launch: String,
        /// Technique d'achat : aucune, accord_cadre ou sad (marché spécifique d'un système
        /// d'acquisition dynamique).
        #[arg(long, default_value = "aucune")]
        technique: String,
        /// Durée de l'accord-cadre en mois, reconductions comprises (quatre ans au plus sauf
        /// justification, L2125-1).
        #[arg(long = "duree-mois", value_name = "MOIS")]
        duree_mois: Option<String>,
    },
    /// Note et classe les offres d'un cas (JSON) ; résultat JSON sur la sortie standard.
    Score { case: PathBuf },
    /// Construit dans la base configurée les deux marchés réels du groupement (AMOA et
    /// logiciel DUI) avec des soumissionnaires fictifs, par les mêmes services que les pages,
    /// jusqu'à l'étape demandée ; affiche les identifiants des consultations. Chaque lancement
    /// crée une nouvelle paire (DEMO-AMOA-n, DEMO-DUI-n).
    Demo {
        /// brouillon, publiee, analyse, attribuee ou notifiee.
        #[arg(long = "jusqu-a", value_name = "ETAPE", default_value = "notifiee")]
        jusqu_a: String,
        /// convention (AMOA et logiciel) ou techniques (logiciel en marché spécifique d'un
        /// SAD, matériel en accord-cadre à bons de commande).
        #[arg(long, value_name = "ACHATS", default_value = "convention")]
        achats: String,
    },
    /// Produit un document DOCX (pièce ou courrier) à partir d'un contexte JSON, ou le classeur
    /// du DQE (dqe, XLSX).
    Render {
        /// rc, ae, ccap, cctp, bpu, noti1, noti3, noti5, sans_suite, convocation_cao, pv_cao,
        /// pv_carence, bordereau_visas, rapport_analyse ; dqe (classeur XLSX).
        kind: String,
        /// Le contexte JSON (voir documents/examples/).
        #[arg(long)]
        data: PathBuf,
        /// Le fichier DOCX à écrire (par défaut KIND.docx).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Un document de référence Word (styles, en-tête, pied de page) à appliquer, comme le
        /// fait la page « Document de référence » (par exemple
        /// documents/examples/reference_wattrelos.docx).
        #[arg(long, value_name = "FICHIER.docx")]
        reference: Option<PathBuf>,
    },
    /// Le calendrier légal comme calculatrice : chaque réponse en JSON avec sa règle et son
    /// article ; code de sortie 2 pour une date ou un nombre invalide.
    Delais {
        #[command(subcommand)]
        action: DelaisCommand,
    },
    /// Le classeur du DQE complété par un candidat.
    Dqe {
        #[command(subcommand)]
        action: DqeCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum DelaisCommand {
    /// Le N-ième jour ouvré après une date (ce jour-là exclu ; samedis, dimanches et jours
    /// fériés exclus) : visa tacite, procès-verbal du COPIL (convention art. 8.1).
    #[command(name = "jours-ouvres")]
    JoursOuvres {
        /// La date de départ (AAAA-MM-JJ), non comptée.
        #[arg(long, value_name = "AAAA-MM-JJ", allow_hyphen_values = true)]
        depuis: String,
        /// Le nombre de jours ouvrés.
        #[arg(long, value_name = "N", allow_hyphen_values = true)]
        jours: String,
    },
    /// Le dernier jour d'envoi de la convocation à une séance de la CAO pour que N jours francs
    /// la séparent de la séance (ni le jour d'envoi ni celui de la séance ne comptent).
    #[command(name = "convocation-cao")]
    ConvocationCao {
        /// La date de la séance (AAAA-MM-JJ).
        #[arg(long, value_name = "AAAA-MM-JJ", allow_hyphen_values = true)]
        seance: String,
        /// Le nombre de jours francs.
        #[arg(long = "jours-francs", value_name = "N", allow_hyphen_values = true)]
        jours_francs: String,
    },
    /// La date limite de réception des offres la plus proche permise après l'envoi de l'avis
    /// (R2161-2, R2161-3 ; pas de minimum en procédure adaptée, R2151-1).
    Offres {
        /// La date d'envoi de l'avis de marché (AAAA-MM-JJ).
        #[arg(long, value_name = "AAAA-MM-JJ", allow_hyphen_values = true)]
        envoi: String,
        /// La procédure : aoo (appel d'offres ouvert) ou mapa (procédure adaptée).
        #[arg(long, value_name = "PROCEDURE", default_value = "aoo")]
        procedure: String,
        /// Les offres ne sont pas reçues par voie électronique (35 jours au lieu de 30).
        #[arg(long = "hors-voie-electronique")]
        hors_voie_electronique: bool,
        /// Un avis de préinformation a été publié (15 jours).
        #[arg(long)]
        preinformation: bool,
        /// Urgence dûment justifiée (15 jours).
        #[arg(long)]
        urgence: bool,
    },
    /// Le dernier jour d'envoi des réponses aux questions des candidats avant la date limite
    /// de réception des offres (R2132-6).
    #[command(name = "reponses-questions")]
    ReponsesQuestions {
        /// La date limite de réception des offres (AAAA-MM-JJ).
        #[arg(long, value_name = "AAAA-MM-JJ", allow_hyphen_values = true)]
        remise: String,
        /// Urgence dûment justifiée (4 jours au lieu de 6).
        #[arg(long)]
        urgence: bool,
    },
    /// Le délai de suspension après l'envoi des lettres de rejet (R2182-1) : dernier jour et
    /// premier jour de signature.
    Suspension {
        /// La date d'envoi des lettres de rejet (AAAA-MM-JJ).
        #[arg(long, value_name = "AAAA-MM-JJ", allow_hyphen_values = true)]
        envoi: String,
        /// Les lettres ne sont pas parties par voie électronique (16 jours au lieu de 11).
        #[arg(long = "hors-voie-electronique")]
        hors_voie_electronique: bool,
    },
    /// Le dernier jour d'envoi de l'avis d'attribution après la signature (R2183-1).
    #[command(name = "avis-attribution")]
    AvisAttribution {
        /// La date de signature du marché (AAAA-MM-JJ).
        #[arg(long, value_name = "AAAA-MM-JJ", allow_hyphen_values = true)]
        signature: String,
    },
    /// Le dernier jour de publication des données essentielles après la notification (R2196-1).
    #[command(name = "donnees-essentielles")]
    DonneesEssentielles {
        /// La date de notification du marché (AAAA-MM-JJ).
        #[arg(long, value_name = "AAAA-MM-JJ", allow_hyphen_values = true)]
        notification: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum DqeCommand {
    /// Lit un DQE complété (XLSX) contre le contexte du BPU dont il est issu : prix et montants
    /// recalculés en JSON ; code de sortie 2 et les motifs en français s'il est refusé.
    Lire {
        /// Le classeur complété.
        #[arg(value_name = "FICHIER")]
        file: PathBuf,
        /// Le contexte JSON du BPU (voir documents/examples/dqe.json).
        #[arg(long)]
        data: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Crée un compte et affiche son mot de passe initial.
    Add {
        email: String,
        #[arg(long)]
        role: String,
        /// Identifiant du groupement (facultatif s'il n'y en a qu'un).
        #[arg(long)]
        groupement: Option<i32>,
        /// FINESS juridique du membre (référent, CAO).
        #[arg(long)]
        member: Option<String>,
        /// Siège CAO : president, titulaire, suppleant.
        #[arg(long)]
        seat: Option<String>,
        /// Nom affiché (par défaut l'adresse).
        #[arg(long)]
        name: Option<String>,
        /// Affiche aussi un jeton d'API (Authorization: Bearer …).
        #[arg(long)]
        token: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Vérifie la chaîne d'empreintes du journal.
    Verify,
}

#[derive(Subcommand, Debug)]
pub enum ArchiveCommand {
    /// Vérifie hors ligne une archive ZIP (manifestes, empreintes SHA-256, structure,
    /// signature Ed25519 du groupement) ; code de sortie 0 si elle est intègre, 1 sinon.
    Verify {
        /// Le fichier ZIP à vérifier.
        #[arg(value_name = "FICHIER")]
        file: PathBuf,
        /// La clé publique du groupement (ed25519:…) ; par défaut celle du fichier
        /// COORDO_SIGNING_KEY_FILE s'il est lisible sur cette machine.
        #[arg(long = "cle", value_name = "CLE")]
        key: Option<String>,
    },
    /// Affiche la clé publique de signature des archives du groupement.
    Cle,
    /// Produit l'archive d'une consultation et la consigne au journal d'audit.
    Export {
        /// Identifiant de la consultation.
        #[arg(long, value_name = "ID")]
        consultation: i32,
        /// Le fichier ZIP à écrire (il ne doit pas exister).
        #[arg(long, value_name = "FICHIER")]
        out: PathBuf,
    },
}

/// Parses arguments with French messages; exit 2 on bad arguments.
///
/// # Errors
/// The exit code to return after a help, version or usage message.
pub fn parse() -> Result<Cli, ExitCode> {
    Cli::try_parse().map_err(|e| {
        use clap::error::ErrorKind as K;
        match e.kind() {
            K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand => {
                let _ = e.print();
                ExitCode::SUCCESS
            }
            kind => {
                let what = match kind {
                    K::MissingRequiredArgument => "argument obligatoire manquant",
                    K::UnknownArgument => "argument inconnu",
                    K::InvalidSubcommand => "sous-commande inconnue",
                    K::InvalidValue | K::ValueValidation => "valeur invalide",
                    K::TooManyValues | K::WrongNumberOfValues => "nombre de valeurs incorrect",
                    _ => "arguments invalides",
                };
                let detail = e.render().to_string();
                let first = detail
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim_start_matches("error: ");
                eprintln!("Erreur : {what} ({first}). Lancez « coordo --help » pour l'aide.");
                ExitCode::from(2)
            }
        }
    })
}

fn fail(msg: impl std::fmt::Display, code: u8) -> ExitCode {
    eprintln!("Erreur : {msg}");
    ExitCode::from(code)
}

/// Runs one command.
pub async fn run(cli: Cli) -> ExitCode {
    // Offline: neither the configuration nor the database is needed.
    if let Some(Command::Archive {
        action: ArchiveCommand::Verify { file, key },
    }) = &cli.command
    {
        return archive_verify(file, key.as_deref());
    }
    if let Some(Command::Archive {
        action: ArchiveCommand::Cle,
    }) = &cli.command
    {
        return archive_key();
    }
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => return fail(e, 2),
    };
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Render {
        kind,
        data,
        out,
        reference,
    } = &command
    {
        if kind == "dqe" {
            return crate::cli_dqe::render(data, out.as_deref());
        }
        return render_cmd(kind, data, out.as_deref(), reference.as_deref());
    }
    if let Command::Delais { action } = &command {
        return delais_cmd(action);
    }
    if let Command::Dqe {
        action: DqeCommand::Lire { file, data },
    } = &command
    {
        return crate::cli_dqe::read(file, data);
    }
    if let Command::Score { case } = &command {
        let text = match std::fs::read_to_string(case) {
            Ok(t) => t,
            Err(e) => {
                return fail(
                    format!("lecture de « {} » impossible : {e}", case.display()),
                    2,
                );
            }
        };
        return match crate::scoring::score_case_json(&text) {
            Ok(v) => {
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
                ExitCode::SUCCESS
            }
            Err(e) => fail(e, 2),
        };
    }
    if let Command::Procedure {
        nature,
        amount_ht,
        launch,
        technique,
        duree_mois,
    } = &command
    {
        return match crate::consultations::rules::cli::cli_json_with(
            nature,
            amount_ht.as_deref(),
            launch,
            technique,
            duree_mois.as_deref(),
        ) {
            Ok(v) => {
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
                ExitCode::SUCCESS
            }
            Err(e) => fail(e, 2),
        };
    }
    if let Command::Demo { jusqu_a, achats } = &command {
        let stage = match crate::demo::Stage::parse(jusqu_a) {
            Ok(s) => s,
            Err(e) => return fail(e, 2),
        };
        let purchases = match crate::demo::Purchases::parse(achats) {
            Ok(p) => p,
            Err(e) => return fail(e, 2),
        };
        return match crate::demo::run_with(settings, stage, purchases).await {
            Ok(built) => {
                print_demo(&built);
                ExitCode::SUCCESS
            }
            Err(e) => fail(e, 1),
        };
    }
    if matches!(command, Command::Serve) {
        return match crate::startup::serve(settings).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(e, 1),
        };
    }
    let state = match crate::startup::build_state(settings, Clock::system()).await {
        Ok(s) => s,
        Err(e) => return fail(e, 1),
    };
    let result = match command {
        Command::Serve
        | Command::Procedure { .. }
        | Command::Score { .. }
        | Command::Demo { .. }
        | Command::Render { .. }
        | Command::Delais { .. }
        | Command::Dqe { .. } => Ok(ExitCode::SUCCESS),
        Command::Import { file, dry_run } => import_cmd(&state, &file, dry_run).await,
        Command::User {
            action:
                UserCommand::Add {
                    email,
                    role,
                    groupement,
                    member,
                    seat,
                    name,
                    token,
                },
        } => {
            user_add(
                &state,
                UserAdd {
                    email,
                    role,
                    groupement,
                    member,
                    seat,
                    name,
                    token,
                },
            )
            .await
        }
        Command::Audit {
            action: AuditCommand::Verify,
        } => audit_verify(&state).await,
        Command::Backup { file } => backup(&state, &file).await,
        Command::Archive {
            action: ArchiveCommand::Verify { file, key },
        } => Ok(archive_verify(&file, key.as_deref())),
        Command::Archive {
            action: ArchiveCommand::Cle,
        } => Ok(archive_key()),
        Command::Archive {
            action: ArchiveCommand::Export { consultation, out },
        } => archive_export(&state, consultation, &out).await,
    };
    result.unwrap_or_else(|e| fail(e, 1))
}

/// What `coordo demo` prints: the consultations built, their status, how to log in.
fn print_demo(b: &crate::demo::Built) {
    if b.seeded {
        println!(
            "Base vide : groupement de démonstration importé et comptes de démonstration créés."
        );
    }
    if b.number > 1 {
        println!(
            "La démo existe déjà ({} paire(s) de consultations DEMO-…) : une nouvelle paire n° {} est créée, les précédentes sont conservées.",
            b.number - 1,
            b.number
        );
    }
    println!(
        "Démo construite jusqu'à l'étape « {} » (calendrier commencé le {}) :",
        b.stage.code(),
        b.calendar.start.format("%d/%m/%Y")
    );
    for c in &b.consultations {
        let status = crate::consultations::lifecycle::Status::from_code(&c.status)
            .map_or(c.status.as_str(), |s| s.label());
        println!(
            "consultation {} : {} — {} ({status})",
            c.id, c.reference, c.objet
        );
    }
    println!(
        "Connectez-vous avec coordonnateur@{} (mot de passe : {}) après « coordo serve ».",
        crate::startup::DEMO_DOMAIN,
        crate::startup::DEMO_PASSWORD
    );
}

async fn import_cmd(
    state: &crate::state::AppState,
    file: &PathBuf,
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("lecture de « {} » impossible : {e}", file.display()))?;
    match import::import_text(&state.db, state.clock.now(), &Actor::cli(), &text, dry_run).await {
        Ok(out) => {
            println!("Rapport de qualité des données :");
            println!("{}", out.report.render_text());
            if out.changes.is_empty() {
                println!("Aucune modification : la base est déjà à jour.");
            } else {
                let verb = if dry_run {
                    "Modifications qui seraient faites"
                } else {
                    "Modifications faites"
                };
                println!("{verb} ({}) :", out.changes.len());
                for c in &out.changes {
                    println!("  - {c}");
                }
                if dry_run {
                    println!("Simulation (--dry-run) : rien n'a été écrit.");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(import::ImportError::Invalid(n, report)) => {
            println!("{}", report.render_text());
            Err(anyhow::anyhow!(
                "le fichier contient {n} erreur(s) : rien n'a été importé"
            ))
        }
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}

struct UserAdd {
    email: String,
    role: String,
    groupement: Option<i32>,
    member: Option<String>,
    seat: Option<String>,
    name: Option<String>,
    token: bool,
}

async fn user_add(state: &crate::state::AppState, a: UserAdd) -> anyhow::Result<ExitCode> {
    let gs = service::groupements(&state.db).await?;
    let gid = match (a.groupement, gs.len()) {
        (Some(id), _) if gs.iter().any(|g| g.id == id) => id,
        (Some(id), _) => return Err(anyhow::anyhow!("groupement {id} introuvable")),
        (None, 1) => gs[0].id,
        (None, 0) => {
            return Err(anyhow::anyhow!(
                "aucun groupement : importez-en un d'abord (coordo import FICHIER)"
            ));
        }
        (None, n) => {
            return Err(anyhow::anyhow!(
                "{n} groupements existent : précisez --groupement ID"
            ));
        }
    };
    let member_id = match &a.member {
        None => String::new(),
        Some(f) => {
            let key = crate::registry::seed::compact_upper(f);
            let ms = service::members(&state.db, gid).await?;
            let m = ms
                .iter()
                .find(|m| m.member.finess_juridique == key)
                .ok_or_else(|| {
                    anyhow::anyhow!("aucun membre de FINESS juridique « {f} » dans ce groupement")
                })?;
            m.member.id.to_string()
        }
    };
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    let password = hex::encode(bytes);
    let input = NewUserInput {
        display_name: a.name.clone().unwrap_or_else(|| a.email.clone()),
        email: a.email,
        role: a.role,
        member_id,
        cao_seat: a.seat.unwrap_or_default(),
        password: password.clone(),
    };
    let new = users::validate(&input, gid).map_err(|errs| {
        anyhow::anyhow!(
            "{}",
            errs.values()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(" ; ")
        )
    })?;
    let hash = crate::auth::password::hash_async(password.clone()).await?;
    let tx = audit::begin(&state.db).await?;
    let row = users::insert(&tx, state.clock.now(), &Actor::cli(), &new, hash)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    // The initial password is printed: it must be changed at the first visit.
    users::require_password_change(&tx, row.id)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    let token = if a.token {
        Some(
            users::issue_token(&tx, state.clock.now(), &Actor::cli(), &row)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message()))?,
        )
    } else {
        None
    };
    tx.commit().await?;
    println!("Compte créé : {} ({})", row.email, new.role.label());
    println!("Mot de passe initial : {password}");
    if let Some(t) = token {
        println!("Jeton d'API : {t}");
    }
    Ok(ExitCode::SUCCESS)
}

async fn audit_verify(state: &crate::state::AppState) -> anyhow::Result<ExitCode> {
    let n = audit::count(&state.db).await?;
    match audit::verify(&state.db).await? {
        None => {
            println!("Journal d'audit intact : {n} entrée(s) vérifiée(s).");
            Ok(ExitCode::SUCCESS)
        }
        Some(b) => {
            eprintln!(
                "Journal d'audit ROMPU à l'entrée n° {} : {}",
                b.entry_id, b.reason
            );
            Ok(ExitCode::from(1))
        }
    }
}

async fn backup(
    state: &crate::state::AppState,
    file: &std::path::Path,
) -> anyhow::Result<ExitCode> {
    if file.exists() {
        return Err(anyhow::anyhow!(
            "« {} » existe déjà : choisissez un autre fichier",
            file.display()
        ));
    }
    if !crate::db::is_sqlite(&state.db) {
        return Err(anyhow::anyhow!(
            "la sauvegarde intégrée concerne SQLite ; pour PostgreSQL, utilisez pg_dump"
        ));
    }
    crate::db::backup_sqlite(&state.db, file).await?;
    println!("Sauvegarde cohérente écrite dans {}", file.display());
    println!(
        "Sauvegardez aussi, à part, la clé du journal ({}), son ancrage ({}) et la clé de signature des archives ({}) : \
         sans la clé, le journal ne se vérifie plus ; une base restaurée se restaure avec l'ancrage du même moment.",
        state.settings.audit_key_file.display(),
        state.settings.audit_anchor_file.display(),
        state.settings.signing_key_file.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `coordo archive verify`: the French report and exit 0 when intact, the French reason and
/// exit 1 otherwise.
fn archive_verify(file: &std::path::Path, key: Option<&str>) -> ExitCode {
    use crate::archive::{ArchiveError, signature, verify};
    let trusted = match key {
        Some(k) => match signature::parse_key(k) {
            Ok(k) => Some(k),
            Err(e) => return fail(format!("--cle : {e}"), 2),
        },
        // The groupement's own key, when this machine keeps it (never created here).
        None => Settings::from_env()
            .ok()
            .and_then(|s| signature::load_or_create(&s.signing_key_file, false).ok())
            .map(|k| k.verifying_key()),
    };
    match verify::verify_file(file, trusted.as_ref()) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e @ ArchiveError::Read { .. }) => fail(e, 1),
        Err(e) => fail(format!("archive NON intègre — {e}"), 1),
    }
}

/// `coordo archive cle`: the public key of the groupement's archives.
fn archive_key() -> ExitCode {
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => return fail(e, 2),
    };
    match crate::archive::signature::load_or_create(&settings.signing_key_file, false) {
        Ok(k) => {
            println!(
                "{}",
                crate::archive::signature::key_label(&k.verifying_key())
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(e, 1),
    }
}

async fn archive_export(
    state: &crate::state::AppState,
    cid: i32,
    out: &std::path::Path,
) -> anyhow::Result<ExitCode> {
    use crate::db::entities::consultation;
    use sea_orm::EntityTrait;
    use std::io::Write;
    let c = consultation::Entity::find_by_id(cid)
        .one(&state.db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("consultation {cid} introuvable"))?;
    // Created first (never over an existing file), so that a journaled export is written.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .map_err(|err| anyhow::anyhow!("création de « {} » impossible : {err}", out.display()))?;
    let e = match crate::archive::service::export(state, &Actor::cli(), c.groupement_id, cid).await
    {
        Ok(e) => e,
        Err(err) => {
            let _ = std::fs::remove_file(out);
            return Err(anyhow::anyhow!("{}", err.message()));
        }
    };
    file.write_all(&e.built.bytes)
        .and_then(|()| file.sync_all())
        .map_err(|err| anyhow::anyhow!("écriture de « {} » impossible : {err}", out.display()))?;
    println!(
        "Archive de la consultation {} écrite dans {} : {} fichiers, {} octets.\nEmpreinte SHA-256 : {}",
        e.consultation.reference,
        out.display(),
        e.built.files,
        e.built.bytes.len(),
        e.built.sha256
    );
    Ok(ExitCode::SUCCESS)
}

/// `coordo render`: exit 2 for bad arguments or a bad context, 1 when the file cannot be written.
fn delais_cmd(action: &DelaisCommand) -> ExitCode {
    use crate::delais;
    let answer = match action {
        DelaisCommand::JoursOuvres { depuis, jours } => delais::parse_date("depuis", depuis)
            .and_then(|d| {
                Ok(delais::jours_ouvres(
                    d,
                    delais::parse_count("jours", jours)?,
                ))
            }),
        DelaisCommand::ConvocationCao {
            seance,
            jours_francs,
        } => delais::parse_date("seance", seance).and_then(|d| {
            Ok(delais::convocation_cao(
                d,
                delais::parse_count("jours-francs", jours_francs)?,
            ))
        }),
        DelaisCommand::Suspension {
            envoi,
            hors_voie_electronique,
        } => delais::parse_date("envoi", envoi)
            .and_then(|d| delais::suspension(d, !hors_voie_electronique)),
        DelaisCommand::Offres {
            envoi,
            procedure,
            hors_voie_electronique,
            preinformation,
            urgence,
        } => delais::parse_date("envoi", envoi).and_then(|d| {
            delais::offres(
                d,
                procedure,
                !hors_voie_electronique,
                *preinformation,
                *urgence,
            )
        }),
        DelaisCommand::ReponsesQuestions { remise, urgence } => {
            delais::parse_date("remise", remise)
                .and_then(|d| delais::reponses_questions(d, *urgence))
        }
        DelaisCommand::AvisAttribution { signature } => {
            delais::parse_date("signature", signature).and_then(delais::avis_attribution)
        }
        DelaisCommand::DonneesEssentielles { notification } => {
            delais::parse_date("notification", notification).and_then(delais::donnees_essentielles)
        }
    };
    match answer {
        Ok(v) => {
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(e) => fail(e, 2),
    }
}

fn render_cmd(
    kind: &str,
    data: &std::path::Path,
    out: Option<&std::path::Path>,
    reference: Option<&std::path::Path>,
) -> ExitCode {
    use crate::docgen::{DocEngine, DocKind, Look, ReferenceDoc};
    let reference = match reference.map(|p| {
        std::fs::read(p)
            .map_err(|e| format!("lecture de « {} » impossible : {e}", p.display()))
            .and_then(|b| ReferenceDoc::read(&b))
    }) {
        None => None,
        Some(Ok(r)) => Some(std::sync::Arc::new(r)),
        Some(Err(e)) => return fail(e, 2),
    };
    let look = Look {
        clauses: std::collections::BTreeMap::new(),
        reference,
    };
    let kind: DocKind = match kind.parse() {
        Ok(k) => k,
        Err(e) => return fail(e, 2),
    };
    let text = match std::fs::read_to_string(data) {
        Ok(t) => t,
        Err(e) => {
            return fail(
                format!("lecture de « {} » impossible : {e}", data.display()),
                2,
            );
        }
    };
    let ctx: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            return fail(
                format!(
                    "« {} » n'est pas un JSON valide (ligne {}, colonne {})",
                    data.display(),
                    e.line(),
                    e.column()
                ),
                2,
            );
        }
    };
    let engine = match DocEngine::new() {
        Ok(e) => e,
        Err(e) => return fail(e, 1),
    };
    let doc = match engine.render_docx(kind, &ctx, &look) {
        Ok(d) => d,
        Err(e) => return fail(e, 2),
    };
    let path = out.map_or_else(
        || PathBuf::from(format!("{}.docx", kind.as_str())),
        std::path::Path::to_path_buf,
    );
    if let Err(e) = std::fs::write(&path, &doc.docx) {
        return fail(
            format!("écriture de « {} » impossible : {e}", path.display()),
            1,
        );
    }
    println!(
        "{} écrit : {} ({} octets)",
        kind.label_fr(),
        path.display(),
        doc.docx.len()
    );
    ExitCode::SUCCESS
}
