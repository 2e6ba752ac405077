// Types of the pareto package (require('pareto') / import from 'pareto').

/** One error in an app description (or a pattern), with where it is. */
export interface Diagnostic {
  /** The file the app was loaded from ("<input>", "<object>" for text and objects). */
  file?: string;
  /** JSON pointer into the description: "/actions/0/timeout"; "" for the whole document. */
  path: string;
  /** 1-based position in the source text; 0 when unknown. */
  line?: number;
  column?: number;
  message: string;
  /** The check's id, stable across versions: "E2002". */
  check: string;
}

/** A failure the core reported as a status code. */
export class ParetoError extends Error {
  /** The C API's status: -1 ERROR, -2 EINVALID, -3 ENOMEM, -4 EARG, -5 EIO. */
  readonly status: number;
  readonly code: 'ERROR' | 'EINVALID' | 'ENOMEM' | 'EARG' | 'EIO' | 'ENOENT';
}

/** The app description (or a pattern) has errors: all of them, with their paths. */
export class ValidationError extends ParetoError {
  readonly errors: Diagnostic[];
}

/**
 * A command the engine ran did not succeed (a deploy that failed, a stack that is not there);
 * the message is what it said last on stderr ("pareto: ...", without the prefix).
 */
export class CommandError extends ParetoError {
  /** The command's exit status. */
  readonly exit: number;
}

/** What an archive is made from and where it is uploaded (pareto.h, pareto_app_functions). */
interface CodeCommon {
  /** The folder at the archive's root. */
  path: string;
  /** Folders shipped in it, each under its own name. */
  shared: string[];
  /** Its S3Key in the template: a string, or {"Fn::Sub"} naming the runtime version it is built for. */
  key: string | { 'Fn::Sub': string };
  /** The sha256 of what it is made from. */
  digest: string;
  dependencies: { installer: 'pip' | 'npm'; manifests: string[] } | null;
}

/** One archive per action, then one per builder. */
export type CodeFolder =
  | (CodeCommon & { action: string; runtime: 'python' | 'nodejs'; handler: string })
  | (CodeCommon & { builder: string });

/** An archive's zip bytes and their sha256. */
export class Archive {
  readonly data: Buffer;
  readonly sha256: string;
}

export interface LoadOptions {
  /** The name errors give the text (default "<input>"). */
  sourceName?: string;
  /** The folder holding the handler sources and kind modules; null: sources are not read. */
  baseDir?: string | null;
  /** Custom component kinds, besides those of the modules the app names under "kinds". */
  kinds?: KindDefinition[];
  /** The stage whose settings (the "stages" key) apply; null (default): the app's own. */
  stage?: string | null;
}

/** What a custom kind's renderer is asked for one entry (README "Custom components"). */
export interface RenderRequest {
  app: string;
  kind: string;
  name: string;
  pointer: string;
  /** The logical id of its main resource, e.g. "ClicksStream". */
  id: string;
  physical_name: unknown;
  /** The entry, with its schema's defaults. */
  entry: Record<string, any>;
  /** What each reference field names. */
  references: Record<string, { kind: string; name: string; id: string; arns: unknown[] }[]>;
}

export interface RenderReply {
  resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
  outputs?: Record<string, { Value: unknown; Description?: string }>;
  grants?: { action: string; actions: string[]; resources?: unknown[] }[];
  errors?: { path?: string; message: string }[];
}

/** A custom component kind: what a module of kinds exports (one, or an array). */
export interface KindDefinition {
  /** The pareto.yaml key its entries are listed under, e.g. "streams". */
  key: string;
  /** The JSON Schema (draft 7) of one entry; "name" is added. */
  schema: Record<string, unknown>;
  noun?: string;
  suffix?: string;
  /** Entry fields naming other components, by the key of their kind: {writers: "actions"}. */
  references?: Record<string, string>;
  /** Handlers read <NAME>_<SUFFIX>: the Ref of its main resource. */
  variable?: boolean;
  /** AWS's limit on its physical name "<app>-<stage>-<name>": checked and budgeted. */
  name_limit?: number;
  render(request: RenderRequest): RenderReply;
}

export class Kind implements KindDefinition {
  constructor(definition: KindDefinition);
  key: string;
  schema: Record<string, unknown>;
  render(request: RenderRequest): RenderReply;
  definition(): Omit<KindDefinition, 'render'>;
}

/** A kind's definition is wrong: `.errors` says where in it. */
export class KindError extends ParetoError {
  readonly errors: { path: string; message: string; check: string }[];
}

/** Every kind a CommonJS module exports, freshly required. */
export function kindsInModule(file: string): Kind[];

/** A CloudFormation template. */
export interface Template {
  AWSTemplateFormatVersion: string;
  Description: string;
  Parameters?: Record<string, Record<string, unknown>>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
  Outputs?: Record<string, { Description: string; Value: unknown }>;
}

/** One quota the app uses, and the config entry (a JSON pointer, "" the whole app) that costs it. */
export interface QuotaUse {
  quota: string;
  subject: string;
  used: number;
  limit: number;
  headroom: number;
  entry: string;
}

/** A nested stack: its logical id in the parent, its key in the artifacts bucket, its text. */
export interface NestedStack {
  name: string;
  key: string;
  template: string;
}

/** Where and how a command reaches AWS (the options of App#deploy, diff, outputs, destroy). */
export interface CommandOptions {
  /** The stage: the stack is <app>-<stage>; lower-case letters and digits, at most 16 (default: the app's stage, or 'dev'). */
  stage?: string;
  /** Default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, then us-east-1. */
  region?: string;
  /** The AWS profile of the shared config files. */
  profile?: string;
  /** An emulator's URL instead of AWS (default: PARETO_ENDPOINT_URL). */
  endpoint?: string;
  /** Use moto's server on 127.0.0.1, started for the call. */
  local?: boolean;
  /** Template parameters (deploy and diff only). */
  parameters?: Record<string, string>;
  /** Replace tables, buckets, queues, user pools and secrets when the change needs to (deploy and diff only). */
  allowReplace?: boolean;
  /** Let tables, buckets, queues, user pools and secrets leave the stack (retained ones stay in the account), and let time to live or a lifecycle expiry be turned on for what is deployed. */
  allowDelete?: boolean;
  /** destroy: delete the retained data too. */
  deleteData?: boolean;
  /** deploy: when only functions' code changed, update it directly, without a change set. */
  hotswap?: boolean;
  /** Where the progress goes (default: the process's stdout and stderr). */
  write?: (stream: 'stdout' | 'stderr', text: string) => void;
}

/** One change of a change set. */
export interface Change {
  logical_id: string;
  type: string;
  action: 'Add' | 'Modify' | 'Remove' | 'Import' | 'Dynamic' | string;
  /** 'True' | 'False' | 'Conditional', or '' when not a modification. */
  replacement: string;
}

/** What a deploy would change. */
export interface Diff {
  changes: Change[];
  /** IAM statements an update adds, as "LogicalId: statement". */
  widened: string[];
  /** The logical ids the app's overrides patch (changed now or not). */
  overridden: string[];
}

/** A loaded app description: its errors, or its CloudFormation template. Immutable. */
export class App {
  /** Loads a pareto.yaml (.yml, .json), or the folder holding one; throws (code ENOENT) when there is none. */
  static load(pathOrDir: string, options?: { kinds?: KindDefinition[]; stage?: string | null }): App;
  /** Loads YAML 1.2 or JSON text. */
  static fromText(text: string, options?: LoadOptions): App;
  /** Loads an app description given as an object. */
  static fromObject(config: Record<string, unknown>, options?: LoadOptions): App;

  readonly baseDir: string | null;
  readonly name: string;
  /** The stage whose settings it was loaded with; null: the app's own. */
  readonly stage: string | null;
  readonly errors: Diagnostic[];
  readonly valid: boolean;
  readonly functions: CodeFolder[];
  /** Throws ValidationError, with every error, unless the app is valid. */
  validate(): void;
  /** The template's exact bytes, as the native `pareto synth` prints them. */
  templateJson(): string;
  synth(): Template;
  /** The quotas the app uses, least headroom first. */
  budget(format?: 'json'): QuotaUse[];
  budget(format: 'text'): string;
  /** The nested stacks of an app past one stack's quotas; [] when it fits one. */
  nestedStacks(): NestedStack[];
  graph(format?: 'mermaid' | 'dot'): string;
  /** The app's event rules as deployed to `stage`. */
  rules(stage?: string): { rules: Record<string, unknown>; skipped: Record<string, string> };
  /**
   * The archive of an action or builder, the same bytes as from Python, with the dependencies
   * installed in `dependencies` (default: the build cache's); the app must be loaded from a folder.
   */
  package(name: string, dependencies?: string): Archive;
  /** Deploys the stack <app>-<stage>; resolves to its outputs. */
  deploy(options?: CommandOptions): Promise<Record<string, string>>;
  /** What a deploy would change, changing nothing. */
  diff(options?: CommandOptions): Promise<Diff>;
  /** The deployed stack's outputs. */
  outputs(options?: CommandOptions): Promise<Record<string, string>>;
  /** Empties the stack's buckets and deletes the stack. */
  destroy(options?: CommandOptions): Promise<void>;
}

type Json = string | Buffer | Record<string, unknown>;

/** Named EventBridge patterns compiled together. */
export class Rules {
  constructor(rules: Json);
  /** The names of the rules the event matches, sorted. */
  match(event: Json): string[];
}

/** One compiled EventBridge pattern. */
export class Pattern {
  constructor(pattern: Json);
  matches(event: Json): boolean;
}

export function compile(pattern: Json): Pattern;
export function match(pattern: Json, event: Json): boolean;
/** "file:line:column: /path: message [check]" */
export function formatError(error: Diagnostic): string;
/** The core's version: "0.1.0". */
export const version: string;
/** The JSON Schema of pareto.yaml. */
export function configSchema(): Record<string, unknown>;

declare const pareto: {
  App: typeof App; Archive: typeof Archive; ParetoError: typeof ParetoError;
  ValidationError: typeof ValidationError; CommandError: typeof CommandError; Rules: typeof Rules;
  Pattern: typeof Pattern;
  compile: typeof compile; match: typeof match; formatError: typeof formatError;
  Kind: typeof Kind; KindError: typeof KindError; kindsInModule: typeof kindsInModule;
  version: string; configSchema: typeof configSchema;
};
export default pareto;
