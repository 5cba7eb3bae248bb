// Small pieces of the inbox's items.

import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useNow } from "../lib/clock";
import { formatDateTime, formatSla, parseTime, slaState } from "../lib/time";
import { currentLanguage } from "../i18n";

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
