//! One event in: numbered in its contact's sequence, kept with the exact body every attempt
//! will sign, one pending delivery per endpoint that wants it, and a job for each lane.
//! Every step is safe to repeat: a redelivered event keeps its number and its deliveries.

use chrono::{DateTime, Utc};
use shared::contracts::deliveries::endpoints::Endpoint;
use shared::contracts::deliveries::store::Recorded;
use shared::contracts::deliveries::{Event, EventType};
use shared::kit::batch::RecordError;

use crate::Deps;

/// Fans `event` out. `endpoints` is read once per batch, the first time one is needed.
pub async fn one(
    deps: &Deps,
    event: &Event,
    endpoints: &mut Option<Vec<Endpoint>>,
) -> Result<(), RecordError> {
    let now = deps.clock.now();
    if endpoints.is_none() {
        *endpoints = Some(deps.endpoints.list().await?);
    }
    if let (EventType::ContactErased, Some(contact)) = (event.kind, &event.contact_id) {
        forget(
            deps,
            &event.id,
            contact,
            endpoints.as_deref().unwrap_or_default(),
        )
        .await?;
    }
    let recorded = deps.store.record(event, now).await?;
    let targets = targets(endpoints.as_deref().unwrap_or_default(), &recorded);
    let lanes = add_all(deps, &targets, &recorded, now).await?;
    // Jobs for every lane, even one added by an earlier attempt: that attempt may have
    // stopped before sending its job, and a job too many only finds its lane busy or empty.
    deps.lanes.start(&lanes).await?;
    tracing::info!(event_id = %event.id, r#type = event.kind.as_str(), endpoints = lanes.len(), "event fanned out");
    Ok(())
}

/// Before a contact's erasure goes out, everything kept about the contact's earlier events
/// goes: they were all fanned out before it (one message group per contact), and those
/// still pending are not sent. Once: a retry after the erasure was recorded leaves it be.
async fn forget(
    deps: &Deps,
    event_id: &str,
    contact: &str,
    endpoints: &[Endpoint],
) -> Result<(), RecordError> {
    if deps.store.recorded(event_id).await?.is_some() {
        return Ok(());
    }
    let ids: Vec<String> = endpoints.iter().map(|e| e.id.clone()).collect();
    let deleted = deps.store.purge_contact(contact, &ids).await?;
    tracing::info!(event_id, deleted, "a contact's delivery data erased");
    Ok(())
}

/// The endpoints that get `event`: its one endpoint for a test, else the subscribers,
/// enabled or not (a disabled endpoint's deliveries wait for it to be enabled again).
fn targets<'a>(endpoints: &'a [Endpoint], event: &Recorded) -> Vec<&'a Endpoint> {
    endpoints
        .iter()
        .filter(|e| match &event.endpoint_id {
            Some(only) => e.id == *only,
            None => e.wants(event.kind),
        })
        .collect()
}

/// Adds a delivery to each of `targets`: their lanes.
async fn add_all(
    deps: &Deps,
    targets: &[&Endpoint],
    event: &Recorded,
    now: DateTime<Utc>,
) -> Result<Vec<String>, RecordError> {
    let added = futures_util::future::join_all(
        targets
            .iter()
            .map(|endpoint| deps.store.add(&endpoint.id, event, now)),
    )
    .await;
    for result in added {
        result?;
    }
    Ok(targets.iter().map(|e| event.lane(&e.id)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(id: &str, types: &[EventType], enabled: bool) -> Endpoint {
        let at = "2026-12-07T10:00:00Z".parse().unwrap();
        Endpoint {
            id: id.into(),
            kind: Default::default(),
            account: None,
            token: None,
            currency: None,
            url: "https://example.com/hook".into(),
            description: String::new(),
            types: types.to_vec(),
            enabled,
            disabled_reason: None,
            disabled_at: None,
            secrets: vec![],
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }

    fn recorded(kind: EventType, endpoint_id: Option<&str>) -> Recorded {
        Recorded {
            id: "evt_1".into(),
            kind,
            occurred_at: "2026-12-07T10:00:00Z".parse().unwrap(),
            contact_id: Some("ct_1".into()),
            endpoint_id: endpoint_id.map(str::to_string),
            sequence: Some(1),
            payload: "{}".into(),
        }
    }

    #[test]
    fn an_event_should_go_to_its_subscribers_enabled_or_not() {
        let all = [
            endpoint("ep_a", &[EventType::CaseOpened], true),
            endpoint("ep_b", &[EventType::CaseClosed], true),
            endpoint(
                "ep_c",
                &[EventType::CaseOpened, EventType::CaseClosed],
                false,
            ),
        ];
        let ids: Vec<&str> = targets(&all, &recorded(EventType::CaseOpened, None))
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(ids, ["ep_a", "ep_c"]);
    }

    #[test]
    fn a_test_should_go_to_its_one_endpoint_whatever_it_subscribes_to() {
        let all = [
            endpoint("ep_a", &[EventType::CaseOpened], true),
            endpoint("ep_b", &[EventType::CaseClosed], true),
        ];
        let ids: Vec<&str> = targets(&all, &recorded(EventType::WebhookTest, Some("ep_b")))
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(ids, ["ep_b"]);
        assert_eq!(
            recorded(EventType::CaseOpened, None).lane("ep_a"),
            "ep_a#ct_1"
        );
    }
}
