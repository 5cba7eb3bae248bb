// The routes of this area (campaigns (list, form, template editor with preview, schedule) and their results), under the shell; each one guarded by its screen
// (`guarded` from app/guard.tsx).

import type { RouteObject } from "react-router";

export const CAMPAIGN_ROUTES: RouteObject[] = [];
