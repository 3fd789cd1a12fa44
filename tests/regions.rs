//! Regions through GraphQL: paging, nesting, and a fixed number of SQL statements per query
//! whatever the page sizes.

use serde_json::json;

use crate::common::app;

#[tokio::test]
async fn provinces_cities_and_counties_with_paging() {
    let app = app().await;
    let v = app
        .graphql(
            "{ regions(parentCode: 0, first: 10) { totalCount pageInfo { hasNextPage endCursor } nodes { code name level } } }",
            json!({}),
            None,
        )
        .await;
    let regions = &v["data"]["regions"];
    assert_eq!(regions["totalCount"], 31);
    assert_eq!(regions["nodes"][0]["name"], "北京市");
    assert_eq!(regions["nodes"][0]["level"], "PROVINCE");
    assert_eq!(regions["pageInfo"]["hasNextPage"], true);
    let cursor = regions["pageInfo"]["endCursor"].as_str().unwrap();
    let v = app
        .graphql(
            "query($after: String) { regions(parentCode: 0, first: 30, after: $after) { pageInfo { hasNextPage hasPreviousPage } nodes { code } } }",
            json!({"after": cursor}),
            None,
        )
        .await;
    assert_eq!(v["data"]["regions"]["nodes"].as_array().unwrap().len(), 21);
    assert_eq!(v["data"]["regions"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(v["data"]["regions"]["pageInfo"]["hasPreviousPage"], true);

    let v = app
        .graphql(
            "{ regions(level: COUNTY, first: 1) { totalCount } region(code: 110105) { name shortName pinyin parent { name parent { name } } } }",
            json!({}),
            None,
        )
        .await;
    assert!(v["data"]["regions"]["totalCount"].as_u64().unwrap() > 2800);
    let chaoyang = &v["data"]["region"];
    assert_eq!(chaoyang["name"], "朝阳区");
    assert_eq!(chaoyang["shortName"], "朝阳");
    assert_eq!(chaoyang["pinyin"], "chaoyangqu");
    assert_eq!(chaoyang["parent"]["parent"]["name"], "北京市");
}

const DEEP: &str = "query($a: Int, $b: Int, $c: Int) {
  regions(parentCode: 0, first: $a) {
    totalCount
    nodes {
      name
      children(first: $b) {
        totalCount
        nodes {
          name
          parent { name }
          children(first: $c) { totalCount nodes { code parent { code } } }
        }
      }
    }
  }
}";

#[tokio::test]
async fn deep_queries_cost_a_fixed_number_of_statements() {
    let app = app().await;
    let mut counts = Vec::new();
    for (a, b, c) in [(2, 2, 2), (5, 5, 5), (12, 10, 10)] {
        let before = app.statements();
        let v = app
            .graphql(DEEP, json!({"a": a, "b": b, "c": c}), None)
            .await;
        assert!(v["errors"].is_null(), "{v}");
        let provinces = v["data"]["regions"]["nodes"].as_array().unwrap();
        assert_eq!(provinces.len(), a);
        let counties: usize = provinces
            .iter()
            .flat_map(|p| p["children"]["nodes"].as_array().unwrap())
            .map(|c| c["children"]["nodes"].as_array().unwrap().len())
            .sum();
        assert!(counties > 0);
        counts.push(app.statements() - before);
    }
    // list + count, then per level one page statement and one count statement, and one parent
    // lookup per level that asks for it.
    assert_eq!(counts[0], counts[1], "{counts:?}");
    assert_eq!(counts[1], counts[2], "{counts:?}");
    assert!(counts[0] <= 8, "{counts:?}");
}
