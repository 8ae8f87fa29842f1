//! Reading records: JSONL, CSV or plain text lines, one record at a time, malformed ones
//! included (as errors carrying their line number).

use std::io::{BufRead, Read};

use anyhow::Result;

/// The input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
    /// One post per line.
    Text,
}

impl InputFormat {
    /// Guesses the format from a file name; standard input defaults to JSONL.
    pub fn guess(path: Option<&str>) -> InputFormat {
        match path
            .and_then(|p| p.rsplit('.').next())
            .map(str::to_ascii_lowercase)
        {
            Some(e) if e == "csv" => InputFormat::Csv,
            Some(e) if e == "txt" || e == "text" => InputFormat::Text,
            _ => InputFormat::Jsonl,
        }
    }
}

/// One input record.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based line number where the record starts.
    pub line: u64,
    /// The `id` field passed through, if any.
    pub id: serde_json::Value,
    /// The text, or why there is none.
    pub text: std::result::Result<String, String>,
}

/// Where to find the text and id.
#[derive(Debug, Clone)]
pub struct Fields {
    pub text: String,
    pub id: String,
}

/// A streaming reader of records.
pub enum Records<R: BufRead> {
    Lines {
        reader: R,
        line: u64,
        json: bool,
        fields: Fields,
        buf: Vec<u8>,
    },
    Csv {
        reader: csv::Reader<R>,
        text_col: Option<usize>,
        id_col: Option<usize>,
        record: csv::ByteRecord,
        header_error: Option<String>,
        done: bool,
    },
}

impl<R: BufRead> Records<R> {
    pub fn new(reader: R, format: InputFormat, fields: Fields) -> Result<Self> {
        Ok(match format {
            InputFormat::Jsonl | InputFormat::Text => Records::Lines {
                reader,
                line: 0,
                json: format == InputFormat::Jsonl,
                fields,
                buf: Vec::new(),
            },
            InputFormat::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .flexible(true)
                    .has_headers(true)
                    .from_reader(reader);
                let (text_col, id_col, header_error) = match reader.byte_headers() {
                    Ok(h) => {
                        let find =
                            |name: &str| h.iter().position(|c| strip_bom(c) == name.as_bytes());
                        let text_col = find(&fields.text);
                        let err = text_col.is_none().then(|| {
                            format!("no column named {:?} in the CSV header", fields.text)
                        });
                        (text_col, find(&fields.id), err)
                    }
                    Err(e) => (None, None, Some(format!("cannot read the CSV header: {e}"))),
                };
                Records::Csv {
                    reader,
                    text_col,
                    id_col,
                    record: csv::ByteRecord::new(),
                    header_error,
                    done: false,
                }
            }
        })
    }

    /// An error that makes every record unreadable (a CSV without the text column).
    pub fn fatal_error(&self) -> Option<&str> {
        match self {
            Records::Csv { header_error, .. } => header_error.as_deref(),
            Records::Lines { .. } => None,
        }
    }

    /// The next record, or `None` at the end. I/O errors are returned as `Err`.
    pub fn next_record(&mut self) -> std::io::Result<Option<Record>> {
        match self {
            Records::Lines {
                reader,
                line,
                json,
                fields,
                buf,
            } => loop {
                buf.clear();
                let n = reader.read_until(b'\n', buf)?;
                if n == 0 {
                    return Ok(None);
                }
                *line += 1;
                let mut bytes: &[u8] = buf;
                if *line == 1 {
                    bytes = strip_bom(bytes);
                }
                while let Some((&last, rest)) = bytes.split_last() {
                    if last == b'\n' || last == b'\r' {
                        bytes = rest;
                    } else {
                        break;
                    }
                }
                if bytes.iter().all(u8::is_ascii_whitespace) {
                    continue; // blank lines are not records
                }
                let record = if *json {
                    parse_json_line(bytes, *line, fields)
                } else {
                    Record {
                        line: *line,
                        id: serde_json::Value::Null,
                        text: std::str::from_utf8(bytes)
                            .map(str::to_string)
                            .map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to())),
                    }
                };
                return Ok(Some(record));
            },
            Records::Csv {
                reader,
                text_col,
                id_col,
                record,
                header_error,
                done,
            } => {
                if *done || header_error.is_some() {
                    return Ok(None);
                }
                let line = reader.position().line();
                match reader.read_byte_record(record) {
                    Ok(false) => {
                        *done = true;
                        Ok(None)
                    }
                    Ok(true) => {
                        let line = record.position().map_or(line, |p| p.line());
                        let id = id_col
                            .and_then(|c| record.get(c))
                            .map(|b| match std::str::from_utf8(b) {
                                Ok(s) => serde_json::Value::String(s.to_string()),
                                Err(_) => serde_json::Value::Null,
                            })
                            .unwrap_or(serde_json::Value::Null);
                        let text = match text_col.and_then(|c| record.get(c)) {
                            None => Err(format!(
                                "row has {} fields and no text column",
                                record.len()
                            )),
                            Some(b) => std::str::from_utf8(b)
                                .map(str::to_string)
                                .map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to())),
                        };
                        Ok(Some(Record { line, id, text }))
                    }
                    Err(e) => {
                        // csv gives up after an I/O error; a UTF-8 or parse error is per record.
                        if let csv::ErrorKind::Io(_) = e.kind() {
                            let csv::ErrorKind::Io(io) = e.into_kind() else {
                                unreachable!()
                            };
                            return Err(io);
                        }
                        let line = e.position().map_or(line, |p| p.line());
                        Ok(Some(Record {
                            line,
                            id: serde_json::Value::Null,
                            text: Err(format!("malformed CSV row: {e}")),
                        }))
                    }
                }
            }
        }
    }
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
}

fn parse_json_line(bytes: &[u8], line: u64, fields: &Fields) -> Record {
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            let what = if std::str::from_utf8(bytes).is_err() {
                "invalid UTF-8".to_string()
            } else {
                format!("malformed JSON: {e}")
            };
            return Record {
                line,
                id: serde_json::Value::Null,
                text: Err(what),
            };
        }
    };
    let Some(obj) = value.as_object() else {
        return Record {
            line,
            id: serde_json::Value::Null,
            text: Err("the line is JSON but not an object".to_string()),
        };
    };
    let id = obj
        .get(&fields.id)
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    let text = match obj.get(&fields.text) {
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!(
            "field {:?} is {}, not a string",
            fields.text,
            json_type(other)
        )),
        None => Err(format!("field {:?} is missing", fields.text)),
    };
    Record { line, id, text }
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Reads a whole input for `explain --file` (any bytes; invalid UTF-8 replaced).
pub fn read_all_lossy(mut r: impl Read) -> Result<String> {
    let mut bytes = Vec::new();
    r.read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
