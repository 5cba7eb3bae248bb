// GET /admin/moderation?decision=hold: contributions that arrived held, with a decision
// for each (PUT /admin/moderation/{id}): Approve, Spam, Keep held, by button or by the
// shortcuts A, S and H on the focused item. Each shows what decided its label and, for the
// groups that may, a Relabel form (Relabel.tsx, loaded lazily: not on the first load; it
// checks the groups itself, so that nothing of it is in the first load).

import { lazy, Suspense, useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { Button, Input, Label, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { errorMessage } from "../lib/errors";
import { platformName } from "../lib/platforms";
import { firstLine, shorten } from "../lib/text";
import { filtersFor, hasFilters } from "./filters";
import type { PanelProps } from "./InboxPage";
import { ListStates } from "./ListStates";
import { ClearFilters, DateTime, Field } from "./parts";
import { useDecide, useHeldContributions, type Contribution, type Decision } from "./queries";

type Choice = Decision["decision"];

const LabelOrigin = lazy(() => import("./Relabel").then((m) => ({ default: m.LabelOrigin })));
const Relabel = lazy(() => import("./Relabel").then((m) => ({ default: m.Relabel })));

/** The shortcut of each decision (a key on the focused item). */
export const SHORTCUTS: Record<string, Choice> = { a: "approve", s: "spam", h: "hold" };
const CHOICES: readonly Choice[] = ["approve", "spam", "hold"];
const KEY_OF: Record<Choice, string> = { approve: "A", spam: "S", hold: "H" };

/** The decision a key press asks for, unless it is typing or a browser shortcut. */
export function shortcutFor(event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "target">): Choice | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const target = event.target;
  if (target instanceof HTMLElement && target.closest("input, textarea, select, [contenteditable]") !== null) return null;
  return SHORTCUTS[event.key.toLowerCase()] ?? null;
}

function HeldItem({
  item,
  hintId,
  onDecided,
  ids,
  register,
}: {
  item: Contribution;
  hintId: string;
  onDecided: (item: Contribution, decision: Choice, ids: string[]) => void;
  ids: string[];
  register: (id: string, element: HTMLElement | null) => void;
}) {
  const { t } = useTranslation();
  const decide = useDecide();
  const [reason, setReason] = useState("");
  const author =
    item.contribution.author.name ?? item.contribution.author.handle ?? t("inbox.unknownAuthor");
  const platform = platformName(item.platform);

  const run = (decision: Choice) => {
    if (decide.isPending) return;
    decide.mutateAsync({ id: item.id, decision, reason }).then(
      () => {
        setReason("");
        onDecided(item, decision, ids);
      },
      () => undefined, // shown below, from decide.error
    );
  };

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    const decision = shortcutFor(event);
    if (decision === null) return;
    event.preventDefault();
    run(decision);
  };

  return (
    <li className="item held">
      <article
        ref={(element) => register(item.id, element)}
        tabIndex={0}
        className="held-item"
        aria-label={t("moderation.itemLabel", { author, platform })}
        aria-describedby={hintId}
        aria-keyshortcuts="A S H"
        aria-busy={decide.isPending}
        onKeyDown={onKeyDown}
      >
        <p className="item-text clamp">{item.contribution.text}</p>
        <dl className="item-fields">
          <Field label={t("inbox.fields.author")}>{author}</Field>
          <Field label={t("inbox.fields.platform")}>{platform}</Field>
          <Field label={t("inbox.fields.label")}>{t(`label.${item.classification.label}`)}</Field>
          <Suspense fallback={null}>
            <LabelOrigin source={item.classification.source ?? "builtin"} correction={item.correction} />
          </Suspense>
          <Field label={t("inbox.fields.received")}>
            <DateTime value={item.received_at} />
          </Field>
        </dl>
        <div className="decision">
          <TextField className="reason" value={reason} onChange={setReason} maxLength={1000}>
            <Label>{t("moderation.reason")}</Label>
            <Input />
          </TextField>
          <div className="decision-buttons" role="group" aria-label={t("moderation.actionsLabel")}>
            {CHOICES.map((choice) => (
              <Button
                key={choice}
                className={`button decide-${choice}`}
                isDisabled={decide.isPending}
                aria-keyshortcuts={KEY_OF[choice]}
                onPress={() => run(choice)}
              >
                {t(`moderation.${choice}`)}{" "}
                <kbd aria-hidden="true">{KEY_OF[choice]}</kbd>
              </Button>
            ))}
          </div>
          {decide.isPending ? (
            <p role="status" className="status-line">
              {t("moderation.saving")}
            </p>
          ) : null}
          {decide.isError ? (
            <p role="alert" className="error">
              {t("moderation.failed", { message: errorMessage(t, decide.error) })}
            </p>
          ) : null}
        </div>
        <Suspense fallback={null}>
          <Relabel contributionId={item.id} current={item.correction?.label ?? item.classification.label} />
        </Suspense>
      </article>
    </li>
  );
}

/** With the inbox's filters but the assignee (held contributions have none). */
export function ModerationPanel({ filters, onClearFilters }: PanelProps) {
  const { t } = useTranslation();
  const query = useHeldContributions(filters);
  const filtered = hasFilters(filtersFor("moderation", filters));
  const hintId = useId();
  const [announcement, setAnnouncement] = useState<{ decision: Choice; text: string } | null>(null);
  const rows = useRef(new Map<string, HTMLElement>());
  const container = useRef<HTMLDivElement>(null);

  const register = useCallback((id: string, element: HTMLElement | null) => {
    if (element === null) rows.current.delete(id);
    else rows.current.set(id, element);
  }, []);

  // After an approval or spam, the item leaves the list: focus goes to its neighbour rather
  // than to the page, once the refreshed list is shown.
  const pendingFocus = useRef<{ id: string; candidates: string[] } | null>(null);
  const moveFocus = useCallback((candidates: string[]) => {
    const next = candidates.map((id) => rows.current.get(id)).find((element) => element?.isConnected === true);
    (next ?? container.current)?.focus();
  }, []);
  useEffect(() => {
    const pending = pendingFocus.current;
    if (pending === null || rows.current.has(pending.id)) return;
    pendingFocus.current = null;
    moveFocus(pending.candidates);
  }, [query.data, moveFocus]);

  const onDecided = useCallback(
    (item: Contribution, decision: Choice, ids: string[]) => {
      setAnnouncement({ decision, text: shorten(firstLine(item.contribution.text), 60) });
      pendingFocus.current = null;
      if (decision === "hold") return;
      const row = rows.current.get(item.id);
      const active = document.activeElement;
      const focusWasHere =
        active === null || active === document.body || !active.isConnected || (row?.contains(active) ?? false);
      if (!focusWasHere) return;
      const index = ids.indexOf(item.id);
      const candidates = [...ids.slice(index + 1), ...ids.slice(0, Math.max(index, 0)).reverse()];
      if (row === undefined || !row.isConnected) moveFocus(candidates);
      else pendingFocus.current = { id: item.id, candidates };
    },
    [moveFocus],
  );

  return (
    <div ref={container} tabIndex={-1} className="moderation">
      <p id={hintId} className="hint">
        {t("moderation.shortcuts")}
      </p>
      <p role="status" className="announcement">
        {announcement !== null ? t(`moderation.done.${announcement.decision}`, { text: announcement.text }) : null}
      </p>
      <ListStates
        query={query}
        empty={filtered ? t("inbox.emptyFiltered.moderation") : t("inbox.empty.moderation")}
        emptySoFar={t("inbox.emptySoFar")}
        emptyAction={filtered ? <ClearFilters onPress={onClearFilters} /> : undefined}
      >
        {(contributions) => {
          const ids = contributions.map((c) => c.id);
          return (
            <ul className="items">
              {contributions.map((item) => (
                <HeldItem
                  key={item.id}
                  item={item}
                  hintId={hintId}
                  onDecided={onDecided}
                  ids={ids}
                  register={register}
                />
              ))}
            </ul>
          );
        }}
      </ListStates>
    </div>
  );
}
