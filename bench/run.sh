#!/usr/bin/env bash
# Load benchmark of the medgraph server on loopback, once per database backend.
#
#   bash bench/run.sh
#
# Builds the server and bench/loadgen, then for each database (sqlite, postgres) starts a fresh
# server on 127.0.0.1:$BENCH_PORT, waits for /readyz, runs loadgen against it, stops it with
# SIGTERM and writes bench/results/<db>.txt (table) and <db>.jsonl (JSON lines).
#
# Environment (all optional):
#   BENCH_DBS          databases to run, default "sqlite postgres"
#   BENCH_PG_URL       default postgres://postgres@127.0.0.1:5432/medgraph_bench (dropped and
#                      recreated on every run)
#   BENCH_PG_ADMIN     psql connection used to drop/create it,
#                      default "host=127.0.0.1 user=postgres dbname=test"
#   BENCH_PORT         default 18080
#   BENCH_DURATION     seconds per scenario, default 10
#   BENCH_WARMUP       seconds per scenario, default 2
#   BENCH_CONCURRENCY  default 32
#   BENCH_SCENARIOS    comma-separated scenario names, default all
#   BENCH_HEADER       one extra request header "Name: value", e.g. "Authorization: Bearer T"
#   BENCH_LOADGEN_ARGS extra loadgen arguments, split on whitespace, e.g. "--threads 2"
#   BENCH_SKIP_BUILD=1 use the binaries already built
#   BENCH_SERVER       server binary to run instead of target/release/medgraph (not built)
#   CARGO_TARGET_DIR   honoured by both builds: the binaries are then looked for there
#   BENCH_CONSULTATIONS consultation orders made for demo-consultant before the server starts
#                      (`medgraph seed --demo --bulk-consultations N`), default 100000; only when
#                      a counselling scenario is selected (BENCH_SCENARIOS empty, or naming a
#                      scenario with "counseling" or "consultation")
#   BENCH_COMMUNITY_USERS community users made before the server starts
#                      (`medgraph seed --demo --bulk-community N`), default 10000; only when a
#                      community scenario is selected (BENCH_SCENARIOS empty, or naming a
#                      scenario with "forum", "social" or "posts")
#   BENCH_CLINICS      free clinics made before the server starts
#                      (`medgraph seed --demo --bulk-clinics N`), default 5000; only when a
#                      free-clinic scenario is selected (BENCH_SCENARIOS empty, or naming a
#                      scenario with "volunteer-clinic")
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
# Both builds honour CARGO_TARGET_DIR (default: target/ of each project).
SERVER="${BENCH_SERVER:-${CARGO_TARGET_DIR:-$ROOT/target}/release/medgraph}"
LOADGEN="${CARGO_TARGET_DIR:-$BENCH_DIR/target}/release/loadgen"
RESULTS="$BENCH_DIR/results"

DBS="${BENCH_DBS:-sqlite postgres}"
PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/medgraph_bench}"
PG_ADMIN="${BENCH_PG_ADMIN:-host=127.0.0.1 user=postgres dbname=test}"
PORT="${BENCH_PORT:-18080}"
CONSULTATIONS="${BENCH_CONSULTATIONS:-100000}"
COMMUNITY_USERS="${BENCH_COMMUNITY_USERS:-10000}"
CLINICS="${BENCH_CLINICS:-5000}"
ADDR="127.0.0.1:$PORT"
READY_TIMEOUT=60
STOP_TIMEOUT=30

LOADGEN_ARGS=(
    --url "http://$ADDR"
    --duration "${BENCH_DURATION:-10}"
    --warmup "${BENCH_WARMUP:-2}"
    --concurrency "${BENCH_CONCURRENCY:-32}"
)
if [[ -n "${BENCH_SCENARIOS:-}" ]]; then
    LOADGEN_ARGS+=(--scenario "$BENCH_SCENARIOS")
fi
if [[ -n "${BENCH_HEADER:-}" ]]; then
    LOADGEN_ARGS+=(--header "$BENCH_HEADER")
fi
if [[ -n "${BENCH_LOADGEN_ARGS:-}" ]]; then
    read -r -a extra <<<"$BENCH_LOADGEN_ARGS"
    LOADGEN_ARGS+=("${extra[@]}")
fi

log() { printf '[bench] %s\n' "$*" >&2; }

if [[ ! "$CONSULTATIONS" =~ ^[0-9]+$ ]]; then
    log "BENCH_CONSULTATIONS must be a number, got '$CONSULTATIONS'"
    exit 1
fi
if [[ ! "$COMMUNITY_USERS" =~ ^[0-9]+$ ]] || ((COMMUNITY_USERS < 2)); then
    log "BENCH_COMMUNITY_USERS must be a number of at least 2, got '$COMMUNITY_USERS'"
    exit 1
fi
if [[ ! "$CLINICS" =~ ^[0-9]+$ ]] || ((CLINICS < 1)); then
    log "BENCH_CLINICS must be a number of at least 1, got '$CLINICS'"
    exit 1
fi
# The counselling scenarios need the demo consultant's orders, id and token.
COUNSELING=0
if [[ -z "${BENCH_SCENARIOS:-}" || "$BENCH_SCENARIOS" =~ counseling|consultation ]]; then
    COUNSELING=1
fi
# The community scenarios need the bulk users and the id of the one with 20 posts.
COMMUNITY=0
if [[ -z "${BENCH_SCENARIOS:-}" || "$BENCH_SCENARIOS" =~ forum|social|posts ]]; then
    COMMUNITY=1
fi
# The free-clinic scenarios need the bulk clinics and the id of an upcoming one.
CLINIC_BULK=0
if [[ -z "${BENCH_SCENARIOS:-}" || "$BENCH_SCENARIOS" =~ volunteer-clinic ]]; then
    CLINIC_BULK=1
fi

SERVER_PID=""
TMP_DIRS=()

stop_server() {
    local pid="$SERVER_PID"
    [[ -n "$pid" ]] || return 0
    SERVER_PID=""
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        local waited=0
        while kill -0 "$pid" 2>/dev/null && ((waited < STOP_TIMEOUT * 10)); do
            sleep 0.1
            waited=$((waited + 1))
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "server $pid ignored SIGTERM for ${STOP_TIMEOUT}s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    local rc=0
    wait "$pid" 2>/dev/null || rc=$?
    log "server $pid stopped (exit status $rc)"
}

cleanup() {
    stop_server
    local d
    for d in "${TMP_DIRS[@]+"${TMP_DIRS[@]}"}"; do
        rm -rf -- "$d"
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}

# Waits until GET /readyz answers 200; fails if the server exits or $READY_TIMEOUT passes.
wait_ready() {
    local pid="$1" deadline=$((SECONDS + READY_TIMEOUT))
    while ((SECONDS < deadline)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            log "server exited before it was ready"
            return 1
        fi
        if curl -sf -o /dev/null --max-time 2 "http://$ADDR/readyz"; then
            return 0
        fi
        sleep 0.2
    done
    log "server not ready after ${READY_TIMEOUT}s"
    return 1
}

# Drops and recreates the benchmark database; fails when PostgreSQL cannot be reached.
fresh_postgres() {
    local name="${PG_URL##*/}"
    name="${name%%\?*}"
    if [[ ! "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
        log "cannot take a database name from BENCH_PG_URL=$PG_URL"
        return 1
    fi
    if ! command -v psql >/dev/null; then
        log "psql not found"
        return 1
    fi
    local psql=(psql -X -q -w -v ON_ERROR_STOP=1 "$PG_ADMIN")
    if ! PGCONNECT_TIMEOUT=5 "${psql[@]}" -c 'SELECT 1' >/dev/null 2>&1; then
        log "psql cannot connect with \"$PG_ADMIN\""
        return 1
    fi
    PGCONNECT_TIMEOUT=5 "${psql[@]}" -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" || return 1
    PGCONNECT_TIMEOUT=5 "${psql[@]}" -c "CREATE DATABASE \"$name\"" || return 1
    log "fresh PostgreSQL database $name"
}

# Runs one database's benchmark; returns non-zero on failure.
bench_one() {
    local db="$1"
    local data_dir env_args community_args=() clinic_args=()
    data_dir="$(mktemp -d "${TMPDIR:-/tmp}/medgraph-bench-$db.XXXXXX")"
    TMP_DIRS+=("$data_dir")
    case "$db" in
        sqlite)
            env_args=(-u DATABASE_URL)
            ;;
        postgres)
            if ! fresh_postgres; then
                log "skipping postgres: cannot prepare a fresh database"
                return 0
            fi
            env_args=("DATABASE_URL=$PG_URL")
            ;;
        *)
            log "unknown database '$db' (expected sqlite or postgres)"
            return 1
            ;;
    esac

    if port_in_use; then
        log "port $PORT is already in use; set BENCH_PORT"
        return 1
    fi

    # Demo data, the consultant's orders and the community users, before the server starts (it
    # then finds users and loads no demo data of its own).
    local consultant_args=() seed_note="" seed_args=()
    if ((COUNSELING)); then seed_args+=(--bulk-consultations "$CONSULTATIONS"); fi
    if ((COMMUNITY)); then seed_args+=(--bulk-community "$COMMUNITY_USERS"); fi
    if ((CLINIC_BULK)); then seed_args+=(--bulk-clinics "$CLINICS"); fi
    if ((${#seed_args[@]})); then
        local seed_log="$RESULTS/$db.seed.log" started ended consultant_id poster_id poster_gid clinic_id
        log "seeding demo data and ${seed_args[*]} ($db)"
        started=$(date +%s.%N)
        if ! env "${env_args[@]}" MEDGRAPH_LOG__FILTER=warn "$SERVER" seed --demo \
            "${seed_args[@]}" --data-dir "$data_dir" >"$seed_log" 2>&1; then
            log "seeding failed; last lines of $seed_log:"
            tail -n 20 "$seed_log" >&2 || true
            return 1
        fi
        ended=$(date +%s.%N)
        cat "$seed_log" >&2
        seed_note="$(grep '^bulk: ' "$seed_log" | sed 's/^/# seed: /')
# seed: whole seed command (migrations, demo data, bulk data) $(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.2f", b - a }') s"
        if ((COUNSELING)); then
            consultant_id="$(sed -n 's/^bulk: .*(user id \([0-9][0-9]*\)).*/\1/p' "$seed_log")"
            if [[ -z "$consultant_id" ]]; then
                log "no consultant id in $seed_log"
                return 1
            fi
            consultant_args=(--consultant-id "$consultant_id")
        fi
        if ((COMMUNITY)); then
            poster_id="$(sed -n 's/^bulk: .*(poster user id \([0-9][0-9]*\) .*/\1/p' "$seed_log")"
            if [[ -z "$poster_id" ]]; then
                log "no poster id in $seed_log"
                return 1
            fi
            # Its global ID (base64url of "User:ID", unpadded) for the GraphQL scenarios.
            poster_gid="$(printf 'User:%s' "$poster_id" | base64 | tr '+/' '-_' | tr -d '=\n')"
            community_args=(--var "POSTER_ID=$poster_id" --var "POSTER_GID=$poster_gid")
        fi
        if ((CLINIC_BULK)); then
            clinic_id="$(sed -n 's/^bulk: .*(upcoming clinic id \([0-9][0-9]*\) .*/\1/p' "$seed_log")"
            if [[ -z "$clinic_id" ]]; then
                log "no upcoming clinic id in $seed_log"
                return 1
            fi
            clinic_args=(--var "CLINIC_ID=$clinic_id")
        fi
    fi

    local server_log="$RESULTS/$db.server.log"
    log "starting server ($db) on $ADDR, data dir $data_dir"
    env "${env_args[@]}" MEDGRAPH_LOG__FILTER=warn \
        "$SERVER" serve --demo --listen "$ADDR" --data-dir "$data_dir" >"$server_log" 2>&1 &
    SERVER_PID=$!

    if ! wait_ready "$SERVER_PID"; then
        log "last lines of $server_log:"
        tail -n 20 "$server_log" >&2 || true
        stop_server
        return 1
    fi
    log "server ready (pid $SERVER_PID)"
    # A session of the demo doctor for the scenarios that need a login.
    local token
    if ! token="$(env "${env_args[@]}" MEDGRAPH_LOG__FILTER=error \
        "$SERVER" token issue demo-doctor --ttl-hours 2 --data-dir "$data_dir")"; then
        log "could not issue a token; the login scenarios are skipped"
        token=""
    fi
    local token_args=("${community_args[@]+"${community_args[@]}"}" "${clinic_args[@]+"${clinic_args[@]}"}")
    # `--name=value`: a token may begin with `-`, which would otherwise read as a flag.
    [[ -n "$token" ]] && token_args+=("--token=$token")
    # A session of the demo consultant for the counselling scenarios (userID + token).
    if ((${#consultant_args[@]})); then
        local consultant_token
        if consultant_token="$(env "${env_args[@]}" MEDGRAPH_LOG__FILTER=error \
            "$SERVER" token issue demo-consultant --ttl-hours 2 --data-dir "$data_dir")"; then
            token_args+=("${consultant_args[@]}" "--consultant-token=$consultant_token")
        else
            log "could not issue a consultant token; the counselling scenarios are skipped"
        fi
    fi

    local out="$RESULTS/$db.txt" rc=0
    local commit
    commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)"
    {
        echo "# medgraph load benchmark: db=$db commit=$commit date=$(date -u +%Y-%m-%dT%H:%M:%SZ) cores=$(nproc)"
        if [[ -n "$seed_note" ]]; then echo "$seed_note"; fi
        "$LOADGEN" "${LOADGEN_ARGS[@]}" "${token_args[@]+"${token_args[@]}"}" --pid "$SERVER_PID" --json-out "$RESULTS/$db.jsonl"
    } >"$out" || rc=$?

    stop_server
    echo
    cat "$out"
    if ((rc != 0)); then
        log "loadgen failed for $db (exit status $rc)"
        return 1
    fi
}

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    if [[ -z "${BENCH_SERVER:-}" ]]; then
        log "building the server (cargo build --release in $ROOT)"
        (cd "$ROOT" && cargo build --release)
    fi
    log "building loadgen"
    (cd "$BENCH_DIR" && cargo build --release)
fi
for bin in "$SERVER" "$LOADGEN"; do
    [[ -x "$bin" ]] || { log "missing $bin"; exit 1; }
done
command -v curl >/dev/null || { log "curl is needed to poll /readyz"; exit 1; }
mkdir -p "$RESULTS"

failed=()
for db in $DBS; do
    bench_one "$db" || failed+=("$db")
done
if ((${#failed[@]})); then
    log "failed: ${failed[*]}"
    exit 1
fi
log "results in $RESULTS"
