#!/usr/bin/env bash
# Installs (from Debian's packages) and starts a PostgreSQL server on 127.0.0.1:5432
# with a superuser role `stratus` (password `stratus`) for the test suite.
set -euo pipefail

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "installing PostgreSQL from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk '$1=="'"$version"'" && $2=="main" {print $4}' | grep -qx online; then
  pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p 5432

su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'stratus') THEN
    CREATE ROLE stratus LOGIN SUPERUSER PASSWORD 'stratus';
  END IF;
END
$$;
SQL
echo "PostgreSQL $version is up on 127.0.0.1:5432"

# Databases left by earlier test runs (each test creates its own).
su postgres -c "psql -qAt -c \"SELECT datname FROM pg_database WHERE datname LIKE 'stratus_it_%'\"" | while read -r db; do
  su postgres -c "psql -q -c 'DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)'"
done
