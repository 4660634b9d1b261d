import { test, expect, Page } from '@playwright/test';

// The README's tour ("Run it"), with JavaScript off, against a plain `serve --demo`
// (playwright.config.ts starts it on its own port): nothing configured but the demo.
const tour = process.env.E2E_TOUR_URL ?? 'http://127.0.0.1:3108';
test.use({ javaScriptEnabled: false, baseURL: tour });

async function signInWithPassword(page: Page, email: string) {
  await page.goto('/login');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

test('the demo tour: connect Google (demo), sign in with it, turn local login off, pay, call the API', async ({
  page,
  browser,
  request,
}) => {
  // Ana's My Account: Login Options with her Entra ID connected and Google not.
  await signInWithPassword(page, 'ana@contoso.demo');
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { level: 2, name: 'Login Options' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Disconnect Contoso Entra ID (demo)' })).toBeVisible();

  // Connect Google (demo): the demo identity provider asks who she is.
  await page.getByRole('button', { name: 'Connect Google (demo)' }).click();
  await expect(page).toHaveURL(/\/demo-idp\/authorize\?/);
  await expect(page.getByText('Demo identity provider')).toBeVisible();
  await page.getByRole('button', { name: 'Sign in as Ana Pérez <ana@contoso.demo>' }).click();
  await expect(page).toHaveURL(/\/account#login-options$/);
  await expect(page.getByRole('status')).toContainText('Google (demo) is connected');
  await expect(page.getByRole('button', { name: 'Disconnect Google (demo)' })).toBeVisible();

  // Sign out, then sign in with Google (demo) alone.
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await page.goto('/login');
  await page.getByRole('link', { name: 'Sign in with Google (demo)' }).click();
  await page.getByRole('button', { name: 'Sign in as Ana Pérez <ana@contoso.demo>' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText('ana@contoso.demo').first()).toBeVisible();

  // The admin sees who has no external login yet and turns Allow Local Login off.
  const adminContext = await browser.newContext({ javaScriptEnabled: false, baseURL: tour });
  const admin = await adminContext.newPage();
  await signInWithPassword(admin, 'admin@stratus.demo');
  await admin.goto('/admin/authentication');
  await expect(admin.locator('.users-without-link')).toContainText('6 user(s) have neither a link to an active external provider nor a passkey');
  await expect(admin.locator('.users-without-link-list')).toContainText('fabio@fabrikam.demo');
  await expect(admin.locator('.users-without-link-list')).not.toContainText('ana@contoso.demo');
  await admin.getByRole('checkbox').check();
  await admin.getByRole('button', { name: 'Turn Allow Local Login off' }).click();
  await expect(admin.getByRole('status')).toContainText('Password sign-in is off.');
  const visitorContext = await browser.newContext({ javaScriptEnabled: false, baseURL: tour });
  const visitor = await visitorContext.newPage();
  await visitor.goto('/login');
  await expect(visitor.locator('input[name=password]')).toHaveCount(0);
  await expect(visitor.getByRole('link', { name: 'Sign in with Contoso Entra ID (demo)' })).toBeVisible();

  // Ana, signed in with Google, buys a licence and pays with WebPay (the built-in simulator).
  await page.goto('/products/M365-E3');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page).toHaveURL(/\/cart$/);
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page).toHaveURL(/\/orders\/SO-\d+$/);
  await page.getByRole('button', { name: 'Pay with WebPay' }).click();
  await page.getByRole('button', { name: 'Continue to WebPay' }).click();
  await page.getByLabel('Card number').fill('4051 8856 0044 6623');
  await page.getByLabel('CVV').fill('123');
  await page.getByRole('button', { name: 'Pay', exact: true }).click();
  await page.getByRole('button', { name: 'Return to the shop' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Payment approved.' })).toBeVisible();

  // The API with the demo client printed at start-up, as in the README's curl examples.
  const basic = Buffer.from('stc_andes-demo:demo-api-secret-andes-it').toString('base64');
  const token = await request.post('/oauth/token', {
    headers: { Authorization: `Basic ${basic}` },
    form: { grant_type: 'client_credentials' },
  });
  expect(token.status()).toBe(200);
  const { access_token } = await token.json();
  const actions = await request.get('/api/futureactions', {
    headers: { Authorization: `Bearer ${access_token}` },
    params: { $filter: "actionType eq 'ChangeQtyOnNext'", $orderby: 'scheduledDate desc', $top: '20' },
  });
  expect(actions.status()).toBe(200);
  const body = await actions.json();
  expect(body.total).toBe(1);
  expect(body.data[0].accountName).toBe('Contoso Chile');

  await adminContext.close();
  await visitorContext.close();
});
