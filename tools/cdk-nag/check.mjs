// Runs cdk-nag's AwsSolutions rule pack over the templates in a cdk.out folder that the C# CDK app synthesized.
//
//   node check.mjs CDK_OUT_DIR
//
// The C# app uses Amazon.CDK.Lib 2.160.0, and cdk-nag 3 needs a newer aws-cdk-lib, so the templates are loaded here
// with cloudformation-include, one stack per template. cdk-nag 3 does not read suppressions from template metadata:
// each resource's `Metadata.cdk_nag.rules_to_suppress` ([{ id, reason, applies_to? }], the form cdk-nag writes) is
// acknowledged here on that resource, so that a suppression lives beside its resource in the C# app, with its reason.
//
// The pack runs twice, without and with the suppressions, so that the output says which finding each suppression
// covers and which suppressions cover nothing. Prints one JSON document on stdout:
//   { findings: [{ rule, severity, stack, resource, suppressed, reason? }], unusedSuppressions: [{ stack, resource, id, reason }] }
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, DefaultStackSynthesizer, Stack, Validations } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks } from 'cdk-nag';

const cdkOut = process.argv[2];
if (!cdkOut) {
  console.error('usage: node check.mjs CDK_OUT_DIR');
  process.exit(2);
}
const templates = readdirSync(cdkOut).filter(f => f.endsWith('.template.json')).sort()
  .map(file => ({ stack: file.replace(/\.template\.json$/, ''), file: join(cdkOut, file) }));
if (templates.length === 0) {
  console.error(`no *.template.json in ${cdkOut}`);
  process.exit(2);
}

/** The suppressions written in the templates, one per finding id (`RULE` or `RULE[applies_to]`). */
function suppressionsOf({ stack, file }) {
  const template = JSON.parse(readFileSync(file, 'utf8'));
  return Object.entries(template.Resources ?? {}).flatMap(([resource, definition]) =>
    (definition.Metadata?.cdk_nag?.rules_to_suppress ?? []).flatMap(rule => {
      if (!rule.id || !rule.reason?.trim()) {
        throw new Error(`${stack}/${resource}: a suppression needs an id and a reason`);
      }
      const ids = rule.applies_to?.length ? rule.applies_to.map(a => `${rule.id}[${a}]`) : [rule.id];
      return ids.map(id => ({ stack, resource, id, reason: rule.reason }));
    }));
}

/** The pack's findings over every template, with the given suppressions acknowledged. */
function findings(suppressions) {
  const outdir = mkdtempSync(join(tmpdir(), 'sparkify-cdk-nag-'));
  try {
    const app = new App({ outdir });
    for (const { stack: name, file } of templates) {
      // The template brings its own BootstrapVersion parameter and rule.
      const stack = new Stack(app, name, { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });
      const include = new CfnInclude(stack, 'T', { templateFile: file });
      for (const { resource, id, reason } of suppressions.filter(s => s.stack === name)) {
        Validations.of(include.getResource(resource)).acknowledge({ id, reason });
      }
    }
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    try {
      app.synth();
    } catch {
      // Unacknowledged errors fail the synthesis; the report is written all the same.
    }
    const reportFile = readdirSync(outdir).find(f => /validation-report\.json$/.test(f));
    if (!reportFile) {
      throw new Error('cdk-nag wrote no validation report');
    }
    const report = JSON.parse(readFileSync(join(outdir, reportFile), 'utf8'));
    return report.pluginReports.filter(p => p.pluginName === 'AwsSolutions').flatMap(p => p.violations.flatMap(v =>
      v.violatingConstructs.map(c => {
        const [stack, , resource] = c.constructPath.split('/');
        return { rule: v.ruleName, severity: v.severity, stack, resource, description: v.description };
      })));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const suppressions = templates.flatMap(suppressionsOf);
const key = f => `${f.stack}/${f.resource}/${f.rule ?? f.id}`;
const all = findings([]);
const open = new Set(findings(suppressions).map(key));
const byKey = new Map(suppressions.map(s => [key(s), s]));
const result = {
  findings: all.map(f => ({ ...f, suppressed: !open.has(key(f)), reason: open.has(key(f)) ? undefined : byKey.get(key(f))?.reason })),
  unusedSuppressions: suppressions.filter(s => !all.some(f => key(f) === key(s))),
};
console.log(JSON.stringify(result, null, 2));
