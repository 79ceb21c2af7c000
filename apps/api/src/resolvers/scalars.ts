// DateTime: ISO-8601 strings in UTC on the wire, Date objects inside.
import { GraphQLScalarType, Kind } from 'graphql';
import { badInput } from '../errors.js';

function toDate(value: unknown): Date {
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime()))
    throw badInput(`Not a DateTime: ${JSON.stringify(value)}; use ISO-8601, e.g. 2026-11-25T19:30:00Z.`);
  return date;
}

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => toDate(value).toISOString(),
  parseValue: (value) => toDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw badInput('DateTime literals are strings, e.g. "2026-11-25T19:30:00Z".');
    return toDate(ast.value);
  },
});
