//! The privacy part: the customers' key vault (kept apart from the event log), sealing
//! a new customer's name and address, and forgetting a customer (after asking).

use super::request::Feedback;
use crate::app::confirm::Confirm;
use crate::app::form::{CommandForm, Field, FormError};
use crate::domain::ids::CustomerId;
use crate::domain::order::OrderCommand;
use crate::domain::privacy::KeyVault;

/// The vault's state.
#[derive(Debug, Default)]
pub struct Privacy {
    /// The customers' keys (the page stores them).
    pub vault: KeyVault,
    /// True once the stored vault was read.
    pub loaded: bool,
    /// True when the vault changed and should be stored.
    dirty: bool,
    /// What the last forgetting did, or why the vault could not be read.
    pub note: Option<String>,
}

/// What the user did with personal data, and the stored vault read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrivacyMsg {
    /// The stored key vault (its text), if any, and a random seed for new keys.
    VaultRead {
        /// The stored vault.
        file: Option<String>,
        /// Seed for keys made from now on.
        seed: u64,
    },
    /// Clicked "Forget customer".
    ClickedForget,
    /// Confirmed forgetting the customer.
    ConfirmedForget,
    /// Cancelled it.
    CancelledForget,
}

impl Privacy {
    /// Applies a message (`form`: whose customer to forget; `feedback` says why not;
    /// `confirming`: the page's one question).
    pub fn update(
        &mut self,
        msg: PrivacyMsg,
        form: &CommandForm,
        feedback: &mut Feedback,
        confirming: &mut Option<Confirm>,
    ) {
        let forget = |c: &Confirm| matches!(c, Confirm::Forget(_));
        match msg {
            PrivacyMsg::VaultRead { file, seed } => self.read(file, seed),
            PrivacyMsg::ClickedForget => {
                *feedback = match CustomerId::parse(form.get(Field::CustomerId)) {
                    Ok(customer) => {
                        *confirming = Some(Confirm::Forget(customer));
                        Feedback::Idle
                    }
                    Err(e) => Feedback::Invalid(FormError {
                        field: Field::CustomerId,
                        problem: e.to_string(),
                    }),
                };
            }
            PrivacyMsg::CancelledForget => {
                confirming.take_if(|c| forget(c));
            }
            PrivacyMsg::ConfirmedForget => {
                if let Some(Confirm::Forget(customer)) = confirming.take_if(|c| forget(c)) {
                    self.forget(&customer);
                }
            }
        }
    }

    /// Takes in the stored vault (the first read also sets the seed for new keys).
    fn read(&mut self, file: Option<String>, seed: u64) {
        if !self.loaded {
            self.vault = KeyVault::new(seed);
            self.loaded = true;
        }
        let read = file.map(|text| self.vault.merge(&text).map_err(|e| e.to_string()));
        if let Some(Err(why)) = read {
            self.note = Some(format!(
                "The key vault could not be read ({why}): personal data sealed earlier cannot be opened here."
            ));
        }
    }

    /// Deletes a customer's key: their personal data reads as erased everywhere.
    fn forget(&mut self, customer: &CustomerId) {
        let had = self.vault.forget(customer);
        self.dirty = true;
        self.note = Some(if had {
            format!("Forgot {customer}: their key is deleted. Their name and address now read [erased] everywhere — the log, the read models, exports and backups — while every event stays as it was.")
        } else {
            format!("{customer} had no personal data in this browser; they are marked forgotten, so none will be taken for them.")
        });
    }

    /// Seals the typed name and address of a new order's customer under the
    /// customer's key, so plaintext never reaches a request, the queue or the log.
    pub fn seal(
        &mut self,
        form: &CommandForm,
        command: &mut OrderCommand,
    ) -> Result<(), FormError> {
        let OrderCommand::CreateOrder {
            customer_id,
            personal,
            ..
        } = command
        else {
            return Ok(());
        };
        let Some(plain) = form.personal()? else {
            return Ok(());
        };
        let sealed = self
            .vault
            .seal(customer_id, &plain)
            .map_err(|e| FormError {
                field: Field::CustomerName,
                problem: format!("cannot be taken: {e}"),
            })?;
        *personal = Some(sealed);
        self.dirty = true;
        Ok(())
    }

    /// True once after each change of the vault: time to store it.
    pub fn take_change(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }
}
