//! Request-scoped DataLoaders, one per relation direction: whatever the page sizes, a deep query
//! costs one statement per relation level.

use std::collections::{HashMap, HashSet};

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{
    assistant_profile, client_profile, consultant_profile, doctor_profile, drug_order, inquiry,
    interview_session, medical_record, patient_profile, region, user, user_verification,
};
use sea_orm::DatabaseConnection;

use crate::auth::{Role, Viewer};
use crate::domain::user_columns::{self, UserColumns};
use crate::domain::{
    Page, PageRequest, accounts, care, files, interviews, profiles, regions, verifications,
};
use crate::error::AppError;

/// Every loader of one request.
pub struct Loaders {
    pub region: DataLoader<RegionLoader>,
    pub region_children: DataLoader<RegionChildrenLoader>,
    pub region_child_count: DataLoader<RegionChildCountLoader>,
    pub user: DataLoader<UserLoader>,
    /// Users with only some columns read (authors shown by name and avatar).
    pub user_columns: DataLoader<UserColumnsLoader>,
    /// What list resolvers read ahead for `user_columns`, by (id, columns); `None`: no such
    /// user.
    pub user_columns_primed: Primed<(i64, UserColumns), Option<user::Model>>,
    pub roles: DataLoader<RolesLoader>,
    pub file: DataLoader<StoredFileLoader>,
    pub patient_profile: DataLoader<PatientProfileLoader>,
    pub doctor_profile: DataLoader<DoctorProfileLoader>,
    pub assistant_profile: DataLoader<AssistantProfileLoader>,
    pub consultant_profile: DataLoader<ConsultantProfileLoader>,
    pub inquiry: DataLoader<InquiryLoader>,
    pub record: DataLoader<MedicalRecordLoader>,
    pub record_by_inquiry: DataLoader<RecordByInquiryLoader>,
    pub drug_orders_by_record: DataLoader<DrugOrdersByRecordLoader>,
    pub interview_sessions: DataLoader<InterviewSessionsLoader>,
    pub client_profile: DataLoader<ClientProfileLoader>,
    pub community: super::community_loaders::CommunityLoaders,
    pub checkin: DataLoader<CheckinLoader>,
    pub vip: DataLoader<VipLoader>,
    pub verification: DataLoader<VerificationByUserLoader>,
    pub volunteer: super::volunteer_loaders::VolunteerLoaders,
    pub clinics: super::clinic_loaders::ClinicLoaders,
    pub registrations: super::registration_loaders::RegistrationLoaders,
}

impl Loaders {
    /// Fresh loaders (and caches) for one request. The care loaders answer only what
    /// `viewer` may see, and log the medical records they hand out.
    pub fn new(db: &DatabaseConnection, viewer: Option<Viewer>) -> Self {
        let care = |db: &DatabaseConnection| CareSource {
            db: db.clone(),
            viewer: viewer.clone(),
        };
        Self {
            region: DataLoader::new(RegionLoader(db.clone()), tokio::spawn),
            region_children: DataLoader::new(RegionChildrenLoader(db.clone()), tokio::spawn),
            region_child_count: DataLoader::new(RegionChildCountLoader(db.clone()), tokio::spawn),
            user: DataLoader::new(UserLoader(db.clone()), tokio::spawn),
            user_columns: DataLoader::new(UserColumnsLoader(db.clone()), tokio::spawn),
            user_columns_primed: Primed::default(),
            roles: DataLoader::new(RolesLoader(db.clone()), tokio::spawn),
            file: DataLoader::new(StoredFileLoader(db.clone()), tokio::spawn),
            patient_profile: DataLoader::new(PatientProfileLoader(db.clone()), tokio::spawn),
            doctor_profile: DataLoader::new(DoctorProfileLoader(db.clone()), tokio::spawn),
            assistant_profile: DataLoader::new(AssistantProfileLoader(db.clone()), tokio::spawn),
            consultant_profile: DataLoader::new(ConsultantProfileLoader(db.clone()), tokio::spawn),
            inquiry: DataLoader::new(InquiryLoader(care(db)), tokio::spawn),
            record: DataLoader::new(MedicalRecordLoader(care(db)), tokio::spawn),
            record_by_inquiry: DataLoader::new(RecordByInquiryLoader(care(db)), tokio::spawn),
            drug_orders_by_record: DataLoader::new(
                DrugOrdersByRecordLoader(care(db)),
                tokio::spawn,
            ),
            interview_sessions: DataLoader::new(InterviewSessionsLoader(care(db)), tokio::spawn),
            client_profile: DataLoader::new(ClientProfileLoader(care(db)), tokio::spawn),
            community: super::community_loaders::CommunityLoaders::new(
                db,
                viewer.as_ref().map(|v| v.user_id),
            ),
            checkin: DataLoader::new(CheckinLoader(db.clone()), tokio::spawn),
            vip: DataLoader::new(VipLoader(db.clone()), tokio::spawn),
            verification: DataLoader::new(VerificationByUserLoader(db.clone()), tokio::spawn),
            volunteer: super::volunteer_loaders::VolunteerLoaders::new(db),
            clinics: super::clinic_loaders::ClinicLoaders::new(db),
            registrations: super::registration_loaders::RegistrationLoaders::new(
                db,
                viewer.as_ref(),
            ),
        }
    }
}

/// Errors cross the loader boundary as `Arc` so each waiting resolver gets a copy.
pub type LoadError = std::sync::Arc<AppError>;

/// Region by code.
pub struct RegionLoader(DatabaseConnection);

impl Loader<i32> for RegionLoader {
    type Value = region::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        regions::by_ids(&self.0, keys).await.map_err(LoadError::new)
    }
}

/// A page of a region's children.
pub struct RegionChildrenLoader(DatabaseConnection);

impl Loader<(i32, PageRequest)> for RegionChildrenLoader {
    type Value = Page<region::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[(i32, PageRequest)],
    ) -> Result<HashMap<(i32, PageRequest), Self::Value>, Self::Error> {
        let windows: HashSet<PageRequest> = keys.iter().map(|(_, p)| *p).collect();
        let mut out = HashMap::with_capacity(keys.len());
        for window in windows {
            let parents: Vec<i32> = keys
                .iter()
                .filter(|(_, p)| *p == window)
                .map(|(id, _)| *id)
                .collect();
            let pages = regions::children_pages(&self.0, &parents, window)
                .await
                .map_err(LoadError::new)?;
            out.extend(pages.into_iter().map(|(id, page)| ((id, window), page)));
        }
        Ok(out)
    }
}

/// Number of a region's children.
pub struct RegionChildCountLoader(DatabaseConnection);

impl Loader<i32> for RegionChildCountLoader {
    type Value = u64;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let mut counts = regions::child_counts(&self.0, keys)
            .await
            .map_err(LoadError::new)?;
        for key in keys {
            counts.entry(*key).or_insert(0);
        }
        Ok(counts)
    }
}

/// Account by id.
pub struct UserLoader(DatabaseConnection);

impl Loader<i64> for UserLoader {
    type Value = user::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        accounts::by_ids(&self.0, keys)
            .await
            .map_err(LoadError::new)
    }
}

/// Users by id with some columns: the keys of one batch are read in one statement with the
/// union of their columns (a model read with more columns answers a key wanting fewer).
pub struct UserColumnsLoader(DatabaseConnection);

impl Loader<(i64, UserColumns)> for UserColumnsLoader {
    type Value = user::Model;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[(i64, UserColumns)],
    ) -> Result<HashMap<(i64, UserColumns), Self::Value>, Self::Error> {
        let columns = keys
            .iter()
            .fold(UserColumns::BASE, |all, (_, c)| all.union(*c));
        let ids: Vec<i64> = keys
            .iter()
            .map(|(id, _)| *id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let users = user_columns::by_ids(&self.0, &ids, columns)
            .await
            .map_err(LoadError::new)?;
        Ok(keys
            .iter()
            .filter_map(|key| users.get(&key.0).map(|u| (*key, u.clone())))
            .collect())
    }
}

/// Values a resolver read ahead for the whole page (planning from the selection), consulted
/// by the items' resolvers before their loader: batching that does not depend on when the
/// items' futures are polled. Request-scoped, like the loaders. Its keys are ids read from the
/// database (not chosen by clients), hashed with foldhash rather than std's costlier SipHash.
pub struct Primed<K, V>(std::sync::Mutex<HashMap<K, V, foldhash::fast::RandomState>>);

impl<K, V> Default for Primed<K, V> {
    fn default() -> Self {
        Self(std::sync::Mutex::new(HashMap::default()))
    }
}

impl<K: std::hash::Hash + Eq, V: Clone> Primed<K, V> {
    /// Keeps `entries` (a later entry of the same key wins).
    pub fn put(&self, entries: impl IntoIterator<Item = (K, V)>) {
        // A poisoned map only loses read-ahead values: the loaders answer instead.
        if let Ok(mut map) = self.0.lock() {
            map.extend(entries);
        }
    }

    /// The value read ahead for `key`, if any.
    pub fn get(&self, key: &K) -> Option<V> {
        self.0.lock().ok().and_then(|map| map.get(key).cloned())
    }
}

/// Stored file by address.
pub struct StoredFileLoader(DatabaseConnection);

impl Loader<String> for StoredFileLoader {
    type Value = entity::stored_file::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        files::by_hashes(&self.0, keys)
            .await
            .map_err(LoadError::new)
    }
}

/// Roles of a user (an empty list for none).
pub struct RolesLoader(DatabaseConnection);

impl Loader<i64> for RolesLoader {
    type Value = Vec<Role>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let mut map = accounts::roles_by_user_ids(&self.0, keys)
            .await
            .map_err(LoadError::new)?;
        for key in keys {
            map.entry(*key).or_default();
        }
        Ok(map)
    }
}

macro_rules! profile_loader {
    ($loader:ident, $module:ident, $query:path, $doc:literal) => {
        #[doc = $doc]
        pub struct $loader(DatabaseConnection);

        impl Loader<i64> for $loader {
            type Value = $module::Model;
            type Error = LoadError;

            async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
                $query(&self.0, keys).await.map_err(LoadError::new)
            }
        }
    };
}

profile_loader!(
    PatientProfileLoader,
    patient_profile,
    profiles::patients_by_user_ids,
    "Patient profile by user id."
);
profile_loader!(
    DoctorProfileLoader,
    doctor_profile,
    profiles::doctors_by_user_ids,
    "Doctor profile by user id."
);
profile_loader!(
    AssistantProfileLoader,
    assistant_profile,
    profiles::assistants_by_user_ids,
    "Assistant profile by user id."
);
profile_loader!(
    ConsultantProfileLoader,
    consultant_profile,
    profiles::consultants_by_user_ids,
    "Consultant profile by user id."
);

use entity::{checkin, vip_membership};

profile_loader!(
    CheckinLoader,
    checkin,
    crate::domain::checkins::by_users,
    "Check-in state (签到) by user id."
);
profile_loader!(
    VipLoader,
    vip_membership,
    crate::domain::vip::active_of,
    "Running VIP membership (会员) by user id."
);

/// The database and the caller, for loaders whose answers depend on who asks.
pub struct CareSource {
    db: DatabaseConnection,
    viewer: Option<Viewer>,
}

/// Inquiry by id (those the caller may see).
pub struct InquiryLoader(CareSource);

impl Loader<i64> for InquiryLoader {
    type Value = inquiry::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        care::inquiries_by_ids(&self.0.db, self.0.viewer.as_ref(), keys)
            .await
            .map_err(LoadError::new)
    }
}

/// Medical record by id (those the caller may read; the reads are audited).
pub struct MedicalRecordLoader(CareSource);

impl Loader<i64> for MedicalRecordLoader {
    type Value = medical_record::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        care::records_by_ids(&self.0.db, self.0.viewer.as_ref(), keys)
            .await
            .map_err(LoadError::new)
    }
}

/// Medical record by inquiry id (those the caller may read; the reads are audited).
pub struct RecordByInquiryLoader(CareSource);

impl Loader<i64> for RecordByInquiryLoader {
    type Value = medical_record::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        care::records_by_inquiry_ids(&self.0.db, self.0.viewer.as_ref(), keys)
            .await
            .map_err(LoadError::new)
    }
}

/// Drug orders of a medical record (those the caller may see), oldest first.
pub struct DrugOrdersByRecordLoader(CareSource);

impl Loader<i64> for DrugOrdersByRecordLoader {
    type Value = Vec<drug_order::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        care::orders_by_record_ids(&self.0.db, self.0.viewer.as_ref(), keys)
            .await
            .map_err(LoadError::new)
    }
}

/// Sessions of an interview archive the caller keeps, by count (the reads are audited).
pub struct InterviewSessionsLoader(CareSource);

impl Loader<i64> for InterviewSessionsLoader {
    type Value = Vec<interview_session::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        interviews::sessions_by_archive_ids(&self.0.db, self.0.viewer.as_ref(), keys)
            .await
            .map_err(LoadError::new)
    }
}

/// Client profile by id, those the caller keeps (the reads are audited).
pub struct ClientProfileLoader(CareSource);

impl Loader<i64> for ClientProfileLoader {
    type Value = client_profile::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        interviews::profiles_by_ids(&self.0.db, self.0.viewer.as_ref(), keys)
            .await
            .map_err(LoadError::new)
    }
}

/// A user's verification (用户认证) by user id; who sees how much is the masking policy's.
pub struct VerificationByUserLoader(DatabaseConnection);

impl Loader<i64> for VerificationByUserLoader {
    type Value = user_verification::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        verifications::by_user_ids(&self.0, keys)
            .await
            .map_err(LoadError::new)
    }
}

/// Converts a loader error for a resolver.
pub fn load_err(err: LoadError) -> async_graphql::Error {
    AppError::from_code(err.code(), err.public_message()).into()
}
