//! Word patterns that are only asked whether they match (`prefilter::Words`' delay, gave-up and
//! challenge-response words, the failure, delay, success, refusal and out-of-office words): the
//! lists of `rules/words.toml`, which build.rs writes as these constants (`word_source`) and
//! whose automata for ASCII texts it determinizes along with the rules' (`ascii_dfa`).

include!(concat!(env!("OUT_DIR"), "/word-patterns.rs"));
