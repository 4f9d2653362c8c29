//! Events and event pairs: objects that only carry signals.

use super::{KernelObject, Koid, ObjHeader};
use alloc::sync::Arc;
use core::any::Any;
use zx_abi::{ObjType, Signals, Status};

/// An event: `ZX_EVENT_SIGNALED` and the user signals.
pub struct Event {
    pub(crate) header: ObjHeader,
}

impl Event {
    /// A new event with a fresh koid and no signals asserted.
    pub fn new() -> Arc<Event> {
        Arc::new(Event {
            header: ObjHeader::new(Signals::NONE),
        })
    }
}

impl KernelObject for Event {
    fn header(&self) -> &ObjHeader {
        &self.header
    }
    fn obj_type(&self) -> ObjType {
        ObjType::EVENT
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn user_signal_mask(&self) -> Signals {
        Signals::USER_ALL | Signals::EVENT_SIGNALED
    }
}

/// The state both ends of an event pair share.
struct PairShared {
    headers: [ObjHeader; 2],
}

/// One end of an event pair.
pub struct EventPairEnd {
    shared: Arc<PairShared>,
    side: usize,
}

impl EventPairEnd {
    /// A new event pair: two ends with consecutive koids, each the other's related koid, no
    /// signals asserted.
    pub fn new_pair() -> (Arc<EventPairEnd>, Arc<EventPairEnd>) {
        let k = super::new_koid_pair();
        let shared = Arc::new(PairShared {
            headers: [
                ObjHeader::with_koid(k, Signals::NONE),
                ObjHeader::with_koid(k + 1, Signals::NONE),
            ],
        });
        (
            Arc::new(EventPairEnd {
                shared: shared.clone(),
                side: 0,
            }),
            Arc::new(EventPairEnd { shared, side: 1 }),
        )
    }
    fn peer_header(&self) -> &ObjHeader {
        &self.shared.headers[1 - self.side]
    }
}

impl KernelObject for EventPairEnd {
    fn header(&self) -> &ObjHeader {
        &self.shared.headers[self.side]
    }
    fn obj_type(&self) -> ObjType {
        ObjType::EVENTPAIR
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn related_koid(&self) -> Koid {
        self.peer_header().koid()
    }
    fn user_signal_mask(&self) -> Signals {
        Signals::USER_ALL | Signals::EVENT_SIGNALED
    }
    fn on_zero_handles(self: Arc<Self>) {
        self.peer_header()
            .update_signals(Signals::NONE, Signals::EVENTPAIR_PEER_CLOSED);
    }
    fn signal_peer(&self, clear: Signals, set: Signals) -> Result<(), Status> {
        let peer = self.peer_header();
        if peer.handle_count() == 0 {
            return Err(Status::PEER_CLOSED);
        }
        peer.update_signals(clear, set);
        Ok(())
    }
}
