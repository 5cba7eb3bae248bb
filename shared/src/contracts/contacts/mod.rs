//! The contacts table's home: who people are to the brand, found by keyed-hash lookups of
//! their identities, never by a clear email or handle.
//!
//! - [`identity`]: the identities a contribution or an order carries, normalised, and the pure
//!   decision of which contact they belong to (a new prospect, a merge candidate...).
//! - [`ContactStore`]: the table's items (lookups, identity links, the profile) and every
//!   read and write of them.
//! - [`standing`]: what a contact is to the brand (customer, prospect, journalist...).
//! - [`scores`]: the contribution and influence scores kept on the profile.
//!
//! Used by identify (contributions), carts (checkouts and orders) and referrals (connected
//! accounts, attribution); admin reads the same items.

pub mod identity;
pub mod scores;
pub mod standing;
mod store;

pub use store::*;
