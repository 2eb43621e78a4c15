//! The elliptic curves of GOST R 34.10-2012 and their arithmetic.
//!
//! Parameters: RFC 7836 appendix A.1 (the TC26 sets `id-tc26-gost-3410-12-256-paramSetA` and
//! `id-tc26-gost-3410-12-512-paramSetA/B/C`), RFC 4357 §11.4 (the CryptoPro sets A, B, C that
//! R 1323565.1.024-2019 renames TC26 256 paramSetB, C, D, and the key-exchange sets XchA/XchB
//! that share the A and C curves), and the test sets of GOST R 34.10-2012 appendix A (RFC 7091 §7).
//!
//! No maintained Rust crate implements these curves, so the arithmetic is written here on top of
//! `crypto-bigint`'s constant-time Montgomery residues: short Weierstrass curves
//! `y² = x³ + ax + b` in homogeneous projective coordinates with the complete addition formula of
//! Renes, Costello and Batina ("Complete addition formulas for prime order elliptic curves",
//! EUROCRYPT 2016, algorithm 1, arbitrary `a`). The formula has no exceptional cases for points of
//! odd order, which is every point of the subgroup of order `q` that signing and verification
//! work in; a point outside it (only an attacker's public key on the two curves of cofactor 4) can
//! at worst give the point at infinity, which verification reports as a bad signature.
//!
//! Doubling uses the same paper's dedicated exception-free formula (algorithm 3), which costs 11
//! multiplications where the addition costs 17.
//!
//! [`Domain::mul_ct`] is the secret-scalar multiplication: a fixed window of 4 bits over a fixed
//! number of bits (the bit length of `q` rounded up to the window, public) — 4 doublings and one
//! addition per window whatever the digit, the multiple `digit·P` taken from a table of 16 by a
//! constant-time scan that reads every entry — so neither the branches nor the memory accessed
//! depend on the scalar. [`Domain::mul2_vartime`] serves verification, where every input is
//! public: Shamir's trick with the same 4-bit windows on both scalars, zero digits skipped.
//! [`Domain::mul_base_ct`] is `k·G` for the base point: a fixed-base table (`j·16^i·G` for every
//! window `i` and digit `j`, built once per curve and process) turns it into one addition per
//! window and no doubling, each row read in full by the same constant-time scan.
//! Unit tests compare both against the plain double-and-add ladder (a differential property
//! test).

use std::sync::OnceLock;

use crypto_bigint::modular::runtime_mod::{DynResidue, DynResidueParams};
use crypto_bigint::{U256, U512, Uint, Word};
use der::asn1::ObjectIdentifier;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

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

/// Bits per window of the scalar multiplications.
const WINDOW: usize = 4;
/// Entries of a window's table: `0·P` to `15·P`.
const TABLE: usize = 1 << WINDOW;

/// The 4-bit digit of `k` starting at bit `start`, read without branching on `k` (bits past the
/// integer's width read as 0).
fn digit_ct<const L: usize>(k: &Uint<L>, start: usize) -> u8 {
    let mut digit = 0u8;
    for b in 0..WINDOW {
        let bit = Choice::from(k.bit(start.saturating_add(b))).unwrap_u8();
        digit |= bit << b;
    }
    digit
}

/// The fixed-base tables of [`ALL_CURVES`], in that order (see [`Domain::mul_base_ct`]).
static BASE_TABLES: [OnceLock<Vec<Word>>; 9] = [const { OnceLock::new() }; 9];

/// The integer of `L` little-endian words (a table entry, `L` words by construction).
fn uint_from_words<const L: usize>(words: &[Word]) -> Uint<L> {
    let mut limbs: [Word; L] = [0; L];
    for (l, w) in limbs.iter_mut().zip(words) {
        *l = *w;
    }
    Uint::from_words(limbs)
}

/// A point in homogeneous projective coordinates `(X : Y : Z)`, affine `(X/Z, Y/Z)`; the point
/// at infinity is `(0 : 1 : 0)`.
#[derive(Clone, Copy)]
pub(crate) struct Point<const L: usize> {
    x: DynResidue<L>,
    y: DynResidue<L>,
    z: DynResidue<L>,
}

impl<const L: usize> ConditionallySelectable for Point<L> {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Self {
            x: DynResidue::conditional_select(&a.x, &b.x, choice),
            y: DynResidue::conditional_select(&a.y, &b.y, choice),
            z: DynResidue::conditional_select(&a.z, &b.z, choice),
        }
    }
}

/// A curve ready for arithmetic: the Montgomery parameters of `p` and `q` and the constants as
/// field elements.
pub(crate) struct Domain<const L: usize> {
    fp: DynResidueParams<L>,
    fq: DynResidueParams<L>,
    p: Uint<L>,
    q: Uint<L>,
    q_bits: usize,
    a: DynResidue<L>,
    b: DynResidue<L>,
    b3: DynResidue<L>,
    g: Point<L>,
}

impl<const L: usize> Domain<L> {
    pub(crate) fn new(params: &Params<L>) -> Self {
        // p and q are odd primes (the constants above), as Montgomery form needs.
        let fp = DynResidueParams::new(&params.p);
        let fq = DynResidueParams::new(&params.q);
        let b = DynResidue::new(&params.b, fp);
        let g = Point {
            x: DynResidue::new(&params.x, fp),
            y: DynResidue::new(&params.y, fp),
            z: DynResidue::one(fp),
        };
        Self {
            fp,
            fq,
            p: params.p,
            q: params.q,
            q_bits: params.q.bits(),
            a: DynResidue::new(&params.a, fp),
            b,
            b3: b.add(&b).add(&b),
            g,
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

    /// The bit length of `q`.
    pub(crate) fn q_bits(&self) -> usize {
        self.q_bits
    }

    /// The base point.
    pub(crate) fn generator(&self) -> Point<L> {
        self.g
    }

    pub(crate) fn identity(&self) -> Point<L> {
        Point {
            x: DynResidue::zero(self.fp),
            y: DynResidue::one(self.fp),
            z: DynResidue::zero(self.fp),
        }
    }

    /// The point `(x, y)` if both coordinates are below `p` and satisfy the curve equation
    /// (GOST R 34.10-2012 §5.2).
    pub(crate) fn point(&self, x: &Uint<L>, y: &Uint<L>) -> Option<Point<L>> {
        if x >= &self.p || y >= &self.p {
            return None;
        }
        let x = DynResidue::new(x, self.fp);
        let y = DynResidue::new(y, self.fp);
        let rhs = x.square().mul(&x).add(&self.a.mul(&x)).add(&self.b);
        if bool::from(y.square().ct_eq(&rhs)) {
            Some(Point {
                x,
                y,
                z: DynResidue::one(self.fp),
            })
        } else {
            None
        }
    }

    /// Whether the coordinates are below `p`.
    pub(crate) fn in_field(&self, x: &Uint<L>, y: &Uint<L>) -> bool {
        x < &self.p && y < &self.p
    }

    /// `P + Q`: Renes–Costello–Batina 2016, algorithm 1 (complete, arbitrary `a`).
    pub(crate) fn add(&self, p1: &Point<L>, p2: &Point<L>) -> Point<L> {
        let (x1, y1, z1) = (&p1.x, &p1.y, &p1.z);
        let (x2, y2, z2) = (&p2.x, &p2.y, &p2.z);
        let a = &self.a;
        let b3 = &self.b3;
        let mut t0 = x1.mul(x2);
        let mut t1 = y1.mul(y2);
        let mut t2 = z1.mul(z2);
        let mut t3 = x1.add(y1);
        let mut t4 = x2.add(y2);
        t3 = t3.mul(&t4);
        t4 = t0.add(&t1);
        t3 = t3.sub(&t4);
        t4 = x1.add(z1);
        let mut t5 = x2.add(z2);
        t4 = t4.mul(&t5);
        t5 = t0.add(&t2);
        t4 = t4.sub(&t5);
        t5 = y1.add(z1);
        let mut x3 = y2.add(z2);
        t5 = t5.mul(&x3);
        x3 = t1.add(&t2);
        t5 = t5.sub(&x3);
        let mut z3 = a.mul(&t4);
        x3 = b3.mul(&t2);
        z3 = x3.add(&z3);
        x3 = t1.sub(&z3);
        z3 = t1.add(&z3);
        let mut y3 = x3.mul(&z3);
        t1 = t0.add(&t0);
        t1 = t1.add(&t0);
        t2 = a.mul(&t2);
        t4 = b3.mul(&t4);
        t1 = t1.add(&t2);
        t2 = t0.sub(&t2);
        t2 = a.mul(&t2);
        t4 = t4.add(&t2);
        t0 = t1.mul(&t4);
        y3 = y3.add(&t0);
        t0 = t5.mul(&t4);
        x3 = x3.mul(&t3);
        x3 = x3.sub(&t0);
        t0 = t3.mul(&t1);
        z3 = t5.mul(&z3);
        z3 = z3.add(&t0);
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `2·P`: Renes–Costello–Batina 2016, algorithm 3 (exception-free doubling, arbitrary `a`):
    /// 8 multiplications, 3 squarings, 3 by `a`, 2 by `3b`.
    pub(crate) fn double(&self, p: &Point<L>) -> Point<L> {
        let (x, y, z) = (&p.x, &p.y, &p.z);
        let a = &self.a;
        let b3 = &self.b3;
        let mut t0 = x.square();
        let t1 = y.square();
        let mut t2 = z.square();
        let mut t3 = x.mul(y);
        t3 = t3.add(&t3);
        let mut z3 = x.mul(z);
        z3 = z3.add(&z3);
        let mut x3 = a.mul(&z3);
        let mut y3 = b3.mul(&t2);
        y3 = x3.add(&y3);
        x3 = t1.sub(&y3);
        y3 = t1.add(&y3);
        y3 = x3.mul(&y3);
        x3 = t3.mul(&x3);
        z3 = b3.mul(&z3);
        t2 = a.mul(&t2);
        t3 = t0.sub(&t2);
        t3 = a.mul(&t3);
        t3 = t3.add(&z3);
        z3 = t0.add(&t0);
        t0 = z3.add(&t0);
        t0 = t0.add(&t2);
        t0 = t0.mul(&t3);
        y3 = y3.add(&t0);
        t2 = y.mul(z);
        t2 = t2.add(&t2);
        t0 = t2.mul(&t3);
        x3 = x3.sub(&t0);
        z3 = t2.mul(&t1);
        z3 = z3.add(&z3);
        z3 = z3.add(&z3);
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `j·P` for `j` in `0..16`: the table of a 4-bit window.
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

    /// `k·G` for the base point `G` of `curve` (whose parameters this domain was made from), in
    /// constant time: one addition per 4-bit window of `k`, the multiple `digit·16^i·G` read
    /// from the curve's fixed-base table by a scan of the whole row. Same result as
    /// `mul_ct(k, G)`; `k` must be below `2^q_bits`.
    pub(crate) fn mul_base_ct(&self, k: &Uint<L>, curve: CurveId) -> Point<L> {
        let Some(table) = self.base_table(curve) else {
            return self.mul_ct(k, &self.g);
        };
        let entry = 3usize.saturating_mul(L);
        let row_len = entry.saturating_mul(TABLE);
        let mut r = self.identity();
        for (i, row) in table.chunks_exact(row_len).enumerate() {
            let digit = digit_ct(k, i.saturating_mul(WINDOW));
            let mut coords = [Uint::<L>::ZERO; 3];
            for (j, point) in (0u8..).zip(row.chunks_exact(entry)) {
                let choice = digit.ct_eq(&j);
                for (c, words) in coords.iter_mut().zip(point.chunks_exact(L)) {
                    c.conditional_assign(&uint_from_words::<L>(words), choice);
                }
            }
            let [x, y, z] = coords;
            let t = Point {
                x: DynResidue::from_montgomery(x, self.fp),
                y: DynResidue::from_montgomery(y, self.fp),
                z: DynResidue::from_montgomery(z, self.fp),
            };
            r = self.add(&r, &t);
        }
        r
    }

    /// The fixed-base table of `curve`, built on first use: for each window `i` (of
    /// `ceil(q_bits / 4)`) the points `j·16^i·G`, `j` in `0..16`, each as the Montgomery forms
    /// of `X`, `Y`, `Z` (`L` words each). `None` when `curve` is not this domain's (another base
    /// point), so a caller's mistake costs speed, never a wrong point.
    fn base_table(&self, curve: CurveId) -> Option<&'static [Word]> {
        let index = ALL_CURVES.iter().position(|c| *c == curve)?;
        let gx = self.g.x.retrieve();
        let own = match (curve.params256(), curve.params512()) {
            (Some(p), _) => p.x.as_words().as_slice() == gx.as_words().as_slice(),
            (_, Some(p)) => p.x.as_words().as_slice() == gx.as_words().as_slice(),
            _ => false,
        };
        if !own {
            return None;
        }
        let cell = BASE_TABLES.get(index)?;
        Some(cell.get_or_init(|| self.build_base_table()).as_slice())
    }

    fn build_base_table(&self) -> Vec<Word> {
        let windows = self.q_bits.div_ceil(WINDOW);
        let mut out = Vec::with_capacity(windows.saturating_mul(TABLE * 3 * L));
        let mut base = self.g;
        for _ in 0..windows {
            let mut acc = self.identity();
            for _ in 0..TABLE {
                for c in [&acc.x, &acc.y, &acc.z] {
                    out.extend_from_slice(c.as_montgomery().as_words());
                }
                acc = self.add(&acc, &base);
            }
            for _ in 0..WINDOW {
                base = self.double(&base);
            }
        }
        out
    }

    /// `k1·P1 + k2·P2` for public scalars: Shamir's trick over 4-bit windows of both scalars,
    /// zero digits skipped (time depends on the scalars).
    pub(crate) fn mul2_vartime(
        &self,
        k1: &Uint<L>,
        p1: &Point<L>,
        k2: &Uint<L>,
        p2: &Point<L>,
    ) -> Point<L> {
        let (t1, t2) = (self.multiples(p1), self.multiples(p2));
        let bits = k1.bits_vartime().max(k2.bits_vartime());
        let mut r = self.identity();
        for w in (0..bits.div_ceil(WINDOW)).rev() {
            for _ in 0..WINDOW {
                r = self.double(&r);
            }
            let start = w.saturating_mul(WINDOW);
            for (k, table) in [(k1, &t1), (k2, &t2)] {
                let digit = usize::from(digit_ct(k, start));
                if digit != 0
                    && let Some(t) = table.get(digit)
                {
                    r = self.add(&r, t);
                }
            }
        }
        r
    }

    /// The affine coordinates, or `None` for the point at infinity. The inversion is
    /// constant time (`crypto-bigint`'s).
    pub(crate) fn to_affine(&self, p: &Point<L>) -> Option<(Uint<L>, Uint<L>)> {
        let (zinv, invertible) = p.z.invert();
        if !bool::from(invertible) {
            return None;
        }
        Some((p.x.mul(&zinv).retrieve(), p.y.mul(&zinv).retrieve()))
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a failing test should stop loudly"
)]
mod tests {
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
        let by_shamir = d.mul2_vartime(&Uint::ONE, &g, &Uint::from_u8(2), &g);
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
            r = d.add(&r, &r);
            if k.bit_vartime(i) {
                r = d.add(&r, p);
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

    fn differential<const L: usize>(curve: CurveId, params: &Params<L>, a: &[u8], b: &[u8]) {
        let d = Domain::new(params);
        let g = d.generator();
        let (k1, k2) = (scalar(&d, a), scalar(&d, b));
        let q = mul_reference(&d, &k2, &g);
        assert_eq!(
            d.to_affine(&d.mul_base_ct(&k1, curve)),
            d.to_affine(&mul_reference(&d, &k1, &g)),
            "mul_base_ct"
        );
        assert_eq!(
            d.to_affine(&d.mul_ct(&k1, &g)),
            d.to_affine(&mul_reference(&d, &k1, &g)),
            "mul_ct"
        );
        assert_eq!(
            d.to_affine(&d.mul2_vartime(&k1, &g, &k2, &q)),
            d.to_affine(&d.add(&mul_reference(&d, &k1, &g), &mul_reference(&d, &k2, &q))),
            "mul2_vartime"
        );
        assert_eq!(
            d.to_affine(&d.double(&q)),
            d.to_affine(&d.add(&q, &q)),
            "double"
        );
        let infinity = d.identity();
        assert!(d.to_affine(&d.double(&infinity)).is_none());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]

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
                differential(curve, p, &a, &b);
            } else if let Some(p) = curve.params512() {
                differential(curve, p, &a, &b);
            }
        }
    }

    #[test]
    fn ok_windowed_multiplication_at_the_edges() {
        // 0, 1, 15, 16, q - 1 and the all-ones digits: the table's ends and the last window.
        for curve in ALL_CURVES {
            if let Some(p) = curve.params512() {
                let d = Domain::new(p);
                let g = d.generator();
                let q1 = p.q.wrapping_sub(&Uint::ONE);
                for k in [
                    Uint::ZERO,
                    Uint::ONE,
                    Uint::from_u8(15),
                    Uint::from_u8(16),
                    q1,
                ] {
                    let expected = d.to_affine(&mul_reference(&d, &k, &g));
                    assert_eq!(d.to_affine(&d.mul_ct(&k, &g)), expected, "{curve:?}");
                    assert_eq!(
                        d.to_affine(&d.mul_base_ct(&k, curve)),
                        expected,
                        "{curve:?}"
                    );
                    // Another curve's name: no table of this domain, the ladder answers.
                    let other = if curve == CurveId::Tc26_512A {
                        CurveId::Tc26_512B
                    } else {
                        CurveId::Tc26_512A
                    };
                    assert_eq!(
                        d.to_affine(&d.mul_base_ct(&k, other)),
                        expected,
                        "{curve:?}"
                    );
                }
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
