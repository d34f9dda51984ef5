//! Tests of the consultation lifecycle: every allowed transition and a refused one per status.

use super::*;

/// A context where every condition holds (standstill applicable, over).
fn all_ok() -> TransitionContext {
    TransitionContext {
        dce_has_pieces: true,
        all_visas_complete: true,
        offers_deadline_passed: true,
        analysis_complete: true,
        cao_required: true,
        cao_decision_recorded: true,
        rejection_letters_sent: true,
        standstill_applicable: true,
        standstill_over: true,
        attributaire_documents_received: true,
        members_validation_complete: true,
        contract_pieces_sent_to_members: true,
        no_acceptable_offer: true,
        motif: Some("Disparition du besoin après la fusion de deux membres.".to_string()),
        award_criteria_problems: Vec::new(),
        rc_announces_the_grid: true,
        technique_problems: Vec::new(),
    }
}

#[test]
fn a_technique_problem_stops_the_publication_with_its_article() {
    let mut ctx = all_ok();
    ctx.technique_problems = vec!["l'accord-cadre n'a pas de maximum (R2162-4)".into()];
    for (from, to) in [(PiecesEnVisa, PretePublier), (PretePublier, Publiee)] {
        let e = refused(from, to, &ctx);
        assert!(e.contains("R2162-4"), "{e}");
    }
}

fn refused(from: Status, to: Status, ctx: &TransitionContext) -> String {
    transition(from, to, ctx)
        .expect_err("must be refused")
        .to_string()
}

#[test]
fn every_allowed_transition_succeeds_when_conditions_hold() {
    for from in Status::ALL {
        for &to in from.allowed_targets() {
            let mut ctx = all_ok();
            if (from, to) == (LettresEnvoyees, Signee) {
                ctx.standstill_applicable = false;
            }
            assert_eq!(transition(from, to, &ctx), Ok(to), "{from:?} -> {to:?}");
        }
    }
}

#[test]
fn happy_path_formalised() {
    let ctx = all_ok();
    let path = [
        Brouillon,
        PiecesEnVisa,
        PretePublier,
        Publiee,
        RemiseClose,
        Analyse,
        AttributionDecidee,
        LettresEnvoyees,
        Suspension,
        Signee,
        Notifiee,
        Close,
    ];
    for w in path.windows(2) {
        assert_eq!(transition(w[0], w[1], &ctx), Ok(w[1]));
    }
}

#[test]
fn brouillon() {
    let ctx = TransitionContext::default();
    assert!(refused(Brouillon, PiecesEnVisa, &ctx).contains("le DCE ne contient aucune pièce"));
    assert_eq!(
        refused(Brouillon, Publiee, &all_ok()),
        "Transition impossible de « Brouillon » vers « Publiée » : transitions possibles depuis cet état : « Pièces en visa », « Déclarée sans suite »."
    );
}

#[test]
fn pieces_en_visa() {
    let mut ctx = all_ok();
    ctx.all_visas_complete = false;
    assert_eq!(
        refused(PiecesEnVisa, PretePublier, &ctx),
        "Transition impossible de « Pièces en visa » vers « Prête à publier » : Toutes les pièces du DCE doivent avoir un visa complet de chaque membre, sur leur dernière version, avant publication (convention art. 5.4 et 6.2)."
    );
    assert_eq!(transition(PiecesEnVisa, Brouillon, &ctx), Ok(Brouillon));
    assert!(refused(PiecesEnVisa, Publiee, &all_ok()).contains("transitions possibles"));
}

#[test]
fn publication_needs_a_publishable_grid_announced_by_the_current_rc() {
    let mut ctx = all_ok();
    ctx.award_criteria_problems = vec!["aucun critère environnemental (L2152-7)".to_owned()];
    for (from, to) in [(PiecesEnVisa, PretePublier), (PretePublier, Publiee)] {
        assert!(refused(from, to, &ctx).ends_with("aucun critère environnemental (L2152-7)."));
    }
    let mut ctx = all_ok();
    ctx.rc_announces_the_grid = false;
    assert!(refused(PretePublier, Publiee, &ctx).contains("générez à nouveau le RC"));
}

#[test]
fn prete_publier() {
    let mut ctx = all_ok();
    ctx.all_visas_complete = false;
    assert!(refused(PretePublier, Publiee, &ctx).contains("visa complet"));
    assert_eq!(
        transition(PretePublier, PiecesEnVisa, &ctx),
        Ok(PiecesEnVisa)
    );
    assert!(refused(PretePublier, RemiseClose, &all_ok()).contains("« Publiée »"));
}

#[test]
fn publiee() {
    let mut ctx = all_ok();
    ctx.offers_deadline_passed = false;
    assert!(refused(Publiee, RemiseClose, &ctx).contains("n'est pas encore passée"));
    assert!(refused(Publiee, Analyse, &all_ok()).contains("transitions possibles"));
    assert!(refused(Publiee, Infructueuse, &all_ok()).contains("transitions possibles"));
}

#[test]
fn remise_close_and_infructueuse() {
    let mut ctx = all_ok();
    ctx.no_acceptable_offer = false;
    assert!(refused(RemiseClose, Infructueuse, &ctx).contains("L2152-2 à L2152-4"));
    assert!(refused(Analyse, Infructueuse, &ctx).contains("R2185-1"));
    assert_eq!(transition(RemiseClose, Analyse, &ctx), Ok(Analyse));
    assert!(refused(RemiseClose, AttributionDecidee, &all_ok()).contains("transitions possibles"));
}

#[test]
fn analyse() {
    let mut ctx = all_ok();
    ctx.analysis_complete = false;
    assert!(
        refused(Analyse, AttributionDecidee, &ctx)
            .contains("l'analyse des offres doit être achevée")
    );
    let mut ctx = all_ok();
    ctx.cao_decision_recorded = false;
    assert!(refused(Analyse, AttributionDecidee, &ctx).contains("CGCT L1414-2"));
    ctx.cao_required = false;
    assert_eq!(
        transition(Analyse, AttributionDecidee, &ctx),
        Ok(AttributionDecidee)
    );
}

#[test]
fn attribution_decidee() {
    let mut ctx = all_ok();
    ctx.rejection_letters_sent = false;
    assert!(refused(AttributionDecidee, LettresEnvoyees, &ctx).contains("NOTI3"));
    assert!(refused(AttributionDecidee, Signee, &all_ok()).contains("transitions possibles"));
}

#[test]
fn lettres_envoyees() {
    // Formalised: the standstill must run first.
    assert!(refused(LettresEnvoyees, Signee, &all_ok()).contains("R2182-1"));
    // MAPA / single tenderer: no standstill, direct signature.
    let mut ctx = all_ok();
    ctx.standstill_applicable = false;
    assert!(refused(LettresEnvoyees, Suspension, &ctx).contains("R2182-2"));
    assert_eq!(transition(LettresEnvoyees, Signee, &ctx), Ok(Signee));
    ctx.members_validation_complete = false;
    assert!(refused(LettresEnvoyees, Signee, &ctx).contains("convention art. 6.2"));
}

#[test]
fn suspension() {
    let mut ctx = all_ok();
    ctx.standstill_over = false;
    assert!(refused(Suspension, Signee, &ctx).contains("n'est pas expiré"));
    let mut ctx = all_ok();
    ctx.attributaire_documents_received = false;
    assert!(refused(Suspension, Signee, &ctx).contains("R2144-4"));
    assert!(refused(Suspension, Notifiee, &all_ok()).contains("transitions possibles"));
}

#[test]
fn signee() {
    assert_eq!(
        transition(Signee, Notifiee, &TransitionContext::default()),
        Ok(Notifiee)
    );
    assert!(refused(Signee, Close, &all_ok()).contains("transitions possibles"));
}

#[test]
fn notifiee() {
    let mut ctx = all_ok();
    ctx.contract_pieces_sent_to_members = false;
    assert!(refused(Notifiee, Close, &ctx).contains("convention art. 5.4"));
    assert_eq!(
        refused(Notifiee, SansSuite, &all_ok()),
        "Transition impossible de « Marché notifié » vers « Déclarée sans suite » : le marché est notifié : la procédure ne peut plus être déclarée sans suite (R2185-1, convention art. 5.4)."
    );
}

#[test]
fn terminal_states() {
    for s in [Close, SansSuite, Infructueuse] {
        assert!(s.is_terminal());
        assert!(s.allowed_targets().is_empty());
        let msg = refused(s, Brouillon, &all_ok());
        assert!(
            msg.ends_with("transitions possibles depuis cet état : aucune (état final)."),
            "{msg}"
        );
        assert!(refused(s, SansSuite, &all_ok()).contains("aucune (état final)"));
    }
}

#[test]
fn sans_suite_from_every_state_before_notification() {
    let before = [
        Brouillon,
        PiecesEnVisa,
        PretePublier,
        Publiee,
        RemiseClose,
        Analyse,
        AttributionDecidee,
        LettresEnvoyees,
        Suspension,
        Signee,
    ];
    for s in before {
        assert!(s.before_notification());
        assert_eq!(transition(s, SansSuite, &all_ok()), Ok(SansSuite), "{s:?}");
        let mut ctx = all_ok();
        ctx.motif = None;
        assert!(refused(s, SansSuite, &ctx).contains("motif d'intérêt général"));
        ctx.motif = Some("   budget   ".to_string());
        assert!(refused(s, SansSuite, &ctx).contains("trop court (6 caractères"));
    }
}

#[test]
fn serde_and_labels() {
    for s in Status::ALL {
        let json = serde_json::to_value(s).expect("json");
        assert_eq!(json, s.code());
        assert_eq!(Status::from_code(s.code()), Ok(s));
        assert!(!s.label().is_empty());
    }
    assert_eq!(
        serde_json::to_value(PretePublier).expect("json"),
        "prete_publier"
    );
    assert!(Status::from_code("publiée").is_err());
    let ctx: TransitionContext =
        serde_json::from_str(r#"{"all_visas_complete": true}"#).expect("defaults");
    assert!(ctx.all_visas_complete && !ctx.standstill_over);
    assert!(!Notifiee.duties().is_empty());
}
