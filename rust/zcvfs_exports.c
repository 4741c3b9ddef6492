// SPDX-License-Identifier: GPL-2.0
/*
 * The exported C ABI of zcvfs.ko (include/zcvfs/zcvfs.h).  The functions
 * are implemented in Rust (rust/ffi_exports.rs, `#[no_mangle] extern "C"`)
 * and exported here, together with the build-time layout checks that the
 * Rust side repeats (rust/api/bindings.rs).
 */

#include <linux/module.h>
#include <linux/stddef.h>
#include <linux/bvec.h>
#include <zcvfs/zcvfs.h>

static_assert(offsetof(struct xuio, xu_uio) == 0);
static_assert(offsetof(struct uio, uio_iovcnt) == XUIO_OFF_ITER_COUNT);
static_assert(offsetof(struct uio, uio_loffset) == XUIO_OFF_LOFFSET);
static_assert(offsetof(struct uio, uio_resid) == XUIO_OFF_RESID);
static_assert(offsetof(struct uio, uio_extflag) == XUIO_OFF_EXTFLAG);
static_assert(offsetof(struct xuio, xu_type) == XUIO_OFF_TYPE);
static_assert(offsetof(struct xuio, xu_ext) == XUIO_OFF_EXT);
static_assert(offsetof(struct xuio, xu_ext.xu_zc.xu_zc_priv) == XUIO_OFF_ZC_PRIV);
static_assert(offsetof(struct xuio, xu_ext.xu_zc.xu_zc_loan) == XUIO_OFF_ZC_LOAN);
static_assert(sizeof(struct xuio) == XUIO_SIZE);
static_assert(sizeof(struct xuio_aio) == 64);
static_assert(sizeof(struct zcvfs_fem_arg) == 56);
static_assert(sizeof(struct zcvfs_provider_ops) == 32);
static_assert(sizeof(struct zcvfs_monitor_ops) == 48);
static_assert(sizeof(enum uio_rw) == 4);

EXPORT_SYMBOL_GPL(fop_reqzcbuf);
EXPORT_SYMBOL_GPL(fop_retzcbuf);
EXPORT_SYMBOL_GPL(fop_read_xuio);
EXPORT_SYMBOL_GPL(fop_reqzcbuf_read);
EXPORT_SYMBOL_GPL(fop_write_xuio);
EXPORT_SYMBOL_GPL(fop_truncate);
EXPORT_SYMBOL_GPL(zcvfs_xuio_alloc);
EXPORT_SYMBOL_GPL(zcvfs_xuio_free);
EXPORT_SYMBOL_GPL(zcvfs_register_provider);
EXPORT_SYMBOL_GPL(zcvfs_unregister_provider);
EXPORT_SYMBOL_GPL(zcvfs_sb_set_features);
EXPORT_SYMBOL_GPL(zcvfs_sb_clear_features);
EXPORT_SYMBOL_GPL(vfs_has_feature);
EXPORT_SYMBOL_GPL(zcvfs_vnext);
EXPORT_SYMBOL_GPL(zcvfs_monitor_install);
EXPORT_SYMBOL_GPL(zcvfs_monitor_uninstall);
/* The bio_vec helpers (rust/vfs.rs), for providers, consumers and tests. */
EXPORT_SYMBOL_GPL(zcvfs_bvec_total);
EXPORT_SYMBOL_GPL(zcvfs_bvec_iter);
EXPORT_SYMBOL_GPL(zcvfs_bvec_copy_from);
EXPORT_SYMBOL_GPL(zcvfs_bvec_copy_to);
EXPORT_SYMBOL_GPL(zcvfs_bvec_zero);
