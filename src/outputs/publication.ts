import { ComposeModel } from '../compose/compose-model';
import { ServiceOutcome } from '../readiness/outcomes';
import { ComposeSelection, composeVariables, EXPORTED_NAMES, exportedNamesValue, overwriteWarning } from './compose-env';
import { exportedVariables, ReachedServices } from './exported-env';
import { SecretRegistry } from '../secrets/secret-registry';
import { hideSecrets } from '../secrets/secret-values';
import { buildReport, ReachForm, StackReport } from './service-report';
import { ImageRow, summaryMarkdown } from './summary';
import { PreviewUrls } from './url-template';

// Everything the step hands on once the wait is over (or failed), worked out in one pure pass;
// the action then writes it to the runner as it is.

export interface PublishOptions {
  /** Host name the URLs use. */
  host: string;
  exportEnv: boolean;
  envPrefix: string;
  /** Which form the URLs take (default: published host ports). */
  form?: ReachForm;
  /** Public URLs for HTTP services (`url-template`). */
  preview?: PreviewUrls;
  /** The project as compose read it, for later steps' plain compose commands. */
  compose?: ComposeSelection;
  /** The job's environment as this step got it: what an earlier use exported. */
  jobEnv?: NodeJS.ProcessEnv;
  /** How the images came to the engine, when any had to be pulled. */
  images?: ImageRow[];
}

export interface Publication {
  report: StackReport;
  /** The `urls` and `services` outputs as JSON, and each service's own URL. */
  urlsJson: string;
  servicesJson: string;
  serviceUrls: Record<string, string>;
  variables: Record<string, string>;
  warnings: string[];
  /** Lines for the log, secrets hidden. */
  lines: string[];
  summary: string;
}

/**
 * `export-env`: the variables for later steps (each service's host, port and URL, and the project's
 * COMPOSE_* settings where compose runs it), with what the user should hear about them.
 */
export function variablesToExport(
  report: ReachedServices,
  options: Pick<PublishOptions, 'exportEnv' | 'envPrefix' | 'compose' | 'jobEnv'>,
): { variables: Record<string, string>; warnings: string[] } {
  const warnings: string[] = [];
  let variables: Record<string, string> = {};
  if (!options.exportEnv) return { variables, warnings };
  const exported = exportedVariables(report, options.envPrefix);
  variables = exported.variables;
  for (const c of exported.collisions) {
    warnings.push(
      `Services ${c.services.map((s) => `'${s}'`).join(' and ')} both export ${c.name}; those hold the values of '${c.services[0]}'. Rename one service, or read the 'services' output instead.`,
    );
  }
  if (exported.skipped.length > 0)
    warnings.push(`Not exported, as compose and docker read these names themselves: ${exported.skipped.join(', ')}. Set 'export-env' to a prefix (e.g. STACK_) to export them.`);
  if (options.compose) variables = { ...composeVariables(options.compose), ...variables };
  const names = Object.keys(variables);
  const overwrite = overwriteWarning(options.jobEnv ?? {}, names);
  if (overwrite) warnings.push(overwrite);
  variables[EXPORTED_NAMES] = exportedNamesValue(options.jobEnv ?? {}, names);
  return { variables, warnings };
}

export function publication(
  projectName: string,
  model: ComposeModel,
  outcomes: Record<string, ServiceOutcome>,
  options: PublishOptions,
  secrets: SecretRegistry,
  failure?: Error,
): Publication {
  const report = buildReport(model, outcomes, options.host, options.form, options.preview);
  // Registered before any line below is formed: a connection string carries a password.
  secrets.add(report.secrets);
  const { variables, warnings } = variablesToExport(report, options);
  const entries = Object.entries(report.urls);
  const lines = entries.length > 0 ? ['Service URLs:', ...entries.map(([service, url]) => `  ${service}: ${hideSecrets(url, secrets.all())}`)] : [];
  return {
    report,
    urlsJson: JSON.stringify(report.urls),
    servicesJson: JSON.stringify(report.services),
    serviceUrls: report.urls,
    variables,
    warnings,
    lines,
    summary: summaryMarkdown(projectName, report, failure, secrets.all(), options.images),
  };
}
