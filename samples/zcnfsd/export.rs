// SPDX-License-Identifier: GPL-2.0

//! The export: the directory given by `export_path`, the name clients
//! mount it by, and its file handles.

#![deny(unsafe_code)]

use crate::file_handle::FileHandle;
use crate::proto::nfs3::Nfsstat3;
use crate::vfs::dentry::{Dentry, Dir, ObjType};
use crate::vfs::path::{export_path_param, ExportPath};
use kernel::prelude::*;
use kernel::sync::aref::ARef;

/// The one export of this server.
pub(crate) struct Export {
    /// The exported directory (mount and dentry).
    pub(crate) path: ExportPath,
    /// Its name as clients give it to MNT (the `export_path` parameter,
    /// without trailing slashes).
    name: KVec<u8>,
    /// The exported directory.
    root: ARef<Dentry>,
    /// Its file system's id (in every handle).
    fsid: u64,
    /// Handle of the exported directory.
    root_fh: FileHandle,
}

/// Identifies this export in its file handles.
pub(crate) const EXPORT_ID: u8 = 1;

impl Export {
    /// Opens the `export_path` directory: `EINVAL` (with a log line) if the
    /// parameter is missing or not a directory, or if its file system
    /// cannot decode file handles (no export operations).
    pub(crate) fn open() -> Result<Export> {
        let Some(param) = export_path_param() else {
            pr_err!("export_path=DIR is required\n");
            return Err(EINVAL);
        };
        let path = ExportPath::open().map_err(|e| {
            pr_err!("export_path {:?} is not a directory ({:?})\n", param, e);
            EINVAL
        })?;
        let mut name = KVec::new();
        name.extend_from_slice(trim_slashes(param.to_bytes()), GFP_KERNEL)?;
        let root = path.root()?;
        let fsid = path.getattr(&root)?.fsid;
        let fid = root.encode_fid().map_err(|e| {
            pr_err!(
                "export_path {:?}: its file system cannot make file handles ({:?})\n",
                param,
                e
            );
            EINVAL
        })?;
        Ok(Export {
            path,
            name,
            root,
            fsid,
            root_fh: FileHandle::new(fsid, &fid),
        })
    }

    /// The name clients mount.
    pub(crate) fn name(&self) -> &[u8] {
        &self.name
    }

    /// Whether a MNT `dirpath` names this export.
    pub(crate) fn matches(&self, dirpath: &[u8]) -> bool {
        trim_slashes(dirpath) == self.name.as_slice()
    }

    /// The exported directory's handle.
    pub(crate) fn root_fh(&self) -> &FileHandle {
        &self.root_fh
    }

    /// The dentry a handle names, or why not (STALE, BADHANDLE; JUKEBOX
    /// when memory is short). With `want`, the object must be of that
    /// type, as NFSD's `fh_verify(type)` requires: a regular file
    /// (NFS3ERR_ISDIR for a directory, NFS3ERR_INVAL for another type) or
    /// a directory (NFS3ERR_NOTDIR; [`Export::resolve_dir`]). Every
    /// procedure takes its objects from here, with the type it uses them
    /// as.
    pub(crate) fn resolve(
        &self,
        fh: &[u8],
        want: Option<ObjType>,
    ) -> core::result::Result<ARef<Dentry>, Nfsstat3> {
        let fid = FileHandle::parse(fh, self.fsid)?;
        let d = self.path.decode_fid(&fid).map_err(|e| {
            if e == ENOMEM {
                Nfsstat3::Jukebox
            } else {
                Nfsstat3::Stale
            }
        })?;
        if let Some(t) = want {
            d.check_type(t).map_err(crate::attrs::nfsstat)?;
        }
        Ok(d)
    }

    /// The directory a handle names: NFS3ERR_NOTDIR if it names anything
    /// else (a regular file, a symlink), as well as [`Export::resolve`]'s
    /// errors.
    pub(crate) fn resolve_dir(&self, fh: &[u8]) -> core::result::Result<Dir, Nfsstat3> {
        Dir::new(self.resolve(fh, None)?).map_err(crate::attrs::nfsstat)
    }

    /// The handle of `d`, an object of the export.
    pub(crate) fn handle_for(&self, d: &Dentry) -> Result<FileHandle> {
        Ok(FileHandle::new(self.fsid, &d.encode_fid()?))
    }

    /// Whether `d` is the exported directory.
    pub(crate) fn is_root(&self, d: &Dentry) -> bool {
        d.same(&self.root)
    }
}

/// `p` without trailing slashes (but `/` stays `/`).
fn trim_slashes(mut p: &[u8]) -> &[u8] {
    while p.len() > 1 && p.ends_with(b"/") {
        p = p.get(..p.len() - 1).unwrap_or(p);
    }
    p
}
