// SPDX-License-Identifier: GPL-2.0

//! MOUNT protocol version 3 (RFC 1813 appendix I), program 100005.

use super::nfs3::Fh3;
use super::rpc::ArgsError;
use super::xdr::{Decode, Decoder, Encode, Encoder, U32List, XdrError, XdrResult};

/// MOUNT program number.
pub const PROGRAM: u32 = 100005;
/// MOUNT protocol version served.
pub const VERSION: u32 = 3;

/// Maximum bytes in a path name (`MNTPATHLEN`).
pub const MNTPATHLEN: usize = 1024;
/// Maximum bytes in a name (`MNTNAMLEN`).
pub const MNTNAMLEN: usize = 255;
/// Maximum number of auth flavors this codec accepts in a MNT reply.
pub const MAX_AUTH_FLAVORS: usize = 16;

/// MOUNT v3 procedure numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum MountProc {
    /// Do nothing.
    Null = 0,
    /// Mount a directory: returns its file handle.
    Mnt = 1,
    /// List mounts (a server that keeps no list answers a single FALSE).
    Dump = 2,
    /// Unmount a directory.
    Umnt = 3,
    /// Unmount everything of this client.
    Umntall = 4,
    /// List exports.
    Export = 5,
}

impl MountProc {
    /// The procedure for a wire number, if it is one.
    pub const fn from_u32(v: u32) -> Option<Self> {
        Some(match v {
            0 => Self::Null,
            1 => Self::Mnt,
            2 => Self::Dump,
            3 => Self::Umnt,
            4 => Self::Umntall,
            5 => Self::Export,
            _ => return None,
        })
    }
}

/// `mountstat3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum MountStat3 {
    /// No error.
    Ok = 0,
    /// Not owner.
    Perm = 1,
    /// No such file or directory.
    Noent = 2,
    /// I/O error.
    Io = 5,
    /// Permission denied.
    Acces = 13,
    /// Not a directory.
    Notdir = 20,
    /// Invalid argument.
    Inval = 22,
    /// Filename too long.
    Nametoolong = 63,
    /// Operation not supported.
    Notsupp = 10004,
    /// A failure on the server.
    Serverfault = 10006,
}

impl MountStat3 {
    /// The status for a wire value, if it is one.
    pub const fn from_u32(v: u32) -> Option<Self> {
        Some(match v {
            0 => Self::Ok,
            1 => Self::Perm,
            2 => Self::Noent,
            5 => Self::Io,
            13 => Self::Acces,
            20 => Self::Notdir,
            22 => Self::Inval,
            63 => Self::Nametoolong,
            10004 => Self::Notsupp,
            10006 => Self::Serverfault,
            _ => return None,
        })
    }
}

/// Decoded arguments of a MOUNT v3 call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MountArgs<'a> {
    /// NULL: no arguments.
    Null,
    /// MNT: the directory to mount.
    Mnt {
        /// `dirpath` (at most [`MNTPATHLEN`] bytes).
        dirpath: &'a [u8],
    },
    /// DUMP: no arguments.
    Dump,
    /// UMNT: the directory to unmount.
    Umnt {
        /// `dirpath` (at most [`MNTPATHLEN`] bytes).
        dirpath: &'a [u8],
    },
    /// UMNTALL: no arguments.
    Umntall,
    /// EXPORT: no arguments.
    Export,
}

impl<'a> MountArgs<'a> {
    /// Decodes the arguments of procedure `procedure`. Trailing bytes are
    /// ignored.
    pub fn decode(procedure: u32, dec: &mut Decoder<'a>) -> Result<Self, ArgsError> {
        let p = MountProc::from_u32(procedure).ok_or(ArgsError::ProcUnavail)?;
        Ok(match p {
            MountProc::Null => Self::Null,
            MountProc::Mnt => Self::Mnt {
                dirpath: dec.string(MNTPATHLEN)?,
            },
            MountProc::Dump => Self::Dump,
            MountProc::Umnt => Self::Umnt {
                dirpath: dec.string(MNTPATHLEN)?,
            },
            MountProc::Umntall => Self::Umntall,
            MountProc::Export => Self::Export,
        })
    }

    /// The procedure these are the arguments of.
    pub fn procedure(&self) -> MountProc {
        match self {
            Self::Null => MountProc::Null,
            Self::Mnt { .. } => MountProc::Mnt,
            Self::Dump => MountProc::Dump,
            Self::Umnt { .. } => MountProc::Umnt,
            Self::Umntall => MountProc::Umntall,
            Self::Export => MountProc::Export,
        }
    }
}

impl Encode for MountArgs<'_> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        match self {
            Self::Mnt { dirpath } | Self::Umnt { dirpath } => enc.string(dirpath, MNTPATHLEN),
            Self::Null | Self::Dump | Self::Umntall | Self::Export => Ok(()),
        }
    }
}

/// `mountres3`: the result of MNT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MntRes<'a> {
    /// MNT3_OK: the root file handle and the flavors the client may use.
    Ok {
        /// File handle of the mounted directory.
        fhandle: Fh3<'a>,
        /// Acceptable `auth_flavor`s, preferred first.
        auth_flavors: U32List<'a>,
    },
    /// Failure (never [`MountStat3::Ok`]).
    Err(MountStat3),
}

impl<'a> Decode<'a> for MntRes<'a> {
    fn decode(dec: &mut Decoder<'a>) -> XdrResult<Self> {
        match MountStat3::from_u32(dec.u32()?).ok_or(XdrError::BadValue)? {
            MountStat3::Ok => Ok(Self::Ok {
                fhandle: Fh3::decode(dec)?,
                auth_flavors: U32List::decode_max(dec, MAX_AUTH_FLAVORS)?,
            }),
            st => Ok(Self::Err(st)),
        }
    }
}

impl Encode for MntRes<'_> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        match self {
            Self::Ok {
                fhandle,
                auth_flavors,
            } => {
                enc.u32(MountStat3::Ok as u32)?;
                fhandle.encode(enc)?;
                auth_flavors.encode_max(enc, MAX_AUTH_FLAVORS)
            }
            Self::Err(MountStat3::Ok) => Err(XdrError::BadValue),
            Self::Err(st) => enc.u32(*st as u32),
        }
    }
}

/// Skips a `groups` list, returning the bytes it occupied.
fn skip_groups<'a>(dec: &mut Decoder<'a>) -> XdrResult<&'a [u8]> {
    let buf = dec.buffer();
    let start = dec.position();
    while dec.bool()? {
        dec.string(MNTNAMLEN)?;
    }
    buf.get(start..dec.position()).ok_or(XdrError::Short)
}

/// The `exports` list of an EXPORT reply, validated and borrowed from the
/// wire. Build one for sending with [`ExportsEncoder`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exports<'a> {
    /// The whole list, terminator included.
    raw: &'a [u8],
}

impl<'a> Exports<'a> {
    /// Iterates over the exported directories.
    pub fn iter(&self) -> ExportIter<'a> {
        ExportIter {
            dec: Decoder::new(self.raw),
        }
    }
}

impl<'a> Decode<'a> for Exports<'a> {
    fn decode(dec: &mut Decoder<'a>) -> XdrResult<Self> {
        let buf = dec.buffer();
        let start = dec.position();
        while dec.bool()? {
            dec.string(MNTPATHLEN)?;
            skip_groups(dec)?;
        }
        let raw = buf.get(start..dec.position()).ok_or(XdrError::Short)?;
        Ok(Self { raw })
    }
}

impl Encode for Exports<'_> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        enc.put(self.raw)
    }
}

/// One `exportnode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportNode<'a> {
    /// The exported directory.
    pub dir: &'a [u8],
    /// The groups allowed to mount it.
    pub groups: Groups<'a>,
}

/// Iterator over [`Exports`].
#[derive(Clone, Debug)]
pub struct ExportIter<'a> {
    dec: Decoder<'a>,
}

impl<'a> Iterator for ExportIter<'a> {
    type Item = ExportNode<'a>;

    fn next(&mut self) -> Option<ExportNode<'a>> {
        if !self.dec.bool().ok()? {
            return None;
        }
        let dir = self.dec.string(MNTPATHLEN).ok()?;
        let raw = skip_groups(&mut self.dec).ok()?;
        Some(ExportNode {
            dir,
            groups: Groups { raw },
        })
    }
}

/// A `groups` list, validated and borrowed from the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Groups<'a> {
    raw: &'a [u8],
}

impl<'a> Groups<'a> {
    /// Iterates over the group names.
    pub fn iter(&self) -> GroupIter<'a> {
        GroupIter {
            dec: Decoder::new(self.raw),
        }
    }
}

/// Iterator over [`Groups`].
#[derive(Clone, Debug)]
pub struct GroupIter<'a> {
    dec: Decoder<'a>,
}

impl<'a> Iterator for GroupIter<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if !self.dec.bool().ok()? {
            return None;
        }
        self.dec.string(MNTNAMLEN).ok()
    }
}

/// Writes an EXPORT reply's `exports` list entry by entry.
#[derive(Debug)]
pub struct ExportsEncoder<'e, 'b> {
    enc: &'e mut Encoder<'b>,
}

impl<'e, 'b> ExportsEncoder<'e, 'b> {
    /// Starts a list at the encoder's position (nothing is written yet).
    pub fn new(enc: &'e mut Encoder<'b>) -> Self {
        Self { enc }
    }

    /// Appends an export of `dir` to `groups` (empty: everyone), keeping
    /// room for the terminator. On error nothing of the entry is left in
    /// the buffer.
    pub fn push(&mut self, dir: &[u8], groups: &[&[u8]]) -> XdrResult<()> {
        let save = self.enc.position();
        let r = self.push_inner(dir, groups);
        if r.is_err() {
            self.enc.truncate(save);
        }
        r
    }

    fn push_inner(&mut self, dir: &[u8], groups: &[&[u8]]) -> XdrResult<()> {
        self.enc.bool(true)?;
        self.enc.string(dir, MNTPATHLEN)?;
        for g in groups {
            self.enc.bool(true)?;
            self.enc.string(g, MNTNAMLEN)?;
        }
        self.enc.bool(false)?;
        // Keep room for the list terminator.
        if self.enc.remaining() < 4 {
            return Err(XdrError::NoSpace);
        }
        Ok(())
    }

    /// Terminates the list.
    pub fn finish(self) -> XdrResult<()> {
        self.enc.bool(false)
    }
}
