//! The demo accounts who act: the coordonnateur, each member's référent, the CAO's titulaires
//! (the coordonnateur's titulaire presides), as the pages would see them once logged in.

use crate::auth::{CurrentUser, Role};
use crate::error::AppError;
use crate::startup::DEMO_DOMAIN;
use crate::state::AppState;

/// One member of the groupement with its acting accounts.
#[derive(Clone, Debug)]
pub struct MemberPeople {
    pub member_id: i32,
    pub finess: String,
    pub name: String,
    pub referent: CurrentUser,
    /// The titulaire of its CAO seat and the person key of its mandate (séance forms).
    pub titulaire: CurrentUser,
    pub seat_key: String,
}

/// Everybody the demo needs.
#[derive(Clone, Debug)]
pub struct People {
    pub coordonnateur: CurrentUser,
    /// Members in the convention's order (active ones only).
    pub members: Vec<MemberPeople>,
    /// Index in `members` of the coordonnateur (its titulaire presides the CAO).
    pub president: usize,
}

impl People {
    /// Loads the demo accounts of groupement `gid`.
    ///
    /// # Errors
    /// `BadRequest` in French when the demo accounts are missing (a groupement imported by
    /// `coordo import` without them); database errors.
    pub async fn load(st: &AppState, gid: i32) -> Result<Self, AppError> {
        let users = crate::auth::users::list(&st.db, gid).await?;
        let find = |email: String| -> Result<CurrentUser, AppError> {
            users
                .iter()
                .find(|u| u.email == email && u.active)
                .and_then(|u| CurrentUser::from_row(u, false))
                .ok_or_else(|| {
                    AppError::BadRequest(format!(
                        "le compte de démonstration {email} est absent ou désactivé : la démo se construit sur le groupement de démonstration, créé au premier démarrage sur une base vide"
                    ))
                })
        };
        let coordonnateur = find(format!("coordonnateur@{DEMO_DOMAIN}"))?;
        let cao = crate::cao::store::stored_cao(&st.db, gid).await?;
        let mut members = Vec::new();
        let mut president = None;
        for m in crate::registry::service::members(&st.db, gid).await? {
            if m.member.withdrawn_on.is_some() {
                continue;
            }
            let f = m.member.finess_juridique.clone();
            let titulaire = find(format!("cao.titulaire.{f}@{DEMO_DOMAIN}"))?;
            let seat = cao
                .assignments
                .iter()
                .filter(|a| a.valid_to.is_none())
                .find(|a| a.user_id == Some(titulaire.id))
                .ok_or_else(|| {
                    AppError::BadRequest(format!(
                        "aucun mandat de la CAO n'est rattaché au compte {}",
                        titulaire.email
                    ))
                })?;
            if m.member.role.as_deref() == Some("coordonnateur") {
                president = Some(members.len());
            }
            members.push(MemberPeople {
                member_id: m.member.id,
                finess: f.clone(),
                name: m.member.name.clone(),
                referent: find(format!("referent.{f}@{DEMO_DOMAIN}"))?,
                titulaire,
                seat_key: crate::cao::model::person_key(seat.id),
            });
        }
        let president = president.ok_or_else(|| {
            AppError::BadRequest("le groupement n'a pas de membre coordonnateur".into())
        })?;
        if coordonnateur.role != Role::Coordonnateur {
            return Err(AppError::BadRequest(
                "le compte du coordonnateur de démonstration n'a plus ce rôle".into(),
            ));
        }
        Ok(Self {
            coordonnateur,
            members,
            president,
        })
    }

    /// The président of the CAO (the coordonnateur's titulaire).
    #[must_use]
    pub fn president(&self) -> &MemberPeople {
        &self.members[self.president]
    }

    /// The titulaires who score the offers: the président and the next two members.
    #[must_use]
    pub fn scorers(&self) -> Vec<&MemberPeople> {
        let mut v = vec![self.president()];
        v.extend(
            self.members
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != self.president)
                .map(|(_, m)| m)
                .take(2),
        );
        v
    }

    /// The titulaires present at the séance: the président and the first six others (seven
    /// of ten voting members).
    #[must_use]
    pub fn present(&self) -> Vec<&MemberPeople> {
        let mut v = vec![self.president()];
        v.extend(
            self.members
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != self.president)
                .map(|(_, m)| m)
                .take(6),
        );
        v
    }
}
