//! The secrets come from SSM (moto's, behind the IAM gateway), as each function's role
//! allows: never from a variable, each function only its own, with clear errors.

use chrono::{Duration, Utc};
use liaison_stack::harness;
use shared::contracts::secrets::Secrets;

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Data {
    id: String,
}

async fn load(env: &std::collections::HashMap<String, String>) -> Result<Secrets, shared::Error> {
    let sdk = shared::kit::aws::sdk_config(env).await;
    Secrets::load(&sdk, env).await
}

#[tokio::test]
async fn a_function_should_read_its_keys_from_ssm_and_never_show_them() {
    let resources = harness::resources().await;
    let env = resources.function_env("identify");
    assert!(
        env.keys().all(|k| !k.contains("HASH_KEY")),
        "no key in the environment"
    );
    let secrets = load(&env).await.expect("identify's secrets");
    assert_eq!(secrets.lookup_key().unwrap(), harness::lookup_key());
    assert_eq!(secrets.link_keys().unwrap().current(), "k1");
    let shown = format!("{secrets:?}");
    assert!(
        !shown.contains("local-development"),
        "Debug shows no key: {shown}"
    );
}

#[tokio::test]
async fn a_function_should_be_refused_the_secrets_its_role_does_not_name() {
    // Tracking signs no lookup: its role reads the link keys only.
    let resources = harness::resources().await;
    let env = resources.function_env("tracking");
    assert!(!env.contains_key(shared::contracts::secrets::LOOKUP_KEY_PARAMETER));
    let tracking = load(&env).await.expect("tracking's secrets");
    assert!(tracking.lookup_key().is_err());
    // Misconfigured to read the lookup key too, under its own role: refused by IAM. (Its own
    // name, so that the IAM report does not take this deliberate call for a missing grant.)
    let mut template = harness::template();
    let tracking = template
        .functions
        .iter_mut()
        .find(|f| f.binary == "tracking")
        .unwrap();
    tracking.logical_id = "MisconfiguredTrackingFunction".into();
    tracking.environment.insert(
        shared::contracts::secrets::LOOKUP_KEY_PARAMETER.into(),
        serde_json::json!({"Fn::Sub": "/${AWS::StackName}/lookup-key"}),
    );
    let resources = harness::resources_from(template).await;
    let env = resources.function_env("tracking");
    let err = load(&env).await.expect_err("not granted").to_string();
    assert!(err.contains("AccessDenied"), "{err}");
}

#[tokio::test]
async fn a_missing_or_weak_secret_should_stop_init_with_its_name() {
    let resources = harness::resources().await;
    let prefix = &resources.provisioned.prefix;
    // The stack's own credentials (not a function's): moto's answer, not IAM's.
    let mut env = resources.env.clone();
    env.insert(
        shared::contracts::secrets::LINK_KEYS_PARAMETER.into(),
        format!("/{prefix}/no-such-keys"),
    );
    let err = load(&env).await.expect_err("missing").to_string();
    assert!(
        err.contains("no-such-keys") && err.contains("does not exist"),
        "{err}"
    );

    for (name, value, expected) in [
        ("weak-lookup", "short", "at least 32 bytes"),
        (
            "weak-links",
            r#"{"current":"k1","k1":"short"}"#,
            "shorter than 32",
        ),
    ] {
        resources
            .clients
            .ssm
            .put_parameter()
            .name(format!("/{prefix}/{name}"))
            .value(value)
            .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
            .send()
            .await
            .unwrap();
        let mut env = resources.env.clone();
        let variable = if name == "weak-lookup" {
            shared::contracts::secrets::LOOKUP_KEY_PARAMETER
        } else {
            shared::contracts::secrets::LINK_KEYS_PARAMETER
        };
        env.insert(variable.into(), format!("/{prefix}/{name}"));
        let err = load(&env).await.expect_err("weak").to_string();
        assert!(err.contains(expected), "{name}: {err}");
        assert!(!err.contains("short\""), "the value is never quoted: {err}");
    }
}

#[tokio::test]
async fn a_rotated_ring_should_sign_with_the_new_key_and_still_read_links_in_flight() {
    let resources = harness::resources().await;
    let env = resources.function_env("relaunch-sender");
    let before = load(&env).await.unwrap().link_keys().unwrap();
    let now = Utc::now();
    let in_flight = before.sign(
        "verify-email",
        &Data { id: "ct_1".into() },
        now + Duration::days(7),
    );
    let old_key = harness::secrets()["link-keys"].clone();
    let mut ring: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&old_key).unwrap();
    ring.insert(
        "k2".into(),
        "a-second-link-key-of-thirty-two-bytes-plus".into(),
    );
    ring.insert("current".into(), "k2".into());
    resources
        .clients
        .ssm
        .put_parameter()
        .name(format!("/{}/link-keys", resources.provisioned.prefix))
        .value(serde_json::Value::Object(ring).to_string())
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .overwrite(true)
        .send()
        .await
        .unwrap();
    // A new process (a cold start) reads the rotated ring.
    let after = load(&env).await.unwrap().link_keys().unwrap();
    assert_eq!(after.current(), "k2");
    assert_eq!(
        after.verify::<Data>("verify-email", &in_flight, now),
        Ok(Data { id: "ct_1".into() })
    );
    let fresh = after.sign(
        "verify-email",
        &Data { id: "ct_2".into() },
        now + Duration::days(7),
    );
    assert!(fresh.starts_with("k2."), "{fresh}");
}

/// infra/stack_secrets.py (what deploy.sh runs, and an operator to rotate) against moto's SSM.
fn secrets_py(args: &[&str], extra_env: &[(&str, &str)]) -> std::process::Output {
    let root = liaison_stack::stack::repo_root();
    let env = harness::env();
    let mut command = std::process::Command::new(root.join(".local/tools/bin/python"));
    command
        .arg(root.join("infra/stack_secrets.py"))
        .args(args)
        .env_remove("IDENTITY_HASH_KEY")
        // Every service (SSM, and CloudFormation for "does the stack exist") at moto.
        .env("AWS_ENDPOINT_URL", &env["AWS_ENDPOINT_URL_SQS"])
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local");
    for (name, value) in extra_env {
        command.env(name, value);
    }
    command.output().expect("python of .local/tools")
}

fn ok(output: std::process::Output) -> String {
    let text = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{text}");
    text
}

async fn stack_secrets(stack: &str) -> Secrets {
    let mut env = harness::env();
    env.insert(
        "LOOKUP_KEY_PARAMETER".into(),
        format!("/{stack}/lookup-key"),
    );
    env.insert("LINK_KEYS_PARAMETER".into(), format!("/{stack}/link-keys"));
    env.insert(
        "CREDENTIALS_KEY_PARAMETER".into(),
        format!("/{stack}/credentials-key"),
    );
    load(&env).await.expect("the stack's secrets")
}

#[tokio::test]
async fn the_deploy_should_create_missing_secrets_once_and_rotation_keep_old_links() {
    let stack = harness::unique_prefix();
    let region = liaison_stack::REGION;
    let ensure = ["ensure", "--stack", &stack, "--region", region];
    let out = ok(secrets_py(&ensure, &[]));
    assert!(out.contains("created"), "{out}");
    let first = stack_secrets(&stack).await;
    assert_eq!(
        first.lookup_key().unwrap().len(),
        64,
        "48 random bytes in base64"
    );
    assert_eq!(first.link_keys().unwrap().current(), "k1");
    let sealed = first
        .sealer()
        .unwrap()
        .seal("src_1", "api_key", "AIza-secret")
        .unwrap();
    // A second deploy changes nothing: what the first key sealed still opens.
    let out = ok(secrets_py(&ensure, &[]));
    assert!(!out.contains("created"), "{out}");
    assert_eq!(
        stack_secrets(&stack)
            .await
            .sealer()
            .unwrap()
            .open("src_1", "api_key", &sealed)
            .unwrap(),
        "AIza-secret"
    );
    assert_eq!(
        stack_secrets(&stack).await.lookup_key().unwrap(),
        first.lookup_key().unwrap()
    );

    let now = Utc::now();
    let link = first.link_keys().unwrap().sign(
        "relaunch-unsubscribe",
        &Data { id: "e_1".into() },
        now + Duration::days(365),
    );
    ok(secrets_py(
        &["rotate", "--stack", &stack, "--region", region],
        &[],
    ));
    let rotated = stack_secrets(&stack).await.link_keys().unwrap();
    assert_eq!(rotated.current(), "k2");
    assert!(rotated
        .verify::<Data>("relaunch-unsubscribe", &link, now)
        .is_ok());
    let retire = |id: &str| {
        secrets_py(
            &[
                "retire", "--stack", &stack, "--region", region, "--key-id", id,
            ],
            &[],
        )
    };
    assert!(!retire("k2").status.success(), "the current key stays");
    ok(retire("k1"));
    let retired = stack_secrets(&stack).await.link_keys().unwrap();
    assert!(retired
        .verify::<Data>("relaunch-unsubscribe", &link, now)
        .is_err());
}

#[tokio::test]
async fn a_migrated_stack_should_keep_its_lookup_key_and_links_sent_before_key_ids() {
    let stack = harness::unique_prefix();
    let old_key = "the-identity-hash-key-of-an-older-deploy-0123456789";
    ok(secrets_py(
        &[
            "ensure",
            "--stack",
            &stack,
            "--region",
            liaison_stack::REGION,
        ],
        &[("IDENTITY_HASH_KEY", old_key)],
    ));
    let secrets = stack_secrets(&stack).await;
    assert_eq!(secrets.lookup_key().unwrap(), old_key.as_bytes());
    let ring = secrets.link_keys().unwrap();
    assert_eq!(ring.current(), "k1");
    // A link as the older deploys signed it: payload.HMAC(HMAC(old key, purpose), payload).
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let mac = |key: &[u8], data: &[u8]| {
        let mut m = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
        m.update(data);
        m.finalize().into_bytes().to_vec()
    };
    let payload = URL_SAFE_NO_PAD.encode(
        serde_json::json!({"purpose": "verify-email", "exp": (Utc::now() + Duration::days(3)).timestamp(), "data": {"id": "ct_9"}})
            .to_string(),
    );
    let signature = URL_SAFE_NO_PAD.encode(mac(
        &mac(old_key.as_bytes(), b"verify-email"),
        payload.as_bytes(),
    ));
    assert_eq!(
        ring.verify::<Data>(
            "verify-email",
            &format!("{payload}.{signature}"),
            Utc::now()
        ),
        Ok(Data { id: "ct_9".into() })
    );
}
