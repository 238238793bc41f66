#!/usr/bin/env bash
# Runs once in the `setup` service: a CA and transport certificates for the three nodes, then the
# kibana_system password when KIBANA_PASSWORD is set. Idempotent (keeps existing certificates).
set -euo pipefail
cd /usr/share/elasticsearch
: "${ELASTIC_PASSWORD:?set ELASTIC_PASSWORD}"
if [ ! -f config/certs/ca/ca.crt ]; then
  bin/elasticsearch-certutil ca --silent --pem -out config/certs/ca.zip
  unzip -o -q config/certs/ca.zip -d config/certs
fi
if [ ! -f config/certs/elasticsearch/elasticsearch.crt ]; then
  printf 'instances:\n' > config/certs/instances.yml
  for node in elasticsearch es02 es03; do
    printf '  - name: %s\n    dns: [%s, localhost]\n' "$node" "$node" >> config/certs/instances.yml
  done
  bin/elasticsearch-certutil cert --silent --pem -out config/certs/certs.zip --in config/certs/instances.yml \
    --ca-cert config/certs/ca/ca.crt --ca-key config/certs/ca/ca.key
  unzip -o -q config/certs/certs.zip -d config/certs
fi
chown -R root:root config/certs
find config/certs -type d -exec chmod 755 {} \;
find config/certs -type f -exec chmod 644 {} \;
if [ -n "${KIBANA_PASSWORD:-}" ]; then
  until curl -fsS -u "elastic:${ELASTIC_PASSWORD}" http://elasticsearch:9200/_cluster/health >/dev/null; do sleep 5; done
  until curl -fsS -X POST -u "elastic:${ELASTIC_PASSWORD}" -H 'Content-Type: application/json' \
      http://elasticsearch:9200/_security/user/kibana_system/_password -d "{\"password\":\"${KIBANA_PASSWORD}\"}" >/dev/null; do
    sleep 5
  done
fi
echo "setup: certificates ready${KIBANA_PASSWORD:+, kibana_system password set}"
sleep infinity  # stay up: the healthcheck (certificates exist) is what the nodes wait for
