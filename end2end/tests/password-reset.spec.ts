import { test, expect, request } from '@playwright/test';

// Mail reaches the SMTP sink of support/smtp-sink.mjs, which lists what arrived over HTTP.
test.use({ javaScriptEnabled: false });

type Mail = { to: string[]; text: string };

async function mailTo(address: string, containing: string): Promise<Mail> {
  const sink = await request.newContext();
  for (let i = 0; i < 100; i++) {
    const mails: Mail[] = await (await sink.get('http://127.0.0.1:4026/')).json();
    const found = mails.find((m) => m.to.includes(address) && m.text.includes(containing));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail to ${address} with "${containing}"`);
}

test('forgot your password: a mailed link sets a new one and signs in, without JavaScript', async ({ page }) => {
  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page).toHaveURL(/\/password-reset$/);
  await page.getByLabel('E-mail').fill('fabio@fabrikam.demo');
  await page.getByRole('button', { name: 'Send the link' }).click();
  await expect(page.locator('main')).toContainText('If that address belongs to an account');

  const mail = await mailTo('fabio@fabrikam.demo', '/password-reset/');
  const link = /http:\/\/\S+\/password-reset\/[A-Za-z0-9_-]{43}/.exec(mail.text)?.[0];
  expect(link, mail.text).toBeTruthy();
  await page.goto(link!);
  await expect(page.locator('main')).toContainText('fabio@fabrikam.demo');
  await page.getByLabel('New password', { exact: true }).fill('fabio new password 2026');
  await page.getByLabel('New password again').fill('fabio new password 2026');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('status')).toContainText('Your password was changed');
  await expect(page.locator('#profile')).toContainText('fabio@fabrikam.demo');

  // The link works once; the new password signs in.
  await page.goto(link!);
  await expect(page.locator('main')).toContainText('expired or was already used');
  // Fabio chose no language: his storefront's (Stratus Cloud's, Spanish).
  await mailTo('fabio@fabrikam.demo', 'se restableció mediante un enlace enviado por correo');
});
