//! Resolves CloudFormation intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::If`
//! on the template's `Conditions`) against
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
                    "Fn::If" => match arg.as_array().map(Vec::as_slice) {
                        Some([Value::String(condition), then, otherwise]) => {
                            match self.condition(condition)? {
                                true => self.resolve(then),
                                false => self.resolve(otherwise),
                            }
                        }
                        _ => Err(ResolveError(format!("Fn::If {arg}"))),
                    },
                    other => Err(ResolveError(format!("{other} (not supported locally)"))),
                }
            }
            other => Err(ResolveError(other.to_string())),
        }
    }

    /// Whether the template's condition `name` holds with these parameters.
    pub fn condition(&self, name: &str) -> Result<bool, ResolveError> {
        let definition = self
            .template
            .conditions
            .get(name)
            .ok_or_else(|| ResolveError(format!("Condition {name}: not in Conditions")))?;
        self.holds(definition)
    }

    /// A condition function (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`).
    fn holds(&self, value: &Value) -> Result<bool, ResolveError> {
        let Some((key, arg)) = value.as_object().and_then(|m| m.iter().next()) else {
            return Err(ResolveError(format!("condition {value}")));
        };
        let args = || arg.as_array().cloned().unwrap_or_default();
        match key.as_str() {
            "Condition" => self.condition(arg.as_str().unwrap_or_default()),
            "Fn::Equals" => match args().as_slice() {
                [a, b] => Ok(self.resolve(a)? == self.resolve(b)?),
                _ => Err(ResolveError(format!("Fn::Equals {arg}"))),
            },
            "Fn::Not" => match args().as_slice() {
                [inner] => Ok(!self.holds(inner)?),
                _ => Err(ResolveError(format!("Fn::Not {arg}"))),
            },
            "Fn::And" => args()
                .iter()
                .try_fold(true, |all, c| Ok(all && self.holds(c)?)),
            "Fn::Or" => args()
                .iter()
                .try_fold(false, |any, c| Ok(any || self.holds(c)?)),
            other => Err(ResolveError(format!("{other} in a condition"))),
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

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Parameters:
  JwtIssuer: {Type: String, Default: ""}
  Stage: {Type: String, Default: dev}
Conditions:
  UseStackUserPool: !Equals [!Ref JwtIssuer, ""]
  OwnIssuerInProd: !And [!Not [!Condition UseStackUserPool], !Equals [!Ref Stage, prod]]
Resources:
  Pool: {Type: "AWS::Cognito::UserPool"}
"#;

    fn issuer(parameters: &[(&str, &str)]) -> (String, bool) {
        let template = Template::parse(TEMPLATE).unwrap();
        let parameters: BTreeMap<String, String> = parameters
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let provisioned = Provisioned::default();
        let resolver = Resolver {
            template: &template,
            parameters: &parameters,
            provisioned: &provisioned,
        };
        let value = serde_json::json!({"Fn::If": ["UseStackUserPool",
            {"Fn::Sub": "https://cognito-idp.eu-west-1.amazonaws.com/${Pool}"},
            {"Ref": "JwtIssuer"}]});
        (
            resolver.resolve(&value).unwrap(),
            resolver.condition("OwnIssuerInProd").unwrap(),
        )
    }

    #[test]
    fn fn_if_should_follow_the_template_conditions() {
        let (stack_pool, _) = issuer(&[("JwtIssuer", ""), ("Stage", "dev")]);
        assert_eq!(
            stack_pool,
            "https://cognito-idp.eu-west-1.amazonaws.com/-Pool"
        );
        let (own, in_prod) = issuer(&[("JwtIssuer", "https://idp.example"), ("Stage", "prod")]);
        assert_eq!((own.as_str(), in_prod), ("https://idp.example", true));
        let (_, in_dev) = issuer(&[("JwtIssuer", "https://idp.example"), ("Stage", "dev")]);
        assert!(!in_dev);
    }
}
