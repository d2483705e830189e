import { describe, expect, it } from 'vitest';
import {
  EMPTY_FILTERS,
  filtersKey,
  formatJobFilters,
  jobMatchesFilters,
  parseJobFilters,
  toJobEventFilter,
  toSyncJobFilter,
  toggleFilterValue,
  type JobFilters,
} from '../../client/src/jobs/job-filters.ts';
import { INTEGRATION, OTHER_INTEGRATION } from './jobs.fixtures.ts';

describe('job filters ↔ URL query string', () => {
  it('reads every filter from the query string', () => {
    expect(
      parseJobFilters(
        `?status=FAILED,RUNNING&type=PRODUCTS&priority=HIGH&queue=SYNC_PRODUCTS,URGENT&integration=${INTEGRATION}`,
      ),
    ).toEqual({
      status: ['RUNNING', 'FAILED'],
      syncType: ['PRODUCTS'],
      priority: ['HIGH'],
      queue: ['URGENT', 'SYNC_PRODUCTS'],
      integrationId: INTEGRATION,
    });
  });

  it('drops unknown values, accepts lower case, de-duplicates, and treats an empty string as no filter', () => {
    expect(
      parseJobFilters('?status=failed,BOGUS,FAILED&type=&priority=medium&queue=nope&integration='),
    ).toEqual({ ...EMPTY_FILTERS, status: ['FAILED'] });
    expect(parseJobFilters('')).toEqual(EMPTY_FILTERS);
  });

  it('writes lists in a canonical order with readable commas, so equal views share one link', () => {
    const filters: JobFilters = {
      status: ['CANCELLED', 'QUEUED'],
      syncType: ['ORDERS', 'PRODUCTS'],
      priority: [],
      queue: ['DEFAULT', 'URGENT'],
      integrationId: OTHER_INTEGRATION,
    };
    expect(formatJobFilters(filters)).toBe(
      `?status=QUEUED,CANCELLED&type=PRODUCTS,ORDERS&queue=URGENT,DEFAULT&integration=${OTHER_INTEGRATION}`,
    );
    expect(filtersKey(filters)).toBe(filtersKey({ ...filters, status: ['QUEUED', 'CANCELLED'] }));
  });

  it('round-trips: parse(format(f)) = f, and format(parse(s)) is stable', () => {
    const filters: JobFilters = {
      status: ['RUNNING'],
      syncType: ['INVENTORY', 'ALL'],
      priority: ['URGENT', 'LOW'],
      queue: ['SYNC_BULK'],
      integrationId: INTEGRATION,
    };
    expect(parseJobFilters(formatJobFilters(filters))).toEqual(filters);
    const link = formatJobFilters(filters);
    expect(formatJobFilters(parseJobFilters(link))).toBe(link);
  });

  it('keeps query parameters that are not filters, and removes cleared ones', () => {
    const current = '?tab=bulk&status=FAILED&type=ORDERS';
    expect(formatJobFilters({ ...EMPTY_FILTERS, syncType: ['ORDERS'] }, current)).toBe(
      '?tab=bulk&type=ORDERS',
    );
    expect(formatJobFilters(EMPTY_FILTERS, '?status=FAILED')).toBe('');
  });

  it('toggles one value of a list', () => {
    const once = toggleFilterValue(EMPTY_FILTERS, 'status', 'FAILED');
    expect(once.status).toEqual(['FAILED']);
    expect(toggleFilterValue(once, 'status', 'FAILED').status).toEqual([]);
    expect(EMPTY_FILTERS.status).toEqual([]);
  });
});

describe('job filters → GraphQL variables', () => {
  const filters: JobFilters = {
    status: ['RUNNING'],
    syncType: ['PRODUCTS'],
    priority: ['HIGH'],
    queue: [],
    integrationId: INTEGRATION,
  };

  it('the jobs query gets every non-empty filter', () => {
    expect(toSyncJobFilter(filters)).toEqual({
      status: ['RUNNING'],
      syncType: ['PRODUCTS'],
      priority: ['HIGH'],
      integrationId: INTEGRATION,
    });
    expect(toSyncJobFilter(EMPTY_FILTERS)).toEqual({});
  });

  it('the event subscription leaves status (and priority) to the client, so rows hear how they end', () => {
    expect(toJobEventFilter(filters)).toEqual({ syncType: ['PRODUCTS'], integrationId: INTEGRATION });
  });

  it('matches jobs on every filter', () => {
    const job = {
      status: 'RUNNING',
      syncType: 'PRODUCTS',
      priority: 'HIGH',
      queue: 'HIGH_PRIORITY',
      integrationId: INTEGRATION,
    } as const;
    expect(jobMatchesFilters(job, filters)).toBe(true);
    expect(jobMatchesFilters(job, EMPTY_FILTERS)).toBe(true);
    expect(jobMatchesFilters({ ...job, status: 'COMPLETED' }, filters)).toBe(false);
    expect(jobMatchesFilters({ ...job, priority: 'LOW' }, filters)).toBe(false);
    expect(jobMatchesFilters({ ...job, integrationId: OTHER_INTEGRATION }, filters)).toBe(false);
    expect(jobMatchesFilters({ ...job, queue: null }, { ...EMPTY_FILTERS, queue: ['URGENT'] })).toBe(false);
  });
});
