//! `liaison-local`: the whole system on one machine.
//!
//! - `liaison-local dev`: starts DynamoDB Local and moto, creates every table, queue and SES
//!   identity of template.yaml, serves every function on `http://127.0.0.1:$LIAISON_PORT`
//!   (3000), and stops everything on Ctrl-C or SIGTERM.
//! - `liaison-local token [--group NAME]... [--subject S] [--hours N]`: prints a development
//!   staff token (default group `liaison-admin`).
//! - `liaison-local emulators`: only DynamoDB Local and moto (for `LIAISON_EMULATORS=external`).
//! - `liaison-local env BINARY`: the environment template.yaml gives a function (placeholder
//!   resources), for benches that start its bootstrap.
//! - `liaison-local iam-report LOG`: the missing and unused grants of a test run's IAM log
//!   (`LIAISON_IAM_LOG=LOG cargo test`).

use std::net::SocketAddr;
use std::process::ExitCode;

use liaison_local::registry::Registry;
use liaison_local::runner::{self, RunnerConfig};
use liaison_local::stack::{repo_root, Emulators, Ports};
use liaison_local::template::Template;
use shared::kit::clock::Clock;

#[tokio::main]
async fn main() -> ExitCode {
    shared::kit::telemetry::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None | Some("dev") => dev().await,
        Some("token") => token(&args[1..]),
        Some("iam-report") => iam_report(&args[1..]),
        Some("env") => function_env(&args[1..]),
        Some("emulators") => emulators().await,
        Some(other) => Err(format!("unknown command {other}; use `dev` or `token`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("liaison-local: {message}");
            ExitCode::FAILURE
        }
    }
}

fn load_template() -> Result<(Template, std::collections::BTreeMap<String, String>), String> {
    let root = repo_root();
    let template = Template::load(&root.join("template.yaml")).map_err(|e| e.to_string())?;
    let parameters =
        liaison_local::local_parameters(&template, &root).map_err(|e| e.to_string())?;
    Ok((template, parameters))
}

/// Only the emulators, on `LIAISON_DYNAMODB_PORT` and `LIAISON_MOTO_PORT`, until Ctrl-C or
/// SIGTERM: a runner started with `LIAISON_EMULATORS=external` uses them, and can be killed
/// and restarted without losing what they hold.
async fn emulators() -> Result<(), String> {
    let ports = Ports::from_env_or_defaults();
    let mut emulators = tokio::task::spawn_blocking(move || Emulators::start(ports))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    println!(
        "DynamoDB Local {}  moto {}",
        emulators.dynamodb_endpoint, emulators.moto_endpoint
    );
    wait_for_stop().await;
    tokio::task::spawn_blocking(move || emulators.stop())
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Prints `NAME=value` for each variable template.yaml gives the function built from
/// `BINARY`, resolved against placeholder resources of a stack named `bench` (nothing is
/// created): what bench/init-time.sh starts each bootstrap with.
fn function_env(args: &[String]) -> Result<(), String> {
    let binary = args.first().ok_or("usage: liaison-local env BINARY")?;
    let (template, parameters) = load_template()?;
    let def = template
        .functions
        .iter()
        .find(|f| &f.binary == binary)
        .ok_or_else(|| format!("no function builds the binary {binary}"))?;
    let provisioned = liaison_local::placeholder_resources(&template, "bench");
    let resolver = liaison_local::resolve::Resolver {
        template: &template,
        parameters: &parameters,
        provisioned: &provisioned,
    };
    for (name, value) in &def.environment {
        let value = resolver
            .resolve(value)
            .map_err(|e| format!("{binary} {name}: {e}"))?;
        println!("{name}={value}");
    }
    Ok(())
}

/// Sums up an IAM log (`LIAISON_IAM_LOG` of a test run): missing and unused grants.
fn iam_report(args: &[String]) -> Result<(), String> {
    let path = args.first().ok_or("usage: liaison-local iam-report LOG")?;
    let log = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let (template, parameters) = load_template()?;
    let report = liaison_local::iam::report::report(&template, &parameters, &log);
    print!("{report}");
    if report.missing.is_empty() {
        Ok(())
    } else {
        Err("template.yaml refuses calls the code makes".into())
    }
}

fn token(args: &[String]) -> Result<(), String> {
    let (_, parameters) = load_template()?;
    let mut groups = Vec::new();
    let mut subject = "dev-admin".to_string();
    let mut hours: i64 = 12;
    let mut site = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--group" => groups.push(value()?),
            // The brand site's machine token (scope liaison/referrals), not a staff one.
            "--site" => site = true,
            "--subject" => subject = value()?,
            "--hours" => {
                hours = value()?
                    .parse()
                    .map_err(|_| "--hours takes a whole number".to_string())?
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if groups.is_empty() {
        groups.push("liaison-admin".to_string());
    }
    let param = |name: &str| {
        parameters
            .get(name)
            .cloned()
            .ok_or_else(|| format!("parameter {name} missing"))
    };
    if site {
        let token = liaison_local::jwt::issue_site(
            liaison_local::jwt::dev_keys(),
            &liaison_local::jwt::SiteTokenRequest {
                client_id: &param("SiteClientId")?,
                issuer: &param("JwtIssuer")?,
                scope: shared::kit::auth::SITE_REFERRALS_SCOPE,
                ttl_seconds: hours * 3600,
                now: chrono::Utc::now().timestamp(),
            },
        )
        .map_err(|e| e.to_string())?;
        println!("{token}");
        return Ok(());
    }
    let token = liaison_local::jwt::issue(
        liaison_local::jwt::dev_keys(),
        &liaison_local::jwt::TokenRequest {
            subject: &subject,
            email: None,
            nonce: None,
            groups: &groups,
            groups_claim: &param("JwtGroupsClaim")?,
            issuer: &param("JwtIssuer")?,
            audience: &param("JwtAudience")?,
            ttl_seconds: hours * 3600,
            now: chrono::Utc::now().timestamp(),
        },
    )
    .map_err(|e| e.to_string())?;
    println!("{token}");
    Ok(())
}

async fn dev() -> Result<(), String> {
    let (template, parameters) = load_template()?;
    let ports = Ports::from_env_or_defaults();
    let port: u16 = std::env::var("LIAISON_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let prefix = std::env::var("LIAISON_STACK_NAME").unwrap_or_else(|_| "liaison".to_string());

    // LIAISON_EMULATORS=external: emulators already listen on those ports (`liaison-local
    // emulators`), kept across runner restarts, as bench/load.sh's fault run needs.
    let external = std::env::var("LIAISON_EMULATORS").as_deref() == Ok("external");
    let mut emulators = if external {
        eprintln!(
            "using the emulators on :{} (DynamoDB) and :{} (moto) ...",
            ports.dynamodb, ports.moto
        );
        None
    } else {
        eprintln!(
            "starting DynamoDB Local on :{} and moto on :{} ...",
            ports.dynamodb, ports.moto
        );
        Some(
            tokio::task::spawn_blocking(move || Emulators::start(ports))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?,
        )
    };
    let (dynamodb_endpoint, moto_endpoint) = (
        format!("http://127.0.0.1:{}", ports.dynamodb),
        format!("http://127.0.0.1:{}", ports.moto),
    );
    let env = liaison_local::base_env(&dynamodb_endpoint, &moto_endpoint);
    let clients = liaison_local::clients(&env).await;
    let secrets = liaison_local::local_secrets(&repo_root()).map_err(|e| e.to_string())?;
    let provisioned = liaison_local::provision::provision(
        &template,
        &parameters,
        &secrets,
        &clients,
        &prefix,
        liaison_local::REGION,
    )
    .await
    .map_err(|e| e.to_string())?;
    // Every function's calls go through the IAM gateway, which enforces its role.
    let iam = liaison_local::iam::Gateway::start(
        &dynamodb_endpoint,
        &moto_endpoint,
        liaison_local::iam::Scope::local(),
    )
    .map_err(|e| e.to_string())?;
    let clock = Clock::system();
    let running = runner::start(RunnerConfig {
        template,
        parameters,
        provisioned: provisioned.clone(),
        base_env: env.clone(),
        registry: Registry::builtin(),
        clock,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        jwt_keys: liaison_local::jwt::dev_keys(),
        iam,
    })
    .await
    .map_err(|e| e.to_string())?;

    print_served(&running.served(), &provisioned, &running.base_url(), &env);

    wait_for_stop().await;
    eprintln!("stopping ...");
    running.stop().await;
    if let Some(mut emulators) = emulators.take() {
        tokio::task::spawn_blocking(move || emulators.stop())
            .await
            .map_err(|e| e.to_string())?;
    }
    eprintln!("stopped");
    Ok(())
}

fn print_served(
    served: &serde_json::Value,
    provisioned: &liaison_local::provision::Provisioned,
    base_url: &str,
    env: &std::collections::HashMap<String, String>,
) {
    println!("\nLiaison is running on {base_url}  (GET {base_url}/health)\n");
    println!("Console: {base_url}/console/  (sign in on the development page: pick a group)\n");
    println!("HTTP routes:");
    for r in served["routes"].as_array().into_iter().flatten() {
        let auth = r["authorizer"]
            .as_str()
            .map(|a| format!("  [JWT: {a}]"))
            .unwrap_or_default();
        println!(
            "  {:<40} -> {}{auth}",
            r["route"].as_str().unwrap_or(""),
            r["function"].as_str().unwrap_or("")
        );
    }
    println!("Queues polled:");
    let polled = served["queues"].as_array().map(Vec::len).unwrap_or(0);
    for q in served["queues"].as_array().into_iter().flatten() {
        println!(
            "  {} -> {} (batch {})",
            q["queue"].as_str().unwrap_or(""),
            q["function"].as_str().unwrap_or(""),
            q["batch_size"]
        );
    }
    if polled == 0 {
        println!("  (none yet)");
    }
    println!("Schedules (fire now with POST {base_url}/_local/schedules/<FunctionLogicalId>):");
    let scheduled = served["schedules"].as_array().map(Vec::len).unwrap_or(0);
    for s in served["schedules"].as_array().into_iter().flatten() {
        println!(
            "  {} {} -> {}",
            s["event"].as_str().unwrap_or(""),
            s["expression"].as_str().unwrap_or(""),
            s["function"].as_str().unwrap_or("")
        );
    }
    if scheduled == 0 {
        println!("  (none yet)");
    }
    println!("Tables:");
    for (logical, name) in &provisioned.tables {
        println!("  {logical}: {name}");
    }
    println!("Queues:");
    for (logical, q) in &provisioned.queues {
        println!("  {logical}: {}", q.url);
    }
    println!(
        "SES identities: {}",
        provisioned.email_identities.join(", ")
    );
    println!(
        "Emulators: DynamoDB {}  SQS/SES {}  (SES store: {}/moto-api/data.json)",
        env["AWS_ENDPOINT_URL_DYNAMODB"], env["AWS_ENDPOINT_URL_SQS"], env["AWS_ENDPOINT_URL_SES"]
    );
    println!("\nA staff token: make token    Stop: Ctrl-C\n");
}

async fn wait_for_stop() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
