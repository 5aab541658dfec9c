//! Replies pasted in lower case (`550 5.1.10 resolver.adr.recipientnotfound; ...`): which
//! case-sensitive patterns still say the same thing folded, and their folded reading.
//!
//! A case-sensitive pattern is read without case in a lower-cased text only when every
//! literal it can start with is a *code*, whose shape survives folding: letters glued to a
//! digit or to `.`, `:`, `_`, `#`, `(`, `)` or `-` (`RESOLVER.ADR.`, `RLY:B1`, `[TSS04]`,
//! `AS(1234)`, `ERS-DUL`), or a CamelCase identifier (`TenantAttribution`). No prose writes
//! those in lower case either, so folding them claims nothing new. Two classes stay
//! case-sensitive, because their capitals are what makes them one provider's:
//! - words between spaces (`MAILBOX NOT FOUND`, `Temporary System Problem. Try again later`):
//!   in lower case they are any receiver's words;
//! - short tags of letters only in square brackets (`[BFD]`, `[ESA]`): receivers write short
//!   bracketed tags of their own (`[ok]`, `[cs]`, `[rbl]`), and only the capitals one provider
//!   writes set its tags apart.
//!
//! A text counts as lower-cased when it holds ASCII letters and none of them is upper case; a
//! reply written in lower case to begin with is read the same way, which is why only codes
//! fold.

use regex_syntax::hir::literal::Extractor;

/// Whether `text` reads as pasted in lower case: ASCII letters, none of them upper case.
pub(crate) fn lowered(text: &str) -> bool {
    let mut letters = false;
    for b in text.bytes() {
        if b.is_ascii_uppercase() {
            return false;
        }
        letters |= b.is_ascii_lowercase();
    }
    letters
}

/// The pattern read without case, when it is case-sensitive and every literal it can start
/// with is a code (see the module); `None` otherwise.
pub(crate) fn folded_reading(pattern: &str) -> Option<String> {
    if pattern.starts_with("(?i)") || !pattern.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let seq = Extractor::new().extract(&hir);
    let literals = seq.literals()?;
    let codes = !literals.is_empty()
        && literals.iter().all(|l| {
            std::str::from_utf8(l.as_bytes()).is_ok_and(|text| is_code(text, l.is_exact()))
        });
    codes.then(|| format!("(?i){pattern}"))
}

/// Whether a literal is a code: no space, upper-case letters, and each run of letters that
/// holds one glued to a digit or to code punctuation, or CamelCase. An inexact literal (the
/// extractor stopped at a class or a repetition: `[TSS` of `\[(TSS|...)\d{2}\]`) goes on with
/// no space, which the extractor would have kept, so its end counts as glued.
fn is_code(literal: &str, exact: bool) -> bool {
    const GLUE: &[u8] = b".:_#()-";
    let b = literal.as_bytes();
    if b.iter().any(|c| c.is_ascii_whitespace()) || !b.iter().any(u8::is_ascii_uppercase) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_alphabetic() {
            i += 1;
        }
        let run = &b[start..i];
        if !run.iter().any(u8::is_ascii_uppercase) {
            continue;
        }
        let glued = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_digit() || GLUE.contains(c));
        let before = start.checked_sub(1).and_then(|j| b.get(j));
        let camel = run
            .windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
        let open_end = i == b.len() && !exact;
        if !(glued(before) || glued(b.get(i)) || open_end || camel) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_fold_and_capitals_that_carry_the_meaning_do_not() {
        let folds = [
            r"\bRESOLVER\.(ADR|RST|MSGTYPE|FWD)\.",
            r"\bSTOREDRV\.",
            r"\b(RLY|DYN|CON|HVU|RTR):[A-Z]{1,2}\d?\b",
            r"\[(TSS|TS|IPTS|PH|BL|GL)\d{2}\]",
            r"\bAS\(\d{3,12}\)",
            r"\((S\d{3,10}|AS\d{3,8})\)",
            r"\bERS-(DUL|QIL|RBL|KSS)\b",
            r"\bTenantAttribution\b",
            r"\bSendAsDenied\b",
            r"\[(IB_FEB|S09|S10)\]",
            r"ANTISPAM_BAT\[",
        ];
        for p in folds {
            assert_eq!(folded_reading(p), Some(format!("(?i){p}")), "{p}");
        }
        let kept = [
            r"^MAILBOX NOT FOUND\.?$",
            r"\bTemporary System Problem\. Try again later\b",
            r"\[(BFD|ESA|UNS)\]",
            r"\[(IB_FEB|BFD)\]",
            r"(?i)\bRESOLVER\.ADR\.",
            r"\bgsmtp\b",
            r"^Auto-Submitted: auto-replied",
            r"\s+IP:\S+",
            r"\b[A-Z]+\b",
        ];
        for p in kept {
            assert_eq!(folded_reading(p), None, "{p}");
        }
    }

    #[test]
    fn a_text_is_lowered_when_no_letter_is_upper_case() {
        assert!(lowered(
            "550 5.1.10 resolver.adr.recipientnotfound; not found"
        ));
        assert!(lowered("554 rly:b1 ü"));
        assert!(!lowered("550 5.1.1 User unknown"));
        assert!(!lowered("550 5.1.1"));
        assert!(!lowered(""));
    }
}
