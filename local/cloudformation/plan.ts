import { ResolveError } from '../../lib/templates/resolve.js';
import type { Resolver, ResourceValues } from '../../lib/templates/resolve.js';
import { isObject } from '../../lib/templates/parse.js';
import type { TemplateValue } from '../../lib/templates/parse.js';
import { subVariables, walk } from '../../lib/templates/walk.js';
import type { Change, Properties, Stack, StackInputs, StackResource } from './model.js';
import { changed } from './resources/provisioner.js';
import type { Provisioner } from './resources/provisioner.js';
import type { Schemas } from './schema.js';
import {
  dependencyGraph,
  parseTemplateText,
  resolveOutputs,
  scopeOf,
  stackResolver,
} from './template.js';
import type { Template } from './template.js';

/** What a change set lists, and whether the outputs would change too. */
export interface Plan {
  changes: Change[];
  outputsChanged: boolean;
}

/** What planning needs to know beyond the stack. */
export interface PlanOptions {
  provisioners: Readonly<Record<string, Provisioner>>;
  schemas: () => Promise<Schemas>;
  exports: (region: string) => ReadonlyMap<string, string>;
}

/** Placeholder for a value known only once the resource is (re)created, in change set plans. */
const pending = (id: string) => `{{local:pending:${id}}}`;

/** Whether a value holds a placeholder of {@link pending}. */
const hasPending = (value: TemplateValue | undefined) =>
  JSON.stringify(value ?? null).includes('{{local:pending:');

/** The template's resource properties, resolved and converted to the types they expect. */
export async function convertedProperties(
  schemas: () => Promise<Schemas>,
  resolver: Resolver,
  id: string,
): Promise<Properties> {
  const schema = (await schemas()).type(resolver.typeOf(id) ?? '');
  const properties = resolver.properties(id);
  return schema ? schema.convert(properties) : properties;
}

/** A parameter whose new value changes the property through a Ref or Fn::Sub, if any. */
function changedParameter(
  template: Template,
  id: string,
  name: string,
  before: StackInputs,
  after: StackInputs,
): string | undefined {
  const resources = isObject(template.body.Resources) ? template.body.Resources : {};
  const resource = resources[id];
  const value =
    isObject(resource) && isObject(resource.Properties) ? resource.Properties[name] : undefined;
  const changedValue = (parameter: string) =>
    parameter in after.parameters && before.parameters[parameter] !== after.parameters[parameter];
  let found: string | undefined;
  walk(value, [], (node) => {
    if (found || !isObject(node)) return;
    if (typeof node.Ref === 'string' && changedValue(node.Ref)) found = node.Ref;
    const sub = node['Fn::Sub'];
    const text = Array.isArray(sub) ? sub[0] : sub;
    if (typeof text === 'string') found = subVariables(text).find(changedValue);
  });
  return found;
}

/** The ids in an order where each comes after what it needs. */
function dependencyOrder(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const need of graph.get(id) ?? []) visit(need);
    order.push(id);
  };
  for (const id of graph.keys()) visit(id);
  return order;
}

/**
 * The changes an update (or, with no current resources, a create) would make, as a change set
 * lists them; `outputsChanged` says whether the outputs would differ.
 */
export async function planChanges(
  options: PlanOptions,
  stack: Stack,
  inputs: StackInputs,
): Promise<Plan> {
  const template = parseTemplateText(inputs.templateBody);
  const current = stack.resources;
  const planned: Record<string, StackResource> = {};
  const values: ResourceValues = {
    ref: (resource) => planned[resource.id]?.ref ?? pending(resource.id),
    getAtt: (resource, attribute) =>
      planned[resource.id] ? planned[resource.id]!.attributes[attribute] : pending(resource.id),
  };
  const resolver = stackResolver(
    template,
    scopeOf(stack, options.exports(stack.region)),
    inputs.parameters,
    values,
  );
  const ids = resolver.resourceIds();
  const graph = dependencyGraph(template, ids);
  const changes: Change[] = [];
  const order = dependencyOrder(graph);
  for (const id of order) {
    const type = resolver.typeOf(id) ?? '';
    const old = current[id];
    if (!old) {
      changes.push({ action: 'Add', logicalId: id, type, scope: [], details: [] });
      continue;
    }
    const properties = await convertedProperties(options.schemas, resolver, id);
    const names = [...new Set([...Object.keys(properties), ...Object.keys(old.properties)])].filter(
      (name) => changed(properties[name], old.properties[name]),
    );
    if (old.type === type && names.length === 0) {
      planned[id] = old;
      continue;
    }
    const provisioner = options.provisioners[type];
    const schema = (await options.schemas()).type(type);
    const replacing = new Set([...(schema?.replacing ?? []), ...(provisioner?.replacing ?? [])]);
    const always = old.type !== type || (provisioner !== undefined && !provisioner.update);
    const details = names.map((name) => {
      const parameter = changedParameter(template, id, name, stack.inputs, inputs);
      return {
        attribute: 'Properties',
        name,
        requiresRecreation:
          always || replacing.has(name)
            ? hasPending(properties[name])
              ? 'Conditionally'
              : 'Always'
            : 'Never',
        changeSource: hasPending(properties[name])
          ? 'ResourceReference'
          : parameter
            ? 'ParameterReference'
            : 'DirectModification',
        ...(parameter ? { causingEntity: parameter } : {}),
      };
    });
    const replacement =
      always || details.some((d) => d.requiresRecreation === 'Always')
        ? 'True'
        : details.some((d) => d.requiresRecreation === 'Conditionally')
          ? 'Conditional'
          : 'False';
    if (replacement === 'False') planned[id] = old;
    changes.push({
      action: 'Modify',
      logicalId: id,
      physicalId: old.physicalId,
      type,
      replacement,
      scope: names.includes('Tags') && names.length === 1 ? ['Tags'] : ['Properties'],
      details,
    });
  }
  for (const old of Object.values(current))
    if (!ids.includes(old.logicalId))
      changes.push({
        action: 'Remove',
        logicalId: old.logicalId,
        physicalId: old.physicalId,
        type: old.type,
        scope: [],
        details: [],
      });
  let outputsChanged = true;
  try {
    outputsChanged = JSON.stringify(resolveOutputs(resolver)) !== JSON.stringify(stack.outputs);
  } catch (error: unknown) {
    // An output that refers to a resource not created yet changes by definition.
    if (!(error instanceof ResolveError)) throw error;
  }
  return { changes, outputsChanged };
}
