import { test, expect } from '@playwright/test';
import fs from 'node:fs';

test.use({ javaScriptEnabled: false, acceptDownloads: true });

test('the provider bills last month, reconciles Azure and downloads a report as CSV, without JavaScript', async ({ page }) => {
  await page.goto('/login?next=%2Fadmin%2Fbilling');
  await page.getByLabel('E-mail').fill('admin@stratus.demo');
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin\/billing$/);

  // Last month is filled in; the demo left it unbilled.
  await page.getByRole('button', { name: 'Run billing' }).click();
  // The run goes on in the background: its page reloads itself (no JavaScript) until done.
  await expect(page).toHaveURL(/\/admin\/jobs\/\d+$/);
  await expect(page.getByRole('status')).toContainText('Billing run for', { timeout: 30_000 });
  await expect(page.getByRole('status')).toContainText('3 invoice(s) issued');
  await expect(page.getByRole('link', { name: /^INV-\d{6}-CONTOSO$/ })).toBeVisible();

  // The ready Azure reconciliation for that month.
  await page.goto('/reports');
  const reconciliation = page.getByRole('listitem').filter({ hasText: 'Azure reconciliation' });
  await reconciliation.getByRole('button', { name: 'Run' }).click();
  await expect(page.getByRole('heading', { name: 'Azure reconciliation' })).toBeVisible();
  const results = page.getByRole('region', { name: 'Results' });
  await expect(results.getByRole('row').filter({ hasText: 'MS Azure' })).toContainText('45100');
  await expect(results.getByRole('row').filter({ hasText: 'Fabrikam' })).toContainText('61400');

  // A report built by hand: debit invoices' discount lines, sums only. One row per invoice
  // of the two accounts with discounts: Contoso's 14 (billed since its legacy Azure began,
  // 14 months ago) and Tailspin's 10 (since its licences, 10 months ago), last month's included.
  const discounted = 14 + 10;
  await page.goto('/reports');
  for (const name of ['Invoice #', 'Usage', 'Total', 'Discount']) {
    await page.getByRole('checkbox', { name, exact: true }).check();
  }
  await page.getByRole('combobox', { name: /^Invoice type/ }).selectOption('debit');
  await page.getByRole('checkbox', { name: /Show the sums of the report only/ }).check();
  await page.getByRole('button', { name: 'Run report' }).click();
  const rows = results.locator('tbody tr');
  await expect(rows).toHaveCount(discounted);
  const table = await rows.evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => (td.textContent ?? '').trim())),
  );

  // Sorting by a heading keeps the same rows.
  await results.getByRole('link', { name: 'Total' }).click();
  await expect(rows).toHaveCount(discounted);

  // The CSV download holds the same rows as the table.
  await page.goBack();
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download CSV' }).click();
  const download = await downloading;
  const text = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
  // Sums only are per currency: the Currency column comes with them.
  expect(text[0]).toBe('Invoice #,Usage,Total,Currency');
  expect(text.slice(1).map((line) => line.split(','))).toEqual(table);

  // Saved under a name, it comes back from the list.
  await page.getByLabel('Save as').fill('Discount lines');
  await page.getByRole('button', { name: 'Save report' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'was saved' })).toBeVisible();
  await page.goto('/reports');
  await page.getByRole('link', { name: 'Discount lines' }).click();
  await expect(rows).toHaveCount(discounted);
});
