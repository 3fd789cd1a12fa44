//! Counselling case files in GraphQL: client profiles, interview archives and sessions, the
//! spreadsheet imports and the template files. Rules live in `domain::interviews`,
//! `domain::counseling_imports` and `domain::templates`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject, Upload};
use bytes::Bytes;
use chrono::NaiveDate;

use super::connection::{Conn, PageArgs, to_connection, wants_total};
use super::node::decode_int_id;
use super::types::{
    ClientProfile, ConsultationOrder, CounselingTemplate, Gender, InterviewArchive,
    InterviewSession,
};
use super::{auth, read_upload, services};
use crate::Services;
use crate::auth::Viewer;
use crate::domain::imports::ImportReport;
use crate::domain::interviews::{
    self, ArchiveFilter, ArchiveInput, ClientProfileInput, CrisisLevel, NewSession, SessionNotes,
};
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::domain::{counseling_imports, files, templates};
use crate::storage::FileKind;

/// Counselling case-file reads.
#[derive(Default)]
pub struct InterviewQuery;

/// Counselling case-file reads.
#[Object]
impl InterviewQuery {
    /// The calling consultant's interview archives (咨询档案), newest first. Text filters match
    /// part of the student's name, school, evaluation and follow-up plan; the others exactly.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn interview_archives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Part of the student's name.")] student_name: Option<String>,
        #[graphql(desc = "The grade.")] grade: Option<String>,
        #[graphql(desc = "The class.")] class_name: Option<String>,
        #[graphql(desc = "Part of the school's name.")] school: Option<String>,
        #[graphql(desc = "The number of interviews.")] interview_count: Option<i32>,
        #[graphql(desc = "The case state label.")] state: Option<String>,
        #[graphql(desc = "The case type label.")] kind: Option<String>,
        #[graphql(desc = "Part of the evaluation.")] evaluation: Option<String>,
        #[graphql(desc = "Part of the follow-up plan.")] follow_up_plan: Option<String>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<InterviewArchive>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let filter = ArchiveFilter {
            student_name,
            grade,
            class_name,
            school,
            interview_count,
            state,
            kind,
            evaluation,
            follow_up_plan,
        };
        let page = interviews::list_archives(
            &services(ctx)?.db,
            viewer,
            &filter,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, InterviewArchive))
    }

    /// One of the caller's interview archives; null otherwise.
    async fn interview_archive(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the interview archive.")] id: ID,
    ) -> async_graphql::Result<Option<InterviewArchive>> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "InterviewArchive")?;
        Ok(interviews::find_archive(&services(ctx)?.db, viewer, id)
            .await?
            .map(InterviewArchive))
    }

    /// One session of the caller's archives (the read is audited); null otherwise.
    async fn interview_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the interview session.")] id: ID,
    ) -> async_graphql::Result<Option<InterviewSession>> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "InterviewSession")?;
        Ok(interviews::find_session(&services(ctx)?.db, viewer, id)
            .await?
            .map(InterviewSession))
    }

    /// The calling consultant's client profiles (个人档案), newest first (the reads are
    /// audited).
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn client_profiles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Part of the client's name.")] name: Option<String>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<ClientProfile>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page = interviews::list_profiles(
            &services(ctx)?.db,
            viewer,
            name.as_deref(),
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, ClientProfile))
    }

    /// One of the caller's client profiles (the read is audited); null otherwise.
    async fn client_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the client profile.")] id: ID,
    ) -> async_graphql::Result<Option<ClientProfile>> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "ClientProfile")?;
        Ok(interviews::find_profile(&services(ctx)?.db, viewer, id)
            .await?
            .map(ClientProfile))
    }

    /// Template files consultants download (模板文件), by name: the built-in import layouts
    /// and uploaded files.
    async fn counseling_templates(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<CounselingTemplate>> {
        let viewer = auth(ctx).require()?;
        Ok(templates::list(services(ctx)?, viewer)
            .await?
            .into_iter()
            .map(CounselingTemplate)
            .collect())
    }
}

/// A new interview archive.
#[derive(InputObject)]
pub struct InterviewArchiveInput {
    /// The student's name, at most 64 characters.
    pub student_name: String,
    /// School, at most 100 characters.
    pub school: String,
    /// Grade (年级).
    pub grade: Option<String>,
    /// Class (班级).
    pub class_name: Option<String>,
    /// Number of interviews so far (0 when omitted; sessions raise it).
    pub interview_count: Option<i32>,
    /// Case state label (访谈状态).
    pub state: Option<String>,
    /// Case type label (访谈类型).
    pub kind: Option<String>,
    /// The doctor's evaluation (医生评定).
    pub evaluation: Option<String>,
    /// Follow-up plan (后续计划).
    pub follow_up_plan: Option<String>,
    /// The student's client profile (one the caller keeps).
    pub client_profile_id: Option<ID>,
}

/// Changes to an interview archive; omitted fields keep their value.
#[derive(InputObject)]
pub struct InterviewArchiveUpdate {
    /// The student's name.
    pub student_name: Option<String>,
    /// School.
    pub school: Option<String>,
    /// Grade.
    pub grade: Option<String>,
    /// Class.
    pub class_name: Option<String>,
    /// Number of interviews.
    pub interview_count: Option<i32>,
    /// Case state label.
    pub state: Option<String>,
    /// Case type label.
    pub kind: Option<String>,
    /// The doctor's evaluation.
    pub evaluation: Option<String>,
    /// Follow-up plan.
    pub follow_up_plan: Option<String>,
    /// The student's client profile (one the caller keeps).
    pub client_profile_id: Option<ID>,
}

fn profile_id(id: Option<ID>) -> async_graphql::Result<Option<i64>> {
    Ok(id
        .map(|id| decode_int_id(&id, "ClientProfile"))
        .transpose()?)
}

/// What a session records beyond its basic fields; on update omitted fields keep their value.
#[derive(InputObject, Default)]
pub struct InterviewNotesInput {
    /// Visit state label (访谈状态).
    pub visit_state: Option<String>,
    /// Objective description (客观描述).
    pub description: Option<String>,
    /// The doctor's evaluation (医生评定).
    pub evaluation: Option<String>,
    /// Follow-up plan (后续计划).
    pub follow_up_plan: Option<String>,
    /// Plan of the next visit (下次访谈计划).
    pub next_visit_plan: Option<String>,
    /// Crisis state; HIGH alerts the organization's administrators.
    pub crisis: Option<CrisisLevel>,
    /// The consultant's name as signed.
    pub consultant_name: Option<String>,
    /// Whether the evaluation is by a third party (他评).
    pub third_party_evaluation: Option<bool>,
    /// Address or URL of an uploaded signature image; an empty string removes it. A
    /// `signature` upload takes precedence.
    pub signature_file: Option<String>,
    /// Addresses or URLs of uploaded images (at most 9), replacing the list; `attachments`
    /// uploads are added to them.
    pub attachment_files: Option<Vec<String>>,
}

/// A new session of an archive.
#[derive(InputObject)]
pub struct InterviewSessionInput {
    /// Which interview this is (1, 2, ...); the next one when omitted.
    pub count: Option<i32>,
    /// The student's name; the archive's when omitted.
    pub student_name: Option<String>,
    /// The student's gender.
    pub gender: Option<Gender>,
    /// Student registration number (学籍号).
    pub student_number: Option<String>,
    /// School; the archive's when omitted.
    pub school: Option<String>,
    /// Grade; the archive's when omitted.
    pub grade: Option<String>,
    /// Class; the archive's when omitted.
    pub class_name: Option<String>,
    /// Day of the interview.
    pub date: NaiveDate,
    /// Local time it began, `HH:MM`.
    pub time: String,
    /// Length in minutes, 1 to 600.
    pub duration_minutes: i32,
    /// The notes.
    #[graphql(default)]
    pub notes: InterviewNotesInput,
}

/// A client profile's fields; on update omitted fields keep their value and an empty string
/// clears one.
#[derive(InputObject, Default)]
pub struct ClientProfileFields {
    /// Name (required when opening a profile).
    pub name: Option<String>,
    /// Gender.
    pub gender: Option<Gender>,
    /// Age, 1 to 120.
    pub age: Option<i32>,
    /// Education (教育程度).
    pub education: Option<String>,
    /// Occupation (职业).
    pub occupation: Option<String>,
    /// Marital status (婚姻状况).
    pub marital_status: Option<String>,
    /// Phone number or WeChat id (联系方式).
    pub contact: Option<String>,
    /// Emergency contact's name.
    pub emergency_name: Option<String>,
    /// Emergency contact's relationship to the client.
    pub emergency_relationship: Option<String>,
    /// Emergency contact's phone.
    pub emergency_phone: Option<String>,
    /// How the client came (咨询来源).
    pub referral: Option<String>,
    /// The presenting complaint (主诉问题).
    pub complaint: Option<String>,
    /// The goal of counselling (咨询目标).
    pub goal: Option<String>,
}

impl From<ClientProfileFields> for ClientProfileInput {
    fn from(f: ClientProfileFields) -> Self {
        ClientProfileInput {
            name: f.name,
            gender: f.gender.map(Gender::code),
            age: f.age,
            education: f.education,
            occupation: f.occupation,
            marital_status: f.marital_status,
            contact: f.contact,
            emergency_name: f.emergency_name,
            emergency_relationship: f.emergency_relationship,
            emergency_phone: f.emergency_phone,
            referral: f.referral,
            complaint: f.complaint,
            goal: f.goal,
        }
    }
}

/// What deleting an archive removed.
#[derive(SimpleObject)]
pub struct DeletedInterviewArchive {
    /// The archive's ID.
    pub id: ID,
    /// How many sessions went with it.
    pub sessions_deleted: i64,
}

/// Stores uploaded images and merges them into the notes.
async fn with_uploads(
    ctx: &Context<'_>,
    s: &Services,
    viewer: &Viewer,
    mut notes: SessionNotes,
    signature: Option<Upload>,
    attachments: Option<Vec<Upload>>,
) -> async_graphql::Result<SessionNotes> {
    let limit = s.files.max_upload_bytes();
    let store = |name: String, bytes: Vec<u8>| async move {
        files::upload(
            &s.db,
            &s.files,
            Bytes::from(bytes),
            Some(&name),
            FileKind::Image,
            Some(viewer.user_id),
        )
        .await
        .map_err(|e| match e {
            crate::error::AppError::BadInput { message, .. } => {
                crate::error::AppError::bad_field("signatureImage", message)
            }
            other => other,
        })
    };
    if let Some(upload) = signature {
        let (name, bytes) = read_upload(ctx, upload, limit).await?;
        notes.signature_file = Some(store(name, bytes).await?.hash);
    }
    if let Some(uploads) = attachments.filter(|u| !u.is_empty()) {
        let mut list = notes.attachment_files.take().unwrap_or_default();
        if uploads.len() + list.len() > interviews::MAX_ATTACHMENTS {
            return Err(crate::error::AppError::bad_field(
                "attachImages",
                format!("at most {} attachment images", interviews::MAX_ATTACHMENTS),
            )
            .into());
        }
        for upload in uploads {
            let (name, bytes) = read_upload(ctx, upload, limit).await?;
            list.push(store(name, bytes).await?.hash);
        }
        notes.attachment_files = Some(list);
    }
    Ok(notes)
}

impl From<InterviewNotesInput> for SessionNotes {
    fn from(n: InterviewNotesInput) -> Self {
        SessionNotes {
            visit_state: n.visit_state,
            description: n.description,
            evaluation: n.evaluation,
            follow_up_plan: n.follow_up_plan,
            next_visit_plan: n.next_visit_plan,
            crisis: n.crisis,
            consultant_name: n.consultant_name,
            third_party_evaluation: n.third_party_evaluation,
            signature_file: n.signature_file,
            attachment_files: n.attachment_files,
        }
    }
}

/// Counselling case-file commands.
#[derive(Default)]
pub struct InterviewMutation;

/// Counselling case-file commands.
#[Object]
impl InterviewMutation {
    /// The calling consultant opens an interview archive on a student.
    async fn create_interview_archive(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields of the interview archive.")] input: InterviewArchiveInput,
    ) -> async_graphql::Result<InterviewArchive> {
        let viewer = auth(ctx).require()?;
        let input = ArchiveInput {
            student_name: Some(input.student_name),
            grade: input.grade,
            class_name: input.class_name,
            school: Some(input.school),
            interview_count: input.interview_count,
            state: input.state,
            kind: input.kind,
            evaluation: input.evaluation,
            follow_up_plan: input.follow_up_plan,
            client_profile_id: profile_id(input.client_profile_id)?,
        };
        Ok(InterviewArchive(
            interviews::create_archive(&services(ctx)?.db, viewer, input).await?,
        ))
    }

    /// The consultant changes one of their archives.
    async fn update_interview_archive(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the interview archive to update.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: InterviewArchiveUpdate,
    ) -> async_graphql::Result<InterviewArchive> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "InterviewArchive")?;
        let input = ArchiveInput {
            student_name: input.student_name,
            grade: input.grade,
            class_name: input.class_name,
            school: input.school,
            interview_count: input.interview_count,
            state: input.state,
            kind: input.kind,
            evaluation: input.evaluation,
            follow_up_plan: input.follow_up_plan,
            client_profile_id: profile_id(input.client_profile_id)?,
        };
        Ok(InterviewArchive(
            interviews::update_archive(&services(ctx)?.db, viewer, id, input).await?,
        ))
    }

    /// The consultant deletes one of their archives with all its sessions, in one transaction.
    async fn delete_interview_archive(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the interview archive to delete.")] id: ID,
    ) -> async_graphql::Result<DeletedInterviewArchive> {
        let viewer = auth(ctx).require()?;
        let key = decode_int_id(&id, "InterviewArchive")?;
        let deleted = interviews::delete_archive(&services(ctx)?.db, viewer, key).await?;
        Ok(DeletedInterviewArchive {
            id,
            sessions_deleted: i64::try_from(deleted).unwrap_or(i64::MAX),
        })
    }

    /// The consultant adds a session to one of their archives (multipart: a `signature` image
    /// and `attachments` images). A HIGH crisis alerts the organization's administrators.
    async fn add_interview_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The archive (an InterviewArchive ID).")] archive_id: ID,
        #[graphql(desc = "The fields of the interview session.")] input: InterviewSessionInput,
        #[graphql(desc = "The signature image.")] signature: Option<Upload>,
        #[graphql(desc = "Attached images (at most 9 in all).")] attachments: Option<Vec<Upload>>,
    ) -> async_graphql::Result<InterviewSession> {
        let viewer = auth(ctx).require()?;
        let s = services(ctx)?;
        let archive_id = decode_int_id(&archive_id, "InterviewArchive")?;
        let notes =
            with_uploads(ctx, s, viewer, input.notes.into(), signature, attachments).await?;
        let session = NewSession {
            archive_id,
            count: input.count,
            student_name: input.student_name,
            gender: input.gender.map(Gender::code),
            student_number: input.student_number,
            school: input.school,
            grade: input.grade,
            class_name: input.class_name,
            date: Some(input.date),
            time: Some(input.time),
            duration_minutes: Some(input.duration_minutes),
            notes,
        };
        Ok(InterviewSession(
            interviews::add_session(s, viewer, session).await?,
        ))
    }

    /// The consultant updates a session's notes; its basic fields (count, student, date, time,
    /// duration) cannot change. A change to HIGH crisis alerts the organization's
    /// administrators.
    async fn update_interview_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the interview session to update.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: InterviewNotesInput,
        #[graphql(desc = "A new signature image.")] signature: Option<Upload>,
        #[graphql(desc = "Images to attach (at most 9 in all).")] attachments: Option<Vec<Upload>>,
    ) -> async_graphql::Result<InterviewSession> {
        let viewer = auth(ctx).require()?;
        let s = services(ctx)?;
        let id = decode_int_id(&id, "InterviewSession")?;
        let notes = with_uploads(ctx, s, viewer, input.into(), signature, attachments).await?;
        Ok(InterviewSession(
            interviews::update_session(s, viewer, id, notes).await?,
        ))
    }

    /// The calling consultant opens a client profile.
    async fn create_client_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields of the client profile.")] input: ClientProfileFields,
    ) -> async_graphql::Result<ClientProfile> {
        let viewer = auth(ctx).require()?;
        Ok(ClientProfile(
            interviews::create_profile(&services(ctx)?.db, viewer, input.into()).await?,
        ))
    }

    /// The consultant changes one of their client profiles.
    async fn update_client_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the client profile to update.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: ClientProfileFields,
    ) -> async_graphql::Result<ClientProfile> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "ClientProfile")?;
        Ok(ClientProfile(
            interviews::update_profile(&services(ctx)?.db, viewer, id, input.into()).await?,
        ))
    }

    /// The consultant links one of their consultations to one of their client profiles.
    async fn link_client_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A ConsultationOrder ID.")] consultation_id: ID,
        #[graphql(desc = "A ClientProfile ID.")] client_profile_id: ID,
    ) -> async_graphql::Result<ConsultationOrder> {
        let viewer = auth(ctx).require()?;
        let consultation = decode_int_id(&consultation_id, "ConsultationOrder")?;
        let profile = decode_int_id(&client_profile_id, "ClientProfile")?;
        Ok(ConsultationOrder(
            interviews::link_consultation(&services(ctx)?.db, viewer, consultation, profile)
                .await?,
        ))
    }

    /// Imports interview sessions from a spreadsheet (.xlsx, .xls, .ods, .csv; the layout of
    /// `interview_records_template.xlsx`) into the caller's archives. Every row is checked
    /// first; with errors nothing is imported unless `skipInvalid` is set.
    async fn import_interview_sessions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The spreadsheet.")] file: Upload,
        #[graphql(desc = "Import the valid rows even when others have errors.", default)]
        skip_invalid: bool,
    ) -> async_graphql::Result<ImportReport> {
        let viewer = auth(ctx).require()?;
        let s = services(ctx)?;
        let (name, bytes) = read_upload(ctx, file, s.files.max_upload_bytes()).await?;
        Ok(counseling_imports::import_sessions(s, viewer, &name, bytes, skip_invalid).await?)
    }

    /// Imports the caller's duty roster from a spreadsheet (the layout of
    /// `duty_roster_template.xlsx`): each date in the file gets exactly its slots. Every row is
    /// checked first; with errors nothing is imported unless `skipInvalid` is set.
    async fn import_duty_roster(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The spreadsheet.")] file: Upload,
        #[graphql(desc = "Import the valid rows even when others have errors.", default)]
        skip_invalid: bool,
    ) -> async_graphql::Result<ImportReport> {
        let viewer = auth(ctx).require()?;
        let s = services(ctx)?;
        let (name, bytes) = read_upload(ctx, file, s.files.max_upload_bytes()).await?;
        Ok(counseling_imports::import_roster(s, viewer, &name, bytes, skip_invalid).await?)
    }

    /// Uploads template files (spreadsheets, Word documents, PDF); a file with the name of an
    /// existing one replaces it.
    async fn upload_counseling_templates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The files.")] files: Vec<Upload>,
    ) -> async_graphql::Result<Vec<CounselingTemplate>> {
        let viewer = auth(ctx).require()?;
        let s = services(ctx)?;
        let mut uploads = Vec::with_capacity(files.len());
        for file in files {
            let (name, bytes) = read_upload(ctx, file, s.files.max_upload_bytes()).await?;
            uploads.push((name, Bytes::from(bytes)));
        }
        Ok(templates::upload(s, viewer, uploads)
            .await?
            .into_iter()
            .map(CounselingTemplate)
            .collect())
    }
}
