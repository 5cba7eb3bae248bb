// /console/cases/:id, /console/questions/:id, /console/opportunities/:id: one item of the
// inbox in its context (what the person wrote, where, its SLA or its deal), its author, its
// private notes, its assignment and its close; for a case, the answers and a reply. Its
// label with what decided it and staff's correction, a Relabel form, and a close that may
// say what it really was (both kept as corrections the brand's classifier learns from).

import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import {
  Button,
  Checkbox,
  FieldError,
  Input,
  Label,
  Radio,
  RadioGroup,
  Select,
  TextField,
  type Key,
} from "react-aria-components";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { INBOX_TABS, mayUse } from "../access";
import { useConsole } from "../app/context";
import { NotFound } from "../app/guard";
import { currentLanguage } from "../i18n";
import { useLearningTranslation } from "../i18n/learning";
import { LABELS, type Label as LabelName } from "../inbox/filters";
import { SelectOptions } from "../inbox/SelectOptions";
import { labelFactsOf, type Correction, type LabelFacts } from "../inbox/labelFacts";
import { Countdown, DateTime, Field, Priority } from "../inbox/parts";
import { LabelOrigin, Relabel } from "../inbox/Relabel";
import { ClockProvider } from "../lib/clock";
import { platformName } from "../lib/platforms";
import { formatAmount } from "../lib/time";
import { useScreenTitle } from "../lib/title";
import { AuthorCard } from "./AuthorCard";
import { AnswerFields, emptyAnswer, type AnswerDraft } from "./AnswerFields";
import { closeCaseBody, closeOpportunityBody, closeQuestionBody, MAX_ASSIGNEE, MAX_NOTE, MAX_NOTES, valueBody, writtenAnswer, type Outcome, type ValueProblem } from "./forms";
import { ExternalLink, Failure, QueryStates, TextBox } from "./parts";
import {
  mayReadThread,
  useAddNote,
  useAssign,
  useClose,
  useValueOpportunity,
  useWork,
  useWorkThread,
  workThreadKey,
  LIST_OF,
  type Thread,
  type Work,
  type WorkKind,
} from "./queries";
import { CaseThread } from "./CaseThread";
import "./people.css";

export function ConversationPage({ kind }: { kind: WorkKind }) {
  const { id = "" } = useParams();
  const { session } = useConsole();
  // A conversation is shown to those who may read its inbox list (never a hint otherwise).
  if (!mayUse(INBOX_TABS[LIST_OF[kind]], session.groups)) return <NotFound />;
  return (
    <ClockProvider>
      <Conversation key={`${kind}/${id}`} kind={kind} id={id} />
    </ClockProvider>
  );
}

function Conversation({ kind, id }: { kind: WorkKind; id: string }) {
  const { t } = useTranslation("people");
  const query = useWork(kind, id);
  const title = t(`conversation.title.${kind}`);
  useScreenTitle(title);
  return (
    <div className="people">
      <p className="pp-breadcrumb">
        <Link to={`/inbox?tab=${LIST_OF[kind]}`}>{t("conversation.back")}</Link>
      </p>
      <h1>{title}</h1>
      <QueryStates query={query}>{(work) => <WorkView work={work} />}</QueryStates>
    </div>
  );
}

function WorkView({ work }: { work: Work }) {
  const { t } = useTranslation("people");
  const { item } = work;
  return (
    <div className="pp-conversation">
      <div className="pp-conversation-main">
        <Contribution work={work} />
        {work.kind === "case" ? <CaseThread caseId={item.id} /> : null}
        <Notes work={work} />
      </div>
      <div className="pp-conversation-side">
        <Assignment work={work} />
        {work.kind === "opportunity" ? <Deal work={work} /> : null}
        <Closing work={work} />
        {item.contact_id !== undefined && item.contact_id !== "" ? (
          <AuthorCard contactId={item.contact_id} eventId={item.event_id} contactType={item.contact_type} audience={item.audience} />
        ) : (
          <section className="pp-panel" aria-labelledby="author-heading">
            <h2 id="author-heading">{t("author.heading")}</h2>
            <p className="hint">{t("author.none")}</p>
          </section>
        )}
      </div>
    </div>
  );
}

/**
 * Its contribution's label, what decided it and staff's correction: read from its thread
 * (`Thread.contribution.classification` and `.correction`; a case's is shared with the
 * answers below), for the groups that may read it; else the label the item carries, and
 * nothing of what decided it.
 */
function useLabelFacts(work: Work): LabelFacts {
  const { session } = useConsole();
  const thread = useWorkThread(work, mayReadThread(work.kind, session.groups));
  const facts = thread.data !== undefined ? labelFactsOf(thread.data.contribution) : {};
  const label = facts.label ?? work.item.label;
  return label !== undefined ? { ...facts, label } : facts;
}

/** What the person wrote, where and when; its label, SLA, owner or deal. */
function Contribution({ work }: { work: Work }) {
  const { t, i18n } = useTranslation("people");
  const { t: tShell } = useTranslation();
  const { item } = work;
  const platform = platformName(item.platform);
  const language = currentLanguage(i18n);
  const facts = useLabelFacts(work);
  const { correction } = facts;
  const queryClient = useQueryClient();
  // The correction just made shows at once, in the thread (which the relabel also refreshes).
  const onRelabelled = (made: Correction) =>
    queryClient.setQueryData<Thread>(workThreadKey(work), (thread) =>
      thread !== undefined ? { ...thread, contribution: { ...thread.contribution, correction: made } } : thread,
    );
  return (
    <section className="pp-panel" aria-labelledby="contribution-heading">
      <h2 id="contribution-heading">{t("conversation.contribution")}</h2>
      <blockquote className="pp-contribution-text">{item.text}</blockquote>
      <p>
        {item.permalink !== undefined && item.permalink !== "" ? (
          <ExternalLink href={item.permalink}>{t("conversation.permalink", { platform })}</ExternalLink>
        ) : (
          <span className="hint">{t("conversation.noPermalink")}</span>
        )}
      </p>
      <dl className="item-fields">
        <Field label={t("fields.status")}>{t(`status.${item.status}`)}</Field>
        <Field label={t("fields.platform")}>{platform}</Field>
        {facts.label !== undefined ? <Field label={tShell("inbox.fields.label")}>{tShell(`label.${facts.label}`)}</Field> : null}
        <LabelOrigin source={facts.source} correction={correction} />
        <Field label={t("fields.opened")}>
          <DateTime value={item.opened_at} />
        </Field>
        {work.kind === "case" || work.kind === "question" ? (
          <>
            <Field label={t("fields.priority")}>
              <Priority value={work.item.priority} />
            </Field>
            {item.status === "open" ? (
              <Field label={t("fields.due")}>
                <Countdown dueAt={work.item.due_at} />
              </Field>
            ) : null}
          </>
        ) : null}
        {work.kind === "question" ? <Field label={t("fields.owner")}>{tShell(`inbox.owner.${work.item.owner}`)}</Field> : null}
        {work.kind === "opportunity" ? (
          <>
            <Field label={t("fields.stage")}>{work.item.stage ?? t("deal.noStage")}</Field>
            <Field label={t("fields.amount")}>
              {work.item.amount !== undefined ? formatAmount(language, work.item.amount, work.item.currency) : t("deal.noAmount")}
            </Field>
          </>
        ) : null}
        {item.tags !== undefined && item.tags.length > 0 ? <Field label={t("fields.tags")}>{item.tags.join(", ")}</Field> : null}
        {work.kind === "case" && work.item.cues.length > 0 ? (
          <Field label={t("fields.cues")}>{work.item.cues.map((cue) => cue.replace(/^[a-z_]+:/, "")).join(", ")}</Field>
        ) : null}
      </dl>
      <Relabel contributionId={item.event_id} current={correction?.label ?? facts.label} onRelabelled={onRelabelled} />
    </section>
  );
}

function Assignment({ work }: { work: Work }) {
  const { t } = useTranslation("people");
  const { session } = useConsole();
  const assign = useAssign(work.kind, work.item.id);
  const [assignee, setAssignee] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const run = (who: string) => {
    if (who.trim() === "" || assign.isPending) return;
    setDone(null);
    assign.mutate(who, {
      onSuccess: (after) => {
        setAssignee("");
        setDone(after.item.assignee ?? who.trim());
      },
    });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    run(assignee);
  };
  const current = work.item.assignee;
  return (
    <section className="pp-panel" aria-labelledby="assign-heading">
      <h2 id="assign-heading">{t("assign.heading")}</h2>
      <p>
        {current !== undefined ? t("assign.current", { assignee: current }) : t("assign.nobody")}
      </p>
      <form className="pp-stack" onSubmit={submit}>
        <TextField className="pp-form-field" value={assignee} onChange={setAssignee} maxLength={MAX_ASSIGNEE} isRequired>
          <Label>{t("assign.label")}</Label>
          <Input />
        </TextField>
        <div className="pp-buttons">
          <Button type="submit" className="button primary" isDisabled={assign.isPending || assignee.trim() === ""}>
            {t("assign.submit")}
          </Button>
          {session.email !== null && session.email !== current ? (
            <Button className="button" isDisabled={assign.isPending} onPress={() => run(session.email ?? "")}>
              {t("assign.toMe")}
            </Button>
          ) : null}
        </div>
        <p role="status" className="status-line">
          {assign.isPending ? t("common.saving") : done !== null ? t("assign.done", { assignee: done }) : null}
        </p>
        {assign.isError ? <Failure error={assign.error} prefix={t("assign.failed")} /> : null}
      </form>
    </section>
  );
}

function Notes({ work }: { work: Work }) {
  const { t } = useTranslation("people");
  const add = useAddNote(work.kind, work.item.id);
  const [text, setText] = useState("");
  const [added, setAdded] = useState(false);
  const notes = work.item.notes ?? [];
  const full = notes.length >= MAX_NOTES;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim() === "" || add.isPending || full) return;
    setAdded(false);
    add.mutate(text, {
      onSuccess: () => {
        setText("");
        setAdded(true);
      },
    });
  };
  return (
    <section className="pp-panel" aria-labelledby="notes-heading">
      <h2 id="notes-heading">{t("notes.heading")}</h2>
      <p className="hint">{t("notes.private")}</p>
      {notes.length === 0 ? (
        <p className="list-state empty">{t("notes.none")}</p>
      ) : (
        <ol className="pp-notes">
          {notes.map((note, index) => (
            <li key={`${note.at}-${index}`} className="pp-note">
              <p className="pp-note-text">{note.text}</p>
              <p className="pp-note-meta">
                {t("notes.by", { author: note.author })} · <DateTime value={note.at} />
              </p>
            </li>
          ))}
        </ol>
      )}
      <form className="pp-stack" onSubmit={submit}>
        <TextBox
          label={t("notes.label")}
          value={text}
          onChange={setText}
          maxLength={MAX_NOTE}
          isDisabled={full}
          description={full ? t("notes.full", { max: MAX_NOTES }) : t("notes.limit", { max: MAX_NOTE })}
        />
        <div className="pp-buttons">
          <Button type="submit" className="button primary" isDisabled={add.isPending || full || text.trim() === ""}>
            {t("notes.submit")}
          </Button>
        </div>
        <p role="status" className="status-line">
          {add.isPending ? t("common.saving") : added ? t("notes.done") : null}
        </p>
        {add.isError ? <Failure error={add.error} prefix={t("notes.failed")} /> : null}
      </form>
    </section>
  );
}

function Deal({ work }: { work: Extract<Work, { kind: "opportunity" }> }) {
  const { t } = useTranslation("people");
  const value = useValueOpportunity(work.item.id);
  const [stage, setStage] = useState(work.item.stage ?? "");
  const [amount, setAmount] = useState(work.item.amount ?? "");
  const [currency, setCurrency] = useState(work.item.currency ?? "");
  const [problem, setProblem] = useState<ValueProblem | null>(null);
  const [saved, setSaved] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = valueBody({ stage, amount, currency });
    setSaved(false);
    if (!checked.ok) {
      setProblem(checked.problem);
      return;
    }
    setProblem(null);
    value.mutate(checked.body, { onSuccess: () => setSaved(true) });
  };
  return (
    <section className="pp-panel" aria-labelledby="deal-heading">
      <h2 id="deal-heading">{t("deal.heading")}</h2>
      <form className="pp-stack" onSubmit={submit} noValidate>
        <TextField className="pp-form-field" value={stage} onChange={setStage} maxLength={100}>
          <Label>{t("deal.stage")}</Label>
          <Input />
        </TextField>
        <div className="pp-form-row">
          <TextField className="pp-form-field" value={amount} onChange={setAmount}>
            <Label>{t("deal.amount")}</Label>
            <Input inputMode="decimal" />
          </TextField>
          <TextField className="pp-form-field pp-narrow" value={currency} onChange={setCurrency} maxLength={3}>
            <Label>{t("deal.currency")}</Label>
            <Input autoCapitalize="characters" />
          </TextField>
        </div>
        <p className="pp-field-hint">{t("deal.hint")}</p>
        {problem !== null ? (
          <p role="alert" className="error">
            {t(`deal.problem.${problem}`)}
          </p>
        ) : null}
        <div className="pp-buttons">
          <Button type="submit" className="button primary" isDisabled={value.isPending}>
            {t("deal.submit")}
          </Button>
        </div>
        <p role="status" className="status-line">
          {value.isPending ? t("common.saving") : saved ? t("deal.done") : null}
        </p>
        {value.isError ? <Failure error={value.error} prefix={t("deal.failed")} /> : null}
      </form>
    </section>
  );
}

function Closing({ work }: { work: Work }) {
  const { t } = useTranslation("people");
  const [justClosed, setJustClosed] = useState(false);
  const { item } = work;
  if (item.status === "closed") {
    return (
      <section className="pp-panel" aria-labelledby="close-heading">
        <h2 id="close-heading">{t("close.closedHeading")}</h2>
        <p role="status" className="announcement">
          {justClosed ? t(`close.done.${work.kind}`) : null}
        </p>
        <dl className="item-fields pp-column">
          {item.closed_at !== undefined ? (
            <Field label={t("fields.closed")}>
              <DateTime value={item.closed_at} />
            </Field>
          ) : null}
          {item.closed_by !== undefined ? <Field label={t("fields.closedBy")}>{item.closed_by}</Field> : null}
          {work.kind === "opportunity" && work.item.outcome !== undefined ? (
            <Field label={t("fields.outcome")}>{t(`close.outcome.${work.item.outcome}`)}</Field>
          ) : null}
          <Field label={t("fields.resolution")}>
            {item.resolution !== undefined && item.resolution !== "" ? (
              <span className="pp-pre-wrap">{item.resolution}</span>
            ) : (
              t("close.noResolution")
            )}
          </Field>
        </dl>
      </section>
    );
  }
  return <CloseForm work={work} onClosed={() => setJustClosed(true)} />;
}

/** The label each kind of item is opened for: what "it was not" denies. */
const KIND_LABEL: Record<WorkKind, LabelName> = { case: "incident", question: "question", opportunity: "purchase_intent" };

/** What it really was, if not what opened it: `null` when it was (the close sends no label). */
interface Really {
  not: boolean;
  label: LabelName | null;
}

/** "It was not an incident" (a question, a purchase intent), then which label it was. */
function ReallyField({ kind, value, onChange, missing }: { kind: WorkKind; value: Really; onChange: (value: Really) => void; missing: boolean }) {
  const { t } = useLearningTranslation();
  const { t: tShell } = useTranslation();
  const others = LABELS.filter((label) => label !== KIND_LABEL[kind]);
  return (
    <fieldset className="pp-fieldset pp-stack">
      <legend>{t("close.really")}</legend>
      <Checkbox className="pp-checkbox" isSelected={value.not} onChange={(not) => onChange({ ...value, not })}>
        <span className="pp-checkbox-box" aria-hidden="true" />
        {t(`close.not.${kind}`)}
      </Checkbox>
      {value.not ? (
        <Select
          className="filter-field pp-really"
          value={value.label}
          onChange={(key: Key | null) => onChange({ ...value, label: others.find((label) => label === key) ?? null })}
          isInvalid={missing}
          isRequired
          validationBehavior="aria"
        >
          <Label className="filter-field-label">{t("close.pick")}</Label>
          <SelectOptions options={others.map((id) => ({ id, name: tShell(`label.${id}`) }))} />
          <FieldError className="error">{missing ? t("close.pickMissing", { not: t(`close.not.${kind}`) }) : null}</FieldError>
        </Select>
      ) : null}
      <p className="pp-field-hint">{t("close.hint")}</p>
    </fieldset>
  );
}

function CloseForm({ work, onClosed }: { work: Work; onClosed: () => void }) {
  const { t } = useTranslation("people");
  const close = useClose(work.kind, work.item.id);
  const [resolution, setResolution] = useState("");
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [tell, setTell] = useState(false);
  const [draft, setDraft] = useState<AnswerDraft>(emptyAnswer);
  const [problem, setProblem] = useState<string | null>(null);
  const [really, setReally] = useState<Really>({ not: false, label: null });
  const [reallyMissing, setReallyMissing] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (close.isPending) return;
    setProblem(null);
    // Sent only when staff say it was something else, and say what.
    const missing = really.not && really.label === null;
    setReallyMissing(missing);
    if (missing) return;
    const label = really.not ? really.label : null;
    switch (work.kind) {
      case "case": {
        let message = null;
        if (tell) {
          const checked = writtenAnswer(draft);
          if (!checked.ok) {
            setProblem(t(`reply.problem.${checked.problem}`, { tag: checked.tag ?? "" }));
            return;
          }
          message = checked.answer;
        }
        close.mutate({ kind: "case", body: closeCaseBody(resolution, message, label) }, { onSuccess: onClosed });
        return;
      }
      case "question":
        close.mutate({ kind: "question", body: closeQuestionBody(resolution, label) }, { onSuccess: onClosed });
        return;
      case "opportunity":
        if (outcome === null) {
          setProblem(t("close.outcomeMissing"));
          return;
        }
        close.mutate({ kind: "opportunity", body: closeOpportunityBody(outcome, resolution, label) }, { onSuccess: onClosed });
        return;
    }
  };
  return (
    <section className="pp-panel" aria-labelledby="close-heading">
      <h2 id="close-heading">{t(`close.heading.${work.kind}`)}</h2>
      <form className="pp-stack" onSubmit={submit} noValidate>
        {work.kind === "opportunity" ? (
          <RadioGroup
            className="pp-choice"
            value={outcome}
            onChange={(value) => setOutcome(value === "won" || value === "lost" ? value : null)}
            isRequired
          >
            <Label className="pp-choice-label">{t("close.outcomeLabel")}</Label>
            <div className="pp-choice-options">
              <Radio value="won" className="filter-option">
                {t("close.outcome.won")}
              </Radio>
              <Radio value="lost" className="filter-option">
                {t("close.outcome.lost")}
              </Radio>
            </div>
          </RadioGroup>
        ) : null}
        <TextBox
          label={t("close.resolution")}
          value={resolution}
          onChange={setResolution}
          maxLength={MAX_NOTE}
          description={t("close.resolutionHint")}
        />
        <ReallyField
          kind={work.kind}
          value={really}
          onChange={(next) => {
            setReally(next);
            if (!next.not || next.label !== null) setReallyMissing(false);
          }}
          missing={reallyMissing}
        />
        {work.kind === "case" ? (
          <>
            <Checkbox className="pp-checkbox" isSelected={tell} onChange={setTell}>
              <span className="pp-checkbox-box" aria-hidden="true" />
              {t("close.tell")}
            </Checkbox>
            {tell ? (
              <fieldset className="pp-fieldset">
                <legend>{t("close.message")}</legend>
                <AnswerFields draft={draft} onChange={setDraft} />
              </fieldset>
            ) : null}
          </>
        ) : null}
        {problem !== null ? (
          <p role="alert" className="error">
            {problem}
          </p>
        ) : null}
        <div className="pp-buttons">
          <Button type="submit" className="button primary" isDisabled={close.isPending}>
            {t(`close.submit.${work.kind}`)}
          </Button>
        </div>
        <p role="status" className="status-line">
          {close.isPending ? t("common.saving") : null}
        </p>
        {close.isError ? <Failure error={close.error} prefix={t("close.failed")} /> : null}
      </form>
    </section>
  );
}
