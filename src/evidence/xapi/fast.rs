//! A direct reader for the common statement: the properties of
//! [`RawStatement`] from JSON without escapes, read in one pass. Anything it
//! is not sure of (an escape, a control character, a negative or exponent
//! number, a duplicate property, a type it does not expect, nesting past
//! [`MAX_DEPTH`], trailing text) makes it give up, and the caller reads the
//! statement with serde instead, which then accepts it or says why not. So
//! whenever it gives a statement, serde gives the same one.

use std::borrow::Cow;

use super::statement::{
    RawAccount, RawActor, RawObject, RawResult, RawScore, RawStatement, RawVerb,
};

/// Deeper nesting is left to serde (whose limit is 128).
const MAX_DEPTH: u32 = 100;

/// Reads the statement in `json` into `out` (made by
/// [`RawStatement::empty`]); `false`: read it with serde (`out` is then
/// partly filled, and to be replaced).
pub(super) fn read<'a>(json: &'a str, out: &mut RawStatement<'a>) -> bool {
    let b = json.as_bytes();
    // Escapes and control characters (raw tabs and line ends included): serde.
    if b.iter()
        .fold(false, |any, &c| any | (c < 0x20) | (c == b'\\'))
    {
        return false;
    }
    let mut scan = Scan { text: json, at: 0 };
    if scan.statement(out).is_none() {
        return false;
    }
    scan.ws();
    scan.at == b.len()
}

/// The statement in `json`, or `None` to read it with serde.
#[cfg(test)]
fn statement(json: &str) -> Option<RawStatement<'_>> {
    let mut out = RawStatement::empty();
    read(json, &mut out).then_some(out)
}

/// The position of the first `"` at or after `from`, eight bytes at a time
/// (the strings of a statement are short: a call to `memchr` costs more).
fn find_quote(b: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut at = from;
    while let Some(chunk) = b.get(at..at + 8).and_then(|c| <[u8; 8]>::try_from(c).ok()) {
        // Zero bytes of `x` are quotes; the lowest flagged byte is the first
        // zero (a flag can be false only above a true zero).
        let x = u64::from_le_bytes(chunk) ^ (ONES * u64::from(b'"'));
        let zeros = x.wrapping_sub(ONES) & !x & (ONES << 7);
        if zeros != 0 {
            return Some(at + (zeros.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    b.get(at..)?.iter().position(|&c| c == b'"').map(|p| at + p)
}

/// Marks a property as read; `None` if it was already.
fn first(seen: &mut u32, bit: u32) -> Option<()> {
    let new = *seen & bit == 0;
    *seen |= bit;
    new.then_some(())
}

struct Scan<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Scan<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// Skips JSON whitespace (only spaces reach here: see [`statement`]).
    fn ws(&mut self) {
        while self.bytes().get(self.at) == Some(&b' ') {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.bytes().get(self.at).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.at += 1)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.ws();
        let end = self.at + word.len();
        (self.bytes().get(self.at..end)? == word).then(|| self.at = end)
    }

    /// `null`, taken.
    fn null(&mut self) -> bool {
        self.peek() == Some(b'n') && self.literal(b"null").is_some()
    }

    /// A string (no escapes can occur: see [`statement`]).
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let end = find_quote(self.bytes(), start)?;
        self.at = end + 1;
        self.text.get(start..end)
    }

    fn cow(&mut self) -> Option<Cow<'a, str>> {
        self.string().map(Cow::Borrowed)
    }

    fn optional_cow(&mut self) -> Option<Option<Cow<'a, str>>> {
        if self.null() {
            return Some(None);
        }
        self.cow().map(Some)
    }

    /// Walks the members of an object, `member` reading each value after
    /// its key. `false` from `member`: give up.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            member(self, key)?;
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Checks and skips any JSON value.
    fn skip(&mut self, depth: u32) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' => self.object(|scan, _| scan.skip(depth + 1)),
            b'[' => {
                self.at += 1;
                if self.eat(b']').is_some() {
                    return Some(());
                }
                loop {
                    self.skip(depth + 1)?;
                    match self.peek()? {
                        b',' => self.at += 1,
                        b']' => {
                            self.at += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => self.number_token(true).map(|_| ()),
        }
    }

    /// A JSON number's text: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    /// Unless `any`, only a non-negative number without exponent and with at
    /// most 15 integer digits (read the same by every correct parser).
    fn number_token(&mut self, any: bool) -> Option<&'a str> {
        self.ws();
        let b = self.bytes();
        let start = self.at;
        let mut i = start;
        let digits = |i: &mut usize| {
            let from = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i - from
        };
        if b.get(i) == Some(&b'-') {
            if !any {
                return None;
            }
            i += 1;
        }
        let whole = digits(&mut i);
        if whole == 0 || (whole > 1 && b.get(i - whole) == Some(&b'0')) || (!any && whole > 15) {
            return None;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if digits(&mut i) == 0 {
                return None;
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            if !any {
                return None;
            }
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if digits(&mut i) == 0 {
                return None;
            }
        }
        // A number ends at a delimiter (serde reads `1x` as an error).
        if b.get(i)
            .is_some_and(|c| !matches!(c, b',' | b'}' | b']' | b' '))
        {
            return None;
        }
        self.at = i;
        self.text.get(start..i)
    }

    fn optional_number(&mut self) -> Option<Option<f64>> {
        if self.null() {
            return Some(None);
        }
        self.number_token(false)?.parse().ok().map(Some)
    }

    fn statement(&mut self, out: &mut RawStatement<'a>) -> Option<()> {
        let mut seen = 0u32;
        let mut context = None;
        self.object(|scan, key| match key {
            "id" => {
                first(&mut seen, 1)?;
                out.id = scan.optional_cow()?;
                Some(())
            }
            "actor" => {
                first(&mut seen, 2)?;
                scan.actor(&mut out.actor)
            }
            "verb" => {
                first(&mut seen, 4)?;
                scan.verb(&mut out.verb)
            }
            "object" => {
                first(&mut seen, 8)?;
                scan.object_ref(&mut out.object)
            }
            "result" => {
                first(&mut seen, 16)?;
                out.result = if scan.null() {
                    None
                } else {
                    Some(scan.result()?)
                };
                Some(())
            }
            "context" => {
                first(&mut seen, 32)?;
                context = if scan.null() {
                    None
                } else {
                    scan.ws();
                    let start = scan.at;
                    scan.skip(1)?;
                    Some(scan.text.get(start..scan.at)?)
                };
                Some(())
            }
            "timestamp" => {
                first(&mut seen, 64)?;
                out.timestamp = scan.optional_cow()?;
                Some(())
            }
            "stored" => {
                first(&mut seen, 128)?;
                out.stored = scan.optional_cow()?;
                Some(())
            }
            _ => scan.skip(1),
        })?;
        // Valid JSON, checked by `skip`: this does not fail.
        out.context = match context {
            Some(raw) => Some(serde_json::from_str(raw).ok()?),
            None => None,
        };
        // `actor`, `verb` and `object` are required.
        (seen & 14 == 14).then_some(())
    }

    fn actor(&mut self, actor: &mut RawActor<'a>) -> Option<()> {
        let mut seen = 0u32;
        self.object(|scan, key| match key {
            "objectType" => {
                first(&mut seen, 1)?;
                actor.object_type = scan.optional_cow()?;
                Some(())
            }
            "mbox" => {
                first(&mut seen, 2)?;
                actor.mbox = scan.optional_cow()?;
                Some(())
            }
            "mbox_sha1sum" => {
                first(&mut seen, 4)?;
                actor.mbox_sha1sum = scan.optional_cow()?;
                Some(())
            }
            "openid" => {
                first(&mut seen, 8)?;
                actor.openid = scan.optional_cow()?;
                Some(())
            }
            "account" => {
                first(&mut seen, 16)?;
                actor.account = if scan.null() {
                    None
                } else {
                    Some(scan.account()?)
                };
                Some(())
            }
            _ => scan.skip(2),
        })
    }

    fn account(&mut self) -> Option<RawAccount<'a>> {
        let (mut home_page, mut name) = (None, None);
        let mut seen = 0u32;
        self.object(|scan, key| match key {
            "homePage" => {
                first(&mut seen, 1)?;
                home_page = Some(scan.cow()?);
                Some(())
            }
            "name" => {
                first(&mut seen, 2)?;
                name = Some(scan.cow()?);
                Some(())
            }
            _ => scan.skip(3),
        })?;
        Some(RawAccount {
            home_page: home_page?,
            name: name?,
        })
    }

    fn verb(&mut self, verb: &mut RawVerb<'a>) -> Option<()> {
        let mut seen = 0u32;
        self.object(|scan, key| match key {
            "id" => {
                first(&mut seen, 1)?;
                verb.id = scan.cow()?;
                Some(())
            }
            _ => scan.skip(2),
        })?;
        // `id` is required.
        (seen == 1).then_some(())
    }

    fn object_ref(&mut self, object: &mut RawObject<'a>) -> Option<()> {
        let mut seen = 0u32;
        self.object(|scan, key| match key {
            "objectType" => {
                first(&mut seen, 1)?;
                object.object_type = scan.optional_cow()?;
                Some(())
            }
            "id" => {
                first(&mut seen, 2)?;
                object.id = scan.optional_cow()?;
                Some(())
            }
            _ => scan.skip(2),
        })
    }

    fn result(&mut self) -> Option<RawResult> {
        let mut result = RawResult {
            success: None,
            score: None,
        };
        let mut seen = 0u32;
        self.object(|scan, key| match key {
            "success" => {
                first(&mut seen, 1)?;
                result.success = match scan.peek()? {
                    b't' => {
                        scan.literal(b"true")?;
                        Some(true)
                    }
                    b'f' => {
                        scan.literal(b"false")?;
                        Some(false)
                    }
                    _ => {
                        scan.literal(b"null")?;
                        None
                    }
                };
                Some(())
            }
            "score" => {
                first(&mut seen, 2)?;
                result.score = if scan.null() {
                    None
                } else {
                    Some(scan.score()?)
                };
                Some(())
            }
            _ => scan.skip(2),
        })?;
        Some(result)
    }

    fn score(&mut self) -> Option<RawScore> {
        let mut score = RawScore {
            scaled: None,
            raw: None,
            min: None,
            max: None,
        };
        let mut seen = 0u32;
        self.object(|scan, key| {
            let (bit, slot) = match key {
                "scaled" => (1, &mut score.scaled),
                "raw" => (2, &mut score.raw),
                "min" => (4, &mut score.min),
                "max" => (8, &mut score.max),
                _ => return scan.skip(3),
            };
            first(&mut seen, bit)?;
            *slot = scan.optional_number()?;
            Some(())
        })?;
        Some(score)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPACT: &str = r#"{"id":"00000001-0000-4000-8000-000000000001","actor":{"mbox":"mailto:learner1@example.org"},"verb":{"id":"http://adlnet.gov/expapi/verbs/scored"},"object":{"id":"https://content.example.org/items/7"},"result":{"score":{"raw":3,"min":0,"max":10}},"timestamp":"2026-09-01T08:00:01Z"}"#;
    const LRS: &str = r#"{"id":"00000001-0000-4000-8000-000000000001","actor":{"objectType":"Agent","name":"Learner 1","account":{"homePage":"https://lms.example.org","name":"learner-00001"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/passed","display":{"en-US":"passed"}},"object":{"objectType":"Activity","id":"https://content.example.org/items/7","definition":{"name":{"en-US":"Item 7"},"type":"http://adlnet.gov/expapi/activities/cmi.interaction","interactionType":"choice"}},"result":{"success":true,"score":{"scaled":0.9}},"context":{"registration":"ec531277-b57b-4c15-8d91-d292c5b2b8f7","contextActivities":{"parent":[{"id":"https://content.example.org/units/fractions"}]}},"timestamp":"2026-09-01T08:00:01.250+02:00","stored":"2026-09-01T08:00:01.400Z","authority":{"objectType":"Agent","account":{"homePage":"https://lrs.example.org","name":"client"}},"version":"1.0.3","extra":[1,-2.5e3,true,false,null,{},[]]}"#;

    /// When the direct reader gives a statement, serde gives the same one.
    fn agrees(json: &str) -> bool {
        let Some(fast) = statement(json) else {
            return false;
        };
        let slow: RawStatement<'_> = serde_json::from_str(json)
            .unwrap_or_else(|e| panic!("serde refuses what the direct reader read: {e}: {json}"));
        assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{json}");
        true
    }

    #[test]
    fn reads_what_serde_reads() {
        for json in [
            COMPACT,
            LRS,
            r#" { "actor" : { "openid" : "https://id.example.org/ada" } , "verb" : {"id":"x"} , "object" : {} , "id" : null , "result" : null , "context" : null , "timestamp" : null } "#,
            r#"{"actor":{"mbox_sha1sum":"ab","account":null},"verb":{"id":"v"},"object":{"id":null,"objectType":null},"result":{"success":null,"score":{"scaled":null,"raw":0.25,"min":0,"max":1.5}}}"#,
            r#"{"actor":{},"verb":{"id":"v","id2":1},"object":{"x":{"y":[{"z":[]}]}},"x":1,"x":2}"#,
        ] {
            assert!(agrees(json), "{json}");
        }
    }

    #[test]
    fn leaves_the_rest_to_serde() {
        for json in [
            // Escapes, raw control characters.
            &COMPACT.replace("learner1", "learner\\u0031"),
            &COMPACT.replace("learner1", "learner\t1"),
            // A duplicate property, a missing one, a wrong type.
            &COMPACT.replace(r#""verb""#, r#""actor":{},"verb""#),
            &COMPACT.replace(r#""verb""#, r#""verbs""#),
            &COMPACT.replace(r#""raw":3"#, r#""raw":"3""#),
            &COMPACT.replace(r#""raw":3"#, r#""raw":true"#),
            // Numbers every reader may not read alike, or not JSON at all.
            &COMPACT.replace(r#""raw":3"#, r#""raw":-3"#),
            &COMPACT.replace(r#""raw":3"#, r#""raw":3e0"#),
            &COMPACT.replace(r#""raw":3"#, r#""raw":03"#),
            &COMPACT.replace(r#""raw":3"#, r#""raw":3."#),
            &COMPACT.replace(r#""raw":3"#, r#""raw":3x"#),
            &COMPACT.replace(r#""raw":3"#, r#""raw":1234567890123456"#),
            // Trailing text, a trailing comma, an array, not JSON.
            &format!("{COMPACT} x"),
            &COMPACT.replace(r#""max":10}"#, r#""max":10,}"#),
            r#"[{"id":"x"}]"#,
            "",
            "{",
            &format!("{}{COMPACT}", "[".repeat(MAX_DEPTH as usize + 1)),
        ] {
            assert!(statement(json).is_none(), "{json}");
        }
    }

    #[test]
    fn quotes_are_found_where_memchr_finds_them() {
        let text: Vec<u8> = (0..200u32)
            .map(|i| {
                if i % 13 == 5 || i % 29 == 0 {
                    b'"'
                } else {
                    (i % 90) as u8 + 32
                }
            })
            .collect();
        for from in 0..=text.len() {
            let expected = memchr::memchr(b'"', &text[from..]).map(|p| from + p);
            assert_eq!(find_quote(&text, from), expected, "{from}");
        }
        assert_eq!(find_quote(b"abcdefghijklmnop", 0), None);
        assert_eq!(find_quote(b"abc", 7), None);
    }

    /// Every single-byte edit of two statements: the direct reader either
    /// gives up or agrees with serde.
    #[test]
    fn edits_never_disagree_with_serde() {
        let bytes = [
            b'"', b'{', b'}', b'[', b']', b',', b':', b'0', b'1', b'-', b'.', b'e', b'n', b't',
            b' ', b'x', b'\\',
        ];
        let mut read = 0;
        for json in [COMPACT, LRS] {
            for at in 0..json.len() {
                let mut edits = vec![format!("{}{}", &json[..at], &json[at + 1..])];
                for &b in &bytes {
                    let c = char::from(b);
                    edits.push(format!("{}{c}{}", &json[..at], &json[at + 1..]));
                    edits.push(format!("{}{c}{}", &json[..at], &json[at..]));
                }
                for edit in edits {
                    read += usize::from(agrees(&edit));
                }
            }
        }
        assert!(read > 1000, "{read}");
    }
}
