// GraphQL subscriptions over WebSocket (the graphql-ws protocol) on the API's own HTTP server, path /graphql,
// executing the same schema as POST /graphql. Only subscriptions are accepted on the socket: queries and mutations
// keep going over HTTP, where CSRF prevention, the response cache and rate limits apply. The voter session comes
// from the upgrade request's x-voter-session header (the web's proxy sets it from its cookie) or from
// connectionParams; the same depth and cost limits as over HTTP apply before a subscription starts.
import type http from 'node:http';
import {
  getOperationAST,
  Kind,
  type GraphQLError,
  parse,
  validate,
  type ExecutionArgs,
  type FragmentDefinitionNode,
  type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { adminStatus } from '../auth/admin.js';
import { VOTER_SESSION_HEADER } from '../auth/voter-sessions.js';
import { createContext, type Services } from '../graphql/context.js';
import { makeFormatError } from '../graphql/format-error.js';
import { operationCost, operationDepth } from '../graphql/query-limits.js';
import { ApiError, type ErrorCode } from '../errors.js';
import { clientAddress } from '../rate-limits/client-address.js';

export interface SubscriptionServer {
  /** Closes every socket (1001 Going Away; clients reconnect to another replica) and stops accepting new ones. */
  close(): Promise<void>;
}

const refuse = (message: string, code: ErrorCode) => [new ApiError(code, message)];

/** A connectionParams entry, when it is a string. */
function param(params: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = params?.[name];
  return typeof value === 'string' ? value : undefined;
}

export function attachSubscriptions(
  httpServer: http.Server,
  schema: GraphQLSchema,
  services: Services,
  log: (message: string) => void,
): SubscriptionServer {
  const { config } = services;
  const formatError = makeFormatError(log);
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 1024 * 1024 });
  const disposable = useServer(
    {
      schema,
      context: ({ extra, connectionParams }) =>
        createContext(services, {
          voterId: services.voterSessions.verify(
            extra.request.headers[VOTER_SESSION_HEADER] ?? param(connectionParams, VOTER_SESSION_HEADER),
          ),
          clientAddress: clientAddress(extra.request, config.trustedProxies),
          admin: adminStatus(config.adminToken, extra.request.headers.authorization),
        }),
      onSubscribe(_ctx, _id, payload): ExecutionArgs | readonly GraphQLError[] {
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return refuse((error as Error).message, 'GRAPHQL_PARSE_FAILED');
        }
        const invalid = validate(schema, document);
        if (invalid.length > 0) {
          return invalid.map((e) => new ApiError('GRAPHQL_VALIDATION_FAILED', e.message));
        }
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return refuse('Name the operation to run (operationName).', 'BAD_REQUEST');
        if (operation.operation !== 'subscription') {
          return refuse(
            `Send ${operation.operation}s as POST /graphql; the socket carries subscriptions only.`,
            'BAD_REQUEST',
          );
        }
        const fragments: Record<string, FragmentDefinitionNode> = {};
        for (const def of document.definitions)
          if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
        const depth = operationDepth(operation.selectionSet, fragments);
        if (depth > config.graphqlMaxDepth) {
          return refuse(
            `Query is nested ${depth} levels deep; the limit is ${config.graphqlMaxDepth}.`,
            'QUERY_TOO_COMPLEX',
          );
        }
        const variables = payload.variables ?? {};
        const cost = operationCost(schema, document, payload.operationName ?? undefined, variables);
        if (cost !== null && cost > config.graphqlMaxCost) {
          return refuse(
            `Query may return about ${cost} objects; the limit is ${config.graphqlMaxCost}.`,
            'QUERY_TOO_COMPLEX',
          );
        }
        return { schema, document, variableValues: variables, operationName: payload.operationName };
      },
      // Errors in our codes, internal ones logged and masked, as over HTTP.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) } : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
    },
    wss,
  );
  return {
    async close() {
      await disposable.dispose();
    },
  };
}
