//! A page's model behind one `RefCell`, mutated in place by its reducer, so an action
//! costs O(change), not a copy of the model (the workbench's screen holds part of the
//! event log); `generation` tells Yew a new state exists.

use crate::app::exam::{ExamMsg, ExamPage};
use crate::app::guide::{Guide, GuideMsg};
use crate::app::screen::{Msg, Screen};
use std::cell::RefCell;
use std::rc::Rc;
use yew::Reducible;

/// A model that takes messages.
pub(crate) trait Update {
    /// Its messages.
    type Msg;
    /// Applies one.
    fn apply(&mut self, msg: Self::Msg);
}

impl Update for Screen {
    type Msg = Msg;
    fn apply(&mut self, msg: Msg) {
        self.update(msg);
    }
}

impl Update for Guide {
    type Msg = GuideMsg;
    fn apply(&mut self, msg: GuideMsg) {
        self.update(msg);
    }
}

impl Update for ExamPage {
    type Msg = ExamMsg;
    fn apply(&mut self, msg: ExamMsg) {
        self.update(msg);
    }
}

/// The model, and how many times it changed.
pub(crate) struct InPlace<S> {
    /// The model.
    pub(crate) state: Rc<RefCell<S>>,
    /// Bumped by every change.
    pub(crate) generation: u64,
}

impl<S> InPlace<S> {
    /// `state` at generation 0.
    pub(crate) fn new(state: S) -> Self {
        InPlace {
            state: Rc::new(RefCell::new(state)),
            generation: 0,
        }
    }
}

impl<S: Update> Reducible for InPlace<S> {
    type Action = S::Msg;

    fn reduce(self: Rc<Self>, msg: S::Msg) -> Rc<Self> {
        self.state.borrow_mut().apply(msg);
        Rc::new(InPlace {
            state: Rc::clone(&self.state),
            generation: self.generation.wrapping_add(1),
        })
    }
}
