//! Zone-file locations of single TXT records, for findings about one record among several TXT
//! records of a name (the SPF record, not the name's first TXT).

use super::zone::{Zone, ZoneData};
use crate::finding::ZoneLocation;
use std::collections::HashMap;

/// Every TXT record of the `--zone` files: (owner, joined text) -> where it was written.
#[derive(Default)]
pub(super) struct TxtLocations(HashMap<(String, Vec<u8>), ZoneLocation>);

impl TxtLocations {
    pub(super) fn new(zones: &[Zone]) -> TxtLocations {
        let mut map = HashMap::new();
        for rec in zones.iter().flat_map(|z| &z.records) {
            if let ZoneData::TXT(parts) = &rec.data {
                map.entry((rec.name.clone(), parts.concat()))
                    .or_insert_with(|| rec.location.clone());
            }
        }
        TxtLocations(map)
    }
}

impl TxtLocations {
    /// Where `--zone` defines the TXT record of `name` (normalised) whose joined text is `text`.
    pub(super) fn get(&self, name: &str, text: &[u8]) -> Option<ZoneLocation> {
        self.0.get(&(name.to_string(), text.to_vec())).cloned()
    }
}
