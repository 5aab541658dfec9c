//! Zone-file locations of single TXT records, for findings about one record among several TXT
//! records of a name (the SPF record, not the name's first TXT).

use super::{Dns, Zone, ZoneData, ZoneLocation, normalize};
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

impl Dns {
    /// Where `--zone` defines the TXT record of `name` whose joined text is `text`, if it does.
    pub fn zone_location_of_txt(&self, name: &str, text: &[u8]) -> Option<ZoneLocation> {
        let key = (normalize(name), text.to_vec());
        self.inner.txt_locations.0.get(&key).cloned()
    }
}
