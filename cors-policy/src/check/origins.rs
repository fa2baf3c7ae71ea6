//! Checks of `origins` as a whole: each entry's grammar (in [`crate::origin`]), then what the
//! entries mean together and with the rest of the policy: `"*"` alone and never with
//! credentials, insecure origins with credentials, duplicates and entries a pattern already
//! covers, wildcards over public suffixes.

use std::collections::{HashMap, HashSet};

use super::quoted;
use crate::diagnostic::Ctxt;
use crate::model::{HostPattern, OriginPattern, OriginSource, Origins};
use crate::origin::{parse_origin, OriginSpec};
use crate::raw::{List, RawSource, Spanned};
use crate::rules::Rule;

/// Reports a policy without `origins`, at `span`.
pub(super) fn missing<S: Copy>(cx: &mut Ctxt<S>, span: S) {
    cx.error(Rule::OriginsRequired, span, "missing `origins`")
        .note("a CORS policy must say which origins may read the responses")
        .help("add `origins = [\"https://app.example.com\"]`, listing your frontend's origins");
}

/// Splits a configured value (an environment variable, a default) into origin entries:
/// separated by commas and/or whitespace, empty entries ignored.
pub fn split_origins(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|entry| !entry.is_empty())
}

/// The origins as written in an attribute: literal entries, and sources read when the app
/// starts. What can be checked now is checked now: the literals, with the rest of the policy,
/// and each source's default value on its own. The whole list is checked again, by
/// [`check_origins`], once the sources are read.
pub(super) fn check_written<S: Copy>(
    cx: &mut Ctxt<S>,
    list: &List<S>,
    sources: &[RawSource<S>],
    credentials: Option<&Spanned<bool, S>>,
    insecure_opt_out: Option<&Spanned<bool, S>>,
) -> Origins {
    if sources.is_empty() {
        return check_origins(cx, list, credentials, insecure_opt_out);
    }
    for source in sources {
        check_source(cx, source, credentials, insecure_opt_out);
    }
    if let Some(star) = list.items.iter().find(|i| i.value == "*") {
        cx.error(Rule::WildcardAlone, star.span, "the wildcard origin `\"*\"` cannot be combined with origins read at start-up")
            .note("`\"*\"` already allows every origin, so the configured entries suggest a restriction that does not exist")
            .help("put `\"*\"` in the configuration instead, or remove it here");
    }
    // Literals only: an empty list is fine (the sources fill it), and the opt-out may be needed
    // by configured origins.
    let literals = List {
        malformed: true,
        ..list.clone()
    };
    let mut quiet = Ctxt::default();
    let origins = check_origins(&mut quiet, &literals, credentials, insecure_opt_out);
    for d in quiet.into_diagnostics() {
        if d.level == crate::diagnostic::Level::Error {
            cx.push_diagnostic(d);
        }
    }
    origins
}

/// A source's own form: a variable name, and its default, checked as origins now.
fn check_source<S: Copy>(
    cx: &mut Ctxt<S>,
    source: &RawSource<S>,
    credentials: Option<&Spanned<bool, S>>,
    insecure_opt_out: Option<&Spanned<bool, S>>,
) {
    match &source.source {
        OriginSource::Env { var, default } => {
            if var.is_empty() || var.contains(['=', '\0']) || var.contains(char::is_whitespace) {
                cx.error(
                    Rule::ValueType,
                    source.span,
                    format!("{} is not an environment variable name", quoted(var)),
                )
                .help("name the variable, e.g. `env(\"APP_CORS_ORIGINS\")`");
            }
            if let Some(default) = default {
                let items = split_origins(default)
                    .map(|entry| Spanned::new(entry.to_owned(), source.default_span))
                    .collect();
                let list = List {
                    key: source.default_span,
                    items,
                    malformed: true,
                };
                let mut quiet = Ctxt::default();
                check_origins(&mut quiet, &list, credentials, insecure_opt_out);
                for mut d in quiet.into_diagnostics() {
                    if d.level == crate::diagnostic::Level::Error {
                        d.message = format!("in the default of `{var}`: {}", d.message);
                        cx.push_diagnostic(d);
                    }
                }
            }
        }
        OriginSource::Config { key } => {
            if key.trim().is_empty() {
                cx.error(
                    Rule::ValueType,
                    source.span,
                    "`config` needs the key the origins are read from",
                )
                .help("name it as your configuration does, e.g. `config(\"cors.origins\")`");
            }
        }
    }
}

/// Checks the entries of `origins` against every origin rule, given the policy's `credentials`
/// and `dangerously_allow_insecure_origins` (when set to `true`). Returns the allowed origins,
/// less the entries reported. The same function checks origins written in an attribute, at
/// compile time, and origins read from the environment or configuration, at start-up.
pub fn check_origins<S: Copy>(
    cx: &mut Ctxt<S>,
    list: &List<S>,
    credentials: Option<&Spanned<bool, S>>,
    insecure_opt_out: Option<&Spanned<bool, S>>,
) -> Origins {
    if list.items.is_empty() && !list.malformed {
        cx.error(Rule::OriginsRequired, list.key, "`origins` is empty")
            .note(
                "with no origin allowed, the attribute would only add headers that deny everything",
            )
            .help("list your frontend's origins, e.g. `origins = [\"https://app.example.com\"]`");
    }
    let mut opt_out_used = false;
    let mut any = None;
    let mut exact: Vec<&Spanned<String, S>> = Vec::new();
    // Membership only (never iterated), so output order stays the order written; a set keeps
    // lists of thousands of origins linear.
    let mut seen: HashSet<&str> = HashSet::new();
    let mut patterns: Vec<(&Spanned<String, S>, OriginPattern)> = Vec::new();
    for item in &list.items {
        let spec = match parse_origin(&item.value) {
            Ok(spec) => spec,
            Err(err) => {
                let help = err.help_line();
                cx.error(err.rule, item.span, err.message)
                    .note(err.note)
                    .help(help)
                    .suggestion(err.suggestion);
                continue;
            }
        };
        if let Some(creds) = credentials {
            if spec == OriginSpec::Any {
                wildcard_with_credentials(cx, item.span, creds.span);
            } else if !spec.is_secure_or_loopback() {
                if insecure_opt_out.is_some() {
                    opt_out_used = true;
                } else {
                    insecure_with_credentials(cx, item);
                }
            }
        }
        if spec != OriginSpec::Any && !seen.insert(item.value.as_str()) {
            let what = if matches!(spec, OriginSpec::Pattern(_)) {
                "pattern"
            } else {
                "origin"
            };
            cx.error(
                Rule::DuplicateOrigin,
                item.span,
                format!("{what} {} is listed twice", quoted(&item.value)),
            )
            .help("remove this entry");
            continue;
        }
        match spec {
            OriginSpec::Any => any = Some(item),
            OriginSpec::Exact(_) => exact.push(item),
            OriginSpec::Pattern(p) => {
                // A refused pattern covers nothing: its fix names another domain, so the
                // origins under it are not reported as covered (removing them as told would
                // lose them).
                #[cfg(feature = "public-suffix")]
                if public_suffix(cx, item, &p) {
                    continue;
                }
                patterns.push((item, p));
            }
        }
    }
    // Exact origins that a pattern already matches: the list says less than it seems to.
    let index = PatternIndex::new(&patterns);
    exact.retain(|e| {
        let covering = index.first_match(&patterns, &e.value);
        if let Some((pattern, _)) = covering {
            cx.error(
                Rule::DuplicateOrigin,
                e.span,
                format!(
                    "origin {} is already matched by pattern {}",
                    quoted(&e.value),
                    quoted(&pattern.value)
                ),
            )
            .help("remove this entry");
        }
        covering.is_none()
    });
    if let Some(opt_out) = insecure_opt_out.filter(|_| !opt_out_used) {
        cx.warning(Rule::InsecureCredentials, opt_out.span, "`dangerously_allow_insecure_origins` has no effect here")
            .note("it only lets a credentialed policy trust plain-http origins that are not loopback, and this policy has none")
            .help("remove it, so that adding such an origin later is caught");
    }
    if let Some(star) = any {
        if list.items.len() > 1 {
            cx.error(Rule::WildcardAlone, star.span, "the wildcard origin `\"*\"` cannot be combined with other origins")
                .note("`\"*\"` already allows every origin, so the other entries suggest a restriction that does not exist")
                .help("keep either `\"*\"` alone or only the listed origins");
        }
        return Origins::Any;
    }
    Origins::List {
        exact: exact.into_iter().map(|e| e.value.clone()).collect(),
        patterns: patterns.into_iter().map(|(_, p)| p).collect(),
    }
}

/// The patterns of a list by the host they name (a `*.` pattern's base domain), so that finding
/// the patterns that may match an exact origin costs a few hash look-ups, one per label of its
/// host, whatever the number of patterns: start-up stays linear in the list's length.
struct PatternIndex<'a> {
    /// `(scheme, host or base domain)` to the patterns' positions in the list, in list order.
    by_host: HashMap<(&'a str, &'a str), Vec<usize>>,
}

impl<'a> PatternIndex<'a> {
    fn new<T>(patterns: &'a [(T, OriginPattern)]) -> Self {
        let mut by_host: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        for (i, (_, p)) in patterns.iter().enumerate() {
            let host = match &p.host {
                HostPattern::Exact(h) | HostPattern::Subdomains(h) => h.as_str(),
            };
            by_host
                .entry((p.scheme.as_str(), host))
                .or_default()
                .push(i);
        }
        Self { by_host }
    }

    /// The first pattern, in list order, that matches the serialized origin `origin`. A pattern
    /// can match only when it names the origin's host or a domain the host is below, so only
    /// those are tried, with the very matcher the runtime uses.
    fn first_match<'p, T>(
        &self,
        patterns: &'p [(T, OriginPattern)],
        origin: &str,
    ) -> Option<&'p (T, OriginPattern)> {
        let (scheme, rest) = origin.split_once("://")?;
        let (host, _) = crate::matcher::split_host_port(rest.as_bytes());
        let host = rest.get(..host.len())?;
        let below = host
            .char_indices()
            .filter(|&(_, c)| c == '.')
            .map(|(i, _)| &host[i + 1..]);
        std::iter::once(host)
            .chain(below)
            .filter_map(|key| self.by_host.get(&(scheme, key)))
            .flatten()
            .copied()
            .filter(|&i| {
                patterns
                    .get(i)
                    .is_some_and(|(_, p)| p.matches(origin.as_bytes()))
            })
            .min()
            .and_then(|i| patterns.get(i))
    }
}

/// `"*"` with credentials: one error at each of the two tokens involved.
fn wildcard_with_credentials<S: Copy>(cx: &mut Ctxt<S>, star: S, credentials: S) {
    cx.error(Rule::WildcardCredentials, star, "the wildcard origin `\"*\"` cannot be combined with `credentials`")
        .note("browsers refuse `Access-Control-Allow-Origin: *` on credentialed requests, and reflecting every origin instead would let any site read your users' data")
        .help("list the origins you trust instead of `\"*\"`, or remove `credentials`");
    cx.error(
        Rule::WildcardCredentials,
        credentials,
        "`credentials` cannot be combined with the wildcard origin `\"*\"`",
    )
    .help("list the origins you trust instead of `\"*\"`, or remove `credentials`");
}

/// An origin neither `https` nor loopback, with credentials. Plain `http` and `ws` are open to
/// network attackers, and their secure schemes are the fix; any other scheme
/// (`chrome-extension://`, an app's own) is one this check cannot vouch for, and only its owner
/// knows whether it is safe.
fn insecure_with_credentials<S: Copy>(cx: &mut Ctxt<S>, item: &Spanned<String, S>) {
    let (scheme, rest) = item.value.split_once("://").unwrap_or(("", &item.value));
    let secure = match scheme {
        "http" => Some(("https", "plain http")),
        "ws" => Some(("wss", "plain ws")),
        _ => None,
    };
    let Some((secure, plain)) = secure else {
        cx.error(
            Rule::InsecureCredentials,
            item.span,
            format!(
                "origin {} is neither `https` nor loopback, so it cannot be trusted with `credentials`",
                quoted(&item.value)
            ),
        )
        .note(format!("with credentials, only `https` and loopback origins are trusted: whether pages of a `{scheme}://` origin are safe from network attackers depends on the software that serves them, which this check cannot know"))
        .help(format!("if these are your own pages (your browser extension's, your app's webview), add `dangerously_allow_insecure_origins` to trust `{scheme}://` origins with credentials; otherwise remove this entry"));
        return;
    };
    let fixed = format!("{secure}://{rest}");
    let b = cx
        .error(
            Rule::InsecureCredentials,
            item.span,
            format!(
                "insecure origin {} cannot be trusted with `credentials`",
                quoted(&item.value)
            ),
        )
        .note(format!("a network attacker can inject script into a page served over {plain} and read your users' data through it"));
    if parse_origin(&fixed).is_ok() {
        b.help(format!("did you mean {}? (if you must trust {plain}, add `dangerously_allow_insecure_origins`)", quoted(&fixed)))
            .suggestion(Some(fixed));
    } else {
        b.help(format!("serve the frontend over {secure}, or add `dangerously_allow_insecure_origins` if you accept the risk"));
    }
}

/// Rule `public-suffix-pattern`: a `*.` wildcard directly over a public suffix (`*.com`,
/// `*.co.uk`, `*.github.io`) matches hosts that anyone can register.
/// Returns `true` when the pattern is refused.
#[cfg(feature = "public-suffix")]
fn public_suffix<S: Copy>(
    cx: &mut Ctxt<S>,
    item: &Spanned<String, S>,
    pattern: &OriginPattern,
) -> bool {
    let HostPattern::Subdomains(base) = &pattern.host else {
        return false;
    };
    if crate::suffix::is_public_suffix(base) {
        cx.error(
            Rule::PublicSuffixPattern,
            item.span,
            format!("`{:?}` matches every site registered under the public suffix `{base}`", item.value),
        )
        .note("anyone can register a host under a public suffix, and with it read what this policy allows")
        .help(format!("name your own domain under it, e.g. `\"{}://*.example.{base}\"`", pattern.scheme));
        return true;
    }
    false
}

#[cfg(test)]
mod tests;
