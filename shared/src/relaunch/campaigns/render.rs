//! A relaunch step's email for a cart: MiniJinja templates (the HTML auto-escaped), the
//! values a marketer may use, link tracking, and the check made when a campaign is saved.
//!
//! Variables: `contact.first_name`; `cart.lines[]` (`title`, `quantity`, `unit_price`,
//! `line_total`, `image_url`, `url`), `cart.total`, `cart.currency`, `cart.recovery_url`;
//! `incentive_code`; `unsubscribe_url`; `callback_url` (a "call me back" link for sales).
//! An unknown variable is an error, found when the campaign is saved, with its line.

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use super::Content;

/// Instructions a render may take: ample for a cart of 100 lines.
const FUEL: u64 = 200_000;

#[derive(Debug, Clone, Serialize)]
pub struct Values {
    pub contact: ContactValues,
    pub cart: CartValues,
    pub incentive_code: Option<String>,
    pub unsubscribe_url: String,
    pub callback_url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactValues {
    pub first_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CartValues {
    pub lines: Vec<LineValues>,
    /// Decimal, two places: `49.90`.
    pub total: String,
    pub currency: String,
    pub recovery_url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LineValues {
    pub title: String,
    pub quantity: u32,
    pub unit_price: String,
    pub line_total: String,
    pub image_url: Option<String>,
    pub url: Option<String>,
}

impl Values {
    /// What a preview without a real cart shows, and what saving checks templates with.
    pub fn sample() -> Values {
        Values {
            contact: ContactValues {
                first_name: Some("Camille".into()),
            },
            cart: CartValues {
                lines: vec![LineValues {
                    title: "Lampe Atelier, laiton".into(),
                    quantity: 1,
                    unit_price: "89.00".into(),
                    line_total: "89.00".into(),
                    image_url: Some("https://shop.example/images/lampe.jpg".into()),
                    url: Some("https://shop.example/products/lampe-atelier".into()),
                }],
                total: "89.00".into(),
                currency: "EUR".into(),
                recovery_url: Some("https://shop.example/checkouts/sample/recover".into()),
            },
            incentive_code: Some("MERCI10".into()),
            unsubscribe_url: "https://liaison.example/t/u/SAMPLE".into(),
            callback_url: "https://liaison.example/t/b/SAMPLE".into(),
        }
    }
}

fn money(amount: rust_decimal::Decimal) -> String {
    format!("{:.2}", amount.round_dp(2))
}

impl Values {
    /// The values of a real cart as it is now.
    pub fn for_cart(
        cart: &crate::contracts::carts::CartRecord,
        incentive_code: Option<String>,
        unsubscribe_url: String,
        callback_url: String,
    ) -> Values {
        Values {
            contact: ContactValues {
                first_name: cart.first_name.clone(),
            },
            cart: CartValues {
                lines: cart
                    .lines
                    .iter()
                    .map(|l| LineValues {
                        title: l.title.clone(),
                        quantity: l.quantity,
                        unit_price: money(l.unit_price),
                        // Amounts are bounded at ingest (events::MAX_AMOUNT); checked all the same,
                        // since an overflow would abort the process and the batch with it.
                        line_total: l
                            .unit_price
                            .checked_mul(rust_decimal::Decimal::from(l.quantity))
                            .map(money)
                            .unwrap_or_default(),
                        image_url: l.image_url.clone(),
                        url: l.url.clone(),
                    })
                    .collect(),
                total: money(cart.total),
                currency: cart.currency.clone(),
                recovery_url: cart.recovery_url.clone(),
            },
            incentive_code,
            unsubscribe_url,
            callback_url,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// A template that does not render: which part, and why (with its line).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{part}: {message}")]
pub struct TemplateError {
    pub part: &'static str,
    pub message: String,
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(20);
    env
}

fn render_part(
    env: &Environment<'_>,
    part: &'static str,
    source: &str,
    values: &Values,
) -> Result<String, TemplateError> {
    // The name decides escaping: `.html` is auto-escaped, the rest is not.
    let name = if part == "html" {
        "step.html"
    } else {
        "step.txt"
    };
    env.render_named_str(name, source, values)
        .map_err(|e| TemplateError {
            part,
            message: crate::contracts::templates::worded(&e),
        })
}

/// The step's email with `values`; `track` turns each http(s) link of the HTML and text
/// into its tracked form (it may leave a link as it is).
pub fn render(
    content: &Content,
    values: &Values,
    track: &dyn Fn(&str) -> String,
) -> Result<Rendered, TemplateError> {
    let env = environment();
    let subject = render_part(&env, "subject", &content.subject, values)?;
    let html = render_part(&env, "html", &content.html, values)?;
    let text = render_part(&env, "text", &content.text, values)?;
    Ok(Rendered {
        // A header is one line: a line break in a subject could inject others.
        subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
        html: rewrite(&html, &HREF, track),
        text: rewrite(&text, &BARE_URL, track),
    })
}

/// Renders with sample values: the check made when a campaign is saved.
pub fn check(content: &Content) -> Result<(), TemplateError> {
    render(content, &Values::sample(), &|url| url.to_string()).map(|_| ())
}

static HREF: std::sync::LazyLock<regex_lite::Regex> = std::sync::LazyLock::new(|| {
    regex_lite::Regex::new(r#"(href\s*=\s*")([^"]+)(")"#).expect("a valid pattern")
});
static BARE_URL: std::sync::LazyLock<regex_lite::Regex> = std::sync::LazyLock::new(|| {
    regex_lite::Regex::new(r#"()(https?://[^\s<>"]+)()"#).expect("a valid pattern")
});

/// An attribute value as MiniJinja's escaping wrote it, read back.
fn unescape_attribute(value: &str) -> String {
    value
        .replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Each http(s) link matched (group 2, between groups 1 and 3) passed through `track`;
/// anything else left as it was. In HTML (group 1 not empty) the link is read back from
/// its escaped form and the tracked link written escaped.
fn rewrite(body: &str, pattern: &regex_lite::Regex, track: &dyn Fn(&str) -> String) -> String {
    pattern
        .replace_all(body, |caps: &regex_lite::Captures<'_>| {
            let html = !caps[1].is_empty();
            let url = if html {
                unescape_attribute(&caps[2])
            } else {
                caps[2].to_string()
            };
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return caps[0].to_string();
            }
            let tracked = track(&url);
            let tracked = if html {
                tracked.replace('&', "&amp;").replace('"', "&quot;")
            } else {
                tracked
            };
            format!("{}{}{}", &caps[1], tracked, &caps[3])
        })
        .into_owned()
}
