//! `$filter` and `$orderby` for API collections: a subset of OData 4.01, parsed by a real
//! grammar and checked against a resource's property list before anything reaches the
//! database.
//!
//! Precedence, loosest first: `or`, `and`, comparisons (`eq ne gt ge lt le`, `in`), `not`.
//! So `not` applies to what directly follows it (a parenthesised expression, a function
//! call, `true`/`false`), as in OData.
//!
//! Self-contained (std and chrono only), so the fuzz target in `fuzz/` compiles this very
//! file. Nothing here recurses without a depth limit: `and`/`or` chains are flat lists,
//! and each `(` or `not` is one level of at most `MAX_DEPTH`. Errors carry the character
//! index where the problem is.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Longest `$filter` accepted, in characters.
pub(crate) const MAX_LENGTH: usize = 2_000;
/// Deepest nesting of parentheses and `not`.
pub(crate) const MAX_DEPTH: usize = 32;

/// The type of a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyType {
    Integer,
    Text,
    DateTime,
    /// Text taking one of these values.
    Choice(&'static [&'static str]),
}

/// A property of a resource, as the API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Property {
    pub name: &'static str,
    pub kind: PropertyType,
    pub nullable: bool,
}

/// A literal, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Integer(i64),
    Text(String),
    DateTime(DateTime<Utc>),
    Boolean(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Comparison {
    fn parse(word: &str) -> Option<Comparison> {
        Some(match word {
            "eq" => Comparison::Eq,
            "ne" => Comparison::Ne,
            "gt" => Comparison::Gt,
            "ge" => Comparison::Ge,
            "lt" => Comparison::Lt,
            "le" => Comparison::Le,
            _ => return None,
        })
    }

    /// The same comparison with its sides swapped (`5 lt x` is `x gt 5`).
    fn flipped(self) -> Comparison {
        match self {
            Comparison::Gt => Comparison::Lt,
            Comparison::Ge => Comparison::Le,
            Comparison::Lt => Comparison::Gt,
            Comparison::Le => Comparison::Ge,
            other => other,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFunction {
    Contains,
    StartsWith,
    EndsWith,
}

/// A checked filter: properties are indexes into the resource's list.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Compare { property: usize, op: Comparison, value: Value },
    IsNull { property: usize, negated: bool },
    In { property: usize, values: Vec<Value> },
    Text { function: TextFunction, property: usize, value: String },
    Constant(bool),
}

/// What was wrong and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// `InvalidFilter`, `InvalidOrderBy` or `InvalidParameter`.
    pub code: &'static str,
    pub message: String,
    /// Character index in the parameter, when there is one.
    pub position: Option<usize>,
}

impl QueryError {
    fn filter(message: impl Into<String>, position: usize) -> QueryError {
        QueryError { code: "InvalidFilter", message: message.into(), position: Some(position) }
    }
}

/// Parses and checks a `$filter` against `properties`.
pub fn parse_filter(text: &str, properties: &[Property]) -> Result<Filter, QueryError> {
    let length = text.chars().count();
    if length > MAX_LENGTH {
        return Err(QueryError::filter(
            format!("The filter is {length} characters long; at most {MAX_LENGTH} are accepted."),
            MAX_LENGTH,
        ));
    }
    let tokens = lex(text)?;
    let mut parser = Parser { tokens, at: 0, depth: 0, end: length };
    let node = parser.or()?;
    if let Some(token) = parser.peek_token() {
        return Err(QueryError::filter(format!("Unexpected {} here.", token.kind.describe()), token.position));
    }
    check(&node, properties)
}

/// Parses a `$orderby`: comma-separated properties, each optionally `asc` or `desc`.
/// Returns (property index, descending).
pub fn parse_order_by(text: &str, properties: &[Property]) -> Result<Vec<(usize, bool)>, QueryError> {
    let error =
        |message: String, position: usize| QueryError { code: "InvalidOrderBy", message, position: Some(position) };
    let length = text.chars().count();
    if length > MAX_LENGTH {
        return Err(error(format!("$orderby is {length} characters long; at most {MAX_LENGTH} are accepted."), 0));
    }
    let mut order = Vec::new();
    let mut start = 0;
    for part in text.split(',') {
        let width = part.chars().count();
        let words: Vec<(usize, &str)> = split_words(part).into_iter().map(|(i, w)| (start + i, w)).collect();
        match words.as_slice() {
            [] => return Err(error("An empty $orderby entry: name a property.".into(), start)),
            [(position, name), rest @ ..] => {
                let Some(index) = find_property(properties, name) else {
                    return Err(error(format!("Unknown property “{}”.", shorten(name)), *position));
                };
                let descending = match rest {
                    [] => false,
                    [(_, word)] if word.eq_ignore_ascii_case("asc") => false,
                    [(_, word)] if word.eq_ignore_ascii_case("desc") => true,
                    [(position, word), ..] => {
                        return Err(error(format!("Expected asc or desc, found “{}”.", shorten(word)), *position));
                    }
                };
                if order.iter().any(|(i, _)| *i == index) {
                    return Err(error(format!("{} is ordered on twice.", properties[index].name), *position));
                }
                order.push((index, descending));
            }
        }
        start += width + 1;
    }
    Ok(order)
}

fn split_words(text: &str) -> Vec<(usize, &str)> {
    let mut words = Vec::new();
    let mut word_start = None;
    for (index, (byte, ch)) in text.char_indices().enumerate() {
        match (ch.is_whitespace(), word_start) {
            (false, None) => word_start = Some((index, byte)),
            (true, Some((i, b))) => {
                words.push((i, &text[b..byte]));
                word_start = None;
            }
            _ => {}
        }
    }
    if let Some((i, b)) = word_start {
        words.push((i, &text[b..]));
    }
    words
}

fn find_property(properties: &[Property], name: &str) -> Option<usize> {
    properties.iter().position(|p| p.name.eq_ignore_ascii_case(name))
}

fn shorten(text: &str) -> String {
    let short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    }
}

// ----- lexing -----

#[derive(Debug, Clone, PartialEq)]
enum TokenKind {
    Word(String),
    Text(String),
    Integer(i64),
    Decimal(String),
    DateTime(DateTime<Utc>),
    Open,
    Close,
    Comma,
}

impl TokenKind {
    fn describe(&self) -> String {
        match self {
            TokenKind::Word(w) => format!("“{}”", shorten(w)),
            TokenKind::Text(t) => format!("the string '{}'", shorten(t)),
            TokenKind::Integer(n) => format!("the number {n}"),
            TokenKind::Decimal(d) => format!("the number {}", shorten(d)),
            TokenKind::DateTime(d) => format!("the date-time {}", d.to_rfc3339()),
            TokenKind::Open => "“(”".into(),
            TokenKind::Close => "“)”".into(),
            TokenKind::Comma => "“,”".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    kind: TokenKind,
    position: usize,
}

fn lex(text: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let kind = match c {
            '(' => {
                i += 1;
                TokenKind::Open
            }
            ')' => {
                i += 1;
                TokenKind::Close
            }
            ',' => {
                i += 1;
                TokenKind::Comma
            }
            '\'' => {
                let (value, next) = quoted(&chars, i)?;
                i = next;
                TokenKind::Text(value)
            }
            c if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) => {
                let mut end = i + 1;
                while end < chars.len()
                    && (chars[end].is_ascii_alphanumeric() || matches!(chars[end], '-' | ':' | '.' | '+'))
                {
                    end += 1;
                }
                let literal: String = chars[i..end].iter().collect();
                i = end;
                number_or_date(&literal, start)?
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut end = i + 1;
                while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_') {
                    end += 1;
                }
                let word: String = chars[i..end].iter().collect();
                i = end;
                if word.eq_ignore_ascii_case("datetime") && chars.get(i) == Some(&'\'') {
                    let (value, next) = quoted(&chars, i)?;
                    i = next;
                    TokenKind::DateTime(parse_date_time(&value).ok_or_else(|| {
                        QueryError::filter(format!("“{}” is not a date or date-time.", shorten(&value)), start)
                    })?)
                } else {
                    TokenKind::Word(word)
                }
            }
            other => {
                return Err(QueryError::filter(format!("Unexpected character “{}”.", other.escape_default()), start));
            }
        };
        tokens.push(Token { kind, position: start });
    }
    Ok(tokens)
}

/// A single-quoted string starting at `start` (a doubled quote is one quote): its value
/// and the index after it.
fn quoted(chars: &[char], start: usize) -> Result<(String, usize), QueryError> {
    let mut value = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => return Err(QueryError::filter("A string is not closed: add a single quote.", start)),
            Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                value.push('\'');
                i += 2;
            }
            Some('\'') => return Ok((value, i + 1)),
            Some(c) if c.is_control() => {
                return Err(QueryError::filter("Strings may not contain control characters.", i));
            }
            Some(c) => {
                value.push(*c);
                i += 1;
            }
        }
    }
}

fn number_or_date(literal: &str, position: usize) -> Result<TokenKind, QueryError> {
    let body = literal.strip_prefix('-').unwrap_or(literal);
    if body.bytes().all(|b| b.is_ascii_digit()) {
        return literal.parse::<i64>().map(TokenKind::Integer).map_err(|_| {
            QueryError::filter(format!("{} is out of range for an integer.", shorten(literal)), position)
        });
    }
    let mut parts = body.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    if let Some(fraction) = parts.next() {
        if !whole.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && !fraction.is_empty()
            && fraction.bytes().all(|b| b.is_ascii_digit())
        {
            return Ok(TokenKind::Decimal(literal.to_string()));
        }
    }
    if !literal.starts_with('-') {
        if let Some(date) = parse_date_time(literal) {
            return Ok(TokenKind::DateTime(date));
        }
    }
    Err(QueryError::filter(format!("“{}” is not a number, a date or a date-time.", shorten(literal)), position))
}

/// `2021-06-14`, `2021-06-14T10:00:00`, with optional fraction and `Z` or offset. Without
/// a zone, UTC.
pub(crate) fn parse_date_time(text: &str) -> Option<DateTime<Utc>> {
    if text.len() > 40 {
        return None;
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return date.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    }
    if let Ok(with_zone) = DateTime::parse_from_rfc3339(text) {
        return Some(with_zone.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|t| t.and_utc())
}

// ----- parsing -----

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Or(Vec<Node>),
    And(Vec<Node>),
    Not(Box<Node>, usize),
    Compare(Comparison, Box<Node>, Box<Node>, usize),
    In(Box<Node>, Vec<Node>, usize),
    Call(String, Vec<Node>, usize),
    Property(String, usize),
    Literal(TokenKind, usize),
    Null(usize),
}

impl Node {
    fn position(&self) -> usize {
        match self {
            Node::Or(nodes) | Node::And(nodes) => nodes.first().map_or(0, Node::position),
            Node::Not(_, p)
            | Node::Compare(_, _, _, p)
            | Node::In(_, _, p)
            | Node::Call(_, _, p)
            | Node::Property(_, p)
            | Node::Literal(_, p)
            | Node::Null(p) => *p,
        }
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
    /// The filter's length: where "the filter ends" errors point.
    end: usize,
}

impl Parser {
    fn peek_token(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn end_position(&self) -> usize {
        self.end
    }

    fn peek_word(&self, word: &str) -> bool {
        matches!(self.peek_token(), Some(Token { kind: TokenKind::Word(w), .. }) if w.eq_ignore_ascii_case(word))
    }

    fn expect(&mut self, kind: TokenKind, what: &str) -> Result<usize, QueryError> {
        match self.peek_token() {
            Some(token) if token.kind == kind => {
                let position = token.position;
                self.at += 1;
                Ok(position)
            }
            Some(token) => {
                Err(QueryError::filter(format!("Expected {what}, found {}.", token.kind.describe()), token.position))
            }
            None => Err(QueryError::filter(format!("Expected {what}, but the filter ends."), self.end_position())),
        }
    }

    fn deeper(&mut self, position: usize) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(QueryError::filter(format!("The filter is nested deeper than {MAX_DEPTH} levels."), position));
        }
        Ok(())
    }

    /// One or more `operand`s joined by `keyword`, as a flat list (no recursion per link).
    fn chain(
        &mut self,
        keyword: &str,
        operand: fn(&mut Parser) -> Result<Node, QueryError>,
        join: fn(Vec<Node>) -> Node,
    ) -> Result<Node, QueryError> {
        let mut nodes = vec![operand(self)?];
        while self.peek_word(keyword) {
            self.at += 1;
            nodes.push(operand(self)?);
        }
        Ok(if nodes.len() == 1 { nodes.remove(0) } else { join(nodes) })
    }

    fn or(&mut self) -> Result<Node, QueryError> {
        self.chain("or", Parser::and, Node::Or)
    }

    fn and(&mut self) -> Result<Node, QueryError> {
        self.chain("and", Parser::comparison, Node::And)
    }

    /// Comma-separated values or arguments, up to (not including) the closing parenthesis.
    fn comma_list(&mut self) -> Result<Vec<Node>, QueryError> {
        let mut nodes = vec![self.unary()?];
        while matches!(self.peek_token(), Some(Token { kind: TokenKind::Comma, .. })) {
            self.at += 1;
            nodes.push(self.unary()?);
        }
        Ok(nodes)
    }

    fn comparison(&mut self) -> Result<Node, QueryError> {
        let left = self.unary()?;
        let Some(Token { kind: TokenKind::Word(word), position }) = self.peek_token().cloned() else {
            return Ok(left);
        };
        let lower = word.to_ascii_lowercase();
        if let Some(op) = Comparison::parse(&lower) {
            self.at += 1;
            let right = self.unary()?;
            return Ok(Node::Compare(op, Box::new(left), Box::new(right), position));
        }
        if lower == "in" {
            self.at += 1;
            self.expect(TokenKind::Open, "“(” after in")?;
            let values = self.comma_list()?;
            self.expect(TokenKind::Close, "“)” to close the in list")?;
            return Ok(Node::In(Box::new(left), values, position));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Node, QueryError> {
        if self.peek_word("not") {
            let position = self.peek_token().map_or(0, |t| t.position);
            self.at += 1;
            self.deeper(position)?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Node::Not(Box::new(inner), position));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Node, QueryError> {
        let Some(token) = self.peek_token().cloned() else {
            return Err(QueryError::filter(
                "The filter ends where a value or property was expected.",
                self.end_position(),
            ));
        };
        self.at += 1;
        match token.kind {
            TokenKind::Open => {
                self.deeper(token.position)?;
                let inner = self.or()?;
                self.depth -= 1;
                self.expect(TokenKind::Close, "“)”")?;
                Ok(inner)
            }
            TokenKind::Word(word) => {
                let lower = word.to_ascii_lowercase();
                match lower.as_str() {
                    "null" => Ok(Node::Null(token.position)),
                    "true" | "false" => Ok(Node::Literal(TokenKind::Word(lower), token.position)),
                    "and" | "or" | "not" | "in" | "eq" | "ne" | "gt" | "ge" | "lt" | "le" => {
                        Err(QueryError::filter(format!("“{word}” needs something before it."), token.position))
                    }
                    _ if matches!(self.peek_token(), Some(Token { kind: TokenKind::Open, .. })) => {
                        self.at += 1;
                        self.deeper(token.position)?;
                        let arguments = self.comma_list()?;
                        self.depth -= 1;
                        self.expect(TokenKind::Close, "“)” to close the function's arguments")?;
                        Ok(Node::Call(lower, arguments, token.position))
                    }
                    _ => Ok(Node::Property(word, token.position)),
                }
            }
            TokenKind::Close | TokenKind::Comma => {
                Err(QueryError::filter(format!("Unexpected {} here.", token.kind.describe()), token.position))
            }
            literal => Ok(Node::Literal(literal, token.position)),
        }
    }
}

// ----- checking -----

fn check(node: &Node, properties: &[Property]) -> Result<Filter, QueryError> {
    match node {
        Node::Or(nodes) => Ok(Filter::Or(nodes.iter().map(|n| check(n, properties)).collect::<Result<_, _>>()?)),
        Node::And(nodes) => Ok(Filter::And(nodes.iter().map(|n| check(n, properties)).collect::<Result<_, _>>()?)),
        Node::Not(inner, _) => Ok(Filter::Not(Box::new(check(inner, properties)?))),
        Node::Literal(TokenKind::Word(word), _) => Ok(Filter::Constant(word == "true")),
        Node::Compare(op, left, right, position) => compare(*op, left, right, *position, properties),
        Node::In(left, values, position) => {
            let Node::Property(name, at) = left.as_ref() else {
                return Err(QueryError::filter("in needs a property on its left.", left.position()));
            };
            let index = property_index(properties, name, *at)?;
            let mut checked = Vec::with_capacity(values.len());
            for value in values {
                if let Node::Null(at) = value {
                    return Err(QueryError::filter("null cannot be in an in list; use eq null.", *at));
                }
                checked.extend(literal_for(&properties[index], value)?);
            }
            if checked.is_empty() {
                return Err(QueryError::filter("An in list needs at least one value.", *position));
            }
            Ok(Filter::In { property: index, values: checked })
        }
        Node::Call(name, arguments, position) => {
            let function = match name.as_str() {
                "contains" => TextFunction::Contains,
                "startswith" => TextFunction::StartsWith,
                "endswith" => TextFunction::EndsWith,
                _ => {
                    return Err(QueryError::filter(
                        format!(
                            "Unknown function “{}”: contains, startswith and endswith are supported.",
                            shorten(name)
                        ),
                        *position,
                    ))
                }
            };
            let [Node::Property(property, at), Node::Literal(TokenKind::Text(value), _)] = arguments.as_slice() else {
                return Err(QueryError::filter(
                    format!("{name} takes a text property and a string: {name}(name,'x')."),
                    *position,
                ));
            };
            let index = property_index(properties, property, *at)?;
            if properties[index].kind != PropertyType::Text {
                return Err(QueryError::filter(
                    format!("{name} works on text properties; {} is not one.", properties[index].name),
                    *at,
                ));
            }
            Ok(Filter::Text { function, property: index, value: value.clone() })
        }
        Node::Property(name, position) => {
            let index = property_index(properties, name, *position)?;
            Err(QueryError::filter(
                format!(
                    "{} is not a condition: compare it, for example {} eq …",
                    properties[index].name, properties[index].name
                ),
                *position,
            ))
        }
        Node::Literal(_, position) | Node::Null(position) => {
            Err(QueryError::filter("A value alone is not a condition: compare a property with it.", *position))
        }
    }
}

fn property_index(properties: &[Property], name: &str, position: usize) -> Result<usize, QueryError> {
    find_property(properties, name)
        .ok_or_else(|| QueryError::filter(format!("Unknown property “{}”.", shorten(name)), position))
}

fn compare(
    op: Comparison,
    left: &Node,
    right: &Node,
    position: usize,
    properties: &[Property],
) -> Result<Filter, QueryError> {
    if let Node::Not(_, at) = left {
        return Err(QueryError::filter("not applies to what directly follows it: write not (… eq …).", *at));
    }
    let (name, at, value, op) = match (left, right) {
        (Node::Property(name, at), value) => (name, *at, value, op),
        (value, Node::Property(name, at)) => (name, *at, value, op.flipped()),
        _ => return Err(QueryError::filter("A comparison needs one property and one value.", position)),
    };
    if matches!(value, Node::Property(..)) {
        return Err(QueryError::filter("Comparing two properties is not supported.", value.position()));
    }
    let index = property_index(properties, name, at)?;
    let property = &properties[index];
    if matches!(value, Node::Null(_)) && !matches!(op, Comparison::Eq | Comparison::Ne) {
        return Err(QueryError::filter("null can only be compared with eq or ne.", value.position()));
    }
    match literal_for(property, value)? {
        None => match op {
            Comparison::Eq => Ok(Filter::IsNull { property: index, negated: false }),
            Comparison::Ne => Ok(Filter::IsNull { property: index, negated: true }),
            _ => Err(QueryError::filter("null can only be compared with eq or ne.", value.position())),
        },
        Some(value) => {
            if matches!(property.kind, PropertyType::Choice(_)) && !matches!(op, Comparison::Eq | Comparison::Ne) {
                return Err(QueryError::filter(
                    format!("{} can only be compared with eq, ne or in.", property.name),
                    position,
                ));
            }
            Ok(Filter::Compare { property: index, op, value })
        }
    }
}

/// The literal `node` as a value of `property`'s type; `None` for null.
fn literal_for(property: &Property, node: &Node) -> Result<Option<Value>, QueryError> {
    let position = node.position();
    let mismatch = |what: &str| {
        let expected = match property.kind {
            PropertyType::Integer => "an integer".to_string(),
            PropertyType::Text => "a string".to_string(),
            PropertyType::DateTime => "a date-time".to_string(),
            PropertyType::Choice(values) => format!("one of {}", values.join(", ")),
        };
        QueryError::filter(format!("{} is {expected}; {what} does not compare with it.", property.name), position)
    };
    let kind = match node {
        Node::Null(_) if property.nullable => return Ok(None),
        Node::Null(_) => return Err(QueryError::filter(format!("{} is never null.", property.name), position)),
        Node::Literal(kind, _) => kind,
        _ => return Err(QueryError::filter("Expected a value here.", position)),
    };
    Ok(Some(match (property.kind, kind) {
        (PropertyType::Integer, TokenKind::Integer(n)) => Value::Integer(*n),
        (PropertyType::Text, TokenKind::Text(text)) => Value::Text(text.clone()),
        (PropertyType::DateTime, TokenKind::DateTime(date)) => Value::DateTime(*date),
        (PropertyType::Choice(values), TokenKind::Text(text)) => {
            match values.iter().find(|v| v.eq_ignore_ascii_case(text)) {
                Some(value) => Value::Text(value.to_string()),
                None => {
                    return Err(QueryError::filter(
                        format!("'{}' is not a {}: one of {}.", shorten(text), property.name, values.join(", ")),
                        position,
                    ))
                }
            }
        }
        (_, TokenKind::Text(text)) => return Err(mismatch(&format!("the string '{}'", shorten(text)))),
        (_, TokenKind::Integer(n)) => return Err(mismatch(&format!("the number {n}"))),
        (_, TokenKind::Decimal(d)) => return Err(mismatch(&format!("the number {}", shorten(d)))),
        (_, TokenKind::DateTime(_)) => return Err(mismatch("a date-time")),
        (_, TokenKind::Word(word)) => return Err(mismatch(word)),
        (_, _) => return Err(QueryError::filter("Expected a value here.", position)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROPERTIES: &[Property] = &[
        Property { name: "id", kind: PropertyType::Integer, nullable: false },
        Property {
            name: "actionType",
            kind: PropertyType::Choice(&["CancellationOnEnd", "ChangeQtyOnNext", "CancellationOnSpecific"]),
            nullable: false,
        },
        Property { name: "scheduledDate", kind: PropertyType::DateTime, nullable: false },
        Property { name: "accountName", kind: PropertyType::Text, nullable: false },
        Property { name: "newQuantity", kind: PropertyType::Integer, nullable: true },
    ];

    fn ok(text: &str) -> Filter {
        parse_filter(text, PROPERTIES).unwrap_or_else(|e| panic!("{text}: {e:?}"))
    }

    fn err(text: &str) -> QueryError {
        parse_filter(text, PROPERTIES).expect_err(text)
    }

    fn at(year: i32, month: u32, day: u32, hour: u32) -> Value {
        Value::DateTime(NaiveDate::from_ymd_opt(year, month, day).unwrap().and_hms_opt(hour, 0, 0).unwrap().and_utc())
    }

    #[test]
    fn every_comparison_and_literal_form() {
        for (word, op) in [
            ("eq", Comparison::Eq),
            ("ne", Comparison::Ne),
            ("gt", Comparison::Gt),
            ("ge", Comparison::Ge),
            ("lt", Comparison::Lt),
            ("le", Comparison::Le),
        ] {
            assert_eq!(ok(&format!("id {word} 7")), Filter::Compare { property: 0, op, value: Value::Integer(7) });
        }
        assert_eq!(ok("7 lt id"), Filter::Compare { property: 0, op: Comparison::Gt, value: Value::Integer(7) });
        assert_eq!(ok("id eq -3"), Filter::Compare { property: 0, op: Comparison::Eq, value: Value::Integer(-3) });
        for literal in [
            "2021-06-14",
            "datetime'2021-06-14'",
            "2021-06-14T00:00:00Z",
            "datetime'2021-06-14T00:00:00'",
            "2021-06-14T02:00:00+02:00",
        ] {
            assert_eq!(
                ok(&format!("scheduledDate lt {literal}")),
                Filter::Compare { property: 2, op: Comparison::Lt, value: at(2021, 6, 14, 0) },
                "{literal}"
            );
        }
        assert_eq!(
            ok("accountName eq 'O''Brien'"),
            Filter::Compare { property: 3, op: Comparison::Eq, value: Value::Text("O'Brien".into()) }
        );
        assert_eq!(ok("newQuantity eq null"), Filter::IsNull { property: 4, negated: false });
        assert_eq!(ok("null ne newQuantity"), Filter::IsNull { property: 4, negated: true });
        assert_eq!(ok("true"), Filter::Constant(true));
        assert_eq!(ok("ACCOUNTNAME EQ 'x'"), ok("accountName eq 'x'"), "names and operators ignore case");
        assert_eq!(
            ok("actionType eq 'changeqtyonnext'"),
            Filter::Compare { property: 1, op: Comparison::Eq, value: Value::Text("ChangeQtyOnNext".into()) }
        );
    }

    #[test]
    fn in_not_functions_and_precedence() {
        assert_eq!(
            ok("actionType in ('CancellationOnEnd','CancellationOnSpecific')"),
            Filter::In {
                property: 1,
                values: vec![Value::Text("CancellationOnEnd".into()), Value::Text("CancellationOnSpecific".into())]
            }
        );
        assert_eq!(
            ok("contains(accountName,'Contoso')"),
            Filter::Text { function: TextFunction::Contains, property: 3, value: "Contoso".into() }
        );
        assert_eq!(
            ok("startswith(accountName,'C')"),
            Filter::Text { function: TextFunction::StartsWith, property: 3, value: "C".into() }
        );
        assert_eq!(
            ok("endswith(accountName,'e')"),
            Filter::Text { function: TextFunction::EndsWith, property: 3, value: "e".into() }
        );
        let a = || Filter::Compare { property: 0, op: Comparison::Eq, value: Value::Integer(1) };
        let b = || Filter::Compare { property: 0, op: Comparison::Eq, value: Value::Integer(2) };
        let c = || Filter::Compare { property: 0, op: Comparison::Eq, value: Value::Integer(3) };
        assert_eq!(
            ok("id eq 1 or id eq 2 and id eq 3"),
            Filter::Or(vec![a(), Filter::And(vec![b(), c()])]),
            "and binds tighter than or"
        );
        assert_eq!(ok("(id eq 1 or id eq 2) and id eq 3"), Filter::And(vec![Filter::Or(vec![a(), b()]), c()]));
        assert_eq!(
            ok("not (id eq 1) and id eq 3"),
            Filter::And(vec![Filter::Not(Box::new(a())), c()]),
            "not binds tightest"
        );
        assert_eq!(ok("((((id eq 1))))"), a());
        assert_eq!(
            ok("not contains(accountName,'x')"),
            Filter::Not(Box::new(Filter::Text { function: TextFunction::Contains, property: 3, value: "x".into() }))
        );
        let err = err("not id eq 1");
        assert!(err.message.contains("not applies to what directly follows it"), "{err:?}");
        assert!(parse_filter("id", PROPERTIES).unwrap_err().message.contains("id is not a condition"));
    }

    #[test]
    fn errors_say_what_and_where() {
        let cases: &[(&str, usize, &str)] = &[
            ("quantity eq 1", 0, "Unknown property “quantity”"),
            ("id eq 'x'", 6, "id is an integer; the string 'x' does not compare with it."),
            ("id eq 2.5", 6, "the number 2.5"),
            ("scheduledDate lt datetime'2021-13-01'", 17, "is not a date or date-time"),
            ("scheduledDate lt 2021-02-30", 17, "is not a number, a date or a date-time"),
            ("(id eq 1", 8, "Expected “)”, but the filter ends."),
            ("id eq 1)", 7, "Unexpected “)” here."),
            ("accountName eq 'open", 15, "A string is not closed"),
            ("id eq", 5, "ends where a value or property was expected"),
            ("id eq 1 and", 11, "ends where a value or property was expected"),
            ("id eq 99999999999999999999", 6, "out of range"),
            ("id gt null", 6, "null can only be compared with eq or ne."),
            ("id eq null", 6, "id is never null."),
            ("actionType eq 'Sometime'", 14, "'Sometime' is not a actionType"),
            ("actionType gt 'ChangeQtyOnNext'", 11, "can only be compared with eq, ne or in"),
            ("shout(accountName,'x')", 0, "Unknown function"),
            ("contains(id,'1')", 9, "contains works on text properties"),
            ("id eq accountName", 6, "Comparing two properties"),
            ("id eq 1; DROP TABLE future_actions", 7, "Unexpected character “;”"),
            ("id in (1, null)", 10, "null cannot be in an in list"),
            ("id eq １", 6, "Unexpected character"),
        ];
        for (text, position, message) in cases {
            let error = err(text);
            assert_eq!(error.code, "InvalidFilter");
            assert!(error.message.contains(message), "{text}: {}", error.message);
            assert_eq!(error.position, Some(*position), "{text}: {}", error.message);
        }
    }

    #[test]
    fn long_and_deep_filters_are_refused_without_recursing() {
        let deep = format!("{}id eq 1{}", "(".repeat(33), ")".repeat(33));
        let error = err(&deep);
        assert!(error.message.contains("deeper than 32"), "{error:?}");
        assert_eq!(error.position, Some(32));
        assert!(parse_filter(&format!("{}id eq 1{}", "(".repeat(32), ")".repeat(32)), PROPERTIES).is_ok());
        assert!(err(&"not ".repeat(40)).message.contains("deeper than 32"));
        let long = format!("accountName eq '{}'", "x".repeat(2_000));
        assert!(err(&long).message.contains("at most 2000"));
        let chain = vec!["id eq 1"; 150].join(" and ");
        assert!(matches!(ok(&chain), Filter::And(parts) if parts.len() == 150), "long chains are flat");
    }

    #[test]
    fn order_by_takes_properties_and_directions() {
        assert_eq!(parse_order_by("scheduledDate desc, ID", PROPERTIES).unwrap(), vec![(2, true), (0, false)]);
        assert_eq!(parse_order_by("accountName asc", PROPERTIES).unwrap(), vec![(3, false)]);
        let error = parse_order_by("id, nope desc", PROPERTIES).unwrap_err();
        assert_eq!((error.code, error.position), ("InvalidOrderBy", Some(4)));
        assert!(parse_order_by("id sideways", PROPERTIES).unwrap_err().message.contains("Expected asc or desc"));
        assert!(parse_order_by("id,", PROPERTIES).unwrap_err().message.contains("empty"));
        assert!(parse_order_by("id, id desc", PROPERTIES).unwrap_err().message.contains("twice"));
    }
}
