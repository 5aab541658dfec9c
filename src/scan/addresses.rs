//! Every recipient address of a scan, stored compactly: the bytes in one arena, a hash table of
//! numbers, and per address only what deliveries leave behind (failures are kept apart).
//!
//! A million distinct recipients take about 60 MB this way, where a map of owned strings to
//! structs takes twice that.

use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::BuildHasher;

/// What is kept for every address.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    start: u32,
    len: u32,
    /// Deliveries to the address.
    pub delivered: u32,
    /// Time of the last delivery (`time::UNKNOWN` when none had a time, or none happened).
    pub last_delivered: i64,
}

/// The addresses, numbered in order of first sight.
#[derive(Default)]
pub struct Book {
    table: HashTable<u32>,
    arena: Vec<u8>,
    entries: Vec<Entry>,
    hasher: DefaultHashBuilder,
}

/// Addresses longer than this are not addresses (RFC 5321 section 4.5.3.1 allows 254 octets of path).
pub const MAX_LEN: usize = 512;

impl Book {
    /// The number of `addr` (already lower-cased), adding it when new; `None` when the address
    /// is too long or the arena is full (4 GiB of addresses).
    pub fn id(&mut self, addr: &str) -> Option<u32> {
        if addr.len() > MAX_LEN {
            return None;
        }
        let hash = self.hasher.hash_one(addr.as_bytes());
        let (arena, entries) = (&self.arena, &self.entries);
        let found = self.table.find(hash, |&i| {
            let e = &entries[i as usize];
            &arena[e.start as usize..(e.start + e.len) as usize] == addr.as_bytes()
        });
        if let Some(&i) = found {
            return Some(i);
        }
        let start = u32::try_from(self.arena.len()).ok()?;
        start.checked_add(addr.len() as u32)?;
        let i = u32::try_from(self.entries.len()).ok()?;
        self.arena.extend_from_slice(addr.as_bytes());
        self.entries.push(Entry {
            start,
            len: addr.len() as u32,
            delivered: 0,
            last_delivered: super::time::UNKNOWN,
        });
        let (arena, entries, hasher) = (&self.arena, &self.entries, &self.hasher);
        self.table.insert_unique(hash, i, |&j| {
            let e = &entries[j as usize];
            hasher.hash_one(&arena[e.start as usize..(e.start + e.len) as usize])
        });
        Some(i)
    }

    pub fn name(&self, id: u32) -> &str {
        let e = &self.entries[id as usize];
        // The arena holds only whole `&str`s, so every entry's range is valid UTF-8.
        std::str::from_utf8(&self.arena[e.start as usize..(e.start + e.len) as usize]).unwrap_or("")
    }

    pub fn entry(&self, id: u32) -> &Entry {
        &self.entries[id as usize]
    }

    pub fn entry_mut(&mut self, id: u32) -> &mut Entry {
        &mut self.entries[id as usize]
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes held, for the benchmark's memory notes.
    pub fn heap_bytes(&self) -> usize {
        self.arena.capacity()
            + self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.table.capacity() * (std::mem::size_of::<u32>() + 1)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_same_address_gets_the_same_number() {
        let mut b = Book::default();
        let a = b.id("ann@example.com").unwrap();
        let z = b.id("zed@example.com").unwrap();
        assert_ne!(a, z);
        assert_eq!(b.id("ann@example.com"), Some(a));
        assert_eq!(b.name(z), "zed@example.com");
        assert_eq!(b.len(), 2);
        assert_eq!(b.id(&"x".repeat(MAX_LEN + 1)), None);
        for i in 0..10_000 {
            b.id(&format!("user{i}@example.org")).unwrap();
        }
        let last = b.id("user9999@example.org").unwrap();
        assert_eq!(b.name(last), "user9999@example.org");
    }
}
