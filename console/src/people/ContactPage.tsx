// /console/contacts/:id: a person whole: identities, type (editable), scores, timeline (a
// page at a time), merge candidates with merge and undo; for admins, the export (a JSON file)
// and the erasure (typed confirmation).

import { useReducer, useState, type FormEvent } from "react";
import { Button, Input, Label, Text, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { mayUse } from "../access";
import type { Group } from "../auth/session";
import { useApi, useConsole } from "../app/context";
import { DateTime, Field } from "../inbox/parts";
import { useProgrammesTranslation } from "../i18n/programmes";
import { errorMessage } from "../lib/errors";
import { platformName } from "../lib/platforms";
import { firstLine, shorten } from "../lib/text";
import { useScreenTitle } from "../lib/title";
import { ContactFacts, contactName, IdentityList } from "./ContactParts";
import type { ErasedState } from "./ContactsPage";
import { confirmationMatches, emailsOf, eraseAll, ErasureUnfinished } from "./erase";
import { downloadJson, exportedItems, exportFileName, fullExport } from "./exporting";
import { canUndo, isBusy, mergesMade, mergesReducer, stateOf, type MergeState } from "./merge";
import { Failure, QueryStates } from "./parts";
import {
  CONTACT_TYPES,
  eraseStep,
  exportPart,
  mergeContact,
  peopleKeys,
  undoMerge,
  useContact,
  useDismissProposedType,
  useSetContactType,
  type ContactPerson,
  type ContactType,
  type TimelineEntry,
} from "./queries";
import { entryPath, entryPlatform, entryState, entryText } from "./timeline";
import "./people.css";

/** Merge, undo, export, erase: admins only (docs/openapi.yaml). */
const ADMINS: readonly Group[] = ["liaison-admin"];

export function ContactPage() {
  const { id = "" } = useParams();
  return <Contact key={id} id={id} />;
}

function Contact({ id }: { id: string }) {
  const { t } = useTranslation("people");
  const { session } = useConsole();
  const query = useContact(id);
  const admin = mayUse(ADMINS, session.groups);
  const person = query.data?.pages[0];
  useScreenTitle(person !== undefined ? contactName(person) : t("contact.title"));
  return (
    <div className="people">
      <p className="pp-breadcrumb">
        <Link to="/contacts">{t("contact.back")}</Link>
      </p>
      <QueryStates query={{ ...query, data: person }}>
        {(first) => (
          <>
            <h1>{contactName(first)}</h1>
            <p className="hint">{t("contacts.idIs", { id: first.id })}</p>
            {first.profile.merged_into !== undefined && first.profile.merged_into !== null ? (
              <p className="notice warning">
                {t("contact.mergedInto")}{" "}
                <Link to={`/contacts/${encodeURIComponent(first.profile.merged_into)}`}>{first.profile.merged_into}</Link>
              </p>
            ) : null}
            <div className="pp-contact-grid">
              <section className="pp-panel" aria-labelledby="profile-heading">
                <h2 id="profile-heading">{t("contact.profile")}</h2>
                <ContactFacts person={first} />
                {first.profile.created_at !== undefined ? (
                  <p className="pp-note-meta">
                    {t("contact.created")} <DateTime value={first.profile.created_at} />
                  </p>
                ) : null}
                <ProposedTypePanel person={first} />
                <TypeEditor person={first} />
              </section>
              <section className="pp-panel" aria-labelledby="identities-heading">
                <h2 id="identities-heading">{t("contact.identities")}</h2>
                <IdentityList identities={first.identities} />
              </section>
            </div>
            <Merges person={first} admin={admin} />
            <Timeline
              entries={query.data?.pages.flatMap((page) => page.timeline) ?? []}
              hasMore={query.hasNextPage}
              loadingMore={query.isFetchingNextPage}
              moreError={query.isFetchNextPageError ? query.error : null}
              onMore={() => void query.fetchNextPage()}
            />
            {admin ? (
              <>
                <Export id={first.id} />
                <Erase person={first} />
              </>
            ) : null}
          </>
        )}
      </QueryStates>
    </div>
  );
}

/**
 * The type Liaison proposes from what the person wrote (their address, site, name, links, the
 * brand's programmes), with its reason: staff confirm it (it becomes their type, influence
 * recomputed) or dismiss it (never proposed again).
 */
function ProposedTypePanel({ person }: { person: ContactPerson }) {
  const { t: types } = useTranslation("people");
  // Its words load with this page (and the programmes page), not with the first screen.
  const { t } = useProgrammesTranslation();
  const confirm = useSetContactType(person.id);
  const dismiss = useDismissProposedType(person.id);
  const [said, setSaid] = useState<string | null>(null);
  const proposal = person.profile.proposed_type;
  const busy = confirm.isPending || dismiss.isPending;
  const failure = confirm.isError ? confirm.error : dismiss.isError ? dismiss.error : null;
  return (
    <>
      {proposal !== undefined ? (
        <div className="pp-proposal" role="group" aria-labelledby="proposed-type-heading">
          <h3 id="proposed-type-heading">{t("proposal.heading")}</h3>
          <p>
            <strong>{types(`contactType.${proposal.type}`)}</strong> · {t("proposal.reason", { reason: proposal.reason })}
          </p>
          <p className="pp-note-meta">
            {t("proposal.at")} <DateTime value={proposal.at} />
          </p>
          <div className="pp-buttons">
            <Button
              className="button primary"
              isDisabled={busy}
              onPress={() => {
                setSaid(null);
                confirm.mutate(proposal.type, { onSuccess: () => setSaid(t("proposal.confirmed", { type: types(`contactType.${proposal.type}`) })) });
              }}
            >
              {t("proposal.confirm", { type: types(`contactType.${proposal.type}`) })}
            </Button>
            <Button
              className="button"
              isDisabled={busy}
              onPress={() => {
                setSaid(null);
                dismiss.mutate(undefined, { onSuccess: () => setSaid(t("proposal.dismissed", { type: types(`contactType.${proposal.type}`) })) });
              }}
            >
              {t("proposal.dismiss")}
            </Button>
          </div>
        </div>
      ) : null}
      <p role="status" className="status-line">
        {busy ? types("common.saving") : said}
      </p>
      {failure !== null ? <Failure error={failure} prefix={t("proposal.failed")} /> : null}
    </>
  );
}

function TypeEditor({ person }: { person: ContactPerson }) {
  const { t } = useTranslation("people");
  const save = useSetContactType(person.id);
  const current = person.profile.type;
  const [type, setType] = useState<ContactType | "">(current ?? "");
  const [saved, setSaved] = useState(false);
  // The type changed elsewhere (a proposal confirmed): the choice follows it.
  const [shown, setShown] = useState(current);
  if (shown !== current) {
    setShown(current);
    setType(current ?? "");
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (type === "" || save.isPending) return;
    setSaved(false);
    save.mutate(type, { onSuccess: () => setSaved(true) });
  };
  return (
    <form className="pp-stack pp-type-editor" onSubmit={submit}>
      <div className="pp-form-row pp-align-end">
        <div className="pp-form-field">
          <label htmlFor="contact-type">{t("contact.typeLabel")}</label>
          <select
            id="contact-type"
            className="pp-select"
            value={type}
            onChange={(event) => {
              const value = event.target.value;
              setType((CONTACT_TYPES as readonly string[]).includes(value) ? (value as ContactType) : "");
              setSaved(false);
            }}
          >
            {current === undefined ? <option value="">{t("common.unknown")}</option> : null}
            {CONTACT_TYPES.map((option) => (
              <option key={option} value={option}>
                {t(`contactType.${option}`)}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit" className="button" isDisabled={save.isPending || type === "" || type === current}>
          {t("contact.typeSave")}
        </Button>
      </div>
      <p role="status" className="status-line">
        {save.isPending ? t("common.saving") : saved ? t("contact.typeSaved") : null}
      </p>
      {save.isError ? <Failure error={save.error} prefix={t("contact.typeFailed")} /> : null}
    </form>
  );
}

function Merges({ person, admin }: { person: ContactPerson; admin: boolean }) {
  const { t } = useTranslation("people");
  const { t: tShell } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const [states, dispatch] = useReducer(mergesReducer, {});
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: peopleKeys.contact(person.id) });
  };

  const merge = (candidate: string) => {
    dispatch({ candidate, action: { type: "start" } });
    mergeContact(api, person.id, candidate).then(
      (merged) => {
        dispatch({ candidate, action: { type: "merged", merge: merged } });
        refresh();
        void queryClient.invalidateQueries({ queryKey: peopleKeys.contact(candidate) });
      },
      (error: unknown) => dispatch({ candidate, action: { type: "failed", message: errorMessage(tShell, error) } }),
    );
  };

  const undo = (candidate: string, mergeId: string) => {
    dispatch({ candidate, action: { type: "undo" } });
    undoMerge(api, person.id, mergeId).then(
      () => {
        dispatch({ candidate, action: { type: "undone" } });
        refresh();
        void queryClient.invalidateQueries({ queryKey: peopleKeys.contact(candidate) });
      },
      (error: unknown) => dispatch({ candidate, action: { type: "failed", message: errorMessage(tShell, error) } }),
    );
  };

  const made = mergesMade(states);
  // A candidate merged here (and not undone) is listed under "Merges made" instead.
  const candidates = person.merge_candidates.filter((candidate) => {
    if (candidate.other_contact_id === undefined) return false;
    const state = stateOf(states, candidate.other_contact_id);
    return !("merge" in state) || state.phase === "undone";
  });

  return (
    <section className="pp-panel" aria-labelledby="merge-heading">
      <h2 id="merge-heading">{t("merge.heading")}</h2>
      <p className="hint">{admin ? t("merge.hint") : t("merge.hintReadOnly")}</p>
      {candidates.length === 0 ? (
        <p className="list-state empty">{t("merge.none")}</p>
      ) : (
        <ul className="items">
          {candidates.map((candidate) => {
            const other = candidate.other_contact_id ?? "";
            const state = stateOf(states, other);
            return (
              <li key={other} className="item">
                <p className="item-text">
                  <Link to={`/contacts/${encodeURIComponent(other)}`}>{other}</Link>
                </p>
                <dl className="item-fields">
                  {candidate.created_at !== undefined ? (
                    <Field label={t("merge.proposed")}>
                      <DateTime value={candidate.created_at} />
                    </Field>
                  ) : null}
                  {candidate.event_id !== undefined ? <Field label={t("merge.event")}>{candidate.event_id}</Field> : null}
                </dl>
                {admin ? (
                  <CandidateActions
                    other={other}
                    into={person.id}
                    state={state}
                    onAsk={() => dispatch({ candidate: other, action: { type: "ask" } })}
                    onCancel={() => dispatch({ candidate: other, action: { type: "cancel" } })}
                    onMerge={() => merge(other)}
                  />
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
      {made.length > 0 ? (
        <>
          <h3>{t("merge.made")}</h3>
          <ul className="items">
            {made.map(({ candidate, state }) => (
              <li key={candidate} className="item">
                <p className="item-text">
                  {state.phase === "undone"
                    ? t("merge.undone", { from: candidate })
                    : t("merge.merged", {
                        from: candidate,
                        identities: state.merge.identities,
                        items: state.merge.timeline_items,
                      })}
                </p>
                {canUndo(state) || state.phase === "undoing" ? (
                  <Button className="button" isDisabled={isBusy(state)} onPress={() => undo(candidate, state.merge.merge_id)}>
                    {state.phase === "undoing" ? t("merge.undoing") : t("merge.undo", { from: candidate })}
                  </Button>
                ) : null}
                {state.phase === "failed" ? (
                  <p role="alert" className="error">
                    {t("merge.undoFailed", { message: state.message })}
                  </p>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p role="status" className="visually-hidden">
        {made.map(({ candidate, state }) => (state.phase === "undone" ? t("merge.undone", { from: candidate }) : state.phase === "merged" ? t("merge.mergedShort", { from: candidate }) : "")).join(" ")}
      </p>
    </section>
  );
}

function CandidateActions({
  other,
  into,
  state,
  onAsk,
  onCancel,
  onMerge,
}: {
  other: string;
  into: string;
  state: MergeState;
  onAsk: () => void;
  onCancel: () => void;
  onMerge: () => void;
}) {
  const { t } = useTranslation("people");
  if (state.phase === "confirming" || state.phase === "merging") {
    return (
      <div className="pp-confirm" role="group" aria-label={t("merge.confirmLabel", { from: other })}>
        <p>{t("merge.confirm", { from: other, into })}</p>
        <div className="pp-buttons">
          <Button className="button primary" isDisabled={state.phase === "merging"} onPress={onMerge}>
            {state.phase === "merging" ? t("merge.merging") : t("merge.confirmButton")}
          </Button>
          <Button className="button" isDisabled={state.phase === "merging"} onPress={onCancel}>
            {t("merge.cancel")}
          </Button>
        </div>
      </div>
    );
  }
  return (
    <>
      <Button className="button" onPress={onAsk}>
        {t("merge.ask", { from: other })}
      </Button>
      {state.phase === "failed" && state.during === "merge" ? (
        <p role="alert" className="error">
          {t("merge.failed", { message: state.message })}
        </p>
      ) : null}
    </>
  );
}

function Timeline({
  entries,
  hasMore,
  loadingMore,
  moreError,
  onMore,
}: {
  entries: TimelineEntry[];
  hasMore: boolean;
  loadingMore: boolean;
  moreError: unknown;
  onMore: () => void;
}) {
  const { t } = useTranslation("people");
  const { t: tShell } = useTranslation();
  return (
    <section className="pp-panel" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">{t("timeline.heading")}</h2>
      {entries.length === 0 ? (
        <p className="list-state empty">{t("timeline.none")}</p>
      ) : (
        <ol className="pp-timeline">
          {entries.map((entry, index) => (
            <TimelineItem key={`${entry.timeline_kind}:${entry.id ?? index}`} entry={entry} />
          ))}
        </ol>
      )}
      {hasMore ? (
        <Button className="button more" isDisabled={loadingMore} onPress={onMore}>
          {loadingMore ? t("timeline.loadingMore") : t("timeline.more")}
        </Button>
      ) : null}
      {moreError !== null ? (
        <p role="alert" className="error">
          {t("common.loadError", { message: errorMessage(tShell, moreError) })}
        </p>
      ) : null}
    </section>
  );
}

function TimelineItem({ entry }: { entry: TimelineEntry }) {
  const { t } = useTranslation("people");
  const { session } = useConsole();
  const text = entryText(entry);
  const state = entryState(entry);
  const platform = entryPlatform(entry);
  const path = entryPath(entry);
  const mayOpen =
    path !== undefined &&
    ((entry.timeline_kind === "cases" && mayUse(["liaison-admin", "liaison-support"], session.groups)) ||
      (entry.timeline_kind === "questions" && mayUse(["liaison-admin", "liaison-support", "liaison-marketer"], session.groups)) ||
      (entry.timeline_kind === "opportunities" && mayUse(["liaison-admin", "liaison-sales"], session.groups)));
  return (
    <li className="pp-timeline-item">
      <p className="pp-timeline-head">
        <span className={`pp-kind pp-kind-${entry.timeline_kind}`}>{t(`timelineKind.${entry.timeline_kind}`)}</span>
        {entry.timeline_at !== null ? (
          <>
            {" "}
            <DateTime value={entry.timeline_at} />
          </>
        ) : null}
        {platform !== undefined ? ` · ${platformName(platform)}` : null}
        {state !== undefined ? ` · ${state}` : null}
      </p>
      {text !== undefined ? <p className="pp-timeline-text">{shorten(firstLine(text), 200)}</p> : null}
      {mayOpen ? (
        <p>
          <Link to={path}>{t("timeline.open", { kind: t(`timelineKind.${entry.timeline_kind}`).toLowerCase() })}</Link>
        </p>
      ) : null}
    </li>
  );
}

function Export({ id }: { id: string }) {
  const { t } = useTranslation("people");
  const api = useApi();
  const [state, setState] = useState<
    { phase: "idle" } | { phase: "working" } | { phase: "done"; name: string; items: number } | { phase: "failed"; error: unknown }
  >({ phase: "idle" });
  const run = () => {
    setState({ phase: "working" });
    fullExport((part) => exportPart(api, id, part)).then(
      (exported) => {
        const name = exportFileName(id);
        downloadJson(name, exported);
        setState({ phase: "done", name, items: exportedItems(exported) });
      },
      (error: unknown) => setState({ phase: "failed", error }),
    );
  };
  return (
    <section className="pp-panel" aria-labelledby="export-heading">
      <h2 id="export-heading">{t("export.heading")}</h2>
      <p className="hint">{t("export.hint")}</p>
      <Button className="button" isDisabled={state.phase === "working"} onPress={run}>
        {t("export.button")}
      </Button>
      <p role="status" className="status-line">
        {state.phase === "working"
          ? t("export.working")
          : state.phase === "done"
            ? t("export.done", { name: state.name, count: state.items })
            : null}
      </p>
      {state.phase === "failed" ? <Failure error={state.error} prefix={t("export.failed")} /> : null}
    </section>
  );
}

function Erase({ person }: { person: ContactPerson }) {
  const { t } = useTranslation("people");
  const { t: tShell } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [typed, setTyped] = useState("");
  const [state, setState] = useState<
    { phase: "idle" } | { phase: "erasing"; deleted: number } | { phase: "failed"; message: string }
  >({ phase: "idle" });
  const emails = emailsOf(person);
  const matches = confirmationMatches(typed, { id: person.id, emails });
  const erasing = state.phase === "erasing";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!matches || erasing) return;
    setState({ phase: "erasing", deleted: 0 });
    eraseAll(
      () => eraseStep(api, person.id),
      (deleted) => setState({ phase: "erasing", deleted }),
    ).then(
      () => {
        const erased: ErasedState = { erased: person.id };
        void navigate("/contacts", { state: erased });
        queryClient.removeQueries({ queryKey: peopleKeys.contact(person.id) });
        void queryClient.invalidateQueries({ queryKey: ["contactSearch"] });
      },
      (error: unknown) =>
        setState({
          phase: "failed",
          message:
            error instanceof ErasureUnfinished
              ? t("erase.unfinished", { count: error.deleted })
              : errorMessage(tShell, error),
        }),
    );
  };

  return (
    <section className="pp-panel pp-danger" aria-labelledby="erase-heading">
      <h2 id="erase-heading">{t("erase.heading")}</h2>
      <p>{t("erase.warning")}</p>
      <form className="pp-stack" onSubmit={submit}>
        <TextField className="pp-form-field" value={typed} onChange={setTyped} isDisabled={erasing} autoComplete="off">
          <Label>{t("erase.confirmLabel")}</Label>
          <Input spellCheck={false} />
          <Text slot="description" className="pp-field-hint">
            {emails.length > 0 ? t("erase.confirmHint", { id: person.id, email: emails[0] }) : t("erase.confirmHintId", { id: person.id })}
          </Text>
        </TextField>
        <div className="pp-buttons">
          <Button type="submit" className="button pp-danger" isDisabled={!matches || erasing}>
            {t("erase.button")}
          </Button>
        </div>
        <p role="status" className="status-line">
          {state.phase === "erasing" ? t("erase.working", { count: state.deleted }) : null}
        </p>
        {state.phase === "failed" ? (
          <p role="alert" className="error">
            {t("erase.failed", { message: state.message })}
          </p>
        ) : null}
      </form>
    </section>
  );
}
