// The web's defences seen from a real browser: a page on another site cannot frame the gallery, and its scripted
// uploads and GraphQL writes through the gallery's proxies are refused and store nothing, while the very same
// requests from the gallery's own pages work. Every page and proxy answer carries the security headers.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { gql } from './graphql.js';
import { startStack, type Stack } from './stack.js';
import { graphql } from '../generated/index.js';

const COUNTS_QUERY = graphql(`
  query WebSecurityImages2 {
    images {
      totalCount
    }
    leaderboard {
      ratingCount
    }
  }
`);

/** Runs in the page: posts the photo to the gallery's /upload and a rating to its /graphql, as any script could. */
async function postFromPage(page: Page, webUrl: string, captionId: string): Promise<number[]> {
  return page.evaluate(
    async ({ webUrl, captionId }) => {
      const photo = await (await fetch('/photo.jpg')).blob();
      const form = new FormData();
      form.append('file', photo, 'photo.jpg');
      const rate = JSON.stringify({
        query: 'mutation($c: ID!) { rateCaption(input: { captionId: $c, stars: 1 }) { rating { stars } } }',
        variables: { c: captionId },
      });
      // Cross-origin these are "no-cors" requests: the browser sends them, the page cannot read the answers.
      const sameOrigin = new URL(webUrl).origin === location.origin;
      const mode: RequestMode = sameOrigin ? 'same-origin' : 'no-cors';
      const answers = await Promise.all([
        fetch(`${webUrl}/upload`, { method: 'POST', body: form, mode, credentials: 'include' }),
        fetch(`${webUrl}/graphql`, {
          method: 'POST',
          body: rate,
          headers: { 'content-type': sameOrigin ? 'application/json' : 'text/plain' },
          mode,
          credentials: 'include',
        }),
      ]);
      return answers.map((answer) => answer.status);
    },
    { webUrl, captionId },
  );
}

describe('the web against another site in a real browser', { timeout: 15 * 60_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let attacker: Server;
  let attackerUrl: string;
  let captionId: string;

  before(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    const photo = await readFile(stack.freshImagePath);
    // The other site: "localhost" is a different site from the gallery's 127.0.0.1 to the browser.
    attacker = createServer((req, res) => {
      if (req.url === '/photo.jpg') return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo);
      const framed = req.url === '/frame' ? `<iframe id="victim" src="${stack.webUrl}/"></iframe>` : '';
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>other site</title>${framed}`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}`;
    const { images } = await gql(
      stack.apiUrl,
      graphql(`
        query WebSecurityImages {
          images(first: 1) {
            edges {
              node {
                captions {
                  id
                }
              }
            }
          }
        }
      `),
    );
    captionId = images.edges[0]!.node.captions[0]!.id;
  });

  after(async () => {
    await browser?.close();
    attacker?.close();
    await stack?.stop();
  });

  it('every page and proxy answer carries the security headers', async () => {
    const answers = await Promise.all([
      fetch(`${stack.webUrl}/`),
      fetch(`${stack.webUrl}/upload`),
      fetch(`${stack.webUrl}/leaderboard`),
      fetch(`${stack.webUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      }),
    ]);
    for (const answer of answers) {
      assert.equal(answer.status, 200, answer.url);
      const csp = answer.headers.get('content-security-policy') ?? '';
      assert.match(csp, /frame-ancestors 'none'/, answer.url);
      assert.match(csp, /default-src 'self'/, answer.url);
      assert.equal(answer.headers.get('x-content-type-options'), 'nosniff', answer.url);
      assert.equal(answer.headers.get('referrer-policy'), 'strict-origin-when-cross-origin', answer.url);
      assert.equal(answer.headers.get('x-frame-options'), 'DENY', answer.url);
    }
  });

  it('a page on another site cannot frame the gallery', async () => {
    const page = await browser.newPage();
    try {
      const refused = page.waitForEvent('console', (message) =>
        /frame-ancestors|Refused to frame/.test(message.text()),
      );
      await page.goto(`${attackerUrl}/frame`);
      await refused;
      const frame = page.frames().find((f) => f !== page.mainFrame());
      assert.ok(frame, 'the iframe exists');
      // A blocked frame shows Chromium's error page, never the gallery.
      assert.equal(await frame.locator('header, nav, .image-card').count(), 0);
    } finally {
      await page.close();
    }
  });

  it("another site's scripted upload and rating are refused and store nothing; the gallery's own work", async () => {
    const before = await gql(stack.apiUrl, COUNTS_QUERY);
    const page = await browser.newPage();
    try {
      await page.goto(attackerUrl);
      const opaque = await postFromPage(page, stack.webUrl, captionId);
      assert.deepEqual(opaque, [0, 0], 'no-cors answers are opaque to the other site');
      assert.deepEqual(await gql(stack.apiUrl, COUNTS_QUERY), before, 'nothing stored');

      // The control: the same two requests from a gallery page succeed, so the refusal above was the origin's.
      await page.route(`${stack.webUrl}/photo.jpg`, async (route) =>
        route.fulfill({ body: await readFile(stack.freshImagePath), contentType: 'image/jpeg' }),
      );
      await page.goto(`${stack.webUrl}/upload`);
      assert.deepEqual(await postFromPage(page, stack.webUrl, captionId), [200, 200]);
      const afterOwn = await gql(stack.apiUrl, COUNTS_QUERY);
      assert.equal(afterOwn.images.totalCount, before.images.totalCount + 1);
      assert.equal(afterOwn.leaderboard.ratingCount, before.leaderboard.ratingCount + 1);
    } finally {
      await page.close();
    }
  });
});
