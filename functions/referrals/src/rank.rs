//! Whom a customer could invite: the pure ranking of referral suggestions (no I/O).
//!
//! The handler loads a customer's connections with what the brand knows of each, then calls
//! [`rank`]. The rules, the formula and the weights are written in `docs/referrals.md`
//! ("Ranking"); in short:
//!
//! - **Exclusions** ([`exclusion`]): the customer themself, customers, suppressed or
//!   opted-out contacts, anyone suggested (by any referrer) within the cooldown, anyone already
//!   suggested by `fatigue_cap` referrers in the fatigue window. Copies of one person (the same
//!   key, or the same contact under two platforms) are one candidate: if any copy is excluded,
//!   all are.
//! - **Score** = affinity × (1 + propensity), finite and ≥ 0 for any input:
//!   - affinity = relation × (1 + strength·s) + mutual·AA + interactions·ln(1 + n), with
//!     AA = Σ 1 / ln(max(degree, 2)) over the mutual connections (Adamic–Adar);
//!   - propensity = contributions·ln(1 + c) + purchase_intents·ln(1 + p)
//!     + open_cart·[cart active in the last 14 days] + influence·(influence / 100).
//! - **Order**: score descending, then key; at most `per_week - suggested_this_week`.
//! - **Reasons**: up to 3, the terms that weigh most in the score first; never the cart (see
//!   the doc), never an amount or an address.

use std::cmp::Ordering;
use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use shared::contracts::contacts::standing::ContactType;
use shared::contracts::events::Relation;

/// An open cart counts in the propensity when its last activity is this recent.
pub const OPEN_CART_WINDOW_DAYS: i64 = 14;

/// A cart's activity this far in the future (the shop's clock) still counts as recent.
const CLOCK_SKEW: TimeDelta = TimeDelta::hours(24);

/// `strength` at or above this gives the reason "a close friend" ("close to you").
const CLOSE_STRENGTH: f64 = 0.7;

/// `influence` at or above this gives the reason "has a wide audience" (the P1 threshold of
/// cases, `docs/data-model.md`).
const WIDE_AUDIENCE_INFLUENCE: f64 = 60.0;

/// A weight above this is taken as this: scores stay finite whatever a policy says.
const MAX_WEIGHT: f64 = 1e6;

/// At most this many reasons per suggestion.
pub const MAX_REASONS: usize = 3;

/// One of the customer's connections, with what the brand knows of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// `{platform}#{hashed platform id}`.
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub relation: Relation,
    /// How much the two interact, 0 to 1, when the platform says. Out of range is clamped,
    /// NaN ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength: Option<f64>,
    /// The contact behind the connection, when the brand knows them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Known>,
    /// For each mutual connection known in the brand's graph, that connection's number of
    /// connections (its degree).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mutual_degrees: Vec<u32>,
    /// Interactions between the customer and the candidate that we saw.
    #[serde(default)]
    pub interactions: u32,
    /// When the candidate was last suggested, by any referrer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_suggested_at: Option<DateTime<Utc>>,
    /// Distinct referrers who invited the candidate (shared their link, or it was clicked)
    /// within the fatigue window.
    #[serde(default)]
    pub recent_referrers: u32,
}

/// What the brand knows of a candidate who is a contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Known {
    pub contact_id: String,
    pub contact_type: ContactType,
    #[serde(default)]
    pub suppressed: bool,
    #[serde(default)]
    pub opted_out: bool,
    /// Public contributions about the brand: published comments, replies, posts, reviews and
    /// mentions. Never direct messages, nor held or spam ones: reasons quote this number.
    #[serde(default)]
    pub contributions: u32,
    /// Purchase intents among those public contributions (reasons quote this number too).
    #[serde(default)]
    pub purchase_intents: u32,
    /// Last activity of an open abandoned cart. Counts in the score, never shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_cart_at: Option<DateTime<Utc>>,
    /// 0 to 100 (`docs/data-model.md`, profile). Out of range is clamped, NaN ignored.
    #[serde(default)]
    pub influence: f64,
    /// Public praise of the brand (an advocate: the profile's `praises`).
    #[serde(default)]
    pub praises: u32,
}

/// The rules of suggestions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    /// K: at most this many suggestions per customer per week.
    pub per_week: usize,
    /// Nobody is suggested again (by anyone) within this many days.
    pub cooldown_days: i64,
    /// Nobody is suggested once this many distinct referrers invited them in the fatigue
    /// window.
    pub fatigue_cap: u32,
    /// The fatigue window, in days (longer than the cooldown: invitations are heavier than
    /// suggestions).
    pub fatigue_days: i64,
    pub weights: Weights,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            per_week: 5,
            cooldown_days: 30,
            fatigue_cap: 3,
            fatigue_days: 90,
            weights: Weights::default(),
        }
    }
}

/// The weights of the score (`docs/referrals.md`, "Ranking", says why these numbers). A
/// negative or non-finite weight counts as 0, one above 10⁶ as 10⁶.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Weights {
    /// Affinity of a mutual relation (a Facebook friend, a mutual follow).
    pub friend: f64,
    /// The customer follows them: the customer chose them.
    pub followed: f64,
    /// They follow the customer.
    pub follower: f64,
    /// They like the customer's page: the weakest tie.
    pub fan: f64,
    /// The relation's weight is multiplied by (1 + strength × platform strength 0..1).
    pub strength: f64,
    /// Per unit of Adamic–Adar (a mutual connection with 2 connections is 1.44 units, one with
    /// 150 is 0.2).
    pub mutual: f64,
    /// Per unit of ln(1 + interactions between the two).
    pub interactions: f64,
    /// Per unit of ln(1 + public contributions about the brand).
    pub contributions: f64,
    /// Per unit of ln(1 + purchase intents).
    pub purchase_intents: f64,
    /// An open cart active in the last [`OPEN_CART_WINDOW_DAYS`] days.
    pub open_cart: f64,
    /// Times influence / 100.
    pub influence: f64,
    /// Per unit of ln(1 + praises of the brand).
    pub praises: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            friend: 1.0,
            followed: 0.6,
            follower: 0.5,
            fan: 0.3,
            strength: 1.0,
            mutual: 0.5,
            interactions: 0.3,
            contributions: 0.4,
            purchase_intents: 0.8,
            open_cart: 1.0,
            influence: 0.5,
            praises: 0.6,
        }
    }
}

impl Weights {
    /// Every weight finite, in 0..=10⁶.
    fn sanitised(&self) -> Weights {
        let w = |x: f64| {
            if x > 0.0 {
                x.min(MAX_WEIGHT)
            } else {
                0.0
            }
        };
        Weights {
            friend: w(self.friend),
            followed: w(self.followed),
            follower: w(self.follower),
            fan: w(self.fan),
            strength: w(self.strength),
            mutual: w(self.mutual),
            interactions: w(self.interactions),
            contributions: w(self.contributions),
            purchase_intents: w(self.purchase_intents),
            open_cart: w(self.open_cart),
            influence: w(self.influence),
            praises: w(self.praises),
        }
    }

    fn relation(&self, relation: Relation) -> f64 {
        match relation {
            Relation::Friend => self.friend,
            Relation::Followed => self.followed,
            Relation::Follower => self.follower,
            Relation::Fan => self.fan,
        }
    }
}

/// A person the customer could invite, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    pub score: f64,
    /// Up to [`MAX_REASONS`] short English reasons, the most telling first; never empty.
    pub reasons: Vec<String>,
}

/// Why a known contact is nobody to suggest, whoever the referrer: `customer`,
/// `suppressed`, `opted_out` (in this order). The suggestions API asks it again at each read.
pub fn contact_exclusion(
    contact_type: ContactType,
    suppressed: bool,
    opted_out: bool,
) -> Option<&'static str> {
    if contact_type == ContactType::Customer {
        Some("customer")
    } else if suppressed {
        Some("suppressed")
    } else if opted_out {
        Some("opted_out")
    } else {
        None
    }
}

/// Why a candidate is left out, or `None` when they may be suggested: `self`, `customer`,
/// `suppressed`, `opted_out`, `cooldown`, `fatigue` (checked in this order).
pub fn exclusion(
    customer_contact_id: &str,
    candidate: &Candidate,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Option<&'static str> {
    if let Some(known) = &candidate.contact {
        if known.contact_id == customer_contact_id {
            return Some("self");
        }
        if let Some(why) = contact_exclusion(known.contact_type, known.suppressed, known.opted_out)
        {
            return Some(why);
        }
    }
    if let Some(at) = candidate.last_suggested_at {
        // A cooldown too long for chrono is forever; a date in the future is "just now".
        let within = match TimeDelta::try_days(policy.cooldown_days.max(0)) {
            Some(cooldown) => now.signed_duration_since(at) < cooldown,
            None => true,
        };
        if within {
            return Some("cooldown");
        }
    }
    if candidate.recent_referrers >= policy.fatigue_cap {
        return Some("fatigue");
    }
    None
}

/// The customer's suggestions, best first: at most `policy.per_week - suggested_this_week`.
pub fn rank(
    customer_contact_id: &str,
    candidates: &[Candidate],
    suggested_this_week: usize,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Vec<Suggestion> {
    let limit = policy.per_week.saturating_sub(suggested_this_week);
    if limit == 0 || candidates.is_empty() {
        return Vec::new();
    }
    let weights = policy.weights.sanitised();

    // Copies of one person: the same key, or the same contact (two platforms).
    let mut groups = Groups::new(candidates.len());
    let mut by_key: HashMap<&str, usize> = HashMap::with_capacity(candidates.len());
    let mut by_contact: HashMap<&str, usize> = HashMap::new();
    for (i, c) in candidates.iter().enumerate() {
        if let Some(&j) = by_key.get(c.key.as_str()) {
            groups.union(i, j);
        } else {
            by_key.insert(&c.key, i);
        }
        if let Some(known) = &c.contact {
            if let Some(&j) = by_contact.get(known.contact_id.as_str()) {
                groups.union(i, j);
            } else {
                by_contact.insert(&known.contact_id, i);
            }
        }
    }

    // One excluded copy excludes the person; otherwise the best copy stands for them.
    let mut excluded = vec![false; candidates.len()];
    let mut best: Vec<Option<Scored>> = vec![None; candidates.len()];
    for (i, c) in candidates.iter().enumerate() {
        let root = groups.find(i);
        if excluded[root] {
            continue;
        }
        if exclusion(customer_contact_id, c, policy, now).is_some() {
            excluded[root] = true;
            best[root] = None;
            continue;
        }
        let scored = score(i, c, &weights, now);
        let better = match &best[root] {
            None => true,
            Some(b) => order(candidates, &weights, now, &scored, b) == Ordering::Less,
        };
        if better {
            best[root] = Some(scored);
        }
    }

    let mut kept: Vec<Scored> = best.into_iter().flatten().collect();
    // Keys are unique now (one copy per person), so score then key is a total order.
    kept.sort_by(|a, b| order(candidates, &weights, now, a, b));
    kept.truncate(limit);
    kept.into_iter()
        .map(|s| {
            let c = &candidates[s.index];
            Suggestion {
                key: c.key.clone(),
                handle: c.handle.clone(),
                name: c.name.clone(),
                contact_id: c.contact.as_ref().map(|k| k.contact_id.clone()),
                score: s.score,
                reasons: reasons(c, &weights, now),
            }
        })
        .collect()
}

/// A candidate's score, by its index.
#[derive(Debug, Clone, Copy)]
struct Scored {
    index: usize,
    score: f64,
}

/// Best first: score descending, then key, then the rest of what a suggestion shows (so that
/// which copy of a person stands for them never depends on the input's order).
fn order(
    candidates: &[Candidate],
    weights: &Weights,
    now: DateTime<Utc>,
    a: &Scored,
    b: &Scored,
) -> Ordering {
    let (ca, cb) = (&candidates[a.index], &candidates[b.index]);
    b.score
        .total_cmp(&a.score)
        .then_with(|| ca.key.cmp(&cb.key))
        .then_with(|| contact_id(ca).cmp(&contact_id(cb)))
        .then_with(|| ca.handle.cmp(&cb.handle))
        .then_with(|| ca.name.cmp(&cb.name))
        .then_with(|| reasons(ca, weights, now).cmp(&reasons(cb, weights, now)))
}

fn contact_id(c: &Candidate) -> Option<&str> {
    c.contact.as_ref().map(|k| k.contact_id.as_str())
}

/// The terms of a candidate's score, each finite and ≥ 0.
#[derive(Debug, Clone, Copy)]
struct Terms {
    /// relation × (1 + strength·s), and the part of it due to strength.
    relation: f64,
    closeness: f64,
    mutual: f64,
    interactions: f64,
    contributions: f64,
    purchase_intents: f64,
    open_cart: f64,
    influence: f64,
    praises: f64,
}

impl Terms {
    fn of(c: &Candidate, w: &Weights, now: DateTime<Utc>) -> Terms {
        let base = w.relation(c.relation);
        let closeness = base * w.strength * strength(c);
        let known = c.contact.as_ref();
        let count = |n: u32| f64::from(n).ln_1p();
        Terms {
            relation: base + closeness,
            closeness,
            mutual: w.mutual * adamic_adar(&c.mutual_degrees),
            interactions: w.interactions * count(c.interactions),
            contributions: known.map_or(0.0, |k| w.contributions * count(k.contributions)),
            purchase_intents: known.map_or(0.0, |k| w.purchase_intents * count(k.purchase_intents)),
            open_cart: if known.is_some_and(|k| cart_is_open(k, now)) {
                w.open_cart
            } else {
                0.0
            },
            influence: known.map_or(0.0, |k| w.influence * influence(k) / 100.0),
            praises: known.map_or(0.0, |k| w.praises * count(k.praises)),
        }
    }

    fn affinity(&self) -> f64 {
        self.relation + self.mutual + self.interactions
    }

    fn propensity(&self) -> f64 {
        self.contributions + self.purchase_intents + self.open_cart + self.influence + self.praises
    }

    fn score(&self) -> f64 {
        self.affinity() * (1.0 + self.propensity())
    }
}

fn score(index: usize, c: &Candidate, w: &Weights, now: DateTime<Utc>) -> Scored {
    Scored {
        index,
        score: Terms::of(c, w, now).score(),
    }
}

/// The platform's strength, clamped to 0..1; unknown or NaN is 0 (no bonus).
fn strength(c: &Candidate) -> f64 {
    match c.strength {
        Some(s) if !s.is_nan() => s.clamp(0.0, 1.0),
        _ => 0.0,
    }
}

/// Influence clamped to 0..100; NaN is 0.
fn influence(k: &Known) -> f64 {
    if k.influence.is_nan() {
        0.0
    } else {
        k.influence.clamp(0.0, 100.0)
    }
}

/// Σ 1 / ln(max(degree, 2)): a friend in common who knows few people says more than one who
/// knows everybody (Adamic & Adar, 2003).
fn adamic_adar(degrees: &[u32]) -> f64 {
    degrees
        .iter()
        .map(|&d| 1.0 / f64::from(d.max(2)).ln())
        .sum()
}

/// An open cart whose last activity is within the window (a day ahead of us still counts).
fn cart_is_open(k: &Known, now: DateTime<Utc>) -> bool {
    let Some(at) = k.open_cart_at else {
        return false;
    };
    let age = now.signed_duration_since(at);
    age <= TimeDelta::days(OPEN_CART_WINDOW_DAYS) && age >= -CLOCK_SKEW
}

/// Up to [`MAX_REASONS`] reasons, the terms that weigh most in the score first (ties in the
/// order below); the relation alone when nothing else speaks. Never the cart.
fn reasons(c: &Candidate, w: &Weights, now: DateTime<Utc>) -> Vec<String> {
    let t = Terms::of(c, w, now);
    let (affinity, propensity) = (t.affinity(), t.propensity());
    let known = c.contact.as_ref();
    // (weight in the score, reason), in the order that breaks ties.
    let mut found: Vec<(f64, String)> = Vec::with_capacity(6);
    if let Some(k) = known.filter(|k| k.purchase_intents > 0) {
        found.push((
            affinity * t.purchase_intents,
            format!("asked about buying {}", times(k.purchase_intents)),
        ));
    }
    if let Some(k) = known.filter(|k| k.praises > 0) {
        found.push((
            affinity * t.praises,
            format!("praised the brand {}", times(k.praises)),
        ));
    }
    if let Some(k) = known.filter(|k| k.contributions > 0) {
        found.push((
            affinity * t.contributions,
            format!("talked about the brand {}", times(k.contributions)),
        ));
    }
    let mutuals = c.mutual_degrees.len();
    if mutuals > 0 {
        let friends = if mutuals == 1 { "friend" } else { "friends" };
        found.push((
            t.mutual * (1.0 + propensity),
            format!("{mutuals} {friends} in common"),
        ));
    }
    if c.interactions > 0 {
        found.push((
            t.interactions * (1.0 + propensity),
            format!("interacted with you {}", times(c.interactions)),
        ));
    }
    if strength(c) >= CLOSE_STRENGTH {
        let close = match c.relation {
            Relation::Friend => "a close friend",
            _ => "close to you",
        };
        found.push((t.closeness * (1.0 + propensity), close.to_owned()));
    }
    if known.is_some_and(|k| influence(k) >= WIDE_AUDIENCE_INFLUENCE) {
        found.push((affinity * t.influence, "has a wide audience".to_owned()));
    }
    // Stable: equal weights keep the order above.
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut reasons: Vec<String> = found
        .into_iter()
        .take(MAX_REASONS)
        .map(|(_, reason)| reason)
        .collect();
    if reasons.is_empty() {
        reasons.push(
            match c.relation {
                Relation::Friend => "a friend",
                Relation::Follower => "follows you",
                Relation::Fan => "a fan of your page",
                Relation::Followed => "you follow them",
            }
            .to_owned(),
        );
    }
    reasons
}

/// "once", "twice", "3 times".
fn times(n: u32) -> String {
    match n {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    }
}

/// Union–find over candidate indices (path halving, union by index).
struct Groups {
    parent: Vec<usize>,
}

impl Groups {
    fn new(n: usize) -> Groups {
        Groups {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller index is the root: the same roots whatever the path.
            let (root, child) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[child] = root;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const CUSTOMER: &str = "c_customer";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 2, 12, 0, 0).unwrap()
    }

    fn follower(key: &str) -> Candidate {
        Candidate {
            key: key.to_owned(),
            handle: Some(format!("@{key}")),
            name: None,
            relation: Relation::Follower,
            strength: None,
            contact: None,
            mutual_degrees: Vec::new(),
            interactions: 0,
            last_suggested_at: None,
            recent_referrers: 0,
        }
    }

    fn prospect(id: &str) -> Known {
        Known {
            contact_id: id.to_owned(),
            contact_type: ContactType::Prospect,
            suppressed: false,
            opted_out: false,
            contributions: 0,
            purchase_intents: 0,
            open_cart_at: None,
            influence: 0.0,
            praises: 0,
        }
    }

    fn ranked(candidates: &[Candidate]) -> Vec<Suggestion> {
        rank(CUSTOMER, candidates, 0, &Policy::default(), now())
    }

    fn keys(suggestions: &[Suggestion]) -> Vec<&str> {
        suggestions.iter().map(|s| s.key.as_str()).collect()
    }

    #[test]
    fn a_prospect_with_an_open_cart_and_contributions_should_rank_above_a_bare_follower() {
        let bare = follower("ig#bare");
        let mut keen = follower("ig#keen");
        keen.contact = Some(Known {
            contributions: 3,
            open_cart_at: Some(now() - TimeDelta::days(3)),
            ..prospect("c_keen")
        });
        let out = ranked(&[bare, keen]);
        assert_eq!(keys(&out), ["ig#keen", "ig#bare"]);
        // 0.5 × (1 + 0.4·ln 4 + 1.0) and 0.5 × 1.
        assert!((out[0].score - 0.5 * (2.0 + 0.4 * 4f64.ln())).abs() < 1e-12);
        assert!((out[1].score - 0.5).abs() < 1e-12);
    }

    #[test]
    fn an_advocate_should_rank_above_a_silent_follower_and_say_why() {
        let silent = follower("ig#silent");
        let mut fan = follower("ig#advocate");
        fan.contact = Some(Known {
            praises: 2,
            contributions: 2,
            ..prospect("c_advocate")
        });
        let out = ranked(&[silent, fan]);
        assert_eq!(keys(&out), ["ig#advocate", "ig#silent"]);
        assert_eq!(out[0].reasons[0], "praised the brand twice");
    }

    #[test]
    fn an_open_cart_older_than_the_window_should_not_count() {
        let mut old = follower("ig#old");
        old.contact = Some(Known {
            open_cart_at: Some(now() - TimeDelta::days(OPEN_CART_WINDOW_DAYS + 1)),
            ..prospect("c_old")
        });
        assert_eq!(ranked(&[old])[0].score, 0.5);
    }

    #[test]
    fn adamic_adar_should_weigh_a_mutual_friend_with_few_connections_more_than_one_with_many() {
        let mut niche = follower("ig#niche");
        niche.mutual_degrees = vec![5];
        let mut hub = follower("ig#hub");
        hub.mutual_degrees = vec![5_000];
        let out = ranked(&[hub, niche]);
        assert_eq!(keys(&out), ["ig#niche", "ig#hub"]);
        assert!((out[0].score - (0.5 + 0.5 / 5f64.ln())).abs() < 1e-12);
        assert!((out[1].score - (0.5 + 0.5 / 5_000f64.ln())).abs() < 1e-12);
        // A degree of 0 or 1 (unknown, or only the customer) counts as 2: no division by 0.
        assert!((adamic_adar(&[0, 1, 2]) - 3.0 / 2f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn relation_weights_should_order_friend_followed_follower_fan() {
        let mut cs = Vec::new();
        for (key, relation) in [
            ("x#fan", Relation::Fan),
            ("x#follower", Relation::Follower),
            ("x#followed", Relation::Followed),
            ("x#friend", Relation::Friend),
        ] {
            let mut c = follower(key);
            c.relation = relation;
            cs.push(c);
        }
        let out = ranked(&cs);
        assert_eq!(
            keys(&out),
            ["x#friend", "x#followed", "x#follower", "x#fan"]
        );
        let scores: Vec<f64> = out.iter().map(|s| s.score).collect();
        assert_eq!(scores, [1.0, 0.6, 0.5, 0.3]);
    }

    #[test]
    fn reasons_should_put_what_weighs_most_first_and_keep_three() {
        let mut c = follower("fb#ana");
        c.relation = Relation::Friend;
        c.strength = Some(0.9);
        c.mutual_degrees = vec![150; 12];
        c.interactions = 1;
        c.contact = Some(Known {
            contributions: 3,
            purchase_intents: 2,
            open_cart_at: Some(now() - TimeDelta::days(2)),
            ..prospect("c_ana")
        });
        // A = 1.9 + 1.20 + 0.21 = 3.31, 1 + P = 1 + 0.88 + 0.55 + 1 (cart) = 3.43.
        // Affinity terms × (1 + P): mutual 0.5·12/ln 150 = 1.20 → 4.11, closeness 0.9 → 3.09,
        // interactions 0.3·ln 2 = 0.21 → 0.71; propensity terms × A: intents 0.8·ln 3 = 0.88
        // → 2.90, contributions 0.4·ln 4 = 0.55 → 1.83 (the cart: never a reason).
        let out = ranked(&[c]);
        assert_eq!(
            out[0].reasons,
            [
                "12 friends in common",
                "a close friend",
                "asked about buying twice"
            ]
        );
    }

    #[test]
    fn reasons_should_never_reveal_a_cart() {
        let mut c = follower("ig#cart");
        c.contact = Some(Known {
            open_cart_at: Some(now() - TimeDelta::hours(5)),
            ..prospect("c_cart")
        });
        let out = ranked(&[c]);
        assert_eq!(out[0].reasons, ["follows you"]);
        assert!(out[0].score > 0.5, "the cart still counts in the score");
    }

    #[test]
    fn reasons_should_count_in_words() {
        let mut c = follower("ig#words");
        c.mutual_degrees = vec![3];
        c.interactions = 7;
        // A = 0.5 + 0.46 + 0.62 = 1.58, 1 + P = 1 + 0.28 + 0.4 = 1.68: interactions 1.05,
        // mutual 0.76, influence 0.63, contributions 0.44 (the fourth: left out).
        c.contact = Some(Known {
            contributions: 1,
            influence: 80.0,
            ..prospect("c_words")
        });
        let reasons = &ranked(&[c])[0].reasons;
        assert_eq!(reasons.len(), MAX_REASONS);
        assert_eq!(
            reasons,
            &[
                "interacted with you 7 times",
                "1 friend in common",
                "has a wide audience"
            ]
        );
        assert_eq!(times(1), "once");
        assert_eq!(times(2), "twice");
        assert_eq!(times(12), "12 times");
    }

    #[test]
    fn when_nothing_else_speaks_the_reason_should_be_the_relation() {
        for (relation, reason) in [
            (Relation::Friend, "a friend"),
            (Relation::Follower, "follows you"),
            (Relation::Fan, "a fan of your page"),
            (Relation::Followed, "you follow them"),
        ] {
            let mut c = follower("x#1");
            c.relation = relation;
            assert_eq!(ranked(&[c])[0].reasons, [reason]);
        }
    }

    #[test]
    fn exclusion_should_say_why_a_candidate_is_left_out() {
        let policy = Policy::default();
        let why = |c: &Candidate| exclusion(CUSTOMER, c, &policy, now());
        let with = |k: Known| Candidate {
            contact: Some(k),
            ..follower("x#1")
        };
        assert_eq!(why(&with(prospect(CUSTOMER))), Some("self"));
        let customer = Known {
            contact_type: ContactType::Customer,
            ..prospect("c_1")
        };
        assert_eq!(why(&with(customer)), Some("customer"));
        let suppressed = Known {
            suppressed: true,
            ..prospect("c_1")
        };
        assert_eq!(why(&with(suppressed)), Some("suppressed"));
        let opted_out = Known {
            opted_out: true,
            ..prospect("c_1")
        };
        assert_eq!(why(&with(opted_out)), Some("opted_out"));
        let recent = Candidate {
            last_suggested_at: Some(now() - TimeDelta::days(29)),
            ..follower("x#1")
        };
        assert_eq!(why(&recent), Some("cooldown"));
        let future = Candidate {
            last_suggested_at: Some(now() + TimeDelta::days(2)),
            ..follower("x#1")
        };
        assert_eq!(why(&future), Some("cooldown"));
        let tired = Candidate {
            recent_referrers: 3,
            ..follower("x#1")
        };
        assert_eq!(why(&tired), Some("fatigue"));
        let fine = Candidate {
            last_suggested_at: Some(now() - TimeDelta::days(30)),
            recent_referrers: 2,
            ..with(prospect("c_1"))
        };
        assert_eq!(why(&fine), None);
    }

    #[test]
    fn an_extreme_cooldown_should_not_panic() {
        let c = Candidate {
            last_suggested_at: Some(now() - TimeDelta::days(10_000)),
            ..follower("x#1")
        };
        let forever = Policy {
            cooldown_days: i64::MAX,
            ..Policy::default()
        };
        assert_eq!(exclusion(CUSTOMER, &c, &forever, now()), Some("cooldown"));
        let never = Policy {
            cooldown_days: i64::MIN,
            ..Policy::default()
        };
        assert_eq!(exclusion(CUSTOMER, &c, &never, now()), None);
    }

    #[test]
    fn duplicates_by_key_should_keep_the_best_copy() {
        let weak = follower("ig#dup");
        let strong = Candidate {
            mutual_degrees: vec![3, 4],
            ..follower("ig#dup")
        };
        let out = ranked(&[weak.clone(), strong.clone()]);
        assert_eq!(out.len(), 1);
        assert_eq!(out, ranked(&[strong, weak]));
        assert_eq!(out[0].reasons, ["2 friends in common"]);
    }

    #[test]
    fn one_person_on_two_platforms_should_be_suggested_once() {
        let ig = Candidate {
            contact: Some(prospect("c_same")),
            ..follower("ig#same")
        };
        let fb = Candidate {
            relation: Relation::Friend,
            contact: Some(prospect("c_same")),
            ..follower("fb#same")
        };
        assert_eq!(keys(&ranked(&[ig, fb])), ["fb#same"]);
    }

    #[test]
    fn when_any_copy_of_a_person_is_excluded_the_person_should_be_left_out() {
        let clean = Candidate {
            mutual_degrees: vec![3; 10],
            ..follower("ig#dup")
        };
        let suppressed = Candidate {
            contact: Some(Known {
                suppressed: true,
                ..prospect("c_dup")
            }),
            ..follower("ig#dup")
        };
        // The same contact under another platform, suggested last week by someone.
        let elsewhere = Candidate {
            contact: Some(prospect("c_other")),
            ..follower("fb#other")
        };
        let cooled = Candidate {
            contact: Some(prospect("c_other")),
            last_suggested_at: Some(now() - TimeDelta::days(7)),
            ..follower("x#other")
        };
        let out = ranked(&[clean, suppressed, elsewhere, cooled, follower("ig#ok")]);
        assert_eq!(keys(&out), ["ig#ok"]);
    }

    #[test]
    fn at_most_k_a_week_should_be_suggested() {
        let cs: Vec<Candidate> = (0..20).map(|i| follower(&format!("ig#{i:02}"))).collect();
        let policy = Policy::default();
        assert_eq!(rank(CUSTOMER, &cs, 0, &policy, now()).len(), 5);
        assert_eq!(rank(CUSTOMER, &cs, 3, &policy, now()).len(), 2);
        assert!(rank(CUSTOMER, &cs, 5, &policy, now()).is_empty());
        assert!(rank(CUSTOMER, &cs, 9, &policy, now()).is_empty());
        // Equal scores: by key.
        assert_eq!(
            keys(&rank(CUSTOMER, &cs, 2, &policy, now())),
            ["ig#00", "ig#01", "ig#02"]
        );
    }

    #[test]
    fn strength_out_of_range_should_be_clamped_and_nan_ignored() {
        let with = |s: f64| Candidate {
            relation: Relation::Friend,
            strength: Some(s),
            ..follower("fb#1")
        };
        assert_eq!(ranked(&[with(f64::NAN)])[0].score, 1.0);
        assert_eq!(ranked(&[with(-3.0)])[0].score, 1.0);
        assert_eq!(ranked(&[with(7.0)])[0].score, 2.0);
        assert_eq!(ranked(&[with(f64::INFINITY)])[0].score, 2.0);
        let influencer = Candidate {
            contact: Some(Known {
                influence: f64::NAN,
                ..prospect("c_1")
            }),
            ..follower("ig#1")
        };
        assert_eq!(ranked(&[influencer])[0].score, 0.5);
    }

    #[test]
    fn bad_weights_should_count_as_zero() {
        let policy = Policy {
            weights: Weights {
                follower: f64::NAN,
                mutual: -4.0,
                ..Weights::default()
            },
            ..Policy::default()
        };
        let c = Candidate {
            mutual_degrees: vec![3],
            ..follower("ig#1")
        };
        let out = rank(CUSTOMER, &[c], 0, &policy, now());
        assert_eq!(out[0].score, 0.0);
        assert_eq!(out[0].reasons, ["1 friend in common"]);
    }

    #[test]
    fn a_candidate_should_read_from_minimal_json_and_a_policy_from_nothing() {
        let c: Candidate = serde_json::from_str(r#"{"key":"ig#1","relation":"fan"}"#).unwrap();
        assert_eq!(c.relation, Relation::Fan);
        assert!(c.contact.is_none() && c.mutual_degrees.is_empty());
        let p: Policy = serde_json::from_str("{}").unwrap();
        assert_eq!(p, Policy::default());
        let known: Known =
            serde_json::from_str(r#"{"contact_id":"c_1","contact_type":"prospect"}"#).unwrap();
        assert_eq!(known, prospect("c_1"));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use std::collections::HashSet;

    const CUSTOMER: &str = "c0";

    /// Around 2020-2030, in seconds.
    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        (1_580_000_000i64..1_900_000_000).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap())
    }

    fn float() -> impl Strategy<Value = f64> {
        prop_oneof![
            4 => -2.0f64..120.0,
            1 => prop::num::f64::ANY,
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
            1 => Just(f64::NEG_INFINITY),
        ]
    }

    fn count() -> impl Strategy<Value = u32> {
        prop_oneof![4 => 0u32..12, 1 => any::<u32>()]
    }

    fn relation() -> impl Strategy<Value = Relation> {
        prop_oneof![
            Just(Relation::Friend),
            Just(Relation::Follower),
            Just(Relation::Fan),
            Just(Relation::Followed),
        ]
    }

    prop_compose! {
        fn known()(
            id in 0u8..6,
            contact_type in prop::sample::select(ContactType::ALL.to_vec()),
            suppressed in prop::bool::weighted(0.15),
            opted_out in prop::bool::weighted(0.15),
            contributions in count(),
            purchase_intents in count(),
            open_cart_at in prop::option::of(instant()),
            influence in float(),
            praises in count(),
        ) -> Known {
            Known {
                contact_id: format!("c{id}"),
                contact_type,
                suppressed,
                opted_out,
                contributions,
                purchase_intents,
                open_cart_at,
                influence,
                praises,
            }
        }
    }

    prop_compose! {
        fn candidate()(
            key in 0u8..12,
            named in any::<bool>(),
            relation in relation(),
            strength in prop::option::of(float()),
            contact in prop::option::weighted(0.6, known()),
            mutual_degrees in prop::collection::vec(prop_oneof![0u32..300, any::<u32>()], 0..6),
            interactions in count(),
            last_suggested_at in prop::option::of(instant()),
            recent_referrers in 0u32..6,
        ) -> Candidate {
            Candidate {
                key: format!("ig#{key}"),
                handle: Some(format!("@h{key}")),
                name: named.then(|| format!("Name {key}")),
                relation,
                strength,
                contact,
                mutual_degrees,
                interactions,
                last_suggested_at,
                recent_referrers,
            }
        }
    }

    fn weights() -> impl Strategy<Value = Weights> {
        prop_oneof![
            Just(Weights::default()),
            prop::collection::vec(float(), 12).prop_map(|w| Weights {
                friend: w[0],
                followed: w[1],
                follower: w[2],
                fan: w[3],
                strength: w[4],
                mutual: w[5],
                interactions: w[6],
                contributions: w[7],
                purchase_intents: w[8],
                open_cart: w[9],
                influence: w[10],
                praises: w[11],
            }),
        ]
    }

    prop_compose! {
        fn policy()(
            per_week in prop_oneof![4 => 0usize..8, 1 => Just(usize::MAX)],
            cooldown_days in prop_oneof![4 => -3i64..90, 1 => any::<i64>()],
            fatigue_cap in 0u32..6,
            weights in weights(),
        ) -> Policy {
            Policy { per_week, cooldown_days, fatigue_cap, fatigue_days: 90, weights }
        }
    }

    /// The candidates, and the same in another order.
    fn candidates() -> impl Strategy<Value = (Vec<Candidate>, Vec<Candidate>)> {
        prop::collection::vec(candidate(), 0..30)
            .prop_flat_map(|cs| (Just(cs.clone()), Just(cs).prop_shuffle()))
    }

    /// The rules, written again without chrono's durations (seconds in i128).
    fn must_be_left_out(c: &Candidate, policy: &Policy, now: DateTime<Utc>) -> bool {
        let known = c.contact.as_ref().is_some_and(|k| {
            k.contact_id == CUSTOMER
                || k.contact_type == ContactType::Customer
                || k.suppressed
                || k.opted_out
        });
        let cooling = c.last_suggested_at.is_some_and(|at| {
            let elapsed = i128::from(now.timestamp()) - i128::from(at.timestamp());
            elapsed < i128::from(policy.cooldown_days.max(0)) * 86_400
        });
        known || cooling || c.recent_referrers >= policy.fatigue_cap
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn ranking_rules_should_hold_for_any_input(
            (cs, shuffled) in candidates(),
            suggested_this_week in prop_oneof![4 => 0usize..8, 1 => any::<usize>()],
            policy in policy(),
            now in instant(),
        ) {
            let out = rank(CUSTOMER, &cs, suggested_this_week, &policy, now);

            // At most K a week.
            prop_assert!(out.len() <= policy.per_week.saturating_sub(suggested_this_week));

            // Nobody excluded, nor any copy of someone excluded (same key or same contact).
            for s in &out {
                for c in &cs {
                    let same = c.key == s.key
                        || (s.contact_id.is_some()
                            && c.contact.as_ref().map(|k| &k.contact_id) == s.contact_id.as_ref());
                    if same {
                        prop_assert!(!must_be_left_out(c, &policy, now), "{c:?} suggested as {s:?}");
                        prop_assert!(exclusion(CUSTOMER, c, &policy, now).is_none());
                    }
                }
                prop_assert_ne!(s.contact_id.as_deref(), Some(CUSTOMER));
            }

            // One suggestion per key, per contact.
            let keys: HashSet<&str> = out.iter().map(|s| s.key.as_str()).collect();
            prop_assert_eq!(keys.len(), out.len());
            let ids: Vec<&str> = out.iter().filter_map(|s| s.contact_id.as_deref()).collect();
            prop_assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());

            // Finite, non-negative scores, best first, then by key.
            for s in &out {
                prop_assert!(s.score.is_finite() && s.score >= 0.0, "score {}", s.score);
                prop_assert!(!s.reasons.is_empty() && s.reasons.len() <= MAX_REASONS);
                prop_assert!(s.reasons.iter().all(|r| !r.contains("cart") && !r.contains('@')));
            }
            for pair in out.windows(2) {
                prop_assert!(
                    pair[0].score > pair[1].score
                        || (pair[0].score == pair[1].score && pair[0].key < pair[1].key),
                    "{:?} before {:?}", pair[0], pair[1]
                );
            }

            // Deterministic, whatever the input's order.
            prop_assert_eq!(&out, &rank(CUSTOMER, &cs, suggested_this_week, &policy, now));
            prop_assert_eq!(&out, &rank(CUSTOMER, &shuffled, suggested_this_week, &policy, now));
        }

        #[test]
        fn when_room_is_left_every_eligible_person_should_be_suggested(
            (cs, _) in candidates(),
            policy in policy(),
            now in instant(),
        ) {
            // With room for everybody, the suggestions are exactly the people none of whose
            // copies is excluded (people: candidates joined by key or contact).
            let out = rank(CUSTOMER, &cs, 0, &Policy { per_week: usize::MAX, ..policy.clone() }, now);
            let mut groups = Groups::new(cs.len());
            for i in 0..cs.len() {
                for j in 0..i {
                    let same_contact = match (&cs[i].contact, &cs[j].contact) {
                        (Some(a), Some(b)) => a.contact_id == b.contact_id,
                        _ => false,
                    };
                    if cs[i].key == cs[j].key || same_contact {
                        groups.union(i, j);
                    }
                }
            }
            let mut bad = HashSet::new();
            for (i, c) in cs.iter().enumerate() {
                if must_be_left_out(c, &policy, now) {
                    bad.insert(groups.find(i));
                }
            }
            let people: HashSet<usize> =
                (0..cs.len()).map(|i| groups.find(i)).filter(|r| !bad.contains(r)).collect();
            prop_assert_eq!(out.len(), people.len());
        }
    }
}
