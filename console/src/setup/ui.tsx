// What the setup screens share: states of a loaded view, form fields with their errors, a
// value to copy, a secret shown once, a two-step delete.

import type { UseQueryResult } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import {
  Button,
  Checkbox,
  CheckboxGroup,
  FieldError,
  Input,
  Label,
  Text,
  TextArea,
  TextField,
} from "react-aria-components";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useScreenTitle } from "../lib/title";
import { currentLanguage } from "../i18n";
import { errorMessage } from "../lib/errors";
import { useNow } from "../lib/clock";
import { formatDateTime, formatDuration, parseTime } from "../lib/time";
import { copyText, type CopyOutcome } from "./clipboard";
import { fieldId, type FormError } from "./fieldErrors";
import "./setup.css";

/** The API's words for a failed call (errorMessage in the shell's namespace). */
/**
 * A setup list's head: its title (the page's too), the button to add one, and the intro
 * (`{area}.title`, `{area}.add`, `{area}.intro`).
 */
export function ListPageHeader({ area, addTo }: { area: "sources" | "rules" | "endpoints"; addTo: string }) {
  const { t } = useTranslation("setup");
  useScreenTitle(t(`${area}.title`));
  return (
    <>
      <div className="page-header">
        <h1>{t(`${area}.title`)}</h1>
        <Link className="button-link" to={addTo}>
          {t(`${area}.add`)}
        </Link>
      </div>
      <p className="hint">{t(`${area}.intro`)}</p>
    </>
  );
}

export function useErrorText(): (error: unknown) => string {
  const { t } = useTranslation();
  return (error) => errorMessage(t, error);
}

/** A date and time in the language, as a <time>. */
export function When({ value }: { value: string | null | undefined }) {
  const { i18n } = useTranslation();
  if (value === null || value === undefined || value === "") return null;
  return <time dateTime={value}>{formatDateTime(currentLanguage(i18n), value)}</time>;
}

/**
 * How long ago, then the date and time ("5 min ago · 7 Dec 2026, 10:00"), as a <time>. The
 * relative part follows the screen's clock (ClockProvider) when there is one.
 */
export function WhenAgo({ value }: { value: string }) {
  const { t } = useTranslation("setup");
  const { t: shell, i18n } = useTranslation();
  const now = useNow();
  const at = parseTime(value);
  if (Number.isNaN(at)) return <span>{value}</span>;
  const elapsed = now - at;
  // Under a minute, or a little ahead (the platform's clock, or the stack's moved clock).
  const ago = elapsed < 60_000 ? t("common.justNow") : t("common.ago", { duration: formatDuration(shell, elapsed) });
  return (
    <time dateTime={value} className="when-ago">
      {ago} <span className="when-absolute">· {formatDateTime(currentLanguage(i18n), at)}</span>
    </time>
  );
}

/** A date and time in the language, as text (for sentences). */
export function useDate(): (value: string) => string {
  const { i18n } = useTranslation();
  return (value) => formatDateTime(currentLanguage(i18n), value);
}

/** Loading, error (with a retry) or the data of a single query. */
export function QueryStates<T>({
  query,
  children,
  notFound,
}: {
  query: UseQueryResult<T>;
  children: (data: T) => ReactNode;
  /** What to say for a 404 instead of the API's words. */
  notFound?: string;
}) {
  const { t } = useTranslation("setup");
  const { t: shell } = useTranslation();
  const wording = useErrorText();
  if (query.isPending) {
    return (
      <p role="status" className="list-state">
        {t("common.loading")}
      </p>
    );
  }
  if (query.isError && query.data === undefined) {
    const status = (query.error as { status?: unknown }).status;
    return (
      <div role="alert" className="list-state error">
        <p>{status === 404 && notFound !== undefined ? notFound : t("common.loadError", { message: wording(query.error) })}</p>
        {status === 404 ? null : (
          <Button className="button" onPress={() => void query.refetch()}>
            {shell("errors.retry")}
          </Button>
        )}
      </div>
    );
  }
  return <>{query.data === undefined ? null : children(query.data)}</>;
}

interface FieldProps {
  form: string;
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error: FormError | null;
  help?: string | undefined;
  isRequired?: boolean;
  multiline?: boolean;
  type?: "text" | "url" | "email" | "tel";
  inputMode?: "text" | "numeric" | "decimal" | "url" | "email";
  autoComplete?: string;
  /** A secret or a token: no spelling check, no autofill. */
  secret?: boolean;
  maxLength?: number;
  rows?: number;
  className?: string;
}

/** A labelled text field; the API's error on it when it names this field. */
export function TextInput({
  form,
  name,
  label,
  value,
  onChange,
  error,
  help,
  isRequired = false,
  multiline = false,
  type = "text",
  inputMode,
  autoComplete,
  secret = false,
  maxLength,
  rows = 4,
  className,
}: FieldProps) {
  const { t } = useTranslation("setup");
  const invalid = error !== null && error.field === name;
  const id = fieldId(form, name);
  return (
    <TextField
      className={`form-field${className === undefined ? "" : ` ${className}`}`}
      value={value}
      onChange={onChange}
      isInvalid={invalid}
      isRequired={isRequired}
      validationBehavior="aria"
      type={type}
      {...(inputMode === undefined ? {} : { inputMode })}
      {...(maxLength === undefined ? {} : { maxLength })}
      autoComplete={autoComplete ?? (secret ? "off" : undefined)}
    >
      <Label>
        {label}
        {isRequired ? null : <span className="optional"> ({t("common.optional")})</span>}
      </Label>
      {multiline ? (
        <TextArea id={id} rows={rows} spellCheck={secret ? false : undefined} />
      ) : (
        <Input id={id} spellCheck={secret ? false : undefined} />
      )}
      {help !== undefined && help !== "" ? (
        <Text slot="description" className="field-help">
          {help}
        </Text>
      ) : null}
      <FieldError className="field-error">{invalid ? error.message : null}</FieldError>
    </TextField>
  );
}

/** A native select (no popover: see README's note on overlays), labelled, with its error. */
export function SelectInput<K extends string>({
  form,
  name,
  label,
  value,
  options,
  onChange,
  error,
  help,
  emptyLabel,
}: {
  form: string;
  name: string;
  label: string;
  value: K | "";
  options: readonly { id: K; label: string }[];
  onChange: (value: K | "") => void;
  error: FormError | null;
  help?: string;
  /** The choice of none, when allowed. */
  emptyLabel?: string;
}) {
  const id = fieldId(form, name);
  const invalid = error !== null && error.field === name;
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const described = [help !== undefined ? helpId : null, invalid ? errorId : null].filter((x) => x !== null).join(" ");
  return (
    <div className="form-field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        aria-invalid={invalid || undefined}
        aria-describedby={described === "" ? undefined : described}
        onChange={(event) => {
          const next = options.find((o) => o.id === event.target.value);
          onChange(next === undefined ? "" : next.id);
        }}
      >
        {emptyLabel !== undefined ? <option value="">{emptyLabel}</option> : null}
        {options.map((option) => (
          <option key={option.id} value={option.id}>
            {option.label}
          </option>
        ))}
      </select>
      {help !== undefined ? (
        <p id={helpId} className="field-help">
          {help}
        </p>
      ) : null}
      {invalid ? (
        <p id={errorId} className="field-error">
          {error.message}
        </p>
      ) : null}
    </div>
  );
}

/** Checkboxes for a set of values (React Aria's CheckboxGroup), with the error on the group. */
export function CheckList<K extends string>({
  form,
  name,
  label,
  value,
  options,
  onChange,
  error,
  help,
  isRequired = false,
}: {
  form: string;
  name: string;
  label: string;
  value: readonly K[];
  options: readonly { id: K; label: string; detail?: string }[];
  onChange: (value: K[]) => void;
  error: FormError | null;
  help?: string;
  isRequired?: boolean;
}) {
  const invalid = error !== null && error.field === name;
  return (
    <CheckboxGroup
      id={fieldId(form, name)}
      className="form-field check-list"
      value={[...value]}
      onChange={(next) => onChange(options.filter((o) => next.includes(o.id)).map((o) => o.id))}
      isInvalid={invalid}
      isRequired={isRequired}
      validationBehavior="aria"
    >
      <Label>{label}</Label>
      {help !== undefined ? (
        <Text slot="description" className="field-help">
          {help}
        </Text>
      ) : null}
      <div className="checks">
        {options.map((option) => (
          <Check key={option.id} value={option.id}>
            {option.label}
            {option.detail !== undefined ? <span className="check-detail"> {option.detail}</span> : null}
          </Check>
        ))}
      </div>
      <FieldError className="field-error">{invalid ? error.message : null}</FieldError>
    </CheckboxGroup>
  );
}

/** One checkbox, drawn by CSS from React Aria's [data-selected]. */
export function Check({
  children,
  value,
  isSelected,
  onChange,
}: {
  children: ReactNode;
  value?: string;
  isSelected?: boolean;
  onChange?: (selected: boolean) => void;
}) {
  return (
    <Checkbox
      className="check"
      {...(value === undefined ? {} : { value })}
      {...(isSelected === undefined ? {} : { isSelected })}
      {...(onChange === undefined ? {} : { onChange })}
    >
      <span className="check-box" aria-hidden="true" />
      <span>{children}</span>
    </Checkbox>
  );
}

/** The error of a form that no field takes, above its buttons. */
export function FormAlert({ form, error }: { form: string; error: FormError | null }) {
  const { t } = useTranslation("setup");
  if (error === null) return null;
  return (
    <p id={`${form}-error`} role="alert" className="form-alert" tabIndex={-1}>
      {error.field === null ? error.message : t("common.fixField")}
    </p>
  );
}

/**
 * A value to copy: a read-only field (selected when focused) and a Copy button (the Clipboard
 * API; when it is missing or refuses, the field's text is selected for Ctrl+C).
 */
export function CopyField({ label, value, help }: { label: string; value: string; help?: string }) {
  const { t } = useTranslation("setup");
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [outcome, setOutcome] = useState<CopyOutcome | null>(null);
  return (
    <div className="copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input
          id={id}
          ref={input}
          className="copy-input"
          readOnly
          value={value}
          spellCheck={false}
          aria-describedby={help !== undefined ? `${id}-help` : undefined}
          onFocus={(event) => event.currentTarget.select()}
        />
        <Button
          className="button"
          aria-label={t("common.copyLabel", { what: label })}
          onPress={() => {
            void copyText(value, input.current).then(setOutcome);
          }}
        >
          {t("common.copy")}
        </Button>
      </div>
      {help !== undefined ? (
        <p id={`${id}-help`} className="field-help">
          {help}
        </p>
      ) : null}
      <p role="status" className="status-line copy-status">
        {outcome === "copied" ? t("common.copied") : outcome === "selected" ? t("common.copySelected") : null}
      </p>
    </div>
  );
}

/**
 * What the API shows once (a secret, generated credentials): shown here, with the warning,
 * until dismissed; the caller then forgets it (mutation.reset()). The heading takes focus so
 * that a screen reader says it at once.
 */
export function SecretOnce({
  values,
  onDismiss,
  children,
}: {
  values: readonly { label: string; value: string; help?: string }[];
  onDismiss: () => void;
  children?: ReactNode;
}) {
  const { t } = useTranslation("setup");
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  if (values.length === 0) return null;
  return (
    <section className="secret-once" aria-labelledby={headingId}>
      <h2 id={headingId} ref={heading} tabIndex={-1}>
        {t("common.secretOnce.title")}
      </h2>
      <p className="secret-warning">{t("common.secretOnce.warning")}</p>
      {values.map((item) => (
        <CopyField key={item.label} label={item.label} value={item.value} {...(item.help === undefined ? {} : { help: item.help })} />
      ))}
      {children}
      <Button className="button" onPress={onDismiss}>
        {t("common.secretOnce.dismiss")}
      </Button>
    </section>
  );
}

/** A destructive action in two steps: the button, then "Yes" or "Cancel" with the question. */
export function ConfirmButton({
  label,
  question,
  onConfirm,
  isPending,
  pendingLabel,
  confirmLabel,
}: {
  label: string;
  question: string;
  onConfirm: () => void;
  isPending: boolean;
  pendingLabel?: string;
  confirmLabel?: string;
}) {
  const { t } = useTranslation("setup");
  const [asking, setAsking] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) confirm.current?.focus();
    else if (wasAsking.current) opener.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  if (!asking) {
    return (
      <Button ref={opener} className="button danger" isDisabled={isPending} onPress={() => setAsking(true)}>
        {isPending ? (pendingLabel ?? t("common.deleting")) : label}
      </Button>
    );
  }
  return (
    <div className="confirm" role="group" aria-label={question}>
      <p>{question}</p>
      <div className="button-row">
        <Button
          ref={confirm}
          className="button danger"
          onPress={() => {
            setAsking(false);
            onConfirm();
          }}
        >
          {confirmLabel ?? t("common.confirmDelete")}
        </Button>
        <Button className="button" onPress={() => setAsking(false)}>
          {t("common.cancel")}
        </Button>
      </div>
    </div>
  );
}
