// The routes of this area (sources, endpoints, rules, verification email templates, callbacks, referral conversions), under the shell; each one guarded by its screen
// (`guarded` from app/guard.tsx).

import type { RouteObject } from "react-router";

export const SETUP_ROUTES: RouteObject[] = [];
