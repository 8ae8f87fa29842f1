//! `lurescan score`: streaming batch scoring with bounded memory, input order kept.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use serde::Serialize;

use crate::input::{Fields, InputFormat, RawRecord, Record, Records};

/// Records scored together; memory is bounded by a few chunks of records.
const CHUNK: usize = 4096;

#[derive(clap::Args, Debug)]
pub struct ScoreArgs {
    /// Input file, or - (the default) for standard input.
    input: Option<String>,
    /// Input format (default: from the file extension; .csv is CSV, .txt text lines, else JSONL).
    #[arg(long, value_enum)]
    format: Option<InputFormat>,
    /// JSONL field holding the post text.
    #[arg(long, default_value = "text")]
    text_field: String,
    /// CSV column holding the post text.
    #[arg(long, default_value = "text")]
    text_column: String,
    /// JSONL field or CSV column passed through as the record id.
    #[arg(long, default_value = "id")]
    id_field: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Jsonl)]
    output_format: OutputFormat,
    /// Write to this file instead of standard output. It is written as FILE.incomplete and
    /// renamed to FILE only when every record has been written.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// A model file to use instead of the embedded default model.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// How many signal names to list as reasons.
    #[arg(long, default_value_t = 3)]
    reasons: usize,
    /// Stop at the first malformed record (exit code 3) instead of writing an error record.
    #[arg(long)]
    strict: bool,
    /// Show a progress bar on standard error even when it is not a terminal.
    #[arg(long)]
    progress: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutputFormat {
    Jsonl,
    Csv,
}

#[derive(Serialize)]
struct OutRecord<'a> {
    id: &'a serde_json::Value,
    line: u64,
    score: Option<f64>,
    label: Option<&'static str>,
    reasons: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

pub fn run(args: ScoreArgs) -> Result<ExitCode> {
    let clf = crate::load_model(args.model.as_deref())?;
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = args.threads {
        if n == 0 {
            bail!("--threads must be at least 1");
        }
        pool = pool.num_threads(n);
    }
    let pool = pool.build().context("cannot start worker threads")?;

    let path = args.input.as_deref().filter(|p| *p != "-");
    let format = args.format.unwrap_or_else(|| InputFormat::guess(path));
    let (reader, size): (Box<dyn BufRead>, Option<u64>) = match path {
        Some(p) => {
            let f = File::open(p).with_context(|| format!("cannot open {p}"))?;
            let size = f.metadata().ok().map(|m| m.len());
            (Box::new(BufReader::with_capacity(1 << 20, f)), size)
        }
        None => (
            Box::new(BufReader::with_capacity(1 << 20, std::io::stdin().lock())),
            None,
        ),
    };
    let fields = Fields {
        text: match format {
            InputFormat::Csv => args.text_column.clone(),
            _ => args.text_field.clone(),
        },
        id: args.id_field.clone(),
    };
    let mut records = Records::new(reader, format, fields)?;
    if let Some(e) = records.fatal_error() {
        bail!("{}: {e}", path.unwrap_or("standard input"));
    }

    let mut out = Output::open(args.output.as_deref(), args.output_format)?;
    let progress = make_progress(args.progress, size);

    let mut scored = 0u64;
    let mut failed = 0u64;
    let source = path.unwrap_or("standard input");
    let fields = records.fields().clone();
    // A pipeline: while the worker threads parse and score one chunk, this thread writes the
    // previous chunk's records and reads the next chunk's lines, so that the workers do not
    // wait for input and output, and this thread, which shares the cores with them, has
    // little to do. Records are written in input order, and errors surface in the same order
    // as when each chunk was read, scored and written in turn.
    let mut cur = read_chunk(&mut records, source)?;
    let mut prev: Option<(u64, Vec<Scored<'_>>)> = None;
    let strict_stop = loop {
        let end = cur.records.is_empty();
        let bytes = cur.bytes;
        let mut results: Vec<Scored<'_>> = Vec::with_capacity(cur.records.len());
        let mut wrote: Result<()> = Ok(());
        let mut next: Option<Result<Chunk>> = None;
        std::thread::scope(|s| {
            let scorer = s.spawn(|| {
                pool.install(|| {
                    std::mem::take(&mut cur.records)
                        .into_par_iter()
                        .map(|raw| {
                            let r = raw.parse(&fields);
                            let scored = r
                                .text
                                .as_ref()
                                .ok()
                                .map(|t| clf.score_with_reasons(t, args.reasons));
                            (r, scored)
                        })
                        .collect_into_vec(&mut results)
                })
            });
            if let Some((bytes, res)) = prev.take() {
                wrote = write_chunk(&mut out, res, &mut scored, &mut failed);
                if let Some(p) = &progress {
                    p.inc(bytes);
                }
            }
            if wrote.is_ok() && !end {
                next = Some(read_chunk(&mut records, source));
            }
            if let Err(panic) = scorer.join() {
                std::panic::resume_unwind(panic);
            }
        });
        wrote?;
        if end {
            break None;
        }
        if args.strict
            && let Some(i) = results.iter().position(|(r, _)| r.text.is_err())
        {
            let (stop, _) = results.split_off(i).swap_remove(0);
            write_chunk(&mut out, results, &mut scored, &mut failed)?;
            break stop.text.err().map(|why| (stop.line, why));
        }
        match next.take() {
            Some(Ok(chunk)) => {
                cur = chunk;
                prev = Some((bytes, results));
            }
            Some(Err(e)) => {
                write_chunk(&mut out, results, &mut scored, &mut failed)?;
                return Err(e);
            }
            None => unreachable!("the next chunk is read unless this one is the last"),
        }
    };
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    if let Some((line, why)) = strict_stop {
        out.abandon()?;
        eprintln!("lurescan: line {line}: {why} (stopped by --strict after {scored} records)");
        return Ok(ExitCode::from(3));
    }
    out.finish()?;
    eprintln!("lurescan: {scored} records scored, {failed} malformed");
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A chunk of input records, as read (JSON lines not yet parsed).
struct Chunk {
    records: Vec<RawRecord>,
    /// Bytes of input in the chunk (for the progress bar).
    bytes: u64,
}

/// A parsed record and its score and reasons, or `None` for a malformed record.
type Scored<'a> = (Record, Option<(lurescan::Score, Vec<&'a str>)>);

/// Reads up to [`CHUNK`] records (fewer at the end of the input).
fn read_chunk<R: BufRead>(records: &mut Records<R>, source: &str) -> Result<Chunk> {
    let mut chunk = Chunk {
        records: Vec::with_capacity(CHUNK),
        bytes: 0,
    };
    while chunk.records.len() < CHUNK {
        match records
            .next_raw()
            .with_context(|| format!("cannot read {source}"))?
        {
            Some(r) => {
                chunk.bytes += r.len() as u64;
                chunk.records.push(r);
            }
            None => break,
        }
    }
    Ok(chunk)
}

/// Writes the output records of a scored chunk, in input order.
fn write_chunk(
    out: &mut Output,
    results: Vec<Scored<'_>>,
    scored: &mut u64,
    failed: &mut u64,
) -> Result<()> {
    for (r, res) in results {
        let rec = match (&r.text, res) {
            (Ok(_), Some((score, reasons))) => {
                *scored += 1;
                OutRecord {
                    id: &r.id,
                    line: r.line,
                    score: Some(score.probability()),
                    label: Some(score.label().as_str()),
                    reasons,
                    error: None,
                }
            }
            (Err(e), _) => {
                *failed += 1;
                OutRecord {
                    id: &r.id,
                    line: r.line,
                    score: None,
                    label: None,
                    reasons: Vec::new(),
                    error: Some(e.as_str()),
                }
            }
            (Ok(_), None) => unreachable!("a text record is always scored"),
        };
        out.write(&rec)?;
    }
    Ok(())
}

fn make_progress(forced: bool, size: Option<u64>) -> Option<indicatif::ProgressBar> {
    if !(forced || std::io::stderr().is_terminal()) {
        return None;
    }
    let bar = match size {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} {bytes}/{total_bytes} {bytes_per_sec} [{elapsed_precise}] {wide_bar}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

/// The output sink: standard output, or a file written under a temporary name and renamed
/// when complete.
struct Output {
    writer: Writer,
    path: Option<(PathBuf, PathBuf)>,
    /// One JSONL record, serialised before it is written, so that a failed write is the
    /// writer's `io::Error` (a full disk, a closed pipe) and not a serialisation error.
    line: Vec<u8>,
}

enum Writer {
    Jsonl(Box<dyn Write>),
    Csv(Box<csv::Writer<Box<dyn Write>>>),
}

impl Output {
    fn open(path: Option<&Path>, format: OutputFormat) -> Result<Output> {
        let (w, path): (Box<dyn Write>, _) = match path {
            Some(p) => {
                let mut tmp = p.as_os_str().to_owned();
                tmp.push(".incomplete");
                let tmp = PathBuf::from(tmp);
                let f = File::create(&tmp)
                    .with_context(|| format!("cannot create {}", tmp.display()))?;
                (
                    Box::new(BufWriter::with_capacity(1 << 20, f)),
                    Some((tmp, p.to_path_buf())),
                )
            }
            None => (
                Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout().lock())),
                None,
            ),
        };
        let writer = match format {
            OutputFormat::Jsonl => Writer::Jsonl(w),
            OutputFormat::Csv => {
                let mut c = csv::Writer::from_writer(w);
                c.write_record(["id", "line", "score", "label", "reasons", "error"])?;
                Writer::Csv(Box::new(c))
            }
        };
        Ok(Output {
            writer,
            path,
            line: Vec::new(),
        })
    }

    fn write(&mut self, r: &OutRecord<'_>) -> Result<()> {
        match &mut self.writer {
            Writer::Jsonl(w) => {
                self.line.clear();
                serde_json::to_writer(&mut self.line, r)?;
                self.line.push(b'\n');
                w.write_all(&self.line).context("cannot write output")?;
            }
            Writer::Csv(c) => {
                let id = match r.id {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let score = r.score.map(|s| format!("{s:.6}")).unwrap_or_default();
                c.write_record([
                    id.as_str(),
                    &r.line.to_string(),
                    &score,
                    r.label.unwrap_or(""),
                    &r.reasons.join(";"),
                    r.error.unwrap_or(""),
                ])
                .context("cannot write output")?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        match &mut self.writer {
            Writer::Jsonl(w) => w.flush(),
            Writer::Csv(c) => c.flush(),
        }
        .context("cannot write output")
    }

    /// Flushes and, for a file, renames it to its final name.
    fn finish(mut self) -> Result<()> {
        self.flush()?;
        if let Some((tmp, fin)) = self.path.take() {
            drop(self.writer);
            std::fs::rename(&tmp, &fin)
                .with_context(|| format!("cannot rename {} to {}", tmp.display(), fin.display()))?;
        }
        Ok(())
    }

    /// Flushes what was written and leaves a file under its `.incomplete` name.
    fn abandon(mut self) -> Result<()> {
        self.flush()?;
        if let Some((tmp, _)) = &self.path {
            eprintln!("lurescan: partial output left in {}", tmp.display());
        }
        Ok(())
    }
}
