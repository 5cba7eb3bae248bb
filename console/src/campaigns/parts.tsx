// What the campaigns' screens share: loading and error states in words, the status badge,
// the sub-navigation of a campaign, and the form's labelled inputs, each showing the API's
// error when the 400 names it.

import type { UseQueryResult } from "@tanstack/react-query";
import { createContext, useContext, useId, type ReactNode } from "react";
import { Button, FieldError, Input, Label, Text, TextArea, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { NavLink } from "react-router";
import { currentLanguage } from "../i18n";
import { errorMessage } from "../lib/errors";
import { formatDateTime } from "../lib/time";
import { inputId, lineText, withoutLine } from "./fields";
import { UNITS, type CampaignStatus, type Duration } from "./form";

/** The API's words for a failed call (the shell's own when it has none). */
export function useErrorText(): (error: unknown) => string {
  const { t } = useTranslation();
  return (error: unknown) => errorMessage(t, error);
}

/** Loading, error (with a retry) or the data, for one query. */
export function QueryState<T>({
  query,
  loading,
  children,
}: {
  query: UseQueryResult<T>;
  loading: string;
  children: (data: T) => ReactNode;
}) {
  const { t } = useTranslation("campaigns");
  const { t: shell } = useTranslation();
  const errorText = useErrorText();
  if (query.isPending) {
    return (
      <p role="status" className="list-state">
        {loading}
      </p>
    );
  }
  if (query.isError && query.data === undefined) {
    return (
      <div role="alert" className="list-state error">
        <p>{t("states.loadError", { message: errorText(query.error) })}</p>
        <Button className="button" onPress={() => void query.refetch()}>
          {shell("errors.retry")}
        </Button>
      </div>
    );
  }
  if (query.data === undefined) return null;
  return (
    <>
      {query.isRefetchError ? (
        <p role="alert" className="list-state warning">
          {t("states.refreshError", { message: errorText(query.error) })}
        </p>
      ) : null}
      {children(query.data)}
    </>
  );
}

export function StatusBadge({ status }: { status: CampaignStatus }) {
  const { t } = useTranslation("campaigns");
  return <span className={`cmp-status cmp-status-${status}`}>{t(`status.${status}`)}</span>;
}

export function DateTime({ value }: { value: string }) {
  const { i18n } = useTranslation();
  return <time dateTime={value}>{formatDateTime(currentLanguage(i18n), value)}</time>;
}

/** "Settings" and "Results" of one campaign. */
export function CampaignTabs({ id }: { id: string }) {
  const { t } = useTranslation("campaigns");
  return (
    <nav className="cmp-tabs" aria-label={t("tabs.label")}>
      <NavLink to={`/campaigns/${id}`} end>
        {t("tabs.settings")}
      </NavLink>
      <NavLink to={`/campaigns/${id}/results`}>{t("tabs.results")}</NavLink>
    </nav>
  );
}

/** The error the last save got, on the input it names. */
export interface FormError {
  /** The input's path (`steps[1].html`), null when the API named none of the form's. */
  path: string | null;
  message: string;
  line: number | null;
}

export const FormErrorContext = createContext<FormError | null>(null);

function useErrorAt(path: string): FormError | null {
  const error = useContext(FormErrorContext);
  return error !== null && error.path === path ? error : null;
}

interface InputProps {
  path: string;
  label: string;
  description?: ReactNode;
  value: string;
  onChange: (value: string) => void;
  isRequired?: boolean;
  className?: string;
}

export function TextInput({
  path,
  label,
  description,
  value,
  onChange,
  isRequired,
  className,
  type = "text",
  inputMode,
  placeholder,
  list,
  min,
  max,
  step,
  maxLength,
  autoComplete = "off",
  spellCheck,
}: InputProps & {
  type?: "text" | "number" | "datetime-local" | "time";
  inputMode?: "text" | "decimal" | "numeric";
  placeholder?: string;
  list?: string;
  min?: number | string;
  max?: number | string;
  step?: number | string;
  maxLength?: number;
  autoComplete?: string;
  spellCheck?: boolean;
}) {
  const error = useErrorAt(path);
  return (
    <TextField
      id={inputId(path)}
      className={`cmp-field ${className ?? ""}`}
      value={value}
      onChange={onChange}
      isInvalid={error !== null}
      isRequired={isRequired ?? false}
      validationBehavior="aria"
      {...(maxLength !== undefined ? { maxLength } : {})}
    >
      <Label className="cmp-label">{label}</Label>
      <Input
        className="cmp-input"
        type={type}
        inputMode={inputMode}
        placeholder={placeholder}
        list={list}
        min={min}
        max={max}
        step={step}
        autoComplete={autoComplete}
        spellCheck={spellCheck}
      />
      {description !== undefined ? (
        <Text slot="description" className="cmp-help">
          {description}
        </Text>
      ) : null}
      <FieldError className="cmp-field-error">{error?.message}</FieldError>
    </TextField>
  );
}

/** A MiniJinja template: monospace, and the template line the API names, with its text. */
export function TemplateInput({ path, label, description, value, onChange, rows = 6 }: InputProps & { rows?: number }) {
  const { t } = useTranslation("campaigns");
  const error = useErrorAt(path);
  const line = error?.line ?? null;
  const text = line !== null ? lineText(value, line) : null;
  return (
    <TextField
      id={inputId(path)}
      className="cmp-field cmp-template"
      value={value}
      onChange={onChange}
      isInvalid={error !== null}
      isRequired
      validationBehavior="aria"
    >
      <Label className="cmp-label">{label}</Label>
      <TextArea className="cmp-input cmp-code" rows={rows} spellCheck={false} />
      {description !== undefined ? (
        <Text slot="description" className="cmp-help">
          {description}
        </Text>
      ) : null}
      <FieldError className="cmp-field-error">
        {error === null ? null : line !== null ? (
          <>
            {t("form.errorAtLine", { line, message: withoutLine(error.message) })}
            {text !== null && text.trim() !== "" ? (
              <>
                {" "}
                {t("form.lineReads")} <code className="cmp-line">{text.trim()}</code>
              </>
            ) : null}
          </>
        ) : (
          error.message
        )}
      </FieldError>
    </TextField>
  );
}

/** A number and its unit (minutes, hours, days). */
export function DurationInput({
  path,
  label,
  description,
  value,
  onChange,
}: {
  path: string;
  label: string;
  description?: ReactNode;
  value: Duration;
  onChange: (value: Duration) => void;
}) {
  const { t } = useTranslation("campaigns");
  const error = useErrorAt(path);
  const unitId = useId();
  return (
    <TextField
      id={inputId(path)}
      className="cmp-field"
      value={value.value}
      onChange={(next) => onChange({ ...value, value: next })}
      isInvalid={error !== null}
      isRequired
      validationBehavior="aria"
    >
      <Label className="cmp-label">{label}</Label>
      <div className="cmp-duration">
        <Input className="cmp-input" type="number" min={0} step="any" inputMode="decimal" />
        <select
          id={unitId}
          className="cmp-select"
          aria-label={t("form.unitOf", { label })}
          value={value.unit}
          onChange={(event) => {
            const unit = UNITS.find((u) => u === event.target.value);
            if (unit !== undefined) onChange({ ...value, unit });
          }}
        >
          {UNITS.map((unit) => (
            <option key={unit} value={unit}>
              {t(`units.${unit}`)}
            </option>
          ))}
        </select>
      </div>
      {description !== undefined ? (
        <Text slot="description" className="cmp-help">
          {description}
        </Text>
      ) : null}
      <FieldError className="cmp-field-error">{error?.message}</FieldError>
    </TextField>
  );
}

/** A native check box with its label (and help under it). */
export function CheckBox({
  id,
  label,
  description,
  checked,
  onChange,
}: {
  id: string;
  label: string;
  description?: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const helpId = `${id}-help`;
  return (
    <div className="cmp-check">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
        aria-describedby={description !== undefined ? helpId : undefined}
      />
      <label htmlFor={id}>{label}</label>
      {description !== undefined ? (
        <p id={helpId} className="cmp-help">
          {description}
        </p>
      ) : null}
    </div>
  );
}
