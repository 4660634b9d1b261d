//! Long lists a page at a time, by keyset: a page starts after (or before) the row at the
//! edge of the page the link came from, so page 40,000 costs what page 1 costs (no OFFSET
//! re-reading every row before it).
//!
//! A list is ordered by a few terms, the last one unique (the primary key). A link carries
//! a cursor: the values of those terms at the row on the page's edge, as base64url JSON,
//! plus the name of the list and its order, so that a cursor of one list (or one sort) is
//! refused by another. `?after=` is the next page, `?before=` the previous one, `?last=1`
//! the last one, no parameter the first; `?page=` rides along only for the "Page N of M"
//! label. A cursor only adds a WHERE to the list's own (scoped) query: a tampered one moves
//! the window within what the viewer may see, never outside it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::sea_query::{ColumnType, Condition, Expr, Order, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, IntoSimpleExpr, PaginatorTrait, QueryFilter, QueryOrder, SelectorTrait, Value,
};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

pub(crate) const PAGE_SIZE: u64 = 25;

/// The longest cursor read from a link: a few values, one of them perhaps a name.
const MAX_CURSOR: usize = 2048;

/// The paging query parameters: `page=` (1-based; anything not a positive number is refused
/// by the extractor), `after=` / `before=` (a cursor), `last=` (any value: the last page).
/// Lists paged by keyset trust `page=` only as the label of a page reached by a cursor.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct PageQuery {
    pub page: Option<u64>,
    pub after: Option<String>,
    pub before: Option<String>,
    pub last: Option<String>,
}

impl PageQuery {
    /// The page after the row `cursor` names (as a Next link has it).
    pub fn after(cursor: String) -> PageQuery {
        PageQuery { after: Some(cursor), ..Default::default() }
    }

    /// The page number of an OFFSET-paged list (1-based).
    pub(crate) fn number(&self) -> u64 {
        self.page.unwrap_or(1).clamp(1, 1_000_000)
    }

    fn cursor(value: &Option<String>) -> Option<&str> {
        value.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
}

#[derive(Debug, Clone)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: u64,
    pub pages: u64,
    pub total: u64,
    pub(crate) links: Links,
}

/// How a page links to its neighbours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Links {
    /// `?page=N` (a short list, such as a sums-only report's groups).
    Numbers,
    /// `?before=` the first row, `?after=` the last one, when there are rows that way.
    Cursors { previous: Option<String>, next: Option<String> },
}

impl<T> Paged<T> {
    pub(crate) fn has_previous(&self) -> bool {
        match &self.links {
            Links::Numbers => self.page > 1,
            Links::Cursors { previous, .. } => previous.is_some(),
        }
    }

    pub(crate) fn has_next(&self) -> bool {
        match &self.links {
            Links::Numbers => self.page < self.pages,
            Links::Cursors { next, .. } => next.is_some(),
        }
    }

    /// The same page with each item turned into something else.
    pub(crate) fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            page: self.page,
            pages: self.pages,
            total: self.total,
            links: self.links,
        }
    }
}

/// Number of pages needed for `total` rows (at least one, so an empty list shows "page 1 of 1").
pub(crate) fn page_count(total: u64, size: u64) -> u64 {
    total.div_ceil(size).max(1)
}

/// One value of a cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Key {
    #[serde(rename = "n")]
    Null,
    #[serde(rename = "i")]
    Int(i64),
    #[serde(rename = "t")]
    Text(String),
    #[serde(rename = "d")]
    Date(NaiveDate),
    #[serde(rename = "u")]
    Time(DateTime<Utc>),
}

/// What type of value a term holds, so that a cursor's values are checked before they
/// reach SQL (a text where a number belongs is refused, not sent to PostgreSQL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Int,
    Text,
    Date,
    Time,
}

impl KeyKind {
    fn of(column_type: &ColumnType) -> KeyKind {
        match column_type {
            ColumnType::TinyInteger
            | ColumnType::SmallInteger
            | ColumnType::Integer
            | ColumnType::BigInteger
            | ColumnType::TinyUnsigned
            | ColumnType::SmallUnsigned
            | ColumnType::Unsigned => KeyKind::Int,
            ColumnType::Date => KeyKind::Date,
            ColumnType::DateTime | ColumnType::Timestamp | ColumnType::TimestampWithTimeZone => KeyKind::Time,
            _ => KeyKind::Text,
        }
    }
}

impl Key {
    fn fits(&self, kind: KeyKind, nullable: bool) -> bool {
        match self {
            Key::Null => nullable,
            Key::Int(_) => kind == KeyKind::Int,
            // PostgreSQL refuses a NUL in text, and dates outside years 1 to 9999 (as a
            // statement error): no row of ours holds either, so such a cursor was made up.
            Key::Text(text) => kind == KeyKind::Text && !text.contains('\0'),
            Key::Date(date) => kind == KeyKind::Date && (1..=9999).contains(&date.year()),
            Key::Time(time) => kind == KeyKind::Time && (1..=9999).contains(&time.year()),
        }
    }

    /// A row's value as a key (a value of a type no list orders by is a bug, told as such).
    pub(crate) fn of(value: Value) -> AppResult<Key> {
        Ok(match value {
            Value::TinyInt(Some(v)) => Key::Int(v.into()),
            Value::SmallInt(Some(v)) => Key::Int(v.into()),
            Value::Int(Some(v)) => Key::Int(v.into()),
            Value::BigInt(Some(v)) => Key::Int(v),
            Value::String(Some(v)) => Key::Text(*v),
            Value::ChronoDate(Some(v)) => Key::Date(*v),
            Value::ChronoDateTimeUtc(Some(v)) => Key::Time(*v),
            Value::TinyInt(None)
            | Value::SmallInt(None)
            | Value::Int(None)
            | Value::BigInt(None)
            | Value::String(None)
            | Value::ChronoDate(None)
            | Value::ChronoDateTimeUtc(None) => Key::Null,
            other => return Err(AppError::Internal(format!("no keyset paging by a value like {other:?}"))),
        })
    }

    fn value(&self) -> Value {
        match self {
            Key::Null => Value::BigInt(None),
            Key::Int(v) => Value::BigInt(Some(*v)),
            Key::Text(v) => v.clone().into(),
            Key::Date(v) => (*v).into(),
            Key::Time(v) => (*v).into(),
        }
    }
}

/// One term of a list's order.
#[derive(Debug, Clone)]
pub(crate) struct Term {
    expr: SimpleExpr,
    descending: bool,
    nullable: bool,
    kind: KeyKind,
}

impl Term {
    pub(crate) fn new(expr: SimpleExpr, kind: KeyKind, descending: bool, nullable: bool) -> Term {
        Term { expr, descending, nullable, kind }
    }

    /// A column of an entity, its type and nullability read from its definition.
    pub(crate) fn column<C: ColumnTrait>(column: C, descending: bool) -> Term {
        let def = column.def();
        Term::new(column.into_simple_expr(), KeyKind::of(def.get_column_type()), descending, def.is_null())
    }

    pub(crate) fn asc<C: ColumnTrait>(column: C) -> Term {
        Term::column(column, false)
    }

    pub(crate) fn desc<C: ColumnTrait>(column: C) -> Term {
        Term::column(column, true)
    }

    /// Whether this term runs ascending when the list is read `forward` (or backwards).
    fn ascending(&self, forward: bool) -> bool {
        self.descending != forward
    }
}

/// Where a page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Position {
    First,
    After(Vec<Key>),
    Before(Vec<Key>),
    Last,
}

impl Position {
    /// Read from the start (First, After) or from the end (Last, Before).
    pub(crate) fn forward(&self) -> bool {
        matches!(self, Position::First | Position::After(_))
    }

    /// Where to read instead when a cursor found no rows although the list has some: it
    /// lay past either end (the rows changed, or it was edited), so that end.
    pub(crate) fn end_it_passed(&self) -> Option<Position> {
        match self {
            Position::After(_) => Some(Position::Last),
            Position::Before(_) => Some(Position::First),
            Position::First | Position::Last => None,
        }
    }
}

/// Why a page link cannot be followed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("This page link is damaged or belongs to another list or sort order; start again from the first page.")]
pub struct CursorError;

impl From<CursorError> for AppError {
    fn from(error: CursorError) -> Self {
        AppError::BadRequest(error.to_string())
    }
}

#[derive(Serialize, Deserialize)]
struct Wire {
    /// The list and its order.
    l: String,
    /// The terms' values at the row.
    k: Vec<Key>,
}

/// A list's order, ending in a unique term, and the name its cursors carry.
#[derive(Debug, Clone)]
pub(crate) struct Keyset {
    name: String,
    terms: Vec<Term>,
}

impl Keyset {
    pub(crate) fn new(name: impl Into<String>, terms: Vec<Term>) -> Keyset {
        Keyset { name: name.into(), terms }
    }

    /// A cursor naming the row whose terms have these values.
    pub(crate) fn encode(&self, keys: &[Key]) -> String {
        let wire = Wire { l: self.name.clone(), k: keys.to_vec() };
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&wire).unwrap_or_default())
    }

    /// The values of a cursor of this list, checked against the terms' types.
    pub(crate) fn decode(&self, cursor: &str) -> Result<Vec<Key>, CursorError> {
        if cursor.len() > MAX_CURSOR {
            return Err(CursorError);
        }
        let bytes = URL_SAFE_NO_PAD.decode(cursor.trim_end_matches('=')).map_err(|_| CursorError)?;
        let wire: Wire = serde_json::from_slice(&bytes).map_err(|_| CursorError)?;
        let fits = wire.l == self.name
            && wire.k.len() == self.terms.len()
            && wire.k.iter().zip(&self.terms).all(|(key, term)| key.fits(term.kind, term.nullable));
        if fits {
            Ok(wire.k)
        } else {
            Err(CursorError)
        }
    }

    /// Where the query asks a page to start.
    pub(crate) fn position(&self, query: &PageQuery) -> Result<Position, CursorError> {
        if let Some(after) = PageQuery::cursor(&query.after) {
            return Ok(Position::After(self.decode(after)?));
        }
        if let Some(before) = PageQuery::cursor(&query.before) {
            return Ok(Position::Before(self.decode(before)?));
        }
        if query.last.is_some() {
            return Ok(Position::Last);
        }
        Ok(Position::First)
    }

    /// The ORDER BY of the list read forward (or backwards). A nullable term orders by
    /// `(term IS NULL)` first, so NULLs sort as the largest value on SQLite and PostgreSQL
    /// alike (by default SQLite puts them first, PostgreSQL last).
    pub(crate) fn order_by(&self, forward: bool) -> Vec<(SimpleExpr, Order)> {
        let mut order = Vec::new();
        for term in &self.terms {
            let direction = if term.ascending(forward) { Order::Asc } else { Order::Desc };
            if term.nullable {
                order.push((Expr::expr(term.expr.clone()).is_null(), direction.clone()));
            }
            order.push((term.expr.clone(), direction));
        }
        order
    }

    /// The rows strictly beyond `keys` in the list read forward (or backwards).
    fn beyond(&self, keys: &[Key], forward: bool) -> Condition {
        let mut any = Condition::any();
        for (index, (term, key)) in self.terms.iter().zip(keys).enumerate() {
            let mut all = Condition::all();
            for (before, key) in self.terms.iter().zip(keys).take(index) {
                all = all.add(equal(before, key));
            }
            if let Some(past) = past(term, key, term.ascending(forward)) {
                any = any.add(all.add(past));
            }
        }
        any
    }

    /// The WHERE a position adds to the list's query.
    pub(crate) fn condition(&self, position: &Position) -> Option<Condition> {
        match position {
            Position::First | Position::Last => None,
            Position::After(keys) => Some(self.beyond(keys, true)),
            Position::Before(keys) => Some(self.beyond(keys, false)),
        }
    }

    /// How many rows to read at `position`: a page and one more, which tells whether there
    /// is more that way. The last page holds what is left after the full pages (as the
    /// walk from the first page ends), so Previous from it steps through the same pages.
    pub(crate) fn limit(&self, position: &Position, total: u64) -> u64 {
        page_size(position, total) + 1
    }

    /// The page from rows read at `position` (at most `limit` of them), each with its
    /// terms' values.
    pub(crate) fn assemble<T>(
        &self,
        position: &Position,
        mut rows: Vec<(T, Vec<Key>)>,
        total: u64,
        page_hint: Option<u64>,
    ) -> Paged<T> {
        let pages = page_count(total, PAGE_SIZE);
        let size = page_size(position, total);
        let more = rows.len() as u64 > size;
        rows.truncate(size as usize);
        if !position.forward() {
            rows.reverse();
        }
        let (has_previous, has_next) = match position {
            Position::First => (false, more),
            Position::After(_) => (true, more),
            Position::Before(_) => (more, true),
            Position::Last => (more, false),
        };
        let page = if !has_previous {
            1
        } else if !has_next {
            pages
        } else {
            let guess = match position {
                Position::After(_) => page_hint.unwrap_or(2),
                _ => page_hint.unwrap_or(pages.saturating_sub(1)),
            };
            // Between the first and the last page, whatever the link claims (or the rows
            // changed since: then a guess that stays in range).
            let high = pages.saturating_sub(1).max(1);
            guess.clamp(1, high).max(2.min(high))
        };
        let previous = has_previous.then(|| rows.first().map(|(_, keys)| self.encode(keys))).flatten();
        let next = has_next.then(|| rows.last().map(|(_, keys)| self.encode(keys))).flatten();
        Paged {
            items: rows.into_iter().map(|(item, _)| item).collect(),
            page,
            pages,
            total,
            links: Links::Cursors { previous, next },
        }
    }
}

/// The rows a page at `position` shows: `PAGE_SIZE`, but the last page what is left.
fn page_size(position: &Position, total: u64) -> u64 {
    match position {
        Position::Last => total - (page_count(total, PAGE_SIZE) - 1) * PAGE_SIZE,
        _ => PAGE_SIZE,
    }
}

fn equal(term: &Term, key: &Key) -> SimpleExpr {
    match key {
        Key::Null => Expr::expr(term.expr.clone()).is_null(),
        key => Expr::expr(term.expr.clone()).eq(key.value()),
    }
}

/// Rows whose `term` lies strictly past `key` going up (`ascending`) or down, NULL being the
/// largest value; `None` when nothing can.
fn past(term: &Term, key: &Key, ascending: bool) -> Option<Condition> {
    let expr = || Expr::expr(term.expr.clone());
    match (key, ascending) {
        (Key::Null, true) => None,
        (Key::Null, false) => Some(Condition::all().add(expr().is_not_null())),
        (key, true) if term.nullable => Some(Condition::any().add(expr().gt(key.value())).add(expr().is_null())),
        (key, true) => Some(Condition::all().add(expr().gt(key.value()))),
        (key, false) => Some(Condition::all().add(expr().lt(key.value()))),
    }
}

/// One page of any select (one entity, or one with a related one) ordered by `keyset`
/// (whose order replaces none: give the select without ORDER BY), counting the total.
/// `key` gives a row's values of the keyset's terms. A cursor past the end shows the last
/// page, one before the start the first.
pub(crate) async fn fetch_page<'db, C, S, T>(
    db: &'db C,
    select: S,
    keyset: &Keyset,
    key: impl Fn(&T) -> Vec<Value>,
    query: &PageQuery,
) -> AppResult<Paged<T>>
where
    C: ConnectionTrait,
    S: PaginatorTrait<'db, C> + QueryFilter + QueryOrder + Clone,
    S::Selector: SelectorTrait<Item = T>,
{
    let mut position = keyset.position(query)?;
    // A first page with room to spare is the whole list: it needs no count (most lists a
    // customer sees on My Account are that short).
    if position == Position::First {
        let rows = read_rows(db, &select, keyset, &position, PAGE_SIZE + 1, &key).await?;
        let total = match rows.len() as u64 {
            short if short <= PAGE_SIZE => short,
            _ => select.clone().paginate(db, PAGE_SIZE).num_items().await?,
        };
        return Ok(keyset.assemble(&position, rows, total, query.page));
    }
    let total = select.clone().paginate(db, PAGE_SIZE).num_items().await?;
    loop {
        let rows = read_rows(db, &select, keyset, &position, keyset.limit(&position, total), &key).await?;
        if let Some(end) = position.end_it_passed().filter(|_| rows.is_empty() && total > 0) {
            position = end;
            continue;
        }
        return Ok(keyset.assemble(&position, rows, total, query.page));
    }
}

/// Up to `limit` rows at `position` in the keyset's order, each with its terms' values.
async fn read_rows<'db, C, S, T>(
    db: &'db C,
    select: &S,
    keyset: &Keyset,
    position: &Position,
    limit: u64,
    key: &impl Fn(&T) -> Vec<Value>,
) -> AppResult<Vec<(T, Vec<Key>)>>
where
    C: ConnectionTrait,
    S: PaginatorTrait<'db, C> + QueryFilter + QueryOrder + Clone,
    S::Selector: SelectorTrait<Item = T>,
{
    let mut page = select.clone();
    if let Some(condition) = keyset.condition(position) {
        page = page.filter(condition);
    }
    for (expr, order) in keyset.order_by(position.forward()) {
        page = page.order_by(expr, order);
    }
    let rows = page.paginate(db, limit).fetch_page(0).await?;
    rows.into_iter()
        .map(|item| {
            let keys = key(&item).into_iter().map(Key::of).collect::<AppResult<Vec<_>>>()?;
            Ok((item, keys))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{Alias, Query, SqliteQueryBuilder};

    #[test]
    fn page_counts() {
        assert_eq!(page_count(0, 25), 1);
        assert_eq!(page_count(25, 25), 1);
        assert_eq!(page_count(26, 25), 2);
        assert_eq!(PageQuery { page: Some(0), ..Default::default() }.number(), 1);
    }

    fn keyset() -> Keyset {
        Keyset::new(
            "things/name",
            vec![
                Term::new(Expr::col(Alias::new("name")).into(), KeyKind::Text, false, true),
                Term::new(Expr::col(Alias::new("id")).into(), KeyKind::Int, false, false),
            ],
        )
    }

    #[test]
    fn a_cursor_reads_back_as_the_values_it_was_made_of() {
        let keyset = keyset();
        for keys in [vec![Key::Text("Zoë & co/?".into()), Key::Int(42)], vec![Key::Null, Key::Int(-1)]] {
            let cursor = keyset.encode(&keys);
            assert!(cursor.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{cursor}");
            assert_eq!(keyset.decode(&cursor), Ok(keys));
        }
        let when = Keyset::new("log", vec![Term::new(Expr::col(Alias::new("at")).into(), KeyKind::Time, true, false)]);
        let now = vec![Key::Time(Utc::now())];
        assert_eq!(when.decode(&when.encode(&now)), Ok(now));
        let day = Keyset::new("d", vec![Term::new(Expr::col(Alias::new("d")).into(), KeyKind::Date, true, false)]);
        let date = vec![Key::Date(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap())];
        assert_eq!(day.decode(&day.encode(&date)), Ok(date));
    }

    #[test]
    fn garbage_and_mismatched_cursors_are_refused() {
        let keyset = keyset();
        let wire = |json: &str| URL_SAFE_NO_PAD.encode(json);
        for garbage in [
            "".to_string(),
            "not base64!".to_string(),
            URL_SAFE_NO_PAD.encode([0xff, 0xfe, 0x00]),
            wire("[]"),
            wire(r#"{"l":"things/name","k":[{"t":"a"}]}"#),
            wire(r#"{"l":"things/name","k":[{"t":"a"},{"i":1},{"i":2}]}"#),
            // a text where the id's number belongs: never sent to the database
            wire(r#"{"l":"things/name","k":[{"t":"a"},{"t":"1 OR 1=1"}]}"#),
            // NULL for a term that is never NULL
            wire(r#"{"l":"things/name","k":[{"t":"a"},"n"]}"#),
            // another list's (or another sort's) cursor
            wire(r#"{"l":"other","k":[{"t":"a"},{"i":1}]}"#),
            // a NUL, which PostgreSQL refuses in text (a 500 before)
            wire(r#"{"l":"things/name","k":[{"t":"a\u0000b"},{"i":1}]}"#),
            "A".repeat(MAX_CURSOR + 1),
        ] {
            assert_eq!(keyset.decode(&garbage), Err(CursorError), "{garbage}");
        }
        let time = Keyset::new("log", vec![Term::new(Expr::col(Alias::new("at")).into(), KeyKind::Time, true, false)]);
        assert_eq!(time.decode(&wire(r#"{"l":"log","k":[{"u":"yesterday"}]}"#)), Err(CursorError));
        // Years PostgreSQL cannot hold (a 500 before): refused like any made-up cursor.
        assert_eq!(time.decode(&wire(r#"{"l":"log","k":[{"u":"-5000-01-01T00:00:00Z"}]}"#)), Err(CursorError));
        let day = Keyset::new("d", vec![Term::new(Expr::col(Alias::new("d")).into(), KeyKind::Date, true, false)]);
        assert_eq!(day.decode(&wire(r#"{"l":"d","k":[{"d":"-5000-01-01"}]}"#)), Err(CursorError));
        assert_eq!(day.decode(&wire(r#"{"l":"d","k":[{"d":"+12000-01-01"}]}"#)), Err(CursorError));
        assert!(day.decode(&wire(r#"{"l":"d","k":[{"d":"2026-11-30"}]}"#)).is_ok());
        assert_eq!(keyset.position(&PageQuery { after: Some("%%%".into()), ..Default::default() }), Err(CursorError));
        assert_eq!(keyset.position(&PageQuery { last: Some("1".into()), ..Default::default() }), Ok(Position::Last));
        assert_eq!(keyset.position(&PageQuery { after: Some(" ".into()), ..Default::default() }), Ok(Position::First));
    }

    fn sql(keyset: &Keyset, position: &Position) -> String {
        let mut query = Query::select();
        // The list's own WHERE (its scope) stays whole: the cursor only narrows it.
        query.column(Alias::new("id")).from(Alias::new("things")).and_where(Expr::col(Alias::new("scope")).eq(1));
        if let Some(condition) = keyset.condition(position) {
            query.cond_where(condition);
        }
        for (expr, order) in keyset.order_by(position.forward()) {
            query.order_by_expr(expr, order);
        }
        query.to_string(SqliteQueryBuilder)
    }

    #[test]
    fn nulls_sort_last_going_up_explicitly_and_the_cursor_continues_past_them() {
        let keyset = keyset();
        let after = Position::After(vec![Key::Text("b".into()), Key::Int(7)]);
        assert_eq!(
            sql(&keyset, &after),
            r#"SELECT "id" FROM "things" WHERE "scope" = 1 AND ("name" > 'b' OR "name" IS NULL OR ("name" = 'b' AND "id" > 7)) ORDER BY "name" IS NULL ASC, "name" ASC, "id" ASC"#
        );
        let before_null = Position::Before(vec![Key::Null, Key::Int(7)]);
        assert_eq!(
            sql(&keyset, &before_null),
            r#"SELECT "id" FROM "things" WHERE "scope" = 1 AND ("name" IS NOT NULL OR ("name" IS NULL AND "id" < 7)) ORDER BY "name" IS NULL DESC, "name" DESC, "id" DESC"#
        );
        let after_null = Position::After(vec![Key::Null, Key::Int(7)]);
        assert_eq!(
            sql(&keyset, &after_null),
            r#"SELECT "id" FROM "things" WHERE "scope" = 1 AND ("name" IS NULL AND "id" > 7) ORDER BY "name" IS NULL ASC, "name" ASC, "id" ASC"#
        );
    }

    #[test]
    fn a_page_knows_its_neighbours_from_one_row_more() {
        let keyset = keyset();
        let rows = |n: i64| (1..=n).map(|i| (i, vec![Key::Text("a".into()), Key::Int(i)])).collect::<Vec<_>>();
        let first = keyset.assemble(&Position::First, rows(26), 60, None);
        assert_eq!((first.items.len(), first.page, first.pages), (25, 1, 3));
        assert!(!first.has_previous() && first.has_next());
        let Links::Cursors { next: Some(next), .. } = &first.links else { panic!("a next link") };
        assert_eq!(keyset.decode(next), Ok(vec![Key::Text("a".into()), Key::Int(25)]));
        // Read backwards from the end: the rows come nearest-first and are turned round;
        // the last page holds the 10 left after two full pages, as walking forward ends.
        assert_eq!(keyset.limit(&Position::Last, 60), 11);
        assert_eq!(keyset.limit(&Position::Last, 50), 26);
        assert_eq!(keyset.limit(&Position::Last, 0), 1);
        assert_eq!(keyset.limit(&Position::Before(vec![]), 60), 26);
        let last = keyset.assemble(&Position::Last, rows(11).into_iter().rev().collect(), 60, None);
        assert_eq!(last.items, (2..=11).collect::<Vec<_>>());
        assert_eq!(last.page, 3);
        assert!(last.has_previous() && !last.has_next());
        let middle = keyset.assemble(&Position::After(vec![]), rows(26), 60, Some(2));
        assert_eq!(middle.page, 2);
        let lying = keyset.assemble(&Position::After(vec![]), rows(26), 60, Some(999));
        assert_eq!(lying.page, 2, "the label stays between the first and the last page");
        // A cursor from a longer list (another viewer's, or from before rows went away)
        // may find rows both ways in a one-page list: still a page in range.
        let odd = keyset.assemble(&Position::After(vec![]), rows(3), 4, Some(7));
        assert_eq!((odd.page, odd.pages), (1, 1));
    }
}
