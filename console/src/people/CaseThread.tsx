// A case's thread (GET /admin/cases/{id}/answers): every answer, oldest first, with its
// state, and what the person wrote back; and a reply (POST /admin/cases/{id}/answers).

import { useState, type FormEvent } from "react";
import { Button } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { DateTime, Field } from "../inbox/parts";
import { AnswerFields, emptyAnswer, type AnswerDraft } from "./AnswerFields";
import { writtenAnswer } from "./forms";
import { ExternalLink, Failure, QueryStates } from "./parts";
import { useAnswerCase, useCaseThread, type Answer, type Thread } from "./queries";

export function CaseThread({ caseId }: { caseId: string }) {
  const { t } = useTranslation("people");
  const query = useCaseThread(caseId);
  return (
    <section className="pp-panel" aria-labelledby="thread-heading">
      <h2 id="thread-heading">{t("thread.heading")}</h2>
      <QueryStates query={query}>{(thread) => <Answers thread={thread} />}</QueryStates>
      <Reply caseId={caseId} />
    </section>
  );
}

function Answers({ thread }: { thread: Thread }) {
  const { t } = useTranslation("people");
  if (thread.answers.length === 0) return <p className="list-state empty">{t("thread.none")}</p>;
  return (
    <ol className="pp-thread">
      {thread.answers.map((answer) => (
        <AnswerItem key={answer.id} answer={answer} replies={thread.follow_ups.filter((f) => f.in_reply_to === answer.id)} />
      ))}
    </ol>
  );
}

function AnswerItem({ answer, replies }: { answer: Answer; replies: Thread["follow_ups"] }) {
  const { t } = useTranslation("people");
  const tags = [...(answer.tags.visible ?? []), ...(answer.tags.hidden ?? []).map((tag) => t("thread.hiddenTag", { tag }))];
  return (
    <li className="pp-answer">
      <p className="pp-answer-head">
        <span className={`pp-state pp-state-${answer.state}`}>{t(`answerState.${answer.state}`)}</span>{" "}
        {t(`channel.${answer.channel}`)}
      </p>
      <p className="pp-answer-text">{answer.text}</p>
      <dl className="item-fields">
        <Field label={t("thread.author")}>{answer.author}</Field>
        <Field label={t("thread.written")}>
          <DateTime value={answer.created_at} />
        </Field>
        {tags.length > 0 ? <Field label={t("fields.tags")}>{tags.join(", ")}</Field> : null}
        {answer.published !== undefined ? (
          <Field label={t("thread.published")}>
            <DateTime value={answer.published.at} />
          </Field>
        ) : null}
        {answer.reason !== undefined && answer.reason !== "" ? <Field label={t("thread.reason")}>{answer.reason}</Field> : null}
      </dl>
      {answer.published?.permalink !== undefined ? (
        <p>
          <ExternalLink href={answer.published.permalink}>{t("thread.seePublished")}</ExternalLink>
        </p>
      ) : null}
      {replies.length > 0 ? (
        <ul className="pp-follow-ups" aria-label={t("thread.repliesLabel")}>
          {replies.map((reply) => (
            <li key={reply.id} className="pp-follow-up">
              <p className="pp-follow-up-text">{reply.text}</p>
              <p className="pp-note-meta">
                {t("thread.replied")} <DateTime value={reply.created_at} />{" "}
                <ExternalLink href={reply.permalink}>{t("thread.seeReply")}</ExternalLink>
              </p>
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function Reply({ caseId }: { caseId: string }) {
  const { t } = useTranslation("people");
  const send = useAnswerCase(caseId);
  const [draft, setDraft] = useState<AnswerDraft>(emptyAnswer);
  const [problem, setProblem] = useState<string | null>(null);
  const [queued, setQueued] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (send.isPending) return;
    setQueued(false);
    const checked = writtenAnswer(draft);
    if (!checked.ok) {
      setProblem(t(`reply.problem.${checked.problem}`, { tag: checked.tag ?? "" }));
      return;
    }
    setProblem(null);
    send.mutate(checked.answer, {
      onSuccess: () => {
        setDraft({ ...emptyAnswer, channel: draft.channel });
        setQueued(true);
      },
    });
  };
  return (
    <form className="pp-stack pp-reply" onSubmit={submit} noValidate aria-labelledby="reply-heading">
      <h3 id="reply-heading">{t("reply.heading")}</h3>
      <AnswerFields draft={draft} onChange={setDraft} />
      {problem !== null ? (
        <p role="alert" className="error">
          {problem}
        </p>
      ) : null}
      <div className="pp-buttons">
        <Button type="submit" className="button primary" isDisabled={send.isPending}>
          {t("reply.submit")}
        </Button>
      </div>
      <p role="status" className="status-line">
        {send.isPending ? t("reply.sending") : queued ? t("reply.done") : null}
      </p>
      {send.isError ? <Failure error={send.error} prefix={t("reply.failed")} /> : null}
    </form>
  );
}
