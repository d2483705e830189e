import SchemaBuilder from '@pothos/core';
import type { SchemaContext } from './context.ts';

/** The builder holds no types of its own: each type lives in `schema/types/<name>.ts` with its root fields. */
export const builder = new SchemaBuilder<{
  Context: SchemaContext;
  DefaultInputFieldRequiredness: false;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
  };
}>({});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
