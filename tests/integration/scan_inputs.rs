//! Every input form `scan` reads, many in one run: gzip logs, Maildirs, directories of .eml, mbox,
//! ESP exports (CSV, JSON lines), Exchange message tracking (raw and Export-Csv), standard input;
//! and an input that cannot be read is named on stderr while the others are read.
#![allow(clippy::unwrap_used)]

use crate::cli_support::run;
use crate::scan_gen::{Config, Mta};
use crate::scan_support::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/sisimai/maildir"
);
const MESSAGES: [&str; 6] = [
    "lhost-postfix-37.eml",
    "lhost-exim-39.eml",
    "lhost-gmail-10.eml",
    "lhost-sendmail-41.eml",
    "lhost-dragonfly-23.eml",
    "lhost-opensmtpd-11.eml",
];

/// Recipients of a message as `explain` finds them (the library call), lower-case.
fn recipients(bytes: &[u8]) -> BTreeSet<String> {
    mailtriage::reply::extract(bytes)
        .map(|x| x.replies)
        .unwrap_or_default()
        .iter()
        .filter_map(|r| r.recipient.as_deref())
        .map(|r| r.trim_matches(['<', '>']).to_ascii_lowercase())
        .filter(|r| r.contains('@'))
        .collect()
}

fn all_addresses(doc: &Value) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = verdicts(doc).into_keys().collect();
    for d in doc["state"]["delivered_only"].as_array().unwrap() {
        out.insert(d[0].as_str().unwrap().to_string());
    }
    out
}

#[test]
fn a_gzip_log_reads_like_the_plain_one() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _) = generated(
        dir.path(),
        "mail.log",
        &Config::small(Mta::Postfix, 6_000, 9),
    );
    let gz = dir.path().join("mail.log.1.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all(&std::fs::read(&log).unwrap()).unwrap();
    enc.finish().unwrap();
    let plain = scan_json(&[path_str(&log)]);
    let packed = scan_json(&[path_str(&gz)]);
    assert_eq!(packed["inputs"][0]["form"], "syslog-mail-log+gzip");
    for key in ["totals", "addresses", "patterns", "suppressions", "state"] {
        assert_eq!(plain[key], packed[key], "{key}");
    }
}

#[test]
fn maildir_directory_of_eml_and_mbox_find_every_recipient() {
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    let emls = dir.path().join("bounces");
    std::fs::create_dir(&emls).unwrap();
    let mut mbox = Vec::new();
    let mut want = BTreeSet::new();
    for (i, name) in MESSAGES.iter().enumerate() {
        let bytes = std::fs::read(Path::new(CORPUS).join(name)).unwrap();
        want.extend(recipients(&bytes));
        let sub = if i % 2 == 0 { "cur" } else { "new" };
        std::fs::write(maildir.join(sub).join(format!("{i}.M1P1.host:2,S")), &bytes).unwrap();
        std::fs::write(emls.join(name), &bytes).unwrap();
        mbox.extend_from_slice(b"From MAILER-DAEMON Mon Mar  2 10:00:00 2026\n");
        mbox.extend_from_slice(&bytes);
        if !bytes.ends_with(b"\n") {
            mbox.push(b'\n');
        }
        mbox.push(b'\n');
    }
    // An mbox whose last message has no final newline.
    while mbox.ends_with(b"\n") {
        mbox.pop();
    }
    let mbox_path = dir.path().join("bounces.mbox");
    std::fs::write(&mbox_path, &mbox).unwrap();
    assert!(want.len() >= 5, "{want:?}");
    for input in [&maildir, &emls, &mbox_path] {
        let doc = scan_json(&[path_str(input)]);
        assert_eq!(all_addresses(&doc), want, "{}", input.display());
        assert_eq!(
            doc["inputs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["messages"].as_u64().unwrap())
                .sum::<u64>(),
            MESSAGES.len() as u64
        );
    }
    let doc = scan_json(&[path_str(&maildir)]);
    assert_eq!(doc["inputs"][0]["form"], "maildir");
    let all = scan_json(&[path_str(&maildir), path_str(&emls), path_str(&mbox_path)]);
    assert_eq!(all["inputs"].as_array().unwrap().len(), 2 + MESSAGES.len());
}

const ESP_CSV: &str = "timestamp,email,event,smtp-id,reason\n\
2026-03-02T10:00:00Z,ann@example.org,delivered,<m1@shop.example>,250 2.0.0 OK\n\
2026-03-02T10:05:00Z,bob@example.org,bounce,<m2@shop.example>,\"550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown, sorry\"\n\
2026-03-02T10:06:00Z,cat@example.org,deferred,<m3@shop.example>,452 4.2.2 Mailbox full\n\
1772445600,dan@example.org,open,,\n";

const ESP_JSONL: &str = r#"{"event":"bounce","email":"eve@example.net","timestamp":1772445600,"sg_message_id":"m4","diagnostic":"smtp; 550 5.1.1 The email account that you tried to reach does not exist"}
{"event":"delivered","email":"fay@example.net","timestamp":"2026-03-02T11:00:00Z","response":"250 OK"}
{"event":"click","email":"fay@example.net","timestamp":1772449200}
"#;

const MSGTRK: &str = "#Software: Microsoft Exchange Server\n#Version: 15.02.1258.012\n#Log-type: Message Tracking Log\n#Date: 2026-03-02T10:00:00.000Z\n\
#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,transport-traffic-type,log-id,schema-version\n\
2026-03-02T10:00:00.000Z,10.0.0.5,EX1,203.0.113.25,mx.contoso.example,,Outbound,SMTP,SEND,123,<m5@contoso.example>,a1,gus@example.com,250 2.6.0 <m5@contoso.example> Queued mail for delivery,1000,1,,,Hello,news@contoso.example,news@contoso.example,,Originating,,,,,,,\n\
2026-03-02T10:01:00.000Z,10.0.0.5,EX1,203.0.113.25,mx.contoso.example,,Outbound,SMTP,FAIL,124,<m6@contoso.example>,a2,hal@example.com,550 5.1.1 RESOLVER.ADR.RecipNotFound; not found,1000,1,,,Hello,news@contoso.example,news@contoso.example,,Originating,,,,,,,\n\
2026-03-02T10:02:00.000Z,10.0.0.5,EX1,203.0.113.25,mx.contoso.example,,Outbound,SMTP,DEFER,125,<m7@contoso.example>,a3,ivy@example.com,\"[{LED=451 4.4.0 DNS query failed};{MSG=};{FQDN=mx.example.com};{IP=};{LRT=}]\",1000,1,,,Hello,news@contoso.example,news@contoso.example,,Originating,,,,,,,\n";

const EXPORT_CSV: &str = "#TYPE Microsoft.Exchange.Management.TransportLogSearchTasks.MessageTrackingEvent\n\
\"Timestamp\",\"EventId\",\"Source\",\"Sender\",\"Recipients\",\"MessageSubject\",\"RecipientStatus\",\"MessageId\"\n\
\"3/2/2026 10:03:00 AM\",\"FAIL\",\"SMTP\",\"news@contoso.example\",\"jay@example.com\",\"Hi\",\"550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found\",\"<m8@contoso.example>\"\n\
\"3/2/2026 10:04:00 AM\",\"DELIVER\",\"STOREDRIVER\",\"news@contoso.example\",\"kim@contoso.example\",\"Hi\",\"\",\"<m9@contoso.example>\"\n";

#[test]
fn esp_exports_and_exchange_tracking_logs() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("events.csv", ESP_CSV),
        ("events.jsonl", ESP_JSONL),
        ("MSGTRK2026030210-1.LOG", MSGTRK),
        ("tracking.csv", EXPORT_CSV),
    ];
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let doc = scan_json(&[path_str(dir.path())]);
    let forms: BTreeSet<&str> = doc["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["form"].as_str().unwrap())
        .collect();
    assert_eq!(
        forms,
        BTreeSet::from(["esp-csv", "esp-json", "exchange-tracking-csv"])
    );
    let v = verdicts(&doc);
    let expect = [
        ("bob@example.org", "suppress"),
        ("cat@example.org", "keep-retrying"),
        ("eve@example.net", "suppress"),
        ("hal@example.com", "suppress"),
        ("ivy@example.com", "keep-retrying"),
        ("jay@example.com", "suppress"),
    ];
    for (addr, verdict) in expect {
        assert_eq!(
            v.get(addr).map(String::as_str),
            Some(verdict),
            "{addr}: {v:?}"
        );
    }
    let delivered: BTreeSet<&str> = doc["state"]["delivered_only"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d[0].as_str().unwrap())
        .collect();
    assert_eq!(
        delivered,
        BTreeSet::from([
            "ann@example.org",
            "fay@example.net",
            "gus@example.com",
            "kim@contoso.example"
        ])
    );
    // Times come from the rows: the export's US dates too.
    let jay = doc["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["address"] == "jay@example.com")
        .unwrap();
    assert_eq!(jay["first_seen"], "2026-03-02T10:03:00Z");
    let senders: Vec<&str> = doc["by_sending_domain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(senders.contains(&"contoso.example"), "{senders:?}");
}

#[test]
fn standard_input_and_many_inputs_with_one_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let (log, exp) = generated(dir.path(), "mail.log", &Config::small(Mta::Exim, 3_000, 4));
    let text = std::fs::read(&log).unwrap();
    let o = run(
        &["scan", "--log-end", LOG_END, "--format", "json"],
        Some(&text),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["inputs"][0]["name"], "stdin");
    assert_eq!(doc["totals"]["delivered"], exp.delivered);
    let missing = dir.path().join("no-such.log");
    let o = scan(&[path_str(&missing), path_str(&log), "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "an unreadable input makes the exit code 2"
    );
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("no-such.log: no such file or directory; skipped"),
        "{err}"
    );
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        doc["totals"]["delivered"], exp.delivered,
        "the readable input is read"
    );
    assert_eq!(doc["inputs"][0]["error"], "no such file or directory");
}

#[test]
fn explain_and_diagnose_read_several_files_and_directories() {
    let dir = tempfile::tempdir().unwrap();
    for name in &MESSAGES[..3] {
        std::fs::copy(Path::new(CORPUS).join(name), dir.path().join(name)).unwrap();
    }
    let single = dir.path().join(MESSAGES[3]);
    std::fs::copy(Path::new(CORPUS).join(MESSAGES[3]), &single).unwrap();
    let o = run(&["explain", path_str(dir.path()), "--format", "json"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut want = 0;
    for name in &MESSAGES[..4] {
        want += mailtriage::reply::extract(&std::fs::read(Path::new(CORPUS).join(name)).unwrap())
            .unwrap()
            .replies
            .len();
    }
    assert_eq!(doc["replies"].as_array().unwrap().len(), want);
    assert_eq!(doc["inputs"].as_array().unwrap().len(), 4);
    // A file that cannot be read is named; the others are still explained; exit 2.
    let o = run(
        &[
            "explain",
            path_str(&single),
            path_str(&dir.path().join("gone.eml")),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("Reply 1 of"), "{}", stdout(&o));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
}
