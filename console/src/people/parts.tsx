// What the people area's screens share: a single query's loading and error states in words,
// a scrollable table region, an external link, a form's text area.

import type { ReactNode } from "react";
import { useId } from "react";
import { Button, FieldError, Label, Text, TextArea, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { errorMessage } from "../lib/errors";
import { safeUrl } from "./forms";

interface QueryLike<T> {
  isPending: boolean;
  isError: boolean;
  isRefetchError?: boolean;
  error: unknown;
  data: T | undefined;
  refetch: () => unknown;
}

/** Loading, failed (the API's words, and a retry) or the data. */
export function QueryStates<T>({ query, children }: { query: QueryLike<T>; children: (data: T) => ReactNode }) {
  const { t } = useTranslation("people");
  const { t: tShell } = useTranslation();
  if (query.data === undefined) {
    if (query.isError) {
      return (
        <div role="alert" className="list-state error">
          <p>{t("common.loadError", { message: errorMessage(tShell, query.error) })}</p>
          <Button className="button" onPress={() => void query.refetch()}>
            {tShell("errors.retry")}
          </Button>
        </div>
      );
    }
    return (
      <p role="status" className="list-state">
        {t("common.loading")}
      </p>
    );
  }
  return (
    <>
      {query.isRefetchError === true ? (
        <p role="alert" className="list-state warning">
          {t("common.refreshError", { message: errorMessage(tShell, query.error) })}
        </p>
      ) : null}
      {children(query.data)}
    </>
  );
}

/** A mutation's failure, in the API's words. */
export function Failure({ error, prefix }: { error: unknown; prefix: string }) {
  const { t } = useTranslation();
  return (
    <p role="alert" className="error">
      {prefix} {errorMessage(t, error)}
    </p>
  );
}

/** A table with its caption, in a region that scrolls sideways on a phone (and by keyboard). */
export function DataTable({ caption, children, className }: { caption: string; children: ReactNode; className?: string }) {
  const id = useId();
  return (
    <div className="pp-table-scroll" role="region" aria-labelledby={id} tabIndex={0}>
      <table className={`pp-data-table${className === undefined ? "" : ` ${className}`}`}>
        <caption id={id}>{caption}</caption>
        {children}
      </table>
    </div>
  );
}

/** A link out of the console (a platform's page): http(s) only, in a new tab, said so. */
export function ExternalLink({ href, children }: { href: string | null | undefined; children: ReactNode }) {
  const { t } = useTranslation("people");
  const url = safeUrl(href);
  if (url === null) return null;
  return (
    <a href={url} target="_blank" rel="noopener noreferrer external">
      {children}
      <span className="visually-hidden"> {t("common.newTab")}</span>
      <span aria-hidden="true"> ↗</span>
    </a>
  );
}

/** A labelled multi-line field (React Aria's TextField with a TextArea). */
export function TextBox({
  label,
  value,
  onChange,
  maxLength,
  description,
  rows = 3,
  isDisabled,
  error,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  maxLength?: number;
  description?: string;
  rows?: number;
  isDisabled?: boolean;
  error?: string | null;
}) {
  return (
    <TextField
      className="pp-form-field"
      value={value}
      onChange={onChange}
      maxLength={maxLength}
      isDisabled={isDisabled}
      isInvalid={error !== undefined && error !== null}
    >
      <Label>{label}</Label>
      <TextArea rows={rows} />
      {description !== undefined ? <Text slot="description" className="pp-field-hint">{description}</Text> : null}
      {error !== undefined && error !== null ? <FieldError className="error">{error}</FieldError> : null}
    </TextField>
  );
}
