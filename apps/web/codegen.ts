// GraphQL Code Generator for the web: every `graphql(...)` document in src/ is checked against the API's schema
// (../api/src/schema.graphql, read offline) and gets a typed document (TypedDocumentString: the query text plus its
// result and variables types) in src/generated/. `npm run codegen` (turbo runs it before build and typecheck).
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../api/src/schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/generated/**'],
  generates: {
    'src/generated/': {
      preset: 'client',
      // Components read fragment fields directly (no useFragment unmasking).
      presetConfig: { fragmentMasking: false },
      config: {
        // Plain strings, sent with fetch: no GraphQL client or AST in the browser bundle.
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string' },
        strictScalars: true,
      },
    },
  },
};

export default config;
