//! The origin hash shared by the macro (which builds the lookup table at compile time) and the
//! runtime (which probes it per request). Both sides must compute the same value, so it lives
//! here and nowhere else.

/// Hashes an origin's bytes. Word-at-a-time multiply-rotate (the FxHash construction): a few
/// nanoseconds for a typical origin, and well spread for the table sizes used here.
#[inline]
pub fn origin_hash(bytes: &[u8]) -> u64 {
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

/// Lays `origins` out in an open-addressing table (linear probing, load factor at most 1/2).
/// Returns the slots: `Some(index into origins)` or `None` for an empty slot. The table length is
/// a power of two, so the runtime finds a slot with `hash & (len - 1)`.
pub fn build_table(origins: &[&str]) -> Vec<Option<usize>> {
    let len = (origins.len() * 2).next_power_of_two().max(2);
    let mask = len - 1;
    let mut slots = vec![None; len];
    for (index, origin) in origins.iter().enumerate() {
        let mut slot = origin_hash(origin.as_bytes()) as usize & mask;
        while slots[slot].is_some() {
            slot = (slot + 1) & mask;
        }
        slots[slot] = Some(index);
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_origin_is_found_by_probing() {
        let origins: Vec<String> = (0..1000)
            .map(|i| format!("https://app{i}.example.com"))
            .collect();
        let refs: Vec<&str> = origins.iter().map(String::as_str).collect();
        let table = build_table(&refs);
        assert!(table.len().is_power_of_two() && table.len() >= 2 * refs.len());
        let mask = table.len() - 1;
        for (i, origin) in refs.iter().enumerate() {
            let mut slot = origin_hash(origin.as_bytes()) as usize & mask;
            let mut probes = 0;
            while table[slot] != Some(i) {
                assert!(table[slot].is_some(), "{origin} not found");
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
