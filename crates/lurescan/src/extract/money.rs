//! Salary and fee amounts: numbers with currency, multiplier and period, converted to USD per
//! month with the fixed table in `data/money.toml`.

use std::collections::{BTreeMap, HashMap};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind, StartKind};
use regex_automata::util::captures as meta_captures;
use regex_automata::{Anchored, Input, meta};
use serde::{Deserialize, Serialize};

use super::{alternation, bounded_alternation, sorted_words};
use crate::error::{Error, Result};

pub(crate) const MONEY_TOML: &str = include_str!("../../data/money.toml");

/// A pay period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// Per hour.
    Hour,
    /// Per day.
    Day,
    /// Per week.
    Week,
    /// Per month.
    Month,
    /// Per year.
    Year,
}

impl Period {
    /// How many of this period make a month (for conversion to pay per month).
    pub fn per_month(self) -> f64 {
        match self {
            Period::Hour => 208.0,
            Period::Day => 26.0,
            Period::Week => 4.33,
            Period::Month => 1.0,
            Period::Year => 1.0 / 12.0,
        }
    }

    fn from_name(name: &str) -> Option<Period> {
        Some(match name {
            "hour" => Period::Hour,
            "day" => Period::Day,
            "week" => Period::Week,
            "month" => Period::Month,
            "year" => Period::Year,
            _ => return None,
        })
    }
}

/// An amount of money found in a post: a salary or a fee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Money {
    /// The lower amount as written, multiplier applied (`8-15 jt` gives 8,000,000).
    pub min: f64,
    /// The upper amount (equal to `min` for a single amount).
    pub max: f64,
    /// ISO 4217 code of the currency.
    pub currency: String,
    /// The period the amount is paid per, when stated or implied (salaries default to a month).
    pub period: Option<Period>,
    /// `min` converted to US dollars per month (per payment for fees without a period).
    pub usd_per_month_min: f64,
    /// `max` converted likewise.
    pub usd_per_month_max: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MoneyKind {
    Salary,
    Fee,
}

#[derive(Debug, Clone)]
pub(crate) struct MoneyMatch {
    pub kind: MoneyKind,
    pub start: usize,
    pub end: usize,
    pub money: Money,
    /// Whether the salary is high for its currency (see `high_usd_month`).
    pub high: bool,
    pub very_high: bool,
}

impl MoneyMatch {
    /// The signals the match fires, as [`super::money_flags`] bits.
    pub(crate) fn flags(&self) -> u8 {
        use super::money_flags::*;
        match self.kind {
            MoneyKind::Fee => FEE,
            MoneyKind::Salary => {
                let mut f = SALARY;
                if self.high {
                    f |= HIGH;
                }
                if self.very_high {
                    f |= VERY_HIGH;
                }
                if self.money.currency == "USD" {
                    f |= USD;
                }
                if matches!(self.money.period, Some(Period::Day | Period::Hour)) {
                    f |= DAILY;
                }
                f
            }
        }
    }
}

#[derive(Debug, Deserialize)]
struct CurrencyDef {
    usd: f64,
    high_usd_month: f64,
    #[serde(default)]
    prefix: Vec<String>,
    #[serde(default)]
    suffix: Vec<String>,
    #[serde(default)]
    implied_by: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct MoneyFile {
    currency: HashMap<String, CurrencyDef>,
    multiplier: HashMap<String, Vec<String>>,
    period: HashMap<String, Vec<String>>,
    period_joiners: Vec<String>,
    /// Ordered, so that the automaton's patterns (and so which word wins a tie) are the same in
    /// every process.
    period_prefix: BTreeMap<String, Vec<String>>,
    salary_context: Vec<String>,
    fee_context: Vec<String>,
    #[serde(default)]
    fee_after: Vec<String>,
    #[serde(default)]
    number_words: HashMap<String, f64>,
}

/// How far before an amount (in bytes of normalised text) context words are looked for.
pub(crate) const CONTEXT_WINDOW: usize = 40;

/// The compiled money extractor.
#[derive(Debug, Clone)]
pub(crate) struct MoneyExtractor {
    /// The amount pattern, as a `regex-automata` meta regex so that captures can be asked for
    /// within the span of a match only (see [`MoneyExtractor::find_all`]).
    amount: meta::Regex,
    /// `amount` with its capture engines only, for the captures of a match of `amount`.
    amount_captures: meta::Regex,
    /// The amount pattern written the straightforward way (each bounded word followed by its own
    /// `\b`), for the tests to compare with.
    #[cfg(test)]
    reference_pattern: String,
    /// currency code -> (usd rate, high line)
    rates: HashMap<String, (f64, f64)>,
    prefix_cur: HashMap<String, String>,
    suffix_cur: HashMap<String, String>,
    implied_cur: HashMap<String, String>,
    multipliers: HashMap<String, f64>,
    periods: HashMap<String, Period>,
    /// Number words ("delapan", "eight", "tam") and their values.
    number_words: HashMap<String, f64>,
    /// The context words: period prefixes, fee words, salary words, each list longest first,
    /// leftmost-first (the matches of the regex alternation `(period words)|…|(fee words)|
    /// (salary words)` it replaces, which took as long to compile as the amount pattern).
    context: AhoCorasick,
    /// For each pattern of `context`: what it means.
    context_kinds: Vec<Context>,
    /// The lists of context words, in the order given to the automaton (for the tests).
    #[cfg(test)]
    context_groups: Vec<(Context, Vec<String>)>,
    /// No currency or multiplier word is made of digits, `.` and `,` only: a match that is a
    /// bare number then has no currency and is skipped without running the capture engine.
    skip_bare_numbers: bool,
    /// Every word that can give an amount its currency (prefix and suffix currencies, and the
    /// multipliers that imply one). A match that contains none of them has no currency, and
    /// [`MoneyExtractor::interpret`] would give up on it: the capture engine is skipped.
    currency_words: AhoCorasick,
    /// What the applicant pays for, written right after an amount ("KES 4,700 for medical"):
    /// searched anchored at the first non-space byte after the amount.
    fee_after: AhoCorasick,
    /// The length in bytes of the longest `fee_after` phrase.
    fee_after_longest: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Context {
    Salary,
    Fee,
    Period(Period),
}

impl MoneyExtractor {
    pub(crate) fn build() -> Result<Self> {
        let file: MoneyFile = toml::from_str(MONEY_TOML)
            .map_err(|e| Error::data("money.toml", "not valid TOML").with_source(e))?;
        let bad = |r: String| Error::data("money.toml", r);
        let mut rates = HashMap::new();
        let mut prefix_cur = HashMap::new();
        let mut suffix_cur = HashMap::new();
        let mut implied_cur = HashMap::new();
        for (code, def) in &file.currency {
            if !(def.usd > 0.0 && def.high_usd_month > 0.0) {
                return Err(bad(format!(
                    "currency {code} needs positive usd and high_usd_month"
                )));
            }
            rates.insert(code.clone(), (def.usd, def.high_usd_month));
            for p in &def.prefix {
                prefix_cur.insert(p.clone(), code.clone());
            }
            for s in &def.suffix {
                suffix_cur.insert(s.clone(), code.clone());
            }
            for m in &def.implied_by {
                implied_cur.insert(m.clone(), code.clone());
            }
        }
        let mut multipliers = HashMap::new();
        for (value, words) in &file.multiplier {
            let v: f64 = value
                .parse()
                .map_err(|_| bad(format!("multiplier {value} is not a number")))?;
            for w in words {
                multipliers.insert(w.clone(), v);
            }
        }
        for m in implied_cur.keys() {
            multipliers.entry(m.clone()).or_insert(1.0);
        }
        let mut periods = HashMap::new();
        for (name, words) in &file.period {
            let p = Period::from_name(name).ok_or_else(|| bad(format!("unknown period {name}")))?;
            for w in words {
                periods.insert(w.clone(), p);
            }
        }

        // The amount pattern, with `bounded` for the alternations of words that end at a word
        // boundary (the tests build it with the reference alternation too).
        let amount_pattern = |bounded: fn(&[String]) -> String| -> String {
            let cur_pre = alternation(&prefix_cur.keys().cloned().collect::<Vec<_>>());
            let cur_suf = bounded(&suffix_cur.keys().cloned().collect::<Vec<_>>());
            let mult = bounded(&multipliers.keys().cloned().collect::<Vec<_>>());
            let per = bounded(&periods.keys().cloned().collect::<Vec<_>>());
            let join = alternation(&file.period_joiners);
            let words = bounded(&file.number_words.keys().cloned().collect::<Vec<_>>());
            // ASCII classes (`[0-9]`, `[[:space:]]`): the normaliser reads every digit as an
            // ASCII digit and every whitespace run as one space, and Unicode `\d` and `\s`
            // compile to larger automata (about a tenth of the cold start, session 14).
            let num = format!(
                r"[0-9]{{1,3}}(?:[.,][0-9]{{3}})+(?:,[0-9]{{1,2}})?|[0-9]+(?:[.,][0-9]+)?|(?:{words})(?:[[:space:]-](?:{words}))?"
            );
            let range = r"-|–|—|~|～|〜|s/d|sd|sampai|hingga|to|den|toi|至|到|ถึง|hanggang";
            // The regex crate has no look-behind: a number must not continue a word or another
            // number, which is checked in code after the match.
            // Verbose mode ignores literal spaces: multi-word entries ("do la", "a day", "dua puluh")
            // need them escaped.
            let [cur_pre, cur_suf, mult, per, join, num] =
                [cur_pre, cur_suf, mult, per, join, num].map(|p| p.replace(' ', r"\ "));
            format!(
                r"(?x)
                (?:(?P<c1>{cur_pre})[[:space:]]?)?
                (?P<n1>{num})
                (?:[[:space:]]?(?P<m1>{mult}))?
                (?:[[:space:]]?\+)?
                (?:[[:space:]]?(?:{range})[[:space:]]?
                    (?:(?P<c2>{cur_pre})[[:space:]]?)?
                    (?P<n2>{num})
                    (?:[[:space:]]?(?P<m2>{mult}))?
                )?
                (?:[[:space:]]?\+)?
                (?:[[:space:]]?(?P<c3>{cur_suf}))?
                (?:[[:space:]]?(?:{join})?[[:space:]]?(?P<per>{per}))?"
            )
        };
        let pattern = amount_pattern(bounded_alternation);
        #[cfg(test)]
        let reference_pattern = amount_pattern(super::bounded_alternation_per_word);
        let cannot = |e| bad("cannot compile the amount pattern".into()).with_source(e);
        let hir = regex_automata::util::syntax::parse_with(
            &pattern,
            &regex_automata::util::syntax::Config::new().utf8(true),
        )
        .map_err(|e| bad("cannot parse the amount pattern".into()).with_source(e))?;
        // The configuration `regex::Regex::new` uses.
        let config = meta::Config::new()
            .nfa_size_limit(Some(10 * (1 << 20)))
            .hybrid_cache_capacity(2 * (1 << 20))
            .match_kind(regex_automata::MatchKind::LeftmostFirst)
            .utf8_empty(true);
        let amount = meta::Builder::new()
            .configure(config.clone())
            .build_from_hir(&hir)
            .map_err(cannot)?;
        // The same regex without its DFAs: asked for captures within the span of a match of
        // `amount`, whose end is already known, `amount` would run its lazy DFA over the span
        // again before the capture engine; this one goes to the capture engine (the same
        // bounded backtracker, or the PikeVM for a long span) at once.
        // Its searches are anchored, so it needs no prefilter (whose literal extraction is a
        // part of the cold start).
        let amount_captures = meta::Builder::new()
            .configure(config.hybrid(false).dfa(false).auto_prefilter(false))
            .build_from_hir(&hir)
            .map_err(cannot)?;

        let mut context_kinds = Vec::new();
        let mut context_words = Vec::new();
        #[cfg(test)]
        let mut context_groups = Vec::new();
        let mut group = |words: &[String], kind: Context| {
            #[cfg(test)]
            context_groups.push((kind, words.to_vec()));
            for w in sorted_words(words) {
                context_words.push(w);
                context_kinds.push(kind);
            }
        };
        for (name, words) in &file.period_prefix {
            let p = Period::from_name(name).ok_or_else(|| bad(format!("unknown period {name}")))?;
            group(words, Context::Period(p));
        }
        group(&file.fee_context, Context::Fee);
        group(&file.salary_context, Context::Salary);
        if context_words.iter().any(String::is_empty) {
            return Err(bad("a context word is empty".into()));
        }
        // The small automata below are contiguous NFAs, not the DFAs the builder picks for
        // a few hundred words: they search only short spans, where a DFA gains nothing, and a
        // DFA takes about 3 M instructions more to build (callgrind, session 15).
        let small = Some(AhoCorasickKind::ContiguousNFA);
        let context = AhoCorasick::builder()
            .kind(small)
            .match_kind(MatchKind::LeftmostFirst)
            .build(&context_words)
            .map_err(|e| bad("cannot compile the context words".into()).with_source(e))?;

        let skip_bare_numbers = !prefix_cur
            .keys()
            .chain(suffix_cur.keys())
            .chain(implied_cur.keys())
            .any(|w| is_bare_number(w));
        let currency_words = AhoCorasick::builder()
            .kind(small)
            .build(
                prefix_cur
                    .keys()
                    .chain(suffix_cur.keys())
                    .chain(implied_cur.keys()),
            )
            .map_err(|e| bad("cannot compile the currency words".into()).with_source(e))?;
        if file.fee_after.iter().any(String::is_empty) {
            return Err(bad("a fee_after phrase is empty".into()));
        }
        let fee_after = AhoCorasick::builder()
            .kind(small)
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .build(&file.fee_after)
            .map_err(|e| bad("cannot compile the fee_after phrases".into()).with_source(e))?;
        Ok(MoneyExtractor {
            skip_bare_numbers,
            fee_after,
            fee_after_longest: file.fee_after.iter().map(String::len).max().unwrap_or(0),
            currency_words,
            amount,
            amount_captures,
            #[cfg(test)]
            reference_pattern,
            rates,
            prefix_cur,
            suffix_cur,
            implied_cur,
            multipliers,
            periods,
            number_words: file.number_words,
            context,
            context_kinds,
            #[cfg(test)]
            context_groups,
        })
    }

    /// Finds salaries and fees in normalised `text`.
    #[cfg(test)]
    pub(crate) fn find_all(&self, text: &str, out: &mut Vec<MoneyMatch>) {
        self.find_all_steps(text, out, None);
    }

    /// [`MoneyExtractor::find_all`], also recording each step of its search loop in `steps`
    /// (for the windows of a long post, see [`super::replay`]).
    pub(crate) fn find_all_steps(
        &self,
        text: &str,
        out: &mut Vec<MoneyMatch>,
        mut steps: Option<&mut Vec<super::Step>>,
    ) {
        // The same matches as `captures_iter`, with captures only for the matches that can
        // be money (the capture engine costs far more than the DFA that finds matches). The
        // captures are searched anchored within the span of the match: the capture engine's
        // work (and the bounded backtracker's visited set) is then the length of the match,
        // not of the rest of the text. Look-around (`\b`) still sees the bytes outside the
        // span, and the leftmost-first match there is the one that ends at the match's end.
        let mut caps = self.amount_captures.create_captures();
        let mut at = 0;
        while let Some(found) = self.amount.find(Input::new(text).range(at..)) {
            let (next, m) = self.step(text, found.range(), at, &mut caps);
            if let Some(steps) = steps.as_deref_mut() {
                steps.push(super::Step {
                    from: at,
                    start: found.start(),
                    end: found.end(),
                    next,
                    flags: m.as_ref().map_or(0, MoneyMatch::flags),
                });
            }
            at = next;
            out.extend(m);
        }
        if let Some(steps) = steps {
            steps.push(super::Step::last(at));
        }
    }

    /// The search from `text[at..]` that found the amount `whole`, from there: where the next
    /// search starts, and the money, if the amount is some.
    pub(crate) fn step(
        &self,
        text: &str,
        whole: std::ops::Range<usize>,
        at: usize,
        caps: &mut meta_captures::Captures,
    ) -> (usize, Option<MoneyMatch>) {
        // Amounts are never empty; the next search starts after this one (or, for a currency
        // word glued inside a longer word, just after its first character).
        let next = whole.end.max(at + 1);
        let matched = &text[whole.clone()];
        if self.skip_bare_numbers && is_bare_number(matched) {
            return (next, None);
        }
        // Every currency the captures can give is one of these words, inside the match.
        if !self.currency_words.is_match(matched) {
            return (next, None);
        }
        // The match is the whole amount the captures give (the capture search is anchored
        // at its start and bounded by its end, and finds the leftmost-first match there):
        // the checks on its edges need no captures, and skip the capture search.
        let prev = text[..whole.start].chars().next_back();
        let first = matched.chars().next();
        let last = matched.chars().next_back();
        let after = text[whole.end..].chars().next();
        // A currency word glued inside a longer word ("up 500"), a number continuing
        // another number or a phone number, or a unit cut off mid-word ("5 mobil").
        let glued_word =
            prev.is_some_and(char::is_alphanumeric) && first.is_some_and(char::is_alphabetic);
        let cut_word = last.is_some_and(|c| c.is_ascii_alphanumeric())
            && after.is_some_and(|c| c.is_ascii_alphanumeric());
        if glued_word {
            // "cukup 150rb" first matches as "p 150rb" (pesos): the amount after the word
            // is still there to find.
            return (whole.start + first.map_or(1, char::len_utf8), None);
        }
        if cut_word {
            return (next, None);
        }
        let input = Input::new(text)
            .range(whole.clone())
            .anchored(Anchored::Yes);
        self.amount_captures.search_captures(&input, caps);
        if !caps.is_match() {
            return (next, None);
        }
        let caps = Caps { text, caps };
        debug_assert_eq!(caps.whole(), whole);
        let glued_number = caps.name("c1").is_none()
            && prev.is_some_and(|c| c.is_ascii_digit() || matches!(c, '+' | '.' | ','));
        if glued_number {
            return (next, None);
        }
        (next, self.interpret(text, &caps, whole))
    }

    /// A new search for the amounts of `text`: the amount found from `text[at..]`.
    pub(crate) fn find_at(&self, text: &str, at: usize) -> Option<std::ops::Range<usize>> {
        self.amount
            .find(Input::new(text).range(at..))
            .map(|m| m.range())
    }

    /// A buffer for the captures [`MoneyExtractor::step`] asks for.
    pub(crate) fn create_captures(&self) -> meta_captures::Captures {
        self.amount_captures.create_captures()
    }

    /// How far past the end of an amount [`MoneyExtractor::step`] may read: one space, the
    /// longest `fee_after` phrase, and the character after it.
    pub(crate) fn lookahead(&self) -> usize {
        1 + self.fee_after_longest + 4
    }

    /// Whether a `fee_after` phrase starts at `end` (after at most one space) and ends at a word
    /// boundary.
    fn fee_follows(&self, text: &str, end: usize) -> bool {
        let rest = &text[end..];
        let rest = rest.strip_prefix(' ').unwrap_or(rest);
        let input = aho_corasick::Input::new(rest).anchored(aho_corasick::Anchored::Yes);
        self.fee_after.find(input).is_some_and(|m| {
            let (last, next) = (
                rest[..m.end()].chars().next_back(),
                rest[m.end()..].chars().next(),
            );
            !(last.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric))
        })
    }

    fn interpret(
        &self,
        text: &str,
        caps: &Caps<'_>,
        whole: std::ops::Range<usize>,
    ) -> Option<MoneyMatch> {
        let get = |n: &str| caps.name(n);
        let m1 = get("m1");
        let m2 = get("m2");
        // Currency: written before or after, or implied by the multiplier word.
        let currency = get("c1")
            .or(get("c2"))
            .and_then(|c| self.prefix_cur.get(c))
            .or_else(|| get("c3").and_then(|c| self.suffix_cur.get(c)))
            .or_else(|| m2.or(m1).and_then(|m| self.implied_cur.get(m)))?
            .clone();
        // A lone "p" (peso) or "w" (wan) is only money when clearly attached.
        if get("c1") == Some("p") && !text[whole.clone()].starts_with("p") {
            return None;
        }
        let mult = |m: Option<&str>| m.and_then(|m| self.multipliers.get(m)).copied();
        let mul1 = mult(m1);
        let mul2 = mult(m2);
        let v1 = self.number(get("n1")?)? * mul1.or(mul2).unwrap_or(1.0);
        let v2 = match get("n2") {
            Some(n) => self.number(n)? * mul2.or(mul1).unwrap_or(1.0),
            None => v1,
        };
        let (lo, hi) = if v2 >= v1 { (v1, v2) } else { (v2, v1) };
        if !(lo.is_finite() && hi.is_finite()) || lo <= 0.0 {
            return None;
        }

        // Context before the amount: period words, fee words, salary words (nearest wins).
        let ctx_start = floor_char_boundary(text, whole.start.saturating_sub(CONTEXT_WINDOW));
        let before = &text[ctx_start..whole.start];
        let mut kind = None;
        let mut prefix_period = None;
        for c in self.context.find_iter(before) {
            match self.context_kinds[c.pattern().as_usize()] {
                Context::Period(p) => {
                    prefix_period = Some(p);
                    kind = Some(MoneyKind::Salary);
                }
                Context::Fee => kind = Some(MoneyKind::Fee),
                Context::Salary => kind = Some(MoneyKind::Salary),
            }
        }
        let period = get("per")
            .and_then(|p| self.periods.get(p).copied())
            .or(prefix_period);
        // What the amount pays for, named right after it, outweighs a word before it ("pay
        // KES 4,700 for medical"); an amount with a period is pay whatever follows.
        if period.is_none() && self.fee_follows(text, trim_end(text, whole.clone())) {
            kind = Some(MoneyKind::Fee);
        }
        let &(rate, high_line) = self.rates.get(&currency)?;
        let per_month = period.map_or(1.0, Period::per_month);
        let usd_lo = lo * rate * per_month;
        let usd_hi = hi * rate * per_month;
        let kind = match kind {
            Some(k) => k,
            None if period.is_some() => MoneyKind::Salary,
            // An amount without context: pay if it is a plausible monthly wage.
            None if usd_hi >= 250.0 => MoneyKind::Salary,
            None => return None,
        };
        if kind == MoneyKind::Salary && !(20.0..=200_000.0).contains(&usd_hi) {
            return None;
        }
        let period = match kind {
            MoneyKind::Salary => Some(period.unwrap_or(Period::Month)),
            MoneyKind::Fee => period,
        };
        Some(MoneyMatch {
            kind,
            start: whole.start,
            end: trim_end(text, whole),
            high: usd_hi >= high_line,
            very_high: usd_hi >= 2.0 * high_line,
            money: Money {
                min: lo,
                max: hi,
                currency,
                period,
                usd_per_month_min: round2(usd_lo),
                usd_per_month_max: round2(usd_hi),
            },
        })
    }
}

/// The captures of one amount match, by group name.
struct Caps<'a> {
    text: &'a str,
    caps: &'a meta_captures::Captures,
}

impl<'a> Caps<'a> {
    fn whole(&self) -> std::ops::Range<usize> {
        self.caps.get_match().map_or(0..0, |m| m.range())
    }

    fn name(&self, name: &str) -> Option<&'a str> {
        self.caps
            .get_group_by_name(name)
            .map(|s| &self.text[s.range()])
    }
}

/// Whether `s` is made of ASCII digits, `.` and `,` only (true for "").
fn is_bare_number(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
}

impl MoneyExtractor {
    /// A number in digits (`8.000.000`) or words (`delapan`, `dua puluh lima`, `twenty-five`).
    fn number(&self, s: &str) -> Option<f64> {
        if s.starts_with(|c: char| c.is_ascii_digit()) {
            return parse_number(s);
        }
        if let Some(&v) = self.number_words.get(s) {
            return Some(v);
        }
        let (tens, units) = s.rsplit_once([' ', '-'])?;
        Some(self.number_words.get(tens)? + self.number_words.get(units)?)
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn trim_end(text: &str, r: std::ops::Range<usize>) -> usize {
    r.start + text[r].trim_end().len()
}

pub(crate) fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Parses `8.000.000`, `8,000,000`, `1.500`, `1,5`, `1.5`, `12`.
fn parse_number(s: &str) -> Option<f64> {
    let groups: Vec<&str> = s.split(['.', ',']).collect();
    if groups.len() == 1 {
        return s.parse().ok();
    }
    let thousands = groups[1..groups.len() - 1].iter().all(|g| g.len() == 3)
        && groups.last().is_some_and(|g| g.len() == 3)
        && groups[0].len() <= 3;
    if thousands {
        return groups.concat().parse().ok();
    }
    // "1.000.000,50": thousands then a decimal part.
    if groups.len() > 2 && groups[1..groups.len() - 1].iter().all(|g| g.len() == 3) {
        let int = groups[..groups.len() - 1].concat();
        return format!("{int}.{}", groups[groups.len() - 1]).parse().ok();
    }
    if groups.len() == 2 {
        return format!("{}.{}", groups[0], groups[1]).parse().ok();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The context words find what the regex alternation they replaced found: the same spans,
    /// of the same kinds, over texts made of overlapping and adjacent context words.
    #[test]
    fn context_words_match_the_regex_they_replaced() {
        let m = MoneyExtractor::build().unwrap();
        // The regex as it was built, from the same lists in the same order.
        let groups = &m.context_groups;
        let pattern: Vec<String> = groups
            .iter()
            .map(|(_, words)| format!("({})", alternation(words)))
            .collect();
        let regex = regex::Regex::new(&pattern.join("|")).unwrap();
        let words: Vec<String> = groups.iter().flat_map(|(_, w)| w.clone()).collect();
        let mut texts: Vec<String> = Vec::new();
        for (i, a) in words.iter().enumerate() {
            texts.push(a.clone());
            for b in words.iter().skip(i % 7).step_by(11) {
                texts.push(format!("{a}{b}"));
                texts.push(format!("x {a} {b}."));
                let cut: String = a.chars().skip(1).collect();
                texts.push(format!("{cut}{b}"));
            }
        }
        for text in &texts {
            let old: Vec<(usize, usize, Context)> = regex
                .captures_iter(text)
                .map(|c| {
                    let g = (1..c.len()).find(|&g| c.get(g).is_some()).unwrap();
                    let whole = c.get(0).unwrap();
                    (whole.start(), whole.end(), groups[g - 1].0)
                })
                .collect();
            let new: Vec<(usize, usize, Context)> = m
                .context
                .find_iter(text.as_str())
                .map(|f| (f.start(), f.end(), m.context_kinds[f.pattern().as_usize()]))
                .collect();
            assert_eq!(old, new, "{text:?}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("8.000.000"), Some(8_000_000.0));
        assert_eq!(parse_number("8,000,000"), Some(8_000_000.0));
        assert_eq!(parse_number("1.500"), Some(1500.0));
        assert_eq!(parse_number("1,5"), Some(1.5));
        assert_eq!(parse_number("1.5"), Some(1.5));
        assert_eq!(parse_number("12"), Some(12.0));
        assert_eq!(parse_number("1.000.000,50"), Some(1_000_000.5));
    }

    #[test]
    fn number_words() {
        let m = MoneyExtractor::build().unwrap();
        let cases = [
            ("gaji delapan juta rupiah per bulan", 8e6, "IDR"),
            ("gaji dua puluh lima juta", 25e6, "IDR"),
            ("salary one thousand dollars a month", 1000.0, "USD"),
            ("luong tam trieu dong mot thang", 8e6, "VND"),
            ("luong muoi lam trieu", 15e6, "VND"),
            ("gaji seribu dolar", 1000.0, "USD"),
        ];
        for (text, want, cur) in cases {
            let mut out = Vec::new();
            m.find_all(text, &mut out);
            assert_eq!(out.len(), 1, "{text}");
            assert_eq!(
                (out[0].money.min, out[0].money.currency.as_str()),
                (want, cur),
                "{text}"
            );
        }
        let mut out = Vec::new();
        m.find_all("lam viec tu 10 den 15 trieu, ba nam kinh nghiem", &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].money.max, 15e6);
    }

    /// Whether an amount is pay or a fee is decided by the nearest context word before it.
    #[test]
    fn pay_or_fee_by_context() {
        let m = MoneyExtractor::build().unwrap();
        let cases = [
            ("gaji 5,6 jt + makan", MoneyKind::Salary),
            ("registrasi + medical 450rb", MoneyKind::Fee),
            ("wajib beli paket seragam 380rb", MoneyKind::Fee),
            ("biaya verifikasi data rp 850.000", MoneyKind::Fee),
            ("biaya medical check-up rp 1.650.000", MoneyKind::Fee),
            ("pre-registration: php 1,500", MoneyKind::Fee),
            ("salary usd 1,200 per month", MoneyKind::Salary),
            ("registrasi gratis, gaji 8 jt", MoneyKind::Salary),
            ("kindly remit £680 to our solicitor", MoneyKind::Fee),
            (
                "kindly send 35,000 naira for your police clearance",
                MoneyKind::Fee,
            ),
            (
                "pre-registration: lkr 15,000. pay at our office",
                MoneyKind::Fee,
            ),
            ("booking + documents: 900 usd", MoneyKind::Fee),
            ("kirim 500rb dulu untuk dp", MoneyKind::Fee),
            ("salary aed 4,500 per month", MoneyKind::Salary),
            ("luong 8,000,000 kip", MoneyKind::Salary),
            ("send your cv today, salary 8jt", MoneyKind::Salary),
            // A cost named as a cost, and the Malay fee word.
            ("the application form costs ₦5,000", MoneyKind::Fee),
            ("processing cost ₱85,000 includes visa", MoneyKind::Fee),
            ("yuran pendaftaran rm50 sahaja", MoneyKind::Fee),
            // What the amount pays for, named after it.
            ("pay kes 4,700 for medical before travel", MoneyKind::Fee),
            (
                "cukup 150rb untuk pendaftaran, gaji menyusul",
                MoneyKind::Fee,
            ),
            ("hanya 150rb untuk pendaftaran", MoneyKind::Fee),
            ("only 1,500 pesos para sa medical", MoneyKind::Fee),
            ("3000元押金，入职退还", MoneyKind::Fee),
            // ... but not a period, a list after a comma, or a longer word.
            (
                "salary usd 1,000/month for processing staff",
                MoneyKind::Salary,
            ),
            ("gaji 8jt, biaya tiket ditanggung", MoneyKind::Salary),
            ("salary usd 900 for medicalstaff", MoneyKind::Salary),
            ("salary rm 3,500 for processing staff", MoneyKind::Salary),
            ("月薪3000元，押金全免", MoneyKind::Salary),
        ];
        for (text, want) in cases {
            let mut out = Vec::new();
            m.find_all(text, &mut out);
            assert_eq!(out.len(), 1, "{text}: {out:?}");
            assert_eq!(out[0].kind, want, "{text}");
        }
    }

    /// Currency words that are also ordinary words are left out of the table, so that the
    /// amounts around them keep their currency.
    #[test]
    fn ambiguous_currency_words_are_not_money() {
        let m = MoneyExtractor::build().unwrap();
        let cases = [
            // "tk" is not taka: Indonesian TK (kindergarten) before a salary in rupiah.
            ("gaji guru tk 2.5jt per bulan", Some(("IDR", 2.5e6))),
        ];
        for (text, want) in cases {
            let mut out = Vec::new();
            m.find_all(text, &mut out);
            let got = out
                .first()
                .map(|o| (o.money.currency.as_str(), o.money.min));
            assert_eq!(got, want, "{text}: {out:?}");
        }
    }

    /// The groups of every amount as `find_all` reads them, from every start: what `captures_at`
    /// of the regex crate finds with the pattern written the straightforward way, or `None` when
    /// that finds no match.
    fn amount_groups_as_reference(m: &MoneyExtractor, reference: &regex::Regex, text: &str) {
        let mut caps = m.amount_captures.create_captures();
        for at in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let want = reference
                .captures_at(text, at)
                .map(|c| c.iter().map(|g| g.map(|g| g.range())).collect::<Vec<_>>());
            let got = m.amount.find(Input::new(text).range(at..)).map(|found| {
                let input = Input::new(text)
                    .range(found.range())
                    .anchored(Anchored::Yes);
                m.amount_captures.search_captures(&input, &mut caps);
                (0..caps.group_len())
                    .map(|g| caps.get_group(g).map(|s| s.range()))
                    .collect::<Vec<_>>()
            });
            assert_eq!(got, want, "{text:?} from byte {at}");
        }
    }

    /// `find_all` the straightforward way: the captures of every match from `captures_iter`'s
    /// engine (`amount` itself, over the whole text from the match's start), and the checks on
    /// the match's edges after them.
    fn find_all_reference(m: &MoneyExtractor, text: &str) -> Vec<MoneyMatch> {
        let mut out = Vec::new();
        let mut caps = m.amount.create_captures();
        let mut at = 0;
        while at <= text.len() {
            m.amount
                .search_captures(&Input::new(text).range(at..), &mut caps);
            let Some(found) = caps.get_match() else { break };
            at = found.end().max(at + 1);
            let caps = Caps { text, caps: &caps };
            let whole = caps.whole();
            let matched = &text[whole.clone()];
            if m.skip_bare_numbers && is_bare_number(matched) {
                continue;
            }
            if !m.currency_words.is_match(matched) {
                continue;
            }
            let prev = text[..whole.start].chars().next_back();
            let first = matched.chars().next();
            let last = matched.chars().next_back();
            let next = text[whole.end..].chars().next();
            let glued_word =
                prev.is_some_and(char::is_alphanumeric) && first.is_some_and(char::is_alphabetic);
            let glued_number = caps.name("c1").is_none()
                && prev.is_some_and(|c| c.is_ascii_digit() || matches!(c, '+' | '.' | ','));
            let cut_word = last.is_some_and(|c| c.is_ascii_alphanumeric())
                && next.is_some_and(|c| c.is_ascii_alphanumeric());
            if glued_word {
                at = whole.start + first.map_or(1, char::len_utf8);
                continue;
            }
            if glued_number || cut_word {
                continue;
            }
            out.extend(m.interpret(text, &caps, whole));
        }
        out
    }

    fn find_all_as_reference(m: &MoneyExtractor, text: &str) {
        let mut got = Vec::new();
        m.find_all(text, &mut got);
        let want = find_all_reference(m, text);
        assert_eq!(format!("{got:?}"), format!("{want:?}"), "{text:?}");
    }

    /// The words of the amount pattern (currencies, multipliers, periods, number words) and
    /// pieces of numbers and ranges, for the texts the capture search is checked on.
    fn amount_pieces(m: &MoneyExtractor) -> Vec<String> {
        let mut words: Vec<String> = m
            .prefix_cur
            .keys()
            .chain(m.suffix_cur.keys())
            .chain(m.implied_cur.keys())
            .chain(m.multipliers.keys())
            .chain(m.periods.keys())
            .chain(m.number_words.keys())
            .cloned()
            .collect();
        words.sort();
        words.dedup();
        words
    }

    /// The capture search finds the groups of the pattern written word by word, and `find_all`
    /// finds what it finds the straightforward way, on texts made of the pattern's words.
    #[test]
    fn amount_captures_match_the_reference_regex() {
        let m = MoneyExtractor::build().unwrap();
        let reference = regex::Regex::new(&m.reference_pattern).unwrap();
        let mut texts: Vec<String> = [
            "gaji 5,6 jt + makan",
            "cukup 150rb untuk pendaftaran",
            "salary usd 1,200 - 1,500 per month",
            "rp 8.000.000 s/d rp 12.000.000/bulan",
            "gaji 8-15 jt per bulan",
            "up 500 usd",
            "5 mobil, 5 k, 55,000 kada, 2.5jt/bln",
            "luong tam trieu dong mot thang, muoi lam trieu",
            "3000元押金 月薪3000-5000元",
            "1.000.000,50 php a day",
            "twenty-five thousand dollars a week",
            "$1,5000.00.0,0 €12,,3 £ 4 . 5",
            "rm3500++ sgd 4k~6k /month",
            "",
            "5",
            "usd",
        ]
        .map(String::from)
        .to_vec();
        let words = amount_pieces(&m);
        for (i, w) in words.iter().enumerate() {
            let v = &words[(i * 7 + 3) % words.len()];
            let cut: String = w
                .chars()
                .take(w.chars().count().saturating_sub(1))
                .collect();
            texts.extend([
                format!("{w} 5"),
                format!("5{w}"),
                format!("5 {w}x 6"),
                format!("x{w}5 {v}"),
                format!("1.500 {w} - 2 {v} {w}"),
                format!("{w}12,000{v}/{w}"),
                format!("3 {cut}"),
                format!("{w}{w} 7 {w} {w}"),
            ]);
        }
        for text in &texts {
            amount_groups_as_reference(&m, &reference, text);
            find_all_as_reference(&m, text);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        #[test]
        fn amount_captures_match_the_reference_regex_on_joined_pieces(
            picks in proptest::collection::vec((0usize..10_000, 0usize..12), 1..10),
        ) {
            let (m, reference, pieces) = &*AMOUNT_FIXTURE;
            let seps = ["", " ", "-", "/", ".", ",", "+", "x", "5", "12.500", "~ ", "元"];
            let text: String = picks
                .iter()
                .map(|&(p, s)| format!("{}{}", pieces[p % pieces.len()], seps[s]))
                .collect();
            amount_groups_as_reference(m, reference, &text);
            find_all_as_reference(m, &text);
        }
    }

    static AMOUNT_FIXTURE: std::sync::LazyLock<(MoneyExtractor, regex::Regex, Vec<String>)> =
        std::sync::LazyLock::new(|| {
            let m = MoneyExtractor::build().unwrap();
            let reference = regex::Regex::new(&m.reference_pattern).unwrap();
            let pieces = amount_pieces(&m);
            (m, reference, pieces)
        });

    #[test]
    fn bundled_money_table_is_valid() {
        MoneyExtractor::build().unwrap();
    }
}
