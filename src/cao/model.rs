//! The stored CAO in the form the pure rules read, and the pure checks around it: status of a
//! séance, mapping of members and mandates, convocation recipients, who may act for which seat.

use super::rules::composition::{
    Composition, CompositionError, ConsultativeKind, Designation, LegalKind, Member,
    SeatAssignment, SeatRole, composition_at,
};
use crate::auth::{CurrentUser, Role};
use crate::db::entities::{cao_seat_assignment, member};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Date of the convention constitutive of the real groupement (designations of the seed).
pub const CONVENTION_DATE: (i32, u32, u32) = (2024, 3, 21);

/// State of a séance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeanceStatus {
    /// Created, not yet convened.
    Prevue,
    /// The convocation was sent (attendance, declarations and votes happen in this state).
    Convoquee,
    /// Closed after deliberating: the procès-verbal can be generated and signed.
    Tenue,
    /// No quorum (CGCT L1411-5 II): a procès-verbal de carence, and a second convocation.
    Carence,
}

impl SeanceStatus {
    /// Stored form.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Prevue => "prevue",
            Self::Convoquee => "convoquee",
            Self::Tenue => "tenue",
            Self::Carence => "carence",
        }
    }

    /// French label.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Prevue => "prévue",
            Self::Convoquee => "convoquée",
            Self::Tenue => "tenue",
            Self::Carence => "carence (quorum non atteint)",
        }
    }

    /// Reads the stored form.
    ///
    /// # Errors
    /// An unknown code (French message).
    pub fn from_code(s: &str) -> Result<Self, String> {
        [Self::Prevue, Self::Convoquee, Self::Tenue, Self::Carence]
            .into_iter()
            .find(|x| x.code() == s)
            .ok_or_else(|| format!("état de séance « {s} » inconnu"))
    }
}

/// The legal kind of a stored member, for CGCT L1414-3 I. A CIAS is an établissement public
/// local like a CCAS; a plain « établissement public » of this sector is taken as an
/// établissement public social ou médico-social (not counted); private bodies are not counted.
#[must_use]
pub fn legal_kind(kind: &str) -> LegalKind {
    match kind {
        "ccas" => LegalKind::Ccas,
        "commune" => LegalKind::Commune,
        "cias" | "epl" => LegalKind::Epl,
        "association" => LegalKind::Association,
        "etablissement_public" | "esms_public" => LegalKind::EsmsPublic,
        "oph" => LegalKind::Oph,
        _ => LegalKind::Other,
    }
}

/// The key of a member in the rules: its id.
#[must_use]
pub fn member_key(id: i32) -> String {
    id.to_string()
}

/// The key of a person in the rules: the id of its mandate (a person holds one seat at a date).
#[must_use]
pub fn person_key(assignment_id: i32) -> String {
    assignment_id.to_string()
}

/// A stored member as the rules see it (convention art. 3, 5.4, 15).
#[must_use]
pub fn rules_member(m: &member::Model) -> Member {
    Member {
        key: member_key(m.id),
        name: m.name.clone(),
        kind: legal_kind(&m.kind),
        has_own_cao: m.has_own_cao,
        is_coordonnateur: m.role.as_deref() == Some("coordonnateur"),
        withdrawn_on: m.withdrawn_on,
    }
}

/// Stored form of a consultative kind.
#[must_use]
pub fn consultative_code(k: ConsultativeKind) -> &'static str {
    match k {
        ConsultativeKind::Amoa => "amoa",
        ConsultativeKind::Expert => "expert",
        ConsultativeKind::ComptablePublic => "comptable_public",
        ConsultativeKind::Dgccrf => "dgccrf",
        ConsultativeKind::AgentMembre => "agent_membre",
    }
}

/// Every consultative kind, for forms.
pub const CONSULTATIVE_KINDS: [ConsultativeKind; 5] = [
    ConsultativeKind::Amoa,
    ConsultativeKind::Expert,
    ConsultativeKind::ComptablePublic,
    ConsultativeKind::Dgccrf,
    ConsultativeKind::AgentMembre,
];

/// Reads a stored or submitted seat role.
///
/// # Errors
/// Unknown role or consultative kind (French message naming the value).
pub fn parse_role(role: &str, kind: Option<&str>) -> Result<SeatRole, String> {
    match role.trim() {
        "titulaire" => Ok(SeatRole::Titulaire),
        "suppleant" => Ok(SeatRole::Suppleant),
        "consultatif" => {
            let k = kind.unwrap_or("").trim();
            CONSULTATIVE_KINDS
                .into_iter()
                .find(|c| consultative_code(*c) == k)
                .map(SeatRole::Consultatif)
                .ok_or_else(|| {
                    format!(
                        "qualité consultative « {k} » inconnue : amoa, expert, comptable_public, dgccrf ou agent_membre"
                    )
                })
        }
        other => Err(format!(
            "rôle « {other} » inconnu : titulaire, suppleant ou consultatif"
        )),
    }
}

/// Stored form of a seat role: (role, consultative kind).
#[must_use]
pub fn role_codes(r: SeatRole) -> (&'static str, Option<&'static str>) {
    match r {
        SeatRole::Titulaire => ("titulaire", None),
        SeatRole::Suppleant => ("suppleant", None),
        SeatRole::Consultatif(k) => ("consultatif", Some(consultative_code(k))),
    }
}

/// French label of a seat role.
#[must_use]
pub fn role_label(r: SeatRole) -> String {
    match r {
        SeatRole::Titulaire => "titulaire".into(),
        SeatRole::Suppleant => "suppléant".into(),
        SeatRole::Consultatif(k) => format!("voix consultative ({})", k.label_fr()),
    }
}

/// A stored mandate as the rules see it; `None` when its stored role is unreadable.
#[must_use]
pub fn rules_assignment(a: &cao_seat_assignment::Model) -> Option<SeatAssignment> {
    let role = parse_role(&a.role, a.consultative_kind.as_deref()).ok()?;
    Some(SeatAssignment {
        member_key: a.member_id.map(member_key),
        person_key: person_key(a.id),
        person_name: a.person_name.clone(),
        role,
        designation: Designation {
            date: a.designation_date,
            body: a.designation_body.clone(),
            voting_member_of_own_cao: a.voting_member_of_own_cao,
        },
        valid_from: a.valid_from,
        valid_to: a.valid_to,
    })
}

/// The CAO as stored: the members (convention order) and the dated history of mandates.
#[derive(Clone, Debug, Default)]
pub struct StoredCao {
    pub members: Vec<Member>,
    pub assignments: Vec<cao_seat_assignment::Model>,
}

impl StoredCao {
    /// The history of mandates, in the rules' form.
    #[must_use]
    pub fn history(&self) -> Vec<SeatAssignment> {
        self.assignments
            .iter()
            .filter_map(rules_assignment)
            .collect()
    }

    /// Composition in force on `date` (convention art. 5.4, 15).
    ///
    /// # Errors
    /// The rules' [`CompositionError`] (French).
    pub fn composition_at(&self, date: NaiveDate) -> Result<Composition, CompositionError> {
        composition_at(&self.members, &self.history(), date)
    }

    /// The stored mandate of a person key.
    #[must_use]
    pub fn assignment(&self, person_key: &str) -> Option<&cao_seat_assignment::Model> {
        self.assignments
            .iter()
            .find(|a| self::person_key(a.id) == person_key)
    }

    /// The mandate of `user` in force on `date`, if any.
    #[must_use]
    pub fn own_assignment(
        &self,
        user_id: i32,
        date: NaiveDate,
    ) -> Option<&cao_seat_assignment::Model> {
        self.assignments.iter().find(|a| {
            a.user_id == Some(user_id) && rules_assignment(a).is_some_and(|r| r.is_valid_on(date))
        })
    }
}

/// Who convenes: every titulaire AND every suppléant of every active member, and the
/// consultative members in force (invited by the président, CGCT L1414-3 III), as (name, e-mail),
/// in the convention's order, without duplicates. Persons without an e-mail are left out (the
/// séance page lists them so that they are convened otherwise). Omitting a member of the
/// commission from the convocation is a substantial irregularity (DOMAIN Part B §3.2).
#[must_use]
pub fn convocation_recipients(cao: &StoredCao, date: NaiveDate) -> Vec<(String, String)> {
    let in_force: Vec<(SeatAssignment, &cao_seat_assignment::Model)> = cao
        .assignments
        .iter()
        .filter_map(|a| rules_assignment(a).map(|r| (r, a)))
        .filter(|(r, _)| r.is_valid_on(date))
        .collect();
    let mut out: Vec<(String, String)> = Vec::new();
    let mut push = |a: &cao_seat_assignment::Model| {
        if let Some(email) = a.person_email.as_deref().map(str::trim)
            && !email.is_empty()
            && !out.iter().any(|(_, e)| e.eq_ignore_ascii_case(email))
        {
            out.push((a.person_name.clone(), email.to_owned()));
        }
    };
    for m in cao.members.iter().filter(|m| m.is_active_on(date)) {
        for role in [SeatRole::Titulaire, SeatRole::Suppleant] {
            for (_, a) in in_force
                .iter()
                .filter(|(r, _)| r.role == role && r.member_key.as_ref() == Some(&m.key))
            {
                push(a);
            }
        }
    }
    for (_, a) in in_force
        .iter()
        .filter(|(r, _)| matches!(r.role, SeatRole::Consultatif(_)))
    {
        let member_active = a.member_id.is_none_or(|mid| {
            cao.members
                .iter()
                .any(|m| m.key == member_key(mid) && m.is_active_on(date))
        });
        if member_active {
            push(a);
        }
    }
    out
}

/// Who manages a séance (creates it, records the convocation, attendance, votes, observations,
/// carence, closes it): the coordonnateur's service marchés, and the président of the CAO — the
/// titulaire of the coordonnateur's seat in force on `date` (convention art. 5.4) — on their
/// own account.
#[must_use]
pub fn may_manage(user: &CurrentUser, cao: &StoredCao, date: NaiveDate) -> bool {
    match user.role {
        Role::Coordonnateur => true,
        Role::Cao => cao.composition_at(date).ok().is_some_and(|c| {
            c.president().is_some_and(|p| {
                cao.assignment(&p.person_key)
                    .is_some_and(|a| a.user_id == Some(user.id))
            })
        }),
        _ => false,
    }
}

/// Whether `user` may act for the seat of `person_key` (declare a conflict, sign the PV): a CAO
/// member only for their own mandate; the séance's managers record declarations for anyone.
#[must_use]
pub fn may_act_for(user: &CurrentUser, cao: &StoredCao, person_key: &str, manager: bool) -> bool {
    manager
        || cao
            .assignment(person_key)
            .is_some_and(|a| a.user_id == Some(user.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn member_row(id: i32, kind: &str, coord: bool) -> member::Model {
        member::Model {
            id,
            groupement_id: 1,
            name: format!("Membre {id}"),
            kind: kind.into(),
            finess_juridique: String::new(),
            address: String::new(),
            representative_name: String::new(),
            representative_title: String::new(),
            copil_member: None,
            has_own_cao: kind == "ccas",
            role: coord.then(|| "coordonnateur".to_owned()),
            withdrawn_on: None,
            position: id,
        }
    }

    fn mandate(
        id: i32,
        member: Option<i32>,
        role: &str,
        email: Option<&str>,
        user: Option<i32>,
    ) -> cao_seat_assignment::Model {
        cao_seat_assignment::Model {
            id,
            groupement_id: 1,
            member_id: member,
            person_name: format!("Personne {id}"),
            person_email: email.map(str::to_owned),
            user_id: user,
            role: role.into(),
            consultative_kind: (role == "consultatif").then(|| "amoa".to_owned()),
            designation_date: d(2024, 3, 21),
            designation_body: "CAO".into(),
            voting_member_of_own_cao: Some(true),
            valid_from: d(2024, 3, 21),
            valid_to: None,
            created_at: Utc
                .with_ymd_and_hms(2024, 3, 21, 0, 0, 0)
                .single()
                .expect("t"),
        }
    }

    /// Two members (1 = CCAS coordonnateur, 2 = association), their titulaire and suppléant,
    /// and an AMOA; user 10 is the titulaire of member 1, user 20 the titulaire of member 2.
    fn cao() -> StoredCao {
        StoredCao {
            members: vec![
                rules_member(&member_row(1, "ccas", true)),
                rules_member(&member_row(2, "association", false)),
            ],
            assignments: vec![
                mandate(101, Some(1), "titulaire", Some("t1@x.fr"), Some(10)),
                mandate(102, Some(1), "suppleant", Some("s1@x.fr"), Some(11)),
                mandate(201, Some(2), "titulaire", Some("t2@x.fr"), Some(20)),
                mandate(202, Some(2), "suppleant", None, None),
                mandate(301, None, "consultatif", Some("amoa@x.fr"), Some(30)),
            ],
        }
    }

    fn user(id: i32, role: Role) -> CurrentUser {
        CurrentUser {
            id,
            email: String::new(),
            display_name: String::new(),
            role,
            groupement_id: Some(1),
            member_id: None,
            cao_seat: None,
            via_token: false,
            must_change_password: false,
            totp_enabled: false,
        }
    }

    #[test]
    fn recipients_are_titulaires_suppleants_and_consultative_members() {
        let r = convocation_recipients(&cao(), d(2026, 12, 1));
        let emails: Vec<&str> = r.iter().map(|(_, e)| e.as_str()).collect();
        // 202 has no e-mail: left out; order = member order, titulaire then suppléant.
        assert_eq!(emails, ["t1@x.fr", "s1@x.fr", "t2@x.fr", "amoa@x.fr"]);
        assert_eq!(r[0].0, "Personne 101");
    }

    #[test]
    fn recipients_follow_the_dates_of_mandates_and_withdrawals() {
        let mut c = cao();
        c.assignments[2].valid_to = Some(d(2026, 6, 30));
        c.assignments
            .push(mandate(203, Some(2), "titulaire", Some("T2@x.fr"), None));
        c.assignments[5].valid_from = d(2026, 7, 1);
        let before = convocation_recipients(&c, d(2026, 6, 30));
        assert!(before.iter().any(|(_, e)| e == "t2@x.fr"));
        assert!(!before.iter().any(|(_, e)| e == "T2@x.fr"));
        let after = convocation_recipients(&c, d(2026, 7, 1));
        assert!(after.iter().any(|(_, e)| e == "T2@x.fr"));
        assert!(!after.iter().any(|(_, e)| e == "t2@x.fr"));
        // Before any designation nobody is convened; a withdrawn member is not convened.
        assert!(convocation_recipients(&c, d(2024, 3, 20)).is_empty());
        c.members[1].withdrawn_on = Some(d(2026, 9, 1));
        let r = convocation_recipients(&c, d(2026, 9, 1));
        assert_eq!(r.len(), 3);
        // The same address twice is convened once.
        c.assignments[1].person_email = Some("T1@X.FR".into());
        assert_eq!(convocation_recipients(&c, d(2026, 9, 1)).len(), 2);
    }

    #[test]
    fn the_president_and_the_coordonnateur_manage_others_do_not() {
        let c = cao();
        let day = d(2026, 12, 1);
        assert!(may_manage(&user(1, Role::Coordonnateur), &c, day));
        assert!(may_manage(&user(10, Role::Cao), &c, day));
        assert!(!may_manage(&user(20, Role::Cao), &c, day));
        assert!(!may_manage(&user(11, Role::Cao), &c, day));
        assert!(!may_manage(&user(30, Role::Amoa), &c, day));
        // Before the designation there is no président.
        assert!(!may_manage(&user(10, Role::Cao), &c, d(2024, 1, 1)));
    }

    #[test]
    fn a_member_acts_only_for_its_own_seat() {
        let c = cao();
        assert!(may_act_for(&user(20, Role::Cao), &c, "201", false));
        assert!(!may_act_for(&user(20, Role::Cao), &c, "101", false));
        assert!(!may_act_for(&user(20, Role::Cao), &c, "999", false));
        assert!(may_act_for(&user(1, Role::Coordonnateur), &c, "101", true));
        assert_eq!(c.own_assignment(20, d(2026, 1, 1)).map(|a| a.id), Some(201));
        assert!(c.own_assignment(20, d(2024, 1, 1)).is_none());
    }

    #[test]
    fn kinds_roles_and_statuses() {
        assert_eq!(legal_kind("ccas"), LegalKind::Ccas);
        assert_eq!(legal_kind("association"), LegalKind::Association);
        assert_eq!(legal_kind("etablissement_public"), LegalKind::EsmsPublic);
        assert_eq!(legal_kind("gip"), LegalKind::Other);
        assert_eq!(
            parse_role("consultatif", Some("dgccrf")),
            Ok(SeatRole::Consultatif(ConsultativeKind::Dgccrf))
        );
        assert!(
            parse_role("president", None)
                .unwrap_err()
                .contains("rôle « president » inconnu")
        );
        assert!(parse_role("consultatif", Some("x")).is_err());
        for r in [
            SeatRole::Titulaire,
            SeatRole::Suppleant,
            SeatRole::Consultatif(ConsultativeKind::Expert),
        ] {
            let (a, b) = role_codes(r);
            assert_eq!(parse_role(a, b), Ok(r));
        }
        for s in ["prevue", "convoquee", "tenue", "carence"] {
            assert_eq!(SeanceStatus::from_code(s).map(SeanceStatus::code), Ok(s));
        }
        assert!(SeanceStatus::from_code("close").is_err());
        let c = cao();
        let comp = c.composition_at(d(2026, 1, 1)).expect("composition");
        assert_eq!(comp.voting_seats, 2);
        assert_eq!(comp.president().map(|p| p.person_key.as_str()), Some("101"));
    }
}
