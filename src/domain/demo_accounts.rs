//! Demo accounts on request (medassist `/api/mock/*`): realistic patients or physicians for
//! development servers. Refused in production.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate, Utc};
use entity::{doctor_profile, user};
use rand::Rng;
use rand::seq::IndexedRandom;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Set, TransactionTrait,
};

use super::accounts;
use crate::auth::{Role, passwords};
use crate::error::{AppError, AppResult};

/// Most accounts one request may create.
pub const MAX_DEMO_ACCOUNTS: i64 = 1000;

/// The password of every generated account.
pub const DEMO_PASSWORD: &str = "demo-pass-2026";

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "志强", "晓燕", "文博",
];
const STREETS: &[&str] = &[
    "杭州市西湖区文三路",
    "杭州市拱墅区莫干山路",
    "上海市徐汇区漕溪北路",
    "北京市海淀区学院路",
    "广州市天河区天河路",
    "成都市武侯区人民南路",
];
const HOSPITALS: &[&str] = &[
    "社区卫生服务中心",
    "市第一人民医院",
    "中医院",
    "妇幼保健院",
    "人民医院",
    "街道卫生院",
];
const DEPARTMENTS: &[&str] = &[
    "全科",
    "内科",
    "心内科",
    "内分泌科",
    "老年病科",
    "康复科",
    "中医科",
];
const POSITIONS: &[&str] = &["住院医师", "主治医师", "副主任医师", "主任医师"];

/// Creates `number` (1 to 1000) demo accounts holding `role` (patient or doctor), all with the
/// password [`DEMO_PASSWORD`], in one transaction.
pub async fn generate(
    db: &DatabaseConnection,
    production: bool,
    role: Role,
    number: i64,
) -> AppResult<Vec<user::Model>> {
    if production {
        return Err(AppError::NotFound(
            "demo accounts are not available in production".into(),
        ));
    }
    if !(1..=MAX_DEMO_ACCOUNTS).contains(&number) {
        return Err(AppError::bad_field(
            "number",
            format!("number is 1 to {MAX_DEMO_ACCOUNTS}"),
        ));
    }
    if !matches!(role, Role::Patient | Role::Doctor) {
        return Err(AppError::bad_field(
            "role",
            "demo accounts are patients or physicians",
        ));
    }
    let count = usize::try_from(number).map_err(AppError::internal)?;
    let hash = passwords::hash(DEMO_PASSWORD).await?;
    let people = candidates(count);
    // Skip phone numbers and usernames already taken (one query each).
    let phones: Vec<String> = people.iter().map(|p| p.phone.clone()).collect();
    let taken: HashSet<String> = user::Entity::find()
        .filter(user::Column::Phone.is_in(phones))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|u| u.phone)
        .collect();
    let txn = db.begin().await?;
    let mut created = Vec::with_capacity(count);
    let prefix = if role == Role::Doctor {
        "demo-dr"
    } else {
        "demo-pt"
    };
    for person in people.into_iter().filter(|p| !taken.contains(&p.phone)) {
        let username = format!("{prefix}-{}", &person.phone[3..]);
        let account = accounts::create_user(&txn, &username, &person.name).await?;
        let mut model = account.into_active_model();
        model.real_name = Set(Some(person.name.clone()));
        model.phone = Set(Some(person.phone.clone()));
        model.gender = Set(person.gender);
        model.birthday = Set(Some(person.birthday));
        model.address = Set(Some(person.address.clone()));
        model.password_hash = Set(Some(hash.clone()));
        let account = model.update(&txn).await?;
        accounts::grant_role(&txn, account.id, role).await?;
        if role == Role::Doctor
            && let Some(profile) = doctor_profile::Entity::find_by_id(account.id)
                .one(&txn)
                .await?
        {
            let mut profile = profile.into_active_model();
            profile.hospital_name = Set(Some(person.hospital.clone()));
            profile.department = Set(Some(person.department.clone()));
            profile.position = Set(Some(person.position.clone()));
            profile.update(&txn).await?;
        }
        created.push(account);
    }
    txn.commit().await?;
    Ok(created)
}

struct Person {
    name: String,
    phone: String,
    gender: i16,
    birthday: NaiveDate,
    address: String,
    hospital: String,
    department: String,
    position: String,
}

/// `count` distinct made-up people (phone numbers from the 199 range, unique in the batch).
fn candidates(count: usize) -> Vec<Person> {
    let mut rng = rand::rng();
    let mut phones = HashSet::with_capacity(count);
    let today = Utc::now().date_naive();
    let pick = |rng: &mut rand::rngs::ThreadRng, list: &[&str]| -> String {
        list.choose(rng).copied().unwrap_or_default().to_owned()
    };
    let mut people = Vec::with_capacity(count);
    while people.len() < count {
        let phone = format!("199{:08}", rng.random_range(0..100_000_000u32));
        if !phones.insert(phone.clone()) {
            continue;
        }
        let city = pick(&mut rng, STREETS);
        let hospital_city: String = city.chars().take(3).collect();
        people.push(Person {
            name: format!("{}{}", pick(&mut rng, SURNAMES), pick(&mut rng, GIVEN)),
            phone,
            gender: rng.random_range(1..=2),
            birthday: today - Duration::days(rng.random_range(18 * 365..90 * 365)),
            address: format!(
                "{city}{}号{}栋{}室",
                rng.random_range(1..400),
                rng.random_range(1..30),
                rng.random_range(101..2400)
            ),
            hospital: format!("{hospital_city}{}", pick(&mut rng, HOSPITALS)),
            department: pick(&mut rng, DEPARTMENTS),
            position: pick(&mut rng, POSITIONS),
        });
    }
    people
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_distinct_and_plausible() {
        let people = candidates(300);
        let phones: HashSet<&str> = people.iter().map(|p| p.phone.as_str()).collect();
        assert_eq!(phones.len(), 300);
        for p in &people {
            assert_eq!(p.phone.len(), 11);
            assert!(p.name.chars().count() >= 2);
            assert!(p.address.contains('号'));
        }
    }
}
