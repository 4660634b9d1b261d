import { test, expect, Page } from '@playwright/test';

// Passkeys in Chromium with the DevTools virtual authenticator, against the server whose
// public address is http://localhost:<port> (playwright.config.ts): a passkey's relying
// party is a host name, never an IP address.
const site = process.env.E2E_PASSKEY_URL ?? 'http://localhost:3109';

/// A platform authenticator that keeps discoverable credentials and verifies its user.
async function addVirtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

test('a customer adds a passkey in My Account, signs out, and signs in with the passkey alone', async ({ page }) => {
  await addVirtualAuthenticator(page);
  await page.goto(`${site}/login`);
  await page.getByLabel('E-mail').fill('tina@tailspin.demo');
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/account$/);

  const passkeys = page.locator('#passkeys');
  await expect(passkeys).toContainText('No passkeys yet.');
  await expect(passkeys.getByText('Passkeys need JavaScript')).toBeHidden();
  await passkeys.getByLabel('Name of the new passkey').fill('Test laptop');
  await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page).toHaveURL(/\/account#passkeys$/);
  await expect(page.getByRole('status')).toContainText('The passkey “Test laptop” was added.');
  await expect(page.locator('#passkeys table')).toContainText('Test laptop');

  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await page.goto(`${site}/login`);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText('tina@tailspin.demo').first()).toBeVisible();
  const row = page.locator('#passkeys tbody tr').filter({ hasText: 'Test laptop' });
  await expect(row.locator('td').nth(2)).not.toHaveText('Never');
  await expect(page.locator('#security-activity')).toContainText('passkey added');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the sign-in page says passkeys need JavaScript and the password form still works', async ({ page }) => {
    await page.goto(`${site}/login`);
    await expect(page.getByText('Signing in with a passkey needs JavaScript.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign in with a passkey' })).toBeHidden();
    await page.getByLabel('E-mail').fill('ana@contoso.demo');
    await page.getByLabel('Password').fill('demo-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.locator('#passkeys')).toContainText('Passkeys need JavaScript');
    await expect(page.getByRole('button', { name: 'Add a passkey' })).toBeHidden();
  });
});
