//! The transports as a menu offers them, the settings a user may change on each, and
//! the short text that writes a transport in a link or a scenario file:
//! `"event-grid max-attempts=3 dead-letter"` — a menu key, then each setting that
//! differs from the service's default.

use super::{
    ChangeFeed, ChangeFeedHost, EventGrid, EventHubs, ReceiveMode, ServiceBus, Transport,
    DEFAULT_DETECTION_WINDOW,
};
use crate::domain::ids::VirtualMillis;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A transport as the menu offers it, at its documented defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// The lab's own bus.
    Lab,
    /// Service Bus topic, no sessions.
    ServiceBus,
    /// Service Bus topic with sessions (session id = order id).
    ServiceBusSessions,
    /// Event Grid.
    EventGrid,
    /// Event Hubs.
    EventHubs,
    /// The change feed, read by the change feed processor.
    ChangeFeedProcessor,
    /// The change feed, read by the Functions Cosmos DB trigger.
    ChangeFeedFunctions,
}

impl TransportKind {
    /// Every choice, in menu order.
    pub const ALL: [TransportKind; 7] = [
        TransportKind::Lab,
        TransportKind::ServiceBus,
        TransportKind::ServiceBusSessions,
        TransportKind::EventGrid,
        TransportKind::EventHubs,
        TransportKind::ChangeFeedProcessor,
        TransportKind::ChangeFeedFunctions,
    ];

    /// A stable value for the menu.
    pub fn key(self) -> &'static str {
        match self {
            TransportKind::Lab => "lab",
            TransportKind::ServiceBus => "service-bus",
            TransportKind::ServiceBusSessions => "service-bus-sessions",
            TransportKind::EventGrid => "event-grid",
            TransportKind::EventHubs => "event-hubs",
            TransportKind::ChangeFeedProcessor => "change-feed-processor",
            TransportKind::ChangeFeedFunctions => "change-feed-functions",
        }
    }

    /// The menu's text.
    pub fn label(self) -> &'static str {
        match self {
            TransportKind::Lab => "Lab bus (every fault a knob; not an Azure service)",
            TransportKind::ServiceBus => "Service Bus topic (Functions trigger)",
            TransportKind::ServiceBusSessions => "Service Bus topic with sessions",
            TransportKind::EventGrid => "Event Grid (push)",
            TransportKind::EventHubs => "Event Hubs (consumer groups)",
            TransportKind::ChangeFeedProcessor => "Cosmos DB change feed processor",
            TransportKind::ChangeFeedFunctions => "Cosmos DB change feed + Functions trigger",
        }
    }

    /// The choice a menu value names.
    pub fn from_key(key: &str) -> Option<TransportKind> {
        TransportKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The transport at its documented defaults.
    pub fn transport(self) -> Transport {
        match self {
            TransportKind::Lab => Transport::Lab,
            TransportKind::ServiceBus => Transport::ServiceBus(ServiceBus::default()),
            TransportKind::ServiceBusSessions => Transport::ServiceBus(ServiceBus {
                sessions: true,
                ..ServiceBus::default()
            }),
            TransportKind::EventGrid => Transport::EventGrid(EventGrid::default()),
            TransportKind::EventHubs => Transport::EventHubs(EventHubs::default()),
            TransportKind::ChangeFeedProcessor => Transport::ChangeFeed(ChangeFeed::default()),
            TransportKind::ChangeFeedFunctions => Transport::ChangeFeed(ChangeFeed {
                host: ChangeFeedHost::Functions,
            }),
        }
    }

    /// The menu choice a transport falls under.
    pub fn of(transport: &Transport) -> TransportKind {
        match transport {
            Transport::Lab => TransportKind::Lab,
            Transport::ServiceBus(sb) if sb.sessions => TransportKind::ServiceBusSessions,
            Transport::ServiceBus(_) => TransportKind::ServiceBus,
            Transport::EventGrid(_) => TransportKind::EventGrid,
            Transport::EventHubs(_) => TransportKind::EventHubs,
            Transport::ChangeFeed(cf) if cf.host == ChangeFeedHost::Processor => {
                TransportKind::ChangeFeedProcessor
            }
            Transport::ChangeFeed(_) => TransportKind::ChangeFeedFunctions,
        }
    }
}

/// A setting the page lets the user change on the transport in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportOption {
    /// Service Bus: ReceiveAndDelete instead of PeekLock.
    ReceiveAndDelete(bool),
    /// Service Bus: duplicate detection's window in minutes (0: off, the default; set on
    /// the topic, for every subscription).
    DuplicateWindow(u32),
    /// Service Bus: the subscription requires sessions.
    Sessions(bool),
    /// Service Bus: deliveries before the dead-letter queue.
    MaxDeliveryCount(u32),
    /// Service Bus: a message time-to-live in seconds (0: none, the default).
    TimeToLive(u32),
    /// Service Bus: expired messages to the dead-letter queue.
    DeadLetterOnExpiration(bool),
    /// Event Grid: a dead-letter container is set.
    DeadLetterContainer(bool),
    /// Event Grid: most delivery attempts.
    MaxAttempts(u32),
    /// Event Grid: most events per delivery (1: no batching, the default).
    EventsPerBatch(u32),
    /// Event Hubs: partitions.
    Partitions(u32),
    /// Event Hubs: checkpoint every this many events.
    CheckpointEvery(u32),
    /// Change feed + Functions: a retry policy is set.
    RetryPolicy(bool),
    /// Change feed: read by the Functions trigger instead of the processor library.
    Functions(bool),
}

impl TransportOption {
    /// True for a setting of the whole entity (a topic's duplicate detection, a hub's
    /// partitions), which no subscription sets for itself.
    pub fn entity_wide(self) -> bool {
        matches!(
            self,
            TransportOption::DuplicateWindow(_) | TransportOption::Partitions(_)
        )
    }
}

/// The choices of Event Grid's "Max attempts" (1–30, default 30).
pub const MAX_ATTEMPTS_CHOICES: [u32; 4] = [1, 3, 10, 30];
/// The choices of Event Hubs' partition count (1–32 on Standard).
pub const PARTITION_CHOICES: [u32; 4] = [1, 2, 4, 32];
/// The choices of the Event Hubs consumer's checkpoint interval.
pub const CHECKPOINT_CHOICES: [u32; 3] = [1, 10, 100];
/// The choices of a Service Bus message time-to-live, in seconds (0: none, the default).
pub const TTL_CHOICES: [u32; 4] = [0, 1, 10, 60];
/// The choices of Service Bus's duplicate-detection window, in minutes (0: off, the
/// default; 10 is the window when it is turned on).
pub const WINDOW_CHOICES: [u32; 4] = [0, 1, 10, 60];
/// The choices of Service Bus's max delivery count (default 10).
pub const DELIVERY_COUNT_CHOICES: [u32; 4] = [1, 3, 10, 100];
/// The choices of Event Grid's max events per batch (default 1, up to 5,000).
pub const BATCH_CHOICES: [u32; 3] = [1, 10, 100];

/// The transport with one setting changed (a setting of another service changes nothing).
pub fn with(transport: Transport, option: TransportOption) -> Transport {
    use TransportOption as O;
    match (transport, option) {
        (Transport::ServiceBus(sb), option) => Transport::ServiceBus(match option {
            O::ReceiveAndDelete(on) => ServiceBus {
                receive_mode: if on {
                    ReceiveMode::ReceiveAndDelete
                } else {
                    ReceiveMode::PeekLock
                },
                ..sb
            },
            O::DuplicateWindow(minutes) => ServiceBus {
                duplicate_detection: (minutes > 0)
                    .then(|| VirtualMillis(u64::from(minutes) * super::MINUTE)),
                ..sb
            },
            O::Sessions(sessions) => ServiceBus { sessions, ..sb },
            O::MaxDeliveryCount(n) => ServiceBus {
                max_delivery_count: n.max(1),
                ..sb
            },
            O::TimeToLive(seconds) => ServiceBus {
                time_to_live: (seconds > 0).then(|| VirtualMillis(u64::from(seconds) * 1000)),
                ..sb
            },
            O::DeadLetterOnExpiration(on) => ServiceBus {
                dead_letter_on_expiration: on,
                ..sb
            },
            _ => sb,
        }),
        (Transport::EventGrid(grid), option) => Transport::EventGrid(match option {
            O::DeadLetterContainer(on) => EventGrid {
                dead_letter: on,
                ..grid
            },
            O::MaxAttempts(n) => EventGrid {
                max_attempts: n.clamp(1, 30),
                ..grid
            },
            O::EventsPerBatch(n) => EventGrid {
                max_events_per_batch: n.clamp(1, 5_000),
                ..grid
            },
            _ => grid,
        }),
        (Transport::EventHubs(hub), option) => Transport::EventHubs(match option {
            O::Partitions(n) => EventHubs {
                partitions: n.clamp(1, 32),
                ..hub
            },
            O::CheckpointEvery(n) => EventHubs {
                checkpoint_every: n.max(1),
                ..hub
            },
            _ => hub,
        }),
        (Transport::ChangeFeed(_), O::Functions(on)) => Transport::ChangeFeed(ChangeFeed {
            host: if on {
                ChangeFeedHost::Functions
            } else {
                ChangeFeedHost::Processor
            },
        }),
        (Transport::ChangeFeed(cf), O::RetryPolicy(on)) if cf.host != ChangeFeedHost::Processor => {
            Transport::ChangeFeed(ChangeFeed {
                host: if on {
                    ChangeFeedHost::FunctionsWithRetry
                } else {
                    ChangeFeedHost::Functions
                },
            })
        }
        (other, _) => other,
    }
}

/// Why a transport's text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// The first word names no transport.
    #[error("\"{0}\" is not a transport (one of lab, service-bus, service-bus-sessions, event-grid, event-hubs, change-feed-processor, change-feed-functions)")]
    UnknownKind(String),
    /// A setting that transport does not have, or a value out of its range.
    #[error("\"{0}\" is not a setting of {1}")]
    UnknownSetting(String, &'static str),
}

/// A setting's word in the text, with the option it sets from a value (`None`: a
/// word alone, which sets it on) — or `None` for a word no setting has.
fn option(word: &str, value: Option<u32>) -> Option<TransportOption> {
    use TransportOption as O;
    Some(match (word, value) {
        ("receive-and-delete", None) => O::ReceiveAndDelete(true),
        ("duplicate-detection", None) => O::DuplicateWindow(10),
        ("duplicate-detection", Some(minutes)) if (1..=10_080).contains(&minutes) => {
            O::DuplicateWindow(minutes)
        }
        ("max-delivery-count", Some(n)) if n > 0 => O::MaxDeliveryCount(n),
        ("ttl", Some(seconds)) => O::TimeToLive(seconds),
        ("dead-letter-on-expiration", None) => O::DeadLetterOnExpiration(true),
        ("dead-letter", None) => O::DeadLetterContainer(true),
        ("max-attempts", Some(n)) if (1..=30).contains(&n) => O::MaxAttempts(n),
        ("max-events-per-batch", Some(n)) if (1..=5_000).contains(&n) => O::EventsPerBatch(n),
        ("partitions", Some(n)) if (1..=32).contains(&n) => O::Partitions(n),
        ("checkpoint-every", Some(n)) if n > 0 => O::CheckpointEvery(n),
        ("retry-policy", None) => O::RetryPolicy(true),
        _ => return None,
    })
}

/// True when `option` is a setting of `transport`.
fn applies(transport: &Transport, option: TransportOption) -> bool {
    use TransportOption as O;
    match transport {
        Transport::Lab => false,
        Transport::ServiceBus(_) => matches!(
            option,
            O::ReceiveAndDelete(_)
                | O::DuplicateWindow(_)
                | O::MaxDeliveryCount(_)
                | O::TimeToLive(_)
                | O::DeadLetterOnExpiration(_)
        ),
        Transport::EventGrid(_) => matches!(
            option,
            O::DeadLetterContainer(_) | O::MaxAttempts(_) | O::EventsPerBatch(_)
        ),
        Transport::EventHubs(_) => matches!(option, O::Partitions(_) | O::CheckpointEvery(_)),
        Transport::ChangeFeed(cf) => {
            cf.host != ChangeFeedHost::Processor && matches!(option, O::RetryPolicy(_))
        }
    }
}

impl Transport {
    /// Reads a transport's text: a menu key, then settings (`ttl=10`, `dead-letter`).
    pub fn from_spec(text: &str) -> Result<Transport, SpecError> {
        let mut words = text.split_whitespace();
        let kind = words.next().unwrap_or("lab");
        let mut transport = TransportKind::from_key(kind)
            .ok_or_else(|| SpecError::UnknownKind(kind.to_owned()))?
            .transport();
        for word in words {
            let (name, value) = match word.split_once('=') {
                Some((name, value)) => (name, Some(value.parse().ok())),
                None => (word, None),
            };
            let refused = || SpecError::UnknownSetting(word.to_owned(), transport.name());
            let value = match value {
                Some(Some(n)) => Some(n),
                Some(None) => return Err(refused()),
                None => None,
            };
            let set = option(name, value)
                .filter(|set| applies(&transport, *set))
                .ok_or_else(refused)?;
            transport = with(transport, set);
        }
        Ok(transport)
    }

    /// The transport's text: its menu key and each setting away from the default.
    pub fn spec(&self) -> String {
        let mut text = TransportKind::of(self).key().to_owned();
        let mut word = |w: String| {
            text.push(' ');
            text.push_str(&w);
        };
        match self {
            Transport::Lab => {}
            Transport::ServiceBus(sb) => {
                if sb.receive_mode == ReceiveMode::ReceiveAndDelete {
                    word("receive-and-delete".into());
                }
                match sb.duplicate_detection {
                    Some(window) if window == DEFAULT_DETECTION_WINDOW => {
                        word("duplicate-detection".into());
                    }
                    Some(window) => word(format!("duplicate-detection={}", window.0 / 60_000)),
                    None => {}
                }
                if sb.max_delivery_count != ServiceBus::default().max_delivery_count {
                    word(format!("max-delivery-count={}", sb.max_delivery_count));
                }
                if let Some(ttl) = sb.time_to_live {
                    word(format!("ttl={}", ttl.0 / 1000));
                }
                if sb.dead_letter_on_expiration {
                    word("dead-letter-on-expiration".into());
                }
            }
            Transport::EventGrid(grid) => {
                if grid.max_attempts != EventGrid::default().max_attempts {
                    word(format!("max-attempts={}", grid.max_attempts));
                }
                if grid.dead_letter {
                    word("dead-letter".into());
                }
                if grid.max_events_per_batch != 1 {
                    word(format!(
                        "max-events-per-batch={}",
                        grid.max_events_per_batch
                    ));
                }
            }
            Transport::EventHubs(hub) => {
                let default = EventHubs::default();
                if hub.partitions != default.partitions {
                    word(format!("partitions={}", hub.partitions));
                }
                if hub.checkpoint_every != default.checkpoint_every {
                    word(format!("checkpoint-every={}", hub.checkpoint_every));
                }
            }
            Transport::ChangeFeed(cf) => {
                if cf.host == ChangeFeedHost::FunctionsWithRetry {
                    word("retry-policy".into());
                }
            }
        }
        text
    }
}

impl Serialize for Transport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.spec())
    }
}

impl<'de> Deserialize<'de> for Transport {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Transport::from_spec(&text).map_err(serde::de::Error::custom)
    }
}
