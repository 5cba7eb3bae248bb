// Small pieces of the inbox's items.

import type { ReactNode } from "react";
import { Button } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { useNow } from "../lib/clock";
import { formatDateTime, formatSla, parseTime, slaState } from "../lib/time";
import { currentLanguage } from "../i18n";
import type { Label } from "./filters";

/** The SLA countdown to `dueAt`, with the date itself as the machine-readable value. */
export function Countdown({ dueAt }: { dueAt: string }) {
  const { t, i18n } = useTranslation();
  const now = useNow();
  const due = parseTime(dueAt);
  if (Number.isNaN(due)) return <span>{dueAt}</span>;
  const state = slaState(due, now);
  const date = formatDateTime(currentLanguage(i18n), due);
  return (
    <time dateTime={dueAt} className={`sla sla-${state}`} title={t("inbox.dueAt", { date })}>
      {formatSla(t, due, now)}
    </time>
  );
}

export function DateTime({ value }: { value: string }) {
  const { i18n } = useTranslation();
  return <time dateTime={value}>{formatDateTime(currentLanguage(i18n), value)}</time>;
}

export function Priority({ value }: { value: string }) {
  return <span className={`priority priority-${value.toLowerCase()}`}>{value}</span>;
}

/** One labelled value of an item. */
export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="field">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** A work item's label and tags, when it has them (what the label and tag filters read). */
export function WorkTags({ item }: { item: { label?: Label; tags?: string[] } }) {
  const { t } = useTranslation();
  return (
    <>
      {item.label !== undefined ? <Field label={t("inbox.fields.label")}>{t(`label.${item.label}`)}</Field> : null}
      {item.tags !== undefined && item.tags.length > 0 ? (
        <Field label={t("inbox.fields.tags")}>{item.tags.join(", ")}</Field>
      ) : null}
    </>
  );
}

/** A filtered list's empty state: its way back to everything. */
export function ClearFilters({ onPress }: { onPress: () => void }) {
  const { t } = useTranslation();
  return (
    <Button className="button" onPress={onPress}>
      {t("inbox.filters.clear")}
    </Button>
  );
}
