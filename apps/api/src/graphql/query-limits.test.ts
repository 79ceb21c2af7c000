import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildSchema, Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { operationCost, operationDepth } from './query-limits.js';

const schema = buildSchema(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));

function measure(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  return {
    cost: operationCost(schema, document, undefined, variables),
    depth: operationDepth(operation.selectionSet, fragments),
  };
}

test('cost counts the objects a query may return: lists by `first` or their estimate, leaves free', () => {
  // images: 10 x (1 + edges 1 x (1 + node 1 x (1 + captions 10 x 1))) = 10 x 13
  const page = '{ images(first: 10) { edges { node { id captions { text } } } } }';
  assert.deepEqual(measure(page), { cost: 130, depth: 5 });
  // The same through a variable, a fragment and an inline fragment.
  const viaFragment = `query($n: Int) { images(first: $n) { edges { node { ...Tile } } } }
    fragment Tile on Image { ... on Image { captions { text } } }`;
  assert.deepEqual(measure(viaFragment, { n: 10 }), { cost: 130, depth: 5 });
  // Without `first`, the connection's page size 24.
  assert.equal(measure('{ images { edges { node { id } } } }').cost, 24 * 3);
  // Skipped fields cost nothing.
  assert.equal(measure('{ images(first: 10) { edges { node { id captions @skip(if: true) { text } } } } }').cost, 30);
});

test('variables that do not fit the operation leave the cost to execution (null), which reports them', () => {
  assert.equal(measure('query($n: Int!) { images(first: $n) { totalCount } }', { n: 'many' }).cost, null);
});

test('a document of more than 10000 fields is refused as too complex', () => {
  const fields = Array.from({ length: 10_001 }, (_, i) => `f${i}: __typename`).join(' ');
  assert.throws(() => measure(`{ ${fields} }`), { code: 'QUERY_TOO_COMPLEX' });
});
