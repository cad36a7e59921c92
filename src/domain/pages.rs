//! The questionnaire one section per screen: which sections are shown,
//! given the answers so far, and how a screen's answers join the draft.

use std::collections::HashMap;

use crate::definitions::{Condition, QuestionKind, Section, Survey};

/// Form fields as sent: name → values (a checkbox group sends several).
pub type FormValues = HashMap<String, Vec<String>>;

/// Whether the answers in `values` meet `condition`: a choice among the
/// listed ones, a yes/no as listed (forms send 1 and 0).
pub fn meets(survey: &Survey, values: &FormValues, condition: &Condition) -> bool {
    condition.iter().all(|(key, allowed)| {
        let yes_no = survey
            .question(key)
            .is_some_and(|q| q.kind == QuestionKind::YesNo);
        values
            .get(key)
            .into_iter()
            .flatten()
            .flat_map(|v| v.split(';'))
            .map(|v| match (yes_no, v) {
                (true, "1" | "true") => "yes",
                (true, "0" | "false") => "no",
                (_, other) => other,
            })
            .any(|v| allowed.iter().any(|a| a == v))
    })
}

/// The sections shown, in order: a section whose condition the answers so
/// far do not meet is skipped (conditions name earlier items only).
pub fn shown_sections<'a>(survey: &'a Survey, values: &FormValues) -> Vec<&'a Section> {
    // An answer in a skipped section no longer counts: a later section that
    // depends on it is skipped too, however it was answered before.
    let mut effective = values.clone();
    let mut shown = Vec::new();
    for section in &survey.sections {
        if section
            .show_if
            .as_ref()
            .is_none_or(|c| meets(survey, &effective, c))
        {
            shown.push(section);
        } else {
            for question in &section.questions {
                effective.remove(&question.key);
            }
        }
    }
    shown
}

/// The field names a screen of `section` sends, the service point on the
/// first screen.
pub fn fields_of(section: &Section, first: bool) -> Vec<String> {
    let mut fields: Vec<String> = section.questions.iter().map(|q| q.key.clone()).collect();
    if first {
        fields.push("unit".into());
    }
    fields
}

/// Replaces in `draft` every field of the screen by what it sent: a field
/// the screen shows but did not send (an unticked box, a cleared choice)
/// is no longer answered.
pub fn merge_screen(draft: &mut FormValues, sent: &FormValues, fields: &[String]) {
    for field in fields {
        match sent.get(field) {
            Some(values) => draft.insert(field.clone(), values.clone()),
            None => draft.remove(field),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> FormValues {
        let mut map = FormValues::new();
        for (k, v) in pairs {
            map.entry(k.to_string()).or_default().push(v.to_string());
        }
        map
    }

    #[test]
    fn a_screen_replaces_its_own_fields_only() {
        let mut draft = values(&[
            ("A1", "4"),
            ("EXPECT", "online"),
            ("EXPECT", "fast"),
            ("B1", "2"),
        ]);
        let sent = values(&[("A1", "5"), ("A2", "3")]);
        let fields: Vec<String> = ["A1", "A2", "EXPECT"].map(String::from).to_vec();
        merge_screen(&mut draft, &sent, &fields);
        assert_eq!(draft, values(&[("A1", "5"), ("A2", "3"), ("B1", "2")]));
    }
}
