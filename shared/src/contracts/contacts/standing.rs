//! What a contact is to the brand. Identify creates prospects; staff set the rest through
//! `PATCH /admin/contacts/{id}`; influence weighs the type (a journalist is not a blogger).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactType {
    Customer,
    Prospect,
    Visitor,
    Blogger,
    Journalist,
    Association,
    Partner,
    Affiliate,
    Tester,
}

impl ContactType {
    pub const ALL: [ContactType; 9] = [
        ContactType::Customer,
        ContactType::Prospect,
        ContactType::Visitor,
        ContactType::Blogger,
        ContactType::Journalist,
        ContactType::Association,
        ContactType::Partner,
        ContactType::Affiliate,
        ContactType::Tester,
    ];

    /// The name serde writes.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactType::Customer => "customer",
            ContactType::Prospect => "prospect",
            ContactType::Visitor => "visitor",
            ContactType::Blogger => "blogger",
            ContactType::Journalist => "journalist",
            ContactType::Association => "association",
            ContactType::Partner => "partner",
            ContactType::Affiliate => "affiliate",
            ContactType::Tester => "tester",
        }
    }

    pub fn parse(name: &str) -> Option<ContactType> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_should_match_what_serde_writes() {
        for t in ContactType::ALL {
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
            assert_eq!(ContactType::parse(t.as_str()), Some(t));
        }
        assert_eq!(ContactType::parse("Customer"), None);
    }
}
