//! Parsing of the vendored `china-division` 2.7.0 CSVs (see `data/china-division/LICENSE`).
//!
//! The package gives provinces with 2-digit codes, cities with 4 and counties with 6; medgraph
//! stores every level under its full 6-digit code (`11` becomes `110000`, `1101` becomes
//! `110100`). Short names drop the administrative suffix (`北京市` → `北京`); pinyin is toneless
//! and lower-case, with the customary reading of the few polyphonic place-name characters.

use std::fmt;

use pinyin::ToPinyin;

const PROVINCES: &str = include_str!("../data/china-division/provinces.csv");
const CITIES: &str = include_str!("../data/china-division/cities.csv");
const AREAS: &str = include_str!("../data/china-division/areas.csv");

/// One region row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub id: i32,
    pub parent_id: i32,
    pub level: i16,
    pub name: String,
    pub short_name: String,
    pub pinyin: String,
    pub sort: i32,
}

/// A malformed row in the vendored data.
#[derive(Debug)]
pub struct DataError(String);

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "region data: {}", self.0)
    }
}

impl std::error::Error for DataError {}

/// Every province, city and county, parents before children. Cities without counties (东莞,
/// 中山, 儋州) appear in the package's county list under their own code; they are kept once, as
/// cities.
pub fn all_regions() -> Result<Vec<Region>, DataError> {
    let mut out = Vec::with_capacity(3400);
    for (level, csv, width) in [(1i16, PROVINCES, 2usize), (2, CITIES, 4), (3, AREAS, 6)] {
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        for (sort, record) in reader.records().enumerate() {
            let record = record.map_err(|e| DataError(e.to_string()))?;
            let code = record
                .get(0)
                .ok_or_else(|| DataError("missing code".into()))?;
            let name = record
                .get(1)
                .ok_or_else(|| DataError("missing name".into()))?;
            if code.len() != width {
                return Err(DataError(format!("code {code} is not {width} digits")));
            }
            let id = full_code(code)?;
            let parent_id = match level {
                1 => 0,
                2 => full_code(&code[..2])?,
                _ => full_code(&code[..4])?,
            };
            // Cities without counties (东莞, 中山, 儋州) repeat themselves as their own county.
            if id == parent_id {
                continue;
            }
            out.push(Region {
                id,
                parent_id,
                level,
                name: name.to_owned(),
                short_name: short_name(name),
                pinyin: pinyin_of(name),
                sort: i32::try_from(sort).map_err(|e| DataError(e.to_string()))? + 1,
            });
        }
    }
    Ok(out)
}

fn full_code(code: &str) -> Result<i32, DataError> {
    let padded = format!("{code:0<6}");
    padded
        .parse()
        .map_err(|_| DataError(format!("bad code {code}")))
}

/// Administrative suffixes, longest first.
const SUFFIXES: &[&str] = &[
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "林区",
    "地区",
    "新区",
    "省",
    "市",
    "盟",
    "区",
    "县",
    "旗",
];

/// The name without its administrative suffix, keeping at least two characters.
pub fn short_name(name: &str) -> String {
    // "Districts under the city" of municipalities has no shorter form.
    if name == "市辖区" || name.ends_with("行政区划") {
        return name.to_owned();
    }
    for suffix in SUFFIXES {
        if let Some(stem) = name.strip_suffix(suffix)
            && stem.chars().count() >= 2
        {
            return stem.to_owned();
        }
    }
    name.to_owned()
}

/// Readings of polyphonic characters as they are read in place names.
const PLACE_READINGS: &[(char, &str)] = &[
    ('重', "chong"),
    ('长', "chang"),
    ('厦', "xia"),
    ('蚌', "beng"),
    ('六', "lu"),
    ('番', "pan"),
    ('莘', "shen"),
    ('单', "shan"),
    ('乐', "le"),
    ('行', "xing"),
    ('朝', "chao"),
    ('都', "du"),
    ('大', "da"),
    ('涌', "yong"),
    ('曲', "qu"),
    ('盖', "gai"),
    ('解', "xie"),
    ('洞', "dong"),
    ('柏', "bai"),
    ('台', "tai"),
];

/// Toneless lower-case pinyin of a name; characters without a reading are kept as they are.
pub fn pinyin_of(name: &str) -> String {
    let mut out = String::with_capacity(name.len() * 2);
    for ch in name.chars() {
        if let Some((_, reading)) = PLACE_READINGS.iter().find(|(c, _)| *c == ch) {
            out.push_str(reading);
        } else if let Some(p) = ch.to_pinyin() {
            out.push_str(p.plain());
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_every_level_with_full_codes() {
        let regions = all_regions().expect("vendored data parses");
        assert_eq!(regions.iter().filter(|r| r.level == 1).count(), 31);
        assert!(regions.iter().filter(|r| r.level == 3).count() > 2900);
        let chaoyang = regions
            .iter()
            .find(|r| r.id == 110105)
            .expect("Chaoyang district");
        assert_eq!(chaoyang.name, "朝阳区");
        assert_eq!(chaoyang.parent_id, 110100);
        assert_eq!(chaoyang.short_name, "朝阳");
        assert_eq!(chaoyang.pinyin, "chaoyangqu");
        let ids: std::collections::HashSet<i32> = regions.iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), regions.len(), "codes are unique");
        assert!(
            regions
                .iter()
                .all(|r| r.parent_id == 0 || ids.contains(&r.parent_id)),
            "every parent exists"
        );
    }

    #[test]
    fn short_names_and_readings() {
        assert_eq!(short_name("北京市"), "北京");
        assert_eq!(short_name("广西壮族自治区"), "广西");
        assert_eq!(short_name("香港特别行政区"), "香港");
        assert_eq!(short_name("和县"), "和县");
        assert_eq!(pinyin_of("重庆市"), "chongqingshi");
        assert_eq!(pinyin_of("长沙市"), "changshashi");
    }
}
