//! Arithmetic modulo a curve's prime `p`, in constant time.
//!
//! A field element is the bare integer (`L` words) with no parameters attached; the [`Field`]
//! holds the modulus and how to reduce. Two reductions:
//!
//! - **pseudo-Mersenne**, when `p = 2^(64·L) − c` with `c < 2^32`: the TC26 primes
//!   `2^256 − 617` (256 paramSetA, CryptoPro-A) and `2^512 − 569` (512 paramSetA and C). A
//!   product `hi·2^N + lo` is folded as `lo + c·hi` twice, then one conditional subtraction of `p`
//!   (done as "add `c`, keep the sum if it carried out"): about `L` word multiplications for the
//!   reduction where Montgomery's needs `L²`. Elements are kept in plain form.
//! - **Montgomery** (HAC algorithm 14.32, `crypto-bigint`'s `montgomery_reduction`) for every
//!   other prime. Elements are kept in Montgomery form `x·2^N mod p`.
//!
//! Every operation runs the same instructions whatever the values: carries are propagated in full
//! and the final corrections are masks or `subtle` selections, never branches. The only branch is
//! on the reduction kind, which depends on the (public) curve. `field::tests` compares every
//! operation with `crypto-bigint`'s `DynResidue` on every curve.

use crypto_bigint::modular::montgomery_reduction;
use crypto_bigint::{Limb, Uint, WideWord, Word};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

/// An element of the field, in the representation its [`Field`] uses (below `p`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fe<const L: usize>(Uint<L>);

impl<const L: usize> ConditionallySelectable for Fe<L> {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Self(Uint::conditional_select(&a.0, &b.0, choice))
    }
}

impl<const L: usize> ConstantTimeEq for Fe<L> {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

#[derive(Clone, Copy, Debug)]
enum Reduction<const L: usize> {
    /// `p = 2^(64·L) − c`.
    PseudoMersenne { c: Word },
    /// `neg_inv = −p⁻¹ mod 2^64`, `r2 = 2^(2N) mod p`.
    Montgomery { neg_inv: Limb, r2: Uint<L> },
}

/// The field modulo an odd prime `p`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field<const L: usize> {
    p: Uint<L>,
    reduction: Reduction<L>,
    one: Fe<L>,
}

impl<const L: usize> Field<L> {
    /// The field modulo `p`, which must be an odd prime (the curve constants are).
    pub(crate) fn new(p: &Uint<L>) -> Self {
        let c = p.wrapping_neg();
        if c < Uint::from_u64(1 << 32) {
            let c = c.as_words().first().copied().unwrap_or(0);
            return Self {
                p: *p,
                reduction: Reduction::PseudoMersenne { c },
                one: Fe(Uint::ONE),
            };
        }
        // −p⁻¹ mod 2^64 by Newton's iteration (each step doubles the correct low bits; p odd).
        let p0 = p.as_words().first().copied().unwrap_or(1);
        let mut inv: Word = 1;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(p0.wrapping_mul(inv)));
        }
        // R mod p = 2^N − p·⌊2^N/p⌋: computed as (2^N − 1) mod p + 1 (p does not divide 2^N).
        let r = Uint::<L>::MAX
            .const_rem(p)
            .0
            .wrapping_add(&Uint::ONE)
            .const_rem(p)
            .0;
        let r2 = Uint::const_rem_wide(r.square_wide(), p).0;
        Self {
            p: *p,
            reduction: Reduction::Montgomery {
                neg_inv: Limb(inv.wrapping_neg()),
                r2,
            },
            one: Fe(r),
        }
    }

    /// The prime.
    pub(crate) fn modulus(&self) -> &Uint<L> {
        &self.p
    }

    /// The element of `x < p` (callers check the bound).
    pub(crate) fn element(&self, x: &Uint<L>) -> Fe<L> {
        match self.reduction {
            Reduction::PseudoMersenne { .. } => Fe(*x),
            Reduction::Montgomery { r2, .. } => self.mul(&Fe(*x), &Fe(r2)),
        }
    }

    /// The integer in `[0, p)` the element stands for.
    pub(crate) fn value(&self, x: &Fe<L>) -> Uint<L> {
        match self.reduction {
            Reduction::PseudoMersenne { .. } => x.0,
            Reduction::Montgomery { neg_inv, .. } => {
                montgomery_reduction(&(x.0, Uint::ZERO), &self.p, neg_inv)
            }
        }
    }

    pub(crate) fn zero(&self) -> Fe<L> {
        Fe(Uint::ZERO)
    }

    pub(crate) fn one(&self) -> Fe<L> {
        self.one
    }

    pub(crate) fn add(&self, a: &Fe<L>, b: &Fe<L>) -> Fe<L> {
        Fe(a.0.add_mod(&b.0, &self.p))
    }

    pub(crate) fn sub(&self, a: &Fe<L>, b: &Fe<L>) -> Fe<L> {
        Fe(a.0.sub_mod(&b.0, &self.p))
    }

    pub(crate) fn neg(&self, a: &Fe<L>) -> Fe<L> {
        Fe(a.0.neg_mod(&self.p))
    }

    pub(crate) fn double(&self, a: &Fe<L>) -> Fe<L> {
        self.add(a, a)
    }

    pub(crate) fn mul(&self, a: &Fe<L>, b: &Fe<L>) -> Fe<L> {
        self.reduce(a.0.mul_wide(&b.0))
    }

    pub(crate) fn square(&self, a: &Fe<L>) -> Fe<L> {
        self.reduce(a.0.square_wide())
    }

    /// `a⁻¹`, or `None` for zero. Constant time (`crypto-bigint`'s `inv_odd_mod`, GMP's
    /// `mpn_sec_invert`); the `None` is decided only after the whole computation.
    pub(crate) fn invert(&self, a: &Fe<L>) -> Option<Fe<L>> {
        let (inv, invertible) = self.value(a).inv_odd_mod(&self.p);
        if bool::from(invertible) {
            Some(self.element(&inv))
        } else {
            None
        }
    }

    /// The reduction of a product `(lo, hi)` (below `p²`).
    fn reduce(&self, wide: (Uint<L>, Uint<L>)) -> Fe<L> {
        match self.reduction {
            Reduction::PseudoMersenne { c } => Fe(reduce_pseudo_mersenne(wide, c)),
            Reduction::Montgomery { neg_inv, .. } => {
                Fe(montgomery_reduction(&wide, &self.p, neg_inv))
            }
        }
    }
}

/// `(lo + hi·2^N) mod (2^N − c)` for `c < 2^32`, constant time.
fn reduce_pseudo_mersenne<const L: usize>((lo, hi): (Uint<L>, Uint<L>), c: Word) -> Uint<L> {
    // t = lo + c·hi, one extra word `top` (< c + 1).
    let mut t = lo.to_words();
    let mut carry: Word = 0;
    for (ti, hi) in t.iter_mut().zip(hi.as_words()) {
        let wide =
            WideWord::from(*hi) * WideWord::from(c) + WideWord::from(*ti) + WideWord::from(carry);
        *ti = low(wide);
        carry = high(wide);
    }
    // t = t + c·top: c·top < 2^65, added as two words with the carry run through every word.
    let folded = WideWord::from(carry) * WideWord::from(c);
    let mut add = [low(folded), high(folded)];
    let mut carry: Word = 0;
    for (i, ti) in t.iter_mut().enumerate() {
        let extra = add.get_mut(i).map_or(0, std::mem::take);
        let wide = WideWord::from(*ti) + WideWord::from(extra) + WideWord::from(carry);
        *ti = low(wide);
        carry = high(wide);
    }
    // A carry out (0 or 1) stands for 2^N ≡ c; when it happened t is small, so t + c fits.
    let t = Uint::from_words(t).wrapping_add(&Uint::from_word(c & carry.wrapping_neg()));
    // Now t < 2^N < 2p: t ≥ p exactly when t + c carries out, and then t + c − 2^N = t − p.
    let (u, out) = t.adc(&Uint::from_word(c), Limb::ZERO);
    Uint::conditional_select(&t, &u, Choice::from(low_bit(out.0)))
}

fn low(w: WideWord) -> Word {
    // The low word: truncation is the point.
    #[expect(clippy::as_conversions, reason = "keeps the low 64 bits on purpose")]
    let l = w as Word;
    l
}

fn high(w: WideWord) -> Word {
    low(w >> Word::BITS)
}

fn low_bit(w: Word) -> u8 {
    u8::from(w & 1 == 1)
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a failing test should stop loudly"
)]
mod tests {
    use crypto_bigint::modular::runtime_mod::{DynResidue, DynResidueParams};
    use crypto_bigint::{U256, U512};

    use super::*;
    use crate::curve::{ALL_CURVES, CurveId};

    /// Values at the edges: 0, 1, 2, p − 1, p − 2, (p − 1)/2, 2^k ± 1 for k at word boundaries
    /// and the top, and all-ones words below p.
    fn edges<const L: usize>(p: &Uint<L>) -> Vec<Uint<L>> {
        let mut v = vec![
            Uint::ZERO,
            Uint::ONE,
            Uint::from_u8(2),
            p.wrapping_sub(&Uint::ONE),
            p.wrapping_sub(&Uint::from_u8(2)),
            p.shr_vartime(1),
        ];
        for k in [32, 63, 64, 65, 127, 128, 255, 256, 383, 384, 510, 511] {
            if k < Uint::<L>::BITS {
                let two_k = Uint::<L>::ONE.shl_vartime(k);
                for x in [
                    two_k,
                    two_k.wrapping_sub(&Uint::ONE),
                    two_k.wrapping_add(&Uint::ONE),
                ] {
                    if &x < p {
                        v.push(x);
                    }
                }
            }
        }
        let ones = Uint::<L>::MAX.shr_vartime(Uint::<L>::BITS - p.bits() + 1);
        v.push(ones);
        v
    }

    /// Every operation against `DynResidue` for `a` and `b` below `p`.
    fn check<const L: usize>(f: &Field<L>, params: DynResidueParams<L>, a: &Uint<L>, b: &Uint<L>) {
        let (da, db) = (DynResidue::new(a, params), DynResidue::new(b, params));
        let (fa, fb) = (f.element(a), f.element(b));
        assert_eq!(f.value(&fa), *a, "round trip");
        assert_eq!(
            f.value(&f.mul(&fa, &fb)),
            da.mul(&db).retrieve(),
            "mul {a} {b}"
        );
        assert_eq!(
            f.value(&f.square(&fa)),
            da.square().retrieve(),
            "square {a}"
        );
        assert_eq!(f.value(&f.add(&fa, &fb)), da.add(&db).retrieve(), "add");
        assert_eq!(f.value(&f.sub(&fa, &fb)), da.sub(&db).retrieve(), "sub");
        assert_eq!(f.value(&f.neg(&fa)), da.neg().retrieve(), "neg");
        assert_eq!(f.value(&f.double(&fa)), da.add(&da).retrieve(), "double");
        assert_eq!(f.value(&f.one()), Uint::ONE);
        assert_eq!(f.value(&f.zero()), Uint::ZERO);
    }

    /// The inverse against `DynResidue`'s (zero has none).
    fn check_invert<const L: usize>(f: &Field<L>, params: DynResidueParams<L>, a: &Uint<L>) {
        let (inv, invertible) = DynResidue::new(a, params).invert();
        match f.invert(&f.element(a)) {
            Some(i) => {
                assert!(bool::from(invertible));
                assert_eq!(f.value(&i), inv.retrieve(), "invert");
            }
            None => assert_eq!(*a, Uint::ZERO, "only zero has no inverse"),
        }
    }

    fn primes256() -> Vec<(CurveId, U256)> {
        ALL_CURVES
            .iter()
            .filter_map(|c| c.params256().map(|p| (*c, *p.prime())))
            .collect()
    }

    fn primes512() -> Vec<(CurveId, U512)> {
        ALL_CURVES
            .iter()
            .filter_map(|c| c.params512().map(|p| (*c, *p.prime())))
            .collect()
    }

    #[test]
    fn ok_field_operations_equal_dyn_residue_at_the_edges() {
        fn all<const L: usize>(p: &Uint<L>) {
            let f = Field::new(p);
            let params = DynResidueParams::new(p);
            let e = edges(p);
            for a in &e {
                check_invert(&f, params, a);
                for b in &e {
                    check(&f, params, a, b);
                }
            }
        }
        for (_, p) in primes256() {
            all(&p);
        }
        for (_, p) in primes512() {
            all(&p);
        }
    }

    #[test]
    fn ok_the_pseudo_mersenne_primes_take_the_special_reduction() {
        for (curve, p) in primes256() {
            let special = matches!(
                Field::new(&p).reduction,
                Reduction::PseudoMersenne { c: 617 }
            );
            assert_eq!(
                special,
                matches!(curve, CurveId::Tc26_256A | CurveId::CryptoProA),
                "{curve:?}"
            );
        }
        for (curve, p) in primes512() {
            let special = matches!(
                Field::new(&p).reduction,
                Reduction::PseudoMersenne { c: 569 }
            );
            assert_eq!(
                special,
                matches!(curve, CurveId::Tc26_512A | CurveId::Tc26_512C),
                "{curve:?}"
            );
        }
    }

    /// The largest products the pseudo-Mersenne fold meets: (p − 1)², and `hi` all ones.
    #[test]
    fn ok_pseudo_mersenne_reduction_of_the_extremes() {
        fn extremes<const L: usize>(p: &Uint<L>) {
            let c = p.wrapping_neg().as_words().first().copied().unwrap();
            let params = DynResidueParams::new(p);
            let one_r = DynResidue::one(params);
            for (lo, hi) in [
                (Uint::<L>::MAX, Uint::<L>::MAX.wrapping_sub(p)),
                (Uint::MAX, Uint::ZERO),
                (Uint::ZERO, Uint::ONE),
                (p.wrapping_sub(&Uint::ONE), Uint::ZERO),
                (*p, Uint::ZERO),
            ] {
                // The expected value: lo + hi·2^N mod p through DynResidue (2^N = c mod p).
                let lo_r = DynResidue::new(&lo.const_rem(p).0, params);
                let hi_r = DynResidue::new(&hi.const_rem(p).0, params);
                let two_n = DynResidue::new(&Uint::from_word(c), params);
                let expected = lo_r.add(&hi_r.mul(&two_n)).mul(&one_r).retrieve();
                assert_eq!(reduce_pseudo_mersenne((lo, hi), c), expected, "{lo} {hi}");
            }
        }
        extremes(
            &primes256()
                .first()
                .map(|_| U256::ZERO.wrapping_sub(&U256::from_u16(617)))
                .unwrap(),
        );
        extremes(&U512::ZERO.wrapping_sub(&U512::from_u16(569)));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

        /// Random elements on every curve's prime: the same results as `DynResidue`.
        #[test]
        fn ok_field_operations_equal_dyn_residue(
            a in proptest::collection::vec(proptest::prelude::any::<u8>(), 64),
            b in proptest::collection::vec(proptest::prelude::any::<u8>(), 64),
        ) {
            for (_, p) in primes256() {
                let x = U256::from_be_slice(a.get(..32).unwrap()).const_rem(&p).0;
                let y = U256::from_be_slice(b.get(..32).unwrap()).const_rem(&p).0;
                let (f, params) = (Field::new(&p), DynResidueParams::new(&p));
                check(&f, params, &x, &y);
                check_invert(&f, params, &x);
            }
            for (_, p) in primes512() {
                let x = U512::from_be_slice(&a).const_rem(&p).0;
                let y = U512::from_be_slice(&b).const_rem(&p).0;
                let (f, params) = (Field::new(&p), DynResidueParams::new(&p));
                check(&f, params, &x, &y);
                check_invert(&f, params, &x);
            }
        }
    }
}
