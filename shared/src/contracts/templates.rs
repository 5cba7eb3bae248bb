//! Staff-editable email templates (`/admin/templates/...`), in MiniJinja (Jinja2 syntax,
//! the language of Mautic's and HubSpot's template editors' cousins): a subject and a plain
//! text body per language, rendered with the variables the email offers.
//!
//! A template is checked when staff save it: it must parse, render with sample values
//! within the fuel budget (no template can loop for long), and keep every required
//! variable (a verification email without its link would be worse than none). If a stored
//! template ever fails at send time, the default is sent instead.
//!
//! Stored in `SettingsTable` under `pk = "template"`, `sk = "{name}#{language}"`.

use minijinja::{Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};

use crate::Error;

pub const PK: &str = "template";
pub const MAX_LEN: usize = 10_000;
/// Instructions a render may take: ample for any email, short of a runaway loop.
const FUEL: u64 = 50_000;
pub const LANGUAGES: [&str; 2] = ["fr", "en"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailTemplate {
    pub subject: String,
    pub text: String,
}

/// An email staff may edit: its variables (with sample values) and its default wording.
pub struct Kind {
    pub name: &'static str,
    /// `(variable, sample value, required)`.
    pub variables: &'static [(&'static str, &'static str, bool)],
    pub default_fr: (&'static str, &'static str),
    pub default_en: (&'static str, &'static str),
}

impl Kind {
    pub fn default_for(&self, language: &str) -> EmailTemplate {
        let (subject, text) = if language == "fr" {
            self.default_fr
        } else {
            self.default_en
        };
        EmailTemplate {
            subject: subject.into(),
            text: text.into(),
        }
    }

    /// The settings key of this email in `language`.
    pub fn sk(&self, language: &str) -> String {
        format!("{}#{language}", self.name)
    }

    /// Every problem a 400 names, before the template is stored.
    pub fn validate(&self, template: &EmailTemplate) -> Result<(), Error> {
        self.preview(template).map(|_| ())
    }

    /// The subject and text `template` gives with the sample values, once it passes every
    /// check a save makes: what staff see while they edit.
    pub fn preview(&self, template: &EmailTemplate) -> Result<(String, String), Error> {
        if template.subject.trim().is_empty() || template.subject.len() > 200 {
            return Err(Error::validation("subject", "1 to 200 characters"));
        }
        if template.text.trim().is_empty() || template.text.len() > MAX_LEN {
            return Err(Error::validation(
                "text",
                format!("1 to {MAX_LEN} characters"),
            ));
        }
        let sample: serde_json::Map<String, serde_json::Value> = self
            .variables
            .iter()
            .map(|(name, value, _)| (name.to_string(), serde_json::Value::from(*value)))
            .collect();
        let (subject, text) = render(template, &sample).map_err(|e| match e {
            RenderError::Subject(m) => Error::validation("subject", m),
            RenderError::Text(m) => Error::validation("text", m),
        })?;
        for (name, value, required) in self.variables {
            if *required && !text.contains(value) {
                return Err(Error::validation(
                    "text",
                    format!("must show {{{{ {name} }}}}"),
                ));
            }
        }
        Ok((subject, text))
    }
}

/// The email asking a commenter to confirm their address (identify's `verification`).
pub const VERIFICATION: Kind = Kind {
    name: "verification",
    variables: &[
        ("name", "Camille", false),
        ("link", "https://liaison.example/t/verify/SAMPLE", true),
    ],
    default_fr: (
        "Merci pour votre commentaire : pouvez-vous confirmer votre adresse ?",
        "{% if name %}Bonjour {{ name }},{% else %}Bonjour,{% endif %}\n\nMerci pour votre message. Pour que nous puissions vous répondre et le relier à votre compte, confirmez votre adresse en suivant ce lien (valable 7 jours) :\n\n{{ link }}\n\nSi vous n'avez rien écrit, ignorez ce message : nous ne vous écrirons pas à nouveau à ce sujet.\n",
    ),
    default_en: (
        "Thanks for your comment: could you confirm your email?",
        "{% if name %}Hello {{ name }},{% else %}Hello,{% endif %}\n\nThank you for your message. So that we can answer you and link it to your account, please confirm your address with this link (valid for 7 days):\n\n{{ link }}\n\nIf you did not write anything, just ignore this email: we will not write to you about it again.\n",
    ),
};

/// The emails staff may edit, by name.
pub fn kind(name: &str) -> Option<&'static Kind> {
    [&VERIFICATION].into_iter().find(|k| k.name == name)
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RenderError {
    #[error("subject: {0}")]
    Subject(String),
    #[error("text: {0}")]
    Text(String),
}

/// The subject (on one line) and the text of `template` with `values`. An unknown variable
/// is an error, not an empty string: a typo must not send "Hello ,".
pub fn render<S: Serialize>(
    template: &EmailTemplate,
    values: &S,
) -> Result<(String, String), RenderError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(20);
    let subject = env
        .render_str(&template.subject, values)
        .map_err(|e| RenderError::Subject(worded(&e)))?;
    let text = env
        .render_str(&template.text, values)
        .map_err(|e| RenderError::Text(worded(&e)))?;
    // A header is one line: a line break in a subject could inject others.
    let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    Ok((subject, text))
}

/// A template error as staff read it: `line 2: undefined value`, the line first (MiniJinja's
/// own display ends with `(in <string>:2)`, which names nothing staff wrote).
pub fn worded(e: &minijinja::Error) -> String {
    match e.line() {
        Some(line) => format!(
            "line {line}: {}",
            e.detail()
                .map_or_else(|| e.kind().to_string(), str::to_string)
        ),
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_error_should_name_the_line_staff_wrote() {
        let typo = EmailTemplate {
            subject: "Confirmez".into(),
            text: "{{ link }}\nBonjour {{ nom }}".into(),
        };
        match VERIFICATION.validate(&typo) {
            Err(Error::Validation { field, message }) => {
                assert_eq!(field.as_deref(), Some("text"));
                assert_eq!(message, "line 2: undefined value");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_defaults_should_render_and_greet_by_name_when_known() {
        for language in LANGUAGES {
            let template = VERIFICATION.default_for(language);
            VERIFICATION.validate(&template).unwrap();
            let (_, text) = render(
                &template,
                &json!({"name": "Marie", "link": "https://x/t/verify/abc"}),
            )
            .unwrap();
            assert!(text.contains("Marie,") && text.contains("https://x/t/verify/abc"));
            let (_, anonymous) =
                render(&template, &json!({"name": null, "link": "https://x"})).unwrap();
            assert!(anonymous.starts_with("Bonjour,") || anonymous.starts_with("Hello,"));
        }
    }

    #[test]
    fn a_template_should_keep_its_link_and_name_only_known_variables() {
        let t = |subject: &str, text: &str| EmailTemplate {
            subject: subject.into(),
            text: text.into(),
        };
        let field = |template| match VERIFICATION.validate(&template) {
            Err(Error::Validation { field, .. }) => field.unwrap_or_default(),
            other => panic!("{other:?}"),
        };
        assert_eq!(field(t("Confirm", "Hello {{ name }}")), "text");
        assert_eq!(field(t("Confirm", "{{ link }} {{ nmae }}")), "text");
        assert_eq!(field(t("Confirm {{", "{{ link }}")), "subject");
        assert_eq!(
            field(t(
                "Confirm",
                "{% for i in range(100000) %}{{ i }}{% endfor %}{{ link }}"
            )),
            "text"
        );
        VERIFICATION
            .validate(&t("Confirm, {{ name }}", "Here: {{ link }}"))
            .unwrap();
    }

    #[test]
    fn a_subject_should_stay_on_one_line() {
        let template = EmailTemplate {
            subject: "Hi {{ name }}".into(),
            text: "{{ link }}".into(),
        };
        let (subject, _) = render(
            &template,
            &json!({"name": "A\r\nBcc: x@example.com", "link": "l"}),
        )
        .unwrap();
        assert_eq!(subject, "Hi A Bcc: x@example.com");
    }
}
