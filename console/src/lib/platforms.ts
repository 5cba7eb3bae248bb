// The platforms of the API's `Platform`, and their own names (brand names: the same in
// every language).

import type { components } from "../api/schema";

export type Platform = components["schemas"]["Platform"];

/** Every platform, in the order the forms offer them. */
export const PLATFORMS: readonly Platform[] = [
  "standard-webhooks",
  "shopify",
  "woocommerce",
  "wordpress",
  "discourse",
  "meta",
  "x",
  "youtube",
  "trustpilot",
  "zendesk",
  "hubspot",
];

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
