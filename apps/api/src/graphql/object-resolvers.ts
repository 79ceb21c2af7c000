// Typed field resolvers for one GraphQL object type, checked against the generated types (src/generated) both ways:
// every resolver must be a field of the schema with the right arguments and result, and every schema field
// without a resolver must be on the parent record (codegen.ts `mappers`) with a type the field accepts. So a
// field renamed or retyped in schema.graphql fails the compile here instead of resolving to null at run time.
import type { Resolvers, ResolversParentTypes } from '../generated/graphql.js';

type ObjectTypeName = Extract<keyof Resolvers & keyof ResolversParentTypes, string>;
type FieldResolvers<N extends ObjectTypeName> = NonNullable<Resolvers[N]>;

/** What a field resolver may return (the generated `Resolver<TResult, ...>`), without the Promise. */
type ResultOf<R> = Awaited<ReturnType<Extract<NonNullable<R>, (...args: never[]) => unknown>>>;

/** The parent's named fields (none for the roots' `Record<PropertyKey, never>`). */
type ParentFields<P> = string extends keyof P ? never : keyof P;

/** Schema fields of `N` that `I` does not resolve and the parent does not hold as something the field accepts. */
type Unresolved<N extends ObjectTypeName, I> = {
  [K in Exclude<keyof FieldResolvers<N>, keyof I | '__isTypeOf'>]-?: K extends ParentFields<ResolversParentTypes[N]>
    ? ResolversParentTypes[N][K] extends ResultOf<FieldResolvers<N>[K]>
      ? never
      : K
    : K;
}[Exclude<keyof FieldResolvers<N>, keyof I | '__isTypeOf'>];

type Complete<N extends ObjectTypeName, I> = [Unresolved<N, I>] extends [never]
  ? unknown
  : { [K in Unresolved<N, I>]: `${N}.${K & string} needs a resolver: the parent record lacks it or has another type` };

type NoExtraFields<N extends ObjectTypeName, I> = {
  [K in Exclude<keyof I, keyof FieldResolvers<N>>]: `${N} has no field ${K & string} in schema.graphql`;
};

/** `objectResolvers('Image')({ ...field resolvers })`: the resolvers, checked as described above. */
export function objectResolvers<N extends ObjectTypeName>(_type: N) {
  return <I extends FieldResolvers<N>>(impl: I & NoExtraFields<N, I> & Complete<N, I>): I => impl;
}
