// SPDX-License-Identifier: GPL-2.0

//! zcvfs_test: the kselftests' window into zcvfs.
//!
//! A misc device, `/dev/zcvfs_test`, whose ioctls
//! (`../test_ioctl.h`, mirrored in `test_ioctl.rs`) run zero-copy sequences on a file
//! descriptor: raw C-ABI calls on numbered xuio slots (also the wrong
//! sequences: double return, write after return, read of a write loan, ...),
//! the safe Rust consumer API end to end, plain xuio I/O, the sample
//! monitors, the test provider (zero-copy on one chosen super_block), and
//! the micro benchmark of `make bench` (`bench.rs`).
//!
//! Everything an open of the device created is undone when it is closed:
//! outstanding loans are returned, monitors uninstalled.

use kernel::fs::File;
use kernel::ioctl::_IOC_SIZE;
use kernel::miscdevice::{MiscDevice, MiscDeviceOptions, MiscDeviceRegistration};
use kernel::new_mutex;
use kernel::prelude::*;
use kernel::sync::{aref::ARef, Arc, Mutex};
use kernel::uaccess::{UserPtr, UserSlice};

// The shared API, compiled into each module; `--cfg zcvfs_test_api` and
// `--cfg zcvfs_role_monitor` (set by the Kbuild) select the parts the tests
// use.
#[path = "../../../../../rust/api/mod.rs"]
mod zcvfs_api;

mod bench;
mod monitors;
mod provider;
mod test_ioctl;

#[path = "zcvfs_test_ffi.rs"]
mod ffi;

use monitors::{CountMonitor, VetoMonitor};
use test_ioctl::*;
use zcvfs_api::consumer::{ReadData, ReadLoan, WriteLoan};
use zcvfs_api::fop::VFSFT_ZEROCOPY_SUPPORTED;
use zcvfs_api::fop::{self, CallerContext, PageBuf};
use zcvfs_api::monitor::MonitorHandle;
use zcvfs_api::xuio::{AioState, Rw, Xuio, ZcState};

module! {
    type: ZcvfsTest,
    name: "zcvfs_test",
    authors: ["zcvfs developers"],
    description: "zcvfs test driver and test provider (kselftests only)",
    license: "GPL",
}

/// Identifies the test driver to monitors.
static CT: CallerContext = CallerContext::new(c"zcvfs_test", 1);

fn this_module() -> &'static ThisModule {
    &<ZcvfsTest as kernel::ModuleMetadata>::THIS_MODULE
}

const SLOTS: usize = 8;
const MAX_BUF: usize = 1 << 20;

impl Req {
    fn set(&mut self, r: Result<usize>) {
        self.result = match r {
            // Byte counts are far below `i64::MAX`.
            Ok(n) => n as i64,
            Err(e) => i64::from(e.to_errno()),
        };
    }

    fn user_buf(&self) -> Result<(UserPtr, usize)> {
        let len = usize::try_from(self.buf_len).map_err(|_| EINVAL)?;
        if len > MAX_BUF {
            return Err(EINVAL);
        }
        Ok((UserPtr::from_addr(self.buf as usize), len))
    }
}

/// A raw xuio slot: the xuio and the file of its last request.
struct Slot {
    xuio: Xuio,
    file: Option<ARef<File>>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        // Return a loan the test left outstanding.
        if matches!(
            self.xuio.zc_state(),
            Some(ZcState::Loaned | ZcState::Filled | ZcState::Written)
        ) {
            if let Some(f) = &self.file {
                let _ = fop::retzcbuf(f, &mut self.xuio, Some(&CT));
            }
        }
    }
}

enum Installed {
    Count(MonitorHandle<CountMonitor>),
    Veto(MonitorHandle<VetoMonitor>),
}

impl Installed {
    fn id(&self) -> i64 {
        match self {
            Installed::Count(h) => h.id(),
            Installed::Veto(h) => h.id(),
        }
    }

    fn counts(&self) -> [i64; 8] {
        match self {
            Installed::Count(h) => h.monitor().counts.values(),
            Installed::Veto(h) => h.monitor().counts.values(),
        }
    }
}

struct Inner {
    slots: [Option<Slot>; SLOTS],
    monitors: KVec<Installed>,
}

/// One open of `/dev/zcvfs_test`.
#[pin_data]
struct TestDev {
    #[pin]
    inner: Mutex<Inner>,
}

#[vtable]
impl MiscDevice for TestDev {
    type Ptr = Pin<KBox<Self>>;

    fn open(_file: &File, _misc: &MiscDeviceRegistration<Self>) -> Result<Pin<KBox<Self>>> {
        KBox::try_pin_init(
            try_pin_init!(TestDev {
                inner <- new_mutex!(Inner {
                    slots: [const { None }; SLOTS],
                    monitors: KVec::new(),
                }),
            }),
            GFP_KERNEL,
        )
    }

    fn ioctl(me: Pin<&TestDev>, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        if _IOC_SIZE(cmd) != size_of::<Req>() {
            return Err(ENOTTY);
        }
        let (mut reader, mut writer) =
            UserSlice::new(UserPtr::from_addr(arg), size_of::<Req>()).reader_writer();
        // The outputs start cleared, whatever the caller left in them.
        let mut req = Req {
            result: 0,
            out: [0; OUT],
            reserved: 0,
            ..reader.read()?
        };
        let mut inner = me.inner.lock();
        match cmd {
            ZT_PROVIDER_ENABLE => provider_enable(&mut req)?,
            ZT_PROVIDER_DISABLE => {
                ffi::PROVIDER.lock().disable();
                req.set(Ok(0));
            }
            ZT_HAS_FEATURE => {
                let f = ffi::fget(req.fd)?;
                req.set(Ok(usize::from(fop::zerocopy_supported(&f))));
            }
            ZT_REQ => raw_req(&mut inner, &mut req)?,
            ZT_READ | ZT_WRITE | ZT_RET => raw_io(&mut inner, cmd, &mut req)?,
            ZT_PEEK | ZT_FILL => raw_data(&mut inner, cmd == ZT_FILL, &mut req)?,
            ZT_STATE => raw_state(&mut inner, &mut req)?,
            ZT_SLOT_FREE => {
                let s = slot_index(&req)?;
                inner.slots[s] = None;
                req.set(Ok(0));
            }
            ZT_PLAIN_READ | ZT_PLAIN_WRITE => plain(cmd == ZT_PLAIN_WRITE, &mut req)?,
            ZT_LOAN_READ => loan_read(&mut req)?,
            ZT_LOAN_WRITE => loan_write(&mut req)?,
            ZT_C_READ => c_read(&mut req)?,
            ZT_MON_INSTALL => mon_install(&mut inner, &mut req)?,
            ZT_MON_UNINSTALL => {
                let r = match inner.monitors.iter().position(|m| m.id() == req.arg) {
                    // Dropping the handle uninstalls the monitor.
                    Some(i) => inner.monitors.remove(i).map(|_| 0).map_err(|_| ENOENT),
                    None => Err(ENOENT),
                };
                req.set(r);
            }
            ZT_MON_COUNTS => {
                let m = inner
                    .monitors
                    .iter()
                    .find(|m| m.id() == req.arg)
                    .ok_or(ENOENT)?;
                req.out.copy_from_slice(&m.counts());
                req.set(Ok(0));
            }
            ZT_TRUNCATE => {
                let f = ffi::fget(req.fd)?;
                req.set(fop::truncate(&f, req.length, Some(&CT)).map(|()| 0));
            }
            ZT_BENCH_READ => bench_read(&mut req)?,
            _ => return Err(ENOTTY),
        }
        drop(inner);
        writer.write(&req)?;
        Ok(0)
    }
}

fn slot_index(req: &Req) -> Result<usize> {
    usize::try_from(req.slot)
        .ok()
        .filter(|s| *s < SLOTS)
        .ok_or(EINVAL)
}

fn provider_enable(req: &mut Req) -> Result {
    let f = ffi::fget(req.fd)?;
    let max = if req.arg > 0 {
        req.arg as u64
    } else {
        provider::DEFAULT_MAX_LOAN
    };
    req.set(
        ffi::PROVIDER
            .lock()
            .enable(&f, this_module(), max)
            .map(|()| 0),
    );
    Ok(())
}

fn raw_req(inner: &mut Inner, req: &mut Req) -> Result {
    let s = slot_index(req)?;
    let f = ffi::fget(req.fd)?;
    let rw = match req.rw {
        0 => Rw::Read,
        1 => Rw::Write,
        // An invalid direction goes to zcvfs as it is, to be refused.
        _ => return raw_req_bad_rw(inner, s, &f, req),
    };
    if req.arg & ZT_REQ_FRESH != 0 || inner.slots[s].is_none() {
        if let Some(old) = &inner.slots[s] {
            if matches!(
                old.xuio.zc_state(),
                Some(ZcState::Loaned | ZcState::Filled | ZcState::Written)
            ) {
                return Err(EBUSY);
            }
        }
        inner.slots[s] = Some(Slot {
            xuio: Xuio::new_request(req.offset, req.length)?,
            file: None,
        });
    }
    let slot = inner.slots[s].as_mut().ok_or(EINVAL)?;
    slot.xuio.set_loffset(req.offset);
    slot.xuio.set_resid(req.length);
    if req.arg & ZT_REQ_ASYNCIO != 0 {
        slot.xuio.make_async_io(AioState {
            state: 1,
            mbytes: 0,
        })?;
    }
    let r = fop::reqzcbuf(&f, rw, &mut slot.xuio, Some(&CT));
    if r.is_ok() {
        slot.file = Some(f);
    }
    req.set(r.map(|()| 0));
    Ok(())
}

fn raw_req_bad_rw(inner: &mut Inner, s: usize, f: &File, req: &mut Req) -> Result {
    let mut x = Xuio::new_request(req.offset, req.length)?;
    let r = fop::reqzcbuf_rw_value(f, req.rw as u32, &mut x, Some(&CT));
    if r.is_ok() {
        // Cannot happen (zcvfs refuses); keep it so it is returned.
        inner.slots[s] = Some(Slot {
            xuio: x,
            file: Some(f.into()),
        });
    }
    req.set(r.map(|()| 0));
    Ok(())
}

fn raw_io(inner: &mut Inner, cmd: u32, req: &mut Req) -> Result {
    let s = slot_index(req)?;
    let f = ffi::fget(req.fd)?;
    let slot = inner.slots[s].as_mut().ok_or(ENOENT)?;
    let r = match cmd {
        ZT_READ => fop::read_xuio(&f, &mut slot.xuio, Some(&CT)),
        ZT_WRITE => {
            if req.arg & ZT_WRITE_SET_OFFSET != 0 {
                slot.xuio.set_loffset(req.offset);
            }
            fop::write_xuio(&f, &mut slot.xuio, Some(&CT))
        }
        _ => {
            let r = fop::retzcbuf(&f, &mut slot.xuio, Some(&CT));
            if r.is_ok() {
                // Nothing is loaned any more: stop pinning the file.
                slot.file = None;
            }
            r.map(|()| 0)
        }
    };
    req.set(r);
    state_out(&slot.xuio, req);
    Ok(())
}

fn state_out(x: &Xuio, req: &mut Req) {
    let raw = x.raw();
    req.out[0] = i64::from(raw.extflag());
    req.out[1] = i64::from(raw.xtype());
    req.out[2] = x.zc_state().map_or(-1, |s| i64::from(s.raw()));
    req.out[3] = raw.resid();
    req.out[4] = raw.loffset();
    req.out[5] = i64::from(raw.iovcnt());
    req.out[6] = match x.segments_len() {
        Ok(n) => n as i64,
        Err(e) => i64::from(e.to_errno()),
    };
}

fn raw_state(inner: &mut Inner, req: &mut Req) -> Result {
    let s = slot_index(req)?;
    let slot = inner.slots[s].as_ref().ok_or(ENOENT)?;
    state_out(&slot.xuio, req);
    req.set(Ok(0));
    Ok(())
}

fn raw_data(inner: &mut Inner, fill: bool, req: &mut Req) -> Result {
    let s = slot_index(req)?;
    let slot = inner.slots[s].as_mut().ok_or(ENOENT)?;
    let (ptr, len) = req.user_buf()?;
    let skip = usize::try_from(req.offset).map_err(|_| EINVAL)?;
    let mut kbuf = KVVec::from_elem(0u8, len, GFP_KERNEL)?;
    let r = if fill {
        UserSlice::new(ptr, len).reader().read_slice(&mut kbuf)?;
        // Refused (EINVAL) unless the protocol allows access.
        slot.xuio.copy_to(skip, &kbuf)
    } else {
        let r = slot.xuio.copy_from(skip, &mut kbuf);
        if let Ok(n) = r {
            UserSlice::new(ptr, n).writer().write_slice(&kbuf[..n])?;
        }
        r
    };
    req.set(r);
    Ok(())
}

fn plain(write: bool, req: &mut Req) -> Result {
    let f = ffi::fget(req.fd)?;
    let (ptr, len) = req.user_buf()?;
    let mut kbuf = KVVec::from_elem(0u8, len, GFP_KERNEL)?;
    let pages = req.arg == 1;
    let r = if write {
        UserSlice::new(ptr, len).reader().read_slice(&mut kbuf)?;
        if pages {
            let pb = PageBuf::from_data(&kbuf)?;
            fop::write_plain_pages(&f, req.offset, &pb, Some(&CT))
        } else {
            fop::write_plain(&f, req.offset, &kbuf, Some(&CT))
        }
    } else {
        let r = if pages {
            let mut pb = PageBuf::new(len)?;
            let r = fop::read_plain_pages(&f, req.offset, &mut pb, Some(&CT));
            pb.copy_out(&mut kbuf)?;
            r
        } else {
            fop::read_plain(&f, req.offset, &mut kbuf, Some(&CT))
        };
        if let Ok(n) = r {
            UserSlice::new(ptr, n).writer().write_slice(&kbuf[..n])?;
        }
        r
    };
    req.set(r);
    Ok(())
}

fn loan_read(req: &mut Req) -> Result {
    let f = ffi::fget(req.fd)?;
    let (ptr, len) = req.user_buf()?;
    let offset = u64::try_from(req.offset).map_err(|_| EINVAL)?;
    let want = usize::try_from(req.length).map_err(|_| EINVAL)?;
    let data = if req.arg == ZT_LOAN_READ_ONE_CALL {
        // Request and read in one call (`fop_reqzcbuf_read`).
        match ReadData::request(&f, offset, want, Some(&CT)) {
            Ok(d) => d,
            Err(e) => {
                req.out[0] = 1;
                req.set(Err(e));
                return Ok(());
            }
        }
    } else {
        let loan = match ReadLoan::request(&f, offset, want, Some(&CT)) {
            Ok(l) => l,
            Err(e) => {
                req.out[0] = 1;
                req.set(Err(e));
                return Ok(());
            }
        };
        // `loan.segments()` does not exist: only `ReadData` has segments.
        match loan.read() {
            Ok(d) => d,
            Err(e) => {
                req.out[0] = 2;
                req.set(Err(e));
                return Ok(());
            }
        }
    };
    let n = data.len().min(len);
    // Straight from the loaned pages to the caller: no bounce buffer.
    let copied = ffi::segments_to_user(data.segments(), ptr, n);
    req.out[1] = data.segments().len() as i64;
    drop(data); // The one return.
    req.set(Ok(copied?));
    Ok(())
}

fn loan_write(req: &mut Req) -> Result {
    let f = ffi::fget(req.fd)?;
    let (ptr, len) = req.user_buf()?;
    let offset = u64::try_from(req.offset).ok();
    let mut loan = match WriteLoan::request(&f, offset, len, Some(&CT)) {
        Ok(l) => l,
        Err(e) => {
            req.out[0] = 1;
            req.set(Err(e));
            return Ok(());
        }
    };
    // Straight from the caller into the loaned pages: no bounce buffer.
    if ffi::segments_from_user(loan.segments_mut()?, ptr, len)? != len {
        return Err(EFAULT);
    }
    if offset.is_none() {
        loan.set_offset(u64::try_from(req.arg).map_err(|_| EINVAL)?)?;
    }
    // `write` consumes the loan: no use of it can follow.
    let r = loan.write();
    if r.is_err() {
        req.out[0] = 2;
    }
    req.set(r);
    Ok(())
}

fn c_read(req: &mut Req) -> Result {
    let f = ffi::fget(req.fd)?;
    let (ptr, len) = req.user_buf()?;
    let mut kbuf = KVVec::from_elem(0u8, len, GFP_KERNEL)?;
    match ffi::c_consumer_read(&f, req.offset, &mut kbuf) {
        Ok((n, zc)) => {
            req.out[0] = i64::from(zc);
            UserSlice::new(ptr, n).writer().write_slice(&kbuf[..n])?;
            req.set(Ok(n));
        }
        Err(e) => req.set(Err(e)),
    }
    Ok(())
}

fn bench_read(req: &mut Req) -> Result {
    let f = ffi::fget(req.fd)?;
    let method = match req.arg {
        0 => bench::Method::Loan,
        1 => bench::Method::Copy,
        2 => bench::Method::Phases,
        _ => return Err(EINVAL),
    };
    // `slot` is the number of ranges here (0: one).
    let ranges = usize::try_from(req.slot.max(1)).map_err(|_| EINVAL)?;
    let offset = u64::try_from(req.offset).map_err(|_| EINVAL)?;
    let len = usize::try_from(req.length).map_err(|_| EINVAL)?;
    let min_ns = u64::try_from(req.rw).map_err(|_| EINVAL)?;
    if len > MAX_BUF {
        return Err(EINVAL);
    }
    match bench::run(&f, method, offset, len, ranges, min_ns, &CT) {
        Ok(o) => {
            // Counts far below `i64::MAX`.
            req.out[0] = o.bytes as i64;
            req.out[1] = o.segments as i64;
            req.out[2] = o.ns as i64;
            for (out, ns) in req.out[3..6].iter_mut().zip(o.phases_ns) {
                *out = ns as i64;
            }
            req.set(Ok(o.iters as usize));
        }
        Err(e) => req.set(Err(e)),
    }
    Ok(())
}

fn mon_install(inner: &mut Inner, req: &mut Req) -> Result {
    let f = ffi::fget(req.fd)?;
    let m = match req.arg {
        ZT_MON_COUNT => Installed::Count(MonitorHandle::install(
            &f,
            Arc::new(CountMonitor::new(), GFP_KERNEL)?,
            this_module(),
        )?),
        ZT_MON_VETO => {
            let errno = i32::try_from(req.offset).map_err(|_| EINVAL)?;
            let mask = u32::try_from(req.rw).map_err(|_| EINVAL)?;
            Installed::Veto(MonitorHandle::install(
                &f,
                Arc::new(VetoMonitor::new(mask, errno)?, GFP_KERNEL)?,
                this_module(),
            )?)
        }
        _ => return Err(EINVAL),
    };
    let id = m.id();
    inner.monitors.push(m, GFP_KERNEL)?;
    req.set(Ok(id as usize));
    Ok(())
}

/// The module: the misc device.
#[pin_data(PinnedDrop)]
struct ZcvfsTest {
    #[pin]
    _miscdev: MiscDeviceRegistration<TestDev>,
}

impl kernel::InPlaceModule for ZcvfsTest {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        ffi::init();
        pr_info!(
            "test driver loaded (feature {:#x})\n",
            VFSFT_ZEROCOPY_SUPPORTED
        );
        try_pin_init!(Self {
            _miscdev <- MiscDeviceRegistration::register(MiscDeviceOptions {
                name: c"zcvfs_test",
            }),
        })
    }
}

#[pinned_drop]
impl PinnedDrop for ZcvfsTest {
    fn drop(self: Pin<&mut Self>) {
        ffi::PROVIDER.lock().disable();
        pr_info!("test driver unloaded\n");
    }
}
