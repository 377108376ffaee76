//! The bounded command bus: a primary queue, an optional overflow queue, and the
//! backpressure policy that decides what happens when the primary is full.

use super::config::Backpressure;
use super::script::ScriptedCommand;
use std::collections::VecDeque;

/// Which queue took a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Queue {
    /// The primary queue.
    Primary,
    /// The secondary queue used by the overflow policy.
    Overflow,
}

/// Two bounded FIFO queues; the overflow one is drained only when the primary is empty.
#[derive(Debug, Clone)]
pub struct CommandBus {
    primary: VecDeque<ScriptedCommand>,
    overflow: VecDeque<ScriptedCommand>,
    capacity: u32,
    policy: Backpressure,
}

impl CommandBus {
    /// An empty bus.
    pub fn new(capacity: u32, policy: Backpressure) -> Self {
        CommandBus {
            primary: VecDeque::new(),
            overflow: VecDeque::new(),
            capacity,
            policy,
        }
    }

    /// The queue that would take a command now, or `None` when the bus is full (503).
    pub fn room(&self) -> Option<Queue> {
        if (self.primary.len() as u64) < u64::from(self.capacity) {
            return Some(Queue::Primary);
        }
        match self.policy {
            Backpressure::Overflow { capacity }
                if (self.overflow.len() as u64) < u64::from(capacity) =>
            {
                Some(Queue::Overflow)
            }
            _ => None,
        }
    }

    /// Queues a command on the queue `room` named; returns that queue's depth after it.
    pub fn push(&mut self, queue: Queue, command: ScriptedCommand) -> u32 {
        let target = match queue {
            Queue::Primary => &mut self.primary,
            Queue::Overflow => &mut self.overflow,
        };
        target.push_back(command);
        target.len() as u32
    }

    /// Takes the next command: the primary's oldest, else the overflow's.
    pub fn take(&mut self) -> Option<ScriptedCommand> {
        self.primary
            .pop_front()
            .or_else(|| self.overflow.pop_front())
    }

    /// Puts a command back at the head (a crashed handler's work, on a durable queue).
    pub fn requeue_front(&mut self, command: ScriptedCommand) {
        self.primary.push_front(command);
    }

    /// Depths of the primary and overflow queues.
    pub fn depths(&self) -> (u32, u32) {
        (self.primary.len() as u32, self.overflow.len() as u32)
    }

    /// Empties both queues, returning what they held (a crash of an in-memory bus).
    pub fn drain(&mut self) -> Vec<ScriptedCommand> {
        self.primary
            .drain(..)
            .chain(self.overflow.drain(..))
            .collect()
    }
}
