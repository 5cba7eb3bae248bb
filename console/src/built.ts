// The screens built so far, by area: each area's own list (its folder's built.ts), so that
// areas are added without touching each other.

import type { ScreenId } from "./access";
import { BUILT as CAMPAIGNS } from "./campaigns/built";
import { BUILT as PEOPLE } from "./people/built";
import { BUILT as SETUP } from "./setup/built";

export const BUILT_SCREENS: readonly ScreenId[] = ["inbox", ...PEOPLE, ...CAMPAIGNS, ...SETUP];
