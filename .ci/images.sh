#!/usr/bin/env bash
# Makes, without a container registry, the base images docker/Dockerfile and the *ContainerIT tests
# need, under the names they use (a local image of that name is used without a pull):
#   local/debian:bookworm             debootstrap of the mirror apt already uses
#   quay.io/keycloak/keycloak:VERSION  stand-in for the official image: the keycloak-quarkus-dist
#                                      from the local Maven repository on Debian's OpenJDK 17
#   postgres:15                        Debian's PostgreSQL behind the official image's contract
#                                      (POSTGRES_DB/USER/PASSWORD, data in /var/lib/postgresql/data)
# An image whose tag exists is kept (delete it to rebuild). No mail catcher: Mailpit cannot be built
# here without the Go and npm registries, so docker-compose.yml keeps a pinned upstream tag.
# Needs root (debootstrap), a running engine and debootstrap installed (.ci/run sees to both).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's CLI (docker.io) has BuildKit built in; a newer CLI without buildx would not.
DOCKER=${DOCKER:-$(command -v /usr/bin/docker || command -v docker)}
KEYCLOAK_VERSION=$(sed -n 's:.*<keycloak.dist.version>\(.*\)</keycloak.dist.version>.*:\1:p' pom.xml)
BASE=local/debian:bookworm
KEYCLOAK=quay.io/keycloak/keycloak:${KEYCLOAK_VERSION}
POSTGRES=postgres:15

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

has() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }
took() { echo "images.sh: $1 in $(($(date +%s) - $2)) s"; }

# The Debian mirror apt uses here (containers reach it as the host does).
mirror() {
  local uri
  uri=$(awk '$1 == "URIs:" && $2 ~ /\/debian\/?$/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

if has "$BASE"; then
  echo "images.sh: $BASE exists, kept"
else
  start=$(date +%s)
  root="$work/rootfs"
  debootstrap --variant=minbase bookworm "$root" "$(mirror)" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log"; exit 1; }
  # The host's Debian sources (with security updates) and its CA certificates: an outbound proxy
  # may present its own CA, which anything inside the images must then trust too.
  # (Only files that name Debian mirrors alone: others need keyrings the base does not have.)
  for sources in /etc/apt/sources.list.d/*.sources; do
    if [ -f "$sources" ] && ! grep '^URIs:' "$sources" | grep -qv '/debian'; then
      cp "$sources" "$root/etc/apt/sources.list.d/" && : >"$root/etc/apt/sources.list"
    fi
  done
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    mkdir -p "$root/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  fi
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | "$DOCKER" import - "$BASE" >/dev/null
  took "$BASE" "$start"
fi

if has "$KEYCLOAK"; then
  echo "images.sh: $KEYCLOAK exists, kept"
else
  start=$(date +%s)
  dist="$HOME/.m2/repository/org/keycloak/keycloak-quarkus-dist/$KEYCLOAK_VERSION/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip"
  [ -f "$dist" ] || mvn -B -q dependency:get -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip"
  mkdir -p "$work/keycloak"
  (cd "$work/keycloak" && jar xf "$dist" && mv "keycloak-$KEYCLOAK_VERSION" keycloak && chmod +x keycloak/bin/*.sh \
    && mkdir -p keycloak/data && chmod -R g+rwX keycloak)
  cat >"$work/keycloak/Dockerfile" <<DOCKERFILE
FROM $BASE
RUN apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless \\
    && rm -rf /var/lib/apt/lists/*
# As the official image: /opt/keycloak owned by uid 1000, group 0 (writable by the group), and
# run as uid 1000 in group 0, so a later COPY --from as root still leaves it writable.
COPY --chown=1000:0 keycloak/ /opt/keycloak/
# KC_RUN_IN_CONTAINER as in the official image: start-dev then listens on all interfaces.
ENV LANG=C.UTF-8 KC_RUN_IN_CONTAINER=true
USER 1000
EXPOSE 8080 8443 9000
ENTRYPOINT ["/opt/keycloak/bin/kc.sh"]
DOCKERFILE
  "$DOCKER" build -q -t "$KEYCLOAK" "$work/keycloak" >/dev/null
  took "$KEYCLOAK" "$start"
fi

if has "$POSTGRES"; then
  echo "images.sh: $POSTGRES exists, kept"
else
  start=$(date +%s)
  mkdir -p "$work/postgres"
  cat >"$work/postgres/entrypoint.sh" <<'ENTRYPOINT'
#!/bin/bash
# The part of the official image's contract this project uses: a first start creates the cluster,
# the user POSTGRES_USER with POSTGRES_PASSWORD and the database POSTGRES_DB.
set -euo pipefail
bin=$(echo /usr/lib/postgresql/*/bin)
: "${POSTGRES_USER:=postgres}" "${POSTGRES_DB:=$POSTGRES_USER}" "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  "$bin/initdb" -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    "$bin/pg_ctl" -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    "$bin/createdb" -U "$POSTGRES_USER" -O "$POSTGRES_USER" "$POSTGRES_DB"
    "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  fi
fi
exec "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' "$@"
ENTRYPOINT
  cat >"$work/postgres/Dockerfile" <<DOCKERFILE
FROM $BASE
RUN apt-get update && apt-get install -y --no-install-recommends postgresql \\
    && rm -rf /var/lib/apt/lists/* \\
    && mkdir -p /var/lib/postgresql/data /var/run/postgresql \\
    && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
COPY entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PGDATA=/var/lib/postgresql/data
USER postgres
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
DOCKERFILE
  chmod 755 "$work/postgres/entrypoint.sh"
  "$DOCKER" build -q -t "$POSTGRES" "$work/postgres" >/dev/null
  took "$POSTGRES" "$start"
fi
