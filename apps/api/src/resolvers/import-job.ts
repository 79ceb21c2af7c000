// ImportJob fields. Parent: the stored job (datasets/import-jobs.ts's ImportJob), whose fields are the schema's.
import { objectResolvers } from '../graphql/object-resolvers.js';

export const ImportJob = objectResolvers('ImportJob')({});
