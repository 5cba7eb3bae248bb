//! `SettingsTable`'s home: what staff configure, one partition per kind of setting (`pk`),
//! one item per setting (`sk`). Admin writes them; identify reads each partition whole,
//! through a cache.
//!
//! | pk | sk | item |
//! | --- | --- | --- |
//! | `rule` ([`RULES`]) | the rule's id | a brand rule (`crate::contracts::rules::Rule`) |
//! | `template` ([`TEMPLATES`]) | `{kind}#{language}` | a saved email wording (`crate::contracts::templates`) |
//! | `classifier` (`crate::contracts::hosted::PK`) | `hosted` | the hosted classifier's switch and daily budget |
//! | `programme` (`crate::contracts::programmes::PK`) | `lists` | the brand's partner, reseller, affiliate, tester, media and association lists |

use aws_sdk_dynamodb::Client;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::kit::dynamo::{self, condition_held, pk_sk as key, s, Item};
use crate::Error;

/// The partition of brand rules.
pub const RULES: &str = "rule";
/// The partition of saved email templates.
pub const TEMPLATES: &str = crate::contracts::templates::PK;

/// When a write may happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Only a new setting (create).
    Absent,
    /// Only an existing one (replace, delete).
    Present,
    /// Either (save, reset).
    Any,
}

impl Expect {
    fn condition(self) -> Option<&'static str> {
        match self {
            Expect::Absent => Some("attribute_not_exists(pk)"),
            Expect::Present => Some("attribute_exists(pk)"),
            Expect::Any => None,
        }
    }
}

/// Every item of partition `pk` (`consistent`: as of now, for staff who just wrote one).
pub async fn partition(
    client: &Client,
    table: &str,
    pk: &str,
    consistent: bool,
) -> Result<Vec<Item>, Error> {
    let query = client
        .query()
        .table_name(table)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", s(pk))
        .consistent_read(consistent);
    crate::kit::pages::query_all(query, "Query settings").await
}

/// Setting `sk` of partition `pk` as `T` (its keys left out), as it is now.
pub async fn get<T: DeserializeOwned>(
    client: &Client,
    table: &str,
    pk: &str,
    sk: &str,
) -> Result<Option<T>, Error> {
    let found = dynamo::get_item(client, table, key(pk, sk), "setting").await?;
    found
        .map(|mut item| {
            item.remove("pk");
            item.remove("sk");
            dynamo::decode(item, "setting")
        })
        .transpose()
}

/// Setting `sk` as `T` among a partition's `items` (as a function's cache read them): `None`
/// when absent; an error when it no longer reads, for the caller to say what then applies.
pub fn among<T: DeserializeOwned>(items: Vec<Item>, sk: &str) -> Option<Result<T, Error>> {
    let mut item = items
        .into_iter()
        .find(|item| dynamo::text(item, "sk") == Some(sk))?;
    item.remove("pk");
    item.remove("sk");
    Some(dynamo::decode(item, "setting"))
}

/// Writes `value` as setting `sk` of partition `pk`: `false` when `expect` did not hold.
pub async fn put<T: Serialize>(
    client: &Client,
    table: &str,
    pk: &str,
    sk: &str,
    value: &T,
    expect: Expect,
) -> Result<bool, Error> {
    let mut item = dynamo::encode(value, "setting")?;
    item.extend(key(pk, sk));
    let written = client
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .set_condition_expression(expect.condition().map(str::to_string))
        .send()
        .await;
    condition_held(written, "PutItem setting")
}

/// Deletes setting `sk` of partition `pk`: `false` when `expect` did not hold.
pub async fn delete(
    client: &Client,
    table: &str,
    pk: &str,
    sk: &str,
    expect: Expect,
) -> Result<bool, Error> {
    let deleted = client
        .delete_item()
        .table_name(table)
        .set_key(Some(key(pk, sk)))
        .set_condition_expression(expect.condition().map(str::to_string))
        .send()
        .await;
    condition_held(deleted, "DeleteItem setting")
}
