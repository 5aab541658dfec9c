//! JSON whose strings carry no character a terminal or a bidi-aware viewer would act on:
//! shared by the reports and the scan summary, which stream their JSON through it.

use serde::Serialize;
use std::io;

/// Characters a terminal or a bidi-aware viewer acts on instead of showing: C0 controls, DEL,
/// C1 controls, and the Unicode bidi embeddings, overrides, isolates and marks (which can make
/// `+all` display as `lla-`, say).
pub fn is_active(c: char) -> bool {
    c.is_control() // C0, DEL and C1 (U+0080-U+009F)
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
                | '\u{2028}' | '\u{2029}'
        )
}

/// A serde_json formatter that also writes DEL, C1 controls and the bidi characters as `\u`
/// escapes (serde_json escapes only C0, quotes and backslashes), so a JSON document printed on
/// a terminal carries no active character and still parses back to the original strings.
struct Safe<F>(F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for Safe<F> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // Below DEL no character is active (serde_json escapes C0 before it gets here): most
        // strings are written without decoding them character by character.
        if fragment.bytes().all(|b| b < 0x7f) {
            return w.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_active(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                write!(w, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }

    // Delegation of the layout: only strings change.
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Pretty JSON with the escapes of [`Safe`].
pub fn json_pretty<T: Serialize + ?Sized>(w: &mut dyn io::Write, v: &T) -> io::Result<()> {
    let mut ser =
        serde_json::Serializer::with_formatter(w, Safe(serde_json::ser::PrettyFormatter::new()));
    v.serialize(&mut ser).map_err(io::Error::other)
}

/// Compact JSON with the escapes of [`Safe`], written to `w` as it is serialised (the scan
/// summary streams its arrays element by element through this).
pub fn json_compact<T: Serialize + ?Sized>(w: &mut dyn io::Write, v: &T) -> io::Result<()> {
    let mut ser =
        serde_json::Serializer::with_formatter(w, Safe(serde_json::ser::CompactFormatter));
    v.serialize(&mut ser).map_err(io::Error::other)
}

/// One line of compact JSON with the escapes of [`Safe`].
pub fn json_line<T: Serialize + ?Sized>(v: &T) -> String {
    let mut buf = Vec::new();
    let mut ser =
        serde_json::Serializer::with_formatter(&mut buf, Safe(serde_json::ser::CompactFormatter));
    // Serialising a Value or a derived shape into memory cannot fail.
    let _ = v.serialize(&mut ser);
    String::from_utf8(buf).unwrap_or_default()
}
