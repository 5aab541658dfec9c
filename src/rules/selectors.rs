//! DKIM selector knowledge (rules/selectors.toml) as the catalogue DKIM discovery reads. The
//! table is typed in `knowledge.rs` and validated in `validate_knowledge.rs` like the others.

use super::knowledge::DkimSelectorRule;
use super::set::RuleSet;
pub use super::vocab::Tier;
use std::sync::{Arc, OnceLock};

/// A validated entry, ready for discovery.
#[derive(Debug, Clone)]
pub struct SelectorEntry {
    pub id: String,
    pub name: String,
    pub tier: Tier,
    pub selectors: Vec<String>,
    pub spf_includes: Vec<String>,
    pub mx_hosts: Vec<String>,
}

/// Every entry, in file order (built-ins first; `--rules DIR` overrides by id).
#[derive(Debug, Clone, Default)]
pub struct SelectorCatalogue {
    pub entries: Vec<SelectorEntry>,
}

impl SelectorCatalogue {
    /// The built-in catalogue, read once from the embedded rules/selectors.toml. Its validity is
    /// proven by the rules tests; an entry that failed validation would simply be left out.
    pub fn builtin() -> Arc<SelectorCatalogue> {
        static BUILTIN: OnceLock<Arc<SelectorCatalogue>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                let text = super::embedded::BUILTIN
                    .iter()
                    .find(|(f, _)| *f == FILE)
                    .map_or("", |(_, t)| *t);
                let mut errors = Vec::new();
                let raw = super::load::parse_file(FILE, text, &mut errors);
                Arc::new(SelectorCatalogue::from_rules(
                    raw.dkim_selectors.iter().map(|(_, r)| r),
                ))
            })
            .clone()
    }

    fn from_rules<'a>(rules: impl Iterator<Item = &'a DkimSelectorRule>) -> SelectorCatalogue {
        let entries = rules
            .map(|r| SelectorEntry {
                id: r.id.clone(),
                name: r.name.clone(),
                tier: r.tier,
                selectors: r.selectors.iter().map(|s| s.to_ascii_lowercase()).collect(),
                spf_includes: r.spf_includes.iter().map(|s| norm(s)).collect(),
                mx_hosts: r.mx_hosts.iter().map(|s| norm(s)).collect(),
            })
            .collect();
        SelectorCatalogue { entries }
    }
}

impl SelectorEntry {
    /// True for a service whose SPF markers match `target` (an include/redirect target).
    pub fn shown_by_spf(&self, target: &str) -> bool {
        self.tier == Tier::Service && self.spf_includes.iter().any(|s| at_or_below(target, s))
    }

    /// True for a service whose MX markers match `host`.
    pub fn shown_by_mx(&self, host: &str) -> bool {
        self.tier == Tier::Service && self.mx_hosts.iter().any(|s| at_or_below(host, s))
    }
}

/// The file the built-in table lives in.
const FILE: &str = "rules/selectors.toml";

fn norm(s: &str) -> String {
    s.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// True when `name` is `suffix` or a name below it (label boundary).
pub fn at_or_below(name: &str, suffix: &str) -> bool {
    !suffix.is_empty()
        && (name == suffix
            || (name.len() > suffix.len()
                && name.ends_with(suffix)
                && name.as_bytes()[name.len() - suffix.len() - 1] == b'.'))
}

impl RuleSet {
    /// The selector catalogue of this set (built-ins with `--rules DIR` overrides applied).
    pub fn dkim_catalogue(&self) -> SelectorCatalogue {
        SelectorCatalogue::from_rules(self.dkim_selectors.iter().map(|l| &l.rule))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalogue_has_every_tier() {
        let c = SelectorCatalogue::builtin();
        for tier in [Tier::Common, Tier::Service, Tier::Fallback] {
            assert!(c.entries.iter().any(|e| e.tier == tier), "{tier:?}");
        }
        let shown = |f: &dyn Fn(&SelectorEntry) -> bool| -> Vec<&str> {
            c.entries
                .iter()
                .filter(|e| f(e))
                .map(|e| e.id.as_str())
                .collect()
        };
        assert_eq!(
            shown(&|e| e.shown_by_spf("_spf.google.com")),
            ["dkim-google-workspace"]
        );
        assert_eq!(
            shown(&|e| e.shown_by_spf("servers.mcsv.net")),
            ["dkim-mailchimp"]
        );
        assert_eq!(
            shown(&|e| e.shown_by_mx("aspmx.l.google.com")),
            ["dkim-google-workspace"]
        );
        assert!(shown(&|e| e.shown_by_mx("notgoogle.com")).is_empty());
    }

    /// The 48 selectors of the probe list that lived in src/checks/dkim.rs are all still probed
    /// (in one tier or another) now that the list is data.
    #[test]
    fn every_selector_of_the_old_built_in_list_is_still_listed() {
        let old = [
            "google",
            "selector1",
            "selector2",
            "s1",
            "s2",
            "k1",
            "k2",
            "k3",
            "default",
            "dkim",
            "mail",
            "smtp",
            "mx",
            "mandrill",
            "everlytickey1",
            "everlytickey2",
            "dkim1",
            "dkim2",
            "sig1",
            "krs",
            "mailo",
            "pic",
            "mxvault",
            "x",
            "zoho",
            "zmail",
            "protonmail",
            "protonmail2",
            "protonmail3",
            "fm1",
            "fm2",
            "fm3",
            "scph0220",
            "scph0920",
            "scph1220",
            "cm",
            "pm",
            "mailjet",
            "200608",
            "s1024",
            "s2048",
            "amazonses",
            "key1",
            "key2",
            "dk",
            "email",
            "mta",
            "turbo-smtp",
        ];
        let c = SelectorCatalogue::builtin();
        for s in old {
            assert!(
                c.entries.iter().any(|e| e.selectors.iter().any(|x| x == s)),
                "{s} is no longer probed"
            );
        }
    }

    fn lint(text: &str) -> Vec<String> {
        let (_, errors) = RuleSet::from_sources(&[("extra/sel.toml".into(), text.into())]);
        errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn rules_lint_names_the_line_of_each_mistake() {
        let ok = "[[dkim_selectors]]\nid = \"dkim-acme\"\nname = \"Acme\"\ntier = \"service\"\nselectors = [\"acme1\"]\nspf_includes = [\"spf.acme.example\"]\nsource = \"https://acme.example/dkim\"\n";
        assert_eq!(lint(ok), Vec::<String>::new());
        let cases = [
            (
                ok.replace("spf_includes", "spf_include"),
                "unknown field `spf_include`",
            ),
            (
                ok.replace("\"service\"", "\"services\""),
                "tier `services` is not one of",
            ),
            (
                ok.replace("spf_includes = [\"spf.acme.example\"]\n", ""),
                "a service needs",
            ),
            (ok.replace("\"acme1\"", "\"Acme 1\""), "selector `Acme 1`"),
            (
                ok.replace("spf.acme.example", "acme"),
                "`acme` is not a host-name suffix",
            ),
            (
                ok.replace("https://acme.example/dkim", " "),
                "empty `source`",
            ),
            (
                ok.replace("dkim-acme", "dkim-google-workspace")
                    .replace("tier = \"service\"", "tier = \"fallback\"")
                    .replace("spf_includes = [\"spf.acme.example\"]\n", ""),
                "",
            ),
        ];
        for (text, want) in &cases[..6] {
            let errors = lint(text);
            assert!(
                errors
                    .iter()
                    .any(|e| e.starts_with("extra/sel.toml:") && e.contains(want)),
                "{want}: {errors:?}"
            );
        }
        // An extra file overrides a built-in entry by id, and the catalogue follows it.
        let (text, _) = &cases[6];
        assert_eq!(lint(text), Vec::<String>::new());
        let (set, _) = RuleSet::from_sources(&[("extra/sel.toml".into(), text.clone())]);
        let google = set
            .dkim_catalogue()
            .entries
            .into_iter()
            .find(|e| e.id == "dkim-google-workspace")
            .unwrap();
        assert_eq!(
            (google.tier, google.selectors),
            (Tier::Fallback, vec!["acme1".to_string()])
        );
    }

    #[test]
    fn suffixes_match_on_label_boundaries() {
        assert!(at_or_below("servers.mcsv.net", "mcsv.net"));
        assert!(at_or_below("mcsv.net", "mcsv.net"));
        assert!(!at_or_below("xmcsv.net", "mcsv.net"));
        assert!(!at_or_below("anything", ""));
    }
}
