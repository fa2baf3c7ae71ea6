//! The allowed origins in the form requests are checked against: exact origins in a list
//! scanned in order (short lists) or an open-addressing hash table (long ones), then the
//! patterns. Built once when the app starts; a check allocates nothing.

use cors_policy::{OriginPattern, Origins};

/// Exact-origin lists up to this length are scanned rather than hashed: comparing a few
/// lengths costs less than hashing the request's origin.
pub(crate) const LINEAR_SCAN_MAX: usize = 4;

/// The allowed origins of a compiled policy.
#[derive(Debug)]
pub(crate) enum AllowedOrigins {
    /// Every origin (never with credentials).
    Any,
    /// Exact origins, then patterns.
    List {
        /// The exact origins.
        table: OriginTable,
        /// Wildcard patterns, tried in order after the table.
        patterns: Box<[OriginPattern]>,
    },
}

impl AllowedOrigins {
    /// Lays out the model's origins for lookup.
    pub(crate) fn new(origins: Origins) -> Self {
        match origins {
            Origins::Any => AllowedOrigins::Any,
            Origins::List { exact, patterns } => AllowedOrigins::List {
                table: OriginTable::new(exact),
                patterns: patterns.into(),
            },
        }
    }

    /// `true` when `origin` (the `Origin` header's bytes) is allowed.
    #[inline]
    pub(crate) fn allows(&self, origin: &[u8]) -> bool {
        match self {
            AllowedOrigins::Any => true,
            AllowedOrigins::List { table, patterns } => {
                table.contains(origin) || patterns.iter().any(|p| p.matches(origin))
            }
        }
    }
}

/// Exact origins, matched byte for byte.
#[derive(Debug)]
pub(crate) struct OriginTable {
    /// Short lists (up to [`LINEAR_SCAN_MAX`] origins) in the order written, compared one by
    /// one. Longer lists: a power-of-two table probed linearly from `origin_hash(origin)`, `""`
    /// marking a free slot, at least half the slots free. `linear` says which.
    slots: Box<[Box<str>]>,
    linear: bool,
}

impl OriginTable {
    fn new(exact: Vec<String>) -> Self {
        if exact.len() <= LINEAR_SCAN_MAX {
            return Self {
                slots: exact.into_iter().map(String::into_boxed_str).collect(),
                linear: true,
            };
        }
        let len = (exact.len() * 2).next_power_of_two();
        let mask = len - 1;
        let mut slots: Vec<Box<str>> = vec![Box::from(""); len];
        for origin in exact {
            let mut slot = origin_hash(origin.as_bytes()) as usize & mask;
            while !slots[slot].is_empty() {
                slot = (slot + 1) & mask;
            }
            slots[slot] = origin.into_boxed_str();
        }
        Self {
            slots: slots.into(),
            linear: false,
        }
    }

    /// `true` when the table holds `origin`.
    #[inline]
    fn contains(&self, origin: &[u8]) -> bool {
        if self.linear {
            return self.slots.iter().any(|entry| entry.as_bytes() == origin);
        }
        let mask = self.slots.len() - 1;
        let mut slot = origin_hash(origin) as usize & mask;
        // Bounded by the table size, though a free slot always ends the probe sooner.
        for _ in 0..self.slots.len() {
            let entry = &self.slots[slot];
            if entry.is_empty() {
                return false;
            }
            if entry.as_bytes() == origin {
                return true;
            }
            slot = (slot + 1) & mask;
        }
        false
    }
}

/// Hashes an origin's bytes. Word-at-a-time multiply-rotate (the FxHash construction): a few
/// nanoseconds for a typical origin, and well spread for the table sizes used here.
#[inline]
fn origin_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    // Final avalanche so the low bits (the table index) depend on every byte.
    h ^= h >> 29;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cors_policy::{HostPattern, PortPattern};

    fn allowed(exact: &[String]) -> AllowedOrigins {
        AllowedOrigins::new(Origins::List {
            exact: exact.to_vec(),
            patterns: vec![OriginPattern {
                scheme: "https".into(),
                host: HostPattern::Subdomains("example.net".into()),
                port: PortPattern::Default,
            }],
        })
    }

    #[test]
    fn short_and_long_lists_match_alike() {
        for n in [0, 1, LINEAR_SCAN_MAX, LINEAR_SCAN_MAX + 1, 1000] {
            let exact: Vec<String> = (0..n)
                .map(|i| format!("https://app{i}.example.com"))
                .collect();
            let origins = allowed(&exact);
            let AllowedOrigins::List { table, .. } = &origins else {
                panic!("a list policy");
            };
            assert_eq!(table.linear, n <= LINEAR_SCAN_MAX, "{n} origins");
            for origin in &exact {
                assert!(origins.allows(origin.as_bytes()), "{origin} of {n}");
            }
            assert!(origins.allows(b"https://a.example.net"));
            for refused in [
                "https://app.example.com",
                "",
                "https://app0.example.com/",
                "https://example.net",
                "https://A.example.net",
                "null",
            ] {
                assert!(!origins.allows(refused.as_bytes()), "{refused} of {n}");
            }
        }
    }

    #[test]
    fn every_origin_is_found_within_a_few_probes() {
        let origins: Vec<String> = (0..1000)
            .map(|i| format!("https://app{i}.example.com"))
            .collect();
        let table = OriginTable::new(origins.clone());
        let len = table.slots.len();
        assert!(len.is_power_of_two() && len >= 2 * origins.len());
        let mask = len - 1;
        for origin in &origins {
            let mut slot = origin_hash(origin.as_bytes()) as usize & mask;
            let mut probes = 0;
            while &*table.slots[slot] != origin.as_str() {
                assert!(!table.slots[slot].is_empty(), "{origin} not found");
                slot = (slot + 1) & mask;
                probes += 1;
            }
            assert!(probes < 64, "clustered table: {probes} probes");
        }
    }

    #[test]
    fn hash_depends_on_every_byte() {
        let a = origin_hash(b"https://a.example.com");
        assert_ne!(a, origin_hash(b"https://b.example.com"));
        assert_ne!(a, origin_hash(b"https://a.example.co"));
        assert_ne!(origin_hash(b""), origin_hash(b"\0"));
    }
}
