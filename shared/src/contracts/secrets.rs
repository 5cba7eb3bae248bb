//! The secrets a function needs, read once per process from SSM Parameter Store: the lookup
//! key of the keyed hashes ([`crate::contracts::lookup`]) and the link key ring ([`crate::contracts::tokens`]).
//!
//! A function's environment names the parameters, never their values
//! (`LOOKUP_KEY_PARAMETER`, `LINK_KEYS_PARAMETER`; a function that needs only one is given
//! only that one, and its role may read only those). Both come in one `GetParameters` call at
//! init, so a cold start gains one network call whatever the function needs; warm
//! invocations reuse what init read. Two separate keys: reading one never forges the other,
//! and only the link keys rotate (a new lookup key would orphan every lookup).
//!
//! SSM rather than Secrets Manager: one call fetches both parameters (Secrets Manager needs
//! two, or its batch call with a grant on every secret in the account), standard parameters
//! cost nothing, and the deploy script already kept the lookup key there.

use crate::contracts::tokens::{Keyring, MIN_KEY_BYTES};
use crate::kit::config::{self, Env};
use crate::kit::error::Error;

pub const LOOKUP_KEY_PARAMETER: &str = "LOOKUP_KEY_PARAMETER";
pub const LINK_KEYS_PARAMETER: &str = "LINK_KEYS_PARAMETER";
/// The key that seals sources' credentials ([`crate::contracts::sealed`]).
pub const CREDENTIALS_KEY_PARAMETER: &str = "CREDENTIALS_KEY_PARAMETER";

/// What init read. Debug never shows a key.
#[derive(Clone)]
pub struct Secrets {
    lookup_key: Option<Vec<u8>>,
    link_keys: Option<Keyring>,
    credentials: Option<crate::contracts::sealed::Sealer>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("lookup_key", &self.lookup_key.as_ref().map(|_| "…"))
            .field("link_keys", &self.link_keys)
            .field("credentials", &self.credentials)
            .finish()
    }
}

/// The lookup key alone, for the functions that sign no link.
pub async fn lookup_key(sdk: &crate::kit::aws::SdkConfig, env: &dyn Env) -> Result<Vec<u8>, Error> {
    Secrets::load(sdk, env).await?.lookup_key()
}

impl Secrets {
    /// Reads the parameters the environment names, in one call (none if it names none).
    pub async fn load(sdk: &crate::kit::aws::SdkConfig, env: &dyn Env) -> Result<Self, Error> {
        let lookup_name = env.var(LOOKUP_KEY_PARAMETER);
        let links_name = env.var(LINK_KEYS_PARAMETER);
        let credentials_name = env.var(CREDENTIALS_KEY_PARAMETER);
        let names: Vec<String> = [&lookup_name, &links_name, &credentials_name]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        if names.is_empty() {
            return Ok(Secrets {
                lookup_key: None,
                link_keys: None,
                credentials: None,
            });
        }
        let out = crate::kit::aws::ssm(sdk, env)
            .get_parameters()
            .set_names(Some(names.clone()))
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| {
                Error::from_sdk(&format!("SSM GetParameters of {}", names.join(", ")), e)
            })?;
        if let Some(missing) = out.invalid_parameters().first() {
            return Err(Error::Internal(format!(
                "SSM parameter {missing} does not exist (docs/operations.md, secrets)"
            )));
        }
        let value = |name: &Option<String>| -> Option<String> {
            let name = name.as_ref()?;
            out.parameters()
                .iter()
                .find(|p| p.name() == Some(name))
                .and_then(|p| p.value().map(str::to_string))
        };
        let lookup_key = match value(&lookup_name) {
            Some(key) if key.len() < MIN_KEY_BYTES => {
                return Err(Error::Internal(format!(
                    "the lookup key ({}) must be at least {MIN_KEY_BYTES} bytes of secret",
                    lookup_name.unwrap_or_default()
                )))
            }
            other => other.map(String::into_bytes),
        };
        let link_keys = value(&links_name)
            .map(|text| {
                Keyring::from_json(&text).map_err(|e| {
                    Error::Internal(format!(
                        "the link key ring ({}): {e}",
                        links_name.clone().unwrap_or_default()
                    ))
                })
            })
            .transpose()?;
        let credentials = value(&credentials_name)
            .map(|key| crate::contracts::sealed::Sealer::new(key.as_bytes()))
            .transpose()?;
        Ok(Secrets {
            lookup_key,
            link_keys,
            credentials,
        })
    }

    /// What seals and opens sources' credentials: an error naming the variable if the
    /// function was given no credentials key.
    pub fn sealer(&self) -> Result<crate::contracts::sealed::Sealer, Error> {
        self.credentials
            .clone()
            .ok_or_else(|| config::ConfigError::Missing(CREDENTIALS_KEY_PARAMETER.into()).into())
    }

    /// The lookup key: an error naming the variable if the function was given none.
    pub fn lookup_key(&self) -> Result<Vec<u8>, Error> {
        self.lookup_key
            .clone()
            .ok_or_else(|| config::ConfigError::Missing(LOOKUP_KEY_PARAMETER.into()).into())
    }

    /// The link key ring: an error naming the variable if the function was given none.
    pub fn link_keys(&self) -> Result<Keyring, Error> {
        self.link_keys
            .clone()
            .ok_or_else(|| config::ConfigError::Missing(LINK_KEYS_PARAMETER.into()).into())
    }
}
