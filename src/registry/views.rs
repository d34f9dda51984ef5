//! View-models of the registry pages and API (one per page, no business rules).

use super::quality::{QualityReport, Severity};
use super::service::{MemberWithEstablishments, sirets};
use serde::Serialize;

/// An establishment as shown and returned by the API.
#[derive(Serialize)]
pub struct EstablishmentView {
    pub id: i32,
    pub name: String,
    pub kind: String,
    pub finess: String,
    pub capacity: Option<String>,
    pub siret: Vec<String>,
}

/// A member with its establishments.
#[derive(Serialize)]
pub struct MemberView {
    pub id: i32,
    pub name: String,
    pub kind: String,
    pub finess_juridique: String,
    pub address: String,
    pub representative_name: String,
    pub representative_title: String,
    pub has_own_cao: bool,
    pub role: Option<String>,
    pub role_label: &'static str,
    pub establishments: Vec<EstablishmentView>,
}

impl From<&MemberWithEstablishments> for MemberView {
    fn from(m: &MemberWithEstablishments) -> Self {
        Self {
            id: m.member.id,
            name: m.member.name.clone(),
            kind: m.member.kind.clone(),
            finess_juridique: m.member.finess_juridique.clone(),
            address: m.member.address.clone(),
            representative_name: m.member.representative_name.clone(),
            representative_title: m.member.representative_title.clone(),
            has_own_cao: m.member.has_own_cao,
            role: m.member.role.clone(),
            role_label: match m.member.role.as_deref() {
                Some("coordonnateur") => "coordonnateur marché",
                Some("porteur") => "porteur de projet",
                _ => "",
            },
            establishments: m
                .establishments
                .iter()
                .map(|e| EstablishmentView {
                    id: e.id,
                    name: e.name.clone(),
                    kind: e.kind.clone(),
                    finess: e.finess.clone(),
                    capacity: e.capacity.clone(),
                    siret: sirets(e),
                })
                .collect(),
        }
    }
}

/// One data-quality finding on a page.
#[derive(Serialize)]
pub struct FindingView {
    pub error: bool,
    pub field: String,
    pub message: String,
}

/// Findings for display.
#[must_use]
pub fn findings(report: &QualityReport) -> Vec<FindingView> {
    report
        .findings
        .iter()
        .map(|f| FindingView {
            error: f.severity == Severity::Erreur,
            field: f.field.clone(),
            message: f.message.clone(),
        })
        .collect()
}

/// The dashboard of a groupement.
#[derive(Serialize)]
pub struct DashboardView {
    pub name: String,
    pub legal_basis: String,
    pub convention_adopted_on: String,
    pub member_count: usize,
    pub establishment_count: usize,
    pub members: Vec<MemberView>,
    pub finding_count: usize,
    pub findings: Vec<FindingView>,
    pub consultations: Vec<crate::consultations::views::StateGroup>,
}

/// A member's page.
#[derive(Serialize)]
pub struct MemberPageView {
    pub member: MemberView,
    pub findings: Vec<FindingView>,
}

/// A line of the journal page.
#[derive(Serialize)]
pub struct JournalLine {
    pub id: i64,
    pub at: String,
    pub actor: String,
    /// French label of the action; `code` as stored.
    pub action: String,
    pub code: String,
    pub entity: String,
    pub summary: String,
}

/// The journal page.
#[derive(Serialize)]
pub struct JournalView {
    pub lines: Vec<JournalLine>,
    pub intact: bool,
    pub problem: String,
}

/// A groupement in the API.
#[derive(Serialize)]
pub struct GroupementApi {
    pub id: i32,
    pub name: String,
    pub legal_basis: String,
    pub convention_adopted_on: Option<String>,
}
