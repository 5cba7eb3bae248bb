//! Admin lists page through `shared::kit::pages` (the referrals function's lists do too).

pub use shared::kit::pages::{page, page_limit, to_json};
