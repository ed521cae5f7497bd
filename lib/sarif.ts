import type { Finding } from './errors.js';

/** The SARIF version GitHub code scanning reads. */
export const SARIF_VERSION = '2.1.0';
const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** The rule a finding came from: an outside linter's own id, or the kind of check of ours. */
export interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  helpUri?: string;
}

/** A SARIF 2.1.0 log of one run (the subset GitHub code scanning reads). */
export interface SarifLog {
  $schema: string;
  version: typeof SARIF_VERSION;
  runs: {
    tool: {
      driver: { name: string; informationUri?: string; version?: string; rules: SarifRule[] };
    };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: 'error' | 'warning';
      message: { text: string };
      locations: {
        physicalLocation: {
          artifactLocation: { uri: string };
          region: { startLine: number; startColumn: number };
        };
      }[];
    }[];
  }[];
}

/** Rules by how their findings name them; the first that matches a finding is its rule. */
const RULE_KINDS: {
  match: (finding: Finding) => string | undefined;
  rule: (id: string) => Omit<SarifRule, 'id'>;
}[] = [
  {
    // cfn-lint's findings start with its rule id: "E3012 (cfn-lint): ...".
    match: (f) => /^([EWI]\d{4}) \(cfn-lint\)/.exec(f.message)?.[1],
    rule: (code) => ({
      name: `cfn-lint ${code}`,
      shortDescription: { text: `AWS cfn-lint rule ${code}` },
      helpUri: `https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/rules.md`,
    }),
  },
  {
    // cfn-guard's Control Tower findings carry the control id: "[CT.S3.PR.1]: ...".
    match: (f) => /\b(CT\.[A-Z0-9]+\.PR\.\d+)\b/.exec(f.message)?.[1],
    rule: (control) => ({
      name: `Control Tower ${control}`,
      shortDescription: { text: `AWS Control Tower proactive control ${control} (cfn-guard)` },
      helpUri:
        'https://docs.aws.amazon.com/controltower/latest/controlreference/proactive-controls.html',
    }),
  },
  {
    match: (f) => (f.file && /\.json$/.test(f.file) ? 'config' : undefined),
    rule: () => ({
      name: 'Pipeline config',
      shortDescription: { text: 'pipeline.config.json fails its schema or a derived name rule' },
    }),
  },
  {
    match: () => 'template',
    rule: () => ({
      name: 'Template checks',
      shortDescription: {
        text: "A template fails AWS's resource spec, a policy, a parameter or a project rule",
      },
    }),
  },
];

function ruleOf(finding: Finding): { id: string; rule: Omit<SarifRule, 'id'> } {
  for (const kind of RULE_KINDS) {
    const id = kind.match(finding);
    if (id !== undefined) return { id, rule: kind.rule(id) };
  }
  // The last kind matches every finding; this keeps the type checker content.
  return { id: 'template', rule: RULE_KINDS.at(-1)!.rule('template') };
}

/**
 * Findings as a SARIF 2.1.0 log, for GitHub code scanning: one rule per linter rule id (or per
 * kind of check of ours), one result per finding, located at its file, line and column
 * (findings without a file are left out: code scanning can only show what has a place).
 */
export function toSarif(
  findings: { errors: readonly Finding[]; warnings: readonly Finding[] },
  tool: { name: string; informationUri?: string; version?: string },
): SarifLog {
  const rules: SarifRule[] = [];
  const index = new Map<string, number>();
  const results: SarifLog['runs'][number]['results'] = [];
  const add = (finding: Finding, level: 'error' | 'warning') => {
    if (!finding.file) return;
    const { id, rule } = ruleOf(finding);
    if (!index.has(id)) {
      index.set(id, rules.length);
      rules.push({ id, ...rule });
    }
    results.push({
      ruleId: id,
      ruleIndex: index.get(id)!,
      level,
      message: { text: `${finding.path ? `${finding.path}: ` : ''}${finding.message}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: finding.file.replace(/\\/g, '/') },
            region: { startLine: finding.line ?? 1, startColumn: finding.column ?? 1 },
          },
        },
      ],
    });
  };
  findings.errors.forEach((f) => add(f, 'error'));
  findings.warnings.forEach((f) => add(f, 'warning'));
  return {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: [{ tool: { driver: { ...tool, rules } }, results }],
  };
}
