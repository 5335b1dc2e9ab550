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

  # 3. Refresh: a new pair in the same session; the old refresh token is spent (rotation)
  NEW=$(curl -s -X POST "$BASE/auth/token/refresh/" -H 'Content-Type: application/json' \
    -d "{\"refresh\": \"$REFRESH\"}")
  NEW_ACCESS=$(echo "$NEW" | json access)

  # 4. Reuse detection: the spent token again is 401 {"code": "token_reused"} and ends the
  #    whole session, so the new pair (the thief's or the victim's) stops working too
  curl -s -X POST "$BASE/auth/token/refresh/" -H 'Content-Type: application/json' \
    -d "{\"refresh\": \"$REFRESH\"}"; echo
  curl -s "$BASE/api/me/" -H "Authorization: Bearer $NEW_ACCESS"; echo

  # 5. Two fresh logins, as from a laptop and a phone; list the sessions (current: true marks
  #    the one whose token asks)
  login() { curl -s -X POST "$BASE/auth/token/" -H 'Content-Type: application/json' \
    -H "User-Agent: $1" -d '{"username": "demo", "password": "jwtflow-demo"}'; }
  LAPTOP=$(login laptop/1.0); PHONE=$(login phone/2.0)
  LAPTOP_ACCESS=$(echo "$LAPTOP" | json access); PHONE_ACCESS=$(echo "$PHONE" | json access)
  curl -s "$BASE/auth/sessions/" -H "Authorization: Bearer $LAPTOP_ACCESS"; echo

  # 6. Log the phone out: its access token is refused at once, not only when it expires
  curl -s -o /dev/null -w '%{http_code}\n' -X POST "$BASE/auth/token/blacklist/" \
    -H 'Content-Type: application/json' -d "{\"refresh\": \"$(echo "$PHONE" | json refresh)\"}"
  curl -s "$BASE/api/me/" -H "Authorization: Bearer $PHONE_ACCESS"; echo

  # 7. Log out everywhere (204): every session and token issued until now is refused
  curl -s -o /dev/null -w '%{http_code}\n' -X POST "$BASE/auth/logout-all/" \
    -H "Authorization: Bearer $LAPTOP_ACCESS"
  curl -s "$BASE/api/me/" -H "Authorization: Bearer $LAPTOP_ACCESS"; echo

EOF

exec "$BIN/uvicorn" demo_project.asgi:application --app-dir example --host 127.0.0.1 --port "$PORT"
