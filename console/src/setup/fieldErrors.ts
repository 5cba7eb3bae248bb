// Where a refused form's error goes: on the field the API names (`{"error": {"field"}}`),
// else above the form.

import { ApiError } from "../api/client";

/** An error to show: on `field` (one of the form's), or above the form when `field` is null. */
export interface FormError {
  field: string | null;
  message: string;
}

/**
 * The form field that an API error's `field` names: the field itself, else its nearest
 * parent that the form has (`when.keywords[2]` → `when.keywords`, `credentials.api_key.x` →
 * `credentials.api_key`), else an alias (a name the form shows elsewhere), else null.
 */
export function fieldFor(
  apiField: string | undefined,
  fields: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): string | null {
  if (apiField === undefined || apiField.trim() === "") return null;
  let name = apiField.trim().replace(/\[\d+\]/g, "");
  for (;;) {
    if (fields.includes(name)) return name;
    const alias = aliases[name];
    if (alias !== undefined && fields.includes(alias)) return alias;
    const dot = name.lastIndexOf(".");
    if (dot < 0) return null;
    name = name.slice(0, dot);
  }
}

/** A failed save as a form error: the API's words, on the field it names when the form has it. */
export function formErrorFrom(
  error: unknown,
  fields: readonly string[],
  wording: (error: unknown) => string,
  aliases: Readonly<Record<string, string>> = {},
): FormError {
  const field = error instanceof ApiError ? fieldFor(error.field, fields, aliases) : null;
  return { field, message: wording(error) };
}

/** The DOM id of a form's field (for focus and labels). */
export function fieldId(form: string, field: string): string {
  return `${form}-${field.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

/** Puts the keyboard on the field in error, or on the form's error message. */
export function focusError(form: string, error: FormError): void {
  const id = error.field === null ? `${form}-error` : fieldId(form, error.field);
  const element = document.getElementById(id);
  if (element === null) return;
  // A group (checkboxes) takes focus on its first input.
  const target = element.matches("input, textarea, select") ? element : element.querySelector("input, textarea, select");
  (target instanceof HTMLElement ? target : element).focus();
}
