//! The client's messages, queued as they arrive.

use lsp_server::{Connection, Message};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvError, RecvTimeoutError};
use std::time::Duration;

/// The client's messages, queued as they arrive. `lsp_server` hands them
/// over one at a time (its channel holds none), so whether the next
/// edit is already waiting, which decides whether a re-check or the
/// publishing of closed files goes on, can only be known from a queue
/// of our own.
pub struct Inbox {
    rx: Receiver<Message>,
    queued: Arc<AtomicUsize>,
}

impl Inbox {
    pub fn new(conn: &Connection) -> Inbox {
        let (tx, rx) = std::sync::mpsc::channel();
        let queued = Arc::new(AtomicUsize::new(0));
        let from = conn.receiver.clone();
        let count = Arc::clone(&queued);
        std::thread::spawn(move || {
            for m in from {
                count.fetch_add(1, Ordering::SeqCst);
                if tx.send(m).is_err() {
                    return;
                }
            }
        });
        Inbox { rx, queued }
    }

    pub fn is_empty(&self) -> bool {
        self.queued.load(Ordering::SeqCst) == 0
    }

    pub fn took(&self, m: Message) -> Message {
        self.queued.fetch_sub(1, Ordering::SeqCst);
        m
    }

    pub fn recv(&self) -> Result<Message, RecvError> {
        self.rx.recv().map(|m| self.took(m))
    }

    pub fn recv_timeout(&self, wait: Duration) -> Result<Message, RecvTimeoutError> {
        self.rx.recv_timeout(wait).map(|m| self.took(m))
    }
}
