//! Contacts: WhatsApp numbers and links, Telegram handles and links, phone numbers with their
//! country, e-mail addresses.

use std::collections::HashMap;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::alternation;
use crate::error::{Error, Result};

pub(crate) const CONTACTS_TOML: &str = include_str!("../../data/contacts.toml");

/// The channel a contact points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// A WhatsApp number or link.
    WhatsApp,
    /// A Telegram handle or link.
    Telegram,
    /// A phone number with no messaging app named.
    Phone,
    /// An e-mail address.
    Email,
}

/// A contact found in a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Where the contact leads.
    pub channel: Channel,
    /// The number, handle, link or address as written (normalised).
    pub handle: String,
    /// ISO 3166-1 alpha-2 code of the phone number's country, when it has a calling code or
    /// an Indonesian mobile prefix.
    pub country: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct ContactMatch {
    pub start: usize,
    pub end: usize,
    pub contact: Contact,
    /// The number has the calling code of a scam-compound country.
    pub hotspot: bool,
}

#[derive(Deserialize)]
struct ContactsFile {
    whatsapp_words: Vec<String>,
    telegram_words: Vec<String>,
    hotspot_codes: HashMap<String, String>,
    other_codes: HashMap<String, String>,
}

/// The compiled contact extractor.
#[derive(Debug, Clone)]
pub(crate) struct ContactExtractor {
    pattern: Regex,
    /// calling code -> (country, hotspot)
    codes: Vec<(String, String, bool)>,
}

impl ContactExtractor {
    pub(crate) fn build() -> Result<Self> {
        let file: ContactsFile = toml::from_str(CONTACTS_TOML)
            .map_err(|e| Error::data("contacts.toml", "not valid TOML").with_source(e))?;
        let wa = alternation(&file.whatsapp_words);
        let tg = alternation(&file.telegram_words);
        // ASCII classes, as in the money pattern: normalised text has no other digits or spaces.
        let phone = r"\+?\(?[0-9][0-9[:space:]().\-]{6,20}[0-9]";
        // Every repetition is bounded (by the lengths e-mail addresses, links and handles may
        // have): an unbounded one keeps the forward search alive to the end of a long run of
        // address characters (`1-1-1-…`, `a.a.a.…`) for every match in it, which made scoring
        // quadratic in the length of such a run.
        let pattern = format!(
            r"(?x)
            (?P<walink>(?:wa\.me|wa\.link|api\.whatsapp\.com/send\?phone=|chat\.whatsapp\.com)/?[a-z0-9_+/=?]{{0,64}})
            | (?P<tglink>(?:t\.me|telegram\.me|telegram\.dog)/[a-z0-9_+]{{3,64}})
            | (?P<email>[a-z0-9._%+\-]{{1,64}}@[a-z0-9\-]{{1,63}}(?:\.[a-z0-9\-]{{1,63}}){{0,4}}\.[a-z]{{2,24}})
            | (?:(?P<wakw>{wa})[[:space:]]?[:：.=\-]?[[:space:]]?(?:\+|[[:space:]])?(?P<wanum>{phone}))
            | (?:(?P<tgkw>{tg})[[:space:]]?[:：\-]?[[:space:]]?(?P<tghandle>@[a-z0-9_]{{4,32}}|[a-z0-9_]{{0,32}}[_0-9][a-z0-9_]{{0,32}}))
            | (?P<phone>{phone})"
        );
        let pattern = Regex::new(&pattern).map_err(|e| {
            Error::data("contacts.toml", "cannot compile the contact pattern").with_source(e)
        })?;
        let mut codes: Vec<(String, String, bool)> = file
            .hotspot_codes
            .into_iter()
            .map(|(k, v)| (k, v, true))
            .chain(file.other_codes.into_iter().map(|(k, v)| (k, v, false)))
            .collect();
        codes.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        Ok(ContactExtractor { pattern, codes })
    }

    /// Finds contacts in normalised `text`.
    #[cfg(test)]
    pub(crate) fn find_all(&self, text: &str, out: &mut Vec<ContactMatch>) {
        self.find_all_steps(text, out, None);
    }

    /// [`ContactExtractor::find_all`], also recording each step of its search loop in `steps`
    /// (for the windows of a long post, see [`super::replay`]).
    pub(crate) fn find_all_steps(
        &self,
        text: &str,
        out: &mut Vec<ContactMatch>,
        mut steps: Option<&mut Vec<super::Step>>,
    ) {
        // No alternative of the pattern matches the empty string: each search starts where
        // the match before ended.
        let mut at = 0;
        for caps in self.pattern.captures_iter(text) {
            let whole = caps.get(0).map_or(0..0, |m| m.range());
            let c = self.contact(text, &caps);
            if let Some(steps) = steps.as_deref_mut() {
                steps.push(super::Step {
                    from: at,
                    start: whole.start,
                    end: whole.end,
                    next: whole.end,
                    flags: c.as_ref().map_or(0, ContactMatch::flags),
                });
            }
            at = whole.end;
            out.extend(c);
        }
        if let Some(steps) = steps {
            steps.push(super::Step::last(at));
        }
    }

    /// A new search for the contacts of `text`: the match found from `text[at..]`, where the
    /// next search starts, and the contact, if the match is one.
    pub(crate) fn search_at(&self, text: &str, at: usize) -> Option<(usize, Option<ContactMatch>)> {
        let caps = self.pattern.captures_at(text, at)?;
        let end = caps.get(0).map_or(at, |m| m.end());
        Some((end, self.contact(text, &caps)))
    }

    /// The contact of one match of the pattern, if it is one.
    fn contact(&self, text: &str, caps: &regex::Captures<'_>) -> Option<ContactMatch> {
        let whole = caps.get(0).map_or(0..0, |m| m.range());
        let prev = text[..whole.start].chars().next_back();
        if prev.is_some_and(|c| c.is_alphanumeric()) && caps.name("email").is_none() {
            return None;
        }
        let (channel, handle_m) = if let Some(m) = caps.name("walink") {
            (Channel::WhatsApp, m)
        } else if let Some(m) = caps.name("tglink") {
            (Channel::Telegram, m)
        } else if let Some(m) = caps.name("email") {
            (Channel::Email, m)
        } else if let Some(m) = caps.name("wanum") {
            (Channel::WhatsApp, m)
        } else if let Some(m) = caps.name("tghandle") {
            (Channel::Telegram, m)
        } else if let Some(m) = caps.name("phone") {
            (Channel::Phone, m)
        } else {
            return None;
        };
        let handle = handle_m.as_str().trim().to_string();
        let mut country = None;
        let mut hotspot = false;
        if matches!(channel, Channel::WhatsApp | Channel::Phone) {
            let digits: String = handle.chars().filter(char::is_ascii_digit).collect();
            let has_plus = handle.starts_with('+') || handle.starts_with("(+");
            if caps.name("walink").is_none() && !(9..=15).contains(&digits.len()) {
                return None;
            }
            if channel == Channel::Phone && !has_plus && !digits.starts_with('0') {
                // A bare digit run without a trunk or country prefix is more often an
                // amount, an id or a date than a phone number.
                return None;
            }
            if has_plus || caps.name("walink").is_some() || !digits.starts_with('0') {
                if let Some((_, c, h)) = self
                    .codes
                    .iter()
                    .find(|(k, _, _)| digits.starts_with(k.as_str()) && digits.len() > k.len() + 6)
                {
                    country = Some(c.clone());
                    hotspot = *h;
                }
            } else if digits.starts_with("08") {
                country = Some("ID".to_string());
            }
        }
        Some(ContactMatch {
            start: whole.start,
            end: whole.start + text[whole.clone()].trim_end().len(),
            contact: Contact {
                channel,
                handle,
                country,
            },
            hotspot,
        })
    }
}

impl ContactMatch {
    /// The signals the contact fires, as [`super::contact_flags`] bits.
    pub(crate) fn flags(&self) -> u8 {
        use super::contact_flags::*;
        let channel = match self.contact.channel {
            Channel::WhatsApp => WHATSAPP,
            Channel::Telegram => TELEGRAM,
            Channel::Phone => PHONE,
            Channel::Email => EMAIL,
        };
        if self.hotspot {
            channel | FOREIGN
        } else {
            channel
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str) -> Vec<ContactMatch> {
        let x = ContactExtractor::build().unwrap();
        let mut out = Vec::new();
        x.find_all(text, &mut out);
        out
    }

    #[test]
    fn contacts() {
        let cases: &[(&str, Channel, Option<&str>, bool)] = &[
            (
                "minat wa 0812-3456-7890",
                Channel::WhatsApp,
                Some("ID"),
                false,
            ),
            (
                "klik wa.me/6281234567890",
                Channel::WhatsApp,
                Some("ID"),
                false,
            ),
            ("call +855 96 123 4567", Channel::Phone, Some("KH"), true),
            ("tg: @hr_lisa88", Channel::Telegram, None, false),
            ("join t.me/kerja_cepat", Channel::Telegram, None, false),
            ("cv ke hrd@ptmaju.co.id", Channel::Email, None, false),
            (
                "whatsapp +66 81 234 5678",
                Channel::WhatsApp,
                Some("TH"),
                true,
            ),
        ];
        for &(text, channel, country, hotspot) in cases {
            let got = find(text);
            assert_eq!(got.len(), 1, "{text}: {got:?}");
            assert_eq!(got[0].contact.channel, channel, "{text}");
            assert_eq!(got[0].contact.country.as_deref(), country, "{text}");
            assert_eq!(got[0].hotspot, hotspot, "{text}");
        }
        for text in [
            "gaji 8.000.000",
            "tahun 2024",
            "usia 18-35",
            "rp 15.000.000 - 20.000.000",
        ] {
            assert!(find(text).is_empty(), "{text}: {:?}", find(text));
        }
    }
}
