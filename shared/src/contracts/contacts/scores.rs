//! Two numbers per contact, kept on its profile:
//! - the **contribution score**: every contribution adds a weight by kind (a review or a post
//!   says more than a reply), and the total decays exponentially (half-life 90 days), so a
//!   customer who spoke last week outranks one who spoke a lot two years ago. Exponential
//!   decay updates incrementally: `score' = score × 2^(−Δt/half-life) + weight`.
//! - the **influence score** (0 to 100): reach from the follower count on a logarithmic scale
//!   (10 followers count little, 100,000 count a lot), weighted by the platform's audience
//!   (the largest reach seen is kept, as `reach`), then by what the contact is (a
//!   journalist's reach is not a blogger's), plus engagement: up to 20 points for a contact
//!   who speaks often and recently (from the contribution score).

use crate::contracts::events::ContributionKind;
use crate::contracts::sources::Platform;
use chrono::{DateTime, Utc};

use crate::contracts::contacts::standing::ContactType;

pub const HALF_LIFE_DAYS: f64 = 90.0;

pub fn kind_weight(kind: ContributionKind) -> f64 {
    match kind {
        ContributionKind::Review => 5.0,
        ContributionKind::Post => 4.0,
        ContributionKind::Comment | ContributionKind::Mention => 2.0,
        ContributionKind::Reply | ContributionKind::DirectMessage => 1.0,
    }
}

/// The score at `now` after a contribution of `kind`, from the score kept at `since`.
pub fn contribution_score(
    previous: f64,
    since: Option<DateTime<Utc>>,
    kind: ContributionKind,
    now: DateTime<Utc>,
) -> f64 {
    decayed(previous, since, now) + kind_weight(kind)
}

/// The score as it stands at `now`, for display.
pub fn decayed(score: f64, since: Option<DateTime<Utc>>, now: DateTime<Utc>) -> f64 {
    let Some(since) = since else { return score };
    let days = (now - since).num_seconds().max(0) as f64 / 86_400.0;
    score * 0.5f64.powf(days / HALF_LIFE_DAYS)
}

fn platform_weight(platform: Platform) -> f64 {
    match platform {
        Platform::YouTube | Platform::X | Platform::Meta => 1.0,
        Platform::Trustpilot => 0.9,
        Platform::Discourse | Platform::WordPress => 0.7,
        Platform::Shopify | Platform::WooCommerce | Platform::StandardWebhooks => 0.5,
        // Nobody speaks there: its events are about cases, not contributions.
        Platform::Zendesk | Platform::HubSpot => 0.0,
    }
}

fn type_weight(contact_type: ContactType) -> f64 {
    match contact_type {
        ContactType::Journalist => 1.5,
        ContactType::Blogger => 1.3,
        ContactType::Partner | ContactType::Affiliate | ContactType::Association => 1.1,
        _ => 1.0,
    }
}

/// 0 to 100 before the type: log10 of the followers (1M ≈ 6) scaled to 100, times the
/// platform's weight.
pub fn reach(followers: Option<u64>, platform: Platform) -> f64 {
    let audience = followers.map_or(0.0, |f| ((f as f64) + 1.0).log10() / 6.0 * 100.0);
    (audience * platform_weight(platform)).clamp(0.0, 100.0)
}

/// Points engagement adds: 20 at a contribution score of 25 (five recent reviews) or more.
pub const MAX_ENGAGEMENT: f64 = 20.0;
const FULL_ENGAGEMENT_SCORE: f64 = 25.0;

pub fn engagement(contribution_score: f64) -> f64 {
    (contribution_score / FULL_ENGAGEMENT_SCORE).clamp(0.0, 1.0) * MAX_ENGAGEMENT
}

/// 0 to 100: the reach weighed by the type, plus engagement.
pub fn influence(reach: f64, contact_type: ContactType, contribution_score: f64) -> f64 {
    (reach * type_weight(contact_type) + engagement(contribution_score)).clamp(0.0, 100.0)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    #[test]
    fn the_contribution_score_should_halve_every_90_days() {
        let t0: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        let after_one = contribution_score(0.0, None, ContributionKind::Review, t0);
        assert_eq!(after_one, 5.0);
        let later = t0 + Duration::days(90);
        assert!((decayed(after_one, Some(t0), later) - 2.5).abs() < 1e-9);
        assert!(
            (contribution_score(after_one, Some(t0), ContributionKind::Reply, later) - 3.5).abs()
                < 1e-9
        );
        // A clock that went backwards does not inflate the score.
        assert_eq!(decayed(4.0, Some(later), t0), 4.0);
    }

    #[test]
    fn influence_should_grow_with_reach_and_engagement_and_weigh_the_type() {
        let r = |f| reach(f, Platform::X);
        assert!(r(None) == 0.0 && r(Some(100)) < r(Some(100_000)) && r(Some(100_000)) <= 100.0);
        assert!(reach(Some(100_000), Platform::WordPress) < r(Some(100_000)));
        let large = influence(r(Some(100_000)), ContactType::Prospect, 0.0);
        assert!(influence(r(Some(100_000)), ContactType::Journalist, 0.0) > large);
        assert!(influence(r(Some(100_000)), ContactType::Prospect, 10.0) > large);
        assert_eq!(
            influence(0.0, ContactType::Prospect, 1_000.0),
            MAX_ENGAGEMENT
        );
        assert_eq!(
            influence(r(Some(u64::MAX)), ContactType::Journalist, 50.0),
            100.0
        );
    }
}
