// GraphQL Code Generator for the end-to-end tests: every `graphql(...)` document in api/ and browser/ is checked
// against the API's schema (../apps/api/src/schema.graphql, read offline) and typed (result and variables) in
// generated/. Requests that must be invalid (parse, validation and limit probes) stay plain strings.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../apps/api/src/schema.graphql',
  documents: ['api/**/*.ts', 'browser/**/*.ts'],
  generates: {
    'generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        // The tests are ES modules resolved by Node (NodeNext): relative imports need their extension.
        importExtension: '.js',
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string' },
        strictScalars: true,
      },
    },
  },
};

export default config;
