// Headless Chromium (Debian's package) driven by playwright-core, for the
// checks that need a real browser: /docs and the cross-origin page.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const browserPath = process.env.OPOP_CHROMIUM || ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);

/** A browser with a throwaway profile; close() also removes the profile. */
export async function launchBrowser() {
  if (!browserPath) throw new Error('no Chromium found (apt-get install chromium, or set OPOP_CHROMIUM)');
  const profile = mkdtempSync(join(tmpdir(), 'opop-browser-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: browserPath,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const close = context.close.bind(context);
  context.close = async () => { await close().catch(() => {}); rmSync(profile, { recursive: true, force: true }); };
  return context;
}
