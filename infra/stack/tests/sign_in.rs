//! Sign-in that works on a new deployment: with its default parameters the stack creates
//! the staff user pool, its four groups (the names the functions check), the console's
//! public client (code flow, no secret) and the site's machine client, and both authorizers
//! trust that pool; another OpenID Connect provider stays possible through the parameters.

use liaison_stack::stack::repo_root;
use serde_json::{json, Value};
use shared::kit::auth::Group;

fn template() -> Value {
    let text = std::fs::read_to_string(repo_root().join("template.yaml")).unwrap();
    liaison_stack::template::document(&text).unwrap()
}

#[test]
fn the_stack_should_create_the_staff_pool_its_groups_and_clients_by_default() {
    let doc = template();
    assert_eq!(doc["Parameters"]["JwtIssuer"]["Default"], "");
    assert_eq!(
        doc["Conditions"]["UseStackUserPool"],
        json!({"Fn::Equals": [{"Ref": "JwtIssuer"}, ""]})
    );
    let resources = doc["Resources"].as_object().unwrap();
    let of_type =
        |kind: &str| -> Vec<&Value> { resources.values().filter(|r| r["Type"] == kind).collect() };
    let pool = &resources["StaffUserPool"];
    assert_eq!(pool["Condition"], "UseStackUserPool");
    assert_eq!(
        pool["Properties"]["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"],
        true
    );
    assert_eq!(pool["DeletionPolicy"], "Retain");
    let mut groups: Vec<&str> = of_type("AWS::Cognito::UserPoolGroup")
        .iter()
        .filter_map(|g| g["Properties"]["GroupName"].as_str())
        .collect();
    groups.sort();
    let mut expected: Vec<&str> = [Group::Admin, Group::Marketer, Group::Sales, Group::Support]
        .iter()
        .map(|g| g.name())
        .collect();
    expected.sort();
    assert_eq!(groups, expected, "the groups the admin function checks");

    let console = &resources["ConsoleClient"]["Properties"];
    assert_eq!(
        console["GenerateSecret"], false,
        "a browser keeps no secret"
    );
    assert_eq!(console["AllowedOAuthFlows"], json!(["code"]));
    let callbacks = console["CallbackURLs"].to_string();
    assert!(
        callbacks.contains("https://${ConsoleDistribution.DomainName}/console/"),
        "the console's own distribution: {callbacks}"
    );
    assert_eq!(console["LogoutURLs"], console["CallbackURLs"]);
    let site = &resources["SiteClient"]["Properties"];
    assert_eq!(site["AllowedOAuthFlows"], json!(["client_credentials"]));
    assert_eq!(site["AllowedOAuthScopes"], json!(["liaison/referrals"]));

    let authorizers = &resources["HttpApi"]["Properties"]["Auth"]["Authorizers"];
    for (name, client, other) in [
        ("StaffJwt", "ConsoleClient", "JwtAudience"),
        ("SiteJwt", "SiteClient", "SiteClientId"),
    ] {
        let jwt = &authorizers[name]["JwtConfiguration"];
        assert_eq!(
            jwt["issuer"],
            json!({"Fn::If": ["UseStackUserPool",
                              {"Fn::GetAtt": ["StaffUserPool", "ProviderURL"]},
                              {"Ref": "JwtIssuer"}]}),
            "{name}"
        );
        assert_eq!(
            jwt["audience"],
            json!([{"Fn::If": ["UseStackUserPool", {"Ref": client}, {"Ref": other}]}]),
            "{name}"
        );
    }
}

/// `infra/console-deploy.sh --config`: the console's config.json from a stack's outputs.
fn console_config(outputs: &Value) -> std::process::Output {
    let file = std::env::temp_dir().join(format!("outputs-{}.json", std::process::id()));
    std::fs::write(&file, outputs.to_string()).unwrap();
    let out = std::process::Command::new("bash")
        .arg(repo_root().join("infra/console-deploy.sh"))
        .arg("--config")
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    out
}

#[test]
fn the_deployed_console_should_be_pointed_at_its_stack_api_and_cognito() {
    let output = |key: &str, value: &str| json!({"OutputKey": key, "OutputValue": value});
    let outputs = json!([
        output("ApiUrl", "https://abc.execute-api.eu-west-1.amazonaws.com"),
        output(
            "StaffSignInUrl",
            "https://liaison-staging-1.auth.eu-west-1.amazoncognito.com"
        ),
        output("ConsoleClientId", "4ab5cd"),
        output("ConsoleUrl", "https://d111.cloudfront.net/console/"),
    ]);
    let out = console_config(&outputs);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        config["apiBaseUrl"],
        "https://abc.execute-api.eu-west-1.amazonaws.com"
    );
    assert_eq!(
        config["authorizeUrl"],
        "https://liaison-staging-1.auth.eu-west-1.amazoncognito.com/oauth2/authorize"
    );
    assert_eq!(
        config["tokenUrl"],
        "https://liaison-staging-1.auth.eu-west-1.amazoncognito.com/oauth2/token"
    );
    assert_eq!(config["clientId"], "4ab5cd");
    // A stack signed in by another provider has no managed login to point at: said, not guessed.
    let without = json!([
        output("ApiUrl", "https://abc"),
        output("ConsoleClientId", "x")
    ]);
    let out = console_config(&without);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("StaffSignInUrl"));
}
