import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed operations from the committed SDL. Paths are relative to the repository root (`npm run codegen`).
 * `npm run codegen:check` fails when src/gql/ no longer matches the schema or the operations in src/.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['client/src/**/*.{ts,tsx}', '!client/src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'client/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
        strictScalars: true,
        skipTypename: true,
        dedupeFragments: true,
      },
    },
  },
};

export default config;
