//! The contacts table's home: who people are to the brand, found by keyed-hash lookups of
//! their identities, never by a clear email or handle.
//!
//! - [`erasure`]: a contact's lookups and own items deleted, for admin's erasure.
//! - [`identity`]: the identities a contribution or an order carries, normalised, and the pure
//!   decision of which contact they belong to (a new prospect, a merge candidate...).
//! - [`keys`]: the key layout: every `pk`/`sk` of the table is built and read there.
//! - [`merge`]: merging two contacts and undoing it: the record, identities and timeline
//!   items re-pointed.
//! - [`order_news`]: whether a contact gets the news of their orders by direct message
//!   (`START` / `STOP`), where and in which language.
//! - [`profile`]: the profile as the relaunch functions read and write it (consent,
//!   unsubscribe, the relaunch cap).
//! - [`ContactStore`]: the table's items (lookups, identity links, the profile) and every
//!   read and write of them.
//! - [`verification`]: the once-a-week claim to ask for an email's confirmation, and the
//!   confirmation marking the lookup and the identity verified together.
//! - [`standing`]: what a contact is to the brand (customer, prospect, journalist...).
//! - [`proposals`]: the type detection proposes, until staff confirm or dismiss it.
//! - [`scores`]: the contribution and influence scores kept on the profile.
//!
//! Used by identify (contributions), carts (checkouts and orders) and referrals (connected
//! accounts, attribution); admin reads the same items.

pub mod erasure;
pub mod identity;
pub mod keys;
pub mod merge;
pub mod order_news;
pub mod profile;
pub mod proposals;
pub mod scores;
pub mod standing;
mod store;
pub mod verification;

pub use store::*;
