"""A second, independent CAdES validator for eds's tests: pyHanko's implementation of the
validation process for signatures with time (ETSI EN 319 102-1 §5.5) over a CMS signature.

Usage: validate.py SIGNATURE ANCHOR AT [CONTENT]
  SIGNATURE  the CMS signature (DER)
  ANCHOR     the trust anchor (PEM or DER certificate)
  AT         the validation time, RFC 3339 (e.g. 2028-01-01T00:00:00Z)
  CONTENT    the signed content, for a detached signature

Offline: only the certificates and CRLs inside the signature are used (CAdES-LT's validation
data; nothing is fetched). Prints one JSON object: {"indication": "PASSED" | "FAILED" |
"INDETERMINATE", "sub_indication": name or null, "message": text or null}.
"""

import asyncio
import json
import sys
from datetime import datetime

from asn1crypto import cms, pem, x509
from pyhanko.sign.ades.report import AdESStatus
from pyhanko.sign.validation.ades import (
    ades_past_signature_validation,
    ades_timestamp_validation,
    ades_with_time_validation,
)
from pyhanko_certvalidator.ltv.poe import POEManager, POEType
from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer


# Sub-indications after which §5.6.3 tries past signature validation.
FURTHER = {
    "REVOKED_NO_POE",
    "REVOKED_CA_NO_POE",
    "OUT_OF_BOUNDS_NO_POE",
    "OUT_OF_BOUNDS_NOT_REVOKED",
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
    "REVOCATION_OUT_OF_BOUNDS_NO_POE",
    "TRY_LATER",
}
# id-aa-ets-archiveTimestampV3 (ETSI EN 319 122-1 §5.5.2).
ATS_V3 = "0.4.0.1733.2.4"


def certificate(path):
    with open(path, "rb") as f:
        data = f.read()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return x509.Certificate.load(data)


async def main(sig_path, anchor_path, at, content_path):
    with open(sig_path, "rb") as f:
        info = cms.ContentInfo.load(f.read())
    signed_data = info["content"]
    certs = [c.chosen for c in signed_data["certificates"] or [] if c.name == "certificate"]
    crls = [
        CRLContainer(c.chosen)
        for c in signed_data["crls"] or []
        if c.name == "crl"
    ]
    # The validation data inside the timestamp tokens (their TSA's certificates) as well.
    moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=[certificate(anchor_path)]),
        revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
    )
    spec = SignatureValidationSpec(
        cert_validation_policy=policy,
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
        ),
        local_knowledge=LocalKnowledge(known_crls=crls, known_certs=certs),
    )
    raw_digest = None
    if content_path is not None:
        import hashlib

        signer = signed_data["signer_infos"][0]
        algo = signer["digest_algorithm"]["algorithm"].native
        with open(content_path, "rb") as f:
            raw_digest = hashlib.new(algo, f.read()).digest()
    timing = ValidationTimingInfo(
        validation_time=moment, best_signature_time=moment, point_in_time_validation=True
    )
    result = await ades_with_time_validation(
        signed_data, spec, timing_info=timing, raw_digest=raw_digest
    )
    sub = result.ades_subindic
    message = result.failure_msg
    if sub.status == AdESStatus.INDETERMINATE and sub.name in FURTHER:
        # ETSI EN 319 102-1 §5.6.3: proofs of existence, then past signature validation.
        poes = POEManager(current_dt_override=moment)
        signer = signed_data["signer_infos"][0]
        poes.register(signer["signature"].native, POEType.VALIDATION, result.best_signature_time)
        for attr in signer["unsigned_attrs"] or []:
            if attr["type"].dotted != ATS_V3:
                continue
            for token in attr["values"]:
                tst = cms.ContentInfo.load(token.dump())["content"]
                info = tst["encap_content_info"]["content"].parsed
                # pyHanko cannot rebuild ATSv3's stamped data: the token's own imprint is
                # taken, so this judges the token's signature and its TSA's chain only.
                imprint = info["message_imprint"]["hashed_message"].native
                checked = await ades_timestamp_validation(
                    tst_signed_data=tst,
                    validation_spec=spec,
                    timing_info=timing,
                    expected_tst_imprint=lambda _algo, imprint=imprint: imprint,
                )
                if checked.ades_subindic.status != AdESStatus.PASSED:
                    continue
                gen_time = info["gen_time"].native
                for item in certs:
                    poes.register(item, POEType.VALIDATION, gen_time)
                for item in crls:
                    poes.register(item, POEType.VALIDATION, gen_time)
                poes.register(signer["signature"].native, POEType.VALIDATION, gen_time)
        past = await ades_past_signature_validation(
            signed_data, spec, poes, current_time_sub_indic=sub, init_control_time=moment
        )
        sub, message = past, "past signature validation"
    print(
        json.dumps(
            {
                "indication": sub.status.name,
                "sub_indication": None if sub.status.name == "PASSED" else sub.name,
                "message": message,
            }
        )
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) not in (3, 4):
        sys.exit(__doc__)
    asyncio.run(main(args[0], args[1], args[2], args[3] if len(args) == 4 else None))
