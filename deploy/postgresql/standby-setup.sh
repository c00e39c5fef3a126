#!/usr/bin/env bash
# Make this machine the city's hot standby (docs/deploy.md, "The city"). Run as root on
# the standby, with PostgreSQL installed and stopped, after the primary has
# conf.d/qms-primary.conf, the pg_hba lines, and a role:
#   CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '...';
#   SELECT pg_create_physical_replication_slot('qms_standby');
set -euo pipefail
PRIMARY=${PRIMARY:?the primary host, e.g. db-primary.qms.internal}
VERSION=${VERSION:-16}
DATA=/var/lib/postgresql/$VERSION/main
systemctl stop "postgresql@$VERSION-main"
rm -rf "$DATA"
# -R writes standby.signal and primary_conninfo; the slot keeps the WAL for us.
runuser -u postgres -- pg_basebackup -h "$PRIMARY" -U replicator -D "$DATA" \
    -X stream -S qms_standby -R -P
echo "primary_conninfo = 'host=$PRIMARY user=replicator application_name=qms_standby sslmode=require'" \
    >> "$DATA/postgresql.auto.conf"
systemctl start "postgresql@$VERSION-main"
echo "standby running; on the primary: SELECT * FROM pg_stat_replication;"
