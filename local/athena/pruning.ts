import type { PartitionKey } from './partitions.js';

/** A node of DuckDB's `json_serialize_sql` tree; only the fields read here are named. */
interface Node {
  type?: string;
  class?: string;
  [field: string]: unknown;
}

/** Which table a query reads, as written: `[catalog.][schema.]table [alias]`. */
export interface TableReference {
  schema: string;
  table: string;
  alias: string;
  /** Where the reference starts in the SQL text (a character offset). */
  location: number;
}

/** Whether a partition (its values in the keys' order) may hold rows the query reads. */
export type PartitionFilter = (values: readonly string[]) => boolean;

const FLIPPED: Record<string, string> = {
  COMPARE_LESSTHAN: 'COMPARE_GREATERTHAN',
  COMPARE_GREATERTHAN: 'COMPARE_LESSTHAN',
  COMPARE_LESSTHANOREQUALTO: 'COMPARE_GREATERTHANOREQUALTO',
  COMPARE_GREATERTHANOREQUALTO: 'COMPARE_LESSTHANOREQUALTO',
  COMPARE_EQUAL: 'COMPARE_EQUAL',
  COMPARE_NOTEQUAL: 'COMPARE_NOTEQUAL',
};

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Visits every node of the tree, depth first. */
function visit(value: unknown, each: (node: Node) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, each);
    return;
  }
  if (!isNode(value)) return;
  each(value);
  for (const child of Object.values(value)) visit(child, each);
}

/** The names of the statement's common table expressions (`WITH name AS (...)`). */
function cteNames(statement: unknown): Set<string> {
  const ctes = new Set<string>();
  visit(statement, (node) => {
    const map = (node.cte_map as { map?: { key: string }[] } | undefined)?.map;
    for (const entry of map ?? []) ctes.add(entry.key.toLowerCase());
  });
  return ctes;
}

/** Every base table a parsed statement reads, CTE names excluded. */
export function tableReferences(statement: unknown): TableReference[] {
  const ctes = cteNames(statement);
  const tables: TableReference[] = [];
  visit(statement, (node) => {
    if (node.type === 'BASE_TABLE') {
      tables.push({
        schema: String(node.schema_name ?? '').toLowerCase(),
        table: String(node.table_name).toLowerCase(),
        alias: String(node.alias ?? '').toLowerCase(),
        location: Number(node.query_location ?? 0),
      });
    }
  });
  return tables.filter((table) => table.schema !== '' || !ctes.has(table.table));
}

function constantOf(node: unknown): { value: string | number } | undefined {
  if (!isNode(node) || node.class !== 'CONSTANT') return undefined;
  const value = (node.value as { is_null?: boolean; value?: unknown } | undefined) ?? {};
  if (value.is_null) return undefined;
  return typeof value.value === 'string' || typeof value.value === 'number'
    ? { value: value.value }
    : undefined;
}

const INTEGRAL = /^(tinyint|smallint|int|integer|bigint)$/i;

/**
 * The filter that a WHERE clause puts on one table's partitions: comparisons (=, <>, <, <=, >, >=),
 * IN, NOT IN and BETWEEN of a partition column with constants, joined by AND or OR. Anything else
 * cannot exclude a partition, so it accepts all.
 */
function whereFilter(
  where: unknown,
  keys: readonly PartitionKey[],
  names: ReadonlySet<string>,
): PartitionFilter {
  const keyIndex = (node: unknown): number => {
    if (!isNode(node) || node.class !== 'COLUMN_REF') return -1;
    const parts = (node.column_names as string[]).map((part) => part.toLowerCase());
    const column = parts[parts.length - 1]!;
    if (parts.length > 1 && !names.has(parts[parts.length - 2]!)) return -1;
    return keys.findIndex((key) => key.name === column);
  };
  const compare = (index: number, value: string, constant: string | number): number => {
    if (INTEGRAL.test(keys[index]!.type) || typeof constant === 'number') {
      return Number(value) - Number(constant);
    }
    return value < constant ? -1 : value > constant ? 1 : 0;
  };
  const test = (node: unknown): PartitionFilter => {
    if (!isNode(node)) return () => true;
    if (node.type === 'CONJUNCTION_AND' || node.type === 'CONJUNCTION_OR') {
      const parts = (node.children as unknown[]).map(test);
      return node.type === 'CONJUNCTION_AND'
        ? (values) => parts.every((part) => part(values))
        : (values) => parts.some((part) => part(values));
    }
    if (node.class === 'COMPARISON' && node.type && node.type in FLIPPED) {
      let index = keyIndex(node.left);
      let constant = constantOf(node.right);
      let type = node.type;
      if (index < 0 || !constant) {
        index = keyIndex(node.right);
        constant = constantOf(node.left);
        type = FLIPPED[type]!;
      }
      if (index < 0 || !constant) return () => true;
      const wanted = constant.value;
      return (values) => {
        const order = compare(index, values[index]!, wanted);
        switch (type) {
          case 'COMPARE_EQUAL':
            return order === 0;
          case 'COMPARE_NOTEQUAL':
            return order !== 0;
          case 'COMPARE_LESSTHAN':
            return order < 0;
          case 'COMPARE_GREATERTHAN':
            return order > 0;
          case 'COMPARE_LESSTHANOREQUALTO':
            return order <= 0;
          default:
            return order >= 0;
        }
      };
    }
    if (node.type === 'COMPARE_IN' || node.type === 'COMPARE_NOT_IN') {
      const [column, ...list] = node.children as unknown[];
      const index = keyIndex(column);
      const constants = list.map(constantOf);
      if (index < 0 || constants.some((constant) => !constant)) return () => true;
      const inside = (values: readonly string[]) =>
        constants.some((constant) => compare(index, values[index]!, constant!.value) === 0);
      return node.type === 'COMPARE_IN' ? inside : (values) => !inside(values);
    }
    if (node.type === 'COMPARE_BETWEEN') {
      const index = keyIndex(node.input);
      const lower = constantOf(node.lower);
      const upper = constantOf(node.upper);
      if (index < 0 || !lower || !upper) return () => true;
      return (values) =>
        compare(index, values[index]!, lower.value) >= 0 &&
        compare(index, values[index]!, upper.value) <= 0;
    }
    return () => true;
  };
  return test(where);
}

/**
 * Which partitions of `table` a parsed statement can read: each SELECT that reads the table
 * straight from its FROM contributes its WHERE clause; a table reached any other way (a join) reads
 * every partition.
 */
export function partitionFilter(
  statement: unknown,
  table: { schema: string; table: string },
  keys: readonly PartitionKey[],
): PartitionFilter {
  const ctes = cteNames(statement);
  const matches = (reference: Node) => {
    const name = String(reference.table_name).toLowerCase();
    const schema = String(reference.schema_name ?? '').toLowerCase();
    if (schema === '' && ctes.has(name)) return false;
    return name === table.table && ['', table.schema].includes(schema);
  };
  const filters: PartitionFilter[] = [];
  let references = 0;
  let direct = 0;
  visit(statement, (node) => {
    if (node.type === 'BASE_TABLE' && matches(node)) references++;
    const from = node.from_table;
    if (
      node.type === 'SELECT_NODE' &&
      isNode(from) &&
      from.type === 'BASE_TABLE' &&
      matches(from)
    ) {
      direct++;
      const names = new Set([table.table, String(from.alias ?? '').toLowerCase()]);
      filters.push(whereFilter(node.where_clause, keys, names));
    }
  });
  if (keys.length === 0 || references > direct || filters.length === 0) return () => true;
  return (values) => filters.some((filter) => filter(values));
}

/** Whether a parsed statement names a column (such as Athena's hidden `"$path"`) anywhere. */
export function referencesColumn(statement: unknown, column: string): boolean {
  let found = false;
  visit(statement, (node) => {
    if (node.class === 'COLUMN_REF') {
      const parts = node.column_names as string[];
      if (parts[parts.length - 1]?.toLowerCase() === column) found = true;
    }
  });
  return found;
}
