// The test and expect of every end-to-end test. Each built page holds its first view
// (scripts/prerender.mjs): a copy of the app's markup, shown until the app, mounted beside
// it, is ready. While both are in the page every text and class is there twice, so the
// tests of the app drop the copy as soon as the page is parsed and meet the app alone.
// The first view itself, and the app taking its place, are tested in first-view.spec.ts,
// which uses @playwright/test directly.
import { test as base, type BrowserContext } from '@playwright/test';

export { expect, chromium } from '@playwright/test';
export type { Page, BrowserContext, Locator } from '@playwright/test';

/** Makes every page of `context` drop the built first view once it is parsed. */
export const withoutFirstView = (context: BrowserContext) => context.addInitScript(() => {
  document.addEventListener('DOMContentLoaded', () => document.getElementById('first-view')?.remove());
});

export const test = base.extend({
  context: async ({ context }, use) => {
    await withoutFirstView(context);
    await use(context);
  },
});
