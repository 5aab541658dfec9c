//! Where names live in the `--zone` files, so a SARIF result can always point at a zone-file line.

use crate::dns::RType;
use crate::dns::zone::{Zone, ZoneData, read_zone_file};
use crate::domain_name::{normalise as norm, within};
use crate::finding::ZoneLocation;
use std::path::PathBuf;

/// One record's owner, type and place in its file.
#[derive(Debug, Clone)]
struct Placed {
    name: String,
    rtype: RType,
    location: ZoneLocation,
}

#[derive(Debug, Clone)]
struct ZoneEntry {
    apex: String,
    file: String,
    /// The SOA line, else the first record, else the top of the file: where "absent" is shown.
    head: ZoneLocation,
    records: Vec<Placed>,
}

/// The records of every `--zone` file, by owner name, with their locations.
#[derive(Debug, Clone, Default)]
pub struct ZoneIndex {
    zones: Vec<ZoneEntry>,
}

impl ZoneIndex {
    pub fn from_zones(zones: &[Zone]) -> ZoneIndex {
        let zones = zones
            .iter()
            .map(|z| {
                let soa = z
                    .records
                    .iter()
                    .find(|r| matches!(r.data, ZoneData::SOA { .. }))
                    .or(z.records.first())
                    .map(|r| r.location.clone());
                ZoneEntry {
                    apex: norm(&z.apex),
                    file: z.file.clone(),
                    head: soa.unwrap_or(ZoneLocation {
                        file: z.file.clone(),
                        line: 1,
                        column: 1,
                    }),
                    records: z
                        .records
                        .iter()
                        .map(|r| Placed {
                            name: norm(&r.name),
                            rtype: r.data.rtype(),
                            location: r.location.clone(),
                        })
                        .collect(),
                }
            })
            .collect();
        ZoneIndex { zones }
    }

    /// Reads the zone files again (the DNS layer already validated them; one it cannot read
    /// now is skipped, which only costs that file's locations).
    pub fn read(paths: &[PathBuf]) -> ZoneIndex {
        let zones: Vec<Zone> = paths
            .iter()
            .filter_map(|p| read_zone_file(p).ok())
            .collect();
        ZoneIndex::from_zones(&zones)
    }

    pub fn is_empty(&self) -> bool {
        self.zones.is_empty()
    }

    /// The first record (in file order) of `name`, of `rtype` when given.
    pub fn record(&self, name: &str, rtype: Option<RType>) -> Option<ZoneLocation> {
        let name = norm(name);
        self.zones
            .iter()
            .flat_map(|z| z.records.iter())
            .filter(|r| r.name == name && rtype.is_none_or(|t| r.rtype == t))
            .min_by_key(|r| (r.location.file.clone(), r.location.line, r.location.column))
            .map(|r| r.location.clone())
    }

    /// The SOA (or first) line and file of the most specific zone that would hold `name`.
    pub fn zone_head(&self, name: &str) -> Option<(ZoneLocation, String)> {
        let name = norm(name);
        self.zones
            .iter()
            .filter(|z| within(&name, &z.apex))
            .max_by_key(|z| z.apex.len())
            .map(|z| (z.head.clone(), z.file.clone()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::dns::zone::parse_zone;

    fn index() -> ZoneIndex {
        let z = parse_zone(
            "z/example.com.zone",
            "$ORIGIN example.com.\n$TTL 300\n@ IN SOA ns. h. 1 2 3 4 5\n@ IN MX 10 mx\n@ IN TXT \"v=spf1 -all\"\nmx IN A 192.0.2.1\n",
            None,
        )
        .unwrap();
        ZoneIndex::from_zones(&[z])
    }

    #[test]
    fn records_by_name_and_type_and_the_zone_head_for_absent_names() {
        let i = index();
        assert_eq!(i.record("example.com.", Some(RType::TXT)).unwrap().line, 5);
        assert_eq!(i.record("EXAMPLE.com", None).unwrap().line, 3);
        assert_eq!(i.record("mx.example.com", None).unwrap().line, 6);
        assert!(i.record("_dmarc.example.com", None).is_none());
        let (head, file) = i.zone_head("_dmarc.example.com").unwrap();
        assert_eq!((head.line, file.as_str()), (3, "z/example.com.zone"));
        assert!(i.zone_head("example.net").is_none());
        assert!(i.zone_head("badexample.com").is_none());
    }
}
