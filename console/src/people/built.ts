// The screens of this area (a conversation (case, question, opportunity in context), contacts, reports) that are built: listed in the navigation.

import type { ScreenId } from "../access";

export const BUILT: readonly ScreenId[] = ["contacts", "reports"];
