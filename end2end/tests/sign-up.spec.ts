import { test, expect, request, Page } from '@playwright/test';
import { loginAtProvider } from '../support/provider-login';

// Sign up on Andes IT's own host (Chromium maps shop.andes.demo to 127.0.0.1), in Andes IT's
// brand all the way; Andes IT's admin approves; the new admin invites a colleague, who joins.
// Mail reaches the SMTP sink of support/smtp-sink.mjs. JavaScript off.
test.use({ javaScriptEnabled: false });

const port = Number(process.env.E2E_PORT ?? 3107);
const shop = `http://shop.andes.demo:${port}`;

type Mail = { to: string[]; text: string };

async function linkIn(address: string, path: string): Promise<string> {
  const sink = await request.newContext();
  for (let i = 0; i < 100; i++) {
    const mails: Mail[] = await (await sink.get('http://127.0.0.1:4026/')).json();
    for (const mail of mails.filter((m) => m.to.includes(address))) {
      const link = new RegExp(`http://\\S+${path}[A-Za-z0-9_-]{43}`).exec(mail.text)?.[0];
      if (link) return link;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no ${path} link for ${address}`);
}

async function expectAndes(page: Page) {
  await expect(page.locator('.brand-name')).toHaveText('Andes IT');
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto(`${shop}/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

test('sign up on a reseller host, get approved, invite a colleague who joins', async ({ browser }) => {
  const marta = await (await browser.newContext()).newPage();
  await marta.goto(`${shop}/login`);
  await expectAndes(marta);
  await marta.getByRole('link', { name: 'Create an account' }).click();
  await expectAndes(marta);
  await marta.getByLabel('Company name').fill('Viña Andina SpA');
  await marta.getByLabel('Country').selectOption('CL');
  await marta.getByLabel('Tax id (RUT in Chile)').fill('76.086.428-5');
  await marta.getByLabel('Billing e-mail').fill('pagos@andina.example');
  await marta.getByLabel('Your name').fill('Marta Soto');
  await marta.getByLabel('Your e-mail').fill('marta@andina.example');
  await marta.getByLabel('Password', { exact: true }).fill('marta password 2026');
  await marta.getByLabel('Password again').fill('marta password 2026');
  await marta.getByRole('button', { name: 'Create my account' }).click();
  await expect(marta.locator('main')).toContainText('Check your e-mail');
  await expectAndes(marta);

  // The address is confirmed through the mailed link (on Andes IT's host).
  const confirm = await linkIn('marta@andina.example', '/verify-email/');
  expect(confirm.startsWith(shop)).toBeTruthy();
  await marta.goto(confirm);
  await expect(marta.locator('main')).toContainText('is confirmed');

  // Andes IT's admin approves the account.
  const andes = await (await browser.newContext()).newPage();
  await signIn(andes, 'admin@andes.demo', 'demo-password');
  await andes.goto(`${shop}/reseller`);
  await expect(andes.locator('main')).toContainText('Waiting for approval');
  await andes.getByRole('button', { name: 'Approve Viña Andina SpA' }).click();
  await expectAndes(andes);

  // Marta signs in and invites a colleague.
  await signIn(marta, 'marta@andina.example', 'marta password 2026');
  await expect(marta).toHaveURL(/\/account$/);
  await expectAndes(marta);
  await marta.getByRole('link', { name: 'Users of your account' }).click();
  await marta.getByLabel('Name', { exact: true }).fill('Pedro Lagos');
  await marta.getByLabel('E-mail', { exact: true }).fill('pedro@andina.example');
  await marta.getByRole('button', { name: 'Send the invitation' }).click();
  await expect(marta.locator('main')).toContainText('pedro@andina.example');

  // Pedro follows the invitation and joins with the identity he has at Provider A (a real
  // OpenID provider). Its answer comes to the public host only: the invitation is handed
  // over there, Pedro confirms, and he is signed in, in Andes IT's brand.
  const invitation = await linkIn('pedro@andina.example', '/invitation/');
  const pedro = await (await browser.newContext()).newPage();
  await pedro.goto(invitation);
  await expectAndes(pedro);
  await pedro.getByRole('button', { name: 'Join with Provider A' }).click();
  await expect(pedro.locator('main')).toContainText('Join Viña Andina SpA as pedro@andina.example');
  await pedro.getByRole('button', { name: 'Continue with Provider A' }).click();
  await loginAtProvider(pedro, 'pedro-at-a');
  await expect(pedro).toHaveURL(/\/account$/);
  await expectAndes(pedro);
  await expect(pedro.getByRole('status')).toContainText('You sign in with Provider A');
  await expect(pedro.locator('#profile')).toContainText('pedro@andina.example');
});

test('sign up with an identity provider: the company on the form, the person from the provider', async ({ page }) => {
  await page.goto('/sign-up');
  await page.getByLabel('Company name').fill('Cordillera Ltda.');
  await page.getByLabel('Country').selectOption('CL');
  await page.getByLabel('Tax id (RUT in Chile)').fill('11.111.111-1');
  await page.getByLabel('Billing e-mail').fill('pagos@cordillera.example');
  // No password: the provider's button sends the company's fields alone.
  await page.getByRole('button', { name: 'Sign up with Provider B' }).click();
  await loginAtProvider(page, 'verified-lucia');
  // The demo's sign-ups wait for the seller's approval.
  await expect(page.locator('main')).toContainText('your account was created with Provider B');
  await expect(page.locator('main')).toContainText('waits for approval');
});
