import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema as buildFromSdl } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printSortedSchema } from '../../schema/index.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

const committedPath = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe('schema/schema.graphql', () => {
  it('is exactly what printSortedSchema() prints from the code (run `npm run schema:print` after a schema change)', () => {
    const committed = readFileSync(committedPath, 'utf8');
    expect(committed).toBe(printSortedSchema());
  });

  it('is a valid SDL document describing the API that the running server serves', async () => {
    const committed = readFileSync(committedPath, 'utf8');
    const parsed = buildFromSdl(committed);
    expect(parsed.getQueryType()?.getFields()).toHaveProperty('jobs');
    expect(parsed.getMutationType()?.getFields()).toHaveProperty('createSyncJob');

    // The live server introspects to the same set of root fields as the committed file.
    const res = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        query: '{ q: __schema { queryType { fields { name } } mutationType { fields { name } } } }',
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      data: {
        q: { queryType: { fields: { name: string }[] }; mutationType: { fields: { name: string }[] } };
      };
    };
    const liveQueries = body.data.q.queryType.fields.map((f) => f.name).sort();
    const liveMutations = body.data.q.mutationType.fields.map((f) => f.name).sort();
    expect(liveQueries).toEqual(Object.keys(parsed.getQueryType()!.getFields()).sort());
    expect(liveMutations).toEqual(Object.keys(parsed.getMutationType()!.getFields()).sort());
  });
});
