// schema.prisma and the SQL migrations must describe the same database, but Prisma Migrate cannot run offline
// here (see README.md, "Migrations"), so nothing generates one from the other. This compares them instead:
// what schema.prisma declares (Prisma's DMMF, from @prisma/prisma-schema-wasm) against what the migrations
// built (PostgreSQL's catalogs), as sorted lines, one per column, key, index and foreign key.
import fs from 'node:fs/promises';
import { get_dmmf as getDmmf } from '@prisma/prisma-schema-wasm';
import type pg from 'pg';

/**
 * What the migrations create that schema.prisma cannot state, each with why; the comparison leaves these out,
 * and fails when one of them no longer exists (so the list cannot go stale).
 */
export const DATABASE_ONLY: Record<string, string> = {
  'table _captioner_migrations': 'bookkeeping of the migration runner (src/migrations.ts)',
  'index captions_search_idx': 'GIN index on a tsvector column (Unsupported in Prisma)',
  'index reference_captions_search_idx': 'GIN index on a tsvector column (Unsupported in Prisma)',
  'index images_bleu_sort_idx': 'expression index (COALESCE(best_bleu, -1) DESC) for the gallery sort',
  'index images_rating_sort_idx': 'expression index (mean rating) for the gallery sort',
  'index evaluation_runs_one_active_idx': 'partial unique index over an expression (one active run)',
  'index import_jobs_one_active_idx': 'partial unique index (one queued/running import per path)',
};

/** Columns schema.prisma declares as Unsupported("..."): Prisma's DMMF omits them, the schema text has them. */
function unsupportedColumns(schemaText: string, tableOf: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const model of schemaText.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const table = tableOf.get(model[1] as string);
    for (const field of (model[2] as string).matchAll(/^\s*(\w+)\s+Unsupported\("(\w+)"\)(\?)?(.*)$/gm)) {
      const column = /@map\("([^"]+)"\)/.exec(field[4] as string)?.[1] ?? field[1];
      lines.push(`column ${table}.${column} ${field[2]} ${field[3] ? 'null' : 'not null'}`);
    }
  }
  return lines;
}

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: string;
  isList: boolean;
  isRequired: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  type: string;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string | null;
  fields: { name: string; sortOrder?: 'asc' | 'desc' }[];
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Boolean: 'boolean',
  DateTime: 'timestamp(3)',
  Json: 'jsonb',
  Bytes: 'bytea',
};
const NATIVE_TYPES: Record<string, (args: string[]) => string> = {
  Uuid: () => 'uuid',
  Timestamptz: (args) => `timestamptz(${args[0] ?? 6})`,
  VarChar: (args) => `varchar(${args[0]})`,
};

function columnType(field: DmmfField): string {
  const native = field.nativeType;
  let type: string | undefined;
  if (native) type = NATIVE_TYPES[native[0]]?.(native[1]) ?? `unmapped native type @db.${native[0]}`;
  else type = SCALAR_TYPES[field.type] ?? `unmapped type ${field.type}`;
  return field.isList ? `${type}[]` : type;
}

function defaultExpression(field: DmmfField): string {
  const value = field.default as { name?: string; args?: unknown[] } | string | number | boolean | undefined;
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value?.name === 'dbgenerated') return String(value.args?.[0]);
  if (value?.name === 'now') return 'now()';
  return `unmapped default ${JSON.stringify(value)}`;
}

/** The lines schema.prisma implies, in the form databaseDescription() produces. */
export async function schemaDescription(schemaPath: string): Promise<string[]> {
  const text = await fs.readFile(schemaPath, 'utf8');
  const dmmf = JSON.parse(getDmmf(JSON.stringify({ prismaSchema: [[schemaPath, text]] }))) as {
    datamodel: { models: DmmfModel[]; indexes: DmmfIndex[] };
  };
  const { models, indexes } = dmmf.datamodel;
  const tableOf = new Map(models.map((model) => [model.name, model.dbName ?? model.name]));
  const lines: string[] = unsupportedColumns(text, tableOf);
  for (const model of models) {
    const table = tableOf.get(model.name) as string;
    const columnOf = (name: string) => {
      const field = model.fields.find((candidate) => candidate.name === name);
      return field?.dbName ?? name;
    };
    lines.push(`table ${table}`);
    for (const field of model.fields) {
      if (field.kind === 'object') {
        const target = models.find((candidate) => candidate.name === field.type) as DmmfModel;
        if (!field.relationFromFields?.length) continue;
        const targetColumn = (name: string) => target.fields.find((f) => f.name === name)?.dbName ?? name;
        lines.push(
          `foreign key ${table} (${field.relationFromFields.map(columnOf).join(', ')}) -> ` +
            `${tableOf.get(target.name)} (${(field.relationToFields ?? []).map(targetColumn).join(', ')}) ` +
            `on delete ${(field.relationOnDelete ?? (field.isRequired ? 'Restrict' : 'SetNull')).toLowerCase()}`,
        );
        continue;
      }
      const column = field.dbName ?? field.name;
      lines.push(`column ${table}.${column} ${columnType(field)} ${field.isRequired ? 'not null' : 'null'}`);
      if (field.hasDefaultValue) lines.push(`default ${table}.${column} ${defaultExpression(field)}`);
    }
    for (const index of indexes.filter((candidate) => candidate.model === model.name)) {
      const columns = index.fields.map((f) => columnOf(f.name));
      const name =
        index.dbName ??
        (index.type === 'id'
          ? `${table}_pkey`
          : `${table}_${columns.join('_')}_${index.type === 'unique' ? 'key' : 'idx'}`);
      const kind = index.type === 'id' ? 'primary key' : index.type === 'unique' ? 'unique index' : 'index';
      const keys = index.fields.map((f) => `${columnOf(f.name)}${f.sortOrder === 'desc' ? ' desc' : ''}`);
      lines.push(`${kind} ${name} on ${table} (${keys.join(', ')})`);
    }
  }
  return lines.sort();
}

/** The lines of the database's public schema: tables, columns, defaults, keys, indexes and foreign keys. */
export async function databaseDescription(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ line: string }>(`
    SELECT 'table ' || c.relname AS line
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r'
    UNION ALL
    SELECT 'column ' || c.relname || '.' || a.attname || ' ' ||
           replace(replace(replace(format_type(a.atttypid, a.atttypmod), 'timestamp(3) with time zone', 'timestamptz(3)'),
             'timestamp(3) without time zone', 'timestamp(3)'), 'character varying', 'varchar') ||
           CASE WHEN a.attnotnull THEN ' not null' ELSE ' null' END
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'default ' || c.relname || '.' || a.attname || ' ' ||
           regexp_replace(pg_get_expr(d.adbin, d.adrelid), '::[a-z ]+(\\([0-9]+\\))?$', '')
      FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
      JOIN pg_class c ON c.oid = d.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND a.attgenerated = ''
    UNION ALL
    SELECT CASE WHEN x.indisprimary THEN 'primary key ' WHEN x.indisunique THEN 'unique index ' ELSE 'index ' END ||
           i.relname || ' on ' || t.relname || ' (' ||
           (SELECT string_agg(replace(pg_get_indexdef(x.indexrelid, k, true), '"', '') ||
                     CASE WHEN x.indoption[k - 1] & 1 = 1 THEN ' desc' ELSE '' END, ', ' ORDER BY k)
              FROM generate_series(1, x.indnkeyatts) k) || ')' ||
           CASE WHEN x.indexprs IS NOT NULL OR x.indpred IS NOT NULL OR am.amname <> 'btree'
                THEN ' [' || pg_get_indexdef(x.indexrelid) || ']' ELSE '' END
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_am am ON am.oid = i.relam
      WHERE n.nspname = 'public'
    UNION ALL
    SELECT 'foreign key ' || t.relname || ' (' ||
           (SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(f.conkey) WITH ORDINALITY k(num, ord)
              JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.num) || ') -> ' || r.relname || ' (' ||
           (SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(f.confkey) WITH ORDINALITY k(num, ord)
              JOIN pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.num) || ') on delete ' ||
           CASE f.confdeltype WHEN 'c' THEN 'cascade' WHEN 'r' THEN 'restrict' WHEN 'n' THEN 'setnull'
                              WHEN 'd' THEN 'setdefault' ELSE 'noaction' END
      FROM pg_constraint f JOIN pg_class t ON t.oid = f.conrelid JOIN pg_class r ON r.oid = f.confrelid
      JOIN pg_namespace n ON n.oid = f.connamespace
      WHERE n.nspname = 'public' AND f.contype = 'f'`);
  return rows.map((row) => row.line).sort();
}

/** Lines in one description and not the other; DATABASE_ONLY objects are left out of the database's. */
export function schemaDrift(schema: string[], database: string[]) {
  const exempt = (line: string) => {
    const [kind, name] = line.split(' ');
    const object = kind === 'unique' || kind === 'primary' ? `index ${line.split(' ')[2]}` : `${kind} ${name}`;
    return (
      object in DATABASE_ONLY ||
      /^(column|default) _captioner_migrations\./.test(line) ||
      /^(primary key|unique index) _captioner_migrations_/.test(line)
    );
  };
  const kept = database.filter((line) => !exempt(line));
  const missingExempt = Object.keys(DATABASE_ONLY).filter(
    (object) => !database.some((line) => exempt(line) && line.includes(` ${object.split(' ')[1]}`)),
  );
  return {
    onlyInSchema: schema.filter((line) => !kept.includes(line)),
    onlyInDatabase: kept.filter((line) => !schema.includes(line)),
    /** DATABASE_ONLY entries the database no longer has (remove them from the list). */
    staleExemptions: missingExempt,
  };
}
