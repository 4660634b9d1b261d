//! A small SMTP server for the tests: it speaks enough of RFC 5321 for a real client
//! (lettre) to deliver, keeps every message, and decodes the MIME parts tests read.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One delivered message.
#[derive(Debug, Clone)]
pub struct Mail {
    pub envelope_to: Vec<String>,
    pub data: String,
}

pub struct SmtpSink {
    pub addr: SocketAddr,
    mails: Arc<Mutex<Vec<Mail>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        SmtpSink::start_on("127.0.0.1:0".parse().expect("address")).await
    }

    /// Listens on `addr` (a port reserved earlier, to bring a "down" server back).
    pub async fn start_on(addr: SocketAddr) -> SmtpSink {
        let listener = TcpListener::bind(addr).await.expect("bind the SMTP sink");
        let addr = listener.local_addr().expect("address");
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let kept = mails.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let _ = session(stream, kept).await;
                });
            }
        });
        SmtpSink { addr, mails, task }
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().expect("lock").clone()
    }

    /// Waits (up to 10 s) until a message to `address` whose subject contains `subject` arrives.
    pub async fn wait_for(&self, address: &str, subject: &str) -> Mail {
        for _ in 0..200 {
            if let Some(mail) = self.mails().into_iter().find(|m| m.is_to(address) && m.subject().contains(subject)) {
                return mail;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no mail to {address} about {subject:?}; got {:#?}",
            self.mails().iter().map(|m| m.subject()).collect::<Vec<_>>()
        );
    }

    /// Messages to `address` so far.
    pub fn to(&self, address: &str) -> Vec<Mail> {
        self.mails().into_iter().filter(|m| m.is_to(address)).collect()
    }
}

async fn session(stream: tokio::net::TcpStream, kept: Arc<Mutex<Vec<Mail>>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        if command.starts_with("EHLO") {
            write.write_all(b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n").await?;
        } else if command.starts_with("HELO")
            || command.starts_with("MAIL FROM")
            || command.starts_with("RSET")
            || command.starts_with("NOOP")
        {
            if command.starts_with("MAIL FROM") || command.starts_with("RSET") {
                to.clear();
            }
            write.write_all(b"250 OK\r\n").await?;
        } else if command.starts_with("RCPT TO") {
            let address = line.trim_end()[8..].trim().trim_start_matches('<').trim_end_matches('>').to_string();
            to.push(address.to_ascii_lowercase());
            write.write_all(b"250 OK\r\n").await?;
        } else if command == "DATA" {
            write.write_all(b"354 go ahead\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line));
            }
            kept.lock().expect("lock").push(Mail { envelope_to: std::mem::take(&mut to), data });
            write.write_all(b"250 OK queued\r\n").await?;
        } else if command == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            write.write_all(b"502 not implemented\r\n").await?;
        }
    }
}

/// Header lines unfolded, with their values.
fn headers(block: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in block.split("\r\n").flat_map(|l| l.split('\n')) {
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    out
}

fn header_of(block: &str, name: &str) -> Option<String> {
    headers(block).into_iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`).
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("=?") {
        let before = &rest[..start];
        if !before.trim().is_empty() || out.is_empty() {
            out.push_str(before);
        }
        let word = &rest[start + 2..];
        let parts: Vec<&str> = word.splitn(3, '?').collect();
        if parts.len() < 3 {
            out.push_str(&rest[start..]);
            return out;
        }
        let Some(end) = parts[2].find("?=") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let text = &parts[2][..end];
        let bytes = if parts[1].eq_ignore_ascii_case("b") {
            base64::engine::general_purpose::STANDARD.decode(text).unwrap_or_default()
        } else {
            quoted_printable(&text.replace('_', " "))
        };
        out.push_str(&String::from_utf8_lossy(&bytes));
        let consumed = start + 2 + parts[0].len() + 1 + parts[1].len() + 1 + end + 2;
        rest = &rest[consumed..];
    }
    out.push_str(rest);
    out
}

fn quoted_printable(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') {
                i += 3;
                continue;
            }
            if bytes.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if let Some(hex) = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(hex);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

impl Mail {
    fn split(&self) -> (&str, &str) {
        self.data.split_once("\r\n\r\n").unwrap_or((&self.data, ""))
    }

    pub fn is_to(&self, address: &str) -> bool {
        self.envelope_to.iter().any(|a| a.eq_ignore_ascii_case(address))
    }

    pub fn header(&self, name: &str) -> String {
        header_of(self.split().0, &name.to_ascii_lowercase()).map(|v| decode_words(&v)).unwrap_or_default()
    }

    pub fn subject(&self) -> String {
        self.header("subject")
    }

    /// The decoded body of the part of `content_type` (text/plain or text/html).
    pub fn part(&self, content_type: &str) -> String {
        let (head, body) = self.split();
        let top = header_of(head, "content-type").unwrap_or_default();
        let Some(boundary) = top
            .split("boundary=")
            .nth(1)
            .map(|b| b.trim_matches('"').split(';').next().unwrap_or("").trim_matches('"').to_string())
        else {
            return String::new();
        };
        for part in body.split(&format!("--{boundary}")) {
            let (part_head, part_body) = part.split_once("\r\n\r\n").unwrap_or(("", ""));
            let kind = header_of(part_head, "content-type").unwrap_or_default();
            if !kind.starts_with(content_type) {
                continue;
            }
            let encoding = header_of(part_head, "content-transfer-encoding").unwrap_or_default().to_ascii_lowercase();
            let bytes = match encoding.as_str() {
                "base64" => base64::engine::general_purpose::STANDARD
                    .decode(part_body.split_whitespace().collect::<String>())
                    .unwrap_or_default(),
                "quoted-printable" => quoted_printable(part_body),
                _ => part_body.as_bytes().to_vec(),
            };
            return String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
        }
        String::new()
    }

    pub fn text(&self) -> String {
        self.part("text/plain")
    }

    pub fn html(&self) -> String {
        self.part("text/html")
    }

    /// The path of the first link to this server's `prefix` (e.g. `/password-reset/`).
    pub fn link_path(&self, prefix: &str) -> String {
        let text = self.text();
        let at = text.find(prefix).unwrap_or_else(|| panic!("no {prefix} link in {text}"));
        text[at..].split_whitespace().next().unwrap_or_default().to_string()
    }
}

#[test]
fn encoded_words_and_quoted_printable_decode() {
    assert_eq!(decode_words("=?utf-8?b?UmVzZXQgwrcgQW5kZXM=?="), "Reset · Andes");
    assert_eq!(decode_words("plain"), "plain");
    assert_eq!(String::from_utf8(quoted_printable("a=C2=B7b=\r\nc")).unwrap(), "a·bc");
}
