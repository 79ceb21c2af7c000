// The gallery end to end in real headless Chromium against the real API, embedded PostgreSQL and shipped
// models: browse and filter, inspect an image's captions and attention, rate, compare blind and see the
// leaderboard move, upload and see captions arrive, run an evaluation. Every page also passes axe-core's
// WCAG 2.1 A/AA rules. Screenshots go to test-results/screenshots.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertAccessible } from './accessibility.js';
import { launchBrowser, screenshot } from './browser.js';
import { gql } from './graphql.js';
import { DATASET_SIZES, repoRoot, startStack, type Stack } from './stack.js';
import { graphql } from '../generated/index.js';

const ACTION_TIMEOUT_MS = 120_000;
/** Content words of the shapes captions (function words such as "a" or "of" make poor searches). */
const SEARCHABLE_WORDS = [
  'red',
  'green',
  'blue',
  'yellow',
  'purple',
  'orange',
  'circle',
  'square',
  'triangle',
  'star',
  'diamond',
  'cross',
];
const TOTAL_IMAGES = DATASET_SIZES.reduce((a, b) => a + b, 0);
const TEST_IMAGES = DATASET_SIZES[2];

const BOARD_QUERY = graphql(`
  query GalleryLeaderboard {
    leaderboard {
      ratingCount
      preferenceCount
      entries {
        model {
          id
        }
        preference {
          wins
          losses
          ties
        }
      }
    }
  }
`);

describe('the web gallery in a real browser', { timeout: 25 * 60_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: stack.webUrl });
    // This machine is shared and often loaded; generous timeouts keep the test about behaviour, not speed.
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    page = await context.newPage();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await stack?.stop();
  });

  it('browses the gallery, filters by split and searches captions, keeping the view in the URL', async () => {
    await page.goto('/');
    const cards = page.locator('.image-card');
    await cards.first().waitFor();
    assert.equal(await cards.count(), Math.min(TOTAL_IMAGES, 24));
    // Every tile shows a caption from each of the two models, and its alt text is a caption.
    const firstCard = cards.first();
    assert.equal(await firstCard.locator('.caption-line').count(), 2);
    const alt = await firstCard.locator('img').getAttribute('alt');
    const captionTexts = await firstCard.locator('.caption-line-text').allTextContents();
    assert.ok(
      alt && captionTexts.includes(alt),
      `alt text "${alt}" should be one of the captions ${captionTexts.join(' | ')}`,
    );
    // Thumbnails carry their size, so nothing shifts as they load.
    assert.ok(Number(await firstCard.locator('img').getAttribute('width')) > 0);
    await screenshot(page, '01-gallery');
    await assertAccessible(page, 'the gallery');

    await page.getByLabel('Split').selectOption('TEST');
    await page.waitForURL(/split=TEST/);
    await page.waitForFunction((n) => document.querySelectorAll('.image-card').length === n, TEST_IMAGES);
    const splits = await page.locator('.image-card-split').allTextContents();
    assert.ok(
      splits.every((s) => s === 'Test'),
      `every tile is from the test split: ${splits.join(',')}`,
    );

    // Search for a colour or shape named in a test image's caption: that image at least must stay, and the grid
    // must show exactly what the API counts for the same filter.
    const testCaption = await page.locator('.image-card .caption-line-text').first().innerText();
    const word = testCaption.split(' ').find((w) => SEARCHABLE_WORDS.includes(w));
    assert.ok(word, `the caption "${testCaption}" names a colour or shape`);
    await page.getByRole('searchbox').fill(word);
    await page.waitForURL(new RegExp(`q=${word}`));
    const expected = await gql(
      stack.apiUrl,
      graphql(`
        query GalleryImages($f: ImageFilter) {
          images(filter: $f) {
            totalCount
          }
        }
      `),
      { f: { split: 'TEST', search: word } },
    );
    assert.ok(expected.images.totalCount >= 1, `the image whose caption says "${word}" matches the search`);
    const matchText =
      expected.images.totalCount === 1 ? '1 image matches' : `${expected.images.totalCount} images match`;
    await page.getByText(matchText).waitFor();
    await page.waitForFunction(
      (n) => document.querySelectorAll('.image-card').length === n,
      Math.min(expected.images.totalCount, 24),
    );
    await screenshot(page, '02-gallery-filtered');

    // The URL alone reproduces the view (shareable).
    const shared = await context.newPage();
    await shared.goto(page.url());
    assert.equal(await shared.locator('.image-card').count(), Math.min(expected.images.totalCount, 24));
    assert.equal(await shared.getByLabel('Split').inputValue(), 'TEST');
    await shared.close();
  });

  it('opens an image and shows both captions, references and the attention heatmap of a word', async () => {
    await page.goto('/?split=TEST');
    await page.locator('.image-card a').first().click();
    await page.waitForURL(/\/images\//);
    const panels = page.locator('.caption-panel');
    await panels.first().waitFor();
    assert.equal(await panels.count(), 2);
    assert.equal(await page.locator('.caption-panel-lstm').count(), 1);
    assert.equal(await page.locator('.caption-panel-attention').count(), 1);
    assert.ok((await page.locator('.references li').count()) >= 1, 'test images have reference captions');
    // BLEU is shown against those references.
    assert.match(await page.locator('.caption-panel-lstm .caption-stats').innerText(), /BLEU-4\s*\n?\s*\d+\.\d/);
    // And so are sentence ROUGE-L and CIDEr-D (within the image's dataset split), for both models.
    for (const stats of await page.locator('.caption-stats').all()) {
      const text = await stats.innerText();
      assert.match(text, /ROUGE-L\s*\n?\s*\d+\.\d/i);
      assert.match(text, /CIDEr-D\s*\n?\s*\d+\.\d/i); // dt is uppercased by CSS
    }

    const steps = page.locator('.attention-step');
    const stepCount = await steps.count();
    const attentionWords = (await page.locator('.caption-panel-attention .caption-text').innerText()).split(' ');
    assert.ok(
      stepCount >= attentionWords.length,
      `one step per word (${stepCount} steps, ${attentionWords.length} words)`,
    );
    const mainHeatmap = page.locator('.attention-stage canvas.heatmap');
    assert.equal(await mainHeatmap.getAttribute('data-visible'), 'false');
    await steps.nth(1).hover();
    await page.waitForFunction(
      () => document.querySelector('.attention-stage canvas.heatmap')?.getAttribute('data-visible') === 'true',
    );
    assert.equal(
      await page.locator('.attention-word').innerText(),
      `“${await steps.nth(1).locator('.attention-step-word').innerText()}”`,
    );
    // The canvas really holds a map that varies over the image (not a flat veil).
    const spread = await mainHeatmap.evaluate((canvas: HTMLCanvasElement) => {
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let min = 255,
        max = 0;
      for (let i = 3; i < data.length; i += 4) {
        min = Math.min(min, data[i]!);
        max = Math.max(max, data[i]!);
      }
      return max - min;
    });
    assert.ok(spread > 40, `heatmap alpha should vary across the image, spread ${spread}`);
    // Keyboard stepping moves to the next word.
    await steps.nth(1).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await steps.nth(2).getAttribute('aria-pressed'), 'true');
    await screenshot(page, '03-image-attention');
    await assertAccessible(page, 'the image page');
  });

  it('rates a caption with stars and keeps the rating after a reload', async () => {
    const initial = await gql(stack.apiUrl, BOARD_QUERY);
    const lstm = page.locator('.caption-panel-lstm');
    await lstm.locator('label.star').nth(3).click();
    await lstm.getByText(/saved/).waitFor();
    assert.match(await lstm.locator('.star-summary').innerText(), /4\.00 mean · 1 rating/);
    await page.reload();
    assert.equal(await page.locator('.caption-panel-lstm input[type=radio][value="4"]').isChecked(), true);
    const afterRating = await gql(stack.apiUrl, BOARD_QUERY);
    assert.equal(afterRating.leaderboard.ratingCount, initial.leaderboard.ratingCount + 1);
    await screenshot(page, '04-image-rated');
  });

  it('captions the image again with chosen decode settings and shows the n-best list with scores', async () => {
    const imageId = page.url().split('/images/')[1]!.split(/[?#]/)[0]!;
    const form = page.locator('.recaption');
    await form.getByLabel('Model').selectOption('shapes-attention');
    // Out-of-range settings are explained, not sent.
    await form.getByLabel(/Beam width/).fill('11');
    await form.getByRole('button', { name: 'Caption' }).click();
    assert.equal(await form.getByRole('alert').innerText(), 'Beam width must be a whole number from 1 to 10.');

    await form.getByLabel(/Beam width/).fill('5');
    await form.getByLabel(/Max length/).fill('6');
    await form.getByRole('button', { name: 'Caption' }).click();
    const result = form.locator('.recaption-result');
    await result.waitFor();
    assert.equal(await form.getByRole('alert').count(), 0, 'the earlier error is gone');
    assert.match(await result.locator('.recaption-meta').innerText(), /Attention beam 5 · max 6 words/);
    const text = await result.locator('.recaption-text').innerText();
    assert.ok(text.split(' ').length <= 6, `"${text}" has at most 6 words`);
    // The n-best list is open: up to 5 hypotheses (one per beam), the best first, each with its scores.
    const hypotheses = result.locator('.n-best li');
    const count = await hypotheses.count();
    assert.ok(count >= 1 && count <= 5, `${count} hypotheses from a beam of 5`);
    assert.equal(await hypotheses.first().locator('span').first().innerText(), text);
    assert.match(await hypotheses.first().locator('.n-best-score').innerText(), /^-?\d+\.\d{2} · -?\d+\.\d{2}$/);
    await screenshot(page, '04b-image-recaptioned');
    await assertAccessible(page, 'the image page with a new caption');

    // The service stored exactly that caption with those settings.
    const stored = await gql(
      stack.apiUrl,
      graphql(`
        query GalleryImage($id: ID!) {
          image(id: $id) {
            captions(modelId: "shapes-attention", all: true) {
              text
              decode {
                beamSize
                maxLength
              }
              nBest {
                text
              }
            }
          }
        }
      `),
      { id: imageId },
    );
    const caption = stored.image!.captions.find((c) => c.decode.beamSize === 5 && c.decode.maxLength === 6);
    assert.equal(caption?.text, text);
    assert.equal(caption?.nBest.length, count);
  });

  it('votes blind in compare mode with the keyboard, reveals the models, and the leaderboard changes', async () => {
    const initial = await gql(stack.apiUrl, BOARD_QUERY);
    assert.equal(initial.leaderboard.preferenceCount, 0, 'no blind votes yet');
    // Without blind votes nobody is ranked, and the page says so.
    await page.goto('/leaderboard');
    await page.getByText('No blind comparisons yet, so no model is ranked.').waitFor();
    assert.equal(await page.locator('.podium-card[data-rank="none"]').count(), 2);
    assert.equal(await page.locator('.podium-note').first().innerText(), 'Not enough votes');

    await page.goto('/compare');
    await page.locator('.choice').first().waitFor();
    assert.equal(await page.locator('.choice-model').count(), 0, 'model names stay hidden before the vote');
    await screenshot(page, '05-compare-blind');
    await assertAccessible(page, 'the compare page');
    await page.keyboard.press('a');
    await page.locator('.choice-model').first().waitFor();
    assert.equal(await page.locator('.choice-model').count(), 2);
    assert.equal(await page.locator('.choice[data-winner="true"] .choice-key').innerText(), 'A');
    const winnerModel = (await page.locator('.choice[data-winner="true"] .choice-model').innerText())
      .trim()
      .split(/\s+/)
      .pop()!;
    await screenshot(page, '06-compare-revealed');

    // Next image by keyboard, then a click vote for B.
    await page.keyboard.press('n');
    await page.locator('.choice:not([disabled])').first().waitFor();
    await page.locator('.choice').nth(1).click();
    await page.locator('.choice-model').first().waitFor();

    const afterVotes = await gql(stack.apiUrl, BOARD_QUERY);
    assert.equal(afterVotes.leaderboard.preferenceCount, initial.leaderboard.preferenceCount + 2);
    const winsBefore = initial.leaderboard.entries.find((e) => e.model.id === winnerModel)!.preference.wins;
    const winsAfter = afterVotes.leaderboard.entries.find((e) => e.model.id === winnerModel)!.preference.wins;
    assert.ok(winsAfter >= winsBefore + 1, `${winnerModel} gained the win`);

    await page.goto('/leaderboard');
    await page.getByRole('heading', { name: 'Leaderboard' }).waitFor();
    assert.match(await page.locator('.page-heading p').innerText(), /1 rating and 2 blind comparisons/);
    assert.equal(await page.locator('.podium-card').count(), 2);
    // Both models now have votes, so both are ranked: rank 1 for the first, and the rank explained.
    assert.equal(await page.locator('.podium-card[data-rank="none"]').count(), 0);
    assert.equal(await page.locator('.podium-card').first().getAttribute('data-rank'), '1');
    await page.getByRole('heading', { name: 'How the rank is computed' }).waitFor();
    assert.equal(await page.getByText('No blind comparisons yet').count(), 0);
    // The seed's table layout: Model, Params, Loss valid/test, BLEU-1..4 valid/test.
    const headers = await page.locator('.data-table thead th').allInnerTexts();
    assert.deepEqual(headers.slice(0, 4), ['Model', 'Params', 'Loss', 'BLEU-1']);
    assert.equal(await page.locator('.chart-dot').count(), afterVotes.leaderboard.ratingCount > 0 ? 1 : 0);
    await screenshot(page, '07-leaderboard');
    await assertAccessible(page, 'the leaderboard');
  });

  it('uploads images, shows captions as they arrive, and explains a rejected file', async () => {
    const notAnImage = path.join(stack.tempDir, 'notes.txt');
    await writeFile(notAnImage, 'this is not an image\n');
    await page.goto('/upload');
    await page.getByLabel('Choose images to upload').setInputFiles([stack.freshImagePath, notAnImage]);
    const rejected = page.locator('.upload-item[data-status="rejected"]');
    await rejected.waitFor();
    assert.match(await rejected.innerText(), /notes\.txt[\s\S]*\w+/);
    const done = page.locator('.upload-item[data-status="done"]');
    await done.waitFor({ timeout: 300_000 });
    assert.equal(await done.locator('.caption-line').count(), 2, 'both models captioned the upload');
    // Captions came over the live socket (the CSP, the web's upgrade relay and the API's graphql-ws), not polling.
    assert.equal(await page.locator('.uploader').getAttribute('data-progress'), 'live');
    const socketAnswer = await page.evaluate(
      () =>
        new Promise<string>((resolve, reject) => {
          const socket = new WebSocket(`ws://${location.host}/graphql`, 'graphql-transport-ws');
          const query = 'subscription { evaluationRunProgress(id: "00000000-0000-0000-0000-000000000000") { id } }';
          socket.onerror = () => reject(new Error('the socket failed'));
          socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init' }));
          socket.onmessage = (message) => {
            const data = JSON.parse(String(message.data)) as { type: string; payload?: unknown };
            if (data.type === 'connection_ack')
              socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
            else if (data.type === 'next' || data.type === 'error') {
              socket.close();
              resolve(JSON.stringify(data.payload));
            }
          };
        }),
    );
    assert.match(socketAnswer, /NOT_FOUND/, 'a subscription through the web origin runs on the API');
    await screenshot(page, '08-upload');
    await assertAccessible(page, 'the upload page with results');

    // The upload is now in the gallery, first (newest).
    await page.goto('/');
    await page.locator('.image-card').first().waitFor();
    assert.equal(await page.locator('.image-card').count(), Math.min(TOTAL_IMAGES + 1, 24));
    assert.equal(await page.locator('.image-card-split').first().innerText(), 'Upload');
    // Its uploader (this browser's voter session) may delete it from its page; a dataset image offers no delete.
    await page.locator('.image-card-link').first().click();
    await page.getByRole('button', { name: 'Delete this photo' }).waitFor();
    await page.goBack();
    await page.locator('.image-card-link').nth(1).click();
    await page.locator('.image-title').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Delete this photo' }).count(), 0);
  });

  it('starts an evaluation run, shows its progress and its BLEU beside earlier runs', async () => {
    await page.goto('/evaluations');
    // Starting runs is for admins: the token is entered once and kept for this tab.
    await page.getByLabel(/enter the admin token/).fill(stack.adminToken);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.getByText('Admin token set for this tab.').waitFor();
    await page.getByLabel('Split').selectOption('TEST');
    await page.getByRole('button', { name: 'Start evaluation' }).click();
    await page.locator('.run-row[data-status="succeeded"]').first().waitFor({ timeout: 300_000 });
    await page.locator('.chart-bar').first().waitFor();
    assert.equal(await page.locator('.chart-bar').count(), 4);
    assert.equal(await page.locator('.evaluations').getAttribute('data-progress'), 'live', 'progress came live');
    const finished = page.locator('.run-row[data-status="succeeded"]').first();
    assert.match(await finished.locator('.run-cider').innerText(), /^CIDEr-D\s+\d+\.\d$/);
    assert.match(await finished.locator('.run-rouge').innerText(), /^ROUGE-L\s+\d+\.\d$/);
    await screenshot(page, '09-evaluations');
    await assertAccessible(page, 'the evaluations page');
    await page.goto('/leaderboard');
    assert.ok((await page.locator('.row-measured').count()) >= 1, 'the measured BLEU row appears on the leaderboard');
  });

  it('shows which metric agrees with people: the Kendall tau table of docs/human-agreement.json', async () => {
    const file = JSON.parse(await readFile(path.join(repoRoot, 'docs', 'human-agreement.json'), 'utf8'));
    await page.goto('/evaluations');
    const section = page.getByRole('region', { name: 'Which metric agrees with people?' });
    const table = section.getByRole('table');
    await table.waitFor();
    const header = await table.locator('thead tr').first().locator('th').allInnerTexts();
    assert.deepEqual(header, ['Metric', 'Flickr8k-Expert (τ-c)', 'Flickr8k CrowdFlower (τ-b)']);
    const rows = await table
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent)));
    const x100 = (value: number) => (value * 100).toFixed(1);
    const keys = ['bleu1', 'bleu4', 'rougeL', 'cider'];
    assert.deepEqual(
      rows,
      ['BLEU-1', 'BLEU-4', 'ROUGE-L', 'CIDEr-D'].map((metric, i) => [
        metric,
        x100(file.expert.kendall[keys[i]!]),
        x100(file.expert.publishedKendall[keys[i]!]),
        x100(file.crowdflower.kendall[keys[i]!]),
        x100(file.crowdflower.publishedKendall[keys[i]!]),
      ]),
    );
    // CIDEr-D agrees best with both sets of judgements, and the table marks it.
    assert.deepEqual(await table.locator('tbody strong').allInnerTexts(), [
      x100(file.expert.kendall.cider),
      x100(file.crowdflower.kendall.cider),
    ]);
    await screenshot(page, '09a-metric-agreement');
    await assertAccessible(page, 'the evaluations page with the metric agreement table');
  });

  it('evaluates a chosen dataset, split and decode settings, and compares two runs side by side', async () => {
    await page.goto('/evaluations');
    const form = page.locator('.eval-form');
    await form.getByLabel('Model').selectOption('shapes-lstm');
    await form.getByLabel('Dataset').selectOption('shapes');
    // The form says how many images the chosen split would score.
    await form.getByLabel('Split').selectOption('TEST');
    assert.equal(
      await form.locator('.eval-scope').innerText(),
      `${TEST_IMAGES} images with references in this split will be scored.`,
    );
    await form.getByLabel('Beam width').selectOption('1');
    await form.getByLabel(/Max length/).fill('0');
    await form.getByRole('button', { name: 'Start evaluation' }).click();
    assert.equal(await form.getByRole('alert').innerText(), 'Max length must be a whole number of words from 1 to 50.');
    await form.getByLabel(/Max length/).fill('12');
    await form.getByRole('button', { name: 'Start evaluation' }).click();
    await page.waitForFunction(
      () => document.querySelectorAll('.run-row[data-status="succeeded"]').length === 2,
      null,
      {
        timeout: 300_000,
      },
    );

    const { evaluationRuns } = await gql(
      stack.apiUrl,
      graphql(`
        query GalleryEvaluationRuns {
          evaluationRuns {
            id
            dataset
            bleu
            cider
            rougeL
            model {
              id
            }
            decode {
              beamSize
              maxLength
            }
          }
        }
      `),
    );
    const [newer, older] = evaluationRuns;
    assert.deepEqual(
      { model: newer!.model.id, dataset: newer!.dataset, decode: newer!.decode },
      { model: 'shapes-lstm', dataset: 'shapes', decode: { beamSize: 1, maxLength: 12 } },
      'the run has the settings picked in the form',
    );

    // Run A: the earlier run; run B: the new one. One row per metric with B − A.
    const compare = page.locator('.eval-compare');
    await compare.getByLabel('Run A').selectOption(older!.id);
    await compare.getByLabel('Run B').selectOption(newer!.id);
    const rows = compare.locator('.metric-deltas tbody tr');
    const labels = ['BLEU-1', 'BLEU-2', 'BLEU-3', 'BLEU-4', 'CIDEr-D', 'ROUGE-L'];
    assert.deepEqual(await rows.locator('th').allInnerTexts(), labels);
    const deltas = await rows.locator('td:last-child').allInnerTexts();
    const scores = (run: typeof newer) => [...run!.bleu!, run!.cider!, run!.rougeL!];
    scores(newer).forEach((value, n) => {
      const delta = value - scores(older)[n]!;
      const shown = (delta * 100).toFixed(1);
      assert.equal(deltas[n], delta > 0 ? `+${shown}` : shown, `${labels[n]} delta`);
    });

    // The images where they disagree most, as the API orders them.
    const { evaluationRunComparison: expected } = await gql(
      stack.apiUrl,
      graphql(`
        query GalleryEvaluationRunComparison($a: ID!, $b: ID!) {
          evaluationRunComparison(runA: $a, runB: $b, first: 8) {
            sharedImages
            disagreements {
              image {
                id
              }
            }
          }
        }
      `),
      { a: older!.id, b: newer!.id },
    );
    assert.equal(expected!.sharedImages, TEST_IMAGES, 'both runs captioned every test image');
    assert.ok(expected!.disagreements.length >= 1, 'the two models caption some test image differently');
    await compare.getByText(`Of the ${TEST_IMAGES} images both runs captioned`).waitFor();
    const links = await compare.locator('.disagreement a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(
      links,
      expected!.disagreements.map((d) => `/images/${d.image.id}`),
    );
    await screenshot(page, '09b-evaluations-compare');
    await assertAccessible(page, 'the evaluations page comparing two runs');
  });

  it('reads well on a phone: no page scrolls sideways', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      baseURL: stack.webUrl,
      isMobile: true,
      hasTouch: true,
    });
    phone.setDefaultTimeout(ACTION_TIMEOUT_MS);
    const phonePage = await phone.newPage();
    // With isMobile a page wider than the viewport is zoomed out to fit, so compare the layout width with 390 px.
    const assertFitsPhone = async (name: string) => {
      const width = await phonePage.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `${name} lays out ${width}px wide on a 390px phone (scrolls sideways)`);
    };
    await phonePage.goto('/');
    await phonePage.locator('.image-card').first().waitFor();
    await assertFitsPhone('the gallery');
    await screenshot(phonePage, '10-phone-gallery');
    await assertAccessible(phonePage, 'the gallery on a phone');
    // An image page of the test split: references, both captions and the attention strip.
    await phonePage.goto('/?split=TEST');
    await phonePage.locator('.image-card a').first().click();
    await phonePage.locator('.attention-step').first().waitFor();
    await assertFitsPhone('the image page');
    await screenshot(phonePage, '11-phone-image');
    const pages: [string, string, string][] = [
      ['/compare', '.choice', 'the compare page'],
      ['/leaderboard', '.podium-card', 'the leaderboard'],
      ['/evaluations', '.run-row', 'the evaluations page'],
      ['/upload', 'input[type=file]', 'the upload page'],
    ];
    for (const [url, ready, name] of pages) {
      await phonePage.goto(url);
      await phonePage.locator(ready).first().waitFor({ state: 'attached' });
      await assertFitsPhone(name);
    }
    await screenshot(phonePage, '12-phone-upload');
    await phone.close();
  });
});
