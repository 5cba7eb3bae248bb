//! template.yaml, read as the one source of truth for what exists: functions and their
//! environment, routes, queue and schedule triggers, tables, queues and the SES identity.
//!
//! CloudFormation short forms (`!Ref`, `!GetAtt`, `!Sub`, ...) are turned into their long
//! forms (`{"Ref": ..}`, `{"Fn::GetAtt": [..]}`) so that the rest of the code handles one shape.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("template.yaml is not valid YAML: {0}")]
    Yaml(#[from] serde_norway::Error),
    #[error("template.yaml: {0}")]
    Shape(String),
}

fn shape(msg: impl Into<String>) -> TemplateError {
    TemplateError::Shape(msg.into())
}

#[derive(Debug, Clone)]
pub struct Template {
    pub parameters: BTreeMap<String, Parameter>,
    pub functions: Vec<FunctionDef>,
    pub tables: Vec<TableDef>,
    pub queues: Vec<QueueDef>,
    pub email_identities: Vec<EmailIdentityDef>,
    pub authorizers: BTreeMap<String, JwtAuthorizerDef>,
    /// The HTTP API stage's throttling: `DefaultRouteSettings` and `RouteSettings` by route
    /// key, as (burst, rate) values still to resolve.
    pub throttling: Throttling,
    /// Every resource's logical id and type, for reference resolution.
    pub resource_types: BTreeMap<String, String>,
    /// `Conditions`, unevaluated: `Fn::If` asks the resolver for one.
    pub conditions: BTreeMap<String, Value>,
}

#[derive(Debug, Clone)]
pub struct Parameter {
    pub default: Option<String>,
}

#[derive(Debug, Clone)]
pub struct FunctionDef {
    pub logical_id: String,
    /// The cargo binary SAM builds (`Metadata.BuildProperties.Binary`): the link to the code.
    pub binary: String,
    /// Globals merged with the function's own variables; values are unresolved intrinsics.
    pub environment: BTreeMap<String, Value>,
    pub timeout_seconds: u64,
    pub http_routes: Vec<HttpRoute>,
    pub sqs_sources: Vec<SqsSource>,
    pub schedules: Vec<ScheduleDef>,
    /// The statements of `Properties.Policies` (inline `Statement` lists), unresolved: the
    /// role AWS gives the function, which the local IAM gateway enforces (see `iam`).
    pub statements: Vec<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct HttpRoute {
    pub event_name: String,
    pub method: String,
    pub path: String,
    /// `None` for `Authorizer: NONE`, else the authorizer's name.
    pub authorizer: Option<String>,
    /// `Auth.AuthorizationScopes`: the token must carry one of them (empty: no check).
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqsSource {
    pub event_name: String,
    pub queue_logical_id: String,
    pub batch_size: u32,
    pub batching_window_seconds: u32,
    pub report_batch_item_failures: bool,
    /// `ScalingConfig.MaximumConcurrency`: how many batches Lambda hands out at once. The
    /// runner polls with that many workers; without it, with one (Lambda would scale out).
    pub max_concurrency: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleDef {
    pub event_name: String,
    pub expression: String,
    pub enabled: bool,
}

#[derive(Debug, Clone)]
pub struct TableDef {
    pub logical_id: String,
    pub attribute_definitions: Vec<(String, String)>,
    pub key_schema: Vec<(String, String)>,
    pub global_secondary_indexes: Vec<IndexDef>,
    pub ttl_attribute: Option<String>,
}

#[derive(Debug, Clone)]
pub struct IndexDef {
    pub name: String,
    pub key_schema: Vec<(String, String)>,
    pub projection_type: String,
    pub non_key_attributes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct QueueDef {
    pub logical_id: String,
    /// `FifoQueue: true`: its name ends in `.fifo`, as CloudFormation names it.
    pub fifo: bool,
    pub visibility_timeout: u32,
    pub message_retention_seconds: Option<u32>,
    pub redrive: Option<Redrive>,
}

#[derive(Debug, Clone)]
pub struct Redrive {
    pub dead_letter_logical_id: String,
    pub max_receive_count: u32,
}

#[derive(Debug, Clone)]
pub struct EmailIdentityDef {
    pub logical_id: String,
    pub identity: Value,
}

#[derive(Debug, Clone, Default)]
pub struct Throttling {
    pub default: Option<(Value, Value)>,
    pub routes: BTreeMap<String, (Value, Value)>,
}

fn limits(settings: &Value) -> Option<(Value, Value)> {
    Some((
        settings.get("ThrottlingBurstLimit")?.clone(),
        settings.get("ThrottlingRateLimit")?.clone(),
    ))
}

#[derive(Debug, Clone)]
pub struct JwtAuthorizerDef {
    pub issuer: Value,
    pub audience: Vec<Value>,
}

impl Template {
    pub fn load(path: &Path) -> Result<Self, TemplateError> {
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let doc = document(text)?;
        let globals_env = doc
            .pointer("/Globals/Function/Environment/Variables")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let globals_timeout = doc
            .pointer("/Globals/Function/Timeout")
            .and_then(Value::as_u64)
            .unwrap_or(3);
        let parameters = doc
            .get("Parameters")
            .and_then(Value::as_object)
            .map(|params| {
                params
                    .iter()
                    .map(|(name, p)| {
                        let default = p.get("Default").map(scalar_to_string);
                        (name.clone(), Parameter { default })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let resources = doc
            .get("Resources")
            .and_then(Value::as_object)
            .ok_or_else(|| shape("no Resources"))?;

        let mut template = Template {
            parameters,
            functions: Vec::new(),
            tables: Vec::new(),
            queues: Vec::new(),
            email_identities: Vec::new(),
            authorizers: BTreeMap::new(),
            throttling: Throttling::default(),
            resource_types: BTreeMap::new(),
            conditions: doc
                .get("Conditions")
                .and_then(Value::as_object)
                .map(|c| c.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
        };
        for (id, resource) in resources {
            let kind = resource
                .get("Type")
                .and_then(Value::as_str)
                .ok_or_else(|| shape(format!("resource {id} has no Type")))?;
            template.resource_types.insert(id.clone(), kind.to_string());
            let props = resource.get("Properties").cloned().unwrap_or(Value::Null);
            match kind {
                "AWS::Serverless::Function" => template.functions.push(parse_function(
                    id,
                    resource,
                    &props,
                    &globals_env,
                    globals_timeout,
                )?),
                "AWS::DynamoDB::Table" => template.tables.push(parse_table(id, &props)?),
                "AWS::SQS::Queue" => template.queues.push(parse_queue(id, &props)?),
                "AWS::SES::EmailIdentity" => template.email_identities.push(EmailIdentityDef {
                    logical_id: id.clone(),
                    identity: props
                        .get("EmailIdentity")
                        .cloned()
                        .ok_or_else(|| shape(format!("{id}: no EmailIdentity")))?,
                }),
                "AWS::Serverless::HttpApi" => {
                    template.throttling.default =
                        props.get("DefaultRouteSettings").and_then(limits);
                    if let Some(routes) = props.get("RouteSettings").and_then(Value::as_object) {
                        template.throttling.routes = routes
                            .iter()
                            .filter_map(|(key, settings)| Some((key.clone(), limits(settings)?)))
                            .collect();
                    }
                    if let Some(auths) = props
                        .pointer("/Auth/Authorizers")
                        .and_then(Value::as_object)
                    {
                        for (name, auth) in auths {
                            let jwt = auth.get("JwtConfiguration").ok_or_else(|| {
                                shape(format!(
                                    "authorizer {name}: only JWT authorizers are served locally"
                                ))
                            })?;
                            template.authorizers.insert(
                                name.clone(),
                                JwtAuthorizerDef {
                                    issuer: jwt.get("issuer").cloned().unwrap_or(Value::Null),
                                    audience: jwt
                                        .get("audience")
                                        .and_then(Value::as_array)
                                        .cloned()
                                        .unwrap_or_default(),
                                },
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        template
            .functions
            .sort_by(|a, b| a.logical_id.cmp(&b.logical_id));
        Ok(template)
    }

    pub fn routes(&self) -> impl Iterator<Item = (&FunctionDef, &HttpRoute)> {
        self.functions
            .iter()
            .flat_map(|f| f.http_routes.iter().map(move |r| (f, r)))
    }

    pub fn queue(&self, logical_id: &str) -> Option<&QueueDef> {
        self.queues.iter().find(|q| q.logical_id == logical_id)
    }
}

fn parse_function(
    id: &str,
    resource: &Value,
    props: &Value,
    globals_env: &Map<String, Value>,
    globals_timeout: u64,
) -> Result<FunctionDef, TemplateError> {
    let binary = resource
        .pointer("/Metadata/BuildProperties/Binary")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            shape(format!(
                "{id}: Metadata.BuildProperties.Binary names no cargo binary"
            ))
        })?
        .to_string();
    let mut environment: BTreeMap<String, Value> = globals_env.clone().into_iter().collect();
    if let Some(vars) = props
        .pointer("/Environment/Variables")
        .and_then(Value::as_object)
    {
        environment.extend(vars.clone());
    }
    let mut def = FunctionDef {
        logical_id: id.to_string(),
        binary,
        environment,
        timeout_seconds: props
            .get("Timeout")
            .and_then(Value::as_u64)
            .unwrap_or(globals_timeout),
        http_routes: Vec::new(),
        sqs_sources: Vec::new(),
        schedules: Vec::new(),
        statements: policy_statements(id, props)?,
    };
    let events = props
        .get("Events")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (name, event) in events {
        let kind = event
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let ep = event.get("Properties").cloned().unwrap_or(Value::Null);
        match kind {
            "HttpApi" => {
                let method = ep
                    .get("Method")
                    .and_then(Value::as_str)
                    .unwrap_or("ANY")
                    .to_uppercase();
                let path = ep
                    .get("Path")
                    .and_then(Value::as_str)
                    .unwrap_or("$default")
                    .to_string();
                let authorizer = match ep.pointer("/Auth/Authorizer").and_then(Value::as_str) {
                    None | Some("NONE") => None,
                    Some(a) => Some(a.to_string()),
                };
                let scopes = ep
                    .pointer("/Auth/AuthorizationScopes")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                def.http_routes.push(HttpRoute {
                    event_name: name.clone(),
                    method,
                    path,
                    authorizer,
                    scopes,
                });
            }
            "SQS" => {
                let queue = ep.get("Queue").and_then(getatt_target).ok_or_else(|| {
                    shape(format!("{id}.{name}: Queue must be !GetAtt <Queue>.Arn"))
                })?;
                let report = ep
                    .get("FunctionResponseTypes")
                    .and_then(Value::as_array)
                    .is_some_and(|types| types.iter().any(|t| t == "ReportBatchItemFailures"));
                def.sqs_sources.push(SqsSource {
                    event_name: name.clone(),
                    queue_logical_id: queue,
                    batch_size: ep.get("BatchSize").and_then(Value::as_u64).unwrap_or(10) as u32,
                    batching_window_seconds: ep
                        .get("MaximumBatchingWindowInSeconds")
                        .and_then(Value::as_u64)
                        .unwrap_or(0) as u32,
                    report_batch_item_failures: report,
                    max_concurrency: ep
                        .get("ScalingConfig")
                        .and_then(|c| c.get("MaximumConcurrency"))
                        .and_then(Value::as_u64)
                        .unwrap_or(1)
                        .clamp(1, 1000) as u32,
                });
            }
            "Schedule" | "ScheduleV2" => {
                let expression = ep
                    .get("Schedule")
                    .or_else(|| ep.get("ScheduleExpression"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| shape(format!("{id}.{name}: no schedule expression")))?
                    .to_string();
                let enabled = match ep.get("State").and_then(Value::as_str) {
                    Some(state) => state == "ENABLED",
                    None => ep.get("Enabled").and_then(Value::as_bool).unwrap_or(true),
                };
                def.schedules.push(ScheduleDef {
                    event_name: name.clone(),
                    expression,
                    enabled,
                });
            }
            other => {
                return Err(shape(format!(
                    "{id}.{name}: event type {other} is not served by the local runner"
                )))
            }
        }
    }
    def.http_routes.sort();
    Ok(def)
}

/// The inline statements of a function's `Policies`. A SAM policy template or a managed
/// policy name would grant what the local stack cannot see, so it is refused here rather than
/// silently allowed or denied.
fn policy_statements(id: &str, props: &Value) -> Result<Vec<Value>, TemplateError> {
    let policies = match props.get("Policies") {
        None => return Ok(Vec::new()),
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
    };
    let mut statements = Vec::new();
    for policy in policies {
        match policy.get("Statement") {
            Some(Value::Array(items)) => statements.extend(items.iter().cloned()),
            Some(one @ Value::Object(_)) => statements.push(one.clone()),
            _ => {
                return Err(shape(format!(
                    "{id}: only inline policy statements are enforced locally, not {policy}"
                )))
            }
        }
    }
    Ok(statements)
}

fn parse_table(id: &str, props: &Value) -> Result<TableDef, TemplateError> {
    let pairs = |v: Option<&Value>, a: &str, b: &str| -> Vec<(String, String)> {
        v.and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| {
                        Some((
                            i.get(a)?.as_str()?.to_string(),
                            i.get(b)?.as_str()?.to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let key_schema = pairs(props.get("KeySchema"), "AttributeName", "KeyType");
    if key_schema.is_empty() {
        return Err(shape(format!("{id}: no KeySchema")));
    }
    let global_secondary_indexes = props
        .get("GlobalSecondaryIndexes")
        .and_then(Value::as_array)
        .map(|indexes| {
            indexes
                .iter()
                .map(|ix| IndexDef {
                    name: ix
                        .get("IndexName")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    key_schema: pairs(ix.get("KeySchema"), "AttributeName", "KeyType"),
                    projection_type: ix
                        .pointer("/Projection/ProjectionType")
                        .and_then(Value::as_str)
                        .unwrap_or("ALL")
                        .to_string(),
                    non_key_attributes: ix
                        .pointer("/Projection/NonKeyAttributes")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let ttl_attribute = props
        .get("TimeToLiveSpecification")
        .filter(|t| t.get("Enabled").and_then(Value::as_bool).unwrap_or(false))
        .and_then(|t| t.get("AttributeName"))
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(TableDef {
        logical_id: id.to_string(),
        attribute_definitions: pairs(
            props.get("AttributeDefinitions"),
            "AttributeName",
            "AttributeType",
        ),
        key_schema,
        global_secondary_indexes,
        ttl_attribute,
    })
}

fn parse_queue(id: &str, props: &Value) -> Result<QueueDef, TemplateError> {
    let redrive = match props.get("RedrivePolicy") {
        None => None,
        Some(policy) => Some(Redrive {
            dead_letter_logical_id: policy
                .get("deadLetterTargetArn")
                .and_then(getatt_target)
                .ok_or_else(|| {
                    shape(format!(
                        "{id}: deadLetterTargetArn must be !GetAtt <Queue>.Arn"
                    ))
                })?,
            max_receive_count: policy
                .get("maxReceiveCount")
                .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
                .ok_or_else(|| shape(format!("{id}: maxReceiveCount missing")))?
                as u32,
        }),
    };
    Ok(QueueDef {
        logical_id: id.to_string(),
        fifo: props.get("FifoQueue").and_then(Value::as_bool) == Some(true),
        visibility_timeout: props
            .get("VisibilityTimeout")
            .and_then(Value::as_u64)
            .unwrap_or(30) as u32,
        message_retention_seconds: props
            .get("MessageRetentionPeriod")
            .and_then(Value::as_u64)
            .map(|v| v as u32),
        redrive,
    })
}

/// `{"Fn::GetAtt": ["X", "Arn"]}` → `X`.
fn getatt_target(v: &Value) -> Option<String> {
    let args = v.get("Fn::GetAtt")?;
    match args {
        Value::Array(parts) => parts.first()?.as_str().map(str::to_string),
        Value::String(s) => s.split('.').next().map(str::to_string),
        _ => None,
    }
}

pub(crate) fn scalar_to_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// YAML to JSON, expanding CloudFormation short-form tags into their long forms.
/// The whole template as JSON, intrinsics in their long form (`{"Ref": ..}`,
/// `{"Fn::GetAtt": [resource, attribute]}`, `{"Fn::Sub": ..}`): for checks that read more
/// than the runner needs (policies, alarms, the dashboard).
pub fn document(text: &str) -> Result<Value, TemplateError> {
    let yaml: serde_norway::Value = serde_norway::from_str(text)?;
    to_json(yaml)
}

fn to_json(v: serde_norway::Value) -> Result<Value, TemplateError> {
    use serde_norway::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                Value::from(n.as_f64().unwrap_or_default())
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => {
            Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?)
        }
        Y::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    other => serde_norway::to_string(&other)?.trim().to_string(),
                };
                out.insert(key, to_json(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let inner = to_json(tagged.value)?;
            let (key, value) = match name {
                "Ref" | "Condition" => (name.to_string(), inner),
                "GetAtt" => {
                    let parts = match inner {
                        Value::String(s) => {
                            let (res, attr) = s.split_once('.').ok_or_else(|| {
                                shape(format!("!GetAtt {s}: expected Resource.Attribute"))
                            })?;
                            Value::Array(vec![res.into(), attr.into()])
                        }
                        other => other,
                    };
                    ("Fn::GetAtt".to_string(), parts)
                }
                other => (format!("Fn::{other}"), inner),
            };
            let mut out = Map::new();
            out.insert(key, value);
            Value::Object(out)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
Parameters:
  Name: {Type: String, Default: demo}
Globals:
  Function:
    Timeout: 7
    Environment: {Variables: {GLOBAL: "1"}}
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          Jwt:
            JwtConfiguration:
              issuer: !Ref Name
              audience: [aud]
  WorkerFunction:
    Type: AWS::Serverless::Function
    Metadata: {BuildProperties: {Binary: worker}}
    Properties:
      Environment:
        Variables:
          QUEUE: !Ref Q
          ARN: !GetAtt Q.Arn
      Events:
        Poll:
          Type: SQS
          Properties:
            Queue: !GetAtt Q.Arn
            BatchSize: 3
            FunctionResponseTypes: [ReportBatchItemFailures]
        Tick: {Type: Schedule, Properties: {Schedule: rate(5 minutes)}}
        Get: {Type: HttpApi, Properties: {Path: "/things/{id}", Method: get, Auth: {Authorizer: Jwt}}}
  Q:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 2
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt Dlq.Arn
        maxReceiveCount: 2
  Dlq: {Type: AWS::SQS::Queue}
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      TimeToLiveSpecification: {AttributeName: ttl, Enabled: true}
"#;

    #[test]
    fn short_form_tags_should_become_long_forms() {
        let t = Template::parse(SMALL).unwrap();
        let f = &t.functions[0];
        assert_eq!(f.binary, "worker");
        assert_eq!(f.timeout_seconds, 7);
        assert_eq!(f.environment["QUEUE"], serde_json::json!({"Ref": "Q"}));
        assert_eq!(
            f.environment["ARN"],
            serde_json::json!({"Fn::GetAtt": ["Q", "Arn"]})
        );
        assert_eq!(f.environment["GLOBAL"], serde_json::json!("1"));
    }

    #[test]
    fn events_queues_and_tables_should_be_read() {
        let t = Template::parse(SMALL).unwrap();
        let f = &t.functions[0];
        assert_eq!(f.sqs_sources[0].queue_logical_id, "Q");
        assert_eq!(f.sqs_sources[0].batch_size, 3);
        assert!(f.sqs_sources[0].report_batch_item_failures);
        assert_eq!(f.schedules[0].expression, "rate(5 minutes)");
        assert_eq!(f.http_routes[0].method, "GET");
        assert_eq!(f.http_routes[0].authorizer.as_deref(), Some("Jwt"));
        let q = t.queue("Q").unwrap();
        assert_eq!(q.visibility_timeout, 2);
        let redrive = q.redrive.as_ref().unwrap();
        assert_eq!(
            (
                redrive.dead_letter_logical_id.as_str(),
                redrive.max_receive_count
            ),
            ("Dlq", 2)
        );
        assert_eq!(t.tables[0].ttl_attribute.as_deref(), Some("ttl"));
        assert!(t.authorizers.contains_key("Jwt"));
    }

    #[test]
    fn a_function_without_a_binary_should_be_refused() {
        let text = "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {}\n";
        let err = Template::parse(text).unwrap_err().to_string();
        assert!(err.contains("Binary"), "{err}");
    }
}
