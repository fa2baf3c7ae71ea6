//! Entries spoiled on their way into a variable or a configuration value: a byte-order mark or
//! another invisible character, the quotes a shell or a `.env` file kept, the brackets and quotes
//! of a JSON array, the `-` markers of a YAML list, `;` used as a separator. Each is named as
//! what it is, so the message says how the value went wrong rather than which grammar rule the
//! first stray character breaks; [`unpaste`] recovers the entry meant, for the suggestion.

use super::{fail, Failure, Help as _};
use crate::rules::Rule;

/// Characters that take no room on a terminal, with what they are.
const INVISIBLE: &[(char, &str)] = &[
    (
        '\u{feff}',
        "a byte-order mark (U+FEFF), which some editors write at the start of a file",
    ),
    ('\u{200b}', "a zero-width space (U+200B)"),
    ('\u{200c}', "a zero-width non-joiner (U+200C)"),
    ('\u{200d}', "a zero-width joiner (U+200D)"),
    ('\u{2060}', "a word joiner (U+2060)"),
    ('\u{00ad}', "a soft hyphen (U+00AD)"),
];

/// `true` for a character [`INVISIBLE`] lists.
pub(super) fn is_invisible(c: char) -> bool {
    INVISIBLE.iter().any(|(i, _)| *i == c)
}

const QUOTES: [char; 2] = ['"', '\''];

/// The brackets of an array around or at either end of the entry: `["https://a.example"`,
/// `"https://b.example"]`, `[https://a.example]`. The brackets of an IPv6 host
/// (`http://[::1]`, `[::1]`) are not.
fn has_array_brackets(entry: &str) -> bool {
    let after_scheme = entry.split_once("://").map(|(_, rest)| rest);
    let opens =
        entry.starts_with('[') && (after_scheme.is_some() || entry[1..].starts_with(QUOTES));
    let closes = entry.ends_with("\"]")
        || entry.ends_with("']")
        || (entry.ends_with(']') && after_scheme.is_some_and(|rest| !rest.contains('[')));
    opens || closes
}

/// Refuses an entry spoiled on its way into the value; `Ok` for every other entry.
pub(super) fn check(entry: &str) -> Result<(), Failure> {
    if let Some(what) = entry.chars().find_map(|c| {
        INVISIBLE
            .iter()
            .find(|(i, _)| *i == c)
            .map(|(_, what)| what)
    }) {
        return fail(
            Rule::OriginSyntax,
            format!("origin contains an invisible character: {what}"),
            "the character is part of the value though nothing shows it, so this entry would never match",
        )
        .help("retype the entry, or save the file as UTF-8 without a byte-order mark");
    }
    if has_array_brackets(entry) {
        return fail(
            Rule::OriginSyntax,
            "origin holds the brackets and quotes of an array",
            "origins in one value are separated by commas and/or whitespace, so a JSON or TOML array pasted into it leaves its brackets and quotes in the entries, which would never match",
        )
        .help("write the origins without brackets or quotes, separated by commas: `https://a.example.com,https://b.example.com`");
    }
    if entry.starts_with(QUOTES) || entry.ends_with(QUOTES) {
        return fail(
            Rule::OriginSyntax,
            "origin is wrapped in quotes",
            "the quotes are part of the value (a shell, a `.env` file or a container's environment kept them), so this entry would never match",
        )
        .help("remove the quotes");
    }
    if entry == "-" || entry.starts_with("- ") {
        return fail(
            Rule::OriginSyntax,
            "`-` is the marker of a YAML list item, not an origin",
            "origins in one value are separated by commas and/or whitespace, so the `-` of each item of a pasted YAML list is read as an entry of its own",
        )
        .help("remove the `-` markers and separate the origins with commas: `https://a.example.com,https://b.example.com`");
    }
    if entry.contains(';') {
        let parts: Vec<&str> = entry.split(';').filter(|p| !p.is_empty()).collect();
        let help = if parts.len() > 1 {
            let listed: Vec<String> = parts.iter().map(|p| format!("`{p}`")).collect();
            format!(
                "list {} as separate origins (in a variable or a configuration value, separated by commas: `{}`)",
                listed.join(" and "),
                parts.join(",")
            )
        } else {
            "remove the `;`".to_owned()
        };
        return fail(
            Rule::OriginSyntax,
            "origin contains `;`, which does not separate origins",
            "origins in one value are separated by commas and/or whitespace, so this entry is read as one origin, which would never match",
        )
        .help(help);
    }
    Ok(())
}

/// The entry meant, recovered from a spoiled one: invisible characters removed, then
/// surrounding whitespace, a YAML `- ` marker, array brackets, quotes and a trailing `;`.
pub(super) fn unpaste(entry: &str) -> String {
    let visible: String = entry.chars().filter(|&c| !is_invisible(c)).collect();
    let mut s = visible.trim();
    if let Some(rest) = s
        .strip_prefix('-')
        .filter(|r| r.starts_with(char::is_whitespace))
    {
        s = rest.trim_start();
    }
    if has_array_brackets(s) {
        if s.starts_with('[') {
            s = &s[1..];
        }
        let closing = s.ends_with("\"]")
            || s.ends_with("']")
            || (s.ends_with(']') && !s.split_once("://").is_some_and(|(_, r)| r.contains('[')));
        if closing {
            s = &s[..s.len() - 1];
        }
    }
    s.trim_matches(QUOTES).trim_end_matches(';').to_owned()
}
