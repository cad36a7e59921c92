// Mirrors migrations/{sqlite,postgres}; both backends share these columns.

diesel::table! {
    survey_versions (hash) {
        hash -> Text,
        slug -> Text,
        department -> Text,
        definition -> Text,
        first_loaded_on -> Date,
    }
}

diesel::table! {
    responses (id) {
        id -> Text,
        survey_version -> Text,
        unit -> Text,
        submitted_on -> Date,
        channel -> Text,
        answers -> Text,
        likert -> Text,
        comment -> Nullable<Text>,
        design -> Text,
    }
}

diesel::table! {
    waves (id) {
        id -> Text,
        survey -> Text,
        name -> Text,
        opens_on -> Date,
        closes_on -> Date,
        allowance -> Double,
        seed -> Nullable<BigInt>,
        created_on -> Date,
    }
}

diesel::table! {
    wave_strata (wave, unit) {
        wave -> Text,
        unit -> Text,
        population -> BigInt,
        target -> BigInt,
        issued -> BigInt,
        list_digest -> Nullable<Text>,
    }
}

diesel::table! {
    invitations (code_hash) {
        code_hash -> Text,
        wave -> Text,
        unit -> Text,
    }
}

diesel::table! {
    drafts (id) {
        id -> Text,
        survey_version -> Text,
        form_values -> Text,
        saved_on -> Date,
    }
}

diesel::table! {
    feedback (key) {
        key -> Text,
        response_id -> Text,
        filed_on -> Date,
        status -> Text,
        topic -> Nullable<Text>,
        element -> Nullable<Text>,
        public_answer -> Nullable<Text>,
        internal_note -> Nullable<Text>,
        closed_on -> Nullable<Date>,
    }
}

diesel::joinable!(feedback -> responses (response_id));
diesel::joinable!(wave_strata -> waves (wave));
diesel::joinable!(invitations -> waves (wave));

diesel::joinable!(responses -> survey_versions (survey_version));

diesel::table! {
    api_tokens (id) {
        id -> Text,
        name -> Text,
        role -> Text,
        department -> Nullable<Text>,
        token_hash -> Text,
        created_on -> Date,
        revoked_on -> Nullable<Date>,
    }
}

diesel::table! {
    unit_volumes (unit, period) {
        unit -> Text,
        period -> Text,
        transactions -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        role -> Text,
        department -> Nullable<Text>,
        password_hash -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
        session_generation -> BigInt,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        detail -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    responses,
    survey_versions,
    api_tokens,
    unit_volumes,
    users,
    audit_log,
    waves,
    wave_strata,
    invitations,
    drafts,
    feedback
);
