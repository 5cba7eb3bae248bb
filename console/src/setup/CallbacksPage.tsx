// /console/callbacks (admins, sales): the "call me back" requests made from relaunch emails,
// the phone number to call (a tel: link), the slot and the campaign; marking one done, or
// open again.

import { useState } from "react";
import { Button } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { Filter } from "../inbox/Filter";
import { ListStates } from "../inbox/ListStates";
import { useScreenTitle } from "../lib/title";
import { useCallbacks, useChangeCallback, type Callback, type CallbackStatus } from "./queries";
import { TextInput, useDate, useErrorText, When } from "./ui";

/** A tel: link's target: the E.164 number without what a dialler would not take. */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, "")}`;
}

function CallbackItem({ item, onChanged }: { item: Callback; onChanged: (text: string) => void }) {
  const { t } = useTranslation("setup");
  const date = useDate();
  const wording = useErrorText();
  const change = useChangeCallback();
  const [note, setNote] = useState("");
  const phone = item.phone ?? t("callbacks.noPhone");
  const next: CallbackStatus = item.status === "open" ? "done" : "open";
  const form = `callback-${item.id}`;
  return (
    <li className="item">
      <article aria-label={t("callbacks.itemLabel", { phone })}>
        <p className="item-title">
          {item.phone !== undefined ? (
            <a href={telHref(item.phone)} aria-label={t("callbacks.call", { phone: item.phone })}>
              {item.phone}
            </a>
          ) : (
            phone
          )}
        </p>
        <dl className="item-fields">
          <div className="field">
            <dt>{t("callbacks.slot")}</dt>
            <dd>{item.slot !== undefined ? t(`callbacks.slots.${item.slot}`) : t("callbacks.noSlot")}</dd>
          </div>
          {item.campaign_id !== undefined ? (
            <div className="field">
              <dt>{t("callbacks.campaign")}</dt>
              <dd className="mono">{item.campaign_id}</dd>
            </div>
          ) : null}
          {item.step !== undefined ? (
            <div className="field">
              <dt>{t("callbacks.step")}</dt>
              <dd>{t("callbacks.stepValue", { step: item.step })}</dd>
            </div>
          ) : null}
          {item.contact_id !== undefined ? (
            <div className="field">
              <dt>{t("callbacks.contact")}</dt>
              <dd className="mono">{item.contact_id}</dd>
            </div>
          ) : null}
          <div className="field">
            <dt>{t("callbacks.requested")}</dt>
            <dd>
              <When value={item.created_at} />
            </dd>
          </div>
        </dl>
        {item.status === "done" && item.done_at !== undefined ? (
          <p className="field-help">{t("callbacks.doneBy", { date: date(item.done_at), who: item.done_by ?? "" })}</p>
        ) : null}
        {item.note !== undefined && item.note !== "" ? (
          <p>
            <strong>{t("callbacks.noteShown")}:</strong> {item.note}
          </p>
        ) : null}
        <div className="inline-form">
          {next === "done" ? (
            <TextInput form={form} name="note" label={t("callbacks.note")} value={note} onChange={setNote} error={null} maxLength={4000} />
          ) : null}
          <Button
            className={`button${next === "done" ? " primary" : ""}`}
            isDisabled={change.isPending}
            onPress={() =>
              change.mutate(
                { id: item.id, status: next, note: next === "done" ? note : "" },
                { onSuccess: () => onChanged(next === "done" ? t("callbacks.markedDone", { phone }) : t("callbacks.reopened", { phone })) },
              )
            }
          >
            {change.isPending ? t("callbacks.saving") : next === "done" ? t("callbacks.markDone") : t("callbacks.reopen")}
          </Button>
          {change.isError ? (
            <p role="alert" className="error">
              {t("common.notSaved", { message: wording(change.error) })}
            </p>
          ) : null}
        </div>
      </article>
    </li>
  );
}

export function CallbacksPage() {
  const { t } = useTranslation("setup");
  useScreenTitle(t("callbacks.title"));
  const [status, setStatus] = useState<CallbackStatus>("open");
  const [said, setSaid] = useState<string | null>(null);
  const query = useCallbacks(status);
  return (
    <>
      <h1>{t("callbacks.title")}</h1>
      <p className="hint">
        {t("callbacks.intro")} {t("common.autoRefresh")}
      </p>
      <Filter
        label={t("callbacks.status")}
        value={status}
        onChange={(next) => {
          setStatus(next);
          setSaid(null);
        }}
        options={[
          { id: "open", label: t("callbacks.open") },
          { id: "done", label: t("callbacks.done") },
        ]}
      />
      <p role="status" className="announcement">
        {said}
      </p>
      <ListStates query={query} empty={status === "open" ? t("callbacks.emptyOpen") : t("callbacks.emptyDone")}>
        {(callbacks) => (
          <ul className="items">
            {callbacks.map((item) => (
              <CallbackItem key={item.id} item={item} onChanged={setSaid} />
            ))}
          </ul>
        )}
      </ListStates>
    </>
  );
}
