import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.ts';
import './types/scalars.ts';
import './types/enums.ts';
import './types/integration.ts';
import './types/platform-info.ts';
import './types/sync-job.ts';
import './types/schedule.ts';
import './types/queue-stats.ts';
import './types/monitor.ts';
import './types/access.ts';
import './types/item-ledger.ts';

export type { SchemaContext } from './context.ts';

let schema: GraphQLSchema | undefined;

/** The executable schema (built once per process). */
export function buildSchema(): GraphQLSchema {
  schema ??= builder.toSchema();
  return schema;
}

/** The sorted SDL committed at schema/schema.graphql. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
}
