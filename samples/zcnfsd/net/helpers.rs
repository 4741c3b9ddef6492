// SPDX-License-Identifier: GPL-2.0

//! The one place that declares the functions net/ calls outside the kernel
//! crate's bindings, with the constants it mirrors:
//!
//! - the wrappers of `zcnfsd_net.c` (declared in `zcnfsd_net.h`), one per
//!   `static inline` function or macro of the networking headers that the
//!   socket layer uses (`struct sock` is opaque in the bindings, so its
//!   fields are read and written there too);
//! - exported functions of the kernel whose headers (`net/sock.h`,
//!   `linux/tcp.h`, `net/route.h`) are not among those the bindings are
//!   made from, declared here as their headers declare them;
//!   `zcnfsd_net.c` checks each signature against the C declaration at
//!   build time (`ZCNFSD_SAME_TYPE`), so keep the two in step. (zcvfs's
//!   own functions are declared in the shared API, `rust/api/bindings.rs`.)
//!
//! No code: each abstraction calls these under its own `// SAFETY:`.

use kernel::bindings;
use kernel::ffi::{c_int, c_long, c_uint};

/// `RTN_LOCAL` (`uapi/linux/rtnetlink.h`; `ZCNFSD_RTN_LOCAL`, checked
/// against the kernel's at build time in `zcnfsd_net.c`).
pub(super) const RTN_LOCAL: c_uint = 2;

// Pointers to opaque kernel structures: some bindgen types contain
// zero-length arrays, which the lint flags although only pointers cross.
#[allow(improper_ctypes)]
extern "C" {
    // zcnfsd_net.c: static inline functions and macros of the kernel.
    pub(super) fn zcnfsd_sock_net(sk: *const bindings::sock) -> *mut bindings::net;
    pub(super) fn zcnfsd_sk_daddr(sk: *const bindings::sock) -> u32;
    pub(super) fn zcnfsd_sk_set_rcvtimeo(sk: *mut bindings::sock, timeo: c_long);
    pub(super) fn zcnfsd_sk_set_sndtimeo(sk: *mut bindings::sock, timeo: c_long);
    pub(super) fn zcnfsd_sk_route_caps(sk: *const bindings::sock) -> u64;
    pub(super) fn zcnfsd_sendpages_ok(page: *mut bindings::page, len: usize, offset: usize)
        -> bool;
    pub(super) fn zcnfsd_skb_shinfo(
        skb: *const bindings::sk_buff,
    ) -> *mut bindings::skb_shared_info;
    pub(super) fn zcnfsd_skb_zcopy(skb: *mut bindings::sk_buff) -> *mut bindings::ubuf_info;
    pub(super) fn zcnfsd_skb_zcopy_managed(skb: *const bindings::sk_buff) -> bool;
    pub(super) fn zcnfsd_skb_zcopy_init(
        skb: *mut bindings::sk_buff,
        uarg: *mut bindings::ubuf_info,
    );
    pub(super) fn zcnfsd_skb_fill_page_desc_noacc(
        shinfo: *mut bindings::skb_shared_info,
        i: c_int,
        page: *mut bindings::page,
        off: c_int,
        size: c_int,
    );

    // Exported by the kernel, declared in headers the bindings lack.
    pub(super) fn sock_set_reuseaddr(sk: *mut bindings::sock);
    pub(super) fn sock_no_linger(sk: *mut bindings::sock);
    pub(super) fn tcp_sock_set_nodelay(sk: *mut bindings::sock);
    pub(super) fn inet_addr_type(net: *mut bindings::net, addr: u32) -> c_uint;

}
