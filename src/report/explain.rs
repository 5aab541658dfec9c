//! `explain` output: decoded replies as human text (optionally coloured) or as mailtriage.explain/v1 JSON.

use crate::reply::{InputForm, Reply};
use crate::rules::{Action, BounceType, Decoded};
use colored::Colorize;
use serde_json::{Value, json};
use std::io::{self, Write};

/// The JSON schema id of [`json`]'s output; bump only with a new file under schemas/.
pub const SCHEMA: &str = "mailtriage.explain/v1";

fn bounce_str(b: BounceType) -> &'static str {
    match b {
        BounceType::Hard => "hard",
        BounceType::Soft => "soft",
        BounceType::Technical => "technical",
        BounceType::None => "none",
    }
}

fn form_str(form: InputForm) -> String {
    serde_json::to_value(form)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

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

fn code_line(reply: &Reply) -> String {
    let mut parts = Vec::new();
    if let Some(b) = reply.basic {
        parts.push(b.to_string());
    }
    if let Some(e) = &reply.enhanced {
        parts.push(e.clone());
    }
    if parts.is_empty() {
        "(no code)".to_string()
    } else {
        parts.join(" ")
    }
}

fn label(out: &mut dyn Write, name: &str, value: &str) -> io::Result<()> {
    let mut lines = value.lines();
    let first = lines.next().unwrap_or("");
    writeln!(out, "  {:<13}{}", name.dimmed(), first)?;
    for l in lines {
        writeln!(out, "  {:<13}{}", "", l)?;
    }
    Ok(())
}

/// Human text: per reply a header (codes and provider), then labelled lines.
pub fn human(out: &mut dyn Write, form: InputForm, items: &[(Reply, Decoded)]) -> io::Result<()> {
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
        let mut header = format!("Reply {} of {}: {}", i + 1, items.len(), code_line(reply));
        if let Some(p) = &d.provider {
            header.push_str(&format!(" from {}", p.name));
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
            let detail = e.detail.as_deref().unwrap_or("detail not registered");
            meaning.push(format!("{}: {}; {}: {detail}", e.code, e.class, e.subject));
        }
        if !meaning.is_empty() {
            label(out, "meaning", &meaning.join("\n"))?;
        }
        if let Some(pm) = &d.provider_meaning {
            let who = d.provider.as_ref().map_or("provider", |p| p.name.as_str());
            label(out, "provider", &format!("{who}: {pm}"))?;
        } else if let Some(p) = &d.provider {
            label(out, "provider", &p.name)?;
        }
        if let Some(tm) = &d.text_meaning {
            label(out, "words mean", tm)?;
        }
        label(out, "category", &d.category)?;
        label(out, "bounce type", bounce_str(d.bounce_type))?;
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

/// The JSON value of one decoded reply (shape fixed by schemas/explain-v1.schema.json).
pub fn reply_value(reply: &Reply, d: &Decoded) -> Value {
    json!({
        "basic": reply.basic,
        "enhanced": reply.enhanced,
        "text": reply.text,
        "recipient": reply.recipient,
        "remote_mta": reply.remote_mta,
        "provider": d.provider.as_ref().map(|p| json!({"id": p.id, "name": p.name})),
        "provider_meaning": d.provider_meaning,
        "text_meaning": d.text_meaning,
        "meaning": {
            "basic": d.basic,
            "enhanced": d.enhanced,
        },
        "category": d.category,
        "bounce_type": bounce_str(d.bounce_type),
        "action": d.action.as_str(),
        "action_note": d.action_note,
        "checks": d.checks,
        "rule": {"id": d.rule.id, "source": d.rule.source},
        "recognised": d.recognised,
    })
}

/// Versioned JSON (`mailtriage.explain/v1`), pretty-printed, one trailing newline.
pub fn json(out: &mut dyn Write, form: InputForm, items: &[(Reply, Decoded)]) -> io::Result<()> {
    let doc = json!({
        "schema": SCHEMA,
        "form": form_str(form),
        "replies": items.iter().map(|(r, d)| reply_value(r, d)).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}

/// `mailtriage.explain/v1` for several inputs: every reply in input order, `form` of the first
/// input, and `inputs` naming each input with its form and how many replies it gave.
pub fn json_many(
    out: &mut dyn Write,
    inputs: &[(String, InputForm, usize)],
    items: &[(Reply, Decoded)],
) -> io::Result<()> {
    let doc = json!({
        "schema": SCHEMA,
        "form": inputs.first().map(|i| form_str(i.1)).unwrap_or_default(),
        "inputs": inputs.iter().map(|(name, form, n)| json!({"name": name, "form": form_str(*form), "replies": n})).collect::<Vec<_>>(),
        "replies": items.iter().map(|(r, d)| reply_value(r, d)).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}
