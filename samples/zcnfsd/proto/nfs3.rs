// SPDX-License-Identifier: GPL-2.0

//! NFS version 3 (RFC 1813), program 100003: data types, argument decoding
//! and result encoding for the procedures the Linux client needs.
//!
//! Results are [`Nfs3Res`]`<Ok, Fail>`: the `nfsstat3` discriminant and the
//! resok or resfail arm. Two results are built piecewise by the server:
//!
//! - READ: [`encode_read_ok_header`] writes everything up to and including
//!   the opaque length word of the data; the data (loaned pages) and then
//!   [`padding_for`](super::xdr::padding_for) the count are sent after it.
//! - READDIR / READDIRPLUS: [`ReaddirEncoder`] / [`ReaddirplusEncoder`]
//!   append entries while they fit the client's byte counts.
//!
//! For WRITE, [`WriteHeader::decode`] needs only the bytes up to the data
//! length word and leaves the decoder at the start of the payload.

use core::marker::PhantomData;

use super::rpc::ArgsError;
use super::xdr::{Decode, Decoder, Encode, Encoder, XdrError, XdrResult};

/// NFS program number.
pub const PROGRAM: u32 = 100003;
/// NFS protocol version served.
pub const VERSION: u32 = 3;

/// Maximum size of a file handle (`NFS3_FHSIZE`).
pub const FHSIZE3: usize = 64;
/// Size of a READDIR cookie verifier.
pub const COOKIEVERFSIZE: usize = 8;
/// Size of an exclusive CREATE verifier.
pub const CREATEVERFSIZE: usize = 8;
/// Size of a WRITE / COMMIT verifier.
pub const WRITEVERFSIZE: usize = 8;
/// Longest file name accepted (`filename3`; Linux's `NFS3_MAXNAMLEN`).
pub const MAX_NAME_LEN: usize = 255;
/// Largest encoded [`WriteHeader`]: handle, offset, count, stable, length.
pub const WRITE_HEADER_MAX_LEN: usize = 4 + FHSIZE3 + 8 + 4 + 4 + 4;

/// ACCESS: read data or directory.
pub const ACCESS3_READ: u32 = 0x0001;
/// ACCESS: look up a name in a directory.
pub const ACCESS3_LOOKUP: u32 = 0x0002;
/// ACCESS: rewrite data or modify a directory.
pub const ACCESS3_MODIFY: u32 = 0x0004;
/// ACCESS: write new data or add a directory entry.
pub const ACCESS3_EXTEND: u32 = 0x0008;
/// ACCESS: delete a directory entry.
pub const ACCESS3_DELETE: u32 = 0x0010;
/// ACCESS: execute a file.
pub const ACCESS3_EXECUTE: u32 = 0x0020;

/// FSINFO property: hard links supported.
pub const FSF3_LINK: u32 = 0x0001;
/// FSINFO property: symbolic links supported.
pub const FSF3_SYMLINK: u32 = 0x0002;
/// FSINFO property: PATHCONF is the same for every file.
pub const FSF3_HOMOGENEOUS: u32 = 0x0008;
/// FSINFO property: the server can set times with SETATTR.
pub const FSF3_CANSETTIME: u32 = 0x0010;

/// Defines a struct whose XDR form is its fields in order, each field's
/// type implementing [`Decode`] and [`Encode`].
macro_rules! xdr_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident<$lt:lifetime> {
            $($(#[$fmeta:meta])* pub $field:ident: $ty:ty,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name<$lt> {
            $($(#[$fmeta])* pub $field: $ty,)*
        }

        impl<$lt> Decode<$lt> for $name<$lt> {
            fn decode(dec: &mut Decoder<$lt>) -> XdrResult<Self> {
                Ok(Self { $($field: dec.decode()?,)* })
            }
        }

        impl Encode for $name<'_> {
            fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
                $(enc.encode(&self.$field)?;)*
                Ok(())
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($(#[$fmeta:meta])* pub $field:ident: $ty:ty,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
        }

        impl Decode<'_> for $name {
            fn decode(dec: &mut Decoder<'_>) -> XdrResult<Self> {
                Ok(Self { $($field: dec.decode()?,)* })
            }
        }

        impl Encode for $name {
            fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
                $(enc.encode(&self.$field)?;)*
                Ok(())
            }
        }
    };
}

/// Defines a `#[repr(u32)]` enum with `from_u32` and XDR impls (an unknown
/// value decodes as [`XdrError::BadValue`]).
macro_rules! xdr_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $value:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u32)]
        pub enum $name {
            $($(#[$vmeta])* $variant = $value,)*
        }

        impl $name {
            /// The value for a wire number, if it is one.
            pub const fn from_u32(v: u32) -> Option<Self> {
                match v {
                    $($value => Some(Self::$variant),)*
                    _ => None,
                }
            }
        }

        impl Decode<'_> for $name {
            fn decode(dec: &mut Decoder<'_>) -> XdrResult<Self> {
                Self::from_u32(dec.u32()?).ok_or(XdrError::BadValue)
            }
        }

        impl Encode for $name {
            fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
                enc.u32(*self as u32)
            }
        }
    };
}

xdr_enum! {
    /// NFSv3 procedure numbers.
    pub enum Nfs3Proc {
        /// Do nothing.
        Null = 0,
        /// Get file attributes.
        Getattr = 1,
        /// Set file attributes.
        Setattr = 2,
        /// Look up a file name.
        Lookup = 3,
        /// Check access permission.
        Access = 4,
        /// Read a symbolic link (not served).
        Readlink = 5,
        /// Read from a file.
        Read = 6,
        /// Write to a file.
        Write = 7,
        /// Create a file.
        Create = 8,
        /// Create a directory.
        Mkdir = 9,
        /// Create a symbolic link (not served).
        Symlink = 10,
        /// Create a special device (not served).
        Mknod = 11,
        /// Remove a file.
        Remove = 12,
        /// Remove a directory.
        Rmdir = 13,
        /// Rename a file or directory.
        Rename = 14,
        /// Create a hard link (not served).
        Link = 15,
        /// Read a directory.
        Readdir = 16,
        /// Read a directory with attributes and handles.
        Readdirplus = 17,
        /// Get dynamic file system information.
        Fsstat = 18,
        /// Get static file system information.
        Fsinfo = 19,
        /// Get POSIX information.
        Pathconf = 20,
        /// Commit cached data to stable storage.
        Commit = 21,
    }
}

xdr_enum! {
    /// `nfsstat3`.
    pub enum Nfsstat3 {
        /// Success.
        Ok = 0,
        /// Not owner.
        Perm = 1,
        /// No such file or directory.
        Noent = 2,
        /// I/O error.
        Io = 5,
        /// No such device or address.
        Nxio = 6,
        /// Permission denied.
        Acces = 13,
        /// File exists.
        Exist = 17,
        /// Cross-device link.
        Xdev = 18,
        /// No such device.
        Nodev = 19,
        /// Not a directory.
        Notdir = 20,
        /// Is a directory.
        Isdir = 21,
        /// Invalid argument.
        Inval = 22,
        /// File too large.
        Fbig = 27,
        /// No space left on device.
        Nospc = 28,
        /// Read-only file system.
        Rofs = 30,
        /// Too many hard links.
        Mlink = 31,
        /// File name too long.
        Nametoolong = 63,
        /// Directory not empty.
        Notempty = 66,
        /// Quota exceeded.
        Dquot = 69,
        /// Stale file handle.
        Stale = 70,
        /// Too many levels of remote in path.
        Remote = 71,
        /// Illegal file handle.
        Badhandle = 10001,
        /// SETATTR guard mismatch.
        NotSync = 10002,
        /// READDIR cookie is stale.
        BadCookie = 10003,
        /// Operation not supported.
        Notsupp = 10004,
        /// Buffer or request too small.
        Toosmall = 10005,
        /// A failure on the server.
        Serverfault = 10006,
        /// Object type not supported.
        Badtype = 10007,
        /// Try again later.
        Jukebox = 10008,
    }
}

xdr_enum! {
    /// `ftype3`: file type.
    pub enum Ftype3 {
        /// Regular file.
        Reg = 1,
        /// Directory.
        Dir = 2,
        /// Block device.
        Blk = 3,
        /// Character device.
        Chr = 4,
        /// Symbolic link.
        Lnk = 5,
        /// Socket.
        Sock = 6,
        /// Named pipe.
        Fifo = 7,
    }
}

xdr_enum! {
    /// `stable_how`: how far WRITE data must be committed.
    pub enum StableHow {
        /// May be cached.
        Unstable = 0,
        /// Data committed, metadata may be cached.
        DataSync = 1,
        /// Data and metadata committed.
        FileSync = 2,
    }
}

/// `nfs_fh3`: a file handle of at most [`FHSIZE3`] bytes, borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fh3<'a> {
    data: &'a [u8],
}

impl<'a> Fh3<'a> {
    /// A handle over `data`; [`XdrError::TooLong`] beyond [`FHSIZE3`].
    pub fn new(data: &'a [u8]) -> XdrResult<Self> {
        if data.len() > FHSIZE3 {
            return Err(XdrError::TooLong);
        }
        Ok(Self { data })
    }

    /// The handle's bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.data
    }
}

impl<'a> Decode<'a> for Fh3<'a> {
    fn decode(dec: &mut Decoder<'a>) -> XdrResult<Self> {
        Ok(Self {
            data: dec.opaque(FHSIZE3)?,
        })
    }
}

impl Encode for Fh3<'_> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        enc.opaque(self.data, FHSIZE3)
    }
}

/// Decodes a `filename3` (at most [`MAX_NAME_LEN`] bytes).
fn decode_name<'a>(dec: &mut Decoder<'a>) -> XdrResult<&'a [u8]> {
    dec.string(MAX_NAME_LEN)
}

/// Encodes a `filename3`.
fn encode_name(enc: &mut Encoder<'_>, name: &[u8]) -> XdrResult<()> {
    enc.string(name, MAX_NAME_LEN)
}

/// True if `name` can name a directory entry: not empty, no `/`, no NUL.
/// (`.` and `..` pass; the server decides what they mean.)
pub fn is_valid_name(name: &[u8]) -> bool {
    !name.is_empty() && !name.iter().any(|&b| b == b'/' || b == 0)
}

xdr_struct! {
    /// `specdata3`: device numbers.
    pub struct SpecData3 {
        /// Major number.
        pub specdata1: u32,
        /// Minor number.
        pub specdata2: u32,
    }
}

xdr_struct! {
    /// `nfstime3`.
    pub struct NfsTime3 {
        /// Seconds since the epoch.
        pub seconds: u32,
        /// Nanoseconds.
        pub nseconds: u32,
    }
}

xdr_struct! {
    /// `fattr3`: file attributes.
    pub struct Fattr3 {
        /// File type.
        pub ftype: Ftype3,
        /// Protection mode bits.
        pub mode: u32,
        /// Number of hard links.
        pub nlink: u32,
        /// Owner.
        pub uid: u32,
        /// Group.
        pub gid: u32,
        /// Size in bytes.
        pub size: u64,
        /// Bytes of disk space used.
        pub used: u64,
        /// Device numbers.
        pub rdev: SpecData3,
        /// File system id.
        pub fsid: u64,
        /// File id (inode number).
        pub fileid: u64,
        /// Last access.
        pub atime: NfsTime3,
        /// Last data modification.
        pub mtime: NfsTime3,
        /// Last attribute change.
        pub ctime: NfsTime3,
    }
}

xdr_struct! {
    /// `wcc_attr`: the attributes weak cache consistency compares.
    pub struct WccAttr {
        /// Size in bytes.
        pub size: u64,
        /// Last data modification.
        pub mtime: NfsTime3,
        /// Last attribute change.
        pub ctime: NfsTime3,
    }
}

/// `post_op_attr`: attributes after an operation, if available.
pub type PostOpAttr = Option<Fattr3>;
/// `pre_op_attr`: attributes before an operation, if available.
pub type PreOpAttr = Option<WccAttr>;
/// `post_op_fh3`: a file handle, if available.
pub type PostOpFh3<'a> = Option<Fh3<'a>>;

xdr_struct! {
    /// `wcc_data`: attributes before and after an operation.
    pub struct WccData {
        /// Before.
        pub before: PreOpAttr,
        /// After.
        pub after: PostOpAttr,
    }
}

impl WccData {
    /// No attributes at all.
    pub const NONE: WccData = WccData {
        before: None,
        after: None,
    };
}

/// `set_atime` / `set_mtime`: how SETATTR sets a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetTime {
    /// DONT_CHANGE.
    DontChange,
    /// SET_TO_SERVER_TIME.
    ServerTime,
    /// SET_TO_CLIENT_TIME, with the time.
    ClientTime(NfsTime3),
}

impl Decode<'_> for SetTime {
    fn decode(dec: &mut Decoder<'_>) -> XdrResult<Self> {
        match dec.u32()? {
            0 => Ok(Self::DontChange),
            1 => Ok(Self::ServerTime),
            2 => Ok(Self::ClientTime(NfsTime3::decode(dec)?)),
            _ => Err(XdrError::BadValue),
        }
    }
}

impl Encode for SetTime {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        match self {
            Self::DontChange => enc.u32(0),
            Self::ServerTime => enc.u32(1),
            Self::ClientTime(t) => {
                enc.u32(2)?;
                t.encode(enc)
            }
        }
    }
}

xdr_struct! {
    /// `sattr3`: attributes to set; `None` leaves one alone.
    pub struct Sattr3 {
        /// New mode.
        pub mode: Option<u32>,
        /// New owner.
        pub uid: Option<u32>,
        /// New group.
        pub gid: Option<u32>,
        /// New size (truncate or extend).
        pub size: Option<u64>,
        /// New access time.
        pub atime: SetTime,
        /// New modification time.
        pub mtime: SetTime,
    }
}

impl Sattr3 {
    /// Change nothing.
    pub const NONE: Sattr3 = Sattr3 {
        mode: None,
        uid: None,
        gid: None,
        size: None,
        atime: SetTime::DontChange,
        mtime: SetTime::DontChange,
    };
}

/// `diropargs3`: a directory and a name in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirOpArgs3<'a> {
    /// The directory.
    pub dir: Fh3<'a>,
    /// The name (at most [`MAX_NAME_LEN`] bytes; see [`is_valid_name`]).
    pub name: &'a [u8],
}

impl<'a> Decode<'a> for DirOpArgs3<'a> {
    fn decode(dec: &mut Decoder<'a>) -> XdrResult<Self> {
        Ok(Self {
            dir: Fh3::decode(dec)?,
            name: decode_name(dec)?,
        })
    }
}

impl Encode for DirOpArgs3<'_> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        self.dir.encode(enc)?;
        encode_name(enc, self.name)
    }
}

// ---------------------------------------------------------------------------
// Arguments

xdr_struct! {
    /// SETATTR arguments.
    pub struct SetattrArgs<'a> {
        /// The file.
        pub object: Fh3<'a>,
        /// What to change.
        pub new_attributes: Sattr3,
        /// `sattrguard3`: apply only if the ctime is this.
        pub guard: Option<NfsTime3>,
    }
}

xdr_struct! {
    /// ACCESS arguments.
    pub struct AccessArgs<'a> {
        /// The file.
        pub object: Fh3<'a>,
        /// `ACCESS3_*` bits to check.
        pub access: u32,
    }
}

xdr_struct! {
    /// READ arguments.
    pub struct ReadArgs<'a> {
        /// The file.
        pub file: Fh3<'a>,
        /// Byte offset.
        pub offset: u64,
        /// Bytes wanted.
        pub count: u32,
    }
}

/// The part of WRITE arguments before the data: everything up to and
/// including the data's length word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteHeader<'a> {
    /// The file.
    pub file: Fh3<'a>,
    /// Byte offset.
    pub offset: u64,
    /// Number of bytes of data (equal to the data length on the wire).
    pub count: u32,
    /// How far the data must be committed.
    pub stable: StableHow,
}

impl<'a> WriteHeader<'a> {
    /// Decodes the header from a prefix of the arguments and leaves the
    /// decoder at the first payload byte (`dec.position()`); none of the
    /// payload needs to be present. The data length must equal `count`
    /// ([`XdrError::BadValue`] otherwise). The server must check `count`
    /// against its own maximum before receiving the payload.
    pub fn decode(dec: &mut Decoder<'a>) -> XdrResult<Self> {
        let file = Fh3::decode(dec)?;
        let offset = dec.u64()?;
        let count = dec.u32()?;
        let stable = StableHow::decode(dec)?;
        if dec.u32()? != count {
            return Err(XdrError::BadValue);
        }
        Ok(Self {
            file,
            offset,
            count,
            stable,
        })
    }

    /// Bytes of payload on the wire after the header: the data and its
    /// padding, or `None` on overflow.
    pub fn payload_wire_len(&self) -> Option<usize> {
        super::xdr::padded_len(usize::try_from(self.count).ok()?)
    }

    /// Encodes the header (the caller then writes the data and padding).
    pub fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        self.file.encode(enc)?;
        enc.u64(self.offset)?;
        enc.u32(self.count)?;
        self.stable.encode(enc)?;
        enc.u32(self.count)
    }
}

/// WRITE arguments with the data present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteArgs<'a> {
    /// The file.
    pub file: Fh3<'a>,
    /// Byte offset.
    pub offset: u64,
    /// Number of bytes (must equal `data.len()`).
    pub count: u32,
    /// How far the data must be committed.
    pub stable: StableHow,
    /// The data.
    pub data: &'a [u8],
}

impl<'a> Decode<'a> for WriteArgs<'a> {
    fn decode(dec: &mut Decoder<'a>) -> XdrResult<Self> {
        let h = WriteHeader::decode(dec)?;
        let len = usize::try_from(h.count).map_err(|_| XdrError::TooLong)?;
        let data = dec.opaque_fixed(len)?;
        Ok(Self {
            file: h.file,
            offset: h.offset,
            count: h.count,
            stable: h.stable,
            data,
        })
    }
}

impl Encode for WriteArgs<'_> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        if usize::try_from(self.count) != Ok(self.data.len()) {
            return Err(XdrError::BadValue);
        }
        WriteHeader {
            file: self.file,
            offset: self.offset,
            count: self.count,
            stable: self.stable,
        }
        .encode(enc)?;
        enc.opaque_fixed(self.data)
    }
}

/// `createhow3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreateHow3 {
    /// UNCHECKED: create or truncate.
    Unchecked(Sattr3),
    /// GUARDED: fail if the name exists.
    Guarded(Sattr3),
    /// EXCLUSIVE, with the client's verifier.
    Exclusive([u8; CREATEVERFSIZE]),
}

impl Decode<'_> for CreateHow3 {
    fn decode(dec: &mut Decoder<'_>) -> XdrResult<Self> {
        match dec.u32()? {
            0 => Ok(Self::Unchecked(Sattr3::decode(dec)?)),
            1 => Ok(Self::Guarded(Sattr3::decode(dec)?)),
            2 => Ok(Self::Exclusive(dec.array()?)),
            _ => Err(XdrError::BadValue),
        }
    }
}

impl Encode for CreateHow3 {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        match self {
            Self::Unchecked(a) => {
                enc.u32(0)?;
                a.encode(enc)
            }
            Self::Guarded(a) => {
                enc.u32(1)?;
                a.encode(enc)
            }
            Self::Exclusive(v) => {
                enc.u32(2)?;
                enc.opaque_fixed(v)
            }
        }
    }
}

xdr_struct! {
    /// CREATE arguments.
    pub struct CreateArgs<'a> {
        /// Directory and name.
        pub where_: DirOpArgs3<'a>,
        /// How to create.
        pub how: CreateHow3,
    }
}

xdr_struct! {
    /// MKDIR arguments.
    pub struct MkdirArgs<'a> {
        /// Directory and name.
        pub where_: DirOpArgs3<'a>,
        /// Initial attributes.
        pub attributes: Sattr3,
    }
}

xdr_struct! {
    /// RENAME arguments.
    pub struct RenameArgs<'a> {
        /// Source directory and name.
        pub from: DirOpArgs3<'a>,
        /// Target directory and name.
        pub to: DirOpArgs3<'a>,
    }
}

xdr_struct! {
    /// READDIR arguments.
    pub struct ReaddirArgs<'a> {
        /// The directory.
        pub dir: Fh3<'a>,
        /// Where to continue (0 to start).
        pub cookie: u64,
        /// Verifier returned with `cookie`.
        pub cookieverf: [u8; COOKIEVERFSIZE],
        /// Maximum size of the reply (see [`ReaddirEncoder`]).
        pub count: u32,
    }
}

xdr_struct! {
    /// READDIRPLUS arguments.
    pub struct ReaddirplusArgs<'a> {
        /// The directory.
        pub dir: Fh3<'a>,
        /// Where to continue (0 to start).
        pub cookie: u64,
        /// Verifier returned with `cookie`.
        pub cookieverf: [u8; COOKIEVERFSIZE],
        /// Maximum bytes of directory information (names, ids, cookies).
        pub dircount: u32,
        /// Maximum size of the reply (see [`ReaddirplusEncoder`]).
        pub maxcount: u32,
    }
}

xdr_struct! {
    /// COMMIT arguments.
    pub struct CommitArgs<'a> {
        /// The file.
        pub file: Fh3<'a>,
        /// Start of the range.
        pub offset: u64,
        /// Length of the range (0: to the end of the file).
        pub count: u32,
    }
}

/// Decoded arguments of an NFSv3 call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nfs3Args<'a> {
    /// NULL.
    Null,
    /// GETATTR: the file.
    Getattr(Fh3<'a>),
    /// SETATTR.
    Setattr(SetattrArgs<'a>),
    /// LOOKUP.
    Lookup(DirOpArgs3<'a>),
    /// ACCESS.
    Access(AccessArgs<'a>),
    /// READ.
    Read(ReadArgs<'a>),
    /// WRITE (with the data).
    Write(WriteArgs<'a>),
    /// CREATE.
    Create(CreateArgs<'a>),
    /// MKDIR.
    Mkdir(MkdirArgs<'a>),
    /// REMOVE.
    Remove(DirOpArgs3<'a>),
    /// RMDIR.
    Rmdir(DirOpArgs3<'a>),
    /// RENAME.
    Rename(RenameArgs<'a>),
    /// READDIR.
    Readdir(ReaddirArgs<'a>),
    /// READDIRPLUS.
    Readdirplus(ReaddirplusArgs<'a>),
    /// FSSTAT: the file system root.
    Fsstat(Fh3<'a>),
    /// FSINFO: the file system root.
    Fsinfo(Fh3<'a>),
    /// PATHCONF: the object.
    Pathconf(Fh3<'a>),
    /// COMMIT.
    Commit(CommitArgs<'a>),
    /// A procedure of NFSv3 this server does not implement (READLINK,
    /// SYMLINK, MKNOD, LINK): arguments not decoded; answer with
    /// [`Nfs3Proc::encode_error`] and [`Nfsstat3::Notsupp`].
    Unsupported(Nfs3Proc),
}

impl<'a> Nfs3Args<'a> {
    /// Decodes the arguments of procedure `procedure`. Trailing bytes are
    /// ignored.
    pub fn decode(procedure: u32, dec: &mut Decoder<'a>) -> Result<Self, ArgsError> {
        let p = Nfs3Proc::from_u32(procedure).ok_or(ArgsError::ProcUnavail)?;
        Ok(match p {
            Nfs3Proc::Null => Self::Null,
            Nfs3Proc::Getattr => Self::Getattr(dec.decode()?),
            Nfs3Proc::Setattr => Self::Setattr(dec.decode()?),
            Nfs3Proc::Lookup => Self::Lookup(dec.decode()?),
            Nfs3Proc::Access => Self::Access(dec.decode()?),
            Nfs3Proc::Read => Self::Read(dec.decode()?),
            Nfs3Proc::Write => Self::Write(dec.decode()?),
            Nfs3Proc::Create => Self::Create(dec.decode()?),
            Nfs3Proc::Mkdir => Self::Mkdir(dec.decode()?),
            Nfs3Proc::Remove => Self::Remove(dec.decode()?),
            Nfs3Proc::Rmdir => Self::Rmdir(dec.decode()?),
            Nfs3Proc::Rename => Self::Rename(dec.decode()?),
            Nfs3Proc::Readdir => Self::Readdir(dec.decode()?),
            Nfs3Proc::Readdirplus => Self::Readdirplus(dec.decode()?),
            Nfs3Proc::Fsstat => Self::Fsstat(dec.decode()?),
            Nfs3Proc::Fsinfo => Self::Fsinfo(dec.decode()?),
            Nfs3Proc::Pathconf => Self::Pathconf(dec.decode()?),
            Nfs3Proc::Commit => Self::Commit(dec.decode()?),
            Nfs3Proc::Readlink | Nfs3Proc::Symlink | Nfs3Proc::Mknod | Nfs3Proc::Link => {
                Self::Unsupported(p)
            }
        })
    }

    /// The procedure these are the arguments of.
    pub fn procedure(&self) -> Nfs3Proc {
        match self {
            Self::Null => Nfs3Proc::Null,
            Self::Getattr(_) => Nfs3Proc::Getattr,
            Self::Setattr(_) => Nfs3Proc::Setattr,
            Self::Lookup(_) => Nfs3Proc::Lookup,
            Self::Access(_) => Nfs3Proc::Access,
            Self::Read(_) => Nfs3Proc::Read,
            Self::Write(_) => Nfs3Proc::Write,
            Self::Create(_) => Nfs3Proc::Create,
            Self::Mkdir(_) => Nfs3Proc::Mkdir,
            Self::Remove(_) => Nfs3Proc::Remove,
            Self::Rmdir(_) => Nfs3Proc::Rmdir,
            Self::Rename(_) => Nfs3Proc::Rename,
            Self::Readdir(_) => Nfs3Proc::Readdir,
            Self::Readdirplus(_) => Nfs3Proc::Readdirplus,
            Self::Fsstat(_) => Nfs3Proc::Fsstat,
            Self::Fsinfo(_) => Nfs3Proc::Fsinfo,
            Self::Pathconf(_) => Nfs3Proc::Pathconf,
            Self::Commit(_) => Nfs3Proc::Commit,
            Self::Unsupported(p) => *p,
        }
    }
}

impl Encode for Nfs3Args<'_> {
    /// Encodes the arguments ([`Nfs3Args::Unsupported`] encodes nothing).
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        match self {
            Self::Null | Self::Unsupported(_) => Ok(()),
            Self::Getattr(a) | Self::Fsstat(a) | Self::Fsinfo(a) | Self::Pathconf(a) => {
                a.encode(enc)
            }
            Self::Setattr(a) => a.encode(enc),
            Self::Lookup(a) | Self::Remove(a) | Self::Rmdir(a) => a.encode(enc),
            Self::Access(a) => a.encode(enc),
            Self::Read(a) => a.encode(enc),
            Self::Write(a) => a.encode(enc),
            Self::Create(a) => a.encode(enc),
            Self::Mkdir(a) => a.encode(enc),
            Self::Rename(a) => a.encode(enc),
            Self::Readdir(a) => a.encode(enc),
            Self::Readdirplus(a) => a.encode(enc),
            Self::Commit(a) => a.encode(enc),
        }
    }
}

// ---------------------------------------------------------------------------
// Results

/// An NFSv3 result: `nfsstat3` NFS3_OK and the resok arm, or another
/// status and the resfail arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nfs3Res<T, F> {
    /// NFS3_OK.
    Ok(T),
    /// Failure: the status (never [`Nfsstat3::Ok`]; encoding that is
    /// [`XdrError::BadValue`]) and the resfail arm.
    Fail(Nfsstat3, F),
}

impl<'a, T: Decode<'a>, F: Decode<'a>> Decode<'a> for Nfs3Res<T, F> {
    fn decode(dec: &mut Decoder<'a>) -> XdrResult<Self> {
        match Nfsstat3::decode(dec)? {
            Nfsstat3::Ok => T::decode(dec).map(Self::Ok),
            st => F::decode(dec).map(|f| Self::Fail(st, f)),
        }
    }
}

impl<T: Encode, F: Encode> Encode for Nfs3Res<T, F> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        match self {
            Self::Ok(t) => {
                Nfsstat3::Ok.encode(enc)?;
                t.encode(enc)
            }
            Self::Fail(Nfsstat3::Ok, _) => Err(XdrError::BadValue),
            Self::Fail(st, f) => {
                st.encode(enc)?;
                f.encode(enc)
            }
        }
    }
}

impl Nfs3Proc {
    /// Encodes a failure result of this procedure: `status` and the resfail
    /// arm with no attributes at all. Works for every procedure but NULL
    /// (which has no status); [`XdrError::BadValue`] for NULL or
    /// [`Nfsstat3::Ok`].
    pub fn encode_error(self, status: Nfsstat3, enc: &mut Encoder<'_>) -> XdrResult<()> {
        if status == Nfsstat3::Ok {
            return Err(XdrError::BadValue);
        }
        // Words of FALSE after the status: one per post_op_attr, two per
        // wcc_data.
        let words: usize = match self {
            Self::Null => return Err(XdrError::BadValue),
            Self::Getattr => 0,
            Self::Lookup
            | Self::Access
            | Self::Readlink
            | Self::Read
            | Self::Readdir
            | Self::Readdirplus
            | Self::Fsstat
            | Self::Fsinfo
            | Self::Pathconf => 1,
            Self::Setattr
            | Self::Write
            | Self::Create
            | Self::Mkdir
            | Self::Symlink
            | Self::Mknod
            | Self::Remove
            | Self::Rmdir
            | Self::Commit => 2,
            Self::Link => 3,
            Self::Rename => 4,
        };
        let need = words.checked_add(1).and_then(|w| w.checked_mul(4));
        if need.is_none_or(|n| n > enc.remaining()) {
            return Err(XdrError::NoSpace);
        }
        status.encode(enc)?;
        for _ in 0..words {
            enc.bool(false)?;
        }
        Ok(())
    }
}

/// GETATTR result.
pub type GetattrRes = Nfs3Res<Fattr3, ()>;
/// SETATTR result.
pub type SetattrRes = Nfs3Res<WccData, WccData>;
/// LOOKUP result.
pub type LookupRes<'a> = Nfs3Res<LookupOk<'a>, PostOpAttr>;
/// ACCESS result.
pub type AccessRes = Nfs3Res<AccessOk, PostOpAttr>;
/// READ result.
pub type ReadRes<'a> = Nfs3Res<ReadOk<'a>, PostOpAttr>;
/// WRITE result.
pub type WriteRes = Nfs3Res<WriteOk, WccData>;
/// CREATE result.
pub type CreateRes<'a> = Nfs3Res<CreateOk<'a>, WccData>;
/// MKDIR result (same shape as CREATE).
pub type MkdirRes<'a> = Nfs3Res<CreateOk<'a>, WccData>;
/// REMOVE result.
pub type RemoveRes = Nfs3Res<WccData, WccData>;
/// RMDIR result.
pub type RmdirRes = Nfs3Res<WccData, WccData>;
/// RENAME result.
pub type RenameRes = Nfs3Res<RenameWcc, RenameWcc>;
/// READDIR result.
pub type ReaddirRes<'a> = Nfs3Res<ReaddirOk<'a>, PostOpAttr>;
/// READDIRPLUS result.
pub type ReaddirplusRes<'a> = Nfs3Res<ReaddirplusOk<'a>, PostOpAttr>;
/// FSSTAT result.
pub type FsstatRes = Nfs3Res<FsstatOk, PostOpAttr>;
/// FSINFO result.
pub type FsinfoRes = Nfs3Res<FsinfoOk, PostOpAttr>;
/// PATHCONF result.
pub type PathconfRes = Nfs3Res<PathconfOk, PostOpAttr>;
/// COMMIT result.
pub type CommitRes = Nfs3Res<CommitOk, WccData>;

xdr_struct! {
    /// LOOKUP resok.
    pub struct LookupOk<'a> {
        /// Handle of the object found.
        pub object: Fh3<'a>,
        /// Its attributes.
        pub obj_attributes: PostOpAttr,
        /// The directory's attributes.
        pub dir_attributes: PostOpAttr,
    }
}

xdr_struct! {
    /// ACCESS resok.
    pub struct AccessOk {
        /// The object's attributes.
        pub obj_attributes: PostOpAttr,
        /// `ACCESS3_*` bits granted.
        pub access: u32,
    }
}

/// READ resok. For sending the data without copying it, see
/// [`encode_read_ok_header`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadOk<'a> {
    /// The file's attributes.
    pub file_attributes: PostOpAttr,
    /// Bytes read.
    pub count: u32,
    /// The read reached the end of the file.
    pub eof: bool,
    /// The data.
    pub data: &'a [u8],
}

impl<'a> Decode<'a> for ReadOk<'a> {
    fn decode(dec: &mut Decoder<'a>) -> XdrResult<Self> {
        Ok(Self {
            file_attributes: dec.decode()?,
            count: dec.u32()?,
            eof: dec.bool()?,
            data: dec.opaque(usize::MAX)?,
        })
    }
}

impl Encode for ReadOk<'_> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        self.file_attributes.encode(enc)?;
        enc.u32(self.count)?;
        enc.bool(self.eof)?;
        enc.opaque(self.data, usize::MAX)
    }
}

/// Writes the head of a successful READ result: status NFS3_OK, the
/// attributes, `count`, `eof` and the data's length word (= `count`).
/// The caller then sends `count` bytes of data and
/// [`padding_for`](super::xdr::padding_for)`(count)`; the record length
/// covers all three parts.
pub fn encode_read_ok_header(
    enc: &mut Encoder<'_>,
    file_attributes: &PostOpAttr,
    count: u32,
    eof: bool,
) -> XdrResult<()> {
    Nfsstat3::Ok.encode(enc)?;
    file_attributes.encode(enc)?;
    enc.u32(count)?;
    enc.bool(eof)?;
    enc.u32(count)
}

xdr_struct! {
    /// WRITE resok.
    pub struct WriteOk {
        /// The file's attributes around the write.
        pub file_wcc: WccData,
        /// Bytes written.
        pub count: u32,
        /// How far they were committed.
        pub committed: StableHow,
        /// Write verifier (changes when the server loses uncommitted data).
        pub verf: [u8; WRITEVERFSIZE],
    }
}

xdr_struct! {
    /// CREATE and MKDIR resok.
    pub struct CreateOk<'a> {
        /// Handle of the new object.
        pub obj: PostOpFh3<'a>,
        /// Its attributes.
        pub obj_attributes: PostOpAttr,
        /// The directory's attributes around the operation.
        pub dir_wcc: WccData,
    }
}

xdr_struct! {
    /// RENAME resok and resfail.
    pub struct RenameWcc {
        /// Source directory.
        pub fromdir_wcc: WccData,
        /// Target directory.
        pub todir_wcc: WccData,
    }
}

xdr_struct! {
    /// FSSTAT resok.
    pub struct FsstatOk {
        /// The root's attributes.
        pub obj_attributes: PostOpAttr,
        /// Total bytes.
        pub tbytes: u64,
        /// Free bytes.
        pub fbytes: u64,
        /// Free bytes available to the user.
        pub abytes: u64,
        /// Total file slots.
        pub tfiles: u64,
        /// Free file slots.
        pub ffiles: u64,
        /// Free file slots available to the user.
        pub afiles: u64,
        /// Seconds for which this is not expected to change.
        pub invarsec: u32,
    }
}

xdr_struct! {
    /// FSINFO resok.
    pub struct FsinfoOk {
        /// The root's attributes.
        pub obj_attributes: PostOpAttr,
        /// Maximum READ size.
        pub rtmax: u32,
        /// Preferred READ size.
        pub rtpref: u32,
        /// Suggested READ multiple.
        pub rtmult: u32,
        /// Maximum WRITE size.
        pub wtmax: u32,
        /// Preferred WRITE size.
        pub wtpref: u32,
        /// Suggested WRITE multiple.
        pub wtmult: u32,
        /// Preferred READDIR size.
        pub dtpref: u32,
        /// Maximum file size.
        pub maxfilesize: u64,
        /// Server time granularity.
        pub time_delta: NfsTime3,
        /// `FSF3_*` bits.
        pub properties: u32,
    }
}

xdr_struct! {
    /// PATHCONF resok.
    pub struct PathconfOk {
        /// The object's attributes.
        pub obj_attributes: PostOpAttr,
        /// Maximum hard links.
        pub linkmax: u32,
        /// Maximum name length.
        pub name_max: u32,
        /// Long names are rejected, not truncated.
        pub no_trunc: bool,
        /// Only a privileged user can change owners.
        pub chown_restricted: bool,
        /// Names are case-insensitive.
        pub case_insensitive: bool,
        /// Names keep their case.
        pub case_preserving: bool,
    }
}

xdr_struct! {
    /// COMMIT resok.
    pub struct CommitOk {
        /// The file's attributes around the commit.
        pub file_wcc: WccData,
        /// Write verifier.
        pub verf: [u8; WRITEVERFSIZE],
    }
}

/// `entry3`: a READDIR entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry3<'a> {
    /// File id.
    pub fileid: u64,
    /// Name (at most [`MAX_NAME_LEN`] bytes).
    pub name: &'a [u8],
    /// Cookie to continue after this entry.
    pub cookie: u64,
}

impl<'a> Decode<'a> for Entry3<'a> {
    fn decode(dec: &mut Decoder<'a>) -> XdrResult<Self> {
        decode_entry_head(dec)
    }
}

impl Encode for Entry3<'_> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        encode_entry_head(enc, self)
    }
}

/// Decodes the part every directory entry starts with: fileid, name,
/// cookie (all of `entry3`, the head of `entryplus3`).
fn decode_entry_head<'a>(dec: &mut Decoder<'a>) -> XdrResult<Entry3<'a>> {
    Ok(Entry3 {
        fileid: dec.u64()?,
        name: decode_name(dec)?,
        cookie: dec.u64()?,
    })
}

/// Encodes the part every directory entry starts with: fileid, name,
/// cookie.
fn encode_entry_head(enc: &mut Encoder<'_>, head: &Entry3<'_>) -> XdrResult<()> {
    enc.u64(head.fileid)?;
    encode_name(enc, head.name)?;
    enc.u64(head.cookie)
}

/// `entryplus3`: a READDIRPLUS entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryPlus3<'a> {
    /// File id.
    pub fileid: u64,
    /// Name (at most [`MAX_NAME_LEN`] bytes).
    pub name: &'a [u8],
    /// Cookie to continue after this entry.
    pub cookie: u64,
    /// The entry's attributes.
    pub name_attributes: PostOpAttr,
    /// The entry's handle.
    pub name_handle: PostOpFh3<'a>,
}

impl<'a> EntryPlus3<'a> {
    /// The fileid, name and cookie, as an [`Entry3`].
    pub fn head(&self) -> Entry3<'a> {
        Entry3 {
            fileid: self.fileid,
            name: self.name,
            cookie: self.cookie,
        }
    }
}

impl<'a> Decode<'a> for EntryPlus3<'a> {
    fn decode(dec: &mut Decoder<'a>) -> XdrResult<Self> {
        let head = decode_entry_head(dec)?;
        Ok(Self {
            fileid: head.fileid,
            name: head.name,
            cookie: head.cookie,
            name_attributes: dec.decode()?,
            name_handle: dec.decode()?,
        })
    }
}

impl Encode for EntryPlus3<'_> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        encode_entry_head(enc, &self.head())?;
        self.name_attributes.encode(enc)?;
        self.name_handle.encode(enc)
    }
}

/// Bytes of "directory information" (fileid, name, cookie) an entry with
/// `name` counts against READDIRPLUS's `dircount`.
fn dir_info_len(name: &[u8]) -> Option<usize> {
    super::xdr::opaque_wire_len(name.len())?.checked_add(16)
}

/// A validated list of directory entries borrowed from the wire (the
/// `entry3 *` / `entryplus3 *` chain without its terminating FALSE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirEntries<'a, E> {
    raw: &'a [u8],
    entry: PhantomData<E>,
}

impl<'a, E: Decode<'a>> DirEntries<'a, E> {
    /// No entries.
    pub const EMPTY: Self = Self {
        raw: &[],
        entry: PhantomData,
    };

    /// Iterates over the entries.
    pub fn iter(&self) -> DirEntryIter<'a, E> {
        DirEntryIter {
            dec: Decoder::new(self.raw),
            entry: PhantomData,
        }
    }

    /// True when there is no entry.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Decodes entries up to and including the terminating FALSE.
    fn decode_list(dec: &mut Decoder<'a>) -> XdrResult<Self> {
        let buf = dec.buffer();
        let start = dec.position();
        loop {
            let end = dec.position();
            if !dec.bool()? {
                let raw = buf.get(start..end).ok_or(XdrError::Short)?;
                return Ok(Self {
                    raw,
                    entry: PhantomData,
                });
            }
            E::decode(dec)?;
        }
    }

    /// Encodes the entries and the terminating FALSE.
    fn encode_list(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        enc.put(self.raw)?;
        enc.bool(false)
    }
}

/// Iterator over [`DirEntries`].
#[derive(Clone, Debug)]
pub struct DirEntryIter<'a, E> {
    dec: Decoder<'a>,
    entry: PhantomData<E>,
}

impl<'a, E: Decode<'a>> Iterator for DirEntryIter<'a, E> {
    type Item = E;

    fn next(&mut self) -> Option<E> {
        if !self.dec.bool().ok()? {
            return None;
        }
        E::decode(&mut self.dec).ok()
    }
}

/// READDIR / READDIRPLUS resok ([`ReaddirOk`], [`ReaddirplusOk`]). Build
/// one for sending with [`DirListEncoder`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirListOk<'a, E> {
    /// The directory's attributes.
    pub dir_attributes: PostOpAttr,
    /// Verifier for the cookies.
    pub cookieverf: [u8; COOKIEVERFSIZE],
    /// The entries.
    pub entries: DirEntries<'a, E>,
    /// The last entry is the directory's last.
    pub eof: bool,
}

/// READDIR resok. Build one for sending with [`ReaddirEncoder`].
pub type ReaddirOk<'a> = DirListOk<'a, Entry3<'a>>;
/// READDIRPLUS resok. Build one for sending with [`ReaddirplusEncoder`].
pub type ReaddirplusOk<'a> = DirListOk<'a, EntryPlus3<'a>>;

impl<'a, E: Decode<'a>> Decode<'a> for DirListOk<'a, E> {
    fn decode(dec: &mut Decoder<'a>) -> XdrResult<Self> {
        Ok(Self {
            dir_attributes: dec.decode()?,
            cookieverf: dec.array()?,
            entries: DirEntries::decode_list(dec)?,
            eof: dec.bool()?,
        })
    }
}

impl<'a, E: Decode<'a>> Encode for DirListOk<'a, E> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        self.dir_attributes.encode(enc)?;
        enc.opaque_fixed(&self.cookieverf)?;
        self.entries.encode_list(enc)?;
        enc.bool(self.eof)
    }
}

/// Size of the list terminator and `eof` that end a directory listing.
const LIST_TRAILER: usize = 8;

/// The kind of listing a [`DirListEncoder`] writes: [`Readdir`] or
/// [`Readdirplus`].
pub trait DirListKind {
    /// The listing's entry type.
    type Entry<'a>: Encode;

    /// The entry's name.
    fn name<'n>(entry: &'n Self::Entry<'_>) -> &'n [u8];
}

/// READDIR listings: [`Entry3`] entries.
#[derive(Debug)]
pub enum Readdir {}

impl DirListKind for Readdir {
    type Entry<'a> = Entry3<'a>;

    fn name<'n>(entry: &'n Entry3<'_>) -> &'n [u8] {
        entry.name
    }
}

/// READDIRPLUS listings: [`EntryPlus3`] entries.
#[derive(Debug)]
pub enum Readdirplus {}

impl DirListKind for Readdirplus {
    type Entry<'a> = EntryPlus3<'a>;

    fn name<'n>(entry: &'n EntryPlus3<'_>) -> &'n [u8] {
        entry.name
    }
}

/// Writes a successful READDIR or READDIRPLUS result entry by entry
/// ([`ReaddirEncoder`], [`ReaddirplusEncoder`]).
///
/// The whole result (status word included) stays within the client's
/// `count` / `maxcount` and the buffer, and for READDIRPLUS the entries'
/// fileid, name and cookie within `dircount`; an entry that would not fit
/// is not written and [`DirListEncoder::push`] returns `Ok(false)`. If not
/// even the first entry fits, call [`DirListEncoder::abandon`] and answer
/// NFS3ERR_TOOSMALL with [`Nfs3Proc::encode_error`].
#[derive(Debug)]
pub struct DirListEncoder<'e, 'b, K> {
    enc: &'e mut Encoder<'b>,
    /// Position of the status word.
    start: usize,
    /// The reply body must end at or before this position.
    limit: usize,
    /// Directory-information bytes still allowed.
    dir_left: usize,
    entries: u32,
    kind: PhantomData<K>,
}

/// Writes a successful READDIR result; see [`DirListEncoder`].
pub type ReaddirEncoder<'e, 'b> = DirListEncoder<'e, 'b, Readdir>;
/// Writes a successful READDIRPLUS result; see [`DirListEncoder`].
pub type ReaddirplusEncoder<'e, 'b> = DirListEncoder<'e, 'b, Readdirplus>;

impl<'e, 'b> DirListEncoder<'e, 'b, Readdir> {
    /// Writes status NFS3_OK, the directory attributes and the verifier.
    /// [`XdrError::NoSpace`] (with nothing written) if that and the list
    /// trailer do not fit the buffer.
    pub fn new(
        enc: &'e mut Encoder<'b>,
        dir_attributes: &PostOpAttr,
        cookieverf: [u8; COOKIEVERFSIZE],
        count: u32,
    ) -> XdrResult<Self> {
        Self::begin(enc, dir_attributes, cookieverf, u32::MAX, count)
    }
}

impl<'e, 'b> DirListEncoder<'e, 'b, Readdirplus> {
    /// Writes status NFS3_OK, the directory attributes and the verifier.
    /// [`XdrError::NoSpace`] (with nothing written) if that and the list
    /// trailer do not fit the buffer.
    pub fn new(
        enc: &'e mut Encoder<'b>,
        dir_attributes: &PostOpAttr,
        cookieverf: [u8; COOKIEVERFSIZE],
        dircount: u32,
        maxcount: u32,
    ) -> XdrResult<Self> {
        Self::begin(enc, dir_attributes, cookieverf, dircount, maxcount)
    }
}

impl<'e, 'b, K: DirListKind> DirListEncoder<'e, 'b, K> {
    fn begin(
        enc: &'e mut Encoder<'b>,
        dir_attributes: &PostOpAttr,
        cookieverf: [u8; COOKIEVERFSIZE],
        dircount: u32,
        maxcount: u32,
    ) -> XdrResult<Self> {
        let start = enc.position();
        let head = |enc: &mut Encoder<'_>| -> XdrResult<()> {
            Nfsstat3::Ok.encode(enc)?;
            dir_attributes.encode(enc)?;
            enc.opaque_fixed(&cookieverf)?;
            if enc.remaining() < LIST_TRAILER {
                return Err(XdrError::NoSpace);
            }
            Ok(())
        };
        if let Err(e) = head(enc) {
            enc.truncate(start);
            return Err(e);
        }
        let max = usize::try_from(maxcount).unwrap_or(usize::MAX);
        let limit = start.saturating_add(max).min(enc.capacity());
        Ok(Self {
            enc,
            start,
            limit,
            dir_left: usize::try_from(dircount).unwrap_or(usize::MAX),
            entries: 0,
            kind: PhantomData,
        })
    }

    /// Appends an entry if it fits: `Ok(true)` if written, `Ok(false)` if
    /// it does not fit (nothing written), [`XdrError::TooLong`] for a name
    /// over [`MAX_NAME_LEN`] (nothing written).
    pub fn push(&mut self, entry: &K::Entry<'_>) -> XdrResult<bool> {
        let dir_bytes = dir_info_len(K::name(entry)).ok_or(XdrError::TooLong)?;
        if dir_bytes > self.dir_left {
            return Ok(false);
        }
        let save = self.enc.position();
        let r = self.enc.bool(true).and_then(|()| entry.encode(self.enc));
        let fits = match r {
            Ok(()) => self
                .enc
                .position()
                .checked_add(LIST_TRAILER)
                .is_some_and(|end| end <= self.limit),
            Err(XdrError::NoSpace) => false,
            Err(e) => {
                self.enc.truncate(save);
                return Err(e);
            }
        };
        if !fits {
            self.enc.truncate(save);
            return Ok(false);
        }
        self.dir_left = self.dir_left.saturating_sub(dir_bytes);
        self.entries = self.entries.saturating_add(1);
        Ok(true)
    }

    /// Number of entries written.
    pub fn entries(&self) -> u32 {
        self.entries
    }

    /// Terminates the list and writes `eof`; returns the length of the
    /// result from its status word.
    pub fn finish(self, eof: bool) -> XdrResult<usize> {
        self.enc.bool(false)?;
        self.enc.bool(eof)?;
        Ok(self.enc.position().saturating_sub(self.start))
    }

    /// Removes everything this encoder wrote; returns the position of the
    /// status word, where the encoder is now.
    pub fn abandon(self) -> usize {
        self.enc.truncate(self.start);
        self.start
    }
}
