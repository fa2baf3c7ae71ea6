//! The keys a policy is written with: one table that drives the attribute's parser, its
//! did-you-mean suggestions for misspelt keys and its "expects ..." messages.

/// Which key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyId {
    /// `origins = [...]`.
    Origins,
    /// `credentials`.
    Credentials,
    /// `methods = [...]`.
    Methods,
    /// `allow_headers = [...]`.
    AllowHeaders,
    /// `expose_headers = [...]`.
    ExposeHeaders,
    /// `max_age = N`.
    MaxAge,
    /// `dangerously_allow_insecure_origins`.
    DangerouslyAllowInsecureOrigins,
    /// `dangerously_echo_request_headers`.
    DangerouslyEchoRequestHeaders,
    /// `policy = Api`: a handler takes a named policy instead of writing one.
    Policy,
}

/// The form a key's value takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A bracketed list of string literals.
    Strings,
    /// No value, `= true` or `= false`.
    Flag,
    /// An integer literal: a number of seconds.
    Seconds,
    /// The path of a policy declared with `#[policy(...)]`.
    PolicyName,
}

impl ValueKind {
    /// What a value of this kind is, for "`key` expects ..." messages.
    pub const fn expected(self) -> &'static str {
        match self {
            ValueKind::Strings => "a list of strings",
            ValueKind::Flag => "`true` or `false`, or no value at all",
            ValueKind::Seconds => "a number of seconds",
            ValueKind::PolicyName => "the name of a policy declared with `#[policy(...)]`",
        }
    }
}

/// One key of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// Which key.
    pub id: KeyId,
    /// Its name.
    pub name: &'static str,
    /// The form of its value.
    pub kind: ValueKind,
    /// How it is written, for "write it as ..." help.
    pub example: &'static str,
    /// Names other CORS libraries use for it, suggested back to this key.
    pub aliases: &'static [&'static str],
    /// One line on what it means.
    pub doc: &'static str,
}

/// Every key, in the order the documentation lists them.
pub const KEYS: &[Key] = &[
    Key {
        id: KeyId::Origins,
        name: "origins",
        kind: ValueKind::Strings,
        example: "origins = [\"https://app.example.com\"]",
        aliases: &[
            "allow_origin",
            "allow_origins",
            "allowed_origin",
            "allowed_origins",
            "origin",
        ],
        doc: "the origins allowed to read responses (required)",
    },
    Key {
        id: KeyId::Credentials,
        name: "credentials",
        kind: ValueKind::Flag,
        example: "credentials",
        aliases: &[
            "allow_credentials",
            "supports_credentials",
            "with_credentials",
        ],
        doc: "cookies and HTTP authentication are allowed",
    },
    Key {
        id: KeyId::Methods,
        name: "methods",
        kind: ValueKind::Strings,
        example: "methods = [\"PUT\", \"PATCH\"]",
        aliases: &["allow_methods", "allowed_methods", "method"],
        doc: "the methods a preflight may ask for",
    },
    Key {
        id: KeyId::AllowHeaders,
        name: "allow_headers",
        kind: ValueKind::Strings,
        example: "allow_headers = [\"Content-Type\"]",
        aliases: &["allowed_headers", "headers"],
        doc: "the request headers a page may send",
    },
    Key {
        id: KeyId::ExposeHeaders,
        name: "expose_headers",
        kind: ValueKind::Strings,
        example: "expose_headers = [\"X-Request-Id\"]",
        aliases: &["expose", "exposed_headers"],
        doc: "the response headers a page may read",
    },
    Key {
        id: KeyId::MaxAge,
        name: "max_age",
        kind: ValueKind::Seconds,
        example: "max_age = 600",
        aliases: &["max_age_secs", "maxage"],
        doc: "how long browsers may cache a preflight, in seconds",
    },
    Key {
        id: KeyId::DangerouslyAllowInsecureOrigins,
        name: "dangerously_allow_insecure_origins",
        kind: ValueKind::Flag,
        example: "dangerously_allow_insecure_origins",
        aliases: &[],
        doc: "lets a credentialed policy trust plain-http origins",
    },
    Key {
        id: KeyId::DangerouslyEchoRequestHeaders,
        name: "dangerously_echo_request_headers",
        kind: ValueKind::Flag,
        example: "dangerously_echo_request_headers",
        aliases: &[
            "allow_any_header",
            "allow_any_headers",
            "echo_request_headers",
            "mirror_request_headers",
        ],
        doc: "allows any requested header but `Authorization` (unless listed), with credentials",
    },
    Key {
        id: KeyId::Policy,
        name: "policy",
        kind: ValueKind::PolicyName,
        example: "policy = Api",
        aliases: &["named", "use_policy"],
        doc: "on a handler: the named policy it takes, narrowed to its route",
    },
];

impl Key {
    /// The key named exactly `name`.
    pub fn get(name: &str) -> Option<&'static Key> {
        KEYS.iter().find(|k| k.name == name)
    }

    /// The key a misspelt or foreign `name` most likely means: an alias first (`headers` →
    /// `allow_headers`), then the nearest name by edit distance.
    pub fn suggest(name: &str) -> Option<&'static Key> {
        let lower = name.to_ascii_lowercase();
        if let Some(key) = KEYS.iter().find(|k| k.aliases.contains(&lower.as_str())) {
            return Some(key);
        }
        KEYS.iter()
            .map(|k| (edit_distance(&lower, k.name), k))
            .filter(|(d, k)| *d <= (k.name.len() / 3).max(1))
            .min_by_key(|(d, _)| *d)
            .map(|(_, k)| k)
    }

    /// Every key's name in backticks, comma-separated: "valid keys are ...".
    pub fn all_names() -> String {
        KEYS.iter()
            .map(|k| format!("`{}`", k.name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The Levenshtein distance between `a` and `b`, in characters: what "did you mean" suggestions
/// are chosen by.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let suggest = |name| Key::suggest(name).map(|k| k.name);
        assert_eq!(suggest("origin"), Some("origins"));
        assert_eq!(suggest("credential"), Some("credentials"));
        assert_eq!(suggest("headers"), Some("allow_headers"));
        assert_eq!(suggest("Allowed_Origins"), Some("origins"));
        assert_eq!(suggest("maxage"), Some("max_age"));
        assert_eq!(suggest("max_agee"), Some("max_age"));
        assert_eq!(suggest("zzz"), None);
        assert_eq!(
            suggest("allow_any_header"),
            Some("dangerously_echo_request_headers")
        );
    }

    #[test]
    fn names_and_aliases_are_unique() {
        let mut all: Vec<&str> = KEYS
            .iter()
            .flat_map(|k| std::iter::once(k.name).chain(k.aliases.iter().copied()))
            .collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
        for key in KEYS {
            assert!(key.example.starts_with(key.name), "{}", key.name);
            assert_eq!(Key::get(key.name), Some(key));
        }
    }
}
