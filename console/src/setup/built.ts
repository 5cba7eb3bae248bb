// The screens of this area (sources, endpoints, rules, verification email templates, callbacks, referral conversions) that are built: listed in the navigation.

import type { ScreenId } from "../access";

export const BUILT: readonly ScreenId[] = ["sources", "endpoints", "rules", "templates", "callbacks", "referrals", "programmes"];
