//! The operator API's bodies and parameters through `eds serve`'s router (see
//! `server_harness.rs`): the first byte picks the route, the rest is its input.
//!
//! | first byte % 5 | route | input |
//! |---|---|---|
//! | 0 | `POST /api/v1/certificates` (with the operator's token) | the JSON body |
//! | 1 | `POST /api/v1/certificates/{serial}/revoke`, a certificate issued at set-up | the JSON body |
//! | 2 | `GET /api/v1/register?…` (with the token) | the query, percent-encoded but `=` and `&` |
//! | 3 | `GET /api/v1/certificates/{…}` | the serial, percent-encoded |
//! | 4 | `POST /api/v1/certificates` with an `Idempotency-Key` | the header value (bytes a header may hold), then the fixture request |
//!
//! Beyond "no 5xx": every refusal is a 4xx with the JSON error (`error`, `message`); an issuance
//! answered 201 or 200 names its certificate's serial; a revocation answered 200 names the
//! certificate it revoked; a register page is JSON with `count` and `certificates`.
#![no_main]

#[path = "server_harness.rs"]
mod server_harness;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use libfuzzer_sys::fuzz_target;

use server_harness::{harness, issue_request, percent, request_with_csr};

// The center is made (keys, PBKDF2) in libFuzzer's init hook, before its per-input timeout
// starts counting: on a loaded machine under AddressSanitizer it can take longer than one input may.
fuzz_target!(init: {
    let _ = server_harness::harness();
}, |data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let h = harness();
    let auth = format!("Bearer {}", h.token);
    match pick % 5 {
        0 => {
            let a = h.call(issue_request(&h.token, rest));
            if a.status == StatusCode::CREATED || a.status == StatusCode::OK {
                assert!(a.json()["certificate"]["serial"].is_string());
            } else {
                a.assert_client_error_json();
            }
        }
        1 => {
            let req = Request::post(format!("/api/v1/certificates/{}/revoke", h.serial))
                .header("content-type", "application/json")
                .header("authorization", &auth)
                .body(Body::from(rest.to_vec()))
                .expect("request");
            let a = h.call(req);
            if a.status == StatusCode::OK {
                assert_eq!(a.json()["certificate"]["serial"], h.serial.as_str());
            } else {
                a.assert_client_error_json();
            }
        }
        2 => {
            let Ok(req) = Request::get(format!("/api/v1/register?{}", percent(rest, b"=&")))
                .header("authorization", &auth)
                .body(Body::empty())
            else {
                return;
            };
            let a = h.call(req);
            if a.status == StatusCode::OK {
                let v = a.json();
                assert!(v["count"].is_u64() && v["certificates"].is_array(), "{v}");
            } else {
                a.assert_client_error_json();
            }
        }
        3 => {
            let Ok(req) = Request::get(format!("/api/v1/certificates/{}", percent(rest, b"")))
                .header("authorization", &auth)
                .body(Body::empty())
            else {
                return;
            };
            let a = h.call(req);
            if a.status == StatusCode::OK {
                assert!(a.json()["certificate"]["serial"].is_string());
            } else {
                a.assert_client_error_json();
            }
        }
        _ => {
            let Ok(req) = Request::post("/api/v1/certificates")
                .header("content-type", "application/json")
                .header("authorization", &auth)
                .header("idempotency-key", rest)
                .body(Body::from(request_with_csr()))
            else {
                return;
            };
            let a = h.call(req);
            if a.status == StatusCode::CREATED || a.status == StatusCode::OK {
                assert!(a.json()["certificate"]["serial"].is_string());
            } else {
                a.assert_client_error_json();
            }
        }
    }
});
