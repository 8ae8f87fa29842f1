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

/// The lexicon phrases normalised and the normaliser's vocabulary, generated from the bundled
/// data files by the test `generated_lexicon_is_current`
/// (`LURESCAN_REGENERATE=1 cargo test -p lurescan --lib generated_lexicon_is_current`).
mod generated {
    include!("generated/lexicon_data.rs");
}

/// FNV-1a of `bytes`, continuing from `h` (evaluated at compile time).
const fn fnv1a(mut h: u64, bytes: &[u8]) -> u64 {
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

/// A hash of everything the generated table is a function of: the normaliser's and the feature
/// schema's versions and the data files (signals, lexicons, emoji, homoglyphs, the money file,
/// whose words are in the normaliser's vocabulary, and, for the fingerprint, contacts and age).
const fn input_hash() -> u64 {
    let mut h = fnv1a(
        0xcbf2_9ce4_8422_2325,
        &crate::normalize::NORMALIZER_VERSION.to_le_bytes(),
    );
    h = fnv1a(h, &crate::features::FEATURE_SCHEMA_VERSION.to_le_bytes());
    h = fnv1a(h, SIGNALS_TOML.as_bytes());
    let mut i = 0;
    while i < LEXICON_FILES.len() {
        h = fnv1a(h, LEXICON_FILES[i].0.as_bytes());
        h = fnv1a(h, LEXICON_FILES[i].1.as_bytes());
        i += 1;
    }
    h = fnv1a(h, EMOJI_TOML.as_bytes());
    h = fnv1a(h, crate::normalize::HOMOGLYPHS_TOML.as_bytes());
    h = fnv1a(h, crate::extract::money::MONEY_TOML.as_bytes());
    h = fnv1a(h, crate::extract::contact::CONTACTS_TOML.as_bytes());
    fnv1a(h, crate::extract::AGE_TOML.as_bytes())
}

/// Whether the generated table was generated from these data files (else it is not used).
const GENERATED_IS_CURRENT: bool = input_hash() == generated::INPUT_HASH;

/// The fingerprint of the default feature configuration, from the generated table (`None` if
/// the table is not current).
pub(crate) fn generated_default_fingerprint() -> Option<&'static str> {
    GENERATED_IS_CURRENT.then_some(generated::DEFAULT_FINGERPRINT)
}

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
    ///
    /// The normalised phrases and the normaliser's vocabulary are a pure function of the
    /// bundled data files: they are read from a table generated from those files
    /// (`src/generated/lexicon_data.rs`) when the files are the ones it was generated from, and
    /// computed from the files otherwise (a test fails until the table is regenerated).
    pub(crate) fn build(signals: &[SignalDef], normalizer: &Normalizer) -> Result<Self> {
        let (phrases, patterns) = if GENERATED_IS_CURRENT {
            crate::normalize::init_vocabulary_words(generated::VOCABULARY);
            generated_phrases(signals.len())
        } else {
            phrases_from_data(signals, normalizer)?
        };
        Self::compile(phrases, patterns)
    }

    fn compile(phrases: Vec<String>, patterns: Vec<Pattern>) -> Result<Self> {
        // The contiguous NFA costs about 7 M instructions more to build than the noncontiguous
        // one it is made from, but its states sit together in memory: the search, about a fifth
        // of the time of scoring a short post with the noncontiguous one, waits less on memory
        // (benches/RESULTS.md, session 13). A DFA searched slower (its table does not stay in
        // cache) and took four times as long to build.
        //
        // Dense transitions for the states of depth below 2, not the default 3: the trie's
        // states at depth 2 are many and most have few children, so their dense rows cost more
        // to fill than they save; the build takes about 3 M instructions (7%) less and the
        // search as many (callgrind, session 15).
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .dense_depth(2)
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

    /// All matches in normalised `text` that sit on word boundaries, in the order the automaton
    /// reports them (by end), overlapping ones included: [`shadow`] then drops those inside a
    /// longer match of another signal.
    pub(crate) fn find_overlapping(&self, text: &str, out: &mut Vec<LexMatch>) {
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

/// Drops from `out[first..]` (matches of [`Lexicon::find_overlapping`]) every match that lies
/// inside a longer match of another signal: "tanpa biaya admin" (no_fee_claim) does not also
/// fire fee_request for its "biaya admin".
pub(crate) fn shadow(out: &mut Vec<LexMatch>, first: usize) {
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

/// The normalised phrases of the bundled lexicon files and their patterns, in automaton order,
/// computed from the files (the normaliser's vocabulary is initialised from them on the way).
fn phrases_from_data(
    signals: &[SignalDef],
    normalizer: &Normalizer,
) -> Result<(Vec<String>, Vec<Pattern>)> {
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
    Ok((phrases, patterns))
}

/// The phrases and patterns of the generated table.
fn generated_phrases(signal_count: usize) -> (Vec<String>, Vec<Pattern>) {
    let mut phrases = Vec::with_capacity(generated::PATTERNS.len());
    let mut patterns = Vec::with_capacity(generated::PATTERNS.len());
    for &(signal, flags, phrase) in generated::PATTERNS {
        debug_assert!((signal as usize) < signal_count);
        phrases.push(phrase.to_string());
        patterns.push(Pattern {
            signal,
            bound_start: flags & 1 != 0,
            bound_end: flags & 2 != 0,
        });
    }
    (phrases, patterns)
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

#[cfg(test)]
mod tests {
    use super::*;

    const GENERATED_PATH: &str = "src/generated/lexicon_data.rs";

    /// The generated table as the code computes it from the data files now.
    fn render() -> String {
        use std::fmt::Write;
        let normalizer = Normalizer::new();
        let signals = load_signals().unwrap();
        let (phrases, patterns) = phrases_from_data(&signals, &normalizer).unwrap();
        let tables: Vec<toml::Table> = LEXICON_FILES
            .iter()
            .map(|(_, src)| toml::from_str(src).unwrap())
            .collect();
        let mut words: Vec<Box<str>> = crate::normalize::vocabulary_of(&tables)
            .into_iter()
            .collect();
        words.sort();
        let mut out = String::from(
            "// @generated from the bundled data files by the test `generated_lexicon_is_current`\n\
             // of lexicon.rs: `LURESCAN_REGENERATE=1 cargo test -p lurescan --lib \
             generated_lexicon_is_current`. Do not edit.\n",
        );
        writeln!(
            out,
            "pub(super) const INPUT_HASH: u64 = {:#018x};",
            input_hash()
        )
        .unwrap();
        let fingerprint =
            crate::features::fingerprint(signals.len(), &crate::features::NgramConfig::default());
        out.push_str("/// `FeatureExtractor::fingerprint` of the default n-gram configuration.\n");
        writeln!(
            out,
            "pub(super) const DEFAULT_FINGERPRINT: &str = {fingerprint:?};"
        )
        .unwrap();
        out.push_str("/// (signal, 1 = word boundary before + 2 = after, normalised phrase)\n");
        out.push_str("pub(super) const PATTERNS: &[(u16, u8, &str)] = &[\n");
        for (phrase, p) in phrases.iter().zip(&patterns) {
            let flags = u8::from(p.bound_start) | (u8::from(p.bound_end) << 1);
            writeln!(out, "    ({}, {flags}, {phrase:?}),", p.signal).unwrap();
        }
        out.push_str("];\n/// The normaliser's vocabulary, sorted.\n");
        out.push_str("pub(super) const VOCABULARY: &[&str] = &[\n");
        for w in &words {
            writeln!(out, "    {w:?},").unwrap();
        }
        out.push_str("];\n");
        out
    }

    /// The generated table is what the code computes from the data files: a data file edited
    /// without regenerating fails here (and the table is not used: the build falls back to
    /// the files).
    #[test]
    fn generated_lexicon_is_current() {
        let expected = render();
        if std::env::var_os("LURESCAN_REGENERATE").is_some() {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GENERATED_PATH);
            std::fs::write(&path, &expected).unwrap();
        }
        let generated = include_str!("generated/lexicon_data.rs");
        assert!(
            generated == expected,
            "{GENERATED_PATH} is out of date: regenerate it with \
             `LURESCAN_REGENERATE=1 cargo test -p lurescan --lib generated_lexicon_is_current`"
        );
        assert_eq!(generated::INPUT_HASH, input_hash(), "the table is not used");
    }

    /// The lexicon built from the generated table and the one built from the files agree.
    #[test]
    fn generated_and_computed_lexicons_agree() {
        let normalizer = Normalizer::new();
        let signals = load_signals().unwrap();
        let built = Lexicon::build(&signals, &normalizer).unwrap();
        let (phrases, patterns) = phrases_from_data(&signals, &normalizer).unwrap();
        let computed = Lexicon::compile(phrases, patterns).unwrap();
        assert_eq!(built.phrases, computed.phrases);
        assert_eq!(
            crate::FeatureExtractor::new().fingerprint(),
            crate::features::fingerprint(signals.len(), &crate::features::NgramConfig::default())
        );
        let key = |p: &Pattern| (p.signal, p.bound_start, p.bound_end);
        assert_eq!(
            built.patterns.iter().map(key).collect::<Vec<_>>(),
            computed.patterns.iter().map(key).collect::<Vec<_>>()
        );
    }
}
