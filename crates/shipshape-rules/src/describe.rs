//! Wording shared by rule messages.

use shipshape_model::Value;

/// A value in backticks as written, with what it resolved to when that differs:
/// `` `$BASE` (= `node:20`) ``.
pub(crate) fn quoted(value: &Value) -> String {
    match value.get() {
        Some(resolved) if resolved != value.raw => format!("`{}` (= `{resolved}`)", value.raw),
        _ => format!("`{}`", value.raw),
    }
}
