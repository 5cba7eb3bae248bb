// The routes of this area (a conversation (case, question, opportunity in context), contacts, reports), under the shell; each one guarded by its screen
// (`guarded` from app/guard.tsx).

import type { RouteObject } from "react-router";

export const PEOPLE_ROUTES: RouteObject[] = [];
