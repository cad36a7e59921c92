use std::collections::BTreeMap;

use serde_json::Value;

use crate::definitions::{Condition, Survey};

/// The points of a rated answer: 1 (very dissatisfied) to 5 (very
/// satisfied) on the usual scale, or a point of the item's own scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Score(u8);

impl Score {
    /// `value` if it is a point of the scale `lowest..=highest`.
    pub fn new(value: i64, (lowest, highest): (u8, u8)) -> Option<Score> {
        (i64::from(lowest)..=i64::from(highest))
            .contains(&value)
            .then_some(Score(value as u8))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// One validated answer. A question that was skipped has no entry at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Score(Score),
    /// "Not applicable / did not use": recorded, but not an answer for the
    /// indices, so it leaves the denominator.
    NotApplicable,
    Choice(String),
    Choices(Vec<String>),
    Percent(u8),
    YesNo(bool),
}

impl Answer {
    /// The JSON form used by the API and by storage.
    pub fn to_json(&self) -> Value {
        match self {
            Answer::Score(s) => Value::from(s.get()),
            Answer::NotApplicable => Value::from("na"),
            Answer::Choice(key) => Value::from(key.as_str()),
            Answer::Choices(keys) => Value::from(keys.clone()),
            Answer::Percent(p) => Value::from(*p),
            Answer::YesNo(b) => Value::from(*b),
        }
    }

    /// The form used in CSV files (paper import and microdata exports).
    pub fn to_csv_field(&self) -> String {
        match self {
            Answer::Score(s) => s.get().to_string(),
            Answer::NotApplicable => "NA".to_string(),
            Answer::Choice(key) => key.clone(),
            Answer::Choices(keys) => keys.join(";"),
            Answer::Percent(p) => p.to_string(),
            Answer::YesNo(b) => if *b { "1" } else { "0" }.to_string(),
        }
    }
}

/// Answers by question key, kept sorted so equal answers serialise equally.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answers(pub BTreeMap<String, Answer>);

impl Answers {
    pub fn get(&self, key: &str) -> Option<&Answer> {
        self.0.get(key)
    }

    /// Whether these answers meet `condition`: every named item answered
    /// with one of the listed answers (see [`Condition`]).
    pub fn meet(&self, condition: &Condition) -> bool {
        condition.iter().all(|(key, allowed)| {
            let listed = |answer: &str| allowed.iter().any(|a| a == answer);
            match self.0.get(key) {
                Some(Answer::Choice(chosen)) => listed(chosen),
                Some(Answer::Choices(chosen)) => chosen.iter().any(|c| listed(c)),
                Some(Answer::YesNo(yes)) => listed(if *yes { "yes" } else { "no" }),
                _ => false,
            }
        })
    }

    /// Removes the answers to items `survey` did not ask, given the other
    /// answers: an item is asked when its section's and its own conditions
    /// are met. Conditions name earlier items only, so one pass in
    /// questionnaire order settles chains of conditions.
    pub fn drop_unasked(&mut self, survey: &Survey) {
        for question in survey.questions() {
            if self.0.contains_key(&question.key)
                && !survey
                    .conditions_of(question)
                    .iter()
                    .all(|condition| self.meet(condition))
            {
                self.0.remove(&question.key);
            }
        }
    }

    /// Canonical JSON text: what is stored and compared for replays.
    pub fn to_json_text(&self) -> String {
        let map: serde_json::Map<String, Value> = self
            .0
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect();
        Value::Object(map).to_string()
    }

    /// One character per Likert item of `survey`, in definition order:
    /// `1`–`5` a score, `N` not applicable, `-` skipped. Stored beside the
    /// JSON so index computations read a few bytes per response instead of
    /// parsing JSON.
    pub fn likert_code(&self, survey: &Survey) -> String {
        survey
            .likert_items()
            .map(|q| match self.0.get(&q.key) {
                Some(Answer::Score(s)) => char::from(b'0' + q.scale_position(s.get())),
                Some(Answer::NotApplicable) => 'N',
                _ => '-',
            })
            .collect()
    }

    /// Whether at least one Likert item has a real score (1–5).
    pub fn has_scored_likert(&self) -> bool {
        self.0.values().any(|a| matches!(a, Answer::Score(_)))
    }
}
