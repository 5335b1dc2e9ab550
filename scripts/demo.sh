#!/usr/bin/env bash
# `make demo`: prepare the example project's SQLite database, print a curl walkthrough,
# then serve the demo with uvicorn in the foreground (Ctrl-C stops it).
#
# JWTFLOW_DEMO_DB (database file) and DEMO_PORT (default 8000) may be overridden.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN="${VENV:-.venv}/bin"
PORT="${DEMO_PORT:-8000}"
# The demo must use its own settings even if the caller's shell exports another project's.
export DJANGO_SETTINGS_MODULE=demo_project.settings

"$BIN/python" example/manage.py migrate --noinput --verbosity 0
"$BIN/python" example/manage.py seed_demo

# Quoted heredoc: nothing is expanded here, the reader's shell expands it when pasted.
# JSON is picked apart with python3 so that the walkthrough needs no jq.
sed "s/__PORT__/$PORT/g" <<'EOF'

jwtflow demo: http://127.0.0.1:__PORT__/  (user "demo", password "jwtflow-demo")
Paste these into another terminal:

  BASE=http://127.0.0.1:__PORT__
  json() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

  # 1. Obtain an access/refresh pair
  PAIR=$(curl -s -X POST "$BASE/auth/token/" -H 'Content-Type: application/json' \
    -d '{"username": "demo", "password": "jwtflow-demo"}')
  ACCESS=$(echo "$PAIR" | json access); REFRESH=$(echo "$PAIR" | json refresh)

  # 2. Call a protected endpoint (async view; /api/me-sync/ is the sync twin)
  curl -s "$BASE/api/me/" -H "Authorization: Bearer $ACCESS"; echo

  # 3. Refresh: a new pair; the old refresh token is blacklisted (rotation)
  NEW=$(curl -s -X POST "$BASE/auth/token/refresh/" -H 'Content-Type: application/json' \
    -d "{\"refresh\": \"$REFRESH\"}")
  NEW_REFRESH=$(echo "$NEW" | json refresh)

  # 4. Log out: blacklist the new refresh token (204 No Content)
  curl -s -o /dev/null -w '%{http_code}\n' -X POST "$BASE/auth/token/blacklist/" \
    -H 'Content-Type: application/json' -d "{\"refresh\": \"$NEW_REFRESH\"}"

  # 5. Both refresh tokens are now refused: 401 {"code": "token_blacklisted", ...}
  curl -s -i -X POST "$BASE/auth/token/refresh/" -H 'Content-Type: application/json' \
    -d "{\"refresh\": \"$NEW_REFRESH\"}"; echo
  curl -s -X POST "$BASE/auth/token/refresh/" -H 'Content-Type: application/json' \
    -d "{\"refresh\": \"$REFRESH\"}"; echo

EOF

exec "$BIN/uvicorn" demo_project.asgi:application --app-dir example --host 127.0.0.1 --port "$PORT"
