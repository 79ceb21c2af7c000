// ImportJob fields. Parent: the in-memory job (datasets/import-jobs.ts), whose fields are the schema's.
import { objectResolvers } from '../graphql/object-resolvers.js';

export const ImportJob = objectResolvers('ImportJob')({});
