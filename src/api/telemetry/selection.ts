// The fields a query asks of a result type, with their response keys (aliases) and coerced arguments,
// across fragments and @skip/@include: what lets `signals` compute every asked aggregation in one pass.
import {
  GraphQLIncludeDirective, GraphQLSkipDirective, getArgumentValues, getDirectiveValues, Kind,
  type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo, type SelectionSetNode,
} from 'graphql';

export interface AskedField {
  /** Response key: the alias, or the field name. */
  key: string;
  name: string;
  args: Record<string, unknown>;
}

export function askedFields(info: GraphQLResolveInfo, typeName: string): AskedField[] {
  const type = info.schema.getType(typeName) as GraphQLObjectType;
  const defs = type.getFields();
  const out = new Map<string, AskedField>();
  const visited = new Set<string>();
  const included = (node: FieldNode | { directives?: readonly unknown[] }) => {
    const n = node as FieldNode;
    if (getDirectiveValues(GraphQLSkipDirective, n, info.variableValues)?.if === true) return false;
    if (getDirectiveValues(GraphQLIncludeDirective, n, info.variableValues)?.if === false) return false;
    return true;
  };
  const walk = (set: SelectionSetNode | undefined) => {
    for (const sel of set?.selections ?? []) {
      if (!included(sel)) continue;
      if (sel.kind === Kind.FIELD) {
        const name = sel.name.value;
        const def = defs[name];
        if (!def || name.startsWith('__')) continue;
        const key = sel.alias?.value ?? name;
        if (!out.has(key)) out.set(key, { key, name, args: getArgumentValues(def, sel, info.variableValues) });
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        if (!sel.typeCondition || sel.typeCondition.name.value === typeName) walk(sel.selectionSet);
      } else if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const name = sel.name.value;
        const frag = info.fragments[name];
        if (frag && !visited.has(name) && frag.typeCondition.name.value === typeName) {
          visited.add(name);
          walk(frag.selectionSet);
        }
      }
    }
  };
  for (const node of info.fieldNodes) walk(node.selectionSet);
  return [...out.values()];
}
