//! What an AWS request asks to do, as the service's authoriser sees it: the actions and the
//! resources each one is checked on. A request with several parts (a transaction, a batch) is
//! authorised part by part, as DynamoDB does: each item of a `TransactWriteItems` needs the
//! Put/Update/Delete/ConditionCheck action on its own table, a `Query` on an index needs the
//! index's ARN, a `SendMessageBatch` needs `sqs:SendMessage` on its queue.

use base64::Engine;
use serde_json::Value;

use super::policy::Check;

/// The AWS protocols the functions speak, told apart by the request itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// DynamoDB (`X-Amz-Target: DynamoDB_20120810.Op`, JSON 1.0).
    DynamoDb,
    /// SQS's JSON protocol (`X-Amz-Target: AmazonSQS.Op`).
    SqsJson,
    /// SSM (`X-Amz-Target: AmazonSSM.Op`, JSON 1.1).
    SsmJson,
    /// SQS's or SES's query protocol (a form with `Action=`).
    Query { ses: bool },
}

/// A request's operation and everything its authoriser checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub protocol: Protocol,
    pub operation: String,
    pub checks: Vec<Check>,
}

/// Where resources live: the ARNs' region and account.
#[derive(Debug, Clone)]
pub struct Scope {
    pub region: String,
    pub account_id: String,
}

impl Scope {
    /// The local stack's region and moto's default account.
    pub fn local() -> Self {
        Scope {
            region: crate::REGION.to_string(),
            account_id: crate::provision::ACCOUNT_ID.to_string(),
        }
    }

    fn table(&self, name: &str) -> String {
        if name.starts_with("arn:") {
            return name.to_string();
        }
        format!(
            "arn:aws:dynamodb:{}:{}:table/{name}",
            self.region, self.account_id
        )
    }

    fn queue_from_url(&self, url: &str) -> String {
        // https://sqs.{region}.amazonaws.com/{account}/{name}, or the emulator's
        // http://127.0.0.1:{port}/{account}/{name}.
        let mut parts = url.trim_end_matches('/').rsplit('/');
        let name = parts.next().unwrap_or_default();
        let account = parts
            .next()
            .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
            .unwrap_or(&self.account_id);
        format!("arn:aws:sqs:{}:{account}:{name}", self.region)
    }

    fn queue_from_name(&self, name: &str) -> String {
        format!("arn:aws:sqs:{}:{}:{name}", self.region, self.account_id)
    }

    /// `arn:aws:ssm:{region}:{account}:parameter/{path}`: a name's leading slash is the
    /// ARN's own.
    fn parameter(&self, name: &str) -> String {
        format!(
            "arn:aws:ssm:{}:{}:parameter/{}",
            self.region,
            self.account_id,
            name.trim_start_matches('/')
        )
    }

    fn ses(&self, kind: &str, name: &str) -> String {
        format!(
            "arn:aws:ses:{}:{}:{kind}/{name}",
            self.region, self.account_id
        )
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RequestError {
    #[error("the request names no operation (no X-Amz-Target and no Action)")]
    NoOperation,
    #[error("the request body is not {0}")]
    Body(&'static str),
}

/// Reads a request's operation and checks from its headers and body.
pub fn authorization(
    target: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
    scope: &Scope,
) -> Result<Authorization, RequestError> {
    if let Some(target) = target {
        let (prefix, operation) = target.split_once('.').ok_or(RequestError::NoOperation)?;
        let json: Value = if body.is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_slice(body).map_err(|_| RequestError::Body("JSON"))?
        };
        if prefix.starts_with("DynamoDB") {
            return Ok(Authorization {
                protocol: Protocol::DynamoDb,
                operation: operation.to_string(),
                checks: dynamodb_checks(operation, &json, scope),
            });
        }
        if prefix == "AmazonSQS" {
            return Ok(Authorization {
                protocol: Protocol::SqsJson,
                operation: operation.to_string(),
                checks: sqs_checks(operation, |k| json[k].as_str().map(str::to_string), scope),
            });
        }
        if prefix == "AmazonSSM" {
            return Ok(Authorization {
                protocol: Protocol::SsmJson,
                operation: operation.to_string(),
                checks: ssm_checks(operation, &json, scope),
            });
        }
        return Err(RequestError::NoOperation);
    }
    if content_type.is_some_and(|c| c.starts_with("application/x-www-form-urlencoded")) {
        let form: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
        let param = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let operation = param("Action").ok_or(RequestError::NoOperation)?;
        let ses = operation.starts_with("Send") && operation.contains("Email")
            || param("Version").as_deref() == Some("2010-12-01");
        let checks = if ses {
            ses_checks(&operation, &param, scope)
        } else {
            sqs_checks(&operation, param, scope)
        };
        return Ok(Authorization {
            protocol: Protocol::Query { ses },
            operation,
            checks,
        });
    }
    Err(RequestError::NoOperation)
}

fn dynamodb_checks(operation: &str, body: &Value, scope: &Scope) -> Vec<Check> {
    let action = |op: &str| format!("dynamodb:{op}");
    let table_of = |v: &Value| v["TableName"].as_str().map(|t| scope.table(t));
    match operation {
        "TransactWriteItems" => body["TransactItems"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|item| {
                [
                    ("Put", "PutItem"),
                    ("Update", "UpdateItem"),
                    ("Delete", "DeleteItem"),
                    ("ConditionCheck", "ConditionCheckItem"),
                ]
                .into_iter()
                .filter_map(|(part, op)| {
                    table_of(&item[part]).map(|table| Check::new(action(op), table))
                })
            })
            .collect(),
        "TransactGetItems" => body["TransactItems"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| table_of(&item["Get"]))
            .map(|table| Check::new(action("GetItem"), table))
            .collect(),
        "BatchGetItem" | "BatchWriteItem" => body["RequestItems"]
            .as_object()
            .into_iter()
            .flat_map(|tables| tables.keys())
            .map(|table| Check::new(action(operation), scope.table(table)))
            .collect(),
        _ => {
            let resource = match (table_of(body), body["IndexName"].as_str()) {
                (Some(table), Some(index)) => format!("{table}/index/{index}"),
                (Some(table), None) => table,
                (None, _) => "*".to_string(),
            };
            vec![Check::new(action(operation), resource)]
        }
    }
}

fn sqs_checks(
    operation: &str,
    param: impl Fn(&str) -> Option<String>,
    scope: &Scope,
) -> Vec<Check> {
    // The batch operations are authorised as their single-message actions.
    let action = match operation {
        "SendMessageBatch" => "SendMessage",
        "DeleteMessageBatch" => "DeleteMessage",
        "ChangeMessageVisibilityBatch" => "ChangeMessageVisibility",
        other => other,
    };
    let resource = match (param("QueueUrl"), param("QueueName")) {
        (Some(url), _) => scope.queue_from_url(&url),
        (None, Some(name)) => scope.queue_from_name(&name),
        (None, None) => "*".to_string(),
    };
    vec![Check::new(format!("sqs:{action}"), resource)]
}

/// SSM authorises a call naming several parameters on each of them, with the call's action.
fn ssm_checks(operation: &str, body: &Value, scope: &Scope) -> Vec<Check> {
    let action = format!("ssm:{operation}");
    let names: Vec<&str> = match (body["Names"].as_array(), body["Name"].as_str()) {
        (Some(names), _) => names.iter().filter_map(Value::as_str).collect(),
        (None, Some(name)) => vec![name],
        (None, None) => Vec::new(),
    };
    if names.is_empty() {
        return vec![Check::new(action, "*".to_string())];
    }
    names
        .into_iter()
        .map(|name| Check::new(action.clone(), scope.parameter(name)))
        .collect()
}

fn ses_checks(
    operation: &str,
    param: &dyn Fn(&str) -> Option<String>,
    scope: &Scope,
) -> Vec<Check> {
    let action = format!("ses:{operation}");
    let source = param("Source").or_else(|| {
        param("RawMessage.Data")
            .and_then(|data| base64::engine::general_purpose::STANDARD.decode(data).ok())
            .and_then(|raw| from_header(&raw))
    });
    // SES authorises the identity it sends as (the address, which the template verifies),
    // and, for a message sent through one, the configuration set.
    let identity = source
        .map(|s| bare_address(&s))
        .unwrap_or_else(|| "*".into());
    let mut checks = vec![Check::new(action.clone(), scope.ses("identity", &identity))];
    if let Some(set) = param("ConfigurationSetName") {
        checks.push(Check::new(action, scope.ses("configuration-set", &set)));
    }
    checks
}

/// The address of a message's `From:` header, from its raw MIME.
fn from_header(raw: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    head.split("\r\n").chain(head.split('\n')).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("from")
            .then(|| value.trim().to_string())
    })
}

/// `Brand <news@brand.example>` is `news@brand.example`.
fn bare_address(source: &str) -> String {
    match (source.rfind('<'), source.rfind('>')) {
        (Some(start), Some(end)) if start < end => source[start + 1..end].trim().to_string(),
        _ => source.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scope() -> Scope {
        Scope {
            region: "eu-west-1".into(),
            account_id: "123456789012".into(),
        }
    }

    fn dynamodb(op: &str, body: Value) -> Vec<Check> {
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        authorization(
            Some(&format!("DynamoDB_20120810.{op}")),
            Some("application/x-amz-json-1.0"),
            &bytes,
            &scope(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
        .checks
    }

    const ARN: &str = "arn:aws:dynamodb:eu-west-1:123456789012:table/";

    #[test]
    fn each_item_of_a_transaction_should_be_checked_with_its_own_action() {
        let checks = dynamodb(
            "TransactWriteItems",
            json!({"TransactItems": [
                {"Update": {"TableName": "Carts", "Key": {}}},
                {"Update": {"TableName": "Emails", "Key": {}}},
                {"Put": {"TableName": "Stats", "Item": {}}},
                {"ConditionCheck": {"TableName": "Contacts", "Key": {}}}
            ]}),
        );
        assert_eq!(
            checks,
            vec![
                Check::new("dynamodb:UpdateItem", format!("{ARN}Carts")),
                Check::new("dynamodb:UpdateItem", format!("{ARN}Emails")),
                Check::new("dynamodb:PutItem", format!("{ARN}Stats")),
                Check::new("dynamodb:ConditionCheckItem", format!("{ARN}Contacts")),
            ]
        );
    }

    #[test]
    fn a_query_on_an_index_should_be_checked_on_the_index() {
        let checks = dynamodb("Query", json!({"TableName": "S", "IndexName": "ByKind"}));
        assert_eq!(
            checks,
            vec![Check::new("dynamodb:Query", format!("{ARN}S/index/ByKind"))]
        );
    }

    #[test]
    fn a_batch_should_be_checked_on_every_table_it_names() {
        let checks = dynamodb(
            "BatchGetItem",
            json!({"RequestItems": {"A": {"Keys": []}, "B": {"Keys": []}}}),
        );
        assert_eq!(checks.len(), 2);
        assert!(checks.iter().all(|c| c.action == "dynamodb:BatchGetItem"));
    }

    #[test]
    fn a_parameters_read_should_be_checked_on_every_parameter_it_names() {
        let body = json!({"Names": ["/p/lookup-key", "/p/link-keys"], "WithDecryption": true});
        let auth = authorization(
            Some("AmazonSSM.GetParameters"),
            Some("application/x-amz-json-1.1"),
            &serde_json::to_vec(&body).unwrap_or_default(),
            &scope(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(auth.protocol, Protocol::SsmJson);
        assert_eq!(
            auth.checks,
            vec![
                Check::new(
                    "ssm:GetParameters",
                    "arn:aws:ssm:eu-west-1:123456789012:parameter/p/lookup-key"
                ),
                Check::new(
                    "ssm:GetParameters",
                    "arn:aws:ssm:eu-west-1:123456789012:parameter/p/link-keys"
                ),
            ]
        );
    }

    #[test]
    fn an_sqs_batch_should_be_checked_as_its_single_action_on_the_queue() {
        let body = json!({"QueueUrl": "http://127.0.0.1:5000/123456789012/p-Q", "Entries": []});
        let auth = authorization(
            Some("AmazonSQS.SendMessageBatch"),
            Some("application/x-amz-json-1.0"),
            &serde_json::to_vec(&body).unwrap_or_default(),
            &scope(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(auth.protocol, Protocol::SqsJson);
        assert_eq!(
            auth.checks,
            vec![Check::new(
                "sqs:SendMessage",
                "arn:aws:sqs:eu-west-1:123456789012:p-Q"
            )]
        );
    }

    #[test]
    fn a_raw_email_should_be_checked_on_its_from_identity_and_configuration_set() {
        let raw = "From: Brand <news@brand.example>\r\nTo: a@b.example\r\n\r\nHello";
        let data = base64::engine::general_purpose::STANDARD.encode(raw);
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("Action", "SendRawEmail")
            .append_pair("RawMessage.Data", &data)
            .append_pair("ConfigurationSetName", "relaunch")
            .finish();
        let auth = authorization(
            None,
            Some("application/x-www-form-urlencoded"),
            form.as_bytes(),
            &scope(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            auth.checks,
            vec![
                Check::new(
                    "ses:SendRawEmail",
                    "arn:aws:ses:eu-west-1:123456789012:identity/news@brand.example"
                ),
                Check::new(
                    "ses:SendRawEmail",
                    "arn:aws:ses:eu-west-1:123456789012:configuration-set/relaunch"
                ),
            ]
        );
    }
}
