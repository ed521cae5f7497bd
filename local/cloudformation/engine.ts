import { randomUUID } from 'node:crypto';
import { messageOf } from '../../lib/errors.js';
import { isObject } from '../../lib/templates/parse.js';
import type { TemplateValue } from '../../lib/templates/parse.js';
import { ResolveError } from '../../lib/templates/resolve.js';
import type { Resolver, ResourceValues } from '../../lib/templates/resolve.js';
import { LOCAL_ACCOUNT_ID } from '../account.js';
import type { Clients } from './clients.js';
import type { Properties, Stack, StackInputs, StackOutput, StackResource } from './model.js';
import { changed } from './resources/provisioner.js';
import type { ProvisionContext, Provisioner } from './resources/provisioner.js';
import { convertedProperties, planChanges } from './plan.js';
import type { Plan } from './plan.js';
import type { Schemas } from './schema.js';
import {
  dependencyGraph,
  parseTemplateText,
  resolveOutputs,
  scopeOf,
  stackResolver,
} from './template.js';
import type { StackResolver, Template } from './template.js';

/** What the engine works with: everything outside it is passed in. */
export interface EngineOptions {
  provisioners: Readonly<Record<string, Provisioner>>;
  schemas: () => Promise<Schemas>;
  clients: (region: string) => Clients;
  /** Export values of the region's stacks, for Fn::ImportValue. */
  exports: (region: string) => ReadonlyMap<string, string>;
  /** The id of the live stack that exports a name, if any. */
  exporter: (region: string, name: string) => string | undefined;
  save: () => Promise<void>;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** Random text for generated names (upper-case letters and digits). */
  randomSuffix: () => string;
}

/** A resource failed; its reason is already in the stack's events. */
class ResourceFailure extends Error {
  override name = 'ResourceFailure';
}

type Values = Record<string, StackResource>;

/** Two stacks may not export the same name. */
class ExportConflictError extends Error {
  override name = 'ExportConflictError';
}

/** Thrown by a provisioner-less type: the reason names the type and what local AWS provisions. */
class UnsupportedTypeError extends Error {
  override name = 'UnsupportedTypeError';
}

/** The failure reason CloudFormation shows for an error a service returned. */
export function reasonOf(error: unknown, type: string): string {
  if (error instanceof ResolveError) return `Template error: ${error.message}`;
  const metadata = (error as { $metadata?: { httpStatusCode?: number; requestId?: string } })
    .$metadata;
  if (error instanceof Error && metadata) {
    const service = type.split('::')[1] ?? type;
    return (
      `Resource handler returned message: "${error.message} (Service: ${service}, Status Code: ` +
      `${metadata.httpStatusCode ?? 400}, Request ID: ${metadata.requestId ?? randomUUID()})" ` +
      `(HandlerErrorCode: ${error.name === 'ResourceNotFoundException' || error.name === 'NotFound' ? 'NotFound' : 'GeneralServiceException'})`
    );
  }
  return messageOf(error);
}

/** Runs `step` for every id once the ids it needs are done, independent ones in parallel. */
async function runGraph(
  needs: ReadonlyMap<string, ReadonlySet<string>>,
  step: (id: string) => Promise<boolean>,
): Promise<boolean> {
  const done = new Set<string>();
  const started = new Set<string>();
  let failed = false;
  let running = 0;
  return new Promise((resolve) => {
    const pump = (): void => {
      if (!failed)
        for (const [id, required] of needs)
          if (!started.has(id) && [...required].every((need) => done.has(need))) {
            started.add(id);
            running++;
            void step(id).then((ok) => {
              running--;
              if (ok) done.add(id);
              else failed = true;
              pump();
            });
          }
      if (running === 0) resolve(!failed && done.size === needs.size);
    };
    pump();
  });
}

/** The graph turned around: a resource may go once every resource that needs it is gone. */
function reversed(needs: ReadonlyMap<string, ReadonlySet<string>>): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>([...needs.keys()].map((id) => [id, new Set()]));
  for (const [id, required] of needs) for (const need of required) result.get(need)?.add(id);
  return result;
}

/** A stack's Ref/GetAtt values from its provisioned resources. */
function valuesOf(resources: Values): ResourceValues {
  return {
    ref(resource) {
      const provisioned = resources[resource.id];
      if (!provisioned)
        throw new ResolveError(['Resources', resource.id], `${resource.id} is not created yet`);
      return provisioned.ref;
    },
    getAtt: (resource, attribute) => resources[resource.id]?.attributes[attribute],
  };
}

/** Creates, updates and deletes stacks: the state machines of CloudFormation's operations. */
export class Engine {
  constructor(private readonly options: EngineOptions) {}

  private timestamp(): string {
    return this.options.now().toISOString();
  }

  /** Records a stack-level event and status. */
  private async stackEvent(stack: Stack, status: string, reason?: string): Promise<void> {
    stack.status = status;
    if (reason === undefined) delete stack.statusReason;
    else stack.statusReason = reason;
    stack.events.push({
      eventId: randomUUID(),
      logicalId: stack.name,
      physicalId: stack.stackId,
      type: 'AWS::CloudFormation::Stack',
      timestamp: this.timestamp(),
      status,
      ...(reason === undefined ? {} : { reason }),
    });
    await this.options.save();
  }

  /** Records a resource event, and the status on the resource when it is the stack's. */
  private async resourceEvent(
    stack: Stack,
    event: {
      logicalId: string;
      physicalId?: string;
      type: string;
      status: string;
      reason?: string;
    },
    properties?: Properties,
  ): Promise<void> {
    stack.events.push({
      eventId: `${event.logicalId}-${randomUUID()}`,
      logicalId: event.logicalId,
      physicalId: event.physicalId ?? '',
      type: event.type,
      timestamp: this.timestamp(),
      status: event.status,
      ...(event.reason === undefined ? {} : { reason: event.reason }),
      ...(properties ? { properties: JSON.stringify(properties) } : {}),
    });
    const resource = stack.resources[event.logicalId];
    if (resource && (!event.physicalId || resource.physicalId === event.physicalId)) {
      resource.status = event.status;
      resource.lastUpdated = this.timestamp();
      if (event.reason === undefined) delete resource.statusReason;
      else resource.statusReason = event.reason;
    }
    await this.options.save();
  }

  private provisioner(type: string): Provisioner {
    const provisioner = this.options.provisioners[type];
    if (!provisioner)
      throw new UnsupportedTypeError(
        `local AWS cannot provision ${type}; it provisions ${Object.keys(this.options.provisioners).join(', ')}`,
      );
    return provisioner;
  }

  private context(stack: Stack, logicalId: string): ProvisionContext {
    return {
      region: stack.region,
      accountId: LOCAL_ACCOUNT_ID,
      stackName: stack.name,
      logicalId,
      clients: this.options.clients(stack.region),
      sleep: this.options.sleep,
      generatedName: ({ maxLength = 255, lowerCase = false } = {}) => {
        const suffix = this.options.randomSuffix();
        const room = maxLength - suffix.length - 2;
        const stackPart = stack.name.slice(0, Math.max(1, Math.ceil(room / 2)));
        const idPart = logicalId.slice(0, Math.max(1, room - stackPart.length));
        const name = `${stackPart}-${idPart}-${suffix}`;
        return lowerCase ? name.toLowerCase() : name;
      },
    };
  }

  /** The template's resource properties, resolved and converted to the types they expect. */
  private properties(resolver: Resolver, id: string): Promise<Properties> {
    return convertedProperties(this.options.schemas, resolver, id);
  }

  private resolver(stack: Stack, template: Template, inputs: StackInputs): StackResolver {
    return stackResolver(
      template,
      scopeOf(stack, this.options.exports(stack.region)),
      inputs.parameters,
      valuesOf(stack.resources),
    );
  }

  private record(
    stack: Stack,
    template: Template,
    id: string,
    type: string,
    properties: Properties,
    result: { physicalId: string; ref?: TemplateValue; attributes?: Record<string, TemplateValue> },
    status: string,
  ): void {
    const resource = (template.body.Resources as Record<string, TemplateValue>)[id];
    const policy = isObject(resource) ? resource.DeletionPolicy : undefined;
    const replacePolicy = isObject(resource) ? resource.UpdateReplacePolicy : undefined;
    stack.resources[id] = {
      logicalId: id,
      type,
      physicalId: result.physicalId,
      status,
      properties,
      ref: result.ref ?? result.physicalId,
      attributes: result.attributes ?? {},
      ...(typeof policy === 'string' ? { deletionPolicy: policy } : {}),
      ...(typeof replacePolicy === 'string' ? { updateReplacePolicy: replacePolicy } : {}),
      lastUpdated: this.timestamp(),
    };
  }

  /** The stack's outputs; an export name another stack already exports is refused, as in AWS. */
  private outputs(stack: Stack, resolver: StackResolver): StackOutput[] {
    const outputs = resolveOutputs(resolver);
    for (const output of outputs) {
      const owner = output.exportName && this.options.exporter(stack.region, output.exportName);
      if (owner && owner !== stack.stackId)
        throw new ExportConflictError(
          `Export with name ${output.exportName} is already exported by stack ${owner.split('/')[1]}`,
        );
    }
    return outputs;
  }

  /** Creates one resource; false (with the reason in the events) when it fails. */
  private async createResource(
    stack: Stack,
    template: Template,
    resolver: Resolver,
    id: string,
  ): Promise<boolean> {
    const type = resolver.typeOf(id) ?? '';
    await this.resourceEvent(stack, { logicalId: id, type, status: 'CREATE_IN_PROGRESS' });
    try {
      const properties = await this.properties(resolver, id);
      const result = await this.provisioner(type).create(this.context(stack, id), properties);
      this.record(stack, template, id, type, properties, result, 'CREATE_COMPLETE');
      await this.resourceEvent(
        stack,
        { logicalId: id, physicalId: result.physicalId, type, status: 'CREATE_COMPLETE' },
        properties,
      );
      return true;
    } catch (error: unknown) {
      await this.resourceEvent(stack, {
        logicalId: id,
        type,
        status: 'CREATE_FAILED',
        reason: reasonOf(error, type),
      });
      return false;
    }
  }

  /** Deletes resources in reverse dependency order; returns the ids that failed to go. */
  private async deleteResources(
    stack: Stack,
    template: Template,
    resources: StackResource[],
    options: { retain?: readonly string[]; replaced?: boolean } = {},
  ): Promise<string[]> {
    const byId = new Map(resources.map((resource) => [resource.logicalId, resource]));
    const graph = reversed(dependencyGraph(template, byId.keys()));
    const failed: string[] = [];
    // What a resource that failed to go still uses stays too, as it would still be in use.
    const kept = new Set<string>();
    await runGraph(graph, async (id) => {
      const resource = byId.get(id)!;
      if ([...graph.get(id)!].some((dependent) => kept.has(dependent))) {
        kept.add(id);
        return true;
      }
      const event = { logicalId: id, physicalId: resource.physicalId, type: resource.type };
      const policy = options.replaced
        ? (resource.updateReplacePolicy ?? resource.deletionPolicy)
        : resource.deletionPolicy;
      if (policy === 'Retain' || options.retain?.includes(id) || !resource.physicalId) {
        await this.resourceEvent(stack, { ...event, status: 'DELETE_SKIPPED' });
        if (stack.resources[id] === resource) delete stack.resources[id];
        return true;
      }
      await this.resourceEvent(stack, { ...event, status: 'DELETE_IN_PROGRESS' });
      try {
        await this.provisioner(resource.type).delete(this.context(stack, id), resource);
      } catch (error: unknown) {
        failed.push(id);
        kept.add(id);
        await this.resourceEvent(stack, {
          ...event,
          status: 'DELETE_FAILED',
          reason: reasonOf(error, resource.type),
        });
        // The others still go: CloudFormation deletes what it can and reports what it could not.
        return true;
      }
      await this.resourceEvent(stack, { ...event, status: 'DELETE_COMPLETE' });
      if (stack.resources[id] === resource) delete stack.resources[id];
      return true;
    });
    return failed;
  }

  /** Creates a stack's resources; rolls back on failure unless rollback is disabled. */
  async create(stack: Stack): Promise<void> {
    const template = parseTemplateText(stack.inputs.templateBody);
    await this.stackEvent(stack, 'CREATE_IN_PROGRESS', 'User Initiated');
    let failedIds: string[] = [];
    try {
      const resolver = this.resolver(stack, template, stack.inputs);
      const graph = dependencyGraph(template, resolver.resourceIds());
      const ok = await runGraph(graph, async (id) => {
        const created = await this.createResource(stack, template, resolver, id);
        if (!created) failedIds.push(id);
        return created;
      });
      if (ok) {
        stack.outputs = this.outputs(stack, resolver);
        stack.imports = resolver.imports;
        await this.stackEvent(stack, 'CREATE_COMPLETE');
        return;
      }
    } catch (error: unknown) {
      failedIds = [stack.name];
      await this.stackEvent(
        stack,
        'CREATE_IN_PROGRESS',
        reasonOf(error, 'AWS::CloudFormation::Stack'),
      );
    }
    const reason = `The following resource(s) failed to create: [${failedIds.join(', ')}]. `;
    if (stack.disableRollback) {
      await this.stackEvent(stack, 'CREATE_FAILED', reason);
      return;
    }
    await this.stackEvent(stack, 'ROLLBACK_IN_PROGRESS', `${reason}Rollback requested by user.`);
    await this.rollbackCreate(stack, template);
  }

  /**
   * Finishes an operation a crash interrupted: a create (or its rollback) is rolled back, a delete
   * resumed, an update rolled back, an update's cleanup finished.
   */
  async resume(stack: Stack): Promise<void> {
    const reason = 'local AWS stopped during the operation';
    switch (stack.status) {
      case 'CREATE_IN_PROGRESS':
      case 'ROLLBACK_IN_PROGRESS':
        await this.stackEvent(stack, 'ROLLBACK_IN_PROGRESS', reason);
        await this.rollbackCreate(stack, parseTemplateText(stack.inputs.templateBody));
        return;
      case 'DELETE_IN_PROGRESS':
        await this.delete(stack);
        return;
      case 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS':
        await this.cleanUpUpdate(stack);
        return;
      default:
        if (!stack.previous) {
          await this.stackEvent(stack, 'UPDATE_ROLLBACK_FAILED', reason);
          return;
        }
        await this.stackEvent(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', reason);
        await this.rollbackUpdate(stack);
    }
  }

  /** Deletes whatever a failed create made. */
  async rollbackCreate(stack: Stack, template: Template): Promise<void> {
    const failed = await this.deleteResources(stack, template, Object.values(stack.resources));
    await this.stackEvent(
      stack,
      failed.length > 0 ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE',
      failed.length > 0
        ? `The following resource(s) failed to delete: [${failed.join(', ')}]. `
        : undefined,
    );
  }

  /** Deletes a stack's resources, dependents first; DELETE_FAILED keeps what could not go. */
  async delete(stack: Stack, retain: readonly string[] = []): Promise<void> {
    const template = parseTemplateText(stack.inputs.templateBody);
    await this.stackEvent(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
    const failed = await this.deleteResources(stack, template, Object.values(stack.resources), {
      retain,
    });
    if (failed.length > 0) {
      await this.stackEvent(
        stack,
        'DELETE_FAILED',
        `The following resource(s) failed to delete: [${failed.join(', ')}]. `,
      );
      return;
    }
    stack.deletionTime = this.timestamp();
    stack.outputs = [];
    stack.changeSets = [];
    await this.stackEvent(stack, 'DELETE_COMPLETE');
  }

  /**
   * Updates a stack to new inputs: new resources created, changed ones updated in place or
   * replaced (the old ones deleted in cleanup), dropped ones deleted; a failure rolls back.
   */
  async update(
    stack: Stack,
    inputs: StackInputs,
    options: { disableRollback?: boolean } = {},
  ): Promise<void> {
    const template = parseTemplateText(inputs.templateBody);
    stack.previous = {
      inputs: stack.inputs,
      resources: structuredClone(stack.resources),
      outputs: stack.outputs,
    };
    stack.inputs = inputs;
    stack.lastUpdatedTime = this.timestamp();
    await this.stackEvent(stack, 'UPDATE_IN_PROGRESS', 'User Initiated');
    const previous = stack.previous.resources;
    const failedIds: string[] = [];
    let ok = false;
    try {
      const resolver = this.resolver(stack, template, inputs);
      const graph = dependencyGraph(template, resolver.resourceIds());
      ok = await runGraph(graph, async (id) => {
        const done = previous[id]
          ? await this.updateResource(stack, template, resolver, id, previous[id])
          : await this.createResource(stack, template, resolver, id);
        if (!done) failedIds.push(id);
        return done;
      });
      if (ok) {
        stack.outputs = this.outputs(stack, resolver);
        stack.imports = resolver.imports;
      }
    } catch (error: unknown) {
      failedIds.push(stack.name);
      await this.stackEvent(
        stack,
        'UPDATE_IN_PROGRESS',
        reasonOf(error, 'AWS::CloudFormation::Stack'),
      );
      ok = false;
    }
    if (!ok) {
      const reason = `The following resource(s) failed to update: [${failedIds.join(', ')}]. `;
      if (options.disableRollback) {
        // Kept as it is for the user to fix and update again, as AWS does with rollback disabled.
        delete stack.previous;
        await this.stackEvent(stack, 'UPDATE_FAILED', reason);
        return;
      }
      await this.stackEvent(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', reason);
      await this.rollbackUpdate(stack);
      return;
    }
    await this.stackEvent(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    await this.cleanUpUpdate(stack);
  }

  /**
   * Deletes what a successful update left behind: resources dropped from the template (or whose
   * condition turned false) and the old resources of replaced ones. Resumable after a crash.
   */
  async cleanUpUpdate(stack: Stack): Promise<void> {
    const previous = stack.previous?.resources ?? {};
    const oldTemplate = parseTemplateText(
      stack.previous?.inputs.templateBody ?? stack.inputs.templateBody,
    );
    const template = parseTemplateText(stack.inputs.templateBody);
    const resolver = this.resolver(stack, template, stack.inputs);
    const kept = new Set(resolver.resourceIds());
    const removed = Object.values(previous).filter((resource) => !kept.has(resource.logicalId));
    const replaced = Object.values(previous).filter(
      (resource) =>
        kept.has(resource.logicalId) &&
        stack.resources[resource.logicalId]?.physicalId !== resource.physicalId,
    );
    for (const resource of removed) stack.resources[resource.logicalId] = resource;
    await this.deleteResources(stack, oldTemplate, removed);
    await this.deleteResources(stack, oldTemplate, replaced, { replaced: true });
    delete stack.previous;
    await this.stackEvent(stack, 'UPDATE_COMPLETE');
  }

  /** Updates one resource in place, or replaces it where AWS would. */
  private async updateResource(
    stack: Stack,
    template: Template,
    resolver: Resolver,
    id: string,
    old: StackResource,
  ): Promise<boolean> {
    const type = resolver.typeOf(id) ?? '';
    const event = { logicalId: id, physicalId: old.physicalId, type };
    let properties: Properties;
    let provisioner: Provisioner;
    try {
      properties = await this.properties(resolver, id);
      provisioner = this.provisioner(type);
    } catch (error: unknown) {
      await this.resourceEvent(stack, {
        ...event,
        status: 'UPDATE_FAILED',
        reason: reasonOf(error, type),
      });
      return false;
    }
    if (old.type === type && !changed(old.properties, properties)) return true;
    const replace = await this.replaces(old, type, properties, provisioner);
    await this.resourceEvent(stack, {
      ...event,
      status: 'UPDATE_IN_PROGRESS',
      ...(replace
        ? {
            reason:
              'Requested update requires the creation of a new physical resource; hence creating one.',
          }
        : {}),
    });
    try {
      const nameProperty = provisioner.nameProperty;
      if (
        replace &&
        nameProperty &&
        properties[nameProperty] !== undefined &&
        !changed(properties[nameProperty], old.properties[nameProperty])
      )
        throw new ResourceFailure(
          `CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename ${String(properties[nameProperty])} and update the stack again.`,
        );
      const context = this.context(stack, id);
      const result = replace
        ? await provisioner.create(context, properties)
        : await provisioner.update!(context, old, properties);
      this.record(stack, template, id, type, properties, result, 'UPDATE_COMPLETE');
      await this.resourceEvent(
        stack,
        { ...event, physicalId: result.physicalId, status: 'UPDATE_COMPLETE' },
        properties,
      );
      return true;
    } catch (error: unknown) {
      await this.resourceEvent(stack, {
        ...event,
        status: 'UPDATE_FAILED',
        reason: reasonOf(error, type),
      });
      return false;
    }
  }

  /** Whether the change from `old` to these properties replaces the resource. */
  private async replaces(
    old: StackResource,
    type: string,
    properties: Properties,
    provisioner: Provisioner,
  ): Promise<boolean> {
    if (old.type !== type || !provisioner.update) return true;
    const schema = (await this.options.schemas()).type(type);
    const replacing = new Set([...(schema?.replacing ?? []), ...(provisioner.replacing ?? [])]);
    return [...replacing].some((name) => changed(old.properties[name], properties[name]));
  }

  /** Puts back what an update changed: in-place changes reverted, new resources deleted. */
  async rollbackUpdate(stack: Stack): Promise<void> {
    const previous = stack.previous!;
    const template = parseTemplateText(stack.inputs.templateBody);
    let failed = false;
    for (const [id, old] of Object.entries(previous.resources)) {
      const current = stack.resources[id];
      if (
        !current ||
        current.physicalId !== old.physicalId ||
        !changed(current.properties, old.properties)
      )
        continue;
      const event = { logicalId: id, physicalId: old.physicalId, type: old.type };
      await this.resourceEvent(stack, { ...event, status: 'UPDATE_IN_PROGRESS' });
      try {
        await this.provisioner(old.type).update!(this.context(stack, id), current, old.properties);
        await this.resourceEvent(stack, { ...event, status: 'UPDATE_COMPLETE' });
      } catch (error: unknown) {
        failed = true;
        await this.resourceEvent(stack, {
          ...event,
          status: 'UPDATE_FAILED',
          reason: reasonOf(error, old.type),
        });
      }
    }
    if (failed) {
      await this.stackEvent(
        stack,
        'UPDATE_ROLLBACK_FAILED',
        'The following resource(s) failed to roll back.',
      );
      return;
    }
    await this.stackEvent(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    const added = Object.values(stack.resources).filter(
      (resource) => previous.resources[resource.logicalId]?.physicalId !== resource.physicalId,
    );
    await this.deleteResources(stack, template, added);
    stack.resources = previous.resources;
    for (const resource of Object.values(stack.resources))
      if (resource.status.endsWith('_FAILED') || resource.status.endsWith('_IN_PROGRESS'))
        resource.status = 'UPDATE_COMPLETE';
    stack.inputs = previous.inputs;
    stack.outputs = previous.outputs;
    delete stack.previous;
    await this.stackEvent(stack, 'UPDATE_ROLLBACK_COMPLETE');
  }

  /** The changes an update (or, with no resources yet, a create) would make, as a change set lists them. */
  plan(stack: Stack, inputs: StackInputs): Promise<Plan> {
    return planChanges(this.options, stack, inputs);
  }
}
