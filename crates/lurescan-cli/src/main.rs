//! `lurescan`: score job posts for scam-compound recruitment lures, explain scores, train
//! models.
//!
//! Exit codes:
//! - 0: success (for `score`: every record scored);
//! - 1: `score` finished, but some records were malformed (each became an error record);
//! - 2: could not run: bad arguments, unreadable input, invalid model, failed write;
//! - 3: `score --strict` stopped at the first malformed record.

mod data;
mod dataset;
mod eval;
mod explain;
mod external;
mod input;
mod metrics;
mod report;
mod score;
mod train;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Scores social-media job posts for scam-compound and trafficking recruitment lures.
#[derive(Parser, Debug)]
#[command(name = "lurescan", version, about, long_about = None, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXIT_CODES: &str = "Exit codes: 0 success; 1 score finished but some records were \
malformed; 2 could not run (bad arguments, input, model or output); 3 --strict stopped at a \
malformed record.";

#[derive(Subcommand, Debug)]
enum Command {
    /// Score a stream of posts (JSONL, CSV or text lines) and write one record per input record.
    Score(score::ScoreArgs),
    /// Explain the score of one post: every signal, its weight and the words that fired it.
    Explain(explain::ExplainArgs),
    /// Train a model from labelled JSONL ({"text": ..., "label": 0 or 1}).
    Train(train::TrainArgs),
    /// Corpus tooling: assign splits, export labelled posts, list external sets.
    Data(data::DataArgs),
    /// Measure a model (or another system's scores) on labelled data: metrics per source,
    /// language and kind, as a table, JSON and an HTML report.
    Eval(eval::EvalArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Score(args) => score::run(args),
        Command::Explain(args) => explain::run(args).map(|()| ExitCode::SUCCESS),
        Command::Train(args) => train::run(args).map(|()| ExitCode::SUCCESS),
        Command::Data(args) => data::run(args).map(|()| ExitCode::SUCCESS),
        Command::Eval(args) => eval::run(args).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        // A reader that went away (`lurescan score | head`) is not an error.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("lurescan: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Loads `--model PATH` or the bundled model.
fn load_model(path: Option<&std::path::Path>) -> anyhow::Result<lurescan::Classifier> {
    use anyhow::Context;
    match path {
        Some(p) => lurescan::Classifier::from_path(p)
            .with_context(|| format!("cannot load model {}", p.display())),
        None => Ok(lurescan::Classifier::bundled()),
    }
}
