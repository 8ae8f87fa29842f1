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
        Ok(Ids {
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
        })
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
        let age = Regex::new(&format!(
            r"(?x)
            (?:(?P<kw>{before})\s?[:：]?\s?(?:(?P<bound>{bound})\.?\s?)?(?P<a>\d{{2}})
                (?:\s?(?:{range})\s?(?P<b>\d{{2}}))?(?:\s?\+)?(?:\s?(?:{after}))?)
            | (?:(?P<a2>\d{{2}})\s?(?:{range})\s?(?P<b2>\d{{2}})\s?(?:{after}))
            | (?:(?P<bound2>{bound})\.?\s?(?P<a3>\d{{2}})\s?(?:{after}))"
        ))
        .map_err(|e| Error::data("age.toml", "cannot compile the age pattern").with_source(e))?;
        Ok(Patterns {
            money: money::MoneyExtractor::build()?,
            age,
        })
    }
}

impl SignalExtractor {
    pub(crate) fn build(signals: Vec<SignalDef>, normalizer: &Normalizer) -> Result<Self> {
        // With the `parallel` feature, the lexicon automaton and the contact pattern are compiled
        // on a second thread while this one compiles the money and age patterns (cold start:
        // the two halves take about the same time).
        let lexicon_and_contact = || {
            (
                Lexicon::build(&signals, normalizer),
                contact::ContactExtractor::build(),
            )
        };
        #[cfg(feature = "parallel")]
        let ((lexicon, contact), patterns) = std::thread::scope(|s| {
            let lexicon = s.spawn(lexicon_and_contact);
            let patterns = Patterns::build();
            match lexicon.join() {
                Ok(lexicon) => (lexicon, patterns),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        });
        #[cfg(not(feature = "parallel"))]
        let ((lexicon, contact), patterns) = (lexicon_and_contact(), Patterns::build());
        let (lexicon, contact, patterns) = (lexicon?, contact?, patterns?);
        let ids = Ids::new(&signals)?;
        Ok(SignalExtractor {
            signals,
            lexicon,
            money: patterns.money,
            contact,
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
        debug_assert_eq!(fired.len(), self.signals.len());
        fired.iter_mut().for_each(|f| *f = false);
        evidence.clear();
        let ids = &self.ids;
        let mut fire = |evidence: &mut Vec<RawEvidence>, e: RawEvidence| {
            fired[e.signal as usize] = true;
            evidence.push(e);
        };

        // Lexicon phrases.
        scratch.clear();
        self.lexicon.find_all(text, scratch);
        for m in scratch.iter() {
            let value = self.signals[m.signal as usize]
                .country
                .as_ref()
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
        self.money.find_all(text, &mut money);
        for m in money {
            let value = match m.kind {
                money::MoneyKind::Fee => Value::Fee(m.money.clone()),
                money::MoneyKind::Salary => Value::Salary(m.money.clone()),
            };
            let at = |signal| RawEvidence {
                signal,
                start: m.start,
                end: m.end,
                value: Some(value.clone()),
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
        self.contact.find_all(text, &mut contacts);
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

        // Age requirements.
        for caps in self.age.captures_iter(text) {
            let whole = caps.get(0).map_or(0..0, |m| m.range());
            if text[..whole.start]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
            {
                continue;
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
                (Some(_), Some(_)) => continue,
                (Some(a), None) if is_max => (None, Some(a)),
                (Some(a), None) => (Some(a), None),
                _ => continue,
            };
            if [min, max]
                .iter()
                .flatten()
                .any(|&v| !(14..=70).contains(&v))
            {
                continue;
            }
            fire(
                evidence,
                RawEvidence {
                    signal: ids.age_requirement,
                    start: whole.start,
                    end: whole.start + text[whole.clone()].trim_end().len(),
                    value: Some(Value::Age { min, max }),
                },
            );
        }

        self.derive(fired, evidence);
    }

    /// Conjunctions of signals, with the evidence of their parts.
    fn derive(&self, fired: &mut [bool], evidence: &mut Vec<RawEvidence>) {
        let ids = &self.ids;
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
        let mut derived: Vec<(u16, Vec<u16>)> = Vec::new();
        if f(ids.salary_high) && easy && !qualified {
            derived.push((
                ids.salary_inflated,
                vec![
                    ids.salary_high,
                    ids.no_experience,
                    ids.easy_hiring,
                    ids.low_requirement,
                ],
            ));
        }
        if f(ids.age_requirement) && !qualified && !f(ids.specific_role) {
            derived.push((ids.age_main_requirement, vec![ids.age_requirement]));
        }
        if hotspot {
            derived.push((ids.hotspot_destination, ids.hotspots.clone()));
        }
        let places = {
            let mut v = ids.hotspots.clone();
            v.extend([ids.dest_vague_abroad, ids.dest_other_abroad]);
            v
        };
        if f(ids.vague_role) && abroad {
            let mut parts = vec![ids.vague_role];
            parts.extend(&places);
            derived.push((ids.vague_role_abroad, parts));
        }
        if perks && abroad {
            let mut parts = vec![ids.travel_perk, ids.housing_perk];
            parts.extend(&places);
            derived.push((ids.perks_abroad, parts));
        }
        let flags = [
            f(ids.salary_high),
            perks,
            f(ids.vague_role),
            easy,
            private,
            f(ids.urgency),
            f(ids.fee_request),
        ];
        if abroad && flags.iter().filter(|&&x| x).count() >= 2 {
            let mut parts = vec![
                ids.salary_high,
                ids.travel_perk,
                ids.housing_perk,
                ids.vague_role,
                ids.no_experience,
                ids.easy_hiring,
                ids.low_requirement,
                ids.urgency,
                ids.fee_request,
            ];
            parts.extend(&places);
            derived.push((ids.lure_pattern, parts));
        }
        if f(ids.task_work)
            && (f(ids.deposit_commission) || f(ids.salary_daily) || f(ids.work_from_phone))
        {
            derived.push((
                ids.task_scam_pattern,
                vec![
                    ids.task_work,
                    ids.deposit_commission,
                    ids.salary_daily,
                    ids.work_from_phone,
                ],
            ));
        }
        // A warning, news item or question that quotes an offer carries the offer's red flags:
        // this conjunction lets the model weigh "warns about an offer" apart from either part.
        let offer_like = derived
            .iter()
            .any(|(s, _)| *s == ids.lure_pattern || *s == ids.task_scam_pattern)
            || flags.iter().filter(|&&x| x).count() >= 3;
        if f(ids.warning_context) && offer_like {
            derived.push((ids.warning_about_offer, vec![ids.warning_context]));
        }
        let n = evidence.len();
        for (signal, parts) in derived {
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
