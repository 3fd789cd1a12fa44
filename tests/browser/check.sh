#!/usr/bin/env bash
# Runs tests/browser/run.mjs against `medgraph serve --demo` on a fresh SQLite database, both
# inside a network namespace that has only the loopback interface: nothing the page asks for can
# reach the internet, as on a hospital intranet. Installs what it needs when missing (Debian's
# chromium, the npm packages of package-lock.json); then lints `medgraph openapi` with
# @redocly/cli (recommended rules). Screenshots land in target/browser/.
#
#   bash tests/browser/check.sh [path/to/medgraph]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
bin=${1:-${CARGO_TARGET_DIR:-$root/target}/debug/medgraph}
[ -x "$bin" ] || cargo build --bin medgraph
bin=$(realpath "$bin")
artifacts="$root/target/browser"
mkdir -p "$artifacts"

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q chromium
fi
command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 || {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q util-linux iproute2
}
command -v curl >/dev/null 2>&1 || apt-get install -y -q curl
# A Chinese font, so that the screenshots show the demo data's text (1.6 MB).
if [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-wqy-microhei || true
fi
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

status=0
echo "==> redocly lint (recommended rules) of medgraph openapi"
"$bin" openapi > "$artifacts/openapi.json"
(cd "$here" && npx --no-install redocly lint --extends=recommended --max-problems=50 "$artifacts/openapi.json") || status=$?

data=$(mktemp -d)
port=18080
cat > "$data/inner.sh" <<EOF
set -euo pipefail
ip link set lo up
"$bin" serve --demo --listen 127.0.0.1:$port --data-dir "$data" > "$artifacts/server.log" 2>&1 &
server=\$!
trap 'kill \$server 2>/dev/null || true' EXIT
for _ in \$(seq 1 120); do
  curl -sf http://127.0.0.1:$port/readyz >/dev/null 2>&1 && break
  sleep 0.5
done
curl -sf http://127.0.0.1:$port/readyz >/dev/null
cd "$here"
MEDGRAPH_URL=http://127.0.0.1:$port ARTIFACTS="$artifacts" node run.mjs
EOF
echo "==> GraphiQL, /docs, introspection, graphql-http audit, Apollo persisted queries (offline)"
unshare --net bash "$data/inner.sh" || status=$?
rm -rf "$data"
exit "$status"
