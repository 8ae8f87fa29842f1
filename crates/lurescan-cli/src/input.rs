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

/// A record as read, before it is parsed: `lurescan score` parses JSON lines on its worker
/// threads, so that the thread that reads and writes does not hold up the workers (with two
/// workers on two cores it shares a core with them).
#[derive(Debug, Clone)]
pub struct RawRecord {
    /// 1-based line number where the record starts.
    pub line: u64,
    body: Body,
}

#[derive(Debug, Clone)]
enum Body {
    /// A JSON line, without its line break.
    Json(Vec<u8>),
    /// A text line, without its line break.
    Text(Vec<u8>),
    /// Already parsed (CSV, whose rows are found by parsing), with the bytes of input it took.
    Parsed(Record, usize),
}

impl RawRecord {
    /// The record: its id and text, or why it has no text.
    pub fn parse(self, fields: &Fields) -> Record {
        match self.body {
            Body::Json(bytes) => parse_json_line(&bytes, self.line, fields),
            Body::Text(bytes) => Record {
                line: self.line,
                id: serde_json::Value::Null,
                text: String::from_utf8(bytes)
                    .map_err(|e| format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to())),
            },
            Body::Parsed(r, _) => r,
        }
    }

    /// Bytes of input the record takes, about (for a progress bar).
    pub fn len(&self) -> usize {
        match &self.body {
            Body::Json(b) | Body::Text(b) => b.len() + 1,
            Body::Parsed(_, bytes) => *bytes,
        }
    }
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
        fields: Fields,
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
                    fields,
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

    /// Where the text and id are.
    pub fn fields(&self) -> &Fields {
        match self {
            Records::Lines { fields, .. } | Records::Csv { fields, .. } => fields,
        }
    }

    /// The next record, not yet parsed if it is a JSON or text line, or `None` at the end.
    /// I/O errors are returned as `Err`.
    pub fn next_raw(&mut self) -> std::io::Result<Option<RawRecord>> {
        match self {
            Records::Lines {
                reader,
                line,
                json,
                buf,
                ..
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
                let bytes = bytes.to_vec();
                return Ok(Some(RawRecord {
                    line: *line,
                    body: if *json {
                        Body::Json(bytes)
                    } else {
                        Body::Text(bytes)
                    },
                }));
            },
            Records::Csv {
                reader,
                text_col,
                id_col,
                record,
                header_error,
                done,
                ..
            } => {
                if *done || header_error.is_some() {
                    return Ok(None);
                }
                let line = reader.position().line();
                let start = reader.position().byte();
                let result = reader.read_byte_record(record);
                let used = (reader.position().byte() - start) as usize;
                match result {
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
                        Ok(Some(RawRecord {
                            line,
                            body: Body::Parsed(Record { line, id, text }, used),
                        }))
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
                        Ok(Some(RawRecord {
                            line,
                            body: Body::Parsed(
                                Record {
                                    line,
                                    id: serde_json::Value::Null,
                                    text: Err(format!("malformed CSV row: {e}")),
                                },
                                used,
                            ),
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
    let malformed = |text: String| Record {
        line,
        id: serde_json::Value::Null,
        text: Err(text),
    };
    // The whole line must be UTF-8, as when it was parsed into a `serde_json::Value`
    // (serde_json does not check the strings it skips).
    let Ok(line_text) = std::str::from_utf8(bytes) else {
        return malformed("invalid UTF-8".to_string());
    };
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_str(line_text);
    let found = LineSeed(fields)
        .deserialize(&mut de)
        .and_then(|found| de.end().map(|()| found));
    let (id, text) = match found {
        Ok(Some(found)) => found,
        Ok(None) => return malformed("the line is JSON but not an object".to_string()),
        Err(e) => return malformed(format!("malformed JSON: {e}")),
    };
    let text = match text {
        Some(serde_json::Value::String(s)) => Ok(s),
        Some(other) => Err(format!(
            "field {:?} is {}, not a string",
            fields.text,
            json_type(&other)
        )),
        None => Err(format!("field {:?} is missing", fields.text)),
    };
    Record {
        line,
        id: id.unwrap_or(serde_json::Value::Null),
        text,
    }
}

/// Reads a JSON line's id and text fields and skips the others without building them (a
/// scraped post often carries many more fields than the two read here). `None` when the
/// line is JSON but not an object. A repeated field keeps its last value, as in a
/// `serde_json::Value` object.
struct LineSeed<'f>(&'f Fields);

type IdAndText = (Option<serde_json::Value>, Option<serde_json::Value>);

impl<'de> serde::de::DeserializeSeed<'de> for LineSeed<'_> {
    type Value = Option<IdAndText>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for LineSeed<'_> {
    type Value = Option<IdAndText>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut id, mut text) = (None, None);
        while let Some(key) = map.next_key_seed(KeySeed(self.0))? {
            match key {
                Key::Text => text = Some(map.next_value::<serde_json::Value>()?),
                Key::Id => id = Some(map.next_value::<serde_json::Value>()?),
                Key::Other => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        if self.0.id == self.0.text {
            id.clone_from(&text);
        }
        Ok(Some((id, text)))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// Which of the fields a key names, read without allocating.
enum Key {
    Text,
    Id,
    Other,
}

struct KeySeed<'f>(&'f Fields);

impl<'de> serde::de::DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeySeed<'_> {
    type Value = Key;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, key: &str) -> Result<Key, E> {
        Ok(if key == self.0.text {
            Key::Text
        } else if key == self.0.id {
            Key::Id
        } else {
            Key::Other
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The line parsed the straightforward way: into a `serde_json::Value`, then the fields.
    fn reference(bytes: &[u8], fields: &Fields) -> std::result::Result<IdAndText, String> {
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
            if std::str::from_utf8(bytes).is_err() {
                "invalid UTF-8".to_string()
            } else {
                format!("malformed JSON: {e}")
            }
        })?;
        let obj = value
            .as_object()
            .ok_or("the line is JSON but not an object")?;
        Ok((obj.get(&fields.id).cloned(), obj.get(&fields.text).cloned()))
    }

    /// Reading only the two fields gives what parsing the whole line gives: the same id, the
    /// same text, and the same message for each malformed line.
    #[test]
    fn json_lines_read_as_whole_values_do() {
        let lines: &[&[u8]] = &[
            br#"{"id": 1, "text": "hello"}"#,
            br#"{"text": "esc\u00e9 \"q\" \\ \n", "id": "a-1", "lang": "id"}"#,
            br#"{"meta": {"a": [1, 2, {"text": "inner"}], "b": null}, "text": "outer"}"#,
            br#"{"text": "first", "text": "last", "id": 1, "id": 2}"#,
            br#"{"id": {"nested": true}, "text": 5}"#,
            br#"{"id": 1}"#,
            br#"{"te\u0078t": "escaped key"}"#,
            br#"{"id": 1.5e300, "text": ""}"#,
            br#"{"id": 12345678901234567890123, "text": "big"}"#,
            br#"[1, 2, 3]"#,
            br#""just a string""#,
            b"42",
            b"null",
            b"true",
            br#"{broken"#,
            br#"{"text": "a"} trailing"#,
            br#"{"text": "a",}"#,
            br#"{"text": "a" "id": 1}"#,
            b"{\"text\": \"caf\xe9\"}",
            b"{\"other\": \"caf\xe9\", \"text\": \"ok\"}",
            br#"{"text": "\ud800"}"#,
            br#"{"text": "\q"}"#,
            b"{\"text\": \"tab\there\"}",
            br#"{"text": null, "id": null}"#,
            br#"{}"#,
        ];
        let fields = [
            Fields {
                text: "text".into(),
                id: "id".into(),
            },
            Fields {
                text: "text".into(),
                id: "text".into(),
            },
            Fields {
                text: "meta".into(),
                id: "lang".into(),
            },
        ];
        // Where the two differ: a field that is not read is skipped, not decoded, and
        // serde_json does not check that the \u escapes of what it skips make characters (it
        // does check the other escapes). The record is then scored (its text is well formed)
        // instead of being reported as malformed.
        let skipped = br#"{"other": "\ud800", "text": "ok"}"#;
        assert!(reference(skipped, &fields[0]).is_err());
        assert_eq!(
            parse_json_line(skipped, 1, &fields[0]).text,
            Ok("ok".into())
        );
        for f in &fields {
            for &line in lines {
                if f.text == "meta" && line == br#"{"text": "\ud800"}"# {
                    continue; // a bad escape in a skipped field (above)
                }
                let got = parse_json_line(line, 7, f);
                assert_eq!(got.line, 7);
                let shown = String::from_utf8_lossy(line);
                match reference(line, f) {
                    Err(why) => {
                        // serde_json places an error in a skipped string one column
                        // before where it places it in a decoded one.
                        let at = |e: &str| e.split(" at line ").next().unwrap_or("").to_string();
                        let got_why = got.text.clone().expect_err(&shown);
                        assert_eq!(at(&got_why), at(&why), "{shown}");
                        if f.text == "text" {
                            assert_eq!(got_why, why, "{shown}");
                        }
                        assert_eq!(got.id, serde_json::Value::Null, "{shown}");
                    }
                    Ok((id, text)) => {
                        assert_eq!(got.id, id.unwrap_or_default(), "{shown}");
                        match text {
                            Some(serde_json::Value::String(s)) => {
                                assert_eq!(got.text, Ok(s), "{shown}")
                            }
                            Some(other) => assert_eq!(
                                got.text,
                                Err(format!(
                                    "field {:?} is {}, not a string",
                                    f.text,
                                    json_type(&other)
                                )),
                                "{shown}"
                            ),
                            None => assert_eq!(
                                got.text,
                                Err(format!("field {:?} is missing", f.text)),
                                "{shown}"
                            ),
                        }
                    }
                }
            }
        }
    }

    /// The progress bar counts what each record took of the input: over a whole file, every
    /// byte, in each format (a CSV row with quotes and line breaks inside, a malformed row, a
    /// header, a final line without a break). Blank lines, which are not records, are not
    /// counted: the bar falls short by one byte for each.
    #[test]
    fn record_lengths_add_up_to_the_input() {
        let fields = Fields {
            text: "text".into(),
            id: "id".into(),
        };
        let cases: &[(InputFormat, &str)] = &[
            (
                InputFormat::Csv,
                "id,text\n1,plain\n2,\"quoted, with \"\"quotes\"\"\nand a break\"\n3,x,extra\n4,last",
            ),
            (InputFormat::Csv, "id,text\r\n1,a\r\n2,b\r\n"),
            (
                InputFormat::Jsonl,
                "{\"text\": \"a\"}\n{broken\n{\"text\": \"b\"}",
            ),
            (InputFormat::Text, "one\ntwo\nthree\n"),
        ];
        for &(format, input) in cases {
            let mut records = Records::new(input.as_bytes(), format, fields.clone()).unwrap();
            let mut total = 0;
            let mut count = 0;
            while let Some(r) = records.next_raw().unwrap() {
                total += r.len();
                count += 1;
            }
            assert!(count >= 2, "{format:?}: {count} records");
            let header = match format {
                InputFormat::Csv => input.find('\n').unwrap() + 1,
                _ => 0,
            };
            // A final line without a break is counted as if it had one.
            let unterminated = usize::from(!input.ends_with('\n') && format != InputFormat::Csv);
            assert_eq!(
                total + header,
                input.len() + unterminated,
                "{format:?}: {input:?}"
            );
        }
    }
}
