#!/usr/bin/env bash
# Production smoke test: the steps of docs/deployment.md on this machine, then a real sign-in and a case.
#
# A scratch database with its two roles from deploy/postgresql/roles.sql; migrations run as the owner
# role and the app served by the least-privilege app role; gunicorn with gunicorn.conf.py, production
# settings, two workers and Redis, behind nginx configured from deploy/proxy/nginx.conf (HTTPS with a
# certificate of its own); then tests/smoke/client.py signs in with password and code, logs a case,
# opens it, searches for it, attaches a document and checks /healthz; then a backup and its restore
# drill. Finally the servers' logs must hold none of the invented person's details. Everything it
# creates is removed.
#
# Needs: .venv (make test builds it; SMOKE_VENV names another), psql and pg_dump, PostgreSQL as a superuser (SMOKE_PG_ADMIN,
# SMOKE_PG_HOST, SMOKE_PG_PORT: default postgres at 127.0.0.1:5432), Redis (SMOKE_REDIS_URL, default database 12 on 127.0.0.1:6379),
# openssl and nginx (without nginx the client sends the proxy's headers itself, and says so).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=${SMOKE_VENV:-$ROOT/.venv}/bin

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
NGINX_RUNNING=""

admin_psql() { psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_ADMIN" "$@"; }

cleanup() {
  status=$?
  if [ -n "$NGINX_RUNNING" ]; then nginx -c "$WORK/nginx/nginx.conf" -s stop 2>/dev/null || true; fi
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

# 6. nginx in front, from deploy/proxy/nginx.conf with this test's ports, certificate and files.
CLIENT_TO=(--port "$PORT")
if command -v nginx >/dev/null 2>&1; then
  TLS_PORT=${SMOKE_TLS_PORT:-8766}
  mkdir -m 700 "$WORK/nginx"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=casework.example.org \
    -keyout "$WORK/nginx/key.pem" -out "$WORK/nginx/cert.pem" 2>/dev/null
  sed -e "s|listen 80;|listen 127.0.0.1:$((TLS_PORT + 1));|; /listen \[::\]/d" \
      -e "s|listen 443 ssl http2;|listen 127.0.0.1:$TLS_PORT ssl http2;|" \
      -e "s|/etc/letsencrypt/live/casework.example.org/fullchain.pem|$WORK/nginx/cert.pem|" \
      -e "s|/etc/letsencrypt/live/casework.example.org/privkey.pem|$WORK/nginx/key.pem|" \
      -e "s|/var/log/nginx/casework.access.log|$WORK/nginx/access.log|" \
      -e "s|proxy_pass http://127.0.0.1:8000;|proxy_pass http://127.0.0.1:$PORT;|" deploy/proxy/nginx.conf >"$WORK/nginx/site.conf"
  {
    [ "$(id -u)" -eq 0 ] && echo "user root;"
    echo "pid $WORK/nginx/nginx.pid; error_log $WORK/nginx/error.log; events {}"
    echo "http { client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy;"
    echo "  fastcgi_temp_path $WORK/nginx/fastcgi; uwsgi_temp_path $WORK/nginx/uwsgi; scgi_temp_path $WORK/nginx/scgi;"
    echo "  access_log off; include $WORK/nginx/site.conf; }"
  } >"$WORK/nginx/nginx.conf"
  nginx -c "$WORK/nginx/nginx.conf"
  NGINX_RUNNING=1
  CLIENT_TO=(--port "$TLS_PORT" --tls)
  step "nginx from deploy/proxy/nginx.conf on 127.0.0.1:$TLS_PORT (HTTPS) in front of gunicorn"
else
  step "SKIPPED nginx (not installed): the client sends the proxy's headers itself"
fi

# 7. A coordinator's first day, over HTTPS.
"$BIN/python" tests/smoke/client.py "${CLIENT_TO[@]}" --setup-path "$SETUP_PATH" --email "$EMAIL"

# 8. A backup by the app role (as the timer runs it), and its restore drill by the owner role, which
#    alone may create the drill's scratch database.
quietly $FLASK backup create "$WORK/backups"
BACKUP=$(ls -d "$WORK"/backups/casework-*)
CASEWORK_DATABASE_URL="$OWNER_URL" quietly $FLASK backup drill "$BACKUP"
step "backup written by the app role; restore drill passed"

# 9. Stop gracefully, then the logs: no personal data, no SQL, no setup-link token.
kill -TERM "$GUNICORN_PID"
wait "$GUNICORN_PID" || true
GUNICORN_PID=""
for secret in Smokeinov Смокеинов 79161230077 psmokeinov summons.png "$APP_PASSWORD" "smoke test coordinator passphrase" \
  "$SETUP_PATH" "SELECT " "INSERT "; do
  if grep -rqF -- "$secret" "$WORK/gunicorn.log" "$WORK"/nginx/*.log 2>/dev/null; then
    echo "smoke: FAILED: a server log contains '$secret'" >&2
    exit 1
  fi
done
grep -q '"POST /cases/new" 302' "$WORK/gunicorn.log" || { echo "smoke: FAILED: gunicorn's access log misses the intake" >&2; exit 1; }
if [ -n "$NGINX_RUNNING" ]; then
  grep -q '"POST /cases/new" 302' "$WORK/nginx/access.log" && grep -qF '"POST /reset/[token]" 302' "$WORK/nginx/access.log" ||
    { echo "smoke: FAILED: nginx's access log misses the intake or the setup link" >&2; exit 1; }
fi
step "the servers' logs hold requests and no personal data"

# 10. A real restore, as docs/deployment.md describes it: the database dropped and made again by
#     roles.sql, the dump restored by the owner, the documents copied back, the planner statistics
#     gathered; then the app role's commands read, write and verify the restored data.
admin_psql -d postgres -c "DROP DATABASE \"$DATABASE\" WITH (FORCE)"
admin_psql -d postgres -v owner_password="$OWNER_PASSWORD" -v app_password="$APP_PASSWORD" \
  -v database="$DATABASE" -v owner="$OWNER" -v app="$APP" -f deploy/postgresql/roles.sql
PGPASSWORD=$OWNER_PASSWORD pg_restore --no-owner -h "$PG_HOST" -p "$PG_PORT" -U "$OWNER" -d "$DATABASE" "$BACKUP/casework.dump"
rm -rf "$CASEWORK_DOCUMENT_DIR" && cp -a "$BACKUP/documents" "$CASEWORK_DOCUMENT_DIR"
vacuumdb --quiet --analyze-only -h "$PG_HOST" -p "$PG_PORT" -U "$PG_ADMIN" "$DATABASE"
[ "$(admin_psql -d "$DATABASE" -tAc "SELECT count(*) FROM pg_stats WHERE tablename = 'cases'")" -gt 0 ] ||
  { echo "smoke: FAILED: the restored database has no planner statistics" >&2; exit 1; }
quietly $FLASK audit verify
quietly $FLASK deadlines refresh
quietly $FLASK sessions purge
step "restored from the backup: the audit chain verifies and the app role reads and writes"

step "passed"
