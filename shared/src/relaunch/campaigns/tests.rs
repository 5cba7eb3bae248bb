use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::render::{render, Values};
use super::schedule::*;
use super::*;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub fn spec() -> serde_json::Value {
    json!({
        "name": "Paniers abandonnés",
        "priority": 1,
        "schedule": {"starts_at": "2026-11-01T00:00:00Z"},
        "entry": {"abandoned_after_minutes": 60, "min_value": "20.00", "currencies": ["EUR"]},
        "steps": [
            {"delay_minutes": 0, "subject": "{{ contact.first_name }}, votre panier vous attend",
             "html": "<p>Bonjour {{ contact.first_name }}</p>{% for l in cart.lines %}<p>{{ l.title }} × {{ l.quantity }}</p>{% endfor %}<a href=\"{{ cart.recovery_url }}\">Reprendre</a> <a href=\"{{ unsubscribe_url }}\">Se désinscrire</a>",
             "text": "Reprendre : {{ cart.recovery_url }}\nSe désinscrire : {{ unsubscribe_url }}"},
            {"delay_minutes": 1440, "subject": "Toujours intéressé ?", "html": "<p>{{ cart.total }} {{ cart.currency }}</p>",
             "text": "{{ cart.total }} {{ cart.currency }}", "incentive_code": "MERCI10",
             "variant_b": {"percent": 50, "subject": "-10 % avec {{ incentive_code }}", "html": "<p>{{ incentive_code }}</p>", "text": "{{ incentive_code }}"}}
        ],
        "send_window": {"start": "09:00", "end": "20:00", "time_zone": "Europe/Paris"},
        "consent": "first_step_only",
        "utm": {"source": "liaison", "medium": "email", "campaign": "paniers"}
    })
}

fn field_of(value: serde_json::Value) -> String {
    let spec: CampaignSpec = serde_json::from_value(value).unwrap();
    match spec.validate() {
        Err(Error::Validation { field, message }) => {
            format!("{} {message}", field.unwrap_or_default())
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_complete_campaign_should_be_valid() {
    let spec: CampaignSpec = serde_json::from_value(spec()).unwrap();
    spec.validate().unwrap();
}

#[test]
fn bad_campaigns_should_name_the_field_and_a_template_its_line() {
    let mut s = spec();
    s["steps"][1]["delay_minutes"] = json!(0);
    assert!(field_of(s).starts_with("steps[1].delay_minutes"));
    let mut s = spec();
    s["entry"]["currencies"] = json!(["euro"]);
    assert!(field_of(s).starts_with("entry.currencies"));
    let mut s = spec();
    s["send_window"]["time_zone"] = json!("Mars/Olympus");
    assert!(field_of(s).starts_with("send_window.time_zone"));
    let mut s = spec();
    s["steps"][0]["html"] = json!("<p>ok</p>\n<p>{{ cart.totl }}</p>");
    let message = field_of(s);
    assert!(message.starts_with("steps[0].html line 2"), "{message}");
    let mut s = spec();
    s["steps"][1]["variant_b"]["text"] = json!("{% for %}");
    assert!(field_of(s).starts_with("steps[1].variant_b.text line 1"));
}

#[test]
fn the_highest_priority_active_campaign_should_take_a_fitting_cart() {
    let now = at("2026-11-23T10:00:00Z");
    let campaign = |id: &str, priority: i32, status: Status| {
        let mut spec: CampaignSpec = serde_json::from_value(spec()).unwrap();
        spec.priority = priority;
        Campaign {
            id: id.into(),
            status,
            spec,
            created_at: at("2026-11-01T00:00:00Z"),
            updated_at: at("2026-11-01T00:00:00Z"),
            updated_by: "m".into(),
        }
    };
    let campaigns = [
        campaign("low", 1, Status::Scheduled),
        campaign("high", 5, Status::Scheduled),
        campaign("paused", 9, Status::Paused),
        campaign("draft", 9, Status::Draft),
    ];
    let cart = |currency: &'static str, total: &str| CartFacts {
        source_id: "src_1",
        currency,
        total: total.parse().unwrap(),
    };
    assert_eq!(
        choose(&campaigns, &cart("EUR", "50"), now).unwrap().id,
        "high"
    );
    assert!(choose(&campaigns, &cart("USD", "50"), now).is_none());
    assert!(choose(&campaigns, &cart("EUR", "10"), now).is_none());
    assert!(choose(&campaigns, &cart("EUR", "50"), at("2026-10-01T00:00:00Z")).is_none());
}

#[test]
fn quiet_hours_should_defer_to_the_next_opening_in_the_recipients_zone() {
    let window = SendWindow {
        start: "09:00".into(),
        end: "20:00".into(),
        time_zone: "Europe/Paris".into(),
    };
    // 22:30 in Paris (UTC+1 in November): tomorrow 09:00 Paris = 08:00 UTC.
    assert_eq!(
        next_allowed(at("2026-11-23T21:30:00Z"), &window, None),
        at("2026-11-24T08:00:00Z")
    );
    // 06:00 Paris: today 09:00.
    assert_eq!(
        next_allowed(at("2026-11-23T05:00:00Z"), &window, None),
        at("2026-11-23T08:00:00Z")
    );
    let open = at("2026-11-23T12:00:00Z");
    assert_eq!(next_allowed(open, &window, None), open);
    // The recipient's own zone wins: 12:00 UTC is 07:00 in New York.
    assert_eq!(
        next_allowed(open, &window, Some("America/New_York")),
        at("2026-11-23T14:00:00Z")
    );
    // A window across midnight.
    let night = SendWindow {
        start: "21:00".into(),
        end: "02:00".into(),
        time_zone: "UTC".into(),
    };
    assert_eq!(
        next_allowed(at("2026-11-23T23:00:00Z"), &night, None),
        at("2026-11-23T23:00:00Z")
    );
    assert_eq!(
        next_allowed(at("2026-11-23T03:00:00Z"), &night, None),
        at("2026-11-23T21:00:00Z")
    );
    // Spring forward in Paris: 02:30 does not exist on 2026-03-29; the opening moves on.
    let early = SendWindow {
        start: "02:30".into(),
        end: "05:00".into(),
        time_zone: "Europe/Paris".into(),
    };
    assert_eq!(
        next_allowed(at("2026-03-28T23:00:00Z"), &early, None),
        at("2026-03-29T01:00:00Z")
    );
}

#[test]
fn the_cap_variants_and_buckets_should_be_steady() {
    let now = at("2026-11-23T10:00:00Z");
    assert_eq!(capped_until(None, 24, now), None);
    assert_eq!(
        capped_until(Some(now - Duration::hours(2)), 24, now),
        Some(now + Duration::hours(22))
    );
    assert_eq!(capped_until(Some(now - Duration::hours(25)), 24, now), None);
    let b = (0..1000)
        .filter(|i| variant(&format!("crt_{i}"), 1, Some(30)) == "B")
        .count();
    assert!((250..350).contains(&b), "{b}");
    assert_eq!(variant("crt_1", 1, Some(30)), variant("crt_1", 1, Some(30)));
    assert_eq!(variant("crt_1", 1, None), "A");
    assert_eq!(bucket(at("2026-11-23T10:59:59Z")), "2026-11-23T10");
    assert_eq!(
        buckets_between(at("2026-11-23T08:30:00Z"), at("2026-11-23T10:00:00Z")),
        ["2026-11-23T08", "2026-11-23T09", "2026-11-23T10"]
    );
}

#[test]
fn a_step_should_render_escaped_html_with_tracked_links() {
    let spec: CampaignSpec = serde_json::from_value(spec()).unwrap();
    let mut values = Values::sample();
    values.cart.lines[0].title = "<script>x</script>".into();
    values.cart.recovery_url = Some("https://shop.example/recover?a=1&b=2".into());
    let track = |url: &str| {
        if url.contains("/t/u/") {
            url.to_string()
        } else {
            format!("https://liaison.example/t/c/{}", url.len())
        }
    };
    let out = render(&spec.steps[0].content, &values, &track).unwrap();
    assert_eq!(out.subject, "Camille, votre panier vous attend");
    assert!(out.html.contains("&lt;script&gt;"), "{}", out.html);
    assert!(
        out.html.contains("href=\"https://liaison.example/t/c/36\""),
        "{}",
        out.html
    );
    assert!(out
        .html
        .contains("href=\"https://liaison.example/t/u/SAMPLE\""));
    assert!(
        out.text
            .contains("Reprendre : https://liaison.example/t/c/36"),
        "{}",
        out.text
    );
}
