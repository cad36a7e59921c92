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
        // Section by section: finding each question's section anew would
        // compare every key with every other, for every submission.
        for section in &survey.sections {
            for question in &section.questions {
                if self.0.contains_key(&question.key)
                    && !section
                        .conditions_of(question)
                        .iter()
                        .all(|condition| self.meet(condition))
                {
                    self.0.remove(&question.key);
                }
            }
        }
    }

    /// Canonical JSON text: what is stored and compared for replays. The
    /// keys in the map's (sorted) order, written as they are read: no
    /// intermediate JSON object.
    pub fn to_json_text(&self) -> String {
        struct Canonical<'a>(&'a Answers);
        impl serde::Serialize for Canonical<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_map(self.0 .0.iter().map(|(k, v)| (k, v.to_json())))
            }
        }
        serde_json::to_string(&Canonical(self)).expect("answers always serialise")
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Stored answers are compared byte for byte with a replay's, so their
    /// text must not change from one release to the next.
    #[test]
    fn stored_text_keeps_its_form() {
        let mut answers = Answers::default();
        for (key, answer) in [
            ("G2", Answer::Choice("maybe".into())),
            ("A1", Answer::Score(Score::new(4, (1, 5)).unwrap())),
            ("C6", Answer::NotApplicable),
            ("AGE", Answer::Choices(vec!["b".into(), "a\"q".into()])),
            ("G1", Answer::Percent(80)),
            ("INSURED", Answer::YesNo(true)),
            ("Ý", Answer::Choice("Chờ lâu".into())),
        ] {
            answers.0.insert(key.to_string(), answer);
        }
        assert_eq!(
            answers.to_json_text(),
            r#"{"A1":4,"AGE":["b","a\"q"],"C6":"na","G1":80,"G2":"maybe","INSURED":true,"Ý":"Chờ lâu"}"#
        );
    }
}
