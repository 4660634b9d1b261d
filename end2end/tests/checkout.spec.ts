import { test, expect } from '@playwright/test';

test.use({ javaScriptEnabled: false });

test('a customer pays an order through the WebPay simulator, without JavaScript', async ({ page }) => {
  await page.goto('/login?next=%2Forders%2FSO-0000001');
  await page.getByLabel('E-mail').fill('tina@tailspin.demo');
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/orders\/SO-0000001$/);
  await expect(page.getByText('Waiting for payment')).toBeVisible();
  // List prices are net; the order adds 19% VAT as its own line.
  await expect(page.getByRole('row', { name: /VAT \(19%\)\s+CLP 122,170/ })).toBeVisible();

  await page.getByRole('button', { name: 'Pay with WebPay' }).click();
  await expect(page).toHaveTitle('Continue to WebPay · Stratus Cloud');
  await page.getByRole('button', { name: 'Continue to WebPay' }).click();

  // The simulator's payment page, with the integration environment's test cards.
  await expect(page.getByRole('heading', { name: 'Pay CLP 765170' })).toBeVisible();
  await page.getByLabel('Card number').fill('4051 8856 0044 6623');
  await page.getByLabel('CVV').fill('123');
  await page.getByRole('button', { name: 'Pay', exact: true }).click();
  await page.getByRole('button', { name: 'Return to the shop' }).click();

  // Back on the order page, which tells the result of the attempt come back from.
  await expect(page).toHaveURL(/\/orders\/SO-0000001\?attempt=SO-0000001-1$/);
  await expect(page.getByRole('status').filter({ hasText: 'Payment approved.' })).toBeVisible();
  await expect(page.getByText('•••• 6623')).toBeVisible();
  await expect(page.getByText('Paid', { exact: true })).toBeVisible();
  await page.screenshot({ path: 'test-results/receipt.png', fullPage: true });
});
