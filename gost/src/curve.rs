//! The elliptic curves of GOST R 34.10-2012 and their arithmetic.
//!
//! Parameters: RFC 7836 appendix A.1 (the TC26 sets `id-tc26-gost-3410-12-256-paramSetA` and
//! `id-tc26-gost-3410-12-512-paramSetA/B/C`), RFC 4357 §11.4 (the CryptoPro sets A, B, C that
//! R 1323565.1.024-2019 renames TC26 256 paramSetB, C, D, and the key-exchange sets XchA/XchB
//! that share the A and C curves), and the test sets of GOST R 34.10-2012 appendix A (RFC 7091 §7).
//!
//! No maintained Rust crate implements these curves, so the arithmetic is written here: field
//! elements modulo `p` in [`crate::field`] (constant time; a special reduction for the
//! pseudo-Mersenne primes `2^256 − 617` and `2^512 − 569`, Montgomery's for the others), short
//! Weierstrass curves `y² = x³ + ax + b` in homogeneous projective coordinates with the complete
//! addition formulas of Renes, Costello and Batina ("Complete addition formulas for prime order
//! elliptic curves", EUROCRYPT 2016): algorithm 1 for arbitrary `a`, algorithm 4 where `a = −3`
//! (every CryptoPro set, 512 paramSetA and B). The formulas have no exceptional cases for points
//! of odd order, which is every point of the subgroup of order `q` that signing works in.
//!
//! Doubling uses the same paper's dedicated exception-free formulas (algorithm 3, or 6 where
//! `a = −3`), which cost 16 (or 13) multiplications where the addition costs 17 (or 14).
//!
//! Each curve's [`Domain`] (the field's constants, the Montgomery parameters of `q`, the
//! fixed-base table) is built once per process ([`CurveId::domain256`], [`CurveId::domain512`]).
//!
//! [`Domain::mul_base_ct`] is signing's `k·G` for the secret nonce: `k` recoded in signed
//! base-64 digits `d_i ∈ [−32, 32]` (masks, no branch), and a fixed-base table of the affine
//! points `j·2^(6i)·G` (`j` in `1..=32`, every window `i`; built once per curve and process with
//! one batched inversion) turns it into one mixed addition per window (Renes–Costello–Batina
//! algorithms 2 and 5) and no doubling; each row is read in full by a constant-time scan, the
//! sign applied by a constant-time selection, so neither the branches nor the memory accessed
//! depend on the scalar. [`Domain::mul_ct`] (tests only) is the same for any point with 4-bit
//! windows and doublings. [`Domain::mul_base_add_vartime`] serves verification, where every
//! input is public: the base point's half from the same table (entries taken by index), the
//! public key's half by a width-5 NAF in Jacobian coordinates (modified Jacobian, carrying
//! `a·Z⁴`, where `a ≠ −3`), and the final check of `x mod q` without inverting.
//! Unit tests compare them with the plain double-and-add ladder and every formula with the
//! affine chord-and-tangent rule over `crypto-bigint`'s `DynResidue` (differential property
//! tests, edge cases included).

use std::sync::OnceLock;

use crypto_bigint::modular::runtime_mod::DynResidueParams;
use crypto_bigint::{U256, U512, Uint};
use der::asn1::ObjectIdentifier;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use crate::field::{Fe, Field};

/// Key size of a GOST R 34.10-2012 curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Size {
    /// 256-bit keys, Streebog-256 hash, 64-byte signatures.
    S256,
    /// 512-bit keys, Streebog-512 hash, 128-byte signatures.
    S512,
}

impl Size {
    /// Length in bytes of one coordinate, of `r`, of `s` and of the hash.
    pub fn bytes(self) -> usize {
        match self {
            Self::S256 => 32,
            Self::S512 => 64,
        }
    }

    /// Name for messages ("256" or "512").
    pub fn bits_name(self) -> &'static str {
        match self {
            Self::S256 => "256",
            Self::S512 => "512",
        }
    }
}

/// A named curve (a "parameter set").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CurveId {
    /// `id-GostR3410-2001-TestParamSet`: the 256-bit example curve of GOST R 34.10-2012
    /// appendix A.1 (RFC 7091 §7.1). For tests only.
    Test256,
    /// `id-tc26-gost-3410-12-256-paramSetA` (RFC 7836 A.1; a twisted Edwards curve in
    /// Weierstrass form, cofactor 4).
    Tc26_256A,
    /// `id-GostR3410-2001-CryptoPro-A-ParamSet` = TC26 256 paramSetB = XchA (RFC 4357 §11.4).
    CryptoProA,
    /// `id-GostR3410-2001-CryptoPro-B-ParamSet` = TC26 256 paramSetC (RFC 4357 §11.4).
    CryptoProB,
    /// `id-GostR3410-2001-CryptoPro-C-ParamSet` = TC26 256 paramSetD = XchB (RFC 4357 §11.4).
    CryptoProC,
    /// `id-tc26-gost-3410-12-512-paramSetTest`: the 512-bit example curve of GOST R 34.10-2012
    /// appendix A.2 (RFC 7091 §7.2). For tests only.
    Test512,
    /// `id-tc26-gost-3410-12-512-paramSetA` (RFC 7836 A.1); the national center's 2015 curve.
    Tc26_512A,
    /// `id-tc26-gost-3410-12-512-paramSetB` (RFC 7836 A.1).
    Tc26_512B,
    /// `id-tc26-gost-3410-12-512-paramSetC` (RFC 7836 A.1; twisted Edwards, cofactor 4).
    Tc26_512C,
}

/// Every curve, for tests and tables.
pub const ALL_CURVES: [CurveId; 9] = [
    CurveId::Test256,
    CurveId::Tc26_256A,
    CurveId::CryptoProA,
    CurveId::CryptoProB,
    CurveId::CryptoProC,
    CurveId::Test512,
    CurveId::Tc26_512A,
    CurveId::Tc26_512B,
    CurveId::Tc26_512C,
];

/// Parameter-set OIDs and the curve each names: the TC26 and CryptoPro identifiers (RFC 7836
/// appendix A, RFC 4357 §10.8, RFC 9215 §3) and the national center's (verified on
/// `fixtures/nca`: `1.2.398.3.10.1.1.2.2.1` is paramSetA 512, `1.2.398.3.10.1.1.1.1.1` of the 2004
/// generation is CryptoPro-A).
pub const CURVE_OIDS: [(ObjectIdentifier, CurveId); 16] = [
    (oid("1.2.643.2.2.35.0"), CurveId::Test256),
    (oid("1.2.643.7.1.2.1.1.1"), CurveId::Tc26_256A),
    (oid("1.2.643.2.2.35.1"), CurveId::CryptoProA),
    (oid("1.2.643.7.1.2.1.1.2"), CurveId::CryptoProA),
    (oid("1.2.643.2.2.36.0"), CurveId::CryptoProA),
    (oid("1.2.643.2.2.35.2"), CurveId::CryptoProB),
    (oid("1.2.643.7.1.2.1.1.3"), CurveId::CryptoProB),
    (oid("1.2.643.2.2.35.3"), CurveId::CryptoProC),
    (oid("1.2.643.7.1.2.1.1.4"), CurveId::CryptoProC),
    (oid("1.2.643.2.2.36.1"), CurveId::CryptoProC),
    (oid("1.2.643.7.1.2.1.2.0"), CurveId::Test512),
    (oid("1.2.643.7.1.2.1.2.1"), CurveId::Tc26_512A),
    (oid("1.2.643.7.1.2.1.2.2"), CurveId::Tc26_512B),
    (oid("1.2.643.7.1.2.1.2.3"), CurveId::Tc26_512C),
    (oid("1.2.398.3.10.1.1.2.2.1"), CurveId::Tc26_512A),
    (oid("1.2.398.3.10.1.1.1.1.1"), CurveId::CryptoProA),
];

const fn oid(s: &str) -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap(s)
}

impl CurveId {
    /// The curve a parameter-set OID names.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        CURVE_OIDS
            .iter()
            .find(|(o, _)| o == oid)
            .map(|(_, curve)| *curve)
    }

    /// The standard (TC26 or CryptoPro) OID of the curve, as this toolkit writes it.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Test256 => oid("1.2.643.2.2.35.0"),
            Self::Tc26_256A => oid("1.2.643.7.1.2.1.1.1"),
            Self::CryptoProA => oid("1.2.643.2.2.35.1"),
            Self::CryptoProB => oid("1.2.643.2.2.35.2"),
            Self::CryptoProC => oid("1.2.643.2.2.35.3"),
            Self::Test512 => oid("1.2.643.7.1.2.1.2.0"),
            Self::Tc26_512A => oid("1.2.643.7.1.2.1.2.1"),
            Self::Tc26_512B => oid("1.2.643.7.1.2.1.2.2"),
            Self::Tc26_512C => oid("1.2.643.7.1.2.1.2.3"),
        }
    }

    /// The key size.
    pub fn size(self) -> Size {
        match self {
            Self::Test256
            | Self::Tc26_256A
            | Self::CryptoProA
            | Self::CryptoProB
            | Self::CryptoProC => Size::S256,
            Self::Test512 | Self::Tc26_512A | Self::Tc26_512B | Self::Tc26_512C => Size::S512,
        }
    }

    /// A human name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Test256 => "id-GostR3410-2001-TestParamSet",
            Self::Tc26_256A => "id-tc26-gost-3410-12-256-paramSetA",
            Self::CryptoProA => "id-GostR3410-2001-CryptoPro-A-ParamSet",
            Self::CryptoProB => "id-GostR3410-2001-CryptoPro-B-ParamSet",
            Self::CryptoProC => "id-GostR3410-2001-CryptoPro-C-ParamSet",
            Self::Test512 => "id-tc26-gost-3410-12-512-paramSetTest",
            Self::Tc26_512A => "id-tc26-gost-3410-12-512-paramSetA",
            Self::Tc26_512B => "id-tc26-gost-3410-12-512-paramSetB",
            Self::Tc26_512C => "id-tc26-gost-3410-12-512-paramSetC",
        }
    }

    pub(crate) fn params256(self) -> Option<&'static Params<{ U256::LIMBS }>> {
        match self {
            Self::Test256 => Some(&TEST_256),
            Self::Tc26_256A => Some(&TC26_256_A),
            Self::CryptoProA => Some(&CRYPTOPRO_A),
            Self::CryptoProB => Some(&CRYPTOPRO_B),
            Self::CryptoProC => Some(&CRYPTOPRO_C),
            _ => None,
        }
    }

    pub(crate) fn params512(self) -> Option<&'static Params<{ U512::LIMBS }>> {
        match self {
            Self::Test512 => Some(&TEST_512),
            Self::Tc26_512A => Some(&TC26_512_A),
            Self::Tc26_512B => Some(&TC26_512_B),
            Self::Tc26_512C => Some(&TC26_512_C),
            _ => None,
        }
    }
}

/// The constants of a curve: field prime `p`, coefficients `a`, `b`, subgroup order `q`, base
/// point `(x, y)`.
pub(crate) struct Params<const L: usize> {
    p: Uint<L>,
    a: Uint<L>,
    b: Uint<L>,
    q: Uint<L>,
    x: Uint<L>,
    y: Uint<L>,
}

impl<const L: usize> Params<L> {
    /// The field prime `p`.
    #[cfg(test)]
    pub(crate) fn prime(&self) -> &Uint<L> {
        &self.p
    }
}

macro_rules! params {
    ($u:ident, $p:expr, $a:expr, $b:expr, $q:expr, $x:expr, $y:expr) => {
        Params {
            p: $u::from_be_hex($p),
            a: $u::from_be_hex($a),
            b: $u::from_be_hex($b),
            q: $u::from_be_hex($q),
            x: $u::from_be_hex($x),
            y: $u::from_be_hex($y),
        }
    };
}

const TEST_256: Params<{ U256::LIMBS }> = params!(
    U256,
    "8000000000000000000000000000000000000000000000000000000000000431",
    "0000000000000000000000000000000000000000000000000000000000000007",
    "5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E",
    "8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3",
    "0000000000000000000000000000000000000000000000000000000000000002",
    "08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8"
);

const TC26_256_A: Params<{ U256::LIMBS }> = params!(
    U256,
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
    "C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335",
    "295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513",
    "400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67",
    "91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28",
    "32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C"
);

const CRYPTOPRO_A: Params<{ U256::LIMBS }> = params!(
    U256,
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94",
    "00000000000000000000000000000000000000000000000000000000000000A6",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
    "0000000000000000000000000000000000000000000000000000000000000001",
    "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14"
);

const CRYPTOPRO_B: Params<{ U256::LIMBS }> = params!(
    U256,
    "8000000000000000000000000000000000000000000000000000000000000C99",
    "8000000000000000000000000000000000000000000000000000000000000C96",
    "3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B",
    "800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F",
    "0000000000000000000000000000000000000000000000000000000000000001",
    "3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC"
);

const CRYPTOPRO_C: Params<{ U256::LIMBS }> = params!(
    U256,
    "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B",
    "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D7598",
    "000000000000000000000000000000000000000000000000000000000000805A",
    "9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67"
);

const TEST_512: Params<{ U512::LIMBS }> = params!(
    U512,
    "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DF1D852741AF4704A0458047E80E4546D35B8336FAC224DD81664BBF528BE6373",
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000007",
    "1CFF0806A31116DA29D8CFA54E57EB748BC5F377E49400FDD788B649ECA1AC4361834013B2AD7322480A89CA58E0CF74BC9E540C2ADD6897FAD0A3084F302ADC",
    "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DA82F2D7ECB1DBAC719905C5EECC423F1D86E25EDBE23C595D644AAF187E6E6DF",
    "24D19CC64572EE30F396BF6EBBFD7A6C5213B3B3D7057CC825F91093A68CD762FD60611262CD838DC6B60AA7EEE804E28BC849977FAC33B4B530F1B120248A9A",
    "2BB312A43BD2CE6E0D020613C857ACDDCFBF061E91E5F2C3F32447C259F39B2C83AB156D77F1496BF7EB3351E1EE4E43DC1A18B91B24640B6DBB92CB1ADD371E"
);

const TC26_512_A: Params<{ U512::LIMBS }> = params!(
    U512,
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC4",
    "E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003",
    "7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4"
);

const TC26_512_B: Params<{ U512::LIMBS }> = params!(
    U512,
    "8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006F",
    "8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006C",
    "687D1B459DC841457E3E06CF6F5E2517B97C7D614AF138BCBF85DC806C4B289F3E965D2DB1416D217F8B276FAD1AB69C50F78BEE1FA3106EFB8CCBC7C5140116",
    "800000000000000000000000000000000000000000000000000000000000000149A1EC142565A545ACFDB77BD9D40CFA8B996712101BEA0EC6346C54374F25BD",
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002",
    "1A8F7EDA389B094C2C071E3647A8940F3C123B697578C213BE6DD9E6C8EC7335DCB228FD1EDF4A39152CBCAAF8C0398828041055F94CEEEC7E21340780FE41BD"
);

const TC26_512_C: Params<{ U512::LIMBS }> = params!(
    U512,
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
    "DC9203E514A721875485A529D2C722FB187BC8980EB866644DE41C68E143064546E861C0E2C9EDD92ADE71F46FCF50FF2AD97F951FDA9F2A2EB6546F39689BD3",
    "B4C4EE28CEBC6C2C8AC12952CF37F16AC7EFB6A9F69F4B57FFDA2E4F0DE5ADE038CBC2FFF719D2C18DE0284B8BFEF3B52B8CC7A5F5BF0A3C8D2319A5312557E1",
    "3FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC98CDBA46506AB004C33A9FF5147502CC8EDA9E7A769A12694623CEF47F023ED",
    "E2E31EDFC23DE7BDEBE241CE593EF5DE2295B7A9CBAEF021D385F7074CEA043AA27272A7AE602BF2A7B9033DB9ED3610C6FB85487EAE97AAC5BC7928C1950148",
    "F5CE40D95B5EB899ABBCCFF5911CB8577939804D6527378B8C108C3D2090FF9BE18E2D33E3021ED2EF32D85822423B6304F726AA854BAE07D0396E9A9ADDC40F"
);

/// Bits per window of [`Domain::mul_ct`].
#[cfg(test)]
const WINDOW: usize = 4;
/// Entries of a window's table: `0·P` to `15·P`.
#[cfg(test)]
const TABLE: usize = 1 << WINDOW;

/// The 4-bit digit of `k` starting at bit `start`, read without branching on `k` (bits past the
/// integer's width read as 0).
#[cfg(test)]
fn digit_ct<const L: usize>(k: &Uint<L>, start: usize) -> u8 {
    let mut digit = 0u8;
    for b in 0..WINDOW {
        let bit = Choice::from(k.bit(start.saturating_add(b))).unwrap_u8();
        digit |= bit << b;
    }
    digit
}

/// Bits per window of the fixed-base table ([`Domain::mul_base_ct`]).
const COMB_BITS: usize = 6;
/// Entries per row of the fixed-base table: `j·2^(6i)·G` for `|digit| = j` in `1..=32`.
const COMB_ENTRIES: usize = 1 << (COMB_BITS - 1);

/// The `COMB_BITS`-bit window of `k` starting at bit `start`, read without branching on `k`
/// (bits past the integer's width read as 0): the word holding bit `start` shifted down, with
/// the next word's low bits where the window straddles two. Which words are read depends only
/// on `start` (public), not on `k`.
fn window6_ct<const L: usize>(k: &Uint<L>, start: usize) -> u8 {
    let words = k.as_words();
    let (index, shift) = (start / 64, start % 64);
    let low = words.get(index).map_or(0, |w| w >> shift);
    // The next word's bits above the shift (none when the window ends in this word).
    let high = match (shift, words.get(index.saturating_add(1))) {
        (0, _) | (_, None) => 0,
        (s, Some(w)) => w << (64 - s),
    };
    u8::try_from((low | high) & 0x3f).unwrap_or(0)
}

/// [`window6_ct`] bit by bit (`crypto-bigint`'s constant-time `bit`): its reference in tests.
#[cfg(test)]
fn window6_by_bits<const L: usize>(k: &Uint<L>, start: usize) -> u8 {
    let mut w = 0u8;
    for b in 0..COMB_BITS {
        let bit = Choice::from(k.bit(start.saturating_add(b))).unwrap_u8();
        w |= bit << b;
    }
    w
}

/// One step of the signed recoding of `k` in base 64 (digits in `[−32, 32]`), in constant time:
/// from the window `w` (`0..64`) and the carry of the window below (0 or 1), the digit's
/// magnitude, whether it is negative, and the carry to the next window. `v = w + carry`; when
/// `v > 32` the digit is `v − 64` and 1 is carried. Masks only, no branch on the values.
fn signed_digit_ct(w: u8, carry: u8) -> (u8, Choice, u8) {
    let v = w.wrapping_add(carry);
    // v ≤ 64, so 32 − v is negative (top bit set) exactly when v > 32.
    let negative = (32u8.wrapping_sub(v) >> 7) & 1;
    let mask = 0u8.wrapping_sub(negative);
    let magnitude = v ^ ((v ^ 64u8.wrapping_sub(v)) & mask);
    (magnitude, Choice::from(negative), negative)
}

/// The domains of [`ALL_CURVES`] in that order, made on first use (see [`CurveId::domain256`]).
static DOMAINS_256: [OnceLock<Domain<{ U256::LIMBS }>>; 9] = [const { OnceLock::new() }; 9];
/// The same for the 512-bit curves.
static DOMAINS_512: [OnceLock<Domain<{ U512::LIMBS }>>; 9] = [const { OnceLock::new() }; 9];

impl CurveId {
    /// The curve's arithmetic, built once per process (the field's reduction constants, the
    /// Montgomery parameters of `q`; the fixed-base table on first signing).
    pub(crate) fn domain256(self) -> Option<&'static Domain<{ U256::LIMBS }>> {
        let params = self.params256()?;
        let index = ALL_CURVES.iter().position(|c| *c == self)?;
        Some(DOMAINS_256.get(index)?.get_or_init(|| Domain::new(params)))
    }

    /// [`CurveId::domain256`] for the 512-bit curves.
    pub(crate) fn domain512(self) -> Option<&'static Domain<{ U512::LIMBS }>> {
        let params = self.params512()?;
        let index = ALL_CURVES.iter().position(|c| *c == self)?;
        Some(DOMAINS_512.get(index)?.get_or_init(|| Domain::new(params)))
    }
}

/// A point in homogeneous projective coordinates `(X : Y : Z)`, affine `(X/Z, Y/Z)`; the point
/// at infinity is `(0 : 1 : 0)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Point<const L: usize> {
    x: Fe<L>,
    y: Fe<L>,
    z: Fe<L>,
}

impl<const L: usize> ConditionallySelectable for Point<L> {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Self {
            x: Fe::conditional_select(&a.x, &b.x, choice),
            y: Fe::conditional_select(&a.y, &b.y, choice),
            z: Fe::conditional_select(&a.z, &b.z, choice),
        }
    }
}

/// A point in affine coordinates, never the point at infinity: the entries of the fixed-base
/// table, added with the mixed formulas ([`Domain::add_mixed`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Affine<const L: usize> {
    x: Fe<L>,
    y: Fe<L>,
}

impl<const L: usize> ConditionallySelectable for Affine<L> {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Self {
            x: Fe::conditional_select(&a.x, &b.x, choice),
            y: Fe::conditional_select(&a.y, &b.y, choice),
        }
    }
}

/// A point in Jacobian coordinates `(X : Y : Z)`, affine `(X/Z², Y/Z³)`; `Z = 0` is the point
/// at infinity. Verification only: its formulas branch on the values.
#[derive(Clone, Copy, Debug)]
struct Jacobian<const L: usize> {
    x: Fe<L>,
    y: Fe<L>,
    z: Fe<L>,
}

/// Odd multiples `P, 3P, …, 15P` of a width-5 NAF.
const NAF_TABLE: usize = 8;

/// The width-5 non-adjacent form of `k`, least significant digit first: digits odd in
/// `[−15, 15]` or 0, any nonzero digit followed by at least four zeros. Variable time.
fn naf_vartime<const L: usize>(k: &Uint<L>) -> Vec<i8> {
    let mut digits = Vec::with_capacity(k.bits_vartime().saturating_add(1));
    let mut k = *k;
    while k != Uint::ZERO {
        let low = k.as_words().first().copied().unwrap_or(0) & 31;
        let digit = if low & 1 == 0 {
            0
        } else if low < 16 {
            k = k.wrapping_sub(&Uint::from_word(low));
            i8::try_from(low).unwrap_or(0)
        } else {
            k = k.wrapping_add(&Uint::from_word(32 - low));
            i8::try_from(low).map_or(0, |l| l - 32)
        };
        digits.push(digit);
        k = k.shr_vartime(1);
    }
    digits
}

/// A curve ready for arithmetic: the field of `p`, the Montgomery parameters of `q` and the
/// constants as field elements.
pub(crate) struct Domain<const L: usize> {
    fp: Field<L>,
    fq: DynResidueParams<L>,
    q: Uint<L>,
    q_bits: usize,
    a: Fe<L>,
    b: Fe<L>,
    b3: Fe<L>,
    /// `a = −3 mod p` (every CryptoPro set and 512 paramSetA and B): the cheaper formulas of
    /// Renes–Costello–Batina algorithms 4 and 6 apply.
    a_is_minus_3: bool,
    g: Point<L>,
    /// The fixed-base table of `g`, built on first use (see [`Domain::mul_base_ct`]).
    base: OnceLock<Vec<Affine<L>>>,
}

impl<const L: usize> Domain<L> {
    pub(crate) fn new(params: &Params<L>) -> Self {
        // p and q are odd primes (the constants above), as Montgomery form needs.
        let fp = Field::new(&params.p);
        let fq = DynResidueParams::new(&params.q);
        let a = fp.element(&params.a);
        let b = fp.element(&params.b);
        let three = fp.element(&Uint::from_u8(3));
        let g = Point {
            x: fp.element(&params.x),
            y: fp.element(&params.y),
            z: fp.one(),
        };
        Self {
            fp,
            fq,
            q: params.q,
            q_bits: params.q.bits(),
            a,
            b,
            b3: fp.mul(&b, &three),
            a_is_minus_3: a == fp.neg(&three),
            g,
            base: OnceLock::new(),
        }
    }

    /// The subgroup order.
    pub(crate) fn q(&self) -> &Uint<L> {
        &self.q
    }

    /// Montgomery parameters modulo `q`.
    pub(crate) fn fq(&self) -> DynResidueParams<L> {
        self.fq
    }

    /// The base point.
    #[cfg(test)]
    pub(crate) fn generator(&self) -> Point<L> {
        self.g
    }

    pub(crate) fn identity(&self) -> Point<L> {
        Point {
            x: self.fp.zero(),
            y: self.fp.one(),
            z: self.fp.zero(),
        }
    }

    /// The point `(x, y)` if both coordinates are below `p` and satisfy the curve equation
    /// (GOST R 34.10-2012 §5.2).
    pub(crate) fn point(&self, x: &Uint<L>, y: &Uint<L>) -> Option<Point<L>> {
        if !self.in_field(x, y) {
            return None;
        }
        let f = &self.fp;
        let x = f.element(x);
        let y = f.element(y);
        let rhs = f.add(
            &f.add(&f.mul(&f.square(&x), &x), &f.mul(&self.a, &x)),
            &self.b,
        );
        if bool::from(f.square(&y).ct_eq(&rhs)) {
            Some(Point { x, y, z: f.one() })
        } else {
            None
        }
    }

    /// Whether the coordinates are below `p`.
    pub(crate) fn in_field(&self, x: &Uint<L>, y: &Uint<L>) -> bool {
        let p = self.fp.modulus();
        x < p && y < p
    }

    /// `−P`.
    #[cfg(test)]
    pub(crate) fn neg(&self, p: &Point<L>) -> Point<L> {
        Point {
            x: p.x,
            y: self.fp.neg(&p.y),
            z: p.z,
        }
    }

    /// `P + Q`, complete (no exceptional case in the subgroup): Renes–Costello–Batina 2016
    /// algorithm 4 when `a = −3`, algorithm 1 otherwise.
    pub(crate) fn add(&self, p1: &Point<L>, p2: &Point<L>) -> Point<L> {
        if self.a_is_minus_3 {
            self.add_minus_3(p1, p2)
        } else {
            self.add_any_a(p1, p2)
        }
    }

    /// `2·P`, exception-free: Renes–Costello–Batina 2016 algorithm 6 when `a = −3`,
    /// algorithm 3 otherwise.
    pub(crate) fn double(&self, p: &Point<L>) -> Point<L> {
        if self.a_is_minus_3 {
            self.double_minus_3(p)
        } else {
            self.double_any_a(p)
        }
    }

    /// Algorithm 1 (complete addition, arbitrary `a`): 12 multiplications, 3 by `a`, 2 by `3b`.
    fn add_any_a(&self, p1: &Point<L>, p2: &Point<L>) -> Point<L> {
        let f = &self.fp;
        let (x1, y1, z1) = (&p1.x, &p1.y, &p1.z);
        let (x2, y2, z2) = (&p2.x, &p2.y, &p2.z);
        let a = &self.a;
        let b3 = &self.b3;
        let mut t0 = f.mul(x1, x2);
        let mut t1 = f.mul(y1, y2);
        let mut t2 = f.mul(z1, z2);
        let mut t3 = f.add(x1, y1);
        let mut t4 = f.add(x2, y2);
        t3 = f.mul(&t3, &t4);
        t4 = f.add(&t0, &t1);
        t3 = f.sub(&t3, &t4);
        t4 = f.add(x1, z1);
        let mut t5 = f.add(x2, z2);
        t4 = f.mul(&t4, &t5);
        t5 = f.add(&t0, &t2);
        t4 = f.sub(&t4, &t5);
        t5 = f.add(y1, z1);
        let mut x3 = f.add(y2, z2);
        t5 = f.mul(&t5, &x3);
        x3 = f.add(&t1, &t2);
        t5 = f.sub(&t5, &x3);
        let mut z3 = f.mul(a, &t4);
        x3 = f.mul(b3, &t2);
        z3 = f.add(&x3, &z3);
        x3 = f.sub(&t1, &z3);
        z3 = f.add(&t1, &z3);
        let mut y3 = f.mul(&x3, &z3);
        t1 = f.add(&t0, &t0);
        t1 = f.add(&t1, &t0);
        t2 = f.mul(a, &t2);
        t4 = f.mul(b3, &t4);
        t1 = f.add(&t1, &t2);
        t2 = f.sub(&t0, &t2);
        t2 = f.mul(a, &t2);
        t4 = f.add(&t4, &t2);
        t0 = f.mul(&t1, &t4);
        y3 = f.add(&y3, &t0);
        t0 = f.mul(&t5, &t4);
        x3 = f.mul(&x3, &t3);
        x3 = f.sub(&x3, &t0);
        t0 = f.mul(&t3, &t1);
        z3 = f.mul(&t5, &z3);
        z3 = f.add(&z3, &t0);
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// Algorithm 4 (complete addition, `a = −3`): 12 multiplications, 2 by `b`.
    fn add_minus_3(&self, p1: &Point<L>, p2: &Point<L>) -> Point<L> {
        let f = &self.fp;
        let (x1, y1, z1) = (&p1.x, &p1.y, &p1.z);
        let (x2, y2, z2) = (&p2.x, &p2.y, &p2.z);
        let b = &self.b;
        let mut t0 = f.mul(x1, x2);
        let mut t1 = f.mul(y1, y2);
        let mut t2 = f.mul(z1, z2);
        let mut t3 = f.add(x1, y1);
        let mut t4 = f.add(x2, y2);
        t3 = f.mul(&t3, &t4);
        t4 = f.add(&t0, &t1);
        t3 = f.sub(&t3, &t4);
        t4 = f.add(y1, z1);
        let mut x3 = f.add(y2, z2);
        t4 = f.mul(&t4, &x3);
        x3 = f.add(&t1, &t2);
        t4 = f.sub(&t4, &x3);
        x3 = f.add(x1, z1);
        let mut y3 = f.add(x2, z2);
        x3 = f.mul(&x3, &y3);
        y3 = f.add(&t0, &t2);
        y3 = f.sub(&x3, &y3);
        let mut z3 = f.mul(b, &t2);
        x3 = f.sub(&y3, &z3);
        z3 = f.double(&x3);
        x3 = f.add(&x3, &z3);
        z3 = f.sub(&t1, &x3);
        x3 = f.add(&t1, &x3);
        y3 = f.mul(b, &y3);
        t1 = f.double(&t2);
        t2 = f.add(&t1, &t2);
        y3 = f.sub(&y3, &t2);
        y3 = f.sub(&y3, &t0);
        t1 = f.double(&y3);
        y3 = f.add(&t1, &y3);
        t1 = f.double(&t0);
        t0 = f.add(&t1, &t0);
        t0 = f.sub(&t0, &t2);
        t1 = f.mul(&t4, &y3);
        t2 = f.mul(&t0, &y3);
        y3 = f.mul(&x3, &z3);
        y3 = f.add(&y3, &t2);
        x3 = f.mul(&t3, &x3);
        x3 = f.sub(&x3, &t1);
        z3 = f.mul(&t4, &z3);
        t1 = f.mul(&t3, &t0);
        z3 = f.add(&z3, &t1);
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `P + A` for an affine `A` (never the point at infinity; `P` may be), complete:
    /// Renes–Costello–Batina 2016 algorithm 5 when `a = −3`, algorithm 2 otherwise — the
    /// algorithms 4 and 1 above with `Z2 = 1`, one multiplication fewer.
    pub(crate) fn add_mixed(&self, p1: &Point<L>, p2: &Affine<L>) -> Point<L> {
        if self.a_is_minus_3 {
            self.add_mixed_minus_3(p1, p2)
        } else {
            self.add_mixed_any_a(p1, p2)
        }
    }

    /// Algorithm 2 (complete mixed addition, arbitrary `a`): algorithm 1 with `Z2 = 1`.
    fn add_mixed_any_a(&self, p1: &Point<L>, p2: &Affine<L>) -> Point<L> {
        let f = &self.fp;
        let (x1, y1, z1) = (&p1.x, &p1.y, &p1.z);
        let (x2, y2) = (&p2.x, &p2.y);
        let a = &self.a;
        let b3 = &self.b3;
        let mut t0 = f.mul(x1, x2);
        let mut t1 = f.mul(y1, y2);
        let mut t3 = f.add(x2, y2);
        let mut t4 = f.add(x1, y1);
        t3 = f.mul(&t3, &t4);
        t4 = f.add(&t0, &t1);
        t3 = f.sub(&t3, &t4);
        t4 = f.mul(x2, z1);
        t4 = f.add(&t4, x1);
        let mut t5 = f.mul(y2, z1);
        t5 = f.add(&t5, y1);
        let mut z3 = f.mul(a, &t4);
        let mut x3 = f.mul(b3, z1);
        z3 = f.add(&x3, &z3);
        x3 = f.sub(&t1, &z3);
        z3 = f.add(&t1, &z3);
        let mut y3 = f.mul(&x3, &z3);
        t1 = f.add(&t0, &t0);
        t1 = f.add(&t1, &t0);
        let mut t2 = f.mul(a, z1);
        t4 = f.mul(b3, &t4);
        t1 = f.add(&t1, &t2);
        t2 = f.sub(&t0, &t2);
        t2 = f.mul(a, &t2);
        t4 = f.add(&t4, &t2);
        t0 = f.mul(&t1, &t4);
        y3 = f.add(&y3, &t0);
        t0 = f.mul(&t5, &t4);
        x3 = f.mul(&t3, &x3);
        x3 = f.sub(&x3, &t0);
        t0 = f.mul(&t3, &t1);
        z3 = f.mul(&t5, &z3);
        z3 = f.add(&z3, &t0);
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// Algorithm 5 (complete mixed addition, `a = −3`): algorithm 4 with `Z2 = 1`.
    fn add_mixed_minus_3(&self, p1: &Point<L>, p2: &Affine<L>) -> Point<L> {
        let f = &self.fp;
        let (x1, y1, z1) = (&p1.x, &p1.y, &p1.z);
        let (x2, y2) = (&p2.x, &p2.y);
        let b = &self.b;
        let mut t0 = f.mul(x1, x2);
        let mut t1 = f.mul(y1, y2);
        let mut t3 = f.add(x2, y2);
        let mut t4 = f.add(x1, y1);
        t3 = f.mul(&t3, &t4);
        t4 = f.add(&t0, &t1);
        t3 = f.sub(&t3, &t4);
        t4 = f.mul(y2, z1);
        t4 = f.add(&t4, y1);
        let mut y3 = f.mul(x2, z1);
        y3 = f.add(&y3, x1);
        let mut z3 = f.mul(b, z1);
        let mut x3 = f.sub(&y3, &z3);
        z3 = f.double(&x3);
        x3 = f.add(&x3, &z3);
        z3 = f.sub(&t1, &x3);
        x3 = f.add(&t1, &x3);
        y3 = f.mul(b, &y3);
        t1 = f.double(z1);
        let mut t2 = f.add(&t1, z1);
        y3 = f.sub(&y3, &t2);
        y3 = f.sub(&y3, &t0);
        t1 = f.double(&y3);
        y3 = f.add(&t1, &y3);
        t1 = f.double(&t0);
        t0 = f.add(&t1, &t0);
        t0 = f.sub(&t0, &t2);
        t1 = f.mul(&t4, &y3);
        t2 = f.mul(&t0, &y3);
        y3 = f.mul(&x3, &z3);
        y3 = f.add(&y3, &t2);
        x3 = f.mul(&t3, &x3);
        x3 = f.sub(&x3, &t1);
        z3 = f.mul(&t4, &z3);
        t1 = f.mul(&t3, &t0);
        z3 = f.add(&z3, &t1);
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// Algorithm 3 (exception-free doubling, arbitrary `a`): 8 multiplications, 3 squarings,
    /// 3 by `a`, 2 by `3b`.
    fn double_any_a(&self, p: &Point<L>) -> Point<L> {
        let f = &self.fp;
        let (x, y, z) = (&p.x, &p.y, &p.z);
        let a = &self.a;
        let b3 = &self.b3;
        let mut t0 = f.square(x);
        let t1 = f.square(y);
        let mut t2 = f.square(z);
        let mut t3 = f.mul(x, y);
        t3 = f.double(&t3);
        let mut z3 = f.mul(x, z);
        z3 = f.double(&z3);
        let mut x3 = f.mul(a, &z3);
        let mut y3 = f.mul(b3, &t2);
        y3 = f.add(&x3, &y3);
        x3 = f.sub(&t1, &y3);
        y3 = f.add(&t1, &y3);
        y3 = f.mul(&x3, &y3);
        x3 = f.mul(&t3, &x3);
        z3 = f.mul(b3, &z3);
        t2 = f.mul(a, &t2);
        t3 = f.sub(&t0, &t2);
        t3 = f.mul(a, &t3);
        t3 = f.add(&t3, &z3);
        z3 = f.double(&t0);
        t0 = f.add(&z3, &t0);
        t0 = f.add(&t0, &t2);
        t0 = f.mul(&t0, &t3);
        y3 = f.add(&y3, &t0);
        t2 = f.mul(y, z);
        t2 = f.double(&t2);
        t0 = f.mul(&t2, &t3);
        x3 = f.sub(&x3, &t0);
        z3 = f.mul(&t2, &t1);
        z3 = f.double(&z3);
        z3 = f.double(&z3);
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// Algorithm 6 (exception-free doubling, `a = −3`): 8 multiplications, 3 squarings, 2 by
    /// `b`.
    fn double_minus_3(&self, p: &Point<L>) -> Point<L> {
        let f = &self.fp;
        let (x, y, z) = (&p.x, &p.y, &p.z);
        let b = &self.b;
        let t0 = f.square(x);
        let t1 = f.square(y);
        let mut t2 = f.square(z);
        let mut t3 = f.mul(x, y);
        t3 = f.double(&t3);
        let mut z3 = f.mul(x, z);
        z3 = f.double(&z3);
        let mut y3 = f.mul(b, &t2);
        y3 = f.sub(&y3, &z3);
        let mut x3 = f.double(&y3);
        y3 = f.add(&x3, &y3);
        x3 = f.sub(&t1, &y3);
        y3 = f.add(&t1, &y3);
        y3 = f.mul(&x3, &y3);
        x3 = f.mul(&x3, &t3);
        t3 = f.double(&t2);
        t2 = f.add(&t2, &t3);
        z3 = f.mul(b, &z3);
        z3 = f.sub(&z3, &t2);
        z3 = f.sub(&z3, &t0);
        t3 = f.double(&z3);
        z3 = f.add(&z3, &t3);
        t3 = f.double(&t0);
        let mut t0 = f.add(&t3, &t0);
        t0 = f.sub(&t0, &t2);
        t0 = f.mul(&t0, &z3);
        y3 = f.add(&y3, &t0);
        t0 = f.mul(y, z);
        t0 = f.double(&t0);
        z3 = f.mul(&t0, &z3);
        x3 = f.sub(&x3, &z3);
        z3 = f.mul(&t0, &t1);
        z3 = f.double(&z3);
        z3 = f.double(&z3);
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `j·P` for `j` in `0..16`: the table of a 4-bit window.
    #[cfg(test)]
    fn multiples(&self, p: &Point<L>) -> [Point<L>; TABLE] {
        let mut table = [self.identity(); TABLE];
        let mut acc = self.identity();
        for entry in table.iter_mut().skip(1) {
            acc = self.add(&acc, p);
            *entry = acc;
        }
        table
    }

    /// `k·P` in constant time: `ceil(q_bits / 4)` windows of 4 doublings and one addition of
    /// `digit·P`, read from the table by a scan that touches every entry and keeps the right one
    /// with a constant-time select. `k` must be below `2^q_bits` (every scalar here is reduced
    /// modulo `q`, or is `q` itself in tests).
    #[cfg(test)]
    pub(crate) fn mul_ct(&self, k: &Uint<L>, p: &Point<L>) -> Point<L> {
        let table = self.multiples(p);
        let mut r = self.identity();
        for w in (0..self.q_bits.div_ceil(WINDOW)).rev() {
            for _ in 0..WINDOW {
                r = self.double(&r);
            }
            let digit = digit_ct(k, w.saturating_mul(WINDOW));
            let mut t = self.identity();
            for (j, entry) in (0u8..).zip(table.iter()) {
                t.conditional_assign(entry, digit.ct_eq(&j));
            }
            r = self.add(&r, &t);
        }
        r
    }

    /// `k·G` for the base point `G`, in constant time: `k` recoded in signed base-64 digits
    /// `d_i ∈ [−32, 32]` (`k = Σ d_i·2^(6i)`), and for each window one mixed addition of
    /// `±|d_i|·2^(6i)·G`, the entry read from the fixed-base table by a scan of the whole row
    /// (32 affine points) and its `y` negated by a constant-time selection. A zero digit adds
    /// nothing: the sum is computed anyway and discarded by a selection. No doubling at all.
    /// Same result as `mul_ct(k, G)`; `k` must be below `2^q_bits`.
    pub(crate) fn mul_base_ct(&self, k: &Uint<L>) -> Point<L> {
        let table = self.base_table();
        let mut r = self.identity();
        let mut carry = 0u8;
        for (i, row) in table.chunks_exact(COMB_ENTRIES).enumerate() {
            let w = window6_ct(k, i.saturating_mul(COMB_BITS));
            let (magnitude, negative, next) = signed_digit_ct(w, carry);
            carry = next;
            let mut t = row.first().copied().unwrap_or(Affine {
                x: self.fp.zero(),
                y: self.fp.zero(),
            });
            for (j, entry) in (1u8..).zip(row) {
                t.conditional_assign(entry, magnitude.ct_eq(&j));
            }
            let minus_y = self.fp.neg(&t.y);
            t.y.conditional_assign(&minus_y, negative);
            let sum = self.add_mixed(&r, &t);
            r.conditional_assign(&sum, !magnitude.ct_eq(&0));
        }
        r
    }

    /// The fixed-base table, built on first use.
    fn base_table(&self) -> &[Affine<L>] {
        self.base.get_or_init(|| self.build_base_table())
    }

    /// For each window `i` (of `ceil((q_bits + 1) / 6)`: the signed recoding of a `k` below
    /// `2^q_bits` never carries out of the last one) the affine points `j·2^(6i)·G`, `j` in
    /// `1..=32`. None is the point at infinity (`q` is an odd prime above `32·2^(6i)`'s factors),
    /// so every `Z` is invertible; the projective points are brought to affine with one
    /// inversion for the whole table (Montgomery's trick: prefix products, then back).
    fn build_base_table(&self) -> Vec<Affine<L>> {
        let f = &self.fp;
        let windows = self.q_bits.saturating_add(1).div_ceil(COMB_BITS);
        let mut points = Vec::with_capacity(windows.saturating_mul(COMB_ENTRIES));
        let mut base = self.g;
        for _ in 0..windows {
            let mut acc = base;
            points.push(acc);
            for _ in 1..COMB_ENTRIES {
                acc = self.add(&acc, &base);
                points.push(acc);
            }
            for _ in 0..COMB_BITS {
                base = self.double(&base);
            }
        }
        // prefix[i] = Z_0 · … · Z_(i−1).
        let mut prefix = Vec::with_capacity(points.len());
        let mut product = f.one();
        for p in &points {
            prefix.push(product);
            product = f.mul(&product, &p.z);
        }
        // Not reached for the curves here (no entry is the point at infinity); zero then
        // gives zero coordinates rather than a panic.
        let mut inverse = f.invert(&product).unwrap_or(f.zero());
        let mut out = vec![
            Affine {
                x: f.zero(),
                y: f.zero(),
            };
            points.len()
        ];
        for ((p, before), slot) in points.iter().zip(&prefix).zip(out.iter_mut()).rev() {
            // inverse = (Z_0 · … · Z_i)⁻¹ here.
            let zinv = f.mul(&inverse, before);
            inverse = f.mul(&inverse, &p.z);
            *slot = Affine {
                x: f.mul(&p.x, &zinv),
                y: f.mul(&p.y, &zinv),
            };
        }
        out
    }

    /// `k1·G + k2·Q` for public scalars and a public point (verification): `k1·G` from the
    /// fixed-base table (the same signed base-64 digits as [`Domain::mul_base_ct`], one mixed
    /// addition per nonzero digit, the entry taken by index), `k2·Q` by a width-5 NAF in
    /// Jacobian coordinates (doublings of 8 multiplications when `a = −3`, 10 otherwise, against
    /// 13 and 16 projective). Time depends on the inputs, which are all public.
    pub(crate) fn mul_base_add_vartime(
        &self,
        k1: &Uint<L>,
        k2: &Uint<L>,
        q: &Point<L>,
    ) -> Point<L> {
        let table = self.base_table();
        let mut r = self.identity();
        let mut carry = 0u8;
        for (i, row) in table.chunks_exact(COMB_ENTRIES).enumerate() {
            let w = window6_ct(k1, i.saturating_mul(COMB_BITS));
            let (magnitude, negative, next) = signed_digit_ct(w, carry);
            carry = next;
            if let Some(t) = usize::from(magnitude)
                .checked_sub(1)
                .and_then(|j| row.get(j))
            {
                if bool::from(negative) {
                    let minus = Affine {
                        x: t.x,
                        y: self.fp.neg(&t.y),
                    };
                    r = self.add_mixed(&r, &minus);
                } else {
                    r = self.add_mixed(&r, t);
                }
            }
        }
        let kq = self.mul_vartime(k2, q);
        self.add(&r, &self.projective(&kq))
    }

    /// `k·P` for a public scalar and point: width-5 NAF, Jacobian coordinates.
    fn mul_vartime(&self, k: &Uint<L>, p: &Point<L>) -> Jacobian<L> {
        let p = self.jacobian(p);
        let p2 = self.jdouble(&p);
        // P, 3P, ..., 15P.
        let mut odd = [p; NAF_TABLE];
        let mut acc = p;
        for slot in odd.iter_mut().skip(1) {
            acc = self.jadd(&acc, &p2);
            *slot = acc;
        }
        let mut r = Jacobian {
            x: self.fp.one(),
            y: self.fp.one(),
            z: self.fp.zero(),
        };
        // Where a ≠ −3, `r` also carries `a·Z⁴` (modified Jacobian coordinates), which makes
        // each doubling 3M + 5S instead of 2M + 8S; it is recomputed after each addition.
        let mut az4 = self.fp.zero();
        for digit in naf_vartime(k).iter().rev() {
            if self.a_is_minus_3 {
                r = self.jdouble(&r);
            } else {
                (r, az4) = self.jdouble_modified(&r, &az4);
            }
            let index = usize::from(digit.unsigned_abs() >> 1);
            if let Some(t) = odd.get(index).filter(|_| *digit != 0) {
                if *digit > 0 {
                    r = self.jadd(&r, t);
                } else {
                    let minus = Jacobian {
                        y: self.fp.neg(&t.y),
                        ..*t
                    };
                    r = self.jadd(&r, &minus);
                }
                if !self.a_is_minus_3 {
                    az4 = self.a_z4(&r);
                }
            }
        }
        r
    }

    /// `a·Z⁴` of a Jacobian point: the fourth coordinate of modified Jacobian coordinates.
    fn a_z4(&self, p: &Jacobian<L>) -> Fe<L> {
        let f = &self.fp;
        f.mul(&self.a, &f.square(&f.square(&p.z)))
    }

    /// Doubling in modified Jacobian coordinates `(X : Y : Z : a·Z⁴)`, "dbl-2009-bl" of the
    /// Explicit-Formulas Database (3 multiplications, 5 squarings, none by `a`): returns `2·P`
    /// and its `a·Z⁴`. For any `a`; used where `a ≠ −3`. The point at infinity stays there.
    fn jdouble_modified(&self, p: &Jacobian<L>, az4: &Fe<L>) -> (Jacobian<L>, Fe<L>) {
        let f = &self.fp;
        let xx = f.square(&p.x);
        let a = f.double(&f.square(&p.y));
        let aa = f.square(&a);
        let u = f.double(&aa);
        let s = f.sub(&f.sub(&f.square(&f.add(&p.x, &a)), &xx), &aa);
        let m = f.add(&f.add(&f.double(&xx), &xx), az4);
        let x3 = f.sub(&f.square(&m), &f.double(&s));
        let y3 = f.sub(&f.mul(&m, &f.sub(&s, &x3)), &u);
        let z3 = f.double(&f.mul(&p.y, &p.z));
        let t3 = f.double(&f.mul(&u, az4));
        (
            Jacobian {
                x: x3,
                y: y3,
                z: z3,
            },
            t3,
        )
    }

    /// `(X : Y : Z)` projective as Jacobian `(X·Z : Y·Z² : Z)`.
    fn jacobian(&self, p: &Point<L>) -> Jacobian<L> {
        let f = &self.fp;
        Jacobian {
            x: f.mul(&p.x, &p.z),
            y: f.mul(&p.y, &f.square(&p.z)),
            z: p.z,
        }
    }

    /// Jacobian `(X : Y : Z)` as projective `(X·Z : Y : Z³)`.
    fn projective(&self, p: &Jacobian<L>) -> Point<L> {
        let f = &self.fp;
        if self.fp.value(&p.z) == Uint::ZERO {
            return self.identity();
        }
        Point {
            x: f.mul(&p.x, &p.z),
            y: p.y,
            z: f.mul(&p.z, &f.square(&p.z)),
        }
    }

    /// Jacobian doubling: "dbl-2001-b" (3 multiplications, 5 squarings) when `a = −3`,
    /// "dbl-2007-bl" (1 multiplication, 8 squarings, 1 by `a`) otherwise (Bernstein–Lange,
    /// Explicit-Formulas Database). The point at infinity (`Z = 0`) stays there.
    fn jdouble(&self, p: &Jacobian<L>) -> Jacobian<L> {
        let f = &self.fp;
        if self.a_is_minus_3 {
            let delta = f.square(&p.z);
            let gamma = f.square(&p.y);
            let beta = f.mul(&p.x, &gamma);
            let t = f.mul(&f.sub(&p.x, &delta), &f.add(&p.x, &delta));
            let alpha = f.add(&f.double(&t), &t);
            let beta4 = f.double(&f.double(&beta));
            let x3 = f.sub(&f.square(&alpha), &f.double(&beta4));
            let z3 = f.sub(&f.sub(&f.square(&f.add(&p.y, &p.z)), &gamma), &delta);
            let gamma2 = f.square(&gamma);
            let gamma8 = f.double(&f.double(&f.double(&gamma2)));
            let y3 = f.sub(&f.mul(&alpha, &f.sub(&beta4, &x3)), &gamma8);
            Jacobian {
                x: x3,
                y: y3,
                z: z3,
            }
        } else {
            let xx = f.square(&p.x);
            let yy = f.square(&p.y);
            let yyyy = f.square(&yy);
            let zz = f.square(&p.z);
            let s = f.double(&f.sub(&f.sub(&f.square(&f.add(&p.x, &yy)), &xx), &yyyy));
            let m = f.add(&f.add(&f.double(&xx), &xx), &f.mul(&self.a, &f.square(&zz)));
            let x3 = f.sub(&f.square(&m), &f.double(&s));
            let yyyy8 = f.double(&f.double(&f.double(&yyyy)));
            let y3 = f.sub(&f.mul(&m, &f.sub(&s, &x3)), &yyyy8);
            let z3 = f.sub(&f.sub(&f.square(&f.add(&p.y, &p.z)), &yy), &zz);
            Jacobian {
                x: x3,
                y: y3,
                z: z3,
            }
        }
    }

    /// Jacobian addition "add-2007-bl" (11 multiplications, 5 squarings), with the exceptional
    /// cases (either point at infinity, `P = Q`, `P = −Q`) settled by branches: public inputs only.
    fn jadd(&self, p: &Jacobian<L>, q: &Jacobian<L>) -> Jacobian<L> {
        let f = &self.fp;
        let zero = f.zero();
        if p.z == zero {
            return *q;
        }
        if q.z == zero {
            return *p;
        }
        let z1z1 = f.square(&p.z);
        let z2z2 = f.square(&q.z);
        let u1 = f.mul(&p.x, &z2z2);
        let u2 = f.mul(&q.x, &z1z1);
        let s1 = f.mul(&f.mul(&p.y, &q.z), &z2z2);
        let s2 = f.mul(&f.mul(&q.y, &p.z), &z1z1);
        let h = f.sub(&u2, &u1);
        let r = f.double(&f.sub(&s2, &s1));
        if h == zero {
            if r == zero {
                return self.jdouble(p);
            }
            return Jacobian {
                x: f.one(),
                y: f.one(),
                z: zero,
            };
        }
        let i = f.square(&f.double(&h));
        let j = f.mul(&h, &i);
        let v = f.mul(&u1, &i);
        let x3 = f.sub(&f.sub(&f.square(&r), &j), &f.double(&v));
        let y3 = f.sub(&f.mul(&r, &f.sub(&v, &x3)), &f.double(&f.mul(&s1, &j)));
        let z3 = f.mul(
            &f.sub(&f.sub(&f.square(&f.add(&p.z, &q.z)), &z1z1), &z2z2),
            &h,
        );
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// Whether the point's affine `x`, reduced modulo `q`, is `r` (GOST R 34.10-2012 §6.2
    /// step 7), without an inversion: `X = x'·Z` for some `x' = r + j·q < p`. Public inputs.
    pub(crate) fn x_mod_q_is_vartime(&self, c: &Point<L>, r: &Uint<L>) -> bool {
        let f = &self.fp;
        if c.z == f.zero() {
            return false;
        }
        let mut candidate = *r;
        while &candidate < f.modulus() {
            if f.mul(&f.element(&candidate), &c.z) == c.x {
                return true;
            }
            let (next, carry) = candidate.adc(&self.q, crypto_bigint::Limb::ZERO);
            if carry != crypto_bigint::Limb::ZERO {
                return false;
            }
            candidate = next;
        }
        false
    }

    /// The affine coordinates, or `None` for the point at infinity. The inversion is
    /// constant time.
    pub(crate) fn to_affine(&self, p: &Point<L>) -> Option<(Uint<L>, Uint<L>)> {
        let f = &self.fp;
        let zinv = f.invert(&p.z)?;
        Some((f.value(&f.mul(&p.x, &zinv)), f.value(&f.mul(&p.y, &zinv))))
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a failing test should stop loudly"
)]
mod tests {
    use crypto_bigint::modular::runtime_mod::DynResidue;

    use super::*;

    fn check_domain<const L: usize>(params: &Params<L>) {
        let d = Domain::new(params);
        assert!(
            d.point(&params.x, &params.y).is_some(),
            "base point on the curve"
        );
        let qg = d.mul_ct(&params.q, &d.generator());
        assert!(d.to_affine(&qg).is_none(), "q·G is the point at infinity");
        let g = d.generator();
        let two_g = d.add(&g, &g);
        let three_g = d.add(&two_g, &g);
        let three = Uint::<L>::from_u8(3);
        let by_mul = d.mul_ct(&three, &g);
        assert_eq!(d.to_affine(&by_mul), d.to_affine(&three_g));
        let by_shamir = d.mul_base_add_vartime(&Uint::ONE, &Uint::from_u8(2), &g);
        assert_eq!(d.to_affine(&by_shamir), d.to_affine(&three_g));
        let (x, y) = d.to_affine(&three_g).unwrap();
        assert!(d.point(&x, &y).is_some(), "3G on the curve");
    }

    #[test]
    fn ok_every_curve_has_its_base_point_of_order_q() {
        for curve in ALL_CURVES {
            if let Some(p) = curve.params256() {
                check_domain(p);
            } else if let Some(p) = curve.params512() {
                check_domain(p);
            } else {
                panic!("{curve:?} has no parameters");
            }
        }
    }

    /// The plain double-and-add ladder with the addition formula alone: the reference the
    /// windowed multiplications and the doubling formula are compared with.
    fn mul_reference<const L: usize>(d: &Domain<L>, k: &Uint<L>, p: &Point<L>) -> Point<L> {
        let mut r = d.identity();
        for i in (0..Uint::<L>::BITS).rev() {
            r = d.add_any_a(&r, &r);
            if k.bit_vartime(i) {
                r = d.add_any_a(&r, p);
            }
        }
        r
    }

    /// A scalar below `q` from random bytes (reduced modulo `q`).
    fn scalar<const L: usize>(d: &Domain<L>, bytes: &[u8]) -> Uint<L> {
        let mut wide = vec![0u8; Uint::<L>::BYTES];
        for (w, b) in wide.iter_mut().zip(bytes) {
            *w = *b;
        }
        DynResidue::new(&Uint::from_be_slice(&wide), d.fq()).retrieve()
    }

    fn differential<const L: usize>(params: &Params<L>, a: &[u8], b: &[u8]) {
        let d = Domain::new(params);
        let g = d.generator();
        let (k1, k2) = (scalar(&d, a), scalar(&d, b));
        let q = mul_reference(&d, &k2, &g);
        assert_eq!(
            d.to_affine(&d.mul_base_ct(&k1)),
            d.to_affine(&mul_reference(&d, &k1, &g)),
            "mul_base_ct"
        );
        assert_eq!(
            d.to_affine(&d.mul_ct(&k1, &g)),
            d.to_affine(&mul_reference(&d, &k1, &g)),
            "mul_ct"
        );
        assert_eq!(
            d.to_affine(&d.mul_base_add_vartime(&k1, &k2, &q)),
            d.to_affine(&d.add(&mul_reference(&d, &k1, &g), &mul_reference(&d, &k2, &q))),
            "mul_base_add_vartime"
        );
        // The x check without inversion: x mod q matches, x mod q + 1 does not.
        let c = mul_reference(&d, &k1, &q);
        if let Some((x, _)) = d.to_affine(&c) {
            let r = DynResidue::new(&x, d.fq()).retrieve();
            assert!(d.x_mod_q_is_vartime(&c, &r), "x mod q");
            let other = DynResidue::new(&r.wrapping_add(&Uint::ONE), d.fq()).retrieve();
            assert!(!d.x_mod_q_is_vartime(&c, &other), "x mod q + 1");
        }
        assert!(
            !d.x_mod_q_is_vartime(&d.identity(), &Uint::ZERO),
            "infinity"
        );
        assert_eq!(
            d.to_affine(&d.double(&q)),
            d.to_affine(&d.add(&q, &q)),
            "double"
        );
        let infinity = d.identity();
        assert!(d.to_affine(&d.double(&infinity)).is_none());
    }

    /// The chord-and-tangent rule in affine coordinates over `crypto-bigint`'s `DynResidue`
    /// (GOST R 34.10-2012 §5.2): an independent reference for the projective formulas.
    fn affine_add<const L: usize>(
        params: &Params<L>,
        p1: Option<(Uint<L>, Uint<L>)>,
        p2: Option<(Uint<L>, Uint<L>)>,
    ) -> Option<(Uint<L>, Uint<L>)> {
        let (Some((x1, y1)), Some((x2, y2))) = (p1, p2) else {
            return p1.or(p2);
        };
        let fp = DynResidueParams::new(&params.p);
        let r = |v: &Uint<L>| DynResidue::new(v, fp);
        let (x1, y1, x2, y2) = (r(&x1), r(&y1), r(&x2), r(&y2));
        let slope = if x1 == x2 {
            if y1 != y2 || y1.retrieve() == Uint::ZERO {
                return None;
            }
            let three = r(&Uint::from_u8(3));
            let num = three.mul(&x1.square()).add(&r(&params.a));
            num.mul(&y1.add(&y1).invert().0)
        } else {
            y2.sub(&y1).mul(&x2.sub(&x1).invert().0)
        };
        let x3 = slope.square().sub(&x1).sub(&x2);
        let y3 = slope.mul(&x1.sub(&x3)).sub(&y1);
        Some((x3.retrieve(), y3.retrieve()))
    }

    /// Both addition formulas and both doubling formulas against [`affine_add`], on the edge
    /// cases too: the point at infinity on either side, `P + P`, `P + (−P)`.
    fn formulas<const L: usize>(params: &Params<L>, seed: &[u8]) {
        let d = Domain::new(params);
        let g = d.generator();
        let k = scalar(&d, seed);
        let p = mul_reference(&d, &k, &g);
        let q = d.add_any_a(&p, &g);
        let infinity = d.identity();
        let minus_p = d.neg(&p);
        for (x, y) in [
            (p, g),
            (g, p),
            (p, p),
            (p, minus_p),
            (p, infinity),
            (infinity, p),
            (infinity, infinity),
            (q, p),
        ] {
            let expected = affine_add(params, d.to_affine(&x), d.to_affine(&y));
            assert_eq!(d.to_affine(&d.add_any_a(&x, &y)), expected, "add_any_a");
            assert_eq!(d.to_affine(&d.add(&x, &y)), expected, "add");
            if d.a_is_minus_3 {
                assert_eq!(d.to_affine(&d.add_minus_3(&x, &y)), expected, "add_minus_3");
            }
            // The mixed formulas take the second point affine (never the point at infinity).
            if let Some((ax, ay)) = d.to_affine(&y) {
                let a = Affine {
                    x: d.fp.element(&ax),
                    y: d.fp.element(&ay),
                };
                assert_eq!(d.to_affine(&d.add_mixed(&x, &a)), expected, "add_mixed");
                assert_eq!(
                    d.to_affine(&d.add_mixed_any_a(&x, &a)),
                    expected,
                    "add_mixed_any_a"
                );
                if d.a_is_minus_3 {
                    assert_eq!(
                        d.to_affine(&d.add_mixed_minus_3(&x, &a)),
                        expected,
                        "add_mixed_minus_3"
                    );
                }
            }
        }
        for (x, y) in [
            (p, g),
            (p, p),
            (p, minus_p),
            (p, infinity),
            (infinity, p),
            (infinity, infinity),
        ] {
            let expected = affine_add(params, d.to_affine(&x), d.to_affine(&y));
            let (jx, jy) = (d.jacobian(&x), d.jacobian(&y));
            let sum = d.projective(&d.jadd(&jx, &jy));
            assert_eq!(d.to_affine(&sum), expected, "jadd");
            let twice = affine_add(params, d.to_affine(&x), d.to_affine(&x));
            assert_eq!(
                d.to_affine(&d.projective(&d.jdouble(&jx))),
                twice,
                "jdouble"
            );
            let (doubled, az4) = d.jdouble_modified(&jx, &d.a_z4(&jx));
            assert_eq!(
                d.to_affine(&d.projective(&doubled)),
                twice,
                "jdouble_modified"
            );
            assert_eq!(az4, d.a_z4(&doubled), "jdouble_modified's a·Z⁴");
        }
        for x in [p, g, minus_p, infinity] {
            let expected = affine_add(params, d.to_affine(&x), d.to_affine(&x));
            assert_eq!(d.to_affine(&d.double_any_a(&x)), expected, "double_any_a");
            assert_eq!(d.to_affine(&d.double(&x)), expected, "double");
            if d.a_is_minus_3 {
                assert_eq!(
                    d.to_affine(&d.double_minus_3(&x)),
                    expected,
                    "double_minus_3"
                );
            }
        }
    }

    #[test]
    fn ok_a_minus_3_formulas_serve_exactly_the_curves_with_a_minus_3() {
        for curve in ALL_CURVES {
            let minus_3 = if let Some(p) = curve.params256() {
                Domain::new(p).a_is_minus_3
            } else if let Some(p) = curve.params512() {
                Domain::new(p).a_is_minus_3
            } else {
                panic!("{curve:?} has no parameters");
            };
            let expected = matches!(
                curve,
                CurveId::CryptoProA
                    | CurveId::CryptoProB
                    | CurveId::CryptoProC
                    | CurveId::Tc26_512A
                    | CurveId::Tc26_512B
            );
            assert_eq!(minus_3, expected, "{curve:?}");
        }
    }

    #[test]
    fn ok_point_formulas_equal_the_affine_rule_at_the_edges() {
        for curve in ALL_CURVES {
            for seed in [&[1u8][..], &[0xff; 64][..], &[0x5a; 7][..]] {
                if let Some(p) = curve.params256() {
                    formulas(p, seed);
                } else if let Some(p) = curve.params512() {
                    formulas(p, seed);
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]

        /// The projective formulas (both kinds) give the affine rule's points on every curve.
        #[test]
        fn ok_point_formulas_equal_the_affine_rule(
            seed in proptest::collection::vec(proptest::prelude::any::<u8>(), 64),
            which in 0usize..9,
        ) {
            let curve = ALL_CURVES.get(which).copied().unwrap_or(CurveId::Tc26_512A);
            if let Some(p) = curve.params256() {
                formulas(p, &seed);
            } else if let Some(p) = curve.params512() {
                formulas(p, &seed);
            }
        }

        /// The windowed constant-time multiplication, the windowed Shamir multiplication and the
        /// doubling formula give the points the plain ladder gives, on every curve.
        #[test]
        fn ok_windowed_multiplication_equals_the_plain_ladder(
            a in proptest::collection::vec(proptest::prelude::any::<u8>(), 64),
            b in proptest::collection::vec(proptest::prelude::any::<u8>(), 64),
            which in 0usize..9,
        ) {
            let curve = ALL_CURVES.get(which).copied().unwrap_or(CurveId::Tc26_512A);
            if let Some(p) = curve.params256() {
                differential(p, &a, &b);
            } else if let Some(p) = curve.params512() {
                differential(p, &a, &b);
            }
        }
    }

    /// 0, 1, 15, 16, 17, 31, 32, 255 and q − 1: the tables' ends, the NAF's carries and the
    /// last window.
    fn edges<const L: usize>(curve: CurveId, p: &Params<L>) {
        let d = Domain::new(p);
        let g = d.generator();
        let q1 = p.q.wrapping_sub(&Uint::ONE);
        for k in [
            Uint::ZERO,
            Uint::ONE,
            Uint::from_u8(15),
            Uint::from_u8(16),
            Uint::from_u8(17),
            Uint::from_u8(31),
            Uint::from_u8(32),
            Uint::from_u8(0xff),
            q1,
        ]
        .into_iter()
        .chain(comb_edges(p))
        {
            let kg = mul_reference(&d, &k, &g);
            let expected = d.to_affine(&kg);
            assert_eq!(d.to_affine(&d.mul_ct(&k, &g)), expected, "{curve:?}");
            assert_eq!(d.to_affine(&d.mul_base_ct(&k)), expected, "{curve:?}");
            if k >= p.q {
                // Verification's scalars are below q (the NAF's contract).
                continue;
            }
            let by_naf = d.projective(&d.mul_vartime(&k, &g));
            assert_eq!(d.to_affine(&by_naf), expected, "{curve:?} {k}");
            let both = d.mul_base_add_vartime(&k, &k, &g);
            let twice = d.to_affine(&d.add_any_a(&kg, &kg));
            assert_eq!(d.to_affine(&both), twice, "{curve:?} {k}");
        }
    }

    /// Scalars at the signed base-64 recoding's edges: digits of exactly 32 (the largest
    /// magnitude, no carry), of 33 (the smallest that carries) in every window, 63 and 64 (a
    /// carry into a zero window), and `2^q_bits − 1`, the largest scalar `mul_base_ct` takes
    /// (a carry through every window up to the last one).
    fn comb_edges<const L: usize>(p: &Params<L>) -> Vec<Uint<L>> {
        let bits = p.q.bits();
        let repeat = |w: u64| {
            let mut k = Uint::<L>::ZERO;
            for _ in 0..bits.div_ceil(COMB_BITS) {
                k = k.shl_vartime(COMB_BITS).bitor(&Uint::from_u64(w));
            }
            k.bitand(&Uint::MAX.shr_vartime(Uint::<L>::BITS - bits))
        };
        vec![
            Uint::from_u8(33),
            Uint::from_u8(63),
            Uint::from_u8(64),
            Uint::from_u8(65),
            repeat(32),
            repeat(33),
            repeat(63),
            Uint::MAX.shr_vartime(Uint::<L>::BITS - bits),
        ]
    }

    /// The signed digits of every window value and carry: `magnitude` in `0..=32`, the digit
    /// plus `64·carry_out` gives back `w + carry_in`.
    #[test]
    fn ok_window_reads_equal_the_bit_by_bit_reads() {
        fn all<const L: usize>(values: &[Uint<L>]) {
            for k in values {
                for start in 0..Uint::<L>::BITS.saturating_add(8) {
                    assert_eq!(
                        window6_ct(k, start),
                        window6_by_bits(k, start),
                        "{k} {start}"
                    );
                }
            }
        }
        let patterns = [
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "8000000000000001800000000000000180000000000000018000000000000001",
            "a5a5a5a5a5a5a5a55a5a5a5a5a5a5a5a0f0f0f0f0f0f0f0ff0f0f0f0f0f0f0f0",
        ];
        all(&patterns.map(U256::from_be_hex));
        all(&patterns.map(|p| U512::from_be_hex(&[p, p].concat())));
        all(&[U256::ZERO, U256::ONE]);
    }

    #[test]
    fn ok_signed_digits_recode_every_window() {
        for w in 0u8..64 {
            for carry in 0u8..2 {
                let (magnitude, negative, out) = signed_digit_ct(w, carry);
                assert!(magnitude <= 32, "{w} {carry}");
                let digit = if bool::from(negative) {
                    -i16::from(magnitude)
                } else {
                    i16::from(magnitude)
                };
                assert_eq!(
                    digit + 64 * i16::from(out),
                    i16::from(w + carry),
                    "{w} {carry}"
                );
                assert_eq!(bool::from(negative), out == 1, "{w} {carry}");
            }
        }
    }

    /// Every entry of the fixed-base table is `j·2^(6i)·G` in affine form, on every curve.
    #[test]
    fn ok_fixed_base_table_holds_the_multiples() {
        fn check<const L: usize>(p: &Params<L>) {
            let d = Domain::new(p);
            let table = d.base_table();
            assert_eq!(
                table.len(),
                (p.q.bits() + 1).div_ceil(COMB_BITS) * COMB_ENTRIES
            );
            // base = 2^(6i)·G by the ladder's addition formula alone.
            let mut base = d.generator();
            for (i, row) in table.chunks_exact(COMB_ENTRIES).enumerate() {
                if i % 7 == 0 || i + 1 == table.len() / COMB_ENTRIES {
                    for (j, entry) in (1u64..).zip(row) {
                        if j % 5 == 1 || j == 32 {
                            let k = Uint::<L>::from_u64(j);
                            let expected = d.to_affine(&mul_reference(&d, &k, &base));
                            let got = (d.fp.value(&entry.x), d.fp.value(&entry.y));
                            assert_eq!(Some(got), expected, "row {i} entry {j}");
                        }
                    }
                }
                for _ in 0..COMB_BITS {
                    base = d.add_any_a(&base, &base);
                }
            }
        }
        for curve in ALL_CURVES {
            if let Some(p) = curve.params256() {
                check(p);
            } else if let Some(p) = curve.params512() {
                check(p);
            }
        }
    }

    #[test]
    fn ok_windowed_multiplication_at_the_edges() {
        for curve in ALL_CURVES {
            if let Some(p) = curve.params256() {
                edges(curve, p);
            } else if let Some(p) = curve.params512() {
                edges(curve, p);
            }
        }
    }

    #[test]
    fn ok_every_oid_maps_to_a_curve_of_its_size() {
        for (oid, curve) in CURVE_OIDS {
            assert_eq!(CurveId::from_oid(&oid), Some(curve));
        }
        for curve in ALL_CURVES {
            assert_eq!(CurveId::from_oid(&curve.oid()), Some(curve));
        }
    }
}
