// /console/programmes (administrators, marketers): the brand's partner, reseller and
// affiliate domains, affiliate ids, testers, media and association domains, from which
// Liaison proposes a type for the people who write (a partner, a journalist...), for staff
// to confirm on the contact's page. Testers are kept as keyed hashes: their addresses are
// typed to add or remove them and never shown again.

import { useState, type FormEvent } from "react";
import { Button } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { useProgrammesTranslation } from "../i18n/programmes";
import { useScreenTitle } from "../lib/title";
import { focusError, formErrorFrom, type FormError } from "./fieldErrors";
import {
  firstDomainProblem,
  LISTS,
  PROGRAMME_ALIASES,
  PROGRAMME_FIELDS,
  programmesBody,
  programmesForm,
  testerLabel,
  useProgrammes,
  useSaveProgrammes,
  type ListName,
  type Programmes,
  type ProgrammesForm,
} from "./programmes";
import { CheckList, FormAlert, QueryStates, TextInput, useErrorText, When } from "./ui";

const FORM = "programmes";

function ProgrammesEditor({ stored }: { stored: Programmes }) {
  const { t } = useProgrammesTranslation();
  const { t: common } = useTranslation("setup");
  const wording = useErrorText();
  const save = useSaveProgrammes();
  const [form, setForm] = useState<ProgrammesForm>(() => programmesForm(stored));
  const [error, setError] = useState<FormError | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const setList = (name: ListName, value: string) => setForm((f) => ({ ...f, lists: { ...f.lists, [name]: value } }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaid(null);
    const problem = firstDomainProblem(form);
    if (problem !== null) {
      const refused = { field: problem.field, message: t(`domainProblem.${problem.problem}`, { entry: problem.entry }) };
      setError(refused);
      focusError(FORM, refused);
      return;
    }
    setError(null);
    save.mutate(programmesBody(form), {
      onSuccess: (saved) => {
        // The lists as stored (lower case, repeats dropped), the new testers as hashes.
        setForm(programmesForm(saved));
        setSaid(t("saved", { count: saved.testers.length }));
      },
      onError: (failure) => {
        const refused = formErrorFrom(failure, PROGRAMME_FIELDS, wording, PROGRAMME_ALIASES);
        setError(refused);
        focusError(FORM, refused);
      },
    });
  };

  return (
    <form id={FORM} className="form" onSubmit={submit} noValidate aria-describedby={error === null ? undefined : `${FORM}-error`}>
      {LISTS.map((name) => (
        <TextInput
          key={name}
          form={FORM}
          name={name}
          label={t(`lists.${name}`)}
          help={t(`help.${name}`, { max: stored.max_entries })}
          value={form.lists[name]}
          onChange={(value) => setList(name, value)}
          error={error}
          multiline
          rows={3}
        />
      ))}
      <details className="field-help">
        <summary>{t("builtInMedia", { count: stored.built_in_media_domains.length })}</summary>
        <p>{stored.built_in_media_domains.join(", ")}</p>
      </details>

      <h2>{t("testersTitle")}</h2>
      <p className="hint">{t("testersIntro", { max: stored.max_testers })}</p>
      {stored.testers.length === 0 ? (
        <p className="list-state empty">{t("noTesters")}</p>
      ) : (
        <CheckList
          form={FORM}
          name="testers"
          label={t("kept", { count: form.kept.length, total: stored.testers.length })}
          value={form.kept}
          options={stored.testers.map((hash) => {
            const { kind, short } = testerLabel(hash);
            return { id: hash, label: t(`testerKind.${kind}`), detail: `${short}…` };
          })}
          onChange={(kept) => setForm((f) => ({ ...f, kept }))}
          error={error}
          help={t("keptHelp")}
        />
      )}
      <TextInput
        form={FORM}
        name="add_testers"
        label={t("add")}
        help={t("addHelp")}
        value={form.add}
        onChange={(add) => setForm((f) => ({ ...f, add }))}
        error={error}
        multiline
        rows={3}
        secret
      />
      <TextInput
        form={FORM}
        name="remove_testers"
        label={t("remove")}
        help={t("removeHelp")}
        value={form.remove}
        onChange={(remove) => setForm((f) => ({ ...f, remove }))}
        error={error}
        multiline
        rows={2}
        secret
      />
      <FormAlert form={FORM} error={error} />
      <div className="form-actions">
        <Button type="submit" className="button primary" isDisabled={save.isPending}>
          {save.isPending ? common("common.saving") : common("common.save")}
        </Button>
      </div>
      <p role="status" className="announcement">
        {said}
      </p>
      {stored.updated_at !== null ? (
        <p className="field-help">
          {t("updated")} <When value={stored.updated_at} /> {stored.updated_by ?? ""}
        </p>
      ) : null}
    </form>
  );
}

export function ProgrammesPage() {
  const { t } = useProgrammesTranslation();
  useScreenTitle(t("title"));
  const query = useProgrammes();
  return (
    <>
      <h1>{t("title")}</h1>
      <p className="hint">{t("intro")}</p>
      <QueryStates query={query}>{(stored) => <ProgrammesEditor stored={stored} />}</QueryStates>
    </>
  );
}
