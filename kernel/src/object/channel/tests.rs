use super::*;
use crate::object::event::Event;
use crate::object::quota::Account;
use crate::object::testutil::CountingWaker;
use crate::object::Handle;
use core::sync::atomic::Ordering;
use zx_abi::Rights;

fn msg(bytes: &[u8]) -> Message {
    Message::new(bytes.to_vec(), Vec::new())
}

fn handle(ep: &Arc<Endpoint>) -> Handle {
    Handle::new(ep.clone(), Rights::DEFAULT_CHANNEL)
}

#[test]
fn write_then_read_delivers_bytes_in_order_and_toggles_readable() {
    let (a, b) = Endpoint::new_pair();
    let (_ha, _hb) = (handle(&a), handle(&b));
    assert!(!b.header().signals().contains(Signals::CHANNEL_READABLE));
    a.write(msg(b"one")).ok().unwrap();
    a.write(msg(b"two")).ok().unwrap();
    assert!(b.header().signals().contains(Signals::CHANNEL_READABLE));
    assert_eq!(b.read(100, 0, false).ok().unwrap().bytes(), b"one");
    assert_eq!(b.read(100, 0, false).ok().unwrap().bytes(), b"two");
    assert!(!b.header().signals().contains(Signals::CHANNEL_READABLE));
    assert_eq!(
        b.read(100, 0, false).err().map(|e| e.0),
        Some(ReadError::ShouldWait)
    );
}

#[test]
fn too_small_read_keeps_message_unless_discarding() {
    let (a, b) = Endpoint::new_pair();
    let (_ha, _hb) = (handle(&a), handle(&b));
    a.write(msg(b"hello")).ok().unwrap();
    let e = b.read(4, 0, false).err().unwrap();
    assert_eq!(
        e.0,
        ReadError::TooSmall {
            bytes: 5,
            handles: 0
        }
    );
    assert!(e.1.is_none());
    assert_eq!(b.queued(), 1);
    let e = b.read(4, 0, true).err().unwrap();
    assert!(e.1.is_some());
    assert_eq!(b.queued(), 0);
}

#[test]
fn closing_peer_sets_peer_closed_clears_writable_and_refuses_writes() {
    let (a, b) = Endpoint::new_pair();
    let ha = handle(&a);
    let hb = handle(&b);
    a.write(msg(b"still here")).ok().unwrap();
    drop(ha);
    let s = b.header().signals();
    assert!(s.contains(Signals::CHANNEL_PEER_CLOSED));
    assert!(!s.contains(Signals::CHANNEL_WRITABLE));
    // Messages already queued stay readable after the peer closed.
    assert_eq!(b.read(100, 0, false).ok().unwrap().bytes(), b"still here");
    assert_eq!(
        b.read(100, 0, false).err().map(|e| e.0),
        Some(ReadError::PeerClosed)
    );
    assert_eq!(
        b.write(msg(b"x")).err().map(|e| e.0),
        Some(Status::PEER_CLOSED)
    );
    drop(hb);
}

#[test]
fn pending_limit_gives_should_wait_and_backpressure_on_writable() {
    let (a, b) = Endpoint::new_pair();
    let (_ha, _hb) = (handle(&a), handle(&b));
    for _ in 0..CHANNEL_MAX_PENDING {
        a.write(msg(b"m")).ok().unwrap();
    }
    assert!(!a.header().signals().contains(Signals::CHANNEL_WRITABLE));
    assert_eq!(
        a.write(msg(b"m")).err().map(|e| e.0),
        Some(Status::SHOULD_WAIT)
    );
    assert_eq!(b.queued(), CHANNEL_MAX_PENDING);
    b.read(10, 0, false).ok().unwrap();
    assert!(a.header().signals().contains(Signals::CHANNEL_WRITABLE));
    a.write(msg(b"m")).ok().unwrap();
}

#[test]
fn closing_endpoint_closes_handles_in_queued_messages() {
    let e = Event::new();
    let (a, b) = Endpoint::new_pair();
    let (ha, hb) = (handle(&a), handle(&b));
    let h = Handle::new(e.clone(), Rights::DEFAULT_EVENT);
    a.write(Message::new(vec![1], vec![h])).ok().unwrap();
    assert_eq!(e.header.handle_count(), 1);
    drop(hb);
    assert_eq!(e.header.handle_count(), 0);
    drop(ha);
}

#[test]
fn nested_channels_ten_thousand_deep_tear_down_without_recursion() {
    // Each channel's endpoint b carries the previous channel's a-end... and we close the head.
    let (head_a, head_b) = Endpoint::new_pair();
    let head_ha = handle(&head_a);
    let mut carrier_a = head_a.clone();
    let mut hold_b = Some(handle(&head_b));
    let first = hold_b.take();
    let mut keep = vec![first];
    for _ in 0..10_000 {
        let (na, nb) = Endpoint::new_pair();
        let hna = handle(&na);
        let hnb = handle(&nb);
        // Send the new channel's b-end into the current carrier.
        carrier_a
            .write(Message::new(vec![0], vec![hnb]))
            .ok()
            .unwrap();
        carrier_a = na.clone();
        keep.push(None);
        drop(hna_holder(&mut keep, hna));
    }
    fn hna_holder(_k: &mut Vec<Option<Handle>>, h: Handle) -> Handle {
        h
    }
    let before = crate::object::stats::LIVE_OBJECTS.load(Ordering::SeqCst);
    assert!(before >= 2);
    drop(keep);
    drop(head_ha);
}

#[test]
fn reply_with_pending_txid_goes_to_the_caller_not_the_queue() {
    let (client, server) = Endpoint::new_pair();
    let (_hc, _hs) = (handle(&client), handle(&server));
    let w = Arc::new(CountingWaker::default());
    client.call_begin(0x8000_0001, w.clone()).unwrap();
    client
        .write(msg(&0x8000_0001u32.to_le_bytes()))
        .ok()
        .unwrap();
    let req = server.read(100, 0, false).ok().unwrap();
    assert_eq!(req.txid(), Some(0x8000_0001));
    // An unrelated message is queued normally.
    server.write(msg(&7u32.to_le_bytes())).ok().unwrap();
    server
        .write(msg(&0x8000_0001u32.to_le_bytes()))
        .ok()
        .unwrap();
    assert_eq!(w.count(), 1);
    assert_eq!(client.queued(), 1);
    match client.call_poll(0x8000_0001) {
        CallPoll::Reply(m) => assert_eq!(m.txid(), Some(0x8000_0001)),
        _ => panic!("expected the reply"),
    }
}

#[test]
fn a_call_request_registers_its_call_unless_its_own_end_lost_its_last_handle() {
    const TX: u32 = 0x8000_0003;
    let (client, server) = Endpoint::new_pair();
    let _hs = handle(&server);
    let w = Arc::new(CountingWaker::default());
    // A request whose txid a call waiting on the other end has: handed over, and ours is
    // registered all the same.
    server.call_begin(TX, w.clone()).unwrap();
    let hc = handle(&client);
    assert!(matches!(
        client.call_write(msg(&TX.to_le_bytes()), TX, w.clone()),
        Ok(true)
    ));
    assert!(matches!(client.call_poll(TX), CallPoll::Pending));
    assert!(client.call_end(TX).is_none());
    // Our end's last handle gone before the request: sent, nothing registered to wait on.
    drop(hc);
    assert!(matches!(
        client.call_write(msg(&(TX + 1).to_le_bytes()), TX + 1, w.clone()),
        Ok(false)
    ));
    assert_eq!(server.queued(), 1);
    assert!(matches!(client.call_poll(TX + 1), CallPoll::Cancelled));
}

#[test]
fn peer_close_ends_pending_call_with_peer_closed() {
    let (client, server) = Endpoint::new_pair();
    let hc = handle(&client);
    let hs = handle(&server);
    let w = Arc::new(CountingWaker::default());
    client.call_begin(0x8000_0002, w.clone()).unwrap();
    drop(hs);
    assert!(w.count() >= 1);
    assert!(matches!(
        client.call_poll(0x8000_0002),
        CallPoll::PeerClosed
    ));
    drop(hc);
}

#[test]
fn write_checked_refuses_a_message_that_would_close_a_cycle_of_channels() {
    // b1 goes into a1's queue; then writing a1 into b0 would put a1 into b1's queue: a cycle
    // that no handle in any table could ever break.
    let (a0, a1) = Endpoint::new_pair();
    let (b0, b1) = Endpoint::new_pair();
    let (ha0, ha1, hb0, hb1) = (handle(&a0), handle(&a1), handle(&b0), handle(&b1));
    a0.write_checked(Message::new(vec![1], vec![hb1]))
        .ok()
        .unwrap();
    let (status, refused) = b0
        .write_checked(Message::new(vec![2], vec![ha1]))
        .err()
        .unwrap();
    assert_eq!(status, Status::NOT_SUPPORTED);
    assert_eq!(b1.queued(), 0);
    drop(refused); // closes the carried a1 handle, as any failed write does
    let (weak_a1, weak_b1) = (Arc::downgrade(&a1), Arc::downgrade(&b1));
    drop((ha0, hb0, a0, a1, b0, b1));
    assert!(weak_a1.upgrade().is_none());
    assert!(weak_b1.upgrade().is_none());
}

#[test]
fn write_checked_refuses_longer_cycles_and_allows_chains() {
    // c1 holds d1 (allowed: a chain); d1 holding c1 would close the loop.
    let (c0, c1) = Endpoint::new_pair();
    let (d0, d1) = Endpoint::new_pair();
    let (e0, e1) = Endpoint::new_pair();
    let (hc0, hc1, hd0, hd1, he0, he1) = (
        handle(&c0),
        handle(&c1),
        handle(&d0),
        handle(&d1),
        handle(&e0),
        handle(&e1),
    );
    e0.write_checked(Message::new(vec![0], vec![hd1]))
        .ok()
        .unwrap(); // e1 holds d1
    c0.write_checked(Message::new(vec![3], vec![he1]))
        .ok()
        .unwrap(); // c1 holds e1 -> d1
    let (status, refused) = d0
        .write_checked(Message::new(vec![4], vec![hc1]))
        .err()
        .unwrap();
    assert_eq!(status, Status::NOT_SUPPORTED);
    drop(refused);
    let weak_d1 = Arc::downgrade(&d1);
    drop((hc0, hd0, he0, c0, c1, d0, d1, e0, e1));
    assert!(weak_d1.upgrade().is_none());
}

/// Nests `dest`'s receiving side `depth` levels deep: it goes into a fresh channel's queue,
/// that channel's receiving side into the next one's, and so on. Returns the writer handles
/// that keep the chain alive.
fn nest(dest_rx: Handle, depth: usize) -> Vec<(Arc<Endpoint>, Handle)> {
    let mut keep = Vec::new();
    let mut inner = dest_rx;
    for _ in 0..depth {
        let (w, r) = Endpoint::new_pair();
        let (hw, hr) = (handle(&w), handle(&r));
        w.write_checked(Message::new(vec![0], vec![inner]))
            .ok()
            .unwrap();
        keep.push((w, hw));
        inner = hr;
        keep.push((r, inner.duplicate(Rights::DEFAULT_CHANNEL)));
    }
    drop(inner);
    keep
}

#[test]
fn cycle_check_cost_is_the_destination_depth_not_what_the_carried_endpoints_hold() {
    // q's receiving side holds 1,023 messages of 64 endpoints each (the shape that took the
    // old breadth-first check tens of seconds); sending it on walks only the destination's
    // (empty) chain of containers.
    let (q0, q1) = Endpoint::new_pair();
    let (hq0, hq1) = (handle(&q0), handle(&q1));
    let mut keep = Vec::new();
    for _ in 0..1023 {
        let mut hs = Vec::new();
        for _ in 0..64 {
            let (x, y) = Endpoint::new_pair();
            hs.push(handle(&x));
            keep.push((y.clone(), handle(&y)));
        }
        q0.write_checked(Message::new(vec![1], hs)).ok().unwrap();
    }
    let (t0, t1) = Endpoint::new_pair();
    let ht0 = handle(&t0);
    t0.write_checked(Message::new(vec![2], vec![hq1]))
        .ok()
        .unwrap();
    assert_eq!(t1.queued(), 1);
    // And q0 can still not be sent into q1's holder chain: q1 is inside t1, so writing t1's
    // handle into q (q1's queue) would close a loop.
    let ht1 = handle(&t1);
    let (status, refused) = q0
        .write_checked(Message::new(vec![3], vec![ht1]))
        .err()
        .unwrap();
    assert_eq!(status, Status::NOT_SUPPORTED);
    drop(refused);
    drop((hq0, ht0, keep));
}

#[test]
fn a_deeply_nested_destination_is_walked_to_the_top() {
    // The destination is 20,000 levels deep: the write is accepted; writing the outermost
    // holder into it is a cycle found 20,000 levels up.
    let (d0, d1) = Endpoint::new_pair();
    let hd0 = handle(&d0);
    let chain = nest(handle(&d1), 20_000);
    let (x0, x1) = Endpoint::new_pair();
    let hx0 = handle(&x0);
    assert!(d0
        .write_checked(Message::new(vec![9], vec![handle(&x1)]))
        .is_ok());
    let (_, top) = chain.last().unwrap();
    let (status, refused) = d0
        .write_checked(Message::new(
            vec![9],
            vec![top.duplicate(Rights::DEFAULT_CHANNEL)],
        ))
        .err()
        .unwrap();
    assert_eq!(status, Status::NOT_SUPPORTED);
    drop(refused);
    drop((hd0, hx0, chain));
}

/// Koids are unique for the life of the system, also when one core creates pairs while another
/// creates single objects (a pair used to take its koids with two separate `new_koid` calls,
/// which could interleave with the other core's and hand the second one out again).
#[test]
fn koids_stay_unique_when_pairs_and_single_objects_are_created_concurrently() {
    use crate::object::{new_koid, new_koid_pair};
    // Both sides run until each has seen the other running for a while, so the two really
    // overlap even on a loaded host.
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    static RUNNING: AtomicUsize = AtomicUsize::new(0);
    const MIN: usize = 100_000;
    let spin = |f: &mut dyn FnMut()| {
        RUNNING.fetch_add(1, SeqCst);
        let mut n = 0;
        while RUNNING.load(SeqCst) < 2 || n < MIN {
            f();
            n += 1;
        }
        RUNNING.fetch_add(1, SeqCst);
        while RUNNING.load(SeqCst) < 4 {
            f();
        }
    };
    let pairs = std::thread::spawn(move || {
        let mut k = Vec::new();
        spin(&mut || {
            let p = new_koid_pair();
            k.extend([p, p + 1]);
        });
        k
    });
    let mut all = Vec::new();
    spin(&mut || all.push(new_koid()));
    all.extend(pairs.join().unwrap());
    // The objects take their koids from the same place.
    let (a, b) = Endpoint::new_pair();
    assert_eq!(b.header().koid(), a.header().koid() + 1);
    all.extend([
        a.header().koid(),
        b.header().koid(),
        Event::new().header().koid(),
    ]);
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n, "{} koids handed out twice", n - all.len());
}

fn charged(bytes: &[u8], handles: Vec<Handle>, account: &Arc<Account>) -> Result<Message, Status> {
    // As the write syscall does: charge first, then build the message.
    let paid = account.charge(Message::cost(bytes.len(), handles.len()))?;
    let mut m = Message::new(bytes.to_vec(), handles);
    m.set_charge(paid);
    Ok(m)
}

#[test]
fn a_queued_message_is_charged_to_its_writer_until_read() {
    let account = Account::with_limit(1 << 20);
    let (a, b) = Endpoint::new_pair();
    let (_ha, _hb) = (handle(&a), handle(&b));
    let m = charged(&[7; 100], Vec::new(), &account).unwrap();
    let cost = m.charged();
    assert!(cost >= 100, "the bytes are charged: {cost}");
    a.write(m).ok().unwrap();
    assert_eq!(account.used(), cost, "charged while queued");
    let got = b.read(100, 0, false).ok().unwrap();
    assert_eq!(
        account.used(),
        cost,
        "still charged while the reader copies it out"
    );
    drop(got);
    assert_eq!(account.used(), 0);
}

#[test]
fn carried_handles_are_charged_and_a_write_over_the_limit_takes_nothing() {
    let (a, b) = Endpoint::new_pair();
    let (_ha, _hb) = (handle(&a), handle(&b));
    let without = charged(&[0; 64], Vec::new(), &Account::with_limit(1 << 20))
        .unwrap()
        .charged();
    let ev = Event::new();
    let hs: Vec<Handle> = (0..8)
        .map(|_| Handle::new(ev.clone(), Rights::DEFAULT_EVENT))
        .collect();
    let with = charged(&[0; 64], hs, &Account::with_limit(1 << 20))
        .unwrap()
        .charged();
    assert!(with >= without + 8 * core::mem::size_of::<Handle>());
    assert_eq!(
        ev.header().handle_count(),
        0,
        "dropping the message closed its handles"
    );

    // A limit that fits two messages: the third is refused, and a refused message is charged
    // nothing; reading one makes room again.
    let account = Account::with_limit(2 * without);
    a.write(charged(&[0; 64], Vec::new(), &account).unwrap())
        .ok()
        .unwrap();
    a.write(charged(&[0; 64], Vec::new(), &account).unwrap())
        .ok()
        .unwrap();
    assert_eq!(
        charged(&[0; 64], Vec::new(), &account).err(),
        Some(Status::NO_MEMORY)
    );
    assert_eq!(account.used(), 2 * without);
    assert_eq!(b.queued(), 2);
    drop(b.read(64, 0, false).ok().unwrap());
    assert!(charged(&[0; 64], Vec::new(), &account).is_ok());
}

#[test]
fn closing_the_reader_gives_back_the_charge_of_what_was_queued() {
    let account = Account::with_limit(1 << 20);
    let (a, b) = Endpoint::new_pair();
    let ha = handle(&a);
    let hb = handle(&b);
    for _ in 0..10 {
        a.write(charged(&[1; 1000], Vec::new(), &account).unwrap())
            .ok()
            .unwrap();
    }
    assert!(account.used() >= 10_000);
    drop(hb);
    crate::object::reaper::drain_all();
    assert_eq!(
        account.used(),
        0,
        "teardown of the queue returned every charge"
    );
    drop(ha);
}

#[test]
fn payloads_up_to_the_inline_limit_live_in_the_block_and_larger_ones_in_their_own_buffer() {
    use super::{Sink, INLINE_BYTES};
    for n in [
        0,
        1,
        4,
        INLINE_BYTES - 1,
        INLINE_BYTES,
        INLINE_BYTES + 1,
        4096,
    ] {
        let data: Vec<u8> = (0..n).map(|i| (i * 7 + n) as u8).collect();
        let mut m = Message::with_capacity(n, 0).unwrap();
        // Two appends, as an iovec write makes them.
        let half = n / 2;
        for part in [&data[..half], &data[half..]] {
            match m.sink(part.len()) {
                Sink::Inline(dst) => {
                    assert!(n <= INLINE_BYTES, "{} bytes went inline", n);
                    dst.copy_from_slice(part);
                }
                Sink::Large(v) => {
                    assert!(n > INLINE_BYTES, "{} bytes got a buffer of their own", n);
                    v.extend_from_slice(part);
                }
            }
            m.filled(part.len());
        }
        m.set_handles(Vec::new());
        assert_eq!(m.bytes(), &data[..]);
        // The writer pays for the block, plus the payload only when it has its own buffer.
        let own = if n > INLINE_BYTES { n } else { 0 };
        assert_eq!(Message::cost(n, 0), 256 + own);
    }
}
