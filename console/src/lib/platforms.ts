// Platforms' own names (brand names: the same in every language).

const NAMES: Record<string, string> = {
  "standard-webhooks": "Standard Webhooks",
  shopify: "Shopify",
  woocommerce: "WooCommerce",
  wordpress: "WordPress",
  discourse: "Discourse",
  meta: "Meta",
  x: "X",
  youtube: "YouTube",
  trustpilot: "Trustpilot",
  zendesk: "Zendesk",
  hubspot: "HubSpot",
};

export function platformName(platform: string): string {
  return NAMES[platform] ?? platform;
}
