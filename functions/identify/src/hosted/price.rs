//! What a call to the hosted model costs: the tokens Bedrock counted (`usage` of the Converse
//! answer) at the model's on-demand list price.
//!
//! Prices from the Amazon Bedrock pricing page (aws.amazon.com/bedrock/pricing, on-demand,
//! US East (N. Virginia), read 2026-11): per 1,000 tokens, Amazon Nova Micro $0.000035 in and
//! $0.00014 out; Amazon Nova Lite $0.00006 in and $0.00024 out; Anthropic Claude 3 Haiku
//! $0.00025 in and $0.00125 out. A cross-Region inference profile (`eu.`, `us.`, `apac.`)
//! is billed at the price of the Region the call was made from, at no extra cost. Kept in
//! billionths of a dollar per token: $0.000035 per 1,000 tokens is 35 of them, exactly.

/// A model's on-demand list price, per token, in billionths of a US dollar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Price {
    pub input_nano_usd: u64,
    pub output_nano_usd: u64,
}

/// The models whose price Liaison knows, by foundation-model id.
const PRICES: [(&str, Price); 3] = [
    (
        "amazon.nova-micro-v1:0",
        Price {
            input_nano_usd: 35,
            output_nano_usd: 140,
        },
    ),
    (
        "amazon.nova-lite-v1:0",
        Price {
            input_nano_usd: 60,
            output_nano_usd: 240,
        },
    ),
    (
        "anthropic.claude-3-haiku-20240307-v1:0",
        Price {
            input_nano_usd: 250,
            output_nano_usd: 1250,
        },
    ),
];

/// The geographies of Bedrock's cross-Region inference profiles: `eu.amazon.nova-micro-v1:0`
/// runs `amazon.nova-micro-v1:0`.
const PROFILE_PREFIXES: [&str; 5] = ["eu.", "us.", "apac.", "us-gov.", "global."];

/// The foundation model a model id (or an inference profile id) runs.
pub fn foundation_model(model_id: &str) -> &str {
    PROFILE_PREFIXES
        .iter()
        .find_map(|p| model_id.strip_prefix(p))
        .unwrap_or(model_id)
}

/// The price of `model_id`; `None` for a model Liaison does not know the price of (its
/// cost could not be counted, so its budget not kept: refused at start-up).
pub fn of(model_id: &str) -> Option<Price> {
    let model = foundation_model(model_id);
    PRICES.iter().find(|(id, _)| *id == model).map(|(_, p)| *p)
}

/// The model ids [`of`] knows, to say so when another is configured.
pub fn known() -> Vec<&'static str> {
    PRICES.iter().map(|(id, _)| *id).collect()
}

impl Price {
    /// The cost of a call that read `input_tokens` and wrote `output_tokens`.
    pub fn cost_nano_usd(self, input_tokens: u64, output_tokens: u64) -> u64 {
        input_tokens
            .saturating_mul(self.input_nano_usd)
            .saturating_add(output_tokens.saturating_mul(self.output_nano_usd))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_should_cost_what_its_model_costs() {
        let micro = of("amazon.nova-micro-v1:0").unwrap();
        assert_eq!(of("eu.amazon.nova-micro-v1:0"), Some(micro));
        assert_eq!(of("amazon.titan-text-express-v1"), None);
        // 1,000 tokens in and 1,000 out: $0.000035 + $0.00014.
        assert_eq!(micro.cost_nano_usd(1000, 1000), 35_000 + 140_000);
        assert_eq!(
            foundation_model("eu.amazon.nova-micro-v1:0"),
            "amazon.nova-micro-v1:0"
        );
    }
}
