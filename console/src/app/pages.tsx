// The pages shown outside the signed-in shell: landing, sign-in errors, configuration errors.

import { useState, type ReactNode } from "react";
import { Button } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { startSignIn, type SignInError } from "../auth/oidc";
import type { EndReason } from "../auth/session";
import type { Config, ConfigProblem } from "../config";
import { useScreenTitle } from "../lib/title";
import { LanguageSwitch } from "./LanguageSwitch";

/** A page on its own: the product's name, the language switch, one main column. */
export function StandalonePage({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useTranslation();
  useScreenTitle(title);
  return (
    <div className="standalone">
      <header className="standalone-header">
        <span className="brand">{t("app.name")}</span>
        <LanguageSwitch />
      </header>
      <main id="main" tabIndex={-1} className="standalone-main">
        <h1>{title}</h1>
        {children}
      </main>
    </div>
  );
}

function SignInButton({ config, label }: { config: Config; label: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<{ kind: "idle" } | { kind: "redirecting" } | { kind: "failed"; message: string }>({
    kind: "idle",
  });
  const signIn = () => {
    setState({ kind: "redirecting" });
    startSignIn(config).catch((error: unknown) => {
      setState({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
    });
  };
  return (
    <>
      <Button className="button primary" onPress={signIn} isDisabled={state.kind === "redirecting"}>
        {label}
      </Button>
      <p role="status" className="status-line">
        {state.kind === "redirecting" ? t("landing.redirecting") : null}
      </p>
      {state.kind === "failed" ? (
        <p role="alert" className="error">
          {t("landing.failed", { message: state.message })}
        </p>
      ) : null}
    </>
  );
}

/** Signed out: what this is, why the session ended (if it did), and "Sign in". */
export function Landing({ config, ended }: { config: Config; ended: EndReason | null }) {
  const { t } = useTranslation();
  return (
    <StandalonePage title={t("app.console")}>
      <p>{t("landing.intro")}</p>
      {ended !== null ? (
        <p className={ended === "signedOut" ? "notice" : "notice warning"} role="status">
          {t(`landing.ended.${ended}`)}
        </p>
      ) : null}
      <SignInButton config={config} label={t("landing.signIn")} />
    </StandalonePage>
  );
}

/** A callback that did not sign in: why, in words, and a way to start again. */
export function SignInErrorPage({ config, error }: { config: Config; error: SignInError }) {
  const { t } = useTranslation();
  return (
    <StandalonePage title={t("signIn.errorTitle")}>
      <div role="alert">
        <p>{t(`signIn.error.${error.code}`)}</p>
        {error.detail !== undefined ? <p className="detail">{t("signIn.detail", { detail: error.detail })}</p> : null}
      </div>
      <SignInButton config={config} label={t("signIn.retry")} />
    </StandalonePage>
  );
}

/** config.json missing or malformed: each problem, in words. */
export function ConfigErrorPage({ problems, path }: { problems: ConfigProblem[]; path: string }) {
  const { t } = useTranslation();
  return (
    <StandalonePage title={t("config.title")}>
      <div role="alert">
        <p>{t("config.intro", { path })}</p>
        <ul className="problems">
          {problems.map((problem, index) => (
            <li key={`${problem.field}-${problem.reason}-${index}`}>
              {problem.reason === "unreachable" && problem.status !== undefined
                ? t("config.problem.unreachableStatus", { status: problem.status })
                : t(`config.problem.${problem.reason}`, { field: problem.field })}
            </li>
          ))}
        </ul>
      </div>
      <p>{t("config.help")}</p>
    </StandalonePage>
  );
}

/** While config.json is read, then while a sign-in's callback is handled. */
export function Starting({ signingIn = false }: { signingIn?: boolean }) {
  const { t } = useTranslation();
  return (
    <main id="main" className="standalone-main">
      <p role="status">{signingIn ? t("signIn.checking") : t("app.starting")}</p>
    </main>
  );
}
