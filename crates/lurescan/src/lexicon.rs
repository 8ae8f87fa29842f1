//! Signal definitions and the phrase lexicons, compiled into one aho-corasick automaton.
//!
//! The list of signals lives in `data/signals.toml`; the phrases that fire the lexicon signals
//! live in `data/lexicon/<language>.toml`, one table per signal. Both are data: adding a phrase
//! needs no code change (but changes the feature fingerprint, so the default model is retrained).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::normalize::{Normalizer, is_spaced_script_alnum};
use rustc_hash::{FxHashMap, FxHashSet};

/// The bundled data files, in a fixed order (part of the feature fingerprint).
pub(crate) const SIGNALS_TOML: &str = include_str!("../data/signals.toml");
pub(crate) const LEXICON_FILES: &[(&str, &str)] = &[
    ("common.toml", include_str!("../data/lexicon/common.toml")),
    ("en.toml", include_str!("../data/lexicon/en.toml")),
    ("id.toml", include_str!("../data/lexicon/id.toml")),
    ("ko.toml", include_str!("../data/lexicon/ko.toml")),
    ("ms.toml", include_str!("../data/lexicon/ms.toml")),
    ("th.toml", include_str!("../data/lexicon/th.toml")),
    ("tl.toml", include_str!("../data/lexicon/tl.toml")),
    ("vi.toml", include_str!("../data/lexicon/vi.toml")),
    ("zh.toml", include_str!("../data/lexicon/zh.toml")),
];
/// Emoji written in place of lexicon words (`data/emoji.toml`).
pub(crate) const EMOJI_TOML: &str = include_str!("../data/emoji.toml");

/// Which extractor produces a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Source {
    Lexicon,
    Salary,
    Contact,
    Age,
    Derived,
}

/// One named signal, as declared in `data/signals.toml`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SignalDef {
    pub name: String,
    pub source: Source,
    pub description: String,
    #[serde(default)]
    pub country: Option<String>,
}

#[derive(Deserialize)]
struct SignalsFile {
    signal: Vec<SignalDef>,
}

/// Parses the signal list and checks names are unique.
pub(crate) fn load_signals() -> Result<Vec<SignalDef>> {
    let file: SignalsFile = toml::from_str(SIGNALS_TOML)
        .map_err(|e| Error::data("signals.toml", "not valid TOML").with_source(e))?;
    let mut seen = FxHashSet::default();
    for s in &file.signal {
        if !seen.insert(s.name.as_str()) {
            return Err(Error::data(
                "signals.toml",
                format!("signal {} is declared twice", s.name),
            ));
        }
    }
    Ok(file.signal)
}

/// A phrase of the automaton: which signal it fires and how its ends must sit.
#[derive(Debug, Clone)]
struct Pattern {
    signal: u16,
    /// The pattern starts with a letter or digit of a spaced script: a word boundary is needed
    /// before it.
    bound_start: bool,
    /// Likewise after it (false for `prefix*` patterns).
    bound_end: bool,
}

/// All lexicon phrases in one automaton.
#[derive(Debug, Clone)]
pub(crate) struct Lexicon {
    automaton: AhoCorasick,
    patterns: Vec<Pattern>,
    /// The normalised phrases, in pattern order (for the benchmarks' aho-corasick floor).
    phrases: Vec<String>,
}

/// A lexicon match in normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LexMatch {
    pub signal: u16,
    pub start: usize,
    pub end: usize,
}

impl Lexicon {
    /// Compiles the bundled lexicon files for `signals`.
    pub(crate) fn build(signals: &[SignalDef], normalizer: &Normalizer) -> Result<Self> {
        let index: FxHashMap<&str, (u16, Source)> = signals
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.as_str(), (i as u16, s.source)))
            .collect();
        let mut phrases: Vec<String> = Vec::new();
        let mut patterns: Vec<Pattern> = Vec::new();
        // normalised phrase (with '*' marker) -> (signal, file) for duplicate checks
        let mut seen: FxHashMap<String, (u16, &str)> = FxHashMap::default();
        let tables: Vec<std::result::Result<toml::Table, toml::de::Error>> = LEXICON_FILES
            .iter()
            .map(|(_, src)| toml::from_str(src))
            .collect();
        // The normaliser's vocabulary is made of the words of these files: built from them here
        // rather than parsed again when the first phrase is normalised.
        if let Ok(parsed) = tables
            .iter()
            .map(|t| t.as_ref())
            .collect::<std::result::Result<Vec<_>, _>>()
        {
            crate::normalize::init_vocabulary(&parsed);
        }
        for ((file, _), table) in LEXICON_FILES.iter().zip(tables) {
            let table: toml::Table =
                table.map_err(|e| Error::data(*file, "not valid TOML").with_source(e))?;
            for (name, value) in &table {
                let Some(&(signal, source)) = index.get(name.as_str()) else {
                    return Err(Error::data(*file, format!("unknown signal {name:?}")));
                };
                if source != Source::Lexicon {
                    return Err(Error::data(
                        *file,
                        format!("signal {name:?} is not a lexicon signal"),
                    ));
                }
                let Some(list) = value.as_array() else {
                    return Err(Error::data(
                        *file,
                        format!("{name} must be a list of phrases"),
                    ));
                };
                for item in list {
                    let Some(raw) = item.as_str() else {
                        return Err(Error::data(
                            *file,
                            format!("{name}: {item} is not a string"),
                        ));
                    };
                    let (body, prefix) = match raw.strip_suffix('*') {
                        Some(b) => (b, true),
                        None => (raw, false),
                    };
                    let norm = normalizer.normalize(body);
                    let phrase = norm.as_str().trim().to_string();
                    let single_letter =
                        phrase.chars().count() < 2 && phrase.chars().all(char::is_alphanumeric);
                    if phrase.is_empty() || single_letter {
                        return Err(Error::data(
                            *file,
                            format!("{name}: phrase {raw:?} is too short to match safely"),
                        ));
                    }
                    let key = format!("{phrase}{}", if prefix { "*" } else { "" });
                    match seen.get(&key) {
                        Some(&(other, _)) if other == signal => continue,
                        Some(&(other, other_file)) => {
                            return Err(Error::data(
                                *file,
                                format!(
                                    "phrase {raw:?} fires both {name} and {} (in {other_file})",
                                    signals[other as usize].name
                                ),
                            ));
                        }
                        None => {
                            seen.insert(key, (signal, file));
                        }
                    }
                    let first = phrase.chars().next().unwrap_or(' ');
                    let last = phrase.chars().next_back().unwrap_or(' ');
                    patterns.push(Pattern {
                        signal,
                        bound_start: is_spaced_script_alnum(first),
                        bound_end: !prefix && is_spaced_script_alnum(last),
                    });
                    phrases.push(phrase);
                }
            }
        }
        add_emoji_variants(normalizer, &mut phrases, &mut patterns, &mut seen)?;
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
            .build(&phrases)
            .map_err(|e| Error::data("lexicon", "cannot compile the automaton").with_source(e))?;
        Ok(Lexicon {
            automaton,
            patterns,
            phrases,
        })
    }

    /// The normalised phrases, in pattern order.
    pub(crate) fn phrases(&self) -> &[String] {
        &self.phrases
    }

    /// All matches in normalised `text` that sit on word boundaries. Overlapping matches are
    /// kept, except one that lies inside a longer match of another signal: "tanpa biaya admin"
    /// (no_fee_claim) does not also fire fee_request for its "biaya admin".
    pub(crate) fn find_all(&self, text: &str, out: &mut Vec<LexMatch>) {
        let first = out.len();
        self.find_overlapping(text, out);
        let found = &mut out[first..];
        if found.len() < 2 {
            return;
        }
        // Sweep by start (longest first): a match is shadowed when an earlier-starting or
        // same-starting longer match of another signal reaches at least as far.
        found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        let mut keep = vec![true; found.len()];
        let mut reach: Option<(usize, usize, u16)> = None; // (start, end, signal) furthest end
        for (i, m) in found.iter().enumerate() {
            if let Some((s, e, sig)) = reach
                && sig != m.signal
                && e >= m.end
                && e - s > m.end - m.start
            {
                keep[i] = false;
            }
            if reach.is_none_or(|(_, e, _)| m.end > e) {
                reach = Some((m.start, m.end, m.signal));
            }
        }
        let mut k = 0;
        out.retain(|_| {
            let i = k;
            k += 1;
            i < first || keep[i - first]
        });
    }

    fn find_overlapping(&self, text: &str, out: &mut Vec<LexMatch>) {
        let bytes = text.as_bytes();
        for m in self.automaton.find_overlapping_iter(text) {
            let p = &self.patterns[m.pattern().as_usize()];
            if p.bound_start
                && text[..m.start()]
                    .chars()
                    .next_back()
                    .is_some_and(is_word_char)
            {
                continue;
            }
            if p.bound_end && text[m.end()..].chars().next().is_some_and(is_word_char) {
                continue;
            }
            debug_assert!(m.end() <= bytes.len());
            out.push(LexMatch {
                signal: p.signal,
                start: m.start(),
                end: m.end(),
            });
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Adds, for every phrase containing a word that an emoji stands for (`data/emoji.toml`), the
/// phrase with the word the normaliser reads the emoji as (`free ticket` → `free tiket`, which
/// is how `free ✈️` reads). A variant that is already a phrase, of this or of another signal,
/// is skipped.
fn add_emoji_variants(
    normalizer: &Normalizer,
    phrases: &mut Vec<String>,
    patterns: &mut Vec<Pattern>,
    seen: &mut FxHashMap<String, (u16, &str)>,
) -> Result<()> {
    let words = |s: &str| -> Vec<String> {
        normalizer
            .normalize(s)
            .as_str()
            .split(' ')
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()
    };
    // First word of a replaced phrase -> (its words, the words read for the emoji).
    type Replacement = (Vec<String>, Vec<String>);
    let mut by_first: FxHashMap<String, Vec<Replacement>> = FxHashMap::default();
    for entry in crate::normalize::emoji_table()?.values() {
        let read = words(&entry.word);
        for w in &entry.stands_for {
            let w = words(w);
            if let Some(first) = w.first() {
                by_first
                    .entry(first.clone())
                    .or_default()
                    .push((w.clone(), read.clone()));
            }
        }
    }
    let explicit = phrases.len();
    let own: FxHashSet<(&str, u16)> = phrases
        .iter()
        .zip(patterns.iter())
        .map(|(ph, p)| (ph.as_str(), p.signal))
        .collect();
    // A variant holding a phrase of its own signal adds nothing but a longer span
    // (`di cambodia` → `di kamboja`, when `kamboja` is a phrase already).
    let redundant = |v: &str, signal: u16| {
        let t: Vec<&str> = v.split(' ').collect();
        (0..t.len())
            .any(|a| (a + 1..=t.len()).any(|b| own.contains(&(t[a..b].join(" ").as_str(), signal))))
    };
    let mut added: Vec<(String, Pattern)> = Vec::new();
    for k in 0..explicit {
        let tokens: Vec<&str> = phrases[k].split(' ').collect();
        let mut variants = Vec::new();
        for (at, token) in tokens.iter().enumerate() {
            for (replaced, read) in by_first.get(*token).into_iter().flatten() {
                let end = at + replaced.len();
                if end <= tokens.len() && tokens[at..end].iter().eq(replaced.iter()) {
                    let mut v: Vec<&str> = tokens[..at].to_vec();
                    v.extend(read.iter().map(String::as_str));
                    v.extend_from_slice(&tokens[end..]);
                    variants.push(v.join(" "));
                }
            }
        }
        let p = patterns[k].clone();
        let prefix = !p.bound_end
            && phrases[k]
                .chars()
                .next_back()
                .is_some_and(is_spaced_script_alnum);
        for v in variants {
            let key = format!("{v}{}", if prefix { "*" } else { "" });
            if seen.contains_key(&key) || redundant(&v, p.signal) {
                continue;
            }
            seen.insert(key, (p.signal, "emoji.toml"));
            let last = v.chars().next_back().unwrap_or(' ');
            let pattern = Pattern {
                signal: p.signal,
                bound_start: v.chars().next().is_some_and(is_spaced_script_alnum),
                bound_end: !prefix && is_spaced_script_alnum(last),
            };
            added.push((v, pattern));
        }
    }
    for (v, pattern) in added {
        phrases.push(v);
        patterns.push(pattern);
    }
    Ok(())
}
