//! The one masking policy for sensitive personal fields.
//!
//! Phone number, email, birthday, real name, ID-card number and address are shown in full only
//! to their owner and to administrators. Everyone else sees a masked value (phone, email, real
//! name, ID-card number) or nothing at all (birthday, address). Resolvers decide the
//! [`Disclosure`] once with [`disclosure`] and pass every sensitive field through the matching
//! function here ([`phone`], [`email`], [`id_card`], [`real_name`], [`birthday`], [`address`]),
//! so the rule lives in one place.
//!
//! A carer of the person ([`Disclosure::Care`]: the doctor of a free clinic the person is booked
//! in, or an assistant the person bound to themself with their SMS code) needs to reach and
//! treat them: they see the real name, phone number, birthday and the patient profile in full;
//! the email and ID-card number stay masked and the address hidden.
//!
//! A user's verification (认证) is shown to everyone, as the social document wants, with its
//! sensitive parts masked the way that document shows them to others
//! ([`verification_number`], [`verification_phone`], [`real_name`]) and, privacy first, its
//! ID-card images and certificate ([`verification_image`]) and review notes ([`review_note`])
//! hidden from them.
//!
//! All maskers work on `char`s, never bytes, so non-ASCII input (Chinese names, full-width
//! digits) is masked safely and never split inside a character.

use chrono::NaiveDate;

/// How much of a person's sensitive data a viewer may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disclosure {
    /// The owner or an administrator: everything in full.
    Full,
    /// A carer: name, phone, birthday and patient profile in full; the rest as for others.
    Care,
    /// Anyone else (including anonymous callers): masked values or nothing.
    Masked,
}

/// `Full` when the viewer is the owner (`viewer_id == Some(owner_id)`) or an administrator;
/// `Masked` otherwise, including for anonymous viewers.
pub fn disclosure(viewer_id: Option<i64>, viewer_is_admin: bool, owner_id: i64) -> Disclosure {
    if viewer_is_admin || viewer_id == Some(owner_id) {
        Disclosure::Full
    } else {
        Disclosure::Masked
    }
}

/// Keeps the first `head` and the last `tail` chars and replaces every char between with `*`,
/// so the output has as many chars as the input. The caller ensures `head + tail <= len`.
fn keep_ends(chars: &[char], head: usize, tail: usize) -> String {
    let len = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i < head || i + tail >= len { c } else { '*' })
        .collect()
}

/// Masks a phone number.
///
/// - 11-digit mainland mobile numbers keep the first 3 and last 4 digits:
///   `13800000001` -> `138****0001`.
/// - Any other number of at least 7 chars keeps the first 3 and last 2 chars.
/// - Shorter inputs become all `*` (one per char); the empty string stays empty.
/// - A leading `+86` (optionally followed by a space or `-`) is kept and only the national part
///   is masked: `+86 13800000001` -> `+86 138****0001`.
pub fn mask_phone(s: &str) -> String {
    if let Some(rest) = s.strip_prefix("+86") {
        let national = rest.strip_prefix([' ', '-']).unwrap_or(rest);
        let (sep, national) = rest.split_at(rest.len() - national.len());
        return format!("+86{sep}{}", mask_national_phone(national));
    }
    mask_national_phone(s)
}

fn mask_national_phone(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let len = chars.len();
    if len == 11 && chars.iter().all(char::is_ascii_digit) {
        keep_ends(&chars, 3, 4)
    } else if len >= 7 {
        keep_ends(&chars, 3, 2)
    } else {
        "*".repeat(len)
    }
}

/// Masks an email address: the first char of the local part, `***`, then `@domain`
/// (`abc@qq.com` -> `a***@qq.com`). The split is at the last `@`; an empty local part gives
/// `***@domain`. Without any `@` (including the empty string) the result is just `***`.
pub fn mask_email(s: &str) -> String {
    match s.rsplit_once('@') {
        Some((local, domain)) => {
            let first = local.chars().next().map(String::from).unwrap_or_default();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

/// Masks an ID-card number, keeping its length in chars.
///
/// - 18 or more chars keep the first 6 (the region code) and the last 4:
///   `110101199003071234` -> `110101********1234`.
/// - 3 to 17 chars keep the first and the last char: `123456789012345` -> `1*************5`.
/// - 1 or 2 chars become all `*`; the empty string stays empty.
pub fn mask_id_card(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    match chars.len() {
        len if len >= 18 => keep_ends(&chars, 6, 4),
        len if len >= 3 => keep_ends(&chars, 1, 1),
        len => "*".repeat(len),
    }
}

/// Masks a real name by chars: the first char, then one `*` per remaining char
/// (`张三` -> `张*`, `欧阳娜娜` -> `欧***`). A single char becomes `*`; the empty string stays
/// empty.
pub fn mask_name(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        None => String::new(),
        Some(first) => {
            let rest = chars.count();
            if rest == 0 {
                "*".to_owned()
            } else {
                let mut out = String::with_capacity(first.len_utf8() + rest);
                out.push(first);
                out.push_str(&"*".repeat(rest));
                out
            }
        }
    }
}

fn apply(d: Disclosure, v: Option<&str>, mask: fn(&str) -> String) -> Option<String> {
    v.map(|s| match d {
        Disclosure::Full => s.to_owned(),
        Disclosure::Care | Disclosure::Masked => mask(s),
    })
}

/// As [`apply`], with carers seeing the value in full.
fn apply_care(d: Disclosure, v: Option<&str>, mask: fn(&str) -> String) -> Option<String> {
    v.map(|s| match d {
        Disclosure::Full | Disclosure::Care => s.to_owned(),
        Disclosure::Masked => mask(s),
    })
}

/// A phone number as the viewer may see it (masked with [`mask_phone`]).
pub fn phone(d: Disclosure, v: Option<&str>) -> Option<String> {
    apply_care(d, v, mask_phone)
}

/// An email address as the viewer may see it (masked with [`mask_email`]).
pub fn email(d: Disclosure, v: Option<&str>) -> Option<String> {
    apply(d, v, mask_email)
}

/// An ID-card number as the viewer may see it (masked with [`mask_id_card`]).
pub fn id_card(d: Disclosure, v: Option<&str>) -> Option<String> {
    apply(d, v, mask_id_card)
}

/// A real name as the viewer may see it (masked with [`mask_name`]).
pub fn real_name(d: Disclosure, v: Option<&str>) -> Option<String> {
    apply_care(d, v, mask_name)
}

/// A birthday, or `None` unless fully disclosed or to a carer.
pub fn birthday(d: Disclosure, v: Option<NaiveDate>) -> Option<NaiveDate> {
    match d {
        Disclosure::Full | Disclosure::Care => v,
        Disclosure::Masked => None,
    }
}

/// An address, or `None` unless fully disclosed.
pub fn address(d: Disclosure, v: Option<&str>) -> Option<String> {
    match d {
        Disclosure::Full => v.map(str::to_owned),
        Disclosure::Care | Disclosure::Masked => None,
    }
}

/// Masks an ID-card number of a verification as the social document shows it to others: an
/// 18-char number keeps its 1st, 5th, 6th, 15th and last chars and shows every other char as
/// `**` (`510904199001016289` -> `5******04****************6****9`); other lengths keep the
/// first and last char, the rest `**` each; 1 or 2 chars become `**` each.
pub fn mask_verification_number(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let len = chars.len();
    let shown = |i: usize| -> bool {
        if len == 18 {
            matches!(i, 0 | 4 | 5 | 14 | 17)
        } else {
            len > 2 && (i == 0 || i + 1 == len)
        }
    };
    let mut out = String::with_capacity(len * 2);
    for (i, &c) in chars.iter().enumerate() {
        if shown(i) {
            out.push(c);
        } else {
            out.push_str("**");
        }
    }
    out
}

/// Masks the contact number of a verification as the social document shows it: the first 3 and
/// last 2 chars (`18712345682` -> `187******82`); fewer than 6 chars become all `*`.
pub fn mask_verification_phone(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 6 {
        "*".repeat(chars.len())
    } else {
        keep_ends(&chars, 3, 2)
    }
}

/// An ID-card number of a verification (the person's or the legal representative's) as the
/// viewer may see it (masked with [`mask_verification_number`]).
pub fn verification_number(d: Disclosure, v: Option<&str>) -> Option<String> {
    apply(d, v, mask_verification_number)
}

/// The contact number of a verification as the viewer may see it (masked with
/// [`mask_verification_phone`]).
pub fn verification_phone(d: Disclosure, v: Option<&str>) -> Option<String> {
    apply(d, v, mask_verification_phone)
}

/// An ID-card image or organization certificate of a verification (a stored file's address):
/// only with full disclosure. The legacy document shows them to others; privacy comes first.
pub fn verification_image(d: Disclosure, v: Option<&str>) -> Option<String> {
    match d {
        Disclosure::Full => v.map(str::to_owned),
        Disclosure::Care | Disclosure::Masked => None,
    }
}

/// An administrator's note on a review (the reason of a rejection): only with full disclosure.
pub fn review_note(d: Disclosure, v: Option<&str>) -> Option<String> {
    match d {
        Disclosure::Full => v.map(str::to_owned),
        Disclosure::Care | Disclosure::Masked => None,
    }
}

/// Being a patient is health data: the patient role of a user shows only to those who see the
/// user's data in full and to the user's carers (a care relationship, not a care role).
pub fn patient_role_visible(d: Disclosure) -> bool {
    matches!(d, Disclosure::Full | Disclosure::Care)
}

/// The patient profile (height, weight, habits, scores) shows only to the patient,
/// administrators and the patient's carers.
pub fn patient_profile_visible(d: Disclosure) -> bool {
    matches!(d, Disclosure::Full | Disclosure::Care)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn carers_see_name_phone_and_birthday_but_not_the_id_card_or_address() {
        let d = Disclosure::Care;
        assert_eq!(
            phone(d, Some("13800000001")).as_deref(),
            Some("13800000001")
        );
        assert_eq!(real_name(d, Some("张三")).as_deref(), Some("张三"));
        assert_eq!(
            id_card(d, Some("110101199001011234")).as_deref(),
            Some("110101********1234")
        );
        assert_eq!(address(d, Some("国贸三期")), None);
        assert_eq!(
            email(d, Some("a@qq.com")).as_deref(),
            Some(mask_email("a@qq.com").as_str())
        );
        assert!(patient_profile_visible(d));
        assert!(!patient_profile_visible(Disclosure::Masked));
    }

    #[test]
    fn owner_and_admin_see_everything() {
        assert_eq!(disclosure(Some(7), false, 7), Disclosure::Full);
        assert_eq!(disclosure(Some(1), true, 7), Disclosure::Full);
        assert_eq!(disclosure(None, true, 7), Disclosure::Full);
        assert_eq!(disclosure(Some(8), false, 7), Disclosure::Masked);
        assert_eq!(disclosure(None, false, 7), Disclosure::Masked);
    }

    #[test]
    fn mainland_mobile_keeps_three_and_four() {
        assert_eq!(mask_phone("13800000001"), "138****0001");
        assert_eq!(mask_phone("19912345678"), "199****5678");
    }

    #[test]
    fn other_phone_lengths() {
        // 7 or more: first 3 and last 2.
        assert_eq!(mask_phone("1234567"), "123**67");
        assert_eq!(mask_phone("01088886666"), "010****6666");
        assert_eq!(mask_phone("010-88886666"), "010*******66");
        assert_eq!(mask_phone("123456789012"), "123*******12");
        // 11 chars that are not all digits use the general rule.
        assert_eq!(mask_phone("138-0000-01"), "138******01");
        // Shorter than 7: all stars, one per char.
        assert_eq!(mask_phone("123456"), "******");
        assert_eq!(mask_phone("1"), "*");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn phone_with_country_code() {
        assert_eq!(mask_phone("+8613800000001"), "+86138****0001");
        assert_eq!(mask_phone("+86 13800000001"), "+86 138****0001");
        assert_eq!(mask_phone("+86-13800000001"), "+86-138****0001");
        assert_eq!(mask_phone("+86"), "+86");
        assert_eq!(mask_phone("+861234"), "+86****");
        // Other country codes are masked as a whole.
        assert_eq!(mask_phone("+12025550123"), "+12*******23");
    }

    #[test]
    fn phone_non_ascii() {
        // Full-width digits are not ASCII digits: the general rule, counted in chars.
        assert_eq!(mask_phone("１３８００００００01"), "１３８******01");
        assert_eq!(mask_phone("电话号码"), "****");
        assert_eq!(mask_phone("+86电话"), "+86**");
    }

    #[test]
    fn email_keeps_first_char_and_domain() {
        assert_eq!(mask_email("abc@qq.com"), "a***@qq.com");
        assert_eq!(mask_email("a@qq.com"), "a***@qq.com");
        assert_eq!(mask_email("@qq.com"), "***@qq.com");
        assert_eq!(mask_email("abc@"), "a***@");
        assert_eq!(mask_email("\"a@b\"@example.com"), "\"***@example.com");
        assert_eq!(mask_email("张三@例子.中国"), "张***@例子.中国");
    }

    #[test]
    fn email_without_at() {
        assert_eq!(mask_email("abc"), "***");
        assert_eq!(mask_email(""), "***");
        assert_eq!(mask_email("张三"), "***");
    }

    #[test]
    fn id_card_keeps_region_and_last_four() {
        let masked = mask_id_card("110101199003071234");
        assert_eq!(masked, "110101********1234");
        assert_eq!(masked.chars().count(), 18);
        assert_eq!(mask_id_card("11010519491231002X"), "110105********002X");
    }

    #[test]
    fn shorter_id_cards_keep_first_and_last() {
        assert_eq!(mask_id_card("110105491231002"), "1*************2");
        assert_eq!(mask_id_card("12345678901234567"), "1***************7");
        assert_eq!(mask_id_card("abc"), "a*c");
        assert_eq!(mask_id_card("ab"), "**");
        assert_eq!(mask_id_card("a"), "*");
        assert_eq!(mask_id_card(""), "");
    }

    #[test]
    fn id_card_non_ascii_and_longer() {
        assert_eq!(mask_id_card("证件号码"), "证**码");
        assert_eq!(mask_id_card("1234567890123456789"), "123456*********6789");
        assert_eq!(
            mask_id_card("１１０１０１１９９００３０７１２３４"),
            "１１０１０１********１２３４"
        );
    }

    #[test]
    fn names_by_chars() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("李"), "*");
        assert_eq!(mask_name("A"), "*");
        assert_eq!(mask_name("Bob"), "B**");
        assert_eq!(mask_name("迪丽热巴·迪力木拉提"), "迪*********");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn full_disclosure_returns_values_unchanged() {
        let d = Disclosure::Full;
        assert_eq!(phone(d, Some("13800000001")).unwrap(), "13800000001");
        assert_eq!(email(d, Some("abc@qq.com")).unwrap(), "abc@qq.com");
        assert_eq!(
            id_card(d, Some("110101199003071234")).unwrap(),
            "110101199003071234"
        );
        assert_eq!(real_name(d, Some("张三")).unwrap(), "张三");
        let day = NaiveDate::from_ymd_opt(1990, 3, 7).unwrap();
        assert_eq!(birthday(d, Some(day)), Some(day));
        assert_eq!(address(d, Some("北京市东城区")).unwrap(), "北京市东城区");
    }

    #[test]
    fn masked_disclosure_masks_or_hides() {
        let d = Disclosure::Masked;
        assert_eq!(phone(d, Some("13800000001")).unwrap(), "138****0001");
        assert_eq!(email(d, Some("abc@qq.com")).unwrap(), "a***@qq.com");
        assert_eq!(
            id_card(d, Some("110101199003071234")).unwrap(),
            "110101********1234"
        );
        assert_eq!(real_name(d, Some("张三")).unwrap(), "张*");
        let day = NaiveDate::from_ymd_opt(1990, 3, 7).unwrap();
        assert_eq!(birthday(d, Some(day)), None);
        assert_eq!(address(d, Some("北京市东城区")), None);
    }

    #[test]
    fn absent_values_stay_absent() {
        for d in [Disclosure::Full, Disclosure::Masked] {
            assert_eq!(phone(d, None), None);
            assert_eq!(email(d, None), None);
            assert_eq!(id_card(d, None), None);
            assert_eq!(real_name(d, None), None);
            assert_eq!(birthday(d, None), None);
            assert_eq!(address(d, None), None);
        }
    }

    #[test]
    fn verification_parts_are_masked_as_the_document_shows() {
        assert_eq!(
            mask_verification_number("510904199001016289"),
            "5******04****************6****9"
        );
        assert_eq!(mask_verification_number("abc"), "a**c");
        assert_eq!(mask_verification_number("ab"), "****");
        assert_eq!(mask_verification_number(""), "");
        assert_eq!(mask_verification_phone("18712345682"), "187******82");
        assert_eq!(mask_verification_phone("12345"), "*****");
        let d = Disclosure::Masked;
        assert_eq!(
            verification_phone(d, Some("18712345682")).unwrap(),
            "187******82"
        );
        assert_eq!(verification_image(d, Some("ab12")), None);
        assert_eq!(review_note(d, Some("blurred")), None);
        let d = Disclosure::Full;
        assert_eq!(
            verification_number(d, Some("510904199001016289")).unwrap(),
            "510904199001016289"
        );
        assert_eq!(verification_image(d, Some("ab12")).unwrap(), "ab12");
        assert_eq!(review_note(d, Some("blurred")).unwrap(), "blurred");
    }

    #[test]
    fn patient_status_shows_to_owner_admin_and_carers_only() {
        assert!(patient_role_visible(Disclosure::Full));
        assert!(patient_role_visible(Disclosure::Care));
        assert!(!patient_role_visible(Disclosure::Masked));
        assert!(patient_profile_visible(Disclosure::Full));
        assert!(patient_profile_visible(Disclosure::Care));
        assert!(!patient_profile_visible(Disclosure::Masked));
    }
}
