#!/usr/bin/env bash
# modular-node-tls.sh - modular-node.sh with TLS routes (mutual verification), for ../shared/bench
# (bench.sh, compare.sh). Same arguments and TEMPLATE as modular-node.sh:
#   /path/to/repo/bench/modular-node-tls.sh {port} {cport} '{routes}' {name} {dir}
# Certificates: a development CA and one certificate per node name, made on first use with
# examples/secure-cluster/make-dev-certs.sh in $BENCH_TLS_DIR (default /tmp/modular-bench-tls);
# nats-server-node-tls.sh uses the same files, so both sides of a comparison run the same TLS.
# Routes are nats-route://127.0.0.1:P, so the dialer checks the certificate's IP 127.0.0.1.
set -euo pipefail
ROUTE_SECURITY=tls exec "$(dirname "${BASH_SOURCE[0]}")/modular-node.sh" "$@"
