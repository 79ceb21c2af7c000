// metricHumanAgreement serves docs/human-agreement.json (the file that ships in the repository, found from the
// API's own location as models/ is): every metric's Kendall tau, ours and published, per judgement set.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot, startTestApi, type TestApi } from './harness.js';
import { graphql } from '../generated/index.js';

let api: TestApi;
before(async () => {
  api = await startTestApi({ CAPTIONER_CAPTION_ON_UPLOAD: 'false' });
});
after(async () => {
  await api?.stop();
});

test('metricHumanAgreement is docs/human-agreement.json, metric by metric', async () => {
  const file = JSON.parse(await readFile(path.join(repoRoot, 'docs', 'human-agreement.json'), 'utf8'));
  const { metricHumanAgreement } = await api.gql(
    graphql(`
      query MetricHumanAgreementMetricHumanAgreement {
        metricHumanAgreement {
          publishedSource
          judgementSets {
            name
            file
            tau
            judgements
            images
            protocol
            metrics {
              metric
              kendall
              published
            }
          }
        }
      }
    `),
  );
  assert.equal(metricHumanAgreement.publishedSource, file.publishedSource);
  assert.deepEqual(
    metricHumanAgreement.judgementSets.map((set) => [set.name, set.file, set.tau]),
    [
      ['Flickr8k-Expert', 'ExpertAnnotations.txt', 'c'],
      ['Flickr8k CrowdFlower', 'CrowdFlowerAnnotations.txt', 'b'],
    ],
  );
  const keys = { 'BLEU-1': 'bleu1', 'BLEU-4': 'bleu4', 'ROUGE-L': 'rougeL', 'CIDEr-D': 'cider' } as const;
  for (const [set, source] of [
    [metricHumanAgreement.judgementSets[0]!, file.expert],
    [metricHumanAgreement.judgementSets[1]!, file.crowdflower],
  ] as const) {
    assert.deepEqual([set.judgements, set.images], [source.judgements, source.images]);
    assert.ok(set.protocol.length > 0);
    assert.deepEqual(
      set.metrics.map((m) => m.metric),
      Object.keys(keys),
    );
    for (const m of set.metrics) {
      assert.equal(m.kendall, source.kendall[keys[m.metric as keyof typeof keys]]);
      assert.equal(m.published, source.publishedKendall[keys[m.metric as keyof typeof keys]]);
    }
  }
  // CIDEr-D agrees with the experts best (docs/human-agreement.md): the served numbers say so too.
  const expert = metricHumanAgreement.judgementSets[0]!.metrics;
  assert.equal(expert.reduce((best, m) => (m.kendall > best.kendall ? m : best)).metric, 'CIDEr-D');
});
