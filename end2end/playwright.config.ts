import { defineConfig } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The release server is started here with a fresh SQLite database and the demo data.
const port = Number(process.env.E2E_PORT ?? 3107);
const binary = process.env.STRATUS_BIN ?? path.resolve(__dirname, '../target/release/stratus');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-e2e-'));
// The README's tour runs against a plain `serve --demo` of its own (no configuration file,
// so the demo's own identity providers, its built-in OpenID provider and its API client).
const tourPort = Number(process.env.E2E_TOUR_PORT ?? 3108);
const tourDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-e2e-tour-'));
process.env.E2E_TOUR_URL = `http://127.0.0.1:${tourPort}`;
// Passkeys need a host name for the relying party (browsers refuse IP addresses): a server
// of their own whose public address is http://localhost:<port>.
const passkeyPort = Number(process.env.E2E_PASSKEY_PORT ?? 3109);
const passkeyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-e2e-passkeys-'));
process.env.E2E_PASSKEY_URL = `http://localhost:${passkeyPort}`;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  workers: 1,
  forbidOnly: true,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    // The suite reads the English pages (the demo's own brands default to Spanish); the
    // header as well, for the API requests of a context (`context.request`), which the
    // locale does not reach.
    locale: 'en-US',
    extraHTTPHeaders: { 'Accept-Language': 'en-US,en;q=0.9' },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
        // Andes IT's own storefront host, served by the same release server.
        '--host-resolver-rules=MAP shop.andes.demo 127.0.0.1',
      ],
    },
  },
  webServer: [
    {
      command: 'node support/smtp-sink.mjs',
      url: 'http://127.0.0.1:4026/',
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: `STRATUS_URL=http://127.0.0.1:${port} node support/oidc-providers.mjs`,
      url: 'http://127.0.0.1:4012/.well-known/openid-configuration',
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      command: `${binary} serve --demo --addr 127.0.0.1:${port} --database-url "sqlite://${dataDir}/e2e.db?mode=rwc" --config support/stratus-e2e.toml`,
      url: `http://127.0.0.1:${port}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'pipe',
    },
    {
      command: `${binary} serve --demo --addr 127.0.0.1:${tourPort} --database-url "sqlite://${tourDir}/tour.db?mode=rwc"`,
      url: `http://127.0.0.1:${tourPort}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'pipe',
    },
    {
      command: `${binary} serve --demo --addr 127.0.0.1:${passkeyPort} --base-url http://localhost:${passkeyPort} --database-url "sqlite://${passkeyDir}/passkeys.db?mode=rwc"`,
      url: `http://127.0.0.1:${passkeyPort}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'pipe',
    },
  ],
});
