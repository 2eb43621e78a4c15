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
//! For the pseudo-Mersenne primes the operations work on the words directly (schoolbook products
//! with 128-bit word products, a dedicated squaring, additions and subtractions corrected by one
//! masked pass, all inlined into the point formulas), and the inversion is Fermat's `a^(p−2)` by
//! a fixed chain (about `N` squarings and 20 multiplications), about half the instructions of
//! `crypto-bigint`'s constant-time binary inversion; the Montgomery primes keep `crypto-bigint`.
//!
//! Every operation runs the same instructions whatever the values: carries are propagated in full
//! and the final corrections are masks (hidden from the optimiser by `std::hint::black_box`) or
//! `subtle` selections, never branches. The only branch is on the reduction kind, which depends
//! on the (public) curve. `field::tests` compares every operation with `crypto-bigint`'s
//! `DynResidue` on every curve's prime and on two pseudo-Mersenne primes with a larger `c`, and
//! the word products with `crypto-bigint`'s.

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
        if c < Uint::from_u64(1 << 31) {
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

    #[inline(always)]
    pub(crate) fn add(&self, a: &Fe<L>, b: &Fe<L>) -> Fe<L> {
        match self.reduction {
            Reduction::PseudoMersenne { c } => {
                Fe(Uint::from_words(add_pm(a.0.as_words(), b.0.as_words(), c)))
            }
            Reduction::Montgomery { .. } => Fe(a.0.add_mod(&b.0, &self.p)),
        }
    }

    #[inline(always)]
    pub(crate) fn sub(&self, a: &Fe<L>, b: &Fe<L>) -> Fe<L> {
        match self.reduction {
            Reduction::PseudoMersenne { c } => {
                Fe(Uint::from_words(sub_pm(a.0.as_words(), b.0.as_words(), c)))
            }
            Reduction::Montgomery { .. } => Fe(a.0.sub_mod(&b.0, &self.p)),
        }
    }

    #[inline(always)]
    pub(crate) fn neg(&self, a: &Fe<L>) -> Fe<L> {
        self.sub(&self.zero(), a)
    }

    #[inline(always)]
    pub(crate) fn double(&self, a: &Fe<L>) -> Fe<L> {
        self.add(a, a)
    }

    #[inline(always)]
    pub(crate) fn mul(&self, a: &Fe<L>, b: &Fe<L>) -> Fe<L> {
        match self.reduction {
            Reduction::PseudoMersenne { c } => {
                let (lo, hi) = mul_words(a.0.as_words(), b.0.as_words());
                Fe(Uint::from_words(reduce_pm(lo, hi, c)))
            }
            Reduction::Montgomery { .. } => self.reduce(a.0.mul_wide(&b.0)),
        }
    }

    #[inline(always)]
    pub(crate) fn square(&self, a: &Fe<L>) -> Fe<L> {
        match self.reduction {
            Reduction::PseudoMersenne { c } => {
                let (lo, hi) = square_words(a.0.as_words());
                Fe(Uint::from_words(reduce_pm(lo, hi, c)))
            }
            Reduction::Montgomery { .. } => self.reduce(a.0.square_wide()),
        }
    }

    /// `a⁻¹`, or `None` for zero; constant time, the `None` decided only after the whole
    /// computation. For `p = 2^N − c` Fermat's `a^(p−2)` by a fixed chain of squarings and
    /// multiplications ([`Field::pow_p_minus_2`]); otherwise `crypto-bigint`'s `inv_odd_mod`
    /// (GMP's `mpn_sec_invert`).
    pub(crate) fn invert(&self, a: &Fe<L>) -> Option<Fe<L>> {
        let (inv, invertible) = match self.reduction {
            Reduction::PseudoMersenne { c } => {
                let inv = self.pow_p_minus_2(a, c);
                (inv, !a.0.ct_eq(&Uint::ZERO))
            }
            Reduction::Montgomery { .. } => {
                let (inv, invertible) = self.value(a).inv_odd_mod(&self.p);
                (
                    self.element(&inv),
                    Choice::from(u8::from(bool::from(invertible))),
                )
            }
        };
        bool::from(invertible).then_some(inv)
    }

    /// `a^(p−2)` for `p = 2^N − c`, `c + 2 ≤ 2^10`: `p − 2` is `N − 10` ones followed by the 10
    /// bits of `2^10 − (c + 2)`. The ones: `a^(2^n − 1)` for `n` built up from 1 along the
    /// bits of `N − 10` (doubling `n` costs `n` squarings and a multiplication, adding one a
    /// squaring and a multiplication), then the 10 low bits square-and-multiply. About `N`
    /// squarings and 20 multiplications, the same sequence for every `a` (the exponent is
    /// public). When `c + 2 > 2^10` (no curve here) the whole exponent goes bit by bit.
    fn pow_p_minus_2(&self, a: &Fe<L>, c: Word) -> Fe<L> {
        const LOW: usize = 10;
        let bits = Uint::<L>::BITS;
        let low_value = (1 << LOW) - i128::from(c) - 2;
        let Ok(low) = u64::try_from(low_value) else {
            // Bit by bit (left to right) over the whole exponent.
            let e = self.p.wrapping_sub(&Uint::from_u8(2));
            let mut t = self.one();
            for i in (0..bits).rev() {
                t = self.square(&t);
                if e.bit_vartime(i) {
                    t = self.mul(&t, a);
                }
            }
            return t;
        };
        let ones = bits.saturating_sub(LOW);
        // t = a^(2^n − 1), n from 1 to `ones` along its bits.
        let mut t = *a;
        let mut n = 1usize;
        for i in (0..usize::BITS
            .saturating_sub(ones.leading_zeros())
            .saturating_sub(1))
            .rev()
        {
            let mut u = t;
            for _ in 0..n {
                u = self.square(&u);
            }
            t = self.mul(&u, &t);
            n = n.saturating_mul(2);
            if (ones >> i) & 1 == 1 {
                t = self.mul(&self.square(&t), a);
                n = n.saturating_add(1);
            }
        }
        for i in (0..LOW).rev() {
            t = self.square(&t);
            if (low >> i) & 1 == 1 {
                t = self.mul(&t, a);
            }
        }
        t
    }

    /// The reduction of a product `(lo, hi)` (below `p²`).
    fn reduce(&self, wide: (Uint<L>, Uint<L>)) -> Fe<L> {
        match self.reduction {
            Reduction::PseudoMersenne { c } => Fe(Uint::from_words(reduce_pm(
                wide.0.to_words(),
                wide.1.to_words(),
                c,
            ))),
            Reduction::Montgomery { neg_inv, .. } => {
                Fe(montgomery_reduction(&wide, &self.p, neg_inv))
            }
        }
    }
}

/// `a·b` as `(lo, hi)` words, schoolbook with 128-bit products. The loops have constant bounds
/// and unroll, so the `get_mut` tests (every index is below `2L`) compile away.
#[inline(always)]
fn mul_words<const L: usize>(a: &[Word; L], b: &[Word; L]) -> ([Word; L], [Word; L]) {
    let mut t: [[Word; L]; 2] = [[0; L]; 2];
    let flat = t.as_flattened_mut();
    for (i, ai) in a.iter().enumerate() {
        let mut carry: Word = 0;
        for (j, bj) in b.iter().enumerate() {
            if let Some(slot) = flat.get_mut(i.saturating_add(j)) {
                let wide = WideWord::from(*ai) * WideWord::from(*bj)
                    + WideWord::from(*slot)
                    + WideWord::from(carry);
                *slot = low(wide);
                carry = high(wide);
            }
        }
        if let Some(slot) = flat.get_mut(i.saturating_add(L)) {
            *slot = carry;
        }
    }
    let [lo, hi] = t;
    (lo, hi)
}

/// `a²` as `(lo, hi)` words: the products `a_i·a_j` for `i < j` once, doubled, plus the
/// squares `a_i²` (about half the word multiplications of [`mul_words`]).
#[inline(always)]
fn square_words<const L: usize>(a: &[Word; L]) -> ([Word; L], [Word; L]) {
    let mut t: [[Word; L]; 2] = [[0; L]; 2];
    let flat = t.as_flattened_mut();
    for (i, ai) in a.iter().enumerate() {
        let mut carry: Word = 0;
        for (j, aj) in a.iter().enumerate().skip(i.saturating_add(1)) {
            if let Some(slot) = flat.get_mut(i.saturating_add(j)) {
                let wide = WideWord::from(*ai) * WideWord::from(*aj)
                    + WideWord::from(*slot)
                    + WideWord::from(carry);
                *slot = low(wide);
                carry = high(wide);
            }
        }
        if let Some(slot) = flat.get_mut(i.saturating_add(L)) {
            *slot = carry;
        }
    }
    // Double (a shift by one bit over the 2L words), then add the squares on the diagonal.
    let mut shifted: Word = 0;
    for slot in flat.iter_mut() {
        let w = *slot;
        *slot = (w << 1) | shifted;
        shifted = w >> (Word::BITS - 1);
    }
    let mut carry: Word = 0;
    for (pair, ai) in flat.chunks_exact_mut(2).zip(a.iter()) {
        let sq = WideWord::from(*ai) * WideWord::from(*ai);
        for (slot, part) in pair.iter_mut().zip([low(sq), high(sq)]) {
            let wide = WideWord::from(*slot) + WideWord::from(part) + WideWord::from(carry);
            *slot = low(wide);
            carry = high(wide);
        }
    }
    let [lo, hi] = t;
    (lo, hi)
}

/// `(lo + hi·2^N) mod (2^N − c)` for `c < 2^31`, constant time, on words: `t = lo + c·hi`
/// (one extra word `top ≤ c`), then `t + c·top` (`c·top < 2^62`, one word), a carry out of
/// which stands for `2^N ≡ c` (and leaves `t` small, so adding `c` does not carry again), then
/// one subtraction of `p` kept when `t ≥ p` (when `t + c` carries out).
#[inline(always)]
fn reduce_pm<const L: usize>(lo: [Word; L], hi: [Word; L], c: Word) -> [Word; L] {
    let mut t = lo;
    let mut carry: Word = 0;
    for (ti, hi) in t.iter_mut().zip(hi.iter()) {
        let wide =
            WideWord::from(*hi) * WideWord::from(c) + WideWord::from(*ti) + WideWord::from(carry);
        *ti = low(wide);
        carry = high(wide);
    }
    let mut add = carry.wrapping_mul(c);
    for ti in t.iter_mut() {
        let wide = WideWord::from(*ti) + WideWord::from(add);
        *ti = low(wide);
        add = high(wide);
    }
    // `add` is now the carry out (0 or 1).
    let mut add = masked(c, add);
    for ti in t.iter_mut() {
        let wide = WideWord::from(*ti) + WideWord::from(add);
        *ti = low(wide);
        add = high(wide);
    }
    // t < 2^N < 2p: t ≥ p exactly when t + c carries out, and then t + c − 2^N = t − p.
    let mut u = t;
    let mut add = c;
    for ui in u.iter_mut() {
        let wide = WideWord::from(*ui) + WideWord::from(add);
        *ui = low(wide);
        add = high(wide);
    }
    select_words(&t, &u, add)
}

/// `a + b mod 2^N − c` for `a, b < p`: `s = a + b`; when it carries out or `s + c` does,
/// `s ≥ p` and `s − p` is `s + c` (modulo `2^N`).
#[inline(always)]
fn add_pm<const L: usize>(a: &[Word; L], b: &[Word; L], c: Word) -> [Word; L] {
    let mut s = *a;
    let mut carry: Word = 0;
    for (si, bi) in s.iter_mut().zip(b.iter()) {
        let wide = WideWord::from(*si) + WideWord::from(*bi) + WideWord::from(carry);
        *si = low(wide);
        carry = high(wide);
    }
    let mut u = s;
    let mut add = c;
    for ui in u.iter_mut() {
        let wide = WideWord::from(*ui) + WideWord::from(add);
        *ui = low(wide);
        add = high(wide);
    }
    select_words(&s, &u, carry | add)
}

/// `a − b mod 2^N − c` for `a, b < p`: `d = a − b`; on a borrow `d` stands for `a − b + 2^N`
/// and the result `a − b + p` is `d − c` (no borrow then: `a − b + p > 0`).
#[inline(always)]
fn sub_pm<const L: usize>(a: &[Word; L], b: &[Word; L], c: Word) -> [Word; L] {
    let mut d = *a;
    let mut borrow: Word = 0;
    for (di, bi) in d.iter_mut().zip(b.iter()) {
        let (x, b1) = di.overflowing_sub(*bi);
        let (y, b2) = x.overflowing_sub(borrow);
        *di = y;
        borrow = Word::from(b1 | b2);
    }
    let mut sub = masked(c, borrow);
    for di in d.iter_mut() {
        let (x, b1) = di.overflowing_sub(sub);
        *di = x;
        sub = Word::from(b1);
    }
    d
}

/// `b` when the low bit of `choose` is 1, `a` when it is 0, by a mask. The mask passes through
/// `std::hint::black_box` (an optimisation barrier, what `subtle` uses with its
/// `core_hint_black_box` feature) so the compiler cannot see it is 0 or all ones: a plain mask
/// was compiled into a branch, and `subtle`'s default barrier (a volatile read, a function call
/// per selection) made signing and verification 7–10 % slower.
#[inline(always)]
fn select_words<const L: usize>(a: &[Word; L], b: &[Word; L], choose: Word) -> [Word; L] {
    let mask = mask_of(choose);
    let mut r = *a;
    for (ri, bi) in r.iter_mut().zip(b.iter()) {
        *ri ^= (*ri ^ *bi) & mask;
    }
    r
}

/// `x` when the low bit of `bit` is 1, 0 otherwise, by a mask as above.
#[inline(always)]
fn masked(x: Word, bit: Word) -> Word {
    x & mask_of(bit)
}

/// All ones when the low bit of `bit` is 1, 0 otherwise, hidden from the optimiser.
#[inline(always)]
fn mask_of(bit: Word) -> Word {
    std::hint::black_box(bit & 1).wrapping_neg()
}

/// `(lo + hi·2^N) mod (2^N − c)` for `c < 2^32`, constant time: the earlier form on
/// `crypto-bigint` integers, kept as the reference [`reduce_pm`] is compared with.
#[cfg(test)]
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

#[cfg(test)]
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

    /// Primes `2^N − c` with `c + 2 > 2^10` (no curve has one): the inversion's fallback,
    /// Fermat bit by bit, against `DynResidue`, and every other operation at the edges.
    #[test]
    fn ok_pseudo_mersenne_primes_with_a_larger_c_equal_dyn_residue() {
        fn all<const L: usize>(p: &Uint<L>) {
            let f = Field::new(p);
            assert!(matches!(f.reduction, Reduction::PseudoMersenne { .. }));
            let params = DynResidueParams::new(p);
            let e = edges(p);
            for a in &e {
                check_invert(&f, params, a);
                for b in e.iter().step_by(3) {
                    check(&f, params, a, b);
                }
            }
        }
        all(&U256::ZERO.wrapping_sub(&U256::from_u16(1053)));
        all(&U512::ZERO.wrapping_sub(&U512::from_u16(1695)));
    }

    /// The word-level products against `crypto-bigint`'s, for any words (not only below a
    /// prime): all ones, single words, and the proptest below.
    fn check_products<const L: usize>(a: &Uint<L>, b: &Uint<L>) {
        let (lo, hi) = mul_words(a.as_words(), b.as_words());
        assert_eq!(
            (Uint::from_words(lo), Uint::from_words(hi)),
            a.mul_wide(b),
            "mul {a} {b}"
        );
        let (lo, hi) = square_words(a.as_words());
        assert_eq!(
            (Uint::from_words(lo), Uint::from_words(hi)),
            a.square_wide(),
            "square {a}"
        );
    }

    #[test]
    fn ok_word_products_equal_crypto_bigint_at_the_edges() {
        fn all<const L: usize>() {
            let mut v = vec![
                Uint::<L>::ZERO,
                Uint::ONE,
                Uint::MAX,
                Uint::MAX.shr_vartime(1),
            ];
            for k in [63, 64, 127, 128, 255, 256, 511] {
                if k < Uint::<L>::BITS {
                    v.push(Uint::ONE.shl_vartime(k));
                    v.push(Uint::MAX.shr_vartime(Uint::<L>::BITS - k));
                }
            }
            for a in &v {
                for b in &v {
                    check_products(a, b);
                }
            }
        }
        all::<{ U256::LIMBS }>();
        all::<{ U512::LIMBS }>();
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
                assert_eq!(
                    Uint::from_words(reduce_pm(lo.to_words(), hi.to_words(), c)),
                    expected,
                    "words {lo} {hi}"
                );
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

        #[test]
        fn ok_word_products_equal_crypto_bigint(
            a in proptest::collection::vec(proptest::prelude::any::<u8>(), 64),
            b in proptest::collection::vec(proptest::prelude::any::<u8>(), 64),
        ) {
            let (Some(a32), Some(b32)) = (a.get(..32), b.get(..32)) else {
                panic!("64 bytes");
            };
            check_products(&U256::from_be_slice(a32), &U256::from_be_slice(b32));
            check_products(&U512::from_be_slice(&a), &U512::from_be_slice(&b));
        }

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
