import { test, expect, Page } from '@playwright/test';
import { totpCode } from '../support/totp';

// Everything here works without JavaScript: the QR code is an SVG drawn on the server.
test.use({ javaScriptEnabled: false });

async function passwordStep(page: Page, email: string) {
  await page.goto('/login');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

test('a customer connects an authenticator app, then signs in with a code and with a recovery code', async ({ page }) => {
  await passwordStep(page, 'beatriz@contoso.demo');
  await expect(page).toHaveURL(/\/account$/);

  // Login Options → Authenticator app → Connect: a QR code and the key to type.
  await page.getByRole('button', { name: 'Connect Authenticator app' }).click();
  await expect(page).toHaveURL(/\/account\/login-options\/authenticator$/);
  const qr = page.getByRole('img', { name: /QR code/ });
  await expect(qr).toBeVisible();
  expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
  const secret = (await page.locator('.totp-secret').innerText()).trim();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);

  await page.getByLabel(/Enter the six-digit code/).fill('000000');
  await page.getByRole('button', { name: 'Connect the app' }).click();
  await expect(page.getByRole('alert')).toContainText('That code did not match');
  await page.getByLabel(/Enter the six-digit code/).fill(totpCode(secret));
  await page.getByRole('button', { name: 'Connect the app' }).click();

  // Ten recovery codes, shown once.
  await expect(page.locator('main')).toContainText('Your authenticator app is connected.');
  const codes = await page.locator('.recovery-codes code').allInnerTexts();
  expect(codes).toHaveLength(10);
  await page.getByRole('link', { name: 'I have saved them' }).click();
  await expect(page.locator('#login-options')).toContainText('10 of 10 recovery codes left');

  // Signed out, the password alone is not enough: the code is asked next.
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await passwordStep(page, 'beatriz@contoso.demo');
  await expect(page).toHaveURL(/\/login\/second-factor$/);
  await page.getByLabel('Code').fill('123456');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('That code did not work');
  await page.getByLabel('Code').fill(totpCode(secret, 30));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.locator('#profile')).toContainText('beatriz@contoso.demo');

  // And once more with a recovery code instead of the phone.
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await passwordStep(page, 'beatriz@contoso.demo');
  await page.getByLabel('Code').fill(codes[0]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.locator('#login-options')).toContainText('9 of 10 recovery codes left');
});
