//! The README is a front door (under 16 KB) and every relative link in it and in docs/ points at
//! a file (and heading) that exists; the rules page lists every category.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pages() -> Vec<PathBuf> {
    let mut out = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    out.extend(docs);
    out
}

/// GitHub's anchor of a heading: lower-case, spaces to dashes, punctuation dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(page: &Path) -> Vec<String> {
    std::fs::read_to_string(page)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix('#'))
        .map(|l| slug(l.trim_start_matches('#')))
        .collect()
}

#[test]
fn the_readme_is_a_front_door_under_16_kb() {
    let size = std::fs::metadata(root().join("README.md")).unwrap().len();
    assert!(size < 16 * 1024, "README.md is {size} bytes");
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for page in [
        "docs/explain.md",
        "docs/check.md",
        "docs/diagnose.md",
        "docs/rules.md",
        "docs/exit-codes.md",
        "docs/json.md",
        "docs/development.md",
    ] {
        assert!(
            readme.contains(&format!("]({page})")),
            "README does not link {page}"
        );
    }
}

#[test]
fn every_relative_link_points_at_something_that_exists() {
    let link = regex::Regex::new(r"\]\(([^)\s]+)\)").unwrap();
    let mut checked = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let dir = page.parent().unwrap();
        for c in link.captures_iter(&text) {
            let target = &c[1];
            if target.starts_with("http://") || target.starts_with("https://") {
                continue;
            }
            checked += 1;
            let (file, anchor) = target.split_once('#').unwrap_or((target, ""));
            let path = if file.is_empty() {
                page.clone()
            } else {
                dir.join(file)
            };
            assert!(
                path.exists(),
                "{}: link to {target}: no such file",
                page.display()
            );
            if !anchor.is_empty() {
                assert!(
                    anchors(&path).contains(&anchor.to_string()),
                    "{}: link to {target}: no such heading",
                    page.display()
                );
            }
        }
    }
    assert!(checked > 30, "only {checked} links");
}

#[test]
fn the_rules_page_lists_every_category() {
    let page = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
    for c in mailtriage::rules::Category::ALL {
        let row = format!("| `{}` | {} |", c.as_str(), c.about());
        assert!(page.contains(&row), "docs/rules.md lacks {row}");
    }
}
