// Depth and cost limits for GraphQL operations, checked before execution (an Apollo plugin, because cost
// depends on variable values such as `first`, which validation rules cannot see). Cost is measured by
// graphql-query-complexity with the estimator below.
import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNullableType,
  GraphQLError,
  isListType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
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

/**
 * Cost = objects an operation may return (leaves are free): each field with a selection costs 1 + its children,
 * times the list size (`first`, its default, or the estimate above). graphql-query-complexity walks the document
 * (fragments, @include/@skip, variables and argument defaults); this estimator prices one field.
 */
const objectsEstimator: ComplexityEstimator = ({ type, field, args, node, childComplexity }) => {
  if (!node.selectionSet) return 0;
  let multiplier = 1;
  if (isListType(getNullableType(field.type))) {
    multiplier =
      typeof args.first === 'number'
        ? args.first
        : (listSizeEstimates[`${type.name}.${field.name}`] ?? defaultListSize);
  }
  // The images connection costs a page of edges.
  if (type.name === 'Query' && field.name === 'images') multiplier = typeof args.first === 'number' ? args.first : 24;
  return multiplier * (1 + childComplexity);
};

/** The operation's cost, or null when its variables do not fit it (execution then reports them as BAD_USER_INPUT). */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown>,
): number | null {
  try {
    return getComplexity({ schema, query: document, operationName, variables, estimators: [objectsEstimator] });
  } catch (error) {
    // Its other refusal: more than 10,000 fields evaluated in one document.
    if (error instanceof Error && /maximum allowed number of nodes/.test(error.message)) {
      throw new ApiError(
        'QUERY_TOO_COMPLEX',
        'Query has more than 10000 fields (fragments counted where used); ask for fewer fields.',
        { http: { status: 400 } },
      );
    }
    if (error instanceof GraphQLError) return null;
    throw error;
  }
}

/**
 * Depth = nesting of fields, the leaves' level included. Hand-written: the depth-limit libraries count from 0 and
 * word their own errors, so the limits and messages documented here would change.
 */
export function operationDepth(
  set: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  seen: ReadonlySet<string> = new Set(),
): number {
  let depth = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      depth = Math.max(depth, 1 + (sel.selectionSet ? operationDepth(sel.selectionSet, fragments, seen) : 0));
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      depth = Math.max(depth, operationDepth(sel.selectionSet, fragments, seen));
    } else {
      const fragment = fragments[sel.name.value];
      if (!fragment || seen.has(sel.name.value)) continue; // cycles are reported by graphql's own validation
      depth = Math.max(depth, operationDepth(fragment.selectionSet, fragments, new Set([...seen, sel.name.value])));
    }
  }
  return depth;
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
          const depth = operationDepth(operation.selectionSet, fragments);
          if (depth > limits.maxDepth) {
            throw new ApiError(
              'QUERY_TOO_COMPLEX',
              `Query is nested ${depth} levels deep; the limit is ${limits.maxDepth}. Ask for fewer nested fields.`,
              { depth, maxDepth: limits.maxDepth, http: { status: 400 } },
            );
          }
          const cost = operationCost(schema, document, operation.name?.value, request.variables ?? {});
          if (cost !== null && cost > limits.maxCost) {
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
