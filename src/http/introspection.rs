//! Introspection-only operations (every root field is `__schema`, `__type` or `__typename`, as
//! in graphql-js's `getIntrospectionQuery()` and GraphiQL's own queries) are answered from the
//! schema's registry in memory, without touching the database. The depth and complexity limits
//! meant for data queries would refuse the standard introspection query (its type references
//! nest nine `ofType` deep), so such operations get a rule of their own instead: at most
//! [`MAX_DEPTH`] fields deep and at most [`MAX_LIST_NESTING`] list-valued introspection fields
//! inside one another, which admits every standard introspection query and keeps a hostile one
//! (`types { fields { type { fields { … } } } }`) from fanning out.

use std::collections::HashMap;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, FragmentDefinition, OperationDefinition, Selection,
    SelectionSet,
};
use async_graphql::{Name, Positioned};

/// Deepest field nesting of an introspection-only operation.
pub const MAX_DEPTH: usize = 24;
/// Most list-valued introspection fields inside one another (`types → fields → args` is 3).
pub const MAX_LIST_NESTING: usize = 3;

/// The introspection fields whose values are lists.
const LIST_FIELDS: &[&str] = &[
    "types",
    "fields",
    "inputFields",
    "interfaces",
    "possibleTypes",
    "enumValues",
    "args",
    "directives",
    "locations",
];

/// What a document's selected operation is, for routing.
#[derive(Debug, PartialEq, Eq)]
pub enum Kind {
    /// Selects data: the normal limits apply.
    Data,
    /// Only introspection, within this module's bounds.
    Introspection,
    /// Only introspection, but beyond this module's bounds: refused with this message.
    TooLarge(String),
}

/// Classifies the operation `operation_name` selects (or the single one) of `doc`.
pub fn classify(doc: &ExecutableDocument, operation_name: Option<&str>) -> Kind {
    let Some(operation) = selected(doc, operation_name) else {
        return Kind::Data;
    };
    let fragments = &doc.fragments;
    let root = &operation.node.selection_set.node;
    if !root_is_introspection(root, fragments, 0) {
        return Kind::Data;
    }
    let mut walk = Walk {
        fragments,
        max_depth: 0,
        max_lists: 0,
        steps: 0,
    };
    walk.set(root, 0, 0, 0);
    if walk.max_depth > MAX_DEPTH {
        return Kind::TooLarge(format!(
            "the introspection query is nested {} fields deep; the limit is {MAX_DEPTH}",
            walk.max_depth
        ));
    }
    if walk.max_lists > MAX_LIST_NESTING {
        return Kind::TooLarge(format!(
            "the introspection query nests {} lists of types or fields; the limit is {MAX_LIST_NESTING}",
            walk.max_lists
        ));
    }
    if walk.steps > MAX_STEPS {
        return Kind::TooLarge("the introspection query is too large".into());
    }
    Kind::Introspection
}

/// Most selections walked (fragments counted at each use) before giving up.
const MAX_STEPS: usize = 20_000;

fn selected<'a>(
    doc: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a Positioned<OperationDefinition>> {
    match (&doc.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(map), Some(name)) => map
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, op)| op),
        (DocumentOperations::Multiple(map), None) if map.len() == 1 => map.values().next(),
        _ => None,
    }
}

fn root_is_introspection(
    set: &SelectionSet,
    fragments: &HashMap<Name, Positioned<FragmentDefinition>>,
    level: usize,
) -> bool {
    if level > 16 {
        return false;
    }
    !set.items.is_empty()
        && set.items.iter().all(|item| match &item.node {
            Selection::Field(f) => f.node.name.node.starts_with("__"),
            Selection::InlineFragment(i) => {
                root_is_introspection(&i.node.selection_set.node, fragments, level + 1)
            }
            Selection::FragmentSpread(s) => {
                fragments.get(&s.node.fragment_name.node).is_some_and(|f| {
                    root_is_introspection(&f.node.selection_set.node, fragments, level + 1)
                })
            }
        })
}

struct Walk<'a> {
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    max_depth: usize,
    max_lists: usize,
    steps: usize,
}

impl Walk<'_> {
    fn set(&mut self, set: &SelectionSet, depth: usize, lists: usize, spreads: usize) {
        for item in &set.items {
            self.steps += 1;
            // Past the bounds there is nothing more to learn (and fragment cycles stop here).
            if self.steps > MAX_STEPS
                || self.max_depth > MAX_DEPTH
                || self.max_lists > MAX_LIST_NESTING
                || spreads > 32
            {
                return;
            }
            match &item.node {
                Selection::Field(f) => {
                    let depth = depth + 1;
                    let lists =
                        lists + usize::from(LIST_FIELDS.contains(&f.node.name.node.as_str()));
                    self.max_depth = self.max_depth.max(depth);
                    self.max_lists = self.max_lists.max(lists);
                    self.set(&f.node.selection_set.node, depth, lists, spreads);
                }
                Selection::InlineFragment(i) => {
                    self.set(&i.node.selection_set.node, depth, lists, spreads + 1);
                }
                Selection::FragmentSpread(s) => {
                    if let Some(f) = self.fragments.get(&s.node.fragment_name.node) {
                        self.set(&f.node.selection_set.node, depth, lists, spreads + 1);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(query: &str) -> Kind {
        let doc = async_graphql::parser::parse_query(query).expect("parses");
        classify(&doc, None)
    }

    /// graphql-js 16's `getIntrospectionQuery()` with every option on.
    const GRAPHQL_JS: &str = r#"
    query IntrospectionQuery {
      __schema {
        description
        queryType { name kind }
        mutationType { name kind }
        subscriptionType { name kind }
        types { ...FullType }
        directives {
          name description isRepeatable locations
          args(includeDeprecated: true) { ...InputValue }
        }
      }
    }
    fragment FullType on __Type {
      kind name description specifiedByURL isOneOf
      fields(includeDeprecated: true) {
        name description
        args(includeDeprecated: true) { ...InputValue }
        type { ...TypeRef }
        isDeprecated deprecationReason
      }
      inputFields(includeDeprecated: true) { ...InputValue }
      interfaces { ...TypeRef }
      enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
      possibleTypes { ...TypeRef }
    }
    fragment InputValue on __InputValue {
      name description type { ...TypeRef } defaultValue isDeprecated deprecationReason
    }
    fragment TypeRef on __Type {
      kind name
      ofType { kind name ofType { kind name ofType { kind name ofType { kind name
        ofType { kind name ofType { kind name ofType { kind name ofType { kind name
          ofType { kind name } } } } } } } } }
    }"#;

    #[test]
    fn the_standard_introspection_query_is_introspection() {
        assert_eq!(kind(GRAPHQL_JS), Kind::Introspection);
        assert_eq!(kind("{ __typename }"), Kind::Introspection);
        assert_eq!(
            kind("{ __type(name: \"Query\") { fields { name } } }"),
            Kind::Introspection
        );
    }

    #[test]
    fn data_fields_make_a_data_query() {
        assert_eq!(
            kind("{ __schema { types { name } } me { id } }"),
            Kind::Data
        );
        assert_eq!(kind("query { ... on Query { me { id } } }"), Kind::Data);
        assert_eq!(kind("{ me { __typename } }"), Kind::Data);
    }

    #[test]
    fn a_fanning_out_introspection_query_is_refused() {
        let q =
            "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
        assert!(matches!(kind(q), Kind::TooLarge(_)));
        let deep = format!(
            "{{ __type(name: \"Query\") {{ {}name{} }} }}",
            "ofType { ".repeat(30),
            " }".repeat(30)
        );
        assert!(matches!(kind(&deep), Kind::TooLarge(_)));
    }
}
