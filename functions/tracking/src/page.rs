//! The small pages the public links answer with: plain HTML, bilingual, nothing to load.

use aws_lambda_events::http::HeaderValue;
use shared::kit::http::{self, Response};
use shared::relaunch::callbacks::Slot;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"fr\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><meta name=\"robots\" content=\"noindex\"><title>{}</title><body style=\"font-family:sans-serif;max-width:32em;margin:4em auto\"><h1>{}</h1>{body}</body></html>",
        escape(title),
        escape(title)
    )
}

pub fn page(status: u16, title: &str, message: &str) -> Response {
    http::text(
        status,
        "text/html; charset=utf-8",
        document(title, &format!("<p>{}</p>", escape(message))),
    )
}

/// A page whose one button POSTs to the same URL: what a person confirms, and a mail
/// scanner following the link does not.
pub fn form(title: &str, message: &str, button: &str) -> Response {
    http::text(
        200,
        "text/html; charset=utf-8",
        document(
            title,
            &format!(
                "<p>{}</p><form method=\"post\"><button type=\"submit\">{}</button></form>",
                escape(message),
                escape(button)
            ),
        ),
    )
}

/// The call-me-back form: a phone number (required, `type=tel`) and a time slot, POSTed to
/// the same URL; `error` (shown above it, and the page answered 400) and the buyer's input
/// kept when a number was refused.
pub fn callback_form(error: Option<&str>, phone: &str, slot: Slot) -> Response {
    let options: String = Slot::ALL
        .iter()
        .map(|s| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                s.as_str(),
                if *s == slot { " selected" } else { "" },
                escape(s.label())
            )
        })
        .collect();
    let alert = error.map_or_else(String::new, |e| {
        format!("<p role=\"alert\" style=\"color:#a00\">{}</p>", escape(e))
    });
    let body = format!(
        "<p>{}</p>{alert}<form method=\"post\"><p><label>Téléphone / Phone<br><input type=\"tel\" name=\"phone\" required autocomplete=\"tel\" maxlength=\"40\" value=\"{}\"></label></p><p><label>Quand ? / When?<br><select name=\"slot\">{options}</select></label></p><button type=\"submit\">{}</button></form>",
        escape("Un conseiller vous rappelle au sujet de votre panier. / An adviser will call you back about your cart."),
        escape(phone),
        escape("Oui, rappelez-moi / Yes, call me back"),
    );
    http::text(
        if error.is_some() { 400 } else { 200 },
        "text/html; charset=utf-8",
        document("Être rappelé / Call me back", &body),
    )
}

/// A 302 to `url`, never cached, and telling the destination nothing of where it came from
/// (the token or code in our URL); `None` when `url` cannot be a header.
pub fn redirect(url: &str) -> Option<Response> {
    let location = HeaderValue::from_str(url).ok()?;
    let mut response = http::empty(302);
    response.headers.insert("location", location);
    response
        .headers
        .insert("cache-control", HeaderValue::from_static("no-store"));
    response
        .headers
        .insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    Some(response)
}
