//! DynamoDB helpers every table home uses: a conditional write or a transaction read as an
//! outcome rather than an error, items encoded and decoded with serde_dynamo, a string
//! attribute. The key layouts themselves live in each table's home (`contracts`).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::kit::error::{Error, Result, SdkOperationError, SdkResponse};

/// One item as the SDK carries it.
pub type Item = HashMap<String, AttributeValue>;

/// A string attribute value.
pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute value.
pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The string attribute `name` of an item, if it has one.
pub fn text<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

/// `value` as an item; `what` names it in the error (`encode cart`).
pub fn encode<T: Serialize>(value: &T, what: &str) -> Result<Item> {
    serde_dynamo::to_item(value).map_err(|e| Error::caused(format!("encode {what}"), e))
}

/// An item as `T`; `what` names it in the error (`decode cart`).
pub fn decode<T: DeserializeOwned>(item: Item, what: &str) -> Result<T> {
    serde_dynamo::from_item(item).map_err(|e| Error::caused(format!("decode {what}"), e))
}

/// What a `GetItem` returned, decoded: `None` when there is no such item.
pub fn decode_found<T: DeserializeOwned>(item: Option<Item>, what: &str) -> Result<Option<T>> {
    item.map(|item| decode(item, what)).transpose()
}

/// A key of one string attribute (`id`, `email_key`...).
pub fn key(name: &str, value: impl Into<String>) -> Item {
    HashMap::from([(name.to_string(), s(value))])
}

/// The key of a table keyed `pk` + `sk` (contacts, settings, suggestions, referrals...).
pub fn pk_sk(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([("pk".to_string(), s(pk)), ("sk".to_string(), s(sk))])
}

/// The item at `key` as it is now (a consistent read); `what` names it in errors
/// (`GetItem cart`).
pub async fn get_item(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    key: Item,
    what: &str,
) -> Result<Option<Item>> {
    let out = client
        .get_item()
        .table_name(table)
        .set_key(Some(key))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| Error::from_sdk(&format!("GetItem {what}"), e))?;
    Ok(out.item)
}

/// The query of the items whose `attribute` is `value`, on `index` or the table's own key:
/// for the caller to order, page or read whole.
pub fn query_eq(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    index: Option<&str>,
    attribute: &str,
    value: &str,
) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
    client
        .query()
        .table_name(table)
        .set_index_name(index.map(str::to_string))
        .key_condition_expression("#k = :v")
        .expression_attribute_names("#k", attribute)
        .expression_attribute_values(":v", s(value))
}

/// [`get_item`], decoded as `T`.
pub async fn get<T: DeserializeOwned>(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    key: Item,
    what: &str,
) -> Result<Option<T>> {
    decode_found(get_item(client, table, key, what).await?, what)
}

/// The outcome of a conditional write: `true` when it was made, `false` when its condition
/// did not hold; any other failure is an error of `operation`.
pub fn condition_held<T, E, R>(
    result: std::result::Result<T, aws_sdk_dynamodb::error::SdkError<E, R>>,
    operation: &str,
) -> Result<bool>
where
    E: SdkOperationError,
    R: SdkResponse,
{
    match result {
        Ok(_) => Ok(true),
        Err(e) if is_condition_failure(&e) => Ok(false),
        Err(e) => Err(Error::from_sdk(operation, e)),
    }
}

/// The outcome of a conditional `TransactWriteItems`: `Ok(None)` when it was written;
/// `Ok(Some(failed))` when conditions cancelled it, with the index of each item whose
/// condition did not hold; any other failure, a conflict with another transaction among
/// them, is a (retryable) error of `operation`.
pub fn transaction_held<T, R>(
    result: std::result::Result<
        T,
        aws_sdk_dynamodb::error::SdkError<
            aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
            R,
        >,
    >,
    operation: &str,
) -> Result<Option<Vec<usize>>>
where
    R: SdkResponse,
{
    let err = match result {
        Ok(_) => return Ok(None),
        Err(e) => e,
    };
    let failed = match err.as_service_error() {
        Some(aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(c)) => {
            let codes: Vec<Option<&str>> = c
                .cancellation_reasons()
                .iter()
                .map(|r| r.code())
                .collect();
            let by_condition = codes.iter().all(|code| {
                matches!(code, None | Some("None") | Some("ConditionalCheckFailed"))
            }) && codes.contains(&Some("ConditionalCheckFailed"));
            by_condition.then(|| {
                codes
                    .iter()
                    .enumerate()
                    .filter(|(_, code)| **code == Some("ConditionalCheckFailed"))
                    .map(|(i, _)| i)
                    .collect()
            })
        }
        _ => None,
    };
    match failed {
        Some(failed) => Ok(Some(failed)),
        None => Err(Error::from_sdk(operation, err)),
    }
}

/// Whether a write failed on its condition expression.
pub fn is_condition_failure<E, R>(err: &aws_sdk_dynamodb::error::SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    err.as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "ConditionalCheckFailedException")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize, serde::Serialize)]
    struct Thing {
        id: String,
        count: u32,
    }

    #[test]
    fn an_item_should_round_trip_and_a_wrong_one_should_name_what_failed() {
        let thing = Thing {
            id: "t1".into(),
            count: 3,
        };
        let item = encode(&thing, "thing").unwrap();
        assert_eq!(text(&item, "id"), Some("t1"));
        assert_eq!(decode::<Thing>(item, "thing").unwrap(), thing);
        let mut wrong = Item::new();
        wrong.insert("id".into(), n(1));
        let err = decode::<Thing>(wrong, "thing").unwrap_err();
        assert!(err.to_string().starts_with("decode thing: "), "{err}");
        assert_eq!(decode_found::<Thing>(None, "thing").unwrap(), None);
    }
}
