// A source's last deliveries ("is my webhook working?"): what it sent in the last 7 days and
// what Liaison answered, newest first, paged, read again every 15 seconds or on demand; and
// the reasons an ignored delivery gives, in words (shared with the ignored bodies' list).

import { useState } from "react";
import { Button } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { ListStates } from "../inbox/ListStates";
import { ClockProvider } from "../lib/clock";
import { useReceived, type Receipt } from "./queries";
import { eventCounts, explain, OUTCOME_MARKS, reasonCode } from "./receipts";
import { WhenAgo } from "./ui";

/** An ignored reason (`reason: detail`): its explanation when known, then the reason as given. */
export function IgnoredReason({ reason }: { reason: string }) {
  const { t } = useTranslation("setup");
  const known = t(`sources.health.reason.${reasonCode(reason)}` as "sources.health.reason.unparseable", { defaultValue: "" });
  return (
    <>
      {known !== "" ? `${known} ` : null}
      <span className="mono">{reason}</span>
    </>
  );
}

/** A refusal's or a failure's error code, explained. */
export function useExplanation(): (receipt: Pick<Receipt, "outcome" | "error_code" | "error_field">) => string | null {
  const { t } = useTranslation("setup");
  return (receipt) => {
    const why = explain(receipt);
    if (why === null) return null;
    if (why.key === "invalid_requestField") return t("sources.received.errors.invalid_requestField", { field: why.field });
    if (why.key === "other") return t("sources.received.errors.other", { code: why.code });
    return t(`sources.received.errors.${why.key}`);
  };
}

/** An outcome's word with its mark: the badge does not rely on its colour. */
export function OutcomeBadge({ outcome }: { outcome: Receipt["outcome"] }) {
  const { t } = useTranslation("setup");
  return (
    <span className={`badge outcome outcome-${outcome}`}>
      <span aria-hidden="true" className="outcome-mark">
        {OUTCOME_MARKS[outcome]}
      </span>{" "}
      {t(`sources.received.outcomes.${outcome}`)}
    </span>
  );
}

export function ReceiptItem({ receipt }: { receipt: Receipt }) {
  const { t } = useTranslation("setup");
  const explanation = useExplanation()(receipt);
  const counts = eventCounts(receipt);
  const ignored = receipt.ignored ?? [];
  return (
    <li className={`item receipt receipt-${receipt.outcome}`}>
      <p className="item-title receipt-title">
        <OutcomeBadge outcome={receipt.outcome} /> <WhenAgo value={receipt.received_at} />
      </p>
      <p className="field-help">{t(`sources.received.outcomeHelp.${receipt.outcome}`)}</p>
      <dl className="item-fields">
        <div className="field">
          <dt>{t("sources.received.status")}</dt>
          <dd>{t("sources.received.httpStatus", { status: receipt.status })}</dd>
        </div>
        <div className="field">
          <dt>{t("sources.received.event")}</dt>
          <dd className="mono">{receipt.event ?? t("sources.received.noEvent")}</dd>
        </div>
        {counts.total > 0 ? (
          <div className="field">
            <dt>{t("sources.received.events")}</dt>
            <dd>{t("sources.received.eventCounts", { count: counts.total, fresh: counts.fresh, duplicate: counts.duplicate })}</dd>
          </div>
        ) : null}
        {receipt.error_code !== undefined ? (
          <div className="field">
            <dt>{t("sources.received.errorCode")}</dt>
            <dd className="mono">
              {receipt.error_code}
              {receipt.error_field !== undefined ? ` (${receipt.error_field})` : null}
            </dd>
          </div>
        ) : null}
      </dl>
      {explanation !== null ? <p className="receipt-why">{explanation}</p> : null}
      {ignored.length > 0 ? (
        <>
          <p className="item-title">{t("sources.received.ignored")}</p>
          <ul className="plain-list">
            {ignored.map((reason) => (
              <li key={reason}>
                <IgnoredReason reason={reason} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </li>
  );
}

/** The "Last deliveries" section of a source's page; `ignoredId` is the ignored bodies' section. */
export function SourceDeliveries({ id, ignoredId }: { id: string; ignoredId: string }) {
  const { t } = useTranslation("setup");
  const query = useReceived(id);
  const [refreshing, setRefreshing] = useState(false);
  return (
    <section className="section" aria-labelledby="source-received">
      <div className="section-header">
        <h2 id="source-received">{t("sources.received.title")}</h2>
        <Button
          className="button"
          isDisabled={refreshing}
          onPress={() => {
            setRefreshing(true);
            void query.refetch().finally(() => setRefreshing(false));
          }}
        >
          {refreshing ? t("sources.received.refreshing") : t("sources.received.refresh")}
        </Button>
      </div>
      <p className="hint">{t("sources.received.intro")}</p>
      <p className="field-help">
        {t("sources.received.autoRefresh")} {t("sources.received.refusalNote")}
      </p>
      <ClockProvider>
        <ListStates query={query} empty={t("sources.received.empty")}>
          {(receipts) => (
            <ul className="items">
              {receipts.map((receipt) => (
                <ReceiptItem key={receipt.id} receipt={receipt} />
              ))}
            </ul>
          )}
        </ListStates>
      </ClockProvider>
      <p>
        <a href={`#${ignoredId}`}>{t("sources.received.ignoredLink")}</a>
      </p>
    </section>
  );
}
