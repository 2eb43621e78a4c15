//! Signing and verification (GOST R 34.10-2012 §6.1, §6.2), the byte orders, the nonce.

use crypto_bigint::modular::runtime_mod::DynResidue;
use crypto_bigint::{U256, U512, Uint};
use hmac::{Hmac, Mac};
use streebog::{Digest as _, Streebog256, Streebog512};
use subtle::ConstantTimeLess;
use zeroize::{Zeroize, Zeroizing};

use crate::Error;
use crate::curve::{CurveId, Domain, Size};

/// How a signature value is laid out (the public key is `x‖y` little-endian and the hash a
/// little-endian integer in both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// RFC 9215 §2.2.2 (and RFC 4491 §2.2.2 before it): `s‖r`, each big-endian.
    Tc26,
    /// The Kazakh national center (OIDs under `1.2.398.3.10`): `r‖s`, each little-endian —
    /// established on `fixtures/nca` (the CA certificate, CRL and OCSP responses verify so).
    Nca,
}

impl Encoding {
    /// Splits a signature value into `(r, s)`, big-endian, after checking its length.
    pub fn split(self, size: Size, signature: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Error> {
        let n = size.bytes();
        let expected = n.saturating_mul(2);
        if signature.len() != expected {
            return Err(Error::SignatureLength {
                bits: size.bits_name(),
                expected,
                found: signature.len(),
            });
        }
        let (first, second) = signature.split_at(n);
        Ok(match self {
            Self::Tc26 => (second.to_vec(), first.to_vec()),
            Self::Nca => (reversed(first), reversed(second)),
        })
    }

    /// Joins big-endian `r` and `s` into a signature value.
    pub fn join(self, r: &[u8], s: &[u8]) -> Vec<u8> {
        match self {
            Self::Tc26 => [s, r].concat(),
            Self::Nca => [reversed(r), reversed(s)].concat(),
        }
    }
}

/// A hash the signatures are made over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hash {
    /// Streebog-256 (GOST R 34.11-2012, RFC 6986).
    Streebog256,
    /// Streebog-512 (GOST R 34.11-2012, RFC 6986).
    Streebog512,
    /// GOST R 34.11-94 with the S-box of its test parameters (RFC 5831, RFC 4357 §11.2
    /// `id-GostR3411-94-TestParamSet`): the national center's ST RK 34.311-95.
    Gost94Test,
}

impl Hash {
    /// The hash of `message`, as the function outputs it (read little-endian for α).
    pub fn digest(self, message: &[u8]) -> Vec<u8> {
        match self {
            Self::Streebog256 => Streebog256::digest(message).to_vec(),
            Self::Streebog512 => Streebog512::digest(message).to_vec(),
            Self::Gost94Test => gost94::Gost94Test::digest(message).to_vec(),
        }
    }

    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Streebog256 | Self::Gost94Test => 32,
            Self::Streebog512 => 64,
        }
    }

    /// Name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Streebog256 => "Streebog-256",
            Self::Streebog512 => "Streebog-512",
            Self::Gost94Test => "GOST 34.311-95",
        }
    }
}

/// The Streebog hash of the key size (GOST R 34.11-2012: 256 or 512 bits), as the hash function
/// outputs it (the byte string whose little-endian reading is the integer α of §6.1 step 2).
pub fn digest(size: Size, message: &[u8]) -> Vec<u8> {
    match size {
        Size::S256 => Streebog256::digest(message).to_vec(),
        Size::S512 => Streebog512::digest(message).to_vec(),
    }
}

/// A GOST R 34.10-2012 public key: a curve and a point on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    curve: CurveId,
    x: Vec<u8>,
    y: Vec<u8>,
}

/// A GOST R 34.10-2012 private key `d` in `[1, q-1]`.
///
/// The scalar is wiped from memory when the key is dropped (`zeroize`), and so are the copies
/// signing makes of it: the integer forms of `d` and of the nonce `k`, and the state of the
/// nonce generator (whose key is derived from `d`).
#[derive(Clone)]
pub struct PrivateKey {
    curve: CurveId,
    /// `d`, big-endian; wiped on drop.
    d: Zeroizing<Vec<u8>>,
    public: PublicKey,
}

/// Every secret field is a `Zeroizing` one.
impl zeroize::ZeroizeOnDrop for PrivateKey {}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("curve", &self.curve)
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// Runs `$body` with `$dom` the curve's [`Domain`] and `$u` its integer type.
macro_rules! with_domain {
    ($curve:expr, |$dom:ident, $u:ident| $body:expr) => {{
        let curve: CurveId = $curve;
        if let Some($dom) = curve.domain256() {
            type $u = U256;
            $body
        } else if let Some($dom) = curve.domain512() {
            type $u = U512;
            $body
        } else {
            Err(Error::UnknownParamSet {
                oid: curve.oid().to_string(),
            })
        }
    }};
}

impl PublicKey {
    /// The key `(x, y)` given big-endian, after checking lengths, `x, y < p` and the curve
    /// equation.
    pub fn from_affine(curve: CurveId, x: &[u8], y: &[u8]) -> Result<Self, Error> {
        let size = curve.size();
        let n = size.bytes();
        for coordinate in [x, y] {
            if coordinate.len() != n {
                return Err(Error::PublicKeyLength {
                    bits: size.bits_name(),
                    expected: n.saturating_mul(2),
                    found: x.len().saturating_add(y.len()),
                });
            }
        }
        with_domain!(curve, |dom, U| {
            let (Some(xi), Some(yi)) = (uint::<{ U::LIMBS }>(x), uint::<{ U::LIMBS }>(y)) else {
                return Err(Error::CoordinateNotInField);
            };
            if !dom.in_field(&xi, &yi) {
                return Err(Error::CoordinateNotInField);
            }
            if dom.point(&xi, &yi).is_none() {
                return Err(Error::PointNotOnCurve {
                    curve: curve.name(),
                });
            }
            Ok(Self {
                curve,
                x: x.to_vec(),
                y: y.to_vec(),
            })
        })
    }

    /// The key from `x‖y`, each little-endian (RFC 9215 §2.3.2; the national center's too).
    pub fn from_le_xy(curve: CurveId, bytes: &[u8]) -> Result<Self, Error> {
        let size = curve.size();
        let n = size.bytes();
        if bytes.len() != n.saturating_mul(2) {
            return Err(Error::PublicKeyLength {
                bits: size.bits_name(),
                expected: n.saturating_mul(2),
                found: bytes.len(),
            });
        }
        let (x, y) = bytes.split_at(n);
        Self::from_affine(curve, &reversed(x), &reversed(y))
    }

    /// `x‖y`, each little-endian.
    pub fn to_le_xy(&self) -> Vec<u8> {
        [reversed(&self.x), reversed(&self.y)].concat()
    }

    /// The curve.
    pub fn curve(&self) -> CurveId {
        self.curve
    }

    /// `x`, big-endian.
    pub fn x(&self) -> &[u8] {
        &self.x
    }

    /// `y`, big-endian.
    pub fn y(&self) -> &[u8] {
        &self.y
    }

    /// Verifies `signature` (laid out as `encoding` says) over `message`, hashed with the
    /// Streebog of the key's size.
    pub fn verify(
        &self,
        encoding: Encoding,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        let hash = match self.curve.size() {
            Size::S256 => Hash::Streebog256,
            Size::S512 => Hash::Streebog512,
        };
        self.verify_with(hash, encoding, message, signature)
    }

    /// Verifies `signature` over `message` hashed with `hash` (whose length must be the key's
    /// size).
    pub fn verify_with(
        &self,
        hash: Hash,
        encoding: Encoding,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        let size = self.curve.size();
        let (r, s) = encoding.split(size, signature)?;
        let h = hash.digest(message);
        self.verify_prehashed(&reversed(&h), &r, &s)
    }

    /// GOST R 34.10-2012 §6.2 from step 1 with the integer α of the hash given big-endian
    /// (`e = α mod q`, or 1 when that is 0): checks `r, s ∈ [1, q-1]`, computes
    /// `C = (s·e⁻¹)·P + (−r·e⁻¹)·Q` and accepts when `x_C mod q = r`.
    pub fn verify_prehashed(&self, alpha: &[u8], r: &[u8], s: &[u8]) -> Result<(), Error> {
        let size = self.curve.size();
        let n = size.bytes();
        check_len("hash", size, alpha)?;
        if r.len() != n || s.len() != n {
            return Err(Error::SignatureLength {
                bits: size.bits_name(),
                expected: n.saturating_mul(2),
                found: r.len().saturating_add(s.len()),
            });
        }
        with_domain!(self.curve, |dom, U| {
            let (Some(alpha), Some(r), Some(s), Some(x), Some(y)) = (
                uint::<{ U::LIMBS }>(alpha),
                uint::<{ U::LIMBS }>(r),
                uint::<{ U::LIMBS }>(s),
                uint::<{ U::LIMBS }>(&self.x),
                uint::<{ U::LIMBS }>(&self.y),
            ) else {
                return Err(Error::BadSignature);
            };
            verify_core(dom, self.curve, &x, &y, &alpha, &r, &s)
        })
    }
}

impl PrivateKey {
    /// The key `d` given big-endian; refused unless `1 ≤ d < q`.
    pub fn from_be_bytes(curve: CurveId, d: &[u8]) -> Result<Self, Error> {
        let size = curve.size();
        check_len("private key", size, d)?;
        let (x, y) = with_domain!(curve, |dom, U| {
            let Some(di) = uint::<{ U::LIMBS }>(d).map(Zeroizing::new) else {
                return Err(Error::PrivateKeyNotInRange);
            };
            if !in_scalar_range(&di, dom.q()) {
                return Err(Error::PrivateKeyNotInRange);
            }
            let p = dom.mul_base_ct(&di);
            dom.to_affine(&p)
                .map(|(x, y)| (to_be(&x), to_be(&y)))
                .ok_or(Error::PrivateKeyNotInRange)
        })?;
        Ok(Self {
            curve,
            d: Zeroizing::new(d.to_vec()),
            public: PublicKey { curve, x, y },
        })
    }

    /// The key `d` given little-endian (how the national center's key containers and the
    /// TC26 PKCS#8 `GostR3410-2012-PrivateKey` store it).
    pub fn from_le_bytes(curve: CurveId, d: &[u8]) -> Result<Self, Error> {
        Self::from_be_bytes(curve, &Zeroizing::new(reversed(d)))
    }

    /// The public key `Q = d·P`.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The curve.
    pub fn curve(&self) -> CurveId {
        self.curve
    }

    /// Signs `message` (hashed with the Streebog of the key's size) and lays the signature out
    /// as `encoding` says. The nonce is deterministic in the key and the hash: HMAC-Streebog-512
    /// keyed with `d`, reduced modulo `q` from 256 bits more than `q` has (see [`nonce`]).
    pub fn sign(&self, encoding: Encoding, message: &[u8]) -> Result<Vec<u8>, Error> {
        let h = digest(self.curve.size(), message);
        let (r, s) = self.sign_digest(&h)?;
        Ok(encoding.join(&r, &s))
    }

    /// Signs a Streebog output `h` (as [`digest`] returns it); returns big-endian `(r, s)`.
    pub fn sign_digest(&self, h: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Error> {
        let size = self.curve.size();
        check_len("hash", size, h)?;
        let alpha = reversed(h);
        with_domain!(self.curve, |dom, U| {
            let (Some(d), Some(alpha)) = (
                uint::<{ U::LIMBS }>(&self.d).map(Zeroizing::new),
                uint::<{ U::LIMBS }>(&alpha),
            ) else {
                return Err(Error::PrivateKeyNotInRange);
            };
            // §6.1 step 5 asks for another k when r or s is 0 (probability about 2/q): the
            // next attempt number gives an independent nonce. The bound only keeps a broken
            // hash from looping forever.
            for attempt in 0..=u8::MAX {
                let k = nonce(dom, &self.d, h, attempt)?;
                if let Some((r, s)) = sign_core(dom, &d, &alpha, &k) {
                    return Ok((to_be(&r), to_be(&s)));
                }
            }
            Err(Error::NonceRejected)
        })
    }

    /// GOST R 34.10-2012 §6.1 with the integer α of the hash and the nonce `k` given
    /// big-endian, as the standard's appendix A examples give them; returns big-endian
    /// `(r, s)`. For known-answer tests: a signer must never choose `k` itself.
    pub fn sign_prehashed_with_k(
        &self,
        alpha: &[u8],
        k: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>), Error> {
        let size = self.curve.size();
        check_len("hash", size, alpha)?;
        check_len("nonce", size, k)?;
        with_domain!(self.curve, |dom, U| {
            let (Some(d), Some(alpha), Some(k)) = (
                uint::<{ U::LIMBS }>(&self.d).map(Zeroizing::new),
                uint::<{ U::LIMBS }>(alpha),
                uint::<{ U::LIMBS }>(k).map(Zeroizing::new),
            ) else {
                return Err(Error::NonceRejected);
            };
            if !in_scalar_range(&k, dom.q()) {
                return Err(Error::NonceRejected);
            }
            sign_core(dom, &d, &alpha, &k)
                .map(|(r, s)| (to_be(&r), to_be(&s)))
                .ok_or(Error::NonceRejected)
        })
    }
}

/// §6.2 steps 1–7.
fn verify_core<const L: usize>(
    dom: &Domain<L>,
    curve: CurveId,
    x: &Uint<L>,
    y: &Uint<L>,
    alpha: &Uint<L>,
    r: &Uint<L>,
    s: &Uint<L>,
) -> Result<(), Error> {
    if !in_scalar_range(r, dom.q()) {
        return Err(Error::RNotInRange);
    }
    if !in_scalar_range(s, dom.q()) {
        return Err(Error::SNotInRange);
    }
    if !dom.in_field(x, y) {
        return Err(Error::CoordinateNotInField);
    }
    let key = dom.point(x, y).ok_or(Error::PointNotOnCurve {
        curve: curve.name(),
    })?;
    let fq = dom.fq();
    let e = e_of(dom, alpha).retrieve();
    // Every input here is public: the variable-time inversion serves.
    let Some(v) = inv_mod_vartime(&e, dom.q()) else {
        return Err(Error::BadSignature);
    };
    let v = DynResidue::new(&v, fq);
    let z1 = DynResidue::new(s, fq).mul(&v).retrieve();
    let z2 = DynResidue::new(r, fq).neg().mul(&v).retrieve();
    let c = dom.mul_base_add_vartime(&z1, &z2, &key);
    if dom.x_mod_q_is_vartime(&c, r) {
        Ok(())
    } else {
        Err(Error::BadSignature)
    }
}

/// §6.1 steps 3–5 for a nonce `k ∈ [1, q-1]`: `C = k·P`, `r = x_C mod q`, `s = (r·d + k·e) mod q`;
/// `None` when `r` or `s` is 0. Constant time in `d` and `k` (the zero tests look at `r` and
/// `s`, which are published).
fn sign_core<const L: usize>(
    dom: &Domain<L>,
    d: &Uint<L>,
    alpha: &Uint<L>,
    k: &Uint<L>,
) -> Option<(Uint<L>, Uint<L>)> {
    let fq = dom.fq();
    let c = dom.mul_base_ct(k);
    let (cx, _) = dom.to_affine(&c)?;
    let r = DynResidue::new(&cx, fq);
    let e = e_of(dom, alpha);
    let d = Zeroizing::new(DynResidue::new(d, fq));
    let ke = Zeroizing::new(DynResidue::new(k, fq).mul(&e));
    let s = r.mul(&d).add(&ke);
    let (r, s) = (r.retrieve(), s.retrieve());
    if r == Uint::ZERO || s == Uint::ZERO {
        return None;
    }
    Some((r, s))
}

/// §6.1 step 2: `e = α mod q`, 1 when that is 0.
fn e_of<const L: usize>(dom: &Domain<L>, alpha: &Uint<L>) -> DynResidue<L> {
    let e = DynResidue::new(alpha, dom.fq());
    if e.retrieve() == Uint::ZERO {
        DynResidue::one(dom.fq())
    } else {
        e
    }
}

/// `a⁻¹ mod m` for `0 < a < m`, `m` odd, by the binary extended Euclidean algorithm (HAC
/// algorithm 14.61 in its form for an odd modulus): `None` when `a` is 0 or shares a factor
/// with `m`. Variable time: for public values only (verification). About three times cheaper
/// than the constant-time inversion `DynResidue::invert` it replaces there;
/// `ok_variable_time_inverse_equals_dyn_residue` compares the two.
fn inv_mod_vartime<const L: usize>(a: &Uint<L>, m: &Uint<L>) -> Option<Uint<L>> {
    if a == &Uint::ZERO || a >= m {
        return None;
    }
    // Invariants: x1·a ≡ u and x2·a ≡ v (mod m), x1, x2 < m.
    let (mut u, mut v) = (*a, *m);
    let (mut x1, mut x2) = (Uint::<L>::ONE, Uint::<L>::ZERO);
    let one = Uint::<L>::ONE;
    while u != one && v != one {
        if u == Uint::ZERO || v == Uint::ZERO {
            return None;
        }
        while !is_odd(&u) {
            u = u.shr_vartime(1);
            x1 = half_mod(&x1, m);
        }
        while !is_odd(&v) {
            v = v.shr_vartime(1);
            x2 = half_mod(&x2, m);
        }
        if u >= v {
            u = u.wrapping_sub(&v);
            x1 = x1.sub_mod(&x2, m);
        } else {
            v = v.wrapping_sub(&u);
            x2 = x2.sub_mod(&x1, m);
        }
    }
    Some(if u == one { x1 } else { x2 })
}

/// `x/2 mod m` for `x < m`, `m` odd: `x/2` when `x` is even, `(x + m)/2` otherwise (the sum
/// may carry out of the top word; the carry is shifted back in).
fn half_mod<const L: usize>(x: &Uint<L>, m: &Uint<L>) -> Uint<L> {
    if is_odd(x) {
        let (sum, carry) = x.adc(m, crypto_bigint::Limb::ZERO);
        let top = Uint::<L>::from_word(carry.0).shl_vartime(Uint::<L>::BITS - 1);
        sum.shr_vartime(1).bitor(&top)
    } else {
        x.shr_vartime(1)
    }
}

fn is_odd<const L: usize>(x: &Uint<L>) -> bool {
    x.as_words().first().is_some_and(|w| w & 1 == 1)
}

/// `1 ≤ v < q`, without branching on `v`.
fn in_scalar_range<const L: usize>(v: &Uint<L>, q: &Uint<L>) -> bool {
    let nonzero = !subtle::ConstantTimeEq::ct_eq(v, &Uint::ZERO);
    bool::from(nonzero & v.ct_lt(q))
}

/// Streebog-512's output length in bytes: one block of the nonce generator.
const NONCE_BLOCK: usize = 64;

/// The first bytes of every message of the nonce generator (domain separation: the key `d`
/// keys no other HMAC here, the label keeps it so should one be added).
const NONCE_LABEL: &[u8] = b"eds-gost nonce v1";

/// The nonce `k ∈ [1, q−1]` for the private key `d` (big-endian bytes) and the hash output `h`,
/// attempt `attempt` (0 first; §6.1 step 5 asks for another when `r` or `s` is 0).
///
/// Construction: `T = T_1 ‖ … ‖ T_m` with `T_i = HMAC-Streebog-512(d, label ‖ attempt ‖ i ‖ h)`
/// (HMAC with Streebog-512, R 50.1.113-2016, RFC 7836 §4.1.1, of the key's own hash family),
/// `m = 1` for 256-bit curves and 2 for 512-bit ones, so `T` has `2·N` bits (512 or 1024) for
/// an `N`-bit `q`; `k = T mod q`, and `k = 1` in place of 0.
///
/// Why it is sound: HMAC keyed with a secret is a pseudorandom function (Bellare, "New proofs
/// for NMAC and HMAC", CRYPTO 2006, under the compression function being one), so `T` is
/// indistinguishable from uniform to anyone without `d`, and distinct `(h, attempt)` give
/// independent values. Reducing a uniform integer of at least 64 bits more than `q` modulo `q`
/// leaves a bias of at most `q / 2^|T|` (the method of FIPS 186-5 appendix A.3.1, which takes
/// `qlen + 64` bits; here `qlen + 256` or more, a bias below `2^-250`), and the 0 → 1 swap adds
/// `1/q`. The nonce is deterministic in `(d, h)`, as RFC 6979 §3 and Ed25519's (RFC 8032
/// §5.1.6) are: no random generator can leak the key, and the same message signed twice gives
/// the same signature, never two signatures with one `k` on different hashes. RFC 6979 §3.2's
/// HMAC_DRBG would cost four to eight HMACs per signature (with its rejection of candidates
/// not below `q`, every second one on 256 TC26 paramSetA, where `q` is just above `2^254`);
/// this costs one or two, with no rejection.
///
/// Constant time in `d` and `k`: the HMAC runs the same steps for every key, the reduction is
/// Montgomery arithmetic modulo `q` and the 0 → 1 swap a `subtle` selection. The bytes of `T`
/// and the integers made of them are wiped (`Zeroizing`); the keyed HMAC states are dropped
/// without wiping (the `hmac` crate offers none).
fn nonce<const L: usize>(
    dom: &Domain<L>,
    d: &[u8],
    h: &[u8],
    attempt: u8,
) -> Result<Zeroizing<Uint<L>>, Error> {
    // HMAC takes keys of any length: new_from_slice does not fail.
    let keyed = Hmac::<Streebog512>::new_from_slice(d).map_err(|_| Error::NonceRejected)?;
    let wide = Uint::<L>::BYTES.saturating_mul(2);
    let mut t = Zeroizing::new(Vec::with_capacity(wide));
    for block in (1u8..).take(wide.div_ceil(NONCE_BLOCK)) {
        let mut mac = keyed.clone();
        mac.update(NONCE_LABEL);
        mac.update(&[attempt, block]);
        mac.update(h);
        let mut out = mac.finalize().into_bytes();
        t.extend_from_slice(&out);
        out.as_mut_slice().zeroize();
    }
    let (Some(hi), Some(lo)) = (
        t.get(..Uint::<L>::BYTES)
            .and_then(uint::<L>)
            .map(Zeroizing::new),
        t.get(Uint::<L>::BYTES..wide)
            .and_then(uint::<L>)
            .map(Zeroizing::new),
    ) else {
        return Err(Error::NonceRejected);
    };
    Ok(Zeroizing::new(reduce_wide_mod_q(dom, &hi, &lo)))
}

/// `(hi·2^N + lo) mod q`, and 1 where that is 0, in constant time: `hi` and `lo` enter
/// Montgomery form modulo `q` (a Montgomery reduction is exact for inputs below `q·2^N`, so any
/// `N`-bit `hi`, `lo` is accepted) and `hi` is multiplied by `2^N mod q`.
fn reduce_wide_mod_q<const L: usize>(dom: &Domain<L>, hi: &Uint<L>, lo: &Uint<L>) -> Uint<L> {
    let fq = dom.fq();
    // 2^N mod q = (2^N − 1) + 1 modulo q.
    let two_n = DynResidue::new(&Uint::MAX, fq).add(&DynResidue::one(fq));
    let hi = Zeroizing::new(DynResidue::new(hi, fq));
    let lo = Zeroizing::new(DynResidue::new(lo, fq));
    let k = Zeroizing::new(hi.mul(&two_n).add(&lo).retrieve());
    let zero = subtle::ConstantTimeEq::ct_eq(&*k, &Uint::ZERO);
    subtle::ConditionallySelectable::conditional_select(&*k, &Uint::ONE, zero)
}

fn check_len(what: &'static str, size: Size, bytes: &[u8]) -> Result<(), Error> {
    if bytes.len() == size.bytes() {
        Ok(())
    } else {
        Err(Error::InputLength {
            what,
            bits: size.bits_name(),
            expected: size.bytes(),
            found: bytes.len(),
        })
    }
}

/// A big-endian integer of exactly `Uint::<L>::BYTES` bytes.
fn uint<const L: usize>(bytes: &[u8]) -> Option<Uint<L>> {
    (bytes.len() == Uint::<L>::BYTES).then(|| Uint::from_be_slice(bytes))
}

fn to_be<const L: usize>(v: &Uint<L>) -> Vec<u8> {
    v.as_words()
        .iter()
        .rev()
        .flat_map(|w| w.to_be_bytes())
        .collect()
}

fn reversed(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().rev().copied().collect()
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a failing test should stop loudly"
)]
mod tests {
    use super::*;

    /// The variable-time inverse against `DynResidue`'s constant-time one, modulo every
    /// curve's `q`, for 1, 2, q − 1, q − 2, (q − 1)/2, powers of two and all-ones below `q`,
    /// and random values; 0 and values ≥ q have none.
    fn check_inverse<const L: usize>(q: &Uint<L>, extra: &[Uint<L>]) {
        let params = crypto_bigint::modular::runtime_mod::DynResidueParams::new(q);
        let mut values = vec![
            Uint::ONE,
            Uint::from_u8(2),
            q.wrapping_sub(&Uint::ONE),
            q.wrapping_sub(&Uint::from_u8(2)),
            q.shr_vartime(1),
            Uint::MAX.shr_vartime(Uint::<L>::BITS - q.bits() + 1),
        ];
        for k in [1, 63, 64, 65, 128, 200, 255, 300, 511] {
            if k < q.bits() {
                values.push(Uint::ONE.shl_vartime(k));
            }
        }
        values.extend(extra.iter().map(|x| x.const_rem(q).0));
        for a in values {
            let expected = DynResidue::new(&a, params).invert();
            let got = inv_mod_vartime(&a, q);
            if a == Uint::ZERO {
                assert_eq!(got, None);
            } else {
                assert!(bool::from(expected.1));
                assert_eq!(got, Some(expected.0.retrieve()), "{a}");
            }
        }
        assert_eq!(inv_mod_vartime(&Uint::ZERO, q), None);
        assert_eq!(inv_mod_vartime(q, q), None);
        assert_eq!(inv_mod_vartime(&Uint::MAX, q), None);
    }

    fn every_q(extra256: &[U256], extra512: &[U512]) {
        for curve in crate::curve::ALL_CURVES {
            if let Some(d) = curve.domain256() {
                check_inverse(d.q(), extra256);
            } else if let Some(d) = curve.domain512() {
                check_inverse(d.q(), extra512);
            }
        }
    }

    #[test]
    fn ok_variable_time_inverse_equals_dyn_residue_at_the_edges() {
        every_q(&[U256::MAX], &[U512::MAX]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn ok_variable_time_inverse_equals_dyn_residue(
            a in proptest::collection::vec(proptest::prelude::any::<u8>(), 64),
        ) {
            let (Some(short), long) = (a.get(..32), U512::from_be_slice(&a)) else {
                panic!("64 bytes");
            };
            every_q(&[U256::from_be_slice(short)], &[long]);
        }
    }

    /// `(hi·2^N + lo) mod q` by crypto-bigint's wide remainder, 0 read as 1: the reference
    /// [`reduce_wide_mod_q`] is compared with.
    fn reduce_by_division<const L: usize>(q: &Uint<L>, hi: &Uint<L>, lo: &Uint<L>) -> Uint<L> {
        let k = Uint::const_rem_wide((*lo, *hi), q).0;
        if k == Uint::ZERO { Uint::ONE } else { k }
    }

    /// The nonce written out with a fresh HMAC over the concatenated message and the division
    /// above: the reference [`nonce`] is compared with.
    fn nonce_by_hand<const L: usize>(q: &Uint<L>, d: &[u8], h: &[u8], attempt: u8) -> Uint<L> {
        let mut t = Vec::new();
        for block in 1..=(2 * Uint::<L>::BYTES).div_ceil(64) {
            let message = [NONCE_LABEL, &[attempt, u8::try_from(block).unwrap()], h].concat();
            let mut m = Hmac::<Streebog512>::new_from_slice(d).unwrap();
            m.update(&message);
            t.extend_from_slice(&m.finalize().into_bytes());
        }
        let (hi, lo) = t.split_at(Uint::<L>::BYTES);
        reduce_by_division(
            q,
            &Uint::from_be_slice(hi),
            &Uint::from_be_slice(&lo[..Uint::<L>::BYTES]),
        )
    }

    fn check_wide_reduction<const L: usize>(dom: &Domain<L>, extra: &[(Uint<L>, Uint<L>)]) {
        let q = *dom.q();
        let mut pairs = vec![
            (Uint::ZERO, Uint::ZERO),
            (Uint::ZERO, Uint::ONE),
            (Uint::ZERO, q),
            (Uint::ZERO, q.wrapping_sub(&Uint::ONE)),
            (Uint::ZERO, q.wrapping_add(&Uint::from_u8(5))),
            (Uint::ONE, Uint::ZERO),
            (Uint::MAX, Uint::MAX),
            (Uint::MAX, Uint::ZERO),
            (Uint::ZERO, Uint::MAX),
            (q, q),
            (q.wrapping_sub(&Uint::ONE), Uint::MAX),
        ];
        pairs.extend_from_slice(extra);
        for (hi, lo) in pairs {
            let k = reduce_wide_mod_q(dom, &hi, &lo);
            assert_eq!(k, reduce_by_division(&q, &hi, &lo), "{hi} {lo}");
            assert!(in_scalar_range(&k, &q));
        }
    }

    fn every_domain(extra256: &[(U256, U256)], extra512: &[(U512, U512)]) {
        for curve in crate::curve::ALL_CURVES {
            if let Some(d) = curve.domain256() {
                check_wide_reduction(d, extra256);
            } else if let Some(d) = curve.domain512() {
                check_wide_reduction(d, extra512);
            }
        }
    }

    /// The constant-time wide reduction against the division, at the edges (0 and `q` give
    /// 1, never 0).
    #[test]
    fn ok_wide_reduction_equals_division_at_the_edges() {
        every_domain(&[], &[]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn ok_wide_reduction_equals_division(
            a in proptest::collection::vec(proptest::prelude::any::<u8>(), 128),
        ) {
            let (Some(hi), Some(lo)) = (a.get(..64), a.get(64..)) else {
                panic!("128 bytes");
            };
            every_domain(
                &[(U256::from_be_slice(&hi[..32]), U256::from_be_slice(&lo[..32]))],
                &[(U512::from_be_slice(hi), U512::from_be_slice(lo))],
            );
        }
    }

    /// [`nonce`] against the construction written out by hand, on every curve, for several
    /// keys, hashes and attempts; and it changes with the hash, the key and the attempt.
    #[test]
    fn ok_nonce_equals_the_construction_by_hand() {
        fn check<const L: usize>(dom: &Domain<L>) {
            let n = Uint::<L>::BYTES;
            let mut seen = Vec::new();
            for (d, h) in [
                (vec![0x1a; n], vec![0x42; n]),
                (vec![0x1a; n], vec![0x43; n]),
                (vec![0x1b; n], vec![0x42; n]),
                (vec![0xff; n], vec![0; n]),
            ] {
                for attempt in [0, 1, 255] {
                    let k = nonce(dom, &d, &h, attempt).unwrap();
                    assert_eq!(*k, nonce_by_hand(dom.q(), &d, &h, attempt));
                    assert!(in_scalar_range(&k, dom.q()));
                    assert_eq!(*k, *nonce(dom, &d, &h, attempt).unwrap(), "deterministic");
                    assert!(!seen.contains(&*k), "a repeated nonce");
                    seen.push(*k);
                }
            }
        }
        for curve in crate::curve::ALL_CURVES {
            if let Some(d) = curve.domain256() {
                check(d);
            } else if let Some(d) = curve.domain512() {
                check(d);
            }
        }
    }

    /// Signatures through the nonce path verify on every curve; the same message signed twice
    /// gives the same signature, two messages different `r` (so different `k`: `r` is
    /// `x(k·P) mod q`).
    #[test]
    fn ok_signatures_of_the_nonce_path_verify_and_differ_by_message() {
        for curve in crate::curve::ALL_CURVES {
            let key = PrivateKey::from_be_bytes(curve, &vec![0x1a; curve.size().bytes()]).unwrap();
            let (a, b) = (b"one message".as_slice(), b"another message".as_slice());
            let sa = key.sign(Encoding::Nca, a).unwrap();
            let sb = key.sign(Encoding::Nca, b).unwrap();
            assert_eq!(
                key.public_key().verify(Encoding::Nca, a, &sa),
                Ok(()),
                "{curve:?}"
            );
            assert_eq!(
                key.public_key().verify(Encoding::Nca, b, &sb),
                Ok(()),
                "{curve:?}"
            );
            assert_eq!(key.sign(Encoding::Nca, a).unwrap(), sa, "deterministic");
            let n = curve.size().bytes();
            assert_ne!(
                sa.get(..n),
                sb.get(..n),
                "r (the first half, Nca layout) differs"
            );
            assert_eq!(
                key.public_key().verify(Encoding::Nca, b, &sa),
                Err(Error::BadSignature)
            );
        }
    }
}
