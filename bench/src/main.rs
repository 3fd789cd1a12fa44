//! `loadgen`: drives an already running medgraph server over loopback HTTP with a fixed set of
//! requests ("scenarios") and reports throughput, latency percentiles, errors and the server's
//! memory use. Every request loop is bounded by time, so a run always stops by itself.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::ToSocketAddrs;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use clap::Parser;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Scenarios: one fixed request each. Add a benchmark by adding one line to `SCENARIOS`.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Get,
    Post,
}

impl Verb {
    fn method(self) -> Method {
        match self {
            Verb::Get => Method::GET,
            Verb::Post => Method::POST,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
        }
    }
}

/// Variable of the session token (`--token`): the login scenarios' bearer token.
const TOKEN: &str = "TOKEN";
/// Variable of the consultant's session token (`--consultant-token`).
const CONSULTANT_TOKEN: &str = "CONSULTANT_TOKEN";
/// Variable of the consultant's user id (`--consultant-id`): the counselling dialect's `userID`.
const CONSULTANT_ID: &str = "CONSULTANT_ID";

/// Who a scenario's request is sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    /// No `Authorization` header.
    Anonymous,
    /// `Authorization: Bearer <value of this variable>`; skipped when it is not set.
    Bearer(&'static str),
}

/// A fixed request. A `body` is sent as `content-type: application/json`. `{{NAME}}` in the
/// path or the body is replaced by the variable `NAME` (see `--var`); a scenario naming a
/// variable that is not set is skipped, and so is a `Bearer` one without its token.
#[derive(Debug, Clone, Copy)]
struct Scenario {
    name: &'static str,
    verb: Verb,
    path: &'static str,
    body: Option<&'static str>,
    auth: Auth,
    /// JSON pointer that the checked answer must hold: not null, and not empty when an array
    /// (e.g. `/data/data/19`: a full page of 20).
    expect: Option<&'static str>,
}

impl Scenario {
    /// The same scenario, whose checked answer must hold `pointer`.
    const fn expecting(self, pointer: &'static str) -> Scenario {
        Scenario {
            expect: Some(pointer),
            ..self
        }
    }
}

/// The same scenario, sent with the session token (`--token`).
const fn authed(scenario: Scenario) -> Scenario {
    Scenario {
        auth: Auth::Bearer(TOKEN),
        ..scenario
    }
}

/// The same scenario, sent with the consultant's session token (`--consultant-token`).
const fn as_consultant(scenario: Scenario) -> Scenario {
    Scenario {
        auth: Auth::Bearer(CONSULTANT_TOKEN),
        ..scenario
    }
}

const fn get(name: &'static str, path: &'static str) -> Scenario {
    Scenario {
        name,
        verb: Verb::Get,
        path,
        body: None,
        auth: Auth::Anonymous,
        expect: None,
    }
}

const fn post_json(name: &'static str, path: &'static str, body: &'static str) -> Scenario {
    Scenario {
        name,
        verb: Verb::Post,
        path,
        body: Some(body),
        auth: Auth::Anonymous,
        expect: None,
    }
}

/// Every known scenario, run in this order when no `--scenario` is given.
const SCENARIOS: &[Scenario] = &[
    post_json(
        "graphql-trivial",
        "/graphql",
        r#"{"query":"{ __typename }"}"#,
    ),
    get("rest-city", "/city?parent_id=0"),
    post_json(
        "graphql-city",
        "/graphql",
        r#"{"query":"query { regions(parentCode: 0, first: 100) { nodes { id: code parent_id: parentCode name short_name: shortName pinyin sort } } }"}"#,
    ),
    // 杭州市, percent-encoded.
    get(
        "rest-districts",
        "/area/city?name=%E6%9D%AD%E5%B7%9E%E5%B8%82",
    ),
    // Identity: a token resolved on every request, then the caller's profile.
    authed(post_json(
        "graphql-me",
        "/graphql",
        r#"{"query":"{ me { id username displayName phone roles doctorProfile { department position score } } }"}"#,
    )),
    authed(get("rest-volunteer-user", "/user")),
    get(
        "rest-medassist-doctors",
        "/api/user/queryDoctorInformation?page=1&pageSize=20",
    ),
    // Free clinics: the public list (most popular first) and one clinic's detail (the demo
    // doctor's clinic running today is id 2), each with hospital, doctor and time slots.
    get("rest-volunteer-clinics", "/project?sort=3&page_size=20").expecting("/data/list/0"),
    // CLINIC_ID is an upcoming bulk clinic with the most slots (`seed --bulk-clinics`).
    get("rest-volunteer-clinic", "/project/{{CLINIC_ID}}").expecting("/data/plan_time"),
    // Home care: the demo doctor's inquiry list (a page of 20 with patient and physician).
    authed(get(
        "rest-medassist-physician-inquiries",
        "/api/inquiry/queryPhysicianInquiryRecord?isInquiry=0&page=1&pageSize=20",
    )),
    authed(post_json(
        "graphql-physician-inquiries",
        "/graphql",
        r#"{"query":"{ inquiries(scope: PHYSICIAN, first: 20) { totalCount nodes { legacyId kind detail reservedPhone appointmentAt state createdAt updatedAt patient { uuid username displayName realName phone roles } physician { uuid username displayName doctorProfile { hospitalName department position } } } } }"}"#,
    )),
    // Counselling: the consultant's orders and dashboard (run.sh seeds 100,000 orders). The
    // legacy dialect authenticates with userID + token in the body.
    post_json(
        "rest-counseling-orders",
        "/api/consultant/orders",
        r#"{"userID":{{CONSULTANT_ID}},"token":"{{CONSULTANT_TOKEN}}","page":1,"pageSize":"20"}"#,
    )
    .expecting("/data/data/19"),
    post_json(
        "rest-counseling-orders-filtered",
        "/api/consultant/orders",
        r#"{"userID":{{CONSULTANT_ID}},"token":"{{CONSULTANT_TOKEN}}","page":1,"pageSize":"20","name":"王","date_start":"{{DATE_180_DAYS_AGO}}","date_end":"{{DATE_TODAY}}","status":"已结束"}"#,
    )
    .expecting("/data/data/0"),
    post_json(
        "rest-counseling-dashboard-today",
        "/api/consultant/dashboard/today-transactions",
        r#"{"userID":{{CONSULTANT_ID}},"token":"{{CONSULTANT_TOKEN}}"}"#,
    )
    .expecting("/data/count"),
    post_json(
        "rest-counseling-dashboard-category",
        "/api/consultant/dashboard/category-data",
        r#"{"userID":{{CONSULTANT_ID}},"token":"{{CONSULTANT_TOKEN}}"}"#,
    )
    .expecting("/data/online"),
    post_json(
        "rest-counseling-dashboard-yearly",
        "/api/consultant/dashboard/yearly-consultations",
        r#"{"userID":{{CONSULTANT_ID}},"token":"{{CONSULTANT_TOKEN}}"}"#,
    )
    .expecting("/data/data/11"),
    post_json(
        "rest-counseling-dashboard-time-slot",
        "/api/consultant/dashboard/time-slot-data",
        r#"{"userID":{{CONSULTANT_ID}},"token":"{{CONSULTANT_TOKEN}}"}"#,
    )
    .expecting("/data/timeSlots/0"),
    post_json(
        "rest-counseling-dashboard-gender",
        "/api/consultant/dashboard/gender-data",
        r#"{"userID":{{CONSULTANT_ID}},"token":"{{CONSULTANT_TOKEN}}"}"#,
    )
    .expecting("/data/male"),
    post_json(
        "rest-counseling-dashboard-age",
        "/api/consultant/dashboard/age-data",
        r#"{"userID":{{CONSULTANT_ID}},"token":"{{CONSULTANT_TOKEN}}"}"#,
    )
    .expecting("/data/values/5"),
    as_consultant(post_json(
        "graphql-consultations",
        "/graphql",
        r#"{"query":"{ consultations(scope: CONSULTANT, first: 20) { totalCount nodes { id legacyId orderNo clientName clientAge clientGender contact kind date timeSlot keywords amountCents state committedAt committedAtLocal finishedAtLocal } } }"}"#,
    ))
    .expecting("/data/consultations/nodes/19"),
    as_consultant(post_json(
        "graphql-consultation-dashboard",
        "/graphql",
        r#"{"query":"{ consultationDashboard { today { count amountCents } kinds { online offline } year { total months } timeSlots { hour appointments } genders { male female undisclosed } ageBands { band clients } } }"}"#,
    ))
    .expecting("/data/consultationDashboard/ageBands/5"),
    // Community: over `seed --bulk-community` data (run.sh: 10,000 users, ~50,000 posts).
    // POSTER_ID is the bulk user with 20 posts, each with 10 floors.
    post_json(
        "rest-forum-user-posts",
        "/api/UserInfo/fetchUserPosts",
        r#"{"user_id":{{POSTER_ID}}}"#,
    )
    .expecting("/data/post_list/19"),
    // The GraphQL document `fetchUserPosts` runs (src/rest/forum/ops/community_user_posts.graphql)
    // with the variables the route gives it: the REST dialect's cost is the difference.
    post_json(
        "graphql-forum-user-posts",
        "/graphql",
        r#"{"query": "query ForumUserPosts($authorId: ID, $mine: Boolean!, $first: Int, $after: String) { posts(filter: { authorId: $authorId, byMe: $mine }, first: $first, after: $after) { totalCount nodes { legacyId title tags coverUrl likeCount coinCount likedByMe coinedByMe firstComment { legacyId } author { username displayName avatarUrl } } } }", "variables": {"authorId": "{{POSTER_GID}}", "mine": false, "first": 100}}"#,
    )
    .expecting("/data/posts/nodes/19"),
    authed(post_json(
        "rest-forum-user-posts-authed",
        "/api/UserInfo/fetchUserPosts",
        r#"{"user_id":{{POSTER_ID}}}"#,
    ))
    .expecting("/data/post_list/19"),
    get("rest-social-users", "/api/v2/users?limit=20").expecting("/19/id"),
    get(
        "rest-social-users-active",
        "/api/v2/users?active=1&offset=0&limit=20",
    )
    .expecting("/19/id"),
    get("rest-social-user", "/api/v2/users/{{POSTER_ID}}").expecting("/id"),
    authed(post_json(
        "graphql-posts",
        "/graphql",
        r#"{"query":"{ posts(first: 20) { totalCount nodes { legacyId title tags coverUrl likeCount commentCount coinCount likedByMe coinedByMe createdAt author { username displayName avatarUrl } comments(first: 10) { totalCount nodes { floor body isDeleted createdAt author { username displayName avatarUrl } } } } } }"}"#,
    ))
    .expecting("/data/posts/nodes/19/author"),
];

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

/// Loopback load generator for the medgraph server.
#[derive(Debug, Parser)]
#[command(name = "loadgen", version, about)]
struct Args {
    /// Base URL of the running server; only 127.0.0.1, localhost and [::1] are accepted.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Measured seconds per scenario.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Concurrent request loops (each keeps one request in flight).
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Unmeasured seconds per scenario before the measurement starts.
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Server process id: report its peak RSS (VmHWM) and current RSS (VmRSS).
    #[arg(long)]
    pid: Option<u32>,
    /// Scenario to run (repeatable, or comma-separated); all of them when absent.
    #[arg(long = "scenario", value_name = "NAME", value_delimiter = ',')]
    scenarios: Vec<String>,
    /// Extra request header "Name: value" sent with every request (repeatable).
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Session token for the scenarios that need a login (skipped without one); the variable
    /// TOKEN.
    #[arg(long)]
    token: Option<String>,
    /// Session token of a consultant for the counselling scenarios (skipped without one); the
    /// variable CONSULTANT_TOKEN.
    #[arg(long, value_name = "TOKEN")]
    consultant_token: Option<String>,
    /// That consultant's user id (the counselling dialect's userID); the variable
    /// CONSULTANT_ID.
    #[arg(long, value_name = "ID")]
    consultant_id: Option<u64>,
    /// A variable for `{{NAME}}` placeholders in scenario paths and bodies (repeatable; wins
    /// over the flags above and the built-in DATE_TODAY and DATE_180_DAYS_AGO, UTC dates).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Print results as JSON lines instead of a table.
    #[arg(long)]
    json: bool,
    /// Also write the JSON lines to this file (the table still goes to stdout).
    #[arg(long, value_name = "PATH")]
    json_out: Option<std::path::PathBuf>,
    /// Seconds before a single request counts as a transport error.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// Worker threads of the load generator (the server competes for the same cores).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Before starting, wait up to this many seconds for GET <url><ready-path> to answer 200.
    #[arg(long, value_name = "SECS")]
    wait_ready: Option<f64>,
    /// Path polled by --wait-ready.
    #[arg(long, default_value = "/readyz")]
    ready_path: String,
    /// Exit with status 1 when any scenario saw an error.
    #[arg(long)]
    strict: bool,
    /// List the scenarios and exit.
    #[arg(long)]
    list: bool,
}

fn secs(name: &str, value: f64, min: f64, max: f64) -> Result<Duration> {
    if !value.is_finite() || value < min || value > max {
        bail!("--{name} must be between {min} and {max} seconds, got {value}");
    }
    Ok(Duration::from_secs_f64(value))
}

/// Checks that `url` is plain HTTP to a loopback host and returns it without a trailing slash.
fn loopback_base(url: &str) -> Result<String> {
    let uri: Uri = url
        .parse()
        .with_context(|| format!("--url {url:?} is not a valid URL"))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some(other) => bail!("--url: only http:// is supported, got {other}://"),
        None => bail!("--url {url:?} needs a scheme, e.g. http://127.0.0.1:8080"),
    }
    let host = uri
        .host()
        .ok_or_else(|| anyhow!("--url {url:?} has no host"))?;
    let allowed = ["127.0.0.1", "localhost", "[::1]", "::1"];
    if !allowed.iter().any(|a| host.eq_ignore_ascii_case(a)) {
        bail!(
            "refusing non-loopback target {host:?}: only 127.0.0.1, localhost and [::1] are allowed"
        );
    }
    // Make sure the name really resolves to loopback only (e.g. an odd /etc/hosts).
    let port = uri.port_u16().unwrap_or(80);
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<_> = (bare, port)
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve {host}"))?
        .collect();
    if addrs.is_empty() || addrs.iter().any(|a| !a.ip().is_loopback()) {
        bail!("refusing {host:?}: it resolves to non-loopback addresses {addrs:?}");
    }
    if uri.query().is_some() {
        bail!("--url must not have a query string");
    }
    Ok(url.trim_end_matches('/').to_string())
}

fn parse_headers(raw: &[String]) -> Result<HeaderMap> {
    let mut map = HeaderMap::new();
    for h in raw {
        let (name, value) = h
            .split_once(':')
            .ok_or_else(|| anyhow!("--header {h:?} must look like \"Name: value\""))?;
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .with_context(|| format!("--header {h:?}: bad header name"))?;
        let value = HeaderValue::from_str(value.trim())
            .with_context(|| format!("--header {h:?}: bad header value"))?;
        map.append(name, value);
    }
    Ok(map)
}

fn select_scenarios(names: &[String]) -> Result<Vec<Scenario>> {
    if names.is_empty() {
        return Ok(SCENARIOS.to_vec());
    }
    names
        .iter()
        .map(|n| {
            SCENARIOS
                .iter()
                .find(|s| s.name == n.trim())
                .copied()
                .ok_or_else(|| {
                    let known: Vec<_> = SCENARIOS.iter().map(|s| s.name).collect();
                    anyhow!("unknown scenario {n:?}; known: {}", known.join(", "))
                })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Variables: `{{NAME}}` placeholders of paths and bodies
// ---------------------------------------------------------------------------------------------

/// Year, month and day `days` after 1970-01-01 (proleptic Gregorian; H. Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Today's UTC date minus `days_ago` days, `YYYY-MM-DD`.
fn utc_date(days_ago: i64) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let today = i64::try_from(secs / 86_400).unwrap_or(0);
    let (year, month, day) = civil_from_days(today - days_ago);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The variables: built-in dates, then the token and consultant flags, then `--var`s.
fn build_vars(args: &Args) -> Result<BTreeMap<String, String>> {
    let mut vars = BTreeMap::new();
    vars.insert("DATE_TODAY".to_owned(), utc_date(0));
    vars.insert("DATE_180_DAYS_AGO".to_owned(), utc_date(180));
    if let Some(token) = &args.token {
        vars.insert(TOKEN.to_owned(), token.clone());
    }
    if let Some(token) = &args.consultant_token {
        vars.insert(CONSULTANT_TOKEN.to_owned(), token.clone());
    }
    if let Some(id) = args.consultant_id {
        vars.insert(CONSULTANT_ID.to_owned(), id.to_string());
    }
    for raw in &args.vars {
        let (name, value) = raw
            .split_once('=')
            .ok_or_else(|| anyhow!("--var {raw:?} must look like NAME=VALUE"))?;
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            bail!("--var {raw:?}: the name is letters, digits and _");
        }
        vars.insert(name.to_owned(), value.to_owned());
    }
    for (name, value) in &vars {
        // Values go into JSON strings and URLs as they are.
        if value
            .chars()
            .any(|c| c == '"' || c == '\\' || c.is_control())
            || value.contains("{{")
        {
            bail!(
                "variable {name}: quotes, backslashes, control characters and {{{{ are not allowed"
            );
        }
    }
    Ok(vars)
}

/// `template` with every `{{NAME}}` replaced; `Err(NAME)` for the first unset variable.
fn fill(template: &str, vars: &BTreeMap<String, String>) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let name = &after[..end];
        out.push_str(vars.get(name).ok_or_else(|| name.to_owned())?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The flag that sets variable `name`.
fn flag_for(name: &str) -> String {
    match name {
        TOKEN => "--token".to_owned(),
        CONSULTANT_TOKEN => "--consultant-token".to_owned(),
        CONSULTANT_ID => "--consultant-id".to_owned(),
        other => format!("--var {other}=…"),
    }
}

// ---------------------------------------------------------------------------------------------
// Server process memory (/proc/PID/status)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
struct ProcMem {
    /// VmHWM: peak resident set size, KiB.
    peak_kib: u64,
    /// VmRSS: current resident set size, KiB.
    rss_kib: u64,
}

fn read_proc_mem(pid: u32) -> Result<ProcMem> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("server pid {pid} is not running (cannot read {path})"))?;
    let mut peak = None;
    let mut rss = None;
    for line in text.lines() {
        let Some((key, rest)) = line.split_once(':') else {
            continue;
        };
        let rest = rest.trim();
        match key {
            "State" if rest.starts_with('Z') || rest.starts_with('X') => {
                bail!("server pid {pid} has exited (state {rest})")
            }
            "VmHWM" | "VmRSS" => {
                let kib: u64 = rest
                    .trim_end_matches("kB")
                    .trim()
                    .parse()
                    .with_context(|| format!("cannot parse {key} in {path}: {rest:?}"))?;
                if key == "VmHWM" {
                    peak = Some(kib);
                } else {
                    rss = Some(kib);
                }
            }
            _ => {}
        }
    }
    match (peak, rss) {
        (Some(peak_kib), Some(rss_kib)) => Ok(ProcMem { peak_kib, rss_kib }),
        _ => bail!("{path} has no VmHWM/VmRSS (kernel thread or exited process?)"),
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

// ---------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// Everything needed to issue one scenario's request again and again.
#[derive(Clone)]
struct RequestTemplate {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

impl RequestTemplate {
    /// `path` and `body` are the scenario's, their variables filled in.
    fn new(
        base: &str,
        scenario: &Scenario,
        path: &str,
        body: Option<String>,
        extra: &HeaderMap,
    ) -> Result<Self> {
        let uri: Uri = format!("{base}{path}")
            .parse()
            .with_context(|| format!("scenario {}: bad path {path:?}", scenario.name))?;
        let mut headers = extra.clone();
        if body.is_some() && !headers.contains_key(CONTENT_TYPE) {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        Ok(Self {
            method: scenario.verb.method(),
            uri,
            headers,
            body: Bytes::from(body.unwrap_or_default()),
        })
    }

    fn build(&self) -> Request<Full<Bytes>> {
        let mut req = Request::new(Full::new(self.body.clone()));
        *req.method_mut() = self.method.clone();
        *req.uri_mut() = self.uri.clone();
        *req.headers_mut() = self.headers.clone();
        req
    }
}

/// `outer: inner: innermost`, since hyper's errors keep the useful part in their sources.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let _ = write!(out, ": {s}");
        source = s.source();
    }
    out
}

enum Outcome {
    Response { status: StatusCode, body: Bytes },
    Transport(String),
}

async fn send(client: &HttpClient, req: Request<Full<Bytes>>, timeout: Duration) -> Outcome {
    let exchange = async {
        let resp = client.request(req).await.map_err(|e| error_chain(&e))?;
        let status = resp.status();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("reading body: {}", error_chain(&e)))?
            .to_bytes();
        Ok::<_, String>((status, body))
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(Ok((status, body))) => Outcome::Response { status, body },
        Ok(Err(e)) => Outcome::Transport(e),
        Err(_) => Outcome::Transport(format!("timed out after {timeout:?}")),
    }
}

/// Microseconds, 1 µs .. 10 min, 3 significant digits.
fn new_histogram() -> Result<Histogram<u64>> {
    Histogram::new_with_bounds(1, 600_000_000, 3).map_err(|e| anyhow!("histogram: {e:?}"))
}

struct PhaseStats {
    /// Latencies of 2xx responses, µs.
    hist: Histogram<u64>,
    ok: u64,
    /// 2xx responses that completed before the deadline (the basis of req/s).
    ok_in_window: u64,
    ok_bytes: u64,
    non_2xx: u64,
    transport: u64,
    /// 2xx responses carrying an application error (see `app_error`).
    app: u64,
    statuses: BTreeMap<u16, u64>,
    first_error: Option<String>,
    /// The measurement window (`--duration`).
    window: Duration,
    /// Until the last in-flight request finished.
    elapsed: Duration,
}

impl PhaseStats {
    fn new() -> Result<Self> {
        Ok(Self {
            hist: new_histogram()?,
            ok: 0,
            ok_in_window: 0,
            ok_bytes: 0,
            non_2xx: 0,
            transport: 0,
            app: 0,
            statuses: BTreeMap::new(),
            first_error: None,
            window: Duration::ZERO,
            elapsed: Duration::ZERO,
        })
    }

    fn merge(&mut self, other: PhaseStats) -> Result<()> {
        self.hist
            .add(&other.hist)
            .map_err(|e| anyhow!("histogram merge: {e:?}"))?;
        self.ok += other.ok;
        self.ok_in_window += other.ok_in_window;
        self.ok_bytes += other.ok_bytes;
        self.non_2xx += other.non_2xx;
        self.transport += other.transport;
        self.app += other.app;
        for (code, n) in other.statuses {
            *self.statuses.entry(code).or_default() += n;
        }
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        Ok(())
    }

    fn errors(&self) -> u64 {
        self.non_2xx + self.transport + self.app
    }
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// One request loop: keeps a request in flight until `deadline`.
async fn worker(
    client: HttpClient,
    template: RequestTemplate,
    deadline: Instant,
    timeout: Duration,
) -> Result<PhaseStats> {
    let mut stats = PhaseStats::new()?;
    while Instant::now() < deadline {
        let started = Instant::now();
        match send(&client, template.build(), timeout).await {
            Outcome::Response { status, body } if status.is_success() => {
                let finished = Instant::now();
                if let Some(e) = app_error(&body) {
                    stats.app += 1;
                    if stats.first_error.is_none() {
                        stats.first_error = Some(format!("HTTP {status} with {e}"));
                    }
                    continue;
                }
                let micros = u64::try_from((finished - started).as_micros()).unwrap_or(u64::MAX);
                if finished <= deadline {
                    stats.ok_in_window += 1;
                }
                stats.hist.saturating_record(micros.max(1));
                stats.ok += 1;
                stats.ok_bytes += body.len() as u64;
            }
            Outcome::Response { status, body } => {
                stats.non_2xx += 1;
                *stats.statuses.entry(status.as_u16()).or_default() += 1;
                if stats.first_error.is_none() {
                    stats.first_error = Some(format!("HTTP {status}: {}", snippet(&body)));
                }
            }
            Outcome::Transport(e) => {
                stats.transport += 1;
                if stats.first_error.is_none() {
                    stats.first_error = Some(format!("transport: {e}"));
                }
                // Do not spin on a refused connection.
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    Ok(stats)
}

async fn run_phase(
    client: &HttpClient,
    template: &RequestTemplate,
    concurrency: usize,
    duration: Duration,
    timeout: Duration,
) -> Result<PhaseStats> {
    let start = Instant::now();
    let deadline = start + duration;
    let handles: Vec<_> = (0..concurrency)
        .map(|_| tokio::spawn(worker(client.clone(), template.clone(), deadline, timeout)))
        .collect();
    let mut total = PhaseStats::new()?;
    for h in handles {
        total.merge(h.await.context("request loop panicked")??)?;
    }
    total.elapsed = start.elapsed();
    total.window = duration;
    Ok(total)
}

/// The top-level fields of an answer that tell the application errors a 200 hides; the rest
/// (`data`) is skipped without being built.
#[derive(Deserialize)]
struct Envelope {
    /// GraphQL.
    errors: Option<Value>,
    /// Volunteer dialect: 0 on success.
    error_code: Option<Value>,
    /// Counselling and medassist dialects: 0 on success.
    code: Option<Value>,
    /// Forum dialect: 200 on success.
    #[serde(rename = "errorCode")]
    forum_code: Option<Value>,
}

/// The application error a 2xx answer carries, if any: not JSON, a non-empty GraphQL
/// `errors`, a REST `error_code` or `code` other than 0, a forum `errorCode` other than 200.
/// Checked on every answer.
fn app_error(body: &[u8]) -> Option<String> {
    let not_json = || Some(format!("response is not JSON: {}", snippet(body)));
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return match serde_json::from_slice::<IgnoredAny>(body) {
            Ok(_) => None,
            Err(_) => not_json(),
        };
    }
    let Ok(envelope) = serde_json::from_slice::<Envelope>(body) else {
        return not_json();
    };
    if let Some(errors) = envelope.errors.as_ref().and_then(Value::as_array)
        && !errors.is_empty()
    {
        return Some(format!(
            "GraphQL errors: {}",
            snippet(Value::Array(errors.clone()).to_string().as_bytes())
        ));
    }
    if let Some(code) = envelope.error_code
        && code.as_i64() != Some(0)
    {
        return Some(format!("error_code {code}: {}", snippet(body)));
    }
    if let Some(code) = envelope.code
        && code.as_i64() != Some(0)
    {
        return Some(format!("code {code}: {}", snippet(body)));
    }
    if let Some(code) = envelope.forum_code
        && code.as_i64() != Some(200)
    {
        return Some(format!("errorCode {code}: {}", snippet(body)));
    }
    None
}

/// One request before the run, whose answer is checked for application-level errors that a
/// 200 status hides (see `app_error`) and, with `expect`, for that JSON pointer (not null,
/// not an empty array). `None` when it looks fine.
async fn preflight(
    client: &HttpClient,
    template: &RequestTemplate,
    expect: Option<&str>,
    timeout: Duration,
) -> Option<String> {
    match send(client, template.build(), timeout).await {
        Outcome::Transport(e) => Some(format!("transport: {e}")),
        Outcome::Response { status, body } if !status.is_success() => {
            Some(format!("HTTP {status}: {}", snippet(&body)))
        }
        Outcome::Response { body, .. } => {
            if let Some(e) = app_error(&body) {
                return Some(e);
            }
            let pointer = expect?;
            let value = serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null);
            match value.pointer(pointer) {
                None | Some(Value::Null) => {
                    Some(format!("{pointer} is missing or null: {}", snippet(&body)))
                }
                Some(Value::Array(items)) if items.is_empty() => {
                    Some(format!("{pointer} is empty: {}", snippet(&body)))
                }
                Some(_) => None,
            }
        }
    }
}

async fn wait_ready(
    client: &HttpClient,
    base: &str,
    path: &str,
    limit: Duration,
    pid: Option<u32>,
) -> Result<()> {
    let uri: Uri = format!("{base}{path}")
        .parse()
        .with_context(|| format!("bad --ready-path {path:?}"))?;
    let start = Instant::now();
    let mut last = String::from("no attempt");
    while start.elapsed() < limit {
        if let Some(pid) = pid {
            read_proc_mem(pid)?;
        }
        let mut req = Request::new(Full::new(Bytes::new()));
        *req.uri_mut() = uri.clone();
        match send(client, req, Duration::from_secs(2)).await {
            Outcome::Response { status, .. } if status == StatusCode::OK => {
                eprintln!("server ready after {:.1}s", start.elapsed().as_secs_f64());
                return Ok(());
            }
            Outcome::Response { status, .. } => last = format!("HTTP {status}"),
            Outcome::Transport(e) => last = e,
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("{uri} did not answer 200 within {limit:?} (last: {last})")
}

// ---------------------------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------------------------

struct ScenarioResult {
    scenario: Scenario,
    stats: PhaseStats,
    preflight: Option<String>,
    rss_after: Option<ProcMem>,
}

impl ScenarioResult {
    fn rps(&self) -> f64 {
        let secs = self.stats.window.as_secs_f64();
        if secs > 0.0 {
            self.stats.ok_in_window as f64 / secs
        } else {
            0.0
        }
    }

    fn ms(&self, quantile: f64) -> f64 {
        if self.stats.hist.is_empty() {
            return 0.0;
        }
        self.stats.hist.value_at_quantile(quantile) as f64 / 1000.0
    }

    fn max_ms(&self) -> f64 {
        self.stats.hist.max() as f64 / 1000.0
    }

    fn has_errors(&self) -> bool {
        self.stats.errors() > 0 || self.preflight.is_some() || self.stats.ok == 0
    }

    fn errors_cell(&self) -> String {
        let s = &self.stats;
        let mut cell = s.errors().to_string();
        if s.errors() > 0 {
            let mut parts = Vec::new();
            if s.non_2xx > 0 {
                let codes: Vec<_> = s.statuses.iter().map(|(c, n)| format!("{c}x{n}")).collect();
                parts.push(format!("non-2xx {} [{}]", s.non_2xx, codes.join(" ")));
            }
            if s.transport > 0 {
                parts.push(format!("transport {}", s.transport));
            }
            if s.app > 0 {
                parts.push(format!("app {}", s.app));
            }
            let _ = write!(cell, " ({})", parts.join(", "));
        }
        if self.preflight.is_some() {
            cell.push_str(" !check");
        }
        if s.ok == 0 {
            cell.push_str(" !no-success");
        }
        cell
    }

    fn json(&self, concurrency: usize) -> Value {
        let s = &self.stats;
        let statuses: serde_json::Map<String, Value> = s
            .statuses
            .iter()
            .map(|(c, n)| (c.to_string(), json!(n)))
            .collect();
        json!({
            "type": "scenario",
            "scenario": self.scenario.name,
            "method": self.scenario.verb.as_str(),
            "path": self.scenario.path,
            "concurrency": concurrency,
            "window_s": s.window.as_secs_f64(),
            "elapsed_s": s.elapsed.as_secs_f64(),
            "requests": s.ok,
            "requests_in_window": s.ok_in_window,
            "rps": self.rps(),
            "mean_ms": if s.hist.is_empty() { 0.0 } else { s.hist.mean() / 1000.0 },
            "p50_ms": self.ms(0.50),
            "p90_ms": self.ms(0.90),
            "p99_ms": self.ms(0.99),
            "max_ms": self.max_ms(),
            "bytes_per_response": s.ok_bytes.checked_div(s.ok).unwrap_or(0),
            "errors": s.errors(),
            "non_2xx": s.non_2xx,
            "transport_errors": s.transport,
            "app_errors": s.app,
            "status_counts": statuses,
            "first_error": s.first_error,
            "check_failed": self.preflight,
            "server_rss_mib_after": self.rss_after.map(|m| mib(m.rss_kib)),
        })
    }
}

fn print_table(results: &[ScenarioResult]) {
    let width = results
        .iter()
        .map(|r| r.scenario.name.len())
        .max()
        .unwrap_or(8)
        .max(8);
    println!(
        "{:<width$}  {:>9}  {:>10}  {:>8}  {:>8}  {:>8}  errors",
        "scenario", "requests", "req/s", "p50 ms", "p99 ms", "max ms"
    );
    for r in results {
        println!(
            "{:<width$}  {:>9}  {:>10.1}  {:>8.2}  {:>8.2}  {:>8.2}  {}",
            r.scenario.name,
            r.stats.ok,
            r.rps(),
            r.ms(0.50),
            r.ms(0.99),
            r.max_ms(),
            r.errors_cell()
        );
    }
    for r in results {
        if let Some(e) = &r.stats.first_error {
            println!("! {}: first error: {e}", r.scenario.name);
        }
        if let Some(c) = &r.preflight {
            println!("! {}: response check failed: {c}", r.scenario.name);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

fn main() -> ExitCode {
    match real_main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("loadgen: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn real_main() -> Result<ExitCode> {
    let args = Args::parse();
    if args.list {
        let width = SCENARIOS.iter().map(|s| s.name.len()).max().unwrap_or(18);
        for s in SCENARIOS {
            println!(
                "{:<width$} {:<4} {}{}",
                s.name,
                s.verb.as_str(),
                s.path,
                s.body.map(|b| format!("  {b}")).unwrap_or_default()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !(1..=10_000).contains(&args.concurrency) {
        bail!("--concurrency must be between 1 and 10000");
    }
    if !(1..=64).contains(&args.threads) {
        bail!("--threads must be between 1 and 64");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads)
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> Result<ExitCode> {
    let duration = secs("duration", args.duration, 0.1, 3600.0)?;
    let warmup = secs("warmup", args.warmup, 0.0, 600.0)?;
    let timeout = secs("timeout", args.timeout, 0.01, 600.0)?;
    let base = loopback_base(&args.url)?;
    let headers = parse_headers(&args.headers)?;
    let scenarios = select_scenarios(&args.scenarios)?;
    let vars = build_vars(&args)?;
    if !args.ready_path.starts_with('/') {
        bail!("--ready-path must start with '/'");
    }
    if let Some(pid) = args.pid {
        read_proc_mem(pid)?;
    }

    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    connector.enforce_http(true);
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(args.concurrency)
        .pool_idle_timeout(Duration::from_secs(30))
        .build(connector);

    if let Some(limit) = args.wait_ready {
        let limit = secs("wait-ready", limit, 0.0, 3600.0)?;
        wait_ready(&client, &base, &args.ready_path, limit, args.pid).await?;
    }

    if !args.json {
        println!(
            "target {base}  concurrency {}  duration {}s  warmup {}s  loadgen threads {}",
            args.concurrency, args.duration, args.warmup, args.threads
        );
    }

    let mut results = Vec::with_capacity(scenarios.len());
    let mut json_lines = Vec::with_capacity(scenarios.len() + 1);
    for scenario in scenarios {
        let mut headers = headers.clone();
        if let Auth::Bearer(var) = scenario.auth {
            let Some(token) = vars.get(var) else {
                eprintln!("== {}: skipped (needs {})", scenario.name, flag_for(var));
                continue;
            };
            headers.insert(
                hyper::header::AUTHORIZATION,
                HeaderValue::from_str(&format!("Bearer {token}"))
                    .with_context(|| format!("{} is not a valid header value", flag_for(var)))?,
            );
        }
        let filled = fill(scenario.path, &vars).and_then(|path| {
            let body = scenario.body.map(|b| fill(b, &vars)).transpose()?;
            Ok((path, body))
        });
        let (path, body) = match filled {
            Ok(filled) => filled,
            Err(var) => {
                eprintln!("== {}: skipped (needs {})", scenario.name, flag_for(&var));
                continue;
            }
        };
        let template = RequestTemplate::new(&base, &scenario, &path, body, &headers)?;
        eprintln!(
            "== {}: {} {} (warmup {:.1}s, measure {:.1}s, concurrency {})",
            scenario.name,
            scenario.verb.as_str(),
            scenario.path,
            warmup.as_secs_f64(),
            duration.as_secs_f64(),
            args.concurrency
        );
        let check = preflight(&client, &template, scenario.expect, timeout).await;
        if let Some(c) = &check {
            eprintln!("   response check failed: {c}");
        }
        if !warmup.is_zero() {
            run_phase(&client, &template, args.concurrency, warmup, timeout).await?;
        }
        let stats = run_phase(&client, &template, args.concurrency, duration, timeout).await?;
        let rss_after = match args.pid {
            Some(pid) => Some(read_proc_mem(pid).context("server died during the benchmark")?),
            None => None,
        };
        let result = ScenarioResult {
            scenario,
            stats,
            preflight: check,
            rss_after,
        };
        eprintln!(
            "   {} ok, {:.1} req/s, errors {}",
            result.stats.ok,
            result.rps(),
            result.errors_cell()
        );
        let line = result.json(args.concurrency).to_string();
        if args.json {
            println!("{line}");
        }
        json_lines.push(line);
        results.push(result);
    }

    let mem = match args.pid {
        Some(pid) => Some(read_proc_mem(pid).context("server died during the benchmark")?),
        None => None,
    };
    if let (Some(pid), Some(m)) = (args.pid, mem) {
        let line = json!({
            "type": "server_memory",
            "pid": pid,
            "peak_rss_mib": mib(m.peak_kib),
            "rss_mib": mib(m.rss_kib),
        })
        .to_string();
        if args.json {
            println!("{line}");
        }
        json_lines.push(line);
    }
    if let Some(path) = &args.json_out {
        let mut text = json_lines.join("\n");
        text.push('\n');
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if !args.json {
        print_table(&results);
        if let (Some(pid), Some(m)) = (args.pid, mem) {
            println!(
                "server pid {pid}: peak RSS (VmHWM) {:.1} MiB, current RSS (VmRSS) {:.1} MiB",
                mib(m.peak_kib),
                mib(m.rss_kib)
            );
        }
    }

    let failed: Vec<_> = results
        .iter()
        .filter(|r| r.has_errors())
        .map(|r| r.scenario.name)
        .collect();
    if !failed.is_empty() {
        eprintln!("scenarios with errors: {}", failed.join(", "));
        if args.strict {
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_or_named() {
        let mut vars = BTreeMap::new();
        vars.insert("A".to_owned(), "1".to_owned());
        vars.insert("B".to_owned(), "xy".to_owned());
        assert_eq!(
            fill(r#"{"a":{{A}},"b":"{{B}}"}"#, &vars),
            Ok(r#"{"a":1,"b":"xy"}"#.to_owned())
        );
        assert_eq!(fill("no {{C}} here", &vars), Err("C".to_owned()));
        assert_eq!(fill("open {{A", &vars), Ok("open {{A".to_owned()));
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_415), (2025, 11, 23));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn application_errors_are_seen() {
        assert_eq!(app_error(br#"{"data":{"me":null}}"#), None);
        assert_eq!(
            app_error(br#"{"code":0,"message":"success","data":{"code":3}}"#),
            None
        );
        assert_eq!(app_error(br#"[1,2]"#), None);
        assert!(app_error(br#"{"code":401,"message":"login required","data":null}"#).is_some());
        assert!(app_error(br#"{"data":null,"errors":[{"message":"x"}]}"#).is_some());
        assert!(app_error(br#"{"error_code":400,"data":null}"#).is_some());
        assert_eq!(app_error(br#"{"errorCode":200,"data":{}}"#), None);
        assert!(app_error(br#"{"errorCode":118,"data":null}"#).is_some());
        assert!(app_error(b"<html>").is_some());
        // Every scenario's body is JSON once its variables are filled.
        let vars: BTreeMap<String, String> = [
            "TOKEN",
            "CONSULTANT_TOKEN",
            "CONSULTANT_ID",
            "DATE_TODAY",
            "DATE_180_DAYS_AGO",
            "POSTER_ID",
            "POSTER_GID",
        ]
        .into_iter()
        .map(|n| (n.to_owned(), "7".to_owned()))
        .collect();
        for s in SCENARIOS {
            if let Some(body) = s.body {
                let body = fill(body, &vars).expect("variables known");
                assert!(
                    serde_json::from_str::<Value>(&body).is_ok(),
                    "{}: {body}",
                    s.name
                );
            }
        }
    }
}
