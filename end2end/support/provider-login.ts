import { Page } from '@playwright/test';

/// The test provider's development login screen accepts any login; then it asks for consent.
export async function loginAtProvider(page: Page, login: string) {
  if (await page.locator('input[name=login]').count()) {
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
  }
  const consent = page.getByRole('button', { name: 'Continue' });
  if (await consent.count()) {
    await consent.click();
  }
}
