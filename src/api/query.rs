//! The collection parameters (`$filter`, `$orderby`, `$top`, `$skip`) read from the raw
//! query string, and a checked filter turned into a parameterised sea-query condition
//! over a resource's fixed column expressions: values are always bound, never spliced.

use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::DbBackend;

use crate::api::filter::{self, Comparison, Filter, Property, TextFunction, Value};
use crate::api::ApiError;

pub(crate) const DEFAULT_TOP: u64 = 50;
pub(crate) const MAX_TOP: u64 = 500;
const MAX_SKIP: u64 = 1_000_000_000;

/// What a collection request asks for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ListParams {
    pub filter: Option<Filter>,
    /// (property index, descending), in order.
    pub order: Vec<(usize, bool)>,
    pub top: u64,
    pub skip: u64,
}

/// Reads the collection parameters; unknown `$` parameters and repeated ones are refused.
pub(crate) fn list_params(raw_query: Option<&str>, properties: &[Property]) -> Result<ListParams, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw_query.unwrap_or(""))
        .map_err(|_| ApiError::parameter("The query string could not be read."))?;
    let mut seen: Vec<String> = Vec::new();
    let mut params = ListParams { filter: None, order: vec![], top: DEFAULT_TOP, skip: 0 };
    for (key, value) in &pairs {
        if !key.starts_with('$') {
            continue;
        }
        let name = key.to_ascii_lowercase();
        if seen.contains(&name) {
            return Err(ApiError::parameter(format!("{key} is given more than once.")));
        }
        seen.push(name.clone());
        match name.as_str() {
            "$filter" => params.filter = Some(filter::parse_filter(value, properties)?),
            "$orderby" => params.order = filter::parse_order_by(value, properties)?,
            "$top" => params.top = bounded(key, value, MAX_TOP)?,
            "$skip" => params.skip = bounded(key, value, MAX_SKIP)?,
            _ => {
                let shown: String = key.chars().take(40).collect();
                return Err(ApiError::parameter(format!(
                    "Unknown parameter {shown}: $filter, $orderby, $top and $skip are supported."
                )));
            }
        }
    }
    Ok(params)
}

fn bounded(key: &str, value: &str, max: u64) -> Result<u64, ApiError> {
    match value.trim().parse::<u64>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(ApiError::parameter(format!("{key} must be a whole number from 0 to {max}."))),
    }
}

/// How a resource maps its properties onto SQL.
pub(crate) trait Columns {
    /// The expression a property reads (a column, or a CASE/COALESCE over columns).
    fn column(&self, property: usize) -> SimpleExpr;
    /// A checked value as the database stores it.
    fn db_value(&self, property: usize, value: &Value) -> sea_orm::Value;
}

/// The condition a filter stands for.
pub(crate) fn condition(filter: &Filter, columns: &dyn Columns, backend: DbBackend) -> SimpleExpr {
    match filter {
        Filter::And(parts) => combine(parts, columns, backend, SimpleExpr::and),
        Filter::Or(parts) => combine(parts, columns, backend, SimpleExpr::or),
        Filter::Not(inner) => condition(inner, columns, backend).not(),
        Filter::Constant(true) => Expr::cust("(1 = 1)"),
        Filter::Constant(false) => Expr::cust("(1 = 0)"),
        Filter::IsNull { property, negated: false } => Expr::expr(columns.column(*property)).is_null(),
        Filter::IsNull { property, negated: true } => Expr::expr(columns.column(*property)).is_not_null(),
        // OData's comparisons are two-valued where SQL's are not: null equals only null, is
        // unequal to every value, and an ordering comparison with it is false. So
        // `newQuantity ne 3` and `not (addonId eq 5)` keep the rows where it is null.
        Filter::In { property, values } => known(columns.column(*property))
            .and(Expr::expr(columns.column(*property)).is_in(values.iter().map(|v| columns.db_value(*property, v)))),
        Filter::Compare { property, op, value } => {
            let column = || Expr::expr(columns.column(*property));
            let value = columns.db_value(*property, value);
            let compared = match op {
                Comparison::Ne => return column().is_null().or(column().ne(value)),
                Comparison::Eq => column().eq(value),
                Comparison::Gt => column().gt(value),
                Comparison::Ge => column().gte(value),
                Comparison::Lt => column().lt(value),
                Comparison::Le => column().lte(value),
            };
            known(columns.column(*property)).and(compared)
        }
        Filter::Text { function, property, value } => text(*function, columns.column(*property), value, backend),
    }
}

/// `column IS NOT NULL`: makes a comparison false, not unknown, on null.
fn known(column: SimpleExpr) -> SimpleExpr {
    Expr::expr(column).is_not_null()
}

fn combine(
    parts: &[Filter],
    columns: &dyn Columns,
    backend: DbBackend,
    join: fn(SimpleExpr, SimpleExpr) -> SimpleExpr,
) -> SimpleExpr {
    let mut conditions = parts.iter().map(|part| condition(part, columns, backend));
    let first = conditions.next().unwrap_or_else(|| Expr::cust("(1 = 1)"));
    conditions.fold(first, join)
}

/// Case-sensitive text matching the same way on both databases (LIKE is not: SQLite's
/// ignores ASCII case), with the searched text always a bound value. Placeholders follow
/// the backend: `?` in order on SQLite, `$n` on PostgreSQL.
fn text(function: TextFunction, column: SimpleExpr, value: &str, backend: DbBackend) -> SimpleExpr {
    if value.is_empty() {
        return Expr::expr(column).is_not_null();
    }
    let bound: SimpleExpr = Expr::val(value.to_string()).into();
    let postgres = backend == DbBackend::Postgres;
    match function {
        TextFunction::Contains if postgres => Expr::cust_with_exprs("(strpos($1, $2) > 0)", [column, bound]),
        TextFunction::Contains => Expr::cust_with_exprs("(instr(?, ?) > 0)", [column, bound]),
        TextFunction::StartsWith if postgres => Expr::cust_with_exprs("(strpos($1, $2) = 1)", [column, bound]),
        TextFunction::StartsWith => Expr::cust_with_exprs("(instr(?, ?) = 1)", [column, bound]),
        TextFunction::EndsWith => {
            // INTEGER, not BIGINT: PostgreSQL has right(text, integer) only.
            let length: SimpleExpr = Expr::val(value.chars().count().min(i32::MAX as usize) as i32).into();
            if postgres {
                Expr::cust_with_exprs("(right($1, $2) = $3)", [column, length, bound])
            } else {
                Expr::cust_with_exprs("(substr(?, -?) = ?)", [column, length, bound])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::filter::PropertyType;

    const PROPERTIES: &[Property] = &[
        Property { name: "id", kind: PropertyType::Integer, nullable: false },
        Property { name: "accountName", kind: PropertyType::Text, nullable: false },
    ];

    #[test]
    fn parameters_have_defaults_bounds_and_no_strangers() {
        let params = list_params(None, PROPERTIES).unwrap();
        assert_eq!((params.top, params.skip, params.filter, params.order), (50, 0, None, vec![]));
        let params = list_params(Some("$top=500&$skip=10&$orderBy=accountName%20desc&other=1"), PROPERTIES).unwrap();
        assert_eq!((params.top, params.skip, params.order), (500, 10, vec![(1, true)]));
        for (query, message) in [
            ("$top=501", "$top must be a whole number from 0 to 500."),
            ("$top=-1", "$top must be"),
            ("$top=ten", "$top must be"),
            ("$skip=1.5", "$skip must be"),
            ("$expand=all", "Unknown parameter $expand"),
            ("$top=1&$top=2", "given more than once"),
            ("$orderby=id&$orderBy=id", "given more than once"),
        ] {
            let error = list_params(Some(query), PROPERTIES).unwrap_err();
            assert_eq!((error.status.as_u16(), error.code), (400, "InvalidParameter"), "{query}");
            assert!(error.message.contains(message), "{query}: {}", error.message);
        }
        let error = list_params(Some("$filter=nope%20eq%201"), PROPERTIES).unwrap_err();
        assert_eq!((error.code, error.position), ("InvalidFilter", Some(0)));
        let error = list_params(Some("$orderby=nope"), PROPERTIES).unwrap_err();
        assert_eq!(error.code, "InvalidOrderBy");
    }
}
