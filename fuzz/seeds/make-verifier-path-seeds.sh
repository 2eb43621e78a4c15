#!/usr/bin/env bash
# Recipe of the verifier_path seeds: NIST PKITS chains (fixtures/pkits, fixed files, so a rerun
# gives the same bytes), each as one flags byte and then every certificate as a 2-byte
# big-endian length and its DER: the end entity, its CA(s), the trust anchor.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p verifier_path
certs=../../fixtures/pkits/certs
seed() {
  local name=$1 flags=$2
  shift 2
  {
    printf "\\x$(printf %02x "$flags")"
    for c in "$@" TrustAnchorRootCertificate.crt; do
      python3 -c 'import sys; n=len(open(sys.argv[1],"rb").read()); sys.stdout.buffer.write(n.to_bytes(2,"big"))' "$certs/$c"
      cat "$certs/$c"
    done
  } >"verifier_path/$name"
}
seed good 0 ValidCertificatePathTest1EE.crt GoodCACert.crt
seed policy-mapping 1 ValidPolicyMappingTest3EE.crt P1Mapping1to234CACert.crt
seed explicit 4 ValidrequireExplicitPolicyTest2EE.crt requireExplicitPolicy4subsubsubCACert.crt \
  requireExplicitPolicy4subsubCACert.crt requireExplicitPolicy4subCACert.crt requireExplicitPolicy4CACert.crt
seed dn-constraints 0 ValidDNnameConstraintsTest1EE.crt nameConstraintsDN1CACert.crt
seed rfc822 0 ValidRFC822nameConstraintsTest21EE.crt nameConstraintsRFC822CA1Cert.crt
seed uri 0 ValidURInameConstraintsTest34EE.crt nameConstraintsURI1CACert.crt
seed self-issued 0 ValidBasicSelfIssuedNewWithOldTest3EE.crt BasicSelfIssuedNewKeyOldWithNewCACert.crt \
  BasicSelfIssuedNewKeyCACert.crt
seed inhibit-any 8 ValidinhibitAnyPolicyTest2EE.crt inhibitAnyPolicy0CACert.crt
