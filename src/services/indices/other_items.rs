//! Items that are not ratings — single and multiple choice, yes/no,
//! percent — estimated as statistics.md says: each option's share of those
//! who answered (a domain proportion), a percent item's mean. And the
//! Ministry of Health's mean scores of a section and of the whole form.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::definitions::{Question, QuestionKind, Survey};
use crate::stats::sums::{self as cell_sums, CellSums, OtherSums, Strata};
use crate::stats::{Estimate, Layout, StatsConfig};

/// The questions estimated here, in questionnaire order.
pub fn questions(survey: &Survey) -> impl Iterator<Item = &Question> {
    survey
        .questions()
        .filter(|q| !matches!(q.kind, QuestionKind::Likert | QuestionKind::Text))
}

/// The options whose shares `question` has: a choice's options, yes and
/// no; none for a percent item.
pub fn option_keys(question: &Question) -> Vec<&str> {
    match question.kind {
        QuestionKind::YesNo => vec!["yes", "no"],
        QuestionKind::Single | QuestionKind::Multi => {
            question.options.iter().map(|o| o.key.as_str()).collect()
        }
        _ => Vec::new(),
    }
}

/// Adds one respondent's answers to `questions` (as [`push_answers`] gives
/// them) to the sums of each.
pub fn add_answers(questions: &[&Question], answers: &[Option<Value>], sums: &mut [OtherSums]) {
    for ((question, answer), sums) in questions.iter().zip(answers).zip(sums) {
        let answered = f64::from(u8::from(answer.is_some()));
        sums.answered += u64::from(answer.is_some());
        for (option, share) in option_keys(question).into_iter().zip(&mut sums.options) {
            let chose = answer.as_ref().is_some_and(|a| picked(a, option));
            share.add(f64::from(u8::from(chose)), answered);
        }
        if question.kind == QuestionKind::Percent {
            let value = answer.as_ref().and_then(Value::as_f64);
            sums.value
                .add(value.unwrap_or(0.0), f64::from(u8::from(value.is_some())));
        }
    }
}

/// Every item of [`questions`] from the sums of each stratum (`sums[h]`
/// for stratum h of `strata`).
pub fn estimate_from_sums(
    survey: &Survey,
    sums: &[CellSums],
    strata: &Strata,
    config: &StatsConfig,
) -> Vec<OtherItemEstimates> {
    questions(survey)
        .enumerate()
        .map(|(i, question)| OtherItemEstimates {
            key: question.key.clone(),
            answered: sums.iter().map(|s| s.others[i].answered as usize).sum(),
            options: option_keys(question)
                .into_iter()
                .enumerate()
                .map(|(o, option)| OptionShare {
                    key: option.to_string(),
                    share: cell_sums::option_share(sums, i, o, strata, config),
                })
                .collect(),
            mean: (question.kind == QuestionKind::Percent)
                .then(|| cell_sums::value_mean(sums, i, strata, config)),
        })
        .collect()
}

/// Appends one respondent's answers to [`questions`] of `current`, from
/// the answers JSON of a response to an earlier version: an answer counts
/// only under the current item of the same series, `earlier_keys` being
/// `current.earlier_keys(&earlier)`.
pub fn push_answers(
    current: &Survey,
    earlier_keys: &HashMap<&str, &str>,
    answers_json: &str,
    out: &mut Vec<Option<Value>>,
) {
    let mut answers: Map<String, Value> = serde_json::from_str(answers_json).unwrap_or_default();
    out.extend(questions(current).map(|q| {
        earlier_keys
            .get(q.key.as_str())
            .and_then(|earlier| answers.remove(*earlier))
            .filter(|v| !v.is_null())
    }));
}

/// One option's share among those who answered the item.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionShare {
    pub key: String,
    pub share: Estimate,
}

/// The estimates of one item that is not a rating.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherItemEstimates {
    pub key: String,
    /// Respondents who answered it.
    pub answered: usize,
    /// Choice and yes/no items: each option (yes/no: `yes`, `no`).
    pub options: Vec<OptionShare>,
    /// Percent items: the mean.
    pub mean: Option<Estimate>,
}

impl OtherItemEstimates {
    pub fn withheld(&self) -> OtherItemEstimates {
        OtherItemEstimates {
            key: self.key.clone(),
            answered: self.answered,
            options: self
                .options
                .iter()
                .map(|o| OptionShare {
                    key: o.key.clone(),
                    share: o.share.withheld(),
                })
                .collect(),
            mean: self.mean.as_ref().map(Estimate::withheld),
        }
    }
}

/// Whether an answer picked `option` (a single choice, one of a multiple
/// choice, or yes/no as "yes"/"no").
fn picked(answer: &Value, option: &str) -> bool {
    match answer {
        Value::String(chosen) => chosen == option,
        Value::Array(chosen) => chosen.iter().any(|c| c.as_str() == Some(option)),
        Value::Bool(yes) => option == if *yes { "yes" } else { "no" },
        _ => false,
    }
}

/// Mean scores on the 1–5 scale, as the Ministry of Health publishes them.
#[derive(Debug, Clone, PartialEq)]
pub struct MeanScores {
    /// Over every item of the overall index ("điểm trung bình chung").
    pub overall: Estimate,
    /// Per element, in element order ("điểm trung bình theo từng phần").
    pub elements: Vec<Estimate>,
}

impl MeanScores {
    /// From the sums of each stratum.
    pub fn from_sums(
        sums: &[CellSums],
        layout: &Layout,
        strata: &Strata,
        config: &StatsConfig,
    ) -> MeanScores {
        let elements = layout.elements_in_overall.len();
        MeanScores {
            overall: cell_sums::mean_score(sums, elements, strata, config),
            elements: (0..elements)
                .map(|e| cell_sums::mean_score(sums, e, strata, config))
                .collect(),
        }
    }

    pub fn withheld(&self) -> MeanScores {
        MeanScores {
            overall: self.overall.withheld(),
            elements: self.elements.iter().map(Estimate::withheld).collect(),
        }
    }
}
