//! `diagnose` for people: the reply decoded, the likely cause, the numbered plan, the escalation checklist.

use crate::plan::{Diagnosis, Escalation, PlanStep};
use crate::reply::Reply;
use crate::report::DiagnoseReport;
use crate::report::escape::{terminal as t, terminal_text};
use crate::report::text::{reply_code, zone_line};
use crate::rules::Decoded;
use colored::Colorize;
use std::io::{self, Write};

/// Renders the diagnosis; color follows `colored::control` (the caller decides).
pub fn render(w: &mut dyn Write, r: &DiagnoseReport<'_>) -> io::Result<()> {
    let input = r.input;
    for (i, (reply, d)) in input.replies.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        render_reply(w, reply, d)?;
    }
    writeln!(w)?;
    render_provenance(w, input.provenance)?;
    render_causes(w, r.diagnosis, input)?;
    if !r.diagnosis.not_checked.is_empty() {
        writeln!(w)?;
        writeln!(w, "{}", "Not checked in this run".bold().underline())?;
        for n in &r.diagnosis.not_checked {
            writeln!(w, "  [{}] {}", t(&n.finding_id), t(&n.reason))?;
        }
    }
    writeln!(w)?;
    writeln!(w, "{}", "Plan".bold().underline())?;
    if r.diagnosis.plan.is_empty() {
        writeln!(
            w,
            "  Nothing to change in DNS for {}.",
            t(&input.report.domain)
        )?;
    }
    for s in &r.diagnosis.plan {
        render_step(w, s)?;
    }
    writeln!(w)?;
    render_escalation(w, &r.diagnosis.escalation, "Escalation")?;
    for e in &r.diagnosis.also_escalate {
        writeln!(w)?;
        render_escalation(w, e, "Escalation, also")?;
    }
    if !r.run.offline_names.is_empty() {
        let names: Vec<_> = r.run.offline_names.iter().map(|n| t(n)).collect();
        let names = names.join(", ");
        writeln!(
            w,
            "\n--offline: not looked up, outside the --zone files (not checked): {names}"
        )?;
    }
    Ok(())
}

fn render_reply(w: &mut dyn Write, reply: &Reply, d: &Decoded) -> io::Result<()> {
    let provider = d
        .provider
        .as_ref()
        .map(|p| format!(" ({}, by {})", t(&p.name), t(&p.signal.describe())))
        .unwrap_or_default();
    writeln!(
        w,
        "{} {}{provider}",
        "Reply".bold(),
        t(&reply_code(reply)).as_ref().bold()
    )?;
    if !reply.text.is_empty() {
        // The reply's own lines stay lines; every other active character shows as an escape.
        writeln!(w, "  {}", terminal_text(&reply.text).replace('\n', "\n  "))?;
    }
    if let Some(rcpt) = &reply.recipient {
        writeln!(w, "  recipient: {}", t(rcpt))?;
    }
    if let Some(m) = d.provider_meaning.as_ref().or(d.text_meaning.as_ref()) {
        writeln!(w, "  means: {}", t(m))?;
    } else if let Some(detail) = d.enhanced.as_ref().and_then(|e| e.detail.as_ref()) {
        writeln!(w, "  means: {}", t(detail))?;
    } else if let Some(m) = d.basic.as_ref().and_then(|b| b.meaning.as_ref()) {
        writeln!(w, "  means: {}", t(m))?;
    }
    writeln!(
        w,
        "  category: {}, bounce: {}, checks: {}",
        t(&d.category),
        serde_json::to_value(d.bounce_type)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        if d.checks.is_empty() {
            "none".into()
        } else {
            t(&d.checks.join(", ")).into_owned()
        }
    )?;
    writeln!(
        w,
        "  action: {} - {}",
        d.action.as_str().bold(),
        t(&d.action_note)
    )?;
    writeln!(w, "  rule: {} ({})", t(&d.rule.id), t(&d.rule.source))
}

fn render_causes(
    w: &mut dyn Write,
    d: &Diagnosis,
    input: &crate::plan::DiagnoseInput<'_>,
) -> io::Result<()> {
    if let Some(nc) = &d.no_cause_found {
        writeln!(w, "{}", "No cause found in DNS".bold().underline())?;
        writeln!(w, "  {}", t(&nc.message).as_ref().bold())?;
        writeln!(w, "  Possible reasons:")?;
        for r in &nc.possible_reasons {
            writeln!(w, "  - {}", t(r))?;
        }
        // Another reply of the same input (an unknown user beside it) can still have a cause.
        if d.likely_causes.is_empty() {
            return Ok(());
        }
        writeln!(w)?;
    }
    if d.likely_causes.is_empty() {
        return Ok(());
    }
    writeln!(w, "{}", "Likely cause".bold().underline())?;
    for (i, c) in d.likely_causes.iter().enumerate() {
        let id = c
            .finding_id
            .as_deref()
            .or(c.reply_rule.as_deref())
            .unwrap_or("reply");
        let line = format!("[{}] {}", t(id), t(&c.reason));
        if i == 0 {
            writeln!(w, "  {}", line.bold())?;
        } else {
            writeln!(w, "  also: {line}")?;
        }
        if let Some(f) = c
            .finding_id
            .as_ref()
            .and_then(|fid| input.report.findings.iter().find(|f| &f.id == fid))
            && let Some(loc) = &f.location
        {
            let file = t(&loc.file);
            writeln!(w, "    at {file}:{}:{}", loc.line, loc.column)?;
        }
    }
    Ok(())
}

fn render_step(w: &mut dyn Write, s: &PlanStep) -> io::Result<()> {
    let mark = if s.fixes_likely_cause {
        format!(" {}", "[fixes the likely cause]".red())
    } else {
        String::new()
    };
    writeln!(w, "  {}. {}{mark}", s.order, t(&s.title).as_ref().bold())?;
    writeln!(w, "     {}", t(&s.why))?;
    for d in &s.details {
        writeln!(w, "     - {}", t(d))?;
    }
    if !s.records.is_empty() {
        writeln!(w, "     Publish:")?;
        for r in &s.records {
            writeln!(w, "         {}", t(&zone_line(r)).as_ref().cyan())?;
            if !r.note.is_empty() {
                writeln!(w, "         ({})", t(&r.note))?;
            }
        }
    }
    if !s.finding_ids.is_empty() {
        writeln!(w, "     Findings: {}", t(&s.finding_ids.join(", ")))?;
    }
    writeln!(w, "     Verify: {}", t(&s.verify).as_ref().green())?;
    if reads_stdin(&s.verify) {
        writeln!(
            w,
            "     (pipe the next reply or bounce into it, or paste it and end with Ctrl-D)"
        )?;
    }
    if let Some(note) = cache_note(s) {
        writeln!(w, "     {note}")?;
    }
    Ok(())
}

/// True for a verify command that reads the next reply from standard input.
pub(crate) fn reads_stdin(verify: &str) -> bool {
    verify.starts_with("mailtriage diagnose - ")
}

/// How long resolvers may keep the old answer after the step's change, or that it is unknown.
/// Steps that change nothing in DNS (acting on the reply) have no such wait.
pub(crate) fn cache_note(s: &PlanStep) -> Option<String> {
    match s.wait_seconds {
        Some(t) => Some(format!(
            "Caches may hold the old answer for up to {t}s{} after you change it.",
            duration_words(t)
        )),
        None if s.id.starts_with("action-") || s.id == "dns-inconclusive" => None,
        None => Some(
            "How long caches may hold the old answer is unknown: no TTL for it was seen in this run."
                .to_string(),
        ),
    }
}

fn duration_words(t: u32) -> String {
    match t {
        0..=119 => String::new(),
        120..=7199 => format!(" ({} min)", t / 60),
        7200..=172_799 => format!(" ({:.1} h)", f64::from(t) / 3600.0),
        _ => format!(" ({:.1} days)", f64::from(t) / 86_400.0),
    }
}

fn render_provenance(w: &mut dyn Write, prov: &[crate::plan::Provenance]) -> io::Result<()> {
    if prov.is_empty() {
        return Ok(());
    }
    writeln!(w, "{}", "Checked with".bold().underline())?;
    for p in prov {
        writeln!(w, "  {}: {} ({})", t(&p.field), t(&p.value), t(&p.source))?;
    }
    writeln!(w)
}

/// One provider's escalation checklist under `heading` ("Escalation", or "Escalation, also"
/// for each other provider that refused the sender in the same input).
fn render_escalation(w: &mut dyn Write, e: &Escalation, heading: &str) -> io::Result<()> {
    let who = e
        .provider_name
        .clone()
        .unwrap_or_else(|| e.provider.clone());
    writeln!(w, "{} ({})", heading.bold().underline(), t(&who))?;
    if e.escalate_now {
        writeln!(w, "  {}", "Escalate now:".red().bold())?;
        for x in &e.triggers {
            writeln!(w, "  - {}", t(x))?;
        }
    }
    writeln!(w, "  When:")?;
    for x in &e.when {
        writeln!(w, "  - {}", t(x))?;
    }
    if e.last_checked.is_empty() {
        writeln!(w, "  Where:")?;
    } else {
        writeln!(w, "  Where (last checked {}):", t(&e.last_checked))?;
    }
    for l in &e.where_ {
        writeln!(w, "  - {}: {}", t(&l.name), t(&l.url))?;
    }
    writeln!(w, "  Gather:")?;
    for g in &e.gather {
        writeln!(w, "  [ ] {}", t(g))?;
    }
    Ok(())
}
