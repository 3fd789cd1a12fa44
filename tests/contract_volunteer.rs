//! Contract tests of the volunteer dialect: each route is called with the document's example request
//! and its answer is held against the document's schema (`src/rest/contracts/volunteer.json`) with
//! `common::contract::assert_contract`.
