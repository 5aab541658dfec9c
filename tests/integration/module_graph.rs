//! The module graph of src/ has no circle: no file depends, directly or through others, on a
//! file that depends on it, and no top-level module on one that depends on it.
//!
//! The graph is read from the source with `syn`: every path a file names (in `use` items, types,
//! expressions, patterns and macro arguments) is resolved to the file that defines the item,
//! following `pub use` re-exports, so `crate::checks::CheckParams` counts as a use of
//! checks/types.rs, not of checks/mod.rs. `#[cfg(test)]` code is left out: a test may reach
//! anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// One module: a file, or an inline `mod x { ... }` inside one (which shares its file's node).
struct Module {
    path: Vec<String>,
    node: usize,
    parent: Option<usize>,
    children: BTreeMap<String, usize>,
    /// Names of the items defined here (structs, functions, traits, macros ...).
    items: BTreeSet<String>,
    /// `use` imports: local name -> path as written (resolved later, in this module).
    uses: Vec<(String, Vec<String>)>,
    /// `use x::*` imports, as written.
    globs: Vec<Vec<String>>,
    /// Every path named in this module's code, as written.
    refs: Vec<Vec<String>>,
}

/// The files of the crate and the modules they hold.
pub struct Graph {
    files: Vec<PathBuf>,
    modules: Vec<Module>,
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Meta>()
                .is_ok_and(|m| m.path().is_ident("test"))
    })
}

fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// Flattens a use tree into (local name, path) pairs and glob paths.
fn flatten_use(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(String, Vec<String>)>,
    globs: &mut Vec<Vec<String>>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten_use(&p.tree, prefix, out, globs);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                if let Some(last) = prefix.last() {
                    out.push((last.clone(), prefix.clone()));
                }
            } else {
                let mut p = prefix.clone();
                p.push(name.clone());
                out.push((name, p));
            }
        }
        syn::UseTree::Rename(r) => {
            let mut p = prefix.clone();
            let name = r.ident.to_string();
            if name != "self" {
                p.push(name);
            }
            out.push((r.rename.to_string(), p));
        }
        syn::UseTree::Glob(_) => globs.push(prefix.clone()),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                flatten_use(t, prefix, out, globs);
            }
        }
    }
}

/// Collects every path named in code, including inside macro arguments that parse as
/// expressions (format!, vec!, assert! ...).
#[derive(Default)]
struct Paths(Vec<Vec<String>>);

impl<'ast> Visit<'ast> for Paths {
    fn visit_path(&mut self, p: &'ast syn::Path) {
        self.0
            .push(p.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        use syn::parse::Parser;
        let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        if let Ok(args) = parser.parse2(m.tokens.clone()) {
            for e in &args {
                self.visit_expr(e);
            }
        }
        syn::visit::visit_macro(self, m);
    }

    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {
        // `pub(crate)` names a scope, not an item.
    }

    fn visit_item_mod(&mut self, _: &'ast syn::ItemMod) {
        // Nested modules are modules of their own.
    }

    fn visit_item_use(&mut self, _: &'ast syn::ItemUse) {
        // Imports are read separately (they name, they do not use).
    }
}

impl Graph {
    /// Reads the library crate rooted at `src/lib.rs`.
    pub fn read(src: &Path) -> Graph {
        let mut g = Graph {
            files: Vec::new(),
            modules: Vec::new(),
        };
        g.load_file(&src.join("lib.rs"), Vec::new(), None, true);
        g
    }

    fn load_file(
        &mut self,
        file: &Path,
        path: Vec<String>,
        parent: Option<usize>,
        owns_dir: bool,
    ) -> usize {
        let text = std::fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        self.files.push(file.to_path_buf());
        let node = self.files.len() - 1;
        // Files named mod.rs / lib.rs keep their children beside them; x.rs keeps them in x/.
        let dir = if owns_dir {
            file.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            file.with_extension("")
        };
        self.load_items(&ast.items, path, parent, node, &dir)
    }

    fn load_items(
        &mut self,
        items: &[syn::Item],
        path: Vec<String>,
        parent: Option<usize>,
        node: usize,
        dir: &Path,
    ) -> usize {
        self.modules.push(Module {
            path: path.clone(),
            node,
            parent,
            children: BTreeMap::new(),
            items: BTreeSet::new(),
            uses: Vec::new(),
            globs: Vec::new(),
            refs: Vec::new(),
        });
        let me = self.modules.len() - 1;
        let mut paths = Paths::default();
        for item in items {
            let (name, attrs): (Option<String>, &[syn::Attribute]) = match item {
                syn::Item::Struct(i) => (Some(i.ident.to_string()), &i.attrs),
                syn::Item::Enum(i) => (Some(i.ident.to_string()), &i.attrs),
                syn::Item::Union(i) => (Some(i.ident.to_string()), &i.attrs),
                syn::Item::Fn(i) => (Some(i.sig.ident.to_string()), &i.attrs),
                syn::Item::Const(i) => (Some(i.ident.to_string()), &i.attrs),
                syn::Item::Static(i) => (Some(i.ident.to_string()), &i.attrs),
                syn::Item::Type(i) => (Some(i.ident.to_string()), &i.attrs),
                syn::Item::Trait(i) => (Some(i.ident.to_string()), &i.attrs),
                syn::Item::Macro(i) => (i.ident.as_ref().map(ToString::to_string), &i.attrs),
                syn::Item::Impl(i) => (None, &i.attrs),
                syn::Item::Use(i) => (None, &i.attrs),
                syn::Item::Mod(i) => (None, &i.attrs),
                _ => (None, &[]),
            };
            if is_cfg_test(attrs) {
                continue;
            }
            if let Some(n) = name {
                self.modules[me].items.insert(n);
            }
            match item {
                syn::Item::Use(u) => {
                    let (mut uses, mut globs) = (Vec::new(), Vec::new());
                    flatten_use(&u.tree, &mut Vec::new(), &mut uses, &mut globs);
                    self.modules[me].uses.extend(uses);
                    self.modules[me].globs.extend(globs);
                }
                syn::Item::Mod(m) => {
                    let name = m.ident.to_string();
                    let mut child_path = path.clone();
                    child_path.push(name.clone());
                    let child = match &m.content {
                        Some((_, inner)) => {
                            self.load_items(inner, child_path, Some(me), node, &dir.join(&name))
                        }
                        None => {
                            let (file, owns) = match path_attr(&m.attrs) {
                                Some(p) => (dir.join(p), false),
                                None if dir.join(format!("{name}.rs")).is_file() => {
                                    (dir.join(format!("{name}.rs")), false)
                                }
                                None => (dir.join(&name).join("mod.rs"), true),
                            };
                            self.load_file(&file, child_path, Some(me), owns)
                        }
                    };
                    self.modules[me].children.insert(name, child);
                }
                other => paths.visit_item(other),
            }
        }
        self.modules[me].refs = paths.0;
        me
    }

    /// The absolute path (from the crate root) that `segs`, written in module `m`, names;
    /// None for other crates and the prelude.
    fn absolute(&self, m: usize, segs: &[String], depth: usize) -> Option<Vec<String>> {
        let module = &self.modules[m];
        let first = segs.first()?;
        match first.as_str() {
            "crate" => Some(segs[1..].to_vec()),
            "self" => {
                let mut p = module.path.clone();
                p.extend_from_slice(&segs[1..]);
                Some(p)
            }
            "super" => {
                let parent = module.parent?;
                self.absolute(parent, &[&["self".to_string()], &segs[1..]].concat(), depth)
            }
            _ if module.children.contains_key(first) || module.items.contains(first) => {
                let mut p = module.path.clone();
                p.extend_from_slice(segs);
                Some(p)
            }
            _ => {
                if depth > 16 {
                    return None;
                }
                let (_, target) = module.uses.iter().find(|(name, _)| name == first)?;
                let mut p = self.absolute(m, target, depth + 1)?;
                p.extend_from_slice(&segs[1..]);
                Some(p)
            }
        }
    }

    /// The module that defines what the absolute path `abs` names, following re-exports.
    fn locate(&self, abs: &[String], depth: usize) -> Option<usize> {
        if depth > 16 {
            return None;
        }
        let mut m = 0;
        for (i, seg) in abs.iter().enumerate() {
            if let Some(&child) = self.modules[m].children.get(seg) {
                m = child;
                continue;
            }
            let module = &self.modules[m];
            if module.items.contains(seg) {
                return Some(m);
            }
            if let Some((_, target)) = module.uses.iter().find(|(name, _)| name == seg) {
                let mut p = self.absolute(m, target, 0)?;
                p.extend_from_slice(&abs[i + 1..]);
                return self.locate(&p, depth + 1);
            }
            return module.globs.iter().find_map(|g| {
                let mut p = self.absolute(m, g, 0)?;
                p.extend_from_slice(&abs[i..]);
                self.locate(&p, depth + 1)
            });
        }
        Some(m)
    }

    /// File-to-file dependencies: (from, to) node pairs, no self edges.
    pub fn edges(&self) -> BTreeSet<(usize, usize)> {
        let mut out = BTreeSet::new();
        for (m, module) in self.modules.iter().enumerate() {
            let named = module
                .uses
                .iter()
                .map(|(_, p)| p)
                .chain(&module.globs)
                .chain(&module.refs);
            for segs in named {
                let Some(abs) = self.absolute(m, segs, 0) else {
                    continue;
                };
                if let Some(target) = self.locate(&abs, 0) {
                    let (a, b) = (module.node, self.modules[target].node);
                    if a != b {
                        out.insert((a, b));
                    }
                }
            }
        }
        out
    }

    /// A file's name relative to src/, e.g. `checks/spf/tree.rs`.
    pub fn name(&self, node: usize, src: &Path) -> String {
        self.files[node]
            .strip_prefix(src)
            .unwrap_or(&self.files[node])
            .display()
            .to_string()
    }

    /// The top-level module a file belongs to (`checks`, `plan` ...; `lib` for lib.rs).
    pub fn top(&self, node: usize) -> String {
        self.modules
            .iter()
            .find(|m| m.node == node)
            .and_then(|m| m.path.first().cloned())
            .unwrap_or_else(|| "lib".into())
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }
}

/// Strongly connected components with more than one member: the circles.
pub fn circles(n: usize, edges: &BTreeSet<(usize, usize)>) -> Vec<Vec<usize>> {
    // Tarjan's algorithm, iterative so a deep graph cannot overflow the stack.
    let mut adj = vec![Vec::new(); n];
    for &(a, b) in edges {
        adj[a].push(b);
    }
    let (mut index, mut low) = (vec![usize::MAX; n], vec![0; n]);
    let (mut on_stack, mut stack, mut next, mut out) = (vec![false; n], Vec::new(), 0, Vec::new());
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work = vec![(start, 0usize)];
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if *i == 0 {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if *i < adj[v].len() {
                let w = adj[v][*i];
                *i += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut scc = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    scc.push(w);
                    if w == v {
                        break;
                    }
                }
                if scc.len() > 1 {
                    scc.sort_unstable();
                    out.push(scc);
                }
            }
        }
    }
    out
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// A circle as its members and the edges inside it, for the failure message.
fn describe(
    scc: &[usize],
    edges: &BTreeSet<(usize, usize)>,
    name: &dyn Fn(usize) -> String,
) -> String {
    let inside: Vec<String> = edges
        .iter()
        .filter(|(a, b)| scc.contains(a) && scc.contains(b))
        .map(|(a, b)| format!("{} -> {}", name(*a), name(*b)))
        .collect();
    let members: Vec<String> = scc.iter().map(|n| name(*n)).collect();
    format!("{{{}}}: {}", members.join(", "), inside.join("; "))
}

#[test]
fn no_file_of_src_depends_on_itself_through_others() {
    let src = src_dir();
    let g = Graph::read(&src);
    assert!(g.len() > 50, "read only {} files", g.len());
    let edges = g.edges();
    let found = circles(g.len(), &edges);
    let text: Vec<String> = found
        .iter()
        .map(|scc| describe(scc, &edges, &|n| g.name(n, &src)))
        .collect();
    assert!(
        found.is_empty(),
        "import circles between files:\n{}",
        text.join("\n")
    );
}

#[test]
fn no_top_level_module_depends_on_itself_through_others() {
    let src = src_dir();
    let g = Graph::read(&src);
    let edges = g.edges();
    let tops: Vec<String> = (0..g.len()).map(|n| g.top(n)).collect();
    let names: Vec<String> = tops
        .iter()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let id = |t: &str| names.iter().position(|n| n == t).unwrap_or(0);
    let top_edges: BTreeSet<(usize, usize)> = edges
        .iter()
        .map(|(a, b)| (id(&tops[*a]), id(&tops[*b])))
        .filter(|(a, b)| a != b)
        .collect();
    let found = circles(names.len(), &top_edges);
    let text: Vec<String> = found
        .iter()
        .map(|scc| {
            // Name the file-level edges that close each circle.
            let files: Vec<String> = edges
                .iter()
                .filter(|(a, b)| {
                    let (ta, tb) = (id(&tops[*a]), id(&tops[*b]));
                    ta != tb && scc.contains(&ta) && scc.contains(&tb)
                })
                .map(|(a, b)| format!("{} -> {}", g.name(*a, &src), g.name(*b, &src)))
                .collect();
            format!(
                "{{{}}} through {}",
                scc.iter()
                    .map(|n| names[*n].clone())
                    .collect::<Vec<_>>()
                    .join(", "),
                files.join("; ")
            )
        })
        .collect();
    assert!(
        found.is_empty(),
        "import circles between top-level modules:\n{}",
        text.join("\n")
    );
}

/// Top-level modules each file's code reaches, directly or through others.
fn reach(g: &Graph, from: &str) -> BTreeSet<String> {
    let top: Vec<(String, String)> = g
        .edges()
        .iter()
        .map(|(a, b)| (g.top(*a), g.top(*b)))
        .collect();
    let mut seen = BTreeSet::from([from.to_string()]);
    let mut todo = vec![from.to_string()];
    while let Some(m) = todo.pop() {
        for (a, b) in &top {
            if *a == m && seen.insert(b.clone()) {
                todo.push(b.clone());
            }
        }
    }
    seen.remove(from);
    seen
}

/// Decoding is offline: what reads replies and rules never reaches the DNS or the checks, and
/// the shared leaves (findings, domain names) depend on nothing of the crate.
#[test]
fn decoding_never_reaches_dns_and_leaves_depend_on_nothing() {
    let g = Graph::read(&src_dir());
    for decoding in ["reply", "rules"] {
        let r = reach(&g, decoding);
        assert!(
            !r.contains("dns") && !r.contains("checks"),
            "{decoding} reaches {r:?}"
        );
    }
    for leaf in ["finding", "domain_name"] {
        assert_eq!(reach(&g, leaf), BTreeSet::new(), "{leaf}");
    }
}

/// The analysis itself: a circle written into a scratch crate is found, and a re-export does
/// not make a child depend on its parent.
#[test]
fn the_graph_reader_finds_a_circle_and_follows_re_exports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path();
    let write = |p: &str, t: &str| {
        let path = src.join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, t).expect("write");
    };
    write("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n");
    write("a.rs", "pub fn f() { crate::b::g() }\n");
    write("b.rs", "use crate::a;\npub fn g() { a::f() }\n");
    write(
        "c/mod.rs",
        "mod t;\npub use t::*;\npub fn h() -> T { t::make() }\n",
    );
    write(
        "c/t.rs",
        "pub struct T;\npub fn make() -> T { crate::c::T }\n",
    );
    let g = Graph::read(src);
    let edges = g.edges();
    let found: Vec<Vec<String>> = circles(g.len(), &edges)
        .iter()
        .map(|scc| scc.iter().map(|n| g.name(*n, src)).collect())
        .collect();
    assert_eq!(found, vec![vec!["a.rs".to_string(), "b.rs".to_string()]]);
}
