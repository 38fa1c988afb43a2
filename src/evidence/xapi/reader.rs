//! The reader: statements to evidence, skipped ones reported with their reason.

use std::io::{BufRead, Read};

use super::*;

/// Reads xAPI statements into evidence; remembers statement ids across reads
/// (see [the module docs](super)).
#[derive(Debug, Clone)]
pub struct XapiReader<'a> {
    pub(super) alignment: &'a Alignment,
    pub(super) source: Source,
    /// Statements that gave evidence (and voiding statements).
    pub(super) seen: HashSet<StatementId>,
    /// Statements voided, by the voiding statement's id.
    pub(super) voided: HashMap<StatementId, Option<StatementId>>,
}

impl<'a> XapiReader<'a> {
    /// A reader mapping activity IRIs through `alignment`.
    #[must_use]
    pub fn new(alignment: &'a Alignment) -> Self {
        XapiReader {
            alignment,
            source: Source::Practice,
            seen: HashSet::new(),
            voided: HashMap::new(),
        }
    }

    /// The source of the evidence made (default [`Source::Practice`]).
    #[must_use]
    pub fn source(mut self, source: Source) -> Self {
        self.source = source;
        self
    }

    /// Statement ids that gave evidence so far.
    #[must_use]
    pub fn seen(&self) -> usize {
        self.seen.len()
    }

    /// Reads JSON lines: one statement per line; blank lines are skipped, a
    /// line that is not a statement is listed with its line number.
    pub fn read_json_lines_str(&mut self, text: &str) -> XapiBatch {
        let mut batch = Batch::default();
        let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1;
        batch.evidence.reserve(lines);
        self.seen.reserve(lines);
        let mut index = 0;
        for (n, line) in text.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim_ascii().is_empty() {
                continue;
            }
            self.statement(&mut batch, index, Some(n as u64 + 1), line);
            index += 1;
        }
        batch.finish()
    }

    /// Reads a JSON array of statements (what an LRS's `statements` resource
    /// returns in its `statements` member).
    ///
    /// # Errors
    /// [`Error::Json`] naming `name` if the text is not a JSON array; a member
    /// that is not a statement is listed in [`XapiBatch::skipped`] instead.
    pub fn read_array_str(&mut self, name: &str, json: &str) -> Result<XapiBatch> {
        let members: Vec<&serde_json::value::RawValue> =
            serde_json::from_str(json).map_err(|source| Error::Json {
                what: format!("xAPI statements {name}"),
                source,
            })?;
        let mut batch = Batch::default();
        batch.evidence.reserve(members.len());
        self.seen.reserve(members.len());
        for (index, member) in members.iter().enumerate() {
            self.statement(&mut batch, index, None, member.get());
        }
        Ok(batch.finish())
    }

    /// Reads JSON lines from a stream, one line at a time: memory holds one
    /// line (at most [`MAX_LINE_BYTES`](crate::MAX_LINE_BYTES)) besides the
    /// evidence made. A line that is not UTF-8 or not a statement is listed
    /// in [`XapiBatch::skipped`] with its line number.
    ///
    /// ```
    /// use mastery::evidence::xapi::{Alignment, XapiReader};
    ///
    /// let alignment = Alignment::new().standard("https://example.org/items/1", "3.NF.A.1");
    /// let lines = "{\"actor\":{\"mbox\":\"mailto:ada@example.org\"},\"verb\":{\"id\":\"http://adlnet.gov/expapi/verbs/passed\"},\"object\":{\"id\":\"https://example.org/items/1\"},\"timestamp\":\"2026-09-01T10:00:00Z\"}\n\n\u{ff}oops\n";
    /// let batch = XapiReader::new(&alignment).read_json_lines("log.jsonl", lines.as_bytes())?;
    /// assert_eq!((batch.evidence.len(), batch.skipped[0].line), (1, Some(3)));
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Io`] if reading fails, [`Error::InputTooLarge`] past
    /// [`MAX_LINE_BYTES`](crate::MAX_LINE_BYTES) on one line or
    /// [`MAX_INPUT_BYTES`](crate::MAX_INPUT_BYTES) in all.
    pub fn read_json_lines(&mut self, name: &str, reader: impl std::io::Read) -> Result<XapiBatch> {
        let file: std::sync::Arc<str> = name.into();
        let mut reader = std::io::BufReader::new(crate::io::Capped::lines(reader));
        let mut buf = Vec::new();
        let mut batch = Batch::default();
        let (mut index, mut number) = (0usize, 0u64);
        loop {
            buf.clear();
            let read = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| crate::io::io_error(&file, e))?;
            if read == 0 {
                break;
            }
            number += 1;
            let mut line: &[u8] = &buf;
            if number == 1 {
                line = crate::io::strip_bom(line);
            }
            let line = line.strip_suffix(b"\n").unwrap_or(line);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.trim_ascii().is_empty() {
                continue;
            }
            match std::str::from_utf8(line) {
                Ok(text) => self.statement(&mut batch, index, Some(number), text),
                Err(_) => {
                    batch.statements += 1;
                    let reason = SkipReason::Malformed("the line is not valid UTF-8".into());
                    batch.skip(index, Some(number), None, reason);
                }
            }
            index += 1;
        }
        Ok(batch.finish())
    }

    /// Reads a file of either form, as [`XapiReader::read`].
    ///
    /// # Errors
    /// As [`XapiReader::read`], and [`Error::Io`] if the file cannot be opened.
    pub fn read_path(&mut self, path: impl AsRef<Path>) -> Result<XapiBatch> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|source| Error::Io {
            file: name.as_str().into(),
            source,
        })?;
        self.read(&name, file)
    }

    /// Reads a stream of either form: a JSON array if the first non-blank
    /// character (in the first 8 KiB) is `[`, read whole (at most
    /// [`MAX_INPUT_BYTES`](crate::MAX_INPUT_BYTES)); else JSON lines, read one
    /// line at a time ([`XapiReader::read_json_lines`]).
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::InputTooLarge`], [`Error::InvalidUtf8`] for an
    /// array that is not UTF-8, or as [`XapiReader::read_array_str`].
    pub fn read(&mut self, name: &str, reader: impl std::io::Read) -> Result<XapiBatch> {
        let file: std::sync::Arc<str> = name.into();
        let mut reader = std::io::BufReader::new(reader);
        let head = reader
            .fill_buf()
            .map_err(|e| crate::io::io_error(&file, e))?;
        let first = crate::io::strip_bom(head)
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .copied();
        if first != Some(b'[') {
            return self.read_json_lines(name, reader);
        }
        let mut bytes = Vec::new();
        crate::io::Capped::whole(reader)
            .read_to_end(&mut bytes)
            .map_err(|e| crate::io::io_error(&file, e))?;
        let text =
            std::str::from_utf8(crate::io::strip_bom(&bytes)).map_err(|_| Error::InvalidUtf8 {
                at: crate::Location::new(Some(file.clone()), None),
            })?;
        self.read_array_str(name, text)
    }

    pub(super) fn statement(
        &mut self,
        batch: &mut Batch,
        index: usize,
        line: Option<u64>,
        json: &str,
    ) {
        batch.statements += 1;
        // The direct reader, else serde (which also says what is wrong).
        let mut raw = RawStatement::empty();
        let read = if fast::read(json, &mut raw) {
            Ok(())
        } else {
            serde_json::from_str(json).map(|slow| raw = slow)
        };
        if let Err(e) = read {
            let id = serde_json::from_str::<RawId<'_>>(json)
                .ok()
                .and_then(|r| r.id);
            let id = id.map(|id| crate::curriculum::shown_id(&id));
            batch.skip(index, line, id, SkipReason::Malformed(e.to_string()));
            return;
        }
        let skip = |batch: &mut Batch, reason| {
            let id = raw.id.as_deref().map(crate::curriculum::shown_id);
            batch.skip(index, line, id, reason);
        };
        let id = match raw.id.as_deref().map(StatementId::parse) {
            None => None,
            Some(Some(id)) => Some(id),
            Some(None) => return skip(batch, SkipReason::BadStatementId),
        };
        if id.is_some_and(|id| self.seen.contains(&id)) {
            return skip(batch, SkipReason::Duplicate);
        }
        let Some(verb) = verb(&raw.verb.id) else {
            *batch
                .ignored_verbs
                .entry(raw.verb.id.into_owned())
                .or_insert(0) += 1;
            return;
        };
        if verb == Verb::Voided {
            return self.void(batch, index, line, id, &raw);
        }
        if let Some(&by) = id.and_then(|id| self.voided.get(&id)) {
            return skip(batch, SkipReason::Voided { by });
        }
        let learner = match learner_id(&raw.actor) {
            Ok(learner) => learner,
            Err(reason) => return skip(batch, SkipReason::UnsupportedActor(reason.into())),
        };
        let target = match self.target(&raw) {
            Ok(target) => target,
            Err(reason) => return skip(batch, reason),
        };
        let outcome = match outcome(verb, raw.result.as_ref()) {
            Ok(outcome) => outcome,
            Err(reason) => return skip(batch, reason),
        };
        let Some(time) = raw.timestamp.as_deref().or(raw.stored.as_deref()) else {
            return skip(
                batch,
                SkipReason::BadTimestamp("no timestamp or stored".into()),
            );
        };
        let timestamp = match parse_timestamp(time) {
            Ok(t) => t,
            Err(why) => {
                let shown = crate::curriculum::shown_id(time);
                return skip(batch, SkipReason::BadTimestamp(format!("{shown:?}: {why}")));
            }
        };
        match Evidence::new(learner, target.clone(), outcome, timestamp) {
            Ok(evidence) => {
                if let Some(id) = id {
                    self.seen.insert(id);
                }
                batch.evidence.push(XapiEvidence {
                    index,
                    statement_id: id,
                    evidence: evidence.with_source(self.source),
                });
            }
            Err(e) => skip(batch, SkipReason::InvalidEvidence(e.to_string())),
        }
    }

    /// A voiding statement: its object is a `StatementRef` to the voided id.
    pub(super) fn void(
        &mut self,
        batch: &mut Batch,
        index: usize,
        line: Option<u64>,
        id: Option<StatementId>,
        raw: &RawStatement<'_>,
    ) {
        let target = raw
            .object
            .id
            .as_deref()
            .filter(|_| raw.object.object_type.as_deref() == Some("StatementRef"))
            .and_then(StatementId::parse);
        let Some(target) = target else {
            let shown = raw.id.as_deref().map(crate::curriculum::shown_id);
            let reason = "a voiding statement's object must be a StatementRef with a UUID id";
            batch.skip(index, line, shown, SkipReason::Malformed(reason.into()));
            return;
        };
        batch.voiding += 1;
        if let Some(id) = id {
            self.seen.insert(id);
        }
        self.voided.insert(target, id);
        if self.seen.contains(&target) {
            // Given out in this read or an earlier one: `finish` tells which.
            batch.voided_seen.insert(target, id);
        }
    }

    pub(super) fn target(&self, raw: &RawStatement<'_>) -> std::result::Result<Target, SkipReason> {
        let object_id = raw.object.id.as_deref();
        let is_activity = matches!(raw.object.object_type.as_deref(), None | Some("Activity"));
        if let Some(t) = object_id
            .filter(|_| is_activity)
            .and_then(|iri| self.alignment.get(iri))
        {
            return Ok(t.clone());
        }
        let context = raw
            .context
            .and_then(|c| serde_json::from_str::<RawContext<'_>>(c.get()).ok());
        if let Some(activities) = context.as_ref().and_then(|c| c.context_activities.as_ref()) {
            let lists = [
                &activities.parent,
                &activities.grouping,
                &activities.category,
                &activities.other,
            ];
            for a in lists.into_iter().flatten() {
                if let Some(t) = self.alignment.get(&a.id) {
                    return Ok(t.clone());
                }
            }
        }
        Err(SkipReason::UnknownObject(match (object_id, is_activity) {
            (Some(iri), true) => crate::curriculum::shown_id(iri),
            _ => format!(
                "an object of type {}",
                raw.object.object_type.as_deref().unwrap_or("?")
            ),
        }))
    }
}

/// The learner id of an actor (see [`Actor::learner_id`]).
pub(super) fn learner_id(actor: &RawActor<'_>) -> std::result::Result<String, &'static str> {
    if actor.object_type.as_deref() == Some("Group") {
        return Err("a Group is not one learner");
    }
    let ifis = usize::from(actor.mbox.is_some())
        + usize::from(actor.mbox_sha1sum.is_some())
        + usize::from(actor.openid.is_some())
        + usize::from(actor.account.is_some());
    if ifis != 1 {
        return Err(if ifis == 0 {
            "no mbox, mbox_sha1sum, openid or account"
        } else {
            "more than one of mbox, mbox_sha1sum, openid and account"
        });
    }
    if let Some(mbox) = &actor.mbox {
        if !mbox.starts_with("mailto:") {
            return Err("an mbox must start with mailto:");
        }
        return Ok(mbox.clone().into_owned());
    }
    if let Some(sha1) = &actor.mbox_sha1sum {
        return Ok(format!("sha1:{sha1}"));
    }
    if let Some(openid) = &actor.openid {
        return Ok(openid.clone().into_owned());
    }
    match &actor.account {
        Some(account) => Ok(format!("{}|{}", account.home_page, account.name)),
        None => Err("no identifier"),
    }
}

pub(super) fn outcome(
    verb: Verb,
    result: Option<&RawResult>,
) -> std::result::Result<Outcome, SkipReason> {
    if let Some(score) = result.and_then(|r| r.score.as_ref()) {
        if let Some(scaled) = score.scaled {
            return Outcome::score(scaled)
                .map_err(|_| SkipReason::BadScore(format!("scaled {scaled} is not in [0, 1]")));
        }
        if let Some(raw) = score.raw {
            let (Some(min), Some(max)) = (score.min, score.max) else {
                return Err(SkipReason::BadScore(format!(
                    "raw {raw} without min and max"
                )));
            };
            if !(min < max && min <= raw && raw <= max) {
                return Err(SkipReason::BadScore(format!(
                    "raw {raw} not within min {min} and max {max}"
                )));
            }
            return Outcome::score((raw - min) / (max - min))
                .map_err(|_| SkipReason::BadScore(format!("raw {raw} of {min} to {max}")));
        }
    }
    if let Some(success) = result.and_then(|r| r.success) {
        return Ok(Outcome::from_correct(success));
    }
    match verb {
        Verb::Passed | Verb::Mastered => Ok(Outcome::Correct),
        Verb::Failed => Ok(Outcome::Incorrect),
        _ => Err(SkipReason::NoOutcome),
    }
}

/// A batch being read.
#[derive(Default)]
pub(super) struct Batch {
    pub(super) statements: usize,
    pub(super) evidence: Vec<XapiEvidence>,
    pub(super) skipped: Vec<Skipped>,
    pub(super) ignored_verbs: BTreeMap<String, usize>,
    pub(super) voiding: usize,
    /// Statements that had given evidence when a voiding statement of this
    /// read voided them, with the voiding statement's id.
    pub(super) voided_seen: HashMap<StatementId, Option<StatementId>>,
}

impl Batch {
    pub(super) fn skip(
        &mut self,
        index: usize,
        line: Option<u64>,
        id: Option<String>,
        reason: SkipReason,
    ) {
        self.skipped.push(Skipped {
            index,
            line,
            statement_id: id,
            reason,
        });
    }

    pub(super) fn finish(mut self) -> XapiBatch {
        let mut voided_earlier = Vec::new();
        if !self.voided_seen.is_empty() {
            let mut kept = Vec::with_capacity(self.evidence.len());
            for e in self.evidence {
                match e.statement_id.and_then(|id| self.voided_seen.remove(&id)) {
                    Some(by) => self.skipped.push(Skipped {
                        index: e.index,
                        line: None,
                        statement_id: e.statement_id.map(|id| id.to_string()),
                        reason: SkipReason::Voided { by },
                    }),
                    None => kept.push(e),
                }
            }
            self.evidence = kept;
            self.skipped.sort_by_key(|s| s.index);
            // The rest gave evidence in an earlier read.
            voided_earlier.extend(self.voided_seen.into_keys());
            voided_earlier.sort_unstable();
        }
        XapiBatch {
            statements: self.statements,
            evidence: self.evidence,
            skipped: self.skipped,
            ignored_verbs: self.ignored_verbs,
            voiding: self.voiding,
            voided_earlier,
        }
    }
}
