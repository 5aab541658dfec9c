//! Renderers: turn decoded replies and reports into human text or versioned JSON.

pub mod explain;
