//! The phone number a buyer types on the "call me back" page, as sales can dial it: parsed
//! with libphonenumber's metadata (the `phonenumber` crate), in the brand's country unless it
//! starts with `+`, valid for that country's numbering plan, stored as E.164 (`+33612345678`).

use phonenumber::country::Id;
use phonenumber::Mode;

/// The longest input worth parsing (E.164 is 15 digits; room for spaces and punctuation).
const MAX_INPUT: usize = 40;

/// `input` as E.164, read in `region` (ISO 3166 alpha-2) when it has no `+`; else why not,
/// in the buyer's two languages.
pub fn e164(input: &str, region: Id) -> Result<String, &'static str> {
    let input = input.trim();
    if input.is_empty() {
        return Err("Indiquez un numéro de téléphone. / Please give a phone number.");
    }
    let invalid = "Ce numéro n'est pas valide : écrivez-le avec son indicatif, par exemple +33 6 12 34 56 78. / This number is not valid: write it with its country code, e.g. +44 7911 123456.";
    if input.len() > MAX_INPUT {
        return Err(invalid);
    }
    let number = phonenumber::parse(Some(region), input).map_err(|_| invalid)?;
    if !phonenumber::is_valid(&number) {
        return Err(invalid);
    }
    Ok(number.format().mode(Mode::E164).to_string())
}

/// The brand's country (`DEFAULT_PHONE_REGION`), for numbers written without `+`.
pub fn region(code: &str) -> Option<Id> {
    code.trim().to_ascii_uppercase().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_should_be_read_in_the_brands_country_unless_international() {
        let fr = region("fr").unwrap();
        assert_eq!(e164("06 12 34 56 78", fr).unwrap(), "+33612345678");
        assert_eq!(e164("+33 6 12 34 56 78", fr).unwrap(), "+33612345678");
        assert_eq!(e164("+44 7911 123456", fr).unwrap(), "+447911123456");
        assert_eq!(
            e164("(415) 555-2671", region("US").unwrap()).unwrap(),
            "+14155552671"
        );
    }

    #[test]
    fn what_no_one_can_dial_should_be_refused_with_a_clear_message() {
        let fr = region("FR").unwrap();
        for bad in [
            "",
            "   ",
            "12",
            "06 12",
            "+33 1",
            "call me",
            "0612345678901234567890",
            &"9".repeat(60),
        ] {
            let why = e164(bad, fr).unwrap_err();
            assert!(
                why.contains("phone number") || why.contains("not valid"),
                "{bad}: {why}"
            );
        }
        assert!(region("XX").is_none());
    }
}
