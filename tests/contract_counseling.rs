//! Contract tests of the counseling dialect: each route is called with the document's example request
//! and its answer is held against the document's schema (`src/rest/contracts/counseling.json`) with
//! `common::contract::assert_contract`.
