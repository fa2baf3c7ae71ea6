//! One test per browser rule.

use super::*;

pub(super) const APP: &str = "https://app.example.com";
pub(super) const URL: &str = "https://api.example.com/items";

pub(super) fn page(method: &str, headers: &[(&str, &str)], credentials: bool) -> PageRequest {
    PageRequest {
        url: URL.into(),
        origin: APP.into(),
        method: method.into(),
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
        credentials,
        ..Default::default()
    }
}

pub(super) fn resp(status: u16, headers: &[(&str, &str)]) -> Response {
    Response {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

pub(super) fn plan_of(p: &PageRequest) -> Plan {
    match plan(p) {
        Ok(plan) => plan,
        Err(e) => panic!("plan failed: {e}"),
    }
}

pub(super) fn preflight_of(p: &PageRequest) -> PreflightPlan {
    plan_of(p).preflight.expect("a preflight")
}

/// The id of the first failed check, if any.
pub(super) fn failed(checks: &[Check]) -> Option<CheckId> {
    checks.iter().find(|c| !c.passed).map(|c| c.id)
}

pub(super) fn warning_ids(w: &[Warning]) -> Vec<&'static str> {
    w.iter().map(|w| w.id.id()).collect()
}

mod actual;
mod algorithm;
mod bodies_and_cookies;
mod cors_check;
mod narrowing;
mod preflight;
mod preflight_needed;
mod warnings;
