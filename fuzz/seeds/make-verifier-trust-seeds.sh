#!/usr/bin/env bash
# Recipe of the verifier_trust seeds: trust lists built from the national
# center's test CA certificates (fixtures/nca/ca), which are fixed files, so a rerun gives the same
# bytes.
set -euo pipefail
cd "$(dirname "$0")/verifier_trust"
nca=../../../fixtures/nca
rsa_pem="$(cat "$nca/ca/nca_rsa_test.crt")"
json_pem="$(printf '%s' "$rsa_pem" | tr -d '\r' | awk '{printf "%s\\n", $0}')"
gost_pem="$(tr -d '\r' <"$nca/ca/nca_gost_test.crt" | awk '{printf "%s\\n", $0}')"
cat "$nca/ca/nca_rsa_test.crt" "$nca/ca/nca_gost_test.crt" >bundle.pem
openssl x509 -in "$nca/ca/nca_rsa_test.crt" -outform DER -out one.der
cat >list.json <<JSON
{"version": 1, "centers": [
  {"name": "NCA RSA test", "certificate": "$json_pem",
   "accredited_from": "2021-03-14T00:00:00Z", "accredited_until": "2024-03-13T23:59:59+06:00"},
  {"name": "foreign", "certificate": "$gost_pem", "foreign": true}
]}
JSON
cat >open-period.json <<JSON
{"version": 1, "centers": [{"name": "open", "certificate": "$json_pem", "accredited_until": null, "foreign": false}]}
JSON
printf '{"version": 1, "centers": [{"name": "x", "certificate": 5, "foreign": "yes"}]}' >wrong-types.json
printf '{"version": 2, "centers": []}' >wrong-version.json
printf '{"version": 1, "centers": [{"name": "a", "certificate_file": "a.pem"}]}' >file-ref.json
