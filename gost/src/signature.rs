//! Signing and verification (GOST R 34.10-2012 §6.1, §6.2), the byte orders, the nonce.

use std::sync::OnceLock;

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
    /// as `encoding` says. The nonce is deterministic (RFC 6979 §3.2 with HMAC-Streebog).
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
            let (Some(d), Some(alpha), Some(h1)) = (
                uint::<{ U::LIMBS }>(&self.d).map(Zeroizing::new),
                uint::<{ U::LIMBS }>(&alpha),
                uint::<{ U::LIMBS }>(h),
            ) else {
                return Err(Error::PrivateKeyNotInRange);
            };
            let mut drbg = Drbg::new(size, &self.d, &to_be(&bits2octets(dom, &h1)))?;
            // RFC 6979 §3.2 step h: candidates until one is in [1, q-1] and gives r, s ≠ 0.
            // Each rejection has a probability near 2^-128 or less for these curves; the bound
            // only keeps a broken hash from looping forever.
            for _ in 0..64 {
                let t = drbg.next();
                if let Some(k) = uint::<{ U::LIMBS }>(&t).map(Zeroizing::new) {
                    let k = Zeroizing::new(bits2int(dom, &k));
                    if in_scalar_range(&k, dom.q())
                        && let Some((r, s)) = sign_core(dom, &d, &alpha, &k)
                    {
                        return Ok((to_be(&r), to_be(&s)));
                    }
                }
                drbg.reseed()?;
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

/// RFC 6979 §2.3.2 bits2int for a hash-sized input: its leftmost `qlen` bits.
fn bits2int<const L: usize>(dom: &Domain<L>, v: &Uint<L>) -> Uint<L> {
    let blen = Uint::<L>::BYTES.saturating_mul(8);
    v.shr_vartime(blen.saturating_sub(dom.q_bits()))
}

/// RFC 6979 §2.3.4 bits2octets (as an integer): bits2int reduced modulo `q`.
fn bits2octets<const L: usize>(dom: &Domain<L>, h: &Uint<L>) -> Uint<L> {
    DynResidue::new(&bits2int(dom, h), dom.fq()).retrieve()
}

/// The HMAC_DRBG of RFC 6979 §3.2 steps b–h with HMAC-Streebog of the key's size. Its state
/// derives from the private key and yields the nonce: `V` is wiped on drop.
///
/// `K` is kept as a keyed HMAC (the hash states after the `ipad` and `opad` blocks), not as
/// bytes: every MAC under the same `K` clones it instead of hashing the two key blocks again
/// (each `K` serves two MACs), and the all-zero `K` of step c is keyed once per process. Same
/// output as keying afresh (`ok_keyed_drbg_equals_rfc6979_by_hand` checks it). The keyed states
/// are not wiped (the `hmac` crate offers no zeroizing), as before this change.
struct Drbg {
    keyed: Keyed,
    v: Vec<u8>,
}

/// A keyed HMAC-Streebog of either size.
#[derive(Clone)]
enum Keyed {
    S256(Hmac<Streebog256>),
    S512(Hmac<Streebog512>),
}

/// HMAC-Streebog under the all-zero key of each size (RFC 6979 §3.2 step c), keyed once.
static ZERO_KEY_256: OnceLock<Hmac<Streebog256>> = OnceLock::new();
/// The same for Streebog-512.
static ZERO_KEY_512: OnceLock<Hmac<Streebog512>> = OnceLock::new();

impl Keyed {
    fn zero(size: Size) -> Result<Self, Error> {
        let refused = |_| Error::NonceRejected;
        Ok(match size {
            Size::S256 => {
                if let Some(m) = ZERO_KEY_256.get() {
                    Self::S256(m.clone())
                } else {
                    let m = Hmac::<Streebog256>::new_from_slice(&[0; 32]).map_err(refused)?;
                    Self::S256(ZERO_KEY_256.get_or_init(|| m).clone())
                }
            }
            Size::S512 => {
                if let Some(m) = ZERO_KEY_512.get() {
                    Self::S512(m.clone())
                } else {
                    let m = Hmac::<Streebog512>::new_from_slice(&[0; 64]).map_err(refused)?;
                    Self::S512(ZERO_KEY_512.get_or_init(|| m).clone())
                }
            }
        })
    }

    /// The same kind keyed with `key`.
    fn rekey(&self, key: &[u8]) -> Result<Self, Error> {
        // HMAC takes keys of any length; new_from_slice cannot fail here.
        let refused = |_| Error::NonceRejected;
        Ok(match self {
            Self::S256(_) => Self::S256(Hmac::new_from_slice(key).map_err(refused)?),
            Self::S512(_) => Self::S512(Hmac::new_from_slice(key).map_err(refused)?),
        })
    }

    fn mac(&self, parts: &[&[u8]]) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(match self {
            Self::S256(keyed) => {
                let mut m = keyed.clone();
                for p in parts {
                    m.update(p);
                }
                m.finalize().into_bytes().to_vec()
            }
            Self::S512(keyed) => {
                let mut m = keyed.clone();
                for p in parts {
                    m.update(p);
                }
                m.finalize().into_bytes().to_vec()
            }
        })
    }
}

impl Drop for Drbg {
    fn drop(&mut self) {
        self.v.zeroize();
    }
}

impl Drbg {
    fn new(size: Size, x: &[u8], h: &[u8]) -> Result<Self, Error> {
        let hlen = size.bytes();
        let mut drbg = Self {
            keyed: Keyed::zero(size)?,
            v: vec![1; hlen],
        };
        drbg.set_k(&drbg.keyed.mac(&[&drbg.v, &[0], x, h]))?;
        drbg.set_v(drbg.keyed.mac(&[&drbg.v]));
        drbg.set_k(&drbg.keyed.mac(&[&drbg.v, &[1], x, h]))?;
        drbg.set_v(drbg.keyed.mac(&[&drbg.v]));
        Ok(drbg)
    }

    /// Step h.2: one block (the hash is as long as `q`, so one block is enough).
    fn next(&mut self) -> Zeroizing<Vec<u8>> {
        self.set_v(self.keyed.mac(&[&self.v]));
        Zeroizing::new(self.v.clone())
    }

    /// Step h.3: after a rejected candidate.
    fn reseed(&mut self) -> Result<(), Error> {
        self.set_k(&self.keyed.mac(&[&self.v, &[0]]))?;
        self.set_v(self.keyed.mac(&[&self.v]));
        Ok(())
    }

    /// Replaces `K` (the bytes are wiped by the caller's `Zeroizing`).
    fn set_k(&mut self, k: &[u8]) -> Result<(), Error> {
        self.keyed = self.keyed.rekey(k)?;
        Ok(())
    }

    /// Replaces `V`, wiping the old value.
    fn set_v(&mut self, v: Zeroizing<Vec<u8>>) {
        self.v.zeroize();
        self.v.clone_from(&v);
    }
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

    /// RFC 6979 §3.2 steps b–h.3 written out with `K` as bytes, keying a fresh HMAC for every
    /// MAC: the reference the cached-key [`Drbg`] is compared with. Returns the first `n`
    /// candidates `T`, with a reseed (step h.3) between two.
    fn reference(
        hlen: usize,
        x: &[u8],
        h: &[u8],
        n: usize,
        mac: impl Fn(&[u8], &[&[u8]]) -> Vec<u8>,
    ) -> Vec<Vec<u8>> {
        let mut v = vec![1u8; hlen];
        let mut k = vec![0u8; hlen];
        k = mac(&k, &[&v, &[0], x, h]);
        v = mac(&k, &[&v]);
        k = mac(&k, &[&v, &[1], x, h]);
        v = mac(&k, &[&v]);
        let mut out = Vec::new();
        for _ in 0..n {
            v = mac(&k, &[&v]);
            out.push(v.clone());
            k = mac(&k, &[&v, &[0]]);
            v = mac(&k, &[&v]);
        }
        out
    }

    fn cached(size: Size, x: &[u8], h: &[u8], n: usize) -> Vec<Vec<u8>> {
        let mut drbg = Drbg::new(size, x, h).unwrap();
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(drbg.next().to_vec());
            drbg.reseed().unwrap();
        }
        out
    }

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

    #[test]
    fn ok_keyed_drbg_equals_rfc6979_by_hand() {
        for (x, h) in [
            ([0x1au8; 64], [0x42u8; 64]),
            ([0xff; 64], [0; 64]),
            ([1; 64], [0x80; 64]),
        ] {
            // Twice each: the second run takes the zero key from the process-wide cache.
            for _ in 0..2 {
                assert_eq!(
                    cached(Size::S256, &x[..32], &h[..32], 3),
                    reference(32, &x[..32], &h[..32], 3, |k, parts| {
                        let mut m = Hmac::<Streebog256>::new_from_slice(k).unwrap();
                        for p in parts {
                            m.update(p);
                        }
                        m.finalize().into_bytes().to_vec()
                    }),
                    "256"
                );
                assert_eq!(
                    cached(Size::S512, &x, &h, 3),
                    reference(64, &x, &h, 3, |k, parts| {
                        let mut m = Hmac::<Streebog512>::new_from_slice(k).unwrap();
                        for p in parts {
                            m.update(p);
                        }
                        m.finalize().into_bytes().to_vec()
                    }),
                    "512"
                );
            }
        }
    }
}
