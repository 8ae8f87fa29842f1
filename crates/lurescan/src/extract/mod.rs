//! Stage 2: signal extraction. Lexicon phrases (one aho-corasick automaton), salaries and fees,
//! contacts and age requirements (regex, where structure matters), and derived conjunctions.

pub(crate) mod contact;
pub(crate) mod money;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::lexicon::{LexMatch, Lexicon, SignalDef};
use crate::normalize::Normalizer;

pub use contact::{Channel, Contact};
pub use money::{Money, Period};

pub(crate) const AGE_TOML: &str = include_str!("../../data/age.toml");

/// A structured value attached to a piece of evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Value {
    /// A salary, with currency, period and USD per month.
    Salary(Money),
    /// An amount the applicant is asked to pay.
    Fee(Money),
    /// A contact (WhatsApp, Telegram, phone, e-mail).
    Contact(Contact),
    /// A destination country (ISO 3166-1 alpha-2).
    Destination {
        /// The country code.
        country: String,
    },
    /// An age range asked for.
    Age {
        /// Youngest age accepted, when stated.
        min: Option<u32>,
        /// Oldest age accepted, when stated.
        max: Option<u32>,
    },
}

/// Evidence in the normalised text, before mapping back to the original.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawEvidence {
    pub signal: u16,
    pub start: usize,
    pub end: usize,
    pub value: Option<Value>,
}

/// The bits of what a money match fires ([`money::MoneyMatch::flags`]).
pub(crate) mod money_flags {
    pub const FEE: u8 = 1;
    pub const HIGH: u8 = 2;
    pub const VERY_HIGH: u8 = 4;
    pub const USD: u8 = 8;
    pub const DAILY: u8 = 16;
    pub const SALARY: u8 = 32;
}

/// The bits of what a contact fires ([`contact::ContactMatch::flags`]).
pub(crate) mod contact_flags {
    pub const WHATSAPP: u8 = 1;
    pub const TELEGRAM: u8 = 2;
    pub const PHONE: u8 = 4;
    pub const EMAIL: u8 = 8;
    pub const FOREIGN: u8 = 16;
}

/// One step of a search loop over a text (money, contacts, ages): the search from `from`
/// found the match `start..end` (none: `start` is `usize::MAX`), the next search starts at
/// `next`, and the match fired `flags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Step {
    pub from: usize,
    pub start: usize,
    pub end: usize,
    pub next: usize,
    pub flags: u8,
}

impl Step {
    /// The last step: the search from `from` found nothing.
    pub(crate) fn last(from: usize) -> Step {
        Step {
            from,
            start: usize::MAX,
            end: usize::MAX,
            next: usize::MAX,
            flags: 0,
        }
    }
}

/// What the windows of a long post reuse of the post's own extraction: the lexicon matches on
/// word boundaries before shadowing, and the steps of the money, contact and age searches.
#[derive(Debug, Clone, Default)]
pub(crate) struct Record {
    lexicon: Vec<LexMatch>,
    money: Vec<Step>,
    contact: Vec<Step>,
    age: Vec<Step>,
}

impl Record {
    fn clear(&mut self) {
        self.lexicon.clear();
        self.money.clear();
        self.contact.clear();
        self.age.clear();
    }

    /// Whether the signals of `text[part]` can be read off this record of `text` by
    /// [`SignalExtractor::fired_in_part`]: the record is complete, and the part is not empty
    /// and has a space (or the end of the text) on either side.
    ///
    /// Everything the extractors look at outside a match is then the same in the part and in
    /// the whole text at its edges: the lexicon's boundary checks and the money, contact and
    /// age checks of the character before a match ask for a letter, digit or sign, which
    /// neither a space nor the end of the text is; and the only look-around in the patterns,
    /// the money pattern's ASCII `\b`, sees no word byte on the far side of the edge either way.
    pub(crate) fn can_replay(&self, text: &str, part: &std::ops::Range<usize>) -> bool {
        let b = text.as_bytes();
        let (x, y) = (part.start, part.end);
        let complete = [&self.money, &self.contact, &self.age]
            .iter()
            .all(|s| s.last().is_some_and(|st| st.start == usize::MAX) && s[0].from == 0);
        complete
            && x < y
            && y <= b.len()
            && (x == 0 || b[x - 1] == b' ')
            && (y == b.len() || b[y] == b' ')
    }
}

/// The union of the flags a search loop over `text[x..y]` fires, from the `steps` it made over
/// `text` (coordinates are those of `text`).
///
/// The loop searches for the leftmost-first match from a position `p`, handles it and goes on
/// from the position the handling gives. Where the part is cut at spaces (see
/// [`Record::can_replay`]), a match of the pattern in the part is a match of it in the text
/// with the same groups, and a match in the text that ends in the part is one in the part
/// (nothing the engines look at differs: the part's edges and the text's spaces there are
/// alike to them). So if the text's search from `from` found `start..end` with
/// `from <= p <= start` (no match in the text starts in `from..start`) and `end <= y`, the
/// part's search from `p` finds the same match: it is the leftmost in the text, and the
/// alternatives the engine prefers to it fail in the part as they failed in the text. Then:
/// - `reuse(step)`: the handling of that match reads nothing outside the part, and its
///   flags and next position are the text's;
/// - otherwise `run(p, Some(step))` handles that match in the part (next position, flags).
///
/// If the text's match from `p` starts at or after `y` (or there is none), the part has none.
/// Anywhere else (`p` inside a match of the text, or a match that crosses `y`), `run(p, None)`
/// runs one step of the loop in the part itself, its own search included (none if it finds
/// nothing), from `start` when the text's match crosses `y` (no match of the part starts
/// before it).
pub(crate) fn replay(
    steps: &[Step],
    x: usize,
    y: usize,
    reuse: impl Fn(&Step) -> bool,
    mut run: impl FnMut(usize, Option<&Step>) -> Option<(usize, u8)>,
) -> u8 {
    let mut flags = 0;
    let mut p = x;
    loop {
        // The step whose search started last at or before `p` (the first starts at 0).
        let st = &steps[steps.partition_point(|s| s.from <= p) - 1];
        if p <= st.start {
            if st.start >= y {
                break;
            }
            if st.end <= y {
                let (next, f) = if reuse(st) {
                    (st.next, st.flags)
                } else {
                    // The match is known to be there: `run` finds it.
                    run(p, Some(st)).unwrap_or((st.next, 0))
                };
                flags |= f;
                p = next;
                continue;
            }
            p = st.start;
        }
        match run(p, None) {
            Some((next, f)) => {
                flags |= f;
                p = next;
            }
            None => break,
        }
    }
    flags
}

/// Indices of the signals the structured extractors and derived rules fire.
#[derive(Debug, Clone)]
struct Ids {
    salary_mentioned: u16,
    salary_high: u16,
    salary_very_high: u16,
    salary_usd: u16,
    salary_daily: u16,
    salary_inflated: u16,
    fee_amount: u16,
    contact_whatsapp: u16,
    contact_telegram: u16,
    contact_phone: u16,
    contact_foreign_phone: u16,
    contact_email: u16,
    age_requirement: u16,
    age_main_requirement: u16,
    hotspot_destination: u16,
    vague_role_abroad: u16,
    perks_abroad: u16,
    lure_pattern: u16,
    task_scam_pattern: u16,
    warning_context: u16,
    warning_about_offer: u16,
    // lexicon signals the derived rules read
    hotspots: Vec<u16>,
    dest_vague_abroad: u16,
    dest_other_abroad: u16,
    travel_perk: u16,
    housing_perk: u16,
    vague_role: u16,
    no_experience: u16,
    easy_hiring: u16,
    low_requirement: u16,
    qualification_requirement: u16,
    specific_role: u16,
    private_contact: u16,
    urgency: u16,
    task_work: u16,
    deposit_commission: u16,
    work_from_phone: u16,
    fee_request: u16,
    /// The signals whose evidence each derived signal carries.
    parts: DerivedParts,
}

/// For each derived signal (but `hotspot_destination`, whose parts are the hotspots), the
/// signals whose evidence it carries, in the order the evidence is copied.
#[derive(Debug, Clone)]
struct DerivedParts {
    salary_inflated: Vec<u16>,
    age_main_requirement: Vec<u16>,
    vague_role_abroad: Vec<u16>,
    perks_abroad: Vec<u16>,
    lure_pattern: Vec<u16>,
    task_scam_pattern: Vec<u16>,
    warning_about_offer: Vec<u16>,
}

impl DerivedParts {
    fn empty() -> DerivedParts {
        DerivedParts {
            salary_inflated: Vec::new(),
            age_main_requirement: Vec::new(),
            vague_role_abroad: Vec::new(),
            perks_abroad: Vec::new(),
            lure_pattern: Vec::new(),
            task_scam_pattern: Vec::new(),
            warning_about_offer: Vec::new(),
        }
    }

    fn new(ids: &Ids) -> DerivedParts {
        let mut places = ids.hotspots.clone();
        places.extend([ids.dest_vague_abroad, ids.dest_other_abroad]);
        let with_places = |first: &[u16]| {
            let mut v = first.to_vec();
            v.extend(&places);
            v
        };
        DerivedParts {
            salary_inflated: vec![
                ids.salary_high,
                ids.no_experience,
                ids.easy_hiring,
                ids.low_requirement,
            ],
            age_main_requirement: vec![ids.age_requirement],
            vague_role_abroad: with_places(&[ids.vague_role]),
            perks_abroad: with_places(&[ids.travel_perk, ids.housing_perk]),
            lure_pattern: with_places(&[
                ids.salary_high,
                ids.travel_perk,
                ids.housing_perk,
                ids.vague_role,
                ids.no_experience,
                ids.easy_hiring,
                ids.low_requirement,
                ids.urgency,
                ids.fee_request,
            ]),
            task_scam_pattern: vec![
                ids.task_work,
                ids.deposit_commission,
                ids.salary_daily,
                ids.work_from_phone,
            ],
            warning_about_offer: vec![ids.warning_context],
        }
    }
}

impl Ids {
    fn new(signals: &[SignalDef]) -> Result<Ids> {
        let id = |name: &str| -> Result<u16> {
            signals
                .iter()
                .position(|s| s.name == name)
                .map(|i| i as u16)
                .ok_or_else(|| {
                    Error::data("signals.toml", format!("signal {name} must be declared"))
                })
        };
        let mut ids = Ids {
            parts: DerivedParts::empty(),
            salary_mentioned: id("salary_mentioned")?,
            salary_high: id("salary_high")?,
            salary_very_high: id("salary_very_high")?,
            salary_usd: id("salary_usd")?,
            salary_daily: id("salary_daily")?,
            salary_inflated: id("salary_inflated")?,
            fee_amount: id("fee_amount")?,
            contact_whatsapp: id("contact_whatsapp")?,
            contact_telegram: id("contact_telegram")?,
            contact_phone: id("contact_phone")?,
            contact_foreign_phone: id("contact_foreign_phone")?,
            contact_email: id("contact_email")?,
            age_requirement: id("age_requirement")?,
            age_main_requirement: id("age_main_requirement")?,
            hotspot_destination: id("hotspot_destination")?,
            vague_role_abroad: id("vague_role_abroad")?,
            perks_abroad: id("perks_abroad")?,
            lure_pattern: id("lure_pattern")?,
            task_scam_pattern: id("task_scam_pattern")?,
            warning_context: id("warning_context")?,
            warning_about_offer: id("warning_about_offer")?,
            hotspots: [
                "dest_cambodia",
                "dest_myanmar",
                "dest_laos",
                "dest_thai_border",
                "dest_philippines",
            ]
            .iter()
            .map(|n| id(n))
            .collect::<Result<_>>()?,
            dest_vague_abroad: id("dest_vague_abroad")?,
            dest_other_abroad: id("dest_other_abroad")?,
            travel_perk: id("travel_perk")?,
            housing_perk: id("housing_perk")?,
            vague_role: id("vague_role")?,
            no_experience: id("no_experience")?,
            easy_hiring: id("easy_hiring")?,
            low_requirement: id("low_requirement")?,
            qualification_requirement: id("qualification_requirement")?,
            specific_role: id("specific_role")?,
            private_contact: id("private_contact")?,
            urgency: id("urgency")?,
            task_work: id("task_work")?,
            deposit_commission: id("deposit_commission")?,
            work_from_phone: id("work_from_phone")?,
            fee_request: id("fee_request")?,
        };
        ids.parts = DerivedParts::new(&ids);
        Ok(ids)
    }
}

/// All extractors, compiled once.
#[derive(Debug, Clone)]
pub(crate) struct SignalExtractor {
    pub signals: Vec<SignalDef>,
    lexicon: Lexicon,
    money: money::MoneyExtractor,
    contact: contact::ContactExtractor,
    age: Regex,
    ids: Ids,
}

#[derive(Deserialize)]
struct AgeFile {
    before: Vec<String>,
    after: Vec<String>,
}

/// A regex alternation of `words`, escaped, longest first (so that the leftmost-first engine
/// prefers "juta" to "jt"-like prefixes), without duplicates.
pub(crate) fn alternation(words: &[String]) -> String {
    sorted_words(words)
        .iter()
        .map(|w| regex::escape(w))
        .collect::<Vec<_>>()
        .join("|")
}

/// Like [`alternation`], but words ending in an ASCII letter or digit must end at an ASCII word
/// boundary ("k" in "55,000 kada" is not a multiplier). ASCII boundaries keep the regex on its
/// fast engines, unlike Unicode `\b`.
///
/// Neighbouring words that need the boundary share one: `(?:w1|w2)\b` tries `w1\b`, then
/// `w2\b`, the order of `w1\b|w2\b`, so it matches the same text with the same groups. An
/// alternation of plain literals compiles to a trie, which the capture engine walks byte by
/// byte, where the words each followed by `\b` are alternatives it tries one after another.
pub(crate) fn bounded_alternation(words: &[String]) -> String {
    let words = sorted_words(words);
    words
        .chunk_by(|a, b| needs_boundary(a) == needs_boundary(b))
        .map(|run| {
            let alt = run
                .iter()
                .map(|w| regex::escape(w))
                .collect::<Vec<_>>()
                .join("|");
            if needs_boundary(&run[0]) {
                format!(r"(?:{alt})(?-u:\b)")
            } else {
                alt
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// Whether a word of [`bounded_alternation`] must end at a word boundary.
fn needs_boundary(word: &str) -> bool {
    word.chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// [`bounded_alternation`] as it was, each word followed by its own boundary: the reference the
/// tests compare it with.
#[cfg(test)]
pub(crate) fn bounded_alternation_per_word(words: &[String]) -> String {
    sorted_words(words)
        .iter()
        .map(|w| {
            if needs_boundary(w) {
                format!(r"{}(?-u:\b)", regex::escape(w))
            } else {
                regex::escape(w)
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// `words` longest first (then in byte order), without duplicates: the order of the
/// alternatives of [`alternation`].
pub(crate) fn sorted_words(words: &[String]) -> Vec<String> {
    let mut words = words.to_vec();
    words.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    words.dedup();
    words
}

/// The extractors built from regular expressions (money, contacts, ages).
struct Patterns {
    money: money::MoneyExtractor,
    contact: contact::ContactExtractor,
    age: Regex,
}

impl Patterns {
    fn build() -> Result<Self> {
        let age_file: AgeFile = toml::from_str(AGE_TOML)
            .map_err(|e| Error::data("age.toml", "not valid TOML").with_source(e))?;
        let before = alternation(&age_file.before);
        let after = alternation(&age_file.after);
        let range = r"-|–|—|~|～|s/d|sd|sampai|hingga|to|den|至|到|ถึง|hanggang";
        let bound = r"max|maks|maksimal|maximum|min|minimal|minimum|under|below|dibawah|di bawah|duoi|ไม่เกิน|up to";
        // ASCII classes, as in the money pattern: normalised text has no other digits or spaces.
        let age = Regex::new(&format!(
            r"(?x)
            (?:(?P<kw>{before})[[:space:]]?[:：]?[[:space:]]?(?:(?P<bound>{bound})\.?[[:space:]]?)?(?P<a>[0-9]{{2}})
                (?:[[:space:]]?(?:{range})[[:space:]]?(?P<b>[0-9]{{2}}))?(?:[[:space:]]?\+)?(?:[[:space:]]?(?:{after}))?)
            | (?:(?P<a2>[0-9]{{2}})[[:space:]]?(?:{range})[[:space:]]?(?P<b2>[0-9]{{2}})[[:space:]]?(?:{after}))
            | (?:(?P<bound2>{bound})\.?[[:space:]]?(?P<a3>[0-9]{{2}})[[:space:]]?(?:{after}))"
        ))
        .map_err(|e| Error::data("age.toml", "cannot compile the age pattern").with_source(e))?;
        Ok(Patterns {
            money: money::MoneyExtractor::build()?,
            contact: contact::ContactExtractor::build()?,
            age,
        })
    }
}

impl SignalExtractor {
    pub(crate) fn build(signals: Vec<SignalDef>, normalizer: &Normalizer) -> Result<Self> {
        // With the `parallel` feature, the lexicon automaton is compiled on a second thread
        // while this one compiles the money, contact and age patterns (cold start: the two
        // halves take about the same time, 41 M and 45 M instructions, session 15).
        let lexicon = || Lexicon::build(&signals, normalizer);
        #[cfg(feature = "parallel")]
        let (lexicon, patterns) = std::thread::scope(|s| {
            let lexicon = s.spawn(lexicon);
            let patterns = Patterns::build();
            match lexicon.join() {
                Ok(lexicon) => (lexicon, patterns),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        });
        #[cfg(not(feature = "parallel"))]
        let (lexicon, patterns) = (lexicon(), Patterns::build());
        let (lexicon, patterns) = (lexicon?, patterns?);
        let ids = Ids::new(&signals)?;
        Ok(SignalExtractor {
            signals,
            lexicon,
            money: patterns.money,
            contact: patterns.contact,
            age: patterns.age,
            ids,
        })
    }

    /// The normalised phrases of the lexicon automaton, in pattern order.
    pub(crate) fn lexicon_phrases(&self) -> &[String] {
        self.lexicon.phrases()
    }

    /// Extracts every signal's evidence from normalised text. `fired[i]` is set for each
    /// signal found; `evidence` gets the spans.
    pub(crate) fn extract(
        &self,
        text: &str,
        fired: &mut [bool],
        evidence: &mut Vec<RawEvidence>,
        scratch: &mut Vec<LexMatch>,
    ) {
        self.extract_recorded(text, fired, Some(evidence), scratch, None);
    }

    /// [`SignalExtractor::extract`], also recording in `record` what the windows of `text`
    /// can reuse (see [`replay`]). Without `evidence` (scoring needs the fired signals only),
    /// no evidence is kept and no value made.
    pub(crate) fn extract_recorded(
        &self,
        text: &str,
        fired: &mut [bool],
        evidence: Option<&mut Vec<RawEvidence>>,
        scratch: &mut Vec<LexMatch>,
        mut record: Option<&mut Record>,
    ) {
        debug_assert_eq!(fired.len(), self.signals.len());
        if let Some(r) = record.as_deref_mut() {
            r.clear();
        }
        fired.iter_mut().for_each(|f| *f = false);
        let keep = evidence.is_some();
        let mut unkept = Vec::new();
        let evidence = evidence.unwrap_or(&mut unkept);
        evidence.clear();
        let ids = &self.ids;
        let mut fire = |evidence: &mut Vec<RawEvidence>, e: RawEvidence| {
            fired[e.signal as usize] = true;
            if keep {
                evidence.push(e);
            }
        };

        // Lexicon phrases.
        scratch.clear();
        self.lexicon.find_overlapping(text, scratch);
        if let Some(r) = record.as_deref_mut() {
            debug_assert!(scratch.windows(2).all(|p| p[0].end <= p[1].end));
            r.lexicon.extend_from_slice(scratch);
        }
        crate::lexicon::shadow(scratch, 0);
        for m in scratch.iter() {
            let value = self.signals[m.signal as usize]
                .country
                .as_ref()
                .filter(|_| keep)
                .map(|c| Value::Destination { country: c.clone() });
            fire(
                evidence,
                RawEvidence {
                    signal: m.signal,
                    start: m.start,
                    end: m.end,
                    value,
                },
            );
        }

        // Money.
        let mut money = Vec::new();
        self.money.find_all_steps(
            text,
            &mut money,
            record.as_deref_mut().map(|r| &mut r.money),
        );
        for m in money {
            let value = keep.then(|| match m.kind {
                money::MoneyKind::Fee => Value::Fee(m.money.clone()),
                money::MoneyKind::Salary => Value::Salary(m.money.clone()),
            });
            let at = |signal| RawEvidence {
                signal,
                start: m.start,
                end: m.end,
                value: value.clone(),
            };
            match m.kind {
                money::MoneyKind::Fee => fire(evidence, at(ids.fee_amount)),
                money::MoneyKind::Salary => {
                    if m.high {
                        fire(evidence, at(ids.salary_high));
                    }
                    if m.very_high {
                        fire(evidence, at(ids.salary_very_high));
                    }
                    if m.money.currency == "USD" {
                        fire(evidence, at(ids.salary_usd));
                    }
                    if matches!(m.money.period, Some(Period::Day | Period::Hour)) {
                        fire(evidence, at(ids.salary_daily));
                    }
                    fire(evidence, at(ids.salary_mentioned));
                }
            }
        }

        // Contacts.
        let mut contacts = Vec::new();
        self.contact.find_all_steps(
            text,
            &mut contacts,
            record.as_deref_mut().map(|r| &mut r.contact),
        );
        for c in contacts {
            let signal = match c.contact.channel {
                Channel::WhatsApp => ids.contact_whatsapp,
                Channel::Telegram => ids.contact_telegram,
                Channel::Phone => ids.contact_phone,
                Channel::Email => ids.contact_email,
            };
            if c.hotspot {
                fire(
                    evidence,
                    RawEvidence {
                        signal: ids.contact_foreign_phone,
                        start: c.start,
                        end: c.end,
                        value: None,
                    },
                );
            }
            fire(
                evidence,
                RawEvidence {
                    signal,
                    start: c.start,
                    end: c.end,
                    value: Some(Value::Contact(c.contact)),
                },
            );
        }

        // Age requirements. No alternative of the pattern matches the empty string: each
        // search starts where the match before ended.
        let mut at = 0;
        for caps in self.age.captures_iter(text) {
            let whole = caps.get(0).map_or(0..0, |m| m.range());
            let age = self.age_of(text, &caps);
            if let Some(r) = record.as_deref_mut() {
                r.age.push(Step {
                    from: at,
                    start: whole.start,
                    end: whole.end,
                    next: whole.end,
                    flags: u8::from(age.is_some()),
                });
            }
            at = whole.end;
            if let Some((end, min, max)) = age {
                fire(
                    evidence,
                    RawEvidence {
                        signal: ids.age_requirement,
                        start: whole.start,
                        end,
                        value: Some(Value::Age { min, max }),
                    },
                );
            }
        }
        if let Some(r) = record {
            r.age.push(Step::last(at));
        }

        self.derive(fired, evidence);
    }

    /// The age requirement of one match of the age pattern, if it is one: where its evidence
    /// ends, and the youngest and oldest ages asked for.
    fn age_of(
        &self,
        text: &str,
        caps: &regex::Captures<'_>,
    ) -> Option<(usize, Option<u32>, Option<u32>)> {
        let whole = caps.get(0).map_or(0..0, |m| m.range());
        if text[..whole.start]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
        {
            return None;
        }
        let num = |n: &str| caps.name(n).and_then(|m| m.as_str().parse::<u32>().ok());
        let a = num("a").or(num("a2")).or(num("a3"));
        let b = num("b").or(num("b2"));
        let is_max = caps
            .name("bound")
            .or(caps.name("bound2"))
            .is_some_and(|m| !m.as_str().starts_with("min"));
        let (min, max) = match (a, b) {
            (Some(a), Some(b)) if a < b => (Some(a), Some(b)),
            (Some(_), Some(_)) => return None,
            (Some(a), None) if is_max => (None, Some(a)),
            (Some(a), None) => (Some(a), None),
            _ => return None,
        };
        if [min, max]
            .iter()
            .flatten()
            .any(|&v| !(14..=70).contains(&v))
        {
            return None;
        }
        Some((whole.start + text[whole].trim_end().len(), min, max))
    }

    /// The signals [`SignalExtractor::extract`] fires for `text[part]`, where `text` is the
    /// text `record` was recorded from and `part` is cut at spaces (see
    /// [`Record::can_replay`]): the whole text's matches are reused where the window would find
    /// the same ones, and the searches are run again only near its edges (see [`replay`]).
    pub(crate) fn fired_in_part(
        &self,
        text: &str,
        part: std::ops::Range<usize>,
        record: &Record,
        fired: &mut [bool],
        scratch: &mut Vec<LexMatch>,
    ) {
        debug_assert!(record.can_replay(text, &part));
        fired.iter_mut().for_each(|f| *f = false);
        let (x, y) = (part.start, part.end);
        let window = &text[part];
        let ids = &self.ids;

        // Lexicon phrases: the automaton reports every occurrence of every phrase, by end and,
        // at one end, longest first, so the window's are the whole text's that lie in it, in
        // the same order. Their boundary checks agree: past an edge the whole text has a
        // space, the window nothing, and neither is a word character.
        // The matches are in the order of their ends: those ending in the window are a run of
        // them, found by binary search (a scan of all would make a long post's windows cost
        // the square of its length).
        let lexicon = &record.lexicon;
        let run = lexicon.partition_point(|m| m.end <= x)..lexicon.partition_point(|m| m.end <= y);
        scratch.clear();
        scratch.extend(lexicon[run].iter().filter(|m| m.start >= x));
        crate::lexicon::shadow(scratch, 0);
        for m in scratch.iter() {
            fired[m.signal as usize] = true;
        }

        // Money: a match whose context (before and after it) lies in the window is taken
        // whole; one nearer an edge is interpreted again in the window.
        let lookahead = self.money.lookahead();
        let mut caps = None;
        let money = replay(
            &record.money,
            x,
            y,
            |st| st.start >= x + money::CONTEXT_WINDOW && st.end + lookahead <= y,
            |p, known| {
                let found = match known {
                    Some(st) => st.start - x..st.end - x,
                    None => self.money.find_at(window, p - x)?,
                };
                let caps = caps.get_or_insert_with(|| self.money.create_captures());
                let (next, m) = self.money.step(window, found, p - x, caps);
                Some((next + x, m.as_ref().map_or(0, money::MoneyMatch::flags)))
            },
        );
        {
            use money_flags::*;
            let f = |bit: u8| money & bit != 0;
            for (bit, signal) in [
                (FEE, ids.fee_amount),
                (HIGH, ids.salary_high),
                (VERY_HIGH, ids.salary_very_high),
                (USD, ids.salary_usd),
                (DAILY, ids.salary_daily),
                (SALARY, ids.salary_mentioned),
            ] {
                fired[signal as usize] |= f(bit);
            }
        }

        // Contacts and ages: what a match gives depends on the match alone.
        let contacts = replay(
            &record.contact,
            x,
            y,
            |_| true,
            |p, _| {
                let (next, c) = self.contact.search_at(window, p - x)?;
                Some((next + x, c.as_ref().map_or(0, contact::ContactMatch::flags)))
            },
        );
        {
            use contact_flags::*;
            for (bit, signal) in [
                (WHATSAPP, ids.contact_whatsapp),
                (TELEGRAM, ids.contact_telegram),
                (PHONE, ids.contact_phone),
                (EMAIL, ids.contact_email),
                (FOREIGN, ids.contact_foreign_phone),
            ] {
                fired[signal as usize] |= contacts & bit != 0;
            }
        }
        let age = replay(
            &record.age,
            x,
            y,
            |_| true,
            |p, _| {
                let caps = self.age.captures_at(window, p - x)?;
                let end = caps.get(0).map_or(p - x, |m| m.end());
                Some((end + x, u8::from(self.age_of(window, &caps).is_some())))
            },
        );
        fired[ids.age_requirement as usize] |= age != 0;

        self.derive(fired, &mut Vec::new());
    }

    /// The index of `warning_context`, the signal that decides whether a window is read in its
    /// context.
    pub(crate) fn warning_context(&self) -> usize {
        self.ids.warning_context as usize
    }

    /// Conjunctions of signals, with the evidence of their parts.
    fn derive(&self, fired: &mut [bool], evidence: &mut Vec<RawEvidence>) {
        let ids = &self.ids;
        let parts = &ids.parts;
        let f = |s: u16| fired[s as usize];
        let hotspot = ids.hotspots.iter().any(|&s| f(s));
        let abroad = hotspot || f(ids.dest_vague_abroad) || f(ids.dest_other_abroad);
        let easy = f(ids.no_experience) || f(ids.easy_hiring) || f(ids.low_requirement);
        let qualified = f(ids.qualification_requirement);
        let perks = f(ids.travel_perk) || f(ids.housing_perk);
        let private = f(ids.contact_whatsapp)
            || f(ids.contact_telegram)
            || f(ids.private_contact)
            || f(ids.contact_foreign_phone);
        let flags = [
            f(ids.salary_high),
            perks,
            f(ids.vague_role),
            easy,
            private,
            f(ids.urgency),
            f(ids.fee_request),
        ];
        let lure = abroad && flags.iter().filter(|&&x| x).count() >= 2;
        let task_scam = f(ids.task_work)
            && (f(ids.deposit_commission) || f(ids.salary_daily) || f(ids.work_from_phone));
        // A warning, news item or question that quotes an offer carries the offer's red flags:
        // this conjunction lets the model weigh "warns about an offer" apart from either part.
        let offer_like = lure || task_scam || flags.iter().filter(|&&x| x).count() >= 3;
        // Each derived signal, whether it fires, and the signals whose evidence it carries.
        let derived: [(bool, u16, &[u16]); 8] = [
            (
                f(ids.salary_high) && easy && !qualified,
                ids.salary_inflated,
                &parts.salary_inflated,
            ),
            (
                f(ids.age_requirement) && !qualified && !f(ids.specific_role),
                ids.age_main_requirement,
                &parts.age_main_requirement,
            ),
            (hotspot, ids.hotspot_destination, &ids.hotspots),
            (
                f(ids.vague_role) && abroad,
                ids.vague_role_abroad,
                &parts.vague_role_abroad,
            ),
            (perks && abroad, ids.perks_abroad, &parts.perks_abroad),
            (lure, ids.lure_pattern, &parts.lure_pattern),
            (task_scam, ids.task_scam_pattern, &parts.task_scam_pattern),
            (
                f(ids.warning_context) && offer_like,
                ids.warning_about_offer,
                &parts.warning_about_offer,
            ),
        ];
        let n = evidence.len();
        for &(_, signal, parts) in derived.iter().filter(|d| d.0) {
            fired[signal as usize] = true;
            for i in 0..n {
                if parts.contains(&evidence[i].signal) {
                    let e = &evidence[i];
                    evidence.push(RawEvidence {
                        signal,
                        start: e.start,
                        end: e.end,
                        value: e.value.clone(),
                    });
                }
            }
        }
    }
}

/// The signals of a part of a text read off the text's record ([`SignalExtractor::fired_in_part`])
/// against the extraction of the part itself, for parts cut at every space, on texts dense in
/// amounts, contacts, ages and lexicon phrases whose matches cross the cuts.
#[cfg(test)]
mod replay_tests {
    use super::*;
    use crate::features::FeatureExtractor;
    use crate::windows::fast_path_tests::xorshift;

    /// Pieces with spaces inside and around their matches, and context words far from them.
    const PIECES: &[&str] = &[
        "gaji",
        "gaji rp 12.000.000 per bulan",
        "Rp 12.000.000 - 15.000.000",
        "rp12jt",
        "12 jt",
        "$1,200/month",
        "$ 1.500",
        "usd 2000 a month",
        "usd 2000",
        "2000 usd",
        "1,500 - 2,000 usd",
        "50,000 baht",
        "15,000 thb per month",
        "lương 20 triệu",
        "500rb",
        "biaya",
        "biaya admin",
        "bayar 500rb untuk pendaftaran",
        "500 usd for medical",
        "kes 4,700 for medical",
        "for medical",
        "for the visa",
        "untuk pendaftaran",
        "deposit",
        "as a deposit",
        "fee",
        "salary",
        "per day",
        "a day",
        "/day",
        "per bulan",
        "harian",
        "3000元押金",
        "月薪 3万",
        "delapan juta",
        "dua puluh lima juta",
        "cukup 150rb",
        "up 500",
        "p 500",
        "5 mobil",
        "wa 0812 3456 7890",
        "wa: +855 12 345 678",
        "+855 12 345 678",
        "+66 81 234 5678",
        "0812-3456-7890",
        "whatsapp",
        "wa.me/6281234567890",
        "t.me/jobs_kh",
        "tg @hr_lisa88",
        "telegram: hr_lisa_88",
        "hr@gmail.com",
        "hrd@pt.co.id",
        "usia 18 - 35 tahun",
        "umur max 30",
        "usia",
        "18-35 tahun",
        "max 25 thn",
        "tahun",
        "kamboja",
        "kerja di kamboja",
        "tiket pesawat gratis",
        "tanpa pengalaman",
        "tanpa biaya admin",
        "no experience",
        "free air ticket",
        "customer service",
        "phnom penh",
        "mess gratis",
        "hati-hati penipuan",
        "1",
        "12",
        "123",
        "1.000",
        "a",
        "x",
        "-",
        "+",
        ",",
        ".",
        "/",
        "~",
        "k",
        "jt",
        "rb",
        "usd",
        "rp",
        "$",
        "€",
        "lorem ipsum dolor sit amet consectetur",
        "the weather is nice today and we had lunch together",
    ];
    const SEPARATORS: &[&str] = &[" ", " ", " ", " ", ", ", ". ", ": ", "-", "", "\n"];

    fn fired_alone(fx: &FeatureExtractor, text: &str) -> Vec<bool> {
        let mut fired = vec![false; fx.signals.signals.len()];
        fx.signals
            .extract(text, &mut fired, &mut Vec::new(), &mut Vec::new());
        fired
    }

    /// Every part of normalised `text` cut at spaces that starts at one of `starts` (or ends
    /// at one of `ends`): read off the record, the same signals as extracted alone.
    fn check(fx: &FeatureExtractor, text: &str, every_pair: bool) -> usize {
        let mut record = Record::default();
        let mut fired = vec![false; fx.signals.signals.len()];
        fx.signals
            .extract_recorded(text, &mut fired, None, &mut Vec::new(), Some(&mut record));
        assert_eq!(fired, fired_alone(fx, text));
        let b = text.as_bytes();
        let spaces: Vec<usize> = (0..b.len()).filter(|&i| b[i] == b' ').collect();
        let starts: Vec<usize> = std::iter::once(0)
            .chain(spaces.iter().map(|&i| i + 1))
            .collect();
        let ends: Vec<usize> = spaces.iter().copied().chain([b.len()]).collect();
        let mut parts = Vec::new();
        for (i, &x) in starts.iter().enumerate() {
            for (j, &y) in ends.iter().enumerate() {
                if x < y && (every_pair || i == 0 || j + 1 == ends.len() || (i * 7 + j) % 5 == 0) {
                    parts.push(x..y);
                }
            }
        }
        let mut scratch = Vec::new();
        for part in &parts {
            assert!(record.can_replay(text, part), "{part:?} of {text:?}");
            fx.signals
                .fired_in_part(text, part.clone(), &record, &mut fired, &mut scratch);
            assert_eq!(
                fired,
                fired_alone(fx, &text[part.clone()]),
                "{part:?} of {text:?}"
            );
        }
        parts.len()
    }

    fn text(next: &mut impl FnMut() -> usize, pieces: usize) -> String {
        let fx_norm = crate::normalize::Normalizer::new();
        let mut raw = String::new();
        for _ in 0..pieces {
            raw.push_str(PIECES[next() % PIECES.len()]);
            raw.push_str(SEPARATORS[next() % SEPARATORS.len()]);
        }
        fx_norm.normalize_text(&raw)
    }

    #[test]
    fn parts_read_off_the_record_match_extraction() {
        let fx = FeatureExtractor::new();
        let mut next = xorshift(0x51_7cc1_b727_220a);
        let mut parts = 0;
        for _ in 0..60 {
            let pieces = 4 + next() % 14;
            parts += check(&fx, &text(&mut next, pieces), true);
        }
        for _ in 0..12 {
            let pieces = 40 + next() % 60;
            parts += check(&fx, &text(&mut next, pieces), false);
        }
        assert!(parts > 20_000, "{parts}");
    }

    #[test]
    fn replay_refuses_parts_not_cut_at_spaces() {
        let record = Record::default();
        assert!(!record.can_replay("gaji 5jt", &(0..4)));
        let fx = FeatureExtractor::new();
        let mut record = Record::default();
        let text = "gaji 5jt kerja";
        let mut fired = vec![false; fx.signals.signals.len()];
        fx.signals
            .extract_recorded(text, &mut fired, None, &mut Vec::new(), Some(&mut record));
        assert!(record.can_replay(text, &(0..4)));
        assert!(record.can_replay(text, &(5..14)));
        assert!(!record.can_replay(text, &(0..3)));
        assert!(!record.can_replay(text, &(6..14)));
        assert!(!record.can_replay(text, &(5..5)));
    }
}
