#!/usr/bin/env bash
# Backup and restore, both ways, checked end to end (docs/operations.md explains each step):
#
#   1. export_dataset → a fresh database (migrate, import_dataset) → export_dataset again →
#      the two files are identical apart from "exported_at";
#   2. pg_dump -Fc → pg_restore into another fresh database → every table has the same number
#      of rows and the same content (an md5 of its rows), every sequence the same position, and
#      Django finds no migration missing.
#
# Usage: scripts/backup_restore.sh [--source DBNAME] [--keep]
#   --source DBNAME  back up this existing database (only read). Default: a scratch database
#                    treatywatch_backup_src, migrated and seeded with the demo content.
#   --keep           keep the scratch and restored databases and the files (for a look).
# Talks to PostgreSQL at $PGHOST:$PGPORT as $PGUSER (default 127.0.0.1:5432, postgres).
# Exit status 0 when both round trips are exact; 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
PY=.venv/bin/python
[ -x "$PY" ] || PY=python3
SOURCE=treatywatch_backup_src
SCRATCH_SOURCE=1
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --source) SOURCE=$2; SCRATCH_SOURCE=0; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
RESTORED_DATASET=treatywatch_restore_dataset
RESTORED_PGDUMP=treatywatch_restore_pgdump
WORK=$(mktemp -d -t treatywatch-backup-XXXXXX)
LOG=$WORK/steps.log

for tool in pg_dump pg_restore psql createdb dropdb; do
  command -v "$tool" >/dev/null || { echo "FAILED: $tool is not installed"; exit 1; }
done
pg_isready -q || { echo "FAILED: PostgreSQL does not answer on $PGHOST:$PGPORT"; exit 1; }

cleanup() {
  if [ "$KEEP" = 1 ]; then
    echo "Kept: databases $RESTORED_DATASET, $RESTORED_PGDUMP${SCRATCH_SOURCE:+ and the source}; files in $WORK"
    return
  fi
  quiet_dropdb "$RESTORED_DATASET" || true
  quiet_dropdb "$RESTORED_PGDUMP" || true
  if [ "$SCRATCH_SOURCE" = 1 ]; then quiet_dropdb "$SOURCE" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM INT  # so that the EXIT trap cleans up after `timeout` too

fail() {
  echo "FAILED: $*"
  echo "--- last steps:"; tail -n 30 "$LOG" 2>/dev/null || true
  exit 1
}

SECRET=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
# manage DBNAME ARGS…: a management command against one database, production settings.
manage() {
  local db=$1; shift
  DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$db" DJANGO_SECRET_KEY="$SECRET" \
    DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SETTINGS_MODULE=treatywatch.settings \
    "$PY" manage.py "$@" >>"$LOG" 2>&1
}
quiet_dropdb() { PGOPTIONS='-c client_min_messages=warning' dropdb --if-exists --force "$1"; }
fresh_db() { quiet_dropdb "$1" && createdb "$1"; }

# Per table: name, rows, md5 of the rows (in a fixed order); per sequence: its position.
summary() {
  psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
SELECT format(
  'SELECT %L, count(*), md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM %I.%I t',
  table_name, table_schema, table_name)
FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
ORDER BY table_name
\gexec
SELECT 'sequence ' || sequencename, coalesce(last_value::text, 'unused')
FROM pg_sequences WHERE schemaname = 'public' ORDER BY sequencename;
SQL
}

started=$(date +%s)
if [ "$SCRATCH_SOURCE" = 1 ]; then
  echo "== source: scratch database $SOURCE (migrate, seed --demo, an API token)"
  fresh_db "$SOURCE" || fail "cannot create $SOURCE"
  manage "$SOURCE" migrate --noinput || fail "migrate $SOURCE"
  manage "$SOURCE" seed --demo || fail "seed $SOURCE"
  manage "$SOURCE" create_api_token analyst --name "backup check" || fail "create_api_token"
else
  echo "== source: existing database $SOURCE (only read)"
fi

echo "== 1. export_dataset → import_dataset into a fresh database → export again"
manage "$SOURCE" export_dataset "$WORK/dataset.json" || fail "export_dataset from $SOURCE"
fresh_db "$RESTORED_DATASET" || fail "cannot create $RESTORED_DATASET"
manage "$RESTORED_DATASET" migrate --noinput || fail "migrate $RESTORED_DATASET"
manage "$RESTORED_DATASET" import_dataset "$WORK/dataset.json" || fail "import_dataset"
# Which tables the dataset file does not carry: their rows differ between the two databases.
# The export records its own "dataset.exported" audit event after it has read the data (so the
# file cannot hold it), and an import may record one too: audit events are compared without the
# "dataset.*" ones; every other table row for row.
counts() {
  {
    summary "$1" | grep -v '^sequence ' | grep -v '^provisions_auditevent|' | cut -d'|' -f1,2
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c \
      "SELECT 'provisions_auditevent', count(*) FROM provisions_auditevent WHERE action NOT LIKE 'dataset.%'"
  } | LC_ALL=C sort
}
counts "$SOURCE" >"$WORK/source.counts" || fail "reading $SOURCE"
counts "$RESTORED_DATASET" >"$WORK/dataset.counts" || fail "reading $RESTORED_DATASET"
LC_ALL=C join -t'|' -a1 -a2 -e 0 -o 0,1.2,2.2 "$WORK/source.counts" "$WORK/dataset.counts" \
  | awk -F'|' '$2 != $3' >"$WORK/not-carried" || true
if grep -E '^(provisions_|auth_|otp_)' "$WORK/not-carried"; then
  fail "rows of the tables above (table|source|restored) were not restored by import_dataset"
fi
if [ -s "$WORK/not-carried" ]; then
  echo "   not in the dataset file (table|rows in the source|rows after import_dataset):"
  sed 's/^/     /' "$WORK/not-carried"
fi
manage "$RESTORED_DATASET" export_dataset "$WORK/dataset-again.json" || fail "export again"
# Identical apart from "exported_at" and the audit events the export and import write about
# themselves (the second export also holds its own "dataset.exported" event, and so on).
"$PY" - "$WORK/dataset.json" "$WORK/dataset-again.json" <<'PY' || fail "the restored dataset differs from the original"
import json, sys

first, second = (json.load(open(path, encoding="utf-8")) for path in sys.argv[1:3])
for document in (first, second):
    document.pop("exported_at")
known = {row["id"] for row in first["data"]["provisions.auditevent"]}
added = [row for row in second["data"]["provisions.auditevent"] if row["id"] not in known]
if any(not row["action"].startswith("dataset.") for row in added):
    sys.exit(f"unexpected new audit events: {added}")
second["data"]["provisions.auditevent"] = [
    row for row in second["data"]["provisions.auditevent"] if row["id"] in known
]
if first != second:
    for label in sorted(set(first["data"]) | set(second["data"])):
        a, b = first["data"].get(label), second["data"].get(label)
        if a != b:
            print(f"   {label}: {len(a or [])} rows before, {len(b or [])} after the round trip")
            print("   first difference:", next((x, y) for x, y in zip(a, b) if x != y) if a and b and len(a) == len(b) else "row count")
    if {k: v for k, v in first.items() if k != "data"} != {k: v for k, v in second.items() if k != "data"}:
        print("   the file headers differ")
    sys.exit(1)
rows = sum(map(len, first["data"].values()))
print(f"   identical: {rows} rows in {len(first['data'])} sections", end="")
PY
echo ", $(du -h "$WORK/dataset.json" | cut -f1)"

echo "== 2. pg_dump -Fc → pg_restore into a fresh database → compare every table"
pg_dump -Fc -d "$SOURCE" -f "$WORK/treatywatch.dump" || fail "pg_dump"
fresh_db "$RESTORED_PGDUMP" || fail "cannot create $RESTORED_PGDUMP"
pg_restore --no-owner --exit-on-error -d "$RESTORED_PGDUMP" "$WORK/treatywatch.dump" \
  >>"$LOG" 2>&1 || fail "pg_restore"
summary "$SOURCE" >"$WORK/source.tables" || fail "reading $SOURCE"
summary "$RESTORED_PGDUMP" >"$WORK/restored.tables" || fail "reading $RESTORED_PGDUMP"
if ! diff "$WORK/source.tables" "$WORK/restored.tables" >"$WORK/tables.diff"; then
  cat "$WORK/tables.diff"
  fail "the restored database differs from the original (table|rows|md5 above)"
fi
tables=$(grep -vc '^sequence ' "$WORK/source.tables" || true)
total=$(grep -v '^sequence ' "$WORK/source.tables" | awk -F'|' '{s += $2} END {print s + 0}')
[ "$tables" -gt 0 ] && [ "$total" -gt 0 ] || fail "nothing was compared ($tables tables, $total rows)"
manage "$RESTORED_PGDUMP" migrate --check || fail "the restored database lacks migrations"
echo "   identical: $tables tables, $total rows (counts and content), $(grep -c '^sequence ' "$WORK/source.tables" || true) sequences; dump $(du -h "$WORK/treatywatch.dump" | cut -f1)"
printf '   %-44s %8s\n' table rows
grep -v '^sequence ' "$WORK/source.tables" | awk -F'|' '$2 > 0 {printf "   %-44s %8d\n", $1, $2}'

echo "OK: both round trips are exact ($(( $(date +%s) - started )) s)."
