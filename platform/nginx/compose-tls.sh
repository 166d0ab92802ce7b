#!/bin/sh
# The proxy container's certificate (platform/compose.yaml), run by the nginx image's entrypoint
# before nginx starts. nginx reads /etc/nginx/tls/current/{fullchain,privkey}.pem; this script
# points "current" at, in this order:
#   /etc/nginx/tls/own/        your own certificate, if you mount one there (compose.yaml)
#   /etc/letsencrypt/live/$LEDENSTEM_DOMAIN/   Let's Encrypt's, written by the certbot service
#   /etc/nginx/tls/selfsigned/ a temporary self-signed one, so nginx can start and answer the
#                              ACME challenge on port 80 before the first real certificate exists
# Then it keeps watching: when the chosen certificate changes (first issue, renewal), nginx reloads.
set -eu

domain=${LEDENSTEM_DOMAIN:?LEDENSTEM_DOMAIN is not set (platform/.env)}
tls=/etc/nginx/tls
mkdir -p "$tls"

choose() {
  for dir in "$tls/own" "/etc/letsencrypt/live/$domain"; do
    if [ -s "$dir/fullchain.pem" ] && [ -s "$dir/privkey.pem" ]; then
      echo "$dir"
      return
    fi
  done
  if [ ! -s "$tls/selfsigned/fullchain.pem" ]; then
    mkdir -p "$tls/selfsigned"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$domain" \
      -keyout "$tls/selfsigned/privkey.pem" -out "$tls/selfsigned/fullchain.pem" 2>/dev/null
    chmod 0600 "$tls/selfsigned/privkey.pem"
  fi
  echo "$tls/selfsigned"
}

# What identifies the certificate in use: its directory and its content.
state() {
  dir=$(choose)
  ln -sfn "$dir" "$tls/current"
  echo "$dir $(cksum <"$dir/fullchain.pem")"
}

current=$(state)
echo "ledenstem-tls: certificate from ${current%% *}"

(
  while sleep 300; do
    now=$(state)
    if [ "$now" != "$current" ]; then
      echo "ledenstem-tls: certificate from ${now%% *}; reloading nginx"
      nginx -s reload && current=$now
    fi
  done
) &
