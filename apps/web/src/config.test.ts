import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadConfig } from './config';

test('the API origin defaults to the local API and is reduced to scheme://host:port', () => {
  assert.deepEqual(loadConfig({}), { apiOrigin: 'http://127.0.0.1:4000', dev: true });
  assert.deepEqual(loadConfig({ CAPTIONER_API_URL: ' https://api.example:8443/graphql ', NODE_ENV: 'production' }), {
    apiOrigin: 'https://api.example:8443',
    dev: false,
  });
});

test('a bad CAPTIONER_API_URL stops the server with the variable named and what it expects', () => {
  assert.throws(() => loadConfig({ CAPTIONER_API_URL: 'not a url' }), /CAPTIONER_API_URL: not a valid URL/);
  assert.throws(() => loadConfig({ CAPTIONER_API_URL: 'ftp://files.example' }), /CAPTIONER_API_URL: must be http\(s\)/);
});
