// Public surface of @captioner/api for other packages (tests, scripts): build and run the service in-process.
export { loadConfig, repoRoot, type Config } from './config.js';
export { startService, openServices, closeServices, type RunningService, type StartOptions } from './service.js';
export { createServer, typeDefs, type CaptionServer } from './server.js';
export { ensureDemoGallery, demoDataset, demoDir } from './datasets/demo-gallery.js';
export { importDataset, type ImportOptions, type ImportProgress } from './datasets/import-dataset.js';
export { readDataset, DatasetError, type Dataset, type DatasetFormat } from './datasets/read-dataset.js';
export { errorCodes, type ErrorCode } from './errors.js';
export { bleuMetricVersion, ciderMetricVersion, rougeLMetricVersion } from './evaluation/evaluation-runner.js';
export type { Services } from './graphql/context.js';
