//! Trustpilot's Service Reviews API, as a business user with its OAuth token (the setting
//! `business_user_id` names the user the reply is signed by):
//! - a public reply is `POST /v1/private/reviews/{reviewId}/reply` with
//!   `authorBusinessUserId` and `message` → 201. A review has one company reply: it shows
//!   on the review's page, and has no id of its own (the review's stands for it).
//!
//! Trustpilot's gateway answers a refused or expired token with a 401 whose body is a fault
//! (`{"fault":{"faultstring","detail":{"errorcode"}}}`); its API errors carry `message`.

use serde_json::json;
use shared::contracts::answers::{Answer, Channel, Published};
use shared::contracts::sources::Source;

use crate::call::{self, Call, Response};
use crate::oauth::{self, Attempt, Provider};
use crate::Deps;

pub const BUSINESS_USER_SETTING: &str = "business_user_id";

/// Where a review (and its company reply) shows.
pub fn permalink(review_id: &str) -> String {
    format!("https://www.trustpilot.com/reviews/{review_id}")
}

/// Publishes `answer` as the business's reply to the review.
pub async fn answer(deps: &Deps, source: &Source, answer: &Answer) -> Call<Published> {
    if answer.channel != Channel::PublicReply {
        return Call::refused("Trustpilot has no private messages");
    }
    let Some(author) = source.setting(BUSINESS_USER_SETTING) else {
        return Call::refused(
            "the source needs its business_user_id (the Trustpilot user the reply is signed by)",
        );
    };
    let review = answer.target.external_id.as_str();
    if !is_id(review) {
        return Call::refused("the review's id is not a Trustpilot id");
    }
    let url = format!("{}/v1/private/reviews/{review}/reply", deps.apis.trustpilot);
    let body = json!({"authorBusinessUserId": author, "message": answer.text});
    let now = deps.clock.now();
    oauth::authorised(deps, source, Provider::Trustpilot, |token| {
        let request = deps.http.post(&url).bearer_auth(token).json(&body);
        async move {
            match call::send(request).await {
                Ok(response) => read_response(response),
                Err(call) => Attempt::Finished(call),
            }
        }
    })
    .await
    .and_then(|_| {
        Call::Done(Published {
            platform_id: review.to_string(),
            permalink: Some(permalink(review)),
            at: now,
        })
    })
}

/// Trustpilot's ids are hexadecimal object ids: anything else is not put in a path.
fn is_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// What one answer from Trustpilot means: a 401 is worth a refresh; the rest reads by status.
pub fn read_response(response: Response) -> Attempt<serde_json::Value> {
    if response.status == 401 {
        return Attempt::Unauthorised(format!("401: {}", call::platform_message(&response.body)));
    }
    Attempt::Finished(response.outcome())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> Response {
        Response {
            status,
            after: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_created_reply_should_be_done_whatever_its_body() {
        assert_eq!(
            read_response(response(201, "")),
            Attempt::Finished(Call::Done(serde_json::Value::Null))
        );
        assert!(matches!(
            read_response(response(201, r#"{"reply":{"message":"On it."}}"#)),
            Attempt::Finished(Call::Done(_))
        ));
    }

    #[test]
    fn an_expired_token_should_ask_for_a_refresh_with_the_gateways_words() {
        assert_eq!(
            read_response(response(
                401,
                r#"{"fault":{"faultstring":"Access Token expired","detail":{"errorcode":"keymanagement.service.access_token_expired"}}}"#
            )),
            Attempt::Unauthorised("401: Access Token expired".into())
        );
    }

    #[test]
    fn a_missing_review_should_fail_the_answer_alone() {
        assert!(matches!(
            read_response(response(404, r#"{"message":"Review not found"}"#)),
            Attempt::Finished(Call::Refused {
                credentials: false,
                ..
            })
        ));
        assert!(is_id("507f191e810c19729de860ea"));
        assert!(!is_id("507f/../reply"));
    }
}
