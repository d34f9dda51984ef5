//! Roles of Coordo's users (DEVELOPERS brief: coordonnateur, référent, CAO, AMOA, lecteur).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a user is in the groupement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The service marchés of the coordonnateur (convention art. 5.4): runs every procedure.
    Coordonnateur,
    /// A member's référent: gives or refuses the visa on every piece (art. 5.4, 6.2).
    Referent,
    /// A member of the CAO (titulaire, suppléant or président).
    Cao,
    /// The AMOA: prepares the analysis, consultative voice only.
    Amoa,
    /// Read-only access to the groupement.
    Lecteur,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Self; 5] = [
        Self::Coordonnateur,
        Self::Referent,
        Self::Cao,
        Self::Amoa,
        Self::Lecteur,
    ];

    /// Whether this role sees the offers once opened: those who analyse or choose them — the
    /// coordonnateur (convention art. 5.4), the AMOA and the members of the CAO (CGCT
    /// L1414-2); a member's référent or a lecteur never does while the choice is being made.
    #[must_use]
    pub fn sees_offers(self) -> bool {
        matches!(self, Self::Coordonnateur | Self::Amoa | Self::Cao)
    }

    /// The stored and CLI form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Coordonnateur => "coordonnateur",
            Self::Referent => "referent",
            Self::Cao => "cao",
            Self::Amoa => "amoa",
            Self::Lecteur => "lecteur",
        }
    }

    /// French label.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Coordonnateur => "Coordonnateur (service marchés)",
            Self::Referent => "Référent d'un membre",
            Self::Cao => "Membre de la CAO",
            Self::Amoa => "AMOA (voix consultative)",
            Self::Lecteur => "Lecteur",
        }
    }

    /// Whether an account of this role must be attached to one member.
    #[must_use]
    pub fn needs_member(self) -> bool {
        matches!(self, Self::Referent | Self::Cao)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim()).ok_or_else(|| {
            format!(
                "rôle « {s} » inconnu : choisir parmi coordonnateur, referent, cao, amoa, lecteur"
            )
        })
    }
}

/// The seat of a CAO member (convention art. 5.4: one titulaire and one suppléant per member,
/// presided by the coordonnateur's representative).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaoSeat {
    President,
    Titulaire,
    Suppleant,
}

impl CaoSeat {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::President => "president",
            Self::Titulaire => "titulaire",
            Self::Suppleant => "suppleant",
        }
    }
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::President => "Président",
            Self::Titulaire => "Titulaire",
            Self::Suppleant => "Suppléant",
        }
    }
}

impl FromStr for CaoSeat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "president" => Ok(Self::President),
            "titulaire" => Ok(Self::Titulaire),
            "suppleant" => Ok(Self::Suppleant),
            other => Err(format!(
                "siège CAO « {other} » inconnu : choisir parmi president, titulaire, suppleant"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_unknown_is_french() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!(
            "admin"
                .parse::<Role>()
                .unwrap_err()
                .contains("rôle « admin » inconnu")
        );
    }
}
