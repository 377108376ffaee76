//! The bounded command bus: a primary queue, an optional overflow queue, the
//! backpressure policy that decides what happens when the primary is full, and an
//! optional priority lane for critical commands (payments) that handlers drain first
//! (one lane for critical commands, another for bulk).

use super::config::Backpressure;
use super::script::ScriptedCommand;
use crate::domain::order::OrderCommand;
use std::collections::VecDeque;

/// True for a command that goes in the priority lane when there is one: a payment.
pub fn is_critical(command: &OrderCommand) -> bool {
    matches!(command, OrderCommand::ReceivePayment { .. })
}

/// Which queue took a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Queue {
    /// The primary queue.
    Primary,
    /// The secondary queue used by the overflow policy.
    Overflow,
    /// The priority lane for critical commands.
    Critical,
}

/// Two bounded FIFO queues; the overflow one is drained only when the primary is empty.
#[derive(Debug, Clone)]
pub struct CommandBus {
    primary: VecDeque<Box<ScriptedCommand>>,
    overflow: VecDeque<Box<ScriptedCommand>>,
    critical: VecDeque<Box<ScriptedCommand>>,
    capacity: u32,
    policy: Backpressure,
    /// The priority lane's capacity, if there is one.
    lane: Option<u32>,
}

impl CommandBus {
    /// An empty bus; with `lane`, critical commands have a queue of that capacity.
    pub fn new(capacity: u32, policy: Backpressure, lane: Option<u32>) -> Self {
        CommandBus {
            primary: VecDeque::new(),
            overflow: VecDeque::new(),
            critical: VecDeque::new(),
            capacity,
            policy,
            lane,
        }
    }

    /// The queue that would take `command` now, or `None` when it is full (503).
    pub fn room(&self, command: &OrderCommand) -> Option<Queue> {
        if let Some(lane) = self.lane.filter(|_| is_critical(command)) {
            return ((self.critical.len() as u64) < u64::from(lane)).then_some(Queue::Critical);
        }
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
    pub fn push(&mut self, queue: Queue, command: Box<ScriptedCommand>) -> u32 {
        let target = match queue {
            Queue::Primary => &mut self.primary,
            Queue::Overflow => &mut self.overflow,
            Queue::Critical => &mut self.critical,
        };
        target.push_back(command);
        target.len() as u32
    }

    /// Takes the next command: the priority lane's oldest, else the primary's, else
    /// the overflow's.
    pub fn take(&mut self) -> Option<Box<ScriptedCommand>> {
        self.critical
            .pop_front()
            .or_else(|| self.primary.pop_front())
            .or_else(|| self.overflow.pop_front())
    }

    /// Puts a command back at the head of its queue (a crashed handler's work, on a
    /// durable queue).
    pub fn requeue_front(&mut self, command: Box<ScriptedCommand>) {
        if self.lane.is_some() && is_critical(&command.command) {
            self.critical.push_front(command);
        } else {
            self.primary.push_front(command);
        }
    }

    /// Depths of the primary queue (with the priority lane) and the overflow queue.
    pub fn depths(&self) -> (u32, u32) {
        (
            (self.primary.len() + self.critical.len()) as u32,
            self.overflow.len() as u32,
        )
    }

    /// The ids of the queued commands, in the order they will be taken.
    pub fn queued_ids(&self) -> Vec<crate::domain::ids::CommandId> {
        self.critical
            .iter()
            .chain(&self.primary)
            .chain(&self.overflow)
            .map(|command| command.command_id.clone())
            .collect()
    }

    /// Depth of the priority lane.
    pub fn critical_depth(&self) -> u32 {
        self.critical.len() as u32
    }

    /// Empties both queues, returning what they held (a crash of an in-memory bus).
    pub fn drain(&mut self) -> Vec<ScriptedCommand> {
        self.critical
            .drain(..)
            .chain(self.primary.drain(..))
            .chain(self.overflow.drain(..))
            .map(|command| *command)
            .collect()
    }
}
