#!/usr/bin/env node
'use strict';
// Runs the action's dist/ main and post steps the way GitHub's runner does, for the tests and the
// demo: inputs as INPUT_<NAME> with action.yml defaults, fresh file-command files per step parsed
// with the runner's rules, STATE_<name> for post, post-if evaluated, and cancellation as the runner
// does it (SIGINT, 7.5 s, SIGTERM, 2.5 s, SIGKILL). Files are read after a failure or cancel too.

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const YAML = require('yaml');

const ACTION_DIR = path.resolve(__dirname, '..');
// `runs.using: node24` in action.yml: the runner runs dist/ with its own Node 24, whatever the
// machine has. The npm package `node` (a dev dependency) provides that binary.
const RUNNER_NODE = path.join(ACTION_DIR, 'node_modules', 'node', 'bin', 'node');
const CANCEL_SIGTERM_AFTER_MS = 7500;
const CANCEL_SIGKILL_AFTER_MS = 2500;

function readAction(actionDir) {
  return YAML.parse(fs.readFileSync(path.join(actionDir, 'action.yml'), 'utf8'));
}

/** The runner's name rule: upper-case, spaces to '_', hyphens kept. */
function inputEnvName(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Parses a GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV file: NAME=VALUE and NAME<<DELIM blocks. */
function parseKeyValueFile(text) {
  const out = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    const eq = line.indexOf('=');
    if (heredoc && (eq < 0 || line.indexOf('<<') < eq)) {
      const [, name, delim] = heredoc;
      const value = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delim) {
          closed = true;
          break;
        }
        value.push(lines[i]);
      }
      if (!closed) throw new Error(`file command: no closing delimiter '${delim}' for ${name}`);
      out[name] = value.join('\n');
    } else if (eq > 0) {
      out[line.slice(0, eq)] = line.slice(eq + 1);
    } else {
      throw new Error(`file command: cannot read line '${line}'`);
    }
  }
  return out;
}

/** post-if: always(), success(), failure(), cancelled(), with !, && and ||. */
function evaluateCondition(expr, outcome) {
  const fns = { 'always()': true, 'success()': outcome === 'success', 'failure()': outcome === 'failure', 'cancelled()': outcome === 'cancelled' };
  const js = expr.replace(/\$\{\{|\}\}/g, '').trim();
  const tokens = js.match(/always\(\)|success\(\)|failure\(\)|cancelled\(\)|&&|\|\||!|\(|\)/g) || [];
  if (tokens.join('') !== js.replace(/\s+/g, '')) throw new Error(`post-if: cannot evaluate '${expr}'`);
  let pos = 0;
  const or = () => {
    let v = and();
    while (tokens[pos] === '||') {
      pos++;
      const r = and();
      v = v || r;
    }
    return v;
  };
  const and = () => {
    let v = not();
    while (tokens[pos] === '&&') {
      pos++;
      const r = not();
      v = v && r;
    }
    return v;
  };
  const not = () => {
    if (tokens[pos] === '!') {
      pos++;
      return !not();
    }
    if (tokens[pos] === '(') {
      pos++;
      const v = or();
      pos++;
      return v;
    }
    return fns[tokens[pos++]];
  };
  return or();
}

function freshFiles(dir, step) {
  const files = {};
  for (const name of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY']) {
    files[name] = path.join(dir, `${step}_${name.toLowerCase()}`);
    fs.writeFileSync(files[name], '');
  }
  return files;
}

/**
 * Runs one step. `cancel` is { afterMs } or { whenOutput: RegExp }: the runner's cancellation
 * sequence starts then.
 */
/** The process's peak resident memory so far, in KiB (Linux), or undefined. */
function peakRssKb(pid) {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function runnerNode(action) {
  const using = String(action.runs.using || '');
  if (using !== 'node24') throw new Error(`harness: action.yml says runs.using '${using}'; this harness provides node24 only`);
  if (!fs.existsSync(RUNNER_NODE)) throw new Error(`harness: ${RUNNER_NODE} is missing: run 'npm ci' (the dev dependency 'node' is the runner's Node 24)`);
  return RUNNER_NODE;
}

function runStep({ node, script, env, cwd, echo, cancel, kill, masks, onOutput }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(node, [script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    // Sampled until the end: the kernel keeps the peak, so the last sample is close to the true one.
    let peak;
    const sampler = setInterval(() => {
      peak = peakRssKb(child.pid) ?? peak;
    }, 50);
    let output = '';
    // One partial line per stream: the runner reads stdout and stderr apart, so a line half
    // written on one is never joined to a line of the other.
    const pending = { stdout: '', stderr: '' };
    let cancelled = false;
    const timers = [];
    const startCancel = () => {
      if (cancelled) return;
      cancelled = true;
      child.kill('SIGINT');
      timers.push(setTimeout(() => child.kill('SIGTERM'), CANCEL_SIGTERM_AFTER_MS));
      timers.push(setTimeout(() => child.kill('SIGKILL'), CANCEL_SIGTERM_AFTER_MS + CANCEL_SIGKILL_AFTER_MS));
    };
    // As the runner does: '::add-mask::' registers a value for the rest of the job, and every
    // later line shows it as ***. A value printed before its mask was registered stays visible.
    const onLine = (line) => {
      if (line.startsWith('::add-mask::')) {
        // Command data is escaped by the toolkit: %25, %0D, %0A.
        const value = line.slice('::add-mask::'.length).replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
        if (value) masks.add(value);
        line = '::add-mask::***';
      } else {
        for (const m of [...masks].sort((a, b) => b.length - a.length)) line = line.split(m).join('***');
      }
      output += `${line}\n`;
      if (echo) process.stdout.write(`${line}\n`);
    };
    const onData = (stream) => (chunk) => {
      const lines = (pending[stream] + chunk.toString('utf8')).split('\n');
      pending[stream] = lines.pop();
      lines.forEach(onLine);
      if (cancel && cancel.whenOutput && cancel.whenOutput.test(output)) startCancel();
      if (kill && kill.whenOutput && kill.whenOutput.test(output)) child.kill('SIGKILL');
      if (onOutput) onOutput(output);
    };
    child.stdout.on('data', onData('stdout'));
    child.stderr.on('data', onData('stderr'));
    if (cancel && cancel.afterMs !== undefined) timers.push(setTimeout(startCancel, cancel.afterMs));
    child.on('exit', () => clearInterval(sampler));
    child.on('close', (code, signal) => {
      clearInterval(sampler);
      for (const rest of [pending.stdout, pending.stderr]) if (rest) onLine(rest);
      timers.forEach(clearTimeout);
      resolve({ exitCode: code, signal, output, cancelled, durationMs: Date.now() - started, peakRssKb: peak });
    });
  });
}

function readStepFiles(files) {
  const read = (f) => fs.readFileSync(f, 'utf8');
  return {
    outputs: parseKeyValueFile(read(files.GITHUB_OUTPUT)),
    state: parseKeyValueFile(read(files.GITHUB_STATE)),
    env: parseKeyValueFile(read(files.GITHUB_ENV)),
    path: read(files.GITHUB_PATH).split('\n').filter(Boolean),
    summary: read(files.GITHUB_STEP_SUMMARY),
  };
}

/** The job's token as the runner fills `${{ github.token }}`: a harness value, good only for the tests' own API servers. */
const HARNESS_JOB_TOKEN = 'ghs_harness_job_token';

/** An input's default as the runner evaluates it; the one expression action.yml uses is the job's token. */
function runnerDefault(value) {
  return value.replace(/\$\{\{\s*github\.token\s*\}\}/g, HARNESS_JOB_TOKEN);
}

let runCounter = 0;

/** A run id of its own for each simulated workflow run, as GitHub gives every run one. */
function nextRunId() {
  runCounter += 1;
  return `${process.pid}${String(runCounter).padStart(4, '0')}`;
}

function baseEnv(extra, workspace, tempDir) {
  const env = { ...process.env };
  // The tests themselves may run inside Actions; the step must see only what we give it.
  for (const k of Object.keys(env)) if (k.startsWith('INPUT_') || k.startsWith('STATE_') || k.startsWith('GITHUB_') || k.startsWith('RUNNER_')) delete env[k];
  return {
    ...env,
    // What the runner always sets; a test may override any of them through `env`.
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_RUN_ID: nextRunId(),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_NUMBER: '1',
    GITHUB_JOB: 'test',
    GITHUB_REPOSITORY: 'ephemeral-compose/harness',
    // Never GitHub's own API: a loopback port that refuses, unless a test names its own server.
    GITHUB_API_URL: 'http://127.0.0.1:1',
    GITHUB_EVENT_NAME: 'push',
    RUNNER_TEMP: tempDir,
    RUNNER_OS: 'Linux',
    RUNNER_NAME: 'harness',
    GITHUB_ACTION: '__ephemeral-compose',
    ...extra,
  };
}

/**
 * Runs main, then post as the runner would. Options:
 *   inputs: { name: value }, env: extra environment, workspace: step cwd,
 *   cancel: { afterMs } | { whenOutput }, echo: copy step output to ours,
 *   between: async ({ outputs, env }) => void — "later steps", run between main and post
 *     when main succeeded; beforePost: async () => void — run before post whatever happened;
 *   onMainOutput: (outputSoFar) => void — called as main prints, to act at a given moment;
 *   runnerLost: {} | { whenOutput } — the runner's process dies: main is killed (SIGKILL) when
 *     its output matches (or ends as it would), and nothing after it runs, post neither.
 * Each step's result has peakRssKb, its peak resident memory as last sampled.
 */
async function runAction(options = {}) {
  const actionDir = options.actionDir || ACTION_DIR;
  const action = readAction(actionDir);
  const workspace = options.workspace || process.cwd();
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ephemeral-compose-runner-'));
  const inputEnv = {};
  for (const [name, spec] of Object.entries(action.inputs || {})) {
    const given = options.inputs && Object.prototype.hasOwnProperty.call(options.inputs, name) ? options.inputs[name] : undefined;
    const value = given !== undefined ? String(given) : spec.default !== undefined ? runnerDefault(String(spec.default)) : '';
    inputEnv[inputEnvName(name)] = value;
  }
  for (const name of Object.keys(options.inputs || {})) {
    if (!action.inputs || !action.inputs[name]) throw new Error(`harness: '${name}' is not an input of action.yml`);
  }
  const stepEnv = baseEnv({ ...options.env, ...inputEnv }, workspace, tempDir);
  const node = runnerNode(action);

  const masks = new Set();
  const mainFiles = freshFiles(tempDir, 'main');
  const mainRun = await runStep({
    node,
    script: path.join(actionDir, action.runs.main),
    env: { ...stepEnv, ...mainFiles },
    cwd: workspace,
    echo: options.echo,
    cancel: options.cancel,
    kill: options.runnerLost,
    masks,
    onOutput: options.onMainOutput,
  });
  const main = { ...mainRun, ...readStepFiles(mainFiles) };
  main.outcome = main.cancelled ? 'cancelled' : main.exitCode === 0 ? 'success' : 'failure';
  main.errors = (main.output.match(/^::error::.*$/gm) || []).map((l) => l.slice('::error::'.length).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'));

  if (options.between && main.outcome === 'success' && !options.runnerLost) {
    await options.between({ outputs: main.outputs, env: { ...main.env }, masks: [...masks] });
  }
  if (options.beforePost && !options.runnerLost) await options.beforePost();

  let post = null;
  // The runner's process gone: nothing runs after main, post neither.
  if (action.runs.post && !options.runnerLost) {
    const postIf = action.runs['post-if'] || 'always()';
    if (evaluateCondition(postIf, main.outcome)) {
      const postFiles = freshFiles(tempDir, 'post');
      const stateEnv = {};
      for (const [k, v] of Object.entries(main.state)) stateEnv[`STATE_${k}`] = v;
      const postRun = await runStep({
        node,
        script: path.join(actionDir, action.runs.post),
        env: { ...stepEnv, ...main.env, ...stateEnv, ...postFiles },
        cwd: workspace,
        echo: options.echo,
        cancel: options.postCancel,
        masks,
      });
      post = { ...postRun, ...readStepFiles(postFiles) };
      post.warnings = (post.output.match(/^::warning::.*$/gm) || []).map((l) => l.slice('::warning::'.length));
    }
  }
  fs.rmSync(tempDir, { recursive: true, force: true });
  return { main, post, masks: [...masks] };
}

module.exports = { runAction, parseKeyValueFile, evaluateCondition, inputEnvName };

// As a command: node harness/run-action.js [--workspace DIR] [--input name=value]... [--next 'shell command'] [--cancel-when REGEX]
// "--next" runs once main succeeded, with the step's exported env and OUTPUT_<NAME> for each output;
// "--cancel-when" cancels main as the runner does once its output matches.
if (require.main === module) {
  const argv = process.argv.slice(2);
  const inputs = {};
  const next = [];
  let workspace = process.cwd();
  let cancel;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--input') {
      const kv = argv[++i];
      const eq = kv.indexOf('=');
      inputs[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (argv[i] === '--workspace') workspace = path.resolve(argv[++i]);
    else if (argv[i] === '--next') next.push(argv[++i]);
    else if (argv[i] === '--cancel-when') cancel = { whenOutput: new RegExp(argv[++i], 'm') };
    else {
      console.error(`run-action: unknown argument ${argv[i]}`);
      process.exit(2);
    }
  }
  let nextFailed = false;
  runAction({
    inputs,
    workspace,
    cancel,
    echo: true,
    between: async ({ outputs, env, masks }) => {
      // Shown as the runner would show them: registered secrets as ***.
      const hide = (text) => masks.reduce((t, m) => t.split(m).join('***'), text);
      console.log('\n=== step outputs ===');
      for (const [k, v] of Object.entries(outputs)) console.log(`${k}=${hide(v)}`);
      for (const cmd of next) {
        console.log(`\n=== next step: ${cmd} ===`);
        const outEnv = {};
        for (const [k, v] of Object.entries(outputs)) outEnv[`OUTPUT_${k.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`] = v;
        const code = await new Promise((resolve) => {
          const child = spawn('bash', ['-c', cmd], { cwd: workspace, stdio: 'inherit', env: { ...process.env, ...env, ...outEnv } });
          child.on('close', resolve);
        });
        if (code !== 0) {
          console.log(`next step failed with exit code ${code}`);
          nextFailed = true;
          break;
        }
      }
      console.log('\n=== post step ===');
    },
  }).then(({ main, post }) => {
    if (main.summary) console.log(`\n=== job summary ===\n${main.summary}`);
    console.log(`main: ${main.outcome} (${main.durationMs} ms); post: ${post ? `exit ${post.exitCode} (${post.durationMs} ms)` : 'skipped'}`);
    process.exitCode = main.outcome === 'success' && !nextFailed && post && post.exitCode === 0 ? 0 : 1;
  });
}
