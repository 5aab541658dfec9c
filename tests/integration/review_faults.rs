//! Review 16: faults already noticed in what users feed in, each test failing on the behaviour
//! found and passing on the fix.

use super::cli_support::{code, run, stderr, stdout};
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    path.display().to_string()
}

/// `check --zone notes` of a shopping list used to say `notes:1:7: missing origin` (and a file
/// named `notes.txt` `expected rtype`): the scanner's word for the first token it could not
/// read. A file with no line that reads as a record is named as not being a zone file.
#[test]
fn a_file_of_prose_given_as_a_zone_is_named_as_not_a_zone_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let prose = "Hello there,\nthis is a shopping list.\nEggs, milk: two litres.\n";
    for name in ["notes", "notes.txt", "README"] {
        let file = write(dir.path(), name, prose);
        let o = run(
            &["check", "example.com", "--zone", &file, "--offline"],
            None,
        );
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{name}: {}{err}", stdout(&o));
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("not a zone file"), "{name}: {err}");
        assert!(!err.contains("origin") && !err.contains("rtype"), "{err}");
    }
    // A zone file with a real mistake still gets the scanner's place and words.
    let broken = write(
        dir.path(),
        "broken.example.zone",
        "$ORIGIN broken.example.\n@ 300 IN SOA ns1 host 1 2 3 4 5\n@ IN MX ten mx\n",
    );
    let o = run(
        &["check", "broken.example", "--zone", &broken, "--offline"],
        None,
    );
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    assert!(!stderr(&o).contains("not a zone file"), "{}", stderr(&o));
}

/// `scan --merge notes.txt other.json` with no summary among them used to print a summary of
/// zero mail (exit 2 hidden under "0 delivered, 0 bounced"). Nothing merged is a refusal:
/// a line per file saying why, one saying nothing was merged, no summary, exit 2.
#[test]
fn a_merge_of_files_none_of_which_is_a_summary_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write(dir.path(), "notes.txt", "not a summary\n");
    let b = write(
        dir.path(),
        "other.json",
        "{\"schema\": \"mailtriage.explain/v1\"}",
    );
    for format in ["human", "json"] {
        let o = run(&["scan", "--merge", &a, &b, "--format", format], None);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{err}");
        assert!(stdout(&o).is_empty(), "{}", stdout(&o));
        assert_eq!(err.lines().count(), 3, "{err}");
        assert!(err.contains("notes.txt: not a usable"), "{err}");
        assert!(err.contains("other.json: not a usable"), "{err}");
        assert!(err.contains("nothing merged"), "{err}");
    }
}
