// Depth and cost limits for GraphQL operations, checked before execution (an Apollo plugin, because cost
// depends on variable values such as `first`, which validation rules cannot see).
import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  valueFromASTUntyped,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ApiError } from '../errors.js';

/** Expected list lengths where no argument says it (kept generous: they bound the work one query can ask for). */
const listSizeEstimates: Record<string, number> = {
  'ImageConnection.edges': 1, // Query.images already multiplies by `first`
  'Image.captions': 10,
  'Image.references': 5,
  'Caption.nBest': 10,
  'Attention.steps': 50,
  'Leaderboard.entries': 10,
  'LeaderboardEntry.bleuRatingPoints': 200,
  'LeaderboardEntry.bleu': 3,
  'Query.models': 10,
  'ServiceStatus.models': 10,
};
const defaultListSize = 20;

export interface QueryCost {
  depth: number;
  cost: number;
}

/** Measures an operation: depth = nesting of fields; cost = objects it may return (leaves are free). */
export function measureOperation(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): QueryCost {
  const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (!root) return { depth: 0, cost: 0 };

  const argValue = (
    node: { arguments?: readonly { name: { value: string }; value: import('graphql').ValueNode }[] },
    name: string,
  ) => {
    const arg = node.arguments?.find((a) => a.name.value === name);
    return arg ? valueFromASTUntyped(arg.value, variables) : undefined;
  };

  const walk = (set: SelectionSetNode, parent: GraphQLNamedType, seen: Set<string>): QueryCost => {
    let depth = 0;
    let cost = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const fields = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields() : {};
        const field: GraphQLField<unknown, unknown> | undefined = fields[sel.name.value];
        if (!field || !sel.selectionSet) {
          depth = Math.max(depth, 1);
          continue;
        }
        const inner = walk(sel.selectionSet, getNamedType(field.type), seen);
        let multiplier = 1;
        if (isListType(getNullableType(field.type))) {
          const first = argValue(sel, 'first');
          const firstDefault = field.args.find((a) => a.name === 'first')?.defaultValue;
          multiplier =
            typeof first === 'number'
              ? first
              : typeof firstDefault === 'number'
                ? firstDefault
                : (listSizeEstimates[`${parent.name}.${field.name}`] ?? defaultListSize);
        }
        if (field.name === 'images' && parent.name === 'Query') {
          // Connection: cost of a page of edges.
          const first = argValue(sel, 'first');
          multiplier = typeof first === 'number' ? first : 24;
        }
        cost += multiplier * (1 + inner.cost);
        depth = Math.max(depth, 1 + inner.depth);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const typeName = sel.typeCondition?.name.value;
        const type = (typeName && schema.getType(typeName)) || parent;
        const inner = walk(sel.selectionSet, type, seen);
        cost += inner.cost;
        depth = Math.max(depth, inner.depth);
      } else {
        const name = sel.name.value;
        const fragment = fragments[name];
        if (!fragment || seen.has(name)) continue; // cycles are reported by graphql's own validation
        const type = schema.getType(fragment.typeCondition.name.value) ?? parent;
        const inner = walk(fragment.selectionSet, type, new Set([...seen, name]));
        cost += inner.cost;
        depth = Math.max(depth, inner.depth);
      }
    }
    return { depth, cost };
  };
  return walk(operation.selectionSet, root, new Set());
}

/** Top-level fields of an operation, through fragments: for a mutation, how many mutations one request runs. */
export function countRootFields(
  selectionSet: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  seen = new Set<string>(),
): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!selection.name.value.startsWith('__')) count += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countRootFields(selection.selectionSet, fragments, seen);
    } else {
      const fragment = fragments[selection.name.value];
      if (fragment && !seen.has(fragment.name.value)) {
        seen.add(fragment.name.value);
        count += countRootFields(fragment.selectionSet, fragments, seen);
      }
    }
  }
  return count;
}

/**
 * Refuses operations deeper or costlier than the limits, or mutations running more than `maxMutationFields`
 * mutations at once (aliases would otherwise run hundreds in one request), with QUERY_TOO_COMPLEX (HTTP 400),
 * before any resolver runs.
 */
export function queryLimitsPlugin(limits: {
  maxDepth: number;
  maxCost: number;
  maxMutationFields: number;
}): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, operation, document, request }) {
          if (!operation) return; // graphql reports the missing operation itself
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const def of document.definitions) {
            if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
          }
          if (operation.operation === 'mutation') {
            const fields = countRootFields(operation.selectionSet, fragments);
            if (fields > limits.maxMutationFields) {
              throw new ApiError(
                'QUERY_TOO_COMPLEX',
                `One request runs ${fields} mutations; the limit is ${limits.maxMutationFields}. Send them in separate requests.`,
                { mutations: fields, maxMutationFields: limits.maxMutationFields, http: { status: 400 } },
              );
            }
          }
          const { depth, cost } = measureOperation(schema, operation, fragments, request.variables ?? {});
          if (depth > limits.maxDepth) {
            throw new ApiError(
              'QUERY_TOO_COMPLEX',
              `Query is nested ${depth} levels deep; the limit is ${limits.maxDepth}. Ask for fewer nested fields.`,
              { depth, maxDepth: limits.maxDepth, http: { status: 400 } },
            );
          }
          if (cost > limits.maxCost) {
            throw new ApiError(
              'QUERY_TOO_COMPLEX',
              `Query may return about ${cost} objects; the limit is ${limits.maxCost}. Ask for smaller pages (first) or fewer nested lists.`,
              { cost, maxCost: limits.maxCost, http: { status: 400 } },
            );
          }
        },
      };
    },
  };
}
