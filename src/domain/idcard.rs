//! Mainland China resident ID-card numbers (GB 11643-1999): validation, birth date and gender.
//!
//! An 18-char number is a 6-digit region code (the first two digits name the province), the
//! 8-digit birth date `YYYYMMDD`, a 3-digit sequence number (odd for men, even for women) and an
//! ISO 7064 MOD 11-2 check char (a digit or `X`).

use chrono::{NaiveDate, TimeDelta, Utc};

use crate::error::{AppError, AppResult};

/// The input field errors name.
const FIELD: &str = "idCardNumber";

/// Weights of the first 17 digits in the check sum.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The check char for each value of `sum % 11`.
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// Province-level codes (the first two digits) in use.
const PROVINCES: &[u8] = &[
    11, 12, 13, 14, 15, // North
    21, 22, 23, // North-east
    31, 32, 33, 34, 35, 36, 37, // East
    41, 42, 43, 44, 45, 46, // Central and South
    50, 51, 52, 53, 54, // South-west
    61, 62, 63, 64, 65, // North-west
    71, // Taiwan
    81, 82, 83, // Hong Kong, Macao, and Taiwan residence permits
    91, // Foreign permanent residents
];

/// The earliest birth date accepted.
const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

fn invalid(message: &str) -> AppError {
    AppError::bad_field(FIELD, message)
}

/// The check char for 17 ASCII digits; `None` if `first17` is not exactly that.
fn check_char(first17: &[u8]) -> Option<u8> {
    if first17.len() != WEIGHTS.len() || !first17.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARS.get((sum % 11) as usize).copied()
}

/// Today's date in China (UTC+8), which birth dates are compared with.
fn today_in_china() -> NaiveDate {
    (Utc::now() + TimeDelta::hours(8)).date_naive()
}

/// Validates a resident ID-card number and returns it normalised (trimmed, trailing `x`
/// upper-cased).
///
/// Checks, in order: 18 chars; the first 17 are digits and the last is a digit or `X`; a known
/// province code; a real birth date between 1900-01-01 and today; the MOD 11-2 check char.
/// Failures are `BAD_USER_INPUT` errors on the field `idCardNumber` saying which check failed.
pub fn validate_id_card(s: &str) -> AppResult<String> {
    validate_at(s, today_in_china())
}

fn validate_at(s: &str, today: NaiveDate) -> AppResult<String> {
    let trimmed = s.trim();
    let normalised = match trimmed.strip_suffix('x') {
        Some(head) => format!("{head}X"),
        None => trimmed.to_owned(),
    };

    let chars: Vec<char> = normalised.chars().collect();
    if chars.len() != 18 {
        return Err(invalid(
            "an ID-card number must be exactly 18 characters long",
        ));
    }
    let (first17, last) = (&chars[..17], chars[17]);
    if !first17.iter().all(char::is_ascii_digit) {
        return Err(invalid(
            "the first 17 characters of an ID-card number must be digits",
        ));
    }
    if !(last.is_ascii_digit() || last == 'X') {
        return Err(invalid(
            "the last character of an ID-card number must be a digit or X",
        ));
    }
    // All 18 chars are ASCII from here on, so bytes and chars coincide.
    let bytes = normalised.as_bytes();
    let (first17, last) = bytes.split_at(17);

    let province = (first17[0] - b'0') * 10 + (first17[1] - b'0');
    if !PROVINCES.contains(&province) {
        return Err(invalid(
            "the ID-card number starts with an unknown province code",
        ));
    }

    let Some(born) = birth_date(&normalised) else {
        return Err(invalid(
            "the birth date in the ID-card number (characters 7-14) is not a real date",
        ));
    };
    if born > today {
        return Err(invalid(
            "the birth date in the ID-card number is in the future",
        ));
    }
    if born < EARLIEST {
        return Err(invalid(
            "the birth date in the ID-card number is before 1900-01-01",
        ));
    }

    if check_char(first17) != last.first().copied() {
        return Err(invalid(
            "the check digit of the ID-card number is wrong (mistyped number?)",
        ));
    }
    Ok(normalised)
}

/// The birth date in a normalised number (chars 7-14, `YYYYMMDD`); `None` if it is not a real
/// date or the input is too short.
pub fn birth_date(normalised: &str) -> Option<NaiveDate> {
    let digits = normalised.as_bytes().get(6..14)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        digits
            .get(range)
            .map(|ds| ds.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(4..6)?, number(6..8)?)
}

/// The gender encoded in a normalised number: 1 (male) when the 17th digit is odd, 2 (female)
/// when it is even, 0 (unknown) when there is no 17th digit.
pub fn gender(normalised: &str) -> i16 {
    match normalised.as_bytes().get(16) {
        Some(d) if d.is_ascii_digit() => {
            if (d - b'0') % 2 == 1 {
                1
            } else {
                2
            }
        }
        _ => 0,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Appends the correct check char to 17 digits, computed independently of `check_char`.
    fn with_check(first17: &str) -> String {
        assert_eq!(first17.len(), 17);
        let sum: u32 = first17
            .chars()
            .enumerate()
            .map(|(i, c)| {
                // Weight of position i (1-based from the right, counting the check char) is
                // 2^(n-1) mod 11.
                let exponent = 17 - i as u32;
                c.to_digit(10).unwrap() * (2u32.pow(exponent) % 11)
            })
            .sum();
        let check = (12 - sum % 11) % 11;
        let check = if check == 10 {
            'X'
        } else {
            char::from_digit(check, 10).unwrap()
        };
        format!("{first17}{check}")
    }

    /// Same number with a different (wrong) check char.
    fn with_wrong_check(first17: &str) -> String {
        let right = with_check(first17);
        let wrong = if right.ends_with('0') { '1' } else { '0' };
        format!("{first17}{wrong}")
    }

    fn message(err: AppError) -> String {
        assert_eq!(err.code(), "BAD_USER_INPUT");
        match err {
            AppError::BadInput { message, field } => {
                assert_eq!(field.as_deref(), Some("idCardNumber"));
                message
            }
            other => panic!("unexpected error {other:?}"),
        }
    }

    fn rejects(s: &str, needle: &str) {
        let msg = message(validate_id_card(s).expect_err(s));
        assert!(msg.contains(needle), "{s}: {msg:?} lacks {needle:?}");
    }

    #[test]
    fn helper_weights_match_the_table() {
        for (i, w) in WEIGHTS.iter().enumerate() {
            assert_eq!(2u32.pow(17 - i as u32) % 11, *w);
        }
        assert_eq!(with_check("11010519491231002"), "11010519491231002X");
        assert_eq!(with_check("44052418800101001"), "440524188001010014");
    }

    #[test]
    fn accepts_the_standard_example() {
        assert_eq!(
            validate_id_card("11010519491231002X").unwrap(),
            "11010519491231002X"
        );
        let born = NaiveDate::from_ymd_opt(1949, 12, 31).unwrap();
        assert_eq!(birth_date("11010519491231002X"), Some(born));
        assert_eq!(gender("11010519491231002X"), 2);
    }

    #[test]
    fn accepts_computed_numbers() {
        for first17 in [
            "11010119900307123",
            "31011519851102456",
            "44030620001231001",
            "65010219000101111",
            "82000020200229222",
            "91000019770707777",
        ] {
            let id = with_check(first17);
            assert_eq!(validate_id_card(&id).unwrap(), id);
        }
        let id = with_check("11010119900307123");
        assert_eq!(
            birth_date(&id),
            Some(NaiveDate::from_ymd_opt(1990, 3, 7).unwrap())
        );
        assert_eq!(gender(&id), 1);
    }

    #[test]
    fn trims_and_uppercases_trailing_x() {
        assert_eq!(
            validate_id_card("  11010519491231002x\n").unwrap(),
            "11010519491231002X"
        );
        assert_eq!(
            validate_id_card("11010519491231002x").unwrap(),
            "11010519491231002X"
        );
    }

    #[test]
    fn rejects_wrong_check_digit() {
        rejects("110105194912310021", "check digit");
        rejects(&with_wrong_check("11010119900307123"), "check digit");
        let valid = with_check("11010119900307123");
        // Swapping two digits of the body breaks the check.
        let swapped = format!("11010119900307213{}", &valid[17..]);
        rejects(&swapped, "check digit");
        // An X where a digit belongs.
        assert!(!valid.ends_with('X'));
        rejects("11010119900307123X", "check digit");
    }

    #[test]
    fn rejects_impossible_dates() {
        rejects(&with_check("11010119900230123"), "not a real date");
        rejects(&with_check("11010119901301123"), "not a real date");
        rejects(&with_check("11010119900100123"), "not a real date");
        rejects(&with_check("11010119010229123"), "not a real date");
        rejects(&with_check("11010100000000123"), "not a real date");
        // 2000 is a leap year.
        assert!(validate_id_card(&with_check("11010120000229123")).is_ok());
    }

    #[test]
    fn rejects_future_and_too_old_dates() {
        rejects(&with_check("11010129991231123"), "in the future");
        rejects(&with_check("44052418800101001"), "before 1900-01-01");
        rejects(&with_check("11010118991231123"), "before 1900-01-01");
        assert!(validate_id_card(&with_check("11010119000101123")).is_ok());

        let today = NaiveDate::from_ymd_opt(2024, 5, 20).unwrap();
        let born_today = with_check("11010120240520123");
        assert_eq!(validate_at(&born_today, today).unwrap(), born_today);
        let born_tomorrow = with_check("11010120240521123");
        let msg = message(validate_at(&born_tomorrow, today).expect_err("future"));
        assert!(msg.contains("in the future"), "{msg}");

        let tomorrow = today_in_china() + TimeDelta::days(1);
        let first17 = format!("110101{}123", tomorrow.format("%Y%m%d"));
        rejects(&with_check(&first17), "in the future");
    }

    #[test]
    fn rejects_wrong_length() {
        rejects("", "18 characters");
        rejects("   ", "18 characters");
        rejects("110105194912310", "18 characters");
        rejects("11010519491231002", "18 characters");
        rejects("11010519491231002X1", "18 characters");
        rejects("110105 19491231002X", "18 characters");
        // Length is counted in chars, not bytes.
        rejects("11010519491231002中", "last character");
        rejects("１１０１０５１９４９１２３１００２Ｘ", "must be digits");
    }

    #[test]
    fn rejects_letters() {
        rejects("1101051949123100AX", "must be digits");
        rejects("X10105194912310021", "must be digits");
        rejects("11010519491231002Y", "last character");
        rejects("11010519491231002-", "last character");
        // Only a trailing x is upper-cased; an x elsewhere is a letter.
        rejects("1101051949123100x2", "must be digits");
    }

    #[test]
    fn rejects_unknown_provinces() {
        for code in [
            "00", "10", "16", "20", "24", "30", "38", "40", "47", "55", "66", "72", "84", "90",
            "99",
        ] {
            let id = with_check(&format!("{code}010119900307123"));
            rejects(&id, "province code");
        }
        for code in [
            "11", "15", "21", "23", "31", "37", "41", "46", "50", "54", "61", "65", "71", "81",
            "82", "83", "91",
        ] {
            let id = with_check(&format!("{code}010119900307123"));
            assert!(validate_id_card(&id).is_ok(), "{id}");
        }
    }

    #[test]
    fn birth_date_and_gender_of_odd_input() {
        assert_eq!(birth_date(""), None);
        assert_eq!(birth_date("1101051949"), None);
        assert_eq!(birth_date("110105194912AB002X"), None);
        assert_eq!(birth_date("110105194902300021"), None);
        assert_eq!(
            birth_date("11010519491231"),
            Some(NaiveDate::from_ymd_opt(1949, 12, 31).unwrap())
        );
        assert_eq!(birth_date("中国人民共和国"), None);
        assert_eq!(gender(""), 0);
        assert_eq!(gender("1101051949123100"), 0);
        assert_eq!(gender("1101051949123100A2"), 0);
        assert_eq!(gender("110105194912310012"), 1);
        assert_eq!(gender("110105194912310092"), 1);
        assert_eq!(gender("110105194912310002"), 2);
        assert_eq!(gender("110105194912310082"), 2);
    }
}
