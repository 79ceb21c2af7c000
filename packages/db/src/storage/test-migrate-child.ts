// Child process of s3-storage.test.ts: runs the storage migration on the test's database and bucket, printing
// "moved N" after each image, until the test kills it. Not part of the build.
import { openDatabase } from '../open-database.js';
import { migrationsDir } from '../test-support.js';
import { migrateImageStorage } from './migrate-storage.js';
import type { ImageLocation } from './object-store.js';
import { createS3ObjectStore } from './s3-object-store.js';

const objects = createS3ObjectStore(JSON.parse(process.env.MIGRATE_S3!));
const db = await openDatabase({
  databaseUrl: process.env.MIGRATE_DATABASE_URL!,
  migrationsDir,
  imageStorage: { target: 'postgres', objects },
});
await migrateImageStorage(db.images, {
  to: process.env.MIGRATE_TO as ImageLocation,
  concurrency: 4,
  onProgress: (p) => process.stdout.write(`moved ${p.moved}\n`),
});
await db.close();
