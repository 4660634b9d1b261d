import { test, expect, Page } from '@playwright/test';

// These tests only preview: the demo brands other tests rely on stay as they are.

async function signInAsAndesAdmin(page: Page) {
  await page.goto('/login?next=%2Fbrands%2FANDES');
  await page.getByLabel('E-mail').fill('admin@andes.demo');
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/brands\/ANDES$/);
  await expect(page).toHaveTitle('Brand · Andes IT · Andes IT');
}

test.describe('with JavaScript', () => {
  test('the preview follows the form as the reseller types', async ({ page }) => {
    await signInAsAndesAdmin(page);
    const preview = page.getByRole('region', { name: 'Preview' });
    await expect(preview.locator('.preview-header')).toHaveCSS('background-color', 'rgb(11, 110, 79)');
    await page.getByLabel('Primary colour (#rrggbb)').fill('#123456');
    await page.getByLabel('Company name (the browser tab title)').fill('Andes Cloud');
    await page.getByLabel('Footer text').fill('Andes Cloud SpA');
    await expect(preview.locator('.preview-header')).toHaveCSS('background-color', 'rgb(18, 52, 86)');
    await expect(preview.locator('.preview-name')).toHaveText('Andes Cloud');
    await expect(preview.locator('.preview-footer')).toHaveText('Andes Cloud SpA');
    // Nothing is saved: the page itself still wears the saved brand.
    await expect(page.locator('.site-header')).toHaveCSS('background-color', 'rgb(11, 110, 79)');
    await page.reload();
    await expect(page.getByLabel('Company name (the browser tab title)')).toHaveValue('Andes IT');
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the Preview button shows the brand without saving it', async ({ page }) => {
    await signInAsAndesAdmin(page);
    await page.getByLabel('Primary colour (#rrggbb)').fill('#123456');
    await page.getByLabel('Company name (the browser tab title)').fill('Andes Cloud');
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('region', { name: 'Preview' });
    await expect(preview.getByRole('heading', { name: 'Preview (not saved yet)' })).toBeVisible();
    await expect(preview.locator('.preview-header')).toHaveCSS('background-color', 'rgb(18, 52, 86)');
    await expect(preview.locator('.preview-name')).toHaveText('Andes Cloud');
    await expect(page.locator('.site-header')).toHaveCSS('background-color', 'rgb(11, 110, 79)');
    await expect(page).toHaveTitle('Brand · Andes IT · Andes IT');
  });

  test('a script in the company name is refused with a message', async ({ page }) => {
    await signInAsAndesAdmin(page);
    await page.getByLabel('Company name (the browser tab title)').fill('"><script>alert(1)</script>');
    await page.getByRole('button', { name: 'Save brand' }).click();
    await expect(page.getByRole('alert')).toContainText('The company name may not contain < or >.');
    await expect(page.locator('.brand-name')).toHaveText('Andes IT');
  });
});
