mod rules_decode;
mod rules_examples;
mod rules_explain;
mod rules_lint;
mod rules_support;
