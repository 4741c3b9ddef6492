// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the socket layer over loopback, in the kernel: a
//! listener and connected pairs, exact receives, copying sends, receives
//! into pages, zero-copy sends whose completion returns the pages (and
//! whose copy by loopback's receive path is counted), and spliced sends
//! that nothing copies.
//! They run when the module loads (suite `zcnfsd_net`).

use kernel::prelude::*;

#[kunit_tests(zcnfsd_net)]
mod tests {
    use crate::net::counters as net_counters;
    use crate::net::page_buf::PageBuf;
    use crate::net::{counters, wait_zc_idle, zc_sends_in_flight, Listener, SendMode, Stream};
    use kernel::prelude::*;
    use kernel::sync::atomic::{Atomic, Relaxed};

    /// Drops of [`PageBuf`]s made with [`count_release`].
    static RELEASES: Atomic<u64> = Atomic::new(0);
    /// The pid of the task that dropped the last one.
    static RELEASER: Atomic<i32> = Atomic::new(0);

    fn count_release() {
        RELEASER.store(kernel::current!().pid(), Relaxed);
        RELEASES.add(1, Relaxed);
    }

    fn ignore_release() {}

    /// A listener on an ephemeral port and a connected (client, server)
    /// pair.
    fn pair() -> Result<(Listener, Stream, Stream)> {
        let listener = Listener::bind(0, 4)?;
        let client = Stream::connect_loopback(listener.port()?)?;
        let mut server = listener.accept()?;
        // A local peer (what `zc_send=0` splices to); the tests choose
        // the mode themselves, whatever the parameter.
        assert!(server.peer_local());
        server.set_send_mode(SendMode::Splice);
        assert_eq!(server.send_mode(), SendMode::Splice);
        Ok((listener, client, server))
    }

    fn pattern(len: usize, seed: u8) -> Result<KVec<u8>> {
        let mut v = KVec::with_capacity(len, GFP_KERNEL)?;
        for i in 0..len {
            // Period 251 (prime): no alignment with pages or buffers.
            v.push((i % 251) as u8 ^ seed, GFP_KERNEL)?;
        }
        Ok(v)
    }

    fn zeroes(len: usize) -> Result<KVec<u8>> {
        let mut v = KVec::with_capacity(len, GFP_KERNEL)?;
        v.resize(len, 0, GFP_KERNEL)?;
        Ok(v)
    }

    #[test]
    fn copy_send_and_exact_receive() -> Result {
        let (_listener, client, server) = pair()?;
        client.send(&[b"hello", b"", b", ", b"world"], false)?;
        let mut b = [0u8; 12];
        server.recv_exact(&mut b)?;
        assert_eq!(&b, b"hello, world");

        // More buffers than one sendmsg takes, then an empty send that
        // pushes what `more` kept back.
        let bytes: [u8; 20] = core::array::from_fn(|i| i as u8 + 1);
        let parts: [&[u8]; 20] = core::array::from_fn(|i| &bytes[i..i + 1]);
        client.send(&parts, true)?;
        client.send(&[], false)?;
        let mut r = [0u8; 20];
        server.recv_exact(&mut r)?;
        assert_eq!(r, bytes);

        // A larger record the other way, received in one call.
        let big = pattern(48 * 1024, 0x5a)?;
        server.send(&[&big[..1000], &big[1000..]], false)?;
        let mut out = zeroes(big.len())?;
        client.recv_exact(&mut out)?;
        assert!(out == big);

        // Discard skips exactly the bytes asked for.
        client.send(&[&big[..1000]], false)?;
        server.discard(600)?;
        let mut rest = [0u8; 400];
        server.recv_exact(&mut rest)?;
        assert_eq!(&rest[..], &big[600..1000]);
        Ok(())
    }

    #[test]
    fn end_of_stream_and_shutdown() -> Result {
        let (listener, client, server) = pair()?;
        let mut b = [0u8; 4];
        // A half record, then the peer goes away.
        client.send(&[b"ab"], false)?;
        drop(client);
        assert_eq!(server.recv_exact(&mut b), Err(ECONNRESET));

        // shutdown() ends the stream for receives and sends.
        let _client = Stream::connect_loopback(listener.port()?)?;
        let server = listener.accept()?;
        server.shutdown();
        assert_eq!(server.recv_exact(&mut b), Err(ECONNRESET));
        assert!(server.send(&[b"x"], false).is_err());

        // shutdown() makes accept fail.
        listener.shutdown();
        assert!(listener.accept().is_err());
        Ok(())
    }

    #[test]
    fn receive_into_segments() -> Result {
        let layout = [(100, 3996), (0, 4096), (0, 1000)];
        let total = 3996 + 4096 + 1000;
        let mut buf = PageBuf::new(&layout, 0, ignore_release)?;
        let (_listener, client, server) = pair()?;
        let data = pattern(7000, 0x33)?;
        client.send(&[&data], false)?;
        server.recv_into_segments(buf.segments_mut(), 50, data.len())?;
        let mut out = zeroes(data.len())?;
        buf.copy_out(50, &mut out)?;
        assert!(out == data);
        // The skipped head and the tail are untouched.
        let mut head = [0xffu8; 50];
        buf.copy_out(0, &mut head)?;
        assert!(head.iter().all(|&b| b == 0));
        let mut tail = zeroes(total - 7050)?;
        tail.fill(0xff);
        buf.copy_out(7050, &mut tail)?;
        assert!(tail.iter().all(|&b| b == 0));
        // Beyond the segments: refused before any receive.
        assert_eq!(
            server.recv_into_segments(buf.segments_mut(), total - 99, 100),
            Err(EINVAL)
        );
        assert_eq!(
            server.recv_into_segments(buf.segments_mut(), total + 1, 0),
            Err(EINVAL)
        );
        Ok(())
    }

    /// Sends a READ-like reply: header (copied), the pages of `buf` by
    /// reference, padding (copied); checks what the client receives.
    fn reply_roundtrip(client: &Stream, server: &Stream, buf: PageBuf, data: &[u8]) -> Result {
        let len = data.len();
        // One sendmsg: header, pages, padding.
        server.send_reply_pages(b"HDR!", buf, 3)?;
        let mut out = zeroes(4 + len + 3)?;
        client.recv_exact(&mut out)?;
        assert_eq!(&out[..4], b"HDR!");
        assert!(out[4..4 + len] == data[..]);
        assert_eq!(&out[4 + len..], &[0u8; 3]);
        Ok(())
    }

    /// Pages filled from the socket, as a WRITE would: (pages, data).
    fn filled_pages(client: &Stream, server: &Stream) -> Result<(PageBuf, KVec<u8>)> {
        // Three pages, the middle one with an offset; the data ends inside
        // the last page.
        let layout = [(0, 4096), (512, 3584), (0, 4096)];
        let len = 4096 + 3584 + 1000;
        let mut buf = PageBuf::new(&layout, len, count_release)?;
        let data = pattern(len, 0x77)?;
        client.send(&[&data], false)?;
        server.recv_into_segments(buf.segments_mut(), 0, len)?;
        Ok((buf, data))
    }

    #[test]
    fn zero_copy_send_returns_pages_from_completion() -> Result {
        let (_listener, client, mut server) = pair()?;
        server.set_send_mode(SendMode::Notify);
        let (buf, data) = filled_pages(&client, &server)?;
        let len = data.len() as u64;

        let before = RELEASES.load(Relaxed);
        let attached = net_counters::attached();
        let c0 = counters();
        reply_roundtrip(&client, &server, buf, &data)?;

        wait_zc_idle();
        assert_eq!(zc_sends_in_flight(), 0);
        assert_eq!(RELEASES.load(Relaxed), before + 1);
        // Dropped by the completion's work item, not by this thread.
        assert_ne!(RELEASER.load(Relaxed), kernel::current!().pid());
        // TCP took the pages by reference, with SKBFL_DONT_ORPHAN: its
        // transmit clones did not copy them, but loopback's receive path
        // did (skb_orphan_frags_rx): the stack's copy, seen and counted.
        assert_eq!(net_counters::attached(), attached + 1);
        let c1 = counters();
        assert_eq!(c1.zc_completions, c0.zc_completions + 1);
        assert_eq!(c1.zc_copied_completions, c0.zc_copied_completions + 1);
        let copied = c1.stack_copy_bytes - c0.stack_copy_bytes;
        // The payload, plus the header and padding that travel in the
        // same skbs (copied with them).
        assert!(copied >= len && copied <= len + 4 + 3);
        // (`splice_bytes` is not compared: the suite runs at insmod, when
        // the server may already be splicing READ replies to a mounted
        // client that retransmits; only notification sends are the
        // tests' own on loopback.)
        Ok(())
    }

    #[test]
    fn spliced_send_is_not_copied() -> Result {
        let (_listener, client, server) = pair()?;
        let (buf, data) = filled_pages(&client, &server)?;
        let len = data.len() as u64;

        let before = RELEASES.load(Relaxed);
        let c0 = counters();
        reply_roundtrip(&client, &server, buf, &data)?;
        // Returned when the send returned, by this thread: the skbs hold
        // their own page references.
        assert_eq!(RELEASES.load(Relaxed), before + 1);
        assert_eq!(RELEASER.load(Relaxed), kernel::current!().pid());
        let c1 = counters();
        // At least ours (the server may splice to a mounted client too).
        assert!(c1.splice_bytes >= c0.splice_bytes + len);
        // Local delivery does not copy page references.
        assert_eq!(c1.stack_copy_bytes, c0.stack_copy_bytes);
        assert_eq!(c1.zc_completions, c0.zc_completions);
        Ok(())
    }

    #[test]
    fn abortive_close_completes_pending_sends() -> Result {
        let before = RELEASES.load(Relaxed);
        let (_listener, client, mut server) = pair()?;
        server.set_send_mode(SendMode::Notify);
        for i in 0..4u8 {
            let buf = PageBuf::new(
                &[(0, 4096), (0, 4096)],
                8192 - usize::from(i),
                count_release,
            )?;
            server.send_pages(buf, i < 3)?;
        }
        // Nobody reads; the close purges the queues.
        drop(server);
        drop(client);
        wait_zc_idle();
        assert_eq!(zc_sends_in_flight(), 0);
        assert_eq!(RELEASES.load(Relaxed), before + 4);
        Ok(())
    }

    #[test]
    fn degenerate_loans() -> Result {
        let (_listener, client, server) = pair()?;
        let before = RELEASES.load(Relaxed);
        // Nothing to send: returned at once, by this thread; the header
        // queued with `more` is pushed.
        server.send(&[b"hd"], true)?;
        let empty = PageBuf::new(&[(0, 4096)], 0, count_release)?;
        server.send_pages(empty, false)?;
        assert_eq!(RELEASES.load(Relaxed), before + 1);
        assert_eq!(RELEASER.load(Relaxed), kernel::current!().pid());
        let mut b = [0u8; 2];
        client.recv_exact(&mut b)?;
        assert_eq!(&b, b"hd");
        // Longer than its pages: refused, returned.
        let bad = PageBuf::new(&[(0, 100)], 101, count_release)?;
        assert_eq!(server.send_pages(bad, false), Err(EINVAL));
        assert_eq!(RELEASES.load(Relaxed), before + 2);
        Ok(())
    }
}
