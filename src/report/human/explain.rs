//! `explain` for people: what a message is, then per reply a header (codes and provider) and labelled lines.

use crate::reply::{Finality, FinalityBasis, Reply};
use crate::report::escape::terminal;
use crate::report::text::{bounce_str, form_str, reply_code};
use crate::report::{ExplainInput, ExplainReport};
use crate::rules::Action;
use colored::Colorize;
use std::io::{self, Write};

/// Colour by consequence: red loses addresses, yellow needs work on our side, green is benign.
fn action_colored(a: Action) -> colored::ColoredString {
    let s = a.as_str();
    match a {
        Action::SuppressAddress | Action::SuppressDomain => s.red().bold(),
        Action::RetryThenSuppress | Action::Retry | Action::SlowDown => s.yellow().bold(),
        Action::FixSenderConfig
        | Action::FixAuthentication
        | Action::FixInfrastructure
        | Action::RequestDelisting => s.magenta().bold(),
        Action::None => s.green().bold(),
    }
}

/// A labelled value; its lines stay lines, every other active character shows as an escape.
fn label(out: &mut dyn Write, name: &str, value: &str) -> io::Result<()> {
    let mut lines = value.lines();
    let first = lines.next().unwrap_or("");
    writeln!(out, "  {:<13}{}", name.dimmed(), terminal(first))?;
    for l in lines {
        writeln!(out, "  {:<13}{}", "", terminal(l))?;
    }
    Ok(())
}

/// Whether the failure is final, in words: "yes: ..." or "no: ...".
fn permanence(reply: &Reply) -> Option<String> {
    let Finality { permanent, basis } = reply.finality?;
    let temporary_code = reply
        .enhanced
        .as_deref()
        .map(|e| e.starts_with('4'))
        .or(reply.basic.map(|b| b / 100 == 4))
        .unwrap_or(false);
    let why = match (permanent, basis) {
        (true, FinalityBasis::DeliveryStatus) if temporary_code => {
            "the reporting server gave up (delivery status failed) after this temporary error; the address will not get this message"
        }
        (true, FinalityBasis::DeliveryStatus) => {
            "the reporting server gave up on this address (delivery status failed)"
        }
        (true, FinalityBasis::BounceWords) if temporary_code => {
            "the bounce is a failure notice: the server gave up after this temporary error"
        }
        (true, FinalityBasis::BounceWords) => "the bounce says delivery failed",
        (true, FinalityBasis::ReplyClass) => "a permanent (5xx) failure",
        (false, FinalityBasis::DeliveryStatus) => {
            "the reporting server is still retrying (delivery status delayed)"
        }
        (false, FinalityBasis::BounceWords) => "a delay warning: delivery is still being retried",
        (false, FinalityBasis::ReplyClass) => "a temporary (4xx) failure: the sender may retry",
    };
    Some(format!("{}: {why}", if permanent { "yes" } else { "no" }))
}

/// For a message, a first line saying what it is; per reply a header (codes and provider), then
/// labelled lines.
pub fn render(out: &mut dyn Write, r: &ExplainReport<'_>) -> io::Result<()> {
    let (form, items) = (r.form, r.replies);
    if let Some(k) = r.kind {
        writeln!(out, "{}", format!("{}: {}", k.label(), k.describe()).bold())?;
        if items.is_empty() {
            return Ok(());
        }
        writeln!(out)?;
    }
    if items.is_empty() {
        writeln!(
            out,
            "No SMTP reply found in the input ({}).",
            form_str(form)
        )?;
        return Ok(());
    }
    for (i, (reply, d)) in items.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let code = reply_code(reply);
        let mut header = format!("Reply {} of {}: {}", i + 1, items.len(), terminal(&code));
        if let Some(p) = &d.provider {
            header.push_str(&format!(" from {}", terminal(&p.name)));
        }
        writeln!(out, "{}", header.bold())?;
        if !reply.text.is_empty() {
            label(out, "text", &reply.text)?;
        }
        let mut meaning = Vec::new();
        if let Some(b) = &d.basic {
            let m = b.meaning.as_deref().unwrap_or("not a standard code");
            meaning.push(format!("{}: {}, {}: {m}", b.code, b.class, b.category));
        }
        if let Some(e) = &d.enhanced {
            let detail = match (&e.detail, &e.set_aside) {
                (Some(d), _) => d.clone(),
                (None, Some(a)) => format!(
                    "the registry's \"{}\" does not apply here ({})",
                    a.detail, a.because
                ),
                (None, None) => "detail not registered".to_string(),
            };
            meaning.push(format!("{}: {}; {}: {detail}", e.code, e.class, e.subject));
        }
        if !meaning.is_empty() {
            label(out, "meaning", &meaning.join("\n"))?;
        }
        if let Some(p) = &d.provider {
            let who = format!("{} (by {})", p.name, p.signal.describe());
            match &d.provider_meaning {
                Some(pm) => label(out, "provider", &format!("{who}: {pm}"))?,
                None => label(out, "provider", &who)?,
            }
        }
        if let Some(tm) = &d.text_meaning {
            label(out, "words mean", tm)?;
        }
        label(out, "category", &d.category)?;
        label(out, "bounce type", bounce_str(d.bounce_type))?;
        if let Some(p) = permanence(reply) {
            label(out, "permanent", &p)?;
        }
        writeln!(
            out,
            "  {:<13}{}",
            "action".dimmed(),
            action_colored(d.action)
        )?;
        if !d.action_note.is_empty() {
            label(out, "", &d.action_note)?;
        }
        if !d.checks.is_empty() {
            label(out, "checks", &d.checks.join(", "))?;
        }
        label(out, "rule", &format!("{} ({})", d.rule.id, d.rule.source))?;
        if !d.recognised {
            label(
                out,
                "recognised",
                "no: only what the first digit says could be decoded",
            )?;
        }
        if let Some(r) = &reply.recipient {
            label(out, "recipient", r)?;
        }
        if let Some(m) = &reply.remote_mta {
            label(out, "remote MTA", m)?;
        }
    }
    Ok(())
}

/// Several inputs: each under a `==> name <==` line, as `tail` heads files.
pub fn render_many(out: &mut dyn Write, inputs: &[ExplainInput<'_>]) -> io::Result<()> {
    for (i, input) in inputs.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "==> {} <==", terminal(input.name))?;
        render(
            out,
            &ExplainReport {
                form: input.form,
                kind: input.kind,
                replies: input.replies,
            },
        )?;
    }
    Ok(())
}
