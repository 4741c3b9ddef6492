// SPDX-License-Identifier: GPL-2.0

//! NFSv3 file handles, as nfsd makes them: the exported file system's own
//! identification of an object (an exportfs fid: for zcfs and tmpfs the
//! inode number and generation), behind a small header.
//!
//! Layout (12 to 44 bytes): version (1), export id (1), fid type (1), fid
//! length in 32-bit words (1), the file system id (8, big-endian), then the
//! fid's words (little-endian). The server keeps nothing per handle: a
//! handle is decoded by the file system's export operations
//! (`exportfs_decode_fh`), so it stays valid as long as its object exists
//! -- across server restarts too -- and names nothing once the object is
//! removed (NFS3ERR_STALE). A handle of another shape is NFS3ERR_BADHANDLE;
//! one of another export or file system is NFS3ERR_STALE.

#![deny(unsafe_code)]

use crate::export::EXPORT_ID;
use crate::proto::nfs3::Nfsstat3;
use crate::vfs::dentry::{Fid, FID_MAX_WORDS};

/// Header bytes before the fid.
const HEADER_LEN: usize = 12;
/// Largest handle.
pub(crate) const FH_MAX_LEN: usize = HEADER_LEN + 4 * FID_MAX_WORDS;
/// Handle layout version.
const FH_VERSION: u8 = 2;

/// An encoded handle.
///
/// # Invariants
///
/// `len <= FH_MAX_LEN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FileHandle {
    bytes: [u8; FH_MAX_LEN],
    len: usize,
}

impl FileHandle {
    /// The handle of the object `fid` of file system `fsid`.
    pub(crate) fn new(fsid: u64, fid: &Fid) -> Self {
        let words = fid.words.min(FID_MAX_WORDS);
        let mut bytes = [0u8; FH_MAX_LEN];
        bytes[0] = FH_VERSION;
        bytes[1] = EXPORT_ID;
        bytes[2] = fid.fid_type;
        // At most `FID_MAX_WORDS` (8).
        bytes[3] = words as u8;
        bytes[4..HEADER_LEN].copy_from_slice(&fsid.to_be_bytes());
        for (i, w) in fid.raw.iter().take(words).enumerate() {
            let at = HEADER_LEN + 4 * i;
            bytes[at..at + 4].copy_from_slice(&w.to_le_bytes());
        }
        // INVARIANT: `HEADER_LEN + 4 * words <= FH_MAX_LEN`.
        FileHandle {
            bytes,
            len: HEADER_LEN + 4 * words,
        }
    }

    /// The wire bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&self.bytes)
    }

    /// The fid in wire bytes `b` of a handle for file system `fsid`:
    /// BADHANDLE for a foreign shape, STALE for another export or file
    /// system.
    pub(crate) fn parse(b: &[u8], fsid: u64) -> core::result::Result<Fid, Nfsstat3> {
        if b.len() < HEADER_LEN || b[0] != FH_VERSION {
            return Err(Nfsstat3::Badhandle);
        }
        let words = usize::from(b[3]);
        if words == 0 || words > FID_MAX_WORDS || b.len() != HEADER_LEN + 4 * words {
            return Err(Nfsstat3::Badhandle);
        }
        let mut id = [0u8; 8];
        id.copy_from_slice(&b[4..HEADER_LEN]);
        if b[1] != EXPORT_ID || u64::from_be_bytes(id) != fsid {
            return Err(Nfsstat3::Stale);
        }
        let mut raw = [0u32; FID_MAX_WORDS];
        for (i, w) in b[HEADER_LEN..].chunks_exact(4).enumerate() {
            raw[i] = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        }
        Ok(Fid {
            fid_type: b[2],
            words,
            raw,
        })
    }
}
