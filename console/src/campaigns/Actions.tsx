// A campaign's actions, each offered when its status allows it (functions/admin/src/
// campaigns.rs): schedule a draft, pause, resume, end (after a confirmation), duplicate.
// A refusal (409: the status changed meanwhile) is said in the API's words.

import { useEffect, useRef, useState } from "react";
import { Button } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { actionsFor, type Campaign, type CampaignAction } from "./form";
import { useErrorText } from "./parts";
import { useCampaignAction } from "./queries";

export function Actions({
  campaign,
  beforeSchedule,
}: {
  campaign: Campaign;
  /** Saves unsaved changes first; false when they could not be saved. */
  beforeSchedule?: () => Promise<boolean>;
}) {
  const { t } = useTranslation("campaigns");
  const errorText = useErrorText();
  const navigate = useNavigate();
  const action = useCampaignAction(campaign.id);
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<CampaignAction | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const endRef = useRef<HTMLButtonElement>(null);
  const buttonsRef = useRef<HTMLDivElement>(null);
  const allowed = actionsFor(campaign.status);
  const failed = action.variables ?? "schedule";

  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  // The buttons change with the status: focus stays among them rather than on the page.
  useEffect(() => {
    if (done !== null && done !== "duplicate") buttonsRef.current?.querySelector("button")?.focus();
  }, [done, campaign.status]);

  const run = async (which: CampaignAction) => {
    setDone(null);
    if (which === "schedule" && beforeSchedule !== undefined && !(await beforeSchedule())) return;
    action.mutate(which, {
      onSuccess: (result) => {
        setConfirming(false);
        setDone(which);
        if (which === "duplicate") navigate(`/campaigns/${result.id}`, { state: { notice: "duplicated" } });
      },
    });
  };

  return (
    <section className="cmp-actions" aria-label={t("actions.label")}>
      <div className="cmp-action-buttons" ref={buttonsRef}>
        {allowed.map((which) => (
          <Button
            key={which}
            ref={which === "end" ? endRef : undefined}
            className={`button${which === "schedule" || which === "resume" ? " primary" : ""}${which === "end" ? " cmp-danger" : ""}`}
            isDisabled={action.isPending}
            aria-expanded={which === "end" ? confirming : undefined}
            onPress={() => (which === "end" ? setConfirming(true) : void run(which))}
          >
            {t(`actions.${which}`)}
          </Button>
        ))}
      </div>
      {confirming ? (
        <div className="cmp-confirm" role="group" aria-labelledby="cmp-confirm-text">
          <p id="cmp-confirm-text">{t("actions.endConfirm", { name: campaign.name })}</p>
          <div className="cmp-action-buttons">
            <Button ref={confirmRef} className="button cmp-danger-strong" isDisabled={action.isPending} onPress={() => void run("end")}>
              {t("actions.endYes")}
            </Button>
            <Button
              className="button"
              onPress={() => {
                setConfirming(false);
                endRef.current?.focus();
              }}
            >
              {t("actions.endNo")}
            </Button>
          </div>
        </div>
      ) : null}
      <p role="status" className="announcement">
        {action.isPending ? t("actions.working") : done !== null && done !== "duplicate" ? t(`actions.done.${done}`) : ""}
      </p>
      {action.isError ? (
        <p role="alert" className="list-state error">
          {t(`actions.failed.${failed}`, { message: errorText(action.error) })}
        </p>
      ) : null}
    </section>
  );
}
