//! `lurescan explain`: a readable report of why a post got its score.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anstyle::{AnsiColor, Style};
use anyhow::{Context, Result, bail};
use lurescan::{Explanation, Value};

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// The post text (or use --file).
    text: Option<String>,
    /// Read the post from this file (- for standard input).
    #[arg(long, conflicts_with = "text")]
    file: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// A model file to use instead of the embedded default model.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Colour: auto (when standard output is a terminal), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

pub fn run(args: ExplainArgs) -> Result<()> {
    let text = match (&args.text, &args.file) {
        (Some(t), None) => t.clone(),
        (None, Some(f)) if f == "-" => crate::input::read_all_lossy(std::io::stdin().lock())?,
        (None, Some(f)) => crate::input::read_all_lossy(
            std::fs::File::open(f).with_context(|| format!("cannot open {f}"))?,
        )?,
        _ => bail!("give the post as an argument or with --file"),
    };
    let clf = crate::load_model(args.model.as_deref())?;
    let e = clf.explain(&text);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &e)?;
            writeln!(out)?;
        }
        Format::Text => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => stdout.is_terminal(),
            };
            let t = clf.thresholds();
            report(&mut out, &text, &e, color, t.review, t.lure)?;
        }
    }
    Ok(())
}

fn paint(color: bool, style: Style, s: &str) -> String {
    if color {
        format!("{}{s}{}", style.render(), style.render_reset())
    } else {
        s.to_string()
    }
}

fn describe_value(v: &Value) -> String {
    match v {
        Value::Salary(m) | Value::Fee(m) => {
            let amount = if m.min == m.max {
                format_amount(m.min)
            } else {
                format!("{}-{}", format_amount(m.min), format_amount(m.max))
            };
            let period = m
                .period
                .map(|p| format!("/{p:?}").to_lowercase())
                .unwrap_or_default();
            let usd = if m.usd_per_month_min == m.usd_per_month_max {
                format!("{:.0}", m.usd_per_month_max)
            } else {
                format!("{:.0}-{:.0}", m.usd_per_month_min, m.usd_per_month_max)
            };
            let per = if m.period.is_some() { " a month" } else { "" };
            format!("{} {amount}{period} ≈ USD {usd}{per}", m.currency)
        }
        Value::Contact(c) => match &c.country {
            Some(cc) => format!("{:?} {} ({cc})", c.channel, c.handle),
            None => format!("{:?} {}", c.channel, c.handle),
        },
        Value::Destination { country } => format!("country {country}"),
        Value::Age { min, max } => match (min, max) {
            (Some(a), Some(b)) => format!("age {a}-{b}"),
            (None, Some(b)) => format!("age up to {b}"),
            (Some(a), None) => format!("age from {a}"),
            (None, None) => "age".to_string(),
        },
        _ => String::new(),
    }
}

fn format_amount(x: f64) -> String {
    let s = format!("{:.0}", x.trunc());
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    let frac = x - x.trunc();
    if frac.abs() > 1e-9 {
        out.push_str(&format!("{frac:.2}")[1..]);
    }
    out
}

fn report(
    out: &mut impl Write,
    text: &str,
    e: &Explanation,
    color: bool,
    review: f64,
    lure: f64,
) -> Result<()> {
    let label_style = match e.label {
        lurescan::Label::Lure => AnsiColor::Red.on_default().bold(),
        lurescan::Label::Review => AnsiColor::Yellow.on_default().bold(),
        lurescan::Label::Ok => AnsiColor::Green.on_default().bold(),
    };
    let bold = Style::new().bold();
    let hl = AnsiColor::Black.on(AnsiColor::Yellow);
    let dim = Style::new().dimmed();
    writeln!(
        out,
        "{} {:.3}   {} {}   {}",
        paint(color, bold, "score"),
        e.score,
        paint(color, bold, "label"),
        paint(color, label_style, &e.label.as_str().to_uppercase()),
        paint(
            color,
            dim,
            &format!("(review at {review:.2}, lure at {lure:.2})")
        ),
    )?;
    if e.window != (0..text.len()) {
        writeln!(
            out,
            "{}",
            paint(
                color,
                dim,
                &format!(
                    "(a long post: scored by its highest-scoring window, bytes {}..{} of {})",
                    e.window.start,
                    e.window.end,
                    text.len()
                )
            )
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        paint(color, bold, "Reasons (contribution to the logit):")
    )?;
    for r in &e.reasons {
        writeln!(
            out,
            "  {:+6.2}  {}  {}",
            r.contribution,
            paint(color, bold, &r.signal),
            paint(color, dim, &r.description)
        )?;
        for ev in r.evidence.iter().take(6) {
            let value = ev.value.as_ref().map(describe_value).unwrap_or_default();
            writeln!(
                out,
                "          «{}» {}{}",
                paint(color, hl, &ev.text.replace('\n', " ")),
                paint(color, dim, &format!("[{}..{}]", ev.start, ev.end)),
                if value.is_empty() {
                    String::new()
                } else {
                    format!("  {value}")
                }
            )?;
        }
        if r.evidence.len() > 6 {
            writeln!(out, "          … {} more", r.evidence.len() - 6)?;
        }
    }
    writeln!(
        out,
        "  {:+6.2}  {}",
        e.ngram_contribution,
        paint(color, dim, "word and character n-grams (together)")
    )?;
    writeln!(
        out,
        "  {:+6.2}  {}",
        e.intercept,
        paint(color, dim, "intercept")
    )?;
    writeln!(out, "  logit {:.3} → score {:.3}", e.logit, e.score)?;

    // The post with every piece of evidence highlighted.
    let mut marks = vec![false; text.len()];
    for r in e.reasons.iter().filter(|r| r.contribution > 0.0) {
        for ev in &r.evidence {
            for m in &mut marks[ev.start..ev.end] {
                *m = true;
            }
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        paint(color, bold, "Post (evidence of positive reasons marked):")
    )?;
    let mut line = String::new();
    let mut i = 0;
    while i < text.len() {
        let on = marks[i];
        let mut j = i;
        while j < text.len() && marks[j] == on {
            j += 1;
        }
        while j < text.len() && !text.is_char_boundary(j) {
            j += 1;
        }
        let piece = &text[i..j];
        if on {
            if color {
                line.push_str(&paint(color, hl, piece));
            } else {
                line.push('[');
                line.push_str(piece);
                line.push(']');
            }
        } else {
            line.push_str(piece);
        }
        i = j;
    }
    for l in line.lines() {
        writeln!(out, "  {l}")?;
    }
    Ok(())
}
