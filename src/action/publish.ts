import { ComposeModel } from '../compose/compose-model';
import { Outcomes } from '../readiness/outcomes';
import { Publication, publication, PublishOptions } from '../outputs/publication';
import { SecretRegistry } from '../secrets/secret-registry';
import { OutputNames, serviceUrlOutput } from './names';
import { ActionRuntime } from './runtime';

/** Writes what the wait found to the runner: outputs, exported variables, log lines, the job summary. */
export async function publish(
  runtime: ActionRuntime,
  projectName: string,
  model: ComposeModel,
  outcomes: Outcomes,
  options: PublishOptions,
  secrets: SecretRegistry,
  failure?: Error,
): Promise<Publication> {
  const p = publication(projectName, model, outcomes, options, secrets, failure);
  runtime.setOutput(OutputNames.Urls, p.urlsJson);
  runtime.setOutput(OutputNames.Services, p.servicesJson);
  for (const [service, url] of Object.entries(p.serviceUrls)) runtime.setOutput(serviceUrlOutput(service), url);
  for (const [name, value] of Object.entries(p.variables)) runtime.exportVariable(name, value);
  for (const w of p.warnings) runtime.warning(w);
  for (const line of p.lines) runtime.info(line);
  await runtime.appendSummary(p.summary);
  return p;
}
