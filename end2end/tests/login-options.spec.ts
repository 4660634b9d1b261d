import { test, expect, Page } from '@playwright/test';
import { loginAtProvider } from '../support/provider-login';

// Two real OpenID providers (support/oidc-providers.mjs) are declared in
// support/stratus-e2e.toml as "Provider A" (id 1) and "Provider B" (id 2).
test.use({ javaScriptEnabled: false });

async function signInWithPassword(page: Page, email: string) {
  await page.goto('/login');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}


test('a customer connects Provider A, signs in with it, and the admin turns local login off', async ({ page, browser }) => {
  await signInWithPassword(page, 'ana@contoso.demo');
  await expect(page).toHaveURL(/\/account$/);
  const options = page.locator('#login-options');
  await expect(options).toContainText('Provider A');
  await expect(options).toContainText('Provider B');
  await expect(options).toContainText('Local');

  // Connect Provider A from My Account.
  await page.getByRole('button', { name: 'Connect Provider A' }).click();
  await expect(page).toHaveURL(/127\.0\.0\.1:4011/);
  await loginAtProvider(page, 'ana-at-a');
  await expect(page).toHaveURL(/\/account#login-options$/);
  await expect(page.getByRole('status')).toContainText('Provider A is connected');
  await expect(page.getByRole('button', { name: 'Disconnect Provider A' })).toBeVisible();

  // Sign out, then sign in with Provider A alone.
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await page.goto('/login');
  await page.getByRole('link', { name: 'Sign in with Provider A' }).click();
  await loginAtProvider(page, 'ana-at-a');
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText('ana@contoso.demo').first()).toBeVisible();

  // The admin sees who has no external login yet, confirms, and turns local login off.
  const adminContext = await browser.newContext({ javaScriptEnabled: false });
  const admin = await adminContext.newPage();
  await signInWithPassword(admin, 'admin@stratus.demo');
  await admin.goto('/admin/authentication');
  await expect(admin.locator('.users-without-link')).toContainText('6 user(s) have neither a link to an active external provider nor a passkey');
  await expect(admin.locator('.users-without-link-list')).toContainText('tina@tailspin.demo');
  await expect(admin.locator('.users-without-link-list')).not.toContainText('ana@contoso.demo');
  await admin.getByRole('checkbox').check();
  await admin.getByRole('button', { name: 'Turn Allow Local Login off' }).click();
  await expect(admin.getByRole('status')).toContainText('Password sign-in is off.');

  // The password form is gone, and a password POST is refused by the server.
  const visitorContext = await browser.newContext({ javaScriptEnabled: false });
  const visitor = await visitorContext.newPage();
  await visitor.goto('/login');
  await expect(visitor.locator('input[name=password]')).toHaveCount(0);
  await expect(visitor.getByRole('link', { name: 'Sign in with Provider B' })).toBeVisible();
  await visitor.goto('/products/M365-BS');
  const token = await visitor.locator('input[name=csrf_token]').first().getAttribute('value');
  const refused = await visitorContext.request.post('/login', {
    form: { email: 'tina@tailspin.demo', password: 'demo-password', csrf_token: token ?? '' },
    maxRedirects: 0,
  });
  expect(refused.status()).toBe(403);
  expect(await refused.text()).toContain('Signing in with a password is turned off');

  // Ana's only usable way in is now Provider A: it cannot be disconnected.
  await page.goto('/account');
  await page.getByRole('button', { name: 'Disconnect Provider A' }).click();
  await expect(page.getByText('is your only way to sign in')).toBeVisible();

  // Turn password sign-in back on for the other tests.
  await admin.goto('/admin/authentication');
  await admin.getByRole('button', { name: 'Turn Allow Local Login on' }).click();
  await expect(admin.getByRole('status')).toContainText('Password sign-in is on.');
  await adminContext.close();
  await visitorContext.close();
});
