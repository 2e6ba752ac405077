'use strict';
// Deploy with the AWS SDK for JavaScript v3, as the Python package does with boto3: the artifacts
// bucket, a change set, live progress, outputs; destroy. Progress goes to `onEvent`.
const crypto = require('node:crypto');
const {
  CloudFormationClient, CreateChangeSetCommand, DeleteChangeSetCommand, DeleteStackCommand,
  DescribeChangeSetCommand, DescribeStacksCommand, ExecuteChangeSetCommand, GetTemplateCommand,
  UpdateStackCommand, paginateDescribeStackEvents, paginateListStackResources,
} = require('@aws-sdk/client-cloudformation');
const {
  CreateBucketCommand, DeleteObjectsCommand, HeadBucketCommand, HeadObjectCommand,
  ListObjectVersionsCommand, PutObjectCommand, S3Client,
} = require('@aws-sdk/client-s3');
const { GetCallerIdentityCommand, STSClient } = require('@aws-sdk/client-sts');

const TEMPLATE_BODY_LIMIT = 51200;
const STATEFUL_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::Cognito::UserPool',
  'AWS::SecretsManager::Secret']);
const IAM_TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']);
const NO_CHANGES = ["didn't contain changes", 'No updates are to be performed'];
const CHANGE_SET_PREFIX = 'pareto-';
const STAGE_PATTERN = /^[a-z][a-z0-9]{0,15}$/;

/** The deployment did not succeed; `onEvent` was told the reasons. */
class DeployError extends Error {
  constructor(message) {
    super(message);
    this.name = 'DeployError';
  }
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
const missing = (error) => /does not exist|NotFound|NoSuchBucket|404/.test(`${error.name} ${error.message}`);

/** Whether a change replaces a resource that holds data. */
const replacesState = (change) => STATEFUL_TYPES.has(change.resourceType)
  && ['True', 'Conditional'].includes(change.replacement);

/** (logical id, canonical statement) of every IAM statement of the template's roles and policies. */
function iamStatements(template) {
  const found = new Set();
  const canonical = (value) => (Array.isArray(value) ? `[${value.map(canonical).join(', ')}]`
    : value && typeof value === 'object'
      ? `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}: ${canonical(value[k])}`).join(', ')}}`
      : JSON.stringify(value));
  for (const [id, resource] of Object.entries(template.Resources || {})) {
    if (!IAM_TYPES.has(resource.Type)) continue;
    const properties = resource.Properties || {};
    const documents = [...(properties.Policies || []).map((p) => p.PolicyDocument || {}), properties.PolicyDocument || {}];
    for (const document of documents) {
      const statements = document.Statement || [];
      for (const statement of Array.isArray(statements) ? statements : [statements]) {
        found.add(`${id}: ${canonical(statement)}`);
      }
    }
  }
  return found;
}

/** A parent and its nested stacks' templates as one (logical ids are unique across them). */
function merged(templates) {
  return { Resources: Object.assign({}, ...templates.map((t) => t.Resources || {})) };
}

/** The IAM statements `next` grants that `previous` did not, as "LogicalId: statement". */
function widenedStatements(previous, next) {
  const before = iamStatements(previous);
  return [...iamStatements(next)].filter((s) => !before.has(s)).sort();
}

/** One app's stack, `<app>-<stage>`, on AWS or on an emulator's endpoint. */
class Stack {
  constructor(appName, { stage, region, endpoint = process.env.PARETO_ENDPOINT_URL, credentials,
    pollMs = 3000, onEvent = () => {} }) {
    if (typeof stage !== 'string' || !STAGE_PATTERN.test(stage)) {
      throw new TypeError(`the stage must be lower-case letters and digits, at most 16, not ${JSON.stringify(stage)}`);
    }
    this.appName = appName;
    this.name = `${appName}-${stage}`;
    this.stage = stage;
    this.pollMs = pollMs;
    this.onEvent = onEvent;
    const config = { region: region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1' };
    if (endpoint) Object.assign(config, { endpoint, forcePathStyle: true });
    if (credentials) config.credentials = credentials;
    this.region = config.region;
    this.emulated = Boolean(endpoint);
    this.cloudformation = new CloudFormationClient(config);
    this.s3 = new S3Client(config);
    this.sts = new STSClient(config);
  }

  say(message) { this.onEvent({ type: 'message', message }); }

  /** The stack, or null when there is none. */
  async describe() {
    try {
      return (await this.cloudformation.send(new DescribeStacksCommand({ StackName: this.name }))).Stacks[0];
    } catch (error) {
      if (missing(error)) return null;
      throw error;
    }
  }

  /**
   * The app's outputs: the stack's, then those its nested stacks hold for their components
   * (described ones: the rest pass values between the stacks).
   */
  async outputs() {
    const stack = await this.describe();
    if (!stack) throw new DeployError(`there is no stack ${this.name}`);
    const outputs = Object.fromEntries((stack.Outputs || []).map((o) => [o.OutputKey, o.OutputValue ?? '']));
    for (const nested of await this.nestedStacks()) {
      const { Stacks } = await this.cloudformation.send(new DescribeStacksCommand({ StackName: nested }));
      for (const o of Stacks[0].Outputs || []) if (o.Description) outputs[o.OutputKey] = o.OutputValue ?? '';
    }
    return outputs;
  }

  /** The resources of the stack, or of one of its nested stacks. */
  async resources(stackName = this.name) {
    const resources = [];
    for await (const page of paginateListStackResources({ client: this.cloudformation }, { StackName: stackName })) {
      resources.push(...page.StackResourceSummaries);
    }
    return resources;
  }

  /** The physical ids of the stack's nested stacks. */
  async nestedStacks() {
    return (await this.resources())
      .filter((r) => r.ResourceType === 'AWS::CloudFormation::Stack' && r.PhysicalResourceId)
      .map((r) => r.PhysicalResourceId);
  }

  // --- artifacts ---------------------------------------------------------------------------------

  /** The account's pareto bucket for this region, created when missing. */
  async artifactsBucket() {
    const { Account } = await this.sts.send(new GetCallerIdentityCommand({}));
    const bucket = `pareto-artifacts-${Account}-${this.region}`;
    try {
      await this.s3.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch {
      this.say(`creating the artifacts bucket ${bucket}`);
      await this.s3.send(new CreateBucketCommand({ Bucket: bucket,
        ...(this.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: this.region } }) }));
    }
    return bucket;
  }

  /** Uploads unless the key is there already: keys are content hashes. */
  async upload(bucket, key, data) {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      this.say(`s3://${bucket}/${key} is up to date`);
    } catch {
      await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data }));
      this.say(`uploaded s3://${bucket}/${key} (${data.length.toLocaleString('en-US')} bytes)`);
    }
  }

  /** TemplateBody when it is small enough, else TemplateURL of a copy in the bucket. */
  async templateArgument(templateJson, bucket) {
    const data = Buffer.from(templateJson);
    if (data.length <= TEMPLATE_BODY_LIMIT) return { TemplateBody: templateJson };
    const key = `pareto/${this.appName}/templates/${crypto.createHash('sha256').update(data).digest('hex')}.json`;
    await this.upload(bucket, key, data);
    return { TemplateURL: `https://${bucket}.s3.${this.region}.amazonaws.com/${key}` };
  }

  // --- change sets -------------------------------------------------------------------------------

  /** `nested`: the nested stacks' templates, already uploaded, for the IAM comparison. */
  async createChangeSet(templateJson, parameters, bucket, nested = []) {
    let stack = await this.describe();
    if (stack && stack.StackStatus === 'ROLLBACK_COMPLETE') {
      this.say(`${this.name} failed to create before: deleting it first`);
      await this.delete();
      stack = null;
    }
    const stackType = stack && stack.StackStatus !== 'REVIEW_IN_PROGRESS' ? 'UPDATE' : 'CREATE';
    const created = await this.cloudformation.send(new CreateChangeSetCommand({
      StackName: this.name,
      ChangeSetName: `${CHANGE_SET_PREFIX}${Date.now()}`,
      ChangeSetType: stackType,
      Capabilities: ['CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
      Tags: [{ Key: 'pareto:app', Value: this.appName }],
      ...(await this.templateArgument(templateJson, bucket)),
    }));
    const described = await this.waitForChangeSet(created.Id);
    if (described.Status === 'FAILED') {
      const reason = described.StatusReason || '';
      await this.cloudformation.send(new DeleteChangeSetCommand({ ChangeSetName: created.Id }));
      if (NO_CHANGES.some((text) => reason.includes(text))) return { id: null, stackType, changes: [], widened: [] };
      throw new DeployError(`the change set failed: ${reason}`);
    }
    const changes = described.Changes.map(({ ResourceChange: c }) => ({
      logicalId: c.LogicalResourceId || '', resourceType: c.ResourceType || '', action: c.Action || '',
      replacement: c.Action === 'Modify' ? c.Replacement || '' : '',
    }));
    let widened = [];
    if (stackType === 'UPDATE') {
      const template = async (stackName) => {
        const body = (await this.cloudformation.send(new GetTemplateCommand({ StackName: stackName }))).TemplateBody;
        return typeof body === 'string' ? JSON.parse(body) : body;
      };
      const deployed = [await template(this.name)];
      for (const stack of await this.nestedStacks()) deployed.push(await template(stack));
      widened = widenedStatements(merged(deployed), merged([templateJson, ...nested].map((t) => JSON.parse(t))));
    }
    return { id: created.Id, stackType, changes, widened };
  }

  async waitForChangeSet(id) {
    for (;;) {
      let described = await this.cloudformation.send(new DescribeChangeSetCommand({ ChangeSetName: id }));
      if (['CREATE_COMPLETE', 'FAILED'].includes(described.Status)) {
        const changes = [...(described.Changes || [])];
        while (described.NextToken) {
          described = await this.cloudformation.send(new DescribeChangeSetCommand({ ChangeSetName: id, NextToken: described.NextToken }));
          changes.push(...(described.Changes || []));
        }
        return { ...described, Changes: changes };
      }
      await sleep(this.pollMs);
    }
  }

  /** Deletes an unexecuted change set, and the empty stack a CREATE one made. */
  async discard(changeSet) {
    if (!changeSet.id) return;
    await this.cloudformation.send(new DeleteChangeSetCommand({ ChangeSetName: changeSet.id }));
    if (changeSet.stackType === 'CREATE') await this.cloudformation.send(new DeleteStackCommand({ StackName: this.name }));
  }

  /** Executes the change set and follows its events until the stack settles. */
  async execute(changeSet) {
    const since = await this.latestEventId();
    try {
      await this.cloudformation.send(new ExecuteChangeSetCommand({ ChangeSetName: changeSet.id }));
    } catch (error) {
      const stack = await this.describe();
      // An emulator's malformed error answer: its text says what went wrong.
      const said = error.$responseBodyText ? `: ${error.$responseBodyText}` : '';
      throw new DeployError(`executing the change set failed (${this.name} is ${stack ? stack.StackStatus : 'gone'}): ${error.message}${said}`);
    }
    await this.follow(since, changeSet.changes.length, `${changeSet.stackType}_COMPLETE`);
    if (this.emulated) {
      // moto's change sets leave the outputs uncomputed; an update that reuses the template and
      // parameters computes them (as the Python package's local mode does).
      await this.cloudformation.send(new UpdateStackCommand({ StackName: this.name, UsePreviousTemplate: true,
        Capabilities: ['CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'] }));
    }
  }

  // --- destroy -----------------------------------------------------------------------------------

  /** Empties the stack's buckets (its nested stacks' too), deletes the stack and follows it until it is gone. */
  async delete() {
    const resources = await this.resources();
    const nested = [];
    for (const stack of await this.nestedStacks()) nested.push(...(await this.resources(stack)));
    for (const r of [...resources, ...nested]) {
      if (r.ResourceType === 'AWS::S3::Bucket' && r.PhysicalResourceId) await this.emptyBucket(r.PhysicalResourceId);
    }
    const since = await this.latestEventId();
    await this.cloudformation.send(new DeleteStackCommand({ StackName: this.name }));
    await this.follow(since, resources.length, 'DELETE_COMPLETE');
  }

  async emptyBucket(bucket) {
    try {
      let page = { IsTruncated: true };
      while (page.IsTruncated) {
        page = await this.s3.send(new ListObjectVersionsCommand({ Bucket: bucket,
          KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker }));
        const objects = [...(page.Versions || []), ...(page.DeleteMarkers || [])]
          .map(({ Key, VersionId }) => ({ Key, VersionId }));
        if (objects.length) {
          await this.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
          this.say(`emptied ${objects.length} objects from ${bucket}`);
        }
      }
    } catch (error) {
      if (!missing(error)) throw error;
    }
  }

  // --- progress ----------------------------------------------------------------------------------

  /** The stack's events, oldest first; [] once the stack is gone. */
  async events() {
    const events = [];
    try {
      for await (const page of paginateDescribeStackEvents({ client: this.cloudformation }, { StackName: this.name })) {
        events.push(...page.StackEvents);
      }
    } catch (error) {
      if (missing(error)) return [];
      throw error;
    }
    return events.reverse();
  }

  async latestEventId() {
    const events = await this.events();
    return events.length ? events[events.length - 1].EventId : null;
  }

  /** Tells each new event as it happens, with resources done out of total, until the stack
   * settles; throws DeployError, after telling the reasons, unless it is `expected`. */
  async follow(since, total, expected) {
    const seen = new Set();
    const done = new Set();
    const failures = [];
    let started = since === null;
    let stack;
    let status;
    for (;;) {
      for (const event of await this.events()) {
        if (!started) {
          started = event.EventId === since;
          continue;
        }
        if (seen.has(event.EventId)) continue;
        seen.add(event.EventId);
        const isStack = event.ResourceType === 'AWS::CloudFormation::Stack';
        if (event.ResourceStatus.endsWith('_COMPLETE') && !isStack) done.add(event.LogicalResourceId);
        const reason = event.ResourceStatusReason || '';
        if (event.ResourceStatus.endsWith('_FAILED')) {
          failures.push(`${event.LogicalResourceId} (${event.ResourceType}): ${reason}`);
        }
        this.onEvent({ type: 'resource', done: done.size, total, status: event.ResourceStatus,
          logicalId: event.LogicalResourceId, resourceType: event.ResourceType, reason });
      }
      stack = await this.describe();
      status = stack ? stack.StackStatus : 'DELETE_COMPLETE';
      if ((status.endsWith('_COMPLETE') || status.endsWith('_FAILED')) && !status.endsWith('CLEANUP_COMPLETE')) break;
      await sleep(this.pollMs);
    }
    if (status !== expected) {
      for (const failure of failures) this.onEvent({ type: 'failure', message: failure });
      const reason = stack && stack.StackStatusReason;
      throw new DeployError(`${this.name} is ${status}${reason ? `: ${reason}` : ''}`);
    }
    this.onEvent({ type: 'settled', status, message: `${this.name}: ${status}` });
  }
}

/** Uploads the code archive and creates the change set that deploys the app. */
async function prepare(app, stack, parameters = {}) {
  const archive = app.package();
  const bucket = await stack.artifactsBucket();
  const key = archive.key(app.name);
  await stack.upload(bucket, key, archive.data);
  const nested = app.nestedStacks();
  for (const { key, template } of nested) {  // at the keys the parent's TemplateURLs name
    await stack.upload(bucket, key, Buffer.from(template));
  }
  const all = { StageName: stack.stage, ArtifactsBucket: bucket, ArtifactsKey: key, ...parameters };
  const changeSet = await stack.createChangeSet(app.templateJson(), all, bucket, nested.map((s) => s.template));
  stack.onEvent({ type: 'change-set', changeSet });
  return changeSet;
}

function refuseStatefulReplacements(changeSet) {
  const replaced = changeSet.changes.filter(replacesState).map((c) => c.logicalId);
  if (replaced.length) {
    throw new DeployError(`the change would replace ${replaced.join(', ')}, which hold data; pass allowReplace to do it anyway`);
  }
}

/** Shows what a deploy would change, without changing anything. */
async function diff(app, options) {
  const stack = new Stack(app.name, options);
  const changeSet = await prepare(app, stack, options.parameters);
  await stack.discard(changeSet);
  return changeSet;
}

/** Deploys the app; resolves to the stack's outputs. */
async function deploy(app, options) {
  const stack = new Stack(app.name, options);
  const changeSet = await prepare(app, stack, options.parameters);
  if (changeSet.id) {
    try {
      if (!options.allowReplace) refuseStatefulReplacements(changeSet);
      if (options.confirm && !(await options.confirm(changeSet))) throw new DeployError('cancelled');
    } catch (error) {
      await stack.discard(changeSet);
      throw error;
    }
    await stack.execute(changeSet);
  }
  return stack.outputs();
}

/** Deletes the app's stack, emptying its buckets first. */
async function destroy(appName, options) {
  const stack = new Stack(appName, options);
  if (!(await stack.describe())) {
    stack.say(`there is no stack ${stack.name}`);
    return;
  }
  await stack.delete();
}

module.exports = { Stack, DeployError, deploy, diff, destroy, replacesState, widenedStatements };
