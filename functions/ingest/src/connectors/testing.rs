//! Test helpers for the connectors: a source, a request as a platform sends it, fixtures,
//! and the platforms' signing schemes written independently of `crate::signature`.

use std::collections::{BTreeMap, HashMap};

use aws_lambda_events::http::{HeaderMap, HeaderName, HeaderValue};
use aws_lambda_events::query_map::QueryMap;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use shared::contracts::events::{CommerceEvent, Contribution, Event};
use shared::contracts::sources::{Credentials, Platform, SigningSecret, Source, KIND};

use super::for_platform;
use crate::request::{HookRequest, Parsed};

pub fn source(platform: Platform, secret: &str) -> Source {
    Source {
        id: "src_test".into(),
        platform,
        name: "test".into(),
        created_at: Utc::now(),
        secrets: vec![SigningSecret {
            value: secret.into(),
            created_at: Utc::now(),
            expires_at: None,
        }],
        settings: BTreeMap::new(),
        credentials: Credentials::default(),
        version: 0,
        kind: KIND.into(),
        websub_requested_at: None,
    }
}

pub fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/events/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

pub fn hmac256(secret: &str, data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub struct Req {
    pub method: &'static str,
    pub headers: HeaderMap,
    pub query: QueryMap,
    pub body: Vec<u8>,
    pub now: DateTime<Utc>,
}

impl Req {
    pub fn new(method: &'static str, body: Vec<u8>) -> Self {
        Req {
            method,
            headers: HeaderMap::new(),
            query: QueryMap::default(),
            body,
            now: Utc::now(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
        self
    }

    pub fn query(mut self, pairs: &[(&str, &str)]) -> Self {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.query = QueryMap::from(map);
        self
    }

    pub fn hook(&self) -> HookRequest<'_> {
        HookRequest {
            url: "https://liaison.example/hooks/src_test",
            method: self.method,
            headers: &self.headers,
            query: &self.query,
            body: &self.body,
            now: self.now,
        }
    }

    /// Verifies, then parses, as the pipeline does.
    pub fn run(&self, source: &Source) -> Result<Parsed, shared::Error> {
        let connector = for_platform(source.platform);
        connector.verify(&self.hook(), source)?;
        connector.parse(&self.hook(), source)
    }
}

pub fn contributions(parsed: &Parsed) -> Vec<&Contribution> {
    parsed
        .events
        .iter()
        .filter_map(|n| match &n.event {
            Event::Contribution(c) => Some(c),
            _ => None,
        })
        .collect()
}

pub fn commerce(parsed: &Parsed) -> Vec<&CommerceEvent> {
    parsed
        .events
        .iter()
        .filter_map(|n| match &n.event {
            Event::Commerce(c) => Some(c),
            _ => None,
        })
        .collect()
}

pub fn keys(parsed: &Parsed) -> Vec<&str> {
    parsed
        .events
        .iter()
        .map(|n| n.dedupe_key.as_str())
        .collect()
}
