// CIDEr-D document frequencies of each dataset split's references, for scoring single captions. Counting the
// n-grams of a split's references (5000 for Flickr8k's test split) is done once per split and kept in this
// process; every read first asks the database for the split's reference version (one small aggregate query),
// so references added by an import, in this process or in another one on the same database, make the next
// read count again.
import { ciderDocumentFrequencies, tokenize, type DocumentFrequencies } from '@captioner/model';
import type { Database, Split } from '@captioner/db';

interface Entry {
  version: string;
  frequencies: Promise<DocumentFrequencies>;
}

export class DocumentFrequencyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly db: Database) {}

  /** The document frequencies of the references of every image of this dataset split. */
  async get(dataset: string, split: Split): Promise<DocumentFrequencies> {
    const key = JSON.stringify([dataset, split]);
    // Read before the references: an import landing in between leaves an older version on newer counts,
    // which the next read recounts; never the reverse.
    const version = await this.db.references.splitVersion({ dataset, split });
    const cached = this.entries.get(key);
    if (cached?.version === version) return cached.frequencies;
    const frequencies = this.db.references
      .listBySplit({ dataset, split })
      .then((corpus) => ciderDocumentFrequencies(corpus.map((texts) => texts.map(tokenize))));
    this.entries.set(key, { version, frequencies });
    frequencies.catch(() => {
      if (this.entries.get(key)?.frequencies === frequencies) this.entries.delete(key);
    });
    return frequencies;
  }
}
