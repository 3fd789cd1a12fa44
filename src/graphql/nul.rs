//! No text may hold a NUL character (U+0000): PostgreSQL refuses it in every text column and
//! SQLite would store what PostgreSQL cannot, so it is refused once, before execution, as
//! `BAD_USER_INPUT` naming the field, whether it comes in a variable, an inline literal or the
//! name of an uploaded file.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Pos, Positioned, Request, ServerError, ServerResult, Value, Variables};

fn refused(field: &str, pos: Pos) -> ServerError {
    async_graphql::Error::from(crate::rest::nul_error(field)).into_server_error(pos)
}

/// The path of the first NUL character in a constant value's strings or keys.
fn nul_in_value(path: &str, value: &Value) -> Option<String> {
    match value {
        Value::String(s) if s.contains('\0') => Some(path.to_owned()),
        Value::List(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_in_value(&format!("{path}.{i}"), v)),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let inner = format!("{path}.{k}");
            if k.contains('\0') {
                Some(inner)
            } else {
                nul_in_value(&inner, v)
            }
        }),
        _ => None,
    }
}

/// The same for a literal in the document (variables are checked on their own).
fn nul_in_literal(path: &str, value: &async_graphql_value::Value) -> Option<String> {
    use async_graphql_value::Value as V;
    match value {
        V::String(s) if s.contains('\0') => Some(path.to_owned()),
        V::List(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_in_literal(&format!("{path}.{i}"), v)),
        V::Object(map) => map
            .iter()
            .find_map(|(k, v)| nul_in_literal(&format!("{path}.{k}"), v)),
        _ => None,
    }
}

fn nul_in_arguments(
    arguments: &[(Positioned<Name>, Positioned<async_graphql_value::Value>)],
) -> Option<(String, Pos)> {
    arguments.iter().find_map(|(name, value)| {
        nul_in_literal(name.node.as_str(), &value.node).map(|path| (path, value.pos))
    })
}

fn nul_in_selection(set: &SelectionSet) -> Option<(String, Pos)> {
    set.items.iter().find_map(|item| match &item.node {
        Selection::Field(field) => {
            let field = &field.node;
            nul_in_arguments(&field.arguments)
                .or_else(|| {
                    field
                        .directives
                        .iter()
                        .find_map(|d| nul_in_arguments(&d.node.arguments))
                })
                .or_else(|| nul_in_selection(&field.selection_set.node))
        }
        Selection::InlineFragment(fragment) => nul_in_selection(&fragment.node.selection_set.node),
        Selection::FragmentSpread(_) => None,
    })
}

/// The argument path and position of the first NUL character in the document's literals.
pub(crate) fn nul_in_document(doc: &ExecutableDocument) -> Option<(String, Pos)> {
    doc.operations
        .iter()
        .find_map(|(_, op)| {
            op.node
                .variable_definitions
                .iter()
                .find_map(|def| {
                    def.node.default_value.as_ref().and_then(|v| {
                        nul_in_value(def.node.name.node.as_str(), &v.node).map(|p| (p, v.pos))
                    })
                })
                .or_else(|| nul_in_selection(&op.node.selection_set.node))
        })
        .or_else(|| {
            doc.fragments
                .values()
                .find_map(|f| nul_in_selection(&f.node.selection_set.node))
        })
}

/// The variable path of the first NUL character in the variables.
pub(crate) fn nul_in_variables(variables: &Variables) -> Option<String> {
    variables
        .iter()
        .find_map(|(name, value)| nul_in_value(name.as_str(), value))
}

/// Refuses a request whose variables or uploaded file names hold a NUL character.
pub(crate) fn refuse_in_request(request: &Request) -> ServerResult<()> {
    if let Some(path) = nul_in_variables(&request.variables) {
        return Err(refused(&path, Pos::default()));
    }
    if request.uploads.iter().any(|u| u.filename.contains('\0')) {
        return Err(refused("file", Pos::default()));
    }
    Ok(())
}

/// Refuses a document with a NUL character in an inline literal.
pub(crate) fn refuse_in_document(doc: &ExecutableDocument) -> ServerResult<()> {
    match nul_in_document(doc) {
        Some((path, pos)) => Err(refused(&path, pos)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nul_in_literals_and_variables() {
        let doc = async_graphql::parser::parse_query(
            "query { a(x: 1) { b(filter: {keyword: \"a\\u0000b\"}) } }",
        )
        .expect("parses");
        assert_eq!(
            nul_in_document(&doc).map(|(p, _)| p).as_deref(),
            Some("filter.keyword")
        );
        let clean = async_graphql::parser::parse_query("{ a(x: \"ok\") }").expect("parses");
        assert!(nul_in_document(&clean).is_none());
        let vars = Variables::from_json(serde_json::json!({"input": {"body": ["x", "y\u{0}"]}}));
        assert_eq!(nul_in_variables(&vars).as_deref(), Some("input.body.1"));
    }
}
