//! Liaison's local AWS: the emulators (DynamoDB Local, moto), provisioning from
//! template.yaml, the IAM gateway that enforces each function's role, fault injection, and the
//! test harness that gives each test its own resources. It links no function: a crate's tests
//! depend on it without building the system. The runner, which serves the functions, is
//! `liaison-local` (infra/local), built on this.

pub mod doubles;
pub mod faults;
pub mod harness;
pub mod iam;
pub mod jwt;
pub mod provision;
pub mod resolve;
pub mod stack;
pub mod template;
pub mod wordpress;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use provision::Clients;
use resolve::Resolver;
use template::{FunctionDef, Template};

/// The region the local stack pretends to be in.
pub const REGION: &str = "eu-west-1";

/// The environment every local function and client gets: region, dummy credentials and the
/// standard endpoint variables pointing at the emulators.
pub fn base_env(dynamodb_endpoint: &str, moto_endpoint: &str) -> HashMap<String, String> {
    [
        ("AWS_REGION", REGION),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
        ("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_endpoint),
        ("AWS_ENDPOINT_URL_SQS", moto_endpoint),
        ("AWS_ENDPOINT_URL_SES", moto_endpoint),
        ("AWS_ENDPOINT_URL_SSM", moto_endpoint),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

pub async fn clients(env: &HashMap<String, String>) -> Clients {
    let sdk = shared::kit::aws::sdk_config(env).await;
    Clients {
        dynamodb: shared::kit::aws::dynamodb(&sdk, env),
        sqs: shared::kit::aws::sqs(&sdk, env),
        ses: shared::kit::aws::ses(&sdk, env),
        ssm: shared::kit::aws::ssm(&sdk, env),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ParameterError {
    #[error("cannot read {path}: {message}")]
    File { path: String, message: String },
    #[error("template parameter {0} has no Default and no local value (infra/local-parameters.json or LIAISON_PARAM_{0})")]
    Missing(String),
}

/// Template parameter values for the local stack: the template's defaults, overridden by
/// `infra/local-parameters.json`, overridden by `LIAISON_PARAM_<Name>` variables.
pub fn local_parameters(
    template: &Template,
    root: &Path,
) -> Result<BTreeMap<String, String>, ParameterError> {
    let file = string_map(&root.join("infra/local-parameters.json"))?;
    let mut values = BTreeMap::new();
    for (name, parameter) in &template.parameters {
        let value = std::env::var(format!("LIAISON_PARAM_{name}"))
            .ok()
            .or_else(|| file.get(name).cloned())
            .or_else(|| parameter.default.clone())
            .ok_or_else(|| ParameterError::Missing(name.clone()))?;
        values.insert(name.clone(), value);
    }
    Ok(values)
}

/// The stack's secrets for the local stack, by name under the stack's path
/// (`lookup-key`, `link-keys`): `infra/local-secrets.json`. In AWS, infra/deploy.sh creates
/// them as SSM SecureStrings; locally, provisioning puts these values in moto's SSM.
pub fn local_secrets(root: &Path) -> Result<BTreeMap<String, String>, ParameterError> {
    string_map(&root.join("infra/local-secrets.json"))
}

/// A JSON object of strings; a missing file is an empty one.
fn string_map(path: &Path) -> Result<BTreeMap<String, String>, ParameterError> {
    let error = |message: String| ParameterError::File {
        path: path.display().to_string(),
        message,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| error(e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(error(e.to_string())),
    }
}

/// The environment Lambda gives a function: the base (region, endpoints), its template
/// variables resolved against the local resources, its name, and its own role: the function
/// signs with an access key of its own and reaches the emulators through the IAM gateway.
pub fn function_env(
    def: &FunctionDef,
    resolver: &Resolver<'_>,
    base_env: &HashMap<String, String>,
    gateway: &iam::Gateway,
) -> Result<HashMap<String, String>, String> {
    let mut env = base_env.clone();
    for (name, value) in &def.environment {
        let resolved = resolver
            .resolve(value)
            .map_err(|e| format!("environment {name}: {e}"))?;
        env.insert(name.clone(), resolved);
    }
    env.insert(
        "AWS_LAMBDA_FUNCTION_NAME".into(),
        format!("{}-{}", resolver.provisioned.prefix, def.logical_id),
    );
    iam::enroll(gateway, def, resolver, &mut env).map_err(|e| format!("Policies: {e}"))?;
    Ok(env)
}

/// What every table and queue of the template would be called in a stack named `stack`, in
/// AWS's shapes (`{stack}-{LogicalId}`, SQS URLs of the account), without creating anything:
/// to resolve a function's environment or a role's statements where no emulator runs (the
/// IAM report, the init-time bench).
pub fn placeholder_resources(template: &Template, stack: &str) -> provision::Provisioned {
    let account = provision::ACCOUNT_ID;
    let mut p = provision::Provisioned {
        prefix: stack.into(),
        region: REGION.into(),
        account_id: account.into(),
        ..provision::Provisioned::default()
    };
    for t in &template.tables {
        p.tables
            .insert(t.logical_id.clone(), format!("{stack}-{}", t.logical_id));
    }
    for q in &template.queues {
        let name = format!("{stack}-{}", q.logical_id);
        p.queues.insert(
            q.logical_id.clone(),
            provision::QueueInfo {
                url: format!("https://sqs.{REGION}.amazonaws.com/{account}/{name}"),
                arn: format!("arn:aws:sqs:{REGION}:{account}:{name}"),
                name,
            },
        );
    }
    p
}
