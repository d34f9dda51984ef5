//! The notified marché as an Open Contracting Data Standard 1.1 release (tags `award` and
//! `contract`), for portals that consume OCDS rather than DECP. Same facts, same checks as
//! [`super::decp::record`].
//!
//! Groupement de commandes: OCDS 1.1 defines the buyer as « an entity whose budget will be used
//! to pay for goods, works or services related to a contract. This may be different from the
//! procuring entity » (release-schema.json, `buyer`). Every member pays its own orders (CCP
//! L2113-7), so every member is a party with role `buyer`; the coordonnateur, who runs the
//! procedure, also has `procuringEntity` and is the release's single `buyer` reference.

use std::collections::HashSet;

use chrono::{DateTime, Months, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use serde_json::{Value, json};

use super::{BuyerParty, ContractFacts, Nature, OpenDataError, Procedure, TypeIdentifiant};
use crate::identifiers::{Finess, Siret};

/// Organization identifier scheme of SIREN/SIRET numbers. org-id.guide (mirrored by the IATI
/// `OrganisationRegistrationAgency` codelist) has two French lists: `FR-INSEE` (SIRENE),
/// deprecated « in favour of FR-RCS », and `FR-RCS`, whose description says registered bodies
/// « receive a SIREN or SIRET number ». No `FR-SIRENE` list exists there. CCAS and
/// associations are not in the RCS, but their SIRET is the same SIRENE number, so the
/// maintained list is used, with the 14-digit SIRET as `identifier.id`.
pub const SIRET_SCHEME: &str = "FR-RCS";
/// FINESS is not an org-id.guide list: it only appears in `additionalIdentifiers`.
pub const FINESS_SCHEME: &str = "FR-FINESS";
/// DECP amounts are in euros.
pub const CURRENCY: &str = "EUR";

/// OCDS `procurementMethod` (method codelist: open, selective, limited, direct).
/// MAPA is taken as open (publicity and free competition, R2123-1 and R2131-12); negotiated
/// procedures and dialogue after a call for candidatures are selective; R2122-8 is limited.
fn procurement_method(procedure: Procedure) -> &'static str {
    match procedure {
        Procedure::Aoo | Procedure::Mapa => "open",
        Procedure::Aor | Procedure::Negociee | Procedure::Dialogue => "selective",
        Procedure::SansPublicite => "limited",
    }
}

/// OCDS `mainProcurementCategory` (CCP L1111-2 to L1111-4 natures).
fn category(nature: Nature) -> &'static str {
    match nature {
        Nature::Fournitures => "goods",
        Nature::Services => "services",
        Nature::Travaux => "works",
    }
}

/// A date at `time`, Europe/Paris, as the RFC 3339 date-time OCDS wants.
fn paris(date: NaiveDate, time: NaiveTime) -> Option<String> {
    let local = Paris.from_local_datetime(&date.and_time(time)).earliest()?;
    Some(local.to_rfc3339_opts(SecondsFormat::Secs, false))
}

/// A party of the release, with its `id` (scheme + identifier, unique in the release).
fn party(id: String, name: &str, identifier: Value, extra: Option<Value>, roles: &[&str]) -> Value {
    let mut party = json!({"id": id, "name": name, "identifier": identifier, "roles": roles});
    if let Some(extra) = extra {
        party["additionalIdentifiers"] = extra;
    }
    party
}

fn member_party(m: &BuyerParty, roles: &[&str]) -> Result<Value, OpenDataError> {
    let finess_id = Finess::parse(&m.finess)?.to_string();
    let finess = Some(json!([{"scheme": FINESS_SCHEME, "id": finess_id}]));
    Ok(match &m.siret {
        Some(s) => {
            let siret = Siret::parse(s)?.to_string();
            let identifier = json!({"scheme": SIRET_SCHEME, "id": siret, "legalName": m.name});
            party(
                format!("{SIRET_SCHEME}-{siret}"),
                &m.name,
                identifier,
                finess,
                roles,
            )
        }
        None => {
            let identifier = json!({"scheme": FINESS_SCHEME, "id": finess_id, "legalName": m.name});
            party(
                format!("{FINESS_SCHEME}-{finess_id}"),
                &m.name,
                identifier,
                None,
                roles,
            )
        }
    })
}

/// `ocid` prefix: `ocds-` and the 6 characters assigned by the Open Contracting Partnership.
fn check_prefix(prefix: &str) -> Result<(), OpenDataError> {
    let code = prefix.strip_prefix("ocds-").unwrap_or_default();
    let ok = code.len() == 6
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(OpenDataError::OcidPrefixInvalide {
            prefix: prefix.to_owned(),
        })
    }
}

/// One OCDS 1.1 release for the notified marché, dated `release_date` (the publication time).
///
/// `ocid` = prefix + `-` + DECP id; release `id` = DECP id + release time, unique per ocid.
/// The contract period starts on notification and lasts `duree_mois` (the DECP duration,
/// reconductions included), ending the day before the same date N months later.
pub fn release(facts: &ContractFacts, release_date: DateTime<Utc>) -> Result<Value, OpenDataError> {
    let c = facts.check()?;
    check_prefix(&facts.ocid_prefix)?;
    let ocid = format!("{}-{}", facts.ocid_prefix, c.id);
    let mut parties = Vec::new();
    for m in &facts.members {
        let roles: &[&str] = if m.lead {
            &["buyer", "procuringEntity"]
        } else {
            &["buyer"]
        };
        parties.push(member_party(m, roles)?);
    }
    let lead_party = member_party(c.lead, &[])?;
    let lead_ref = json!({"id": lead_party["id"], "name": c.lead.name});
    let mut suppliers = Vec::new();
    for (t, id) in facts.titulaires.iter().zip(&c.titulaire_ids) {
        let (party_id, identifier) = match t.type_identifiant {
            TypeIdentifiant::Siret => (
                format!("{SIRET_SCHEME}-{id}"),
                json!({"scheme": SIRET_SCHEME, "id": id, "legalName": t.name}),
            ),
            // No org-id.guide list is assumed for the other DECP identifier types.
            other => (
                format!("{}-{id}", other.label()),
                json!({"id": id, "legalName": t.name}),
            ),
        };
        parties.push(party(
            party_id.clone(),
            &t.name,
            identifier,
            None,
            &["supplier"],
        ));
        suppliers.push(json!({"id": party_id, "name": t.name}));
    }
    let mut seen = HashSet::new();
    if let Some(dup) = parties
        .iter()
        .map(|p| p["id"].to_string())
        .find(|id| !seen.insert(id.clone()))
    {
        return Err(OpenDataError::PartieEnDouble {
            id: dup.trim_matches('"').to_owned(),
        });
    }
    let value = json!({"amount": c.montant, "currency": CURRENCY});
    let midnight = NaiveTime::MIN;
    let last_day = facts
        .date_notification
        .checked_add_months(Months::new(facts.duree_mois))
        .and_then(|d| d.pred_opt());
    let end_of_day = NaiveTime::from_hms_opt(23, 59, 59);
    let period = json!({
        "startDate": paris(facts.date_notification, midnight),
        "endDate": last_day.zip(end_of_day).and_then(|(d, t)| paris(d, t)),
    });
    let mut details = vec![facts.procedure.label()];
    details.extend(facts.techniques.iter().map(|t| t.label()));
    details.extend(facts.modalites_execution.iter().map(|m| m.label()));
    let award_id = format!("{}-attribution", c.id);
    let mut award = json!({
        "id": award_id, "title": c.objet, "status": "active", "value": value,
        "suppliers": suppliers,
    });
    if let Some(date) = facts.date_attribution.and_then(|d| paris(d, midnight)) {
        award["date"] = json!(date);
    }
    let mut contract = json!({
        "id": c.id, "awardID": award_id, "title": c.objet, "status": "active",
        "value": value, "period": period,
    });
    if let Some(date) = facts.date_signature.and_then(|d| paris(d, midnight)) {
        contract["dateSigned"] = json!(date);
    }
    Ok(json!({
        "ocid": ocid,
        "id": format!("{}-{}", c.id, release_date.format("%Y%m%dT%H%M%SZ")),
        "date": release_date.to_rfc3339_opts(SecondsFormat::Secs, true),
        "tag": ["award", "contract"],
        "initiationType": "tender",
        "language": "fr",
        "parties": parties,
        "buyer": lead_ref,
        "tender": {
            "id": facts.consultation_reference.trim(),
            "title": c.objet,
            "status": "complete",
            "procuringEntity": lead_ref,
            "procurementMethod": procurement_method(facts.procedure),
            "procurementMethodDetails": details.join(" ; "),
            "mainProcurementCategory": category(facts.nature),
            "numberOfTenderers": facts.offres_recues,
            "items": [{"id": "1", "description": c.objet,
                       "classification": {"scheme": "CPV", "id": c.cpv}}],
        },
        "awards": [award],
        "contracts": [contract],
    }))
}

#[cfg(test)]
mod tests {
    use super::super::decp::tests::{sample_facts, with};
    use super::*;

    fn sample_release() -> Value {
        let at = Utc.with_ymd_and_hms(2024, 10, 21, 8, 30, 0).unwrap();
        release(&sample_facts(), at).unwrap()
    }

    #[test]
    fn every_member_is_a_buyer_and_the_coordonnateur_procures() {
        let r = sample_release();
        let parties = r["parties"].as_array().unwrap();
        let buyers: Vec<&Value> = parties
            .iter()
            .filter(|p| p["roles"].as_array().unwrap().contains(&json!("buyer")))
            .collect();
        assert_eq!(buyers.len(), 10);
        for m in &sample_facts().members {
            assert!(
                buyers.iter().any(|p| p["name"] == m.name.as_str()),
                "{} absent",
                m.name
            );
        }
        let lead = json!({"id": "FR-RCS-26590650300031", "name": "CCAS DE WATTRELOS"});
        assert_eq!(
            (&r["buyer"], &r["tender"]["procuringEntity"]),
            (&lead, &lead)
        );
        let procuring: Vec<&Value> = parties
            .iter()
            .filter(|p| {
                p["roles"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("procuringEntity"))
            })
            .map(|p| &p["id"])
            .collect();
        assert_eq!(procuring, [&lead["id"]]);
        let wattrelos = parties.iter().find(|p| p["id"] == lead["id"]).unwrap();
        assert_eq!(
            wattrelos["identifier"],
            json!({"scheme": "FR-RCS", "id": "26590650300031", "legalName": "CCAS DE WATTRELOS"})
        );
        assert_eq!(
            wattrelos["additionalIdentifiers"],
            json!([{"scheme": "FR-FINESS", "id": "590059945"}])
        );
        let santelys = json!({"id": "FR-FINESS-590036745", "name": "SANTELYS", "roles": ["buyer"],
            "identifier": {"scheme": "FR-FINESS", "id": "590036745", "legalName": "SANTELYS"}});
        assert_eq!(parties[0], santelys);
    }

    #[test]
    fn release_carries_the_award_and_the_contract() {
        let r = sample_release();
        let supplier = json!({"id": "FR-RCS-83245170200019", "name": "ÉDITEUR DUI EXEMPLE SAS"});
        assert_eq!(r["parties"][10]["roles"], json!(["supplier"]));
        assert_eq!(r["parties"][10]["id"], supplier["id"]);
        let value = json!({"amount": 268420, "currency": "EUR"});
        let expected = json!({
            "ocid": "ocds-coordo-2024ESMS-DUI00", "id": "2024ESMS-DUI00-20241021T083000Z",
            "date": "2024-10-21T08:30:00Z", "tag": ["award", "contract"],
            "initiationType": "tender", "language": "fr",
            "tender": {
                "id": "ESMS-DUI",
                "title": "Logiciel de dossier usager informatisé (DUI) des services à domicile",
                "status": "complete",
                "procuringEntity": {"id": "FR-RCS-26590650300031", "name": "CCAS DE WATTRELOS"},
                "procurementMethod": "open",
                "procurementMethodDetails": "Appel d'offres ouvert ; Accord-cadre ; Bons de commande",
                "mainProcurementCategory": "services", "numberOfTenderers": 4,
                "items": [{"id": "1", "classification": {"scheme": "CPV", "id": "48000000"},
                    "description": "Logiciel de dossier usager informatisé (DUI) des services à domicile"}]
            },
            "awards": [{"id": "2024ESMS-DUI00-attribution", "status": "active", "value": value,
                "title": "Logiciel de dossier usager informatisé (DUI) des services à domicile",
                "date": "2024-09-12T00:00:00+02:00", "suppliers": [supplier]}],
            "contracts": [{"id": "2024ESMS-DUI00", "awardID": "2024ESMS-DUI00-attribution",
                "title": "Logiciel de dossier usager informatisé (DUI) des services à domicile",
                "status": "active", "value": value, "dateSigned": "2024-10-04T00:00:00+02:00",
                "period": {"startDate": "2024-10-07T00:00:00+02:00", "endDate": "2028-10-06T23:59:59+02:00"}}]
        });
        for (key, value) in expected.as_object().unwrap() {
            assert_eq!(&r[key], value, "{key}");
        }
        assert!(
            serde_json::to_string(&r)
                .unwrap()
                .contains(r#""amount":268420,"#)
        );
    }

    #[test]
    fn release_refuses_bad_prefixes_duplicates_and_invalid_facts() {
        let at = Utc.with_ymd_and_hms(2024, 10, 21, 8, 30, 0).unwrap();
        let prefix = with(json!({"ocid_prefix": "ocds-COORDO"}));
        let message = "préfixe OCID « ocds-COORDO » invalide : « ocds- » suivi de 6 lettres minuscules ou chiffres";
        assert_eq!(release(&prefix, at).unwrap_err().to_string(), message);
        let mut twice = sample_facts();
        twice.members[1].siret = Some("26590650300031".into());
        let dup = OpenDataError::PartieEnDouble {
            id: "FR-RCS-26590650300031".into(),
        };
        assert_eq!(release(&twice, at), Err(dup));
        let zero = with(json!({"duree_mois": 0}));
        assert_eq!(release(&zero, at), Err(OpenDataError::DureeNulle));
        let mapa = with(
            json!({"procedure": "sans_publicite", "nature": "fournitures", "date_signature": null}),
        );
        let r = release(&mapa, at).unwrap();
        assert_eq!(
            (
                &r["tender"]["procurementMethod"],
                &r["tender"]["mainProcurementCategory"]
            ),
            (&json!("limited"), &json!("goods"))
        );
        assert!(r["contracts"][0].get("dateSigned").is_none());
    }
}
