//! IndexedDB carries out the engine's effects: `engine::driver` runs the engine on it.

use super::store::{IdbStore, StoreError};
use crate::engine::driver::CarryOut;
use crate::engine::effects::{Effect, EffectResult};

impl CarryOut for IdbStore {
    type Error = StoreError;
    async fn carry_out(&self, effect: Effect) -> Result<EffectResult, StoreError> {
        self.execute(effect).await
    }
}
