//! Data shared by the benchmarks that need a realistic database.

/// Consultations created besides the real groupement.
pub const CONSULTATIONS: usize = 200;

/// A SQLite file at `db` holding the real groupement (demo accounts included) and
/// [`CONSULTATIONS`] consultations with one lot and every member's need; returns the
/// application state built on it and the id of the first consultation.
pub async fn prepare(db: &std::path::Path) -> (coordo::state::AppState, i32) {
    let settings = coordo::config::Settings::for_test(db, &db.with_file_name("outbox"));
    let state = coordo::startup::build_state(settings, coordo::clock::Clock::system())
        .await
        .expect("state");
    coordo::startup::seed_demo_if_empty(&state)
        .await
        .expect("seed");
    // The demo seed forces a password change; the measured sessions are past that step.
    {
        use coordo::db::entities::app_user;
        use sea_orm::{EntityTrait, sea_query::Expr};
        app_user::Entity::update_many()
            .col_expr(app_user::Column::MustChangePassword, Expr::value(false))
            .exec(&state.db)
            .await
            .expect("clear must_change_password");
    }
    let gid = coordo::registry::service::groupements(&state.db)
        .await
        .expect("g")[0]
        .id;
    let members = coordo::registry::service::members(&state.db, gid)
        .await
        .expect("m");
    let actor = coordo::audit::Actor::cli();
    let mut first = 0;
    for i in 0..CONSULTATIONS {
        let input = coordo::consultations::model::ConsultationInput {
            reference: format!("2026-{i:03}"),
            objet: format!("Consultation de charge n° {i}"),
            nature: "services".into(),
            cpv: "48000000-8".into(),
            ccag: "tic".into(),
            vat_rate: "20".into(),
            launch_date: "2026-12-01".into(),
            offers_deadline_date: "2027-01-15".into(),
            offers_deadline_time: "12:00".into(),
            ..Default::default()
        };
        let d = coordo::consultations::model::validate(&input).expect("valid");
        let c =
            coordo::consultations::service::create(&state.db, chrono::Utc::now(), &actor, gid, &d)
                .await
                .expect("create");
        let lot = coordo::consultations::service::add_lot(
            &state.db,
            chrono::Utc::now(),
            &actor,
            gid,
            c.id,
            "Lot unique",
        )
        .await
        .expect("lot");
        for m in &members {
            let need = coordo::consultations::model::NeedDraft {
                lot_id: lot.id,
                member_id: m.member.id,
                amount_ht: rust_decimal::Decimal::from(35_000),
                options_ht: rust_decimal::Decimal::ZERO,
                renewals_ht: rust_decimal::Decimal::ZERO,
                quantity: None,
                unit: None,
            };
            coordo::consultations::service::set_need(
                &state.db,
                chrono::Utc::now(),
                &actor,
                gid,
                c.id,
                &need,
            )
            .await
            .expect("need");
        }
        if i == 0 {
            first = c.id;
        }
    }
    (state, first)
}
