#!/bin/bash
# Makes the demo realm's alert e-mails go somewhere: the realm's SMTP server and the policy's
# alertEmails, set with Keycloak's admin CLI as the bootstrap admin. The realm file itself carries
# neither (./run.sh and the tests have no mail server). Run by docker-compose.yml's demo-mail
# service once Keycloak is ready; ImageContainerIT runs it too.
#   KEYCLOAK_URL  e.g. http://keycloak:8080        SMTP_HOST, SMTP_PORT  the mail catcher
#   ALERT_EMAILS  addresses, ## between several    KC_BOOTSTRAP_ADMIN_USERNAME/_PASSWORD
set -euo pipefail

: "${KEYCLOAK_URL:?}" "${SMTP_HOST:?}" "${SMTP_PORT:?}" "${ALERT_EMAILS:?}"
: "${KC_BOOTSTRAP_ADMIN_USERNAME:?}" "${KC_BOOTSTRAP_ADMIN_PASSWORD:?}"
realm=breakglass-demo
kcadm() { /opt/keycloak/bin/kcadm.sh "$@" --config /tmp/demo-mail.kcadm.config; }

kcadm config credentials --server "$KEYCLOAK_URL" --realm master \
  --user "$KC_BOOTSTRAP_ADMIN_USERNAME" --password "$KC_BOOTSTRAP_ADMIN_PASSWORD"
kcadm update "realms/$realm" \
  -s "smtpServer={\"host\":\"$SMTP_HOST\",\"port\":\"$SMTP_PORT\",\"from\":\"breakglass@example.org\",\"fromDisplayName\":\"Break-glass demo\"}"
# Without --file, update reads the policy and changes this one key: the others stay.
kcadm update authentication/required-actions/break-glass-activate/config -r "$realm" \
  -s "config.alertEmails=$ALERT_EMAILS"
echo "demo-mail: $realm sends mail through $SMTP_HOST:$SMTP_PORT; alerts go to $ALERT_EMAILS"
