#!/usr/bin/env bash
# Lighthouse 12 (mobile defaults) on /, /login, /dashboard, /lab and /sessions, two rounds, against
# `next start` of this checkout's build (run `npx next build` first) on a freshly seeded temporary
# database, signed in as alice for the last three. Lighthouse is fetched by npx, not a dependency.
# Usage: bash scripts/lighthouse.sh [port]   (CHROME_PATH defaults to /usr/bin/chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-3111}
OUT=$(mktemp -d)
export DATABASE_URL="file:$OUT/lighthouse.db" NODE_ENV=production APP_URL="http://localhost:$PORT" NEXT_TELEMETRY_DISABLED=1
export ACCESS_TOKEN_KEYS="lh:$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))')"
node --conditions=react-server --import tsx scripts/migrate.ts deploy >/dev/null
node --conditions=react-server --import tsx scripts/seed.ts >/dev/null
node_modules/.bin/next start -p "$PORT" >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://localhost:$PORT/api/health" >/dev/null && break; sleep 1; done
sign_in() {
  curl -s -D - -o /dev/null -H 'content-type: application/json' -H "origin: http://localhost:$PORT" \
    --data '{"email":"alice@example.com","password":"correct horse battery staple"}' "http://localhost:$PORT/api/auth/login" \
    | grep -i '^set-cookie:' | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/' | tr '\n' ';' | sed 's/;$//; s/;/; /g'
}
for round in 1 2; do
  for page in / /login /dashboard /lab /sessions; do
    args=()
    case $page in /dashboard|/lab|/sessions) args=(--extra-headers "{\"Cookie\":\"$(sign_in)\"}") ;; esac
    curl -s -o /dev/null "http://localhost:$PORT$page"   # the first request of a page compiles nothing, but warms its modules
    report="$OUT/round$round$(echo "$page" | tr '/' '-').json"
    npx --yes lighthouse@12 "http://localhost:$PORT$page" --quiet --chrome-path="${CHROME_PATH:-/usr/bin/chromium}" \
      --chrome-flags="--headless=new --no-sandbox" --output=json --output-path="$report" "${args[@]}" || true
    node -e '
      const r = require(process.argv[1]);
      const c = r.categories;
      const scores = ["performance", "accessibility", "best-practices", "seo"].map((k) => `${k} ${Math.round(c[k].score * 100)}`);
      const cls = r.audits["cumulative-layout-shift"].numericValue.toFixed(3);
      console.log(`round ${process.argv[2]} ${process.argv[3].padEnd(11)} ${scores.join("  ")}  CLS ${cls}  final ${r.finalDisplayedUrl}`);
    ' "$report" "$round" "$page"
  done
done
echo "reports: $OUT"
