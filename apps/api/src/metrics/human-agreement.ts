// Which automatic metric agrees with people: docs/human-agreement.json, written offline by
// `python3 -m training human-agreement` (docs/human-agreement.md) and served as GraphQL's metricHumanAgreement.
// Read and checked once per process; a missing or malformed file is an error that names it, never empty data.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { HumanJudgementSet, MetricHumanAgreement } from '../generated/graphql.js';

const metricKeys = ['bleu1', 'bleu4', 'rougeL', 'cider'] as const;
const metricNames: Record<(typeof metricKeys)[number], string> = {
  bleu1: 'BLEU-1',
  bleu4: 'BLEU-4',
  rougeL: 'ROUGE-L',
  cider: 'CIDEr-D',
};
const taus = z.object(Object.fromEntries(metricKeys.map((key) => [key, z.number().min(-1).max(1)])));
const judgementSet = z.object({
  file: z.string(),
  tau: z.enum(['b', 'c']),
  judgements: z.number().int(),
  images: z.number().int(),
  kendall: taus,
  publishedKendall: taus.partial(),
});
const fileSchema = z.object({
  publishedSource: z.string(),
  protocol: z.object({ expert: z.string(), crowdflower: z.string(), corpus: z.string(), tokenisation: z.string() }),
  expert: judgementSet,
  crowdflower: judgementSet,
});

const cache = new Map<string, Promise<MetricHumanAgreement>>();

/** The agreement table from `file`, read on first use. */
export function readHumanAgreement(file: string): Promise<MetricHumanAgreement> {
  let table = cache.get(file);
  if (!table) {
    table = parseHumanAgreement(file);
    cache.set(file, table);
    table.catch(() => cache.delete(file)); // a fixed file is read again
  }
  return table;
}

async function parseHumanAgreement(file: string): Promise<MetricHumanAgreement> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `Cannot read the metric-human agreement table ${file}: ${(error as Error).message}. It ships in the repository as docs/human-agreement.json; python3 -m training human-agreement rebuilds it.`,
    );
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${file} is not a metric-human agreement table: ${parsed.error.issues[0]?.message ?? ''}`);
  }
  const { expert, crowdflower, protocol, publishedSource } = parsed.data;
  const set = (name: string, data: z.infer<typeof judgementSet>, setProtocol: string): HumanJudgementSet => ({
    name,
    file: data.file,
    tau: data.tau,
    judgements: data.judgements,
    images: data.images,
    protocol: setProtocol,
    metrics: metricKeys.map((key) => ({
      metric: metricNames[key],
      kendall: data.kendall[key]!,
      published: data.publishedKendall[key] ?? null,
    })),
  });
  return {
    publishedSource,
    corpus: protocol.corpus,
    tokenisation: protocol.tokenisation,
    judgementSets: [
      set('Flickr8k-Expert', expert, protocol.expert),
      set('Flickr8k CrowdFlower', crowdflower, protocol.crowdflower),
    ],
  };
}
