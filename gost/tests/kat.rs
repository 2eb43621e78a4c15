//! Known-answer tests: Streebog (RFC 6986 §10), the signature examples of GOST R 34.10-2012
//! appendix A (RFC 7091 §7.1 and §7.2), and signatures on every production curve computed by an
//! independent implementation (the Python package `gostcrypto` 1.2.5, `sign(d, e, k)`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use eds_gost::{CurveId, Encoding, PrivateKey, PublicKey, Size, digest};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn rev(mut v: Vec<u8>) -> Vec<u8> {
    v.reverse();
    v
}

/// RFC 6986 §10.1, message M1 (the RFC writes message and hashes as numbers, most significant
/// byte first; the byte strings are their reversal).
const M1: &[u8] = b"012345678901234567890123456789012345678901234567890123456789012";

/// RFC 6986 §10.2, message M2 (the Igor's Tale line in Windows-1251), as the byte string.
const M2_HEX: &str = "d1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f120eceef0ff20f1f2f0e5ebe0ece820ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb";

#[test]
fn ok_streebog_512_rfc6986_examples() {
    assert_eq!(
        rev(digest(Size::S512, M1)),
        h(
            "486f64c1917879417fef082b3381a4e211c324f074654c38823a7b76f830ad00fa1fbae42b1285c0352f227524bc9ab16254288dd6863dccd5b9f54a1ad0541b"
        )
    );
    assert_eq!(
        rev(digest(Size::S512, &h(M2_HEX))),
        h(
            "28fbc9bada033b1460642bdcddb90c3fb3e56c497ccd0f62b8a2ad4935e85f037613966de4ee00531ae60f3b5a47f8dae06915d5f2f194996fcabf2622e6881e"
        )
    );
}

#[test]
fn ok_streebog_256_rfc6986_examples() {
    assert_eq!(
        rev(digest(Size::S256, M1)),
        h("00557be5e584fd52a449b16b0251d05d27f94ab76cbaa6da890b59d8ef1e159d")
    );
    assert_eq!(
        rev(digest(Size::S256, &h(M2_HEX))),
        h("508f7e553c06501d749a66fc28c6cac0b005746d97537fa85d9e40904efed29d")
    );
}

struct Example {
    curve: CurveId,
    d: &'static str,
    e: &'static str,
    k: &'static str,
    qx: &'static str,
    qy: &'static str,
    r: &'static str,
    s: &'static str,
}

fn check_example(x: &Example) {
    let key = PrivateKey::from_be_bytes(x.curve, &h(x.d)).unwrap();
    assert_eq!(key.public_key().x(), h(x.qx).as_slice(), "Qx");
    assert_eq!(key.public_key().y(), h(x.qy).as_slice(), "Qy");
    let (r, s) = key.sign_prehashed_with_k(&h(x.e), &h(x.k)).unwrap();
    assert_eq!(r, h(x.r), "r");
    assert_eq!(s, h(x.s), "s");
    let public = PublicKey::from_affine(x.curve, &h(x.qx), &h(x.qy)).unwrap();
    assert_eq!(public.verify_prehashed(&h(x.e), &r, &s), Ok(()));
}

/// GOST R 34.10-2012 appendix A.1 = RFC 7091 §7.1 (256-bit, the test curve).
const A1: Example = Example {
    curve: CurveId::Test256,
    d: "7a929ade789bb9be10ed359dd39a72c11b60961f49397eee1d19ce9891ec3b28",
    e: "2dfbc1b372d89a1188c09c52e0eec61fce52032ab1022e8e67ece6672b043ee5",
    k: "77105c9b20bcd3122823c8cf6fcc7b956de33814e95b7fe64fed924594dceab3",
    qx: "7f2b49e270db6d90d8595bec458b50c58585ba1d4e9b788f6689dbd8e56fd80b",
    qy: "26f1b489d6701dd185c8413a977b3cbbaf64d1c593d26627dffb101a87ff77da",
    r: "41aa28d2f1ab148280cd9ed56feda41974053554a42767b83ad043fd39dc0493",
    s: "01456c64ba4642a1653c235a98a60249bcd6d3f746b631df928014f6c5bf9c40",
};

/// GOST R 34.10-2012 appendix A.2 = RFC 7091 §7.2 (512-bit, the test curve).
const A2: Example = Example {
    curve: CurveId::Test512,
    d: "0ba6048aadae241ba40936d47756d7c93091a0e8514669700ee7508e508b102072e8123b2200a0563322dad2827e2714a2636b7bfd18aadfc62967821fa18dd4",
    e: "3754f3cfacc9e0615c4f4a7c4d8dab531b09b6f9c170c533a71d147035b0c5917184ee536593f4414339976c647c5d5a407adedb1d560c4fc6777d2972075b8c",
    k: "0359e7f4b1410feacc570456c6801496946312120b39d019d455986e364f365886748ed7a44b3e794434006011842286212273a6d14cf70ea3af71bb1ae679f1",
    qx: "115dc5bc96760c7b48598d8ab9e740d4c4a85a65be33c1815b5c320c854621dd5a515856d13314af69bc5b924c8b4ddff75c45415c1d9dd9dd33612cd530efe1",
    qy: "37c7c90cd40b0f5621dc3ac1b751cfa0e2634fa0503b3d52639f5d7fb72afd61ea199441d943ffe7f0c70a2759a3cdb84c114e1f9339fdf27f35eca93677beec",
    r: "2f86fa60a081091a23dd795e1e3c689ee512a3c82ee0dcc2643c78eea8fcacd35492558486b20f1c9ec197c90699850260c93bcbcd9c5c3317e19344e173ae36",
    s: "1081b394696ffe8e6585e7a9362d26b6325f56778aadbc081c0bfbe933d52ff5823ce288e8c4f362526080df7f70ce406a6eeb1f56919cb92a9853bde73e5b4a",
};

#[test]
fn ok_gost_34_10_2012_appendix_a1_256() {
    check_example(&A1);
}

#[test]
fn ok_gost_34_10_2012_appendix_a2_512() {
    check_example(&A2);
}

/// (curve, d, α, k, x‖y, r‖s), all big-endian, from `gostcrypto` 1.2.5.
const CROSS: [(CurveId, &str, &str, &str, &str, &str); 7] = [
    (
        CurveId::Tc26_256A,
        "231187a4589f2293a8188a6a10522a78e6146ec0f951ef0cfa015b431346b901",
        "2bb8371697dcdf4fee543e68ca3540a463896dacc8c2910fa9566ab709f5994b",
        "1d047ded82a0b629d2816abdf503b3345413c524de9aa2833437885135eba426",
        "6a9fadb7760918b3cb1f10f5c00f1f6c41e4d71772c6cf1b16b62838a60e478ff8df1aca7d02ce30ba3603bf89eff0014e53d47f6dde20389f6e21cdcb7ab5f5",
        "180483ee6162790725ee08da8ab270027613f61fa0cd8587e6c361464a2f245419497a4c59d4e2813601430f040cb05d4cba4e927dd29b3800a55528070f9549",
    ),
    (
        CurveId::CryptoProA,
        "25a220b5986f717687acc90581477155b6ee56b7722d5ed34a5446eaef3068b7",
        "f4448e2be482c53d94178bd0e5000386b431e6ee9e2402984512651841f98f9e",
        "a92b139ab486b1104fe755f7ac33e4f38203f25d040bafa6908df054743f50e5",
        "f828296b369856cf24354c481647cba43acdbe2432c7a2a28b239bc1953c1627e5be3aeebff9f03f3a4e7972b64e14d3d7b2564f3e841d82ae419dc0595029bb",
        "b9034a767f7b92ca0a2ddab34b45c1b05205e1f85ce511b619837105e2bcad8322a2d592acefa5ce594570704cbc117b291c143612a83baa471d3cd0f18ceb92",
    ),
    (
        CurveId::CryptoProB,
        "5e23e935b1e93fb8dd264d0ae90c18f6c2aeefd136f53e56cfc3e8c8360490c9",
        "50fb1fc420602e6ef4b636293280df1e1c8be0c775a6b8f34671004c6dbca0e2",
        "04f45f6175a9cf78d7289e314263501c337566c6bcb1900f3a94d67a61df3e79",
        "2d97ae8eb83a06e149d36313368e3e7716f150c5127dda3a6a3aab2329143aed3cb8a95749324f29a3c3d8258c6727eb971437320962fd4e51c9ad2f010d0717",
        "69190b06ee1272b1e56e54e2b9e8e4d43f6aeb146cce0c8662cd228d92c781ef3342d443eda9af177bb2869da9e26f9bd6b478d4cfa8c035cfddf549fcd244e1",
    ),
    (
        CurveId::CryptoProC,
        "23db4a8a685ef6d09c4dbb79f34e595fc9ba7f07137f3239ab33efaf077bbe55",
        "437305a856d453e546481d55c4f0e1b8dd54463a17be8f2c9040ca91fae200fc",
        "49aa53345046c9085a21d0f0f300db14d552e67dd66ffbbca35162db46989f72",
        "3068cfab2a787815a5e3bc3da3f3bfe2e0026fb7a414f5aa92c0346af1cd2f217c68c8fd8ac3c1254b3b73ede2d61874f5331de248a56719b4d358955faf681e",
        "06d21c6279d52328ccaed929dd870f088af5521f7b71f6a0a778d0e9e47d24c767f6195654943210870921b2140b89fa93c9d077d18ddebcc0d6f6d665337505",
    ),
    (
        CurveId::Tc26_512A,
        "289da7963ffbafca2c1cd301f1e3baa3c53af3d6aaeaa5b18a80e38ea81fdc65534ca4d962de546ef7cbbeaba17969e461585a7586e9803f2a368c18825b9332",
        "73e0e38f1a8c86df3995ffa6d6a5a1e7cb7522c196c41ab8bb4a3d4cee3872a5885f37c1f09fc1c9175829b06dabddc203e3927f38dc008d4568a17ffdf266a3",
        "5864db04001aa50a835e95375814296ba28d66f9c32f90d0e57dfab05c8bce85629295f91e4d11da6a9329e5134030c63b6099018d31893d0e240cf397874574",
        "2bd072c95b0b590dedf02f782a205fdd09ebb1463ca1c6135671c80493eb7c3db6f5b1d1acb8e070deb95c0e31cb1c418b7eb542be67e3d4ca140336ea7426802a816ac4cd457f7a9058e340be8e91b7fd37fc3bf2d2560e58eaf6305f735bc028c819a0e52532aaba13a70744a45643ae4ca05c9d4729ba2216770b137d97a4",
        "240f26279aee1962b14abfee06ddd1cda3206af2ace3ab7cdc5c2f11ff276e32c01cef9e5bed3f378b8fcef308a90c956081fa4cddfc85ce2e151e841eeb052c4d687e416e45381f22fa4986fc67f4e8f8ea2da501e77b6c6a1b28b23f767a8280b9721892a74455303888da351ba3f4df67694ef84b177d3cb2e85245b9b13c",
    ),
    (
        CurveId::Tc26_512B,
        "54a1d3098aa5688d62a76256d06b0782bad1e871f99cb9943c531c2d07e3888b4a100ddff0d6be4b65c9921a2a3768b9e46bd85cc25f00c23442a649f6a9a6d6",
        "56f83cf9739de5a70a5b5471515cbdad2752a12b7dac061aae3bf864b5f78d7587649eef961aa530ced95d244710a341dc48ed97a1105df1ae6069af9b1148f8",
        "217945c84043c8ab7fa057f148d4f1373f4c6e783495c8210677df50181176d0e01369db28d5b1e0353930250aad30e6abca2165bc8dc70edde24061ace936a8",
        "3f8882d7e29351d646f62fb8da045512bdcbed86e20545406adf3a147c95be65108c319acf4da188c3ad283dde0a17c06a0186f9ed469491f7da2dc1f3803b09560020a5a320a3d8dd754c13c5d9b3239d6fb10335b0942992a5c764e2c65939fb14bfce71fc48fdd1b7cbf17470dc02ac1e6b7ea7da7f4d70743c1d762146cd",
        "274b9da7483729a34e7cdf1738855adf6964d5306cc61efb9704a85dd2ed420fa8b6ed65ee518cdefaf2d73aff1eee3fee27cdf083d37add17cc8ec9c6dea3952cdb811155e72c6db3b6e4857a78fc14f63c2e8f7e46972976cf76042c610cad1131f4f0fc603ba65092de007c460ff8f10cbb120f06d0efe2555d29dcef4f63",
    ),
    (
        CurveId::Tc26_512C,
        "095e66f5a91cb4e56508e86d98a35e19bd3a2293afc2b0eef4bb6c824808b50bbe7e4a008b14e53f6697ef243364a04ac52fce2514ba062f5d735e2e51a95f3b",
        "a6458ffc88c8254374adeb4b4799a24d223ad7ef85e152e419f80547398ae8e426b626f3ed0d51e75882867953ad67fd9a14dd6c2d35e05d6293046429ecf86e",
        "05bcd9a5a80b96cf453f572513aee09695ede5df84981714431097737234f40f03a9380a38e31297151ab403bebd9aea0ed8fce1f809b68e0e1a642eca075c72",
        "9e6ea67753490af642fb8b194febe59e01ba26e2aa98c8fcaf8623838b71c1fad08d00503a7aff6dc72690071c0c3944f5af48a4dffe51ac3318ee83da8c49599246248670f428f13ee6a2842cd973b2ad4df54151df223af351ef55dcf334bf5237e8e017ec92a4fe9ebe725d1e14d4bb97f92780959c233435795a7a13c4bc",
        "2d6987a8a0838490177248fb99f85a73dcd611bef529b1ab7d484cb221960904814a122504d2460dc3a97963f2c5ed9b26757c495d010cd78c4994bc102b7199192daad9524fc375c0030f4d9f23e0fd48e2d1a8d6ddc71d70f41feff085b368dd89c459fbb644f9bb6f7f3637338e3aa2306775820b9e54ab858d0d29d8e6ea",
    ),
];

#[test]
fn ok_every_production_curve_agrees_with_an_independent_implementation() {
    for (curve, d, e, k, xy, rs) in CROSS {
        let n = curve.size().bytes();
        let (xy, rs) = (h(xy), h(rs));
        let key = PrivateKey::from_be_bytes(curve, &h(d)).unwrap();
        assert_eq!(key.public_key().x(), &xy[..n], "{curve:?} Qx");
        assert_eq!(key.public_key().y(), &xy[n..], "{curve:?} Qy");
        let (r, s) = key.sign_prehashed_with_k(&h(e), &h(k)).unwrap();
        assert_eq!([r.clone(), s.clone()].concat(), rs, "{curve:?} r‖s");
        assert_eq!(
            key.public_key().verify_prehashed(&h(e), &r, &s),
            Ok(()),
            "{curve:?}"
        );
    }
}

#[test]
fn ok_sign_then_verify_on_every_curve_in_both_encodings() {
    for (curve, d, ..) in CROSS {
        let key = PrivateKey::from_be_bytes(curve, &h(d)).unwrap();
        for encoding in [Encoding::Tc26, Encoding::Nca] {
            let sig = key.sign(encoding, b"document").unwrap();
            assert_eq!(sig.len(), 2 * curve.size().bytes());
            assert_eq!(key.public_key().verify(encoding, b"document", &sig), Ok(()));
            // Deterministic nonce: the same input gives the same signature.
            assert_eq!(key.sign(encoding, b"document").unwrap(), sig);
        }
        let tc26 = key.sign(Encoding::Tc26, b"document").unwrap();
        let nca = key.sign(Encoding::Nca, b"document").unwrap();
        assert_eq!(
            rev(tc26),
            nca,
            "the national layout is the byte reversal of TC26's"
        );
    }
}
