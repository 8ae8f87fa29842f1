//! The obfuscation suite (issue 7): every lure and every other post of the corpus test split is
//! rewritten the way evaders write, one transformation at a time, and scored with the bundled
//! model at its `lure` threshold. Recall on the lures may drop by at most 2 points and the flag
//! rate on the other posts may rise by at most 1 point under each transformation.
//!
//! The transformations are deterministic (seeded per post) and applied to the key words of a
//! post — the words the lexicons know (`Kamboja`, `gaji`, `tiket`, `visa`, `WhatsApp`, …) — or to
//! every word where the transformation is naturally global (mixed case). The table is printed
//! by
//!
//! ```sh
//! cargo test --release -p lurescan --test obfuscation -- --nocapture
//! ```

use std::collections::HashSet;
use std::sync::OnceLock;

use lurescan::{Classifier, Normalizer, Value};

/// A post of the corpus test split.
struct Post {
    text: String,
    lure: bool,
    lang: String,
    kind: String,
    split: String,
}

fn test_split() -> Vec<Post> {
    all_posts()
        .into_iter()
        .filter(|p| p.split == "test")
        .collect()
}

/// Every post of the corpus.
fn all_posts() -> Vec<Post> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus/posts");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    paths.sort();
    let mut posts = Vec::new();
    for path in paths {
        let src = std::fs::read_to_string(&path).unwrap();
        for line in src.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            posts.push(Post {
                text: v["text"].as_str().unwrap().to_string(),
                lure: v["label"].as_i64() == Some(1),
                lang: v["lang"].as_str().unwrap_or("").to_string(),
                kind: v["kind"].as_str().unwrap_or("").to_string(),
                split: v["split"].as_str().unwrap_or("").to_string(),
            });
        }
    }
    posts
}

/// A small deterministic generator (xorshift64*), seeded per post and transformation.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

/// The single Latin-script words of the lexicons and of the salary context: the words a keyword
/// filter looks for, so the words evaders disguise.
fn key_words() -> &'static (HashSet<String>, Vec<String>) {
    static KEYS: OnceLock<(HashSet<String>, Vec<String>)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/lexicon");
        let mut words = HashSet::new();
        let mut prefixes = Vec::new();
        let mut add = |phrase: &str| {
            for w in phrase.split_whitespace() {
                let (w, prefix) = match w.strip_suffix('*') {
                    Some(w) => (w, true),
                    None => (w, false),
                };
                if w.len() >= 3 && w.chars().all(|c| c.is_ascii_alphabetic()) {
                    if prefix {
                        prefixes.push(w.to_string());
                    } else {
                        words.insert(w.to_string());
                    }
                }
            }
        };
        for entry in std::fs::read_dir(dir).unwrap() {
            let src = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let table: toml::Table = toml::from_str(&src).unwrap();
            for (_, v) in table {
                for p in v.as_array().into_iter().flatten() {
                    add(p.as_str().unwrap_or(""));
                }
            }
        }
        let money: toml::Table = toml::from_str(include_str!("../data/money.toml")).unwrap();
        for p in money["salary_context"].as_array().unwrap() {
            add(p.as_str().unwrap());
        }
        (words, prefixes)
    })
}

fn is_key_word(word: &str) -> bool {
    let n = normalizer().normalize(word);
    let w = n.as_str();
    let (words, prefixes) = key_words();
    words.contains(w) || prefixes.iter().any(|p| w.starts_with(p.as_str()))
}

fn normalizer() -> &'static Normalizer {
    static N: OnceLock<Normalizer> = OnceLock::new();
    N.get_or_init(Normalizer::new)
}

fn is_word_char(c: char) -> bool {
    c.is_alphabetic() && ((c as u32) < 0x0250 || ('\u{1E00}'..='\u{1EFF}').contains(&c))
}

/// Rewrites each word (maximal run of Latin letters) with `f(word, is_key, rng)`.
fn map_words(
    text: &str,
    rng: &mut Rng,
    mut f: impl FnMut(&str, bool, &mut Rng) -> String,
) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut word = String::new();
    let mut flush = |word: &mut String, out: &mut String, rng: &mut Rng| {
        if !word.is_empty() {
            let key = is_key_word(word);
            out.push_str(&f(word, key, rng));
            word.clear();
        }
    };
    for c in text.chars() {
        if is_word_char(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out, rng);
            out.push(c);
        }
    }
    flush(&mut word, &mut out, rng);
    out
}

fn leetspeak(text: &str, rng: &mut Rng) -> String {
    map_words(text, rng, |w, key, _| {
        if !key {
            return w.to_string();
        }
        w.char_indices()
            .map(|(i, c)| match (i, c.to_ascii_lowercase()) {
                (0, _) => c,
                (_, 'a') => '4',
                (_, 'o') => '0',
                (_, 'e') => '3',
                (_, 'i') => '1',
                _ => c,
            })
            .collect()
    })
}

fn homoglyphs(text: &str, rng: &mut Rng) -> String {
    map_words(text, rng, |w, key, _| {
        if !key {
            return w.to_string();
        }
        w.chars()
            .map(|c| match c {
                'a' => 'а',
                'o' => 'о',
                'e' => 'е',
                'c' => 'с',
                'p' => 'р',
                'x' => 'х',
                'y' => 'у',
                'i' => 'і',
                'A' => 'А',
                'O' => 'О',
                'E' => 'Е',
                'C' => 'С',
                'P' => 'Р',
                'K' => 'К',
                'M' => 'М',
                'T' => 'Т',
                'B' => 'В',
                'H' => 'Н',
                _ => c,
            })
            .collect()
    })
}

const FORMAT_CHARS: [char; 7] = [
    '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{00AD}', '\u{FEFF}', '\u{200E}',
];

fn format_chars(text: &str, rng: &mut Rng) -> String {
    map_words(text, rng, |w, key, rng| {
        if !key {
            return w.to_string();
        }
        let mut out = String::new();
        for (i, c) in w.chars().enumerate() {
            if i > 0 {
                out.push(rng.pick(&FORMAT_CHARS));
            }
            out.push(c);
        }
        out
    })
}

fn spaced_letters(text: &str, rng: &mut Rng) -> String {
    map_words(text, rng, |w, key, rng| {
        if !key {
            return w.to_string();
        }
        let sep = rng.pick(&[" ", ".", "-"]);
        w.chars().map(String::from).collect::<Vec<_>>().join(sep)
    })
}

fn full_width(text: &str, rng: &mut Rng) -> String {
    map_words(text, rng, |w, key, _| {
        if !key {
            return w.to_string();
        }
        w.chars()
            .map(|c| match c {
                '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c),
                _ => c,
            })
            .collect()
    })
}

/// Words evaders replace with an emoji, by their normalised form.
const EMOJI_WORDS: [(&str, &str); 22] = [
    ("tiket", "✈️"),
    ("ticket", "✈️"),
    ("tickets", "✈️"),
    ("ve", "✈️"),
    ("gaji", "💰"),
    ("salary", "💰"),
    ("luong", "💰"),
    ("sahod", "💰"),
    ("sweldo", "💰"),
    ("kamboja", "🇰🇭"),
    ("kemboja", "🇰🇭"),
    ("cambodia", "🇰🇭"),
    ("campuchia", "🇰🇭"),
    ("myanmar", "🇲🇲"),
    ("thailand", "🇹🇭"),
    ("laos", "🇱🇦"),
    ("visa", "🛂"),
    ("paspor", "🛂"),
    ("passport", "🛂"),
    ("philippines", "🇵🇭"),
    ("pilipinas", "🇵🇭"),
    ("malaysia", "🇲🇾"),
];

fn emoji(text: &str, rng: &mut Rng) -> String {
    map_words(text, rng, |w, _, _| {
        let n = normalizer().normalize(w);
        match EMOJI_WORDS.iter().find(|(word, _)| *word == n.as_str()) {
            Some((_, e)) => e.to_string(),
            None => w.to_string(),
        }
    })
}

fn mixed_case(text: &str, rng: &mut Rng) -> String {
    map_words(text, rng, |w, _, rng| {
        let mut upper = rng.below(2) == 0;
        w.chars()
            .flat_map(|c| {
                upper = !upper;
                if upper {
                    c.to_uppercase().collect::<Vec<_>>()
                } else {
                    c.to_lowercase().collect::<Vec<_>>()
                }
            })
            .collect()
    })
}

fn punctuation_split(text: &str, rng: &mut Rng) -> String {
    map_words(text, rng, |w, key, rng| {
        let chars: Vec<char> = w.chars().collect();
        if !key || chars.len() < 4 {
            return w.to_string();
        }
        let at = 2 + rng.below(chars.len() - 3);
        let mut out: String = chars[..at].iter().collect();
        out.push(rng.pick(&['.', '-', '_', '*', '\'']));
        out.extend(&chars[at..]);
        out
    })
}

/// Number words for 1..=99 in Indonesian/Malay, English and Vietnamese.
fn number_words(n: u64, lang: &str) -> Option<String> {
    const ID: [&str; 10] = [
        "", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    ];
    const EN: [&str; 20] = [
        "",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const EN_TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    const VI: [&str; 10] = [
        "", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
    ];
    if n == 0 || n > 99 {
        return None;
    }
    let (t, u) = ((n / 10) as usize, (n % 10) as usize);
    Some(match lang {
        "id" | "ms" => match (t, u) {
            (0, u) => ID[u].to_string(),
            (1, 0) => "sepuluh".into(),
            (1, 1) => "sebelas".into(),
            (1, u) => format!("{} belas", ID[u]),
            (t, 0) => format!("{} puluh", ID[t]),
            (t, u) => format!("{} puluh {}", ID[t], ID[u]),
        },
        "en" => match (t, u) {
            (0 | 1, _) => EN[n as usize].to_string(),
            (t, 0) => EN_TENS[t].to_string(),
            (t, u) => format!("{}-{}", EN_TENS[t], EN[u]),
        },
        "vi" => match (t, u) {
            (0, u) => VI[u].to_string(),
            (1, 0) => "mười".into(),
            (1, 5) => "mười lăm".into(),
            (1, u) => format!("mười {}", VI[u]),
            (t, 0) => format!("{} mươi", VI[t]),
            (t, u) => format!("{} mươi {}", VI[t], VI[u]),
        },
        _ => return None,
    })
}

/// An amount in words: `8000000` IDR → `delapan juta rupiah`; None when not expressible.
fn amount_words(amount: f64, currency: &str, lang: &str) -> Option<String> {
    let a = amount.round() as u64;
    let (k, scale) = if a.is_multiple_of(1_000_000) && a >= 1_000_000 {
        (a / 1_000_000, "M")
    } else if a.is_multiple_of(1000) && a >= 1000 {
        (a / 1000, "K")
    } else {
        return None;
    };
    let num = number_words(k, lang)?;
    let scale = match (lang, scale) {
        ("id" | "ms", "M") => "juta",
        ("id" | "ms", _) => "ribu",
        ("en", "M") => "million",
        ("en", _) => "thousand",
        ("vi", "M") => "triệu",
        ("vi", _) => "nghìn",
        _ => return None,
    };
    let cur = match (lang, currency) {
        ("id" | "ms", "IDR") => "rupiah",
        ("id" | "ms", "USD") => "dolar",
        ("id" | "ms", "MYR") => "ringgit",
        ("en", "USD") => "dollars",
        ("en", "IDR") => "rupiah",
        ("en", "MYR") => "ringgit",
        ("en", "THB") => "baht",
        ("en", "PHP") => "pesos",
        ("vi", "VND") => "đồng",
        ("vi", "USD") => "đô la",
        _ => return None,
    };
    // "seribu"/"sejuta" in Indonesian
    let num = match (lang, num.as_str()) {
        ("id" | "ms", "satu") => return Some(format!("se{scale} {cur}")),
        _ => num,
    };
    Some(format!("{num} {scale} {cur}"))
}

/// Salaries written in words: the salary evidence of the post (found by the classifier on the
/// clean text) is rewritten as words in the post's language, keeping its period.
fn salary_in_words(text: &str, lang: &str) -> String {
    let e = classifier().explain(text);
    let mut spans: Vec<(usize, usize, String)> = Vec::new();
    for ev in e.reasons.iter().flat_map(|r| &r.evidence) {
        let Some(Value::Salary(m)) = &ev.value else {
            continue;
        };
        let Some(lo) = amount_words(m.min, &m.currency, lang) else {
            continue;
        };
        let words = if m.max > m.min {
            let Some(hi) = amount_words(m.max, &m.currency, lang) else {
                continue;
            };
            let to = match lang {
                "en" => "to",
                "vi" => "đến",
                _ => "sampai",
            };
            format!("{lo} {to} {hi}")
        } else {
            lo
        };
        let per = match (m.period, lang) {
            (Some(lurescan::Period::Month), "en") => " a month",
            (Some(lurescan::Period::Month), "vi") => " một tháng",
            (Some(lurescan::Period::Month), _) => " per bulan",
            (Some(lurescan::Period::Day), "en") => " a day",
            (Some(lurescan::Period::Day), "vi") => " một ngày",
            (Some(lurescan::Period::Day), _) => " per hari",
            _ => "",
        };
        let (s, end) = (ev.start, ev.end);
        if !spans.iter().any(|(a, b, _)| s < *b && *a < end) {
            spans.push((s, end, format!("{words}{per}")));
        }
    }
    spans.sort();
    let mut out = text.to_string();
    for (s, e, w) in spans.into_iter().rev() {
        out.replace_range(s..e, &w);
    }
    out
}

fn classifier() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(Classifier::bundled)
}

type Transform = fn(&Post, &mut Rng) -> String;

fn transformations() -> Vec<(&'static str, Transform)> {
    vec![
        ("leetspeak (K4mb0ja)", |p, r| leetspeak(&p.text, r)),
        ("homoglyphs (Cyrillic а/о/е/с/р)", |p, r| {
            homoglyphs(&p.text, r)
        }),
        ("zero-width and format characters", |p, r| {
            format_chars(&p.text, r)
        }),
        ("spaced or dotted letters (K-a-m-b-o-j-a)", |p, r| {
            spaced_letters(&p.text, r)
        }),
        ("full-width forms (ＧＡＪＩ)", |p, r| {
            full_width(&p.text, r)
        }),
        ("emoji for words (✈️ 💰 🇰🇭)", |p, r| {
            emoji(&p.text, r)
        }),
        ("mixed case (GaJi), every word", |p, r| {
            mixed_case(&p.text, r)
        }),
        ("words split by punctuation (kam.boja)", |p, r| {
            punctuation_split(&p.text, r)
        }),
        ("salary in words (delapan juta)", |p, _| {
            salary_in_words(&p.text, &p.lang)
        }),
    ]
}

/// One row of the report.
struct Row {
    name: &'static str,
    recall: f64,
    fp: f64,
    changed: usize,
}

fn rates(posts: &[Post], texts: &[String]) -> (f64, f64) {
    let lure_at = classifier().thresholds().lure;
    let scores = classifier().score_batch(texts);
    let (mut tp, mut lures, mut fp, mut others) = (0, 0, 0, 0);
    for (p, s) in posts.iter().zip(&scores) {
        let flagged = s.probability() >= lure_at;
        if p.lure {
            lures += 1;
            tp += flagged as usize;
        } else {
            others += 1;
            fp += flagged as usize;
        }
    }
    (
        100.0 * tp as f64 / lures as f64,
        100.0 * fp as f64 / others as f64,
    )
}

fn report() -> (Row, Vec<Row>) {
    let posts = test_split();
    let clean: Vec<String> = posts.iter().map(|p| p.text.clone()).collect();
    let (recall, fp) = rates(&posts, &clean);
    let clean_row = Row {
        name: "clean",
        recall,
        fp,
        changed: 0,
    };
    let mut rows = Vec::new();
    for (name, f) in transformations() {
        let texts: Vec<String> = posts
            .iter()
            .enumerate()
            .map(|(i, p)| f(p, &mut Rng::new(i as u64 + 1)))
            .collect();
        let changed = texts.iter().zip(&clean).filter(|(a, b)| a != b).count();
        let (recall, fp) = rates(&posts, &texts);
        rows.push(Row {
            name,
            recall,
            fp,
            changed,
        });
    }
    (clean_row, rows)
}

fn print_table(clean: &Row, rows: &[Row], n: usize) {
    println!(
        "| transformation | posts changed (of {n}) | lure recall % (clean {:.1}) | Δ recall | FP % on others (clean {:.1}) | Δ FP |",
        clean.recall, clean.fp
    );
    println!("|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {} | {:.1} | {:+.1} | {:.1} | {:+.1} |",
            r.name,
            r.changed,
            r.recall,
            r.recall - clean.recall,
            r.fp,
            r.fp - clean.fp
        );
    }
}

#[test]
fn transformations_are_readable_and_deterministic() {
    let p = Post {
        text: "Kerja di Kamboja, gaji 8 juta, tiket gratis".into(),
        lure: true,
        lang: "id".into(),
        kind: "compound_lure".into(),
        split: "test".into(),
    };
    for (name, f) in transformations() {
        let a = f(&p, &mut Rng::new(7));
        let b = f(&p, &mut Rng::new(7));
        assert_eq!(a, b, "{name}");
    }
    assert_eq!(
        leetspeak(&p.text, &mut Rng::new(1)),
        "K3rj4 di K4mb0j4, g4j1 8 juta, t1k3t gr4t1s"
    );
    assert_eq!(
        emoji(&p.text, &mut Rng::new(1)),
        "Kerja di 🇰🇭, 💰 8 juta, ✈️ gratis"
    );
    assert_eq!(number_words(12, "id").as_deref(), Some("dua belas"));
    assert_eq!(
        amount_words(8e6, "IDR", "id").as_deref(),
        Some("delapan juta rupiah")
    );
    assert_eq!(
        amount_words(1000.0, "USD", "en").as_deref(),
        Some("one thousand dollars")
    );
}

/// The bounds asserted per transformation: the issue's targets (recall −2 points, false
/// positives +1 point).
const MAX_RECALL_DROP: f64 = 2.0;
const MAX_FP_RISE: f64 = 1.0;

#[test]
fn obfuscation_costs_little_recall_and_adds_few_false_positives() {
    let (clean, rows) = report();
    let n = test_split().len();
    print_table(&clean, &rows, n);
    let mut failures = Vec::new();
    for r in &rows {
        if clean.recall - r.recall > MAX_RECALL_DROP + 1e-9 {
            failures.push(format!(
                "{}: recall {:.1} → {:.1}",
                r.name, clean.recall, r.recall
            ));
        }
        if r.fp - clean.fp > MAX_FP_RISE + 1e-9 {
            failures.push(format!(
                "{}: false positives {:.1} → {:.1}",
                r.name, clean.fp, r.fp
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Diagnostics: key words whose transformed form does not normalise to the clean form.
/// `cargo test --release -p lurescan --test obfuscation -- --ignored --nocapture`
#[test]
#[ignore]
fn show_words_the_normaliser_misses() {
    let posts = test_split();
    for (name, f) in transformations() {
        let mut missed = std::collections::BTreeMap::<String, usize>::new();
        for (i, p) in posts.iter().enumerate() {
            let t = f(p, &mut Rng::new(i as u64 + 1));
            let a = normalizer().normalize(&p.text);
            let b = normalizer().normalize(&t);
            let aw: HashSet<&str> = a.as_str().split(' ').collect();
            for w in b.as_str().split(' ').filter(|w| !aw.contains(w)) {
                *missed.entry(w.to_string()).or_default() += 1;
            }
        }
        let mut v: Vec<_> = missed.into_iter().collect();
        v.sort_by_key(|w| std::cmp::Reverse(w.1));
        println!("{name}: {} distinct: {:?}", v.len(), &v[..v.len().min(40)]);
    }
}

/// Innocent padding: posts of the given kinds that the model scores `ok`, concatenated (in
/// corpus order) until `bytes` long. With `neutral`, only posts that fire no named signal at
/// all (plain chatter: no warning words, no qualifications, no destinations), so that what is
/// measured is dilution, not the honest markers of the padding.
fn padding(posts: &[Post], kinds: &[&str], neutral: bool, bytes: usize) -> String {
    let review = classifier().thresholds().review;
    let pool: Vec<&str> = posts
        .iter()
        .filter(|p| !p.lure && kinds.contains(&p.kind.as_str()))
        .map(|p| p.text.as_str())
        .filter(|t| classifier().score(t).probability() < review)
        .filter(|t| !neutral || classifier().explain(t).reasons.is_empty())
        .collect();
    let mut out = String::new();
    for t in pool.iter().cycle() {
        if out.len() >= bytes || pool.is_empty() {
            break;
        }
        out.push_str(t);
        out.push_str("\n\n");
    }
    out
}

/// For each padding size, the share of flagged lures still at or above `review` after the
/// padding is appended, and the median score.
fn dilution(kinds: &[&str], neutral: bool, sep: &str, sizes: &[usize]) -> Vec<(usize, f64, f64)> {
    let posts = all_posts();
    let t = classifier().thresholds();
    let lures: Vec<&str> = posts
        .iter()
        .filter(|p| p.lure && p.split == "test")
        .map(|p| p.text.as_str())
        .filter(|x| classifier().score(x).probability() >= t.lure)
        .collect();
    let mut rows = Vec::new();
    for &bytes in sizes {
        let pad = padding(&posts, kinds, neutral, bytes).replace("\n\n", sep);
        let padded: Vec<String> = lures.iter().map(|l| format!("{l}{sep}{pad}")).collect();
        let mut scores: Vec<f64> = classifier()
            .score_batch(&padded)
            .iter()
            .map(|s| s.probability())
            .collect();
        let kept = scores.iter().filter(|&&p| p >= t.review).count();
        scores.sort_by(f64::total_cmp);
        rows.push((
            bytes,
            kept as f64 / lures.len() as f64,
            scores[scores.len() / 2],
        ));
    }
    rows
}

/// Padding kinds: (name, corpus kinds, neutral only).
const PADDINGS: [(&str, &[&str], bool); 3] = [
    (
        "neutral chatter (posts that fire no signal)",
        &["non_job", "local_job", "other_job"],
        true,
    ),
    (
        "non-job posts scored ok (may hold warnings, promotions)",
        &["non_job"],
        false,
    ),
    ("honest local job ads scored ok", &["local_job"], false),
];

/// Evasion by dilution: lures of the test split that the model flags `lure` when clean, with
/// innocent text appended, as separate paragraphs or glued on with spaces. Prints the share
/// still at or above `review` per padding size (the table of models/README.md, Dilution):
/// `cargo test --release -p lurescan --test obfuscation dilution_by -- --nocapture`.
#[test]
fn dilution_by_innocent_text() {
    let sizes = [0, 128, 256, 512, 1024, 2048, 5120, 20480];
    for (sep_name, sep) in SEPARATORS {
        for (name, kinds, neutral) in PADDINGS {
            println!("\npadding: {name}, {sep_name}\n");
            println!("| padding | share of flagged lures still ≥ review | median score |");
            println!("|---|---|---|");
            let rows = dilution(kinds, neutral, sep, &sizes);
            for (bytes, share, median) in &rows {
                println!("| {bytes} B | {:.1}% | {median:.3} |", 100.0 * share);
            }
            assert!(rows[0].1 == 1.0, "unpadded lures are all flagged");
        }
    }
}

/// The issue's target: a lure padded with 5 KB of innocent text still scores at or above
/// `review` (long posts are scored in windows as well as whole: see `Classifier::score`).
#[test]
fn dilution_target_5kb() {
    for (sep_name, sep) in SEPARATORS {
        for (name, kinds, neutral) in PADDINGS {
            let rows = dilution(kinds, neutral, sep, &[5120]);
            assert!(
                rows[0].1 >= 0.95,
                "{name}, {sep_name}: {:.1}% still ≥ review",
                100.0 * rows[0].1
            );
        }
    }
}

/// How the padding is joined to the lure: as paragraphs, or glued on with single spaces.
const SEPARATORS: [(&str, &str); 2] = [("as paragraphs", "\n\n"), ("glued with spaces", " ")];

/// Diagnostics: the posts whose label flips under a transformation.
/// `cargo test --release -p lurescan --test obfuscation show_flips -- --ignored --nocapture`
#[test]
#[ignore]
fn show_flips() {
    let posts = test_split();
    let lure_at = classifier().thresholds().lure;
    for (name, f) in transformations() {
        for (i, p) in posts.iter().enumerate() {
            let t = f(p, &mut Rng::new(i as u64 + 1));
            let a = classifier().score(&p.text).probability();
            let b = classifier().score(&t).probability();
            if (a >= lure_at) != (b >= lure_at) {
                let short: String = t.chars().take(300).collect();
                println!(
                    "{name} [{}] {a:.3} -> {b:.3}: {short:?}",
                    if p.lure { "lure" } else { "other" }
                );
            }
        }
    }
}
