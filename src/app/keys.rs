//! Keyboard shortcuts for presenting: which key does what, and when a key belongs to the
//! control that has the focus instead (typing in a field, moving a slider or a tab list).

/// What a shortcut does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    /// Space: play, or pause.
    PlayPause,
    /// →: one hop of the simulation.
    Step,
    /// ←: time travel one event back.
    BackInTime,
    /// ?: show or hide the list of shortcuts.
    ToggleHelp,
    /// Escape: hide the list of shortcuts.
    CloseHelp,
    /// P: presenter mode on or off.
    TogglePresenter,
    /// 1–9: a scenario's step.
    JumpToStep(u8),
}

/// Every shortcut with its key and what it does, for the help list.
pub const SHORTCUTS: [(&str, &str); 7] = [
    (
        "Space",
        "Play or pause the simulation (in a scenario: play to the next step)",
    ),
    (
        "→",
        "Step: one hop of the simulation (in a scenario: the next step)",
    ),
    (
        "←",
        "Back in time: the system one event earlier (in a scenario: the step before)",
    ),
    ("1–9", "In a scenario: jump to that step"),
    ("P", "Presenter mode on or off (large type, thick lines)"),
    ("?", "Show or hide these shortcuts"),
    ("Esc", "Close this list"),
];

/// Where a key was pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyTarget {
    /// The focus is on a control that uses keys itself (a field, a button, a link, a
    /// slider, a tab).
    pub control: bool,
    /// Ctrl, Alt or Meta is held (the browser's and the system's shortcuts).
    pub modifier: bool,
    /// The list of shortcuts is open.
    pub help_open: bool,
}

/// The shortcut a key stands for there, if any.
pub fn shortcut(key: &str, at: KeyTarget) -> Option<Shortcut> {
    if at.modifier {
        return None;
    }
    if key == "Escape" {
        return at.help_open.then_some(Shortcut::CloseHelp);
    }
    if at.control {
        return None;
    }
    match key {
        " " | "Spacebar" => Some(Shortcut::PlayPause),
        "ArrowRight" => Some(Shortcut::Step),
        "ArrowLeft" => Some(Shortcut::BackInTime),
        "?" => Some(Shortcut::ToggleHelp),
        "p" | "P" => Some(Shortcut::TogglePresenter),
        _ => match key.as_bytes() {
            [d @ b'1'..=b'9'] => Some(Shortcut::JumpToStep(d - b'0')),
            _ => None,
        },
    }
}

/// True for an element that handles these keys itself, by its tag name (any case) and
/// ARIA role.
pub fn is_control(tag: &str, role: Option<&str>, editable: bool) -> bool {
    let tag = tag.to_ascii_lowercase();
    editable
        || matches!(
            tag.as_str(),
            "input" | "select" | "textarea" | "button" | "a" | "summary"
        )
        || matches!(
            role,
            Some("tab" | "slider" | "button" | "link" | "textbox" | "menuitem")
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: KeyTarget = KeyTarget {
        control: false,
        modifier: false,
        help_open: false,
    };

    #[test]
    fn keys_on_the_page_are_shortcuts() {
        assert_eq!(shortcut(" ", PAGE), Some(Shortcut::PlayPause));
        assert_eq!(shortcut("ArrowRight", PAGE), Some(Shortcut::Step));
        assert_eq!(shortcut("ArrowLeft", PAGE), Some(Shortcut::BackInTime));
        assert_eq!(shortcut("?", PAGE), Some(Shortcut::ToggleHelp));
        assert_eq!(shortcut("P", PAGE), Some(Shortcut::TogglePresenter));
        assert_eq!(shortcut("3", PAGE), Some(Shortcut::JumpToStep(3)));
        assert_eq!(shortcut("9", PAGE), Some(Shortcut::JumpToStep(9)));
        assert_eq!(shortcut("0", PAGE), None);
        assert_eq!(shortcut("x", PAGE), None);
        assert_eq!(shortcut("Escape", PAGE), None, "nothing to close");
    }

    #[test]
    fn keys_belong_to_the_focused_control_and_to_the_system() {
        let field = KeyTarget {
            control: true,
            ..PAGE
        };
        for key in [" ", "ArrowRight", "ArrowLeft", "?", "p", "1"] {
            assert_eq!(shortcut(key, field), None, "{key}");
        }
        let ctrl = KeyTarget {
            modifier: true,
            ..PAGE
        };
        assert_eq!(shortcut("p", ctrl), None);
        // Escape closes the list wherever the focus is.
        let open = KeyTarget {
            control: true,
            help_open: true,
            ..PAGE
        };
        assert_eq!(shortcut("Escape", open), Some(Shortcut::CloseHelp));
    }

    #[test]
    fn controls_are_known_by_tag_or_role() {
        assert!(is_control("INPUT", None, false));
        assert!(is_control("button", None, false));
        assert!(is_control("div", Some("tab"), false));
        assert!(is_control("div", None, true));
        assert!(!is_control("BODY", None, false));
        assert!(!is_control("section", Some("tabpanel"), false));
    }
}
