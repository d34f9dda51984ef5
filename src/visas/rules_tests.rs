//! Unit tests of `rules.rs`.
use super::*;
use chrono::TimeZone;
use chrono_tz::Europe::Paris;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

fn at(y: i32, m: u32, day: u32, h: u32) -> DateTime<Tz> {
    Paris
        .with_ymd_and_hms(y, m, day, h, 0, 0)
        .single()
        .expect("valid test instant")
}

const H1: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const H2: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn round(hash: &str) -> VisaRound {
    VisaRound {
        piece_key: "cctp".into(),
        version_hash: hash.into(),
        requested_on: d(2026, 5, 12),
        due_on: d(2026, 5, 22),
        required: ["a", "b", "c"]
            .iter()
            .map(|k| RequiredMember {
                key: k.to_string(),
                name: format!("Membre {k}"),
            })
            .collect(),
    }
}

fn visa(member: &str, hash: &str, decision: VisaDecision, when: DateTime<Tz>) -> Visa {
    Visa {
        member_key: member.into(),
        actor_member_key: member.into(),
        version_hash: hash.into(),
        decision,
        comment: match decision {
            VisaDecision::FavorableAvecReserves | VisaDecision::Defavorable => Some("Motif".into()),
            _ => None,
        },
        given_at: when,
    }
}

use VisaDecision::{Defavorable as Def, Favorable as Fav, FavorableAvecReserves as Res};

#[test]
fn unanimity_completes() {
    let r = round(H1);
    let vs = vec![
        visa("a", H1, Fav, at(2026, 5, 13, 9)),
        visa("b", H1, Res, at(2026, 5, 13, 9)),
    ];
    let s = round_state(&r, &vs, d(2026, 5, 15), TacitConfig::default());
    assert_eq!(
        (s.status, s.progress()),
        (RoundStatus::EnCours, "2/3".to_string())
    );
    let mut vs = vs;
    vs.push(visa("c", &H1.to_uppercase(), Fav, at(2026, 5, 18, 9)));
    let s = round_state(&r, &vs, d(2026, 5, 18), TacitConfig::default());
    assert_eq!(s.status, RoundStatus::Complet);
    assert!(s.reminders_due.is_empty());
    assert_eq!(can_publish(&[("CCTP", H1, Some(&s))]), Ok(()));
}

#[test]
fn one_defavorable_blocks() {
    let r = round(H1);
    let vs = vec![
        visa("a", H1, Fav, at(2026, 5, 13, 9)),
        visa("b", H1, Fav, at(2026, 5, 13, 9)),
        visa("c", H1, Def, at(2026, 5, 13, 10)),
    ];
    let s = round_state(&r, &vs, d(2026, 5, 14), TacitConfig::default());
    assert_eq!(s.status, RoundStatus::Bloque);
    assert_eq!(s.approved, 2);
    let e = can_publish(&[("CCTP", H1, Some(&s))]).expect_err("blocked");
    assert!(e.contains("« CCTP » : visa défavorable de Membre c"));
}

#[test]
fn latest_answer_counts_and_same_instant_for_two_members_both_kept() {
    let r = round(H1);
    let vs = vec![
        visa("a", H1, Def, at(2026, 5, 13, 9)),
        visa("b", H1, Fav, at(2026, 5, 13, 9)),
        visa("a", H1, Fav, at(2026, 5, 14, 9)),
        visa("c", H1, Fav, at(2026, 5, 14, 9)),
    ];
    let s = round_state(&r, &vs, d(2026, 5, 15), TacitConfig::default());
    assert_eq!(s.status, RoundStatus::Complet);
    // Latest is défavorable → blocked, even though given in a different order in the slice.
    let mut vs2 = vec![visa("c", H1, Def, at(2026, 5, 15, 9))];
    vs2.extend(vs);
    let s = round_state(&r, &vs2, d(2026, 5, 15), TacitConfig::default());
    assert_eq!(s.status, RoundStatus::Bloque);
}

#[test]
fn new_version_opens_new_round_old_visas_do_not_count() {
    let old = round(H1);
    let vs: Vec<Visa> = ["a", "b", "c"]
        .iter()
        .map(|m| visa(m, H1, Fav, at(2026, 5, 13, 9)))
        .collect();
    let s_old = round_state(&old, &vs, d(2026, 5, 14), TacitConfig::default());
    assert_eq!(s_old.status, RoundStatus::Complet);
    assert!(needs_new_round(H2, Some(&old)));
    assert!(!needs_new_round(H1, Some(&old)));
    assert!(needs_new_round(H1, None));
    let new = round(H2);
    let s_new = round_state(&new, &vs, d(2026, 5, 14), TacitConfig::default());
    assert_eq!((s_new.status, s_new.approved), (RoundStatus::EnCours, 0));
    // The old complete round does not allow publishing the new version.
    let e = can_publish(&[("CCTP", H2, Some(&s_old))]).expect_err("old round");
    assert!(e.contains("version actuelle (bbbbbbbbbbbb…)"));
    let e = can_publish(&[("CCTP", H2, Some(&s_new)), ("RC", H1, None)]).expect_err("pending");
    assert!(
        e.contains("« CCTP » : visas en cours (0/3), en attente de Membre a, Membre b, Membre c")
    );
    assert!(e.contains("« RC » : aucun tour de visa"));
    assert!(can_publish(&[]).is_err());
}

#[test]
fn tacit_approval_counts_jours_ouvres_across_ascension() {
    // Request Tue 12 May 2026 + 7 jours ouvrés: 13, (14 Ascension), 15, 18, 19, 20, 21, 22.
    let r = round(H1);
    let cfg = TacitConfig {
        enabled: true,
        jours_ouvres: 7,
    };
    assert_eq!(tacit_deadline(r.requested_on, cfg), Some(d(2026, 5, 22)));
    let vs = vec![visa("a", H1, Fav, at(2026, 5, 13, 9))];
    let s = round_state(&r, &vs, d(2026, 5, 22), cfg);
    assert_eq!(s.status, RoundStatus::EnCours);
    let s = round_state(&r, &vs, d(2026, 5, 23), cfg);
    assert_eq!(s.status, RoundStatus::Complet);
    assert_eq!(s.per_member[1].status, MemberVisaStatus::Tacite);
    assert_eq!(s.per_member[1].decided_on, Some(d(2026, 5, 22)));
    assert_eq!(s.per_member[0].status, MemberVisaStatus::Favorable);
    // Disabled: no tacit approval.
    let s = round_state(&r, &vs, d(2026, 6, 30), TacitConfig::default());
    assert_eq!(s.status, RoundStatus::EnCours);
    assert!(s.overdue);
    // An explicit answer (even late) prevails over the tacit one.
    let mut vs = vs;
    vs.push(visa("b", H1, Def, at(2026, 5, 26, 9)));
    let s = round_state(&r, &vs, d(2026, 5, 26), cfg);
    assert_eq!(s.status, RoundStatus::Bloque);
}

#[test]
fn proxy_rules() {
    let p = vec![Proxy {
        grantor_member_key: "b".into(),
        holder_member_key: "a".into(),
        given_on: d(2026, 5, 10),
        valid_until: Some(d(2026, 5, 31)),
        revoked_on: Some(d(2026, 5, 20)),
    }];
    assert!(may_answer("b", "b", &[], d(2026, 5, 1)));
    assert!(!may_answer("a", "b", &[], d(2026, 5, 12)));
    assert!(!may_answer("a", "b", &p, d(2026, 5, 9)));
    assert!(may_answer("a", "b", &p, d(2026, 5, 10)));
    assert!(may_answer("a", "b", &p, d(2026, 5, 19)));
    assert!(!may_answer("a", "b", &p, d(2026, 5, 20)));
    assert!(!may_answer("b", "a", &p, d(2026, 5, 12)));
    let mut p2 = p.clone();
    p2[0].revoked_on = None;
    assert!(may_answer("a", "b", &p2, d(2026, 5, 31)));
    assert!(!may_answer("a", "b", &p2, d(2026, 6, 1)));
    // validate_visa uses the Paris date of the answer.
    let r = round(H1);
    let mut v = visa("b", H1, Fav, at(2026, 5, 12, 9));
    v.actor_member_key = "a".into();
    assert_eq!(validate_visa(&r, &v, &p), Ok(()));
    v.given_at = at(2026, 5, 21, 9);
    let e = validate_visa(&r, &v, &p).expect_err("revoked");
    assert!(e.to_string().contains("au nom de « Membre b »"));
}

#[test]
fn visa_validation() {
    let r = round(H1);
    assert_eq!(validate_round(&r), Ok(()));
    let mut bad = round("xyz");
    assert!(matches!(
        validate_round(&bad),
        Err(VisaError::InvalidHash(_))
    ));
    bad.version_hash = H1.into();
    bad.due_on = d(2026, 5, 11);
    assert!(matches!(
        validate_round(&bad),
        Err(VisaError::DueBeforeRequest { .. })
    ));
    bad.due_on = d(2026, 5, 22);
    bad.required.push(bad.required[0].clone());
    assert!(matches!(
        validate_round(&bad),
        Err(VisaError::DuplicateRequiredMember(_))
    ));
    bad.required.clear();
    assert_eq!(validate_round(&bad), Err(VisaError::NoRequiredMember));
    let mut v = visa("a", H1, Res, at(2026, 5, 13, 9));
    assert_eq!(validate_visa(&r, &v, &[]), Ok(()));
    v.comment = Some("  ".into());
    let e = validate_visa(&r, &v, &[]).expect_err("comment");
    assert_eq!(
        e.to_string(),
        "Un visa favorable avec réserves doit être motivé : le commentaire est obligatoire."
    );
    v.decision = Def;
    assert_eq!(
        validate_visa(&r, &v, &[]),
        Err(VisaError::CommentRequired("défavorable"))
    );
    v.decision = VisaDecision::Tacite;
    assert_eq!(validate_visa(&r, &v, &[]), Err(VisaError::TaciteEntered));
    let v = visa("a", H2, Fav, at(2026, 5, 13, 9));
    assert!(matches!(
        validate_visa(&r, &v, &[]),
        Err(VisaError::WrongVersion { .. })
    ));
    let v = visa("z", H1, Fav, at(2026, 5, 13, 9));
    assert!(matches!(
        validate_visa(&r, &v, &[]),
        Err(VisaError::NotRequired(_))
    ));
}

#[test]
fn reminder_dates_in_jours_ouvres() {
    // Due Fri 22 May 2026: Wed 20 and Fri 22.
    let mut r = round(H1);
    let s = round_state(&r, &[], d(2026, 5, 20), TacitConfig::default());
    assert_eq!(s.reminders_due, vec![d(2026, 5, 20), d(2026, 5, 22)]);
    assert!(s.remind_today);
    assert!(!round_state(&r, &[], d(2026, 5, 21), TacitConfig::default()).remind_today);
    // Due Mon 18 May 2026: Fri 15 (1), Thu 14 Ascension skipped, Wed 13 (2).
    r.due_on = d(2026, 5, 18);
    assert_eq!(reminder_dates(&r), vec![d(2026, 5, 13), d(2026, 5, 18)]);
    // Due the day after the request: the first reminder would precede the request.
    r.due_on = d(2026, 5, 13);
    assert_eq!(reminder_dates(&r), vec![d(2026, 5, 13)]);
}

#[test]
fn visa_json_round_trip_in_paris_time() {
    let v = visa("a", H1, Res, at(2026, 5, 13, 9));
    let json = serde_json::to_string(&v).expect("serialize");
    assert!(json.contains("\"decision\":\"favorable_avec_reserves\""));
    assert!(json.contains("2026-05-13T09:00:00+02:00"));
    let back: Visa = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(back, v);
}
