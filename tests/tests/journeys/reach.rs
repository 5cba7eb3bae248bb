//! Reach on every platform, end to end through the runner and the platforms' doubles: a
//! YouTube author's subscribers (the poller's `channels.list`) and a Discourse member's trust
//! level (the webhook) each give a reach above zero, kept on their profile with its date and
//! what it was measured from; the 120,000-subscriber channel's incident is P1 (wide reach)
//! where a small channel's same complaint is not; and the poller's weekly read of the
//! member's likes and posts (Discourse's user API) raises the member's reach. The channels'
//! descriptions are their authors' bios: a journalist's and a blogger's are proposed as such,
//! and the journalist's unconfirmed proposal takes no case from them. An Instagram creator who
//! commented gets their followers from the poller's business discovery (Meta's Graph API).

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Utc;
use e2e::platforms::{post_signed, Registered};
use e2e::staff;
use liaison_local::harness::{self, TestSystem};
use liaison_stack::doubles::discourse::{self, Member};
use liaison_stack::doubles::meta::{self, Post, PostComment, INSTAGRAM_ACCOUNT};
use liaison_stack::doubles::youtube::{self, ChannelStats, Thread, API_KEY, CHANNEL};
use serde_json::Value;
use shared::contracts::sources::{Credentials, Platform, SigningSecret, Source, KIND};

const WIDE: &str = "UCw1deAud1enceX9k2Zp8Rb4";
const SMALL: &str = "UCsma11Aud1enceQ2vL9pX4k";
const FORUM_KEY: &str = "discourse-api-key-journey-0123";
const FORUM_LOGIN: &str = "maison_lumiere";
const FORUM_SECRET: &str = "discourse-secret-journey-0a9b8c";

fn source(
    platform: Platform,
    secret: &str,
    settings: &[(&str, &str)],
    creds: &[(&str, &str)],
) -> Source {
    Source {
        id: shared::kit::ids::new_id("src").unwrap(),
        platform,
        name: format!("{} of the brand", platform.as_str()),
        created_at: Utc::now(),
        secrets: vec![SigningSecret {
            value: secret.into(),
            created_at: Utc::now(),
            expires_at: None,
        }],
        settings: settings
            .iter()
            .map(|(k, v)| (k.to_string(), Value::from(*v)))
            .collect(),
        credentials: Credentials(
            creds
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
        ),
        version: 0,
        kind: KIND.into(),
        websub_requested_at: None,
    }
}

async fn poll_now(system: &TestSystem) {
    let fired = reqwest::Client::new()
        .post(system.url("/_local/schedules/PollFunction"))
        .send()
        .await
        .expect("runner reachable");
    assert!(fired.status().is_success(), "{}", fired.status());
}

/// The contact `account` names on `platform`, once `ready` holds of it (20 s at most).
async fn contact_when(
    system: &TestSystem,
    platform: &str,
    account: &str,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    let path = format!("/admin/contacts?platform={platform}&account={account}");
    let mut last = Value::Null;
    for _ in 0..200 {
        let (status, found) = staff(system, "GET", &path, "liaison-support", None).await;
        if status == 200 {
            let id = found["id"].as_str().expect("an id").to_string();
            let (_, whole) = staff(
                system,
                "GET",
                &format!("/admin/contacts/{id}"),
                "liaison-support",
                None,
            )
            .await;
            if ready(&whole) {
                return whole;
            }
            last = whole;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{platform} account {account} never got there: {last}");
}

fn reach(person: &Value) -> f64 {
    person["profile"]["reach"].as_f64().unwrap_or(0.0)
}

fn basis(person: &Value) -> &str {
    person["profile"]["reach_basis"].as_str().unwrap_or("")
}

/// The priority of the case the person's contribution opened (from their timeline).
fn case_priority(person: &Value) -> Option<String> {
    person["timeline"]
        .as_array()?
        .iter()
        .find(|item| item["timeline_kind"] == "cases")
        .and_then(|case| case["priority"].as_str())
        .map(str::to_string)
}

#[tokio::test]
async fn a_large_channel_and_a_forum_regular_should_each_have_a_reach_and_the_channel_p1() {
    let yt = youtube::start("google-client", "google-secret")
        .await
        .expect("YouTube double");
    let (forum_served, forum) = discourse::start(FORUM_KEY, FORUM_LOGIN)
        .await
        .expect("Discourse double");
    let system = harness::system_with_parameters(
        harness::template(),
        liaison_local::registry::Registry::builtin(),
        &[("YouTubeApiBase", &yt.api())],
    )
    .await;
    let sources = system.resources.sources();

    // Two viewers write the same complaint under the brand's video: one runs a channel of
    // 120,000 subscribers, the other one of 800.
    yt.state.channel(
        WIDE,
        ChannelStats {
            subscribers: 120_000,
            hidden: false,
            description: "Journaliste conso. Je teste les colis pour vous.",
        },
    );
    yt.state.channel(
        SMALL,
        ChannelStats {
            subscribers: 800,
            hidden: false,
            description: "Blogueuse déco & DIY",
        },
    );
    for (n, author) in [(1, WIDE), (2, SMALL)] {
        yt.state.add_thread(Thread {
            id: format!("UgzReach{n}AaABAg"),
            video_id: "q3VdTk8xP2A".into(),
            author_channel_id: author.into(),
            author_name: format!("@viewer{n}"),
            text: "My parcel never arrived and nobody answers, this is unacceptable".into(),
            published_at: Utc::now() - chrono::Duration::minutes(10 - n),
        });
    }
    let channel = source(
        Platform::YouTube,
        "youtube-hub-secret-0123456789",
        &[("channel_id", CHANNEL)],
        &[("api_key", API_KEY)],
    );
    sources.create(&channel).await.unwrap();

    // A forum regular (trust level 3) posts; the forum's webhook says their level.
    let forum_source = source(
        Platform::Discourse,
        FORUM_SECRET,
        &[("instance_url", &forum_served.url)],
        &[("api_key", FORUM_KEY), ("api_username", FORUM_LOGIN)],
    );
    sources.create(&forum_source).await.unwrap();
    let post = String::from_utf8(e2e::fixture("discourse/post-created.json"))
        .unwrap()
        .replace("\"trust_level\": 1", "\"trust_level\": 3");
    assert!(post.contains("\"trust_level\": 3"));
    let registered = Registered {
        id: forum_source.id.clone(),
        platform: "discourse".into(),
        secret: FORUM_SECRET.into(),
        created: Value::Null,
    };
    let delivered = post_signed(
        &system,
        &registered,
        FORUM_SECRET,
        &[
            ("x-discourse-event", "post_created"),
            ("x-discourse-event-type", "post"),
            ("x-discourse-event-id", "901"),
            ("content-type", "application/json"),
        ],
        post.as_bytes(),
    )
    .await;
    assert_eq!(delivered.status().as_u16(), 202);

    poll_now(&system).await;

    let proposed = |p: &Value| {
        p["profile"]["proposed_type"]["reason"]
            .as_str()
            .map(str::to_string)
    };
    let wide = contact_when(&system, "youtube", WIDE, |p| {
        reach(p) > 0.0 && case_priority(p).is_some() && proposed(p).is_some()
    })
    .await;
    assert_eq!(
        wide["profile"]["proposed_type"]["type"], "journalist",
        "{wide}"
    );
    assert_eq!(proposed(&wide).as_deref(), Some("bio says 'journaliste'"));
    assert!((reach(&wide) - 84.7).abs() < 0.1, "{wide}");
    assert_eq!(basis(&wide), "youtube subscribers 120000");
    assert!(wide["profile"]["reach_at"].is_string(), "{wide}");
    assert_eq!(
        case_priority(&wide).as_deref(),
        Some("P1"),
        "wide reach: {wide}"
    );
    let small = contact_when(&system, "youtube", SMALL, |p| {
        reach(p) > 0.0 && case_priority(p).is_some() && proposed(p).is_some()
    })
    .await;
    assert_eq!(proposed(&small).as_deref(), Some("bio says 'blogueuse'"));
    assert_eq!(basis(&small), "youtube subscribers 800");
    assert_ne!(case_priority(&small).as_deref(), Some("P1"), "{small}");
    // One channels.list for both authors, with the poll's API key.
    let asked = yt
        .recorder
        .requests_to(http::Method::GET, "/youtube/v3/channels");
    assert_eq!(asked.len(), 1);
    assert!(asked[0]
        .query_pairs()
        .contains(&("key".to_string(), API_KEY.to_string())));

    let regular = contact_when(&system, "discourse", "412", |p| reach(p) > 0.0).await;
    assert_eq!(basis(&regular), "discourse trust_level 3");
    assert!(
        reach(&regular) < reach(&wide),
        "a forum regular is not a 120k channel"
    );
    assert!(regular["profile"]["reach_at"].is_string());

    // The forum's user API knows more of them: 2,500 likes received over 400 posts. The
    // poller reads it (once this week) and their reach grows with it.
    forum.add_topic(1204, "Variateur pour la Lampe Atelier ?", "variateur", &[]);
    forum.add_member(Member {
        user_id: 412,
        username: "jdupont".into(),
        name: "Jean Dupont".into(),
        trust_level: 3,
        likes_received: 2_500,
        post_count: 400,
        hidden: false,
    });
    forum.add_post(18350, 1204, 4, "jdupont");
    poll_now(&system).await;
    let measured = contact_when(&system, "discourse", "412", |p| {
        basis(p).contains("likes_received")
    })
    .await;
    assert_eq!(
        basis(&measured),
        "discourse trust_level 3, likes_received 2500, posts 400"
    );
    assert!(reach(&measured) > reach(&regular), "{measured}");
    assert!(reach(&measured) < reach(&wide));
    let summaries = forum_served
        .recorder
        .requests_to(http::Method::GET, "/u/jdupont/summary.json");
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].header("api-key"), Some(FORUM_KEY));
}

#[tokio::test]
async fn an_instagram_creators_followers_should_come_from_business_discovery() {
    const APP_SECRET: &str = "meta-app-secret-journey-0123456789";
    const PAGE_TOKEN: &str = "EAAGpage-token-journey-0123";
    let (graph_served, graph) = meta::start("104857", PAGE_TOKEN)
        .await
        .expect("Graph API double");
    let system = harness::system_with_parameters(
        harness::template(),
        liaison_local::registry::Registry::builtin(),
        &[("MetaGraphApiBase", &format!("{}/v21.0", graph_served.url))],
    )
    .await;
    let instagram = source(
        Platform::Meta,
        APP_SECRET,
        &[
            ("page_id", "104857"),
            ("instagram_account_id", INSTAGRAM_ACCOUNT),
        ],
        &[
            ("page_access_token", PAGE_TOKEN),
            ("verify_token", "vt-journey"),
        ],
    );
    system.resources.sources().create(&instagram).await.unwrap();

    // A creator (48,000 followers) and a personal account comment on the brand's post; the
    // webhook gives their usernames only.
    let body = e2e::fixture("meta/instagram-comments.json");
    let registered = Registered {
        id: instagram.id.clone(),
        platform: "meta".into(),
        secret: APP_SECRET.into(),
        created: Value::Null,
    };
    let delivered = post_signed(
        &system,
        &registered,
        APP_SECRET,
        &[("content-type", "application/json")],
        &body,
    )
    .await;
    assert_eq!(delivered.status().as_u16(), 202);
    let comment = |id: &str, username: &str, from_id: &str| PostComment {
        id: id.into(),
        username: username.into(),
        from_id: from_id.into(),
        timestamp: Utc::now() - chrono::Duration::minutes(30),
    };
    graph.posts.lock().unwrap().push(Post {
        id: "18045678901234567".into(),
        timestamp: Utc::now() - chrono::Duration::hours(2),
        comments: vec![
            comment("18123456789012345", "helene.lumiere", "1234567890123456"),
            comment("18234567890123456", "ada_lovelace", "2345678901234567"),
        ],
    });
    graph
        .businesses
        .lock()
        .unwrap()
        .insert("helene.lumiere".into(), 48_000);
    let before = contact_when(&system, "meta", "1234567890123456", |_| true).await;
    assert_eq!(reach(&before), 0.0, "the webhook says nothing of followers");

    poll_now(&system).await;
    let creator = contact_when(&system, "meta", "1234567890123456", |p| reach(p) > 0.0).await;
    assert_eq!(basis(&creator), "meta followers 48000");
    assert!(creator["profile"]["reach_at"].is_string(), "{creator}");
    // A personal account is not shown by business discovery: no reach, asked once.
    let personal = contact_when(&system, "meta", "2345678901234567", |_| true).await;
    assert_eq!(reach(&personal), 0.0, "{personal}");
    let discoveries = graph_served
        .recorder
        .requests_to(http::Method::GET, &format!("/v21.0/{INSTAGRAM_ACCOUNT}"));
    assert_eq!(discoveries.len(), 2);
    assert!(discoveries
        .iter()
        .all(|r| r.header("authorization") == Some(&format!("Bearer {PAGE_TOKEN}"))));
}
