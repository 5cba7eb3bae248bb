//! Signing in locally as the console does in AWS: the authorization code flow with PKCE
//! against the runner's development OpenID Connect provider, an RS256 ID token that its
//! JWKS verifies, and that token accepted by the staff API's authorizer with the group
//! picked on the sign-in page. Requests that name another client, an address off loopback,
//! no PKCE, a wrong verifier or a used code are refused.

use base64::Engine;
use e2e::SendChecked;
use liaison_local::harness;
use serde_json::Value;
use sha2::{Digest, Sha256};

const VERIFIER: &str = "a-development-code-verifier-of-enough-length-0123456789";

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[tokio::test]
async fn a_marketer_should_sign_in_with_pkce_and_call_the_staff_api_with_the_id_token() {
    let system = harness::system().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let client_id = system.resources.parameters["JwtAudience"].clone();
    let redirect_uri = format!("{}/console/", system.url(""));
    let authorize = |extra: &[(&str, &str)]| {
        let mut url = reqwest::Url::parse(&system.url("/oidc/authorize")).unwrap();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &client_id)
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("scope", "openid email")
            .append_pair("state", "st\"ate<1>")
            .append_pair("nonce", "n-1")
            .append_pair("code_challenge", &challenge(VERIFIER))
            .append_pair("code_challenge_method", "S256");
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .filter(|(k, _)| !extra.iter().any(|(name, _)| name == k))
            .chain(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())))
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        url
    };

    // The page: a form, the state escaped, a strict policy.
    let page = http.get(authorize(&[])).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(policy.contains("default-src 'none'") && !policy.contains("unsafe-inline"));
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"group\" value=\"liaison-marketer\""));
    assert!(html.contains("st&quot;ate&lt;1&gt;") && !html.contains("st\"ate<1>"));

    // Refused on the page, never redirected: another client, an address off loopback, no PKCE.
    for (name, value) in [
        ("client_id", "someone-else"),
        ("redirect_uri", "https://evil.example/console/"),
        ("code_challenge_method", "plain"),
    ] {
        let refused = http.get(authorize(&[(name, value)])).send().await.unwrap();
        assert_eq!(refused.status(), 400, "{name}={value}");
        assert!(refused.headers().get("location").is_none());
    }

    // Signing in as a marketer: back to the console with a code and the state.
    let form: Vec<(String, String)> = authorize(&[])
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .chain([
            ("email".to_string(), "camille@brand.example".to_string()),
            ("group".to_string(), "liaison-marketer".to_string()),
        ])
        .collect();
    let signed = http
        .post(system.url("/oidc/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);
    let back = reqwest::Url::parse(signed.headers()["location"].to_str().unwrap()).unwrap();
    assert!(back.as_str().starts_with(&redirect_uri));
    let query: std::collections::HashMap<String, String> =
        back.query_pairs().into_owned().collect();
    assert_eq!(query["state"], "st\"ate<1>");
    let code = query["code"].clone();

    let exchange = |code: String, verifier: &'static str| {
        http.post(system.url("/oidc/token")).form(&[
            ("grant_type", "authorization_code".to_string()),
            ("code", code),
            ("redirect_uri", redirect_uri.clone()),
            ("client_id", client_id.clone()),
            ("code_verifier", verifier.to_string()),
        ])
    };
    // A wrong verifier spends the code: the right one afterwards is refused too.
    let wrong = exchange(
        code.clone(),
        "another-verifier-of-enough-length-0123456789-abcdef",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(wrong.status(), 400);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    let spent = exchange(code, VERIFIER).send().await.unwrap();
    assert_eq!(spent.status(), 400);

    // Again, with the right verifier the first time.
    let signed = http
        .post(system.url("/oidc/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let back = reqwest::Url::parse(signed.headers()["location"].to_str().unwrap()).unwrap();
    let code = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let tokens: Value = exchange(code, VERIFIER)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id_token = tokens["id_token"]
        .as_str()
        .expect("an ID token")
        .to_string();
    assert_eq!(tokens["token_type"], "Bearer");

    // The JWKS verifies it: RS256, the issuer, the console's audience, the nonce, the group.
    let jwks: jsonwebtoken::jwk::JwkSet = http
        .get(system.url("/oidc/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = jsonwebtoken::decode_header(&id_token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let jwk = jwks
        .find(header.kid.as_deref().unwrap())
        .expect("the kid is in the JWKS");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[&client_id]);
    validation.set_issuer(&[&system.resources.parameters["JwtIssuer"]]);
    let claims = jsonwebtoken::decode::<Value>(
        &id_token,
        &jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap(),
        &validation,
    )
    .expect("verified with the JWKS")
    .claims;
    assert_eq!(claims["email"], "camille@brand.example");
    assert_eq!(claims["nonce"], "n-1");
    assert_eq!(
        claims["cognito:groups"],
        serde_json::json!(["liaison-marketer"])
    );

    // The staff API takes it with the marketer's rights, and no more.
    let call = |path: &str| {
        http.get(system.url(path))
            .bearer_auth(&id_token)
            .send_checked()
    };
    assert_eq!(call("/admin/campaigns").await.unwrap().status(), 200);
    assert_eq!(call("/admin/cases").await.unwrap().status(), 403);
    let discovery: Value = http
        .get(system.url("/oidc/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        discovery["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
}
