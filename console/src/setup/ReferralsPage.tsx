// /console/referrals (admins, marketers, sales): referral conversions by their reward's
// state, with the anti-fraud flags and the history; admins and marketers decide
// (PATCH /admin/referrals/conversions/{id}: clear a flag, reject, mark paid).

import { useState } from "react";
import { Button } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { mayUse } from "../access";
import { useConsole } from "../app/context";
import type { Group } from "../auth/session";
import { currentLanguage } from "../i18n";
import { Filter } from "../inbox/Filter";
import { ListStates } from "../inbox/ListStates";
import { formatAmount } from "../lib/time";
import { useScreenTitle } from "../lib/title";
import { useConversions, useDecideConversion, type Conversion, type ConversionDecision, type RewardState } from "./queries";
import { TextInput, useDate, useErrorText, When } from "./ui";

/** PATCH /admin/referrals/conversions/{id}'s groups (docs/openapi.yaml). */
export const DECIDERS: readonly Group[] = ["liaison-admin", "liaison-marketer"];

export const STATES: readonly RewardState[] = ["pending", "approved", "flagged", "rejected", "paid"];

/** The decisions a reward's state allows: clear a flag, reject, mark an approved one paid. */
export function decisionsFor(state: RewardState | undefined): ConversionDecision[] {
  switch (state) {
    case "flagged":
      return ["clear", "reject"];
    case "pending":
      return ["reject"];
    case "approved":
      return ["paid", "reject"];
    default:
      return [];
  }
}

function ConversionItem({ item, mayDecide, onDecided }: { item: Conversion; mayDecide: boolean; onDecided: (text: string) => void }) {
  const { t, i18n } = useTranslation("setup");
  const date = useDate();
  const wording = useErrorText();
  const decide = useDecideConversion();
  const [reason, setReason] = useState("");
  const language = currentLanguage(i18n);
  const decisions = mayDecide ? decisionsFor(item.state) : [];
  return (
    <li className="item">
      <article aria-label={t("referrals.itemLabel", { order: item.order_id })}>
        <p className="item-title">
          {t("referrals.order", { order: item.order_id })}{" "}
          {item.state !== undefined ? <span className={`badge ${item.state}`}>{t(`referrals.states.${item.state}`)}</span> : null}
        </p>
        <dl className="item-fields">
          <div className="field">
            <dt>{t("referrals.referrer")}</dt>
            <dd className="mono">{item.referrer}</dd>
          </div>
          {item.referred !== undefined ? (
            <div className="field">
              <dt>{t("referrals.referred")}</dt>
              <dd className="mono">{item.referred}</dd>
            </div>
          ) : null}
          <div className="field">
            <dt>{t("referrals.code")}</dt>
            <dd className="mono">{item.code}</dd>
          </div>
          <div className="field">
            <dt>{t("referrals.via")}</dt>
            <dd>{t(`referrals.viaValues.${item.via}`)}</dd>
          </div>
          <div className="field">
            <dt>{t("referrals.total")}</dt>
            <dd>{formatAmount(language, item.total, item.currency)}</dd>
          </div>
          <div className="field">
            <dt>{t("referrals.reward")}</dt>
            <dd>{formatAmount(language, item.reward, item.currency)}</dd>
          </div>
          <div className="field">
            <dt>{t("referrals.placed")}</dt>
            <dd>
              <When value={item.placed_at} />
            </dd>
          </div>
          {item.state === "pending" ? (
            <div className="field">
              <dt>{t("referrals.approveAt")}</dt>
              <dd>
                <When value={item.approve_at} />
              </dd>
            </div>
          ) : null}
        </dl>
        {item.flags !== undefined && item.flags.length > 0 ? (
          <>
            <p className="item-title">{t("referrals.flags")}</p>
            <ul className="plain-list">
              {item.flags.map((flag) => (
                <li key={`${flag.rule}-${flag.detail}`}>
                  <span className="mono">{flag.rule}</span>: {flag.detail}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {item.decisions !== undefined && item.decisions.length > 0 ? (
          <>
            <p className="item-title">{t("referrals.decisions")}</p>
            <ul className="plain-list">
              {item.decisions.map((decision) => (
                <li key={`${decision.at}-${decision.state}`}>
                  {t("referrals.decision", { state: t(`referrals.states.${decision.state}`), date: date(decision.at), who: decision.by })}
                  {decision.reason !== undefined && decision.reason !== "" ? ` (${decision.reason})` : null}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {decisions.length > 0 ? (
          <div className="inline-form">
            <TextInput form={`conversion-${item.id}`} name="reason" label={t("referrals.reason")} value={reason} onChange={setReason} error={null} maxLength={500} />
            <div className="button-row" role="group" aria-label={t("referrals.actions")}>
              {decisions.map((decision) => (
                <Button
                  key={decision}
                  className={`button${decision === "reject" ? " danger" : " primary"}`}
                  isDisabled={decide.isPending}
                  onPress={() =>
                    decide.mutate(
                      { id: item.id, decision, reason },
                      {
                        onSuccess: () => {
                          setReason("");
                          onDecided(t(`referrals.decided.${decision}`));
                        },
                      },
                    )
                  }
                >
                  {t(`referrals.${decision}`)}
                </Button>
              ))}
            </div>
            {decide.isPending ? (
              <p role="status" className="status-line">
                {t("referrals.saving")}
              </p>
            ) : null}
            {decide.isError ? (
              <p role="alert" className="error">
                {t("common.notSaved", { message: wording(decide.error) })}
              </p>
            ) : null}
          </div>
        ) : null}
      </article>
    </li>
  );
}

type StateFilter = RewardState | "all";

export function ReferralsPage() {
  const { t } = useTranslation("setup");
  useScreenTitle(t("referrals.title"));
  const { session } = useConsole();
  const mayDecide = mayUse(DECIDERS, session.groups);
  const [state, setState] = useState<StateFilter>("all");
  const [said, setSaid] = useState<string | null>(null);
  const query = useConversions(state === "all" ? null : state);
  return (
    <>
      <h1>{t("referrals.title")}</h1>
      <p className="hint">
        {t("referrals.intro")} {t("common.autoRefresh")}
      </p>
      {mayDecide ? null : <p className="notice">{t("referrals.readOnly")}</p>}
      <Filter
        label={t("referrals.state")}
        value={state}
        onChange={(next) => {
          setState(next);
          setSaid(null);
        }}
        options={[{ id: "all", label: t("referrals.all") }, ...STATES.map((s) => ({ id: s, label: t(`referrals.states.${s}`) }))]}
      />
      <p role="status" className="announcement">
        {said}
      </p>
      <ListStates query={query} empty={state === "all" ? t("referrals.empty") : t("referrals.emptyState")}>
        {(conversions) => (
          <ul className="items">
            {conversions.map((item) => (
              <ConversionItem key={item.id} item={item} mayDecide={mayDecide} onDecided={setSaid} />
            ))}
          </ul>
        )}
      </ListStates>
    </>
  );
}
