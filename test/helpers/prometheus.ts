/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: every line must be a HELP,
 * a TYPE or a sample of the family declared just before it; counters end in _total; each histogram series has
 * cumulative buckets ending at +Inf equal to its _count. Throws on the first violation.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(?:,|$)/;

function parseValue(text: string, line: string): number {
  // As Prometheus reads them (Go's ParseFloat): Inf and NaN in any case; prom-client writes NaN as `Nan`.
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value in: ${line}`);
  return Number(text);
}

function parseLabels(text: string | undefined, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text ?? '';
  while (rest.length > 0) {
    const m = LABEL.exec(rest);
    if (!m) throw new Error(`bad labels in: ${line}`);
    if (m[1]! in labels) throw new Error(`duplicate label ${m[1]} in: ${line}`);
    labels[m[1]!] = m[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    rest = rest.slice(m[0].length);
  }
  return labels;
}

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  let current: Family | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) {
      const [familyName = '', ...help] = line.slice('# HELP '.length).split(' ');
      if (!NAME.test(familyName)) throw new Error(`bad family name in: ${line}`);
      if (families.has(familyName)) throw new Error(`family ${familyName} declared twice`);
      current = { name: familyName, help: help.join(' '), type: 'untyped', samples: [] };
      families.set(familyName, current);
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [, , familyName, type] = line.split(' ');
      if (!current || current.name !== familyName) throw new Error(`TYPE without its HELP: ${line}`);
      if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type ?? ''))
        throw new Error(`bad type in: ${line}`);
      if (current.samples.length > 0) throw new Error(`TYPE after samples: ${line}`);
      current.type = type as Family['type'];
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    if (!current) throw new Error(`sample before any family: ${line}`);
    const name = m[1]!;
    const allowed =
      current.type === 'histogram'
        ? [`${current.name}_bucket`, `${current.name}_sum`, `${current.name}_count`]
        : current.type === 'summary'
          ? [current.name, `${current.name}_sum`, `${current.name}_count`]
          : [current.name];
    if (!allowed.includes(name)) throw new Error(`sample ${name} outside its family ${current.name}`);
    current.samples.push({ name, labels: parseLabels(m[2], line), value: parseValue(m[3]!, line) });
  }
  for (const family of families.values()) {
    if (family.type === 'counter') {
      if (!family.name.endsWith('_total')) throw new Error(`counter ${family.name} does not end in _total`);
      for (const s of family.samples) if (!(s.value >= 0)) throw new Error(`negative counter ${family.name}`);
    }
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
}

function seriesKey(labels: Record<string, string>): string {
  return JSON.stringify(
    Object.entries(labels)
      .filter(([k]) => k !== 'le')
      .sort(),
  );
}

function checkHistogram(family: Family): void {
  const series = new Map<
    string,
    { buckets: { le: number; value: number }[]; count?: number; sum?: number }
  >();
  for (const s of family.samples) {
    const key = seriesKey(s.labels);
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name.endsWith('_bucket')) {
      if (s.labels.le === undefined) throw new Error(`${family.name} bucket without le`);
      entry.buckets.push({ le: parseValue(s.labels.le, s.labels.le), value: s.value });
    } else if (s.name.endsWith('_count')) entry.count = s.value;
    else entry.sum = s.value;
  }
  for (const [key, s] of series) {
    const last = s.buckets[s.buckets.length - 1];
    if (!last || last.le !== Infinity) throw new Error(`${family.name}${key}: no +Inf bucket`);
    for (let i = 1; i < s.buckets.length; i++) {
      if (s.buckets[i]!.le <= s.buckets[i - 1]!.le)
        throw new Error(`${family.name}${key}: buckets out of order`);
      if (s.buckets[i]!.value < s.buckets[i - 1]!.value)
        throw new Error(`${family.name}${key}: not cumulative`);
    }
    if (s.count !== last.value) throw new Error(`${family.name}${key}: _count differs from the +Inf bucket`);
    if (s.sum === undefined) throw new Error(`${family.name}${key}: no _sum`);
  }
}

/** The value of one sample (0 when the series does not exist yet). */
export function sampleValue(
  families: Map<string, Family>,
  family: string,
  labels: Record<string, string>,
  name = family,
): number {
  const f = families.get(family);
  const match = f?.samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return match?.value ?? 0;
}
