//! Resolves CloudFormation intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`) against
//! the resources the local stack created, so each function gets the environment that
//! template.yaml gives it on AWS, with local names.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::provision::Provisioned;
use crate::template::{scalar_to_string, Template};

#[derive(Debug, thiserror::Error)]
#[error("cannot resolve {0}")]
pub struct ResolveError(pub String);

pub struct Resolver<'a> {
    pub template: &'a Template,
    pub parameters: &'a BTreeMap<String, String>,
    pub provisioned: &'a Provisioned,
}

impl Resolver<'_> {
    pub fn resolve(&self, value: &Value) -> Result<String, ResolveError> {
        match value {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => Ok(scalar_to_string(value)),
            Value::Object(map) if map.len() == 1 => {
                let (key, arg) = map.iter().next().ok_or_else(|| ResolveError("{}".into()))?;
                match key.as_str() {
                    "Ref" => self.reference(arg.as_str().unwrap_or_default()),
                    "Fn::GetAtt" => {
                        let parts: Vec<&str> = arg
                            .as_array()
                            .map(|a| a.iter().filter_map(Value::as_str).collect())
                            .unwrap_or_default();
                        match parts.as_slice() {
                            [resource, attribute] => self.attribute(resource, attribute),
                            _ => Err(ResolveError(format!("Fn::GetAtt {arg}"))),
                        }
                    }
                    "Fn::Sub" => match arg {
                        Value::String(s) => self.substitute(s, &BTreeMap::new()),
                        Value::Array(parts) if parts.len() == 2 => {
                            let vars = parts[1]
                                .as_object()
                                .map(|m| {
                                    m.iter()
                                        .map(|(k, v)| Ok((k.clone(), self.resolve(v)?)))
                                        .collect::<Result<BTreeMap<_, _>, ResolveError>>()
                                })
                                .transpose()?
                                .unwrap_or_default();
                            self.substitute(parts[0].as_str().unwrap_or_default(), &vars)
                        }
                        other => Err(ResolveError(format!("Fn::Sub {other}"))),
                    },
                    "Fn::Join" => {
                        let parts = arg
                            .as_array()
                            .ok_or_else(|| ResolveError(format!("Fn::Join {arg}")))?;
                        let delimiter = parts.first().and_then(Value::as_str).unwrap_or_default();
                        let items = parts
                            .get(1)
                            .and_then(Value::as_array)
                            .ok_or_else(|| ResolveError(format!("Fn::Join {arg}")))?;
                        let resolved = items
                            .iter()
                            .map(|i| self.resolve(i))
                            .collect::<Result<Vec<_>, _>>()?;
                        Ok(resolved.join(delimiter))
                    }
                    other => Err(ResolveError(format!("{other} (not supported locally)"))),
                }
            }
            other => Err(ResolveError(other.to_string())),
        }
    }

    fn reference(&self, name: &str) -> Result<String, ResolveError> {
        let p = self.provisioned;
        match name {
            "AWS::Region" => return Ok(p.region.clone()),
            "AWS::AccountId" => return Ok(p.account_id.clone()),
            "AWS::StackName" => return Ok(p.prefix.clone()),
            "AWS::Partition" => return Ok("aws".into()),
            "AWS::URLSuffix" => return Ok("amazonaws.com".into()),
            _ => {}
        }
        if let Some(v) = self.parameters.get(name) {
            return Ok(v.clone());
        }
        if let Some(table) = p.tables.get(name) {
            return Ok(table.clone());
        }
        if let Some(queue) = p.queues.get(name) {
            return Ok(queue.url.clone());
        }
        match self.template.resource_types.get(name).map(String::as_str) {
            Some("AWS::Serverless::HttpApi") => Ok("local".into()),
            Some(_) => Ok(format!("{}-{name}", p.prefix)),
            None => Err(ResolveError(format!(
                "Ref {name}: no such parameter or resource"
            ))),
        }
    }

    fn attribute(&self, resource: &str, attribute: &str) -> Result<String, ResolveError> {
        let p = self.provisioned;
        if let Some(queue) = p.queues.get(resource) {
            return match attribute {
                "Arn" => Ok(queue.arn.clone()),
                "QueueName" => Ok(queue.name.clone()),
                "QueueUrl" => Ok(queue.url.clone()),
                _ => Err(ResolveError(format!("{resource}.{attribute}"))),
            };
        }
        if let Some(table) = p.tables.get(resource) {
            return match attribute {
                "Arn" => Ok(p.table_arn(table)),
                _ => Err(ResolveError(format!("{resource}.{attribute}"))),
            };
        }
        Err(ResolveError(format!("{resource}.{attribute}")))
    }

    fn substitute(
        &self,
        text: &str,
        vars: &BTreeMap<String, String>,
    ) -> Result<String, ResolveError> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| ResolveError(format!("Fn::Sub {text}")))?;
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(v) = vars.get(name) {
                out.push_str(v);
            } else if let Some((resource, attribute)) = name.split_once('.') {
                out.push_str(&self.attribute(resource, attribute)?);
            } else {
                out.push_str(&self.reference(name)?);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}
