// What a contribution's label came from (a rule, the built-in classifier, what Liaison
// learned from the team, the language model, staff), the correction staff made if any, and
// "Relabel" (POST /admin/contributions/{id}/label): staff say what it really is, which the
// brand's word model learns from. Loaded lazily (its code and its strings, the "learning"
// namespace): by the moderation list (ModerationPanel) and by a conversation.

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type KeyboardEvent } from "react";
import { Button, FieldError, Label as FieldLabel, Select, Text, type Key } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { mayUse } from "../access";
import { dataOf } from "../api/client";
import { useApi, useConsole } from "../app/context";
import { useLearningTranslation } from "../i18n/learning";
import { errorMessage } from "../lib/errors";
import { LABELS, type Label } from "./filters";
import { RELABEL_GROUPS, type Correction, type LabelSource } from "./labelFacts";
import { DateTime, Field } from "./parts";
import { SelectOptions } from "./SelectOptions";
import "./learning.css";

/**
 * What shows a contribution or measures its label: refreshed after a relabel (a
 * conversation's thread, people/queries.ts `peopleKeys`, carries its correction).
 */
const REFRESHED = [["moderation"], ["contact"], ["work"], ["thread"], ["report", "corrections"]] as const;

/** POST /admin/contributions/{id}/label `{"label"}`. */
export function useRelabel(id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (label: Label) =>
      dataOf(await api.POST("/admin/contributions/{id}/label", { params: { path: { id } }, body: { label } })),
    onSuccess: () => {
      for (const queryKey of REFRESHED) void queryClient.invalidateQueries({ queryKey: [...queryKey] });
    },
  });
}

/** "Decided by" and "Corrected", as fields of the item's `<dl>` (each when known). */
export function LabelOrigin({ source, correction }: { source: LabelSource | undefined; correction: Correction | undefined }) {
  const { t } = useLearningTranslation();
  const { t: tShell } = useTranslation();
  return (
    <>
      {source !== undefined ? <Field label={t("origin.source")}>{t(`origin.sources.${source}`)}</Field> : null}
      {correction !== undefined ? (
        <Field label={t("origin.corrected")}>
          {correction.label === correction.was
            ? t("origin.confirmed", { label: tShell(`label.${correction.label}`) })
            : t("origin.said", { was: tShell(`label.${correction.was}`), label: tShell(`label.${correction.label}`) })}{" "}
          <span className="learning-meta">
            ({t(`origin.how.${correction.how}`)}, <DateTime value={correction.at} />)
          </span>
        </Field>
      ) : null}
    </>
  );
}

/** The relabel form, for the groups that may relabel (nothing for the others). */
export function Relabel(props: { contributionId: string; current: Label | undefined; onRelabelled?: (correction: Correction) => void }) {
  const { session } = useConsole();
  return mayUse(RELABEL_GROUPS, session.groups) ? <RelabelForm {...props} /> : null;
}

/**
 * The six labels and "Relabel". Its keys stay in it: a key typed in the select (or its
 * list, which React renders elsewhere but bubbles through here) never reaches the
 * moderation list's A, S and H shortcuts.
 */
function RelabelForm({
  contributionId,
  current,
  onRelabelled,
}: {
  contributionId: string;
  current: Label | undefined;
  onRelabelled?: (correction: Correction) => void;
}) {
  const { t } = useLearningTranslation();
  const { t: tShell } = useTranslation();
  const relabel = useRelabel(contributionId);
  const [label, setLabel] = useState<Label | null>(current ?? null);
  const [done, setDone] = useState<Label | null>(null);
  const hintId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (label === null || relabel.isPending) return;
    setDone(null);
    relabel.mutate(label, {
      onSuccess: (answer) => {
        setDone(answer.correction.label);
        onRelabelled?.(answer.correction);
      },
    });
  };
  const onChange = (key: Key | null) => {
    setLabel(LABELS.find((candidate) => candidate === key) ?? null);
    setDone(null);
    if (relabel.isError) relabel.reset();
  };
  return (
    <form className="learning-relabel" onSubmit={submit} noValidate onKeyDown={(event: KeyboardEvent) => event.stopPropagation()}>
      <Select
        className="filter-field learning-field"
        value={label}
        onChange={onChange}
        isInvalid={relabel.isError}
        validationBehavior="aria"
        aria-describedby={hintId}
      >
        <FieldLabel className="filter-field-label">{t("relabel.field")}</FieldLabel>
        <SelectOptions options={LABELS.map((id) => ({ id, name: tShell(`label.${id}`) }))} />
        <FieldError className="error">
          {relabel.isError ? t("relabel.failed", { message: errorMessage(tShell, relabel.error) }) : null}
        </FieldError>
      </Select>
      <Text elementType="p" id={hintId} className="learning-meta">
        {t("relabel.hint")}
      </Text>
      <div className="learning-buttons">
        <Button type="submit" className="button" isDisabled={relabel.isPending || label === null}>
          {t("relabel.submit")}
        </Button>
        <p role="status" className="status-line">
          {relabel.isPending ? t("relabel.saving") : done !== null ? t("relabel.done", { label: tShell(`label.${done}`) }) : null}
        </p>
      </div>
    </form>
  );
}
