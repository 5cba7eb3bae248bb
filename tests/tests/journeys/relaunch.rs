//! Relaunch campaigns end to end through the local runner, with its clock moved forward:
//! Shopify checkouts come in signed, the scheduler and the sender run on their own (every
//! minute of the runner's clock, and on the `sends` queue), and what went out is read back
//! from moto's SES store as MIME.
//!
//! - A consenting buyer's abandoned cart gets step 1 then step 2, each once, showing the
//!   cart as it is at send time, with one-click unsubscribe headers and tracked links; a
//!   click then an order converts the cart, stops step 3, and the stats show the revenue.
//! - An unsubscribe stops everything for that contact.
//! - A step due in quiet hours waits for the window to open.
//! - An address SES reported as permanently bounced gets nothing.

use e2e::SendChecked;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use e2e::fixture;
use e2e::platforms::{post_signed, register, Registered};
use liaison_local::harness::{self, TestSystem};
use serde_json::{json, Value};
use shared::contracts::carts::cart_key;

const SECRET: &str = "shpss_9a1c7e3f5b2d4e6f8a0c";

async fn post(system: &TestSystem, source: &Registered, topic: &str, event_id: &str, body: &Value) {
    let headers = [
        ("x-shopify-topic", topic),
        ("x-shopify-event-id", event_id),
        ("x-shopify-webhook-id", event_id),
        ("content-type", "application/json"),
    ];
    let body = serde_json::to_vec(body).unwrap();
    let resp = post_signed(system, source, SECRET, &headers, &body).await;
    assert_eq!(resp.status().as_u16(), 202, "{topic}");
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A buyer of this test: their address and the tokens of their checkout.
struct Buyer {
    email: String,
    cart_token: String,
    checkout_token: String,
}

impl Buyer {
    fn new(tag: &str) -> Buyer {
        let unique = format!("{tag}{}", Utc::now().timestamp_micros());
        Buyer {
            email: format!("{unique}@example.fr"),
            cart_token: format!("cart-{unique}"),
            checkout_token: format!("chk-{unique}"),
        }
    }

    /// The Shopify checkout fixture as this buyer's, updated at `at`, with `title` as its
    /// first line's product.
    fn checkout(&self, at: DateTime<Utc>, title: &str) -> Value {
        let mut body: Value =
            serde_json::from_slice(&fixture("shopify/checkouts-update.json")).unwrap();
        body["email"] = json!(self.email);
        body["customer"]["email"] = json!(self.email);
        body["cart_token"] = json!(self.cart_token);
        body["token"] = json!(self.checkout_token);
        body["updated_at"] = json!(stamp(at));
        body["line_items"][0]["title"] = json!(title);
        body
    }

    fn order(&self, at: DateTime<Utc>) -> Value {
        let mut body: Value =
            serde_json::from_slice(&fixture("shopify/orders-create.json")).unwrap();
        for field in ["email", "contact_email"] {
            body[field] = json!(self.email);
        }
        body["customer"]["email"] = json!(self.email);
        body["cart_token"] = json!(self.cart_token);
        body["checkout_token"] = json!(self.checkout_token);
        body["created_at"] = json!(stamp(at));
        body["processed_at"] = json!(stamp(at));
        body
    }
}

fn campaign(window: Option<Value>) -> Value {
    let mut spec = json!({
        "name": "Paniers abandonnés", "schedule": {"starts_at": "2026-01-01T00:00:00Z"},
        "entry": {"abandoned_after_minutes": 60},
        "steps": [
            {"delay_minutes": 0, "subject": "{{ contact.first_name }}, votre panier vous attend",
             "html": "<p>Bonjour {{ contact.first_name }}</p>{% for line in cart.lines %}<p><a href=\"{{ line.url or cart.recovery_url }}\">{{ line.title }}</a> {{ line.line_total }} {{ cart.currency }}</p>{% endfor %}<p><a href=\"{{ cart.recovery_url }}\">Reprendre</a> <a href=\"{{ callback_url }}\">Être rappelé</a> <a href=\"{{ unsubscribe_url }}\">Se désabonner</a></p>",
             "text": "{% for line in cart.lines %}{{ line.title }}\n{% endfor %}Reprendre : {{ cart.recovery_url }}\nSe désabonner : {{ unsubscribe_url }}"},
            {"delay_minutes": 1440, "subject": "Toujours là : {{ cart.lines[0].title }}",
             "html": "<p>{{ cart.lines[0].title }}</p><p><a href=\"{{ cart.recovery_url }}\">Reprendre</a></p>",
             "text": "{{ cart.lines[0].title }} {{ cart.recovery_url }}",
             "incentive_code": "MERCI10"},
            {"delay_minutes": 4320, "subject": "Dernier rappel", "html": "<p>{{ incentive_code }}</p>", "text": "{{ incentive_code }}", "incentive_code": "MERCI15"}
        ],
        "utm": {"source": "liaison", "medium": "email", "campaign": "relance"}
    });
    if let Some(window) = window {
        spec["send_window"] = window;
    }
    spec
}

async fn start(system: &TestSystem, spec: Value) -> String {
    let (status, created) = e2e::staff(
        system,
        "POST",
        "/admin/campaigns",
        "liaison-marketer",
        Some(spec),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let (status, body) = e2e::staff(
        system,
        "POST",
        &format!("/admin/campaigns/{id}/schedule"),
        "liaison-marketer",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    id
}

async fn shop(system: &TestSystem) -> Registered {
    register(
        system,
        json!({"platform": "shopify", "name": "Maison Lumière", "secret": SECRET}),
    )
    .await
}

/// An email moto recorded, parsed.
struct Sent {
    raw: Vec<u8>,
}

impl Sent {
    /// The path of its one-click unsubscribe link (`List-Unsubscribe`).
    fn unsubscribe_path(&self) -> String {
        let header = self.header("List-Unsubscribe");
        let url = header.trim_matches(|c| c == '<' || c == '>');
        url[url.find("/t/u/").unwrap()..].to_string()
    }

    fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.raw)
            .expect("MIME")
    }
    fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_string()
    }
    fn header(&self, name: &str) -> String {
        let parsed = self.parsed();
        parsed
            .header_raw(name)
            .unwrap_or_default()
            .trim()
            .to_string()
    }
    fn html(&self) -> String {
        self.parsed().body_html(0).unwrap_or_default().to_string()
    }
    fn text(&self) -> String {
        self.parsed().body_text(0).unwrap_or_default().to_string()
    }
}

/// The relaunch emails to `to` that moto has recorded, oldest first.
async fn sent_to(system: &TestSystem, to: &str) -> Vec<Sent> {
    system
        .resources
        .sent_emails()
        .await
        .into_iter()
        .filter_map(|m| m["raw_data"].as_str().map(str::to_string))
        .filter(|raw| raw.contains(to))
        .map(|raw| Sent {
            raw: raw.into_bytes(),
        })
        .collect()
}

/// Waits until `count` emails went to `to` (20 s at most), then a little longer to be sure
/// no more come.
async fn wait_for_emails(system: &TestSystem, to: &str, count: usize) -> Vec<Sent> {
    for _ in 0..200 {
        if sent_to(system, to).await.len() >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let sent = sent_to(system, to).await;
    assert_eq!(sent.len(), count, "emails to the buyer");
    sent
}

fn advance(system: &TestSystem, minutes: i64) {
    system
        .running
        .clock
        .advance(chrono::Duration::minutes(minutes));
}

/// What a mail client does with `List-Unsubscribe-Post` (RFC 8058).
async fn one_click_unsubscribe(system: &TestSystem, path: &str) {
    let resp = reqwest::Client::new()
        .post(system.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send_checked()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
}

async fn stats(system: &TestSystem, campaign: &str) -> Value {
    let (status, body) = e2e::staff(
        system,
        "GET",
        &format!("/admin/campaigns/{campaign}/stats"),
        "liaison-marketer",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

fn step(stats: &Value, n: u64) -> &Value {
    stats["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == n)
        .unwrap_or_else(|| panic!("no step {n} in {stats}"))
}

/// The one link of `html` that follows `marker` (an `href` before it).
fn tracked_links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|l| l.replace("&amp;", "&"))
        .collect()
}

#[tokio::test]
async fn an_abandoned_cart_should_get_each_step_once_until_a_click_and_an_order_convert_it() {
    let system = harness::system().await;
    let campaign_id = start(&system, campaign(None)).await;
    let source = shop(&system).await;
    let buyer = Buyer::new("relaunch");
    let now = system.running.clock.now();
    post(
        &system,
        &source,
        "checkouts/update",
        "ev-r-1",
        &buyer.checkout(now, "Lampe Atelier"),
    )
    .await;
    let id = cart_key(&source.id, &buyer.cart_token);
    e2e::cart_when(&system, &id, |c| c.due_at.is_some()).await;

    // Step 1, an hour after the last activity: once, with the cart, the one-click
    // unsubscribe headers and tracked links carrying the UTM tags.
    advance(&system, 61);
    let sent = wait_for_emails(&system, &buyer.email, 1).await;
    let first = &sent[0];
    assert_eq!(first.subject(), "Jean, votre panier vous attend");
    assert!(first.html().contains("Lampe Atelier"), "{}", first.html());
    let unsubscribe = first.header("List-Unsubscribe");
    assert!(
        unsubscribe.starts_with('<') && unsubscribe.contains("/t/u/"),
        "{unsubscribe}"
    );
    assert_eq!(
        first.header("List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click"
    );
    let links = tracked_links(&first.html());
    assert!(
        links.iter().filter(|l| l.contains("/t/c/")).count() >= 2,
        "{links:?}"
    );
    assert!(
        links.iter().any(|l| l.contains("/t/u/")),
        "unsubscribe kept as is: {links:?}"
    );
    assert!(first.text().contains("/t/c/"), "{}", first.text());

    // The cart changes before step 2: the email shows it as it is then.
    let changed = system.running.clock.now();
    post(
        &system,
        &source,
        "checkouts/update",
        "ev-r-2",
        &buyer.checkout(changed, "Applique Rivage"),
    )
    .await;
    e2e::cart_when(&system, &id, |c| {
        c.lines[0].title == "Applique Rivage" && c.next_step == Some(1)
    })
    .await;
    advance(&system, 60 + 1440 + 1);
    let sent = wait_for_emails(&system, &buyer.email, 2).await;
    let second = sent
        .iter()
        .find(|s| s.subject().starts_with("Toujours là"))
        .expect("step 2");
    assert_eq!(second.subject(), "Toujours là : Applique Rivage");

    // A click: counted, and redirected to the shop's link with the UTM tags.
    let click = tracked_links(&second.html())
        .into_iter()
        .find(|l| l.contains("/t/c/"))
        .expect("a tracked link");
    let path = &click[click.find("/t/c/").unwrap()..];
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = no_redirects
        .get(system.url(path))
        .send_checked()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with("https://maison-lumiere.fr/"),
        "{location}"
    );
    assert!(
        location.contains("utm_source=liaison&utm_medium=email&utm_campaign=relance"),
        "{location}"
    );
    // A forged token redirects nowhere.
    let forged = format!("{}x", &path[..path.len() - 1]);
    let resp = no_redirects
        .get(system.url(&forged))
        .send_checked()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);

    // The order converts the cart and is owed to step 2's email.
    let ordered = system.running.clock.now();
    post(
        &system,
        &source,
        "orders/create",
        "ev-r-3",
        &buyer.order(ordered),
    )
    .await;
    let converted = e2e::cart_when(&system, &id, |c| c.order_id.is_some()).await;
    let owed = converted.attribution.expect("attributed");
    assert_eq!(
        (owed.campaign_id.as_str(), owed.step),
        (campaign_id.as_str(), 1)
    );

    // Step 3 never goes.
    advance(&system, 4320);
    wait_for_emails(&system, &buyer.email, 2).await;

    let stats = stats(&system, &campaign_id).await;
    assert_eq!(stats["entered"], 1, "{stats}");
    assert_eq!(stats["converted"], 1, "{stats}");
    let revenue: f64 = stats["revenue"]["EUR"]
        .as_str()
        .unwrap_or("0")
        .parse()
        .unwrap();
    assert!((revenue - 212.30).abs() < 1e-9, "{stats}");
    // Revenue over time: the day the order was counted holds it.
    let days = stats["by_day"].as_array().unwrap();
    assert_eq!(days.len(), 1, "{stats}");
    assert_eq!(days[0]["converted"], 1, "{stats}");
    assert_eq!(days[0]["revenue"], stats["revenue"], "{stats}");
    assert_eq!(step(&stats, 0)["sent"], 1, "{stats}");
    assert_eq!(step(&stats, 1)["sent"], 1, "{stats}");
    assert_eq!(step(&stats, 1)["clicked"], 1, "{stats}");
    assert_eq!(step(&stats, 1)["converted"], 1, "{stats}");
}

#[tokio::test]
async fn an_unsubscribe_should_stop_every_relaunch_for_the_contact() {
    let system = harness::system().await;
    let campaign_id = start(&system, campaign(None)).await;
    let source = shop(&system).await;
    let buyer = Buyer::new("unsub");
    post(
        &system,
        &source,
        "checkouts/update",
        "ev-u-1",
        &buyer.checkout(system.running.clock.now(), "Lampe"),
    )
    .await;
    let id = cart_key(&source.id, &buyer.cart_token);
    e2e::cart_when(&system, &id, |c| c.due_at.is_some()).await;
    advance(&system, 61);
    let sent = wait_for_emails(&system, &buyer.email, 1).await;
    // "Call me back": a page to confirm (scanners follow links), then one task for sales,
    // however often it is asked.
    let callback = tracked_links(&sent[0].html())
        .into_iter()
        .find(|l| l.contains("/t/b/"))
        .expect("a call-me-back link");
    let callback = &callback[callback.find("/t/b/").unwrap()..];
    let page = reqwest::Client::new()
        .get(system.url(callback))
        .send_checked()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let form = page.text().await.unwrap();
    assert!(
        form.contains("type=\"tel\" name=\"phone\" required"),
        "{form}"
    );
    let post = |body: &'static str| {
        reqwest::Client::new()
            .post(system.url(callback))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send_checked()
    };
    // A number no one can dial: the form again, with why, and nothing recorded.
    let refused = post("phone=06+12&slot=evening").await.unwrap();
    assert_eq!(refused.status().as_u16(), 400);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("This number is not valid"), "{refused}");
    assert!(
        refused.contains("value=\"06 12\""),
        "the buyer's input kept: {refused}"
    );
    assert!(refused.contains("value=\"evening\" selected"), "{refused}");
    let (_, none) = e2e::staff(&system, "GET", "/admin/callbacks", "liaison-sales", None).await;
    assert_eq!(none["callbacks"], json!([]), "{none}");
    for _ in 0..2 {
        let resp = post("phone=06+12+34+56+78&slot=evening").await.unwrap();
        assert_eq!(resp.status().as_u16(), 200);
    }
    let (status, tasks) =
        e2e::staff(&system, "GET", "/admin/callbacks", "liaison-sales", None).await;
    assert_eq!(status, 200, "{tasks}");
    let tasks = tasks["callbacks"].as_array().cloned().unwrap_or_default();
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(tasks[0]["campaign_id"], campaign_id.as_str());
    assert_eq!(
        tasks[0]["phone"], "+33612345678",
        "stored as E.164: {tasks:?}"
    );
    assert_eq!(tasks[0]["slot"], "evening");
    // Asked twice, told once: callback.requested for the brand's endpoints.
    let told = system
        .resources
        .published_events("callback.requested")
        .await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains(tasks[0]["id"].as_str().unwrap()) && told[0].contains("+33612345678"),
        "{told:?}"
    );

    let path = sent[0].unsubscribe_path();

    // The page changes nothing (mail scanners follow links); the one-click POST does.
    let page = reqwest::Client::new()
        .get(system.url(&path))
        .send_checked()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("<form method=\"post\">"));
    one_click_unsubscribe(&system, &path).await;
    let told = system.resources.published_events("consent.changed").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains("unsubscribed"), "{told:?}");

    advance(&system, 1441);
    wait_for_emails(&system, &buyer.email, 1).await;
    let stopped = e2e::cart_when(&system, &id, |c| c.due_at.is_none()).await;
    assert_eq!(stopped.next_step, Some(1));
    let stats = stats(&system, &campaign_id).await;
    assert_eq!(step(&stats, 0)["unsubscribed"], 1, "{stats}");
    assert_eq!(step(&stats, 1)["skipped"]["unsubscribed"], 1, "{stats}");
}

#[tokio::test]
async fn a_step_due_in_quiet_hours_should_wait_for_the_window() {
    let system = harness::system().await;
    // A one-hour window opening three hours from now (UTC).
    let now = system.running.clock.now();
    let open = now + chrono::Duration::hours(3);
    let window = json!({
        "start": open.format("%H:00").to_string(),
        "end": (open + chrono::Duration::hours(1)).format("%H:00").to_string(),
        "time_zone": "UTC"
    });
    let campaign_id = start(&system, campaign(Some(window))).await;
    let source = shop(&system).await;
    let buyer = Buyer::new("quiet");
    post(
        &system,
        &source,
        "checkouts/update",
        "ev-q-1",
        &buyer.checkout(now, "Lampe"),
    )
    .await;
    let id = cart_key(&source.id, &buyer.cart_token);
    e2e::cart_when(&system, &id, |c| c.due_at.is_some()).await;

    advance(&system, 61);
    let deferred = e2e::cart_when(&system, &id, |c| {
        c.due_at
            .is_some_and(|d| d > now + chrono::Duration::minutes(61))
    })
    .await;
    let opening: DateTime<Utc> = open
        .format("%Y-%m-%dT%H:00:00Z")
        .to_string()
        .parse()
        .unwrap();
    assert_eq!(deferred.due_at, Some(opening));
    wait_for_emails(&system, &buyer.email, 0).await;

    let until_open = (opening - system.running.clock.now()).num_minutes() + 1;
    advance(&system, until_open);
    wait_for_emails(&system, &buyer.email, 1).await;
    let stats = stats(&system, &campaign_id).await;
    assert_eq!(step(&stats, 0)["deferred"]["quiet"], 1, "{stats}");
    assert_eq!(step(&stats, 0)["sent"], 1, "{stats}");
}

#[tokio::test]
async fn an_address_that_bounced_permanently_should_get_nothing() {
    let system = harness::system().await;
    let campaign_id = start(&system, campaign(None)).await;
    let source = shop(&system).await;
    let buyer = Buyer::new("bounced");
    // SES reported a permanent bounce for this address (through SNS, to ses-events).
    let event = json!({
        "eventType": "Bounce",
        "mail": {"timestamp": stamp(Utc::now()), "messageId": "0100-earlier", "destination": [buyer.email], "tags": {}},
        "bounce": {"bounceType": "Permanent", "bounceSubType": "General", "timestamp": stamp(Utc::now()),
                   "bouncedRecipients": [{"emailAddress": buyer.email}]}
    });
    let envelope = json!({"Type": "Notification", "MessageId": "sns-1", "TopicArn": "arn:aws:sns:eu-west-3:000000000000:ses-events",
                          "Message": event.to_string(), "Timestamp": stamp(Utc::now())});
    system
        .resources
        .clients
        .sqs
        .send_message()
        .queue_url(system.resources.queue_url("SesEventsQueue"))
        .message_body(envelope.to_string())
        .send()
        .await
        .unwrap();
    for _ in 0..100 {
        if system.resources.count_items("SuppressionTable").await > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    post(
        &system,
        &source,
        "checkouts/update",
        "ev-b-1",
        &buyer.checkout(system.running.clock.now(), "Lampe"),
    )
    .await;
    let id = cart_key(&source.id, &buyer.cart_token);
    e2e::cart_when(&system, &id, |c| c.due_at.is_some()).await;
    advance(&system, 61);
    e2e::cart_when(&system, &id, |c| c.due_at.is_none()).await;
    wait_for_emails(&system, &buyer.email, 0).await;
    let stats = stats(&system, &campaign_id).await;
    assert_eq!(step(&stats, 0)["skipped"]["suppressed"], 1, "{stats}");
}

#[tokio::test]
async fn an_unsubscribed_address_should_get_nothing_after_its_contact_is_merged() {
    let system = harness::system().await;
    let campaign_id = start(&system, campaign(None)).await;
    let source = shop(&system).await;
    let buyer = Buyer::new("merged");
    // Someone who commented on the blog (signed now, before the clock moves).
    let blog = e2e::create_source(&system, "blog").await;
    let other = e2e::deliver_contribution(
        &system,
        &blog,
        "m-other",
        json!({"id": "c-other", "kind": "comment", "text": "Jolie lampe, merci !",
               "created_at": "2026-11-23T10:00:00Z",
               "author": {"name": "Jean", "email": format!("work-{}", buyer.email)}}),
    )
    .await;
    let keeper = e2e::recorded(&system, &other).await.unwrap()["contact_id"]
        .as_str()
        .unwrap()
        .to_string();
    post(
        &system,
        &source,
        "checkouts/update",
        "ev-m-1",
        &buyer.checkout(system.running.clock.now(), "Lampe"),
    )
    .await;
    let first = cart_key(&source.id, &buyer.cart_token);
    let cart = e2e::cart_when(&system, &first, |c| c.due_at.is_some()).await;
    let unsubscribed = cart.contact_id.clone().unwrap();
    advance(&system, 61);
    let sent = wait_for_emails(&system, &buyer.email, 1).await;
    one_click_unsubscribe(&system, &sent[0].unsubscribe_path()).await;
    assert_eq!(system.resources.count_items("SuppressionTable").await, 1);

    // Staff merge the unsubscribed contact into another one, who never unsubscribed.
    let (status, merged) = e2e::staff(
        &system,
        "POST",
        &format!("/admin/contacts/{keeper}/merge"),
        "liaison-admin",
        Some(json!({"from": unsubscribed})),
    )
    .await;
    assert_eq!(status, 200, "{merged}");

    // A new cart with the same address now belongs to the merged contact: still nothing.
    let again = Buyer {
        cart_token: format!("{}-2", buyer.cart_token),
        checkout_token: format!("{}-2", buyer.checkout_token),
        email: buyer.email.clone(),
    };
    post(
        &system,
        &source,
        "checkouts/update",
        "ev-m-2",
        &again.checkout(system.running.clock.now(), "Lampe"),
    )
    .await;
    let second = cart_key(&source.id, &again.cart_token);
    let cart = e2e::cart_when(&system, &second, |c| c.due_at.is_some()).await;
    assert_eq!(cart.contact_id.as_deref(), Some(keeper.as_str()));
    advance(&system, 61);
    e2e::cart_when(&system, &second, |c| c.due_at.is_none()).await;
    assert_eq!(wait_for_emails(&system, &buyer.email, 1).await.len(), 1);
    let stats = stats(&system, &campaign_id).await;
    assert_eq!(step(&stats, 0)["skipped"]["suppressed"], 1, "{stats}");
}
