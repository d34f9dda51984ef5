//! View-models of the registry pages and API (one per page, no business rules).

use super::edit_rules::establishment_input;
use super::quality::{Finding, QualityReport, Severity};
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
    /// French label of `kind` (« CCAS », « établissement public »).
    pub kind_label: String,
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
            kind_label: super::quality_words::member_kind_label(&m.member.kind),
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

/// One data-quality finding on a page: the place (a link to where it can be corrected) and
/// what is wrong, in people's words; the machine path only for the curious.
#[derive(Serialize)]
pub struct FindingView {
    pub error: bool,
    pub place: String,
    pub detail: String,
    /// The member page, at the input to correct; empty for the groupement's own fields.
    pub href: String,
    pub field: String,
}

/// The ids of the stored members, in file order, each with its establishments' ids: what
/// turns a finding's ranks into links.
pub type RegistryIds = Vec<(i32, Vec<i32>)>;

/// The ids of `members`, see [`RegistryIds`].
#[must_use]
pub fn registry_ids(members: &[MemberWithEstablishments]) -> RegistryIds {
    members
        .iter()
        .map(|m| (m.member.id, m.establishments.iter().map(|e| e.id).collect()))
        .collect()
}

/// Where a finding can be corrected: the member page, at its input (`#m-finess_juridique`,
/// `#e12_capacity`) or at the establishment (`#etablissement-12`).
#[must_use]
pub fn finding_href(gid: i32, f: &Finding, ids: &RegistryIds) -> String {
    let Some((mid, eids)) = f.member.and_then(|i| ids.get(i)) else {
        return String::new();
    };
    let eid = f.establishment.and_then(|j| eids.get(j));
    let anchor = match (eid, f.input.as_deref()) {
        (Some(eid), Some(input)) => format!("#{}", establishment_input(*eid, input)),
        (Some(eid), None) => format!("#etablissement-{eid}"),
        (None, Some(input)) => format!("#m-{input}"),
        (None, None) => "#modifier".to_owned(),
    };
    format!("/g/{gid}/members/{mid}{anchor}")
}

/// Findings for display.
#[must_use]
pub fn findings(gid: i32, report: &QualityReport, ids: &RegistryIds) -> Vec<FindingView> {
    report
        .findings
        .iter()
        .map(|f| FindingView {
            error: f.severity == Severity::Erreur,
            place: f.place.clone(),
            detail: f.detail.clone(),
            href: finding_href(gid, f, ids),
            field: f.field.clone(),
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
