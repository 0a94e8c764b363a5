//! Rules run guarded: a panic inside a rule is caught, its findings for the
//! file are dropped, and the other rules' findings still arrive.

use super::LintOutput;
use crate::diagnostic::Diagnostic;
use crate::rules::RuleMeta;

/// A panic inside a rule, caught so that the other rules' findings still arrive.
#[derive(Clone, Debug)]
pub struct RulePanic {
    pub rule: &'static str,
    pub message: String,
}

pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

/// Run one rule over a whole file, catching a panic so the other rules go on.
pub fn run_guarded(
    meta: &'static RuleMeta,
    out: &mut LintOutput,
    f: impl FnOnce(&mut Vec<Diagnostic>),
) {
    let mut diags = Vec::new();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut diags)));
    match result {
        Ok(()) => out.diagnostics.extend(diags),
        Err(payload) => out.panics.push(RulePanic {
            rule: meta.id,
            message: panic_message(payload.as_ref()),
        }),
    }
}
