//! Counselling case files: client profiles, interview archives and their sessions, crisis
//! alerts and template files. Only the consultant who keeps a case file sees it; every session
//! and profile handed out is in the audit log.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{client_profile, counseling_template, interview_archive, interview_session};

use super::care::files;
use super::{Gender, StoredFile, loaders};
use crate::domain::interviews::{self, CrisisEvent, CrisisLevel};
use crate::domain::page::Page;
use crate::graphql::connection::{Conn, PageArgs, to_connection};
use crate::graphql::loaders::load_err;
use crate::graphql::node::global_id;
use crate::graphql::public_url;

/// The client profile `id` through the request's loader (only the consultant who keeps it
/// gets it; the read is audited).
pub(super) async fn client_profile_of(
    ctx: &Context<'_>,
    id: Option<i64>,
) -> async_graphql::Result<Option<ClientProfile>> {
    let Some(id) = id else { return Ok(None) };
    Ok(loaders(ctx)?
        .client_profile
        .load_one(id)
        .await
        .map_err(load_err)?
        .map(ClientProfile))
}

/// A counselling client's personal profile (个人档案), kept by their consultant.
#[derive(Clone, Debug)]
pub struct ClientProfile(pub client_profile::Model);

/// Whom to call in an emergency (紧急联系人).
#[derive(SimpleObject, Clone, Debug)]
pub struct EmergencyContact {
    /// Name (姓名).
    pub name: Option<String>,
    /// Relationship to the client (关系).
    pub relationship: Option<String>,
    /// Phone number (电话).
    pub phone: Option<String>,
}

/// A counselling client's personal profile (个人档案), kept by their consultant.
#[Object]
impl ClientProfile {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("ClientProfile", self.0.id)
    }

    /// The integer id (来访者编号) the counselling dialect uses.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// Name (姓名).
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Gender.
    async fn gender(&self) -> Gender {
        Gender::from_code(self.0.gender)
    }

    /// Age in years.
    async fn age(&self) -> Option<i32> {
        self.0.age
    }

    /// Education (教育程度).
    async fn education(&self) -> Option<&str> {
        self.0.education.as_deref()
    }

    /// Occupation (职业).
    async fn occupation(&self) -> Option<&str> {
        self.0.occupation.as_deref()
    }

    /// Marital status (婚姻状况), as the consultant recorded it.
    async fn marital_status(&self) -> Option<&str> {
        self.0.marital_status.as_deref()
    }

    /// Phone number or WeChat id (联系方式).
    async fn contact(&self) -> Option<&str> {
        self.0.contact.as_deref()
    }

    /// Whom to call in an emergency.
    async fn emergency_contact(&self) -> EmergencyContact {
        EmergencyContact {
            name: self.0.emergency_name.clone(),
            relationship: self.0.emergency_relationship.clone(),
            phone: self.0.emergency_phone.clone(),
        }
    }

    /// How the client came (咨询来源).
    async fn referral(&self) -> Option<&str> {
        self.0.referral.as_deref()
    }

    /// The presenting complaint (主诉问题).
    async fn complaint(&self) -> Option<&str> {
        self.0.complaint.as_deref()
    }

    /// The goal of counselling (咨询目标).
    async fn goal(&self) -> Option<&str> {
        self.0.goal.as_deref()
    }

    /// When it was opened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// An interview archive (咨询档案): a consultant's case file on one student, with the sessions
/// held so far. Only its consultant sees it.
#[derive(Clone, Debug)]
pub struct InterviewArchive(pub interview_archive::Model);

/// An interview archive (咨询档案): a consultant's case file on one student, with the sessions
/// held so far. Only its consultant sees it.
#[Object]
impl InterviewArchive {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("InterviewArchive", self.0.id)
    }

    /// The integer id the counselling dialect uses.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// The student's name.
    async fn student_name(&self) -> &str {
        &self.0.student_name
    }

    /// Grade (年级).
    async fn grade(&self) -> &str {
        &self.0.grade
    }

    /// Class (班级).
    async fn class_name(&self) -> &str {
        &self.0.class_name
    }

    /// School (学校).
    async fn school(&self) -> &str {
        &self.0.school
    }

    /// Number of interviews: the highest session count, or as recorded.
    async fn interview_count(&self) -> i32 {
        self.0.interview_count
    }

    /// Case state as the consultant labels it (访谈状态).
    async fn state(&self) -> &str {
        &self.0.state
    }

    /// Case type (访谈类型).
    async fn kind(&self) -> &str {
        &self.0.kind
    }

    /// The doctor's evaluation (医生评定).
    async fn evaluation(&self) -> &str {
        &self.0.evaluation
    }

    /// The follow-up plan (后续计划).
    async fn follow_up_plan(&self) -> &str {
        &self.0.follow_up_plan
    }

    /// When it was opened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was opened, in the consultant's time zone, `YYYY-MM-DD HH:MM:SS`.
    async fn created_at_local(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(super::consultation::consultant_local(
            ctx,
            self.0.consultant_id,
            Some(self.0.created_at),
        )
        .await?
        .unwrap_or_default())
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The student's client profile, when one is kept (the read is audited).
    async fn client_profile(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ClientProfile>> {
        client_profile_of(ctx, self.0.client_profile_id).await
    }

    /// The sessions, by count (the reads are audited).
    async fn sessions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<InterviewSession>> {
        let window = PageArgs::forward(first, after).to_request()?;
        let all = loaders(ctx)?
            .interview_sessions
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .unwrap_or_default();
        Ok(to_connection(Page::slice(all, window), InterviewSession))
    }
}

/// One session (咨询记录) of an interview archive: the n-th interview with the student. Its
/// basic fields (count, student, date, time, duration) never change after it is recorded.
#[derive(Clone, Debug)]
pub struct InterviewSession(pub interview_session::Model);

/// One session (咨询记录) of an interview archive: the n-th interview with the student. Its
/// basic fields (count, student, date, time, duration) never change after it is recorded.
#[Object]
impl InterviewSession {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("InterviewSession", self.0.id)
    }

    /// The integer id the counselling dialect uses.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// The archive it belongs to (an InterviewArchive ID).
    async fn archive_id(&self) -> ID {
        global_id("InterviewArchive", self.0.archive_id)
    }

    /// Which interview of the archive this is (第几次).
    async fn count(&self) -> i32 {
        self.0.count
    }

    /// The student's name.
    async fn student_name(&self) -> &str {
        &self.0.student_name
    }

    /// The student's gender.
    async fn gender(&self) -> Gender {
        Gender::from_code(self.0.gender)
    }

    /// Student registration number (学籍号).
    async fn student_number(&self) -> Option<&str> {
        self.0.student_number.as_deref()
    }

    /// School.
    async fn school(&self) -> &str {
        &self.0.school
    }

    /// Grade.
    async fn grade(&self) -> &str {
        &self.0.grade
    }

    /// Class.
    async fn class_name(&self) -> &str {
        &self.0.class_name
    }

    /// Day of the interview (访谈日期).
    async fn date(&self) -> NaiveDate {
        self.0.date
    }

    /// Local time it began, `HH:MM` (访谈时间).
    async fn time(&self) -> &str {
        &self.0.time
    }

    /// Length in minutes (访谈时长).
    async fn duration_minutes(&self) -> i32 {
        self.0.duration_minutes
    }

    /// Visit state (访谈状态).
    async fn visit_state(&self) -> &str {
        &self.0.visit_state
    }

    /// Objective description (客观描述).
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The doctor's evaluation (医生评定).
    async fn evaluation(&self) -> &str {
        &self.0.evaluation
    }

    /// Follow-up plan (后续计划).
    async fn follow_up_plan(&self) -> &str {
        &self.0.follow_up_plan
    }

    /// Plan of the next visit (下次访谈计划).
    async fn next_visit_plan(&self) -> &str {
        &self.0.next_visit_plan
    }

    /// Crisis state (危机状态).
    async fn crisis(&self) -> CrisisLevel {
        interviews::crisis_of(&self.0)
    }

    /// The consultant's name as signed (咨询师姓名).
    async fn consultant_name(&self) -> &str {
        &self.0.consultant_name
    }

    /// Whether the evaluation is by a third party (是否为他评).
    async fn third_party_evaluation(&self) -> bool {
        self.0.third_party_evaluation
    }

    /// The signature image (签名图片).
    async fn signature(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StoredFile>> {
        let Some(hash) = self.0.signature_file.clone() else {
            return Ok(None);
        };
        Ok(files(ctx, vec![hash]).await?.into_iter().next())
    }

    /// Attached images (附加图片).
    async fn attachments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<StoredFile>> {
        files(ctx, interviews::attachments(&self.0)).await
    }

    /// When it was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When its notes last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A session became a high crisis (危机状态: 高). Carries no case content: the administrator
/// contacts the consultant.
#[derive(Clone, Debug)]
pub struct CrisisAlert(pub CrisisEvent);

/// A session became a high crisis (危机状态: 高). Carries no case content: the administrator
/// contacts the consultant.
#[Object]
impl CrisisAlert {
    /// The session (an InterviewSession ID; only its consultant can open it).
    async fn session_id(&self) -> ID {
        global_id("InterviewSession", self.0.session_id)
    }

    /// The archive (an InterviewArchive ID).
    async fn archive_id(&self) -> ID {
        global_id("InterviewArchive", self.0.archive_id)
    }

    /// The consultant in charge (a User ID).
    async fn consultant_id(&self) -> ID {
        global_id("User", self.0.consultant_id)
    }

    /// The consultant's organization, when their profile names one.
    async fn organization(&self) -> Option<&str> {
        self.0.organization.as_deref()
    }

    /// The crisis level (HIGH).
    async fn level(&self) -> CrisisLevel {
        self.0.level
    }

    /// When it was raised.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// A template file consultants download (模板文件).
#[derive(Clone, Debug)]
pub struct CounselingTemplate(pub counseling_template::Model);

/// A template file consultants download (模板文件).
#[Object]
impl CounselingTemplate {
    /// File name, unique.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Size in bytes.
    async fn size(&self) -> i64 {
        self.0.size
    }

    /// Whether it is one of the built-in import templates (not uploaded by anyone).
    async fn builtin(&self) -> bool {
        self.0.uploaded_by.is_none()
    }

    /// Where to download it.
    async fn url(&self, ctx: &Context<'_>) -> String {
        format!("{}/files/{}", public_url(ctx), self.0.file_hash)
    }

    /// When it was last uploaded.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
