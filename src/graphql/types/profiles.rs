//! Role profiles as GraphQL types.

use async_graphql::{Context, Enum, Object};
use chrono::NaiveDate;
use entity::{assistant_profile, consultant_profile, doctor_profile, patient_profile};

use crate::domain::profiles::{self, WorkDay};
use crate::graphql::loaders::load_err;
use crate::graphql::public_url;

use super::{Hospital, Organization, loaders};

/// Review state of a role profile (legacy `is_verify`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum VerifyState {
    /// Waiting for review (待核验).
    Pending,
    /// Enabled (启用).
    Enabled,
    /// Disabled (禁用).
    Disabled,
}

impl VerifyState {
    /// From the stored code.
    pub fn from_code(code: i16) -> Self {
        match code {
            1 => VerifyState::Enabled,
            2 => VerifyState::Disabled,
            _ => VerifyState::Pending,
        }
    }
}

/// Marital status of a patient.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum MaritalStatus {
    /// Single (未婚).
    Single,
    /// Married (已婚).
    Married,
    /// Divorced (离异).
    Divorced,
    /// Widowed (丧偶).
    Widowed,
}

impl MaritalStatus {
    /// From the stored code.
    pub fn from_code(code: i16) -> Option<Self> {
        match code {
            0 => Some(MaritalStatus::Single),
            1 => Some(MaritalStatus::Married),
            2 => Some(MaritalStatus::Divorced),
            3 => Some(MaritalStatus::Widowed),
            _ => None,
        }
    }

    /// The stored code.
    pub fn code(self) -> i16 {
        match self {
            MaritalStatus::Single => 0,
            MaritalStatus::Married => 1,
            MaritalStatus::Divorced => 2,
            MaritalStatus::Widowed => 3,
        }
    }
}

/// What a patient (患者) adds to an account: health data shown only to the patient and
/// administrators.
#[derive(Clone, Debug)]
pub struct PatientProfile(pub patient_profile::Model);

/// What a patient (患者) adds to an account: health data shown only to the patient and
/// administrators.
#[Object]
impl PatientProfile {
    /// Height in centimetres.
    async fn height_cm(&self) -> Option<f64> {
        self.0.height_cm
    }

    /// Weight in kilograms.
    async fn weight_kg(&self) -> Option<f64> {
        self.0.weight_kg
    }

    /// Marital status.
    async fn marital_status(&self) -> Option<MaritalStatus> {
        self.0.marital_status.and_then(MaritalStatus::from_code)
    }

    /// Whether the patient drinks alcohol.
    async fn drinks(&self) -> Option<bool> {
        self.0.drinks
    }

    /// Whether the patient smokes.
    async fn smokes(&self) -> Option<bool> {
        self.0.smokes
    }

    /// Average credit score (诚信分) doctors gave, 0-5; null before the first score.
    async fn credit_score(&self) -> Option<f64> {
        self.0.credit_score
    }

    /// Average punctuality score (守时分) doctors gave, 0-5.
    async fn punctuality_score(&self) -> Option<f64> {
        self.0.punctuality_score
    }

    /// Successful free-clinic registrations (成功挂号次数).
    async fn registration_count(&self) -> i32 {
        self.0.registration_count
    }

    /// Completed visits (就诊次数).
    async fn visit_count(&self) -> i32 {
        self.0.visit_count
    }

    /// Review state.
    async fn verify_state(&self) -> VerifyState {
        VerifyState::from_code(self.0.verify_state)
    }
}

/// What a doctor (医生 / 医师) adds to an account: public professional data.
#[derive(Clone, Debug)]
pub struct DoctorProfile(pub doctor_profile::Model);

/// What a doctor (医生 / 医师) adds to an account: public professional data.
#[Object]
impl DoctorProfile {
    /// Hospital the doctor works at, by id (hospitals come with free clinics).
    async fn hospital_id(&self) -> Option<i64> {
        self.0.hospital_id
    }

    /// The hospital the doctor works at (医院信息).
    async fn hospital(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Hospital>> {
        match self.0.hospital_id {
            Some(id) => Ok(loaders(ctx)?
                .clinics
                .hospital
                .load_one(id)
                .await
                .map_err(load_err)?
                .map(Hospital)),
            None => Ok(None),
        }
    }

    /// The organizations (组织) the doctor is an approved member of (legacy `org_list`).
    async fn organizations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Organization>> {
        Ok(loaders(ctx)?
            .clinics
            .doctor_organizations
            .load_one(self.0.user_id)
            .await
            .map_err(load_err)?
            .unwrap_or_default()
            .into_iter()
            .map(Organization)
            .collect())
    }

    /// Hospital name (工作医院).
    async fn hospital_name(&self) -> Option<&str> {
        self.0.hospital_name.as_deref()
    }

    /// Grade of the hospital (医院等级), from the certification.
    async fn hospital_rank(&self) -> Option<&str> {
        self.0.hospital_rank.as_deref()
    }

    /// Department (科室).
    async fn department(&self) -> Option<&str> {
        self.0.department.as_deref()
    }

    /// Position or title (职称).
    async fn position(&self) -> Option<&str> {
        self.0.position.as_deref()
    }

    /// What the doctor is good at (擅长).
    async fn specialties(&self) -> Option<&str> {
        self.0.specialties.as_deref()
    }

    /// URLs of the proof-of-employment photos (工作证明材料).
    async fn work_proof_urls(&self, ctx: &Context<'_>) -> Vec<String> {
        let base = public_url(ctx);
        profiles::work_proof(&self.0)
            .into_iter()
            .map(|h| format!("{base}/files/{h}"))
            .collect()
    }

    /// Introduction (个人简介).
    async fn r#abstract(&self) -> Option<&str> {
        self.0.r#abstract.as_deref()
    }

    /// Weekly work time: 7 days, Monday first.
    async fn work_time(&self) -> Option<Vec<WorkDay>> {
        profiles::work_time(&self.0)
    }

    /// Review state of the profile.
    async fn verify_state(&self) -> VerifyState {
        VerifyState::from_code(self.0.verify_state)
    }

    /// Whether the physician certification was approved.
    async fn is_certified(&self) -> bool {
        self.0.certified_at.is_some()
    }

    /// Date of the physician certification.
    async fn certified_at(&self) -> Option<NaiveDate> {
        self.0.certified_at
    }

    /// Professional title of the certification.
    async fn certification_title(&self) -> Option<&str> {
        self.0.certification_title.as_deref()
    }

    /// Average score patients gave, 0-5; null before the first.
    async fn score(&self) -> Option<f64> {
        self.0.score
    }

    /// Number of scores given.
    async fn score_count(&self) -> i32 {
        self.0.score_count
    }

    /// Free clinics held (出诊次数).
    async fn visit_count(&self) -> i32 {
        self.0.visit_count
    }

    /// Patients served (服务病人数).
    async fn patient_count(&self) -> i32 {
        self.0.patient_count
    }

    /// Minutes of service (服务时长).
    async fn service_minutes(&self) -> i32 {
        self.0.service_minutes
    }
}

/// What a doctor's assistant (医助) adds to an account.
#[derive(Clone, Debug)]
pub struct AssistantProfile(pub assistant_profile::Model);

/// What a doctor's assistant (医助) adds to an account.
#[Object]
impl AssistantProfile {
    /// Volunteer team (志愿团队).
    async fn team_name(&self) -> Option<&str> {
        self.0.team_name.as_deref()
    }

    /// Patients helped (帮扶病人数).
    async fn help_count(&self) -> i32 {
        self.0.help_count
    }

    /// Review state.
    async fn verify_state(&self) -> VerifyState {
        VerifyState::from_code(self.0.verify_state)
    }
}

/// What a psychological consultant (咨询师) adds to an account.
#[derive(Clone, Debug)]
pub struct ConsultantProfile(pub consultant_profile::Model);

/// What a psychological consultant (咨询师) adds to an account.
#[Object]
impl ConsultantProfile {
    /// Organisation the consultant belongs to (所属组织): the first of their approved
    /// memberships, never a name they typed.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(loaders(ctx)?
            .clinics
            .doctor_organizations
            .load_one(self.0.user_id)
            .await
            .map_err(load_err)?
            .and_then(|orgs| orgs.into_iter().next())
            .map(|o| o.name))
    }

    /// Introduction.
    async fn introduction(&self) -> Option<&str> {
        self.0.introduction.as_deref()
    }

    /// Professional experience.
    async fn experience(&self) -> Option<&str> {
        self.0.experience.as_deref()
    }

    /// Areas of expertise.
    async fn expertise(&self) -> Option<&str> {
        self.0.expertise.as_deref()
    }

    /// Education.
    async fn education(&self) -> Option<&str> {
        self.0.education.as_deref()
    }

    /// Certifications (证书).
    async fn certifications(&self) -> Option<&str> {
        self.0.certifications.as_deref()
    }
}
