#!/usr/bin/env bash
# Production smoke test: the steps of docs/deployment.md on this machine, then a real sign-in and a case.
#
# A scratch database with its two roles from deploy/postgresql/roles.sql; migrations run as the owner
# role and the app served by the least-privilege app role; gunicorn with gunicorn.conf.py, production
# settings, two workers and Redis; then tests/smoke/client.py signs in with password and code, logs a
# case, opens it, searches for it, attaches a document and checks /healthz; then a backup and its restore drill. Finally the
# server's log must hold none of the invented person's details. Everything it creates is removed.
#
# Needs: .venv (make test builds it), psql and pg_dump, PostgreSQL as a superuser (SMOKE_PG_ADMIN_URL,
# default postgres@127.0.0.1:5432), Redis (SMOKE_REDIS_URL, default database 12 on 127.0.0.1:6379).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=$ROOT/.venv/bin

PG_HOST=${SMOKE_PG_HOST:-127.0.0.1}
PG_PORT=${SMOKE_PG_PORT:-5432}
PG_ADMIN=${SMOKE_PG_ADMIN:-postgres}
REDIS_URL=${SMOKE_REDIS_URL:-redis://127.0.0.1:6379/12}
PORT=${SMOKE_PORT:-8765}

SUFFIX="$(date +%s)_$$"
DATABASE="casework_smoke_$SUFFIX"
OWNER="casework_smoke_owner_$SUFFIX"
APP="casework_smoke_app_$SUFFIX"
OWNER_PASSWORD=$("$BIN/python" -c "import secrets; print(secrets.token_urlsafe(24))")
APP_PASSWORD=$("$BIN/python" -c "import secrets; print(secrets.token_urlsafe(24))")
WORK=$(mktemp -d /tmp/casework-smoke.XXXXXX)
GUNICORN_PID=""

admin_psql() { psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_ADMIN" "$@"; }

cleanup() {
  status=$?
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID"
    wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  if [ $status -ne 0 ] && [ -f "$WORK/gunicorn.log" ]; then
    echo "smoke: the server's log:" >&2
    tail -n 40 "$WORK/gunicorn.log" >&2
  fi
  for database in $(admin_psql -At -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE 'casework_smoke_%${SUFFIX}%'"); do
    admin_psql -d postgres -c "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" || true
  done
  admin_psql -d postgres -c "DROP ROLE IF EXISTS \"$APP\"" -c "DROP ROLE IF EXISTS \"$OWNER\"" || true
  rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT

step() { echo "smoke: $*"; }
# A command's last line when it succeeds, everything it said when it fails.
quietly() {
  local output
  if ! output=$("$@" 2>&1); then
    echo "$output" >&2
    echo "smoke: FAILED: $*" >&2
    return 1
  fi
  echo "$output" | tail -n 1
}

# 1. The database and its roles, as docs/deployment.md has the administrator create them.
admin_psql -d postgres -v owner_password="$OWNER_PASSWORD" -v app_password="$APP_PASSWORD" \
  -v database="$DATABASE" -v owner="$OWNER" -v app="$APP" -f deploy/postgresql/roles.sql
step "database $DATABASE with roles $OWNER (schema) and $APP (rows only)"

# 2. The service's environment: production, with nothing that production refuses.
unset CASEWORK_ALLOW_SQLITE CASEWORK_KEYS CASEWORK_TEST_DATABASE_URL
mkdir -m 700 "$WORK/keys" "$WORK/documents" "$WORK/backups"
export CASEWORK_ENV=production
CASEWORK_SECRET_KEY=$("$BIN/python" -c "import secrets; print(secrets.token_urlsafe(48))")
export CASEWORK_SECRET_KEY
export CASEWORK_DATABASE_URL="postgresql+psycopg://$APP:$APP_PASSWORD@$PG_HOST:$PG_PORT/$DATABASE"
export CASEWORK_REDIS_URL="$REDIS_URL"
export CASEWORK_BASE_URL="https://casework.smoke.test"
export CASEWORK_TRUSTED_PROXIES=1
export CASEWORK_WORKERS=2
export CASEWORK_KEY_FILE="$WORK/keys/keys.json"
export CASEWORK_DOCUMENT_DIR="$WORK/documents"
FLASK="$BIN/flask --app casework"

# 3. Keys, then the schema by the owner role; the app role cannot create anything.
quietly $FLASK keys init
OWNER_URL="postgresql+psycopg://$OWNER:$OWNER_PASSWORD@$PG_HOST:$PG_PORT/$DATABASE"
CASEWORK_DATABASE_URL="$OWNER_URL" quietly $FLASK db upgrade
if PGPASSWORD=$APP_PASSWORD psql -X -q -h "$PG_HOST" -p "$PG_PORT" -U "$APP" -d "$DATABASE" \
  -c "CREATE TABLE smoke_intruder (id integer)" 2>/dev/null; then
  echo "smoke: FAILED: the app role could create a table" >&2
  exit 1
fi
step "keys created, migrations run by the owner; the app role may not create tables"

# 4. The first account, as `flask users create` prints it.
EMAIL="smoke.coordinator@casework.example.org"
SETUP_PATH=$($FLASK users create "$EMAIL" --role coordinator | sed -n 's|^https://casework.smoke.test\(/reset/[^ ]*\)$|\1|p')
[ -n "$SETUP_PATH" ] || { echo "smoke: FAILED: no setup link printed" >&2; exit 1; }

# 5. gunicorn with the project's settings, on a scratch port.
"$BIN/gunicorn" -c gunicorn.conf.py --bind "127.0.0.1:$PORT" "casework:create_app()" >"$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
for _ in $(seq 1 60); do
  if "$BIN/python" -c "import socket, sys; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null; then break; fi
  kill -0 "$GUNICORN_PID" 2>/dev/null || { echo "smoke: FAILED: gunicorn did not start" >&2; exit 1; }
  sleep 0.5
done
step "gunicorn serving on 127.0.0.1:$PORT with $CASEWORK_WORKERS workers"

# 6. A coordinator's first day, over HTTP.
"$BIN/python" tests/smoke/client.py --port "$PORT" --setup-path "$SETUP_PATH" --email "$EMAIL"

# 7. A backup by the app role (as the timer runs it), and its restore drill by the owner role, which
#    alone may create the drill's scratch database.
quietly $FLASK backup create "$WORK/backups"
BACKUP=$(ls -d "$WORK"/backups/casework-*)
CASEWORK_DATABASE_URL="$OWNER_URL" quietly $FLASK backup drill "$BACKUP"
step "backup written by the app role; restore drill passed"

# 8. Stop gracefully, then the log: no personal data, no SQL.
kill -TERM "$GUNICORN_PID"
wait "$GUNICORN_PID" || true
GUNICORN_PID=""
for secret in Smokeinov Смокеинов 79161230077 psmokeinov summons.png "$APP_PASSWORD" "smoke test coordinator passphrase" \
  "$SETUP_PATH" "SELECT " "INSERT "; do
  if grep -qF -- "$secret" "$WORK/gunicorn.log"; then
    echo "smoke: FAILED: the server's log contains '$secret'" >&2
    exit 1
  fi
done
grep -q '"POST /cases/new" 302' "$WORK/gunicorn.log" || { echo "smoke: FAILED: the access log misses the intake" >&2; exit 1; }
step "the server's log holds requests and no personal data"
step "passed"
