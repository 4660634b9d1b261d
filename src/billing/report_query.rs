//! Runs a report definition: one SQL query over invoice items joined with their invoice,
//! account, bill-to account, subscription and product, always inside the viewer's account
//! scope, and summed per currency when it sums. A page of it for the table; the whole of it streamed as CSV, row by row from a
//! database cursor, so a large report never sits in memory.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use chrono::NaiveDate;
use futures_util::{Stream, StreamExt};
use sea_orm::sea_query::{Alias, Expr, Func, JoinType, Order, Query, SelectStatement, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryResult, StreamTrait,
    TransactionTrait,
};

use crate::accounts::scope::AccountScope;
use crate::billing::report::{Definition, Field, Kind};
use crate::entities::{accounts, invoice_items, invoices, products, subscriptions};
use crate::error::{AppError, AppResult};
use crate::pagination::{page_count, Key, KeyKind, Keyset, Links, PageQuery, Paged, Term, PAGE_SIZE};

/// One value of a report row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Date(Option<NaiveDate>),
    Number(i64),
}

impl Cell {
    /// The value as the table and the CSV file show it.
    pub(crate) fn text(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Date(date) => date.map(|d| d.to_string()).unwrap_or_default(),
            Cell::Number(n) => n.to_string(),
        }
    }

    /// For CSV: text that a spreadsheet would run as a formula gets a leading quote.
    fn csv(&self) -> String {
        match self {
            Cell::Text(text) if text.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{text}"),
            other => other.text(),
        }
    }
}

/// A report ready to run: the definition, checked, with its account resolved in scope.
#[derive(Debug, Clone)]
pub struct Runnable {
    pub definition: Definition,
    scope: AccountScope,
    account_id: Option<i32>,
}

/// Why a report cannot run.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The definition breaks its rules (each message says which).
    #[error("{}", .0.join(" "))]
    Invalid(Vec<String>),
    #[error("{}", crate::billing::report::COSTS_ARE_THE_PROVIDERS)]
    ProvidersCosts,
    #[error("No account “{0}” among the accounts you can report on.")]
    UnknownAccount(String),
    #[error(transparent)]
    Failed(#[from] AppError),
}

crate::error::refusals!(ReportError);

impl ReportError {
    /// The messages to list above the form (a failure is not one: `Err`).
    pub(crate) fn messages(self) -> Result<Vec<String>, AppError> {
        match self {
            ReportError::Failed(error) => Err(error),
            ReportError::Invalid(errors) => Ok(errors),
            refused => Ok(vec![refused.to_string()]),
        }
    }

    /// [`ReportError::messages`] in `loc`'s language.
    pub(crate) fn messages_in(self, loc: &impl crate::i18n::Localize) -> Result<Vec<String>, AppError> {
        match self {
            ReportError::ProvidersCosts => Ok(vec![loc.t("reports-error-providers-costs")]),
            ReportError::UnknownAccount(code) => {
                Ok(vec![crate::i18n::tr!(loc, "reports-error-unknown-account", code = code.as_str())])
            }
            other => other.messages(),
        }
    }

    /// The refusal as one text in `loc`'s language (the CSV download's error page).
    pub(crate) fn localized(self, loc: &impl crate::i18n::Localize) -> Result<String, AppError> {
        self.messages_in(loc).map(|messages| messages.join(" "))
    }
}

/// Usage values to pick from: the fixed ones and every product family.
pub(crate) async fn usage_choices<C: ConnectionTrait>(db: &C) -> AppResult<Vec<String>> {
    use sea_orm::QuerySelect;
    let families: Vec<String> = products::Entity::find()
        .select_only()
        .column(products::Column::UsageFamily)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let mut all: std::collections::BTreeSet<String> =
        crate::billing::report::KNOWN_USAGES.iter().map(|u| u.to_string()).collect();
    all.extend(families.into_iter().filter(|f| !f.trim().is_empty()));
    Ok(all.into_iter().collect())
}

/// Whether a viewer with this scope sells (the provider, a reseller): only sellers see costs.
pub(crate) fn sees_costs(scope: AccountScope) -> bool {
    !matches!(scope, AccountScope::Own(_))
}

/// The fields a viewer with this scope may choose: costs for sellers only.
pub(crate) fn offered_fields(scope: AccountScope) -> Vec<Field> {
    Field::ALL.iter().copied().filter(|f| sees_costs(scope) || !f.is_providers_cost()).collect()
}

impl Runnable {
    /// Checks the definition's account against the viewer's scope, and that only sellers
    /// report costs.
    pub async fn new<C: ConnectionTrait>(
        db: &C,
        scope: AccountScope,
        definition: Definition,
    ) -> Result<Runnable, ReportError> {
        let definition = definition.summed_per_currency();
        let errors = definition.check();
        if !errors.is_empty() {
            return Err(ReportError::Invalid(errors));
        }
        if !sees_costs(scope) && definition.names_providers_costs() {
            return Err(ReportError::ProvidersCosts);
        }
        let account_id = match &definition.account {
            None => None,
            Some(code) => {
                let found = accounts::Entity::find().filter(accounts::Column::Code.eq(code.clone())).one(db).await?;
                match found.filter(|a| scope.allows(a.id, a.parent_id)) {
                    Some(account) => Some(account.id),
                    None => return Err(ReportError::UnknownAccount(code.clone())),
                }
            }
        };
        Ok(Runnable { definition, scope, account_id })
    }

    /// The items the criteria take, joined with everything a field may show.
    fn base(&self) -> SelectStatement {
        let definition = &self.definition;
        let mut query = Query::select();
        query
            .from(invoice_items::Entity)
            .join(
                JoinType::InnerJoin,
                invoices::Entity,
                Expr::col((invoices::Entity, invoices::Column::Id))
                    .equals((invoice_items::Entity, invoice_items::Column::InvoiceId)),
            )
            .join_as(
                JoinType::InnerJoin,
                accounts::Entity,
                Alias::new(ACCOUNT),
                Expr::col((Alias::new(ACCOUNT), accounts::Column::Id))
                    .equals((invoices::Entity, invoices::Column::AccountId)),
            )
            .join_as(
                JoinType::InnerJoin,
                accounts::Entity,
                Alias::new(BILL_TO),
                Expr::col((Alias::new(BILL_TO), accounts::Column::Id))
                    .equals((invoices::Entity, invoices::Column::BillToAccountId)),
            )
            .join(
                JoinType::LeftJoin,
                subscriptions::Entity,
                Expr::col((subscriptions::Entity, subscriptions::Column::Id))
                    .equals((invoice_items::Entity, invoice_items::Column::SubscriptionId)),
            )
            .join(
                JoinType::LeftJoin,
                products::Entity,
                Expr::col((products::Entity, products::Column::Id))
                    .equals((invoice_items::Entity, invoice_items::Column::ProductId)),
            )
            .cond_where(self.scope.condition(invoices::Column::AccountId));
        let item = |column| Expr::col((invoice_items::Entity, column));
        if let Some(from) = definition.date_from {
            query.and_where(item(invoice_items::Column::PeriodStart).gte(from));
        }
        if let Some(to) = definition.date_to {
            let end = Func::coalesce([
                item(invoice_items::Column::PeriodEnd).into(),
                item(invoice_items::Column::PeriodStart).into(),
            ]);
            query.and_where(Expr::expr(end).lte(to));
        }
        if !definition.usages.is_empty() {
            query.and_where(item(invoice_items::Column::Usage).is_in(definition.usages.clone()));
        }
        if let Some(kind) = &definition.invoice_type {
            query.and_where(Expr::col((invoices::Entity, invoices::Column::InvoiceType)).eq(kind.clone()));
        }
        if let Some(account_id) = self.account_id {
            query.and_where(Expr::col((invoices::Entity, invoices::Column::AccountId)).eq(account_id));
        }
        if let Some(period) = &definition.billing_period {
            query.and_where(Expr::col((invoices::Entity, invoices::Column::BillingPeriod)).eq(period.clone()));
        }
        if let Some(currency) = &definition.currency {
            query.and_where(Expr::col((invoices::Entity, invoices::Column::Currency)).eq(currency.clone()));
        }
        query
    }

    /// The report's rows in order: the chosen sort, then a stable tie-break.
    pub(crate) fn select(&self) -> SelectStatement {
        let definition = &self.definition;
        let mut query = self.base();
        for (index, field) in definition.fields.iter().enumerate() {
            query.expr_as(output(*field, definition.sums_only), Alias::new(alias(index)));
        }
        let direction = if definition.descending { Order::Desc } else { Order::Asc };
        let position = |field: Field| definition.fields.iter().position(|f| *f == field);
        if definition.sums_only {
            let groups = definition.group_fields();
            for field in &groups {
                query.add_group_by([column(*field)]);
            }
            if let Some(index) = definition.sort.and_then(position) {
                query.order_by(Alias::new(alias(index)), direction);
            }
            for field in &groups {
                if let Some(index) = position(*field) {
                    query.order_by(Alias::new(alias(index)), Order::Asc);
                }
            }
        } else {
            for (expr, order) in self.keyset().order_by(true) {
                query.order_by_expr(expr, order);
            }
        }
        query
    }

    /// The order of a per-item report, for paging by keyset: the sort field's value (NULL
    /// last going up, first going down, on both databases), then the item's id. Its cursors
    /// are named after the sort, so a cursor of another sort is refused.
    fn keyset(&self) -> Keyset {
        let definition = &self.definition;
        let mut terms = Vec::new();
        if let Some(sort) = definition.sort {
            let kind = match sort.kind() {
                Kind::Text => KeyKind::Text,
                Kind::Date => KeyKind::Date,
                Kind::Number => KeyKind::Int,
            };
            terms.push(Term::new(column(sort), kind, definition.descending, true));
        }
        terms.push(Term::new(
            Expr::col((invoice_items::Entity, invoice_items::Column::Id)).into(),
            KeyKind::Int,
            false,
            false,
        ));
        let sort = definition.sort.map_or("item", |f| f.key());
        Keyset::new(format!("report/{sort}/{}", if definition.descending { "desc" } else { "asc" }), terms)
    }

    /// The per-item report's rows with, after the fields, its keyset's values.
    fn select_with_keys(&self) -> SelectStatement {
        let mut query = self.select();
        query.clear_order_by();
        if let Some(sort) = self.definition.sort {
            query.expr_as(output(sort, false), Alias::new(SORT_KEY));
        }
        query.expr_as(Expr::col((invoice_items::Entity, invoice_items::Column::Id)), Alias::new(ITEM_ID));
        query
    }

    /// A row's keyset values, read from `select_with_keys`.
    fn keys(&self, row: &QueryResult) -> Result<Vec<Key>, DbErr> {
        let mut keys = Vec::new();
        if let Some(sort) = self.definition.sort {
            let key = match sort.kind() {
                Kind::Text => row.try_get::<Option<String>>("", SORT_KEY)?.map(Key::Text),
                Kind::Date => row.try_get::<Option<NaiveDate>>("", SORT_KEY)?.map(Key::Date),
                Kind::Number => row.try_get::<Option<i64>>("", SORT_KEY)?.map(Key::Int),
            };
            keys.push(key.unwrap_or(Key::Null));
        }
        keys.push(Key::Int(row.try_get::<i32>("", ITEM_ID)?.into()));
        Ok(keys)
    }

    /// How many rows the report has.
    pub(crate) async fn count<C: ConnectionTrait>(&self, db: &C) -> AppResult<u64> {
        let mut query = Query::select();
        if self.definition.sums_only {
            // The groups need no order to be counted.
            let mut groups = self.select();
            groups.clear_order_by();
            query.expr_as(Expr::cust("COUNT(*)"), Alias::new("n")).from_subquery(groups, Alias::new("groups"));
        } else {
            query = self.base();
            query.expr_as(Expr::cust("COUNT(*)"), Alias::new("n"));
        }
        let row = db.query_one(db.get_database_backend().build(&query)).await?;
        let n: i64 = match row {
            Some(row) => row.try_get("", "n")?,
            None => 0,
        };
        Ok(n.max(0) as u64)
    }

    /// One page of `PAGE_SIZE` rows. A per-item report pages by keyset (`after=` / `before=`
    /// / `last=` cursors, see `pagination`), so a page deep in a million items costs what
    /// the first costs; a malformed or mismatched cursor is a `BadRequest`. A sums-only
    /// report keeps `page=N` and OFFSET: its rows are the groups, few, and grouped before
    /// they are paged, so there is no row to start after without grouping them all anyway.
    pub async fn page<C: ConnectionTrait>(&self, db: &C, query: &PageQuery) -> AppResult<Paged<Vec<Cell>>> {
        let total = self.count(db).await?;
        if self.definition.sums_only {
            let pages = page_count(total, PAGE_SIZE);
            let page = query.number().min(pages);
            let mut select = self.select();
            select.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE);
            let rows = db.query_all(db.get_database_backend().build(&select)).await?;
            let items = rows.iter().map(|row| cells(row, &self.definition.fields)).collect::<Result<_, _>>()?;
            return Ok(Paged { items, page, pages, total, links: Links::Numbers });
        }
        let keyset = self.keyset();
        let mut position = keyset.position(query)?;
        loop {
            let mut select = self.select_with_keys();
            if let Some(condition) = keyset.condition(&position) {
                select.cond_where(condition);
            }
            for (expr, order) in keyset.order_by(position.forward()) {
                select.order_by_expr(expr, order);
            }
            select.limit(keyset.limit(&position, total));
            let rows = db.query_all(db.get_database_backend().build(&select)).await?;
            if let Some(end) = position.end_it_passed().filter(|_| rows.is_empty() && total > 0) {
                position = end;
                continue;
            }
            let rows = rows
                .iter()
                .map(|row| Ok((cells(row, &self.definition.fields)?, self.keys(row)?)))
                .collect::<Result<Vec<_>, DbErr>>()?;
            return Ok(keyset.assemble(&position, rows, total, query.page));
        }
    }

    /// The cursor that starts a page just after the `offset`-th row (0-based) of a
    /// per-item report, found by OFFSET: for benchmarks and tests that jump deep into a
    /// report, never for a page.
    pub async fn cursor_at<C: ConnectionTrait>(&self, db: &C, offset: u64) -> AppResult<Option<String>> {
        let keyset = self.keyset();
        let mut select = self.select_with_keys();
        for (expr, order) in keyset.order_by(true) {
            select.order_by_expr(expr, order);
        }
        select.limit(1).offset(offset);
        let row = db.query_one(db.get_database_backend().build(&select)).await?;
        Ok(match row {
            Some(row) => Some(keyset.encode(&self.keys(&row)?)),
            None => None,
        })
    }

    /// Every row as CSV (header first), in chunks of about 64 KB read from a database
    /// cursor. The rows are produced as the client reads them: a bounded channel holds
    /// at most a few chunks. A client that reads nothing for `stall` is cut off (the
    /// cursor and its connection are released, and the download ends in an error, never
    /// as a complete-looking file); `slot` is held until the export ends.
    pub fn csv(
        self,
        db: DatabaseConnection,
        slot: ExportSlot,
        stall: std::time::Duration,
        lang: crate::i18n::Lang,
    ) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
        let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(2);
        let failed = Arc::new(AtomicBool::new(false));
        let failed_in_task = failed.clone();
        tokio::spawn(async move {
            let _slot = slot;
            if let Err(e) = self.write_csv(&db, &sender, stall, lang).await {
                tracing::warn!(error = %e, "report CSV export stopped");
                failed_in_task.store(true, Ordering::SeqCst);
            }
        });
        // Fused: a layer may poll once more after the end (compression does).
        futures_util::stream::unfold((receiver, failed, false), |(mut receiver, failed, ended)| async move {
            if ended {
                return None;
            }
            match receiver.recv().await {
                Some(chunk) => Some((chunk, (receiver, failed, false))),
                None if failed.load(Ordering::SeqCst) => {
                    Some((Err(std::io::Error::other("the export stopped")), (receiver, failed, true)))
                }
                None => None,
            }
        })
        .fuse()
    }

    async fn write_csv(
        &self,
        db: &DatabaseConnection,
        sender: &tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
        stall: std::time::Duration,
        lang: crate::i18n::Lang,
    ) -> Result<(), String> {
        // Waits for the client to take a chunk: gone is the end, no progress is an error.
        let deliver = |chunk: Vec<u8>| async move {
            match tokio::time::timeout(stall, sender.send(Ok(Bytes::from(chunk)))).await {
                Ok(Ok(())) => Ok(true),
                Ok(Err(_)) => Ok(false),
                Err(_) => Err(format!("the client read nothing for {} s", stall.as_secs())),
            }
        };
        const CHUNK: usize = 64 * 1024;
        let fields = &self.definition.fields;
        let mut writer = csv::Writer::from_writer(Vec::with_capacity(CHUNK + 1024));
        // The headings in the downloader's language; the values stay data.
        writer.write_record(fields.iter().map(|f| f.heading(&lang))).map_err(|e| e.to_string())?;
        let backend = db.get_database_backend();
        let statement = backend.build(&self.select());
        // A long export is one statement read as the client takes it: on PostgreSQL it runs
        // in its own read-only transaction, free of the per-statement time limit (the stall
        // limit above still ends it when the client stops reading).
        let txn = db.begin().await.map_err(|e| e.to_string())?;
        if backend == sea_orm::DbBackend::Postgres {
            txn.execute_unprepared("SET TRANSACTION READ ONLY").await.map_err(|e| e.to_string())?;
            txn.execute_unprepared("SET LOCAL statement_timeout = 0").await.map_err(|e| e.to_string())?;
            // Rows already read may take a slow client a while: the transaction is idle then.
            txn.execute_unprepared("SET LOCAL idle_in_transaction_session_timeout = 0")
                .await
                .map_err(|e| e.to_string())?;
        }
        let mut rows = txn.stream(statement).await.map_err(|e| e.to_string())?;
        while let Some(row) = rows.next().await {
            let row = row.map_err(|e| e.to_string())?;
            let cells = cells(&row, fields).map_err(|e| e.to_string())?;
            writer.write_record(cells.iter().map(Cell::csv)).map_err(|e| e.to_string())?;
            if writer.get_ref().len() >= CHUNK {
                let full = std::mem::replace(&mut writer, csv::Writer::from_writer(Vec::with_capacity(CHUNK + 1024)));
                let chunk = full.into_inner().map_err(|e| e.to_string())?;
                if !deliver(chunk).await? {
                    return Ok(()); // the client went away
                }
            }
        }
        drop(rows);
        txn.commit().await.map_err(|e| e.to_string())?;
        let rest = writer.into_inner().map_err(|e| e.to_string())?;
        if !rest.is_empty() {
            deliver(rest).await?;
        }
        Ok(())
    }
}

/// How many CSV exports run at once, overall and per account: each holds a database
/// connection, so pages always keep the rest of the pool.
pub(crate) const EXPORTS_AT_ONCE: usize = 4;
pub(crate) const EXPORTS_PER_ACCOUNT: u32 = 2;

/// The export slots of one server.
#[derive(Debug)]
pub struct ExportSlots {
    overall: Arc<tokio::sync::Semaphore>,
    per_account: std::sync::Mutex<std::collections::HashMap<i32, u32>>,
}

impl Default for ExportSlots {
    fn default() -> Self {
        ExportSlots {
            overall: Arc::new(tokio::sync::Semaphore::new(EXPORTS_AT_ONCE)),
            per_account: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }
}

impl ExportSlots {
    /// A slot for one more export by `account_id`, if one is free.
    pub fn take(self: &Arc<Self>, account_id: i32) -> Option<ExportSlot> {
        let permit = self.overall.clone().try_acquire_owned().ok()?;
        let mut running = self.per_account.lock().ok()?;
        let count = running.entry(account_id).or_insert(0);
        if *count >= EXPORTS_PER_ACCOUNT {
            return None;
        }
        *count += 1;
        Some(ExportSlot { slots: self.clone(), account_id, _permit: permit })
    }
}

/// One running export's slot, given back when it is dropped.
#[derive(Debug)]
pub struct ExportSlot {
    slots: Arc<ExportSlots>,
    account_id: i32,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl Drop for ExportSlot {
    fn drop(&mut self) {
        if let Ok(mut running) = self.slots.per_account.lock() {
            if let Some(count) = running.get_mut(&self.account_id) {
                *count = count.saturating_sub(1);
            }
        }
    }
}

const ACCOUNT: &str = "report_account";
const BILL_TO: &str = "report_bill_to";
/// The sort field's raw value and the item's id, selected for the keyset of a page.
const SORT_KEY: &str = "sort_key";
const ITEM_ID: &str = "item_id";

fn alias(index: usize) -> String {
    format!("c{index}")
}

/// The column behind a field.
fn column(field: Field) -> SimpleExpr {
    use Field::*;
    let item = |column| Expr::col((invoice_items::Entity, column)).into();
    let invoice = |column| Expr::col((invoices::Entity, column)).into();
    match field {
        InvoiceNumber => invoice(invoices::Column::Number),
        InvoiceType => invoice(invoices::Column::InvoiceType),
        InvoiceDate => invoice(invoices::Column::IssueDate),
        Account => Expr::col((Alias::new(ACCOUNT), accounts::Column::Name)).into(),
        BillingTo => Expr::col((Alias::new(BILL_TO), accounts::Column::Name)).into(),
        Subscription => Expr::col((subscriptions::Entity, subscriptions::Column::Name)).into(),
        SubscriptionExternalId => Expr::col((subscriptions::Entity, subscriptions::Column::ExternalId)).into(),
        Product => Expr::col((products::Entity, products::Column::Name)).into(),
        Usage => item(invoice_items::Column::Usage),
        StartDate => item(invoice_items::Column::PeriodStart),
        EndDate => item(invoice_items::Column::PeriodEnd),
        Currency => invoice(invoices::Column::Currency),
        Quantity => item(invoice_items::Column::Quantity),
        UnitPrice => item(invoice_items::Column::UnitPrice),
        UnitCost => item(invoice_items::Column::UnitCost),
        Total => item(invoice_items::Column::Total),
        TotalCost => item(invoice_items::Column::TotalCost),
    }
}

/// What a field selects: numbers as BIGINT (summed in "sums only"; PostgreSQL's SUM of a
/// BIGINT is NUMERIC, so the cast keeps one type on both databases).
fn output(field: Field, sums_only: bool) -> SimpleExpr {
    if field.kind() != Kind::Number {
        return column(field);
    }
    let value: SimpleExpr = if sums_only { Func::sum(column(field)).into() } else { column(field) };
    Expr::expr(value).cast_as(Alias::new("BIGINT"))
}

fn cells(row: &QueryResult, fields: &[Field]) -> Result<Vec<Cell>, DbErr> {
    fields
        .iter()
        .enumerate()
        .map(|(index, field)| {
            let name = alias(index);
            Ok(match field.kind() {
                Kind::Text => {
                    let text: Option<String> = row.try_get("", &name)?;
                    let text = text.unwrap_or_default();
                    Cell::Text(if *field == Field::InvoiceType { capitalized(&text) } else { text })
                }
                Kind::Date => Cell::Date(row.try_get("", &name)?),
                Kind::Number => Cell::Number(row.try_get::<Option<i64>>("", &name)?.unwrap_or(0)),
            })
        })
        .collect()
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
