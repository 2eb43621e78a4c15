//! A driver for instruction counts (`valgrind --tool=callgrind`), the method of
//! docs/benchmarks.md: signs `count` messages of 1 KiB (the first byte varied) or verifies one
//! signature `count` times, with the key and message of the criterion benchmark.
//!
//!     cargo build --profile bench -p eds-gost --example gost_callgrind
//!     valgrind --tool=callgrind target/release/examples/gost_callgrind sign 256A 101
//!
//! Operations `sign`, `verify`; curves `256A` (TC26 paramSetA), `cpA` (CryptoPro-A), `512A`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a measuring driver stops loudly"
)]

use eds_gost::{CurveId, Encoding, PrivateKey};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(op), Some(curve), Some(count)) = (args.get(1), args.get(2), args.get(3)) else {
        panic!("usage: gost_callgrind sign|verify 256A|cpA|512A COUNT");
    };
    let curve = match curve.as_str() {
        "256A" => CurveId::Tc26_256A,
        "cpA" => CurveId::CryptoProA,
        "512A" => CurveId::Tc26_512A,
        other => panic!("unknown curve {other}"),
    };
    let count: u8 = count.parse().unwrap();
    let key = PrivateKey::from_be_bytes(curve, &vec![0x1a; curve.size().bytes()]).unwrap();
    let mut message = vec![0x42u8; 1024];
    let signature = key.sign(Encoding::Tc26, &message).unwrap();
    let mut out = 0u8;
    for i in 0..count {
        match op.as_str() {
            "sign" => {
                if let Some(first) = message.first_mut() {
                    *first = i;
                }
                let s = key.sign(Encoding::Tc26, &message).unwrap();
                out ^= s.first().copied().unwrap_or(0);
            }
            "verify" => key
                .public_key()
                .verify(Encoding::Tc26, &message, &signature)
                .unwrap(),
            other => panic!("unknown operation {other}"),
        }
    }
    println!("{out}");
}
