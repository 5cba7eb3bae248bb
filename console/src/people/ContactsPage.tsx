// /console/contacts: find a person by email, or a platform with a handle or an account
// (GET /admin/contacts), or go to a contact's page by its id.

import { useState, type FormEvent } from "react";
import { Button, Input, Label, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router";
import { ApiError } from "../api/client";
import { Filter } from "../inbox/Filter";
import { errorMessage } from "../lib/errors";
import { platformName } from "../lib/platforms";
import { useScreenTitle } from "../lib/title";
import { ContactFacts, contactName } from "./ContactParts";
import { useFindContact } from "./queries";
import {
  formFor,
  fromSearchParams,
  PER_SOURCE_PLATFORM,
  PLATFORMS,
  SEARCH_MODES,
  searchTarget,
  toSearchParams,
  type Platform,
  type SearchForm,
  type SearchProblem,
} from "./search";
import "./people.css";

/** What the contact page leaves in the history's state when it erased someone. */
export interface ErasedState {
  erased: string;
}

function erasedOf(state: unknown): string | null {
  return typeof state === "object" && state !== null && typeof (state as ErasedState).erased === "string"
    ? (state as ErasedState).erased
    : null;
}

export function ContactsPage() {
  const { t } = useTranslation("people");
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const location = useLocation();
  const query = fromSearchParams(params);
  const [form, setForm] = useState<SearchForm>(() => formFor(query));
  const [problem, setProblem] = useState<SearchProblem | null>(null);
  const result = useFindContact(query);
  const erased = erasedOf(location.state);
  useScreenTitle(t("contacts.title"));

  const set = <K extends keyof SearchForm>(key: K) => (value: SearchForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const target = searchTarget(form);
    if (!target.ok) {
      setProblem(target.problem);
      return;
    }
    setProblem(null);
    if (target.kind === "id") void navigate(`/contacts/${encodeURIComponent(target.id)}`);
    else setParams(toSearchParams(target.query));
  };

  return (
    <div className="people">
      <h1>{t("contacts.title")}</h1>
      {erased !== null ? (
        <p role="status" className="notice">
          {t("contacts.erased", { id: erased })}
        </p>
      ) : null}
      <form className="pp-panel pp-stack pp-search" onSubmit={submit} noValidate aria-labelledby="search-heading">
        <h2 id="search-heading">{t("contacts.search")}</h2>
        <Filter
          label={t("contacts.by")}
          value={form.mode}
          onChange={(mode) => {
            setForm((f) => ({ ...f, mode }));
            setProblem(null);
          }}
          options={SEARCH_MODES.map((mode) => ({ id: mode, label: t(`contacts.mode.${mode}`) }))}
        />
        {form.mode === "email" ? (
          <TextField className="pp-form-field" value={form.email} onChange={set("email")} type="email" autoComplete="off">
            <Label>{t("contacts.email")}</Label>
            <Input />
          </TextField>
        ) : null}
        {form.mode === "handle" || form.mode === "account" ? (
          <div className="pp-form-row">
            <div className="pp-form-field">
              <label htmlFor="contact-platform">{t("contacts.platform")}</label>
              <select
                id="contact-platform"
                className="pp-select"
                value={form.platform}
                onChange={(event) => set("platform")(event.target.value as Platform)}
              >
                {PLATFORMS.map((platform) => (
                  <option key={platform} value={platform}>
                    {platformName(platform)}
                  </option>
                ))}
              </select>
            </div>
            {form.platform === PER_SOURCE_PLATFORM ? (
              <TextField className="pp-form-field" value={form.sourceId} onChange={set("sourceId")} autoComplete="off">
                <Label>{t("contacts.source")}</Label>
                <Input placeholder="src_…" />
              </TextField>
            ) : null}
            {form.mode === "handle" ? (
              <TextField className="pp-form-field" value={form.handle} onChange={set("handle")} autoComplete="off">
                <Label>{t("contacts.handle")}</Label>
                <Input />
              </TextField>
            ) : (
              <TextField className="pp-form-field" value={form.account} onChange={set("account")} autoComplete="off">
                <Label>{t("contacts.account")}</Label>
                <Input />
              </TextField>
            )}
          </div>
        ) : null}
        {form.mode === "id" ? (
          <TextField className="pp-form-field" value={form.id} onChange={set("id")} autoComplete="off">
            <Label>{t("contacts.id")}</Label>
            <Input />
          </TextField>
        ) : null}
        {problem !== null ? (
          <p role="alert" className="error">
            {t(`contacts.problem.${problem}`)}
          </p>
        ) : null}
        <div className="pp-buttons">
          <Button type="submit" className="button primary">
            {form.mode === "id" ? t("contacts.open") : t("contacts.submit")}
          </Button>
        </div>
      </form>
      {query !== null ? (
        <section aria-labelledby="result-heading" className="pp-search-result">
          <h2 id="result-heading">{t("contacts.result")}</h2>
          <SearchResult result={result} />
        </section>
      ) : null}
    </div>
  );
}

function SearchResult({ result }: { result: ReturnType<typeof useFindContact> }) {
  const { t } = useTranslation("people");
  const { t: tShell } = useTranslation();
  if (result.isPending) {
    return (
      <p role="status" className="list-state">
        {t("common.loading")}
      </p>
    );
  }
  if (result.isError) {
    if (result.error instanceof ApiError && result.error.status === 404) {
      return (
        <p role="status" className="list-state empty">
          {t("contacts.notFound", { message: errorMessage(tShell, result.error) })}
        </p>
      );
    }
    return (
      <div role="alert" className="list-state error">
        <p>{t("contacts.failed", { message: errorMessage(tShell, result.error) })}</p>
        <Button className="button" onPress={() => void result.refetch()}>
          {tShell("errors.retry")}
        </Button>
      </div>
    );
  }
  const person = result.data;
  return (
    <article className="pp-panel" aria-labelledby="found-name">
      <h3 id="found-name">
        <Link to={`/contacts/${encodeURIComponent(person.id)}`}>{contactName(person)}</Link>
      </h3>
      <p className="hint">{t("contacts.idIs", { id: person.id })}</p>
      <ContactFacts person={person} />
    </article>
  );
}
