//! Reading the content to be signed: digests streamed in fixed-size chunks (RFC 5652 §5.4 —
//! the message digest covers only the content octets), whole reads bounded by a limit.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use ring::digest;
use streebog::Digest as _;

use crate::key::DigestAlgorithm;

use super::{CmsError, Content};

/// Bytes read from a file per step of a streamed digest: memory stays at this whatever the
/// file's size.
const CHUNK: usize = 256 * 1024;

/// A digest being computed: ring's SHA-2, RustCrypto's Streebog (GOST R 34.11-2012).
pub(crate) enum Hasher {
    /// SHA-256, SHA-384, SHA-512.
    Ring(digest::Context),
    /// Streebog-256.
    Streebog256(streebog::Streebog256),
    /// Streebog-512 (under either identifier).
    Streebog512(streebog::Streebog512),
}

impl Hasher {
    /// A fresh computation of `algorithm`.
    pub(crate) fn new(algorithm: DigestAlgorithm) -> Self {
        match algorithm {
            DigestAlgorithm::Sha256 => Self::Ring(digest::Context::new(&digest::SHA256)),
            DigestAlgorithm::Sha384 => Self::Ring(digest::Context::new(&digest::SHA384)),
            DigestAlgorithm::Sha512 => Self::Ring(digest::Context::new(&digest::SHA512)),
            DigestAlgorithm::Streebog256 => Self::Streebog256(streebog::Streebog256::new()),
            DigestAlgorithm::Streebog512 | DigestAlgorithm::Streebog512Nca => {
                Self::Streebog512(streebog::Streebog512::new())
            }
        }
    }

    /// Feeds `data`.
    pub(crate) fn update(&mut self, data: &[u8]) {
        match self {
            Self::Ring(c) => c.update(data),
            Self::Streebog256(c) => c.update(data),
            Self::Streebog512(c) => c.update(data),
        }
    }

    /// The digest.
    pub(crate) fn finish(self) -> Vec<u8> {
        match self {
            Self::Ring(c) => c.finish().as_ref().to_vec(),
            Self::Streebog256(c) => c.finalize().to_vec(),
            Self::Streebog512(c) => c.finalize().to_vec(),
        }
    }
}

/// The digest of `bytes` under `algorithm`.
pub(crate) fn digest_one(algorithm: DigestAlgorithm, bytes: &[u8]) -> Vec<u8> {
    let mut hasher = Hasher::new(algorithm);
    hasher.update(bytes);
    hasher.finish()
}

/// The digests of `bytes` under each algorithm of `algorithms`, in that order.
pub(crate) fn digest_bytes(bytes: &[u8], algorithms: &[DigestAlgorithm]) -> Vec<Vec<u8>> {
    algorithms.iter().map(|a| digest_one(*a, bytes)).collect()
}

/// The digests of `content` under each algorithm of `algorithms`, in that order, reading a
/// file once in chunks of [`CHUNK`] bytes.
pub(crate) fn digest_content(
    content: &Content<'_>,
    algorithms: &[DigestAlgorithm],
) -> Result<Vec<Vec<u8>>, CmsError> {
    match content {
        Content::Bytes(bytes) => Ok(digest_bytes(bytes, algorithms)),
        Content::File(path) => {
            digest_file(path, algorithms).map_err(|err| CmsError::read_content(path, &err))
        }
    }
}

/// The content's bytes, refused when longer than `limit`: an attached signature holds the whole
/// content, so it is read into memory, and only up to the limit.
pub(crate) fn read_bounded(content: &Content<'_>, limit: u64) -> Result<Vec<u8>, CmsError> {
    let too_large = |size: u64| CmsError::ContentTooLarge { size, limit };
    match content {
        Content::Bytes(bytes) => {
            let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
            if size > limit {
                return Err(too_large(size));
            }
            Ok(bytes.to_vec())
        }
        Content::File(path) => {
            let fail = |err: io::Error| CmsError::read_content(path, &err);
            let file = File::open(path).map_err(fail)?;
            let size = file.metadata().map_err(fail)?.len();
            if size > limit {
                return Err(too_large(size));
            }
            // The file may grow between the size check and the read: read one byte past the
            // limit at most, and refuse if that byte exists.
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            file.take(limit.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(fail)?;
            let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
            if read > limit {
                return Err(too_large(read));
            }
            Ok(bytes)
        }
    }
}

fn digest_file(path: &Path, algorithms: &[DigestAlgorithm]) -> io::Result<Vec<Vec<u8>>> {
    let mut file = File::open(path)?;
    let mut contexts: Vec<Hasher> = algorithms.iter().map(|a| Hasher::new(*a)).collect();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        let chunk = buf.get(..n).unwrap_or_default();
        for context in &mut contexts {
            context.update(chunk);
        }
    }
    Ok(contexts.into_iter().map(Hasher::finish).collect())
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use super::*;

    #[test]
    fn ok_streamed_digest_equals_one_shot_across_chunk_boundaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("content.bin");
        let bytes: Vec<u8> = (0..CHUNK * 2 + 17)
            .map(|i| u8::try_from(i % 251).unwrap())
            .collect();
        std::fs::write(&path, &bytes).unwrap();
        let all = [
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
            DigestAlgorithm::Streebog256,
            DigestAlgorithm::Streebog512,
            DigestAlgorithm::Streebog512Nca,
        ];
        assert_eq!(
            digest_content(&Content::File(&path), &all).unwrap(),
            digest_bytes(&bytes, &all)
        );
    }

    #[test]
    fn ok_streebog_digests_are_the_gost_crates() {
        let bytes = b"a document for the national center";
        assert_eq!(
            digest_one(DigestAlgorithm::Streebog256, bytes),
            eds_gost::digest(eds_gost::Size::S256, bytes)
        );
        for nca in [
            DigestAlgorithm::Streebog512,
            DigestAlgorithm::Streebog512Nca,
        ] {
            assert_eq!(
                digest_one(nca, bytes),
                eds_gost::digest(eds_gost::Size::S512, bytes)
            );
        }
        assert_eq!(digest_one(DigestAlgorithm::Streebog512, b"").len(), 64);
    }

    #[test]
    fn fail_bounded_read_names_size_and_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.bin");
        std::fs::write(&path, [0u8; 11]).unwrap();
        assert_eq!(
            read_bounded(&Content::File(&path), 10),
            Err(CmsError::ContentTooLarge {
                size: 11,
                limit: 10
            })
        );
        assert_eq!(read_bounded(&Content::File(&path), 11).unwrap().len(), 11);
        assert_eq!(
            read_bounded(&Content::Bytes(&[1, 2, 3]), 2),
            Err(CmsError::ContentTooLarge { size: 3, limit: 2 })
        );
    }

    #[test]
    fn fail_missing_file_keeps_the_io_kind() {
        let path = Path::new("/nonexistent/eds-signer-test");
        match digest_content(&Content::File(path), &[DigestAlgorithm::Sha256]) {
            Err(CmsError::ReadContent { path: p, kind, .. }) => {
                assert_eq!(p, path);
                assert_eq!(kind, io::ErrorKind::NotFound);
            }
            other => panic!("{other:?}"),
        }
    }
}
