//! The public routes that take a body, through `eds serve`'s router (see `server_harness.rs`):
//! the first byte picks the route and the form, the rest is the input.
//!
//! | first byte % 7 | route | input |
//! |---|---|---|
//! | 0 | `POST /api/v1/verify` | the raw body (a signature) |
//! | 1 | `POST /api/v1/verify`, `multipart/form-data; boundary=B` | the raw multipart body |
//! | 2 | `POST /api/v1/verify`, a well-formed form | the `signature` file |
//! | 3 | `POST /verify` (the page), a well-formed form | the `signature` file |
//! | 4 | `POST /cms/verify` (NCANode) | the JSON body |
//! | 5 | `POST /x509/info` (NCANode) | the JSON body |
//! | 6 | `POST /tsa` (RFC 3161) | the `TimeStampReq` |
//!
//! Beyond "no 5xx": `/api/v1/verify` answers JSON (a report, or the JSON error with `error` and
//! `message` on a 4xx); the page answers HTML; the NCANode routes answer JSON; the TSA answers
//! 200 `application/timestamp-reply` to any request (a refusal is a `TimeStampResp` too).
#![no_main]

#[path = "server_harness.rs"]
mod server_harness;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use libfuzzer_sys::fuzz_target;

use server_harness::{Answer, harness};

fn post(path: &str, content_type: &str, body: Vec<u8>) -> Request<Body> {
    Request::post(path)
        .header("content-type", content_type)
        .body(Body::from(body))
        .expect("request")
}

fn form(signature: &[u8]) -> Vec<u8> {
    let mut body = b"--B\r\ncontent-disposition: form-data; name=\"signature\"; filename=\"s.p7s\"\r\n\
content-type: application/octet-stream\r\n\r\n"
        .to_vec();
    body.extend_from_slice(signature);
    body.extend_from_slice(b"\r\n--B--\r\n");
    body
}

fn json_answer(a: &Answer) {
    if a.status == StatusCode::OK {
        assert!(a.json().is_object());
    } else {
        a.assert_client_error_json();
    }
}

const FORM: &str = "multipart/form-data; boundary=B";

// The center is made (keys, PBKDF2) in libFuzzer's init hook, before its per-input timeout
// starts counting: on a loaded machine under AddressSanitizer it can take longer than one input may.
fuzz_target!(init: {
    let _ = server_harness::harness();
}, |data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let h = harness();
    match pick % 7 {
        0 => json_answer(&h.call(post("/api/v1/verify", "application/octet-stream", rest.to_vec()))),
        1 => json_answer(&h.call(post("/api/v1/verify", FORM, rest.to_vec()))),
        2 => json_answer(&h.call(post("/api/v1/verify", FORM, form(rest)))),
        3 => {
            let a = h.call(post("/verify", FORM, form(rest)));
            assert!(
                a.body.starts_with(b"<!DOCTYPE html>"),
                "{}: {:?}",
                a.status,
                String::from_utf8_lossy(&a.body)
            );
        }
        4 => {
            let a = h.call(post("/cms/verify", "application/json", rest.to_vec()));
            a.json();
        }
        5 => {
            let a = h.call(post("/x509/info", "application/json", rest.to_vec()));
            a.json();
        }
        _ => {
            let a = h.call(post("/tsa", "application/timestamp-query", rest.to_vec()));
            assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
            assert_eq!(a.body.first(), Some(&0x30), "a DER TimeStampResp");
        }
    }
});
