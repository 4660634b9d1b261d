//! Importing consumption records from CSV: the header is checked first (a file that is not
//! this format is refused whole), then every row; good rows load in batches of [`BATCH`]
//! rows, each batch in one transaction, and each rejected row is reported with its line
//! number and reason. A background import writes its progress in each batch's
//! transaction, so one cut short resumes after the last batch it wrote (no row is
//! imported twice: the reference is unique, and rows are taken in file order).

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait,
};

use super::usage::{classify, Charge};
use crate::entities::enums::ProductKind;
use crate::entities::{products, subscriptions, usage_records};
use crate::error::AppError;

/// The columns, in order.
pub(crate) const HEADER: [&str; 7] = ["subscription", "date", "resource", "quantity", "amount", "cost", "reference"];
/// Largest file accepted.
pub(crate) const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Rows written per transaction.
pub(crate) const BATCH: usize = 200;

/// A row that passed the checks that need no database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UsageRow {
    pub line: u64,
    pub subscription: String,
    pub date: NaiveDate,
    pub resource: String,
    pub quantity: i64,
    pub amount: i64,
    pub cost: i64,
    pub reference: String,
}

/// A refused row: its line number in the file and why.
pub(crate) type Rejected = (u64, String);

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub imported: usize,
    /// (line, reason)
    pub rejected: Vec<Rejected>,
}

fn whole(field: &str, name: &str, min: i64) -> Result<i64, String> {
    match field.trim().parse::<i64>() {
        Ok(n) if n >= min => Ok(n),
        _ if min == 0 => Err(format!("{name} must be a whole number, 0 or more (got `{}`)", field.trim())),
        _ => Err(format!("{name} must be a whole number (got `{}`)", field.trim())),
    }
}

fn check_row(line: u64, fields: &csv::StringRecord) -> Result<UsageRow, String> {
    if fields.len() != HEADER.len() {
        return Err(format!("expected {} columns, found {}", HEADER.len(), fields.len()));
    }
    let text = |i: usize| fields.get(i).unwrap_or("").trim().to_string();
    let subscription = text(0);
    if subscription.is_empty() || subscription.len() > 100 {
        return Err("subscription (its external id) is required".into());
    }
    let date = NaiveDate::parse_from_str(&text(1), "%Y-%m-%d")
        .map_err(|_| format!("date must be YYYY-MM-DD (got `{}`)", text(1)))?;
    let resource = text(2);
    if resource.chars().count() > 200 {
        return Err("resource has at most 200 characters".into());
    }
    let reference = text(6);
    if reference.is_empty() || reference.chars().count() > 100 {
        return Err("reference is required (at most 100 characters) so a row is never imported twice".into());
    }
    Ok(UsageRow {
        line,
        subscription,
        date,
        resource,
        quantity: whole(&text(3), "quantity", 0)?,
        amount: whole(&text(4), "amount", i64::MIN)?,
        cost: whole(&text(5), "cost", i64::MIN)?,
        reference,
    })
}

/// Why a file is refused whole (nothing imported).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("The file is larger than {} MB.", MAX_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("The file is not UTF-8 text.")]
    NotUtf8,
    #[error("The file is not CSV: {0}")]
    NotCsv(String),
    #[error("The first line must be: {}", HEADER.join(","))]
    WrongHeader,
    #[error(transparent)]
    Failed(#[from] AppError),
}

crate::error::refusals!(ImportError);

impl ImportError {
    /// The refusal in the viewer's language (the English `Display` stays for the API and logs).
    pub(crate) fn localized(&self, loc: &impl crate::i18n::Localize) -> String {
        use crate::i18n::tr;
        match self {
            ImportError::TooLarge => tr!(loc, "admin-usage-too-large", megabytes = MAX_BYTES / 1024 / 1024),
            ImportError::NotUtf8 => loc.t("admin-usage-not-utf8"),
            ImportError::NotCsv(why) => tr!(loc, "admin-usage-not-csv", why = why.clone()),
            ImportError::WrongHeader => tr!(loc, "admin-usage-wrong-header", header = HEADER.join(",")),
            ImportError::Failed(e) => e.to_string(),
        }
    }
}

/// Reads the file: `Err` refuses it whole (not UTF-8, too large, not this header); otherwise
/// the rows that passed and the ones that did not.
pub(crate) fn parse(bytes: &[u8]) -> Result<(Vec<UsageRow>, Vec<Rejected>), ImportError> {
    if bytes.len() > MAX_BYTES {
        return Err(ImportError::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::NotUtf8)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| ImportError::NotCsv(e.to_string()))?.clone();
    let names: Vec<String> =
        header.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase()).collect();
    if names != HEADER {
        return Err(ImportError::WrongHeader);
    }
    let (mut rows, mut rejected) = (Vec::new(), Vec::new());
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        match record {
            Ok(fields) if fields.iter().all(|f| f.trim().is_empty()) => {}
            Ok(fields) => match check_row(line, &fields) {
                Ok(row) => rows.push(row),
                Err(reason) => rejected.push((line, reason)),
            },
            Err(e) => rejected.push((line, format!("unreadable: {e}"))),
        }
    }
    Ok((rows, rejected))
}

/// The indexes of the rows whose reference an earlier row of the file already has.
pub(crate) fn repeated_references(rows: &[UsageRow]) -> HashSet<usize> {
    let mut first: HashMap<&str, usize> = HashMap::new();
    let mut repeated = HashSet::new();
    for (index, row) in rows.iter().enumerate() {
        if first.insert(row.reference.as_str(), index).is_some() {
            repeated.insert(index);
        }
    }
    repeated
}

/// Writes `rows[from..to]` through `txn`: what was imported and the rows refused.
/// `repeated` are the rows whose reference appears earlier in the file.
pub(crate) async fn import_rows<C: ConnectionTrait>(
    txn: &C,
    rows: &[UsageRow],
    range: std::ops::Range<usize>,
    repeated: &HashSet<usize>,
) -> Result<(usize, Vec<Rejected>), AppError> {
    let (mut imported, mut rejected) = (0, Vec::new());
    for index in range {
        let Some(row) = rows.get(index) else { break };
        if repeated.contains(&index) {
            rejected.push((row.line, format!("reference `{}` appears twice in the file", row.reference)));
            continue;
        }
        let taken = usage_records::Entity::find()
            .filter(usage_records::Column::SourceRef.eq(row.reference.clone()))
            .one(txn)
            .await?;
        if taken.is_some() {
            rejected.push((row.line, format!("reference `{}` was already imported", row.reference)));
            continue;
        }
        let found = subscriptions::Entity::find()
            .filter(subscriptions::Column::ExternalId.eq(row.subscription.clone()))
            .find_also_related(products::Entity)
            .one(txn)
            .await?;
        let Some((subscription, Some(product))) = found else {
            rejected.push((row.line, format!("no subscription has the external id `{}`", row.subscription)));
            continue;
        };
        if product.kind != ProductKind::Consumption {
            rejected.push((row.line, format!("`{}` is not a consumption subscription", row.subscription)));
            continue;
        }
        let currency = crate::entities::accounts::Entity::find_by_id(subscription.account_id)
            .one(txn)
            .await?
            .map_or_else(|| "CLP".to_string(), |a| a.currency);
        usage_records::ActiveModel {
            account_id: Set(subscription.account_id),
            subscription_id: Set(subscription.id),
            usage_family: Set(classify(&product, Charge::Consumption)),
            resource: Set(row.resource.clone()),
            usage_date: Set(row.date),
            quantity: Set(row.quantity),
            amount: Set(row.amount),
            cost: Set(row.cost),
            currency: Set(currency),
            source_ref: Set(Some(row.reference.clone())),
            imported_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        imported += 1;
    }
    Ok((imported, rejected))
}

/// Imports a file, batch by batch, each batch committed on its own, telling `progress`
/// the rows done of the rows to write after each batch. `Err` before the first batch is
/// why the file was refused whole (nothing changed); a later `Err` leaves the batches
/// before it imported (importing the file again skips their rows as already imported).
pub async fn import(
    db: &DatabaseConnection,
    bytes: &[u8],
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<ImportReport, ImportError> {
    let (rows, mut rejected) = parse(bytes)?;
    let repeated = repeated_references(&rows);
    let mut imported = 0;
    let mut from = 0;
    progress(0, rows.len());
    while from < rows.len() {
        let to = (from + BATCH).min(rows.len());
        let txn = db.begin().await?;
        let (done, refused) = import_rows(&txn, &rows, from..to, &repeated).await?;
        txn.commit().await?;
        imported += done;
        rejected.extend(refused);
        from = to;
        progress(from, rows.len());
    }
    rejected.sort_by_key(|(line, _)| *line);
    Ok(ImportReport { imported, rejected })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_must_be_ours_and_rows_are_checked_one_by_one() {
        assert!(matches!(parse(b"a,b\n1,2\n"), Err(ImportError::WrongHeader)));
        assert_eq!(ImportError::WrongHeader.to_string(), format!("The first line must be: {}", HEADER.join(",")));
        assert!(matches!(parse(&[0xff, 0xfe, 0x00]), Err(ImportError::NotUtf8)));
        let file = "Subscription,Date,Resource,Quantity,Amount,Cost,Reference\n\
                    sub-1,2026-11-01,\"vm, eastus\",3,1500,1200,r1\n\
                    sub-1,01/11/2026,vm,3,1500,1200,r2\n\
                    sub-1,2026-11-02,vm,-3,1500,1200,r3\n\
                    sub-1,2026-11-02,vm,3,1500\n\
                    ,,,,,,\n\
                    sub-1,2026-11-03,vm,1,100,80,\n";
        let (rows, rejected) = parse(file.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].resource, "vm, eastus", "quoted commas stay in the field");
        let lines: Vec<u64> = rejected.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, vec![3, 4, 5, 7], "{rejected:?}");
        assert!(rejected[0].1.starts_with("date must be YYYY-MM-DD"));
        assert!(rejected[1].1.starts_with("quantity must be a whole number, 0 or more"));
        assert!(rejected[2].1.starts_with("expected 7 columns"));
        assert!(rejected[3].1.starts_with("reference is required"));
    }

    #[test]
    fn a_reference_is_repeated_from_its_second_row_on_whatever_the_batch() {
        let file = "subscription,date,resource,quantity,amount,cost,reference\n\
                    s,2026-11-01,vm,1,1,1,a\n\
                    s,2026-11-01,vm,1,1,1,b\n\
                    s,2026-11-01,vm,1,1,1,a\n\
                    s,2026-11-01,vm,1,1,1,a\n";
        let (rows, _) = parse(file.as_bytes()).unwrap();
        let mut repeated: Vec<usize> = repeated_references(&rows).into_iter().collect();
        repeated.sort();
        assert_eq!(repeated, vec![2, 3]);
    }
}
