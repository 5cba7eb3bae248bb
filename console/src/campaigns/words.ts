// How the campaigns' screens say durations, steps and reasons.

import { useTranslation } from "react-i18next";
import { durationOf } from "./form";
import type { Group } from "./results";

/** "2 days", "90 minutes" (the largest unit that divides the minutes). */
export function useDurationText(): (minutes: number) => string {
  const { t } = useTranslation("campaigns");
  return (minutes: number) => {
    const { value, unit } = durationOf(minutes);
    return t(`units.count.${unit}`, { count: Number(value) });
  };
}

/** "right after abandonment", "1 day after abandonment". */
export function useDelayText(): (minutes: number) => string {
  const { t } = useTranslation("campaigns");
  const duration = useDurationText();
  return (minutes: number) => (minutes === 0 ? t("step.atOnce") : t("step.after", { duration: duration(minutes) }));
}

/** "All steps", "Step 2", "Step 2 · B". */
export function useGroupLabel(): (group: Group) => string {
  const { t } = useTranslation("campaigns");
  return (group: Group) => {
    if (group.step === null) return t("results.allSteps");
    const n = group.step + 1;
    return group.split && group.variant !== null ? t("results.stepVariant", { n, variant: group.variant }) : t("results.step", { n });
  };
}

const DEFER_REASONS = ["cap", "quiet", "activity", "ses"] as const;
const SKIP_REASONS = [
  "campaign_deleted",
  "campaign_ended",
  "campaign_paused",
  "cart_gone",
  "converted",
  "emptied",
  "moved_on",
  "no_consent",
  "not_sendable",
  "ses_refused",
  "step_removed",
  "suppressed",
  "template_error",
  "uncertain",
  "unsubscribed",
] as const;

/** A reason in words; one the console does not know yet, as the API names it. */
export function useReasonText(): (kind: "deferred" | "skipped", reason: string) => string {
  const { t } = useTranslation("campaigns");
  return (kind, reason) => {
    if (kind === "deferred") {
      const known = DEFER_REASONS.find((r) => r === reason);
      return known !== undefined ? t(`reasons.deferred.${known}`) : reason;
    }
    const known = SKIP_REASONS.find((r) => r === reason);
    return known !== undefined ? t(`reasons.skipped.${known}`) : reason;
  };
}
