//! Two numbers per contact, kept on its profile:
//! - the **contribution score**: every contribution adds a weight by kind (a review or a post
//!   says more than a reply), and the total decays exponentially (half-life 90 days), so a
//!   customer who spoke last week outranks one who spoke a lot two years ago. Exponential
//!   decay updates incrementally: `score' = score × 2^(−Δt/half-life) + weight`.
//! - the **influence score** (0 to 100): the contact's reach ([`reach`]: what each platform
//!   says of their audience, on one 0–100 scale, kept fresh by [`keep`]), weighted by what
//!   the contact is (a journalist's reach is not a blogger's), plus engagement: up to 20
//!   points for a contact who speaks often and recently (from the contribution score).

use crate::contracts::events::{Audience, ContributionKind};
use crate::contracts::sources::Platform;
use chrono::{DateTime, Duration, Utc};

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

/// How far a follower count on this platform carries: followers of a social network's
/// account see its posts; a count a shop or a generic sender passes on is vaguer.
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

/// A reach and what it was measured from, as the profile keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    /// 0 to 100, before the contact's type.
    pub reach: f64,
    /// Which audience it measures (`youtube_subscribers`, `x_followers`, `discourse_member`,
    /// `trustpilot_reviewer`, `blog`): a later measure of the same one may replace it.
    pub kind: String,
    /// What it was measured from, for staff: `youtube subscribers 120000`.
    pub basis: String,
}

/// Followers or subscribers on a logarithmic scale, 0 to 100: audiences span six orders of
/// magnitude and what tells them apart is the order (100 followers: 33, 10,000: 67,
/// 120,000: 85, a million: 100).
pub fn audience_scale(count: u64) -> f64 {
    (((count as f64) + 1.0).log10() / 6.0 * 100.0).clamp(0.0, 100.0)
}

/// A Discourse trust level's points, 0 (new) to 4 (leader). Levels are earned by reading and
/// being read over months (3, "regular", asks for sustained activity over 100 days; 4 is
/// granted by staff), so they rank members within their forum; but a member's readers are
/// that forum's, seldom more than a few thousand: a regular (30) weighs like an account with
/// about 60 followers, far below a 120,000-subscriber channel (85), and above zero.
const TRUST_LEVEL_POINTS: [f64; 5] = [2.0, 8.0, 15.0, 30.0, 40.0];
/// Likes received add up to 20 points (at 10,000): being liked is being read.
const MAX_LIKES_POINTS: f64 = 20.0;
/// Posts add up to 10 points (at 10,000): writing much is seen, less than being liked.
const MAX_POSTS_POINTS: f64 = 10.0;

/// A Trustpilot reviewer: each review is read by shoppers choosing a business, a few per
/// review; a prolific reviewer is a trusted voice there. 5 points for writing at all, up to
/// 30 more on a log scale (10 reviews: 15, 100: 25, 1,000 or more: 35).
const REVIEWER_BASE: f64 = 5.0;
const MAX_REVIEWER_POINTS: f64 = 30.0;

/// A blog behind a commenter's website: it has readers, how many is unknown without its
/// analytics: modest, like an account with a few dozen followers.
const BLOG_REACH: f64 = 15.0;

/// `max` points at 10^`full_at` on a log scale.
fn log_points(count: u64, full_at: f64, max: f64) -> f64 {
    (((count as f64) + 1.0).log10() / full_at * max).clamp(0.0, max)
}

/// The reach (0 to 100, before the contact's type) the facts `audience` give on `platform`,
/// and what it was measured from; `None` when the platform gave no fact. Several facts: the
/// widest.
pub fn reach(audience: &Audience, platform: Platform) -> Option<Measured> {
    let name = platform.as_str();
    let mut found: Vec<Measured> = Vec::new();
    if let Some(followers) = audience.followers {
        found.push(Measured {
            reach: audience_scale(followers) * platform_weight(platform),
            kind: format!("{name}_followers"),
            basis: format!("{name} followers {followers}"),
        });
    }
    if let Some(subscribers) = audience.subscribers {
        found.push(Measured {
            reach: audience_scale(subscribers),
            kind: format!("{name}_subscribers"),
            basis: format!("{name} subscribers {subscribers}"),
        });
    }
    if let Some(level) = audience.trust_level {
        let mut basis = format!("{name} trust_level {level}");
        if let Some(likes) = audience.likes_received {
            basis.push_str(&format!(", likes_received {likes}"));
        }
        if let Some(posts) = audience.posts {
            basis.push_str(&format!(", posts {posts}"));
        }
        let likes = log_points(audience.likes_received.unwrap_or(0), 4.0, MAX_LIKES_POINTS);
        let posts = log_points(audience.posts.unwrap_or(0), 4.0, MAX_POSTS_POINTS);
        found.push(Measured {
            reach: TRUST_LEVEL_POINTS[usize::from(level.min(4))] + likes + posts,
            kind: format!("{name}_member"),
            basis,
        });
    }
    if let Some(reviews) = audience.reviews_written {
        found.push(Measured {
            reach: REVIEWER_BASE + log_points(reviews, 3.0, MAX_REVIEWER_POINTS),
            kind: format!("{name}_reviewer"),
            basis: format!("{name} reviews_written {reviews}"),
        });
    }
    if let Some(blog) = &audience.blog_url {
        found.push(Measured {
            reach: BLOG_REACH,
            kind: "blog".into(),
            basis: format!("blog {blog}"),
        });
    }
    found
        .into_iter()
        .map(|m| Measured {
            reach: m.reach.clamp(0.0, 100.0),
            ..m
        })
        .max_by(|a, b| a.reach.total_cmp(&b.reach))
}

/// How long a measure stands against a smaller one of the same audience.
pub const REACH_FRESH_DAYS: i64 = 7;

/// A reach as a profile keeps it (`reach`, `reach_kind`, `reach_basis`, `reach_at`). A reach
/// kept before measures were dated has no date.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    pub measured: Measured,
    pub at: Option<DateTime<Utc>>,
}

/// Whether `new`, measured at `now`, replaces what the profile keeps: the reach to keep from
/// now on, `None` to keep what is there. Of the same audience, a measure older than a week
/// is replaced whatever the new one says (an audience that fell falls here too, a week
/// later), a same-week one only by one as large or larger (a day's dip is not news). Another
/// audience (a blog after a YouTube channel) replaces it only when as large or larger: it
/// does not say the first one fell. An undated reach (kept before measures had dates) is
/// replaced.
pub fn keep(kept: Option<&Kept>, new: Measured, now: DateTime<Utc>) -> Option<Kept> {
    let stands = kept
        .and_then(|k| k.at.map(|at| (k, at)))
        .is_some_and(|(k, at)| {
            let smaller = new.reach < k.measured.reach;
            let same_audience = new.kind == k.measured.kind;
            let stale = now - at > Duration::days(REACH_FRESH_DAYS);
            smaller && !(same_audience && stale)
        });
    (!stands).then_some(Kept {
        measured: new,
        at: Some(now),
    })
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

    fn followers(n: u64) -> Audience {
        Audience {
            followers: Some(n),
            ..Audience::default()
        }
    }

    fn reach_of(audience: Audience, platform: Platform) -> f64 {
        reach(&audience, platform).map_or(0.0, |m| m.reach)
    }

    #[test]
    fn influence_should_grow_with_reach_and_engagement_and_weigh_the_type() {
        let r = |n| reach_of(followers(n), Platform::X);
        assert!(reach(&Audience::default(), Platform::X).is_none());
        assert!(r(100) < r(100_000) && r(100_000) <= 100.0);
        assert!(reach_of(followers(100_000), Platform::WordPress) < r(100_000));
        let large = influence(r(100_000), ContactType::Prospect, 0.0);
        assert!(influence(r(100_000), ContactType::Journalist, 0.0) > large);
        assert!(influence(r(100_000), ContactType::Prospect, 10.0) > large);
        assert_eq!(
            influence(0.0, ContactType::Prospect, 1_000.0),
            MAX_ENGAGEMENT
        );
        assert_eq!(influence(r(u64::MAX), ContactType::Journalist, 50.0), 100.0);
    }

    #[test]
    fn every_platform_fact_should_give_a_reach_on_one_scale() {
        let youtube = reach(
            &Audience {
                subscribers: Some(120_000),
                ..Audience::default()
            },
            Platform::YouTube,
        )
        .unwrap();
        assert!((youtube.reach - 84.7).abs() < 0.1, "{youtube:?}");
        assert_eq!(youtube.basis, "youtube subscribers 120000");
        assert_eq!(youtube.kind, "youtube_subscribers");
        let member = |level, likes, posts| Audience {
            trust_level: Some(level),
            likes_received: likes,
            posts,
            ..Audience::default()
        };
        // Trust level alone gives a reach: a new member a little, a regular more.
        let new_member = reach_of(member(0, None, None), Platform::Discourse);
        let regular = reach(&member(3, None, None), Platform::Discourse).unwrap();
        assert!(new_member > 0.0 && new_member < regular.reach);
        assert_eq!(regular.basis, "discourse trust_level 3");
        // Liked and prolific: more, and said so; still not a 120k channel.
        let liked = reach(&member(3, Some(2_500), Some(400)), Platform::Discourse).unwrap();
        assert!(liked.reach > regular.reach && liked.reach < youtube.reach);
        assert_eq!(
            liked.basis,
            "discourse trust_level 3, likes_received 2500, posts 400"
        );
        let leader = reach_of(
            member(4, Some(1_000_000), Some(1_000_000)),
            Platform::Discourse,
        );
        assert!(leader <= 70.0);
        // A level above Discourse's four counts as four, never a panic.
        assert_eq!(reach_of(member(9, None, None), Platform::Discourse), 40.0);
        let reviewer = |n| Audience {
            reviews_written: Some(n),
            ..Audience::default()
        };
        let first = reach_of(reviewer(1), Platform::Trustpilot);
        assert!(first > 0.0 && first < reach_of(reviewer(100), Platform::Trustpilot));
        assert!(reach_of(reviewer(u64::MAX), Platform::Trustpilot) <= 35.0);
        let blog = reach(
            &Audience {
                blog_url: Some("https://lumiere.blog".into()),
                ..Audience::default()
            },
            Platform::WordPress,
        )
        .unwrap();
        assert!(blog.reach > 0.0 && blog.reach < regular.reach);
        assert_eq!(
            (blog.kind.as_str(), blog.basis.as_str()),
            ("blog", "blog https://lumiere.blog")
        );
        // Several facts: the widest wins.
        let both = Audience {
            blog_url: Some("https://lumiere.blog".into()),
            followers: Some(50_000),
            ..Audience::default()
        };
        assert_eq!(reach(&both, Platform::X).unwrap().kind, "x_followers");
    }

    fn kept(reach: f64, kind: &str, at: Option<DateTime<Utc>>) -> Kept {
        Kept {
            measured: Measured {
                reach,
                kind: kind.into(),
                basis: format!("{kind} {reach}"),
            },
            at,
        }
    }

    fn measured(reach: f64, kind: &str) -> Measured {
        kept(reach, kind, None).measured
    }

    #[test]
    fn a_reach_should_fall_only_when_its_audience_is_measured_again_a_week_later() {
        let t0: DateTime<Utc> = "2026-11-02T10:00:00Z".parse().unwrap();
        let before = kept(80.0, "youtube_subscribers", Some(t0));
        // Nothing kept, or an undated reach from before: the measure is kept.
        assert!(keep(None, measured(10.0, "blog"), t0).is_some());
        assert!(keep(
            Some(&kept(90.0, "x_followers", None)),
            measured(10.0, "blog"),
            t0
        )
        .is_some());
        // The same week: the larger stands.
        let day = t0 + Duration::days(3);
        assert_eq!(
            keep(Some(&before), measured(70.0, "youtube_subscribers"), day),
            None
        );
        let grown = keep(Some(&before), measured(82.0, "youtube_subscribers"), day).unwrap();
        assert_eq!((grown.measured.reach, grown.at), (82.0, Some(day)));
        // A week later, the same audience measured smaller: it fell, and falls here.
        let week = t0 + Duration::days(8);
        let fell = keep(Some(&before), measured(60.0, "youtube_subscribers"), week).unwrap();
        assert_eq!((fell.measured.reach, fell.at), (60.0, Some(week)));
        assert_eq!(
            keep(
                Some(&before),
                measured(60.0, "youtube_subscribers"),
                t0 + Duration::days(7)
            ),
            None,
            "seven days is still the same week"
        );
        // Another, smaller audience says nothing of the first, however old.
        assert_eq!(keep(Some(&before), measured(15.0, "blog"), week), None);
        assert!(keep(Some(&before), measured(81.0, "x_followers"), day).is_some());
    }
}
