-- Casework's database and its two roles, made by a PostgreSQL superuser:
--
--   sudo -u postgres psql -v owner_password="$(cat /etc/casework/owner-password)" \
--        -v app_password="$(cat /etc/casework/app-password)" -f deploy/postgresql/roles.sql
--
-- casework_owner owns the database and its schema and runs the migrations (`flask db upgrade`) and the
-- restore drill (`flask backup drill`, which creates and drops a scratch database: hence CREATEDB);
-- nothing else connects as it. casework_app is what the web app and the scheduled commands connect as: it
-- reads and writes rows and can create, alter or drop nothing, so a flaw in the app cannot change the
-- schema, and the schema history lives in the migrations alone.
--
-- Optional: -v database=NAME -v owner=NAME -v app=NAME to use other names (the smoke test does).

\set ON_ERROR_STOP 1
\if :{?database}
\else
  \set database casework
\endif
\if :{?owner}
\else
  \set owner casework_owner
\endif
\if :{?app}
\else
  \set app casework_app
\endif

-- The roles are kept if they exist, so that the file also re-creates a dropped database (a restore).
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', :'owner', :'owner_password')
    WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'app', :'app_password')
    WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec

CREATE DATABASE :"database" OWNER :"owner" ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"database" TO :"app";

\connect :"database"

-- The public schema belongs to the owner; nobody else may create objects in it.
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";

-- Rows only, on every table and sequence the migrations create. SELECT on a sequence reads its
-- position and nothing else; pg_dump needs it for the backup, which runs as this role.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";
