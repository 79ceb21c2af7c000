// The caption metrics (BLEU, CIDEr-D, ROUGE-L), pure TypeScript: the `@captioner/model/metrics` subpath,
// for code that scores captions without loading ONNX Runtime or sharp.
export { tokenize, corpusBleu, sentenceBleu } from './bleu.js';
export { ciderD, ciderDocumentFrequencies, sentenceCiderD, CIDER_SIGMA, type DocumentFrequencies } from './cider.js';
export { rougeL, sentenceRougeL, ROUGE_BETA } from './rouge.js';
export type { CorpusScores } from './corpus-scores.js';
