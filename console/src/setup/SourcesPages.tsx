// /console/sources (admins): the webhook sources, registering one (the platform's fields and
// its steps from docs/connectors.md, in place), a source's page (its URL to copy, its last
// deliveries and what it sent that was ignored, editing its credentials and settings,
// rotation), each secret shown once.

import { useState, type FormEvent } from "react";
import { Button, Form, Label, Radio, RadioGroup } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { ListStates } from "../inbox/ListStates";
import { platformName } from "../lib/platforms";
import { useScreenTitle } from "../lib/title";
import { focusError, formErrorFrom, type FormError } from "./fieldErrors";
import {
  accessBody,
  accessFields,
  accessForm,
  checkAccess,
  checkSource,
  emptySourceForm,
  needsOf,
  PLATFORMS,
  settingsOf,
  sourceBody,
  sourceFields,
  type AccessForm,
  type Need,
  type SourceForm,
} from "./platforms";
import {
  useCreateSource,
  useDeleteSource,
  useIgnored,
  useRotateSource,
  useSource,
  useSources,
  useUpdateSourceAccess,
  type IgnoredRecord,
  type Platform,
  type Source,
} from "./queries";
import { IgnoredReason, SourceDeliveries } from "./SourceDeliveries";
import { ConfirmButton, CopyField, FormAlert, ListPageHeader, QueryStates, SecretOnce, TextInput, useDate, useErrorText, When } from "./ui";

/** The label of a credential or setting (`sources.fields.{name}`), its name when unknown. */
function useNeedText() {
  const { t } = useTranslation("setup");
  return {
    label: (name: string) => t(`sources.fields.${name}` as "sources.fields.name", { defaultValue: name }),
    /** A platform's own help for a field (YouTube's API key), else the field's. */
    help: (name: string, platform?: Platform) =>
      (platform === undefined ? "" : t(`sources.platformHelp.${platform}.${name}` as "sources.platformHelp.youtube.api_key", { defaultValue: "" })) ||
      t(`sources.fields.${name}Help` as "sources.fields.nameHelp", { defaultValue: "" }),
  };
}

/** The steps of docs/connectors.md for a platform, in the language. */
export function PlatformSteps({ platform, headingLevel = 2 }: { platform: Platform; headingLevel?: 2 | 3 }) {
  const { t } = useTranslation("setup");
  const steps = t(`instructions.${platform}`, { returnObjects: true }) as readonly string[];
  const Heading = headingLevel === 2 ? "h2" : "h3";
  return (
    <section className="section platform-steps" aria-label={t("sources.steps.title", { platform: platformName(platform) })}>
      <Heading>{t("sources.steps.title", { platform: platformName(platform) })}</Heading>
      <p className="hint">{t("sources.steps.intro")}</p>
      <ol className="steps">
        {steps.map((step) => (
          <li key={step}>{step}</li>
        ))}
      </ol>
    </section>
  );
}

export function SourcesPage() {
  const { t } = useTranslation("setup");
  const query = useSources();
  return (
    <>
      <ListPageHeader area="sources" addTo="/sources/new" />
      <ListStates query={query} empty={t("sources.empty")}>
        {(sources) => (
          <ul className="items">
            {sources.map((source) => (
              <li key={source.id} className="item">
                <p className="item-title">
                  <Link to={`/sources/${source.id}`}>{source.name}</Link>
                </p>
                <dl className="item-fields">
                  <div className="field">
                    <dt>{t("sources.fields.platform")}</dt>
                    <dd>{platformName(source.platform)}</dd>
                  </div>
                  <div className="field">
                    <dt>{t("sources.fields.created")}</dt>
                    <dd>
                      <When value={source.created_at} />
                    </dd>
                  </div>
                  <div className="field">
                    <dt>{t("sources.fields.webhookUrl")}</dt>
                    <dd className="mono">{source.webhook_url}</dd>
                  </div>
                </dl>
              </li>
            ))}
          </ul>
        )}
      </ListStates>
    </>
  );
}

const FORM = "source";

/** A setting's or a credential's field, named as the API names it (`settings.site_url`). */
function NeedField({
  form,
  need,
  group,
  platform,
  value,
  onChange,
  error,
  held,
}: {
  form: string;
  need: Need;
  group: "settings" | "credentials";
  platform: Platform;
  value: string;
  onChange: (value: string) => void;
  error: FormError | null;
  /** When editing a source: whether it holds this credential already (its value is never shown). */
  held?: boolean;
}) {
  const { t } = useTranslation("setup");
  const text = useNeedText();
  // A generated credential is generated only when the source lacks it.
  const own = need.generated === true && held !== true ? t("sources.fields.verify_tokenHelp") : text.help(need.name, platform);
  const state = held === undefined ? "" : held ? t("sources.access.held") : t("sources.access.notHeld");
  return (
    <TextInput
      form={form}
      name={`${group}.${need.name}`}
      label={text.label(need.name)}
      help={[state, own].filter((part) => part !== "").join(" ")}
      value={value}
      isRequired={need.required}
      type={need.kind === "url" ? "url" : "text"}
      inputMode={need.kind === "url" ? "url" : "text"}
      secret={need.kind === "secret"}
      onChange={onChange}
      error={error}
    />
  );
}

/** What the API showed once after a registration, until dismissed. */
function createdSecrets(
  created: { secret?: string; generated_credentials?: Record<string, string>; webhook_url: string; platform: Platform },
  words: { secret: string; tokenUrl: string; tokenUrlHelp: string },
  label: (name: string) => string,
): { label: string; value: string; help?: string }[] {
  const values: { label: string; value: string; help?: string }[] = [];
  if (created.platform === "trustpilot" && created.webhook_url !== "") {
    values.push({ label: words.tokenUrl, value: created.webhook_url, help: words.tokenUrlHelp });
  }
  if (created.secret !== undefined) values.push({ label: words.secret, value: created.secret });
  for (const [name, value] of Object.entries(created.generated_credentials ?? {})) {
    values.push({ label: label(name), value });
  }
  return values;
}

function useCreatedWords() {
  const { t } = useTranslation("setup");
  return { secret: t("sources.created.secret"), tokenUrl: t("sources.created.tokenUrl"), tokenUrlHelp: t("sources.created.tokenUrlHelp") };
}

/** /console/sources/new: the platform, its fields and its steps; then what was generated, once. */
export function NewSourcePage() {
  const { t } = useTranslation("setup");
  useScreenTitle(t("sources.add"));
  const create = useCreateSource();
  const wording = useErrorText();
  const text = useNeedText();
  const words = useCreatedWords();
  const [form, setFormState] = useState<SourceForm>(() => emptySourceForm());
  const [error, setError] = useState<FormError | null>(null);
  const [done, setDone] = useState<Pick<Source, "id" | "name" | "platform" | "webhook_url"> | null>(null);

  const setForm = (update: (form: SourceForm) => SourceForm) => {
    setFormState(update);
    setError(null);
  };

  const choosePlatform = (platform: Platform) =>
    // The secret and credentials typed for another platform are dropped, not kept.
    setForm((f) => ({ ...emptySourceForm(platform), name: f.name, settings: f.settings }));

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (create.isPending) return;
    const problem = checkSource(form);
    if (problem !== null) {
      const next = { field: problem.field, message: t(`sources.problem.${problem.reason}`) };
      setError(next);
      requestAnimationFrame(() => focusError(FORM, next));
      return;
    }
    create.mutate(sourceBody(form), {
      onSuccess: (source) => {
        setDone({ id: source.id, name: source.name, platform: source.platform, webhook_url: source.webhook_url });
        setFormState(emptySourceForm(form.platform));
      },
      onError: (failure) => {
        const next = formErrorFrom(failure, sourceFields(form.platform), wording);
        setError(next);
        requestAnimationFrame(() => focusError(FORM, next));
      },
    });
  };

  if (done !== null) {
    const secrets = create.data === undefined ? [] : createdSecrets(create.data, words, text.label);
    return (
      <>
        <h1>{t("sources.created.title", { name: done.name })}</h1>
        <SecretOnce values={secrets} onDismiss={() => create.reset()} />
        {done.platform === "trustpilot" ? null : <CopyField label={t("sources.fields.webhookUrl")} value={done.webhook_url} />}
        <PlatformSteps platform={done.platform} />
        <div className="button-row">
          <Link className="button-link" to={`/sources/${done.id}`}>
            {t("sources.created.open")}
          </Link>
          <Button
            className="button"
            onPress={() => {
              create.reset();
              setDone(null);
            }}
          >
            {t("sources.created.another")}
          </Button>
        </div>
      </>
    );
  }

  const needs = needsOf(form.platform);
  return (
    <>
      <p>
        <Link to="/sources">{t("common.back")}</Link>
      </p>
      <h1>{t("sources.add")}</h1>
      <Form className="setup-form" validationBehavior="aria" onSubmit={onSubmit}>
        <RadioGroup
          className="choice-group"
          value={form.platform}
          onChange={(value) => {
            const platform = PLATFORMS.find((p) => p === value);
            if (platform !== undefined) choosePlatform(platform);
          }}
        >
          <Label>{t("sources.fields.platform")}</Label>
          <div className="choices">
            {PLATFORMS.map((platform) => (
              <Radio key={platform} value={platform} className="choice">
                {t(`platformNames.${platform}`)}
              </Radio>
            ))}
          </div>
        </RadioGroup>
        <PlatformSteps platform={form.platform} />
        <TextInput
          form={FORM}
          name="name"
          label={t("sources.fields.name")}
          help={t("sources.fields.nameHelp")}
          value={form.name}
          isRequired
          maxLength={200}
          onChange={(name) => setForm((f) => ({ ...f, name }))}
          error={error}
        />
        {needs.secret === "given" ? (
          <TextInput
            form={FORM}
            name="secret"
            label={t("sources.fields.secret")}
            help={t(`sources.secretHelp.${form.platform as "shopify"}`)}
            value={form.secret}
            isRequired
            secret
            onChange={(secret) => setForm((f) => ({ ...f, secret }))}
            error={error}
          />
        ) : (
          <p className="hint">{t("sources.secretGenerated")}</p>
        )}
        <fieldset>
          <legend>{t("sources.settingsLegend")}</legend>
          {settingsOf(form.platform).map((need) => (
            <NeedField
              key={need.name}
              form={FORM}
              need={need}
              group="settings"
              platform={form.platform}
              value={form.settings[need.name] ?? ""}
              onChange={(value) => setForm((f) => ({ ...f, settings: { ...f.settings, [need.name]: value } }))}
              error={error}
            />
          ))}
        </fieldset>
        {needs.credentials.length > 0 ? (
          <fieldset>
            <legend>{t("sources.credentialsLegend")}</legend>
            <p className="field-help">{t("sources.credentialsHelp")}</p>
            {needs.credentials.map((need) => (
              <NeedField
                key={need.name}
                form={FORM}
                need={need}
                group="credentials"
                platform={form.platform}
                value={form.credentials[need.name] ?? ""}
                onChange={(value) => setForm((f) => ({ ...f, credentials: { ...f.credentials, [need.name]: value } }))}
                error={error}
              />
            ))}
          </fieldset>
        ) : null}
        <FormAlert form={FORM} error={error} />
        <div className="button-row">
          <Button type="submit" className="button primary" isDisabled={create.isPending}>
            {create.isPending ? t("sources.registering") : t("sources.register")}
          </Button>
        </div>
      </Form>
    </>
  );
}

function IgnoredItem({ record }: { record: IgnoredRecord }) {
  const { t } = useTranslation("setup");
  return (
    <li className="item">
      <dl className="item-fields">
        <div className="field">
          <dt>{t("sources.health.received")}</dt>
          <dd>
            <When value={record.received_at} />
          </dd>
        </div>
        <div className="field">
          <dt>{t("sources.health.event")}</dt>
          <dd className="mono">{record.event ?? t("sources.health.noEvent")}</dd>
        </div>
      </dl>
      <p className="item-title">{t("sources.health.reasons")}</p>
      <ul className="plain-list">
        {record.reasons.map((reason) => (
          <li key={reason}>
            <IgnoredReason reason={reason} />
          </li>
        ))}
      </ul>
      <details className="raw">
        <summary>{record.body_base64 ? t("sources.health.bodyBase64") : t("sources.health.body")}</summary>
        <pre className="raw-body">{record.body}</pre>
      </details>
    </li>
  );
}

const IGNORED_SECTION = "source-ignored";

/** What the source sent that was ignored, why, and the bodies as received. */
function IgnoredDeliveries({ id }: { id: string }) {
  const { t } = useTranslation("setup");
  const date = useDate();
  const query = useIgnored(id);
  return (
    <section className="section" id={IGNORED_SECTION} aria-labelledby="source-health">
      <h2 id="source-health">{t("sources.health.title")}</h2>
      <p className="hint">{t("sources.health.intro")}</p>
      <QueryStates query={query}>
        {(ignored) =>
          ignored.length === 0 ? (
            <p role="status" className="list-state empty">
              {t("sources.health.none")}
            </p>
          ) : (
            <>
              <p>{t("sources.health.lastIgnored", { date: date(ignored[0]?.received_at ?? "") })}</p>
              <ul className="items">
                {ignored.map((record) => (
                  <IgnoredItem key={record.id} record={record} />
                ))}
              </ul>
            </>
          )
        }
      </QueryStates>
    </section>
  );
}

function RotateSource({ source }: { source: Source }) {
  const { t } = useTranslation("setup");
  const wording = useErrorText();
  const date = useDate();
  const text = useNeedText();
  const words = useCreatedWords();
  const rotate = useRotateSource(source.id);
  const given = needsOf(source.platform).secret === "given";
  const [secret, setSecret] = useState("");
  const [error, setError] = useState<FormError | null>(null);
  const [until, setUntil] = useState<string | null | undefined>(undefined);
  const form = "rotate";

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (rotate.isPending) return;
    if (given && secret.trim() === "") {
      const next = { field: "secret", message: t("sources.problem.secretRequired") };
      setError(next);
      focusError(form, next);
      return;
    }
    setUntil(undefined);
    rotate.mutate(given ? secret.trim() : null, {
      onSuccess: (rotated) => {
        setSecret("");
        setUntil(rotated.previous_secret_valid_until);
      },
      onError: (failure) => setError(formErrorFrom(failure, ["secret"], wording)),
    });
  };

  const shown = rotate.data === undefined ? [] : createdSecrets({ ...rotate.data, webhook_url: rotate.data.webhook_url ?? "", platform: source.platform }, words, text.label);
  return (
    <section className="section" aria-labelledby="source-rotate">
      <h2 id="source-rotate">{t("sources.rotate.title")}</h2>
      <p className="hint">{given ? t("sources.rotate.given") : t("sources.rotate.generated")}</p>
      <Form className="setup-form" validationBehavior="aria" onSubmit={onSubmit}>
        {given ? (
          <TextInput
            form={form}
            name="secret"
            label={t("sources.rotate.newSecret")}
            help={t(`sources.secretHelp.${source.platform as "shopify"}`)}
            value={secret}
            isRequired
            secret
            onChange={(value) => {
              setSecret(value);
              setError(null);
            }}
            error={error}
          />
        ) : null}
        <FormAlert form={form} error={error} />
        <div className="button-row">
          <Button type="submit" className="button" isDisabled={rotate.isPending}>
            {rotate.isPending ? t("sources.rotate.rotating") : t("sources.rotate.button")}
          </Button>
        </div>
      </Form>
      <p role="status" className="announcement">
        {until === undefined
          ? null
          : until === null
            ? t("sources.rotate.doneNoGrace")
            : t("sources.rotate.done", { until: date(until) })}
      </p>
      {shown.length > 0 ? <SecretOnce values={shown} onDismiss={() => rotate.reset()} /> : null}
    </section>
  );
}

/**
 * Editing a source's credentials (an expired token, a new application password) and settings
 * in place: the stored values are never shown nor pre-filled, only whether each is held; a
 * credential left empty stays as stored. What Liaison generates is shown once.
 */
function SourceAccessEdit({ source }: { source: Source }) {
  const { t } = useTranslation("setup");
  const wording = useErrorText();
  const text = useNeedText();
  const update = useUpdateSourceAccess(source.id);
  const needs = needsOf(source.platform);
  // The settings as last saved (the source, or the answer to this form's last save).
  const [saved, setSaved] = useState<Readonly<Record<string, unknown>>>(source.settings);
  const [held, setHeld] = useState<readonly string[]>(source.credentials);
  const [form, setFormState] = useState<AccessForm>(() => accessForm(source.platform, source.settings));
  const [error, setError] = useState<FormError | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const id = "access";

  const setForm = (update: (form: AccessForm) => AccessForm) => {
    setFormState(update);
    setError(null);
    setSaid(null);
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (update.isPending) return;
    setSaid(null);
    const problem = checkAccess(source.platform, saved, held, form);
    if (problem !== null) {
      const next = {
        field: problem.field,
        message: problem.reason === "nothing" ? t("sources.access.nothing") : t(`sources.problem.${problem.reason}`),
      };
      setError(next);
      requestAnimationFrame(() => focusError(id, next));
      return;
    }
    const body = accessBody(source.platform, saved, form);
    if (body === null) return;
    update.reset();
    update.mutate(body, {
      onSuccess: (answer) => {
        setSaved(answer.settings);
        setHeld(answer.credentials);
        setFormState(accessForm(source.platform, answer.settings));
        setSaid(t("sources.access.saved"));
      },
      onError: (failure) => {
        const next = formErrorFrom(failure, accessFields(source.platform), wording);
        setError(next);
        requestAnimationFrame(() => focusError(id, next));
      },
    });
  };

  const generated = Object.entries(update.data?.generated_credentials ?? {}).map(([name, value]) => ({ label: text.label(name), value }));
  return (
    <section className="section" aria-labelledby="source-access-edit">
      <h2 id="source-access-edit">{t("sources.access.title")}</h2>
      <p className="hint">{needs.credentials.length > 0 ? t("sources.access.intro") : t("sources.access.introNoCredentials")}</p>
      <Form className="setup-form" validationBehavior="aria" onSubmit={onSubmit}>
        {needs.credentials.length > 0 ? (
          <fieldset>
            <legend>{t("sources.credentialsLegend")}</legend>
            <p className="field-help">{t("sources.access.credentialsHelp")}</p>
            {needs.credentials.map((need) => (
              <NeedField
                key={need.name}
                form={id}
                need={need}
                group="credentials"
                platform={source.platform}
                value={form.credentials[need.name] ?? ""}
                held={held.includes(need.name)}
                onChange={(value) => setForm((f) => ({ ...f, credentials: { ...f.credentials, [need.name]: value } }))}
                error={error}
              />
            ))}
          </fieldset>
        ) : null}
        <fieldset>
          <legend>{t("sources.settingsLegend")}</legend>
          <p className="field-help">{t("sources.access.settingsHelp")}</p>
          {settingsOf(source.platform).map((need) => (
            <NeedField
              key={need.name}
              form={id}
              need={need}
              group="settings"
              platform={source.platform}
              value={form.settings[need.name] ?? ""}
              onChange={(value) => setForm((f) => ({ ...f, settings: { ...f.settings, [need.name]: value } }))}
              error={error}
            />
          ))}
        </fieldset>
        <FormAlert form={id} error={error} />
        <div className="button-row">
          <Button type="submit" className="button primary" isDisabled={update.isPending}>
            {update.isPending ? t("common.saving") : t("sources.access.save")}
          </Button>
        </div>
      </Form>
      <p role="status" className="announcement">
        {said}
      </p>
      {/* Mounted when there is something to show, so that its heading takes focus. */}
      {generated.length > 0 ? <SecretOnce values={generated} onDismiss={() => update.reset()} /> : null}
    </section>
  );
}

function SourceDetail({ source }: { source: Source }) {
  const { t } = useTranslation("setup");
  const date = useDate();
  const text = useNeedText();
  const navigate = useNavigate();
  const wording = useErrorText();
  const remove = useDeleteSource(source.id);
  // A cleared setting may be kept as null: not shown.
  const settings = Object.entries(source.settings).filter(([, value]) => value !== null && value !== undefined);
  return (
    <>
      <p>
        <Link to="/sources">{t("common.back")}</Link>
      </p>
      <h1>{source.name}</h1>
      <dl className="summary-list">
        <dt>{t("sources.fields.platform")}</dt>
        <dd>{platformName(source.platform)}</dd>
        <dt>{t("sources.fields.created")}</dt>
        <dd>
          <When value={source.created_at} />
        </dd>
      </dl>
      <CopyField label={t("sources.fields.webhookUrl")} value={source.webhook_url} />
      {source.platform === "trustpilot" ? <p className="notice warning">{t("sources.detail.tokenUrlHidden")}</p> : null}
      <details className="section">
        <summary>{t("sources.steps.title", { platform: platformName(source.platform) })}</summary>
        <ol className="steps">
          {(t(`instructions.${source.platform}`, { returnObjects: true }) as readonly string[]).map((step) => (
            <li key={step}>{step}</li>
          ))}
        </ol>
      </details>
      <SourceDeliveries id={source.id} ignoredId={IGNORED_SECTION} />
      <IgnoredDeliveries id={source.id} />
      <section className="section" aria-labelledby="source-access">
        <h2 id="source-access">{t("sources.detail.secrets")}</h2>
        {source.secrets.length === 0 ? (
          <p>{t("sources.detail.noSecrets")}</p>
        ) : (
          <ul className="plain-list">
            {source.secrets.map((secret) => (
              <li key={secret.created_at}>
                {secret.expires_at === null
                  ? t("sources.detail.secretCurrent", { created: date(secret.created_at) })
                  : t("sources.detail.secretUntil", { created: date(secret.created_at), until: date(secret.expires_at) })}
              </li>
            ))}
          </ul>
        )}
        <h3>{t("sources.detail.credentials")}</h3>
        {source.credentials.length === 0 ? (
          <p>{t("sources.detail.noCredentials")}</p>
        ) : (
          <ul className="plain-list">
            {source.credentials.map((name) => (
              <li key={name}>{text.label(name)}</li>
            ))}
          </ul>
        )}
        <h3>{t("sources.detail.settings")}</h3>
        {settings.length === 0 ? (
          <p>{t("sources.detail.noSettings")}</p>
        ) : (
          <dl className="summary-list">
            {settings.map(([name, value]) => (
              <div key={name} className="summary-pair">
                <dt>{text.label(name)}</dt>
                <dd className="mono">{typeof value === "string" ? value : JSON.stringify(value)}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
      <SourceAccessEdit source={source} />
      <RotateSource source={source} />
      <section className="section" aria-labelledby="source-delete">
        <h2 id="source-delete">{t("sources.delete.button")}</h2>
        <ConfirmButton
          label={t("sources.delete.button")}
          question={t("sources.delete.confirm", { name: source.name })}
          isPending={remove.isPending}
          onConfirm={() => remove.mutate(undefined, { onSuccess: () => void navigate("/sources", { replace: true }) })}
        />
        {remove.isError ? (
          <p role="alert" className="error">
            {t("common.failed", { message: wording(remove.error) })}
          </p>
        ) : null}
      </section>
    </>
  );
}

/** /console/sources/:id */
export function SourcePage() {
  const { t } = useTranslation("setup");
  const { id = "" } = useParams();
  const query = useSource(id);
  useScreenTitle(query.data?.name ?? t("sources.title"));
  return (
    <QueryStates query={query} notFound={t("sources.notFound")}>
      {/* Keyed: another source's page (a link from one to another) starts its forms afresh. */}
      {(source) => <SourceDetail key={source.id} source={source} />}
    </QueryStates>
  );
}
