import { test, expect } from '@playwright/test';

test.use({ javaScriptEnabled: false });

// The demo bills every month of its subscriptions but last month through the billing run,
// which numbers an invoice INV-YYYYMM-<ACCOUNT>: Contoso's for the month before last.
function contosoInvoiceOfTheMonthBeforeLast(): string {
  const now = new Date();
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1));
  return `INV-${month.getUTCFullYear()}${String(month.getUTCMonth() + 1).padStart(2, '0')}-CONTOSO`;
}

test('a customer signs in and opens My Account with JavaScript turned off', async ({ page }) => {
  await page.goto('/login');
  await expect(page).toHaveTitle('Sign in · Stratus Cloud');
  await page.getByLabel('E-mail').fill('ana@contoso.demo');
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page).toHaveURL(/\/account$/);
  await expect(page).toHaveTitle('My Account · Andes IT');
  await expect(page.getByRole('heading', { level: 1, name: 'My Account' })).toBeVisible();
  for (const section of ['Profile', 'Password', 'Login Options', 'Subscriptions', 'Invoices']) {
    await expect(page.getByRole('heading', { level: 2, name: section })).toBeVisible();
  }
  await expect(page.getByText('ana@contoso.demo').first()).toBeVisible();
  await expect(page.getByRole('cell', { name: contosoInvoiceOfTheMonthBeforeLast() })).toBeVisible();
  // Contoso buys through Andes IT, so the page wears Andes IT's brand.
  await expect(page.locator('.brand-name')).toHaveText('Andes IT');
  await expect(page.locator('.site-header')).toHaveCSS('background-color', 'rgb(11, 110, 79)');
  await expect(page.getByText('Loading')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/my-account.png', fullPage: true });
});

test('a wrong password shows the generic message and signs nobody in', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('E-mail').fill('ana@contoso.demo');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('That e-mail and password did not work.');
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
});

test('a customer adds a reserved instance to the cart and removes it, without JavaScript', async ({ page }) => {
  await page.goto('/login?next=%2Fproducts%2FRI-D2SV5');
  await page.getByLabel('E-mail').fill('tina@tailspin.demo');
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/products\/RI-D2SV5$/);
  await page.locator('select[name="ri_term_years"]').selectOption('3');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page).toHaveURL(/\/cart$/);
  await expect(page.getByRole('status')).toContainText('added to your cart');
  await expect(page.getByText('3 year(s) · shared scope · brazilsouth')).toBeVisible();
  await page.getByRole('button', { name: 'Remove Azure Reserved VM Instance D2s v5 from the cart' }).click();
  await expect(page.getByText('Your cart is empty.')).toBeVisible();
});
