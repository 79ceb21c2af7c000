// Where the tests find models. Most tests use the small shapes models kept as test fixtures in
// packages/model/fixtures (fast on two cores); the Flickr8k reproduction test uses the shipped models/.
import path from 'node:path';
import { fixtureModelsDir as modelPackageFixtures } from '@captioner/model';

/** shapes-lstm and shapes-attention: small, fast, one of each variant. */
export const fixtureModelsDir = modelPackageFixtures();

/** What `npm start` serves: flickr8k-lstm and flickr8k-attention (sharing models/encoders/). */
export const shippedModelsDir = path.resolve(import.meta.dirname, '..', 'models');
