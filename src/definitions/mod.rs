//! `survey-definitions/` files -> validated, content-hashed values.
//!
//! Layout of the directory:
//! - `departments.toml` — the bodies, their stable codes and dated renamings;
//! - `units.toml` — the service points where citizens are served;
//! - `surveys/<slug>.toml` — one questionnaire each;
//! - `fragments/<name>.toml` — sections shared by several questionnaires,
//!   pulled in with `[[sections]] include = "<name>"`.
//!
//! Every fault is reported with its file and the path inside it, and loading
//! collects all faults instead of stopping at the first.

mod calendar;
mod model;
mod raw;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use crate::i18n::Lang;

pub use calendar::WorkingCalendar;
pub use model::*;
use raw::{RawDepartments, RawFragment, RawQuestion, RawSection, RawSurvey, RawUnits};

/// One thing wrong in a definition file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub file: String,
    pub path: String,
    pub message: String,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.path, self.message)
        }
    }
}

/// All faults found in a definitions directory.
#[derive(Debug, thiserror::Error)]
pub struct Faults(pub Vec<Fault>);

impl fmt::Display for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, fault) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{fault}")?;
        }
        Ok(())
    }
}

/// The validated contents of a definitions directory.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub departments: Vec<Department>,
    pub units: Vec<Unit>,
    /// The current version of every questionnaire, in slug order.
    pub surveys: Vec<Arc<SurveyVersion>>,
    /// Who runs the service.
    pub site: Site,
}

impl Catalog {
    pub fn department(&self, code: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.code == code)
    }

    pub fn unit(&self, code: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.code == code)
    }

    pub fn units_of<'a>(&'a self, department: &'a str) -> impl Iterator<Item = &'a Unit> + 'a {
        self.units
            .iter()
            .filter(move |u| u.department == department)
    }

    /// Figures from before and after the 2025 province merger mix service
    /// points of two provinces: said in words when `from..=to` spans the
    /// merger and the department has service points of the former province.
    pub fn merger_note(
        &self,
        department: &str,
        from: Option<NaiveDate>,
        to: NaiveDate,
        lang: Lang,
    ) -> Option<String> {
        let merger = province_merger();
        if !from.is_some_and(|from| from < merger && to >= merger) {
            return None;
        }
        let former: Vec<&str> = self
            .units_of(department)
            .filter(|u| u.former_province.is_some())
            .map(|u| u.name.get(lang))
            .collect();
        if former.is_empty() {
            return None;
        }
        Some(format!(
            "{} {}. {}",
            lang.pick(
                "Số liệu đi qua ngày hợp nhất tỉnh (01/07/2025): trước ngày này, các nơi phục vụ sau thuộc tỉnh Kiên Giang cũ:",
                "These figures span the province merger (1 July 2025); before it, these service points belonged to the former Kiên Giang province:"
            ),
            former.join("; "),
            lang.pick(
                "So sánh trước và sau ngày này cần thận trọng.",
                "Compare before and after it with care."
            )
        ))
    }

    pub fn survey(&self, slug: &str) -> Option<&Arc<SurveyVersion>> {
        self.surveys.iter().find(|s| s.survey.slug == slug)
    }
}

struct Collector {
    faults: Vec<Fault>,
}

impl Collector {
    fn push(&mut self, file: &str, path: impl Into<String>, message: impl Into<String>) {
        self.faults.push(Fault {
            file: file.to_string(),
            path: path.into(),
            message: message.into(),
        });
    }
}

/// Field names the citizen form and the API use for themselves, which no
/// question may take.
const RESERVED_KEYS: [&str; 11] = [
    "id", "version", "lang", "unit", "code", "go", "page", "section", "kiosk", "idle", "answers",
];

/// Loads and validates the whole directory.
pub fn load(dir: &Path) -> Result<Catalog, Faults> {
    let mut faults = Collector { faults: Vec::new() };
    // When departments.toml itself is unreadable, references to departments
    // are not checked: one fault there, not one per unit and survey.
    let departments = read_toml::<RawDepartments>(dir, "departments.toml", &mut faults)
        .map(|raw| validate_departments(raw, &mut faults));
    let units = read_toml::<RawUnits>(dir, "units.toml", &mut faults)
        .map(|raw| validate_units(raw, departments.as_deref(), &mut faults))
        .unwrap_or_default();

    // Named answer scales, optional.
    let mut scales = HashMap::new();
    if dir.join("scales.toml").is_file() {
        if let Some(raw) = read_toml::<raw::RawScales>(dir, "scales.toml", &mut faults) {
            for (i, named) in raw.scales.into_iter().enumerate() {
                let scale = Scale {
                    points: named.points,
                    satisfied_from: named.satisfied_from,
                };
                let path = format!("scales[{i}]");
                if !is_key(&named.key) {
                    faults.push(
                        "scales.toml",
                        format!("{path}.key"),
                        format!("\"{}\" is not a key", named.key),
                    );
                }
                check_scale(&scale, "scales.toml", &path, &mut faults);
                if scales.insert(named.key.clone(), scale).is_some() {
                    faults.push(
                        "scales.toml",
                        format!("{path}.key"),
                        format!("duplicate scale \"{}\"", named.key),
                    );
                }
            }
        }
    }

    // Who runs the service, optional.
    let site = if dir.join("site.toml").is_file() {
        read_toml::<raw::RawSite>(dir, "site.toml", &mut faults).map(|raw| {
            check_localized(&raw.authority, "site.toml", "authority", &mut faults);
            check_localized(&raw.contact, "site.toml", "contact", &mut faults);
            let feedback = raw
                .feedback
                .map(|f| feedback_settings(f, &mut faults))
                .unwrap_or_default();
            Site {
                authority: raw.authority,
                contact: raw.contact,
                feedback,
            }
        })
    } else {
        None
    };

    let mut fragments = HashMap::new();
    for (name, file) in toml_files(&dir.join("fragments"), "fragments", &mut faults) {
        if let Some(fragment) = read_toml::<RawFragment>(dir, &file, &mut faults) {
            fragments.insert(name, (file, fragment));
        }
    }

    let mut surveys = Vec::new();
    let survey_files = toml_files(&dir.join("surveys"), "surveys", &mut faults);
    if survey_files.is_empty() && dir.join("surveys").is_dir() {
        faults.push("surveys", "", "no questionnaire (*.toml) found");
    }
    for (slug, file) in survey_files {
        if let Some(raw) = read_toml::<RawSurvey>(dir, &file, &mut faults) {
            if let Some(survey) = validate_survey(
                &slug,
                &file,
                raw,
                &fragments,
                &scales,
                departments.as_deref(),
                &mut faults,
            ) {
                surveys.push(Arc::new(SurveyVersion::new(survey)));
            }
        }
    }

    if faults.faults.is_empty() {
        Ok(Catalog {
            departments: departments.unwrap_or_default(),
            units,
            surveys,
            site: site.unwrap_or_default(),
        })
    } else {
        Err(Faults(faults.faults))
    }
}

/// The `[feedback]` table of `site.toml`; what it leaves out keeps its
/// default.
fn feedback_settings(raw: raw::RawFeedbackSettings, faults: &mut Collector) -> FeedbackSettings {
    const FILE: &str = "site.toml";
    let mut settings = FeedbackSettings::default();
    if let Some(days) = raw.target_working_days {
        if !(1..=120).contains(&days) {
            faults.push(
                FILE,
                "feedback.target_working_days",
                "must be between 1 and 120 working days",
            );
        }
        settings.target_working_days = days;
    }
    for (i, day) in raw.makeup_days.iter().enumerate() {
        if !matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
            faults.push(
                FILE,
                format!("feedback.makeup_days[{i}]"),
                format!("{day} is not a Saturday or Sunday"),
            );
        }
    }
    settings.calendar = WorkingCalendar {
        holidays: raw.holidays.into_iter().collect(),
        makeup_days: raw.makeup_days.into_iter().collect(),
    };
    if let Some(topics) = raw.topics {
        let mut seen = HashSet::new();
        if topics.is_empty() {
            faults.push(FILE, "feedback.topics", "list at least one topic");
        }
        settings.topics = topics
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                let path = format!("feedback.topics[{i}]");
                if !is_code(&t.key) {
                    faults.push(
                        FILE,
                        format!("{path}.key"),
                        format!("\"{}\" is not a code", t.key),
                    );
                } else if !seen.insert(t.key.clone()) {
                    faults.push(
                        FILE,
                        format!("{path}.key"),
                        format!("duplicate topic \"{}\"", t.key),
                    );
                }
                check_localized(&t.name, FILE, &format!("{path}.name"), faults);
                Topic {
                    key: t.key,
                    name: t.name,
                }
            })
            .collect();
    }
    settings
}

/// `(stem, "folder/name.toml")` for every TOML file of a folder, sorted.
fn toml_files(folder: &Path, label: &str, faults: &mut Collector) -> Vec<(String, String)> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && label == "fragments" => {
            return Vec::new()
        }
        Err(err) => {
            faults.push(label, "", format!("cannot read the folder: {err}"));
            return Vec::new();
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|p| {
            let stem = p.file_stem()?.to_str()?.to_string();
            let name = p.file_name()?.to_str()?.to_string();
            Some((stem, format!("{label}/{name}")))
        })
        .collect()
}

fn read_toml<T: serde::de::DeserializeOwned>(
    dir: &Path,
    file: &str,
    faults: &mut Collector,
) -> Option<T> {
    let text = match std::fs::read_to_string(dir.join(file)) {
        Ok(text) => text,
        Err(err) => {
            faults.push(file, "", format!("cannot read: {err}"));
            return None;
        }
    };
    let describe = |err: &toml::de::Error| match err.span() {
        Some(span) => format!("{} (line {})", err.message(), line_of(&text, span.start)),
        None => err.message().to_string(),
    };
    let deserializer = match toml::Deserializer::parse(&text) {
        Ok(d) => d,
        Err(err) => {
            faults.push(file, "", format!("not valid TOML: {}", describe(&err)));
            return None;
        }
    };
    match serde_path_to_error::deserialize::<_, T>(deserializer) {
        Ok(value) => Some(value),
        Err(err) => {
            let path = err.path().to_string();
            let path = if path == "." { String::new() } else { path };
            faults.push(file, path, describe(err.inner()));
            None
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(0, |before| before.matches('\n').count())
        + 1
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
}

fn is_key(s: &str) -> bool {
    !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn check_localized(text: &Localized, file: &str, path: &str, faults: &mut Collector) {
    if text.vi.trim().is_empty() {
        faults.push(file, format!("{path}.vi"), "must not be empty");
    }
    if text.en.trim().is_empty() {
        faults.push(file, format!("{path}.en"), "must not be empty");
    }
}

fn validate_departments(raw: RawDepartments, faults: &mut Collector) -> Vec<Department> {
    const FILE: &str = "departments.toml";
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    if raw.departments.is_empty() {
        faults.push(FILE, "departments", "no department defined");
    }
    for (i, d) in raw.departments.into_iter().enumerate() {
        let path = format!("departments[{i}]");
        if !is_code(&d.code) {
            faults.push(
                FILE,
                format!("{path}.code"),
                format!(
                    "\"{}\" is not a code (lowercase letters, digits, '-')",
                    d.code
                ),
            );
        } else if !seen.insert(d.code.clone()) {
            faults.push(
                FILE,
                format!("{path}.code"),
                format!("duplicate code \"{}\"", d.code),
            );
        }
        check_localized(&d.name, FILE, &format!("{path}.name"), faults);
        let mut previous = None;
        for (j, change) in d.history.iter().enumerate() {
            let hpath = format!("{path}.history[{j}]");
            check_localized(&change.name, FILE, &format!("{hpath}.name"), faults);
            if previous.is_some_and(|p| change.from <= p) {
                faults.push(
                    FILE,
                    format!("{hpath}.from"),
                    "history must be in date order",
                );
            }
            previous = Some(change.from);
        }
        out.push(Department {
            code: d.code,
            name: d.name,
            surveyed: d.surveyed,
            public_results: d.public_results,
            history: d
                .history
                .into_iter()
                .map(|h| NameChange {
                    from: h.from,
                    name: h.name,
                    note: h.note,
                })
                .collect(),
        });
    }
    out
}

fn validate_units(
    raw: RawUnits,
    departments: Option<&[Department]>,
    faults: &mut Collector,
) -> Vec<Unit> {
    const FILE: &str = "units.toml";
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, u) in raw.units.into_iter().enumerate() {
        let path = format!("units[{i}]");
        if !is_code(&u.code) {
            faults.push(
                FILE,
                format!("{path}.code"),
                format!(
                    "\"{}\" is not a code (lowercase letters, digits, '-')",
                    u.code
                ),
            );
        } else if !seen.insert(u.code.clone()) {
            faults.push(
                FILE,
                format!("{path}.code"),
                format!("duplicate code \"{}\"", u.code),
            );
        }
        if let Some(problem) = department_problem(departments, &u.department) {
            faults.push(FILE, format!("{path}.department"), problem);
        }
        check_localized(&u.name, FILE, &format!("{path}.name"), faults);
        if u.commune.trim().is_empty() {
            faults.push(FILE, format!("{path}.commune"), "must not be empty");
        }
        if !is_code(&u.kind) {
            faults.push(
                FILE,
                format!("{path}.kind"),
                "must be a code such as \"hospital\"",
            );
        }
        if let (Some(from), Some(until)) = (u.open_from, u.open_until) {
            if until < from {
                faults.push(
                    FILE,
                    format!("{path}.open_until"),
                    format!("{until} is before open_from {from}"),
                );
            }
        }
        let mut previous: Option<NaiveDate> = None;
        for (j, place) in u.before.iter().enumerate() {
            let bpath = format!("{path}.before[{j}]");
            if let Some(name) = &place.name {
                check_localized(name, FILE, &format!("{bpath}.name"), faults);
            }
            if place.locality.trim().is_empty() {
                faults.push(FILE, format!("{bpath}.locality"), "must not be empty");
            }
            if previous.is_some_and(|p| place.until <= p) {
                faults.push(FILE, format!("{bpath}.until"), "must be in date order");
            }
            previous = Some(place.until);
        }
        out.push(Unit {
            code: u.code,
            department: u.department,
            name: u.name,
            commune: u.commune,
            kind: u.kind,
            former_province: u.former_province,
            open_from: u.open_from,
            open_until: u.open_until,
            before: u
                .before
                .into_iter()
                .map(|place| EarlierPlace {
                    until: place.until,
                    name: place.name,
                    locality: place.locality,
                })
                .collect(),
        });
    }
    out
}

/// Why `code` cannot own units or surveys, if it cannot.
fn department_problem(departments: Option<&[Department]>, code: &str) -> Option<String> {
    match departments?.iter().find(|d| d.code == code) {
        None => Some(format!("unknown department \"{code}\"")),
        Some(d) if !d.surveyed => Some(format!("department \"{code}\" runs no survey")),
        Some(_) => None,
    }
}

/// A section after fragments are expanded, remembering where it was written
/// so faults point at the right file.
struct PlacedSection<'a> {
    file: &'a str,
    path: String,
    section: &'a RawSection,
    /// The `show_if` of the `include` that placed a fragment's section.
    included_if: Option<&'a BTreeMap<String, raw::OneOrMany>>,
    /// Where that `show_if` was written, for faults.
    included_at: Option<String>,
}

fn validate_survey(
    slug: &str,
    file: &str,
    raw: RawSurvey,
    fragments: &HashMap<String, (String, RawFragment)>,
    scales: &HashMap<String, Scale>,
    departments: Option<&[Department]>,
    faults: &mut Collector,
) -> Option<Survey> {
    let before = faults.faults.len();
    if !is_code(slug) {
        faults.push(
            file,
            "",
            "the file name must be a slug (lowercase letters, digits, '-')",
        );
    }
    if let Some(problem) = department_problem(departments, &raw.department) {
        faults.push(file, "department", problem);
    }
    check_localized(&raw.title, file, "title", faults);
    if let Some(edition) = &raw.edition {
        if !is_code(edition) {
            faults.push(
                file,
                "edition",
                format!("\"{edition}\" is not an edition name (lowercase letters, digits, '-')"),
            );
        }
    }
    if let Some(intro) = &raw.intro {
        check_localized(intro, file, "intro", faults);
    }

    let mut placed = Vec::new();
    for (i, section) in raw.sections.iter().enumerate() {
        let path = format!("sections[{i}]");
        match &section.include {
            Some(name) => {
                if section.key.is_some()
                    || section.label.is_some()
                    || section.items.is_some()
                    || section.in_overall.is_some()
                {
                    faults.push(
                        file,
                        path,
                        "a section either includes a fragment (optionally with show_if) or defines key, label and items, not both",
                    );
                    continue;
                }
                match fragments.get(name) {
                    None => faults.push(
                        file,
                        format!("{path}.include"),
                        format!("unknown fragment \"{name}\" (expected fragments/{name}.toml)"),
                    ),
                    Some((fragment_file, fragment)) => {
                        for (j, s) in fragment.sections.iter().enumerate() {
                            if s.include.is_some() {
                                faults.push(
                                    fragment_file,
                                    format!("sections[{j}].include"),
                                    "fragments cannot include other fragments",
                                );
                                continue;
                            }
                            if s.show_if.is_some() && section.show_if.is_some() {
                                faults.push(
                                    file,
                                    format!("{path}.show_if"),
                                    format!("fragment \"{name}\" has sections with their own show_if; include it without one"),
                                );
                                continue;
                            }
                            placed.push(PlacedSection {
                                file: fragment_file,
                                path: format!("sections[{j}]"),
                                section: s,
                                included_if: section.show_if.as_ref(),
                                included_at: Some(format!("{path}.show_if")),
                            });
                        }
                    }
                }
            }
            None => placed.push(PlacedSection {
                file,
                path,
                section,
                included_if: None,
                included_at: None,
            }),
        }
    }
    if placed.is_empty() {
        faults.push(
            file,
            "sections",
            "a questionnaire needs at least one section",
        );
    }

    let mut section_keys = HashSet::new();
    let mut question_keys = HashSet::new();
    let mut continued = HashSet::new();
    // Conditions may name only items asked before them.
    let mut asked_before: HashMap<String, Question> = HashMap::new();
    let mut sections = Vec::new();
    let mut text_questions = 0;
    for p in &placed {
        let s = p.section;
        let (Some(key), Some(label), Some(items)) = (&s.key, &s.label, &s.items) else {
            for (field, missing) in [
                ("key", s.key.is_none()),
                ("label", s.label.is_none()),
                ("items", s.items.is_none()),
            ] {
                if missing {
                    faults.push(p.file, format!("{}.{field}", p.path), "is required");
                }
            }
            continue;
        };
        if !is_key(key) {
            faults.push(
                p.file,
                format!("{}.key", p.path),
                format!("\"{key}\" is not a key (letters, digits, '_')"),
            );
        } else if !section_keys.insert(key.clone()) {
            faults.push(
                p.file,
                format!("{}.key", p.path),
                format!("duplicate section key \"{key}\""),
            );
        }
        check_localized(label, p.file, &format!("{}.label", p.path), faults);
        if items.is_empty() {
            faults.push(
                p.file,
                format!("{}.items", p.path),
                "a section needs at least one item",
            );
        }
        let (section_condition, condition_file, condition_path) = match p.included_if {
            Some(condition) => (
                Some(condition_of(condition.clone())),
                file,
                p.included_at.clone().unwrap_or_default(),
            ),
            None => (
                s.show_if.clone().map(condition_of),
                p.file,
                format!("{}.show_if", p.path),
            ),
        };
        if let Some(condition) = &section_condition {
            check_condition(
                condition,
                &asked_before,
                condition_file,
                &condition_path,
                faults,
            );
        }
        let mut questions = Vec::new();
        for (j, q) in items.iter().enumerate() {
            let qpath = format!("{}.items[{j}]", p.path);
            if let Some(condition) = &q.show_if {
                check_condition(
                    &condition_of(condition.clone()),
                    &asked_before,
                    p.file,
                    &format!("{qpath}.show_if"),
                    faults,
                );
            }
            if q.kind == QuestionKind::Text {
                text_questions += 1;
            }
            let Some(question) =
                validate_question(q, scales, p.file, &qpath, &mut question_keys, faults)
            else {
                continue;
            };
            if let Some(earlier) = &question.continues {
                if earlier.edition == raw.edition {
                    faults.push(
                        p.file,
                        format!("{qpath}.continues"),
                        "names an item of this same edition; within an edition an item continues itself by key",
                    );
                } else if !continued.insert(earlier.clone()) {
                    faults.push(
                        p.file,
                        format!("{qpath}.continues"),
                        format!(
                            "item \"{}\" of edition \"{}\" is already continued by another item",
                            earlier.key,
                            earlier.edition.as_deref().unwrap_or("(first)")
                        ),
                    );
                }
            }
            asked_before.insert(question.key.clone(), question.clone());
            questions.push(question);
        }
        sections.push(Section {
            key: key.clone(),
            label: label.clone(),
            in_overall: s.in_overall.unwrap_or(true),
            show_if: section_condition,
            questions,
        });
    }
    if text_questions > 1 {
        faults.push(
            file,
            "sections",
            "at most one free-text (kind = \"text\") question is allowed",
        );
    }
    if !sections
        .iter()
        .flat_map(|s| &s.questions)
        .any(|q| q.kind == QuestionKind::Likert)
        && !placed.is_empty()
    {
        faults.push(
            file,
            "sections",
            "a questionnaire needs at least one Likert item",
        );
    }

    if let Some(late) = &raw.late_result {
        let find = |key: &str| {
            sections
                .iter()
                .flat_map(|s| &s.questions)
                .find(|q| q.key == key)
        };
        match find(&late.item) {
            Some(q) if q.kind == QuestionKind::Single => {
                if q.option(&late.option).is_none() {
                    faults.push(
                        file,
                        "late_result.option",
                        format!("item \"{}\" has no option \"{}\"", late.item, late.option),
                    );
                }
            }
            _ => faults.push(
                file,
                "late_result.item",
                format!(
                    "\"{}\" is not a single-choice item of this questionnaire",
                    late.item
                ),
            ),
        }
        if !find(&late.apology).is_some_and(|q| q.kind == QuestionKind::YesNo) {
            faults.push(
                file,
                "late_result.apology",
                format!(
                    "\"{}\" is not a yes/no item of this questionnaire",
                    late.apology
                ),
            );
        }
    }

    if faults.faults.len() > before {
        return None;
    }
    Some(Survey {
        slug: slug.to_string(),
        department: raw.department,
        title: raw.title,
        intro: raw.intro,
        index_rule: raw.index_rule,
        edition: raw.edition,
        late_result: raw.late_result,
        sections,
    })
}

fn condition_of(raw: BTreeMap<String, raw::OneOrMany>) -> Condition {
    raw.into_iter()
        .map(|(key, values)| (key, values.into_vec()))
        .collect()
}

/// A condition names items asked before it, each a choice or yes/no, and
/// answers those items can have.
fn check_condition(
    condition: &Condition,
    asked_before: &HashMap<String, Question>,
    file: &str,
    path: &str,
    faults: &mut Collector,
) {
    if condition.is_empty() {
        faults.push(file, path, "names no item");
    }
    for (key, values) in condition {
        let path = format!("{path}.{key}");
        let Some(controller) = asked_before.get(key) else {
            faults.push(
                file,
                path,
                format!("\"{key}\" is not an item asked before this one"),
            );
            continue;
        };
        let answers: Vec<&str> = match controller.kind {
            QuestionKind::Single | QuestionKind::Multi => {
                controller.options.iter().map(|o| o.key.as_str()).collect()
            }
            QuestionKind::YesNo => vec!["yes", "no"],
            _ => {
                faults.push(
                    file,
                    path,
                    format!("\"{key}\" is not a choice or yes/no item"),
                );
                continue;
            }
        };
        if values.is_empty() {
            faults.push(file, path.clone(), "lists no answer");
        }
        for value in values {
            if !answers.contains(&value.as_str()) {
                faults.push(
                    file,
                    path.clone(),
                    format!(
                        "\"{value}\" is not an answer of \"{key}\" ({})",
                        answers.join(", ")
                    ),
                );
            }
        }
    }
}

/// 2 to 5 consecutive whole points, each labelled, satisfied from one of them.
fn check_scale(scale: &Scale, file: &str, path: &str, faults: &mut Collector) {
    let mut values: Vec<u8> = scale.points.iter().map(|p| p.value).collect();
    values.sort_unstable();
    values.dedup();
    let consecutive =
        values.len() == scale.points.len() && values.windows(2).all(|w| w[1] == w[0] + 1);
    if !(2..=5).contains(&scale.points.len()) || !consecutive || scale.highest() > 9 {
        faults.push(
            file,
            format!("{path}.points"),
            "a scale has 2 to 5 points with consecutive whole values from 0 to 9",
        );
    }
    if !(scale.lowest()..=scale.highest()).contains(&scale.satisfied_from) {
        faults.push(
            file,
            format!("{path}.satisfied_from"),
            format!(
                "must be one of the scale's points ({}–{})",
                scale.lowest(),
                scale.highest()
            ),
        );
    }
    for (i, point) in scale.points.iter().enumerate() {
        check_localized(
            &point.label,
            file,
            &format!("{path}.points[{i}].label"),
            faults,
        );
    }
}

fn validate_question(
    q: &RawQuestion,
    scales: &HashMap<String, Scale>,
    file: &str,
    path: &str,
    keys: &mut HashSet<String>,
    faults: &mut Collector,
) -> Option<Question> {
    let before = faults.faults.len();
    if q.kind == QuestionKind::Text {
        if q.key != COMMENT_KEY {
            faults.push(
                file,
                format!("{path}.key"),
                format!("the free-text question must have the key \"{COMMENT_KEY}\""),
            );
        }
    } else if q.key == COMMENT_KEY || !is_key(&q.key) {
        faults.push(
            file,
            format!("{path}.key"),
            format!(
                "\"{}\" is not a usable key (letters, digits, '_'; \"{COMMENT_KEY}\" is reserved)",
                q.key
            ),
        );
    } else if RESERVED_KEYS.contains(&q.key.as_str()) {
        faults.push(
            file,
            format!("{path}.key"),
            format!(
                "\"{}\" is the name of a field every form carries; choose another key",
                q.key
            ),
        );
    }
    if !keys.insert(q.key.clone()) {
        faults.push(file, path, format!("duplicate key \"{}\"", q.key));
    }
    check_localized(&q.label, file, &format!("{path}.label"), faults);
    if q.kind.has_options() {
        if q.options.len() < 2 {
            faults.push(
                file,
                format!("{path}.options"),
                "a choice needs at least two options",
            );
        }
        let mut option_keys = BTreeMap::new();
        for (k, option) in q.options.iter().enumerate() {
            let opath = format!("{path}.options[{k}]");
            if !is_key(&option.key) {
                faults.push(
                    file,
                    format!("{opath}.key"),
                    format!("\"{}\" is not a key (letters, digits, '_')", option.key),
                );
            } else if option_keys.insert(option.key.clone(), k).is_some() {
                faults.push(
                    file,
                    format!("{opath}.key"),
                    format!("duplicate option key \"{}\"", option.key),
                );
            }
            check_localized(&option.label, file, &format!("{opath}.label"), faults);
        }
    } else if !q.options.is_empty() {
        faults.push(
            file,
            format!("{path}.options"),
            "only single and multi questions have options",
        );
    }
    match (q.kind, q.max_choices) {
        (QuestionKind::Multi, Some(max)) if max == 0 || max > q.options.len() => faults.push(
            file,
            format!("{path}.max_choices"),
            format!(
                "must be between 1 and the number of options ({})",
                q.options.len()
            ),
        ),
        (QuestionKind::Multi, _) | (_, None) => {}
        (_, Some(_)) => faults.push(
            file,
            format!("{path}.max_choices"),
            "only multi questions have max_choices",
        ),
    }
    match (q.kind, q.max_percent) {
        (QuestionKind::Percent, Some(max)) if !(100..=250).contains(&max) => faults.push(
            file,
            format!("{path}.max_percent"),
            "must be between 100 and 250",
        ),
        (QuestionKind::Percent, _) | (_, None) => {}
        (_, Some(_)) => faults.push(
            file,
            format!("{path}.max_percent"),
            "only percent questions have max_percent",
        ),
    }
    if let Some(earlier) = &q.continues {
        if !is_key(&earlier.key) {
            faults.push(
                file,
                format!("{path}.continues.key"),
                format!("\"{}\" is not a key", earlier.key),
            );
        }
    }
    let scale = match (&q.scale, q.kind) {
        (None, _) => None,
        (Some(_), kind) if kind != QuestionKind::Likert => {
            faults.push(
                file,
                format!("{path}.scale"),
                "only rated (likert) items have a scale",
            );
            None
        }
        (Some(raw::RawScale::Named(name)), _) => match scales.get(name) {
            Some(scale) => Some(scale.clone()),
            None => {
                faults.push(
                    file,
                    format!("{path}.scale"),
                    format!("unknown scale \"{name}\" (expected in scales.toml)"),
                );
                None
            }
        },
        (Some(raw::RawScale::Inline(scale)), _) => {
            check_scale(scale, file, &format!("{path}.scale"), faults);
            Some(scale.clone())
        }
    };
    (faults.faults.len() == before).then(|| Question {
        key: q.key.clone(),
        kind: q.kind,
        label: q.label.clone(),
        options: q.options.clone(),
        max_choices: q.max_choices,
        max_percent: q.max_percent,
        continues: q.continues.clone(),
        show_if: q.show_if.clone().map(condition_of),
        scale,
    })
}

#[cfg(test)]
mod tests;
