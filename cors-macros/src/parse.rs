//! Parses the arguments of `#[cors(...)]` into a [`RawPolicy`]: the structure rules (unknown
//! key, duplicate key, value of the wrong kind). The policy rules proper run afterwards, in
//! `cors_policy::validate`. Which keys exist, and what their values look like, comes from one
//! table, `cors_policy::keys`.

use proc_macro2::Span;
use syn::ext::IdentExt as _;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::{Expr, ExprArray, ExprLit, Ident, Lit, Token};

use cors_policy::keys::{Key, KeyId, ValueKind};
use cors_policy::{List, OriginSource, RawPolicy, RawSource, Rule, Spanned};

use crate::Ctxt;

mod sources;
use sources::source;

/// One `key` or `key = value` entry.
pub struct Entry {
    key: Ident,
    value: Option<Expr>,
}

impl Parse for Entry {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        // Keys are identifiers; keywords are accepted too, so that `type = ...` gets an
        // "unknown key" error rather than a parse error.
        if !input.peek(Ident::peek_any) {
            return Err(
                input.error("expected a key such as `origins`, `credentials` or `allow_headers`")
            );
        }
        let key = input.call(Ident::parse_any)?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        Ok(Self { key, value })
    }
}

/// The comma-separated entries of the attribute.
pub struct Args(pub Punctuated<Entry, Token![,]>);

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        input.parse_terminated(Entry::parse, Token![,]).map(Args)
    }
}

/// Where the attribute is written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// `#[cors(...)]` on a handler.
    Handler,
    /// `#[policy(...)]` on a unit struct.
    Declaration,
}

/// What the attribute says: a policy written out, or on a handler the name of a declared one.
pub struct Written {
    /// The keys written.
    pub raw: RawPolicy<Span>,
    /// `policy = Api`.
    pub named: Option<syn::Path>,
    /// `policy` was written, even with a malformed value: the handler means to take a named
    /// policy, so the keys of a written one are not missing.
    pub names_policy: bool,
}

/// Builds the raw policy, reporting structure errors into `cx`. A misspelt key (`origin`) is
/// reported with its suggestion and then read as the key it suggests, unless that key is set
/// too: so the value's own mistakes are reported at once, and no "missing `origins`" follows.
pub fn raw_policy(cx: &mut Ctxt, args: Args, site: Site) -> Written {
    let mut raw = RawPolicy::default();
    let mut named: Option<syn::Path> = None;
    let mut names_policy = false;
    let mut others: Vec<Span> = Vec::new();
    let written: Vec<String> = args.0.iter().map(|e| e.key.to_string()).collect();
    let mut seen: Vec<KeyId> = Vec::new();
    for entry in args.0 {
        let name = entry.key.to_string();
        let key = match Key::get(&name) {
            Some(key) => key,
            None => {
                let suggestion = Key::suggest(&name);
                let b = cx
                    .error(
                        Rule::UnknownKey,
                        entry.key.span(),
                        format!("unknown key `{name}`"),
                    )
                    .note(format!("valid keys are {}", Key::all_names()));
                match suggestion {
                    Some(key) => {
                        b.help(format!("did you mean `{}`?", key.name));
                        if written.iter().any(|w| w == key.name) || seen.contains(&key.id) {
                            continue;
                        }
                        key
                    }
                    None => continue,
                }
            }
        };
        if seen.contains(&key.id) {
            cx.error(
                Rule::DuplicateKey,
                entry.key.span(),
                format!("duplicate key `{name}`"),
            )
            .note(format!("`{name}` is already set earlier in this attribute"))
            .help("keep one of them");
            continue;
        }
        seen.push(key.id);
        if key.id != KeyId::Policy {
            others.push(entry.key.span());
        }
        let value = Value { key, entry: &entry };
        match key.id {
            KeyId::Policy if site == Site::Declaration => {
                cx.error(
                    Rule::NamedPolicy,
                    entry.key.span(),
                    "a policy declaration cannot name another policy",
                )
                .note("`policy = ...` is how a handler takes a declared policy")
                .help("write the keys of the policy here, or use the other policy directly");
            }
            KeyId::Policy => {
                names_policy = true;
                named = value.path(cx);
            }
            KeyId::Origins => {
                let (list, sources) = value.origins(cx);
                if site == Site::Handler {
                    for source in &sources {
                        if let OriginSource::Config { .. } = source.source {
                            cx.error(Rule::ValueType, source.span, "`config(...)` origins are for named policies")
                                .note("a named policy is handed its configured origins when the app starts: `Api::with_origins(...)`")
                                .help("declare the policy with `#[policy(...)]` and use `#[cors(policy = ...)]` here, or read the origins from the environment with `env(\"VAR\")`");
                        }
                    }
                }
                raw.origins = list;
                raw.origin_sources = sources;
            }
            KeyId::Methods => raw.methods = value.strings(cx),
            KeyId::AllowHeaders => raw.allow_headers = value.strings(cx),
            KeyId::ExposeHeaders => raw.expose_headers = value.strings(cx),
            KeyId::Credentials => raw.credentials = value.flag(cx),
            KeyId::DangerouslyAllowInsecureOrigins => {
                raw.dangerously_allow_insecure_origins = value.flag(cx)
            }
            KeyId::DangerouslyEchoRequestHeaders => {
                raw.dangerously_echo_request_headers = value.flag(cx)
            }
            KeyId::MaxAge => raw.max_age = value.seconds(cx),
        }
    }
    if let Some(path) = named.as_ref().filter(|_| !others.is_empty()) {
        let name = quote::ToTokens::to_token_stream(path)
            .to_string()
            .replace(' ', "");
        for span in others {
            cx.error(
                Rule::NamedPolicy,
                span,
                format!("this key cannot be combined with `policy = {name}`"),
            )
            .note(format!(
                "the handler takes `{name}` whole; its keys are set where it is declared"
            ))
            .help("remove this key, or declare another policy with it and use that");
        }
    }
    Written {
        raw,
        named,
        names_policy,
    }
}

/// One entry's value, read as the kind its key takes.
struct Value<'a> {
    key: &'static Key,
    entry: &'a Entry,
}

impl Value<'_> {
    fn key_span(&self) -> Span {
        self.entry.key.span()
    }

    /// "`key` expects ...", at `span`, with the key's example as help.
    fn wrong_kind(&self, cx: &mut Ctxt, span: Span, expected: &str) {
        cx.error(
            Rule::ValueType,
            span,
            format!("`{}` expects {expected}", self.key.name),
        )
        .help(format!("write it as `{}`", self.key.example));
    }

    /// A bracketed list of string literals. A malformed value still yields a (malformed) list, so
    /// that checks of the list as a whole stay quiet.
    fn strings(&self, cx: &mut Ctxt) -> Option<List<Span>> {
        self.list(cx, None)
    }

    /// [`Value::strings`]; with `sources`, calls such as `env("VAR")` are read into it too.
    fn list(
        &self,
        cx: &mut Ctxt,
        mut sources: Option<&mut Vec<RawSource<Span>>>,
    ) -> Option<List<Span>> {
        debug_assert_eq!(self.key.kind, ValueKind::Strings);
        let malformed = Some(List {
            key: self.key_span(),
            items: Vec::new(),
            malformed: true,
        });
        let Some(value) = &self.entry.value else {
            self.wrong_kind(cx, self.key_span(), self.key.kind.expected());
            return malformed;
        };
        let Expr::Array(ExprArray { elems, .. }) = value else {
            let b = cx.error(
                Rule::ValueType,
                value.span(),
                format!("`{}` expects a list of strings in brackets", self.key.name),
            );
            match value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => b.help(format!(
                    "write it as `{} = [{:?}]`",
                    self.key.name,
                    s.value()
                )),
                _ => b.help(format!("write it as `{}`", self.key.example)),
            };
            return malformed;
        };
        let mut items = Vec::new();
        let mut malformed = false;
        for elem in elems {
            match (elem, sources.as_deref_mut()) {
                (
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(s), ..
                    }),
                    _,
                ) => items.push(Spanned::new(s.value(), s.span())),
                (Expr::Call(call), Some(sources)) => match source(cx, call) {
                    Some(source) => sources.push(source),
                    None => malformed = true,
                },
                (other, sources) => {
                    let expected = match sources {
                        Some(_) => "string literals, `env(\"VAR\")` or `config(\"key\")`",
                        None => "string literals",
                    };
                    self.wrong_kind(cx, other.span(), expected);
                    malformed = true;
                }
            }
        }
        Some(List {
            key: self.key_span(),
            items,
            malformed,
        })
    }

    /// `origins`: a list of string literals and sources read at start-up (`env("VAR")`,
    /// `env("VAR", default = "...")`, `config("key")`), or one source alone.
    fn origins(&self, cx: &mut Ctxt) -> (Option<List<Span>>, Vec<RawSource<Span>>) {
        let mut sources = Vec::new();
        if let Some(Expr::Call(call)) = &self.entry.value {
            if let Some(source) = source(cx, call) {
                sources.push(source);
            }
            let list = List {
                key: self.key_span(),
                items: Vec::new(),
                malformed: true,
            };
            return (Some(list), sources);
        }
        let list = self.list(cx, Some(&mut sources));
        (list, sources)
    }

    /// A path naming a declared policy: `Api`, `crate::cors::Api`.
    fn path(&self, cx: &mut Ctxt) -> Option<syn::Path> {
        debug_assert_eq!(self.key.kind, ValueKind::PolicyName);
        match &self.entry.value {
            Some(Expr::Path(p)) if p.qself.is_none() && p.attrs.is_empty() => Some(p.path.clone()),
            Some(other) => {
                self.wrong_kind(cx, other.span(), self.key.kind.expected());
                None
            }
            None => {
                self.wrong_kind(cx, self.key_span(), self.key.kind.expected());
                None
            }
        }
    }

    /// No value, `= true` or `= false`.
    fn flag(&self, cx: &mut Ctxt) -> Option<Spanned<bool, Span>> {
        debug_assert_eq!(self.key.kind, ValueKind::Flag);
        match &self.entry.value {
            None => Some(Spanned::new(true, self.key_span())),
            Some(Expr::Lit(ExprLit {
                lit: Lit::Bool(b), ..
            })) => Some(Spanned::new(b.value(), self.key_span())),
            Some(other) => {
                cx.error(
                    Rule::ValueType,
                    other.span(),
                    format!("`{}` expects {}", self.key.name, self.key.kind.expected()),
                )
                .help(format!("write `{0}` (or `{0} = true`)", self.key.name));
                None
            }
        }
    }

    /// An unsuffixed integer literal; `Some(None)` when it does not fit in a `u64` (the range
    /// check reports it).
    fn seconds(&self, cx: &mut Ctxt) -> Option<Spanned<Option<u64>, Span>> {
        debug_assert_eq!(self.key.kind, ValueKind::Seconds);
        let name = self.key.name;
        match &self.entry.value {
            Some(Expr::Lit(ExprLit {
                lit: Lit::Int(int), ..
            })) if int.suffix().is_empty() => {
                Some(Spanned::new(int.base10_parse::<u64>().ok(), int.span()))
            }
            Some(Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            })) => {
                cx.error(
                    Rule::ValueType,
                    s.span(),
                    format!("`{name}` expects an integer number of seconds, not a string"),
                )
                .help(format!("write it as `{name} = {}`", s.value().trim()));
                None
            }
            Some(other) => {
                cx.error(
                    Rule::ValueType,
                    other.span(),
                    format!("`{name}` expects an integer literal: the number of seconds"),
                )
                .help(format!("write it as `{}`", self.key.example));
                None
            }
            None => {
                self.wrong_kind(cx, self.key_span(), self.key.kind.expected());
                None
            }
        }
    }
}
