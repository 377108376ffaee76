//! Command scripts: what simulated clients send, and when.

use crate::domain::ids::{CommandId, CorrelationId, OrderId, VirtualMillis};
use crate::domain::order::OrderCommand;
use serde::{Deserialize, Serialize};

/// A simulated client, e.g. two clients racing on one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ClientId(pub u32);

/// One command a client sends at a virtual time. A retry reuses the `command_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptedCommand {
    /// When the client sends it.
    pub at: VirtualMillis,
    /// Who sends it.
    pub client: ClientId,
    /// Its idempotency key.
    pub command_id: CommandId,
    /// The user action it belongs to.
    pub correlation_id: CorrelationId,
    /// The order (stream) it targets.
    pub order_id: OrderId,
    /// The command.
    pub command: OrderCommand,
}
