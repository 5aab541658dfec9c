//! Unit tests of the SPF record parser: versions, terms, macros and the errors each malformed term gets.

use super::*;

#[test]
fn recognises_spf_records_only_with_exact_version() {
    assert!(is_spf("v=spf1 -all"));
    assert!(is_spf("V=SPF1"));
    assert!(!is_spf("v=spf10 -all"));
    assert!(!is_spf("spf1 -all"));
    assert!(!is_spf("v=spf"));
}

#[test]
fn counts_dns_mechanisms_and_applicable_redirect() {
    let r = parse(
        "v=spf1 ip4:192.0.2.0/24 a mx:mx.example.com/24 include:_spf.example.net exists:%{i}.x.example ptr ip6:2001:db8::/32 -all",
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.own_lookups(), 5);
    assert!(r.has_macros);
    let r = parse("v=spf1 ip4:192.0.2.1 redirect=_spf.example.com");
    assert_eq!(r.own_lookups(), 1);
    let r = parse("v=spf1 redirect=_spf.example.com -all");
    assert_eq!(r.own_lookups(), 0, "redirect is ignored next to all");
}

#[test]
fn syntax_errors_name_the_offending_term() {
    let r = parse("v=spf1 ip4:300.1.1.1 foo:bar include -all");
    assert_eq!(r.errors.len(), 3, "{:?}", r.errors);
    assert!(r.errors[0].contains("ip4:300.1.1.1"));
    assert!(r.errors[1].contains("foo:bar"));
    assert!(r.errors[2].contains("`include`"));
}

#[test]
fn cidr_lengths_are_checked() {
    assert!(parse("v=spf1 ip4:192.0.2.0/33").errors.len() == 1);
    assert!(parse("v=spf1 ip6:2001:db8::/129").errors.len() == 1);
    assert!(parse("v=spf1 a/24//64 mx//64").errors.is_empty());
    assert!(parse("v=spf1 a/024").errors.len() == 1);
    let r = parse("v=spf1 a:example.com/24");
    assert_eq!(
        r.directives[0].mechanism,
        Mechanism::A {
            domain: Some("example.com".into()),
            cidr4: 24,
            cidr6: 128
        }
    );
}

#[test]
fn modifiers_known_unknown_and_duplicated() {
    let r = parse("v=spf1 -all exp=explain.example.com foo=bar ra=postmaster");
    assert_eq!(r.exp.as_deref(), Some("explain.example.com"));
    assert_eq!(r.unknown_modifiers, vec!["foo=bar".to_string()]);
    assert!(r.errors.is_empty());
    let r = parse("v=spf1 redirect=a.example.com redirect=b.example.com");
    assert_eq!(r.errors.len(), 1);
}

#[test]
fn macro_and_domain_syntax() {
    assert!(
        parse("v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d}")
            .errors
            .is_empty()
    );
    assert_eq!(parse("v=spf1 exists:%{x}.example.com").errors.len(), 1);
    assert_eq!(parse("v=spf1 include:50%.example.com").errors.len(), 1);
    assert_eq!(parse("v=spf1 include:example").errors.len(), 1);
    assert_eq!(parse("v=spf1 a:foo.example.123").errors.len(), 1);
    assert!(parse("v=spf1 a:foo.example.com.").errors.is_empty());
}

#[test]
fn all_and_qualifiers() {
    let r = parse("v=spf1 ~all");
    let all = r.all().map(|d| d.qualifier);
    assert_eq!(all, Some(Qualifier::SoftFail));
    assert_eq!(
        parse("v=spf1 all").all().map(|d| d.qualifier),
        Some(Qualifier::Pass)
    );
    assert_eq!(parse("v=spf1 -all:x").errors.len(), 1);
}

#[test]
fn clip_never_splits_a_character() {
    let s = "é".repeat(100);
    assert!(clip(&s).ends_with("..."));
}
