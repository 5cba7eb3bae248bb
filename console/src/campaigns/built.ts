// The screens of this area (campaigns: list, form, template editor with preview, schedule,
// and their results) that are built: listed in the navigation.

import type { ScreenId } from "../access";

export const BUILT: readonly ScreenId[] = ["campaigns"];
