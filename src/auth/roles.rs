//! The roles an account can hold; several per user.

use std::fmt;
use std::str::FromStr;

/// A role an account holds. A person may hold several (a doctor who is also a patient).
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Patient (患者).
    Patient,
    /// Doctor or physician (医生 / 医师): free-clinic doctor, medassist physician, certified
    /// forum doctor alike.
    Doctor,
    /// Doctor's assistant (医助), who registers patients for free clinics.
    Assistant,
    /// Psychological consultant (咨询师).
    Consultant,
    /// Hospital staff, who confirm drug purchase orders.
    HospitalStaff,
    /// Platform administrator (管理员).
    Administrator,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] = [
        Role::Patient,
        Role::Doctor,
        Role::Assistant,
        Role::Consultant,
        Role::HospitalStaff,
        Role::Administrator,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Patient => "patient",
            Role::Doctor => "doctor",
            Role::Assistant => "assistant",
            Role::Consultant => "consultant",
            Role::HospitalStaff => "hospital_staff",
            Role::Administrator => "administrator",
        }
    }

    /// The volunteer dialect's user `type` (1 patient, 2 doctor, 3 assistant).
    pub fn from_volunteer_type(code: i64) -> Option<Role> {
        match code {
            1 => Some(Role::Patient),
            2 => Some(Role::Doctor),
            3 => Some(Role::Assistant),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
        assert_eq!(Role::from_volunteer_type(3), Some(Role::Assistant));
        assert_eq!(Role::from_volunteer_type(4), None);
    }
}
