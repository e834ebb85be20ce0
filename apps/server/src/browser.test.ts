import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadRegistry } from '@lsconv/core';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestServer, type TestServer } from './test-helpers.js';

const fixtures = resolve(import.meta.dirname, '..', 'fixtures', 'browser');
const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const path = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (path) return path;
    } catch {
      // not on PATH
    }
  }
  return undefined;
}

const chromium = findChromium();
// Skipped only on a developer machine without Chromium; CI must install it (apt-get install -y chromium).
const skip = !chromium && !process.env.CI;
if (skip)
  console.warn('browser test skipped: no `chromium` on PATH (apt-get install -y chromium); CI runs it');

describe.skipIf(skip)('web page in headless Chromium', () => {
  let t: TestServer;
  const out = mkdtempSync(join(tmpdir(), 'lsconv-browser-'));

  beforeAll(async () => {
    if (!chromium)
      throw new Error('CI is set but no `chromium` is on PATH: install it with apt-get install -y chromium');
    // The real formats, as the server discovers them (the workspace must be built: pnpm build).
    const registry = await loadRegistry({ cwd: repoRoot });
    if (!registry.formats.has('COCO')) {
      throw new Error(
        `the COCO format is not available (${registry.problems.map((p) => `${p.package}: ${p.reason}`).join('; ') || 'not built'}); run pnpm build`,
      );
    }
    t = await startTestServer({ registry });
  });

  afterAll(async () => {
    await t?.stop();
    if (t) removeDir(t.dataDir);
  });

  it('creates a project from files, exports COCO, creates a snapshot and downloads it', async () => {
    const { chromium: launcher } = await import('playwright-core');
    const browser = await launcher.launch({
      executablePath: chromium!,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    });
    try {
      const context = await browser.newContext({ acceptDownloads: true });
      const page = await context.newPage();
      // Waits until the page shows a text (Playwright watches the page for it; 30 s for a
      // loaded machine), then checks it: no polling against a one-second default.
      const shows = async (selector: string, text: RegExp) => {
        await page.locator(selector, { hasText: text }).waitFor({ timeout: 30_000 });
        expect(await page.locator(selector).textContent()).toMatch(text);
      };
      await page.goto(t.base);
      await page.getByLabel('Key', { exact: true }).fill(t.key);
      // A wrong key is refused next to the key field.
      await page.getByLabel('Key', { exact: true }).fill('wrong');
      await page.getByRole('button', { name: 'Use this key' }).click();
      await shows('#key-status', /^Invalid token\.$/);
      await page.getByLabel('Key', { exact: true }).fill(t.key);
      await page.getByRole('button', { name: 'Use this key' }).click();
      await shows('#key-status', /^Key accepted\.$/);

      await page.getByLabel('Title', { exact: true }).fill('Browser project');
      await page.getByLabel('Labeling config (XML file)').setInputFiles(join(fixtures, 'config.xml'));
      await page
        .getByLabel('Export to import (JSON list or JSON Lines)')
        .setInputFiles(join(fixtures, 'tasks.json'));
      await page.getByRole('button', { name: 'Create project' }).click();
      await shows('#new-status', /^Project created, 5 tasks imported\.$/);
      await shows('#counts', /5 tasks, 4 with annotations/);

      await page.getByLabel('Format', { exact: true }).selectOption('COCO');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download now' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^project-\d+-at-.*\.zip$/);
      const easyZip = join(out, 'easy.zip');
      await download.saveAs(easyZip);
      const coco = JSON.parse(new TextDecoder().decode(unzipSync(readFileSync(easyZip))['result.json'])) as {
        annotations: unknown[];
        categories: unknown[];
      };
      expect(coco.annotations).toHaveLength(4);
      expect(coco.categories.length).toBeGreaterThanOrEqual(2);
      // The report of the download, on the page, seen in a screenshot of it.
      const report = page.locator('#export-report');
      await expect
        .poll(() => report.textContent(), { timeout: 30_000 })
        .toMatch(/^Report \(COCO\): 4 tasks read, \d+ items and 4 regions written, \d+ skipped\./);
      expect(await report.isVisible()).toBe(true);
      const reportShot = join(out, 'export-report.png');
      await report.screenshot({ path: reportShot });
      const png = readFileSync(reportShot);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      // Its width and height (IHDR): the report box is drawn, not an empty strip.
      expect(png.readUInt32BE(16)).toBeGreaterThan(200);
      expect(png.readUInt32BE(20)).toBeGreaterThan(10);

      // A Data Manager tab picked for the snapshot: only the tasks its filter selects.
      const projectId = Number(await page.locator('#project').inputValue());
      const view = (await (
        await t.api('/api/dm/views', {
          method: 'POST',
          json: {
            project: projectId,
            data: {
              title: 'Two tasks',
              filters: {
                conjunction: 'and',
                items: [
                  { filter: 'filter:tasks:inner_id', operator: 'less_or_equal', type: 'Number', value: 2 },
                ],
              },
            },
          },
        })
      ).json()) as { id: number };
      await page.locator('#project').dispatchEvent('change');
      await expect
        .poll(() => page.locator('#f-view option').allTextContents(), { timeout: 30_000 })
        .toContain('Two tasks (1 filter)');
      await page.getByLabel('Tasks from a Data Manager tab').selectOption(String(view.id));
      await page.getByLabel('Format', { exact: true }).selectOption('COCO');

      await page.getByRole('button', { name: 'Create snapshot' }).click();
      await shows('#status', /: completed, COCO: completed$/);
      await shows('#snapshot-report', /^Report \(COCO\): 2 tasks read/);
      await expect
        .poll(() => page.locator('#snapshots tr td:nth-child(3)').first().textContent(), { timeout: 30_000 })
        .toBe('2');
      const button = page.getByRole('button', { name: 'Download COCO' }).first();
      const [snapshotDownload] = await Promise.all([page.waitForEvent('download'), button.click()]);
      expect(snapshotDownload.suggestedFilename()).toMatch(/\.zip$/);
      const snapZip = join(out, 'snapshot.zip');
      await snapshotDownload.saveAs(snapZip);
      expect(Object.keys(unzipSync(readFileSync(snapZip)))).toContain('result.json');

      const shot = join(out, 'lsconv-server-page.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`screenshot saved: ${shot}`);
      expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await browser.close();
    }
  });
});
