//! OCSP requests and responses for the tests and the load example (RFC 6960 §4.1.1, §4.2.1).

use der::asn1::{Null, OctetString};
use der::{Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::serial_number::SerialNumber;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspRequest, OcspResponse, OcspResponseStatus, Request,
    TbsRequest, Version,
};

/// id-sha1 (RFC 6960 §4.1.1: the hash algorithm of the CertID; what OpenSSL sends).
const SHA1: der::asn1::ObjectIdentifier = der::asn1::ObjectIdentifier::new_unwrap("1.3.14.3.2.26");

/// The status a response gives for its first certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Good,
    Revoked,
    Unknown,
}

/// A DER OCSP request for the certificate `serial` (unsigned big-endian) of `issuer_der`.
pub(crate) fn request(issuer_der: &[u8], serial: &[u8]) -> Vec<u8> {
    let issuer = Certificate::from_der(issuer_der).expect("issuer certificate");
    let name = issuer
        .tbs_certificate
        .subject
        .to_der()
        .expect("issuer name");
    let key = issuer
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes()
        .to_vec();
    let sha1 = |b: &[u8]| {
        ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, b)
            .as_ref()
            .to_vec()
    };
    let req = OcspRequest {
        tbs_request: TbsRequest {
            version: Version::V1,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: CertId {
                    hash_algorithm: AlgorithmIdentifierOwned {
                        oid: SHA1,
                        parameters: Some(Null.into()),
                    },
                    issuer_name_hash: OctetString::new(sha1(&name)).expect("hash"),
                    issuer_key_hash: OctetString::new(sha1(&key)).expect("hash"),
                    serial_number: SerialNumber::new(serial).expect("serial"),
                },
                single_request_extensions: None,
            }],
            request_extensions: None,
        },
        optional_signature: None,
    };
    req.to_der().expect("encode request")
}

/// The response status and, when successful, the status of the first certificate.
pub(crate) fn read(response_der: &[u8]) -> (OcspResponseStatus, Option<Status>) {
    let r = OcspResponse::from_der(response_der).expect("an OCSPResponse");
    let code = r.response_status;
    let Some(bytes) = r.response_bytes else {
        return (code, None);
    };
    let basic = BasicOcspResponse::from_der(bytes.response.as_bytes()).expect("basic response");
    let status = match basic
        .tbs_response_data
        .responses
        .first()
        .map(|s| &s.cert_status)
    {
        Some(CertStatus::Good(_)) => Status::Good,
        Some(CertStatus::Revoked(_)) => Status::Revoked,
        Some(CertStatus::Unknown(_)) | None => Status::Unknown,
    };
    (code, Some(status))
}
