//! The virtual clock and the ordered queue of scheduled tasks. Time moves only here.

use crate::domain::ids::VirtualMillis;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Most tasks that may wait before new input is refused (input, not internal work).
pub const DEFAULT_TASK_LIMIT: u64 = 1_000_000;

/// A clock and a queue of tasks ordered by (due time, insertion order).
#[derive(Debug, Clone)]
pub struct Scheduler<T> {
    now: VirtualMillis,
    next_seq: u64,
    queue: BinaryHeap<Reverse<Entry<T>>>,
    /// Tasks that arrived in due order (each due no earlier than the one before it), as
    /// a script's input does: a queue costs O(1) a task where the heap costs O(log n).
    /// `pop` takes the earliest of the fronts, so the order is the same either way.
    in_order: VecDeque<Entry<T>>,
    /// Tasks scheduled with the same delay arrive in due order too (the clock never
    /// goes back), so each of the few delays in use (a handler's 0 ms, the bus's lag)
    /// gets a queue of its own; other delays go to the heap.
    lanes: Vec<Lane<T>>,
    limit: u64,
}

/// Most delays with a queue of their own (more would slow every `pop` down).
const LANES: usize = 8;

#[derive(Debug, Clone)]
struct Lane<T> {
    delay: VirtualMillis,
    tasks: VecDeque<Entry<T>>,
}

/// Where the next task waits.
#[derive(Debug, Clone, Copy)]
enum Source {
    InOrder,
    Lane(usize),
    Heap,
}

#[derive(Debug, Clone)]
struct Entry<T> {
    at: VirtualMillis,
    seq: u64,
    task: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl<T> Eq for Entry<T> {}
impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Entry<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// The earlier of the best so far and another waiting task.
fn earlier<'a, T>(
    best: Option<(Source, &'a Entry<T>)>,
    source: Source,
    entry: &'a Entry<T>,
) -> Option<(Source, &'a Entry<T>)> {
    match best {
        Some((_, b)) if (b.at, b.seq) <= (entry.at, entry.seq) => best,
        _ => Some((source, entry)),
    }
}

/// The queue is full: the task was not scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the scheduler already holds its limit of {limit} tasks")]
pub struct SchedulerFull {
    /// The limit.
    pub limit: u64,
}

impl<T> Default for Scheduler<T> {
    fn default() -> Self {
        Self::with_limit(DEFAULT_TASK_LIMIT)
    }
}

impl<T> Scheduler<T> {
    /// An empty scheduler at time 0 holding at most `limit` tasks.
    pub fn with_limit(limit: u64) -> Self {
        Scheduler {
            now: VirtualMillis(0),
            next_seq: 0,
            queue: BinaryHeap::new(),
            in_order: VecDeque::new(),
            lanes: Vec::new(),
            limit,
        }
    }

    /// The virtual time now.
    pub fn now(&self) -> VirtualMillis {
        self.now
    }

    /// Schedules a task `delay` ms from now; equal times run in scheduling order.
    pub fn schedule(&mut self, delay: VirtualMillis, task: T) -> Result<(), SchedulerFull> {
        if self.len() >= self.limit {
            return Err(SchedulerFull { limit: self.limit });
        }
        self.schedule_anyway(delay, task);
        Ok(())
    }

    /// Schedules a task even past the limit: for work the engine itself bounds (one
    /// per handler, message or rebuild), which must never be dropped.
    pub fn schedule_anyway(&mut self, delay: VirtualMillis, task: T) {
        let at = VirtualMillis(self.now.0.saturating_add(delay.0));
        let entry = Entry {
            at,
            seq: self.next_seq,
            task,
        };
        self.next_seq += 1;
        // Later sequence numbers never sort before earlier ones at the same time, so a
        // task due no earlier than the queue's last keeps the queue in order.
        if self.in_order.back().is_none_or(|last| last.at <= at) {
            self.in_order.push_back(entry);
            return;
        }
        let lane = match self.lanes.iter().position(|l| l.delay == delay) {
            Some(index) => Some(index),
            None => self.free_lane(delay),
        };
        match lane.and_then(|index| self.lanes.get_mut(index)) {
            Some(lane) => lane.tasks.push_back(entry),
            None => self.queue.push(Reverse(entry)),
        }
    }

    /// A lane for a new delay: a fresh one, or an empty one taken over; none when all
    /// are busy.
    fn free_lane(&mut self, delay: VirtualMillis) -> Option<usize> {
        if self.lanes.len() < LANES {
            self.lanes.push(Lane {
                delay,
                tasks: VecDeque::new(),
            });
            return Some(self.lanes.len() - 1);
        }
        let index = self.lanes.iter().position(|l| l.tasks.is_empty())?;
        if let Some(lane) = self.lanes.get_mut(index) {
            lane.delay = delay;
        }
        Some(index)
    }

    /// Where the earliest task (by due time, then scheduling order) waits.
    fn first(&self) -> Option<(Source, &Entry<T>)> {
        let mut best = self.in_order.front().map(|e| (Source::InOrder, e));
        for (index, lane) in self.lanes.iter().enumerate() {
            if let Some(entry) = lane.tasks.front() {
                best = earlier(best, Source::Lane(index), entry);
            }
        }
        if let Some(Reverse(entry)) = self.queue.peek() {
            best = earlier(best, Source::Heap, entry);
        }
        best
    }

    /// When the next task is due.
    pub fn next_due(&self) -> Option<VirtualMillis> {
        self.first().map(|(_, e)| e.at)
    }

    /// Advances the clock to the next task and returns it.
    pub fn pop(&mut self) -> Option<T> {
        let (source, _) = self.first()?;
        let entry = match source {
            Source::InOrder => self.in_order.pop_front()?,
            Source::Lane(index) => self.lanes.get_mut(index)?.tasks.pop_front()?,
            Source::Heap => self.queue.pop()?.0,
        };
        debug_assert!(entry.at >= self.now, "time never goes backwards");
        self.now = entry.at;
        Some(entry.task)
    }

    /// Moves the clock forward to `t` (never backwards) without running anything.
    pub fn advance_to(&mut self, t: VirtualMillis) {
        debug_assert!(self.next_due().is_none_or(|due| due >= t));
        self.now = self.now.max(t);
    }

    /// Tasks waiting.
    pub fn len(&self) -> u64 {
        let lanes: usize = self.lanes.iter().map(|l| l.tasks.len()).sum();
        (self.queue.len() + self.in_order.len() + lanes) as u64
    }

    /// True when nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
            && self.in_order.is_empty()
            && self.lanes.iter().all(|l| l.tasks.is_empty())
    }

    /// True if any waiting task matches.
    pub fn any(&self, mut matches: impl FnMut(&T) -> bool) -> bool {
        self.in_order.iter().any(|e| matches(&e.task))
            || self
                .lanes
                .iter()
                .any(|l| l.tasks.iter().any(|e| matches(&e.task)))
            || self.queue.iter().any(|Reverse(e)| matches(&e.task))
    }

    /// Keeps only the tasks for which `keep` is true (a crash drops volatile work).
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.in_order.retain(|e| keep(&e.task));
        for lane in &mut self.lanes {
            lane.tasks.retain(|e| keep(&e.task));
        }
        self.queue.retain(|Reverse(e)| keep(&e.task));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_run_in_time_order_then_in_scheduling_order() {
        let mut s = Scheduler::default();
        s.schedule(VirtualMillis(10), "late").expect("room");
        s.schedule(VirtualMillis(5), "early").expect("room");
        s.schedule(VirtualMillis(5), "early-second").expect("room");
        assert_eq!(s.pop(), Some("early"));
        assert_eq!(s.now(), VirtualMillis(5));
        assert_eq!(s.pop(), Some("early-second"));
        assert_eq!(s.pop(), Some("late"));
        assert_eq!(s.now(), VirtualMillis(10));
        assert_eq!(s.pop(), None);
    }

    // Property tests run natively only (proptest is not built for wasm).
    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// Whatever the mix of delays and pops, tasks come out exactly as from one
        /// ordered list: earliest due first, then in scheduling order.
        #[test]
        fn tasks_pop_in_due_then_scheduling_order(
            ops in proptest::collection::vec((0u64..20, proptest::bool::ANY), 0..300)
        ) {
            let mut s = Scheduler::default();
            let mut model: Vec<(u64, usize)> = Vec::new();
            let pop = |s: &mut Scheduler<usize>, model: &mut Vec<(u64, usize)>| {
                let earliest = model.iter().copied().min();
                model.retain(|m| Some(*m) != earliest);
                let due = s.next_due().map(|t| t.0);
                let task = s.pop();
                proptest::prop_assert_eq!(due.zip(task), earliest);
                proptest::prop_assert_eq!(s.len(), model.len() as u64);
                Ok(())
            };
            for (i, (delay, then_pop)) in ops.into_iter().enumerate() {
                s.schedule(VirtualMillis(delay), i).expect("room");
                model.push((s.now().0 + delay, i));
                if then_pop {
                    pop(&mut s, &mut model)?;
                }
            }
            while !model.is_empty() {
                pop(&mut s, &mut model)?;
            }
            proptest::prop_assert!(s.is_empty() && s.pop().is_none());
        }
    }

    #[test]
    fn a_full_scheduler_refuses_more() {
        let mut s = Scheduler::with_limit(1);
        s.schedule(VirtualMillis(1), 1).expect("room");
        assert_eq!(
            s.schedule(VirtualMillis(1), 2),
            Err(SchedulerFull { limit: 1 })
        );
    }

    #[test]
    fn delays_are_relative_to_now() {
        let mut s = Scheduler::default();
        s.schedule(VirtualMillis(100), "a").expect("room");
        s.pop();
        s.schedule(VirtualMillis(50), "b").expect("room");
        assert_eq!(s.next_due(), Some(VirtualMillis(150)));
    }
}
