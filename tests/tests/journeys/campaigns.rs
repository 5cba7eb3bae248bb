//! Marketers write, check, schedule, pause, resume, duplicate, preview and delete relaunch
//! campaigns through the admin API.

use e2e::staff;
use liaison_local::harness;
use serde_json::{json, Value};

fn campaign() -> Value {
    json!({
        "name": "Paniers abandonnés",
        "priority": 1,
        "schedule": {"starts_at": "2026-01-01T00:00:00Z"},
        "entry": {"abandoned_after_minutes": 60, "currencies": ["EUR"]},
        "steps": [
            {"delay_minutes": 0, "subject": "{{ contact.first_name }}, votre panier vous attend",
             "html": "<p>{% for l in cart.lines %}{{ l.title }}{% endfor %}</p><a href=\"{{ cart.recovery_url }}\">Reprendre</a>",
             "text": "Reprendre : {{ cart.recovery_url }}"},
            {"delay_minutes": 1440, "subject": "Toujours là", "html": "<p>{{ cart.total }}</p>", "text": "{{ cart.total }}"}
        ],
        "send_window": {"start": "09:00", "end": "20:00", "time_zone": "Europe/Paris"}
    })
}

#[tokio::test]
async fn a_marketer_should_write_check_schedule_pause_and_preview_a_campaign() {
    let system = harness::system().await;
    let m = "liaison-marketer";
    let (status, _) = staff(
        &system,
        "POST",
        "/admin/campaigns",
        "liaison-support",
        Some(campaign()),
    )
    .await;
    assert_eq!(status, 403);
    let mut broken = campaign();
    broken["steps"][0]["html"] = json!("<p>ok</p>\n{{ cart.totl }}");
    let (status, body) = staff(&system, "POST", "/admin/campaigns", m, Some(broken)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["field"], "steps[0].html");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("line 2"),
        "{body}"
    );

    let (status, created) = staff(&system, "POST", "/admin/campaigns", m, Some(campaign())).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "draft");
    let id = created["id"].as_str().unwrap().to_string();
    let path = |suffix: &str| format!("/admin/campaigns/{id}{suffix}");

    let (status, scheduled) = staff(&system, "POST", &path("/schedule"), m, None).await;
    assert_eq!(status, 200, "{scheduled}");
    assert_eq!(scheduled["status"], "active", "its start date is past");
    let (status, _) = staff(&system, "POST", &path("/schedule"), m, None).await;
    assert_eq!(status, 409, "already scheduled");
    let (_, paused) = staff(&system, "POST", &path("/pause"), m, None).await;
    assert_eq!(paused["status"], "paused");
    let (_, resumed) = staff(&system, "POST", &path("/resume"), m, None).await;
    assert_eq!(resumed["status"], "active");

    let mut edited = campaign();
    edited["name"] = json!("Paniers abandonnés, hiver");
    let (status, replaced) = staff(&system, "PUT", &path(""), m, Some(edited)).await;
    assert_eq!(status, 200);
    assert_eq!(
        (replaced["name"].as_str(), replaced["status"].as_str()),
        (Some("Paniers abandonnés, hiver"), Some("active"))
    );

    let (status, preview) = staff(
        &system,
        "POST",
        &path("/preview"),
        m,
        Some(json!({"step": 0})),
    )
    .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["subject"], "Camille, votre panier vous attend");
    assert!(preview["html"].as_str().unwrap().contains("Lampe Atelier"));
    let (status, _) = staff(
        &system,
        "POST",
        &path("/preview"),
        m,
        Some(json!({"step": 5})),
    )
    .await;
    assert_eq!(status, 400);
    // The content being typed, not yet saved, is what the preview shows; a slip in it is
    // named by its part, and the saved campaign is untouched.
    let editing = json!({"subject": "{{ contact.first_name }}, encore là ?",
        "html": "<p>{{ cart.lines[0].title }}</p>", "text": "{{ cart.total }}"});
    let (status, preview) = staff(
        &system,
        "POST",
        &path("/preview"),
        m,
        Some(json!({"step": 0, "content": editing})),
    )
    .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["subject"], "Camille, encore là ?");
    assert_eq!(preview["html"], "<p>Lampe Atelier, laiton</p>");
    let broken = json!({"subject": "ok", "html": "<p>{{ cart.totl }}</p>", "text": "t"});
    let (status, error) = staff(
        &system,
        "POST",
        &path("/preview"),
        m,
        Some(json!({"step": 0, "content": broken})),
    )
    .await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["error"]["field"], "content.html", "{error}");
    let (_, saved) = staff(&system, "GET", &path(""), m, None).await;
    assert_eq!(
        saved["steps"][0]["subject"],
        json!(replaced["steps"][0]["subject"])
    );

    let (status, copy) = staff(&system, "POST", &path("/duplicate"), m, None).await;
    assert_eq!(status, 201);
    assert_eq!(copy["status"], "draft");
    assert_eq!(copy["name"], "Paniers abandonnés, hiver (copy)");
    let (_, listed) = staff(&system, "GET", "/admin/campaigns", m, None).await;
    assert_eq!(listed["campaigns"].as_array().unwrap().len(), 2);

    let (status, _) = staff(&system, "DELETE", &path(""), m, None).await;
    assert_eq!(status, 204);
    let (status, _) = staff(&system, "GET", &path(""), m, None).await;
    assert_eq!(status, 404);
    let (status, _) = staff(&system, "POST", &path("/launch"), m, None).await;
    assert_eq!(status, 404);
}
