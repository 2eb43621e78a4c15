#!/usr/bin/env bash
# Regenerates the seed corpus under fuzz/seeds/ (one folder per fuzz target).
#
# The certificate and request seeds are copies of fixtures/ (converted to DER where needed); the
# CSR and key seeds are made here with OpenSSL. Keys are random, so a rerun gives different bytes:
# the committed files are the seeds, this script is only the recipe. Every encrypted key uses the
# passphrase `fuzz` (the one the `encrypted_key` target and ca/tests/no_panic.rs try) and a tiny
# work factor, so that the fuzzer and the no-panic test spend their time parsing, not in PBKDF2.
#
# Run from anywhere: bash fuzz/seeds/make-seeds.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# --- ident: a few valid and invalid IINs and BINs
mkdir -p "$here/ident"
printf '%s' 850314300122 >"$here/ident/iin-1985"
printf '%s' 900101300017 >"$here/ident/iin-1990"
printf '%s' 000229500009 >"$here/ident/iin-2000-leap"
printf '%s' 123456789011 >"$here/ident/iin-nca-test"
for f in "$root"/fixtures/requests/*.json; do
    grep -o '"bin": *"[0-9]*"' "$f" | grep -o '[0-9]\{12\}' || true
done | sort -u | head -n 3 | while read -r bin; do
    printf '%s' "$bin" >"$here/ident/bin-$bin"
done
printf '%s' ' 85031430012' >"$here/ident/space"
printf '%s' '85031430012Ә' >"$here/ident/cyrillic"

# --- holder: every certificate of the NCA test material, as DER
mkdir -p "$here/holder"
for f in "$root"/fixtures/nca/certs/*.cer "$root"/fixtures/nca/ca/*; do
    name="$(basename "${f%.*}")"
    if head -c 10 "$f" | grep -q -- '-----BEGIN'; then
        openssl x509 -in "$f" -outform DER -out "$here/holder/$name.der"
    else
        cp "$f" "$here/holder/$name.der"
    fi
done

# --- request: the sample registration requests
mkdir -p "$here/request"
cp "$root"/fixtures/requests/*.json "$here/request/"

# --- csr_pem, csr_der: PKCS#10 requests for each key type the center accepts, and RSA
mkdir -p "$here/csr_pem" "$here/csr_der"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/p256.pem"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$tmp/p384.pem"
openssl genpkey -algorithm ED25519 -out "$tmp/ed25519.pem"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/rsa.pem"
for k in p256 p384 ed25519 rsa; do
    openssl req -new -key "$tmp/$k.pem" -out "$here/csr_pem/$k.csr" \
        -subj "/CN=ТЕСТОВ ТЕСТ/SN=ТЕСТОВ/serialNumber=IIN900101300017/C=KZ" -utf8
    openssl req -in "$here/csr_pem/$k.csr" -outform DER -out "$here/csr_der/$k.der"
done
# GOST R 34.10-2012 requests in the TC26 encoding, made by OpenSSL's GOST engine (Debian's
# libengine-gost-openssl), for csr_der only (its policy takes GOST keys).
printf 'openssl_conf = d\n[d]\nengines = e\n[e]\ngost = g\n[g]\nengine_id = gost\ndefault_algorithms = ALL\n' > "$tmp/gost.cnf"
for size in 256 512; do
    OPENSSL_CONF="$tmp/gost.cnf" openssl genpkey -algorithm "gost2012_$size" -pkeyopt paramset:A \
        -out "$tmp/gost$size.pem"
    OPENSSL_CONF="$tmp/gost.cnf" openssl req -new -key "$tmp/gost$size.pem" -subj /CN=applicant \
        "-md_gost12_$size" -outform DER -out "$here/csr_der/gost2012_${size}_tc26.der"
done

# --- encrypted_key: PBES2 with PBKDF2 (2 iterations) and with scrypt (N = 16), passphrase fuzz,
# as DER (the target wraps it into PEM, so that mutations land in the DER, not in the base64)
mkdir -p "$here/encrypted_key" "$here/pkcs8_key"
enc() { # key-file out-name openssl-options...
    local key="$1" out="$2"
    shift 2
    openssl pkcs8 -topk8 -in "$key" "$@" -passout pass:fuzz -outform DER \
        -out "$here/encrypted_key/$out.der"
}
for k in p256 p384 ed25519; do
    enc "$tmp/$k.pem" "$k-pbkdf2" -v2 aes-256-cbc -v2prf hmacWithSHA256 -iter 2
    openssl pkcs8 -topk8 -in "$tmp/$k.pem" -outform DER -nocrypt -out "$here/pkcs8_key/$k.der"
done
enc "$tmp/p256.pem" p256-pbkdf2-sha1-aes128 -v2 aes-128-cbc -iter 2
enc "$tmp/p256.pem" p256-scrypt -v2 aes-256-cbc -scrypt -scrypt_N 16 -scrypt_r 1 -scrypt_p 1
openssl pkcs8 -topk8 -in "$tmp/rsa.pem" -outform DER -nocrypt -out "$here/pkcs8_key/rsa.der"

# --- serial_hex, serial_der
mkdir -p "$here/serial_hex" "$here/serial_der"
printf '%s' 01 >"$here/serial_hex/one"
printf '%s' 6CBD4560A33A58C0B07C3363C9AE0674A0838E58 >"$here/serial_hex/nca"
printf '%s' 0a:1b:ff >"$here/serial_hex/colons"
printf '%s' 80 >"$here/serial_hex/high-bit"
printf '\x01' >"$here/serial_der/one"
printf '\x00\x80' >"$here/serial_der/high-bit"
printf '\x6c\xbd\x45\x60\xa3\x3a\x58\xc0\xb0\x7c\x33\x63\xc9\xae\x06\x74\xa0\x83\x8e\x58' \
    >"$here/serial_der/nca"

# --- verifier_cms_fast: signatures made by the eds signer (the `eds demo` flow: an individual's
# and a legal entity's applications, a receipt, a licence), beside the verifier_cms seeds the
# fuzz-smoke script also gives this target. Needs a built `eds` (cargo build).
mkdir -p "$here/verifier_cms_fast"
EDS_CA_PASSPHRASE=demo-pass-123456 "$root/target/debug/eds" demo --data "$tmp/demo" >/dev/null
for name in application application-legal-entity licence receipt; do
    cp "$tmp"/demo/demo-*/"$name.json.p7s" "$here/verifier_cms_fast/eds-demo-$name.der"
done

echo "seeds written under $here"
