import { test, expect } from '@playwright/test';

// A Chilean browser gets Spanish; the footer's switcher works without JavaScript and a
// signed-in user's choice is kept on the account.
test.use({
  javaScriptEnabled: false,
  locale: 'es-CL',
  extraHTTPHeaders: { 'Accept-Language': 'es-CL,es;q=0.9' },
});

test('a Chilean customer reads Spanish, prices in pesos, and switches to English from the footer', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es-CL');
  await expect(page.getByRole('navigation', { name: 'Principal' })).toContainText('Catálogo');
  // Pesos as Chile writes them: no decimals, a dot every thousand.
  await expect(page.locator('main')).toContainText(/\$\d{1,3}(\.\d{3})+/);

  await page.goto('/login');
  await page.locator('input[name="email"]').fill('tina@tailspin.demo');
  await page.locator('input[name="password"]').fill('demo-password');
  await page.locator('main form[action="/login"] button[type="submit"]').first().click();
  await expect(page.getByRole('link', { name: 'Mi cuenta' })).toBeVisible();
  await expect(page.locator('form.sign-out button')).toHaveText('Cerrar sesión');

  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('link', { name: 'My Account' })).toBeVisible();

  // Signed out and in again from this Spanish browser: still English.
  await expect(page.locator('form.sign-out button')).toHaveText('Sign out');
  await page.locator('form.sign-out button').click();
  await page.goto('/login');
  await page.locator('input[name="email"]').fill('tina@tailspin.demo');
  await page.locator('input[name="password"]').fill('demo-password');
  await page.locator('main form[action="/login"] button[type="submit"]').first().click();
  await expect(page.getByRole('link', { name: 'My Account' })).toBeVisible();
  await page.getByRole('button', { name: 'Español' }).click();
  await expect(page.getByRole('link', { name: 'Mi cuenta' })).toBeVisible();

  // Back to following the browser (Mi cuenta → Idioma y zona horaria), as the other specs expect.
  await page.goto('/account/preferences');
  await page.locator('select[name="language"]').selectOption('');
  await page.locator('main form[action="/account/preferences"] button[type="submit"]').click();
  await expect(page.getByRole('status')).toContainText('Idioma y zona horaria guardados.');
});
