//! Creates, on the emulators, every table, queue and SES identity template.yaml declares:
//! keys, GSIs and TTL; queues with their dead-letter queues and redrive policies. Names are
//! `{prefix}-{LogicalId}`, so that each test can have its own set.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus, TimeToLiveSpecification,
};
use aws_sdk_sqs::types::QueueAttributeName;

use crate::resolve::Resolver;
use crate::template::{TableDef, Template};

#[derive(Debug, thiserror::Error)]
#[error("provisioning {what}: {message}")]
pub struct ProvisionError {
    pub what: String,
    pub message: String,
}

fn perr(what: impl Into<String>, message: impl std::fmt::Display) -> ProvisionError {
    ProvisionError {
        what: what.into(),
        message: message.to_string(),
    }
}

#[derive(Debug, Clone)]
pub struct QueueInfo {
    pub name: String,
    pub url: String,
    pub arn: String,
}

/// moto's default account; DynamoDB Local ignores it.
pub const ACCOUNT_ID: &str = "123456789012";

/// What the local stack created, by logical id.
#[derive(Debug, Clone, Default)]
pub struct Provisioned {
    pub prefix: String,
    pub region: String,
    pub account_id: String,
    pub tables: BTreeMap<String, String>,
    pub queues: BTreeMap<String, QueueInfo>,
    pub email_identities: Vec<String>,
}

impl Provisioned {
    pub fn table_arn(&self, table_name: &str) -> String {
        format!(
            "arn:aws:dynamodb:{}:{}:table/{table_name}",
            self.region, self.account_id
        )
    }
}

pub struct Clients {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub ses: aws_sdk_ses::Client,
    pub ssm: aws_sdk_ssm::Client,
}

pub async fn provision(
    template: &Template,
    parameters: &BTreeMap<String, String>,
    secrets: &BTreeMap<String, String>,
    clients: &Clients,
    prefix: &str,
    region: &str,
) -> Result<Provisioned, ProvisionError> {
    let mut out = Provisioned {
        prefix: prefix.to_string(),
        region: region.to_string(),
        account_id: ACCOUNT_ID.to_string(),
        ..Provisioned::default()
    };

    // Tables: create all, then wait for all (creation is asynchronous, as in AWS).
    for table in &template.tables {
        let name = format!("{prefix}-{}", table.logical_id);
        create_table(&clients.dynamodb, table, &name).await?;
        out.tables.insert(table.logical_id.clone(), name);
    }
    for (logical_id, name) in &out.tables {
        wait_active(&clients.dynamodb, name).await?;
        if let Some(ttl) = template
            .tables
            .iter()
            .find(|t| &t.logical_id == logical_id)
            .and_then(|t| t.ttl_attribute.clone())
        {
            clients
                .dynamodb
                .update_time_to_live()
                .table_name(name)
                .time_to_live_specification(
                    TimeToLiveSpecification::builder()
                        .attribute_name(ttl)
                        .enabled(true)
                        .build()
                        .map_err(|e| perr(name, e))?,
                )
                .send()
                .await
                .map(|_| ())
                .or_else(|e| {
                    let e = e.into_service_error();
                    // A table kept from an earlier run has it already.
                    let already = aws_sdk_dynamodb::error::ProvideErrorMetadata::message(&e)
                        .is_some_and(|m| m.contains("already enabled"));
                    if already {
                        Ok(())
                    } else {
                        Err(perr(format!("TTL of {name}"), e))
                    }
                })?;
        }
    }

    // Queues: dead-letter targets first, so their ARNs exist for the redrive policies.
    let mut ordered: Vec<_> = template.queues.iter().collect();
    ordered.sort_by_key(|q| q.redrive.is_some());
    for queue in ordered {
        let name = format!(
            "{prefix}-{}{}",
            queue.logical_id,
            if queue.fifo { ".fifo" } else { "" }
        );
        let mut request = clients.sqs.create_queue().queue_name(&name).attributes(
            QueueAttributeName::VisibilityTimeout,
            queue.visibility_timeout.to_string(),
        );
        if queue.fifo {
            request = request.attributes(QueueAttributeName::FifoQueue, "true");
        }
        if let Some(retention) = queue.message_retention_seconds {
            request = request.attributes(
                QueueAttributeName::MessageRetentionPeriod,
                retention.to_string(),
            );
        }
        if let Some(redrive) = &queue.redrive {
            let dlq = out
                .queues
                .get(&redrive.dead_letter_logical_id)
                .ok_or_else(|| {
                    perr(
                        &name,
                        format!(
                            "dead-letter queue {} is not declared",
                            redrive.dead_letter_logical_id
                        ),
                    )
                })?;
            let policy = serde_json::json!({
                "deadLetterTargetArn": dlq.arn,
                "maxReceiveCount": redrive.max_receive_count,
            });
            request = request.attributes(QueueAttributeName::RedrivePolicy, policy.to_string());
        }
        let created = request
            .send()
            .await
            .map_err(|e| perr(format!("queue {name}"), e.into_service_error()))?;
        let url = created
            .queue_url
            .ok_or_else(|| perr(&name, "no queue URL returned"))?;
        let arn = format!("arn:aws:sqs:{region}:{}:{name}", out.account_id);
        out.queues
            .insert(queue.logical_id.clone(), QueueInfo { name, url, arn });
    }

    // SES identities: moto refuses to send from an unverified one, as SES does.
    for identity in &template.email_identities {
        let resolver = Resolver {
            template,
            parameters,
            provisioned: &out,
        };
        let address = resolver
            .resolve(&identity.identity)
            .map_err(|e| perr(&identity.logical_id, e))?;
        clients
            .ses
            .verify_email_identity()
            .email_address(&address)
            .send()
            .await
            .map_err(|e| perr(format!("SES identity {address}"), e.into_service_error()))?;
        out.email_identities.push(address);
    }

    // Secrets: SecureStrings under the stack's path, as infra/deploy.sh creates them in AWS
    // (CloudFormation cannot create a SecureString).
    for (name, value) in secrets {
        let name = format!("/{prefix}/{name}");
        clients
            .ssm
            .put_parameter()
            .name(&name)
            .value(value)
            .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
            .overwrite(true)
            .send()
            .await
            .map_err(|e| perr(format!("SSM parameter {name}"), e.into_service_error()))?;
    }
    Ok(out)
}

async fn create_table(
    client: &aws_sdk_dynamodb::Client,
    def: &TableDef,
    name: &str,
) -> Result<(), ProvisionError> {
    let key = |pairs: &[(String, String)]| -> Result<Vec<KeySchemaElement>, ProvisionError> {
        pairs
            .iter()
            .map(|(attr, kind)| {
                KeySchemaElement::builder()
                    .attribute_name(attr)
                    .key_type(KeyType::from(kind.as_str()))
                    .build()
                    .map_err(|e| perr(name, e))
            })
            .collect()
    };
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(key(&def.key_schema)?));
    for (attr, kind) in &def.attribute_definitions {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(attr)
                .attribute_type(ScalarAttributeType::from(kind.as_str()))
                .build()
                .map_err(|e| perr(name, e))?,
        );
    }
    for index in &def.global_secondary_indexes {
        let mut projection = Projection::builder()
            .projection_type(ProjectionType::from(index.projection_type.as_str()));
        if !index.non_key_attributes.is_empty() {
            projection = projection.set_non_key_attributes(Some(index.non_key_attributes.clone()));
        }
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(&index.name)
                .set_key_schema(Some(key(&index.key_schema)?))
                .projection(projection.build())
                .build()
                .map_err(|e| perr(name, e))?,
        );
    }
    match request.send().await.map_err(|e| e.into_service_error()) {
        Ok(_) => Ok(()),
        // Emulators kept running across runner restarts (bench/load.sh's fault run): the
        // table is there, with what it held.
        Err(e) if e.is_resource_in_use_exception() => Ok(()),
        Err(e) => Err(perr(format!("table {name}"), e)),
    }
}

async fn wait_active(client: &aws_sdk_dynamodb::Client, name: &str) -> Result<(), ProvisionError> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = client
            .describe_table()
            .table_name(name)
            .send()
            .await
            .map_err(|e| perr(format!("table {name}"), e.into_service_error()))?;
        let table = out.table.ok_or_else(|| perr(name, "no description"))?;
        let indexes_active = table
            .global_secondary_indexes()
            .iter()
            .all(|i| i.index_status() == Some(&aws_sdk_dynamodb::types::IndexStatus::Active));
        if table.table_status() == Some(&TableStatus::Active) && indexes_active {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(perr(name, "not ACTIVE after 30 s"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
