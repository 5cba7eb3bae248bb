//! Admin lists page through `shared::pages` (the referrals function's lists do too).

pub use shared::pages::{page, page_limit, to_json};
