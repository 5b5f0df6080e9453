#!/usr/bin/env bash
# Makes a development CA and one certificate per server for examples/secure-cluster, with openssl.
# Each server certificate is for both TLS roles (a route server dials and accepts), names
# localhost and 127.0.0.1 plus any extra names given, and is signed by the CA in certs/ca.pem.
#
#   ./make-dev-certs.sh                      # certs/ca.pem + certs/n1..n3-{cert,key}.pem
#   ./make-dev-certs.sh n1 n2 n3 db-host-4   # other server names (each becomes a DNS name too)
#   CERT_DIR=/etc/modular/certs ./make-dev-certs.sh
#
# For development only: the CA key sits next to the certificates, unencrypted.
set -euo pipefail

dir="${CERT_DIR:-$(dirname "$0")/certs}"
days="${CERT_DAYS:-825}"
servers=("$@")
[ ${#servers[@]} -gt 0 ] || servers=(n1 n2 n3)
mkdir -p "$dir"

if [ ! -f "$dir/ca.pem" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$days" \
    -subj "/CN=Modular Dev CA" -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  echo "made $dir/ca.pem (keep $dir/ca-key.pem private)"
fi

for name in "${servers[@]}"; do
  ext="$(mktemp)"
  printf '%s\n' \
    "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyAgreement" \
    "extendedKeyUsage=serverAuth,clientAuth" \
    "subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:$name" > "$ext"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
    -keyout "$dir/$name-key.pem" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial \
    -days "$days" -sha256 -extfile "$ext" -out "$dir/$name-cert.pem" 2>/dev/null
  rm -f "$dir/$name.csr" "$ext"
  echo "made $dir/$name-cert.pem and $dir/$name-key.pem"
done
