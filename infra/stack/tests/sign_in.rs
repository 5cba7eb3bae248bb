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
    assert_eq!(console["CallbackURLs"], json!({"Ref": "ConsoleUrls"}));
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
