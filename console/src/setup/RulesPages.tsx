// /console/rules (admins, customer service): the brand's rules in the order they apply,
// creating, editing and deleting one; a refused rule's error shows on the field the API names.

import { useState, type FormEvent, type ReactNode } from "react";
import { Button, Form } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { platformName } from "../lib/platforms";
import { useScreenTitle } from "../lib/title";
import { fieldId, focusError, formErrorFrom, type FormError } from "./fieldErrors";
import { PLATFORMS } from "./platforms";
import { useDeleteRule, useRule, useRules, useSaveRule, type Rule } from "./queries";
import { checkRule, emptyRuleForm, LABELS, PRIORITIES, ROUTES, RULE_FIELDS, ruleBody, ruleForm, TEAMS, type RuleForm } from "./ruleForm";
import { ClassifierSection } from "./ClassifierSection";
import { Check, CheckList, ConfirmButton, FormAlert, ListPageHeader, QueryStates, SelectInput, TextInput, useDate, useErrorText } from "./ui";

function useRuleWords() {
  const { t, i18n } = useTranslation("setup");
  const list = (items: readonly string[]) => new Intl.ListFormat(i18n.language, { type: "conjunction" }).format(items);
  return {
    when: (rule: Rule): string[] => {
      const out: string[] = [];
      const { keywords, pattern, platforms, min_influence } = rule.when;
      if (keywords !== undefined && keywords.length > 0) out.push(t("rules.keywords", { list: keywords.map((k) => `“${k}”`).join(", ") }));
      if (pattern !== undefined && pattern !== "") out.push(t("rules.pattern", { pattern }));
      if (platforms !== undefined && platforms.length > 0) out.push(t("rules.platforms", { list: list(platforms.map(platformName)) }));
      if (min_influence !== undefined) out.push(t("rules.minInfluence", { value: new Intl.NumberFormat(i18n.language).format(min_influence) }));
      return out;
    },
    then: (rule: Rule): string[] => {
      const out: string[] = [];
      const { label, tag, priority, route, owner } = rule.then;
      if (label !== undefined) out.push(t("rules.actions.label", { value: t(`rules.labels.${label}`) }));
      if (tag !== undefined) out.push(t("rules.actions.tag", { value: tag }));
      if (priority !== undefined) out.push(t("rules.actions.priority", { value: priority }));
      if (route !== undefined) out.push(t("rules.actions.route", { value: t(`rules.routes.${route}`) }));
      if (owner !== undefined) out.push(t("rules.actions.owner", { value: t(`rules.teams.${owner}`) }));
      return out;
    },
  };
}

function RuleItem({ rule, onDeleted }: { rule: Rule; onDeleted: (name: string) => void }) {
  const { t } = useTranslation("setup");
  const words = useRuleWords();
  const date = useDate();
  const wording = useErrorText();
  const remove = useDeleteRule();
  return (
    <li className="item">
      <article aria-labelledby={`rule-${rule.id}`}>
        <p className="item-title">
          <span id={`rule-${rule.id}`}>{rule.name}</span>{" "}
          <span className={`badge ${rule.enabled ? "on" : "off"}`}>{rule.enabled ? t("rules.enabled") : t("rules.disabled")}</span>{" "}
          <span className="check-detail">{t("rules.order", { order: rule.order })}</span>
        </p>
        <dl className="summary-list">
          <dt>{t("rules.when")}</dt>
          <dd>{words.when(rule).join(" · ")}</dd>
          <dt>{t("rules.then")}</dt>
          <dd>{words.then(rule).join(" · ")}</dd>
        </dl>
        <p className="field-help">{t("rules.updated", { date: date(rule.updated_at), who: rule.updated_by })}</p>
        <div className="button-row">
          <Link className="button-link secondary" to={`/rules/${rule.id}`} aria-label={`${t("common.edit")} ${rule.name}`}>
            {t("common.edit")}
          </Link>
          <ConfirmButton
            label={t("rules.delete")}
            question={t("rules.confirm", { name: rule.name })}
            isPending={remove.isPending}
            onConfirm={() => remove.mutate(rule.id, { onSuccess: () => onDeleted(rule.name) })}
          />
        </div>
        {remove.isError ? (
          <p role="alert" className="error">
            {t("common.failed", { message: wording(remove.error) })}
          </p>
        ) : null}
      </article>
    </li>
  );
}

export function RulesPage() {
  const { t } = useTranslation("setup");
  const query = useRules();
  const location = useLocation();
  const saved = (location.state as { saved?: string } | null)?.saved;
  const [deleted, setDeleted] = useState<string | null>(null);
  return (
    <>
      <ListPageHeader area="rules" addTo="/rules/new" />
      <p role="status" className="announcement">
        {deleted !== null ? t("rules.deleted", { name: deleted }) : saved !== undefined ? t("rules.saved", { name: saved }) : null}
      </p>
      <QueryStates query={query}>
        {(rules) =>
          rules.length === 0 ? (
            <p role="status" className="list-state empty">
              {t("rules.empty")}
            </p>
          ) : (
            <ol className="items">
              {rules.map((rule) => (
                <RuleItem key={rule.id} rule={rule} onDeleted={setDeleted} />
              ))}
            </ol>
          )
        }
      </QueryStates>
      <ClassifierSection />
    </>
  );
}

const FORM = "rule";

/** A fieldset whose error the API may name as a whole (`when`, `then`). */
function Group({ name, legend, help, error, children }: { name: "when" | "then"; legend: string; help: string; error: FormError | null; children: ReactNode }) {
  const invalid = error !== null && error.field === name;
  const id = fieldId(FORM, name);
  return (
    <fieldset id={id} aria-invalid={invalid || undefined} aria-describedby={`${id}-help${invalid ? ` ${id}-error` : ""}`}>
      <legend>{legend}</legend>
      <p id={`${id}-help`} className="field-help">
        {help}
      </p>
      {invalid ? (
        <p id={`${id}-error`} className="field-error">
          {error.message}
        </p>
      ) : null}
      {children}
    </fieldset>
  );
}

function RuleEditor({ rule }: { rule: Rule | null }) {
  const { t } = useTranslation("setup");
  const navigate = useNavigate();
  const wording = useErrorText();
  const save = useSaveRule(rule?.id ?? null);
  const [form, setFormState] = useState<RuleForm>(() => (rule === null ? emptyRuleForm() : ruleForm(rule)));
  const [error, setError] = useState<FormError | null>(null);
  const title = rule === null ? t("rules.newTitle") : t("rules.editTitle", { name: rule.name });
  useScreenTitle(title);

  const set = <K extends keyof RuleForm>(key: K) => (value: RuleForm[K]) => {
    setFormState((f) => ({ ...f, [key]: value }));
    setError(null);
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (save.isPending) return;
    const problem = checkRule(form);
    if (problem !== null) {
      const next = { field: problem.field, message: t(`rules.problem.${problem.reason}`) };
      setError(next);
      requestAnimationFrame(() => focusError(FORM, next));
      return;
    }
    save.mutate(ruleBody(form), {
      onSuccess: (saved) => void navigate("/rules", { state: { saved: saved.name } }),
      onError: (failure) => {
        const next = formErrorFrom(failure, RULE_FIELDS, wording);
        setError(next);
        requestAnimationFrame(() => focusError(FORM, next));
      },
    });
  };

  const none = t("common.none");
  return (
    <>
      <p>
        <Link to="/rules">{t("common.back")}</Link>
      </p>
      <h1>{title}</h1>
      <Form className="setup-form" validationBehavior="aria" onSubmit={onSubmit}>
        <div className="form-row">
          <TextInput form={FORM} name="name" label={t("rules.fields.name")} value={form.name} onChange={set("name")} error={error} isRequired maxLength={200} />
          <TextInput
            form={FORM}
            name="order"
            label={t("rules.fields.order")}
            help={t("rules.fields.orderHelp")}
            value={form.order}
            onChange={set("order")}
            error={error}
            inputMode="numeric"
          />
        </div>
        <Check isSelected={form.enabled} onChange={set("enabled")}>
          {t("rules.fields.enabled")}
        </Check>
        <Group name="when" legend={t("rules.fields.conditions")} help={t("rules.fields.conditionsHelp")} error={error}>
          <TextInput
            form={FORM}
            name="when.keywords"
            label={t("rules.fields.keywords")}
            help={t("rules.fields.keywordsHelp")}
            value={form.keywords}
            onChange={set("keywords")}
            error={error}
            multiline
            rows={3}
          />
          <TextInput
            form={FORM}
            name="when.pattern"
            label={t("rules.fields.pattern")}
            help={t("rules.fields.patternHelp")}
            value={form.pattern}
            onChange={set("pattern")}
            error={error}
            secret
            maxLength={500}
          />
          <CheckList
            form={FORM}
            name="when.platforms"
            label={t("rules.fields.platforms")}
            help={t("rules.fields.platformsHelp")}
            value={form.platforms}
            options={PLATFORMS.map((platform) => ({ id: platform, label: platformName(platform) }))}
            onChange={set("platforms")}
            error={error}
          />
          <TextInput
            form={FORM}
            name="when.min_influence"
            label={t("rules.fields.minInfluence")}
            help={t("rules.fields.minInfluenceHelp")}
            value={form.minInfluence}
            onChange={set("minInfluence")}
            error={error}
            inputMode="decimal"
          />
        </Group>
        <Group name="then" legend={t("rules.fields.actionsLegend")} help={t("rules.fields.actionsHelp")} error={error}>
          <div className="form-row">
            <SelectInput
              form={FORM}
              name="then.label"
              label={t("rules.fields.label")}
              value={form.label}
              emptyLabel={none}
              options={LABELS.map((id) => ({ id, label: t(`rules.labels.${id}`) }))}
              onChange={set("label")}
              error={error}
            />
            <TextInput
              form={FORM}
              name="then.tag"
              label={t("rules.fields.tag")}
              help={t("rules.fields.tagHelp")}
              value={form.tag}
              onChange={set("tag")}
              error={error}
              maxLength={50}
            />
            <SelectInput
              form={FORM}
              name="then.priority"
              label={t("rules.fields.priority")}
              value={form.priority}
              emptyLabel={none}
              options={PRIORITIES.map((id) => ({ id, label: id }))}
              onChange={set("priority")}
              error={error}
            />
            <SelectInput
              form={FORM}
              name="then.route"
              label={t("rules.fields.route")}
              value={form.route}
              emptyLabel={none}
              options={ROUTES.map((id) => ({ id, label: t(`rules.routes.${id}`) }))}
              onChange={set("route")}
              error={error}
            />
            <SelectInput
              form={FORM}
              name="then.owner"
              label={t("rules.fields.owner")}
              value={form.owner}
              emptyLabel={none}
              options={TEAMS.map((id) => ({ id, label: t(`rules.teams.${id}`) }))}
              onChange={set("owner")}
              error={error}
            />
          </div>
        </Group>
        <FormAlert form={FORM} error={error} />
        <div className="button-row">
          <Button type="submit" className="button primary" isDisabled={save.isPending}>
            {save.isPending ? t("common.saving") : t("rules.save")}
          </Button>
          <Link className="button-link secondary" to="/rules">
            {t("common.cancel")}
          </Link>
        </div>
      </Form>
    </>
  );
}

/** /console/rules/new */
export function NewRulePage() {
  return <RuleEditor rule={null} />;
}

/** /console/rules/:id */
export function EditRulePage() {
  const { t } = useTranslation("setup");
  const { id = "" } = useParams();
  const query = useRule(id);
  return (
    <QueryStates query={query} notFound={t("rules.notFound")}>
      {(rule) => <RuleEditor key={rule.id} rule={rule} />}
    </QueryStates>
  );
}
