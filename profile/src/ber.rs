//! BER → DER normaliser (X.690 §8 → §10), written by hand, shared by the signer (key files) and
//! the verifier (signatures).
//!
//! The national center's PKCS#12 files (RFC 7292) are BER: indefinite lengths (X.690 §8.1.3.6)
//! and constructed OCTET STRINGs (§8.7.3), as Java's and Kalkan's writers produce them; so are
//! CMS signatures streamed by OpenSSL (`cms -sign -stream`) and Java. The `der` 0.7 decoders the
//! workspace uses accept DER only, and no well-kept crate on the der 0.7
//! line converts BER to DER (`der` 0.7 itself has no BER reader; the `asn1-rs`/`der-parser`
//! family parses BER but does not re-encode it, and `bcder` brings its own types). So this
//! module does the one conversion needed, schema-blind:
//!
//! - indefinite lengths become definite, minimal lengths (X.690 §10.1);
//! - constructed OCTET STRING, BIT STRING and character strings become primitive ones whose
//!   content is the concatenation of their segments (X.690 §10.2, §8.6.4, §8.7.3, §8.23.6);
//! - everything else is copied as it is.
//!
//! It does not sort SET OF, nor fix BOOLEAN or INTEGER encodings (`der` sorts SET OF on reading
//! and neither quirk occurs in the files met so far). It is bounded: nesting deeper than
//! [`MAX_DEPTH`] is refused, every length is checked against the input before use, and no input
//! makes it panic (fuzz target `signer_ber`).
//!
//! It is pure byte work, no cryptography and no clock, which is why it lives in this crate of
//! plain rules: the signer and the verifier may both depend on it, never on each other.

/// Why bytes are not one BER element.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} at byte {offset}")]
pub struct BerError {
    /// Byte position of the fault in the input.
    pub offset: usize,
    /// What is wrong, led by `BER: `.
    pub what: String,
}

/// Deepest nesting of constructed elements accepted. A PKCS#12 file nests about a dozen levels
/// deep (PFX → AuthenticatedSafe → ContentInfo → SafeContents → SafeBag → attributes), so this
/// leaves ample room while keeping recursion bounded.
pub const MAX_DEPTH: usize = 64;

/// Re-encodes one BER element (X.690 §8) as DER (X.690 §10): indefinite lengths made definite,
/// constructed strings made primitive. The input must be exactly one element.
///
/// DER input comes back unchanged. Errors are [`BerError`] with the byte offset of the fault in
/// `input`.
pub fn ber_to_der(input: &[u8]) -> Result<Vec<u8>, BerError> {
    if input.is_empty() {
        return Err(malformed(0, "empty input"));
    }
    let mut out = Vec::with_capacity(input.len());
    let end = element(input, 0, input.len(), 0, &mut out)?;
    if end != input.len() {
        return Err(malformed(
            end,
            "trailing bytes after the end of the structure",
        ));
    }
    Ok(out)
}

/// One DER element found by [`read_tlv`]: the first tag byte, where it starts, its content.
#[derive(Debug, Clone, Copy)]
pub struct Tlv<'a> {
    /// The identifier octet (single-byte tags only).
    pub tag: u8,
    /// Offset just past the element.
    pub end: usize,
    /// The content octets.
    pub value: &'a [u8],
    /// The whole element: identifier, length and content octets.
    pub raw: &'a [u8],
}

/// Reads the DER element at `pos` (definite length, single-byte tag); `None` when there is no
/// such element.
pub fn read_tlv(input: &[u8], pos: usize) -> Option<Tlv<'_>> {
    let header = read_header(input, pos, input.len()).ok()?;
    if header.tag_len != 1 {
        return None;
    }
    let len = header.len?;
    let end = header.content_start.checked_add(len)?;
    Some(Tlv {
        tag: *input.get(pos)?,
        end,
        value: input.get(header.content_start..end)?,
        raw: input.get(pos..end)?,
    })
}

/// The DER elements one after another in `value` (the content of a constructed element);
/// `None` when it does not split cleanly into elements.
pub fn children(value: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < value.len() {
        let tlv = read_tlv(value, pos)?;
        pos = tlv.end;
        out.push(tlv);
    }
    Some(out)
}

/// An identifier and length read from the input.
struct Header {
    /// Number of identifier octets.
    tag_len: usize,
    constructed: bool,
    /// The tag number when it is a universal class tag in one octet.
    universal: Option<u8>,
    /// `None` for the indefinite form.
    len: Option<usize>,
    content_start: usize,
}

/// Universal tag numbers whose constructed form is a string cut into segments (X.690 §8.6,
/// §8.7, §8.23): BIT STRING, OCTET STRING, ObjectDescriptor, the character strings and times.
const SEGMENTED: &[u8] = &[3, 4, 7, 12, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 30];

const BIT_STRING: u8 = 3;

fn malformed(offset: usize, what: &str) -> BerError {
    BerError {
        offset,
        what: format!("BER: {what}"),
    }
}

fn byte_at(input: &[u8], pos: usize, end: usize) -> Result<u8, BerError> {
    if pos >= end {
        return Err(malformed(pos, "element cut short"));
    }
    input
        .get(pos)
        .copied()
        .ok_or_else(|| malformed(pos, "element cut short"))
}

/// Reads identifier and length octets at `pos` (X.690 §8.1.2, §8.1.3), not past `end`.
fn read_header(input: &[u8], pos: usize, end: usize) -> Result<Header, BerError> {
    let first = byte_at(input, pos, end)?;
    let constructed = first & 0x20 != 0;
    let mut p = pos + 1;
    let universal = if first & 0xc0 == 0 && first & 0x1f != 0x1f {
        Some(first & 0x1f)
    } else {
        None
    };
    if first & 0x1f == 0x1f {
        // High tag number form (§8.1.2.4): base-128, at most four octets here (28 bits).
        let mut count = 0usize;
        loop {
            let b = byte_at(input, p, end)?;
            if count == 0 && b == 0x80 {
                return Err(malformed(p, "tag number with a leading zero septet"));
            }
            p += 1;
            count += 1;
            if b & 0x80 == 0 {
                break;
            }
            if count >= 4 {
                return Err(malformed(p, "tag number too long"));
            }
        }
    }
    let tag_len = p - pos;
    let first_len = byte_at(input, p, end)?;
    p += 1;
    let len = match first_len {
        0x80 => {
            if !constructed {
                return Err(malformed(p - 1, "indefinite length on a primitive element"));
            }
            None
        }
        0xff => return Err(malformed(p - 1, "reserved length octet 0xff")),
        short if short < 0x80 => Some(usize::from(short)),
        long => {
            let count = usize::from(long & 0x7f);
            if count > std::mem::size_of::<usize>() {
                return Err(malformed(p - 1, "length of more than 8 octets"));
            }
            let mut len = 0usize;
            for _ in 0..count {
                let b = byte_at(input, p, end)?;
                len = len
                    .checked_mul(256)
                    .and_then(|l| l.checked_add(usize::from(b)))
                    .ok_or_else(|| malformed(p, "length overflows"))?;
                p += 1;
            }
            Some(len)
        }
    };
    if let Some(len) = len {
        match p.checked_add(len) {
            Some(stop) if stop <= end => {}
            _ => return Err(malformed(pos, "length runs past the end of the data")),
        }
    }
    Ok(Header {
        tag_len,
        constructed,
        universal,
        len,
        content_start: p,
    })
}

/// Writes a DER length (X.690 §10.1: the shortest form).
fn push_len(out: &mut Vec<u8>, len: usize) {
    if let Ok(short) = u8::try_from(len)
        && short < 0x80
    {
        out.push(short);
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let significant = bytes.get(skip..).unwrap_or_default();
    // At most size_of::<usize>() octets, so the count fits in the low seven bits.
    let count = u8::try_from(significant.len()).unwrap_or(0x7f) & 0x7f;
    out.push(0x80 | count);
    out.extend_from_slice(significant);
}

fn is_end_of_contents(input: &[u8], pos: usize) -> bool {
    input.get(pos) == Some(&0) && input.get(pos + 1) == Some(&0)
}

/// Normalises the element at `pos` (which must end by `end`) into `out`; returns where it ends.
fn element(
    input: &[u8],
    pos: usize,
    end: usize,
    depth: usize,
    out: &mut Vec<u8>,
) -> Result<usize, BerError> {
    let header = read_header(input, pos, end)?;
    let tag = input
        .get(pos..pos + header.tag_len)
        .ok_or_else(|| malformed(pos, "element cut short"))?;
    if tag == [0] {
        return Err(malformed(
            pos,
            "end-of-contents where an element was expected",
        ));
    }
    let start = header.content_start;
    if !header.constructed {
        // read_header checked that the content lies within `end`.
        let len = header.len.unwrap_or(0);
        let content = input
            .get(start..start + len)
            .ok_or_else(|| malformed(pos, "element cut short"))?;
        out.extend_from_slice(tag);
        push_len(out, len);
        out.extend_from_slice(content);
        return Ok(start + len);
    }
    if depth >= MAX_DEPTH {
        return Err(malformed(pos, "nesting deeper than 64 levels"));
    }
    let mut inner = Vec::new();
    let stop = match header.len {
        Some(len) => {
            let stop = start + len;
            let mut p = start;
            while p < stop {
                if is_end_of_contents(input, p) {
                    return Err(malformed(p, "end-of-contents inside a definite length"));
                }
                p = element(input, p, stop, depth + 1, &mut inner)?;
            }
            stop
        }
        None => {
            let mut p = start;
            loop {
                if p >= end {
                    return Err(malformed(pos, "indefinite length without end-of-contents"));
                }
                if is_end_of_contents(input, p) {
                    break p + 2;
                }
                p = element(input, p, end, depth + 1, &mut inner)?;
            }
        }
    };
    match header.universal {
        Some(number) if SEGMENTED.contains(&number) => {
            let primitive = number;
            let content = join_segments(&inner, primitive)
                .ok_or_else(|| malformed(pos, "constructed string with a foreign segment"))?;
            out.push(primitive);
            push_len(out, content.len());
            out.extend_from_slice(&content);
        }
        _ => {
            out.extend_from_slice(tag);
            push_len(out, inner.len());
            out.extend_from_slice(&inner);
        }
    }
    Ok(stop)
}

/// Joins the (already normalised, hence primitive) segments of a constructed string of
/// universal type `number` (X.690 §8.7.3, and §8.6.4 for BIT STRING: every segment but the
/// last has no unused bits, the last one's count is kept).
fn join_segments(inner: &[u8], number: u8) -> Option<Vec<u8>> {
    let segments = children(inner)?;
    let mut content = Vec::with_capacity(inner.len());
    if number == BIT_STRING {
        let mut unused = 0u8;
        for (i, segment) in segments.iter().enumerate() {
            if segment.tag != BIT_STRING || unused != 0 {
                return None;
            }
            let (&bits, rest) = segment.value.split_first()?;
            if bits > 7 || (bits != 0 && i + 1 != segments.len()) {
                return None;
            }
            unused = bits;
            content.extend_from_slice(rest);
        }
        content.insert(0, unused);
    } else {
        for segment in &segments {
            if segment.tag != number {
                return None;
            }
            content.extend_from_slice(segment.value);
        }
    }
    Some(content)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use super::*;

    #[test]
    fn ok_der_is_unchanged() {
        let der = [0x30, 0x06, 0x02, 0x01, 0x03, 0x04, 0x01, 0xaa];
        assert_eq!(ber_to_der(&der).unwrap(), der);
    }

    #[test]
    fn ok_indefinite_length_becomes_definite() {
        let ber = [0x30, 0x80, 0x02, 0x01, 0x03, 0x00, 0x00];
        assert_eq!(ber_to_der(&ber).unwrap(), [0x30, 0x03, 0x02, 0x01, 0x03]);
    }

    #[test]
    fn ok_constructed_octet_string_is_joined() {
        let ber = [
            0x24, 0x80, 0x04, 0x01, 0xaa, 0x24, 0x03, 0x04, 0x01, 0xbb, 0x04, 0x00, 0x00, 0x00,
        ];
        assert_eq!(ber_to_der(&ber).unwrap(), [0x04, 0x02, 0xaa, 0xbb]);
    }

    #[test]
    fn ok_constructed_bit_string_keeps_last_unused_bits() {
        let ber = [
            0x23, 0x80, 0x03, 0x02, 0x00, 0xaa, 0x03, 0x02, 0x04, 0xb0, 0x00, 0x00,
        ];
        assert_eq!(ber_to_der(&ber).unwrap(), [0x03, 0x03, 0x04, 0xaa, 0xb0]);
    }

    #[test]
    fn ok_long_form_length_is_made_minimal() {
        let ber = [0x04, 0x82, 0x00, 0x01, 0xaa];
        assert_eq!(ber_to_der(&ber).unwrap(), [0x04, 0x01, 0xaa]);
        let long = [vec![0x04, 0x81, 0x80], vec![0u8; 128]].concat();
        assert_eq!(ber_to_der(&long).unwrap(), long);
    }

    #[test]
    fn ok_context_tag_keeps_its_segments() {
        let ber = [0xa0, 0x80, 0x04, 0x01, 0xaa, 0x00, 0x00];
        assert_eq!(ber_to_der(&ber).unwrap(), [0xa0, 0x03, 0x04, 0x01, 0xaa]);
    }

    #[test]
    fn fail_truncated_reports_offset() {
        let err = ber_to_der(&[0x30, 0x80, 0x02, 0x01]).unwrap_err();
        assert_eq!(
            err,
            BerError {
                offset: 2,
                what: "BER: length runs past the end of the data".into()
            }
        );
    }

    #[test]
    fn fail_too_deep() {
        let mut ber = Vec::new();
        for _ in 0..100 {
            ber.extend_from_slice(&[0x30, 0x80]);
        }
        for _ in 0..100 {
            ber.extend_from_slice(&[0x00, 0x00]);
        }
        let err = ber_to_der(&ber).unwrap_err();
        assert!(matches!(err, BerError { offset: 128, .. }), "{err:?}");
    }

    #[test]
    fn fail_garbage_never_panics() {
        for input in [
            &[0x1f][..],
            &[0x1f, 0x80, 0x01],
            &[0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9],
            &[0x04, 0x80, 0x00, 0x00],
            &[0x30, 0x02, 0x00, 0x00],
            &[0x24, 0x03, 0x02, 0x01, 0x00],
            &[
                0x23, 0x80, 0x03, 0x02, 0x01, 0xaa, 0x03, 0x01, 0x00, 0x00, 0x00,
            ],
            &[0x30, 0xff],
            &[0x00, 0x00],
        ] {
            assert!(ber_to_der(input).is_err(), "{input:02x?}");
        }
    }
}
